/* clock: the one source of time.
 *
 * clock_now_ms() is the emulated wall clock every SQS and Lambda rule reads: message
 * timestamps, visibility deadlines, delays, retention, deduplication windows, long-poll
 * deadlines, batching windows, move-task rates, idle execution environments. It is the
 * real clock plus an offset, or a frozen instant: tests move it (advance, set, freeze) to
 * make a 30-second visibility timeout pass at once. Timers armed on loop_timers() are in
 * this time; when it moves, the loop is told, and what became due fires.
 *
 * clock_real_ms() (wall time) and clock_monotonic_ms() are for what the test clock must not
 * touch: log timestamps, signature dates, HTTP deadlines, a handler's own run time and
 * timeout (the handler's clock is the machine's), timers on loop_real_timers(). */
#ifndef SQSEMU_CLOCK_H
#define SQSEMU_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

int64_t clock_now_ms(void);
int64_t clock_real_ms(void);
int64_t clock_monotonic_ms(void);
int64_t clock_monotonic_us(void); /* for durations shorter than a millisecond */

/* The emulated clock's state. */
int64_t clock_offset_ms(void);
bool clock_frozen(void);

/* Moves the emulated clock: by delta_ms (may be negative), or to an instant. A frozen
 * clock stays frozen at its new reading. */
void clock_advance(int64_t delta_ms);
void clock_set(int64_t now_ms);
/* Freezes the emulated clock at its current reading, or lets it run again from there. */
void clock_freeze(bool frozen);

/* Called (on the loop thread) whenever the emulated clock is moved or frozen. */
void clock_on_change(void (*fn)(void));

#endif
