/* mhd_glue: drives a libmicrohttpd daemon (external epoll mode) from the event loop:
 * runs it when its epoll descriptor is readable, when its own timeout is due, and after
 * a suspended connection was resumed. */
#ifndef SQSEMU_MHD_GLUE_H
#define SQSEMU_MHD_GLUE_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "sqsemu/loop.h"

typedef struct mhd_binding {
    struct MHD_Daemon *daemon;
    loop_watch watch;
    bool run_pending;
    int64_t due_ms; /* MHD's own next timeout, -1 when none */
    /* Called after every MHD_run (the API port closes its commit group there), or NULL. */
    void (*after_run)(void *arg);
    void *after_run_arg;
} mhd_binding;

bool mhd_bind(mhd_binding *b, struct MHD_Daemon *daemon);
void mhd_unbind(mhd_binding *b);
/* MHD_run, then the after_run hook. */
void mhd_run(mhd_binding *b);
/* Asks for an MHD_run before the loop sleeps (call after MHD_resume_connection). */
void mhd_kick(mhd_binding *b);

#endif
