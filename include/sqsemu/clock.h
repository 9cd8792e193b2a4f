/* clock: the one source of time. Wall-clock milliseconds since the epoch, used for
 * message timestamps, visibility deadlines and timers alike (they survive restarts). */
#ifndef SQSEMU_CLOCK_H
#define SQSEMU_CLOCK_H

#include <stdint.h>

int64_t clock_now_ms(void);

#endif
