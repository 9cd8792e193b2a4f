/* lambda/event: SQS event records exactly as Lambda delivers them (the record shape of
 * Lambda's "Using Lambda with Amazon SQS" guide; docs/lambda-semantics.md lists every
 * field): string attributes in AWS's order, lower-camel message attributes, md5s, source
 * fields. */
#include "event.h"

#include <string.h>

static const char *const attribute_order[] = {
    "ApproximateReceiveCount", "SentTimestamp", "SequenceNumber", "MessageGroupId", "SenderId",
    "MessageDeduplicationId", "ApproximateFirstReceiveTimestamp", "AWSTraceHeader", "DeadLetterQueueSourceArn", NULL,
};

static cJSON *record_attributes(const cJSON *attributes)
{
    cJSON *out = cJSON_CreateObject();
    for (int i = 0; attribute_order[i]; i++) {
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(attributes, attribute_order[i]));
        if (v)
            cJSON_AddStringToObject(out, attribute_order[i], v);
    }
    return out;
}

static cJSON *record_message_attributes(const cJSON *attributes)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *attr;
    cJSON_ArrayForEach(attr, attributes)
    {
        cJSON *item = cJSON_CreateObject();
        const char *string_value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(attr, "StringValue"));
        const char *binary_value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(attr, "BinaryValue"));
        if (string_value)
            cJSON_AddStringToObject(item, "stringValue", string_value);
        else if (binary_value)
            cJSON_AddStringToObject(item, "binaryValue", binary_value);
        cJSON_AddArrayToObject(item, "stringListValues");
        cJSON_AddArrayToObject(item, "binaryListValues");
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(attr, "DataType"));
        cJSON_AddStringToObject(item, "dataType", type ? type : "String");
        cJSON_AddItemToObject(out, attr->string, item);
    }
    return out;
}

static void copy_string(cJSON *out, const char *name, const cJSON *message, const char *member)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(message, member));
    cJSON_AddStringToObject(out, name, v ? v : "");
}

cJSON *event_record_from_message(const cJSON *message)
{
    cJSON *record = cJSON_CreateObject();
    copy_string(record, "messageId", message, "MessageId");
    copy_string(record, "receiptHandle", message, "ReceiptHandle");
    copy_string(record, "body", message, "Body");
    cJSON_AddItemToObject(record, "attributes",
                          record_attributes(cJSON_GetObjectItemCaseSensitive(message, "Attributes")));
    cJSON_AddItemToObject(record, "messageAttributes",
                          record_message_attributes(cJSON_GetObjectItemCaseSensitive(message, "MessageAttributes")));
    const char *md5_attributes =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(message, "MD5OfMessageAttributes"));
    if (md5_attributes)
        cJSON_AddStringToObject(record, "md5OfMessageAttributes", md5_attributes);
    else
        cJSON_AddNullToObject(record, "md5OfMessageAttributes");
    copy_string(record, "md5OfBody", message, "MD5OfBody");
    return record;
}

void event_record_add_source(cJSON *record, const char *queue_arn, const char *region)
{
    cJSON_AddStringToObject(record, "eventSource", "aws:sqs");
    cJSON_AddStringToObject(record, "eventSourceARN", queue_arn);
    cJSON_AddStringToObject(record, "awsRegion", region);
}
