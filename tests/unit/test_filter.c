/* test_filter: unit tests for lambda/filter (FilterCriteria patterns; docs/lambda-semantics.md,
 * Filters): operators, AND/OR, nesting, arrays in records, the SQS body rules and pattern
 * validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "../../src/lambda/filter.h"

/* ------------------------------------------------------------------ helpers */

static event_filter *parse_ok(const char *pattern)
{
    event_filter *f = filter_parse(pattern);
    if (!f)
        print_error("pattern unexpectedly rejected: %s\n", pattern);
    assert_non_null(f);
    return f;
}

static void assert_invalid(const char *pattern)
{
    event_filter *f = filter_parse(pattern);
    if (f)
        print_error("pattern unexpectedly accepted: %s\n", pattern ? pattern : "(NULL)");
    assert_null(f);
}

/* An SQS record as delivered to handlers, with the given body. */
static cJSON *sqs_record(const char *body)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "messageId", "059f36b4-87a3-44ab-83d2-661975830a7d");
    cJSON_AddStringToObject(r, "receiptHandle", "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a");
    cJSON_AddStringToObject(r, "body", body);
    cJSON *attrs = cJSON_AddObjectToObject(r, "attributes");
    cJSON_AddStringToObject(attrs, "ApproximateReceiveCount", "1");
    cJSON_AddStringToObject(attrs, "SentTimestamp", "1545082649183");
    cJSON_AddStringToObject(attrs, "SenderId", "AIDAIENQZJOLO23YVJ4VO");
    cJSON *mattrs = cJSON_AddObjectToObject(r, "messageAttributes");
    cJSON *color = cJSON_AddObjectToObject(mattrs, "color");
    cJSON_AddStringToObject(color, "stringValue", "red");
    cJSON_AddStringToObject(color, "dataType", "String");
    cJSON_AddStringToObject(r, "md5OfBody", "e4e68fb7bd0e697a0ae8f1bb342846b3");
    cJSON_AddStringToObject(r, "eventSource", "aws:sqs");
    return r;
}

/* Does pattern match an SQS record whose body is body? */
static bool body_match(const char *pattern, const char *body)
{
    event_filter *f = parse_ok(pattern);
    cJSON *r = sqs_record(body);
    bool m = filter_matches(f, r);
    cJSON_Delete(r);
    filter_free(f);
    return m;
}

/* Does pattern match the record given as JSON text (parsed by cJSON)? */
static bool record_match(const char *pattern, const char *record_json)
{
    event_filter *f = parse_ok(pattern);
    cJSON *r = cJSON_Parse(record_json);
    assert_non_null(r);
    bool m = filter_matches(f, r);
    cJSON_Delete(r);
    filter_free(f);
    return m;
}

#define YES(pattern, body) assert_true(body_match(pattern, body))
#define NO(pattern, body) assert_false(body_match(pattern, body))

/* ------------------------------------------------------------------ equality, AND, OR */

static void test_string_equals(void **state)
{
    (void)state;
    YES("{\"body\": {\"status\": [\"NEW\"]}}", "{\"status\": \"NEW\"}");
    NO("{\"body\": {\"status\": [\"NEW\"]}}", "{\"status\": \"new\"}");   /* case-sensitive */
    NO("{\"body\": {\"status\": [\"NEW\"]}}", "{\"status\": \"NEWER\"}"); /* exact */
    NO("{\"body\": {\"status\": [\"NEW\"]}}", "{\"state\": \"NEW\"}");   /* absent field */
    YES("{\"body\": {\"s\": [\"caf\\u00e9 \\ud83d\\ude00\"]}}", "{\"s\": \"caf\xc3\xa9 \xf0\x9f\x98\x80\"}");
    YES("{\"body\": {\"s\": [\"caf\xc3\xa9\"]}}", "{\"s\": \"caf\\u00e9\"}");
    YES("{\"body\": {\"q\": [\"a\\\"b\\\\c\\n\"]}}", "{\"q\": \"a\\\"b\\\\c\\n\"}");
}

static void test_or_list(void **state)
{
    (void)state;
    const char *p = "{\"body\": {\"status\": [\"NEW\", \"PAID\"]}}";
    YES(p, "{\"status\": \"NEW\"}");
    YES(p, "{\"status\": \"PAID\"}");
    NO(p, "{\"status\": \"SHIPPED\"}");
    /* mixed element kinds in one leaf */
    const char *q = "{\"body\": {\"v\": [\"x\", 5, true, null, {\"prefix\": \"pre\"}]}}";
    YES(q, "{\"v\": \"x\"}");
    YES(q, "{\"v\": 5}");
    YES(q, "{\"v\": true}");
    YES(q, "{\"v\": null}");
    YES(q, "{\"v\": \"prefixed\"}");
    NO(q, "{\"v\": false}");
    NO(q, "{\"v\": \"y\"}");
}

static void test_and_keys(void **state)
{
    (void)state;
    const char *p = "{\"body\": {\"status\": [\"NEW\"], \"type\": [\"order\"]}}";
    YES(p, "{\"status\": \"NEW\", \"type\": \"order\", \"extra\": 1}");
    NO(p, "{\"status\": \"NEW\", \"type\": \"refund\"}");
    NO(p, "{\"status\": \"NEW\"}");
    /* AND across body and metadata */
    const char *q = "{\"body\": {\"status\": [\"NEW\"]}, \"attributes\": {\"ApproximateReceiveCount\": [\"1\"]}}";
    YES(q, "{\"status\": \"NEW\"}");
    const char *r = "{\"body\": {\"status\": [\"NEW\"]}, \"attributes\": {\"ApproximateReceiveCount\": [\"2\"]}}";
    NO(r, "{\"status\": \"NEW\"}");
}

static void test_nesting(void **state)
{
    (void)state;
    const char *p = "{\"body\": {\"order\": {\"customer\": {\"tier\": [\"gold\"]}, \"status\": [\"NEW\"]}}}";
    YES(p, "{\"order\": {\"customer\": {\"tier\": \"gold\", \"id\": 7}, \"status\": \"NEW\"}}");
    NO(p, "{\"order\": {\"customer\": {\"tier\": \"silver\"}, \"status\": \"NEW\"}}");
    NO(p, "{\"order\": {\"status\": \"NEW\"}}");
    NO(p, "{\"order\": \"gold\"}");
    /* metadata keys of the record itself */
    YES("{\"messageAttributes\": {\"color\": {\"stringValue\": [\"red\"]}}}", "plain");
    NO("{\"messageAttributes\": {\"color\": {\"stringValue\": [\"blue\"]}}}", "plain");
    YES("{\"attributes\": {\"SenderId\": [{\"prefix\": \"AIDA\"}]}}", "{}");
    YES("{\"messageId\": [\"059f36b4-87a3-44ab-83d2-661975830a7d\"]}", "x");
    /* eventSource, eventSourceARN and awsRegion are added after filtering: absent */
    NO("{\"eventSource\": [\"aws:sqs\"]}", "x");
    YES("{\"eventSource\": [{\"exists\": false}]}", "x");
    assert_false(record_match("{\"awsRegion\": [\"us-east-1\"]}", "{\"awsRegion\": \"us-east-1\"}"));
    assert_false(record_match("{\"eventSourceARN\": [{\"prefix\": \"arn:\"}]}", "{\"eventSourceARN\": \"arn:x\"}"));
}

static void test_duplicate_key_last_wins(void **state)
{
    (void)state;
    const char *p = "{\"body\": {\"a\": [\"x\"], \"a\": [\"y\"]}}";
    YES(p, "{\"a\": \"y\"}");
    NO(p, "{\"a\": \"x\"}");
}

/* ------------------------------------------------------------------ value kinds */

static void test_numbers_by_text(void **state)
{
    (void)state;
    YES("{\"body\": {\"n\": [300]}}", "{\"n\": 300}");
    NO("{\"body\": {\"n\": [300]}}", "{\"n\": 300.0}");
    NO("{\"body\": {\"n\": [300]}}", "{\"n\": 3.0e2}");
    NO("{\"body\": {\"n\": [300.0]}}", "{\"n\": 300}");
    YES("{\"body\": {\"n\": [3.0e2]}}", "{\"n\": 3.0e2}");
    NO("{\"body\": {\"n\": [300]}}", "{\"n\": \"300\"}"); /* a string is not a number */
    NO("{\"body\": {\"n\": [\"300\"]}}", "{\"n\": 300}");
    YES("{\"body\": {\"n\": [-1.5]}}", "{\"n\": -1.5}");
    /* numbers of a cJSON record (no literal text: compared in their shortest form) */
    assert_true(record_match("{\"x\": [5]}", "{\"x\": 5}"));
    assert_true(record_match("{\"x\": [0.25]}", "{\"x\": 0.25}"));
    assert_false(record_match("{\"x\": [5]}", "{\"x\": 6}"));
}

static void test_booleans_null_empty(void **state)
{
    (void)state;
    YES("{\"body\": {\"ok\": [true]}}", "{\"ok\": true}");
    NO("{\"body\": {\"ok\": [true]}}", "{\"ok\": false}");
    NO("{\"body\": {\"ok\": [true]}}", "{\"ok\": \"true\"}");
    YES("{\"body\": {\"ok\": [false]}}", "{\"ok\": false}");
    /* null: present and JSON null */
    YES("{\"body\": {\"userId\": [null]}}", "{\"userId\": null}");
    NO("{\"body\": {\"userId\": [null]}}", "{}");
    NO("{\"body\": {\"userId\": [null]}}", "{\"userId\": \"null\"}");
    NO("{\"body\": {\"userId\": [null]}}", "{\"userId\": \"\"}");
    /* empty string */
    YES("{\"body\": {\"lastName\": [\"\"]}}", "{\"lastName\": \"\"}");
    NO("{\"body\": {\"lastName\": [\"\"]}}", "{\"lastName\": null}");
    NO("{\"body\": {\"lastName\": [\"\"]}}", "{}");
}

/* ------------------------------------------------------------------ operators */

static void test_anything_but(void **state)
{
    (void)state;
    const char *p = "{\"body\": {\"weather\": [{\"anything-but\": [\"Raining\", \"Snowing\"]}]}}";
    YES(p, "{\"weather\": \"Sunny\"}");
    NO(p, "{\"weather\": \"Raining\"}");
    NO(p, "{\"weather\": \"Snowing\"}");
    YES(p, "{\"weather\": \"raining\"}");
    NO(p, "{}"); /* the field must exist */
    YES(p, "{\"weather\": 5}");
    /* single string */
    YES("{\"body\": {\"w\": [{\"anything-but\": \"Raining\"}]}}", "{\"w\": \"Sunny\"}");
    NO("{\"body\": {\"w\": [{\"anything-but\": \"Raining\"}]}}", "{\"w\": \"Raining\"}");
    /* numbers (compared by value) */
    YES("{\"body\": {\"n\": [{\"anything-but\": 100}]}}", "{\"n\": 101}");
    NO("{\"body\": {\"n\": [{\"anything-but\": 100}]}}", "{\"n\": 100}");
    NO("{\"body\": {\"n\": [{\"anything-but\": [100, 200]}]}}", "{\"n\": 200.0}");
    YES("{\"body\": {\"n\": [{\"anything-but\": [100, 200]}]}}", "{\"n\": 150}");
    YES("{\"body\": {\"n\": [{\"anything-but\": [100]}]}}", "{\"n\": \"100\"}");
    /* array fields: any element that is not excluded */
    YES(p, "{\"weather\": [\"Raining\", \"Sunny\"]}");
    NO(p, "{\"weather\": [\"Raining\", \"Snowing\"]}");
}

static void test_numeric(void **state)
{
    (void)state;
    YES("{\"body\": {\"price\": [{\"numeric\": [\"=\", 100]}]}}", "{\"price\": 100}");
    YES("{\"body\": {\"price\": [{\"numeric\": [\"=\", 100]}]}}", "{\"price\": 100.0}");
    YES("{\"body\": {\"price\": [{\"numeric\": [\"=\", 100]}]}}", "{\"price\": 1e2}");
    NO("{\"body\": {\"price\": [{\"numeric\": [\"=\", 100]}]}}", "{\"price\": 100.5}");
    YES("{\"body\": {\"p\": [{\"numeric\": [\">\", 10]}]}}", "{\"p\": 10.01}");
    NO("{\"body\": {\"p\": [{\"numeric\": [\">\", 10]}]}}", "{\"p\": 10}");
    YES("{\"body\": {\"p\": [{\"numeric\": [\">=\", 10]}]}}", "{\"p\": 10}");
    YES("{\"body\": {\"p\": [{\"numeric\": [\"<\", 0]}]}}", "{\"p\": -3}");
    NO("{\"body\": {\"p\": [{\"numeric\": [\"<\", 0]}]}}", "{\"p\": 0}");
    YES("{\"body\": {\"p\": [{\"numeric\": [\"<=\", 0]}]}}", "{\"p\": 0}");
    /* the verified range: [">=",100,"<",200] matched 100 and not 200 */
    const char *r = "{\"body\": {\"price\": [{\"numeric\": [\">=\", 100, \"<\", 200]}]}}";
    YES(r, "{\"price\": 100}");
    YES(r, "{\"price\": 199.99}");
    NO(r, "{\"price\": 200}");
    NO(r, "{\"price\": 99}");
    const char *r2 = "{\"body\": {\"price\": [{\"numeric\": [\">\", 10, \"<=\", 20]}]}}";
    NO(r2, "{\"price\": 10}");
    YES(r2, "{\"price\": 20}");
    NO(r2, "{\"price\": 20.5}");
    /* only JSON numbers count */
    NO(r, "{\"price\": \"150\"}");
    NO(r, "{\"price\": null}");
    NO(r, "{}");
    /* array field */
    YES(r, "{\"price\": [5, 150]}");
    /* numeric on the raw (non-JSON) body never matches: it is a string */
    NO("{\"body\": [{\"numeric\": [\">\", 1]}]}", "150");
    /* a cJSON record number */
    assert_true(record_match("{\"n\": [{\"numeric\": [\">\", 1]}]}", "{\"n\": 2}"));
}

static void test_exists(void **state)
{
    (void)state;
    const char *t = "{\"body\": {\"productName\": [{\"exists\": true}]}}";
    const char *f = "{\"body\": {\"productName\": [{\"exists\": false}]}}";
    YES(t, "{\"productName\": \"x\"}");
    YES(t, "{\"productName\": null}");
    YES(t, "{\"productName\": 0}");
    NO(t, "{\"other\": 1}");
    NO(f, "{\"productName\": \"x\"}");
    YES(f, "{\"other\": 1}");
    YES(f, "{}");
    YES(f, "{\"productName\": []}"); /* an empty array holds no value */
    /* exists only looks at leaf values: an object is not one */
    NO(t, "{\"productName\": {\"a\": 1}}");
    /* absent parents */
    YES("{\"body\": {\"a\": {\"b\": [{\"exists\": false}]}}}", "{}");
    YES("{\"body\": {\"a\": {\"b\": [{\"exists\": false}]}}}", "{\"a\": 5}");
    NO("{\"body\": {\"a\": {\"b\": [{\"exists\": true}]}}}", "{\"a\": 5}");
    /* combined with another condition (OR) and another key (AND) */
    const char *o = "{\"body\": {\"s\": [\"x\", {\"exists\": false}], \"k\": [1]}}";
    YES(o, "{\"k\": 1}");
    YES(o, "{\"s\": \"x\", \"k\": 1}");
    NO(o, "{\"s\": \"y\", \"k\": 1}");
    NO(o, "{\"k\": 2}");
    /* exists false on a JSON pattern still needs a JSON body */
    NO(f, "not json");
    /* record metadata */
    YES("{\"attributes\": {\"MessageGroupId\": [{\"exists\": false}]}}", "x");
    YES("{\"attributes\": {\"SenderId\": [{\"exists\": true}]}}", "x");
}

static void test_prefix_suffix_ignore_case(void **state)
{
    (void)state;
    YES("{\"body\": {\"region\": [{\"prefix\": \"us-\"}]}}", "{\"region\": \"us-east-1\"}");
    NO("{\"body\": {\"region\": [{\"prefix\": \"us-\"}]}}", "{\"region\": \"eu-west-1\"}");
    NO("{\"body\": {\"region\": [{\"prefix\": \"us-\"}]}}", "{\"region\": \"us\"}");
    NO("{\"body\": {\"region\": [{\"prefix\": \"us-\"}]}}", "{\"region\": \"US-east-1\"}");
    NO("{\"body\": {\"n\": [{\"prefix\": \"1\"}]}}", "{\"n\": 12}"); /* strings only */
    YES("{\"body\": {\"f\": [{\"suffix\": \".png\"}]}}", "{\"f\": \"cat.png\"}");
    YES("{\"body\": {\"f\": [{\"suffix\": \".png\"}]}}", "{\"f\": \".png\"}");
    NO("{\"body\": {\"f\": [{\"suffix\": \".png\"}]}}", "{\"f\": \"cat.jpg\"}");
    NO("{\"body\": {\"f\": [{\"suffix\": \".png\"}]}}", "{\"f\": \"png\"}");
    YES("{\"body\": {\"name\": [{\"equals-ignore-case\": \"alice\"}]}}", "{\"name\": \"ALiCe\"}");
    NO("{\"body\": {\"name\": [{\"equals-ignore-case\": \"alice\"}]}}", "{\"name\": \"alice2\"}");
    /* prefix on the raw body */
    YES("{\"body\": [{\"prefix\": \"hello\"}]}", "hello world");
}

/* ------------------------------------------------------------------ arrays in records */

static void test_record_arrays(void **state)
{
    (void)state;
    YES("{\"body\": {\"tags\": [\"b\"]}}", "{\"tags\": [\"a\", \"b\"]}");
    NO("{\"body\": {\"tags\": [\"c\"]}}", "{\"tags\": [\"a\", \"b\"]}");
    YES("{\"body\": {\"tags\": [\"c\", \"a\"]}}", "{\"tags\": [\"a\", \"b\"]}");
    YES("{\"body\": {\"m\": [1]}}", "{\"m\": [[0], [1]]}");
    /* arrays of objects: the keys must match within one element */
    const char *p = "{\"body\": {\"items\": {\"sku\": [\"A\"], \"qty\": [2]}}}";
    YES(p, "{\"items\": [{\"sku\": \"B\", \"qty\": 2}, {\"sku\": \"A\", \"qty\": 2}]}");
    NO(p, "{\"items\": [{\"sku\": \"A\", \"qty\": 1}, {\"sku\": \"B\", \"qty\": 2}]}");
    /* a body that is a JSON array */
    YES("{\"body\": {\"id\": [7]}}", "[{\"id\": 6}, {\"id\": 7}]");
    NO("{\"body\": {\"id\": [8]}}", "[{\"id\": 6}, {\"id\": 7}]");
}

/* ------------------------------------------------------------------ SQS body rules */

static void test_body_rules(void **state)
{
    (void)state;
    /* plain body + plain leaf: match the raw text */
    YES("{\"body\": [\"hello\"]}", "hello");
    NO("{\"body\": [\"hello\"]}", "hello!");
    YES("{\"body\": [\"\"]}", "");
    /* plain body + JSON object pattern: drop */
    NO("{\"body\": {\"a\": [\"b\"]}}", "hello");
    NO("{\"body\": {\"a\": [\"b\"]}}", "{not json");
    NO("{\"body\": {\"a\": [\"b\"]}}", "{\"a\": \"b\"} trailing");
    /* valid JSON + plain leaf: drop, even when the text is equal */
    NO("{\"body\": [\"{\\\"a\\\":\\\"b\\\"}\"]}", "{\"a\":\"b\"}");
    NO("{\"body\": [{\"prefix\": \"{\"}]}", "{\"a\":\"b\"}");
    NO("{\"body\": [{\"exists\": true}]}", "[1]");
    /* ... but text that only looks like JSON is plain */
    YES("{\"body\": [\"{not json\"]}", "{not json");
    /* valid JSON + JSON pattern: match inside */
    YES("{\"body\": {\"a\": [\"b\"]}}", "  {\"a\": \"b\"}\n");
    /* scalar JSON bodies are plain strings */
    YES("{\"body\": [\"123\"]}", "123");
    NO("{\"body\": [123]}", "123");
    NO("{\"body\": {\"a\": [\"b\"]}}", "123");
    YES("{\"body\": [\"\\\"x\\\"\"]}", "\"x\"");
    /* no body key: filter on the other keys only, whatever the body */
    YES("{\"attributes\": {\"ApproximateReceiveCount\": [\"1\"]}}", "plain text");
    YES("{\"attributes\": {\"ApproximateReceiveCount\": [\"1\"]}}", "{\"a\": 1}");
    /* "body" nested inside the parsed body is an ordinary key */
    YES("{\"body\": {\"body\": [\"inner\"]}}", "{\"body\": \"inner\"}");
    /* a record without a body */
    assert_false(record_match("{\"body\": {\"a\": [\"b\"]}}", "{\"messageId\": \"m\"}"));
    assert_true(record_match("{\"body\": [{\"exists\": false}]}", "{\"messageId\": \"m\"}"));
    /* the record keeps its body string */
    event_filter *f = parse_ok("{\"body\": {\"a\": [1]}}");
    cJSON *r = sqs_record("{\"a\": 1}");
    assert_true(filter_matches(f, r));
    assert_true(filter_matches(f, r)); /* repeatable */
    assert_string_equal(cJSON_GetObjectItem(r, "body")->valuestring, "{\"a\": 1}");
    assert_false(filter_matches(f, NULL));
    assert_false(filter_matches(NULL, r));
    cJSON_Delete(r);
    filter_free(f);
}

static void test_deep_body(void **state)
{
    (void)state;
    /* nesting beyond the parser's limit: not JSON */
    size_t depth = 5000;
    char *body = malloc(2 * depth + 1);
    assert_non_null(body);
    memset(body, '[', depth);
    memset(body + depth, ']', depth);
    body[2 * depth] = '\0';
    NO("{\"body\": {\"a\": [{\"exists\": false}]}}", body);
    YES("{\"body\": [{\"prefix\": \"[[[\"}]}", body);
    free(body);
    /* moderate nesting works */
    YES("{\"body\": {\"a\": {\"b\": {\"c\": {\"d\": [1]}}}}}", "{\"a\": {\"b\": {\"c\": {\"d\": [[[1]]]}}}}");
}

/* ------------------------------------------------------------------ validation */

static void test_invalid_verified(void **state)
{
    (void)state;
    /* the four patterns AWS was seen to refuse as invalid */
    assert_invalid("null");
    assert_invalid("simple string");
    assert_invalid("{\"eventSource\": \"aws:sqs\"}");
    assert_invalid("{\"eventSource\": []}");
}

static void test_invalid_structure(void **state)
{
    (void)state;
    assert_invalid(NULL);
    assert_invalid("");
    assert_invalid("   ");
    assert_invalid("[]");
    assert_invalid("[{\"a\": [1]}]");
    assert_invalid("\"string\"");
    assert_invalid("42");
    assert_invalid("{}");
    assert_invalid("{\"a\": {}}");
    assert_invalid("{\"a\": 1}");
    assert_invalid("{\"a\": null}");
    assert_invalid("{\"a\": true}");
    assert_invalid("{\"a\": {\"b\": \"c\"}}");
    assert_invalid("{\"a\": [[1]]}");
    assert_invalid("{\"a\": [\"x\", []]}");
    assert_invalid("{\"a\": [{}]}");
    /* not JSON */
    assert_invalid("{\"a\": [1]");
    assert_invalid("{\"a\": [1]} x");
    assert_invalid("{\"a\": [1],}");
    assert_invalid("{\"a\": [1,]}");
    assert_invalid("{a: [1]}");
    assert_invalid("{'a': ['b']}");
    assert_invalid("{\"a\": [01]}");
    assert_invalid("{\"a\": [1.]}");
    assert_invalid("{\"a\": [+1]}");
    assert_invalid("{\"a\": [\"\\x\"]}");
    assert_invalid("{\"a\": [\"tab\there\"]}");
    assert_invalid("{\"a\": [\"\\u12\"]}");
    assert_invalid("{\"a\": [tru]}");
    assert_invalid("{\"a\": [\"unterminated]}");
    assert_invalid("{\"a\": [\"x\\");
    /* EventBridge-only constructs */
    assert_invalid("{\"$or\": [{\"a\": [1]}, {\"b\": [2]}]}");
}

static void test_invalid_operators(void **state)
{
    (void)state;
    assert_invalid("{\"a\": [{\"wildcard\": \"x*\"}]}");
    assert_invalid("{\"a\": [{\"cidr\": \"10.0.0.0/24\"}]}");
    assert_invalid("{\"a\": [{\"unknown\": 1}]}");
    assert_invalid("{\"a\": [{\"prefix\": \"a\", \"suffix\": \"b\"}]}");
    assert_invalid("{\"a\": [{\"Prefix\": \"a\"}]}");
    /* numeric */
    assert_invalid("{\"a\": [{\"numeric\": []}]}");
    assert_invalid("{\"a\": [{\"numeric\": [\">\"]}]}");
    assert_invalid("{\"a\": [{\"numeric\": [\">\", 1, \"<\"]}]}");
    assert_invalid("{\"a\": [{\"numeric\": [\">\", 1, \"<\", 5, \"=\"]}]}");
    assert_invalid("{\"a\": [{\"numeric\": [\">\", 1, \"<\", 5, \"=\", 3]}]}");
    assert_invalid("{\"a\": [{\"numeric\": [\"!=\", 1]}]}");
    assert_invalid("{\"a\": [{\"numeric\": [\"=\", \"1\"]}]}");
    assert_invalid("{\"a\": [{\"numeric\": [1, \">\"]}]}");
    assert_invalid("{\"a\": [{\"numeric\": [\"<\", 5, \">\", 1]}]}");
    assert_invalid("{\"a\": [{\"numeric\": [\"=\", 1, \"<\", 5]}]}");
    assert_invalid("{\"a\": [{\"numeric\": [\">\", 5, \"<\", 1]}]}");
    assert_invalid("{\"a\": [{\"numeric\": [\">\", 5, \"<\", 5]}]}");
    assert_invalid("{\"a\": [{\"numeric\": [\">\", 1e999]}]}");
    assert_invalid("{\"a\": [{\"numeric\": \">\"}]}");
    assert_invalid("{\"a\": [{\"numeric\": 5}]}");
    /* exists */
    assert_invalid("{\"a\": [{\"exists\": \"true\"}]}");
    assert_invalid("{\"a\": [{\"exists\": 1}]}");
    assert_invalid("{\"a\": [{\"exists\": null}]}");
    assert_invalid("{\"a\": [{\"exists\": [true]}]}");
    /* prefix / suffix / equals-ignore-case */
    assert_invalid("{\"a\": [{\"prefix\": 1}]}");
    assert_invalid("{\"a\": [{\"prefix\": [\"x\"]}]}");
    assert_invalid("{\"a\": [{\"suffix\": null}]}");
    assert_invalid("{\"a\": [{\"equals-ignore-case\": []}]}");
    assert_invalid("{\"a\": [{\"equals-ignore-case\": 1}]}");
    /* anything-but */
    assert_invalid("{\"a\": [{\"anything-but\": []}]}");
    assert_invalid("{\"a\": [{\"anything-but\": [true]}]}");
    assert_invalid("{\"a\": [{\"anything-but\": [null]}]}");
    assert_invalid("{\"a\": [{\"anything-but\": null}]}");
    assert_invalid("{\"a\": [{\"anything-but\": false}]}");
    assert_invalid("{\"a\": [{\"anything-but\": [\"a\", 1]}]}");
    assert_invalid("{\"a\": [{\"anything-but\": [[\"a\"]]}]}");
    assert_invalid("{\"a\": [{\"anything-but\": {\"prefix\": \"x\"}}]}");
    assert_invalid("{\"a\": [{\"anything-but\": {\"suffix\": \"x\"}}]}");
}

static void test_valid_patterns(void **state)
{
    (void)state;
    const char *valid[] = {
        "{\"body\": {\"status\": [\"NEW\"]}}",
        "  {\"a\": [1]}  ",
        "{\"a\": [\"\"]}",
        "{\"a\": [null]}",
        "{\"a\": [{\"prefix\": \"\"}]}",
        "{\"a\": [{\"anything-but\": \"x\"}]}",
        "{\"a\": [{\"anything-but\": 1.5}]}",
        "{\"a\": [{\"anything-but\": [1, 2]}]}",
        "{\"a\": [{\"numeric\": [\"=\", -0.5e3]}]}",
        "{\"a\": [{\"numeric\": [\">=\", 100, \"<\", 200]}]}",
        "{\"a\": [{\"numeric\": [\">\", 0, \"<=\", 5]}]}",
        "{\"a\": [{\"exists\": false}]}",
        "{\"a\": [{\"suffix\": \".png\"}], \"b\": {\"c\": [{\"equals-ignore-case\": \"X\"}]}}",
        "{\"a\\u0000b\": [1]}",
    };
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        filter_free(parse_ok(valid[i]));
    filter_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_equals),
        cmocka_unit_test(test_or_list),
        cmocka_unit_test(test_and_keys),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_duplicate_key_last_wins),
        cmocka_unit_test(test_numbers_by_text),
        cmocka_unit_test(test_booleans_null_empty),
        cmocka_unit_test(test_anything_but),
        cmocka_unit_test(test_numeric),
        cmocka_unit_test(test_exists),
        cmocka_unit_test(test_prefix_suffix_ignore_case),
        cmocka_unit_test(test_record_arrays),
        cmocka_unit_test(test_body_rules),
        cmocka_unit_test(test_deep_body),
        cmocka_unit_test(test_invalid_verified),
        cmocka_unit_test(test_invalid_structure),
        cmocka_unit_test(test_invalid_operators),
        cmocka_unit_test(test_valid_patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
