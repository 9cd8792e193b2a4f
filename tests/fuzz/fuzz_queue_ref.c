/* fuzz_queue_ref: the parsers of the names a client uses for queues and functions:
 * QueueUrl resolution (registry_find_url: any host, /<account>/<name>,
 * /queue/<region>/<account>/<name>, a bare name), queue ARNs (registry_find_arn) and the
 * four FunctionName forms (function_ref_parse, src/lambda/function_name.c). The whole
 * input is the text (up to a NUL byte, as the C strings it arrives in).
 *
 * A registry with a few queues is set up once; every input goes to all three parsers.
 * Invariants beyond "no crash":
 *  - a URL resolves only to a queue whose name is the last segment of the URL's path (the
 *    part after the host, before any '?'), whose account is in that path, and whose region
 *    is the caller's or in the URL;
 *  - an ARN resolves only when it reads arn:<partition>:sqs:<region>:<account>:<name> with
 *    exactly that queue's region, account and name;
 *  - a FunctionName that parses is exactly one of name[:qualifier],
 *    <account>:function:name[:qualifier] or
 *    arn:<partition>:lambda:<region>:<account>:function:name[:qualifier] spelled with the
 *    parsed fields (nothing in the text is dropped or truncated), the name has 1 to 64
 *    characters of [A-Za-z0-9_-], and region and account are the caller's. */
#include <ctype.h>

#include "fuzz_common.h"
#include "../../src/lambda/function.h"
#include "../../src/sqs/registry.h"

#define ACCOUNT "000000000000"
#define REGION "us-east-1"

static const struct {
    const char *account, *region, *name;
} queues[] = {
    {ACCOUNT, REGION, "orders"},
    {ACCOUNT, REGION, "orders.fifo"},
    {ACCOUNT, "eu-west-1", "orders"},
    {"123456789012", REGION, "dlq"},
    {ACCOUNT, REGION, "a"},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    registry_init();
    for (size_t i = 0; i < sizeof queues / sizeof queues[0]; i++) {
        const char *name = queues[i].name;
        bool fifo = strlen(name) > 5 && strcmp(name + strlen(name) - 5, ".fifo") == 0;
        registry_add(queue_new((int64_t)i + 1, queues[i].account, queues[i].region, name, fifo));
    }
    return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void check_url(const char *text)
{
    sqs_queue *q = registry_find_url(text, ACCOUNT, REGION);
    if (!q)
        return;
    if (!strchr(text, '/')) {
        FUZZ_CHECK(strcmp(text, q->name) == 0 && strcmp(q->account, ACCOUNT) == 0 && strcmp(q->region, REGION) == 0,
                   "bare name %s resolved to %s", text, q->arn);
        return;
    }
    /* The host (anything up to the first '/' after "://") does not name the queue. */
    const char *scheme = strstr(text, "://");
    const char *after_host = scheme ? strchr(scheme + 3, '/') : text;
    FUZZ_CHECK(after_host, "URL %s without a path resolved to %s", text, q->arn);
    char *path = xstrdup(after_host);
    char *qmark = strchr(path, '?');
    if (qmark)
        *qmark = '\0';
    size_t n = strlen(path);
    while (n > 0 && path[n - 1] == '/')
        path[--n] = '\0';
    const char *slash = strrchr(path, '/');
    const char *last = slash ? slash + 1 : path;
    FUZZ_CHECK(strcmp(last, q->name) == 0, "URL %s resolved to queue %s", text, q->arn);
    FUZZ_CHECK(strstr(path, q->account) != NULL, "URL %s resolved to account %s", text, q->account);
    FUZZ_CHECK(strcmp(q->region, REGION) == 0 || strstr(text, q->region) != NULL, "URL %s resolved to region %s",
               text, q->region);
    free(path);
}

static void check_arn(const char *text)
{
    sqs_queue *q = registry_find_arn(text);
    if (!q)
        return;
    char suffix[256];
    snprintf(suffix, sizeof suffix, ":sqs:%s:%s:%s", q->region, q->account, q->name);
    const char *partition_end = strchr(text + 4, ':');
    FUZZ_CHECK(strncmp(text, "arn:", 4) == 0 && partition_end && strcmp(partition_end, suffix) == 0,
               "ARN %s resolved to %s", text, q->arn);
}

static void check_function_ref(const char *text)
{
    lambda_ctx ctx = {.account = ACCOUNT, .region = REGION, .now_ms = 0};
    function_ref ref;
    lambda_error err;
    memset(&err, 0, sizeof err);
    if (!function_ref_parse(&ctx, text, &ref, &err)) {
        FUZZ_CHECK(err.kind != LAMBDA_OK && err.message[0], "a rejected FunctionName without an error: %s", text);
        return;
    }
    size_t name_len = strlen(ref.name);
    FUZZ_CHECK(name_len >= 1 && name_len <= 64, "parsed name of length %zu from %s", name_len, text);
    for (size_t i = 0; i < name_len; i++)
        FUZZ_CHECK(isalnum((unsigned char)ref.name[i]) || ref.name[i] == '-' || ref.name[i] == '_',
                   "parsed name %s from %s", ref.name, text);
    FUZZ_CHECK(strcmp(ref.account, ACCOUNT) == 0 && strcmp(ref.region, REGION) == 0,
               "parsed %s into another account/region (%s, %s)", text, ref.account, ref.region);

    char tail[512];
    snprintf(tail, sizeof tail, "%s%s%s", ref.name, ref.qualifier[0] ? ":" : "", ref.qualifier);
    FUZZ_CHECK(ends_with(text, tail), "FunctionName %s parsed as name %s qualifier %s", text, ref.name,
               ref.qualifier);
    size_t prefix_len = strlen(text) - strlen(tail);
    char *prefix = xstrndup(text, prefix_len);
    bool shaped = false;
    if (prefix_len == 0) {
        shaped = !ref.has_arn_account;
    } else if (strncmp(prefix, "arn:", 4) == 0) {
        const char *partition_end = strchr(prefix + 4, ':');
        char expected[256];
        snprintf(expected, sizeof expected, ":lambda:%s:%s:function:", ref.region, ref.account);
        shaped = ref.has_arn_account && partition_end && strcmp(partition_end, expected) == 0;
    } else {
        char expected[256];
        snprintf(expected, sizeof expected, "%s:function:", ref.account);
        shaped = ref.has_arn_account && strcmp(prefix, expected) == 0;
    }
    FUZZ_CHECK(shaped, "FunctionName %s parsed as account %s region %s name %s qualifier %s", text, ref.account,
               ref.region, ref.name, ref.qualifier);
    free(prefix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    check_url(text);
    check_arn(text);
    check_function_ref(text);
    free(text);
    return 0;
}
