/* sqs/permissions: AddPermission and RemovePermission, kept as statements of the queue's
 * Policy attribute (Sid = label). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "queue_attrs.h"
#include "sqsemu/buf.h"
#include "sqsemu/names.h"
#include "sqsemu/store.h"
#include "sqsemu/tx.h"

/* SQS policy quotas (SQS developer guide, "Quotas related to policies"). */
#define MAX_POLICY_ACTIONS 7
#define MAX_POLICY_PRINCIPALS 50
#define MAX_POLICY_STATEMENTS 20

static bool label_valid(const char *label)
{
    size_t len = strlen(label);
    if (len < 1 || len > 80)
        return false;
    for (const char *p = label; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return false;
    }
    return true;
}

/* Actions only the queue's owner may call; AWS names them apart from unknown actions. */
static bool owner_only_action(const char *action)
{
    static const char *const owner_only[] = {
        "AddPermission", "RemovePermission", "CreateQueue", "DeleteQueue", "ListQueues", "SetQueueAttributes",
        "TagQueue", "UntagQueue",
    };
    for (size_t i = 0; i < sizeof owner_only / sizeof owner_only[0]; i++) {
        if (strcmp(owner_only[i], action) == 0)
            return true;
    }
    return false;
}

static bool check_accounts(const cJSON *accounts, sqs_error *err)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, accounts)
    {
        if (name_is_account_id(a->valuestring))
            continue;
        buf_t listed;
        buf_init(&listed);
        const cJSON *b;
        cJSON_ArrayForEach(b, accounts)
        {
            buf_printf(&listed, "%s%s", listed.len ? ", " : "", b->valuestring);
        }
        sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                 "Value [%s] for parameter PrincipalId is invalid. Reason: Unable to verify.", listed.data);
        buf_free(&listed);
        return false;
    }
    return true;
}

static bool permission_action_valid(const char *action)
{
    static const char *const allowed[] = {
        "*", "ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
        "ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage", "SendMessage", "ListQueueTags",
        "ChangeMessageVisibilityBatch", "DeleteMessageBatch", "SendMessageBatch",
    };
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        if (strcmp(allowed[i], action) == 0)
            return true;
    }
    return false;
}

/* The current policy document, or a new empty one. */
static cJSON *load_policy(const sqs_queue *q)
{
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(q->attributes, "Policy");
    cJSON *doc = cJSON_IsString(text) ? cJSON_Parse(text->valuestring) : NULL;
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "Version", "2008-10-17");
        buf_t id;
        buf_init(&id);
        buf_printf(&id, "%s/SQSDefaultPolicy", q->arn);
        cJSON_AddStringToObject(doc, "Id", id.data);
        buf_free(&id);
    }
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "Statement"))) {
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "Statement");
        cJSON_AddArrayToObject(doc, "Statement");
    }
    return doc;
}

static int find_statement(const cJSON *statements, const char *label)
{
    int i = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, statements)
    {
        const cJSON *sid = cJSON_GetObjectItemCaseSensitive(s, "Sid");
        if (cJSON_IsString(sid) && strcmp(sid->valuestring, label) == 0)
            return i;
        i++;
    }
    return -1;
}

/* A single value stays a string; several become an array. */
static void add_one_or_many(cJSON *obj, const char *name, const cJSON *values, const char *prefix, const char *suffix)
{
    cJSON *list = cJSON_CreateArray();
    const cJSON *v;
    cJSON_ArrayForEach(v, values)
    {
        buf_t b;
        buf_init(&b);
        buf_printf(&b, "%s%s%s", prefix, v->valuestring, suffix);
        cJSON_AddItemToArray(list, cJSON_CreateString(b.data));
        buf_free(&b);
    }
    if (cJSON_GetArraySize(list) == 1) {
        cJSON_AddItemToObject(obj, name, cJSON_DetachItemFromArray(list, 0));
        cJSON_Delete(list);
    } else {
        cJSON_AddItemToObject(obj, name, list);
    }
}

static bool save_policy(sqs_ctx *ctx, sqs_queue *q, cJSON *doc, sqs_error *err)
{
    cJSON *normalized = cJSON_CreateObject();
    if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "Statement")) == 0) {
        cJSON_AddStringToObject(normalized, "Policy", "");
    } else {
        char *text = cJSON_PrintUnformatted(doc);
        cJSON_AddStringToObject(normalized, "Policy", text);
        free(text);
    }
    bool ok = queue_change_attributes(q, normalized, ctx->now_ms / 1000, err);
    cJSON_Delete(normalized);
    return ok;
}

static bool check_string_list(const cJSON *list, const char *member, sqs_error *err)
{
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
        return sqs_fail_missing_param(err, member);
    const cJSON *v;
    cJSON_ArrayForEach(v, list)
    {
        if (!cJSON_IsString(v) || !*v->valuestring)
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Value for parameter %s is invalid.", member);
    }
    return true;
}

bool action_add_permission(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    (void)out;
    sqs_queue *q = require_queue(ctx, in, err);
    const char *label;
    if (!q || !require_string(in, "Label", &label, err))
        return false;
    const cJSON *accounts = req_member(in, "AWSAccountIds");
    const cJSON *actions = req_member(in, "Actions");
    if (!label_valid(label))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %s for parameter Label is invalid. Reason: Can only include alphanumeric characters, "
                        "hyphens, or underscores. 1 to 80 in length.", label);
    if (!check_string_list(accounts, "AWSAccountIds", err) || !check_string_list(actions, "Actions", err))
        return false;
    if (cJSON_GetArraySize(accounts) > MAX_POLICY_PRINCIPALS)
        return sqs_fail(err, SQS_ERR_OVER_LIMIT, "%d Principals were found, maximum allowed is %d.",
                        cJSON_GetArraySize(accounts), MAX_POLICY_PRINCIPALS);
    if (cJSON_GetArraySize(actions) > MAX_POLICY_ACTIONS)
        return sqs_fail(err, SQS_ERR_OVER_LIMIT, "%d Actions were found, maximum allowed is %d.",
                        cJSON_GetArraySize(actions), MAX_POLICY_ACTIONS);
    const cJSON *a;
    cJSON_ArrayForEach(a, actions)
    {
        if (owner_only_action(a->valuestring))
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                            "Value SQS:%s for parameter ActionName is invalid. Reason: Only the queue owner is allowed "
                            "to invoke this action.", a->valuestring);
        if (!permission_action_valid(a->valuestring))
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                            "Value SQS:%s for parameter ActionName is invalid. Reason: Please refer to the "
                            "appropriate WSDL for a list of valid actions.", a->valuestring);
    }
    if (!check_accounts(accounts, err))
        return false;
    cJSON *doc = load_policy(q);
    cJSON *statements = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
    if (find_statement(statements, label) >= 0) {
        cJSON_Delete(doc);
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %s for parameter Label is invalid. Reason: Already exists.", label);
    }
    int statement_count = cJSON_GetArraySize(statements);
    if (statement_count >= MAX_POLICY_STATEMENTS) {
        cJSON_Delete(doc);
        return sqs_fail(err, SQS_ERR_OVER_LIMIT, "%d statements were found, maximum allowed is %d.",
                        statement_count + 1, MAX_POLICY_STATEMENTS);
    }
    cJSON *statement = cJSON_CreateObject();
    cJSON_AddStringToObject(statement, "Sid", label);
    cJSON_AddStringToObject(statement, "Effect", "Allow");
    cJSON *principal = cJSON_AddObjectToObject(statement, "Principal");
    add_one_or_many(principal, "AWS", accounts, "arn:aws:iam::", ":root");
    add_one_or_many(statement, "Action", actions, "SQS:", "");
    cJSON_AddStringToObject(statement, "Resource", q->arn);
    cJSON_AddItemToArray(statements, statement);
    bool ok = save_policy(ctx, q, doc, err);
    cJSON_Delete(doc);
    return ok;
}

bool action_remove_permission(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    (void)out;
    sqs_queue *q = require_queue(ctx, in, err);
    const char *label;
    if (!q || !require_string(in, "Label", &label, err))
        return false;
    cJSON *doc = load_policy(q);
    cJSON *statements = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
    int index = find_statement(statements, label);
    if (index < 0) {
        cJSON_Delete(doc);
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %s for parameter Label is invalid. Reason: can't find label.", label);
    }
    cJSON_DeleteItemFromArray(statements, index);
    bool ok = save_policy(ctx, q, doc, err);
    cJSON_Delete(doc);
    return ok;
}
