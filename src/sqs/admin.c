/* sqs/admin: sqsemu's own operations on queues, for the admin API (sqs_admin_call):
 * removing queues (a test suite's reset between cases), listing a queue's messages
 * without receiving them, deleting one visible message without receiving it (the console),
 * and each queue's numbers for the metrics. Neither is part of SQS; both keep SQS's rules: a reset is a
 * DeleteQueue without the --strict re-creation wait, and a listing changes nothing (no
 * receive count, no visibility, no retention run). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fifo.h"
#include "internal.h"
#include "message_output.h"
#include "registry.h"
#include "selection.h"
#include "sqsemu/store.h"

#define PEEK_DEFAULT_LIMIT 100
#define PEEK_MAX_LIMIT 1000

/* The queue named by QueueUrl or QueueName (in the caller's account and region). */
static sqs_queue *admin_queue(const sqs_ctx *ctx, const cJSON *in, sqs_error *err)
{
    if (req_string(in, "QueueUrl"))
        return require_queue(ctx, in, err);
    const char *name = req_string(in, "QueueName");
    if (!name)
        return sqs_fail_missing_param(err, "QueueUrl"), NULL;
    sqs_queue *q = registry_find(ctx->account, ctx->region, name);
    if (!q)
        sqs_fail_queue_missing(err);
    return q;
}

/* ---- reset ---- */

static bool named_one(const cJSON *in)
{
    return req_string(in, "QueueUrl") || req_string(in, "QueueName");
}

bool action_admin_reset(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    if (named_one(in)) {
        sqs_queue *q = admin_queue(ctx, in, err);
        if (!q || !queue_remove(ctx, q, false, err))
            return false;
        cJSON_AddNumberToObject(out, "QueuesRemoved", 1);
        return true;
    }
    size_t count = 0;
    sqs_queue **all = registry_all(&count);
    bool ok = true;
    for (size_t i = 0; ok && i < count; i++)
        ok = queue_remove(ctx, all[i], false, err);
    free(all);
    if (!ok)
        return false;
    queues_forget_deleted(); /* --strict: no name waits out its 60 s after a reset */
    cJSON_AddNumberToObject(out, "QueuesRemoved", (double)count);
    return true;
}

/* ---- peek ---- */

typedef struct peek {
    const sqs_queue *queue;
    int64_t now_ms;
    const attribute_selection *all;
    cJSON *messages;
    int64_t last_rowid;
    int count;
} peek;

static const char *state_of(const stored_message *m, int64_t now_ms)
{
    if (m->visible_ms <= now_ms)
        return "visible";
    return m->receive_count > 0 ? "in_flight" : "delayed";
}

static bool add_peeked(const stored_message *m, void *arg)
{
    peek *p = arg;
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "MessageId", m->message_id);
    cJSON_AddStringToObject(msg, "MD5OfBody", m->md5_body);
    cJSON_AddItemToObject(msg, "Body", cJSON_CreateString(m->body));
    message_output_system_attributes(p->all, m, m->receive_count, m->first_receive_ms, msg);
    message_output_attributes(p->all, m, msg);
    const char *state = state_of(m, p->now_ms);
    int64_t expires_ms = m->sent_ms + (int64_t)p->queue->retention_s * 1000;
    cJSON_AddStringToObject(msg, "State", state);
    /* When the state next changes: an invisible message becomes visible (unless it expires
     * first); a visible one can only expire. */
    bool invisible = m->visible_ms > p->now_ms;
    int64_t next_ms = invisible && m->visible_ms < expires_ms ? m->visible_ms : expires_ms;
    cJSON_AddNumberToObject(msg, "NextChangeMs", (double)next_ms);
    cJSON_AddStringToObject(msg, "NextChange", next_ms == expires_ms ? "expires" : "visible");
    if (invisible)
        cJSON_AddNumberToObject(msg, "VisibleAtMs", (double)m->visible_ms);
    cJSON_AddNumberToObject(msg, "ExpiresAtMs", (double)expires_ms);
    cJSON_AddItemToArray(p->messages, msg);
    p->last_rowid = m->rowid;
    p->count++;
    return true;
}

static bool parse_token(const char *token, int64_t *after, sqs_error *err)
{
    *after = 0;
    if (!token || !*token)
        return true;
    int64_t value = 0;
    for (const char *p = token; *p; p++) {
        if (*p < '0' || *p > '9' || value > (INT64_MAX - 9) / 10)
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Invalid NextToken value.");
        value = value * 10 + (*p - '0');
    }
    *after = value;
    return true;
}

bool action_admin_peek(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    sqs_queue *q = admin_queue(ctx, in, err);
    if (!q)
        return false;
    int64_t limit = PEEK_DEFAULT_LIMIT, after = 0;
    bool present = false;
    if (!req_int(in, "Limit", &limit, &present, err) || !parse_token(req_string(in, "NextToken"), &after, err))
        return false;
    if (limit < 1 || limit > PEEK_MAX_LIMIT)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %lld for parameter Limit is invalid. Reason: Must be between 1 and %d.",
                        (long long)limit, PEEK_MAX_LIMIT);
    cJSON *all_names = cJSON_CreateStringArray((const char *[]){"All"}, 1);
    attribute_selection *all = selection_prepare(all_names, all_names, all_names);
    cJSON_Delete(all_names);
    peek p = {.queue = q, .now_ms = ctx->now_ms, .all = all, .messages = cJSON_AddArrayToObject(out, "Messages")};
    /* Past the retention period a message is as good as gone (the next receive deletes it). */
    int64_t min_sent_ms = ctx->now_ms - (int64_t)q->retention_s * 1000;
    bool ok = store_message_each_stored(q->id, after, min_sent_ms, (int)limit, add_peeked, &p);
    selection_free(all);
    if (!ok)
        return internal_error(err);
    if (p.count == limit) {
        char token[32];
        snprintf(token, sizeof token, "%lld", (long long)p.last_rowid);
        cJSON_AddStringToObject(out, "NextToken", token);
    }
    return true;
}

/* ---- delete one message ---- */

typedef struct found_message {
    const char *message_id;
    int64_t now_ms;
    int64_t rowid; /* 0: not found */
    bool visible;
} found_message;

static bool match_message(const stored_message *m, void *arg)
{
    found_message *f = arg;
    if (strcmp(m->message_id, f->message_id) != 0)
        return true;
    f->rowid = m->rowid;
    f->visible = m->visible_ms <= f->now_ms;
    return false;
}

/* Only a visible message: one in flight belongs to its consumer (its receipt handle), and
 * a delayed one has not been delivered yet. */
bool action_admin_delete_message(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    sqs_queue *q = admin_queue(ctx, in, err);
    if (!q)
        return false;
    const char *id = req_string(in, "MessageId");
    if (!id || !*id)
        return sqs_fail_missing_param(err, "MessageId");
    if (strlen(id) > 100)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "MessageId is longer than 100 characters.");
    found_message f = {.message_id = id, .now_ms = ctx->now_ms};
    int64_t min_sent_ms = ctx->now_ms - (int64_t)q->retention_s * 1000;
    if (!store_message_each_stored(q->id, 0, min_sent_ms, INT32_MAX, match_message, &f))
        return internal_error(err);
    if (!f.rowid)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "The queue holds no message %s.", id);
    if (!f.visible)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Message %s is in flight or delayed; only a visible message can be deleted here.", id);
    if (!store_message_delete(f.rowid))
        return internal_error(err);
    q->stats.deleted++;
    cJSON_AddStringToObject(out, "MessageId", id);
    return true;
}

/* ---- metrics ---- */

void sqs_metrics_each(int64_t now_ms, void (*fn)(const sqs_queue_metrics *m, void *arg), void *arg)
{
    size_t count = 0;
    sqs_queue **all = registry_all(&count);
    for (size_t i = 0; i < count; i++) {
        const sqs_queue *q = all[i];
        message_counts counts = {0};
        store_messages_count(q->id, now_ms, now_ms - (int64_t)q->retention_s * 1000, &counts);
        sqs_queue_metrics m = {
            .account = q->account,
            .region = q->region,
            .name = q->name,
            .arn = q->arn,
            .dead_letter_arn = q->dead_letter_arn,
            .max_receive_count = q->max_receive_count,
            .fifo = q->fifo,
            .visible = counts.visible,
            .in_flight = counts.in_flight,
            .delayed = counts.delayed,
            .stats = q->stats,
        };
        fn(&m, arg);
    }
    free(all);
}
