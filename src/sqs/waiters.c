/* sqs/waiters: long polls parked on a queue, and how they are woken. No polling.
 *
 * How it lives. A ReceiveMessage that finds nothing and may wait (WaitTimeSeconds > 0)
 * becomes a waiter: its HTTP request is parked (src/http/request.c) and the waiter goes
 * to the tail of its queue's list, with a deadline timer at the end of its wait. The
 * in-process Lambda pollers park the same way. Three things end a wait:
 *
 *   - something may have become receivable: a send, a message made visible again
 *     (ChangeMessageVisibility, a visibility timeout or delay running out), a move task.
 *     The service calls waiters_notify() once its transaction has committed; it wakes the
 *     longest-waiting waiter only, which re-runs its ReceiveMessage. A receive that got as
 *     many messages as it asked for (there may be more) notifies again, so one send wakes
 *     one consumer, not all. On a FIFO queue a delete or a visibility change also notifies:
 *     the group it held may be receivable now.
 *   - the deadline timer: the waiter re-runs its receive once more and answers, empty.
 *   - the queue is deleted: every waiter is woken (its receive then fails).
 *
 * Time-based visibility needs a timer, not a message: while a queue has waiters it keeps
 * one timer (visible_timer) at the earliest time a message becomes visible after the
 * waiters last looked, read from the store's index. waiters_schedule() re-arms it when
 * visibility times change; when it fires it notifies. A queue without waiters costs nothing.
 *
 * A woken waiter is not run from inside the code that woke it (which may be in the middle
 * of a transaction): it moves to the ready list, and the loop drains that list as a deferred
 * task after the current event. Timers are emulated-clock timers, so moving the test clock
 * wakes waiters exactly as the passing of time would. */
#include "sqsemu/waiters.h"

#include "sqsemu/clock.h"
#include "sqsemu/loop.h"
#include "sqsemu/store.h"

static size_t parked; /* waiters on a queue's list right now */

size_t waiters_count(void)
{
    return parked;
}

static void unlink_waiter(waiter *w)
{
    sqs_queue *q = w->queue;
    if (!w->waiting)
        return;
    parked--;
    if (w->prev)
        w->prev->next = w->next;
    else
        q->waiters_head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        q->waiters_tail = w->prev;
    w->prev = w->next = NULL;
    w->waiting = false;
    timers_cancel(loop_timers(), &w->deadline);
    if (!q->waiters_head)
        timers_cancel(loop_timers(), &q->visible_timer);
}

/* Woken waiters wait on this list until the loop runs them (after the current event). */
static struct {
    waiter *head;
    waiter *tail;
    bool drain_scheduled;
} ready;

static void ready_remove(waiter *w)
{
    if (!w->wake_scheduled)
        return;
    if (w->prev)
        w->prev->next = w->next;
    else
        ready.head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        ready.tail = w->prev;
    w->prev = w->next = NULL;
    w->wake_scheduled = false;
}

static void drain_ready(void *arg)
{
    (void)arg;
    ready.drain_scheduled = false;
    while (ready.head) {
        waiter *w = ready.head;
        ready_remove(w);
        w->wake(w, w->arg);
    }
}

static void wake(waiter *w)
{
    unlink_waiter(w);
    if (w->wake_scheduled)
        return;
    w->wake_scheduled = true;
    w->next = NULL;
    w->prev = ready.tail;
    if (ready.tail)
        ready.tail->next = w;
    else
        ready.head = w;
    ready.tail = w;
    if (!ready.drain_scheduled) {
        ready.drain_scheduled = true;
        loop_defer(drain_ready, NULL);
    }
}

static void on_deadline(void *arg)
{
    wake(arg);
}

static void on_visible(void *arg)
{
    waiters_notify(arg);
}

static void schedule_since(sqs_queue *q, int64_t since_ms);

void waiters_wait(waiter *w, sqs_queue *q, int64_t deadline_ms, int64_t since_ms, waiter_wake_fn wake_fn, void *arg)
{
    waiters_cancel(w); /* never on two lists at once */
    w->queue = q;
    w->wake = wake_fn;
    w->arg = arg;
    w->waiting = true;
    parked++;
    w->wake_scheduled = false;
    w->next = NULL;
    w->prev = q->waiters_tail;
    if (q->waiters_tail)
        q->waiters_tail->next = w;
    else
        q->waiters_head = w;
    q->waiters_tail = w;
    timers_arm(loop_timers(), &w->deadline, deadline_ms, on_deadline, w);
    schedule_since(q, since_ms);
}

void waiters_cancel(waiter *w)
{
    unlink_waiter(w);
    ready_remove(w);
}

void waiters_notify(sqs_queue *q)
{
    if (q->waiters_head)
        wake(q->waiters_head);
}

/* Arms the queue's timer at the first visibility time after since_ms (already past: it
 * fires at once, so a message that became visible meanwhile is not missed). */
static void schedule_since(sqs_queue *q, int64_t since_ms)
{
    if (!q->waiters_head)
        return;
    int64_t next = store_messages_next_visible(q->id, since_ms);
    if (next < 0)
        return;
    if (!q->visible_timer.armed || next < q->visible_timer.due_ms)
        timers_arm(loop_timers(), &q->visible_timer, next, on_visible, q);
}

void waiters_schedule(sqs_queue *q)
{
    schedule_since(q, clock_now_ms());
}

void waiters_queue_gone(sqs_queue *q)
{
    while (q->waiters_head)
        wake(q->waiters_head);
    timers_cancel(loop_timers(), &q->visible_timer);
}
