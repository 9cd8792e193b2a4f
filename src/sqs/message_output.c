/* sqs/message_output: a stored message's system attributes and message attributes as
 * ReceiveMessage returns them (each filtered by the request's attribute selection), shared
 * by ReceiveMessage and the admin API's read-only listing of a queue. */
#include <stdio.h>
#include <stdlib.h>

#include "fifo.h"
#include "md5.h"
#include "message_output.h"
#include "sqsemu/codec.h"

static bool system_wanted(const attribute_selection *sel, const char *name)
{
    return selection_wants_system(sel, name);
}

static void add_number_string(cJSON *obj, const char *name, int64_t value)
{
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)value);
    cJSON_AddStringToObject(obj, name, text);
}

void message_output_system_attributes(const attribute_selection *sel, const stored_message *m, int64_t receive_count,
                                      int64_t first_receive_ms, cJSON *msg)
{
    cJSON *attrs = cJSON_CreateObject();
    if (system_wanted(sel, "SenderId"))
        cJSON_AddStringToObject(attrs, "SenderId", m->sender_id);
    if (system_wanted(sel, "SentTimestamp"))
        add_number_string(attrs, "SentTimestamp", m->sent_ms);
    if (system_wanted(sel, "ApproximateReceiveCount"))
        add_number_string(attrs, "ApproximateReceiveCount", receive_count);
    if (first_receive_ms && system_wanted(sel, "ApproximateFirstReceiveTimestamp")) /* 0: never received */
        add_number_string(attrs, "ApproximateFirstReceiveTimestamp", first_receive_ms);
    if (m->trace_header && system_wanted(sel, "AWSTraceHeader"))
        cJSON_AddStringToObject(attrs, "AWSTraceHeader", m->trace_header);
    if (m->group_id && system_wanted(sel, "MessageGroupId"))
        cJSON_AddStringToObject(attrs, "MessageGroupId", m->group_id);
    if (m->sequence && system_wanted(sel, "SequenceNumber")) {
        char text[SEQUENCE_TEXT_LEN];
        fifo_format_sequence(m->sequence, text);
        cJSON_AddStringToObject(attrs, "SequenceNumber", text);
    }
    if (m->dedup_id && system_wanted(sel, "MessageDeduplicationId"))
        cJSON_AddStringToObject(attrs, "MessageDeduplicationId", m->dedup_id);
    if (m->dlq_source_arn && system_wanted(sel, "DeadLetterQueueSourceArn"))
        cJSON_AddStringToObject(attrs, "DeadLetterQueueSourceArn", m->dlq_source_arn);
    if (cJSON_GetArraySize(attrs) > 0)
        cJSON_AddItemToObject(msg, "Attributes", attrs);
    else
        cJSON_Delete(attrs);
}

void message_output_attributes(const attribute_selection *sel, const stored_message *m, cJSON *msg)
{
    if (!m->attributes || selection_no_attributes(sel))
        return;
    cJSON *all = cJSON_Parse(m->attributes);
    cJSON *selected = cJSON_CreateObject();
    cJSON *attr = all ? all->child : NULL;
    while (attr) {
        cJSON *next = attr->next;
        if (selection_wants_attribute(sel, attr->string))
            cJSON_AddItemToObject(selected, attr->string, cJSON_DetachItemViaPointer(all, attr));
        attr = next;
    }
    cJSON_Delete(all);
    char md5[MD5_HEX_LEN];
    if (md5_of_attributes(selected, md5)) {
        cJSON_AddStringToObject(msg, "MD5OfMessageAttributes", md5);
        cJSON_AddItemToObject(msg, "MessageAttributes", selected);
    } else {
        cJSON_Delete(selected);
    }
}
