/* test_versions: unit tests for the pure rules of Lambda versions and aliases: version
 * numbers, an alias's RoutingConfig (AWS's weighted-alias limits), the weighted choice,
 * and that the random draw stays in [0, 1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "../../src/lambda/versions.h"

static cJSON *parse(const char *text)
{
    cJSON *json = cJSON_Parse(text);
    assert_non_null(json);
    return json;
}

static void test_version_numbers(void **state)
{
    (void)state;
    int64_t n = 0;
    assert_true(version_number_valid("1", &n));
    assert_int_equal(n, 1);
    assert_true(version_number_valid("4294967296", &n));
    assert_int_equal(n, 4294967296LL);
    const char *bad[] = {"", "0", "01", "1a", "-1", "$LATEST", "12345678901", " 1", NULL};
    for (int i = 0; bad[i]; i++)
        assert_false(version_number_valid(bad[i], NULL));
    assert_false(version_number_valid(NULL, NULL));
}

/* Routing that is valid or refused, with the error kind AWS gives. */
static void check_routing(const char *primary, const char *routing, lambda_err_kind expected)
{
    cJSON *doc = routing ? parse(routing) : NULL;
    lambda_error err = {0};
    bool ok = alias_routing_valid(primary, doc, &err);
    if (expected == LAMBDA_OK) {
        if (!ok)
            print_error("%s %s refused: %s\n", primary, routing, err.message);
        assert_true(ok);
    } else {
        assert_false(ok);
        assert_int_equal(err.kind, expected);
    }
    cJSON_Delete(doc);
}

static void test_routing_rules(void **state)
{
    (void)state;
    check_routing("1", NULL, LAMBDA_OK);
    check_routing("1", "{}", LAMBDA_OK);
    check_routing("$LATEST", "{\"AdditionalVersionWeights\": {}}", LAMBDA_OK);
    check_routing("1", "{\"AdditionalVersionWeights\": {\"2\": 0.0}}", LAMBDA_OK);
    check_routing("1", "{\"AdditionalVersionWeights\": {\"2\": 1.0}}", LAMBDA_OK);
    check_routing("1", "{\"AdditionalVersionWeights\": {\"2\": 0.3, \"3\": 0.1}}", LAMBDA_ERR_INVALID_PARAMETER);
    check_routing("1", "{\"AdditionalVersionWeights\": {\"1\": 0.5}}", LAMBDA_ERR_INVALID_PARAMETER);
    check_routing("$LATEST", "{\"AdditionalVersionWeights\": {\"1\": 0.5}}", LAMBDA_ERR_INVALID_PARAMETER);
    check_routing("1", "{\"AdditionalVersionWeights\": {\"2\": 1.01}}", LAMBDA_ERR_INVALID_PARAMETER);
    check_routing("1", "{\"AdditionalVersionWeights\": {\"2\": -0.1}}", LAMBDA_ERR_INVALID_PARAMETER);
    check_routing("1", "{\"AdditionalVersionWeights\": {\"2\": \"0.5\"}}", LAMBDA_ERR_INVALID_PARAMETER);
    check_routing("1", "{\"AdditionalVersionWeights\": {\"$LATEST\": 0.5}}", LAMBDA_ERR_INVALID_PARAMETER);
    check_routing("1", "{\"AdditionalVersionWeights\": [1]}", LAMBDA_ERR_INVALID_CONTENT);
    check_routing("1", "[]", LAMBDA_ERR_INVALID_CONTENT);
}

static void test_weighted_pick(void **state)
{
    (void)state;
    cJSON *alias = parse("{\"FunctionVersion\": \"1\", \"RoutingConfig\": {\"AdditionalVersionWeights\": {\"2\": 0.25}}}");
    assert_string_equal(alias_pick(alias, 0.0), "2");
    assert_string_equal(alias_pick(alias, 0.2499), "2");
    assert_string_equal(alias_pick(alias, 0.25), "1");
    assert_string_equal(alias_pick(alias, 0.999), "1");
    cJSON_Delete(alias);
    cJSON *never = parse("{\"FunctionVersion\": \"1\", \"RoutingConfig\": {\"AdditionalVersionWeights\": {\"2\": 0}}}");
    assert_string_equal(alias_pick(never, 0.0), "1");
    cJSON_Delete(never);
    cJSON *always = parse("{\"FunctionVersion\": \"1\", \"RoutingConfig\": {\"AdditionalVersionWeights\": {\"2\": 1}}}");
    assert_string_equal(alias_pick(always, 0.999999), "2");
    cJSON_Delete(always);
    cJSON *plain = parse("{\"FunctionVersion\": \"$LATEST\"}");
    assert_string_equal(alias_pick(plain, 0.1), "$LATEST");
    cJSON_Delete(plain);
}

static void test_draw_range_and_spread(void **state)
{
    (void)state;
    int low = 0;
    for (int i = 0; i < 2000; i++) {
        double d = qualifier_draw();
        assert_true(d >= 0.0 && d < 1.0);
        low += d < 0.5;
    }
    /* 2000 fair draws: outside 800..1200 below 0.5 is a chance far under 1e-15 */
    assert_in_range(low, 800, 1200);
}

static void test_json_clear_object(void **state)
{
    (void)state;
    cJSON *doc = parse("{\"a\": 1, \"b\": {\"c\": 2}}");
    json_clear_object(doc);
    assert_null(doc->child);
    cJSON_AddNumberToObject(doc, "d", 3);
    assert_int_equal(cJSON_GetArraySize(doc), 1);
    cJSON_Delete(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_numbers),
        cmocka_unit_test(test_routing_rules),
        cmocka_unit_test(test_weighted_pick),
        cmocka_unit_test(test_draw_range_and_spread),
        cmocka_unit_test(test_json_clear_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
