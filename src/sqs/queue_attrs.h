/* sqs/queue_attrs: the queue attribute table: names, kinds, ranges, defaults, validation,
 * normalisation, and the GetQueueAttributes listing. */
#ifndef SQSEMU_SQS_QUEUE_ATTRS_H
#define SQSEMU_SQS_QUEUE_ATTRS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "sqsemu/sqs.h"

/* Validates a requested attribute map (name -> string) for a queue of the given type and
 * builds *normalized (name -> normalised string value; "" means "remove"). current is the
 * queue being changed (SetQueueAttributes) or NULL (CreateQueue, where FifoQueue is
 * allowed). self_arn is the ARN of the queue being configured. */
bool queue_attrs_check(const cJSON *requested, bool fifo, const sqs_queue *current, const char *self_arn,
                       cJSON **normalized, sqs_error *err);

/* Merges normalised values into q->attributes (dropping removals) and refreshes the
 * cached effective values. */
void queue_attrs_apply(sqs_queue *q, const cJSON *normalized);

/* Recomputes the cached effective values from q->attributes. */
void queue_attrs_refresh(sqs_queue *q);

/* The effective value of an attribute as a malloc'd string, NULL when absent. */
char *queue_attrs_effective(const sqs_queue *q, const char *name);

/* Fills out (an object) with the attributes named in names (array of strings; "All").
 * Unknown names fail with InvalidAttributeName. */
bool queue_attrs_list(const sqs_queue *q, const cJSON *names, int64_t now_ms, cJSON *out, sqs_error *err);

#endif
