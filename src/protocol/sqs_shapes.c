/* sqs_shapes: the one table of the 23 SQS actions' input members (JSON name, query name,
 * kind) and the JSON-protocol type checker driven by it. The query decoder uses it too. */
#include "sqsemu/sqs_shapes.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* Table-building shorthands. */
#define STRING(name) {name, name, SQS_MEMBER_STRING, NULL, NULL, NULL}
#define INTEGER(name) {name, name, SQS_MEMBER_INTEGER, NULL, NULL, NULL}
#define STRING_LIST(json, query) {json, query, SQS_MEMBER_STRING_LIST, NULL, NULL, NULL}
#define STRING_MAP(json, query, key, value) {json, query, SQS_MEMBER_STRING_MAP, key, value, NULL}
#define MESSAGE_ATTRIBUTES(json, query) \
    {json, query, SQS_MEMBER_STRUCT_MAP, "Name", "Value", message_attribute_value}
#define ENTRIES(query, members) {"Entries", query, SQS_MEMBER_ENTRY_LIST, NULL, NULL, members}
#define ATTRIBUTE_ALIAS(json, query, attribute) \
    {json, query, SQS_MEMBER_ATTRIBUTE_ALIAS, attribute, NULL, NULL}
#define END {NULL, NULL, SQS_MEMBER_STRING, NULL, NULL, NULL}

/* MessageAttributeValue and MessageSystemAttributeValue (same members). BinaryValue is a
 * blob: a base64 string on both protocols. The list values are "reserved": typed, ignored. */
static const sqs_member message_attribute_value[] = {
    STRING("DataType"),
    STRING("StringValue"),
    STRING("BinaryValue"),
    STRING_LIST("StringListValues", "StringListValue"),
    STRING_LIST("BinaryListValues", "BinaryListValue"),
    END,
};

static const sqs_member send_message_batch_entry[] = {
    STRING("Id"),
    STRING("MessageBody"),
    INTEGER("DelaySeconds"),
    MESSAGE_ATTRIBUTES("MessageAttributes", "MessageAttribute"),
    MESSAGE_ATTRIBUTES("MessageSystemAttributes", "MessageSystemAttribute"),
    STRING("MessageDeduplicationId"),
    STRING("MessageGroupId"),
    END,
};

static const sqs_member delete_message_batch_entry[] = {
    STRING("Id"),
    STRING("ReceiptHandle"),
    END,
};

static const sqs_member change_visibility_batch_entry[] = {
    STRING("Id"),
    STRING("ReceiptHandle"),
    INTEGER("VisibilityTimeout"),
    END,
};

static const sqs_member add_permission[] = {
    STRING("QueueUrl"),
    STRING("Label"),
    STRING_LIST("AWSAccountIds", "AWSAccountId"),
    STRING_LIST("Actions", "ActionName"),
    END,
};

static const sqs_member cancel_message_move_task[] = {
    STRING("TaskHandle"),
    END,
};

static const sqs_member change_message_visibility[] = {
    STRING("QueueUrl"),
    STRING("ReceiptHandle"),
    INTEGER("VisibilityTimeout"),
    END,
};

static const sqs_member change_message_visibility_batch[] = {
    STRING("QueueUrl"),
    ENTRIES("ChangeMessageVisibilityBatchRequestEntry", change_visibility_batch_entry),
    END,
};

/* The alias comes after Attributes so an explicit VisibilityTimeout attribute wins. */
static const sqs_member create_queue[] = {
    STRING("QueueName"),
    STRING_MAP("Attributes", "Attribute", "Name", "Value"),
    STRING_MAP("tags", "Tag", "Key", "Value"),
    ATTRIBUTE_ALIAS("Attributes", "DefaultVisibilityTimeout", "VisibilityTimeout"),
    END,
};

static const sqs_member delete_message[] = {
    STRING("QueueUrl"),
    STRING("ReceiptHandle"),
    END,
};

static const sqs_member delete_message_batch[] = {
    STRING("QueueUrl"),
    ENTRIES("DeleteMessageBatchRequestEntry", delete_message_batch_entry),
    END,
};

/* DeleteQueue, PurgeQueue and ListQueueTags. */
static const sqs_member queue_url_only[] = {
    STRING("QueueUrl"),
    END,
};

static const sqs_member get_queue_attributes[] = {
    STRING("QueueUrl"),
    STRING_LIST("AttributeNames", "AttributeName"),
    END,
};

static const sqs_member get_queue_url[] = {
    STRING("QueueName"),
    STRING("QueueOwnerAWSAccountId"),
    END,
};

static const sqs_member list_dead_letter_source_queues[] = {
    STRING("QueueUrl"),
    STRING("NextToken"),
    INTEGER("MaxResults"),
    END,
};

static const sqs_member list_message_move_tasks[] = {
    STRING("SourceArn"),
    INTEGER("MaxResults"),
    END,
};

static const sqs_member list_queues[] = {
    STRING("QueueNamePrefix"),
    STRING("NextToken"),
    INTEGER("MaxResults"),
    END,
};

/* The model gives MessageSystemAttributeNames the query name AttributeName, colliding with
 * AttributeNames; AttributeName.N goes to AttributeNames and MessageSystemAttributeName.N
 * is accepted for the other (the service uses the union of both). */
static const sqs_member receive_message[] = {
    STRING("QueueUrl"),
    STRING_LIST("AttributeNames", "AttributeName"),
    STRING_LIST("MessageSystemAttributeNames", "MessageSystemAttributeName"),
    STRING_LIST("MessageAttributeNames", "MessageAttributeName"),
    INTEGER("MaxNumberOfMessages"),
    INTEGER("VisibilityTimeout"),
    INTEGER("WaitTimeSeconds"),
    STRING("ReceiveRequestAttemptId"),
    END,
};

static const sqs_member remove_permission[] = {
    STRING("QueueUrl"),
    STRING("Label"),
    END,
};

static const sqs_member send_message[] = {
    STRING("QueueUrl"),
    STRING("MessageBody"),
    INTEGER("DelaySeconds"),
    MESSAGE_ATTRIBUTES("MessageAttributes", "MessageAttribute"),
    MESSAGE_ATTRIBUTES("MessageSystemAttributes", "MessageSystemAttribute"),
    STRING("MessageDeduplicationId"),
    STRING("MessageGroupId"),
    END,
};

static const sqs_member send_message_batch[] = {
    STRING("QueueUrl"),
    ENTRIES("SendMessageBatchRequestEntry", send_message_batch_entry),
    END,
};

static const sqs_member set_queue_attributes[] = {
    STRING("QueueUrl"),
    STRING_MAP("Attributes", "Attribute", "Name", "Value"),
    END,
};

static const sqs_member start_message_move_task[] = {
    STRING("SourceArn"),
    STRING("DestinationArn"),
    INTEGER("MaxNumberOfMessagesPerSecond"),
    END,
};

static const sqs_member tag_queue[] = {
    STRING("QueueUrl"),
    STRING_MAP("Tags", "Tag", "Key", "Value"),
    END,
};

static const sqs_member untag_queue[] = {
    STRING("QueueUrl"),
    STRING_LIST("TagKeys", "TagKey"),
    END,
};

typedef struct action_shape {
    const char *action;
    const sqs_member *input;
} action_shape;

static const action_shape actions[] = {
    {"AddPermission", add_permission},
    {"CancelMessageMoveTask", cancel_message_move_task},
    {"ChangeMessageVisibility", change_message_visibility},
    {"ChangeMessageVisibilityBatch", change_message_visibility_batch},
    {"CreateQueue", create_queue},
    {"DeleteMessage", delete_message},
    {"DeleteMessageBatch", delete_message_batch},
    {"DeleteQueue", queue_url_only},
    {"GetQueueAttributes", get_queue_attributes},
    {"GetQueueUrl", get_queue_url},
    {"ListDeadLetterSourceQueues", list_dead_letter_source_queues},
    {"ListMessageMoveTasks", list_message_move_tasks},
    {"ListQueueTags", queue_url_only},
    {"ListQueues", list_queues},
    {"PurgeQueue", queue_url_only},
    {"ReceiveMessage", receive_message},
    {"RemovePermission", remove_permission},
    {"SendMessage", send_message},
    {"SendMessageBatch", send_message_batch},
    {"SetQueueAttributes", set_queue_attributes},
    {"StartMessageMoveTask", start_message_move_task},
    {"TagQueue", tag_queue},
    {"UntagQueue", untag_queue},
};

const sqs_member *sqs_shapes_input(const char *action)
{
    if (!action)
        return NULL;
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (strcmp(actions[i].action, action) == 0)
            return actions[i].input;
    }
    return NULL;
}

bool sqs_action_known(const char *action)
{
    return sqs_shapes_input(action) != NULL;
}

/* ---- JSON type checking ---- */

static bool check_members(const sqs_member *members, const cJSON *object, sqs_error *err);

static bool wrong_type(const sqs_member *m, sqs_error *err)
{
    return sqs_fail(err, SQS_ERR_SERIALIZATION, "Unexpected value type for member %s", m->json_name);
}

static bool is_integral_number(const cJSON *item)
{
    if (!cJSON_IsNumber(item))
        return false;
    double d = item->valuedouble;
    if (!isfinite(d))
        return false;
    if (fabs(d) >= 9007199254740992.0) /* 2^53: every double this large is an integer */
        return true;
    return (double)(long long)d == d;
}

/* Every element of an array / every value of an object is a string. */
static bool children_are_strings(const cJSON *container)
{
    const cJSON *child;
    cJSON_ArrayForEach(child, container) {
        if (!cJSON_IsString(child))
            return false;
    }
    return true;
}

/* Every element/value is an object whose members match the structure's table. */
static bool children_match(const sqs_member *m, const cJSON *container, sqs_error *err)
{
    const cJSON *child;
    cJSON_ArrayForEach(child, container) {
        if (!cJSON_IsObject(child))
            return wrong_type(m, err);
        if (!check_members(m->members, child, err))
            return false;
    }
    return true;
}

static bool check_member(const sqs_member *m, const cJSON *item, sqs_error *err)
{
    switch (m->kind) {
    case SQS_MEMBER_STRING:
        return cJSON_IsString(item) || wrong_type(m, err);
    case SQS_MEMBER_INTEGER:
        /* AWS's recorded text for a string sent where an integer is modelled. */
        if (cJSON_IsString(item))
            return sqs_fail(err, SQS_ERR_SERIALIZATION, "STRING_VALUE can not be converted to an Integer");
        return is_integral_number(item) || wrong_type(m, err);
    case SQS_MEMBER_BOOLEAN:
        return cJSON_IsBool(item) || wrong_type(m, err);
    case SQS_MEMBER_STRING_LIST:
        return (cJSON_IsArray(item) && children_are_strings(item)) || wrong_type(m, err);
    case SQS_MEMBER_STRING_MAP:
        return (cJSON_IsObject(item) && children_are_strings(item)) || wrong_type(m, err);
    case SQS_MEMBER_STRUCT_MAP:
        return cJSON_IsObject(item) ? children_match(m, item, err) : wrong_type(m, err);
    case SQS_MEMBER_ENTRY_LIST:
        return cJSON_IsArray(item) ? children_match(m, item, err) : wrong_type(m, err);
    case SQS_MEMBER_ATTRIBUTE_ALIAS:
        return true; /* query-only; the JSON member it targets has its own entry */
    }
    return true;
}

static bool check_members(const sqs_member *members, const cJSON *object, sqs_error *err)
{
    for (const sqs_member *m = members; m->json_name; m++) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, m->json_name);
        if (!item || cJSON_IsNull(item))
            continue;
        if (!check_member(m, item, err))
            return false;
    }
    return true;
}

bool sqs_shapes_check_json(const char *action, const cJSON *input, sqs_error *err)
{
    const sqs_member *members = sqs_shapes_input(action);
    if (!members)
        return sqs_fail(err, SQS_ERR_UNKNOWN_OPERATION, "Unknown operation %s", action ? action : "");
    if (!input)
        return true;
    if (!cJSON_IsObject(input))
        return sqs_fail(err, SQS_ERR_SERIALIZATION, "The request body must be a JSON object");
    return check_members(members, input, err);
}
