/* fronts/lambda_front: the Lambda REST API on the API port: which requests are Lambda's,
 * their body limits and signing, the server's early refusals in Lambda's error shape,
 * and the hand-over to the REST codec and the Lambda service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sqsemu/fronts.h"
#include "sqsemu/lambda_rest.h"

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

static void handle(http_request *r)
{
    const http_identity *id = http_identity_of(r);
    lambda_rest_handle(r, id->account, id->region);
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
    bool signature = why->kind != HTTP_REFUSE_TOO_LARGE && why->kind != HTTP_REFUSE_BUSY;
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
