/* loop: the single-threaded event loop (epoll). It waits on file descriptors and timers,
 * runs deferred work, and stops on SIGINT/SIGTERM. All server state lives on this thread. */
#ifndef SQSEMU_LOOP_H
#define SQSEMU_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "sqsemu/timers.h"

typedef void (*loop_fd_fn)(void *arg, uint32_t events);
typedef void (*loop_task_fn)(void *arg);
/* Called before each wait; returns the longest the loop may sleep in ms (-1 = no limit). */
typedef int64_t (*loop_prepare_fn)(void *arg);

typedef struct loop_watch {
    int fd;
    loop_fd_fn fn;
    void *arg;
} loop_watch;

bool loop_init(void);
void loop_free(void);
/* Watches fd for the epoll events mask; w must stay valid until loop_unwatch. */
bool loop_watch_fd(loop_watch *w, int fd, uint32_t events, loop_fd_fn fn, void *arg);
void loop_unwatch_fd(loop_watch *w);
/* Adds/removes a hook called before each wait (several may be registered). */
void loop_add_prepare(loop_prepare_fn fn, void *arg);
void loop_remove_prepare(loop_prepare_fn fn, void *arg);
/* Called on the loop thread for every child process that exited (status as from waitpid). */
typedef void (*loop_child_fn)(int pid, int status);
void loop_set_child_handler(loop_child_fn fn);
/* Runs fn(arg) on the loop thread after the current event has been handled. */
void loop_defer(loop_task_fn fn, void *arg);
/* Timers in the emulated clock's milliseconds (clock_now_ms): they follow the test clock. */
timers *loop_timers(void);
/* Timers in monotonic milliseconds (clock_monotonic_ms): HTTP deadlines, a handler's own
 * timeout, anything the test clock must not hurry. */
timers *loop_real_timers(void);
/* Asks for another pass before the loop sleeps (work became due inside a hook). */
void loop_wake(void);
/* Runs until loop_stop() or a SIGINT/SIGTERM. */
void loop_run(void);
void loop_stop(void);

#endif
