/* http/mhd_glue: libmicrohttpd daemons in external-epoll mode on the event loop. */
#include "sqsemu/mhd_glue.h"

#include <sys/epoll.h>

#include "sqsemu/clock.h"

static void on_readable(void *arg, uint32_t events)
{
    (void)events;
    mhd_binding *b = arg;
    b->run_pending = true;
}

void mhd_run(mhd_binding *b)
{
    MHD_run(b->daemon);
    if (b->after_run)
        b->after_run(b->after_run_arg);
}

/* Before the loop sleeps: let MHD finish work that no descriptor will signal (resumed
 * connections, its own timeouts), then sleep no longer than MHD allows. */
static int64_t prepare(void *arg)
{
    mhd_binding *b = arg;
    for (int i = 0; i < 8; i++) {
        bool due = b->due_ms >= 0 && clock_monotonic_ms() >= b->due_ms;
        if (!b->run_pending && !due)
            break;
        b->run_pending = false;
        b->due_ms = -1;
        mhd_run(b);
        MHD_UNSIGNED_LONG_LONG ms = 0;
        if (MHD_get_timeout(b->daemon, &ms) == MHD_YES)
            b->due_ms = clock_monotonic_ms() + (int64_t)ms;
    }
    if (b->due_ms < 0)
        return -1;
    int64_t until = b->due_ms - clock_monotonic_ms();
    return until > 0 ? until : 0;
}

bool mhd_bind(mhd_binding *b, struct MHD_Daemon *daemon)
{
    b->daemon = daemon;
    b->due_ms = -1;
    b->run_pending = true;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
    if (!info || !loop_watch_fd(&b->watch, info->epoll_fd, EPOLLIN, on_readable, b))
        return false;
    loop_add_prepare(prepare, b);
    return true;
}

void mhd_unbind(mhd_binding *b)
{
    loop_unwatch_fd(&b->watch);
    loop_remove_prepare(prepare, b);
}

void mhd_kick(mhd_binding *b)
{
    b->run_pending = true;
    loop_wake();
}
