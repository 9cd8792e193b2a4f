/* lambda/poller_sqs: how a poller calls the SQS service in-process: ReceiveMessage,
 * DeleteMessageBatch and ChangeMessageVisibilityBatch as any consumer would send them, and
 * the store transaction one poller run shares (every call inside it is a savepoint).
 * Stateless apart from the clock reading of the last call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poller_sqs.h"
#include "sqsemu/clock.h"
#include "sqsemu/log.h"
#include "sqsemu/sqs.h"
#include "sqsemu/tx.h"

static int64_t last_call_ms; /* clock reading of the last in-process SQS call */

int64_t poller_sqs_last_call_ms(void)
{
    return last_call_ms;
}

bool poller_sqs_call(const char *arn, const char *action, cJSON *input, cJSON **output)
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

/* Runs a batch action (DeleteMessageBatch, ChangeMessageVisibilityBatch) over handles, ten
 * entries a call; visibility >= 0 adds that VisibilityTimeout to every entry. */
static void batch_over_handles(const char *arn, const char *action, const char *const *handles, size_t count,
                               int visibility)
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
            if (visibility >= 0)
                cJSON_AddNumberToObject(entry, "VisibilityTimeout", visibility);
            cJSON_AddItemToArray(entries, entry);
        }
        cJSON *output = NULL;
        poller_sqs_call(arn, action, input, &output);
        cJSON_Delete(output);
        cJSON_Delete(input);
    }
}

void poller_delete_handles(const char *arn, const char *const *handles, size_t count)
{
    batch_over_handles(arn, "DeleteMessageBatch", handles, count, -1);
}

/* Makes received messages visible again at once (they will not be invoked by this batch). */
void poller_release_handles(const char *arn, const char *const *handles, size_t count)
{
    batch_over_handles(arn, "ChangeMessageVisibilityBatch", handles, count, 0);
}

/* Opens the store transaction the poller's SQS calls share (each call is a savepoint),
 * unless one is open already; returns whether this call opened it. */
bool poller_tx_open(void)
{
    if (tx_active())
        return false;
    if (tx_open())
        return true;
    log_warn("[poller] cannot open a store transaction: each SQS call runs its own");
    return false;
}

void poller_tx_close(bool opened)
{
    if (opened && !tx_close(true))
        log_warn("[poller] committing the poller's store transaction failed: its receives and deletes are undone");
}
