/* waiters: long polls (and the Lambda pollers) parked on a queue, woken when a message may have become
 * receivable (a send, a visibility change, a delay or visibility timeout running out)
 * or when their own deadline passes. */
#ifndef SQSEMU_SQS_WAITERS_H
#define SQSEMU_SQS_WAITERS_H

#include <stdbool.h>
#include <stdint.h>

#include "sqsemu/sqs.h"
#include "sqsemu/timers.h"

typedef struct waiter waiter;
/* Called on the loop thread, after the waiter has been detached from its queue. */
typedef void (*waiter_wake_fn)(waiter *w, void *arg);

struct waiter {
    sqs_queue *queue;
    waiter *prev;
    waiter *next;
    sq_timer deadline;
    bool waiting;
    bool wake_scheduled;
    waiter_wake_fn wake;
    void *arg;
};

/* Parks w on q until deadline_ms or until woken. since_ms is when the caller last looked
 * for receivable messages: anything that became visible after it wakes w. */
void waiters_wait(waiter *w, sqs_queue *q, int64_t deadline_ms, int64_t since_ms, waiter_wake_fn wake, void *arg);
/* Detaches w without waking it (its request went away). */
void waiters_cancel(waiter *w);
/* Messages may be receivable on q now: wake the longest-waiting waiter. */
void waiters_notify(sqs_queue *q);
/* Visibility times on q changed: make sure a timer wakes a waiter when the next message
 * becomes visible. Cheap when q has no waiters. */
void waiters_schedule(sqs_queue *q);
/* q is being deleted: wake every waiter. */
void waiters_queue_gone(sqs_queue *q);
/* Waiters parked on queues right now (long polls and idle Lambda pollers): what tests wait
 * on instead of sleeping ("the long poll is parked"). */
size_t waiters_count(void);

#endif
