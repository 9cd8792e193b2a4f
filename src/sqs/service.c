/* sqs/service: the SQS service entry point: start/stop and the action dispatch table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"
#include "receipt.h"
#include "sqsemu/ids.h"
#include "sqsemu/store.h"
#include "sqsemu/tx.h"
#include "move_tasks.h"
#include "registry.h"
#include "sqsemu/utf8.h"
#include "sqsemu/waiters.h"
#include "sqsemu/log.h"

typedef struct action_entry {
    const char *name;
    sqs_action_fn fn;
    bool endpoint_only; /* AWS rejects it when sent to a queue URL */
    bool writes;        /* runs in a transaction (every action but pure reads) */
} action_entry;

static const action_entry actions[] = {
    {"AddPermission", action_add_permission, false, true},
    {"CancelMessageMoveTask", action_cancel_message_move_task, false, true},
    {"ChangeMessageVisibility", action_change_message_visibility, false, true},
    {"ChangeMessageVisibilityBatch", action_change_message_visibility_batch, false, true},
    {"CreateQueue", action_create_queue, true, true},
    {"DeleteMessage", action_delete_message, false, true},
    {"DeleteMessageBatch", action_delete_message_batch, false, true},
    {"DeleteQueue", action_delete_queue, false, true},
    {"GetQueueAttributes", action_get_queue_attributes, false, true}, /* retention runs first */
    {"GetQueueUrl", action_get_queue_url, false, false},
    {"ListDeadLetterSourceQueues", action_list_dead_letter_source_queues, false, false},
    {"ListMessageMoveTasks", action_list_message_move_tasks, false, false},
    {"ListQueueTags", action_list_queue_tags, false, false},
    {"ListQueues", action_list_queues, true, false},
    {"PurgeQueue", action_purge_queue, false, true},
    {"ReceiveMessage", action_receive_message, false, true},
    {"RemovePermission", action_remove_permission, false, true},
    {"SendMessage", action_send_message, false, true},
    {"SendMessageBatch", action_send_message_batch, false, true},
    {"SetQueueAttributes", action_set_queue_attributes, false, true},
    {"StartMessageMoveTask", action_start_message_move_task, false, true},
    {"TagQueue", action_tag_queue, false, true},
    {"UntagQueue", action_untag_queue, false, true},
};

/* sqsemu's own operations (the admin API): run like actions, never reachable through
 * the SQS protocols. */
static const action_entry admin_actions[] = {
    {"Reset", action_admin_reset, false, true},
    {"PeekMessages", action_admin_peek, false, false},
    {"DeleteMessage", action_admin_delete_message, false, true},
};

static const action_entry *find_in(const action_entry *table, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    }
    return NULL;
}

static const action_entry *find_action(const char *name)
{
    return find_in(actions, sizeof actions / sizeof actions[0], name);
}

static sqs_settings current_settings;

const sqs_settings *sqs_settings_get(void)
{
    return &current_settings;
}

/* The key that authenticates receipt handles lives in the store, so handles stay valid
 * across restarts of one data directory and mean nothing to another. */
static bool load_receipt_key(void)
{
    unsigned char key[RECEIPT_KEY_BYTES];
    bool found = false;
    if (!store_meta_get("receipt_key", key, sizeof key, &found))
        return false;
    if (!found) {
        ids_random(key, sizeof key);
        if (!store_meta_put("receipt_key", key, sizeof key))
            return false;
    }
    receipt_set_key(key);
    OPENSSL_cleanse(key, sizeof key);
    return true;
}

bool sqs_service_start(const sqs_settings *settings)
{
    current_settings = *settings;
    if (!load_receipt_key()) {
        log_error("could not read or store the receipt handle key");
        return false;
    }
    registry_init();
    if (!registry_load() || !move_tasks_load()) {
        log_error("could not load the queues from the store");
        return false;
    }
    return true;
}

void sqs_service_stop(void)
{
    queues_forget_deleted();
    move_tasks_free();
    size_t count = 0;
    sqs_queue **all = registry_all(&count);
    for (size_t i = 0; i < count; i++)
        waiters_queue_gone(all[i]);
    free(all);
    registry_free();
    receipt_free_key();
}

sqs_queue *sqs_queue_by_arn(const char *arn)
{
    return registry_find_arn(arn);
}

sqs_queue_info sqs_queue_lookup(const char *arn)
{
    sqs_queue_info info = {0};
    sqs_queue *q = registry_find_arn(arn);
    if (q) {
        info.exists = true;
        info.fifo = q->fifo;
        info.visibility_timeout_s = q->visibility_s;
        snprintf(info.url_path, sizeof info.url_path, "/%s/%s", q->account, q->name);
    }
    return info;
}

bool sqs_action_is_endpoint_only(const char *action)
{
    const action_entry *a = find_action(action);
    return a && a->endpoint_only;
}

/* Every string of a request (names and values) must be valid UTF-8, or it could not be
 * returned later. Message bodies are checked by the send path (InvalidMessageContents). */
static bool strings_valid(const cJSON *item, sqs_error *err)
{
    for (const cJSON *child = item ? item->child : NULL; child; child = child->next) {
        if (child->string && !utf8_is_valid(child->string, strlen(child->string)))
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "A parameter name is not valid UTF-8.");
        bool body = child->string && strcmp(child->string, "MessageBody") == 0;
        if (cJSON_IsString(child) && !body && !utf8_is_valid(child->valuestring, strlen(child->valuestring)))
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                            "Value for parameter %s is invalid. Reason: It is not valid UTF-8.",
                            child->string ? child->string : "(list item)");
        if ((cJSON_IsObject(child) || cJSON_IsArray(child)) && !strings_valid(child, err))
            return false;
    }
    return true;
}

void sqs_ctx_release(sqs_ctx *ctx)
{
    if (ctx->prepared && ctx->prepared_free)
        ctx->prepared_free(ctx->prepared);
    ctx->prepared = NULL;
    ctx->prepared_free = NULL;
}

static sqs_status run_action(sqs_ctx *ctx, const action_entry *a, const cJSON *input, cJSON **output,
                             sqs_error *err);

static sqs_status call_entry(sqs_ctx *ctx, const action_entry *a, const char *action, const cJSON *input,
                             cJSON **output, sqs_error *err)
{
    sqs_status status = SQS_STATUS_ERROR;
    *output = NULL;
    if (a)
        status = run_action(ctx, a, input, output, err);
    else
        sqs_fail(err, SQS_ERR_INVALID_ACTION, "The action %s is not valid for this endpoint.", action);
    if (status != SQS_STATUS_PENDING)
        sqs_ctx_release(ctx);
    return status;
}

sqs_status sqs_service_call(sqs_ctx *ctx, const char *action, const cJSON *input, cJSON **output, sqs_error *err)
{
    return call_entry(ctx, find_action(action), action, input, output, err);
}

sqs_status sqs_admin_call(sqs_ctx *ctx, const char *operation, const cJSON *input, cJSON **output, sqs_error *err)
{
    return call_entry(ctx, find_in(admin_actions, sizeof admin_actions / sizeof admin_actions[0], operation),
                      operation, input, output, err);
}

static sqs_status run_action(sqs_ctx *ctx, const action_entry *a, const cJSON *input, cJSON **output,
                             sqs_error *err)
{
    ctx->wait_queue = NULL;
    if (!strings_valid(input, err))
        return SQS_STATUS_ERROR;
    /* The action's writes are one transaction: committed when it succeeds, rolled back
     * otherwise; what waits for the outcome (waking long polls, undoing in-memory changes)
     * runs when the transaction closes. */
    if (a->writes && !tx_open())
        return internal_error(err), SQS_STATUS_ERROR;
    cJSON *out = cJSON_CreateObject();
    bool ok = a->fn(ctx, input, out, err);
    if (a->writes && !tx_close(ok) && ok) {
        internal_error(err);
        ok = false;
    }
    if (!ok) {
        cJSON_Delete(out);
        return SQS_STATUS_ERROR;
    }
    if (ctx->wait_queue) {
        cJSON_Delete(out);
        return SQS_STATUS_PENDING;
    }
    *output = out;
    return SQS_STATUS_OK;
}
