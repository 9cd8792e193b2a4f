/* clock: the emulated wall clock (real time + offset, or frozen) and the real clocks. */
#include "sqsemu/clock.h"

#include <time.h>

static struct {
    int64_t offset_ms;
    bool frozen;
    int64_t frozen_at_ms;
    void (*on_change)(void);
} C;

static int64_t read_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_real_ms(void)
{
    return read_clock(CLOCK_REALTIME);
}

int64_t clock_monotonic_ms(void)
{
    return read_clock(CLOCK_MONOTONIC);
}

int64_t clock_now_ms(void)
{
    return C.frozen ? C.frozen_at_ms : clock_real_ms() + C.offset_ms;
}

int64_t clock_offset_ms(void)
{
    return C.frozen ? C.frozen_at_ms - clock_real_ms() : C.offset_ms;
}

bool clock_frozen(void)
{
    return C.frozen;
}

static void changed(void)
{
    if (C.on_change)
        C.on_change();
}

void clock_advance(int64_t delta_ms)
{
    if (C.frozen)
        C.frozen_at_ms += delta_ms;
    else
        C.offset_ms += delta_ms;
    changed();
}

void clock_set(int64_t now_ms)
{
    clock_advance(now_ms - clock_now_ms());
}

void clock_freeze(bool frozen)
{
    if (frozen && !C.frozen) {
        C.frozen_at_ms = clock_now_ms();
        C.frozen = true;
    } else if (!frozen && C.frozen) {
        C.offset_ms = C.frozen_at_ms - clock_real_ms();
        C.frozen = false;
    }
    changed();
}

void clock_on_change(void (*fn)(void))
{
    C.on_change = fn;
}
