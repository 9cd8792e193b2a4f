/* sqs/message_output.h: the attribute parts of a message in a receive-shaped answer. */
#ifndef SQSEMU_SQS_MESSAGE_OUTPUT_H
#define SQSEMU_SQS_MESSAGE_OUTPUT_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "selection.h"
#include "sqsemu/store.h"

/* Adds "Attributes" (the wanted system attributes, as strings) to msg when there are any. */
void message_output_system_attributes(const attribute_selection *sel, const stored_message *m, int64_t receive_count,
                                      int64_t first_receive_ms, cJSON *msg);
/* Adds "MessageAttributes" and "MD5OfMessageAttributes" for the wanted message attributes. */
void message_output_attributes(const attribute_selection *sel, const stored_message *m, cJSON *msg);

#endif
