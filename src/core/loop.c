/* loop: epoll-based event loop with a timer heap, deferred tasks and signal handling. */
#include "sqsemu/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/log.h"

typedef struct deferred {
    loop_task_fn fn;
    void *arg;
} deferred;

static struct {
    int epoll_fd;
    int signal_fd;
    loop_watch signal_watch;
    timers timers;
    timers real_timers; /* on the monotonic clock (the test clock does not move them) */
    deferred *tasks;
    size_t task_count;
    size_t task_cap;
    struct prepare_hook {
        loop_prepare_fn fn;
        void *arg;
    } *prepares;
    size_t prepare_count;
    size_t prepare_cap;
    loop_child_fn on_child;
    bool wake_pending; /* set by loop_wake(): do not sleep this pass */
    bool running;
} L = {.epoll_fd = -1, .signal_fd = -1};

static void reap_children(void)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (L.on_child)
            L.on_child(pid, status);
    }
}

static void on_signal(void *arg, uint32_t events)
{
    (void)arg;
    (void)events;
    struct signalfd_siginfo info;
    bool stop = false;
    while (read(L.signal_fd, &info, sizeof info) == (ssize_t)sizeof info) {
        if (info.ssi_signo == SIGCHLD)
            continue;
        log_info("received signal %u, shutting down", info.ssi_signo);
        stop = true;
    }
    reap_children();
    if (stop)
        loop_stop();
}

bool loop_init(void)
{
    L.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (L.epoll_fd < 0)
        return false;
    timers_init(&L.timers);
    timers_init(&L.real_timers);
    clock_on_change(loop_wake); /* a moved clock may have made emulated timers due */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    L.signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (L.signal_fd < 0)
        return false;
    return loop_watch_fd(&L.signal_watch, L.signal_fd, EPOLLIN, on_signal, NULL);
}

void loop_free(void)
{
    if (L.signal_fd >= 0)
        close(L.signal_fd);
    if (L.epoll_fd >= 0)
        close(L.epoll_fd);
    timers_free(&L.timers);
    timers_free(&L.real_timers);
    clock_on_change(NULL);
    free(L.tasks);
    L.tasks = NULL;
    free(L.prepares);
    L.prepares = NULL;
    L.prepare_count = L.prepare_cap = 0;
    L.task_count = L.task_cap = 0;
    L.epoll_fd = L.signal_fd = -1;
}

bool loop_watch_fd(loop_watch *w, int fd, uint32_t events, loop_fd_fn fn, void *arg)
{
    w->fd = fd;
    w->fn = fn;
    w->arg = arg;
    struct epoll_event ev = {.events = events, .data.ptr = w};
    return epoll_ctl(L.epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void loop_unwatch_fd(loop_watch *w)
{
    epoll_ctl(L.epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
}

void loop_add_prepare(loop_prepare_fn fn, void *arg)
{
    if (L.prepare_count == L.prepare_cap) {
        L.prepare_cap = L.prepare_cap ? L.prepare_cap * 2 : 16;
        L.prepares = xrealloc(L.prepares, L.prepare_cap * sizeof *L.prepares);
    }
    L.prepares[L.prepare_count].fn = fn;
    L.prepares[L.prepare_count].arg = arg;
    L.prepare_count++;
}

void loop_remove_prepare(loop_prepare_fn fn, void *arg)
{
    for (size_t i = 0; i < L.prepare_count; i++) {
        if (L.prepares[i].fn == fn && L.prepares[i].arg == arg) {
            L.prepares[i] = L.prepares[--L.prepare_count];
            return;
        }
    }
}

void loop_set_child_handler(loop_child_fn fn)
{
    L.on_child = fn;
}

void loop_defer(loop_task_fn fn, void *arg)
{
    if (L.task_count == L.task_cap) {
        L.task_cap = L.task_cap ? L.task_cap * 2 : 32;
        L.tasks = xrealloc(L.tasks, L.task_cap * sizeof *L.tasks);
    }
    L.tasks[L.task_count++] = (deferred){fn, arg};
}

void loop_wake(void)
{
    L.wake_pending = true;
}

timers *loop_timers(void)
{
    return &L.timers;
}

timers *loop_real_timers(void)
{
    return &L.real_timers;
}

/* Runs the tasks deferred so far; tasks they defer run on the next pass. */
static void run_deferred(void)
{
    size_t n = L.task_count;
    if (n == 0)
        return;
    deferred *batch = xmalloc(n * sizeof *batch);
    memcpy(batch, L.tasks, n * sizeof *batch);
    memmove(L.tasks, L.tasks + n, (L.task_count - n) * sizeof *L.tasks);
    L.task_count -= n;
    for (size_t i = 0; i < n; i++)
        batch[i].fn(batch[i].arg);
    free(batch);
}

static int wait_timeout_ms(void)
{
    if (L.task_count)
        return 0;
    /* A hook may make work for a hook that already ran in this pass (a Runtime API
     * callback resuming an Invoke connection of the main server): then do not sleep. */
    L.wake_pending = false;
    int64_t limit = -1;
    for (size_t i = 0; i < L.prepare_count; i++) {
        int64_t hook_limit = L.prepares[i].fn(L.prepares[i].arg);
        if (hook_limit >= 0 && (limit < 0 || hook_limit < limit))
            limit = hook_limit;
    }
    if (L.wake_pending)
        return 0;
    /* A frozen clock does not reach an emulated timer by waiting: only a move of the
     * clock (which wakes the loop) makes it due. */
    int64_t due = clock_frozen() ? -1 : timers_next_due(&L.timers);
    if (due >= 0) {
        int64_t until = due - clock_now_ms();
        if (until < 0)
            until = 0;
        if (limit < 0 || until < limit)
            limit = until;
    }
    int64_t real_due = timers_next_due(&L.real_timers);
    if (real_due >= 0) {
        int64_t until = real_due - clock_monotonic_ms();
        if (until < 0)
            until = 0;
        if (limit < 0 || until < limit)
            limit = until;
    }
    if (L.task_count)
        return 0;
    if (limit > 60000)
        limit = 60000;
    return (int)limit;
}

void loop_run(void)
{
    L.running = true;
    struct epoll_event events[64];
    while (L.running) {
        int timeout_ms = wait_timeout_ms();
        log_flush(); /* the lines of this pass, in one write */
        int n = epoll_wait(L.epoll_fd, events, 64, timeout_ms);
        if (n < 0 && errno != EINTR) {
            log_error("epoll_wait: %s", strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++) {
            loop_watch *w = events[i].data.ptr;
            w->fn(w->arg, events[i].events);
        }
        timers_run_due(&L.timers, clock_now_ms());
        timers_run_due(&L.real_timers, clock_monotonic_ms());
        run_deferred();
    }
}

void loop_stop(void)
{
    L.running = false;
}
