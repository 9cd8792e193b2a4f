/* lambda/poller_sqs.h: the poller's in-process SQS calls and its transaction (poller_sqs.c). */
#ifndef SQSEMU_LAMBDA_POLLER_SQS_H
#define SQSEMU_LAMBDA_POLLER_SQS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Runs action on the queue arn with input (QueueUrl is added); *output gets the result
 * (NULL and false on failure, which is logged). */
bool poller_sqs_call(const char *arn, const char *action, cJSON *input, cJSON **output);
/* The clock reading taken for the last call. */
int64_t poller_sqs_last_call_ms(void);
/* DeleteMessageBatch over handles, ten at a time. */
void poller_delete_handles(const char *arn, const char *const *handles, size_t count);
/* ChangeMessageVisibilityBatch to 0 over handles: visible again at once. */
void poller_release_handles(const char *arn, const char *const *handles, size_t count);
/* Opens the transaction a poller run shares unless one is open; true when this opened it. */
bool poller_tx_open(void);
/* Commits what poller_tx_open opened (opened false: nothing to do). */
void poller_tx_close(bool opened);

#endif
