/* test_json: the strict JSON parser used for every client-supplied JSON document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sqsemu/json.h"

static cJSON *parse(const char *text, size_t len, char *why)
{
    return json_parse_strict(text, len, why, 128);
}

static void assert_accepted(const char *text, size_t len)
{
    char why[128];
    cJSON *doc = parse(text, len, why);
    if (!doc)
        print_error("rejected %.*s: %s\n", (int)len, text, why);
    assert_non_null(doc);
    cJSON_Delete(doc);
}

static void assert_rejected(const char *text, size_t len, const char *reason_part)
{
    char why[128];
    cJSON *doc = parse(text, len, why);
    if (doc)
        print_error("accepted %.*s\n", (int)len, text);
    assert_null(doc);
    assert_non_null(strstr(why, reason_part));
}

#define ACCEPT(lit) assert_accepted(lit, sizeof(lit) - 1)
#define REJECT(lit, why) assert_rejected(lit, sizeof(lit) - 1, why)

static void test_valid_documents(void **state)
{
    (void)state;
    ACCEPT("{}");
    ACCEPT(" {\"a\":1}\r\n\t ");
    ACCEPT("{\"QueueName\":\"q\",\"Attributes\":{\"DelaySeconds\":\"1\"}}");
    ACCEPT("[1,2,3]");
    ACCEPT("\"text\"");
    ACCEPT("{\"esc\":\"tab\\tnl\\ncr\\r\\u0001\\\\\\\"\"}");
    ACCEPT("{\"utf8\":\"\xc3\xb8\xc3\x9f\xe2\x82\xac\"}");
}

static void test_control_characters(void **state)
{
    (void)state;
    REJECT("{\"QueueName\":\"ok\0;../../x\"}", "U+0000");
    REJECT("{\"MessageBody\":\"hello\0world\"}", "U+0000");
    REJECT("{\"a\":\"x\x01y\"}", "U+0001");
    REJECT("{\"a\":\"x\x1fy\"}", "U+001F");
    REJECT("{\"a\":\"tab\tinside\"}", "U+0009");
    REJECT("{\"a\":\"new\nline\"}", "U+000A");
    REJECT("{\"a\":1}\0", "U+0000");
    REJECT("\x01{\"a\":1}", "U+0001");
    REJECT("{\"a\":\"\\\x01\"}", "U+0001"); /* an escape of a raw control byte */
}

static void test_trailing_content(void **state)
{
    (void)state;
    REJECT("{\"QueueName\":\"a\"} x", "after the JSON value");
    REJECT("{\"a\":1}{\"b\":2}", "after the JSON value");
    REJECT("{}]", "after the JSON value");
    REJECT("\xef\xbb\xbf{\"a\":1}", "byte-order mark");
}

static void test_malformed(void **state)
{
    (void)state;
    REJECT("", "malformed");
    REJECT("{", "malformed");
    REJECT("{\"a\":}", "malformed");
    REJECT("{\"a\" 1}", "malformed");
    REJECT("nul", "malformed");
    REJECT("{\"a\":\"unterminated}", "malformed");
}

static void test_numbers_follow_the_grammar(void **state)
{
    (void)state;
    ACCEPT("0");
    ACCEPT("-0");
    ACCEPT("10");
    ACCEPT("1.25");
    ACCEPT("-2.5e+3");
    ACCEPT("1E-7");
    ACCEPT("[1,2,-3]");
    ACCEPT("{\"a\":0}");
    ACCEPT("{\"01\":\"1.\"}"); /* in strings anything goes */
    REJECT("01", "malformed number");
    REJECT("{\"a\": 01}", "malformed number");
    REJECT("1.", "malformed number");
    REJECT("-.5", "malformed number");
    REJECT(".5", "");
    REJECT("1e", "malformed number");
    REJECT("1e+", "malformed number");
    REJECT("-", "malformed number");
    REJECT("[1.e3]", "malformed number");
    REJECT("--1", "malformed number");
}

static void test_length_is_respected(void **state)
{
    (void)state;
    /* Only len bytes are looked at: what follows in memory does not count. */
    const char text[] = "{\"a\":1} garbage";
    assert_accepted(text, 7);
    assert_rejected(text, 9, "after the JSON value");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_documents),
        cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_trailing_content),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_numbers_follow_the_grammar),
        cmocka_unit_test(test_length_is_respected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
