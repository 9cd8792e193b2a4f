/* lambda/event: SQS event records exactly as Lambda delivers them (the record shape of
 * Lambda's "Using Lambda with Amazon SQS" guide; docs/lambda-semantics.md lists every
 * field): string attributes in AWS's order, lower-camel message attributes, md5s, source
 * fields. Two forms of the same record: a cJSON tree (for FilterCriteria) and its compact
 * text, written straight from the received message (what the invocation's event is made
 * of, so a record is printed once and never parsed again). */
#include "event.h"

#include <stdbool.h>
#include <stdio.h>
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

/* ---- the record as text ---- */

/* Appends s as a JSON string, escaped the way cJSON's printer escapes it. */
static void put_string(buf_t *b, const char *s)
{
    buf_putc(b, '"');
    const char *run = s;
    for (const char *c = s; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        buf_append(b, run, (size_t)(c - run));
        run = c + 1;
        char esc[8];
        switch (ch) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\b': buf_puts(b, "\\b"); break;
        case '\f': buf_puts(b, "\\f"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            buf_puts(b, esc);
        }
    }
    buf_puts(b, run);
    buf_putc(b, '"');
}

/* "name":"value" with a leading comma unless first; a missing value is written as "". */
static void put_member(buf_t *b, bool first, const char *name, const char *value)
{
    if (!first)
        buf_putc(b, ',');
    put_string(b, name);
    buf_putc(b, ':');
    put_string(b, value ? value : "");
}

static const char *string_of(const cJSON *obj, const char *member)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, member));
}

static void put_attributes(buf_t *b, const cJSON *attributes)
{
    buf_puts(b, ",\"attributes\":{");
    bool first = true;
    for (int i = 0; attribute_order[i]; i++) {
        const char *v = string_of(attributes, attribute_order[i]);
        if (v) {
            put_member(b, first, attribute_order[i], v);
            first = false;
        }
    }
    buf_putc(b, '}');
}

static void put_message_attributes(buf_t *b, const cJSON *attributes)
{
    buf_puts(b, ",\"messageAttributes\":{");
    const cJSON *attr;
    bool first = true;
    cJSON_ArrayForEach(attr, attributes)
    {
        if (!first)
            buf_putc(b, ',');
        first = false;
        put_string(b, attr->string ? attr->string : "");
        buf_putc(b, ':');
        const char *string_value = string_of(attr, "StringValue");
        const char *binary_value = string_of(attr, "BinaryValue");
        buf_putc(b, '{');
        if (string_value || binary_value) {
            put_member(b, true, string_value ? "stringValue" : "binaryValue", string_value ? string_value : binary_value);
            buf_putc(b, ',');
        }
        buf_puts(b, "\"stringListValues\":[],\"binaryListValues\":[]");
        const char *type = string_of(attr, "DataType");
        put_member(b, false, "dataType", type ? type : "String");
        buf_putc(b, '}');
    }
    buf_putc(b, '}');
}

void event_record_write(buf_t *out, const cJSON *message, const char *queue_arn, const char *region)
{
    buf_putc(out, '{');
    put_member(out, true, "messageId", string_of(message, "MessageId"));
    put_member(out, false, "receiptHandle", string_of(message, "ReceiptHandle"));
    put_member(out, false, "body", string_of(message, "Body"));
    put_attributes(out, cJSON_GetObjectItemCaseSensitive(message, "Attributes"));
    put_message_attributes(out, cJSON_GetObjectItemCaseSensitive(message, "MessageAttributes"));
    const char *md5_attributes = string_of(message, "MD5OfMessageAttributes");
    if (md5_attributes)
        put_member(out, false, "md5OfMessageAttributes", md5_attributes);
    else
        buf_puts(out, ",\"md5OfMessageAttributes\":null");
    put_member(out, false, "md5OfBody", string_of(message, "MD5OfBody"));
    put_member(out, false, "eventSource", "aws:sqs");
    put_member(out, false, "eventSourceARN", queue_arn);
    put_member(out, false, "awsRegion", region);
    buf_putc(out, '}');
}
