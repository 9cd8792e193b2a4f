/* sqs/fifo: FIFO sequence numbers, deduplication ids/keys and send validation. */
#include "fifo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "message_validate.h"
#include "queue_attrs.h"
#include "sqsemu/buf.h"

int64_t fifo_next_sequence(sqs_queue *q, int64_t now_ms)
{
    /* Large and non-consecutive like AWS's: milliseconds scaled up, never going back. */
    int64_t seeded = now_ms * 1000000;
    q->last_sequence = seeded > q->last_sequence ? seeded : q->last_sequence + 1;
    return q->last_sequence;
}

void fifo_format_sequence(int64_t sequence, char out[SEQUENCE_TEXT_LEN])
{
    snprintf(out, SEQUENCE_TEXT_LEN, "%020lld", (long long)sequence);
}

void fifo_dedup_id(const cJSON *entry, char out[129])
{
    const char *explicit_id = req_string(entry, "MessageDeduplicationId");
    if (explicit_id) {
        snprintf(out, 129, "%s", explicit_id);
        return;
    }
    const char *body = req_string(entry, "MessageBody");
    sha256_hex(body, strlen(body), out);
}

static bool scoped_by_group(const sqs_queue *q)
{
    char *scope = queue_attrs_effective(q, "DeduplicationScope");
    bool per_group = scope && strcmp(scope, "messageGroup") == 0;
    free(scope);
    return per_group;
}

static char *make_key(bool per_group, const char *group_id, const char *dedup_id)
{
    buf_t key;
    buf_init(&key);
    if (per_group)
        buf_printf(&key, "%s\n%s", group_id, dedup_id);
    else
        buf_puts(&key, dedup_id);
    return buf_detach(&key, NULL);
}

char *fifo_dedup_key(const sqs_queue *q, const char *group_id, const char *dedup_id)
{
    return make_key(scoped_by_group(q), group_id, dedup_id);
}

char *fifo_dedup_other_key(const sqs_queue *q, const char *group_id, const char *dedup_id)
{
    return make_key(!scoped_by_group(q), group_id, dedup_id);
}

bool fifo_content_based(const sqs_queue *q)
{
    char *value = queue_attrs_effective(q, "ContentBasedDeduplication");
    bool on = value && strcmp(value, "true") == 0;
    free(value);
    return on;
}

static const char no_dedup_reason[] =
    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly";

bool fifo_check_send(const sqs_queue *q, const cJSON *entry, bool has_delay, int64_t delay_s, sqs_error *err)
{
    if (has_delay && delay_s != 0)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %lld for parameter DelaySeconds is invalid. Reason: The request include parameter that "
                        "is not valid for this queue type.", (long long)delay_s);
    const char *group = req_string(entry, "MessageGroupId");
    if (!group)
        return sqs_fail_missing_param(err, "MessageGroupId");
    const char *dedup = req_string(entry, "MessageDeduplicationId");
    if (dedup && !message_token_valid(dedup))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %s for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can "
                        "only include alphanumeric and punctuation characters. 1 to 128 in length.", dedup);
    if (!dedup && !fifo_content_based(q))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "%s", no_dedup_reason);
    return true;
}

bool fifo_check_batch(const sqs_queue *q, const cJSON *entries, sqs_error *err)
{
    bool content_based = fifo_content_based(q);
    const cJSON *entry;
    cJSON_ArrayForEach(entry, entries)
    {
        if (!req_string(entry, "MessageGroupId"))
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "The request must contain the parameter MessageGroupId.");
        if (!req_string(entry, "MessageDeduplicationId") && !content_based)
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "%s", no_dedup_reason);
    }
    return true;
}
