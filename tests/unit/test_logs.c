/* test_logs: CloudWatch Logs without HTTP: the filter-pattern matcher, UTF-8 repair of
 * handler output, the JSON 1.1 codec's type checks and error shape, and the service on an
 * in-memory store: logs_put and its flush, GetLogEvents' tokens in both directions,
 * FilterLogEvents' paging, DescribeLogStreams' orders, the caps (made small here so that
 * dropping the oldest events is seen without writing ten thousand), reset, and AWS's
 * validation messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/logs/pattern.h"
#include "sqsemu/buf.h"
#include "sqsemu/logs.h"
#include "sqsemu/logs_json.h"
#include "sqsemu/loop.h"
#include "sqsemu/store.h"
#include "sqsemu/utf8.h"

#define ACCOUNT "000000000000"
#define REGION "us-east-1"
#define GROUP "/aws/lambda/fn"
#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */

/* ------------------------------------------------------------------ patterns */

static bool matches(const char *pattern, const char *message)
{
    char why[256];
    logs_pattern *p = logs_pattern_parse(pattern, why, sizeof why);
    if (!p)
        fail_msg("pattern %s refused: %s", pattern, why);
    bool hit = logs_pattern_match(p, message, strlen(message));
    logs_pattern_free(p);
    return hit;
}

static void refused(const char *pattern, const char *why_contains)
{
    char why[256] = "";
    logs_pattern *p = logs_pattern_parse(pattern, why, sizeof why);
    assert_null(p);
    assert_non_null(strstr(why, why_contains));
}

static void test_pattern_terms(void **state)
{
    (void)state;
    assert_true(matches("", "anything"));
    assert_true(matches("   ", "anything"));
    assert_true(matches("ERROR", "an ERROR here"));
    assert_false(matches("ERROR", "an error here")); /* case-sensitive */
    assert_true(matches("ERROR Exception", "ERROR: NullPointer Exception"));
    assert_false(matches("ERROR Exception", "ERROR only"));
    assert_true(matches("\"Task timed out\"", "2026 Task timed out after 3.00 seconds"));
    assert_false(matches("\"Task timed out\"", "Task was timed out"));
    assert_true(matches("\"say \\\"hi\\\"\"", "they say \"hi\" twice"));
    assert_true(matches("\"\"", "an empty phrase matches all"));
}

static void test_pattern_any_and_exclusions(void **state)
{
    (void)state;
    assert_true(matches("?ERROR ?WARN", "WARN disk"));
    assert_true(matches("?ERROR ?WARN", "ERROR disk"));
    assert_false(matches("?ERROR ?WARN", "INFO disk"));
    assert_true(matches("disk ?ERROR ?WARN", "WARN disk"));
    assert_false(matches("disk ?ERROR ?WARN", "WARN network"));
    assert_true(matches("ERROR -Retrying", "ERROR giving up"));
    assert_false(matches("ERROR -Retrying", "ERROR Retrying in 1s"));
    assert_false(matches("-\"START RequestId\"", "START RequestId: 1"));
}

static void test_pattern_regex(void **state)
{
    (void)state;
    assert_true(matches("%[Ee]rror [0-9]+%", "got error 42"));
    assert_false(matches("%[Ee]rror [0-9]+%", "got error x"));
    assert_true(matches("%^START%", "START RequestId"));
    assert_false(matches("%^START%", "not START"));
    refused("%a(b)%", "()");
    refused("%abc", "%expression%");
}

/* glibc's regcomp copies an atom for every repetition: a{255}{255}{255} held the server
 * for minutes and a{32767}{32767} exhausted its memory. */
static void test_pattern_regex_size(void **state)
{
    (void)state;
    assert_true(matches("%[0-9a-f]{8}-[0-9a-f]{4}%", "id 0123abcd-ef01 here"));
    char letters[256];
    memset(letters, 'a', 255);
    letters[255] = '\0';
    assert_true(matches("%[[:alpha:]]{255}%", letters));
    assert_true(matches("%a{2,3}b% %c{1,}%", "aab c"));
    refused("%a{255}{255}{255}%", "repeats too much");
    refused("%a{32767}{32767}%", "repeats too much");
    refused("%.{1,32767}%", "repeats too much");
    refused("%a{200}b{100}%", "repeats too much");
    refused("%a% %b% %c%", "at most 2 regular expressions");
}

static void test_pattern_refusals(void **state)
{
    (void)state;
    refused("{ $.level = \"ERROR\" }", "JSON");
    refused("[ip, user, ...]", "space-delimited");
    refused("\"not closed", "not closed");
}

/* ------------------------------------------------------------------ utf8 */

static void test_utf8_repair(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    assert_int_equal(utf8_append_repaired(&b, "plain", 5, 100), 5);
    assert_string_equal(b.data, "plain");
    buf_reset(&b);
    assert_int_equal(utf8_append_repaired(&b, "a\xff" "b\xc3", 4, 100), 8);
    assert_string_equal(b.data, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
    buf_reset(&b);
    /* é is two bytes: a cut never splits it. */
    assert_int_equal(utf8_append_repaired(&b, "ab\xc3\xa9", 4, 3), 2);
    assert_string_equal(b.data, "ab");
    buf_reset(&b);
    assert_int_equal(utf8_append_repaired(&b, "abcdefghijkl", 12, 10), 10);
    assert_string_equal(b.data, "abcdefghij");
    buf_free(&b);
}

/* ------------------------------------------------------------------ codec */

static void decode_fails(const char *action, const char *body, logs_err_kind kind, const char *text)
{
    logs_error err = {0};
    cJSON *in = logs_json_decode(action, body, strlen(body), &err);
    assert_null(in);
    assert_int_equal(err.kind, kind);
    if (text)
        assert_string_equal(err.message, text);
}

static void test_codec_types(void **state)
{
    (void)state;
    decode_fails("GetLogEvents", "{\"limit\": \"10\"}", LOGS_ERR_SERIALIZATION,
                 "STRING_VALUE can not be converted to an Integer");
    decode_fails("GetLogEvents", "{\"logStreamName\": 5}", LOGS_ERR_SERIALIZATION,
                 "NUMBER_VALUE can not be converted to a String");
    decode_fails("GetLogEvents", "{\"startFromHead\": \"yes\"}", LOGS_ERR_SERIALIZATION, NULL);
    decode_fails("GetLogEvents", "{\"limit\": 1.5}", LOGS_ERR_SERIALIZATION, NULL);
    decode_fails("FilterLogEvents", "{\"logStreamNames\": \"s\"}", LOGS_ERR_SERIALIZATION, NULL);
    decode_fails("FilterLogEvents", "{\"logStreamNames\": [1]}", LOGS_ERR_SERIALIZATION, NULL);
    decode_fails("FilterLogEvents", "[]", LOGS_ERR_SERIALIZATION, NULL);
    decode_fails("FilterLogEvents", "{\"a\":1} x", LOGS_ERR_SERIALIZATION, NULL);
    decode_fails("PutLogEvents", "{}", LOGS_ERR_UNKNOWN_OPERATION, NULL);
    logs_error err = {0};
    const char *lenient = "{\"limit\": null, \"other\": [1]}"; /* null is absent; unknown members are ignored */
    cJSON *in = logs_json_decode("GetLogEvents", lenient, strlen(lenient), &err);
    assert_non_null(in);
    cJSON_Delete(in);
    assert_string_equal(logs_json_action("Logs_20140328.GetLogEvents"), "GetLogEvents");
    assert_null(logs_json_action("AmazonSQS.SendMessage"));
}

static void test_codec_error_shape(void **state)
{
    (void)state;
    logs_error err = {0};
    logs_fail(&err, LOGS_ERR_RESOURCE_NOT_FOUND, "The specified log group does not exist.");
    wire_response w;
    wire_response_init(&w);
    logs_json_encode_error(&err, &w);
    assert_int_equal(w.status, 400);
    assert_string_equal(w.content_type, "application/x-amz-json-1.1");
    assert_string_equal(w.body, "{\"__type\":\"ResourceNotFoundException\",\"message\":\"The specified log group does "
                                "not exist.\"}");
    wire_response_free(&w);
}

/* ------------------------------------------------------------------ the service */

static logs_error last_error;

static int setup(void **state)
{
    (void)state;
    if (!loop_init() || !store_open(NULL))
        return -1;
    logs_set_limits(NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    logs_service_stop();
    logs_set_limits(NULL);
    store_close();
    loop_free();
    return 0;
}

/* Runs an action with a JSON input; NULL on an error (left in last_error). */
static cJSON *call(const char *action, const char *input)
{
    logs_ctx ctx = {ACCOUNT, REGION, T0};
    cJSON *in = cJSON_Parse(input);
    assert_non_null(in);
    cJSON *out = NULL;
    memset(&last_error, 0, sizeof last_error);
    bool ok = logs_service_call(&ctx, action, in, &out, &last_error);
    cJSON_Delete(in);
    return ok ? out : NULL;
}

static cJSON *call_fmt(const char *action, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static cJSON *call_fmt(const char *action, const char *fmt, ...)
{
    char input[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(input, sizeof input, fmt, ap);
    va_end(ap);
    return call(action, input);
}

static void put_lines(const char *stream, int count, int64_t t, const char *prefix)
{
    for (int i = 0; i < count; i++) {
        char line[64];
        snprintf(line, sizeof line, "%s %d", prefix, i);
        logs_put(ACCOUNT, REGION, GROUP, stream, t + i, line);
    }
}

static const char *message_at(const cJSON *out, int index)
{
    const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(out, "events"), index);
    return e ? cJSON_GetObjectItem(e, "message")->valuestring : NULL;
}

static int event_count(const cJSON *out)
{
    return cJSON_GetArraySize(cJSON_GetObjectItem(out, "events"));
}

static const char *member(const cJSON *out, const char *name)
{
    const cJSON *m = cJSON_GetObjectItem(out, name);
    return m ? m->valuestring : NULL;
}

static void test_get_log_events_tokens(void **state)
{
    (void)state;
    put_lines("s1", 5, T0, "line");
    /* Default: the newest events, in time order. */
    cJSON *tail = call("GetLogEvents", "{\"logGroupName\":\"" GROUP "\",\"logStreamName\":\"s1\",\"limit\":2}");
    assert_non_null(tail);
    assert_int_equal(event_count(tail), 2);
    assert_string_equal(message_at(tail, 0), "line 3");
    assert_string_equal(message_at(tail, 1), "line 4");
    /* Backward from there: the two before. */
    cJSON *back = call_fmt("GetLogEvents", "{\"logGroupName\":\"" GROUP "\",\"logStreamName\":\"s1\",\"limit\":2,"
                           "\"nextToken\":\"%s\"}", member(tail, "nextBackwardToken"));
    assert_string_equal(message_at(back, 0), "line 1");
    assert_string_equal(message_at(back, 1), "line 2");
    /* Forward from the tail: nothing new, and the same token back. */
    const char *forward = member(tail, "nextForwardToken");
    cJSON *none = call_fmt("GetLogEvents", "{\"logGroupName\":\"" GROUP "\",\"logStreamName\":\"s1\","
                           "\"nextToken\":\"%s\",\"startFromHead\":true}", forward);
    assert_int_equal(event_count(none), 0);
    assert_string_equal(member(none, "nextForwardToken"), forward);
    /* A new line shows up on the same token. */
    logs_put(ACCOUNT, REGION, GROUP, "s1", T0 + 100, "later");
    cJSON *later = call_fmt("GetLogEvents", "{\"logGroupName\":\"" GROUP "\",\"logStreamName\":\"s1\","
                            "\"nextToken\":\"%s\",\"startFromHead\":true}", forward);
    assert_int_equal(event_count(later), 1);
    assert_string_equal(message_at(later, 0), "later");
    assert_string_not_equal(member(later, "nextForwardToken"), forward);
    cJSON_Delete(tail);
    cJSON_Delete(back);
    cJSON_Delete(none);
    cJSON_Delete(later);
}

static void test_get_log_events_from_head_and_time_range(void **state)
{
    (void)state;
    put_lines("s1", 10, T0, "e");
    cJSON *head = call("GetLogEvents", "{\"logGroupName\":\"" GROUP "\",\"logStreamName\":\"s1\",\"startFromHead\":"
                       "true,\"limit\":3}");
    assert_string_equal(message_at(head, 0), "e 0");
    assert_int_equal(event_count(head), 3);
    /* endTime is exclusive, startTime inclusive. */
    cJSON *range = call_fmt("GetLogEvents", "{\"logGroupName\":\"" GROUP "\",\"logStreamName\":\"s1\","
                            "\"startFromHead\":true,\"startTime\":%lld,\"endTime\":%lld}", T0 + 2, T0 + 5);
    assert_int_equal(event_count(range), 3);
    assert_string_equal(message_at(range, 0), "e 2");
    assert_string_equal(message_at(range, 2), "e 4");
    /* Reading forward page by page sees every event once, then the token repeats. */
    cJSON *page = call("GetLogEvents", "{\"logGroupName\":\"" GROUP "\",\"logStreamName\":\"s1\",\"startFromHead\":"
                       "true,\"limit\":4}");
    int seen = event_count(page);
    for (int round = 0; round < 5; round++) {
        char token[128];
        snprintf(token, sizeof token, "%s", member(page, "nextForwardToken"));
        cJSON_Delete(page);
        page = call_fmt("GetLogEvents", "{\"logGroupName\":\"" GROUP "\",\"logStreamName\":\"s1\",\"limit\":4,"
                        "\"nextToken\":\"%s\"}", token);
        seen += event_count(page);
        if (strcmp(member(page, "nextForwardToken"), token) == 0)
            break;
    }
    assert_int_equal(seen, 10);
    cJSON_Delete(page);
    cJSON_Delete(head);
    cJSON_Delete(range);
}

static void test_filter_log_events(void **state)
{
    (void)state;
    put_lines("a", 3, T0, "ERROR a");
    put_lines("b", 3, T0, "INFO b");
    cJSON *all = call("FilterLogEvents", "{\"logGroupName\":\"" GROUP "\"}");
    assert_int_equal(event_count(all), 6);
    assert_null(cJSON_GetObjectItem(all, "nextToken"));
    /* Interleaved by timestamp across streams. */
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(all, "events"), 0);
    const cJSON *second = cJSON_GetArrayItem(cJSON_GetObjectItem(all, "events"), 1);
    assert_true(cJSON_GetObjectItem(first, "timestamp")->valuedouble ==
                cJSON_GetObjectItem(second, "timestamp")->valuedouble);
    cJSON *errors = call("FilterLogEvents", "{\"logGroupName\":\"" GROUP "\",\"filterPattern\":\"ERROR\"}");
    assert_int_equal(event_count(errors), 3);
    cJSON *named = call("FilterLogEvents", "{\"logGroupName\":\"" GROUP "\",\"logStreamNames\":[\"b\"]}");
    assert_int_equal(event_count(named), 3);
    /* Paging with limit: every event once. */
    cJSON *page = call("FilterLogEvents", "{\"logGroupName\":\"" GROUP "\",\"limit\":4}");
    assert_int_equal(event_count(page), 4);
    cJSON *rest = call_fmt("FilterLogEvents", "{\"logGroupName\":\"" GROUP "\",\"limit\":4,\"nextToken\":\"%s\"}",
                           member(page, "nextToken"));
    assert_int_equal(event_count(rest), 2);
    assert_null(cJSON_GetObjectItem(rest, "nextToken"));
    assert_null(call("FilterLogEvents", "{\"logGroupName\":\"" GROUP "\",\"logStreamNames\":[\"a\"],"
                     "\"logStreamNamePrefix\":\"a\"}"));
    assert_int_equal(last_error.kind, LOGS_ERR_INVALID_PARAMETER);
    assert_null(call("FilterLogEvents", "{\"logGroupName\":\"" GROUP "\",\"filterPattern\":\"{ $.a = 1 }\"}"));
    assert_int_equal(last_error.kind, LOGS_ERR_INVALID_PARAMETER);
    cJSON_Delete(all);
    cJSON_Delete(errors);
    cJSON_Delete(named);
    cJSON_Delete(page);
    cJSON_Delete(rest);
}

static void test_describe_streams_orders(void **state)
{
    (void)state;
    put_lines("b", 1, T0 + 10, "x");
    put_lines("a", 1, T0 + 20, "x");
    put_lines("c", 1, T0 + 5, "x");
    cJSON *by_name = call("DescribeLogStreams", "{\"logGroupName\":\"" GROUP "\",\"limit\":2}");
    const cJSON *list = cJSON_GetObjectItem(by_name, "logStreams");
    assert_int_equal(cJSON_GetArraySize(list), 2);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "logStreamName")->valuestring, "a");
    cJSON *next = call_fmt("DescribeLogStreams", "{\"logGroupName\":\"" GROUP "\",\"limit\":2,\"nextToken\":\"%s\"}",
                           member(by_name, "nextToken"));
    list = cJSON_GetObjectItem(next, "logStreams");
    assert_int_equal(cJSON_GetArraySize(list), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "logStreamName")->valuestring, "c");
    assert_null(cJSON_GetObjectItem(next, "nextToken"));
    cJSON *by_time = call("DescribeLogStreams", "{\"logGroupName\":\"" GROUP "\",\"orderBy\":\"LastEventTime\","
                          "\"descending\":true}");
    list = cJSON_GetObjectItem(by_time, "logStreams");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "logStreamName")->valuestring, "a");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 2), "logStreamName")->valuestring, "c");
    assert_null(call("DescribeLogStreams", "{\"logGroupName\":\"" GROUP "\",\"orderBy\":\"LastEventTime\","
                     "\"logStreamNamePrefix\":\"a\"}"));
    assert_string_equal(last_error.message, "Cannot order by LastEventTime with a logStreamNamePrefix.");
    cJSON_Delete(by_name);
    cJSON_Delete(next);
    cJSON_Delete(by_time);
}

static void test_group_cap_drops_oldest(void **state)
{
    (void)state;
    logs_set_limits(&(logs_limits){.group_events = 5});
    put_lines("s1", 3, T0, "old");
    assert_true(logs_flush());
    put_lines("s2", 4, T0 + 10, "new");
    cJSON *all = call("FilterLogEvents", "{\"logGroupName\":\"" GROUP "\"}");
    assert_int_equal(event_count(all), 5);
    assert_string_equal(message_at(all, 0), "old 2");
    assert_string_equal(message_at(all, 4), "new 3");
    cJSON *groups = call("DescribeLogGroups", "{}");
    const cJSON *g = cJSON_GetArrayItem(cJSON_GetObjectItem(groups, "logGroups"), 0);
    assert_int_equal((int)cJSON_GetObjectItem(g, "storedBytes")->valuedouble, 5 * 5);
    /* A stream whose events all went is gone too. */
    put_lines("s3", 5, T0 + 20, "last");
    cJSON *streams = call("DescribeLogStreams", "{\"logGroupName\":\"" GROUP "\"}");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(streams, "logStreams")), 1);
    cJSON_Delete(all);
    cJSON_Delete(groups);
    cJSON_Delete(streams);
}

static void test_total_cap_drops_earliest_written(void **state)
{
    (void)state;
    logs_set_limits(&(logs_limits){.total_events = 4});
    logs_put(ACCOUNT, REGION, "/aws/lambda/one", "s", T0, "first");
    logs_put(ACCOUNT, REGION, "/aws/lambda/one", "s", T0 + 1, "second");
    assert_true(logs_flush());
    put_lines("s", 3, T0 + 2, "other");
    cJSON *one = call("FilterLogEvents", "{\"logGroupName\":\"/aws/lambda/one\"}");
    assert_int_equal(event_count(one), 1);
    assert_string_equal(message_at(one, 0), "second");
    put_lines("t", 4, T0 + 5, "more");
    assert_null(call("FilterLogEvents", "{\"logGroupName\":\"/aws/lambda/one\"}"));
    assert_int_equal(last_error.kind, LOGS_ERR_RESOURCE_NOT_FOUND); /* emptied groups go */
    cJSON_Delete(one);
}

static void test_reset(void **state)
{
    (void)state;
    put_lines("s", 2, T0, "x");
    logs_put(ACCOUNT, REGION, "/aws/lambda/keep", "s", T0, "kept");
    assert_true(logs_flush());
    put_lines("s", 2, T0 + 5, "buffered");
    logs_reset(ACCOUNT, REGION, GROUP);
    assert_null(call("DescribeLogStreams", "{\"logGroupName\":\"" GROUP "\"}"));
    assert_string_equal(last_error.message, "The specified log group does not exist.");
    cJSON *keep = call("FilterLogEvents", "{\"logGroupName\":\"/aws/lambda/keep\"}");
    assert_int_equal(event_count(keep), 1);
    logs_reset_all();
    assert_null(call("FilterLogEvents", "{\"logGroupName\":\"/aws/lambda/keep\"}"));
    cJSON_Delete(keep);
}

static void test_validation_messages(void **state)
{
    (void)state;
    assert_null(call("GetLogEvents", "{\"logGroupName\":\"\",\"limit\":0}"));
    assert_int_equal(last_error.kind, LOGS_ERR_INVALID_PARAMETER);
    assert_string_equal(last_error.message,
                        "4 validation errors detected: Value '' at 'logGroupName' failed to satisfy constraint: Member "
                        "must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; Value '' at 'logGroupName' "
                        "failed to satisfy constraint: Member must have length greater than or equal to 1; Value null "
                        "at 'logStreamName' failed to satisfy constraint: Member must not be null; Value '0' at "
                        "'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
    assert_null(call("DescribeLogGroups", "{\"limit\":51}"));
    assert_string_equal(last_error.message, "1 validation error detected: Value '51' at 'limit' failed to satisfy "
                                            "constraint: Member must have value less than or equal to 50");
    assert_null(call("DescribeLogStreams", "{\"logGroupName\":\"/nope\"}"));
    assert_int_equal(last_error.kind, LOGS_ERR_RESOURCE_NOT_FOUND);
    put_lines("s", 1, T0, "x");
    assert_null(call("GetLogEvents", "{\"logGroupName\":\"" GROUP "\",\"logStreamName\":\"nope\"}"));
    assert_string_equal(last_error.message, "The specified log stream does not exist.");
    assert_null(call("GetLogEvents", "{\"logGroupName\":\"" GROUP "\",\"logStreamName\":\"s\",\"nextToken\":\"x\"}"));
    assert_string_equal(last_error.message, "The specified nextToken is invalid.");
    assert_null(call("DescribeLogStreams", "{}"));
    assert_int_equal(last_error.kind, LOGS_ERR_INVALID_PARAMETER);
    assert_null(call("PutLogEvents", "{}"));
    assert_int_equal(last_error.kind, LOGS_ERR_UNKNOWN_OPERATION);
    /* The group by ARN; AWS's pattern for an identifier has no '*', so not with ":*". */
    cJSON *by_arn = call("DescribeLogStreams", "{\"logGroupIdentifier\":\"arn:aws:logs:" REGION ":" ACCOUNT
                         ":log-group:" GROUP "\"}");
    assert_non_null(by_arn);
    cJSON_Delete(by_arn);
    assert_null(call("DescribeLogStreams", "{\"logGroupIdentifier\":\"arn:aws:logs:" REGION ":" ACCOUNT
                     ":log-group:" GROUP ":*\"}"));
    assert_int_equal(last_error.kind, LOGS_ERR_INVALID_PARAMETER);
    assert_null(call("DescribeLogStreams", "{\"logGroupIdentifier\":\"arn:aws:logs:" REGION ":111122223333"
                     ":log-group:" GROUP "\"}"));
    assert_int_equal(last_error.kind, LOGS_ERR_RESOURCE_NOT_FOUND); /* another account's: not here */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern_terms),
        cmocka_unit_test(test_pattern_any_and_exclusions),
        cmocka_unit_test(test_pattern_regex),
        cmocka_unit_test(test_pattern_regex_size),
        cmocka_unit_test(test_pattern_refusals),
        cmocka_unit_test(test_utf8_repair),
        cmocka_unit_test(test_codec_types),
        cmocka_unit_test(test_codec_error_shape),
        cmocka_unit_test_setup_teardown(test_get_log_events_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_log_events_from_head_and_time_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter_log_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_describe_streams_orders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_cap_drops_oldest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_total_cap_drops_earliest_written, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation_messages, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
