/* test_validate: unit tests for UTF-8 / SQS character validation and for the message
 * validation rules (body, message attributes, system attributes, group/dedup tokens). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "sqsemu/sqs_wire_errors.h"
#include "sqsemu/sqs_error.h"
#include "sqsemu/utf8.h"

#include "../../src/sqs/message_validate.h"

#define BODY_CHARS_MESSAGE                                                                                       \
    "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to "    \
    "#xFFFD | #x10000 to #x10FFFF"

/* ------------------------------------------------------------------ helpers */

/* Text given with an explicit length so that embedded NUL bytes count. */
#define SQS_TEXT(lit) utf8_is_sqs_text((lit), sizeof(lit) - 1)
#define VALID_UTF8(lit) utf8_is_valid((lit), sizeof(lit) - 1)

static cJSON *parse_json(const char *text)
{
    cJSON *json = cJSON_Parse(text);
    if (!json)
        print_error("could not parse test JSON: %s\n", text);
    assert_non_null(json);
    return json;
}

/* {"<name>": {"DataType": "<type>", "StringValue": "<value>"}} as a cJSON object. */
static cJSON *string_attribute(const char *name, const char *type, const char *value)
{
    cJSON *attributes = cJSON_CreateObject();
    cJSON *attr = cJSON_AddObjectToObject(attributes, name);
    if (type)
        cJSON_AddStringToObject(attr, "DataType", type);
    if (value)
        cJSON_AddStringToObject(attr, "StringValue", value);
    return attributes;
}

static void assert_attributes_ok(const cJSON *attributes, size_t expected_size)
{
    size_t size = 0;
    sqs_error err = {0};
    bool ok = message_check_attributes(attributes, &size, &err);
    if (!ok)
        print_error("rejected: %s\n", err.message);
    assert_true(ok);
    assert_int_equal(size, expected_size);
}

static void assert_attributes_json_ok(const char *json, size_t expected_size)
{
    cJSON *attributes = parse_json(json);
    assert_attributes_ok(attributes, expected_size);
    cJSON_Delete(attributes);
}

/* Fails with InvalidParameterValue; checks the message when one is given. */
static void assert_attributes_rejected(const cJSON *attributes, const char *message)
{
    size_t size = 0;
    sqs_error err = {0};
    assert_false(message_check_attributes(attributes, &size, &err));
    assert_int_equal(err.kind, SQS_ERR_INVALID_PARAMETER_VALUE);
    assert_true(err.message[0] != '\0');
    if (message)
        assert_string_equal(err.message, message);
}

static void assert_attributes_json_rejected(const char *json, const char *message)
{
    cJSON *attributes = parse_json(json);
    assert_attributes_rejected(attributes, message);
    cJSON_Delete(attributes);
}

static void assert_string_attribute_ok(const char *name, const char *type, const char *value)
{
    cJSON *attributes = string_attribute(name, type, value);
    assert_attributes_ok(attributes, strlen(name) + strlen(type) + strlen(value));
    cJSON_Delete(attributes);
}

static void assert_string_attribute_rejected(const char *name, const char *type, const char *value,
                                             const char *message)
{
    cJSON *attributes = string_attribute(name, type, value);
    assert_attributes_rejected(attributes, message);
    cJSON_Delete(attributes);
}

static void assert_name_rejected(const char *name)
{
    if (message_attribute_name_valid(name))
        print_error("name accepted: \"%s\"\n", name);
    assert_false(message_attribute_name_valid(name));
    cJSON *attributes = string_attribute(name, "String", "v");
    size_t size = 0;
    sqs_error err = {0};
    assert_false(message_check_attributes(attributes, &size, &err));
    assert_int_equal(err.kind, SQS_ERR_INVALID_PARAMETER_VALUE);
    assert_non_null(strstr(err.message, "name"));
    cJSON_Delete(attributes);
}

static void assert_name_ok(const char *name)
{
    if (!message_attribute_name_valid(name))
        print_error("name rejected: \"%s\"\n", name);
    assert_true(message_attribute_name_valid(name));
    assert_string_attribute_ok(name, "String", "v");
}

static void assert_number_ok(const char *text)
{
    if (!message_number_valid(text))
        print_error("number rejected: \"%s\"\n", text);
    assert_true(message_number_valid(text));
    assert_string_attribute_ok("n", "Number", text);
}

static void assert_number_rejected(const char *text)
{
    if (message_number_valid(text))
        print_error("number accepted: \"%s\"\n", text);
    assert_false(message_number_valid(text));
    assert_string_attribute_rejected("n", "Number", text, NULL);
}

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void assert_system_ok(const char *json)
{
    cJSON *attributes = parse_json(json);
    sqs_error err = {0};
    bool ok = message_check_system_attributes(attributes, &err);
    if (!ok)
        print_error("rejected: %s\n", err.message);
    assert_true(ok);
    cJSON_Delete(attributes);
}

static void assert_system_rejected(const char *json)
{
    cJSON *attributes = parse_json(json);
    sqs_error err = {0};
    assert_false(message_check_system_attributes(attributes, &err));
    assert_int_equal(err.kind, SQS_ERR_INVALID_PARAMETER_VALUE);
    assert_true(err.message[0] != '\0');
    cJSON_Delete(attributes);
}

/* ------------------------------------------------------------------ utf8 */

static void test_utf8_ascii_and_whitespace(void **state)
{
    (void)state;
    assert_true(utf8_is_sqs_text("", 0));
    assert_true(utf8_is_valid("", 0));
    assert_true(SQS_TEXT("hello world"));
    assert_true(SQS_TEXT(" !~"));
    assert_true(SQS_TEXT("\x7f")); /* DEL is inside #x20-#xD7FF */
    assert_true(SQS_TEXT("a\tb"));
    assert_true(SQS_TEXT("a\nb"));
    assert_true(SQS_TEXT("a\rb"));
    assert_true(SQS_TEXT("\t\n\r"));
}

static void test_utf8_c0_controls_rejected(void **state)
{
    (void)state;
    for (int c = 0; c < 0x20; c++) {
        char s[3] = {'a', (char)c, 'b'};
        bool allowed = c == 0x9 || c == 0xA || c == 0xD;
        if (utf8_is_sqs_text(s, sizeof s) != allowed)
            print_error("control 0x%02x\n", c);
        assert_int_equal(utf8_is_sqs_text(s, sizeof s), allowed);
        /* They are all well-formed UTF-8, just not allowed by SQS. */
        assert_true(utf8_is_valid(s, sizeof s));
    }
    assert_false(SQS_TEXT("ab\0cd"));
    assert_true(VALID_UTF8("ab\0cd"));
}

static void test_utf8_multibyte_boundaries(void **state)
{
    (void)state;
    assert_true(SQS_TEXT("\xc2\x80"));         /* U+0080 */
    assert_true(SQS_TEXT("\xdf\xbf"));         /* U+07FF */
    assert_true(SQS_TEXT("\xe0\xa0\x80"));     /* U+0800 */
    assert_true(SQS_TEXT("\xed\x9f\xbf"));     /* U+D7FF */
    assert_true(SQS_TEXT("\xee\x80\x80"));     /* U+E000 */
    assert_true(SQS_TEXT("\xef\xbf\xbd"));     /* U+FFFD */
    assert_true(SQS_TEXT("\xf0\x90\x80\x80")); /* U+10000 */
    assert_true(SQS_TEXT("\xf0\x9f\x98\x80")); /* U+1F600 */
    assert_true(SQS_TEXT("\xf4\x8f\xbf\xbf")); /* U+10FFFF */
    assert_true(SQS_TEXT("caf\xc3\xa9 \xe2\x98\x83"));
    assert_true(VALID_UTF8("\xf4\x8f\xbf\xbf"));
}

static void test_utf8_nonchars_rejected(void **state)
{
    (void)state;
    assert_false(SQS_TEXT("\xef\xbf\xbe")); /* U+FFFE */
    assert_false(SQS_TEXT("\xef\xbf\xbf")); /* U+FFFF */
    assert_false(SQS_TEXT("ok\xef\xbf\xbfok"));
    /* Well-formed, only outside the SQS set. */
    assert_true(VALID_UTF8("\xef\xbf\xbe"));
    assert_true(VALID_UTF8("\xef\xbf\xbf"));
}

static void test_utf8_surrogates_rejected(void **state)
{
    (void)state;
    assert_false(SQS_TEXT("\xed\xa0\x80")); /* U+D800 */
    assert_false(SQS_TEXT("\xed\xaf\xbf")); /* U+DBFF */
    assert_false(SQS_TEXT("\xed\xb0\x80")); /* U+DC00 */
    assert_false(SQS_TEXT("\xed\xbf\xbf")); /* U+DFFF */
    assert_false(SQS_TEXT("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair for U+1F600 */
    assert_false(VALID_UTF8("\xed\xa0\x80"));
    assert_false(VALID_UTF8("\xed\xbf\xbf"));
    assert_false(VALID_UTF8("\xed\xa0\xbd\xed\xb8\x80"));
}

static void test_utf8_overlongs_rejected(void **state)
{
    (void)state;
    static const char *const overlongs[] = {
        "\xc0\x80",         /* NUL */
        "\xc0\xaf",         /* '/' */
        "\xc1\xbf",         /* U+007F */
        "\xe0\x80\x80",     /* NUL */
        "\xe0\x80\xaf",     /* '/' */
        "\xe0\x9f\xbf",     /* U+07FF */
        "\xf0\x80\x80\x80", /* NUL */
        "\xf0\x8f\xbf\xbf", /* U+FFFF */
    };
    for (size_t i = 0; i < sizeof overlongs / sizeof overlongs[0]; i++) {
        assert_false(utf8_is_sqs_text(overlongs[i], strlen(overlongs[i])));
        assert_false(utf8_is_valid(overlongs[i], strlen(overlongs[i])));
    }
}

static void test_utf8_truncated_rejected(void **state)
{
    (void)state;
    static const char *const truncated[] = {
        "\xc3",         "\xe2",         "\xe2\x98",    "\xf0",     "\xf0\x9f", "\xf0\x9f\x98",
        "ab\xc3",       "ab\xe2\x98",   "\xe2\x98" "A", "\xc3" "A", "\xf0\x9f\x98" "A",
        "\xc3\xa9\xc3",
    };
    for (size_t i = 0; i < sizeof truncated / sizeof truncated[0]; i++) {
        if (utf8_is_valid(truncated[i], strlen(truncated[i])))
            print_error("accepted truncated #%zu\n", i);
        assert_false(utf8_is_sqs_text(truncated[i], strlen(truncated[i])));
        assert_false(utf8_is_valid(truncated[i], strlen(truncated[i])));
    }
    /* The length bounds the text: a sequence cut by len is truncated. */
    const char cafe[] = "caf\xc3\xa9";
    assert_true(utf8_is_sqs_text(cafe, 5));
    assert_false(utf8_is_sqs_text(cafe, 4));
    assert_false(utf8_is_valid(cafe, 4));
    const char emoji[] = "\xf0\x9f\x98\x80";
    assert_false(utf8_is_valid(emoji, 3));
    assert_true(utf8_is_valid(emoji, 4));
}

static void test_utf8_bad_bytes_rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\x80",             /* lone continuation */
        "\xbf",             "a\x80z",
        "\xfe",             "\xff",
        "\xf4\x90\x80\x80", /* U+110000 */
        "\xf5\x80\x80\x80", "\xf7\xbf\xbf\xbf",
        "\xf8\x88\x80\x80\x80", /* 5-byte form */
        "\xc3\x28",         /* continuation missing */
        "\xe2\x28\xa1",     "\xf0\x28\x8c\xbc",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (utf8_is_valid(bad[i], strlen(bad[i])))
            print_error("accepted bad #%zu\n", i);
        assert_false(utf8_is_sqs_text(bad[i], strlen(bad[i])));
        assert_false(utf8_is_valid(bad[i], strlen(bad[i])));
    }
}

/* ------------------------------------------------------------------ body */

static void test_body_missing(void **state)
{
    (void)state;
    sqs_error err = {0};
    assert_false(message_check_body(NULL, &err));
    assert_int_equal(err.kind, SQS_ERR_MISSING_PARAMETER);
    assert_string_equal(err.message, "The request must contain the parameter MessageBody.");
    assert_string_equal(sqs_error_code(err.kind), "MissingParameter");

    sqs_error err2 = {0};
    assert_false(message_check_body("", &err2));
    assert_int_equal(err2.kind, SQS_ERR_MISSING_PARAMETER);
    assert_string_equal(err2.message, "The request must contain the parameter MessageBody.");
}

static void test_body_valid(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "x", "hello world", "{\"order\":1234}", "tab\there\nnew line\r\n", "caf\xc3\xa9 \xe2\x98\x83",
        "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xef\xbf\xbd", "<xml attr=\"&amp;\"/>",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        sqs_error err = {0};
        assert_true(message_check_body(bodies[i], &err));
    }
}

static void test_body_invalid_characters(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "a\x01z", "\x1f", "\x0b", "\x0c", "bad\xef\xbf\xbf", "\xef\xbf\xbe", "\xed\xa0\x80", "\xc0\x80",
        "\xe0\x80\x80", "trunc\xe2\x98", "\xff", "\xf4\x90\x80\x80",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        sqs_error err = {0};
        assert_false(message_check_body(bodies[i], &err));
        assert_int_equal(err.kind, SQS_ERR_INVALID_MESSAGE_CONTENTS);
        assert_string_equal(err.message, BODY_CHARS_MESSAGE);
    }
    assert_string_equal(sqs_error_code(SQS_ERR_INVALID_MESSAGE_CONTENTS), "InvalidMessageContents");
    assert_int_equal(sqs_wire_error_of(SQS_ERR_INVALID_MESSAGE_CONTENTS)->http_status, 400);
}

/* ------------------------------------------------------------------ attributes: size and count */

static void test_attributes_absent(void **state)
{
    (void)state;
    size_t size = 7;
    sqs_error err = {0};
    assert_true(message_check_attributes(NULL, &size, &err));
    assert_int_equal(size, 7);
    cJSON *empty = parse_json("{}");
    assert_true(message_check_attributes(empty, &size, &err));
    assert_int_equal(size, 7);
    cJSON_Delete(empty);
}

static void test_attributes_size_v4(void **state)
{
    (void)state;
    /* city: 4+6+8, count: 5+6+2, blob: 4+6+3 (decoded) = 44. */
    cJSON *attributes = parse_json("{\"city\":{\"DataType\":\"String\",\"StringValue\":\"Any City\"},"
                                   "\"count\":{\"DataType\":\"Number\",\"StringValue\":\"42\"},"
                                   "\"blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAEC\"}}");
    size_t size = 11; /* the body "hello world"; attributes add to it */
    sqs_error err = {0};
    assert_true(message_check_attributes(attributes, &size, &err));
    assert_int_equal(size, 11 + 44);
    cJSON_Delete(attributes);
}

static void test_attributes_size_binary_decoded(void **state)
{
    (void)state;
    /* "AAECA/8=" is 8 characters but 5 bytes. */
    assert_attributes_json_ok("{\"Blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAECA/8=\"}}", 4 + 6 + 5);
    assert_attributes_json_ok("{\"img\":{\"DataType\":\"Binary.png\",\"BinaryValue\":\"iVBORwA=\"}}", 3 + 10 + 5);
}

static void test_attributes_size_utf8_bytes(void **state)
{
    (void)state;
    /* V5: note.custom (11) + String.utf8 (11) + "über" (5 bytes); price (5) + Number.float (12) + 3.14 (4). */
    assert_attributes_json_ok("{\"note.custom\":{\"DataType\":\"String.utf8\",\"StringValue\":\"\xc3\xbc"
                              "ber\"},"
                              "\"price\":{\"DataType\":\"Number.float\",\"StringValue\":\"3.14\"}}",
                              27 + 21);
    assert_string_attribute_ok("snow", "String", "\xe2\x98\x83\xf0\x9f\x98\x80");
}

static cJSON *many_attributes(int n)
{
    cJSON *attributes = cJSON_CreateObject();
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "attr%02d", i);
        cJSON *attr = cJSON_AddObjectToObject(attributes, name);
        cJSON_AddStringToObject(attr, "DataType", "String");
        cJSON_AddStringToObject(attr, "StringValue", "v");
    }
    return attributes;
}

static void test_attributes_count_limit(void **state)
{
    (void)state;
    cJSON *ten = many_attributes(10);
    assert_attributes_ok(ten, 10 * (6 + 6 + 1));
    cJSON_Delete(ten);
    cJSON *eleven = many_attributes(11);
    assert_attributes_rejected(eleven, "Number of message attributes [11] exceeds the allowed maximum [10].");
    cJSON_Delete(eleven);
    cJSON *twenty = many_attributes(20);
    assert_attributes_rejected(twenty, "Number of message attributes [20] exceeds the allowed maximum [10].");
    cJSON_Delete(twenty);
}

/* ------------------------------------------------------------------ attributes: names */

static void test_attribute_names_valid(void **state)
{
    (void)state;
    assert_name_ok("a");
    assert_name_ok("Z");
    assert_name_ok("9");
    assert_name_ok("A-b_c.d");
    assert_name_ok("Hello.World.Again");
    assert_name_ok("_leading_underscore");
    assert_name_ok("-leading-hyphen");
    assert_name_ok("trailing-");
    assert_name_ok("AWS");         /* only the "AWS." prefix is reserved */
    assert_name_ok("AWSTrace");
    assert_name_ok("Amazon");
    assert_name_ok("Amazonian.x");
    assert_name_ok("my.AWS.name"); /* reserved only as a prefix */
    char *longest = repeat('n', 256);
    assert_name_ok(longest);
    free(longest);
}

static void test_attribute_names_reserved_prefixes(void **state)
{
    (void)state;
    assert_name_rejected("AWS.x");
    assert_name_rejected("aws.x");
    assert_name_rejected("Aws.X");
    assert_name_rejected("aWs.trace");
    assert_name_rejected("Amazon.x");
    assert_name_rejected("amazon.x");
    assert_name_rejected("AMAZON.X");
    assert_name_rejected("aMaZoN.y");
}

static void test_attribute_names_dots(void **state)
{
    (void)state;
    assert_name_rejected(".a");
    assert_name_rejected("a.");
    assert_name_rejected(".");
    assert_name_rejected("a..b");
    assert_name_rejected("a...b");
    assert_name_rejected("..");
}

static void test_attribute_names_characters_and_length(void **state)
{
    (void)state;
    assert_name_rejected("");
    assert_name_rejected("a b");
    assert_name_rejected("a/b");
    assert_name_rejected("a:b");
    assert_name_rejected("a*");
    assert_name_rejected("a+b");
    assert_name_rejected("a\tb");
    /* Unicode letters are alphanumerics to SQS; symbols are not. */
    assert_name_ok("\xc3\xbc"
                   "ber");
    assert_name_ok("attr.1\xc3\xb8\xc3\x9f\xc3\xa4");
    assert_name_rejected("a\xc2\xa7"
                         "b"); /* U+00A7 SECTION SIGN */
    assert_name_rejected("a(b");
    assert_name_rejected("why?");
    assert_name_rejected("\xff\xfe"); /* not UTF-8 */
    char *too_long = repeat('n', 257);
    assert_name_rejected(too_long);
    free(too_long);
}

static void test_attribute_name_error_message(void **state)
{
    (void)state;
    cJSON *attributes = string_attribute("AWS.x", "String", "v");
    size_t size = 0;
    sqs_error err = {0};
    assert_false(message_check_attributes(attributes, &size, &err));
    assert_int_equal(err.kind, SQS_ERR_INVALID_PARAMETER_VALUE);
    assert_non_null(strstr(err.message, "'AWS.x'"));
    const sqs_wire_error *info = sqs_wire_error_of(err.kind);
    assert_string_equal(sqs_error_code(err.kind), "InvalidParameterValue");
    assert_string_equal(info->json_type, "com.amazon.coral.service#InvalidParameterValueException");
    assert_int_equal(info->http_status, 400);
    assert_true(sqs_error_sender_fault(err.kind));
    cJSON_Delete(attributes);
}

/* ------------------------------------------------------------------ attributes: data types */

static void test_data_types_valid(void **state)
{
    (void)state;
    assert_string_attribute_ok("a", "String", "x");
    assert_string_attribute_ok("a", "Number", "1");
    assert_string_attribute_ok("a", "String.uuid", "x");
    assert_string_attribute_ok("a", "String.a.b", "x");
    assert_string_attribute_ok("a", "String.with space", "x");
    assert_string_attribute_ok("a", "Number.float", "1.5");
    assert_string_attribute_ok("a", "Number.int", "7");
    assert_attributes_json_ok("{\"a\":{\"DataType\":\"Binary.png\",\"BinaryValue\":\"AAEC\"}}", 1 + 10 + 3);
    /* DataType up to 256 characters. */
    char type[257 + 1];
    memcpy(type, "String.", 7);
    memset(type + 7, 'x', 249);
    type[256] = '\0';
    assert_int_equal(strlen(type), 256);
    assert_string_attribute_ok("a", type, "x");
}

static void test_data_types_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "string", "STRING", "number", "binary", "Str", "Strings", "StringX", "String.", "Number.",
        "Text",   "Integer", " String", "String ", "Number,float", "String.bad\x01label",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char message[256];
        snprintf(message, sizeof message,
                 "The type of message (user) attribute '%s' is invalid. You must use only the following "
                 "supported type prefixes: Binary, Number, String.",
                 "a");
        assert_string_attribute_rejected("a", bad[i], "1", message);
    }
    char type[258 + 1];
    memcpy(type, "String.", 7);
    memset(type + 7, 'x', 250);
    type[257] = '\0';
    assert_string_attribute_rejected("a", type, "x", NULL);
}

static void test_data_types_missing(void **state)
{
    (void)state;
    const char *message = "The message attribute 'a' must contain non-empty message attribute type.";
    assert_string_attribute_rejected("a", NULL, "x", message);
    assert_string_attribute_rejected("a", "", "x", message);
    assert_attributes_json_rejected("{\"a\":{\"DataType\":5,\"StringValue\":\"x\"}}", message);
    assert_attributes_json_rejected("{\"a\":{\"DataType\":null,\"StringValue\":\"x\"}}", message);
}

static void test_attribute_not_a_structure(void **state)
{
    (void)state;
    assert_attributes_json_rejected("{\"a\":\"String\"}", NULL);
    assert_attributes_json_rejected("{\"a\":[]}", NULL);
}

/* ------------------------------------------------------------------ attributes: values */

static void test_values_missing_or_empty(void **state)
{
    (void)state;
    const char *message = "Message (user) attribute 'a' must contain a non-empty value of type 'String'.";
    assert_string_attribute_rejected("a", "String", NULL, message);
    assert_string_attribute_rejected("a", "String", "", message);
    assert_string_attribute_rejected("a", "Number", NULL, message);
    assert_string_attribute_rejected("a", "Number", "", message);
    assert_string_attribute_rejected("a", "String.label", "", message);
    assert_attributes_json_rejected("{\"a\":{\"DataType\":\"String\",\"StringValue\":42}}", message);
    /* A String attribute carrying only a binary value has no string value. */
    assert_attributes_json_rejected("{\"a\":{\"DataType\":\"String\",\"BinaryValue\":\"AAEC\"}}", message);
    /* Binary attributes need a non-empty (decoded) BinaryValue. */
    assert_attributes_json_rejected("{\"a\":{\"DataType\":\"Binary\"}}", NULL);
    assert_attributes_json_rejected("{\"a\":{\"DataType\":\"Binary\",\"BinaryValue\":\"\"}}", NULL);
    assert_attributes_json_rejected("{\"a\":{\"DataType\":\"Binary\",\"StringValue\":\"AAEC\"}}", NULL);
    assert_attributes_json_rejected("{\"a\":{\"DataType\":\"Binary.png\",\"BinaryValue\":7}}", NULL);
}

static void test_values_binary_not_base64(void **state)
{
    (void)state;
    assert_attributes_json_rejected("{\"a\":{\"DataType\":\"Binary\",\"BinaryValue\":\"not base64\"}}", NULL);
    assert_attributes_json_rejected("{\"a\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAE\"}}", NULL);
    assert_attributes_json_rejected("{\"a\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AA==AAAA\"}}", NULL);
}

static void test_values_invalid_characters(void **state)
{
    (void)state;
    /* String values follow the body rules but fail as InvalidParameterValue. */
    assert_string_attribute_rejected("a", "String", "bad\x01", NULL);
    assert_string_attribute_rejected("a", "String", "\xef\xbf\xbf", NULL);
    assert_string_attribute_rejected("a", "String", "\xed\xa0\x80", NULL);
    assert_string_attribute_rejected("a", "String.x", "\xc0\x80", NULL);
    assert_string_attribute_ok("a", "String", "tab\tnl\ncr\r");
}

static void test_values_first_bad_attribute_reported(void **state)
{
    (void)state;
    size_t size = 0;
    sqs_error err = {0};
    cJSON *attributes = parse_json("{\"good\":{\"DataType\":\"String\",\"StringValue\":\"x\"},"
                                   "\"bad\":{\"DataType\":\"String\",\"StringValue\":\"\"}}");
    assert_false(message_check_attributes(attributes, &size, &err));
    assert_int_equal(err.kind, SQS_ERR_INVALID_PARAMETER_VALUE);
    assert_string_equal(err.message, "Message (user) attribute 'bad' must contain a non-empty value of type 'String'.");
    cJSON_Delete(attributes);
}

/* ------------------------------------------------------------------ numbers */

static void test_numbers_valid(void **state)
{
    (void)state;
    static const char *const good[] = {
        "0",    "42",   "-42",  "+42",    "3.14",   "-3.14",   ".5",       "5.",     "007",
        "-0",   "0.0",  "1e10", "1E-10",  "1.5e+3", "2.5E+07", "1e126",    "-1e126", "1e-128",
        "-1e-128", "9.99e125", "0e0", "123456789012345678901234567890.12345678",
        "0.00000000000000000000000000000000000000001", /* leading zeros are not significant */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_number_ok(good[i]);
    char digits38[39];
    for (int i = 0; i < 38; i++)
        digits38[i] = (char)('1' + i % 9);
    digits38[38] = '\0';
    assert_number_ok(digits38);
    char padded[64];
    snprintf(padded, sizeof padded, "000%s", digits38);
    assert_number_ok(padded);
    snprintf(padded, sizeof padded, "-%.20s.%s", digits38, digits38 + 20);
    assert_number_ok(padded);
}

static void test_numbers_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "abc", "1.2.3", "1e", "e5", "1e+", "1e-", "--1", "+-1", "1-", " 1", "1 ", "0x10", "inf", "-inf", "NaN",
        "nan", "1,5", "1e5.5", "1e5e5", ".", "+", "-", "+.", "1ee5", "1e127", "-1e127", "1e-129", "-1e-129",
        "1e999", "2e126",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_number_rejected(bad[i]);
    assert_false(message_number_valid(""));
    char digits39[40];
    for (int i = 0; i < 39; i++)
        digits39[i] = (char)('1' + i % 9);
    digits39[39] = '\0';
    assert_number_rejected(digits39);
    char split[64];
    snprintf(split, sizeof split, "%.20s.%s", digits39, digits39 + 20);
    assert_number_rejected(split);
}

static void test_numbers_underflow_rejected(void **state)
{
    (void)state;
    /* Non-zero values far below 10^-128 that a double cannot hold (they round to 0) are still
     * outside the allowed range; only a true zero is exempt from the lower bound. */
    assert_number_rejected("1e-400");
    assert_number_rejected("1e-999");
    assert_number_rejected("-1e-999");
    assert_number_rejected("5e-330");
    char tiny[512] = "0.";
    for (int i = 0; i < 400; i++)
        strcat(tiny, "0");
    strcat(tiny, "1");
    assert_number_rejected(tiny);
    /* Zero written with any exponent is still zero. */
    assert_number_ok("0e-999");
    assert_number_ok("0.000e5");
}

static void test_number_error_is_invalid_parameter(void **state)
{
    (void)state;
    cJSON *attributes = string_attribute("qty", "Number.int", "twelve");
    size_t size = 0;
    sqs_error err = {0};
    assert_false(message_check_attributes(attributes, &size, &err));
    assert_int_equal(err.kind, SQS_ERR_INVALID_PARAMETER_VALUE);
    assert_non_null(strstr(err.message, "twelve"));
    cJSON_Delete(attributes);
    /* Number validity does not apply to String attributes. */
    assert_string_attribute_ok("qty", "String", "twelve");
}

/* ------------------------------------------------------------------ system attributes */

static void test_system_attributes_valid(void **state)
{
    (void)state;
    sqs_error err = {0};
    assert_true(message_check_system_attributes(NULL, &err));
    assert_system_ok("{}");
    assert_system_ok("{\"AWSTraceHeader\":{\"DataType\":\"String\","
                     "\"StringValue\":\"Root=1-5759e988-bd862e3fe1be46a994272793\"}}");
    assert_system_ok("{\"AWSTraceHeader\":{\"DataType\":\"String\",\"StringValue\":"
                     "\"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1\"}}");
}

static void test_system_attributes_invalid(void **state)
{
    (void)state;
    assert_system_rejected("{\"Foo\":{\"DataType\":\"String\",\"StringValue\":\"x\"}}");
    assert_system_rejected("{\"awstraceheader\":{\"DataType\":\"String\",\"StringValue\":\"x\"}}");
    assert_system_rejected("{\"AWSTraceHeader\":{\"DataType\":\"Number\",\"StringValue\":\"1\"}}");
    assert_system_rejected("{\"AWSTraceHeader\":{\"DataType\":\"String.custom\",\"StringValue\":\"x\"}}");
    assert_system_rejected("{\"AWSTraceHeader\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAEC\"}}");
    assert_system_rejected("{\"AWSTraceHeader\":{\"StringValue\":\"x\"}}");
    assert_system_rejected("{\"AWSTraceHeader\":{\"DataType\":\"String\"}}");
    assert_system_rejected("{\"AWSTraceHeader\":{\"DataType\":\"String\",\"StringValue\":\"\"}}");
    assert_system_rejected("{\"AWSTraceHeader\":{\"DataType\":\"String\",\"StringValue\":\"a\\u0001b\"}}");
    assert_system_rejected("{\"AWSTraceHeader\":\"Root=1\"}");
    assert_system_rejected("{\"AWSTraceHeader\":{\"DataType\":\"String\",\"StringValue\":\"x\"},"
                           "\"Other\":{\"DataType\":\"String\",\"StringValue\":\"y\"}}");
}

/* ------------------------------------------------------------------ group / deduplication tokens */

static void test_tokens(void **state)
{
    (void)state;
    assert_true(message_token_valid("g1"));
    assert_true(message_token_valid("a"));
    assert_true(message_token_valid("abc-DEF_123"));
    assert_true(message_token_valid("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"));
    char *max = repeat('t', 128);
    assert_true(message_token_valid(max));
    free(max);
    char *too_long = repeat('t', 129);
    assert_false(message_token_valid(too_long));
    free(too_long);
    assert_false(message_token_valid(""));
    assert_false(message_token_valid(" "));
    assert_false(message_token_valid("a b"));
    assert_false(message_token_valid("a\tb"));
    assert_false(message_token_valid("a\nb"));
    assert_false(message_token_valid("\x7f"));
    assert_false(message_token_valid("caf\xc3\xa9"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_ascii_and_whitespace),
        cmocka_unit_test(test_utf8_c0_controls_rejected),
        cmocka_unit_test(test_utf8_multibyte_boundaries),
        cmocka_unit_test(test_utf8_nonchars_rejected),
        cmocka_unit_test(test_utf8_surrogates_rejected),
        cmocka_unit_test(test_utf8_overlongs_rejected),
        cmocka_unit_test(test_utf8_truncated_rejected),
        cmocka_unit_test(test_utf8_bad_bytes_rejected),
        cmocka_unit_test(test_body_missing),
        cmocka_unit_test(test_body_valid),
        cmocka_unit_test(test_body_invalid_characters),
        cmocka_unit_test(test_attributes_absent),
        cmocka_unit_test(test_attributes_size_v4),
        cmocka_unit_test(test_attributes_size_binary_decoded),
        cmocka_unit_test(test_attributes_size_utf8_bytes),
        cmocka_unit_test(test_attributes_count_limit),
        cmocka_unit_test(test_attribute_names_valid),
        cmocka_unit_test(test_attribute_names_reserved_prefixes),
        cmocka_unit_test(test_attribute_names_dots),
        cmocka_unit_test(test_attribute_names_characters_and_length),
        cmocka_unit_test(test_attribute_name_error_message),
        cmocka_unit_test(test_data_types_valid),
        cmocka_unit_test(test_data_types_invalid),
        cmocka_unit_test(test_data_types_missing),
        cmocka_unit_test(test_attribute_not_a_structure),
        cmocka_unit_test(test_values_missing_or_empty),
        cmocka_unit_test(test_values_binary_not_base64),
        cmocka_unit_test(test_values_invalid_characters),
        cmocka_unit_test(test_values_first_bad_attribute_reported),
        cmocka_unit_test(test_numbers_valid),
        cmocka_unit_test(test_numbers_invalid),
        cmocka_unit_test(test_numbers_underflow_rejected),
        cmocka_unit_test(test_number_error_is_invalid_parameter),
        cmocka_unit_test(test_system_attributes_valid),
        cmocka_unit_test(test_system_attributes_invalid),
        cmocka_unit_test(test_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
