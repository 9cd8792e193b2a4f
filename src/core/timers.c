/* timers: binary min-heap of embedded one-shot timers ordered by due time. */
#include "sqsemu/timers.h"

#include <stdlib.h>

#include "sqsemu/buf.h"

void timers_init(timers *t)
{
    t->heap = NULL;
    t->count = 0;
    t->cap = 0;
}

void timers_free(timers *t)
{
    free(t->heap);
    timers_init(t);
}

static void heap_place(timers *t, size_t i, sq_timer *timer)
{
    t->heap[i] = timer;
    timer->heap_index = i;
}

static void sift_up(timers *t, size_t i)
{
    sq_timer *timer = t->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (t->heap[parent]->due_ms <= timer->due_ms)
            break;
        heap_place(t, i, t->heap[parent]);
        i = parent;
    }
    heap_place(t, i, timer);
}

static void sift_down(timers *t, size_t i)
{
    sq_timer *timer = t->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= t->count)
            break;
        if (child + 1 < t->count && t->heap[child + 1]->due_ms < t->heap[child]->due_ms)
            child++;
        if (t->heap[child]->due_ms >= timer->due_ms)
            break;
        heap_place(t, i, t->heap[child]);
        i = child;
    }
    heap_place(t, i, timer);
}

void timers_cancel(timers *t, sq_timer *timer)
{
    if (!timer->armed)
        return;
    size_t i = timer->heap_index;
    timer->armed = false;
    t->count--;
    if (i == t->count)
        return;
    heap_place(t, i, t->heap[t->count]);
    if (i > 0 && t->heap[(i - 1) / 2]->due_ms > t->heap[i]->due_ms)
        sift_up(t, i);
    else
        sift_down(t, i);
}

void timers_arm(timers *t, sq_timer *timer, int64_t due_ms, timer_fn fn, void *arg)
{
    timers_cancel(t, timer);
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->heap = xrealloc(t->heap, t->cap * sizeof *t->heap);
    }
    timer->due_ms = due_ms;
    timer->fn = fn;
    timer->arg = arg;
    timer->armed = true;
    heap_place(t, t->count, timer);
    t->count++;
    sift_up(t, t->count - 1);
}

int64_t timers_next_due(const timers *t)
{
    return t->count ? t->heap[0]->due_ms : -1;
}

void timers_run_due(timers *t, int64_t now_ms)
{
    while (t->count && t->heap[0]->due_ms <= now_ms) {
        sq_timer *timer = t->heap[0];
        timers_cancel(t, timer);
        timer->fn(timer->arg);
    }
}
