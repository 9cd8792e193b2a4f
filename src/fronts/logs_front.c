/* fronts/logs_front: CloudWatch Logs on the API port: it takes the POSTs whose X-Amz-Target
 * names a Logs action (Logs_20140328.<Action>, AWS JSON 1.1), limits their bodies, signs
 * them as the "logs" service, and glues the JSON 1.1 codec to logs_service_call. The
 * server's early refusals are answered in the same JSON 1.1 error shape. */
#include <stdio.h>
#include <string.h>

#include "sqsemu/clock.h"
#include "sqsemu/fronts.h"
#include "sqsemu/http.h"
#include "sqsemu/log.h"
#include "sqsemu/logs.h"
#include "sqsemu/logs_json.h"
#include "sqsemu/wire.h"

#define BODY_LIMIT (1024 * 1024)

static bool match(const http_request *r)
{
    const char *target = http_header(r, "X-Amz-Target");
    return strcmp(http_method(r), "POST") == 0 && target &&
           strncmp(target, LOGS_JSON_TARGET_PREFIX, strlen(LOGS_JSON_TARGET_PREFIX)) == 0;
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
    return "logs";
}

static void respond(http_request *r, wire_response *w)
{
    http_respond(r, w->status, w->content_type, w->body, w->len);
    w->body = NULL;
    for (int i = 0; i < w->header_count; i++)
        http_add_header(r, w->header_names[i], w->header_values[i]);
    wire_response_free(w);
}

static void respond_error(http_request *r, const logs_error *err)
{
    wire_response w;
    wire_response_init(&w);
    logs_json_encode_error(err, &w);
    if (w.status >= 500)
        log_error("logs: %s", err->message);
    http_set_error_code(r, logs_err_name(err->kind));
    respond(r, &w);
}

/* The request log names the action and the log group. */
static void describe(http_request *r, const char *action, const cJSON *input)
{
    const char *group = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(input, "logGroupName"));
    if (!group)
        group = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(input, "logGroupIdentifier"));
    char resource[300] = "";
    if (group)
        snprintf(resource, sizeof resource, "group=%.280s", group);
    http_describe(r, action, resource);
}

static void handle(http_request *r)
{
    const char *action = logs_json_action(http_header(r, "X-Amz-Target"));
    logs_error err = {0};
    http_describe(r, action ? action : "-", NULL);
    if (!action || !logs_action_known(action)) {
        logs_fail(&err, LOGS_ERR_UNKNOWN_OPERATION, "The operation %.200s is not supported by sqsemu's CloudWatch "
                  "Logs.", action ? action : "");
        respond_error(r, &err);
        return;
    }
    size_t len = 0;
    const char *body = http_body(r, &len);
    cJSON *input = logs_json_decode(action, body, len, &err);
    if (!input) {
        respond_error(r, &err);
        return;
    }
    describe(r, action, input);
    const http_identity *id = http_identity_of(r);
    logs_ctx ctx = {id->account, id->region, clock_now_ms()};
    cJSON *output = NULL;
    if (logs_service_call(&ctx, action, input, &output, &err)) {
        wire_response w;
        wire_response_init(&w);
        logs_json_encode_result(output, &w);
        respond(r, &w);
    } else {
        respond_error(r, &err);
    }
    cJSON_Delete(output);
    cJSON_Delete(input);
}

static void refuse(http_request *r, const http_refusal *why)
{
    static const logs_err_kind kinds[] = {
        [HTTP_REFUSE_TOO_LARGE] = LOGS_ERR_REQUEST_TOO_LARGE,
        [HTTP_REFUSE_BUSY] = LOGS_ERR_BUSY,
        [HTTP_REFUSE_AUTH_MISSING] = LOGS_ERR_MISSING_AUTH_TOKEN,
        [HTTP_REFUSE_AUTH_INCOMPLETE] = LOGS_ERR_INCOMPLETE_SIGNATURE,
        [HTTP_REFUSE_AUTH_UNKNOWN_KEY] = LOGS_ERR_UNRECOGNIZED_CLIENT,
        [HTTP_REFUSE_AUTH_MISMATCH] = LOGS_ERR_INVALID_SIGNATURE,
        [HTTP_REFUSE_AUTH_SKEWED] = LOGS_ERR_INVALID_SIGNATURE,
        [HTTP_REFUSE_AUTH_EXPIRED] = LOGS_ERR_INVALID_SIGNATURE,
        [HTTP_REFUSE_STORE_FAILED] = LOGS_ERR_SERVICE_UNAVAILABLE,
    };
    logs_error err = {0};
    if (why->kind == HTTP_REFUSE_TOO_LARGE)
        logs_fail(&err, kinds[why->kind], "Request body must be at most %zu bytes.", why->limit);
    else if (why->kind == HTTP_REFUSE_BUSY)
        logs_fail(&err, kinds[why->kind], "The server is receiving too many request bodies at once (see "
                  "--max-body-memory); retry later.");
    else if (why->kind == HTTP_REFUSE_AUTH_MISSING)
        logs_fail(&err, kinds[why->kind], "Missing Authentication Token");
    else
        logs_fail(&err, kinds[why->kind], "%s%s%s", why->message ? why->message : "", why->detail ? "\n\n" : "",
                  why->detail ? why->detail : "");
    wire_response w;
    wire_response_init(&w);
    logs_json_encode_error(&err, &w);
    if (why->kind == HTTP_REFUSE_BUSY)
        wire_add_header(&w, "Retry-After", "1");
    respond(r, &w);
}

const http_front logs_front = {
    .name = "logs",
    .match = match,
    .body_limit = body_limit,
    .signing_service = signing_service,
    .handle = handle,
    .refuse = refuse,
};
