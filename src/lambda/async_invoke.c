/* lambda/async_invoke: Event (asynchronous) invocations, after AWS's developer guide
 * ("Invoking a Lambda function asynchronously", "Configuring error handling for
 * asynchronous invocation", "Capturing records of Lambda asynchronous invocations").
 *
 * An event runs at once; on a function error or a timeout it is retried up to
 * MaximumRetryAttempts times (default 2), one minute after the first failure and two
 * minutes after the second, in the emulated clock (a test advances POST /_sqsemu/clock
 * instead of waiting). Before each attempt its age is checked against
 * MaximumEventAgeInSeconds (default 6 hours): an older event is discarded. The settings
 * are read from the function's event invoke config (event_config.c) at every attempt.
 * After a success the invocation record goes to the OnSuccess destination; after the last
 * failed attempt, or when discarded, to the OnFailure destination (destinations.c), or,
 * when there is none, the event goes to the function's DeadLetterConfig queue with
 * RequestID, ErrorCode and ErrorMessage attributes, as AWS does.
 *
 * An attempt that the function's reserved concurrency does not allow yet is not an
 * attempt: the event waits, without a timer, until an invocation of the function ends or
 * its reservation changes (async_invoke_wake), as AWS keeps throttled events and retries
 * them ("How Lambda handles errors and retries with asynchronous invocation"). Pending
 * events are kept in memory only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concurrency.h"
#include "event_config.h"
#include "history.h"
#include "invoke.h"
#include "settings.h"
#include "versions.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/ids.h"
#include "sqsemu/log.h"
#include "sqsemu/loop.h"

#define FIRST_RETRY_DELAY_MS 60000
#define LATER_RETRY_DELAY_MS 120000

typedef struct async_event {
    char *account;
    char *region;
    char *function_name;
    char *payload;
    size_t payload_len;
    char *invoked_arn;
    char *qualified_arn; /* the function's ARN with its qualifier ($LATEST when unqualified) */
    const char *qualifier; /* points into qualified_arn */
    char request_id[UUID_STR_LEN];
    int64_t queued_ms;
    int attempts;
    /* The last attempt's answer (the record's responsePayload). */
    bool responded;
    bool failed;
    char *response;
    size_t response_len;
    bool running;   /* an attempt is being invoked */
    bool forgotten; /* a reset removed its function: dropped when the attempt ends */
    bool throttled; /* waiting for reserved concurrency to allow the next attempt */
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
    free(e->qualified_arn);
    free(e->response);
    free(e);
}

static void finish(async_event *e)
{
    unlink_event(e);
    event_free(e);
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

/* The errorMessage of the last answer, for the dead-letter message's ErrorMessage. */
static char *error_message_of(const async_event *e)
{
    cJSON *doc = e->responded ? cJSON_ParseWithLength(e->response ? e->response : "", e->response_len) : NULL;
    const char *message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "errorMessage"));
    char *copy = xstrdup(message && *message ? message : "Unhandled");
    cJSON_Delete(doc);
    return copy;
}

/* Sends the failed event to the DeadLetterConfig queue, if the function has one. */
static void dead_letter(const async_event *e, const lambda_function *f)
{
    const char *target = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f->record, "DeadLetterConfig"), "TargetArn"));
    if (!target) {
        log_info("[%s %s] the event failed and has no destination; it is dropped", f->name, e->request_id);
        return;
    }
    if (!strstr(target, ":sqs:")) {
        log_warn("[%s %s] dead-letter target %s is not an SQS queue; the event is dropped", f->name, e->request_id,
                 target);
        return;
    }
    cJSON *attributes = cJSON_CreateObject();
    char *message = error_message_of(e);
    add_attribute(attributes, "RequestID", "String", e->request_id);
    add_attribute(attributes, "ErrorCode", "Number", "200");
    add_attribute(attributes, "ErrorMessage", "String", message);
    char *body = xstrndup(e->payload, e->payload_len);
    if (destination_send_sqs(target, body, attributes, f->name, e->request_id))
        log_info("[%s %s] the event was sent to its dead-letter queue %s", f->name, e->request_id, target);
    free(body);
    free(message);
    cJSON_Delete(attributes);
}

static void send_record(const async_event *e, const lambda_function *f, const char *destination,
                        record_condition condition)
{
    invocation_record rec = {
        .function_name = f->name,
        .request_id = e->request_id,
        .function_arn = e->qualified_arn,
        .executed_version = f->version ? f->version : "$LATEST",
        .condition = condition,
        .invoke_count = e->attempts,
        .request_payload = e->payload,
        .request_len = e->payload_len,
        .responded = e->responded,
        .function_error = e->failed,
        .response_payload = e->response,
        .response_len = e->response_len,
    };
    destination_deliver(destination, &rec);
}

/* The event will not run again: its record goes to OnFailure, else to the dead-letter queue. */
static void give_up(async_event *e, const lambda_function *f, const async_settings *s, record_condition condition)
{
    if (s->on_failure)
        send_record(e, f, s->on_failure, condition);
    else
        dead_letter(e, f);
    finish(e);
}

static void attempt(void *arg);

static void keep_response(async_event *e, invoke_outcome *outcome)
{
    free(e->response);
    e->response = outcome->payload;
    e->response_len = outcome->payload ? outcome->payload_len : 0;
    outcome->payload = NULL; /* taken over */
    e->responded = true;
    e->failed = outcome->function_error;
}

static void attempt_done(invoke_outcome *outcome, void *arg)
{
    async_event *e = arg;
    e->running = false;
    lambda_function *f = e->forgotten ? NULL : event_function(e);
    if (!f) {
        finish(e);
        return;
    }
    keep_response(e, outcome);
    async_settings s = event_config_settings(f, e->qualifier);
    if (!e->failed) {
        log_info("[%s %s] attempt %d succeeded", f->name, e->request_id, e->attempts);
        if (s.on_success)
            send_record(e, f, s.on_success, RECORD_SUCCESS);
        finish(e);
        return;
    }
    if (e->attempts <= s.max_retries) {
        int64_t delay = e->attempts == 1 ? FIRST_RETRY_DELAY_MS : LATER_RETRY_DELAY_MS;
        log_info("[%s %s] attempt %d failed; retrying in %lld s", f->name, e->request_id, e->attempts,
                 (long long)(delay / 1000));
        timers_arm(loop_timers(), &e->timer, clock_now_ms() + delay, attempt, e);
        return;
    }
    log_info("[%s %s] attempt %d failed; no retries left", f->name, e->request_id, e->attempts);
    give_up(e, f, &s, RECORD_RETRIES_EXHAUSTED);
}

static void attempt(void *arg)
{
    async_event *e = arg;
    lambda_function *f = event_function(e);
    if (!f) {
        finish(e);
        return;
    }
    async_settings s = event_config_settings(f, e->qualifier);
    int64_t age_ms = clock_now_ms() - e->queued_ms;
    if (age_ms > (int64_t)s.max_age_s * 1000) {
        log_warn("[%s %s] the event is older than MaximumEventAgeInSeconds (%d s) after %d attempts; discarded",
                 f->name, e->request_id, s.max_age_s, e->attempts);
        give_up(e, f, &s, RECORD_EVENT_AGE_EXCEEDED);
        return;
    }
    if (!concurrency_allows(f)) {
        if (!e->throttled)
            history_count_throttle(f);
        e->throttled = true; /* async_invoke_wake tries again */
        return;
    }
    e->throttled = false;
    e->attempts++;
    e->running = true;
    log_info("[%s %s] attempt %d of at most %d", f->name, e->request_id, e->attempts, s.max_retries + 1);
    invoke_request req = {
        .payload = e->payload,
        .payload_len = e->payload_len,
        .invoked_arn = e->invoked_arn,
        .request_id = e->request_id,
        .trigger = "Event",
    };
    executor_invoke(f, &req, attempt_done, e);
}

/* The function's ARN with the qualifier the event was invoked with (a version or an
 * alias), or ":$LATEST". */
static void set_qualified_arn(async_event *e, const lambda_function *f)
{
    if (f->latest)
        f = f->latest; /* a version's record: its function's unqualified ARN */
    size_t base = strlen(f->arn);
    const char *q = strncmp(e->invoked_arn, f->arn, base) == 0 && e->invoked_arn[base] == ':' &&
                            e->invoked_arn[base + 1]
                        ? e->invoked_arn + base + 1
                        : "$LATEST";
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s:%s", f->arn, q);
    e->qualified_arn = buf_detach(&b, NULL);
    e->qualifier = e->qualified_arn + base + 1;
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
    set_qualified_arn(e, f);
    e->queued_ms = clock_now_ms();
    ids_uuid(e->request_id);
    memcpy(request_id, e->request_id, UUID_STR_LEN);
    e->next = pending;
    pending = e;
    log_info("[%s %s] event queued", f->name, e->request_id);
    timers_arm(loop_timers(), &e->timer, clock_now_ms(), attempt, e);
}

void async_invoke_wake(const lambda_function *f)
{
    for (async_event *e = pending; e; e = e->next) {
        if (e->throttled && strcmp(e->function_name, f->name) == 0 && strcmp(e->account, f->account) == 0 &&
            strcmp(e->region, f->region) == 0)
            timers_arm(loop_timers(), &e->timer, clock_now_ms(), attempt, e);
    }
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
