/* http/router: decides the protocol of a request (X-Amz-Target → AWS JSON 1.0, otherwise
 * the query protocol), builds the call context (account, region, URL base), runs the SQS
 * action, parks long polls, and writes the response in the request's protocol. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqsemu/auth.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/form.h"
#include "sqsemu/http.h"
#include "sqsemu/lambda_rest.h"
#include "sqsemu/log.h"
#include "sqsemu/names.h"
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

/* Copies the credential scope's access key id and region from "Credential=AKID/date/region/…". */
static void parse_credential(const char *text, char *key, size_t key_size, char *region, size_t region_size)
{
    const char *fields[5] = {0};
    size_t lens[5] = {0};
    const char *p = text;
    for (int i = 0; i < 5 && p; i++) {
        fields[i] = p;
        const char *slash = p;
        while (*slash && *slash != '/' && *slash != ',' && !isspace((unsigned char)*slash))
            slash++;
        lens[i] = (size_t)(slash - p);
        p = *slash == '/' ? slash + 1 : NULL;
    }
    if (fields[0] && lens[0] < key_size) {
        memcpy(key, fields[0], lens[0]);
        key[lens[0]] = '\0';
    }
    if (fields[2] && lens[2] > 0 && lens[2] < region_size) {
        memcpy(region, fields[2], lens[2]);
        region[lens[2]] = '\0';
    }
}

/* A credential scope naming something that is not a region (it becomes part of queue
 * URLs, ARNs and file names): answered as SQS does, whether signatures are checked or not. */
static void respond_bad_region(http_request *r, const char *region, void (*render)(http_request *, const sigv4_result *))
{
    buf_t m;
    buf_init(&m);
    buf_printf(&m, "Credential should be scoped to a valid region, not '%.64s'. ", region);
    sigv4_result failure = {.status = SIGV4_MISMATCH, .message = m.data};
    render(r, &failure);
    buf_free(&m);
}

/* The caller's account and region: from the verified key (with --auth), else from the
 * SigV4 credential scope when there is one. False when the scope's region is not a region
 * name (the request has then been answered with render). */
static bool resolve_identity(http_request *r, const form_params *params, char account[16], char region[64],
                             void (*render)(http_request *, const sigv4_result *))
{
    const auth_identity *id = auth_identity_of(r);
    if (id) {
        snprintf(account, 16, "%s", id->account);
        snprintf(region, 64, "%s", id->region);
        return true;
    }
    const config *cfg = http_config();
    snprintf(account, 16, "%s", cfg->account_id);
    snprintf(region, 64, "%s", cfg->region);
    char key[128] = "";
    char scope_region[256] = "";
    const char *auth = http_header(r, "Authorization");
    const char *credential = auth ? strstr(auth, "Credential=") : NULL;
    const form_param *scope = !credential && params ? form_find(params, "X-Amz-Credential") : NULL;
    if (scope && memchr(scope->value, '\0', scope->value_len)) {
        respond_bad_region(r, "(a value holding NUL)", render);
        return false;
    }
    if (credential || scope)
        parse_credential(credential ? credential + strlen("Credential=") : scope->value, key, sizeof key,
                         scope_region, sizeof scope_region);
    if (*scope_region && !name_is_region(scope_region)) {
        respond_bad_region(r, scope_region, render);
        return false;
    }
    if (*scope_region)
        snprintf(region, 64, "%.63s", scope_region);
    /* As LocalStack does: a 12-digit access key id names the account. */
    if (name_is_account_id(key))
        memcpy(account, key, 13);
    return true;
}

static bool fill_identity(call *c, http_request *r, const form_params *params)
{
    const config *cfg = http_config();
    if (!resolve_identity(r, params, c->account, c->region,
                          c->wire == WIRE_JSON ? auth_render_sqs_json : auth_render_sqs_query))
        return false;
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
    return true;
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

static void start_call(http_request *r, call *c)
{
    c->request = r;
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
    if (!fill_identity(c, r, NULL)) {
        call_free(c);
        return;
    }
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
    const char *path = http_path(r);
    bool queue_path = is_queue_path(path);
    call *c = NULL;
    if (!action_param || !*action_param->value) {
        if (strcmp(http_method(r), "GET") == 0 || params.count == 0)
            respond_unknown_operation(r);
        else
            respond_error(r, WIRE_QUERY, (sqs_fail(&err, SQS_ERR_MISSING_ACTION, "The request must contain the parameter Action."), &err));
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
            if (!fill_identity(c, r, &params)) {
                call_free(c);
                c = NULL;
            } else if (queue_path && !cJSON_GetObjectItemCaseSensitive(input, "QueueUrl")) {
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

void router_handle(http_request *r)
{
    /* With --auth, nothing is dispatched without a valid signature. */
    if (!auth_check_request(r))
        return;
    if (lambda_rest_is_path(http_path(r))) {
        char account[16], region[64];
        if (resolve_identity(r, NULL, account, region, auth_render_lambda))
            lambda_rest_handle(r, account, region);
        return;
    }
    const char *target = http_header(r, "X-Amz-Target");
    if (target) {
        handle_json(r, target);
        return;
    }
    const char *type = http_header(r, "Content-Type");
    if (type && strncasecmp(type, "application/x-amz-json", 22) == 0) {
        sqs_error err = {0};
        sqs_fail(&err, SQS_ERR_UNKNOWN_OPERATION, "A JSON request needs an X-Amz-Target header.");
        respond_error(r, WIRE_JSON, &err);
        return;
    }
    handle_query(r);
}
