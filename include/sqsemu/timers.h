/* timers: a min-heap of one-shot millisecond timers. A timer is embedded in its owner;
 * arming an armed timer moves it. Nothing ticks: the loop sleeps until the next due time. */
#ifndef SQSEMU_TIMERS_H
#define SQSEMU_TIMERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*timer_fn)(void *arg);

typedef struct sq_timer {
    int64_t due_ms;
    size_t heap_index; /* position in the heap while armed */
    bool armed;
    timer_fn fn;
    void *arg;
} sq_timer;

typedef struct timers {
    sq_timer **heap;
    size_t count;
    size_t cap;
} timers;

void timers_init(timers *t);
void timers_free(timers *t);
void timers_arm(timers *t, sq_timer *timer, int64_t due_ms, timer_fn fn, void *arg);
void timers_cancel(timers *t, sq_timer *timer);
/* Due time of the earliest armed timer, or -1 when none is armed. */
int64_t timers_next_due(const timers *t);
/* Fires (disarming first) every timer due at or before now. */
void timers_run_due(timers *t, int64_t now_ms);

#endif
