/* sqs/fifo: FIFO queue rules: sequence numbers, deduplication ids and keys, and the
 * checks a FIFO send must pass. */
#ifndef SQSEMU_SQS_FIFO_H
#define SQSEMU_SQS_FIFO_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sqsemu/codec.h"
#include "sqsemu/sqs.h"

#define DEDUP_WINDOW_MS (5 * 60 * 1000)
#define SEQUENCE_TEXT_LEN 21

/* The next sequence number of q: strictly increasing, seeded from the clock. */
int64_t fifo_next_sequence(sqs_queue *q, int64_t now_ms);
void fifo_format_sequence(int64_t sequence, char out[SEQUENCE_TEXT_LEN]);

/* The deduplication id of a send: the explicit one, else the SHA-256 of the body. */
void fifo_dedup_id(const cJSON *entry, char out[129]);
/* The window key a send records: the id alone (scope queue) or group and id (scope
 * messageGroup), per the queue's scope at the time of the send. Malloc'd. */
char *fifo_dedup_key(const sqs_queue *q, const char *group_id, const char *dedup_id);
/* The key a record made under the other scope would have (see fifo_dedup_key). Malloc'd. */
char *fifo_dedup_other_key(const sqs_queue *q, const char *group_id, const char *dedup_id);

bool fifo_content_based(const sqs_queue *q);

/* Per-message checks of a FIFO send (group id, dedup id, no per-message delay). */
bool fifo_check_send(const sqs_queue *q, const cJSON *entry, bool has_delay, int64_t delay_s, sqs_error *err);
/* Batch-level checks of a FIFO SendMessageBatch (every entry has a group and a dedup id). */
bool fifo_check_batch(const sqs_queue *q, const cJSON *entries, sqs_error *err);

#endif
