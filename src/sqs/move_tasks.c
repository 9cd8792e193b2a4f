/* sqs/move_tasks: message move tasks (StartMessageMoveTask, ListMessageMoveTasks,
 * CancelMessageMoveTask): moving a dead-letter queue's messages back to their source
 * queues or to a given destination as new messages, at a bounded rate, on timers; tasks
 * are persisted so a running task goes on after a restart. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fifo.h"
#include "internal.h"
#include "move_tasks.h"
#include "registry.h"
#include "sqsemu/waiters.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/codec.h"
#include "sqsemu/json.h"
#include "sqsemu/ids.h"
#include "sqsemu/log.h"
#include "sqsemu/loop.h"
#include "sqsemu/store.h"
#include "sqsemu/tx.h"

#define DEFAULT_RATE 500
#define MAX_RATE 500
#define TASKS_KEPT 10
#define TICK_MS 100

typedef struct move_task {
    char task_id[UUID_STR_LEN];
    char *source_arn;
    cJSON *record; /* the ListMessageMoveTasksResultEntry members, plus the handle */
    sq_timer timer;
    double credits;
    int64_t last_tick_ms;
    int64_t last_log_ms; /* progress is logged at most once a second */
    struct move_task *next; /* newest first */
} move_task;

static move_task *all_tasks;

static const char *task_status(const move_task *t)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t->record, "Status"));
}

static double task_number(const move_task *t, const char *member)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t->record, member));
}

static bool save(const move_task *t)
{
    char *json = cJSON_PrintUnformatted(t->record);
    bool ok = store_task_put(t->task_id, t->source_arn, json);
    free(json);
    return ok;
}

static void task_free(move_task *t)
{
    timers_cancel(loop_timers(), &t->timer);
    free(t->source_arn);
    cJSON_Delete(t->record);
    free(t);
}

/* Keeps the newest TASKS_KEPT tasks of a source in memory (the store trims likewise). */
static void trim_in_memory(const char *source_arn)
{
    int seen = 0;
    for (move_task **link = &all_tasks; *link;) {
        move_task *t = *link;
        if (strcmp(t->source_arn, source_arn) == 0 && ++seen > TASKS_KEPT) {
            *link = t->next;
            task_free(t);
            continue;
        }
        link = &t->next;
    }
}

/* ---- moving ---- */

typedef struct candidate {
    int64_t rowid;
    char *origin_arn; /* DeadLetterQueueSourceArn, or NULL */
} candidate;

typedef struct candidate_list {
    candidate items[MAX_RATE];
    size_t count;
} candidate_list;

static bool collect(const stored_message *m, void *arg)
{
    candidate_list *list = arg;
    list->items[list->count].rowid = m->rowid;
    list->items[list->count].origin_arn = m->dlq_source_arn ? xstrdup(m->dlq_source_arn) : NULL;
    list->count++;
    return list->count < MAX_RATE;
}

static void set_final_state(move_task *t, const char *status, const char *reason)
{
    json_set_string(t->record, "Status", status);
    cJSON_DeleteItemFromObjectCaseSensitive(t->record, "TaskHandle");
    if (reason)
        json_set_string(t->record, "FailureReason", reason);
}

/* Ends a task outside a service call (its source queue is gone). */
static void log_progress(const move_task *t, const char *what)
{
    const char *dest = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t->record, "DestinationArn"));
    const char *reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t->record, "FailureReason"));
    log_info("[move task %s] %s: %.0f of ~%.0f messages moved from %s to %s%s%s", t->task_id, what,
             task_number(t, "ApproximateNumberOfMessagesMoved"), task_number(t, "ApproximateNumberOfMessagesToMove"),
             t->source_arn, dest ? dest : "their source queues", reason ? ", " : "", reason ? reason : "");
}

static void finish_task(move_task *t, const char *status, const char *reason)
{
    set_final_state(t, status, reason);
    log_progress(t, status);
    timers_cancel(loop_timers(), &t->timer);
    if (!save(t))
        log_warn("move task %s: could not store its final state", t->task_id);
}

static bool move_one(move_task *t, const candidate *c, int64_t now_ms, sqs_queue **moved_to, const char **failure)
{
    const char *dest_arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t->record, "DestinationArn"));
    sqs_queue *dest = registry_find_arn(dest_arn ? dest_arn : c->origin_arn);
    if (!dest) {
        *failure = "AWS.SimpleQueueService.NonExistentQueue";
        return false;
    }
    char message_id[UUID_STR_LEN];
    ids_uuid(message_id);
    int64_t secret;
    ids_random(&secret, sizeof secret);
    int64_t sequence = dest->fifo ? fifo_next_sequence(dest, now_ms) : 0;
    if (!store_message_redrive(c->rowid, dest->id, message_id, now_ms, now_ms + (int64_t)dest->delay_s * 1000, secret,
                               sequence)) {
        *failure = "InternalError";
        return false;
    }
    *moved_to = dest;
    return true;
}

/* A task's record as it was before a change, put back if the change is rolled back. */
typedef struct record_snapshot {
    move_task *task;
    cJSON *record;
} record_snapshot;

static void drop_record_snapshot(void *arg)
{
    record_snapshot *s = arg;
    cJSON_Delete(s->record);
    free(s);
}

static void restore_record(void *arg)
{
    record_snapshot *s = arg;
    cJSON_Delete(s->task->record);
    s->task->record = s->record;
    free(s);
}

static void snapshot_record(move_task *t)
{
    record_snapshot *s = xmalloc(sizeof *s);
    *s = (record_snapshot){t, cJSON_Duplicate(t->record, true)};
    tx_defer(drop_record_snapshot, restore_record, s);
}

/* Moves up to `budget` messages in one transaction; returns false when the task ended. A
 * batch whose transaction fails is undone in the store and in the task's record alike,
 * and the task tries again at its next tick. */
static bool move_batch(move_task *t, sqs_queue *source, long budget, int64_t now_ms)
{
    candidate_list list = {.count = 0};
    if (budget > MAX_RATE)
        budget = MAX_RATE;
    if (!tx_open())
        return true;
    snapshot_record(t);
    store_message_each_visible(source->id, now_ms, (int)budget, NULL, 0, collect, &list);
    size_t moved = 0;
    const char *failure = NULL;
    for (size_t i = 0; i < list.count && !failure; i++) {
        sqs_queue *dest = NULL;
        if (move_one(t, &list.items[i], now_ms, &dest, &failure)) {
            moved++;
            after_commit_announce(dest, true, false);
        }
    }
    for (size_t i = 0; i < list.count; i++)
        free(list.items[i].origin_arn);
    json_set_number(t->record, "ApproximateNumberOfMessagesMoved", task_number(t, "ApproximateNumberOfMessagesMoved") + (double)moved);
    bool done = failure != NULL || list.count < (size_t)budget;
    if (failure)
        set_final_state(t, "FAILED", failure);
    else if (done)
        set_final_state(t, "COMPLETED", NULL);
    if (!tx_close(save(t)))
        return true;
    if (done) {
        timers_cancel(loop_timers(), &t->timer);
        log_progress(t, task_status(t));
    } else if (moved > 0 && now_ms - t->last_log_ms >= 1000) {
        t->last_log_ms = now_ms;
        log_progress(t, "running");
    }
    t->credits -= (double)moved;
    return !done;
}

static void tick(void *arg);

static int64_t tick_interval_ms(const move_task *t)
{
    double rate = task_number(t, "_Rate");
    return rate >= 10 ? TICK_MS : (int64_t)(1000.0 / rate);
}

static void schedule(move_task *t, int64_t now_ms)
{
    timers_arm(loop_timers(), &t->timer, now_ms + tick_interval_ms(t), tick, t);
}

static void tick(void *arg)
{
    move_task *t = arg;
    int64_t now = clock_now_ms();
    sqs_queue *source = registry_find_arn(t->source_arn);
    if (!source) {
        finish_task(t, "FAILED", "AWS.SimpleQueueService.NonExistentQueue");
        return;
    }
    double rate = task_number(t, "_Rate");
    t->credits += rate * (double)(now - t->last_tick_ms) / 1000.0;
    if (t->credits > rate)
        t->credits = rate; /* no bursts after a pause */
    t->last_tick_ms = now;
    long budget = (long)floor(t->credits);
    if (budget >= 1 && !move_batch(t, source, budget, now))
        return;
    schedule(t, now);
}

/* ---- handles ---- */

static char *make_handle(const char *task_id, const char *source_arn)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "taskId", task_id);
    cJSON_AddStringToObject(doc, "sourceArn", source_arn);
    char *json = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    char *handle = base64_encode(json, strlen(json));
    free(json);
    return handle;
}

/* ---- actions ---- */

/* arn:<partition>:sqs:<region>:<account>:<name> */
static bool arn_well_formed(const char *arn)
{
    int colons = 0;
    for (const char *p = arn; *p; p++)
        colons += *p == ':';
    return colons == 5 && strncmp(arn, "arn:", 4) == 0 && strstr(arn, ":sqs:") && arn[strlen(arn) - 1] != ':';
}

static bool check_arn(const char *member, const char *arn, sqs_error *err)
{
    if (arn_well_formed(arn))
        return true;
    return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Value %s for parameter %s is invalid. Reason: Invalid ARN.",
                    arn, member);
}

static bool source_missing(sqs_error *err)
{
    return sqs_fail(err, SQS_ERR_RESOURCE_NOT_FOUND, "The resource that you specified for the SourceArn parameter "
                                                     "doesn't exist.");
}

static bool is_dead_letter_queue(const sqs_queue *q)
{
    size_t count = 0;
    sqs_queue **all = registry_all(&count);
    bool found = false;
    for (size_t i = 0; i < count && !found; i++)
        found = all[i]->dead_letter_arn && strcmp(all[i]->dead_letter_arn, q->arn) == 0;
    free(all);
    return found;
}

static move_task *active_task(const char *source_arn)
{
    for (move_task *t = all_tasks; t; t = t->next) {
        const char *status = task_status(t);
        if (strcmp(t->source_arn, source_arn) == 0 &&
            (strcmp(status, "RUNNING") == 0 || strcmp(status, "CANCELLING") == 0))
            return t;
    }
    return NULL;
}

/* A started task runs once its record is committed. */
static void start_running(void *arg)
{
    move_task *t = arg;
    log_progress(t, "started");
    t->last_log_ms = t->last_tick_ms;
    t->next = all_tasks;
    all_tasks = t;
    trim_in_memory(t->source_arn);
    timers_arm(loop_timers(), &t->timer, t->last_tick_ms, tick, t);
}

static void task_free_void(void *arg)
{
    task_free(arg);
}

bool action_start_message_move_task(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    const char *source_arn, *dest_arn = req_string(in, "DestinationArn");
    if (!require_string(in, "SourceArn", &source_arn, err) || !check_arn("SourceArn", source_arn, err) ||
        (dest_arn && *dest_arn && !check_arn("DestinationArn", dest_arn, err)))
        return false;
    int64_t rate = DEFAULT_RATE;
    bool has_rate = false;
    if (!req_int(in, "MaxNumberOfMessagesPerSecond", &rate, &has_rate, err))
        return false;
    if (has_rate && (rate < 1 || rate > MAX_RATE))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %lld for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and "
                        "500.", (long long)rate);
    sqs_queue *source = registry_find_arn(source_arn);
    if (!source)
        return source_missing(err);
    if (!is_dead_letter_queue(source))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Source queue must be configured as a Dead Letter Queue.");
    if (dest_arn && *dest_arn) {
        sqs_queue *dest = registry_find_arn(dest_arn);
        if (!dest)
            return sqs_fail(err, SQS_ERR_RESOURCE_NOT_FOUND,
                            "The resource that you specified for the DestinationArn parameter doesn't exist.");
        if (dest == source)
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                            "The destination queue must be different from the source queue.");
        if (dest->fifo != source->fifo)
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                            "The destination queue must be of the same type (standard or FIFO) as the source queue.");
    }
    if (active_task(source->arn))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "There is already a task running. Only one active task is allowed for a source queue arn at a "
                        "given time.");
    message_counts counts = {0, 0, 0};
    store_messages_count(source->id, ctx->now_ms, ctx->now_ms - (int64_t)source->retention_s * 1000, &counts);
    move_task *t = xcalloc(1, sizeof *t);
    ids_uuid(t->task_id);
    t->source_arn = xstrdup(source->arn);
    t->record = cJSON_CreateObject();
    char *handle = make_handle(t->task_id, source->arn);
    cJSON_AddStringToObject(t->record, "TaskHandle", handle);
    cJSON_AddStringToObject(t->record, "Status", "RUNNING");
    cJSON_AddStringToObject(t->record, "SourceArn", source->arn);
    if (dest_arn && *dest_arn)
        cJSON_AddStringToObject(t->record, "DestinationArn", dest_arn);
    if (has_rate)
        cJSON_AddNumberToObject(t->record, "MaxNumberOfMessagesPerSecond", (double)rate);
    cJSON_AddNumberToObject(t->record, "ApproximateNumberOfMessagesMoved", 0);
    cJSON_AddNumberToObject(t->record, "ApproximateNumberOfMessagesToMove", (double)counts.visible);
    cJSON_AddNumberToObject(t->record, "StartedTimestamp", (double)ctx->now_ms);
    cJSON_AddNumberToObject(t->record, "_Rate", (double)rate);
    if (!save(t) || !store_task_trim(source->arn)) {
        free(handle);
        task_free(t);
        return internal_error(err);
    }
    t->last_tick_ms = ctx->now_ms;
    t->credits = 1; /* the first message moves at once */
    tx_defer(start_running, task_free_void, t);
    cJSON_AddStringToObject(out, "TaskHandle", handle);
    free(handle);
    return true;
}

static void add_listing(const move_task *t, cJSON *results)
{
    cJSON *entry = cJSON_CreateObject();
    const cJSON *item;
    cJSON_ArrayForEach(item, t->record)
    {
        if (item->string[0] != '_')
            cJSON_AddItemToObject(entry, item->string, cJSON_Duplicate(item, true));
    }
    cJSON_AddItemToArray(results, entry);
}

bool action_list_message_move_tasks(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    (void)ctx;
    const char *source_arn;
    if (!require_string(in, "SourceArn", &source_arn, err) || !check_arn("SourceArn", source_arn, err))
        return false;
    int64_t max = 1;
    bool has_max = false;
    if (!req_int(in, "MaxResults", &max, &has_max, err))
        return false;
    if (has_max && (max < 1 || max > TASKS_KEPT))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %lld for parameter MaxResults is invalid. Reason: Must be between 1 and 10.", (long long)max);
    sqs_queue *source = registry_find_arn(source_arn);
    if (!source)
        return source_missing(err);
    cJSON *results = cJSON_AddArrayToObject(out, "Results");
    int64_t listed = 0;
    for (move_task *t = all_tasks; t && listed < max; t = t->next) {
        if (strcmp(t->source_arn, source->arn) == 0) {
            add_listing(t, results);
            listed++;
        }
    }
    return true;
}

static bool invalid_handle(sqs_error *err)
{
    return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Value for parameter TaskHandle is invalid.");
}

static void stop_ticking(void *arg)
{
    move_task *t = arg;
    timers_cancel(loop_timers(), &t->timer);
}

bool action_cancel_message_move_task(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    (void)ctx;
    const char *handle;
    if (!require_string(in, "TaskHandle", &handle, err))
        return false;
    size_t len = 0;
    unsigned char *json = base64_decode(handle, strlen(handle), &len);
    cJSON *doc = json ? cJSON_Parse((const char *)json) : NULL;
    free(json);
    const char *task_id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "taskId"));
    const char *source_arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "sourceArn"));
    bool ok = false;
    if (!task_id || !source_arn) {
        invalid_handle(err);
    } else if (!registry_find_arn(source_arn)) {
        source_missing(err);
    } else {
        move_task *t = all_tasks;
        while (t && strcmp(t->task_id, task_id) != 0)
            t = t->next;
        if (!t)
            sqs_fail(err, SQS_ERR_RESOURCE_NOT_FOUND, "Task does not exist.");
        else if (strcmp(task_status(t), "RUNNING") != 0)
            sqs_fail(err, SQS_ERR_UNSUPPORTED_OPERATION, "Only a task in the RUNNING state can be cancelled.");
        else {
            snapshot_record(t);
            set_final_state(t, "CANCELLED", NULL);
            log_progress(t, "CANCELLED");
            ok = save(t) || internal_error(err);
            if (ok) {
                tx_defer(stop_ticking, NULL, t);
                cJSON_AddNumberToObject(out, "ApproximateNumberOfMessagesMoved",
                                        task_number(t, "ApproximateNumberOfMessagesMoved"));
            }
        }
    }
    cJSON_Delete(doc);
    return ok;
}

/* The queue with this ARN was deleted: its tasks go with it (a deleted queue has no tasks
 * to list; see docs/sqs-semantics.md, "Message move tasks"). */
void move_tasks_forget_source(const char *source_arn)
{
    for (move_task **link = &all_tasks; *link;) {
        move_task *t = *link;
        if (strcmp(t->source_arn, source_arn) == 0) {
            *link = t->next;
            task_free(t);
            continue;
        }
        link = &t->next;
    }
}

/* ---- lifecycle ---- */

static void load_one(const char *task_id, const char *record, void *arg)
{
    (void)arg;
    cJSON *parsed = cJSON_Parse(record);
    const char *source = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(parsed, "SourceArn"));
    if (!parsed || !source) {
        cJSON_Delete(parsed);
        return;
    }
    move_task *t = xcalloc(1, sizeof *t);
    snprintf(t->task_id, sizeof t->task_id, "%s", task_id);
    t->source_arn = xstrdup(source);
    t->record = parsed;
    t->next = all_tasks; /* rows come oldest first, so the list ends newest first */
    all_tasks = t;
    if (strcmp(task_status(t), "RUNNING") == 0) {
        t->last_tick_ms = clock_now_ms();
        timers_arm(loop_timers(), &t->timer, t->last_tick_ms, tick, t);
    }
}

bool move_tasks_load(void)
{
    return store_task_each(load_one, NULL);
}

void move_tasks_free(void)
{
    while (all_tasks) {
        move_task *t = all_tasks;
        all_tasks = t->next;
        task_free(t);
    }
}
