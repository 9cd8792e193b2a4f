/* lambda/invoke: the Invoke operation's rules, before and after the execution environment
 * runs it: the function (a qualifier in the name or ?Qualifier), packages that cannot run
 * here (container images), the invocation type (RequestResponse, Event, DryRun), AWS's
 * payload limits (6 MB synchronous, 1 MB asynchronous), a payload that must be one JSON
 * document, the client context (base64 JSON, passed to the runtime as one line), then
 * the synchronous run (answered through the caller's callback) or the asynchronous queue.
 * With LogType Tail the answer carries the last 4 KB of the invocation's log. A synchronous
 * invocation beyond the function's reserved concurrency is refused with 429 (concurrency.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concurrency.h"
#include "invoke.h"
#include "versions.h"
#include "sqsemu/buf.h"
#include "sqsemu/codec.h"
#include "sqsemu/json.h"

#define MAX_SYNC_PAYLOAD 6291456
#define MAX_ASYNC_PAYLOAD 1048576
#define LOG_TAIL_BYTES 4096

typedef struct pending_invoke {
    lambda_done_fn done;
    void *arg;
    bool tail;
    char executed[16]; /* X-Amz-Executed-Version */
} pending_invoke;

static void invoke_done(invoke_outcome *outcome, void *arg)
{
    pending_invoke *p = arg;
    lambda_result result = {0};
    result.payload = outcome->payload ? outcome->payload : xstrdup("");
    result.payload_len = outcome->payload ? outcome->payload_len : 0;
    outcome->payload = NULL;
    snprintf(result.request_id, sizeof result.request_id, "%s", outcome->request_id);
    result.function_error = outcome->function_error;
    result.executed_version = p->executed;
    if (p->tail && outcome->log) {
        size_t len = strlen(outcome->log);
        result.log_tail = xstrdup(len > LOG_TAIL_BYTES ? outcome->log + len - LOG_TAIL_BYTES : outcome->log);
    }
    p->done(&result, NULL, p->arg);
    lambda_result_free(&result);
    free(p);
}

static bool check_type(const char *type, lambda_error *err)
{
    if (!type || strcmp(type, "RequestResponse") == 0 || strcmp(type, "Event") == 0 || strcmp(type, "DryRun") == 0)
        return true;
    return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                       "1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: "
                       "Member must satisfy enum value set: [Event, RequestResponse, DryRun]", type);
}

static bool check_payload(const lambda_call *call, bool async, lambda_error *err)
{
    size_t limit = async ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
    if (call->payload_len > limit)
        return lambda_fail(err, LAMBDA_ERR_REQUEST_TOO_LARGE,
                           "Request must be smaller than %zu bytes for the InvokeFunction operation", limit);
    if (call->payload_len == 0)
        return true;
    cJSON *parsed = json_parse_strict(call->payload, call->payload_len, NULL, 0);
    bool valid = parsed != NULL;
    cJSON_Delete(parsed);
    return valid || lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT,
                                "Could not parse request body into json: Could not parse payload into json: the "
                                "payload is not valid JSON");
}

/* The decoded client context goes to the runtime in a header: one line of compact JSON. */
static char *client_context_of(const char *encoded)
{
    if (!encoded || !*encoded)
        return NULL;
    size_t decoded_len = 0;
    char *decoded = (char *)base64_decode(encoded, strlen(encoded), &decoded_len);
    cJSON *doc = decoded ? json_parse_strict(decoded, decoded_len, NULL, 0) : NULL;
    char *compact = doc ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    free(decoded);
    return compact;
}

/* The ARN the runtime is told it was invoked as: with the qualifier the caller used. */
static char *invoked_arn(const lambda_ctx *ctx, const lambda_function *f, const lambda_call *call)
{
    const char *qualifier = call->qualifier;
    function_ref ref;
    lambda_error ignored;
    if ((!qualifier || !*qualifier) && function_ref_parse(ctx, call->name, &ref, &ignored) && *ref.qualifier)
        qualifier = ref.qualifier;
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s%s%s", f->arn, qualifier && *qualifier ? ":" : "", qualifier && *qualifier ? qualifier : "");
    return buf_detach(&b, NULL);
}

lambda_status invoke_call(const lambda_ctx *ctx, const lambda_call *call, lambda_result *result, lambda_error *err,
                          lambda_done_fn done, void *arg)
{
    function_target t;
    if (!functions_resolve_target(ctx, call->name, call->qualifier, true, &t, err))
        return LAMBDA_STATUS_ERROR;
    lambda_function *f = t.run; /* a version's (or an alias's version's) own code and configuration */
    const char *package = function_string(f, "PackageType");
    if (package && strcmp(package, "Image") == 0) {
        lambda_fail(err, LAMBDA_ERR_INVALID_RUNTIME,
                    "The runtime parameter of Image is not supported locally: sqsemu runs functions as local "
                    "processes, without a container engine.");
        return LAMBDA_STATUS_ERROR;
    }
    const char *type = call->invocation_type;
    bool async = type && strcmp(type, "Event") == 0;
    if (!check_type(type, err) || !check_payload(call, async, err))
        return LAMBDA_STATUS_ERROR;
    if (type && strcmp(type, "DryRun") == 0)
        return LAMBDA_STATUS_OK;
    if (!async && !concurrency_allows(f)) {
        concurrency_throttled(f, err); /* an Event invocation waits for a slot instead */
        return LAMBDA_STATUS_ERROR;
    }
    char *context = client_context_of(call->client_context);
    char *arn = invoked_arn(ctx, t.function, call);
    invoke_request req = {
        .payload = call->payload_len ? call->payload : "{}",
        .payload_len = call->payload_len ? call->payload_len : 2,
        .invoked_arn = arn,
        .client_context = context,
    };
    lambda_status status = LAMBDA_STATUS_OK;
    if (async) {
        async_invoke(f, &req, result->request_id);
    } else {
        pending_invoke *p = xcalloc(1, sizeof *p);
        p->done = done;
        p->arg = arg;
        p->tail = call->log_type && strcmp(call->log_type, "Tail") == 0;
        memcpy(p->executed, t.executed, sizeof p->executed);
        executor_invoke(f, &req, invoke_done, p);
        status = LAMBDA_STATUS_PENDING;
    }
    free(arn);
    free(context);
    return status;
}
