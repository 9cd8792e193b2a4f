/* test_md5: unit tests for the codec module (base64, hex, MD5, SHA-256) and for the SQS
 * message-attribute digest (known-answer vectors V1-V5, AWSTraceHeader vectors, and the
 * digest of a selected subset; docs/sqs-semantics.md, Digests, identifiers, timestamps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "sqsemu/buf.h"
#include "sqsemu/codec.h"

#include "../../src/sqs/md5.h"

/* ------------------------------------------------------------------ helpers */

static cJSON *parse_json(const char *text)
{
    cJSON *json = cJSON_Parse(text);
    if (!json)
        print_error("could not parse test JSON: %s\n", text);
    assert_non_null(json);
    return json;
}

/* Asserts that md5_of_attributes(json) succeeds and yields expected. */
static void assert_attributes_md5(const char *json_text, const char *expected)
{
    cJSON *attributes = parse_json(json_text);
    char out[MD5_HEX_LEN];
    memset(out, 'x', sizeof out);
    bool ok = md5_of_attributes(attributes, out);
    if (!ok)
        print_error("md5_of_attributes failed for %s\n", json_text);
    assert_true(ok);
    assert_string_equal(out, expected);
    cJSON_Delete(attributes);
}

/* Asserts that md5_of_attributes(json) fails and leaves out empty. */
static void assert_attributes_md5_fails(const char *json_text)
{
    cJSON *attributes = parse_json(json_text);
    char out[MD5_HEX_LEN];
    memset(out, 'x', sizeof out);
    assert_false(md5_of_attributes(attributes, out));
    assert_string_equal(out, "");
    cJSON_Delete(attributes);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* MD5 of bytes given as lower-case hex, spaces ignored (as the pre-images below are written). */
static void md5_of_hex_preimage(const char *hex, char out[MD5_HEX_LEN])
{
    buf_t b;
    buf_init(&b);
    for (const char *p = hex; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        int hi = hex_value(p[0]);
        int lo = hex_value(p[1]);
        assert_true(hi >= 0 && lo >= 0);
        buf_putc(&b, (char)(hi * 16 + lo));
        p += 2;
    }
    md5_hex(b.data ? b.data : "", b.len, out);
    buf_free(&b);
}

static void put_length_prefixed(buf_t *b, const void *data, size_t len)
{
    unsigned char be[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8),
                           (unsigned char)len};
    buf_append(b, be, sizeof be);
    buf_append(b, data, len);
}

/* Appends one attribute to a hand-built pre-image (transport 1 = string, 2 = binary). */
static void put_attribute(buf_t *b, const char *name, const char *type, int transport, const void *value,
                          size_t value_len)
{
    put_length_prefixed(b, name, strlen(name));
    put_length_prefixed(b, type, strlen(type));
    buf_putc(b, (char)transport);
    put_length_prefixed(b, value, value_len);
}

static void assert_base64_decodes(const char *text, const void *expected, size_t expected_len)
{
    size_t len = 12345;
    unsigned char *out = base64_decode(text, strlen(text), &len);
    if (!out)
        print_error("base64_decode rejected \"%s\"\n", text);
    assert_non_null(out);
    assert_int_equal(len, expected_len);
    if (expected_len)
        assert_memory_equal(out, expected, expected_len);
    assert_int_equal(out[len], '\0');
    free(out);
}

static void assert_base64_rejects_n(const char *text, size_t text_len)
{
    size_t len = 0;
    unsigned char *out = base64_decode(text, text_len, &len);
    if (out)
        print_error("base64_decode accepted \"%.*s\"\n", (int)text_len, text);
    assert_null(out);
}

static void assert_base64_rejects(const char *text)
{
    assert_base64_rejects_n(text, strlen(text));
}

static void assert_base64_encodes(const void *data, size_t len, const char *expected)
{
    char *out = base64_encode(data, len);
    assert_non_null(out);
    assert_string_equal(out, expected);
    free(out);
}

/* ------------------------------------------------------------------ md5_hex / sha256_hex / hex */

static void test_md5_hex_known_values(void **state)
{
    (void)state;
    char out[MD5_HEX_LEN];
    md5_hex("", 0, out);
    assert_string_equal(out, "d41d8cd98f00b204e9800998ecf8427e");
    /* The MD5OfMessageBody of the known-answer vectors. */
    md5_hex("Hello, SQS!", 11, out);
    assert_string_equal(out, "982e00ffc10ba49378a8653ca8fecf47");
    md5_hex("{\"order\":1234}", 14, out);
    assert_string_equal(out, "2fe9620b8b494f506df12baa76dffe38");
    md5_hex("binary test", 11, out);
    assert_string_equal(out, "123020c6b0b480c26423446019bd7cc0");
    md5_hex("hello world", 11, out);
    assert_string_equal(out, "5eb63bbbe01eeed093cb22bb8f5acdc3");
    const char cafe[] = "caf\xc3\xa9 \xe2\x98\x83";
    assert_int_equal(strlen(cafe), 9);
    md5_hex(cafe, strlen(cafe), out);
    assert_string_equal(out, "77b9ce57ca402c5d097c95bf21734337");
}

static void test_md5_hex_counts_zero_bytes(void **state)
{
    (void)state;
    char with_zero[MD5_HEX_LEN];
    char without[MD5_HEX_LEN];
    md5_hex("ab\0cd", 5, with_zero);
    md5_hex("ab", 2, without);
    assert_int_equal(strlen(with_zero), 32);
    assert_string_not_equal(with_zero, without);
}

static void test_sha256_hex(void **state)
{
    (void)state;
    char out[SHA256_HEX_LEN];
    sha256_hex("f1", 2, out);
    assert_int_equal(strlen(out), 64);
    assert_memory_equal(out, "3f524cdc", 8);
    assert_string_equal(out, "3f524cdc07a11d7c6220bdb049fe8dd41b27483c96cc59b581e022d547290d69");
    sha256_hex("", 0, out);
    assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex("abc", 3, out);
    assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_hex_encode(void **state)
{
    (void)state;
    const unsigned char data[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    char out[2 * sizeof data + 1];
    memset(out, 'x', sizeof out);
    hex_encode(data, sizeof data, out);
    assert_string_equal(out, "00017f80abff");
    hex_encode(data, 0, out);
    assert_string_equal(out, "");
}

/* ------------------------------------------------------------------ base64 */

static void test_base64_encode_rfc4648(void **state)
{
    (void)state;
    assert_base64_encodes("", 0, "");
    assert_base64_encodes("f", 1, "Zg==");
    assert_base64_encodes("fo", 2, "Zm8=");
    assert_base64_encodes("foo", 3, "Zm9v");
    assert_base64_encodes("foob", 4, "Zm9vYg==");
    assert_base64_encodes("fooba", 5, "Zm9vYmE=");
    assert_base64_encodes("foobar", 6, "Zm9vYmFy");
}

static void test_base64_encode_binary(void **state)
{
    (void)state;
    const unsigned char v3[] = {0x00, 0x01, 0x02, 0x03, 0xff};
    assert_base64_encodes(v3, sizeof v3, "AAECA/8=");
    const unsigned char v4[] = {0x00, 0x01, 0x02};
    assert_base64_encodes(v4, sizeof v4, "AAEC");
    const unsigned char zeros[4] = {0};
    assert_base64_encodes(zeros, sizeof zeros, "AAAAAA==");
    const unsigned char high[] = {0xfb, 0xff, 0xbf};
    assert_base64_encodes(high, sizeof high, "+/+/");
}

static void test_base64_decode_valid(void **state)
{
    (void)state;
    assert_base64_decodes("", "", 0);
    assert_base64_decodes("Zg==", "f", 1);
    assert_base64_decodes("Zm8=", "fo", 2);
    assert_base64_decodes("Zm9v", "foo", 3);
    assert_base64_decodes("Zm9vYg==", "foob", 4);
    assert_base64_decodes("Zm9vYmE=", "fooba", 5);
    assert_base64_decodes("Zm9vYmFy", "foobar", 6);
    const unsigned char v3[] = {0x00, 0x01, 0x02, 0x03, 0xff};
    assert_base64_decodes("AAECA/8=", v3, sizeof v3);
    const unsigned char zeros[4] = {0};
    assert_base64_decodes("AAAAAA==", zeros, sizeof zeros);
    const unsigned char high[] = {0xfb, 0xff, 0xbf};
    assert_base64_decodes("+/+/", high, sizeof high);
}

static void test_base64_decode_uses_text_len(void **state)
{
    (void)state;
    /* Only the first text_len characters are decoded. */
    size_t len = 0;
    unsigned char *out = base64_decode("Zm9vYmFy", 4, &len);
    assert_non_null(out);
    assert_int_equal(len, 3);
    assert_memory_equal(out, "foo", 3);
    free(out);
}

static void test_base64_decode_wrong_length(void **state)
{
    (void)state;
    assert_base64_rejects("Z");
    assert_base64_rejects("Zm");
    assert_base64_rejects("Zm9");
    assert_base64_rejects("Zm9vY");
    assert_base64_rejects("Zg=");
    assert_base64_rejects("Zg");
    assert_base64_rejects("Zm9vYmFyZ");
    assert_base64_rejects("AAECA/8");
}

static void test_base64_decode_bad_characters(void **state)
{
    (void)state;
    assert_base64_rejects("Zm9*");
    assert_base64_rejects("Zm 9");
    assert_base64_rejects(" Zm9v");
    assert_base64_rejects("Zm9v\n");
    assert_base64_rejects("Zm9vYmF\n");
    assert_base64_rejects("Zm-_");      /* URL-safe alphabet is not standard base64 */
    assert_base64_rejects("Zm9.");
    assert_base64_rejects("Zm\xc3\xa9");
    assert_base64_rejects_n("Zm\0v", 4); /* NUL inside the counted text */
    assert_base64_rejects_n("\0\0\0\0", 4);
}

static void test_base64_decode_bad_padding(void **state)
{
    (void)state;
    assert_base64_rejects("Zg==Zm9v"); /* padding in the middle */
    assert_base64_rejects("Zm8=Zm9v");
    assert_base64_rejects("Z=9v");
    assert_base64_rejects("Zm=v");
    assert_base64_rejects("=Zm9");
    assert_base64_rejects("Zm=9");
    assert_base64_rejects("Z===");     /* too much padding */
    assert_base64_rejects("====");
    assert_base64_rejects("Zm9v====");
    assert_base64_rejects("Zg==Zg==");
}

static void test_base64_round_trip_all_bytes(void **state)
{
    (void)state;
    unsigned char data[256];
    for (int i = 0; i < 256; i++)
        data[i] = (unsigned char)i;
    /* Every length from 0 to 256 exercises every padding case, with zero bytes inside. */
    for (size_t n = 0; n <= sizeof data; n++) {
        char *text = base64_encode(data, n);
        assert_non_null(text);
        assert_int_equal(strlen(text), 4 * ((n + 2) / 3));
        size_t len = 0;
        unsigned char *back = base64_decode(text, strlen(text), &len);
        assert_non_null(back);
        assert_int_equal(len, n);
        if (n)
            assert_memory_equal(back, data, n);
        free(back);
        free(text);
    }
}

static void test_base64_round_trip_zero_bytes(void **state)
{
    (void)state;
    const unsigned char data[] = {0x00, 0x00, 0x41, 0x00, 0x00, 0x00, 0xff, 0x00};
    for (size_t n = 1; n <= sizeof data; n++) {
        char *text = base64_encode(data, n);
        size_t len = 0;
        unsigned char *back = base64_decode(text, strlen(text), &len);
        assert_non_null(back);
        assert_int_equal(len, n);
        assert_memory_equal(back, data, n);
        free(back);
        free(text);
    }
}

/* ------------------------------------------------------------------ md5_of_attributes */

static void test_attributes_v1(void **state)
{
    (void)state;
    assert_attributes_md5("{\"City\":{\"DataType\":\"String\",\"StringValue\":\"Any City\"}}",
                          "0c32cb5c844c01fbd5b6b434b52cf670");
}

static void test_attributes_v2(void **state)
{
    (void)state;
    assert_attributes_md5("{\"Quantity\":{\"DataType\":\"Number\",\"StringValue\":\"42\"}}",
                          "6ff32dca64e98548ec6da0f1b4228b8e");
}

static void test_attributes_v3(void **state)
{
    (void)state;
    assert_attributes_md5("{\"Blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAECA/8=\"}}",
                          "e402bb7c6f77dd1e9763ea09b771ce61");
}

static void test_attributes_v4_any_order(void **state)
{
    (void)state;
    const char *city = "\"city\":{\"DataType\":\"String\",\"StringValue\":\"Any City\"}";
    const char *count = "\"count\":{\"DataType\":\"Number\",\"StringValue\":\"42\"}";
    const char *blob = "\"blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAEC\"}";
    const char *orders[6][3] = {{city, count, blob}, {city, blob, count}, {count, city, blob},
                                {count, blob, city}, {blob, city, count}, {blob, count, city}};
    for (size_t i = 0; i < 6; i++) {
        char json[512];
        snprintf(json, sizeof json, "{%s,%s,%s}", orders[i][0], orders[i][1], orders[i][2]);
        assert_attributes_md5(json, "3111639560468ffc249c542b8dc29bd7");
    }
}

static void test_attributes_v5_utf8_and_labels(void **state)
{
    (void)state;
    assert_attributes_md5("{\"price\":{\"DataType\":\"Number.float\",\"StringValue\":\"3.14\"},"
                          "\"note.custom\":{\"DataType\":\"String.utf8\",\"StringValue\":\"\xc3\xbc"
                          "ber\"}}",
                          "ff5d6169c77117fb1c3e367dbb20c8aa");
}

static void test_attributes_preimages(void **state)
{
    (void)state;
    /* Each vector's pre-image (length-prefixed name, DataType, transport byte, value) hashes to
     * its digest. */
    static const struct { const char *hex; const char *digest; } vectors[] = {
        {"00000004 43697479 00000006 537472696e67 01 00000008 416e792043697479",
         "0c32cb5c844c01fbd5b6b434b52cf670"},
        {"00000008 5175616e74697479 00000006 4e756d626572 01 00000002 3432", "6ff32dca64e98548ec6da0f1b4228b8e"},
        {"00000004 426c6f62 00000006 42696e617279 02 00000005 00010203ff", "e402bb7c6f77dd1e9763ea09b771ce61"},
        {"00000004 626c6f62 00000006 42696e617279 02 00000003 000102 "
         "00000004 63697479 00000006 537472696e67 01 00000008 416e792043697479 "
         "00000005 636f756e74 00000006 4e756d626572 01 00000002 3432",
         "3111639560468ffc249c542b8dc29bd7"},
        {"0000000b 6e6f74652e637573746f6d 0000000b 537472696e672e75746638 01 00000005 c3bc626572 "
         "00000005 7072696365 0000000c 4e756d6265722e666c6f6174 01 00000004 332e3134",
         "ff5d6169c77117fb1c3e367dbb20c8aa"},
    };
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        char out[MD5_HEX_LEN];
        md5_of_hex_preimage(vectors[i].hex, out);
        assert_string_equal(out, vectors[i].digest);
    }
}

static void test_attributes_trace_header_vectors(void **state)
{
    (void)state;
    assert_attributes_md5("{\"AWSTraceHeader\":{\"DataType\":\"String\","
                          "\"StringValue\":\"Root=1-5759e988-bd862e3fe1be46a994272793\"}}",
                          "62a56dd927315f2b2e12832b84617ea5");
    assert_attributes_md5("{\"AWSTraceHeader\":{\"DataType\":\"String\",\"StringValue\":"
                          "\"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1\"}}",
                          "5ae4d5d7636402d80f4eb6d213245a88");
}

static void test_attributes_subset_city(void **state)
{
    (void)state;
    /* Only the lower-case `city` of V4 selected (by MessageAttributeNames). */
    assert_attributes_md5("{\"city\":{\"DataType\":\"String\",\"StringValue\":\"Any City\"}}",
                          "a6ffb68ea212e1f864e24e589a1bda87");
}

static void test_attributes_sorted_by_bytes(void **state)
{
    (void)state;
    /* Upper case sorts before lower case, '-' (0x2d) < '.' (0x2e) < '_' (0x5f). */
    buf_t pre;
    buf_init(&pre);
    put_attribute(&pre, "A", "Number", 1, "4", 1);
    put_attribute(&pre, "a-b", "String", 1, "1", 1);
    put_attribute(&pre, "a.b", "String", 1, "3", 1);
    put_attribute(&pre, "a_b", "String", 1, "2", 1);
    char expected[MD5_HEX_LEN];
    md5_hex(pre.data, pre.len, expected);
    buf_free(&pre);
    assert_string_equal(expected, "081d03e8a639f3c4bf2a5ac51c5b0e20");
    assert_attributes_md5("{\"a_b\":{\"DataType\":\"String\",\"StringValue\":\"2\"},"
                          "\"a.b\":{\"DataType\":\"String\",\"StringValue\":\"3\"},"
                          "\"a-b\":{\"DataType\":\"String\",\"StringValue\":\"1\"},"
                          "\"A\":{\"DataType\":\"Number\",\"StringValue\":\"4\"}}",
                          expected);
}

static void test_attributes_binary_custom_label(void **state)
{
    (void)state;
    /* A custom label is hashed as given; Binary.* values are hashed decoded, transport 2. */
    const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x00};
    buf_t pre;
    buf_init(&pre);
    put_attribute(&pre, "B", "Binary.png", 2, png, sizeof png);
    put_attribute(&pre, "a", "String", 1, "x", 1);
    char expected[MD5_HEX_LEN];
    md5_hex(pre.data, pre.len, expected);
    buf_free(&pre);
    assert_string_equal(expected, "4fd66a52bc28732e827680b679be7a53");
    assert_attributes_md5("{\"a\":{\"DataType\":\"String\",\"StringValue\":\"x\"},"
                          "\"B\":{\"DataType\":\"Binary.png\",\"BinaryValue\":\"iVBORwA=\"}}",
                          expected);
}

static void test_attributes_empty_map_fails(void **state)
{
    (void)state;
    assert_attributes_md5_fails("{}");
    char out[MD5_HEX_LEN];
    memset(out, 'x', sizeof out);
    assert_false(md5_of_attributes(NULL, out));
    assert_string_equal(out, "");
}

static void test_attributes_invalid_binary_fails(void **state)
{
    (void)state;
    assert_attributes_md5_fails("{\"Blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"not base64!\"}}");
    assert_attributes_md5_fails("{\"Blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAECA/8\"}}");
    assert_attributes_md5_fails("{\"Blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AA==AAAA\"}}");
    /* One bad binary among good attributes fails the whole digest. */
    assert_attributes_md5_fails("{\"city\":{\"DataType\":\"String\",\"StringValue\":\"Any City\"},"
                                "\"blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"A\"}}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md5_hex_known_values),
        cmocka_unit_test(test_md5_hex_counts_zero_bytes),
        cmocka_unit_test(test_sha256_hex),
        cmocka_unit_test(test_hex_encode),
        cmocka_unit_test(test_base64_encode_rfc4648),
        cmocka_unit_test(test_base64_encode_binary),
        cmocka_unit_test(test_base64_decode_valid),
        cmocka_unit_test(test_base64_decode_uses_text_len),
        cmocka_unit_test(test_base64_decode_wrong_length),
        cmocka_unit_test(test_base64_decode_bad_characters),
        cmocka_unit_test(test_base64_decode_bad_padding),
        cmocka_unit_test(test_base64_round_trip_all_bytes),
        cmocka_unit_test(test_base64_round_trip_zero_bytes),
        cmocka_unit_test(test_attributes_v1),
        cmocka_unit_test(test_attributes_v2),
        cmocka_unit_test(test_attributes_v3),
        cmocka_unit_test(test_attributes_v4_any_order),
        cmocka_unit_test(test_attributes_v5_utf8_and_labels),
        cmocka_unit_test(test_attributes_preimages),
        cmocka_unit_test(test_attributes_trace_header_vectors),
        cmocka_unit_test(test_attributes_subset_city),
        cmocka_unit_test(test_attributes_sorted_by_bytes),
        cmocka_unit_test(test_attributes_binary_custom_label),
        cmocka_unit_test(test_attributes_empty_map_fails),
        cmocka_unit_test(test_attributes_invalid_binary_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
