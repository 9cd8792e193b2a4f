/* sqs/receive: ReceiveMessage: parameter checks, retention, selection of visible messages,
 * delivery (receive count, handle, visibility deadline), dead-letter redrive, attribute
 * selection, and long polling (asking to be re-run when something becomes receivable). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fifo.h"
#include "internal.h"
#include "message_validate.h"
#include "md5.h"
#include "message_output.h"
#include "receipt.h"
#include "registry.h"
#include "selection.h"
#include "sqsemu/waiters.h"
#include "sqsemu/buf.h"
#include "sqsemu/log.h"
#include "sqsemu/store.h"
#include "sqsemu/tx.h"

#define MAX_REDRIVE_ROUNDS 50
#define MAX_CANDIDATES 100 /* FIFO: candidates read to group a response by message group */
#define ATTEMPT_WINDOW_MS (5 * 60 * 1000)

typedef struct receive_request {
    int64_t max_messages;
    int64_t visibility_s;
    int64_t wait_s;
    const attribute_selection *selection;
} receive_request;

typedef struct receive_pass {
    sqs_ctx *ctx;
    sqs_queue *queue;
    sqs_queue *dlq;
    const receive_request *req;
    cJSON *messages;
    int64_t *delivered; /* rowids delivered by this call */
    size_t delivered_count;
    size_t moved;
} receive_pass;

static bool range_error(sqs_error *err, const char *name, int64_t value, const char *reason)
{
    return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Value %lld for parameter %s is invalid. Reason: %s",
                    (long long)value, name, reason);
}

static bool parse_request(const sqs_queue *q, const cJSON *in, receive_request *r, sqs_error *err)
{
    bool present = false;
    r->max_messages = 1;
    if (!req_int(in, "MaxNumberOfMessages", &r->max_messages, &present, err))
        return false;
    if (present && (r->max_messages < 1 || r->max_messages > 10))
        return range_error(err, "MaxNumberOfMessages", r->max_messages, "Must be between 1 and 10, if provided.");
    r->visibility_s = q->visibility_s;
    if (!req_int(in, "VisibilityTimeout", &r->visibility_s, &present, err))
        return false;
    if (present && (r->visibility_s < 0 || r->visibility_s > 43200))
        return range_error(err, "VisibilityTimeout", r->visibility_s, "Must be >= 0 and <= 43200, if provided.");
    r->wait_s = q->receive_wait_s;
    if (!req_int(in, "WaitTimeSeconds", &r->wait_s, &present, err))
        return false;
    if (present && (r->wait_s < 0 || r->wait_s > 20))
        return range_error(err, "WaitTimeSeconds", r->wait_s, "Must be >= 0 and <= 20, if provided.");
    return true;
}

/* The selection is read from the request once per call: a pending long poll keeps it in
 * the call context for its re-runs. */
static const attribute_selection *call_selection(sqs_ctx *ctx, const cJSON *in)
{
    if (!ctx->prepared) {
        ctx->prepared = selection_prepare(req_member(in, "AttributeNames"), req_member(in, "MessageSystemAttributeNames"),
                                          req_member(in, "MessageAttributeNames"));
        ctx->prepared_free = selection_free;
    }
    return ctx->prepared;
}

static bool deliver(receive_pass *p, const stored_message *m)
{
    sqs_ctx *ctx = p->ctx;
    int64_t visible_ms = ctx->now_ms + p->req->visibility_s * 1000;
    if (!store_message_mark_received(m->rowid, ctx->now_ms, visible_ms))
        return false;
    int64_t receive_count = m->receive_count + 1;
    p->queue->stats.received++;
    int64_t first_receive_ms = m->first_receive_ms ? m->first_receive_ms : ctx->now_ms;
    receipt r = {p->queue->id, m->rowid, m->secret, ctx->now_ms, receive_count};
    char *handle = receipt_encode(&r);
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "MessageId", m->message_id);
    cJSON_AddStringToObject(msg, "ReceiptHandle", handle);
    cJSON_AddStringToObject(msg, "MD5OfBody", m->md5_body);
    cJSON_AddItemToObject(msg, "Body", cJSON_CreateString(m->body));
    message_output_system_attributes(p->req->selection, m, receive_count, first_receive_ms, msg);
    message_output_attributes(p->req->selection, m, msg);
    cJSON_AddItemToArray(p->messages, msg);
    free(handle);
    p->delivered[p->delivered_count++] = m->rowid;
    return true;
}

/* A queue may name itself as its dead-letter queue (AWS accepts such a policy): moving a
 * message to where it already is changes nothing, so it is delivered as usual. */
static bool needs_redrive(const receive_pass *p, const stored_message *m)
{
    return p->dlq && p->dlq != p->queue && m->receive_count >= p->queue->max_receive_count;
}

/* Candidates are copied out of the SELECT before anything is updated, so that no row
 * changes under a running statement. */
typedef struct candidates {
    stored_message items[MAX_CANDIDATES];
    char *owned[MAX_CANDIDATES];
    size_t count;
    const int64_t *skip; /* rowids already delivered by this call */
    size_t skip_count;
} candidates;

static char *dup_or_null(const char *s, buf_t *b)
{
    if (!s)
        return NULL;
    size_t at = b->len;
    buf_append(b, s, strlen(s) + 1);
    return (char *)(uintptr_t)at; /* an offset until the buffer stops growing */
}

static bool copy_candidate(const stored_message *m, void *arg)
{
    candidates *c = arg;
    if (c->count == MAX_CANDIDATES)
        return false;
    for (size_t i = 0; i < c->skip_count; i++) {
        if (c->skip[i] == m->rowid)
            return true;
    }
    buf_t b;
    buf_init(&b);
    stored_message copy = *m;
    copy.message_id = dup_or_null(m->message_id, &b);
    size_t body_at = b.len;
    buf_append(&b, m->body, m->body_len);
    buf_putc(&b, '\0');
    copy.md5_body = dup_or_null(m->md5_body, &b);
    copy.attributes = dup_or_null(m->attributes, &b);
    copy.md5_attributes = dup_or_null(m->md5_attributes, &b);
    copy.trace_header = dup_or_null(m->trace_header, &b);
    copy.group_id = dup_or_null(m->group_id, &b);
    copy.sender_id = dup_or_null(m->sender_id, &b);
    copy.dlq_source_arn = dup_or_null(m->dlq_source_arn, &b);
    copy.dedup_id = dup_or_null(m->dedup_id, &b);
    char *base = buf_detach(&b, NULL);
#define REBASE(field) copy.field = m->field ? base + (uintptr_t)copy.field : NULL
    REBASE(message_id);
    REBASE(md5_body);
    REBASE(attributes);
    REBASE(md5_attributes);
    REBASE(trace_header);
    REBASE(group_id);
    REBASE(sender_id);
    REBASE(dlq_source_arn);
    REBASE(dedup_id);
#undef REBASE
    copy.body = base + body_at;
    c->items[c->count] = copy;
    c->owned[c->count] = base;
    c->count++;
    return true;
}

static void candidates_free(candidates *c)
{
    for (size_t i = 0; i < c->count; i++)
        free(c->owned[i]);
    c->count = 0;
}

static bool process(receive_pass *p, const stored_message *m)
{
    if (needs_redrive(p, m)) {
        p->moved++;
        p->queue->stats.moved_to_dlq++;
        log_info("[queue %s] message %s moved to the dead-letter queue %s after %lld receives (maxReceiveCount %d)",
                 p->queue->name, m->message_id, p->dlq->name, (long long)m->receive_count,
                 p->queue->max_receive_count);
        if (p->dlq->fifo)
            return store_message_move_fifo(m->rowid, p->dlq->id, p->queue->arn, p->ctx->now_ms,
                                           fifo_next_sequence(p->dlq, p->ctx->now_ms));
        return store_message_move(m->rowid, p->dlq->id, p->queue->arn, p->ctx->now_ms);
    }
    return deliver(p, m);
}

static bool same_group(const stored_message *a, const stored_message *b)
{
    return a->group_id && b->group_id && strcmp(a->group_id, b->group_id) == 0;
}

/* FIFO responses take as many messages of one group as possible before the next group:
 * order[] lists candidates group by group, each group in sequence order. */
static void order_by_group(const candidates *c, size_t *order)
{
    bool placed[MAX_CANDIDATES] = {false};
    size_t n = 0;
    for (size_t i = 0; i < c->count; i++) {
        if (placed[i])
            continue;
        for (size_t j = i; j < c->count; j++) {
            if (j == i || (!placed[j] && same_group(&c->items[i], &c->items[j]))) {
                placed[j] = true;
                order[n++] = j;
            }
        }
    }
}

/* Fills p->messages (in the call's transaction); moves over-received messages to the DLQ. */
static bool collect(receive_pass *p, sqs_error *err)
{
    int64_t cutoff = p->ctx->now_ms - (int64_t)p->queue->retention_s * 1000;
    bool ok = store_messages_expire(p->queue->id, cutoff);
    for (int round = 0; ok && round < MAX_REDRIVE_ROUNDS; round++) {
        int want = (int)(p->req->max_messages - (int64_t)p->delivered_count);
        candidates c = {.count = 0, .skip = p->delivered, .skip_count = p->delivered_count};
        if (p->queue->fifo)
            ok = store_message_each_fifo_receivable(p->queue->id, p->ctx->now_ms, MAX_CANDIDATES, copy_candidate, &c);
        else
            ok = store_message_each_visible(p->queue->id, p->ctx->now_ms, want, p->delivered, p->delivered_count,
                                            copy_candidate, &c);
        size_t moved_before = p->moved;
        size_t order[MAX_CANDIDATES];
        if (p->queue->fifo) {
            order_by_group(&c, order);
        } else {
            for (size_t i = 0; i < c.count; i++)
                order[i] = i;
        }
        for (size_t i = 0; ok && i < c.count && (int64_t)p->delivered_count < p->req->max_messages; i++)
            ok = process(p, &c.items[order[i]]);
        size_t found = c.count;
        candidates_free(&c);
        /* Another round only helps when redrive moves made room for more candidates. */
        if ((int64_t)p->delivered_count >= p->req->max_messages || p->moved == moved_before || found == 0)
            break;
    }
    return ok || internal_error(err);
}

/* ---- ReceiveRequestAttemptId (FIFO) ----
 * The remembered record: {"expires":ms,"messages":[...],"refs":[{"rowid":..,"count":..,"visible":..}]}.
 * A retry returns the same messages and handles (visibility reset) as long as none of them
 * was deleted, received again or had its visibility changed meanwhile. */

static bool ref_unchanged(const cJSON *ref, int64_t queue_id)
{
    message_ref now;
    int64_t rowid = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ref, "rowid"));
    if (!store_message_lookup(rowid, &now) || !now.found || now.queue_id != queue_id)
        return false;
    return now.receive_count == (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ref, "count")) &&
           now.visible_ms == (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ref, "visible"));
}

/* Renews the visibility of every remembered message; false when the record no longer holds. */
static bool renew_attempt(const sqs_ctx *ctx, const sqs_queue *q, const receive_request *req, cJSON *record)
{
    cJSON *refs = cJSON_GetObjectItemCaseSensitive(record, "refs");
    cJSON *ref;
    cJSON_ArrayForEach(ref, refs)
    {
        if (!ref_unchanged(ref, q->id))
            return false;
    }
    int64_t visible_ms = ctx->now_ms + req->visibility_s * 1000;
    cJSON_ArrayForEach(ref, refs)
    {
        int64_t rowid = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ref, "rowid"));
        if (!store_message_set_visible(rowid, visible_ms))
            return false;
        cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(ref, "visible"), (double)visible_ms);
    }
    return true;
}

/* Answers a retried attempt from its record, when the record still holds. Its writes are a
 * savepoint of their own: a record found stale part-way is undone and the call receives
 * anew. Returns false only on a store failure. */
static bool replay_attempt(sqs_ctx *ctx, sqs_queue *q, const char *attempt, const receive_request *req, cJSON *out,
                           bool *answered, sqs_error *err)
{
    *answered = false;
    if (!tx_open())
        return internal_error(err);
    char *json = store_attempt_find(q->id, attempt, ctx->now_ms);
    cJSON *record = json ? cJSON_Parse(json) : NULL;
    free(json);
    bool renewed = record && renew_attempt(ctx, q, req, record);
    if (renewed) {
        char *updated = cJSON_PrintUnformatted(record);
        int64_t expires = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(record, "expires"));
        renewed = store_attempt_put(q->id, attempt, updated, expires);
        free(updated);
    }
    if (!renewed) {
        tx_close(false);
        cJSON_Delete(record);
        return true;
    }
    if (!tx_close(true)) {
        cJSON_Delete(record);
        return internal_error(err);
    }
    cJSON_AddItemToObject(out, "Messages", cJSON_DetachItemFromObjectCaseSensitive(record, "messages"));
    cJSON_Delete(record);
    after_commit_announce(q, false, true);
    *answered = true;
    return true;
}

static bool remember_attempt(const sqs_ctx *ctx, const sqs_queue *q, const char *attempt, const receive_pass *p,
                             const receive_request *req, sqs_error *err)
{
    cJSON *record = cJSON_CreateObject();
    cJSON_AddNumberToObject(record, "expires", (double)(ctx->now_ms + ATTEMPT_WINDOW_MS));
    cJSON_AddItemToObject(record, "messages", cJSON_Duplicate(p->messages, true));
    cJSON *refs = cJSON_AddArrayToObject(record, "refs");
    const cJSON *msg;
    size_t i = 0;
    cJSON_ArrayForEach(msg, p->messages)
    {
        receipt r;
        receipt_decode(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "ReceiptHandle")), &r);
        cJSON *ref = cJSON_CreateObject();
        cJSON_AddNumberToObject(ref, "rowid", (double)p->delivered[i++]);
        cJSON_AddNumberToObject(ref, "count", (double)r.receive_count);
        cJSON_AddNumberToObject(ref, "visible", (double)(ctx->now_ms + req->visibility_s * 1000));
        cJSON_AddItemToArray(refs, ref);
    }
    char *json = cJSON_PrintUnformatted(record);
    cJSON_Delete(record);
    bool ok = store_attempt_prune(q->id, ctx->now_ms) &&
              store_attempt_put(q->id, attempt, json, ctx->now_ms + ATTEMPT_WINDOW_MS);
    free(json);
    return ok || internal_error(err);
}

static bool check_attempt_id(const char *attempt, sqs_error *err)
{
    if (message_token_valid(attempt))
        return true;
    return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                    "Value %s for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can "
                    "only include alphanumeric and punctuation characters. 1 to 128 in length.", attempt);
}

bool action_receive_message(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    sqs_queue *q = require_queue(ctx, in, err);
    receive_request req;
    if (!q || !parse_request(q, in, &req, err))
        return false;
    req.selection = call_selection(ctx, in);
    const char *attempt = q->fifo ? req_string(in, "ReceiveRequestAttemptId") : NULL;
    if (attempt) {
        bool answered = false;
        if (!check_attempt_id(attempt, err) || !replay_attempt(ctx, q, attempt, &req, out, &answered, err))
            return false;
        if (answered)
            return true;
    }
    int64_t delivered[10];
    receive_pass pass = {
        .ctx = ctx,
        .queue = q,
        .dlq = q->dead_letter_arn ? registry_find_arn(q->dead_letter_arn) : NULL,
        .req = &req,
        .messages = cJSON_CreateArray(),
        .delivered = delivered,
    };
    if (!collect(&pass, err) ||
        (attempt && pass.delivered_count > 0 && !remember_attempt(ctx, q, attempt, &pass, &req, err))) {
        cJSON_Delete(pass.messages);
        return false;
    }
    if (pass.moved > 0)
        after_commit_announce(pass.dlq, true, false);
    if (pass.delivered_count > 0) {
        cJSON_AddItemToObject(out, "Messages", pass.messages);
        /* The delivered messages come back later; a full answer may have left more for the
         * next waiter. */
        after_commit_announce(q, (int64_t)pass.delivered_count == req.max_messages, true);
        return true;
    }
    cJSON_Delete(pass.messages);
    if (ctx->poll_deadline_ms == 0)
        ctx->poll_deadline_ms = ctx->now_ms + req.wait_s * 1000;
    if (ctx->now_ms < ctx->poll_deadline_ms)
        ctx->wait_queue = q;
    return true;
}
