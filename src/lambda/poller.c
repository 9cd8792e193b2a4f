/* lambda/poller: the SQS poller of each enabled event-source mapping.
 *
 * How it lives. A poller exists while its mapping is Enabled and its function exists
 * (poller_sync starts, stops or re-reads it on every mapping or function change). It runs
 * in-process and never sleeps:
 *
 *   1. receive: it calls the SQS service's ReceiveMessage like any consumer, with the
 *      queue's visibility timeout, for up to the records the current batch still lacks.
 *      Records that match none of the mapping's FilterCriteria are deleted at once (AWS
 *      drops them); the others join the batch, within BatchSize and the 6 MB payload.
 *   2. wait: with nothing to receive it parks as a long-poll waiter on the queue
 *      (sqs/waiters.c) and is woken by a send or a visibility change, or after an idle
 *      wait, whichever comes first; a missing queue is retried on a timer.
 *   3. batch: a batch goes out when it is full, when it reaches 6 MB, or when the
 *      MaximumBatchingWindowInSeconds timer fires; with no window, as soon as a receive
 *      returns.
 *   4. invoke: up to ScalingConfig.MaximumConcurrency batches run at once (in provisioned
 *      mode MaximumPollers x 10; mapping_settings.c), and never more invocations of the
 *      function than its reserved concurrency allows (concurrency.c), counting sync
 *      invokes and other mappings; at either limit the poller stops receiving (messages
 *      stay in the queue, as AWS's throttled batches do), and each finished invocation of
 *      the function, or a changed reservation, runs it again (pollers_wake_function).
 *   5. settle: when the invocation succeeds the batch's messages are deleted; with
 *      ReportBatchItemFailures only those not listed as failed (a response AWS cannot read
 *      fails the whole batch). A failure deletes nothing: the messages come back after
 *      their visibility timeout, and the queue's redrive policy applies as for any consumer.
 *
 * Disabling or deleting a mapping makes records collected but not yet sent visible again
 * at once. Batches already invoked still settle as in step 5; a deleted mapping's poller is
 * freed when its last invocation ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concurrency.h"
#include "event.h"
#include "function.h"
#include "history.h"
#include "mapping.h"
#include "mapping_settings.h"
#include "poller.h"
#include "settings.h"
#include "versions.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/json.h"
#include "sqsemu/log.h"
#include "sqsemu/loop.h"
#include "sqsemu/sqs.h"
#include "sqsemu/strset.h"
#include "sqsemu/waiters.h"

#define PAYLOAD_LIMIT 6291456
#define IDLE_WAIT_MS 20000
#define RETRY_MS 1000

typedef struct poller {
    mapping *m;
    waiter waiter;
    sq_timer timer;        /* batching window, or a retry while the queue is missing */
    int in_flight;
    cJSON *batch;          /* records collected for the next invocation */
    size_t batch_bytes;
    int64_t window_deadline;
    int64_t last_receive_ms; /* clock reading of the last ReceiveMessage */
    bool run_scheduled;
    bool dropped;
} poller;

typedef struct batch_call {
    poller *p;
    lambda_function *f;     /* held by its execution environment until batch_done returns */
    cJSON *records;
    char *queue_arn;        /* the batch's messages are settled even if the mapping went away */
    char *mapping_uuid;     /* for log lines */
    char *function_name;
    bool report_failures;   /* ReportBatchItemFailures when the batch was sent */
} batch_call;

static poller **all_pollers;
static size_t poller_count;
static int64_t last_call_ms; /* clock reading of the last in-process SQS call */

static void schedule_run(poller *p);

/* ---- in-process SQS ---- */

static bool sqs_call(const char *arn, const char *action, cJSON *input, cJSON **output)
{
    sqs_queue_info info = sqs_queue_lookup(arn);
    if (!info.exists)
        return false;
    /* arn:aws:sqs:<region>:<account>:<name> */
    char region[64] = "", account[16] = "";
    sscanf(arn, "arn:aws:sqs:%63[^:]:%15[^:]:", region, account);
    cJSON_AddStringToObject(input, "QueueUrl", info.url_path);
    sqs_ctx ctx = {
        .account = account,
        .region = region,
        .url_base = "http://127.0.0.1",
        .sender_id = account,
        .now_ms = clock_now_ms(),
    };
    last_call_ms = ctx.now_ms;
    sqs_error err = {0};
    sqs_status status = sqs_service_call(&ctx, action, input, output, &err);
    if (status != SQS_STATUS_OK) {
        log_warn("[poller %s] %s failed: %s", arn, action, err.message);
        cJSON_Delete(*output);
        *output = NULL;
        return false;
    }
    return true;
}

static void delete_handles(const char *arn, const char *const *handles, size_t count)
{
    for (size_t start = 0; start < count; start += 10) {
        cJSON *input = cJSON_CreateObject();
        cJSON *entries = cJSON_AddArrayToObject(input, "Entries");
        for (size_t i = start; i < count && i < start + 10; i++) {
            cJSON *entry = cJSON_CreateObject();
            char id[32];
            snprintf(id, sizeof id, "m%zu", i);
            cJSON_AddStringToObject(entry, "Id", id);
            cJSON_AddStringToObject(entry, "ReceiptHandle", handles[i]);
            cJSON_AddItemToArray(entries, entry);
        }
        cJSON *output = NULL;
        sqs_call(arn, "DeleteMessageBatch", input, &output);
        cJSON_Delete(output);
        cJSON_Delete(input);
    }
}

static void delete_one(const char *arn, const char *handle)
{
    delete_handles(arn, &handle, 1);
}

/* Makes a received message visible again at once (it will not be invoked by this batch). */
static void release_one(const char *arn, const char *handle)
{
    cJSON *input = cJSON_CreateObject();
    cJSON_AddStringToObject(input, "ReceiptHandle", handle);
    cJSON_AddNumberToObject(input, "VisibilityTimeout", 0);
    cJSON *output = NULL;
    sqs_call(arn, "ChangeMessageVisibility", input, &output);
    cJSON_Delete(output);
    cJSON_Delete(input);
}

/* ---- configuration of a running poller ---- */

static lambda_function *target_function(const mapping *m)
{
    /* A qualified ARN runs that version, or the version its alias points at now. */
    return functions_runnable(mapping_string(m, "FunctionArn"), NULL);
}

/* Room for one more batch: below the mapping's own cap and the function's reserved
 * concurrency (which sync invokes and other mappings share). */
static bool may_dispatch(const poller *p, const lambda_function *f)
{
    return p->in_flight < mapping_max_batches(p->m) && concurrency_allows(f);
}

static long effective_visibility(const mapping *m, const lambda_function *f)
{
    sqs_queue_info info = sqs_queue_lookup(mapping_string(m, "EventSourceArn"));
    long window = mapping_int(m, "MaximumBatchingWindowInSeconds");
    long timeout = (long)function_int(f, "Timeout");
    if (window + timeout > info.visibility_timeout_s)
        return window + timeout + 30;
    return info.visibility_timeout_s;
}

static bool record_passes(const mapping *m, const cJSON *record)
{
    if (m->filter_count == 0)
        return true;
    for (size_t i = 0; i < m->filter_count; i++) {
        if (filter_matches(m->filters[i], record))
            return true;
    }
    return false;
}

/* ---- batches ---- */

static void stop_waiting(poller *p)
{
    waiters_cancel(&p->waiter);
    timers_cancel(loop_timers(), &p->timer);
}

/* Gives back the messages collected for a batch that will not be invoked. */
static void release_batch(poller *p, const char *queue_arn)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, p->batch)
    {
        release_one(queue_arn, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "receiptHandle")));
    }
    cJSON_Delete(p->batch);
    p->batch = NULL;
    p->batch_bytes = 0;
    p->window_deadline = 0;
}

static void free_poller(poller *p)
{
    stop_waiting(p);
    cJSON_Delete(p->batch);
    for (size_t i = 0; i < poller_count; i++) {
        if (all_pollers[i] == p) {
            all_pollers[i] = all_pollers[--poller_count];
            break;
        }
    }
    free(p);
}

/* The message ids of a batch's records, as a set (pointers into records). */
static void record_ids(const cJSON *records, strset *ids)
{
    strset_init(ids);
    const cJSON *r;
    cJSON_ArrayForEach(r, records)
    {
        const char *mid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "messageId"));
        if (mid)
            strset_add(ids, mid, strlen(mid));
    }
}

/* The handler's answer under ReportBatchItemFailures: the ids to keep, or false when the
 * whole batch counts as failed. Lambda's rules (developer guide, "Implementing partial
 * batch responses"): an empty or null answer, an empty or null batchItemFailures list
 * mean success; a listed itemIdentifier that is empty, null, missing or not a message id of
 * the batch, or an answer that is not a JSON object (strictly parsed), fails the batch.
 * Looking ids up in a set keeps a large answer against a large batch linear. */
bool poller_parse_item_failures(const invoke_outcome *outcome, const cJSON *records, cJSON **failed_ids)
{
    *failed_ids = cJSON_CreateArray();
    if (outcome->payload_len == 0)
        return true;
    cJSON *doc = json_parse_strict(outcome->payload, outcome->payload_len, NULL, 0);
    if (!doc)
        return false;
    bool ok = true;
    if (!cJSON_IsNull(doc)) {
        const cJSON *failures = cJSON_GetObjectItemCaseSensitive(doc, "batchItemFailures");
        if (!cJSON_IsObject(doc) || (failures && !cJSON_IsNull(failures) && !cJSON_IsArray(failures)))
            ok = false;
        strset known;
        record_ids(records, &known);
        const cJSON *entry;
        const cJSON *list = ok && cJSON_IsArray(failures) ? failures : NULL;
        cJSON_ArrayForEach(entry, list)
        {
            const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "itemIdentifier"));
            if (!id || !*id || !strset_contains(&known, id, strlen(id))) {
                ok = false;
                break;
            }
            cJSON_AddItemToArray(*failed_ids, cJSON_CreateString(id));
        }
        strset_free(&known);
    }
    cJSON_Delete(doc);
    return ok;
}

/* The messageIds of a batch's records. */
static cJSON *message_ids_of(const cJSON *records)
{
    cJSON *ids = cJSON_CreateArray();
    const cJSON *r;
    cJSON_ArrayForEach(r, records)
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "messageId"));
        cJSON_AddItemToArray(ids, cJSON_CreateString(id ? id : ""));
    }
    return ids;
}

/* A handler that returns batchItemFailures on a mapping without ReportBatchItemFailures
 * gets them ignored (AWS deletes the whole batch): say so, since it is a common slip. */
static void warn_ignored_failures(const batch_call *call, const invoke_outcome *outcome)
{
    cJSON *doc = json_parse_strict(outcome->payload ? outcome->payload : "", outcome->payload_len, NULL, 0);
    const cJSON *failures = cJSON_GetObjectItemCaseSensitive(doc, "batchItemFailures");
    if (cJSON_IsArray(failures) && cJSON_GetArraySize(failures) > 0)
        log_warn("[mapping %s function %s] the handler returned batchItemFailures but the mapping lacks "
                 "FunctionResponseTypes [\"ReportBatchItemFailures\"]: they are ignored and the whole batch is "
                 "deleted",
                 call->mapping_uuid, call->function_name);
    cJSON_Delete(doc);
}

/* Deletes the records of a successful batch that are not in failed (NULL: none failed);
 * returns how many were deleted. */
static size_t delete_succeeded(const batch_call *call, const cJSON *failed)
{
    size_t n = (size_t)cJSON_GetArraySize(call->records);
    const char **handles = xmalloc((n ? n : 1) * sizeof *handles);
    size_t count = 0;
    strset kept;
    strset_init(&kept);
    const cJSON *i;
    cJSON_ArrayForEach(i, failed)
    {
        strset_add(&kept, i->valuestring, strlen(i->valuestring));
    }
    const cJSON *r;
    cJSON_ArrayForEach(r, call->records)
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "messageId"));
        if (!id || !strset_contains(&kept, id, strlen(id)))
            handles[count++] = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "receiptHandle"));
    }
    strset_free(&kept);
    delete_handles(call->queue_arn, handles, count);
    free(handles);
    return count;
}

static void log_outcome(const batch_call *call, const invoke_outcome *outcome, size_t records, size_t deleted,
                        const cJSON *failed, bool unreadable)
{
    if (!log_enabled(LOG_INFO))
        return;
    char *failed_text = failed && cJSON_GetArraySize(failed) > 0 ? cJSON_PrintUnformatted(failed) : NULL;
    log_info("[mapping %s function %s req=%s] batch of %zu from %s: %s, deleted %zu%s%s", call->mapping_uuid,
             call->function_name, outcome->request_id, records, call->queue_arn,
             outcome->function_error ? "function error (the messages return after their visibility timeout)"
             : unreadable            ? "the response is not a valid partial batch response (the whole batch failed)"
             : failed_text           ? "partial failure"
                                     : "success",
             deleted, failed_text ? ", failed " : "", failed_text ? failed_text : "");
    free(failed_text);
}

static void batch_done(invoke_outcome *outcome, void *arg)
{
    batch_call *call = arg;
    poller *p = call->p;
    p->in_flight--;
    size_t records = (size_t)cJSON_GetArraySize(call->records), deleted = 0, failed_count = records;
    cJSON *failed = NULL;
    bool unreadable = false;
    if (!outcome->function_error) {
        if (!call->report_failures)
            warn_ignored_failures(call, outcome);
        unreadable = call->report_failures && !poller_parse_item_failures(outcome, call->records, &failed);
        if (!unreadable) {
            deleted = delete_succeeded(call, failed);
            failed_count = (size_t)cJSON_GetArraySize(failed);
        }
        if (unreadable || failed_count > 0)
            history_mark_partial(call->f, outcome->request_id, failed, unreadable,
                                 unreadable ? "The response is not a valid partial batch response." : NULL);
    }
    log_outcome(call, outcome, records, deleted, failed, unreadable);
    if (p->m) {
        p->m->stats.failed_invoke += failed_count;
        p->m->stats.deleted += deleted;
    }
    cJSON_Delete(failed);
    cJSON_Delete(call->records);
    free(call->queue_arn);
    free(call->mapping_uuid);
    free(call->function_name);
    free(call);
    if (p->dropped) {
        if (p->in_flight == 0 && !p->run_scheduled)
            free_poller(p);
        return;
    }
    schedule_run(p);
}

/* Takes the next batch: at most BatchSize records (BatchSize may have been lowered under a
 * collected batch: the rest stays collected for the next invocation). */
static cJSON *take_batch(poller *p)
{
    cJSON *records = p->batch;
    long batch_size = mapping_int(p->m, "BatchSize");
    if (records && cJSON_GetArraySize(records) > batch_size) {
        cJSON *first = cJSON_CreateArray();
        for (long i = 0; i < batch_size; i++)
            cJSON_AddItemToArray(first, cJSON_DetachItemFromArray(records, 0));
        p->batch_bytes = strlen("{\"Records\":[]}");
        const cJSON *r;
        cJSON_ArrayForEach(r, records)
        {
            char *text = cJSON_PrintUnformatted(r);
            p->batch_bytes += strlen(text) + 1;
            free(text);
        }
        return first;
    }
    p->batch = NULL;
    p->batch_bytes = 0;
    p->window_deadline = 0;
    timers_cancel(loop_timers(), &p->timer);
    return records;
}

static void dispatch(poller *p, lambda_function *f)
{
    cJSON *records = take_batch(p);
    if (!records || cJSON_GetArraySize(records) == 0) {
        cJSON_Delete(records);
        return;
    }
    cJSON *event = cJSON_CreateObject();
    cJSON_AddItemReferenceToObject(event, "Records", records);
    char *payload = cJSON_PrintUnformatted(event);
    cJSON_Delete(event);
    batch_call *call = xcalloc(1, sizeof *call);
    call->p = p;
    call->f = f;
    call->records = records;
    call->queue_arn = xstrdup(mapping_string(p->m, "EventSourceArn"));
    call->mapping_uuid = xstrdup(p->m->uuid);
    call->function_name = xstrdup(f->name);
    call->report_failures = mapping_reports_item_failures(p->m);
    p->in_flight++;
    p->m->stats.invoked += (uint64_t)cJSON_GetArraySize(records);
    cJSON *ids = message_ids_of(records);
    invoke_request req = {
        .payload = payload,
        .payload_len = strlen(payload),
        .invoked_arn = mapping_string(p->m, "FunctionArn"),
        .trigger = p->m->uuid,
        .message_ids = ids,
    };
    executor_invoke(f, &req, batch_done, call);
    cJSON_Delete(ids);
    free(payload);
}

/* Adds a received message to the batch; false when it no longer fits (then it is released). */
static bool add_record(poller *p, cJSON *record)
{
    char *text = cJSON_PrintUnformatted(record);
    size_t size = strlen(text) + 1;
    free(text);
    if (!p->batch) {
        p->batch = cJSON_CreateArray();
        p->batch_bytes = strlen("{\"Records\":[]}");
        p->window_deadline = clock_now_ms() + mapping_int(p->m, "MaximumBatchingWindowInSeconds") * 1000;
    }
    if (p->batch_bytes + size > PAYLOAD_LIMIT && cJSON_GetArraySize(p->batch) > 0)
        return false;
    p->batch_bytes += size;
    cJSON_AddItemToArray(p->batch, record);
    return true;
}

static void on_timer(void *arg)
{
    schedule_run(arg);
}

static void on_wake(waiter *w, void *arg)
{
    (void)w;
    schedule_run(arg);
}

/* Receives once; returns the number of messages received, or -1 on failure. */
static int receive_into_batch(poller *p, lambda_function *f, bool *full)
{
    const mapping *m = p->m;
    long batch_size = mapping_int(m, "BatchSize");
    long have = p->batch ? cJSON_GetArraySize(p->batch) : 0;
    long want = batch_size - have < 10 ? batch_size - have : 10;
    if (want < 1)
        want = 1; /* (run() dispatches a full batch before receiving more) */
    cJSON *input = cJSON_CreateObject();
    cJSON_AddNumberToObject(input, "MaxNumberOfMessages", (double)want);
    cJSON_AddNumberToObject(input, "VisibilityTimeout", (double)effective_visibility(m, f));
    cJSON_AddNumberToObject(input, "WaitTimeSeconds", 0);
    cJSON_AddItemToObject(input, "AttributeNames", cJSON_CreateStringArray((const char *[]){"All"}, 1));
    cJSON_AddItemToObject(input, "MessageAttributeNames", cJSON_CreateStringArray((const char *[]){"All"}, 1));
    cJSON *output = NULL;
    const char *arn = mapping_string(m, "EventSourceArn");
    bool ok = sqs_call(arn, "ReceiveMessage", input, &output);
    p->last_receive_ms = last_call_ms;
    cJSON_Delete(input);
    if (!ok)
        return -1;
    const cJSON *messages = cJSON_GetObjectItemCaseSensitive(output, "Messages");
    int received = 0;
    char region[64] = "";
    sscanf(arn, "arn:aws:sqs:%63[^:]:", region);
    const cJSON *msg;
    cJSON_ArrayForEach(msg, messages)
    {
        received++;
        p->m->stats.polled++;
        cJSON *record = event_record_from_message(msg);
        const char *handle = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(record, "receiptHandle"));
        if (!record_passes(m, record)) {
            p->m->stats.filtered_out++;
            delete_one(arn, handle); /* filtered out: deleted without invoking, as AWS does */
            cJSON_Delete(record);
            continue;
        }
        event_record_add_source(record, arn, region);
        if (*full || !add_record(p, record)) {
            *full = true;
            release_one(arn, handle);
            cJSON_Delete(record);
        }
    }
    cJSON_Delete(output);
    if (p->batch && cJSON_GetArraySize(p->batch) >= batch_size)
        *full = true;
    return received;
}

static bool poller_active(const poller *p, lambda_function **f)
{
    *f = target_function(p->m);
    return mapping_enabled(p->m) && *f != NULL;
}

static void run(void *arg)
{
    poller *p = arg;
    p->run_scheduled = false;
    if (p->dropped) {
        if (p->in_flight == 0)
            free_poller(p);
        return;
    }
    lambda_function *f = NULL;
    if (!poller_active(p, &f)) {
        stop_waiting(p); /* disabled, or its function is gone */
        if (p->batch)
            release_batch(p, mapping_string(p->m, "EventSourceArn"));
        return;
    }
    sqs_queue *queue = sqs_queue_by_arn(mapping_string(p->m, "EventSourceArn"));
    if (!queue) {
        waiters_cancel(&p->waiter);
        timers_arm(loop_timers(), &p->timer, clock_now_ms() + RETRY_MS, on_timer, p);
        return;
    }
    long window = mapping_int(p->m, "MaximumBatchingWindowInSeconds");
    if (concurrency_reserved(f) == 0 && p->batch)
        release_batch(p, mapping_string(p->m, "EventSourceArn")); /* throttled: nothing may run */
    while (may_dispatch(p, f)) {
        if (p->batch && cJSON_GetArraySize(p->batch) >= mapping_int(p->m, "BatchSize")) {
            dispatch(p, f); /* BatchSize may have been lowered under a collected batch */
            continue;
        }
        bool full = false;
        int received = receive_into_batch(p, f, &full);
        if (received < 0) {
            timers_arm(loop_timers(), &p->timer, clock_now_ms() + RETRY_MS, on_timer, p);
            return;
        }
        bool have = p->batch && cJSON_GetArraySize(p->batch) > 0;
        if (full || (have && (window == 0 || clock_now_ms() >= p->window_deadline))) {
            dispatch(p, f);
            continue;
        }
        if (received > 0)
            continue; /* keep filling the batch within its window */
        if (have)
            timers_arm(loop_timers(), &p->timer, p->window_deadline, on_timer, p);
        waiters_cancel(&p->waiter);
        waiters_wait(&p->waiter, queue, clock_now_ms() + IDLE_WAIT_MS, p->last_receive_ms, on_wake, p);
        return;
    }
}

static void schedule_run(poller *p)
{
    if (p->run_scheduled)
        return;
    p->run_scheduled = true;
    loop_defer(run, p);
}

/* ---- lifecycle ---- */

void poller_sync(mapping *m)
{
    if (!m->poller) {
        poller *p = xcalloc(1, sizeof *p);
        p->m = m;
        m->poller = p;
        all_pollers = xrealloc(all_pollers, (poller_count + 1) * sizeof *all_pollers);
        all_pollers[poller_count++] = p;
    }
    schedule_run(m->poller);
}

void pollers_wake_function(const lambda_function *f)
{
    for (size_t i = 0; i < poller_count; i++) {
        poller *p = all_pollers[i];
        if (!p->m || p->dropped)
            continue;
        /* A mapping on a version or an alias shares the function's reserved concurrency. */
        const lambda_function *target = target_function(p->m);
        if (target && (target == f || target->latest == f || target == f->latest))
            schedule_run(p);
    }
}

void poller_drop(mapping *m)
{
    poller *p = m->poller;
    if (!p)
        return;
    m->poller = NULL;
    p->dropped = true;
    stop_waiting(p);
    if (p->batch)
        release_batch(p, mapping_string(m, "EventSourceArn")); /* collected but never invoked */
    p->m = NULL;
    if (p->in_flight == 0 && !p->run_scheduled)
        free_poller(p);
}

void pollers_stop_all(void)
{
    while (poller_count > 0) {
        poller *p = all_pollers[0];
        if (p->m)
            p->m->poller = NULL;
        free_poller(p);
    }
    free(all_pollers);
    all_pollers = NULL;
}
