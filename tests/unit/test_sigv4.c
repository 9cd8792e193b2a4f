/* test_sigv4: SigV4 verification against AWS's published test-suite vectors (service
 * "service", us-east-1, AKIDEXAMPLE, 20150830T123600Z), AWS's documented presigned-URL
 * and aws-chunked examples, malformed signatures, the key table and the loopback rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sqsemu/auth.h"
#include "sqsemu/auth_keys.h"
#include "sqsemu/buf.h"
#include "sqsemu/sigv4.h"

#define SUITE_KEY "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_DATE "20150830T123600Z"
#define SUITE_SCOPE SUITE_KEY "/20150830/us-east-1/service/aws4_request"
#define DOC_KEY "AKIAIOSFODNN7EXAMPLE"
#define DOC_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

/* ------------------------------------------------------------------ a request to verify */

typedef struct header {
    const char *name;
    const char *value;
} header;

typedef struct test_request {
    const char *method;
    const char *path;
    const char *query;
    header headers[12];
    const char *body;
    size_t body_len;
    int64_t now;
    const char *service;
    int max_skew;
} test_request;

static const char *lookup(void *ctx, const char *name, size_t index)
{
    const test_request *t = ctx;
    for (int i = 0; i < 12 && t->headers[i].name; i++) {
        if (strcasecmp(t->headers[i].name, name) == 0) {
            if (index == 0)
                return t->headers[i].value;
            index--;
        }
    }
    return NULL;
}

static sigv4_keys suite_keys(void)
{
    sigv4_keys keys = {0};
    char err[256];
    assert_true(auth_keys_add(&keys, SUITE_KEY, SUITE_SECRET, NULL, err, sizeof err));
    assert_true(auth_keys_add(&keys, DOC_KEY, DOC_SECRET, "123456789012", err, sizeof err));
    return keys;
}

static int64_t at(const char *timestamp)
{
    int64_t t = 0;
    assert_true(sigv4_parse_time(timestamp, &t));
    return t;
}

static sigv4_status verify(test_request *t, sigv4_result *out)
{
    sigv4_keys keys = suite_keys();
    sigv4_request req = {
        .method = t->method ? t->method : "GET",
        .path = t->path ? t->path : "/",
        .query = t->query ? t->query : "",
        .header = lookup,
        .header_ctx = t,
        .body = t->body ? t->body : "",
        .body_len = t->body ? (t->body_len ? t->body_len : strlen(t->body)) : 0,
        .now = t->now ? t->now : at(SUITE_DATE),
        .service = t->service,
        .max_skew = t->max_skew ? t->max_skew : 900,
    };
    sigv4_status status = sigv4_verify(&req, &keys, out);
    if (status == SIGV4_OK) {
        assert_non_null(out->key);
        /* keys are freed below: keep only what the tests look at */
        out->key = NULL;
    }
    auth_keys_free(&keys);
    return status;
}

static char *suite_authorization(const char *signed_headers, const char *signature)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "AWS4-HMAC-SHA256 Credential=" SUITE_SCOPE ", SignedHeaders=%s, Signature=%s", signed_headers,
               signature);
    return buf_detach(&b, NULL);
}

/* One vector of AWS's suite: GET <path>?<query> with Host and X-Amz-Date signed. */
static void assert_get_vector(const char *path, const char *query, const char *signature)
{
    char *authz = suite_authorization("host;x-amz-date", signature);
    test_request t = {
        .path = path,
        .query = query,
        .headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", SUITE_DATE}, {"Authorization", authz}},
    };
    sigv4_result r;
    sigv4_status status = verify(&t, &r);
    if (status != SIGV4_OK)
        fail_msg("%s?%s: %s\n%s", path, query, r.message, r.canonical_request ? r.canonical_request : "");
    assert_string_equal(r.access_key, SUITE_KEY);
    assert_string_equal(r.region, "us-east-1");
    assert_string_equal(r.service, "service");
    sigv4_result_free(&r);
    free(authz);
}

/* ------------------------------------------------------------------ AWS's suite */

static void test_get_vanilla(void **state)
{
    (void)state;
    assert_get_vector("/", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

static void test_get_vanilla_query_order_key_case(void **state)
{
    (void)state;
    assert_get_vector("/", "Param2=value2&Param1=value1",
                      "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

static void test_get_vanilla_query_order_encoded(void **state)
{
    (void)state;
    assert_get_vector("/", "Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
                      "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac");
}

static void test_get_vanilla_utf8_query(void **state)
{
    (void)state;
    assert_get_vector("/", "\xe1\x88\xb4=bar", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04");
}

static void test_get_vanilla_query_unreserved(void **state)
{
    (void)state;
    const char *unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    char query[256];
    snprintf(query, sizeof query, "%s=%s", unreserved, unreserved);
    assert_get_vector("/", query, "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197");
}

static void test_get_vanilla_empty_query_key(void **state)
{
    (void)state;
    assert_get_vector("/", "Param1=value1", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb");
}

static void test_get_utf8(void **state)
{
    (void)state;
    assert_get_vector("/\xe1\x88\xb4", "", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
}

static void test_get_space(void **state)
{
    (void)state;
    assert_get_vector("/example space/", "", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741");
}

static void test_get_unreserved(void **state)
{
    (void)state;
    assert_get_vector("/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "",
                      "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f");
}

static void test_normalized_paths(void **state)
{
    (void)state;
    const char *vanilla = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    assert_get_vector("/example1/example2/../..", "", vanilla); /* get-relative-relative-normalized */
    assert_get_vector("/./", "", vanilla);                      /* get-slash-dot-slash-normalized */
    assert_get_vector("/./example", "", "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5");
    assert_get_vector("//example//", "", "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84");
}

static void assert_header_vector(header extra[3], const char *signed_headers, const char *signature)
{
    char *authz = suite_authorization(signed_headers, signature);
    test_request t = {.headers = {{"Host", "example.amazonaws.com"}}};
    int n = 1;
    for (int i = 0; i < 4 && extra[i].name; i++)
        t.headers[n++] = extra[i];
    t.headers[n++] = (header){"X-Amz-Date", SUITE_DATE};
    t.headers[n++] = (header){"Authorization", authz};
    sigv4_result r;
    if (verify(&t, &r) != SIGV4_OK)
        fail_msg("%s: %s\n%s", signed_headers, r.message, r.canonical_request ? r.canonical_request : "");
    sigv4_result_free(&r);
    free(authz);
}

static void test_get_header_value_trim(void **state)
{
    (void)state;
    header extra[5] = {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}};
    assert_header_vector(extra, "host;my-header1;my-header2;x-amz-date",
                         "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
}

static void test_get_header_key_duplicate(void **state)
{
    (void)state;
    header extra[5] = {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}};
    assert_header_vector(extra, "host;my-header1;x-amz-date",
                         "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea");
}

static void test_get_header_value_order(void **state)
{
    (void)state;
    header extra[5] = {{"My-Header1", "value4"}, {"My-Header1", "value1"}, {"My-Header1", "value3"},
                       {"My-Header1", "value2"}};
    assert_header_vector(extra, "host;my-header1;x-amz-date",
                         "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01");
}

static void test_get_header_value_multiline(void **state)
{
    (void)state;
    /* The suite's request folds the value over three lines ("value1\n  value2\n     value3")
     * and its canonical request reads "my-header1:value1,value2,value3": each folded line
     * is a value of its own, which is how they arrive here. */
    header extra[5] = {{"My-Header1", "value1"}, {"My-Header1", "  value2"}, {"My-Header1", "     value3"}};
    assert_header_vector(extra, "host;my-header1;x-amz-date",
                         "ba17b383a53190154eb5fa66a1b836cc297cc0a3d70a5d00705980573d8ff790");
}

static void test_post_x_www_form_urlencoded(void **state)
{
    (void)state;
    char *authz = suite_authorization("content-length;content-type;host;x-amz-content-sha256;x-amz-date",
                                      "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b");
    test_request t = {
        .method = "POST",
        .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                    {"Host", "example.amazonaws.com"},
                    {"Content-Length", "13"},
                    {"x-amz-content-sha256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"},
                    {"Authorization", authz},
                    {"X-Amz-Date", SUITE_DATE}},
        .body = "Param1=value1",
    };
    sigv4_result r;
    assert_int_equal(verify(&t, &r), SIGV4_OK);
    sigv4_result_free(&r);
    /* The same request with another body: the declared hash no longer matches. */
    t.body = "Param1=value2";
    assert_int_equal(verify(&t, &r), SIGV4_MISMATCH);
    assert_string_equal(r.message, "The provided 'x-amz-content-sha256' header does not match what was computed.");
    sigv4_result_free(&r);
    free(authz);
}

/* ------------------------------------------------------------------ canonical forms */

static void test_canonical_uri(void **state)
{
    (void)state;
    struct {
        const char *raw, *canonical;
    } cases[] = {
        {"", "/"},
        {"/", "/"},
        {"/example space/", "/example%20space/"},
        /* What botocore and the JS SDK sign for non-S3 services: the encoded path, encoded again. */
        {"/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations",
         "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A000000000000%253Afunction%253Af/invocations"},
        {"/000000000000/my-queue", "/000000000000/my-queue"},
        {"/a/./b/../c/", "/a/c/"},
        {"/..", "/"},
        {"/a//b", "/a/b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = sigv4_canonical_uri(cases[i].raw);
        assert_string_equal(got, cases[i].canonical);
        free(got);
    }
}

static void test_canonical_query(void **state)
{
    (void)state;
    char *q = sigv4_canonical_query("b=2&a=%7e1&A=x%2fy&a=0&flag&sp=a%20b&plus=a+b", false);
    assert_string_equal(q, "A=x%2Fy&a=0&a=~1&b=2&flag=&plus=a%2Bb&sp=a%20b");
    free(q);
    q = sigv4_canonical_query("X-Amz-Signature=abc&Action=ListQueues", true);
    assert_string_equal(q, "Action=ListQueues");
    free(q);
    q = sigv4_canonical_query("", false);
    assert_string_equal(q, "");
    free(q);
}

static void test_time_round_trip(void **state)
{
    (void)state;
    int64_t t;
    assert_true(sigv4_parse_time(SUITE_DATE, &t));
    assert_int_equal(t, 1440938160);
    char text[17];
    sigv4_format_time(t, text);
    assert_string_equal(text, SUITE_DATE);
    assert_false(sigv4_parse_time("2015-08-30T12:36:00Z", &t));
    assert_false(sigv4_parse_time("20151330T123600Z", &t));
    assert_false(sigv4_parse_time("20150830T123600", &t));
}

/* ------------------------------------------------------------------ presigned URLs */

/* AWS's documented example (S3's "GET Object" presigned URL, signed with UNSIGNED-PAYLOAD). */
static test_request doc_presigned(const char *signature)
{
    static char query[512];
    snprintf(query, sizeof query, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" DOC_KEY
             "%%2F20130524%%2Fus-east-1%%2Fs3%%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400"
             "&X-Amz-SignedHeaders=host&X-Amz-Signature=%s", signature);
    return (test_request){
        .path = "/test.txt",
        .query = query,
        .headers = {{"Host", "examplebucket.s3.amazonaws.com"}},
        .now = at("20130524T000000Z") + 3600,
        .service = "s3",
    };
}

static void test_presigned_doc_example(void **state)
{
    (void)state;
    const char *sig = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    test_request t = doc_presigned(sig);
    sigv4_result r;
    assert_int_equal(verify(&t, &r), SIGV4_OK);
    assert_true(r.presigned);
    assert_string_equal(r.access_key, DOC_KEY);
    sigv4_result_free(&r);

    t.now = at("20130524T000000Z") + 86401;
    assert_int_equal(verify(&t, &r), SIGV4_EXPIRED);
    assert_string_equal(r.message, "Request has expired: X-Amz-Date 20130524T000000Z plus X-Amz-Expires 86400 "
                                   "seconds is earlier than 20130525T000001Z.");
    sigv4_result_free(&r);

    t = doc_presigned("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d405");
    assert_int_equal(verify(&t, &r), SIGV4_MISMATCH);
    assert_non_null(r.canonical_request);
    sigv4_result_free(&r);

    /* Signed more than the skew in the future. */
    t = doc_presigned(sig);
    t.now = at("20130524T000000Z") - 901;
    assert_int_equal(verify(&t, &r), SIGV4_SKEWED);
    sigv4_result_free(&r);
}

static void test_presign_round_trip(void **state)
{
    (void)state;
    int64_t now = at(SUITE_DATE);
    sigv4_presign p = {
        .method = "GET",
        .host = "127.0.0.1:9324",
        .path = "/_sqsemu/lambda/code/my-fn.zip",
        .query = "",
        .access_key = SUITE_KEY,
        .secret = SUITE_SECRET,
        .region = "eu-west-1",
        .service = "lambda",
        .now = now,
        .expires = 600,
    };
    char *query = sigv4_presign_query(&p);
    assert_non_null(strstr(query, "X-Amz-Credential=" SUITE_KEY "%2F20150830%2Feu-west-1%2Flambda%2Faws4_request"));
    assert_non_null(strstr(query, "&X-Amz-Expires=600&"));
    test_request t = {
        .path = p.path,
        .query = query,
        .headers = {{"Host", "127.0.0.1:9324"}},
        .now = now + 599,
        .service = "lambda",
        .max_skew = 300,
    };
    sigv4_result r;
    assert_int_equal(verify(&t, &r), SIGV4_OK);
    assert_string_equal(r.region, "eu-west-1");
    sigv4_result_free(&r);
    t.now = now + 601;
    assert_int_equal(verify(&t, &r), SIGV4_EXPIRED);
    sigv4_result_free(&r);
    t.now = now;
    t.headers[0].value = "localhost:9324"; /* fetched with another Host */
    assert_int_equal(verify(&t, &r), SIGV4_MISMATCH);
    sigv4_result_free(&r);
    t.headers[0].value = "127.0.0.1:9324";
    t.service = "sqs";
    assert_int_equal(verify(&t, &r), SIGV4_MISMATCH);
    assert_string_equal(r.message, "Credential should be scoped to correct service: 'sqs'.");
    sigv4_result_free(&r);
    free(query);
}

/* ------------------------------------------------------------------ aws-chunked */

#define CHUNK1 "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
#define CHUNK2 "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
#define CHUNK3 "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"

/* AWS's documented example: 66560 'a's as 64 KiB + 1 KiB chunks and the final empty one. */
static char *doc_chunked_body(size_t *len, bool with_final)
{
    buf_t b;
    buf_init(&b);
    char *data = xmalloc(65536);
    memset(data, 'a', 65536);
    buf_puts(&b, "10000;chunk-signature=" CHUNK1 "\r\n");
    buf_append(&b, data, 65536);
    buf_puts(&b, "\r\n400;chunk-signature=" CHUNK2 "\r\n");
    buf_append(&b, data, 1024);
    buf_puts(&b, "\r\n");
    if (with_final)
        buf_puts(&b, "0;chunk-signature=" CHUNK3 "\r\n\r\n");
    free(data);
    return buf_detach(&b, len);
}

static test_request doc_chunked_request(const char *body, size_t len)
{
    return (test_request){
        .method = "PUT",
        .path = "/examplebucket/chunkObject.txt",
        .headers = {{"Host", "s3.amazonaws.com"},
                    {"x-amz-date", "20130524T000000Z"},
                    {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                    {"Authorization", "AWS4-HMAC-SHA256 Credential=" DOC_KEY "/20130524/us-east-1/s3/aws4_request,"
                                      "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;"
                                      "x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature="
                                      "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"},
                    {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
                    {"Content-Encoding", "aws-chunked"},
                    {"x-amz-decoded-content-length", "66560"},
                    {"Content-Length", "66824"}},
        .body = body,
        .body_len = len,
        .now = at("20130524T000000Z") + 60,
        .service = "s3",
    };
}

static void test_chunked_doc_example(void **state)
{
    (void)state;
    size_t len;
    char *body = doc_chunked_body(&len, true);
    assert_int_equal(len, 66824);
    test_request t = doc_chunked_request(body, len);
    sigv4_result r;
    if (verify(&t, &r) != SIGV4_OK)
        fail_msg("%s", r.message);
    assert_true(r.body_decoded);
    assert_int_equal(r.decoded_len, 66560);
    for (size_t i = 0; i < r.decoded_len; i++) {
        if (r.decoded_body[i] != 'a')
            fail_msg("decoded byte %zu is %d", i, r.decoded_body[i]);
    }
    sigv4_result_free(&r);

    size_t decoded_len;
    char *decoded = sigv4_decode_chunked_unverified(body, len, &decoded_len);
    assert_non_null(decoded);
    assert_int_equal(decoded_len, 66560);
    free(decoded);

    /* One byte of the second chunk changed: its signature no longer verifies. */
    body[65536 + 100 + 90] = 'b';
    assert_int_equal(verify(&t, &r), SIGV4_MISMATCH);
    assert_non_null(strstr(r.message, "a chunk signature does not match"));
    sigv4_result_free(&r);
    free(body);

    /* Without the final chunk the body is incomplete. */
    body = doc_chunked_body(&len, false);
    t = doc_chunked_request(body, len);
    assert_int_equal(verify(&t, &r), SIGV4_INCOMPLETE);
    sigv4_result_free(&r);
    free(body);
}

/* ------------------------------------------------------------------ errors */

static sigv4_status verify_authz(const char *authz, const char *date, sigv4_result *r)
{
    test_request t = {.headers = {{"Host", "example.amazonaws.com"}, {"Authorization", authz}}};
    if (date)
        t.headers[2] = (header){"X-Amz-Date", date};
    return verify(&t, r);
}

static void assert_authz(const char *authz, const char *date, sigv4_status status, const char *message)
{
    sigv4_result r;
    assert_int_equal(verify_authz(authz, date, &r), status);
    if (message)
        assert_string_equal(r.message, message);
    sigv4_result_free(&r);
}

static void test_missing_authentication(void **state)
{
    (void)state;
    test_request t = {.headers = {{"Host", "example.amazonaws.com"}}};
    sigv4_result r;
    assert_int_equal(verify(&t, &r), SIGV4_MISSING);
    assert_string_equal(r.message, "Request is missing Authentication Token");
    sigv4_result_free(&r);
    assert_authz("AWS AKIDEXAMPLE:c2lnbmF0dXJl", SUITE_DATE, SIGV4_MISSING, NULL); /* SigV2 */
    assert_authz("", SUITE_DATE, SIGV4_MISSING, NULL);
}

static void test_malformed_authorization(void **state)
{
    (void)state;
    const char *sig = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    char authz[512];
    snprintf(authz, sizeof authz, "AWS4-HMAC-SHA256 Credential=" SUITE_SCOPE ", SignedHeaders=host;x-amz-date");
    assert_authz(authz, SUITE_DATE, SIGV4_INCOMPLETE,
                 "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 "
                 "Credential=" SUITE_SCOPE ", SignedHeaders=host;x-amz-date");
    snprintf(authz, sizeof authz, "AWS4-HMAC-SHA256 Credential=" SUITE_SCOPE ", SignedHeaders=host;x-amz-date, "
             "Signature=%s", sig);
    assert_authz(authz, NULL, SIGV4_INCOMPLETE,
                 "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                 "Authorization=AWS4-HMAC-SHA256 Credential=" SUITE_SCOPE ", SignedHeaders=host;x-amz-date, "
                 "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    assert_authz(authz, "2015-08-30", SIGV4_INCOMPLETE,
                 "Date must be in ISO-8601 'basic format'. Got '2015-08-30'. See http://en.wikipedia.org/wiki/ISO_8601");
    assert_authz("AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=x", SUITE_DATE, SIGV4_INCOMPLETE,
                 "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: "
                 "'AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=x'.");
    snprintf(authz, sizeof authz, "AWS4-HMAC-SHA512 Credential=" SUITE_SCOPE ", SignedHeaders=host;x-amz-date, "
             "Signature=%s", sig);
    assert_authz(authz, SUITE_DATE, SIGV4_INCOMPLETE,
                 "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ");
    snprintf(authz, sizeof authz, "AWS4-HMAC-SHA256 Credential=" SUITE_KEY "/20150830/us-east-1/service, "
             "SignedHeaders=host;x-amz-date, Signature=%s", sig);
    assert_authz(authz, SUITE_DATE, SIGV4_INCOMPLETE,
                 "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got "
                 "'" SUITE_KEY "/20150830/us-east-1/service'");
    snprintf(authz, sizeof authz, "AWS4-HMAC-SHA256 Credential=" SUITE_SCOPE ", SignedHeaders=x-amz-date, "
             "Signature=%s", sig);
    assert_authz(authz, SUITE_DATE, SIGV4_MISMATCH, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    snprintf(authz, sizeof authz, "AWS4-HMAC-SHA256 Credential=" SUITE_KEY "/20150831/us-east-1/service/aws4_req, "
             "SignedHeaders=host;x-amz-date, Signature=%s", sig);
    assert_authz(authz, SUITE_DATE, SIGV4_MISMATCH,
                 "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_req'. Date in "
                 "Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != "
                 "'20150830', from '20150830T123600Z'.");
}

static void test_unknown_key_and_wrong_secret(void **state)
{
    (void)state;
    const char *sig = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    char authz[512];
    snprintf(authz, sizeof authz, "AWS4-HMAC-SHA256 Credential=AKIDUNKNOWN/20150830/us-east-1/service/aws4_request, "
             "SignedHeaders=host;x-amz-date, Signature=%s", sig);
    assert_authz(authz, SUITE_DATE, SIGV4_UNKNOWN_KEY, "The security token included in the request is invalid.");

    /* One digit off: the signature does not match; the canonical request is reported. */
    snprintf(authz, sizeof authz, "AWS4-HMAC-SHA256 Credential=" SUITE_SCOPE ", SignedHeaders=host;x-amz-date, "
             "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf32");
    sigv4_result r;
    assert_int_equal(verify_authz(authz, SUITE_DATE, &r), SIGV4_MISMATCH);
    assert_string_equal(r.message, "The request signature we calculated does not match the signature you provided. "
                                   "Check your AWS Secret Access Key and signing method. Consult the service "
                                   "documentation for details.");
    assert_string_equal(r.canonical_request, "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                                             "host;x-amz-date\n"
                                             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_string_equal(r.string_to_sign, "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                                          "aws4_request\n"
                                          "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    sigv4_result_free(&r);
    /* A short or upper-case signature is just as wrong. */
    snprintf(authz, sizeof authz, "AWS4-HMAC-SHA256 Credential=" SUITE_SCOPE ", SignedHeaders=host;x-amz-date, "
             "Signature=5FA00FA31553B73EBF1942676E86291E8372FF2A2260956D9B8AAE1D763FBF31");
    assert_authz(authz, SUITE_DATE, SIGV4_MISMATCH, NULL);
    snprintf(authz, sizeof authz, "AWS4-HMAC-SHA256 Credential=" SUITE_SCOPE ", SignedHeaders=host;x-amz-date, "
             "Signature=5fa0");
    assert_authz(authz, SUITE_DATE, SIGV4_MISMATCH, NULL);
}

static void test_clock_skew(void **state)
{
    (void)state;
    char *authz = suite_authorization("host;x-amz-date",
                                      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    test_request t = {.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", SUITE_DATE},
                                  {"Authorization", authz}}};
    sigv4_result r;
    t.now = at(SUITE_DATE) + 900; /* exactly at the limit: fine */
    assert_int_equal(verify(&t, &r), SIGV4_OK);
    sigv4_result_free(&r);
    t.now = at("20150830T125200Z");
    assert_int_equal(verify(&t, &r), SIGV4_SKEWED);
    assert_string_equal(r.message, "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
                                   "(20150830T125200Z - 15 min.)");
    sigv4_result_free(&r);
    t.now = at("20150830T122000Z");
    assert_int_equal(verify(&t, &r), SIGV4_SKEWED);
    assert_string_equal(r.message, "Signature not yet current: 20150830T123600Z is still later than "
                                   "20150830T123500Z (20150830T122000Z + 15 min.)");
    sigv4_result_free(&r);
    t.now = at("20150830T124200Z");
    t.max_skew = 300;
    assert_int_equal(verify(&t, &r), SIGV4_SKEWED);
    assert_string_equal(r.message, "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
                                   "(20150830T124200Z - 5 min.)");
    sigv4_result_free(&r);
    free(authz);
}

static void test_unsigned_payload_and_bad_hash(void **state)
{
    (void)state;
    /* UNSIGNED-PAYLOAD is taken as the payload hash; the body is then not covered. */
    char *canonical_fail;
    {
        test_request t = {.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", SUITE_DATE},
                                      {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"},
                                      {"Authorization", "AWS4-HMAC-SHA256 Credential=" SUITE_SCOPE ", "
                                                        "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
                                                        "Signature=0000000000000000000000000000000000000000000000000000000000000000"}}};
        sigv4_result r;
        assert_int_equal(verify(&t, &r), SIGV4_MISMATCH);
        canonical_fail = xstrdup(r.canonical_request);
        sigv4_result_free(&r);
    }
    assert_non_null(strstr(canonical_fail, "\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n"));
    size_t n = strlen(canonical_fail);
    assert_true(n > 16 && strcmp(canonical_fail + n - 17, "\nUNSIGNED-PAYLOAD") == 0);
    free(canonical_fail);
    test_request t = {.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", SUITE_DATE},
                                  {"x-amz-content-sha256", "not-a-hash"},
                                  {"Authorization", "AWS4-HMAC-SHA256 Credential=" SUITE_SCOPE ", "
                                                    "SignedHeaders=host;x-amz-date, Signature=00"}}};
    sigv4_result r;
    assert_int_equal(verify(&t, &r), SIGV4_INCOMPLETE);
    sigv4_result_free(&r);
}

/* ------------------------------------------------------------------ the key table */

static void test_key_specs(void **state)
{
    (void)state;
    sigv4_keys keys = {0};
    char err[256];
    assert_true(auth_keys_add_spec(&keys, "local:secret", err, sizeof err));
    assert_true(auth_keys_add_spec(&keys, "111122223333:s3cr3t/+x", err, sizeof err));
    assert_true(auth_keys_add_spec(&keys, "team:pw:444455556666", err, sizeof err));
    assert_int_equal(keys.count, 3);
    assert_string_equal(auth_key_account(&keys.items[0], "000000000000"), "000000000000");
    assert_string_equal(auth_key_account(&keys.items[1], "000000000000"), "111122223333");
    assert_string_equal(auth_key_account(&keys.items[2], "000000000000"), "444455556666");
    assert_string_equal(sigv4_keys_find(&keys, "team")->secret, "pw");
    assert_null(sigv4_keys_find(&keys, "nobody"));
    assert_false(auth_keys_add_spec(&keys, "nosecret", err, sizeof err));
    assert_false(auth_keys_add_spec(&keys, "k:s:1234", err, sizeof err));
    assert_string_equal(err, "the account of k must be 12 digits");
    assert_false(auth_keys_add_spec(&keys, "k:s:123456789012:x", err, sizeof err));
    assert_false(auth_keys_add_spec(&keys, "local:again", err, sizeof err));
    assert_string_equal(err, "the access key id local is given twice");
    assert_false(auth_keys_add_spec(&keys, "a/b:s", err, sizeof err));
    assert_false(auth_keys_add_spec(&keys, ":s", err, sizeof err));
    assert_false(auth_keys_add_spec(&keys, "k:", err, sizeof err));
    assert_null(strstr(err, "s3cr3t"));
    auth_keys_free(&keys);
}

static char *write_file(const char *text, mode_t mode)
{
    char *path = xstrdup("/tmp/sqsemu-keys-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    chmod(path, mode);
    return path;
}

static void test_key_file(void **state)
{
    (void)state;
    char *path = write_file("# sqsemu keys\n\n  AKIDEXAMPLE  wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\t123456789012\n"
                            "local-dev devsecret\n   # indented comment\n", 0600);
    sigv4_keys keys = {0};
    bool exposed = true;
    char err[512];
    assert_true(auth_keys_load_file(&keys, path, &exposed, err, sizeof err));
    assert_false(exposed);
    assert_int_equal(keys.count, 2);
    assert_string_equal(keys.items[0].account, "123456789012");
    assert_string_equal(keys.items[1].secret, "devsecret");
    auth_keys_free(&keys);
    chmod(path, 0644);
    assert_true(auth_keys_load_file(&keys, path, &exposed, err, sizeof err));
    assert_true(exposed);
    auth_keys_free(&keys);
    unlink(path);
    free(path);

    path = write_file("good secret\nonly-a-key\n", 0600);
    assert_false(auth_keys_load_file(&keys, path, &exposed, err, sizeof err));
    char expected[256];
    snprintf(expected, sizeof expected, "%s:2: expected KEY SECRET [ACCOUNT], found 1 field", path);
    assert_string_equal(err, expected);
    auth_keys_free(&keys);
    unlink(path);
    free(path);

    path = write_file("k s 12345\n", 0600);
    assert_false(auth_keys_load_file(&keys, path, &exposed, err, sizeof err));
    snprintf(expected, sizeof expected, "%s:1: the account of k must be 12 digits", path);
    assert_string_equal(err, expected);
    auth_keys_free(&keys);
    unlink(path);
    free(path);

    path = write_file("# nothing\n", 0600);
    assert_false(auth_keys_load_file(&keys, path, &exposed, err, sizeof err));
    auth_keys_free(&keys);
    unlink(path);
    free(path);

    assert_false(auth_keys_load_file(&keys, "/nonexistent/sqsemu-keys", &exposed, err, sizeof err));
    assert_non_null(strstr(err, "cannot read /nonexistent/sqsemu-keys"));
}

/* ------------------------------------------------------------------ loopback */

static void test_loopback_addresses(void **state)
{
    (void)state;
    assert_true(auth_address_is_loopback("127.0.0.1"));
    assert_true(auth_address_is_loopback("127.255.3.4"));
    assert_true(auth_address_is_loopback("::1"));
    assert_true(auth_address_is_loopback("::ffff:127.0.0.1"));
    assert_false(auth_address_is_loopback("0.0.0.0"));
    assert_false(auth_address_is_loopback("::"));
    assert_false(auth_address_is_loopback("10.0.0.7"));
    assert_false(auth_address_is_loopback("128.0.0.1"));
    assert_false(auth_address_is_loopback("::ffff:10.0.0.1"));
    assert_false(auth_address_is_loopback("fe80::1"));
    assert_false(auth_address_is_loopback("localhost")); /* names are resolved by auth_host_is_loopback */
    assert_true(auth_host_is_loopback("127.0.0.1"));
    assert_true(auth_host_is_loopback("::1"));
    assert_false(auth_host_is_loopback("0.0.0.0"));
    assert_false(auth_host_is_loopback("192.0.2.1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_vanilla),
        cmocka_unit_test(test_get_vanilla_query_order_key_case),
        cmocka_unit_test(test_get_vanilla_query_order_encoded),
        cmocka_unit_test(test_get_vanilla_utf8_query),
        cmocka_unit_test(test_get_vanilla_query_unreserved),
        cmocka_unit_test(test_get_vanilla_empty_query_key),
        cmocka_unit_test(test_get_utf8),
        cmocka_unit_test(test_get_space),
        cmocka_unit_test(test_get_unreserved),
        cmocka_unit_test(test_normalized_paths),
        cmocka_unit_test(test_get_header_value_trim),
        cmocka_unit_test(test_get_header_key_duplicate),
        cmocka_unit_test(test_get_header_value_order),
        cmocka_unit_test(test_get_header_value_multiline),
        cmocka_unit_test(test_post_x_www_form_urlencoded),
        cmocka_unit_test(test_canonical_uri),
        cmocka_unit_test(test_canonical_query),
        cmocka_unit_test(test_time_round_trip),
        cmocka_unit_test(test_presigned_doc_example),
        cmocka_unit_test(test_presign_round_trip),
        cmocka_unit_test(test_chunked_doc_example),
        cmocka_unit_test(test_missing_authentication),
        cmocka_unit_test(test_malformed_authorization),
        cmocka_unit_test(test_unknown_key_and_wrong_secret),
        cmocka_unit_test(test_clock_skew),
        cmocka_unit_test(test_unsigned_payload_and_bad_hash),
        cmocka_unit_test(test_key_specs),
        cmocka_unit_test(test_key_file),
        cmocka_unit_test(test_loopback_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
