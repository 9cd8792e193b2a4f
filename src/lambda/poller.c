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
 * Store transactions: one run of the poller (its receive passes, the deletes of filtered
 * records, the batches it sends) is one transaction, and so are the deletes of the batches
 * that ended since the last run: batch_done only queues them, and the run they wake
 * performs them first (each SQS call inside is a savepoint). A record is written as event
 * text once when it is received (event.c, batch_records.c) and never parsed again.
 *
 * Disabling or deleting a mapping makes records collected but not yet sent visible again
 * at once. Batches already invoked still settle as in step 5; a deleted mapping's poller is
 * freed when its last invocation ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_records.h"
#include "concurrency.h"
#include "event.h"
#include "function.h"
#include "history.h"
#include "mapping.h"
#include "mapping_settings.h"
#include "poller.h"
#include "poller_sqs.h"
#include "settings.h"
#include "versions.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/json.h"
#include "sqsemu/log.h"
#include "sqsemu/loop.h"
#include "sqsemu/sqs.h"
#include "sqsemu/strset.h"
#include "sqsemu/tx.h"
#include "sqsemu/waiters.h"

#define PAYLOAD_LIMIT 6291456
#define IDLE_WAIT_MS 20000
#define RETRY_MS 1000

/* A message of a settled batch that waits for the next run to delete it. */
typedef struct pending_delete {
    char *queue_arn;
    char *handle;
} pending_delete;

typedef struct poller {
    mapping *m;
    waiter waiter;
    sq_timer timer;        /* batching window, or a retry while the queue is missing */
    int in_flight;
    record_list batch;     /* records collected for the next invocation */
    int64_t window_deadline;
    pending_delete *deletes;
    size_t delete_count;
    size_t delete_cap;
    int64_t last_receive_ms; /* clock reading of the last ReceiveMessage */
    bool run_scheduled;
    bool dropped;
} poller;

typedef struct batch_call {
    poller *p;
    lambda_function *f;     /* held by its execution environment until batch_done returns */
    record_list records;
    char *queue_arn;        /* the batch's messages are settled even if the mapping went away */
    char *mapping_uuid;     /* for log lines */
    char *function_name;
    bool report_failures;   /* ReportBatchItemFailures when the batch was sent */
} batch_call;

static poller **all_pollers;
static size_t poller_count;

static void schedule_run(poller *p);

/* Deletes the messages of settled batches queued by batch_done, in one transaction. */
static void flush_deletes(poller *p)
{
    if (p->delete_count == 0)
        return;
    bool opened = poller_tx_open();
    size_t start = 0;
    const char **handles = xmalloc(p->delete_count * sizeof *handles);
    for (size_t i = 0; i < p->delete_count; i++)
        handles[i] = p->deletes[i].handle;
    while (start < p->delete_count) {
        size_t end = start;
        while (end < p->delete_count && strcmp(p->deletes[end].queue_arn, p->deletes[start].queue_arn) == 0)
            end++;
        poller_delete_handles(p->deletes[start].queue_arn, handles + start, end - start);
        start = end;
    }
    poller_tx_close(opened);
    free(handles);
    for (size_t i = 0; i < p->delete_count; i++) {
        free(p->deletes[i].queue_arn);
        free(p->deletes[i].handle);
    }
    p->delete_count = 0;
}

static void queue_delete(poller *p, const char *queue_arn, const char *handle)
{
    if (p->delete_count == p->delete_cap) {
        p->delete_cap = p->delete_cap ? 2 * p->delete_cap : 32;
        p->deletes = xrealloc(p->deletes, p->delete_cap * sizeof *p->deletes);
    }
    p->deletes[p->delete_count++] = (pending_delete){xstrdup(queue_arn), xstrdup(handle)};
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

/* Whether a received message passes the mapping's FilterCriteria (the patterns match the
 * record as the handler would see it, before the source fields are added). */
static bool message_passes(const mapping *m, const cJSON *message)
{
    if (m->filter_count == 0)
        return true;
    cJSON *record = event_record_from_message(message);
    bool passes = false;
    for (size_t i = 0; i < m->filter_count && !passes; i++)
        passes = filter_matches(m->filters[i], record);
    cJSON_Delete(record);
    return passes;
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
    const char **handles = xmalloc((p->batch.count ? p->batch.count : 1) * sizeof *handles);
    for (size_t i = 0; i < p->batch.count; i++)
        handles[i] = p->batch.items[i].receipt_handle;
    bool opened = poller_tx_open();
    poller_release_handles(queue_arn, handles, p->batch.count);
    poller_tx_close(opened);
    free(handles);
    records_clear(&p->batch);
    p->window_deadline = 0;
}

static void free_poller(poller *p)
{
    stop_waiting(p);
    flush_deletes(p);
    free(p->deletes);
    records_clear(&p->batch);
    for (size_t i = 0; i < poller_count; i++) {
        if (all_pollers[i] == p) {
            all_pollers[i] = all_pollers[--poller_count];
            break;
        }
    }
    free(p);
}

/* The handler's answer under ReportBatchItemFailures against the batch's message ids. */
static bool parse_item_failures(const invoke_outcome *outcome, const strset *known, cJSON **failed_ids)
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
        const cJSON *entry;
        const cJSON *list = ok && cJSON_IsArray(failures) ? failures : NULL;
        cJSON_ArrayForEach(entry, list)
        {
            const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "itemIdentifier"));
            if (!id || !*id || !strset_contains(known, id, strlen(id))) {
                ok = false;
                break;
            }
            cJSON_AddItemToArray(*failed_ids, cJSON_CreateString(id));
        }
    }
    cJSON_Delete(doc);
    return ok;
}

/* The handler's answer under ReportBatchItemFailures: the ids to keep, or false when the
 * whole batch counts as failed. Lambda's rules (developer guide, "Implementing partial
 * batch responses"): an empty or null answer, an empty or null batchItemFailures list
 * mean success; a listed itemIdentifier that is empty, null, missing or not a message id of
 * the batch, or an answer that is not a JSON object (strictly parsed), fails the batch.
 * Looking ids up in a set keeps a large answer against a large batch linear. */
bool poller_parse_item_failures(const invoke_outcome *outcome, const cJSON *records, cJSON **failed_ids)
{
    strset known;
    strset_init(&known);
    const cJSON *r;
    cJSON_ArrayForEach(r, records)
    {
        const char *mid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "messageId"));
        if (mid)
            strset_add(&known, mid, strlen(mid));
    }
    bool ok = parse_item_failures(outcome, &known, failed_ids);
    strset_free(&known);
    return ok;
}

/* A handler that returns batchItemFailures on a mapping without ReportBatchItemFailures
 * gets them ignored (AWS deletes the whole batch): say so, since it is a common slip. */
static void warn_ignored_failures(const batch_call *call, const invoke_outcome *outcome)
{
    if (!outcome->payload || !memmem(outcome->payload, outcome->payload_len, "batchItemFailures", 17))
        return; /* (the common case, without parsing the answer) */
    cJSON *doc = json_parse_strict(outcome->payload, outcome->payload_len, NULL, 0);
    const cJSON *failures = cJSON_GetObjectItemCaseSensitive(doc, "batchItemFailures");
    if (cJSON_IsArray(failures) && cJSON_GetArraySize(failures) > 0)
        log_warn("[mapping %s function %s] the handler returned batchItemFailures but the mapping lacks "
                 "FunctionResponseTypes [\"ReportBatchItemFailures\"]: they are ignored and the whole batch is "
                 "deleted",
                 call->mapping_uuid, call->function_name);
    cJSON_Delete(doc);
}

/* Queues the records of a successful batch that are not in failed (NULL: none failed) for
 * deletion by the poller's next run (at once when the poller is gone); returns how many. */
static size_t delete_succeeded(const batch_call *call, const cJSON *failed)
{
    poller *p = call->p;
    size_t count = 0;
    strset kept;
    strset_init(&kept);
    const cJSON *i;
    cJSON_ArrayForEach(i, failed)
    {
        strset_add(&kept, i->valuestring, strlen(i->valuestring));
    }
    for (size_t r = 0; r < call->records.count; r++) {
        const batch_record *rec = &call->records.items[r];
        if (!strset_contains(&kept, rec->message_id, strlen(rec->message_id))) {
            queue_delete(p, call->queue_arn, rec->receipt_handle);
            count++;
        }
    }
    strset_free(&kept);
    if (p->dropped)
        flush_deletes(p);
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

/* Settles the batch's records by the invocation's outcome; returns how many failed. */
static size_t settle(const batch_call *call, const invoke_outcome *outcome, size_t *deleted)
{
    size_t records = call->records.count, failed_count = records;
    cJSON *failed = NULL;
    bool unreadable = false;
    *deleted = 0;
    if (!outcome->function_error) {
        if (!call->report_failures) {
            warn_ignored_failures(call, outcome);
        } else {
            strset known;
            records_id_set(&call->records, &known);
            unreadable = !parse_item_failures(outcome, &known, &failed);
            strset_free(&known);
        }
        if (!unreadable) {
            *deleted = delete_succeeded(call, failed);
            failed_count = (size_t)cJSON_GetArraySize(failed);
        }
        if (unreadable || failed_count > 0)
            history_mark_partial(call->f, outcome->request_id, failed, unreadable,
                                 unreadable ? "The response is not a valid partial batch response." : NULL);
    }
    log_outcome(call, outcome, records, *deleted, failed, unreadable);
    cJSON_Delete(failed);
    return failed_count;
}

static void batch_done(invoke_outcome *outcome, void *arg)
{
    batch_call *call = arg;
    poller *p = call->p;
    p->in_flight--;
    size_t deleted = 0;
    size_t failed_count = settle(call, outcome, &deleted);
    if (p->m) {
        p->m->stats.failed_invoke += failed_count;
        p->m->stats.deleted += deleted;
    }
    records_clear(&call->records);
    free(call->queue_arn);
    free(call->mapping_uuid);
    free(call->function_name);
    free(call);
    if (p->dropped) {
        if (p->in_flight == 0 && !p->run_scheduled)
            free_poller(p);
        return;
    }
    schedule_run(p); /* deletes the batch's messages, then receives the next batch */
}

/* Takes the next batch: at most BatchSize records (BatchSize may have been lowered under a
 * collected batch: the rest stays collected for the next invocation). */
static void take_batch(poller *p, record_list *out)
{
    size_t batch_size = (size_t)mapping_int(p->m, "BatchSize");
    if (p->batch.count > batch_size) {
        records_take_first(&p->batch, batch_size, out);
        return;
    }
    *out = p->batch;
    records_init(&p->batch);
    p->window_deadline = 0;
    timers_cancel(loop_timers(), &p->timer);
}

static void dispatch(poller *p, lambda_function *f)
{
    batch_call *call = xcalloc(1, sizeof *call);
    take_batch(p, &call->records);
    if (call->records.count == 0) {
        records_clear(&call->records);
        free(call);
        return;
    }
    size_t payload_len = 0;
    char *payload = records_event(&call->records, &payload_len);
    call->p = p;
    call->f = f;
    call->queue_arn = xstrdup(mapping_string(p->m, "EventSourceArn"));
    call->mapping_uuid = xstrdup(p->m->uuid);
    call->function_name = xstrdup(f->name);
    call->report_failures = mapping_reports_item_failures(p->m);
    p->in_flight++;
    p->m->stats.invoked += (uint64_t)call->records.count;
    cJSON *ids = records_message_ids(&call->records);
    invoke_request req = {
        .payload = payload,
        .payload_len = payload_len,
        .invoked_arn = mapping_string(p->m, "FunctionArn"),
        .trigger = p->m->uuid,
        .message_ids = ids,
    };
    executor_invoke(f, &req, batch_done, call);
    cJSON_Delete(ids);
    free(payload);
}

/* Adds a received message to the batch as event text; false when it no longer fits. */
static bool add_record(poller *p, const cJSON *msg, const char *arn, const char *region)
{
    buf_t text;
    buf_init(&text);
    event_record_write(&text, msg, arn, region);
    if (p->batch.count > 0 && records_bytes_with(&p->batch, text.len) > PAYLOAD_LIMIT) {
        buf_free(&text);
        return false;
    }
    if (p->batch.count == 0)
        p->window_deadline = clock_now_ms() + mapping_int(p->m, "MaximumBatchingWindowInSeconds") * 1000;
    size_t len = 0;
    char *owned = buf_detach(&text, &len);
    records_add(&p->batch, owned, len,
                cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "MessageId")),
                cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "ReceiptHandle")));
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

static cJSON *receive_input(const mapping *m, const lambda_function *f, long want)
{
    cJSON *input = cJSON_CreateObject();
    cJSON_AddNumberToObject(input, "MaxNumberOfMessages", (double)want);
    cJSON_AddNumberToObject(input, "VisibilityTimeout", (double)effective_visibility(m, f));
    cJSON_AddNumberToObject(input, "WaitTimeSeconds", 0);
    cJSON_AddItemToObject(input, "AttributeNames", cJSON_CreateStringArray((const char *[]){"All"}, 1));
    cJSON_AddItemToObject(input, "MessageAttributeNames", cJSON_CreateStringArray((const char *[]){"All"}, 1));
    return input;
}

/* Receives once; returns the number of messages received, or -1 on failure. */
static int receive_into_batch(poller *p, lambda_function *f, bool *full)
{
    const mapping *m = p->m;
    long batch_size = mapping_int(m, "BatchSize");
    long have = (long)p->batch.count;
    long want = batch_size - have < 10 ? batch_size - have : 10;
    if (want < 1)
        want = 1; /* (run() dispatches a full batch before receiving more) */
    cJSON *input = receive_input(m, f, want);
    cJSON *output = NULL;
    const char *arn = mapping_string(m, "EventSourceArn");
    bool ok = poller_sqs_call(arn, "ReceiveMessage", input, &output);
    p->last_receive_ms = poller_sqs_last_call_ms();
    cJSON_Delete(input);
    if (!ok)
        return -1;
    const cJSON *messages = cJSON_GetObjectItemCaseSensitive(output, "Messages");
    int received = 0;
    char region[64] = "";
    sscanf(arn, "arn:aws:sqs:%63[^:]:", region);
    const char *dropped[10], *released[10];
    size_t dropped_count = 0, released_count = 0;
    const cJSON *msg;
    cJSON_ArrayForEach(msg, messages)
    {
        received++;
        p->m->stats.polled++;
        const char *handle = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "ReceiptHandle"));
        if (!message_passes(m, msg)) {
            p->m->stats.filtered_out++;
            if (dropped_count < 10)
                dropped[dropped_count++] = handle; /* deleted without invoking, as AWS does */
            continue;
        }
        if (*full || !add_record(p, msg, arn, region)) {
            *full = true;
            if (released_count < 10)
                released[released_count++] = handle;
        }
    }
    poller_delete_handles(arn, dropped, dropped_count);
    poller_release_handles(arn, released, released_count);
    cJSON_Delete(output);
    if ((long)p->batch.count >= batch_size)
        *full = true;
    return received;
}

static bool poller_active(const poller *p, lambda_function **f)
{
    *f = target_function(p->m);
    return mapping_enabled(p->m) && *f != NULL;
}

/* Receives and dispatches while the mapping may run more batches; parks when the queue is
 * empty (or arms the retry timer). Runs inside the poller's transaction. */
static void fill_and_dispatch(poller *p, lambda_function *f, sqs_queue *queue)
{
    long window = mapping_int(p->m, "MaximumBatchingWindowInSeconds");
    if (concurrency_reserved(f) == 0 && p->batch.count > 0)
        release_batch(p, mapping_string(p->m, "EventSourceArn")); /* throttled: nothing may run */
    while (may_dispatch(p, f)) {
        if ((long)p->batch.count >= mapping_int(p->m, "BatchSize")) {
            dispatch(p, f); /* BatchSize may have been lowered under a collected batch */
            continue;
        }
        bool full = false;
        int received = receive_into_batch(p, f, &full);
        if (received < 0) {
            timers_arm(loop_timers(), &p->timer, clock_now_ms() + RETRY_MS, on_timer, p);
            return;
        }
        bool have = p->batch.count > 0;
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

/* One run: first the deletes of the batches that ended since the last run, then receiving. */
static void run_once(poller *p)
{
    flush_deletes(p);
    if (p->dropped) {
        if (p->in_flight == 0)
            free_poller(p);
        return;
    }
    lambda_function *f = NULL;
    if (!poller_active(p, &f)) {
        stop_waiting(p); /* disabled, or its function is gone */
        if (p->batch.count > 0)
            release_batch(p, mapping_string(p->m, "EventSourceArn"));
        return;
    }
    sqs_queue *queue = sqs_queue_by_arn(mapping_string(p->m, "EventSourceArn"));
    if (!queue) {
        waiters_cancel(&p->waiter);
        timers_arm(loop_timers(), &p->timer, clock_now_ms() + RETRY_MS, on_timer, p);
        return;
    }
    fill_and_dispatch(p, f, queue);
}

static void run(void *arg)
{
    poller *p = arg;
    p->run_scheduled = false;
    bool opened = poller_tx_open();
    run_once(p); /* (may free p) */
    poller_tx_close(opened);
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
    if (p->batch.count > 0)
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
