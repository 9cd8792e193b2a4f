/* sqs/registry: the in-memory index of queues by (account, region, name). */
#ifndef SQSEMU_SQS_REGISTRY_H
#define SQSEMU_SQS_REGISTRY_H

#include <stddef.h>

#include "sqsemu/sqs.h"

void registry_init(void);
void registry_free(void);
/* Loads every queue from the store. */
bool registry_load(void);

sqs_queue *registry_find(const char *account, const char *region, const char *name);
sqs_queue *registry_find_arn(const char *arn);
/* Resolves a QueueUrl (any host; /acct/name, /queue/region/acct/name or a bare name). */
sqs_queue *registry_find_url(const char *url, const char *caller_account, const char *caller_region);

void registry_add(sqs_queue *q);
/* Unlinks q from the index (the caller frees it with queue_free). */
void registry_remove(sqs_queue *q);
/* A malloc'd array of every queue (count in *count); free() it. */
sqs_queue **registry_all(size_t *count);

sqs_queue *queue_new(int64_t id, const char *account, const char *region, const char *name, bool fifo);
void queue_free(sqs_queue *q);
/* Builds "<url_base>/<account>/<name>" (malloc'd). */
char *queue_url(const sqs_queue *q, const char *url_base);

#endif
