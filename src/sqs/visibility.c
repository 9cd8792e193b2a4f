/* sqs/visibility: what a receipt handle lets a consumer do: DeleteMessage(+Batch) and
 * ChangeMessageVisibility(+Batch), with the handle checks and the 12-hour cap. */
#include <string.h>

#include "internal.h"
#include "receipt.h"
#include "sqsemu/waiters.h"
#include "sqsemu/store.h"

#define MAX_VISIBILITY_S 43200

static bool handle_invalid(sqs_error *err, const char *handle)
{
    return sqs_fail(err, SQS_ERR_RECEIPT_HANDLE_INVALID, "The input receipt handle \"%s\" is not a valid receipt handle.",
                    handle);
}

/* Decodes a handle for queue q and looks its message up. ref->found is false when the
 * message no longer exists in q (deleted, expired, purged or redriven). A handle that does
 * not decode, or names another queue, is ReceiptHandleIsInvalid. */
static bool resolve_handle(const sqs_queue *q, const char *handle, receipt *r, message_ref *ref, sqs_error *err)
{
    if (!receipt_decode(handle, r) || r->queue_id != q->id)
        return handle_invalid(err, handle);
    if (!store_message_lookup(r->rowid, ref))
        return internal_error(err);
    /* Row ids are reused once a message is gone: another secret means another message,
     * so the handle's own message no longer exists. */
    if (ref->found && (ref->secret != r->secret || ref->queue_id != q->id))
        ref->found = false;
    return true;
}

/* FIFO: a handle is only good while its delivery is the latest and still in flight. */
static bool fifo_handle_expired(const sqs_queue *q, const receipt *r, const message_ref *ref, int64_t now_ms)
{
    return q->fifo && ref->found && (ref->receive_count != r->receive_count || ref->visible_ms <= now_ms);
}

static bool delete_one(sqs_queue *q, const char *handle, int64_t now_ms, sqs_error *err)
{
    receipt r;
    message_ref ref;
    if (!handle || !*handle)
        return sqs_fail_missing_param(err, "ReceiptHandle");
    if (!resolve_handle(q, handle, &r, &ref, err))
        return false;
    if (fifo_handle_expired(q, &r, &ref, now_ms))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %s for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.", handle);
    if (ref.found && !store_message_delete(r.rowid))
        return internal_error(err);
    if (ref.found)
        q->stats.deleted++;
    return true;
}

bool action_delete_message(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    (void)out;
    sqs_queue *q = require_queue(ctx, in, err);
    if (!q || !delete_one(q, req_string(in, "ReceiptHandle"), ctx->now_ms, err))
        return false;
    after_commit_announce(q, q->fifo, false); /* FIFO: the next message of the group may be receivable now */
    return true;
}

static bool change_one(sqs_ctx *ctx, sqs_queue *q, const cJSON *entry, int64_t *new_visible_ms, sqs_error *err)
{
    const char *handle = req_string(entry, "ReceiptHandle");
    if (!handle || !*handle)
        return sqs_fail_missing_param(err, "ReceiptHandle");
    int64_t timeout_s = 0;
    bool present = false;
    if (!req_int(entry, "VisibilityTimeout", &timeout_s, &present, err))
        return false;
    if (!present)
        return sqs_fail_missing_param(err, "VisibilityTimeout");
    if (timeout_s < 0 || timeout_s > MAX_VISIBILITY_S)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %lld for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.",
                        (long long)timeout_s);
    receipt r;
    message_ref ref;
    if (!resolve_handle(q, handle, &r, &ref, err))
        return false;
    if (!ref.found || fifo_handle_expired(q, &r, &ref, ctx->now_ms))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not "
                        "available for visibility timeout change.", handle);
    /* Both terms are bounded: timeout_s by the check above, receive_ms by the handle's
     * MAC and range check (it is a time this server recorded). */
    int64_t visible_ms = ctx->now_ms + timeout_s * 1000;
    if (visible_ms - r.receive_ms > (int64_t)MAX_VISIBILITY_S * 1000)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %lld for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the "
                        "message is beyond the limit [43200 seconds].", (long long)timeout_s);
    if (!store_message_set_visible(r.rowid, visible_ms))
        return internal_error(err);
    *new_visible_ms = visible_ms;
    return true;
}

bool action_change_message_visibility(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    (void)out;
    sqs_queue *q = require_queue(ctx, in, err);
    int64_t visible_ms = 0;
    if (!q || !change_one(ctx, q, in, &visible_ms, err))
        return false;
    after_commit_announce(q, visible_ms <= ctx->now_ms, visible_ms > ctx->now_ms);
    return true;
}

static void add_success(cJSON *successful, const char *id)
{
    cJSON *entry = cJSON_CreateObject();
    cJSON_AddStringToObject(entry, "Id", id);
    cJSON_AddItemToArray(successful, entry);
}

static void attach_results(cJSON *out, cJSON *successful, cJSON *failed)
{
    cJSON_AddItemToObject(out, "Successful", successful);
    if (cJSON_GetArraySize(failed) > 0)
        cJSON_AddItemToObject(out, "Failed", failed);
    else
        cJSON_Delete(failed);
}

/* One entry of a batch: true on success, false with the entry's error. */
typedef bool (*entry_fn)(sqs_ctx *ctx, sqs_queue *q, const cJSON *entry, int64_t *visible_ms, sqs_error *err);

/* Runs every entry (in the call's transaction): per-entry errors go to Failed, only a store
 * failure aborts the whole batch. Reports whether any message became visible now or later. */
static bool run_batch(sqs_ctx *ctx, sqs_queue *q, const cJSON *entries, entry_fn fn, cJSON *out, bool *visible_now,
                      bool *later, sqs_error *err)
{
    cJSON *successful = cJSON_CreateArray();
    cJSON *failed = cJSON_CreateArray();
    const cJSON *entry;
    cJSON_ArrayForEach(entry, entries)
    {
        sqs_error entry_err = {0};
        const char *id = req_string(entry, "Id");
        int64_t visible_ms = 0;
        if (fn(ctx, q, entry, &visible_ms, &entry_err)) {
            add_success(successful, id);
            *visible_now |= visible_ms && visible_ms <= ctx->now_ms;
            *later |= visible_ms > ctx->now_ms;
        } else if (entry_err.kind == SQS_ERR_INTERNAL) {
            *err = entry_err;
            cJSON_Delete(successful);
            cJSON_Delete(failed);
            return false;
        } else {
            batch_add_failure(failed, id, &entry_err);
        }
    }
    attach_results(out, successful, failed);
    return true;
}

static bool delete_entry(sqs_ctx *ctx, sqs_queue *q, const cJSON *entry, int64_t *visible_ms, sqs_error *err)
{
    (void)visible_ms;
    return delete_one(q, req_string(entry, "ReceiptHandle"), ctx->now_ms, err);
}

bool action_delete_message_batch(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    sqs_queue *q = require_queue(ctx, in, err);
    if (!q)
        return false;
    const cJSON *entries = req_member(in, "Entries");
    bool visible_now = false, later = false;
    if (!batch_check_entries(entries, "DeleteMessageBatchRequestEntry", err) ||
        !run_batch(ctx, q, entries, delete_entry, out, &visible_now, &later, err))
        return false;
    after_commit_announce(q, q->fifo, false); /* FIFO: groups may have unlocked */
    return true;
}

bool action_change_message_visibility_batch(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    sqs_queue *q = require_queue(ctx, in, err);
    if (!q)
        return false;
    const cJSON *entries = req_member(in, "Entries");
    bool visible_now = false, later = false;
    if (!batch_check_entries(entries, "ChangeMessageVisibilityBatchRequestEntry", err) ||
        !run_batch(ctx, q, entries, change_one, out, &visible_now, &later, err))
        return false;
    after_commit_announce(q, visible_now, later);
    return true;
}
