/* test_selection: the prepared attribute selection of ReceiveMessage and the string set
 * under it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sqsemu/strset.h"

#include "../../src/sqs/selection.h"

static void test_strset_basics(void **state)
{
    (void)state;
    strset s;
    strset_init(&s);
    assert_false(strset_contains(&s, "a", 1));
    char keys[1000][8];
    for (int i = 0; i < 1000; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
        strset_add(&s, keys[i], strlen(keys[i]));
        strset_add(&s, keys[i], strlen(keys[i])); /* duplicates are ignored */
    }
    assert_int_equal(s.count, 1000);
    for (int i = 0; i < 1000; i++)
        assert_true(strset_contains(&s, keys[i], strlen(keys[i])));
    assert_false(strset_contains(&s, "k1000", 5));
    assert_true(strset_contains(&s, "k12xyz", 3)); /* length-limited: "k12" */
    assert_false(strset_contains(&s, "", 0));
    strset_add(&s, "", 0);
    assert_true(strset_contains(&s, "", 0));
    strset_free(&s);
}

static cJSON *list(const char *const *names)
{
    cJSON *a = cJSON_CreateArray();
    for (; *names; names++)
        cJSON_AddItemToArray(a, cJSON_CreateString(*names));
    return a;
}

static void test_system_names(void **state)
{
    (void)state;
    cJSON *one = list((const char *const[]){"SenderId", "Bogus", NULL});
    cJSON *two = list((const char *const[]){"SequenceNumber", NULL});
    attribute_selection *s = selection_prepare(one, two, NULL);
    assert_true(selection_wants_system(s, "SenderId"));
    assert_true(selection_wants_system(s, "SequenceNumber"));
    assert_false(selection_wants_system(s, "SentTimestamp"));
    assert_false(selection_wants_system(s, "Bogus"));
    assert_true(selection_no_attributes(s));
    selection_free(s);
    cJSON *all = list((const char *const[]){"All", NULL});
    s = selection_prepare(NULL, all, NULL);
    assert_true(selection_wants_system(s, "ApproximateReceiveCount"));
    assert_true(selection_wants_system(s, "DeadLetterQueueSourceArn"));
    selection_free(s);
    cJSON_Delete(one);
    cJSON_Delete(two);
    cJSON_Delete(all);
}

static void test_message_attribute_patterns(void **state)
{
    (void)state;
    cJSON *names = list((const char *const[]){"exact", "bar.*", "bar.*", "ø.*", NULL});
    attribute_selection *s = selection_prepare(NULL, NULL, names);
    assert_false(selection_no_attributes(s));
    assert_true(selection_wants_attribute(s, "exact"));
    assert_false(selection_wants_attribute(s, "exactly"));
    assert_false(selection_wants_attribute(s, "exac"));
    assert_true(selection_wants_attribute(s, "bar"));
    assert_true(selection_wants_attribute(s, "bar.baz"));
    assert_true(selection_wants_attribute(s, "barn"));
    assert_false(selection_wants_attribute(s, "ba"));
    assert_true(selection_wants_attribute(s, "øre"));
    assert_false(selection_wants_attribute(s, "other"));
    selection_free(s);
    cJSON_Delete(names);
    for (const char *const *all = (const char *const[]){"All", ".*", "*", NULL}; *all; all++) {
        cJSON *l = list((const char *const[]){"x", *all, NULL});
        s = selection_prepare(NULL, NULL, l);
        assert_true(selection_wants_attribute(s, "anything"));
        selection_free(s);
        cJSON_Delete(l);
    }
}

static void test_long_lists_are_sets(void **state)
{
    (void)state;
    enum { N = 200000 };
    cJSON *names = cJSON_CreateArray();
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i);
        cJSON_AddItemToArray(names, cJSON_CreateString(name));
    }
    attribute_selection *s = selection_prepare(names, names, names);
    assert_true(selection_wants_attribute(s, "n199999"));
    assert_false(selection_wants_attribute(s, "n200000"));
    assert_false(selection_wants_system(s, "SenderId"));
    selection_free(s);
    cJSON_Delete(names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strset_basics),
        cmocka_unit_test(test_system_names),
        cmocka_unit_test(test_message_attribute_patterns),
        cmocka_unit_test(test_long_lists_are_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
