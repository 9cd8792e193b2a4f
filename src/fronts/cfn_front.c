/* fronts/cfn_front: CloudFormation on the API port (AWS CloudFormation API Reference, query
 * protocol 2010-05-15). It takes the requests whose SigV4 credential scope names the
 * "cloudformation" service, in the Authorization header or a presigned X-Amz-Credential:
 * the server picks a front on the request line and headers, before the body is read, and
 * the scope is the header that says which service a client addresses. An unsigned request
 * names no service before its body: it goes to the SQS front, which hands it here when its
 * Action is a CloudFormation action and not an SQS one (cfn_front_takes_unsigned). The
 * parameters (query string and form body) are decoded with cfn_query, the action runs in
 * cfn_service_call, and results and errors are written as CloudFormation's XML. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sqsemu/buf.h"
#include "sqsemu/cfn.h"
#include "sqsemu/cfn_query.h"
#include "sqsemu/codec.h"
#include "sqsemu/form.h"
#include "sqsemu/fronts.h"
#include "sqsemu/http.h"
#include "sqsemu/log.h"

#define XML_CONTENT_TYPE "text/xml"
#define BODY_LIMIT (2u * 1024 * 1024) /* a 51,200-byte template, %-encoded, is far below this */
#define SIGNING_NAME "cloudformation"

/* ---- recognising a request ---- */

/* True when the credential "KEY/date/region/service/aws4_request" in s[0..len) names the
 * service SIGNING_NAME (its fourth part). */
static bool credential_names_us(const char *s, size_t len)
{
    const char *end = s + len, *p = s;
    for (int i = 0; i < 3; i++) {
        p = memchr(p, '/', (size_t)(end - p));
        if (!p)
            return false;
        p++;
    }
    size_t n = strlen(SIGNING_NAME);
    return (size_t)(end - p) > n && strncmp(p, SIGNING_NAME, n) == 0 && p[n] == '/';
}

static bool signed_for_cloudformation(const http_request *r)
{
    const char *auth = http_header(r, "Authorization");
    const char *credential = auth ? strstr(auth, "Credential=") : NULL;
    if (credential) {
        credential += strlen("Credential=");
        return credential_names_us(credential, strcspn(credential, ", \t"));
    }
    const char *query = http_query(r);
    const char *q = strstr(query, "X-Amz-Credential=");
    if (!q || (q != query && q[-1] != '&'))
        return false;
    q += strlen("X-Amz-Credential=");
    size_t len = 0;
    char *decoded = percent_decode(q, strcspn(q, "&"), &len);
    bool ours = credential_names_us(decoded, len);
    free(decoded);
    return ours;
}

static bool match(const http_request *r)
{
    return signed_for_cloudformation(r);
}

bool cfn_front_takes_unsigned(const http_request *r, const char *action)
{
    return !http_identity_of(r)->access_key[0] && cfn_query_action_known(action);
}

static size_t body_limit(const http_request *r)
{
    (void)r;
    return BODY_LIMIT;
}

/* A signature's date may be 15 minutes either way of the clock, as AWS's services allow. */
static const char *signing_service(const http_request *r, int *max_skew_s)
{
    (void)r;
    *max_skew_s = 900;
    return SIGNING_NAME;
}

/* ---- answering ---- */

static void respond_error_code(http_request *r, int status, const char *code, bool sender, const char *message)
{
    size_t len = 0;
    char *body = cfn_query_encode_error_code(code, sender, message, http_request_id(r), &len);
    http_respond(r, status, XML_CONTENT_TYPE, body, len);
    http_set_error_code(r, code);
    if (status >= 500)
        log_error("cloudformation: %s: %s", code, message);
}

static void respond_error(http_request *r, const cfn_error *err)
{
    size_t len = 0;
    int status = 0;
    char *body = cfn_query_encode_error(err, http_request_id(r), &status, &len);
    http_respond(r, status, XML_CONTENT_TYPE, body, len);
    http_set_error_code(r, cfn_err_name(err->kind));
    if (status >= 500)
        log_error("cloudformation: %s", err->message);
}

/* The request's parameters: the query string's and the form body's; a name given in both
 * with different values is refused, as the SQS front does. */
static bool request_params(http_request *r, form_params *params, cfn_error *err)
{
    size_t len = 0;
    const char *body = http_body(r, &len);
    const char *query = http_query(r);
    const char *type = http_header(r, "Content-Type");
    bool form = !type || !*type || strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
    form_params from_body;
    form_params_init(&from_body);
    bool ok = form_parse(params, query, strlen(query)) && (len == 0 || !form || form_parse(&from_body, body, len));
    const char *conflict = NULL;
    if (!ok)
        cfn_fail(err, CFN_ERR_VALIDATION, "The request has a malformed query string or form body.");
    else if (!form_merge(params, &from_body, &conflict))
        ok = cfn_fail(err, CFN_ERR_VALIDATION, "The parameter %.200s is given in both the query string and the "
                      "request body with different values.", conflict);
    form_params_free(&from_body);
    return ok;
}

/* The request log names the action and the stack. */
static void describe(http_request *r, const char *action, const cJSON *input)
{
    const char *stack = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(input, "StackName"));
    char resource[300] = "";
    if (stack)
        snprintf(resource, sizeof resource, "stack=%.280s", stack);
    http_describe(r, action, resource);
}

/* "http://" + Host: queue URLs of the stack's queues are built from it. */
static char *url_base_of(const http_request *r)
{
    const char *host = http_header(r, "Host");
    buf_t base;
    buf_init(&base);
    if (host && *host)
        buf_printf(&base, "http://%s", host);
    else
        buf_printf(&base, "http://%s:%d", http_config()->host, http_server_port());
    return buf_detach(&base, NULL);
}

static void run(http_request *r, const char *action, const cJSON *input)
{
    const http_identity *id = http_identity_of(r);
    char *url_base = url_base_of(r);
    char cwd[PATH_MAX];
    cfn_ctx ctx = {
        .account = id->account,
        .region = id->region,
        .url_base = url_base,
        .request_id = http_request_id(r),
        .base_dir = getcwd(cwd, sizeof cwd) ? cwd : ".",
    };
    cJSON *output = NULL;
    cfn_error err = {0};
    if (cfn_service_call(&ctx, action, input, &output, &err)) {
        size_t len = 0;
        char *body = cfn_query_encode_result(action, output, http_request_id(r), &len);
        http_respond(r, 200, XML_CONTENT_TYPE, body, len);
    } else {
        respond_error(r, &err);
    }
    cJSON_Delete(output);
    free(url_base);
}

static void handle(http_request *r)
{
    form_params params;
    form_params_init(&params);
    cfn_error err = {0};
    if (!request_params(r, &params, &err)) {
        respond_error(r, &err);
        form_params_free(&params);
        return;
    }
    const form_param *action = form_find(&params, "Action");
    http_describe(r, action && *action->value ? action->value : "-", NULL);
    if (!action || !*action->value) {
        respond_error_code(r, 400, "MissingAction", true, "The request must contain the parameter Action.");
    } else if (!cfn_query_action_known(action->value)) {
        respond_error_code(r, 400, "InvalidAction", true, "The action or operation requested is invalid. Verify "
                           "that the action is typed correctly.");
    } else {
        cJSON *input = cfn_query_decode(action->value, &params, &err);
        if (input) {
            describe(r, action->value, input);
            run(r, action->value, input);
        } else {
            respond_error(r, &err);
        }
        cJSON_Delete(input);
    }
    form_params_free(&params);
}

/* The server's early refusals, with the codes AWS's query services answer them with. */
static void refuse(http_request *r, const http_refusal *why)
{
    static const struct {
        int status;
        const char *code;
    } shapes[] = {
        [HTTP_REFUSE_TOO_LARGE] = {413, "RequestEntityTooLarge"},
        [HTTP_REFUSE_BUSY] = {503, "ServiceUnavailable"},
        [HTTP_REFUSE_AUTH_MISSING] = {403, "MissingAuthenticationToken"},
        [HTTP_REFUSE_AUTH_INCOMPLETE] = {400, "IncompleteSignature"},
        [HTTP_REFUSE_AUTH_UNKNOWN_KEY] = {403, "InvalidClientTokenId"},
        [HTTP_REFUSE_AUTH_MISMATCH] = {403, "SignatureDoesNotMatch"},
        [HTTP_REFUSE_AUTH_SKEWED] = {403, "SignatureDoesNotMatch"},
        [HTTP_REFUSE_AUTH_EXPIRED] = {400, "RequestExpired"},
        [HTTP_REFUSE_STORE_FAILED] = {500, "InternalFailure"},
    };
    buf_t message;
    buf_init(&message);
    if (why->kind == HTTP_REFUSE_TOO_LARGE)
        buf_printf(&message, "Request body must be at most %zu bytes.", why->limit);
    else if (why->kind == HTTP_REFUSE_BUSY)
        buf_puts(&message, "The server is receiving too many request bodies at once (see --max-body-memory); "
                 "retry later.");
    else if (why->kind == HTTP_REFUSE_AUTH_MISSING)
        buf_puts(&message, "Request is missing Authentication Token");
    else
        buf_printf(&message, "%s%s%s", why->message ? why->message : "", why->detail ? "\n\n" : "",
                   why->detail ? why->detail : "");
    respond_error_code(r, shapes[why->kind].status, shapes[why->kind].code,
                       why->kind != HTTP_REFUSE_BUSY && why->kind != HTTP_REFUSE_STORE_FAILED,
                       message.data ? message.data : "");
    if (why->kind == HTTP_REFUSE_BUSY)
        http_add_header(r, "Retry-After", "1");
    buf_free(&message);
}

const http_front cfn_front = {
    .name = "cloudformation",
    .match = match,
    .body_limit = body_limit,
    .signing_service = signing_service,
    .handle = handle,
    .refuse = refuse,
};
