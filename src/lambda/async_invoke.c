/* lambda/async_invoke: Event (asynchronous) invocations: run later, retry twice on a
 * function error (after 1 s and 2 s here; AWS waits about 1 and 2 minutes), then send the
 * event to the function's DeadLetterConfig queue with RequestID, ErrorCode and
 * ErrorMessage attributes, as AWS does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invoke.h"
#include "settings.h"
#include "versions.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/ids.h"
#include "sqsemu/log.h"
#include "sqsemu/loop.h"
#include "sqsemu/sqs.h"

#define MAX_ATTEMPTS 3

typedef struct async_event {
    char *account;
    char *region;
    char *function_name;
    char *payload;
    size_t payload_len;
    char *invoked_arn;
    char request_id[UUID_STR_LEN];
    int attempts;
    bool running;   /* an attempt is being invoked */
    bool forgotten; /* a reset removed its function: dropped when the attempt ends */
    sq_timer timer;
    struct async_event *next;
} async_event;

static async_event *pending;

static void unlink_event(async_event *e)
{
    for (async_event **link = &pending; *link; link = &(*link)->next) {
        if (*link == e) {
            *link = e->next;
            return;
        }
    }
}

static void event_free(async_event *e)
{
    timers_cancel(loop_timers(), &e->timer);
    free(e->account);
    free(e->region);
    free(e->function_name);
    free(e->payload);
    free(e->invoked_arn);
    free(e);
}

/* The invoked ARN keeps the caller's qualifier: a version or an alias runs its own code. */
static lambda_function *event_function(const async_event *e)
{
    return functions_runnable(e->invoked_arn, NULL);
}

static void add_attribute(cJSON *attributes, const char *name, const char *type, const char *value)
{
    cJSON *attr = cJSON_AddObjectToObject(attributes, name);
    cJSON_AddStringToObject(attr, "DataType", type);
    cJSON_AddStringToObject(attr, "StringValue", value);
}

/* Sends the failed event to the DeadLetterConfig queue, if the function has one. */
static void dead_letter(const async_event *e, const lambda_function *f, const char *error_message)
{
    const char *target = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f->record, "DeadLetterConfig"), "TargetArn"));
    if (!target)
        return;
    sqs_queue_info info = sqs_queue_lookup(target);
    if (!info.exists) {
        log_warn("[%s %s] dead-letter queue %s does not exist; the event is dropped", f->name, e->request_id, target);
        return;
    }
    char region[64] = "", account[16] = "";
    sscanf(target, "arn:aws:sqs:%63[^:]:%15[^:]:", region, account);
    cJSON *input = cJSON_CreateObject();
    cJSON_AddStringToObject(input, "QueueUrl", info.url_path);
    char *body = malloc(e->payload_len + 1);
    memcpy(body, e->payload, e->payload_len);
    body[e->payload_len] = '\0';
    cJSON_AddStringToObject(input, "MessageBody", body);
    free(body);
    cJSON *attributes = cJSON_AddObjectToObject(input, "MessageAttributes");
    add_attribute(attributes, "RequestID", "String", e->request_id);
    add_attribute(attributes, "ErrorCode", "Number", "200");
    add_attribute(attributes, "ErrorMessage", "String", error_message && *error_message ? error_message : "Unhandled");
    sqs_ctx ctx = {.account = account, .region = region, .url_base = "http://127.0.0.1", .sender_id = account,
                   .now_ms = clock_now_ms()};
    cJSON *output = NULL;
    sqs_error err = {0};
    if (sqs_service_call(&ctx, "SendMessage", input, &output, &err) != SQS_STATUS_OK)
        log_warn("[%s %s] could not send the event to its dead-letter queue: %s", f->name, e->request_id, err.message);
    cJSON_Delete(output);
    cJSON_Delete(input);
}

static void attempt(void *arg);

static void attempt_done(invoke_outcome *outcome, void *arg)
{
    async_event *e = arg;
    e->running = false;
    lambda_function *f = e->forgotten ? NULL : event_function(e);
    if (!outcome->function_error || !f) {
        unlink_event(e);
        event_free(e);
        return;
    }
    if (e->attempts < MAX_ATTEMPTS) {
        timers_arm(loop_timers(), &e->timer, clock_now_ms() + 1000LL * e->attempts, attempt, e);
        return;
    }
    cJSON *doc = cJSON_ParseWithLength(outcome->payload ? outcome->payload : "", outcome->payload_len);
    dead_letter(e, f, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "errorMessage")));
    cJSON_Delete(doc);
    unlink_event(e);
    event_free(e);
}

static void attempt(void *arg)
{
    async_event *e = arg;
    lambda_function *f = event_function(e);
    if (!f) {
        unlink_event(e);
        event_free(e);
        return;
    }
    e->attempts++;
    e->running = true;
    invoke_request req = {
        .payload = e->payload,
        .payload_len = e->payload_len,
        .invoked_arn = e->invoked_arn,
        .request_id = e->request_id,
        .trigger = "Event",
    };
    executor_invoke(f, &req, attempt_done, e);
}

void async_invoke(lambda_function *f, const invoke_request *req, char request_id[UUID_STR_LEN])
{
    async_event *e = xcalloc(1, sizeof *e);
    e->account = xstrdup(f->account);
    e->region = xstrdup(f->region);
    e->function_name = xstrdup(f->name);
    e->payload = xmalloc(req->payload_len + 1);
    memcpy(e->payload, req->payload, req->payload_len);
    e->payload_len = req->payload_len;
    e->invoked_arn = xstrdup(req->invoked_arn ? req->invoked_arn : f->arn);
    ids_uuid(e->request_id);
    memcpy(request_id, e->request_id, UUID_STR_LEN);
    e->next = pending;
    pending = e;
    timers_arm(loop_timers(), &e->timer, clock_now_ms(), attempt, e);
}

void async_invoke_forget(const char *account, const char *region, const char *function_name)
{
    for (async_event **link = &pending; *link;) {
        async_event *e = *link;
        bool match = !function_name || (strcmp(e->account, account) == 0 && strcmp(e->region, region) == 0 &&
                                        strcmp(e->function_name, function_name) == 0);
        if (match && !e->running) {
            *link = e->next;
            event_free(e);
        } else {
            if (match)
                e->forgotten = true; /* its attempt is running: dropped when it ends */
            link = &e->next;
        }
    }
}

void async_invoke_stop(void)
{
    while (pending) {
        async_event *e = pending;
        pending = e->next;
        event_free(e);
    }
}
