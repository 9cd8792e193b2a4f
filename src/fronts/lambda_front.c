/* fronts/lambda_front: the Lambda REST API on the API port: which requests are Lambda's,
 * their body limits and signing, the server's early refusals in Lambda's error shape, and
 * each request's way through: the REST codec decodes it, the Lambda service runs it (a
 * synchronous Invoke parks the request until its callback), the codec encodes the answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sqsemu/auth.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/fronts.h"
#include "sqsemu/lambda.h"
#include "sqsemu/lambda_rest.h"
#include "sqsemu/wire.h"

static bool match(const http_request *r)
{
    return lambda_rest_is_path(http_path(r));
}

static size_t body_limit(const http_request *r)
{
    return lambda_rest_body_limit(http_method(r), http_path(r), http_config()->max_body_bytes);
}

/* Lambda allows a signature's date 5 minutes either way of its clock. */
static const char *signing_service(const http_request *r, int *max_skew_s)
{
    (void)r;
    *max_skew_s = 300;
    return "lambda";
}

/* The codec's response, handed to the server. */
static void respond(http_request *r, wire_response *w)
{
    http_respond(r, w->status, w->content_type, w->body, w->len);
    w->body = NULL;
    for (int i = 0; i < w->header_count; i++)
        http_add_header(r, w->header_names[i], w->header_values[i]);
    if (w->request_id[0])
        http_set_request_id(r, w->request_id);
    wire_response_free(w);
}

static void respond_error(http_request *r, const lambda_error *err)
{
    http_set_error_code(r, lambda_err_name(err->kind));
    wire_response w;
    wire_response_init(&w);
    lambda_rest_encode_error(err, &w);
    respond(r, &w);
}

static void respond_result(http_request *r, const lambda_rest_request *req, lambda_result *result)
{
    /* With --auth, AWS's Code.Location is a presigned URL; so is sqsemu's. */
    if (req->call.op == LAMBDA_OP_GET_FUNCTION && result->json)
        auth_presign_code_location(r, result->json);
    wire_response w;
    wire_response_init(&w);
    lambda_rest_encode_result(req, result, &w);
    respond(r, &w);
}

/* A synchronous Invoke waits here for its end. */
typedef struct invoke_wait {
    http_request *request;
    lambda_rest_request decoded;
} invoke_wait;

static void invoke_wait_free(void *p)
{
    invoke_wait *w = p;
    lambda_rest_request_free(&w->decoded);
    free(w);
}

static void invoke_done(lambda_result *result, const lambda_error *err, void *arg)
{
    invoke_wait *w = arg;
    if (err)
        respond_error(w->request, err);
    else
        respond_result(w->request, &w->decoded, result);
    http_resume(w->request);
}

static const char *header_of(void *ctx, const char *name)
{
    return http_header(ctx, name);
}

/* The request log names the operation and what it addresses. */
static void describe_call(http_request *r, const lambda_call *c)
{
    char resource[300] = "";
    if (c->name) {
        const char *kind = lambda_op_addresses(c->op);
        snprintf(resource, sizeof resource, "%s=%.270s", kind, c->name);
    }
    http_describe(r, lambda_op_name(c->op), resource);
}

static void handle(http_request *r)
{
    const http_identity *id = http_identity_of(r);
    lambda_ctx ctx = {id->account, id->region, clock_now_ms()};
    lambda_error err = {0};
    size_t len = 0;
    const char *body = http_body(r, &len);
    invoke_wait *w = xcalloc(1, sizeof *w);
    w->request = r;
    if (!lambda_rest_decode(http_method(r), http_path(r), http_query(r), header_of, r, body, len, &w->decoded,
                            &err)) {
        respond_error(r, &err);
        invoke_wait_free(w);
        return;
    }
    describe_call(r, &w->decoded.call);
    lambda_result result;
    switch (lambda_service_call(&ctx, &w->decoded.call, &result, &err, invoke_done, w)) {
    case LAMBDA_STATUS_PENDING:
        http_suspend(r, w, invoke_wait_free);
        return;
    case LAMBDA_STATUS_OK:
        respond_result(r, &w->decoded, &result);
        lambda_result_free(&result);
        break;
    case LAMBDA_STATUS_ERROR:
        respond_error(r, &err);
        break;
    }
    invoke_wait_free(w);
}

static void refuse(http_request *r, const http_refusal *why)
{
    static const struct {
        const char *type;
        int status;
    } shapes[] = {
        [HTTP_REFUSE_TOO_LARGE] = {"RequestEntityTooLargeException", 413},
        [HTTP_REFUSE_BUSY] = {"ServiceException", 503},
        [HTTP_REFUSE_AUTH_MISSING] = {"MissingAuthenticationTokenException", 403},
        [HTTP_REFUSE_AUTH_INCOMPLETE] = {"IncompleteSignatureException", 403},
        [HTTP_REFUSE_AUTH_UNKNOWN_KEY] = {"UnrecognizedClientException", 403},
        [HTTP_REFUSE_AUTH_MISMATCH] = {"InvalidSignatureException", 403},
        [HTTP_REFUSE_AUTH_SKEWED] = {"InvalidSignatureException", 403},
        [HTTP_REFUSE_AUTH_EXPIRED] = {"InvalidSignatureException", 403},
        [HTTP_REFUSE_STORE_FAILED] = {"ServiceException", 500},
    };
    char message[160];
    const char *text = why->message ? why->message : "";
    if (why->kind == HTTP_REFUSE_TOO_LARGE) {
        snprintf(message, sizeof message, "Request must be smaller than %zu bytes for the operation.", why->limit);
        text = message;
    } else if (why->kind == HTTP_REFUSE_BUSY) {
        text = "The server is receiving too many request bodies at once (see --max-body-memory); retry later.";
    } else if (why->kind == HTTP_REFUSE_AUTH_MISSING) {
        text = "Missing Authentication Token";
    }
    /* Lambda's own errors carry a Type; the signature errors of AWS's front door do not. */
    bool signature =
        why->kind != HTTP_REFUSE_TOO_LARGE && why->kind != HTTP_REFUSE_BUSY && why->kind != HTTP_REFUSE_STORE_FAILED;
    cJSON *doc = cJSON_CreateObject();
    if (!signature)
        cJSON_AddStringToObject(doc, "Type", shapes[why->kind].status >= 500 ? "Service" : "User");
    cJSON_AddStringToObject(doc, "message", text);
    char *body = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    http_respond(r, shapes[why->kind].status, "application/json", body, strlen(body));
    http_add_header(r, "x-amzn-ErrorType", shapes[why->kind].type);
    if (why->kind == HTTP_REFUSE_BUSY)
        http_add_header(r, "Retry-After", "1");
}

const http_front lambda_front = {
    .name = "lambda",
    .match = match,
    .body_limit = body_limit,
    .signing_service = signing_service,
    .handle = handle,
    .refuse = refuse,
};
