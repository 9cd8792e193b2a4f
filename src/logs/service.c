/* logs/service: the CloudWatch Logs service entry point: the table of actions it answers
 * and the dispatch. Every action here only reads, so none opens a transaction; each first
 * flushes what the Lambda executor has buffered (logs/ingest.c), so a reader sees every
 * line printed before its request. Any other Logs action is an UnknownOperationException,
 * as AWS JSON 1.1 answers one it does not have. */
#include <string.h>

#include "internal.h"
#include "sqsemu/log.h"

typedef bool (*logs_action_fn)(const logs_ctx *ctx, const cJSON *in, cJSON *out, logs_error *err);

static const struct {
    const char *name;
    logs_action_fn fn;
} actions[] = {
    {"DescribeLogGroups", logs_describe_log_groups},
    {"DescribeLogStreams", logs_describe_log_streams},
    {"GetLogEvents", logs_get_log_events},
    {"FilterLogEvents", logs_filter_log_events},
};

static logs_action_fn action_of(const char *action)
{
    for (size_t i = 0; action && i < sizeof actions / sizeof actions[0]; i++) {
        if (strcmp(actions[i].name, action) == 0)
            return actions[i].fn;
    }
    return NULL;
}

bool logs_action_known(const char *action)
{
    return action_of(action) != NULL;
}

bool logs_service_call(const logs_ctx *ctx, const char *action, const cJSON *input, cJSON **output, logs_error *err)
{
    *output = NULL;
    logs_action_fn fn = action_of(action);
    if (!fn)
        return logs_fail(err, LOGS_ERR_UNKNOWN_OPERATION, "The operation %s is not supported by sqsemu's CloudWatch "
                                                          "Logs.", action ? action : "");
    if (!cJSON_IsObject(input))
        return logs_fail(err, LOGS_ERR_SERIALIZATION, "The request body must be a JSON object.");
    logs_flush();
    cJSON *out = cJSON_CreateObject();
    if (!fn(ctx, input, out, err)) {
        cJSON_Delete(out);
        if (err && err->kind == LOGS_ERR_SERVICE_UNAVAILABLE)
            log_error("logs: %s failed in the store", action);
        return false;
    }
    *output = out;
    return true;
}
