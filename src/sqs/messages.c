/* sqs/messages: SendMessage and SendMessageBatch: validation, digests, storage, wake-ups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fifo.h"
#include "internal.h"
#include "md5.h"
#include "message_validate.h"
#include "sqsemu/waiters.h"
#include "sqsemu/codec.h"
#include "sqsemu/ids.h"
#include "sqsemu/store.h"

#define BATCH_MAX_BYTES 1048576

/* Size of an entry as SQS counts it (body + message attributes); 0 if not computable. */
static size_t entry_size(const cJSON *entry)
{
    const char *body = req_string(entry, "MessageBody");
    size_t size = body ? strlen(body) : 0;
    sqs_error ignored;
    size_t attributes = 0;
    if (message_check_attributes(req_member(entry, "MessageAttributes"), &attributes, &ignored))
        size += attributes;
    return size;
}

/* Validates one message against queue q. */
static bool check_message(const sqs_queue *q, const cJSON *entry, bool in_batch, int64_t *delay_s, sqs_error *err)
{
    const char *body = req_string(entry, "MessageBody");
    if (!message_check_body(body, err))
        return false;
    bool has_delay = false;
    int64_t delay = q->delay_s;
    if (!req_int(entry, "DelaySeconds", &delay, &has_delay, err))
        return false;
    if (has_delay && (delay < 0 || delay > 900))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %lld for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.",
                        (long long)delay);
    if (q->fifo && !fifo_check_send(q, entry, has_delay, delay, err))
        return false;
    *delay_s = has_delay && !q->fifo ? delay : q->delay_s;
    size_t size = strlen(body);
    if (!message_check_attributes(req_member(entry, "MessageAttributes"), &size, err) ||
        !message_check_system_attributes(req_member(entry, "MessageSystemAttributes"), err))
        return false;
    if (size > (size_t)q->max_message_size)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "One or more parameters %s. Reason: Message must be shorter than %d bytes.",
                        in_batch ? "cannot be validated" : "are invalid", q->max_message_size);
    const char *dedup = req_string(entry, "MessageDeduplicationId");
    if (dedup && !q->fifo)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %s for parameter MessageDeduplicationId is invalid. Reason: The request includes a "
                        "parameter that is not valid for this queue type.", dedup);
    const char *group = req_string(entry, "MessageGroupId");
    if (group && !message_token_valid(group))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %s for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include "
                        "alphanumeric and punctuation characters. 1 to 128 in length.", group);
    return true;
}

static const char *trace_header_of(const sqs_ctx *ctx, const cJSON *entry)
{
    const cJSON *system = req_member(entry, "MessageSystemAttributes");
    const cJSON *trace = cJSON_GetObjectItemCaseSensitive(system, "AWSTraceHeader");
    const char *value = req_string(trace, "StringValue");
    return value ? value : ctx->trace_header;
}

/* FIFO: a send whose deduplication key is still in its window. */
typedef struct dedup_state {
    char *key;
    char dedup_id[129];
    bool duplicate;
    char original_id[37];
    int64_t original_sequence;
} dedup_state;

/* A record keeps the scope it was made under: changing DeduplicationScope does not
 * re-scope ids already in their window (AWS's behaviour). So a send is a duplicate when a
 * live record exists under either form of its key: the id alone (made while the scope was
 * queue: it deduplicates across groups) or group + id (made under messageGroup: it
 * deduplicates only within that group, which this send is in). */
static bool check_duplicate(sqs_ctx *ctx, const sqs_queue *q, const cJSON *entry, dedup_state *d, sqs_error *err)
{
    const char *group = req_string(entry, "MessageGroupId");
    fifo_dedup_id(entry, d->dedup_id);
    d->key = fifo_dedup_key(q, group, d->dedup_id);
    if (!store_dedup_find(q->id, d->key, ctx->now_ms, &d->duplicate, d->original_id, &d->original_sequence))
        return internal_error(err);
    if (d->duplicate)
        return true;
    char *other = fifo_dedup_other_key(q, group, d->dedup_id);
    bool ok = store_dedup_find(q->id, other, ctx->now_ms, &d->duplicate, d->original_id, &d->original_sequence);
    free(other);
    return ok || internal_error(err);
}

static void add_sequence(cJSON *result, int64_t sequence)
{
    char text[SEQUENCE_TEXT_LEN];
    fifo_format_sequence(sequence, text);
    cJSON_AddStringToObject(result, "SequenceNumber", text);
}

/* Stores one validated message and writes its result members into result. Sets *stored
 * to false when a FIFO duplicate was answered without storing anything. */
static bool store_message(sqs_ctx *ctx, sqs_queue *q, const cJSON *entry, int64_t delay_s, cJSON *result,
                          bool *stored, sqs_error *err)
{
    const char *body = req_string(entry, "MessageBody");
    const cJSON *attributes = req_member(entry, "MessageAttributes");
    const cJSON *system = req_member(entry, "MessageSystemAttributes");
    char message_id[UUID_STR_LEN];
    char md5_body[MD5_HEX_LEN], md5_attributes[MD5_HEX_LEN], md5_system[MD5_HEX_LEN];
    md5_hex(body, strlen(body), md5_body);
    bool has_attributes = md5_of_attributes(attributes, md5_attributes);
    bool has_system = md5_of_attributes(system, md5_system);
    dedup_state dedup = {0};
    bool ok = !q->fifo || check_duplicate(ctx, q, entry, &dedup, err);
    int64_t sequence = 0;
    *stored = ok && !dedup.duplicate;
    if (*stored)
        q->stats.sent++; /* (a failed insert below answers with an error anyway) */
    if (ok && dedup.duplicate) {
        snprintf(message_id, sizeof message_id, "%s", dedup.original_id);
        sequence = dedup.original_sequence;
    } else if (ok) {
        ids_uuid(message_id);
        sequence = q->fifo ? fifo_next_sequence(q, ctx->now_ms) : 0;
        char *attributes_json = has_attributes ? cJSON_PrintUnformatted(attributes) : NULL;
        int64_t secret;
        ids_random(&secret, sizeof secret);
        stored_message m = {
            .queue_id = q->id,
            .message_id = message_id,
            .body = body,
            .body_len = strlen(body),
            .md5_body = md5_body,
            .attributes = attributes_json,
            .md5_attributes = has_attributes ? md5_attributes : NULL,
            .trace_header = trace_header_of(ctx, entry),
            .group_id = req_string(entry, "MessageGroupId"),
            .sender_id = ctx->sender_id,
            .sent_ms = ctx->now_ms,
            .visible_ms = ctx->now_ms + delay_s * 1000,
            .secret = secret,
            .dedup_id = q->fifo ? dedup.dedup_id : NULL,
            .sequence = sequence,
        };
        ok = store_message_insert(&m) >= 0 &&
             (!q->fifo || (store_dedup_prune(q->id, ctx->now_ms) &&
                           store_dedup_put(q->id, dedup.key, message_id, sequence, ctx->now_ms + DEDUP_WINDOW_MS)));
        free(attributes_json);
        if (!ok)
            internal_error(err);
    }
    free(dedup.key);
    if (!ok)
        return false;
    cJSON_AddStringToObject(result, "MD5OfMessageBody", md5_body);
    if (has_attributes)
        cJSON_AddStringToObject(result, "MD5OfMessageAttributes", md5_attributes);
    if (has_system)
        cJSON_AddStringToObject(result, "MD5OfMessageSystemAttributes", md5_system);
    cJSON_AddStringToObject(result, "MessageId", message_id);
    if (q->fifo)
        add_sequence(result, sequence);
    return true;
}

bool action_send_message(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    sqs_queue *q = require_queue(ctx, in, err);
    int64_t delay_s = 0;
    if (!q || !check_message(q, in, false, &delay_s, err))
        return false;
    bool stored = false;
    if (!store_message(ctx, q, in, delay_s, out, &stored, err))
        return false;
    after_commit_announce(q, stored && delay_s == 0, stored && delay_s > 0);
    return true;
}

static bool check_batch_size(const cJSON *entries, sqs_error *err)
{
    size_t total = 0;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, entries) total += entry_size(entry);
    if (total > BATCH_MAX_BYTES)
        return sqs_fail(err, SQS_ERR_BATCH_REQUEST_TOO_LONG,
                        "Batch requests cannot be longer than %d bytes. You have sent %zu bytes.", BATCH_MAX_BYTES,
                        total);
    return true;
}

bool action_send_message_batch(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    sqs_queue *q = require_queue(ctx, in, err);
    if (!q)
        return false;
    const cJSON *entries = req_member(in, "Entries");
    if (!batch_check_entries(entries, "SendMessageBatchRequestEntry", err) || !check_batch_size(entries, err) ||
        (q->fifo && !fifo_check_batch(q, entries, err)))
        return false;
    cJSON *successful = cJSON_CreateArray();
    cJSON *failed = cJSON_CreateArray();
    bool any_now = false, any_delayed = false;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, entries)
    {
        const char *id = req_string(entry, "Id");
        sqs_error entry_err = {0};
        int64_t delay_s = 0;
        if (!check_message(q, entry, true, &delay_s, &entry_err)) {
            batch_add_failure(failed, id, &entry_err);
            continue;
        }
        cJSON *result = cJSON_CreateObject();
        cJSON_AddStringToObject(result, "Id", id);
        bool stored = false;
        if (!store_message(ctx, q, entry, delay_s, result, &stored, err)) {
            cJSON_Delete(result);
            cJSON_Delete(successful);
            cJSON_Delete(failed);
            return false;
        }
        cJSON_AddItemToArray(successful, result);
        any_now |= stored && delay_s == 0;
        any_delayed |= stored && delay_s > 0;
    }
    after_commit_announce(q, any_now, any_delayed);
    cJSON_AddItemToObject(out, "Successful", successful);
    if (cJSON_GetArraySize(failed) > 0)
        cJSON_AddItemToObject(out, "Failed", failed);
    else
        cJSON_Delete(failed);
    return true;
}
