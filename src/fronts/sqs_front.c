/* fronts/sqs_front: the SQS service on the API port. It takes every request no other
 * front took, decides its protocol (X-Amz-Target or a JSON content type: AWS JSON 1.0;
 * otherwise the query protocol), decodes it with that protocol's codec, builds the call
 * context (account and region from the request's identity, the URL base from Host), runs
 * the action through sqs_service_call, parks long polls until they can answer, and writes
 * results and errors (its own, and the server's early refusals) in the request's protocol. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/form.h"
#include "sqsemu/fronts.h"
#include "sqsemu/http.h"
#include "sqsemu/log.h"
#include "sqsemu/sqs.h"
#include "sqsemu/sqs_json.h"
#include "sqsemu/sqs_query.h"
#include "sqsemu/sqs_shapes.h"
#include "sqsemu/sqs_wire_errors.h"
#include "sqsemu/waiters.h"

#define JSON_CONTENT_TYPE "application/x-amz-json-1.0"
#define XML_CONTENT_TYPE "text/xml"
#define TARGET_PREFIX "AmazonSQS."

typedef enum wire { WIRE_JSON, WIRE_QUERY } wire;

/* Everything a call needs, owned here so that a parked long poll can be re-run. */
typedef struct call {
    http_request *request;
    wire wire;
    char *action;
    cJSON *input;
    char account[16];
    char region[64];
    char *url_base;
    char *trace_header;
    sqs_ctx ctx;
    waiter waiter;
} call;

static void call_free(void *p)
{
    call *c = p;
    if (!c)
        return;
    waiters_cancel(&c->waiter);
    sqs_ctx_release(&c->ctx);
    free(c->action);
    cJSON_Delete(c->input);
    free(c->url_base);
    free(c->trace_header);
    free(c);
}

/* ---- responses ---- */

static void respond_error(http_request *r, wire w, const sqs_error *err)
{
    const sqs_wire_error *info = sqs_wire_error_of(err->kind);
    size_t len = 0;
    char *body;
    if (w == WIRE_JSON) {
        body = sqs_json_encode_error(err, &len);
        http_respond(r, info->http_status, JSON_CONTENT_TYPE, body, len);
        if (info->query_header) {
            buf_t h;
            buf_init(&h);
            buf_printf(&h, "%s;%s", sqs_error_code(err->kind), sqs_error_sender_fault(err->kind) ? "Sender" : "Receiver");
            http_add_header(r, "x-amzn-query-error", h.data);
            buf_free(&h);
        }
    } else {
        body = sqs_query_encode_error(err, http_request_id(r), &len);
        http_respond(r, info->http_status, XML_CONTENT_TYPE, body, len);
    }
    http_set_error_code(r, sqs_error_code(err->kind));
    if (info->http_status >= 500)
        log_error("%s: %s", sqs_error_code(err->kind), err->message);
}

static void respond_result(http_request *r, wire w, const char *action, const cJSON *result)
{
    size_t len = 0;
    if (w == WIRE_JSON) {
        char *body = sqs_json_encode_result(result, &len);
        http_respond(r, 200, JSON_CONTENT_TYPE, body, len);
    } else {
        char *body = sqs_query_encode_result(action, result, http_request_id(r), &len);
        http_respond(r, 200, XML_CONTENT_TYPE, body, len);
    }
}

/* ---- the call context ---- */

static void fill_identity(call *c, http_request *r)
{
    const config *cfg = http_config();
    const http_identity *id = http_identity_of(r);
    snprintf(c->account, sizeof c->account, "%s", id->account);
    snprintf(c->region, sizeof c->region, "%s", id->region);
    const char *host = http_header(r, "Host");
    buf_t base;
    buf_init(&base);
    if (host && *host)
        buf_printf(&base, "http://%s", host);
    else
        buf_printf(&base, "http://%s:%d", cfg->host, http_server_port());
    c->url_base = buf_detach(&base, NULL);
    const char *trace = http_header(r, "X-Amzn-Trace-Id");
    c->trace_header = trace && *trace ? xstrdup(trace) : NULL;
    c->ctx = (sqs_ctx){
        .account = c->account,
        .region = c->region,
        .url_base = c->url_base,
        .sender_id = c->account,
        .trace_header = c->trace_header,
    };
}

/* ---- running a call, and re-running it when a long poll wakes ---- */

static void on_wake(waiter *w, void *arg);

/* Runs the call; answers the request or parks it. Returns true when it answered. */
static bool run_call(call *c)
{
    http_request *r = c->request;
    c->ctx.now_ms = clock_now_ms();
    cJSON *output = NULL;
    sqs_error err = {0};
    sqs_status status = sqs_service_call(&c->ctx, c->action, c->input, &output, &err);
    if (status == SQS_STATUS_PENDING) {
        waiters_wait(&c->waiter, c->ctx.wait_queue, c->ctx.poll_deadline_ms, c->ctx.now_ms, on_wake, c);
        return false;
    }
    if (status == SQS_STATUS_OK)
        respond_result(r, c->wire, c->action, output);
    else
        respond_error(r, c->wire, &err);
    cJSON_Delete(output);
    return true;
}

static void on_wake(waiter *w, void *arg)
{
    (void)w;
    call *c = arg;
    if (run_call(c))
        http_resume(c->request);
}

/* Shutdown: answer now with whatever the call has (an empty receive). */
static void finish_call_now(void *arg)
{
    call *c = arg;
    waiters_cancel(&c->waiter);
    c->ctx.poll_deadline_ms = 1;
    if (run_call(c))
        http_resume(c->request);
}

/* The request log names the action and the queue (the last segment of its URL). */
static void describe_call(http_request *r, const call *c)
{
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->input, "QueueUrl"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->input, "QueueName"));
    const char *slash = url ? strrchr(url, '/') : NULL;
    char resource[300] = "";
    if (slash || name)
        snprintf(resource, sizeof resource, "queue=%.280s", slash ? slash + 1 : name);
    http_describe(r, c->action, resource);
}

static void start_call(http_request *r, call *c)
{
    c->request = r;
    describe_call(r, c);
    if (run_call(c)) {
        call_free(c);
        return;
    }
    http_suspend(r, c, call_free);
    http_on_shutdown(r, finish_call_now);
}

/* ---- AWS JSON 1.0 ---- */

static void handle_json(http_request *r, const char *target)
{
    const char *action = strncmp(target, TARGET_PREFIX, strlen(TARGET_PREFIX)) == 0 ? target + strlen(TARGET_PREFIX) : NULL;
    sqs_error err = {0};
    http_describe(r, action ? action : target, NULL);
    if (!action || !sqs_action_known(action)) {
        sqs_fail(&err, SQS_ERR_UNKNOWN_OPERATION, "The operation %s is not known to this service.", target);
        respond_error(r, WIRE_JSON, &err);
        return;
    }
    size_t len = 0;
    const char *body = http_body(r, &len);
    cJSON *input = sqs_json_decode(action, body, len, &err);
    if (!input) {
        respond_error(r, WIRE_JSON, &err);
        return;
    }
    call *c = xcalloc(1, sizeof *c);
    c->wire = WIRE_JSON;
    c->action = xstrdup(action);
    c->input = input;
    fill_identity(c, r);
    start_call(r, c);
}

/* ---- query protocol ---- */

static bool is_form_body(http_request *r)
{
    const char *type = http_header(r, "Content-Type");
    return !type || !*type || strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
}

/* "/acct/name" or "/queue/region/acct/name": a queue URL path. */
static bool is_queue_path(const char *path)
{
    int segments = 0;
    for (const char *p = path; *p; p++) {
        if (*p == '/' && p[1] && p[1] != '/')
            segments++;
    }
    return segments == 2 || (segments == 4 && strncmp(path, "/queue/", 7) == 0);
}

static void respond_unknown_operation(http_request *r)
{
    char *body = xstrdup("<UnknownOperationException/>");
    http_respond(r, 404, XML_CONTENT_TYPE, body, strlen(body));
}

/* The request's parameters: the query string's and the form body's. A parameter given in
 * both with different values is refused (it once let a GET's body turn ListQueues into
 * DeleteQueue); the same value in both is fine. */
static bool query_params(http_request *r, form_params *params, sqs_error *err)
{
    size_t len = 0;
    const char *body = http_body(r, &len);
    const char *query = http_query(r);
    form_params from_body;
    form_params_init(&from_body);
    bool ok = form_parse(params, query, strlen(query)) && (len == 0 || !is_form_body(r) || form_parse(&from_body, body, len));
    const char *conflict = NULL;
    if (!ok)
        sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "The request has a malformed query string or form body.");
    else if (!form_merge(params, &from_body, &conflict))
        ok = sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                      "The parameter %.256s is given in both the query string and the request body with different "
                      "values.", conflict);
    form_params_free(&from_body);
    return ok;
}

static void handle_query(http_request *r)
{
    form_params params;
    form_params_init(&params);
    sqs_error err = {0};
    if (!query_params(r, &params, &err)) {
        respond_error(r, WIRE_QUERY, &err);
        form_params_free(&params);
        return;
    }
    const form_param *action_param = form_find(&params, "Action");
    if (action_param)
        http_describe(r, action_param->value, NULL);
    const char *path = http_path(r);
    bool queue_path = is_queue_path(path);
    call *c = NULL;
    if (!action_param || !*action_param->value) {
        if (strcmp(http_method(r), "GET") == 0 || params.count == 0)
            respond_unknown_operation(r);
        else
            respond_error(r, WIRE_QUERY, (sqs_fail(&err, SQS_ERR_MISSING_ACTION, "The request must contain the parameter Action."), &err));
    } else if (!sqs_action_known(action_param->value) && cfn_front_takes_unsigned(r, action_param->value)) {
        form_params_free(&params);
        cfn_front.handle(r); /* an unsigned CloudFormation request */
        return;
    } else if (!sqs_action_known(action_param->value) ||
               (queue_path && sqs_action_is_endpoint_only(action_param->value))) {
        sqs_fail(&err, SQS_ERR_INVALID_ACTION, "The action %s is not valid for this endpoint.", action_param->value);
        respond_error(r, WIRE_QUERY, &err);
    } else {
        cJSON *input = sqs_query_decode(action_param->value, &params, &err);
        if (!input) {
            respond_error(r, WIRE_QUERY, &err);
        } else {
            c = xcalloc(1, sizeof *c);
            c->wire = WIRE_QUERY;
            c->action = xstrdup(action_param->value);
            c->input = input;
            fill_identity(c, r);
            if (queue_path && !cJSON_GetObjectItemCaseSensitive(input, "QueueUrl")) {
                buf_t url;
                buf_init(&url);
                buf_printf(&url, "%s%s", c->url_base, path);
                cJSON_AddStringToObject(input, "QueueUrl", url.data);
                buf_free(&url);
            }
        }
    }
    form_params_free(&params);
    if (c)
        start_call(r, c);
}

static bool is_json_request(const http_request *r)
{
    const char *type = http_header(r, "Content-Type");
    return http_header(r, "X-Amz-Target") || (type && strncasecmp(type, "application/x-amz-json", 22) == 0);
}

static void handle(http_request *r)
{
    const char *target = http_header(r, "X-Amz-Target");
    if (target) {
        handle_json(r, target);
        return;
    }
    if (is_json_request(r)) {
        sqs_error err = {0};
        sqs_fail(&err, SQS_ERR_UNKNOWN_OPERATION, "A JSON request needs an X-Amz-Target header.");
        respond_error(r, WIRE_JSON, &err);
        return;
    }
    handle_query(r);
}

/* The server's early refusals, as SQS answers them. */
static void refuse(http_request *r, const http_refusal *why)
{
    static const sqs_err_kind kinds[] = {
        [HTTP_REFUSE_TOO_LARGE] = SQS_ERR_REQUEST_TOO_LARGE,
        [HTTP_REFUSE_BUSY] = SQS_ERR_SERVICE_UNAVAILABLE,
        [HTTP_REFUSE_AUTH_MISSING] = SQS_ERR_MISSING_AUTH_TOKEN,
        [HTTP_REFUSE_AUTH_INCOMPLETE] = SQS_ERR_INCOMPLETE_SIGNATURE,
        [HTTP_REFUSE_AUTH_UNKNOWN_KEY] = SQS_ERR_INVALID_CLIENT_TOKEN,
        [HTTP_REFUSE_AUTH_MISMATCH] = SQS_ERR_SIGNATURE_MISMATCH,
        [HTTP_REFUSE_AUTH_SKEWED] = SQS_ERR_SIGNATURE_MISMATCH,
        [HTTP_REFUSE_AUTH_EXPIRED] = SQS_ERR_REQUEST_EXPIRED,
        [HTTP_REFUSE_STORE_FAILED] = SQS_ERR_INTERNAL,
    };
    sqs_error err = {0};
    if (why->kind == HTTP_REFUSE_TOO_LARGE)
        sqs_fail(&err, SQS_ERR_REQUEST_TOO_LARGE, "Request body must be at most %zu bytes.", why->limit);
    else if (why->kind == HTTP_REFUSE_BUSY)
        sqs_fail(&err, SQS_ERR_SERVICE_UNAVAILABLE, "The server is receiving too many request bodies at once (see "
                 "--max-body-memory); retry later.");
    else if (why->kind == HTTP_REFUSE_AUTH_MISSING)
        sqs_fail(&err, SQS_ERR_MISSING_AUTH_TOKEN, "Request is missing Authentication Token");
    else
        sqs_fail(&err, kinds[why->kind], "%s%s%s", why->message ? why->message : "", why->detail ? "\n\n" : "",
                 why->detail ? why->detail : "");
    respond_error(r, is_json_request(r) ? WIRE_JSON : WIRE_QUERY, &err);
    if (why->kind == HTTP_REFUSE_BUSY)
        http_add_header(r, "Retry-After", "1");
}

static bool match_any(const http_request *r)
{
    (void)r;
    return true;
}

static size_t body_limit(const http_request *r)
{
    (void)r;
    return http_config()->max_body_bytes;
}

/* SQS allows a signature's date 15 minutes either way of its clock. */
static const char *signing_service(const http_request *r, int *max_skew_s)
{
    (void)r;
    *max_skew_s = 900;
    return "sqs";
}

const http_front sqs_front = {
    .name = "sqs",
    .match = match_any,
    .body_limit = body_limit,
    .signing_service = signing_service,
    .handle = handle,
    .refuse = refuse,
};
