/* sqs/request: helpers shared by the action handlers: member access on the neutral request,
 * queue resolution, transactions, and the batch rules common to the three batch actions. */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "internal.h"
#include "registry.h"
#include "sqsemu/store.h"
#include "sqsemu/tx.h"
#include "sqsemu/waiters.h"

const cJSON *req_member(const cJSON *in, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(in, name);
    return cJSON_IsNull(item) ? NULL : item;
}

const char *req_string(const cJSON *in, const char *name)
{
    const cJSON *item = req_member(in, name);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

bool req_int(const cJSON *in, const char *name, int64_t *out, bool *present, sqs_error *err)
{
    const cJSON *item = req_member(in, name);
    *present = item != NULL;
    if (!item)
        return true;
    if (!cJSON_IsNumber(item) || item->valuedouble != floor(item->valuedouble) || fabs(item->valuedouble) > 9e15)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Value for parameter %s is invalid. Reason: Must be an integer.",
                        name);
    *out = (int64_t)item->valuedouble;
    return true;
}

bool require_string(const cJSON *in, const char *name, const char **out, sqs_error *err)
{
    *out = req_string(in, name);
    if (!*out || !**out)
        return sqs_fail_missing_param(err, name);
    return true;
}

sqs_queue *require_queue(const sqs_ctx *ctx, const cJSON *in, sqs_error *err)
{
    const char *url;
    if (!require_string(in, "QueueUrl", &url, err))
        return NULL;
    sqs_queue *q = registry_find_url(url, ctx->account, ctx->region);
    if (!q)
        sqs_fail_queue_missing(err);
    return q;
}

bool internal_error(sqs_error *err)
{
    return sqs_fail(err, SQS_ERR_INTERNAL, "The request processing has failed because of an unknown error, exception or failure.");
}

static void wake_now(void *q)
{
    waiters_notify(q);
}

static void retime(void *q)
{
    waiters_schedule(q);
}

void after_commit_announce(sqs_queue *q, bool now, bool later)
{
    if (now)
        tx_defer(wake_now, NULL, q);
    if (later)
        tx_defer(retime, NULL, q);
}

bool batch_id_valid(const char *id)
{
    size_t len = strlen(id);
    if (len < 1 || len > 80)
        return false;
    for (const char *p = id; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return false;
    }
    return true;
}

bool batch_check_entries(const cJSON *entries, const char *entry_name, sqs_error *err)
{
    int count = cJSON_IsArray(entries) ? cJSON_GetArraySize(entries) : 0;
    if (count == 0)
        return sqs_fail(err, SQS_ERR_EMPTY_BATCH, "There should be at least one %s in the request.", entry_name);
    if (count > 10)
        return sqs_fail(err, SQS_ERR_TOO_MANY_ENTRIES, "Maximum number of entries per request are 10. You have sent %d.",
                        count);
    const cJSON *entry;
    cJSON_ArrayForEach(entry, entries)
    {
        const char *id = req_string(entry, "Id");
        if (!id)
            return sqs_fail_missing_param(err, "Id");
        if (!batch_id_valid(id))
            return sqs_fail(err, SQS_ERR_INVALID_BATCH_ENTRY_ID,
                            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It "
                            "can be at most 80 letters long.");
    }
    for (const cJSON *a = entries->child; a; a = a->next) {
        for (const cJSON *b = a->next; b; b = b->next) {
            if (strcmp(req_string(a, "Id"), req_string(b, "Id")) == 0)
                return sqs_fail(err, SQS_ERR_BATCH_IDS_NOT_DISTINCT, "Id %s repeated.", req_string(a, "Id"));
        }
    }
    return true;
}

void batch_add_failure(cJSON *failed, const char *id, const sqs_error *err)
{
    cJSON *entry = cJSON_CreateObject();
    cJSON_AddStringToObject(entry, "Id", id);
    cJSON_AddBoolToObject(entry, "SenderFault", sqs_error_sender_fault(err->kind));
    cJSON_AddStringToObject(entry, "Code", sqs_error_code(err->kind));
    cJSON_AddStringToObject(entry, "Message", err->message);
    cJSON_AddItemToArray(failed, entry);
}
