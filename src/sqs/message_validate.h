/* sqs/message_validate: the rules a message must meet before it is stored: body
 * characters, message attributes (names, types, values, count) and system attributes. */
#ifndef SQSEMU_SQS_MESSAGE_VALIDATE_H
#define SQSEMU_SQS_MESSAGE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "sqsemu/sqs_error.h"

#define MAX_MESSAGE_ATTRIBUTES 10

/* MessageBody: present and non-empty (MissingParameter), allowed characters (InvalidMessageContents). */
bool message_check_body(const char *body, sqs_error *err);

/* MessageAttributes (may be NULL). Adds the bytes they count toward the message size. */
bool message_check_attributes(const cJSON *attributes, size_t *size, sqs_error *err);

/* MessageSystemAttributes (may be NULL): only AWSTraceHeader of type String. */
bool message_check_system_attributes(const cJSON *attributes, sqs_error *err);

/* Message attribute name rules of SQS. */
bool message_attribute_name_valid(const char *name);

/* A Number attribute value: decimal, up to 38 significant digits, 1e-128 .. 1e126. */
bool message_number_valid(const char *text);

/* MessageGroupId / MessageDeduplicationId syntax: 1..128 alphanumeric or punctuation. */
bool message_token_valid(const char *text);

#endif
