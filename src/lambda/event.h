/* lambda/event: the SQS event handed to handlers: records built from received messages. */
#ifndef SQSEMU_LAMBDA_EVENT_H
#define SQSEMU_LAMBDA_EVENT_H

#include <cjson/cJSON.h>

#include "sqsemu/buf.h"

/* A record from one message of a neutral ReceiveMessage result (MessageId, ReceiptHandle,
 * Body, Attributes, MessageAttributes, MD5s), without the source fields. */
cJSON *event_record_from_message(const cJSON *message);
/* Adds eventSource, eventSourceARN and awsRegion (after filtering, as AWS does). */
void event_record_add_source(cJSON *record, const char *queue_arn, const char *region);

/* Appends the complete record (source fields included) as compact JSON: the same document
 * event_record_from_message + event_record_add_source would print, member for member. */
void event_record_write(buf_t *out, const cJSON *message, const char *queue_arn, const char *region);

#endif
