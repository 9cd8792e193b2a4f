/* http/commit_group: group commit of the API port. Requests that complete in the same
 * run of the HTTP server share one store transaction, and none of them is answered before
 * that transaction is committed.
 *
 * How a group lives:
 *   open      the first complete request of an MHD_run opens the group's transaction
 *             (BEGIN IMMEDIATE); every service call made for a request while it is open
 *             is a savepoint inside it (store/tx), so a call that fails rolls back only
 *             its own writes and in-memory changes.
 *   hold      the front has built its answer: the connection is suspended and the request
 *             waits in the group instead of being answered. A request the front parked (a
 *             long poll, a synchronous Invoke) is not held: it answers later, after its
 *             own commit.
 *   close     after the MHD_run (mhd_glue's after_run hook, which first runs MHD again
 *             while that brings more requests within GROUP_WINDOW_US of the opening), or
 *             as soon as the group holds GROUP_MAX requests: COMMIT, then the work
 *             registered for the commit (waking long polls, timers), then every held
 *             connection is resumed and MHD sends the answers on its next run. When the
 *             commit fails nothing of the group was kept: every held request is answered
 *             with its front's 500 instead.
 *
 * Durability is unchanged: an answer leaves only after the commit that holds its writes.
 * Under load one commit (a dozen WAL writes) serves as many requests as arrived together;
 * a lone request waits for nothing but its own commit. */
#include "commit_group.h"

#include "sqsemu/clock.h"
#include "sqsemu/http.h"
#include "sqsemu/log.h"
#include "sqsemu/tx.h"

#define GROUP_MAX 64
#define GROUP_WINDOW_US 200 /* how long a group may wait for more requests */
#define GROUP_EXTRA_RUNS 4

static struct {
    mhd_binding *mhd;
    bool open;
    int64_t opened_us;
    http_request *held; /* newest first, linked through next_suspended */
    size_t held_count;
    size_t groups;      /* committed groups and the requests they answered (metrics) */
    size_t grouped_requests;
} G;

void commit_group_bind(mhd_binding *mhd)
{
    G.mhd = mhd;
}

void commit_group_enter(void)
{
    if (G.open || tx_active())
        return;
    G.open = tx_open_group(); /* when it cannot open, each call runs its own transaction */
    G.opened_us = clock_monotonic_us();
}

bool commit_group_hold(http_request *r)
{
    if (!G.open)
        return false;
    r->phase = PHASE_HELD;
    r->next_suspended = G.held;
    G.held = r;
    G.held_count++;
    MHD_suspend_connection(r->conn);
    if (G.held_count >= GROUP_MAX)
        commit_group_close();
    return true;
}

/* The answer built for a request whose writes were not kept: the front's 500. */
static void answer_store_failure(http_request *r)
{
    http_refusal why = {.kind = HTTP_REFUSE_STORE_FAILED,
                        .message = "The change could not be stored; nothing of it was kept. Retry the request."};
    request_clear_headers(r);
    r->front->refuse(r, &why);
}

void commit_group_close(void)
{
    if (!G.open)
        return;
    G.open = false;
    bool kept = tx_close(true);
    if (!kept)
        log_error("a group commit of %zu request%s failed: they are answered with an error", G.held_count,
                  G.held_count == 1 ? "" : "s");
    else if (G.held_count) {
        G.groups++;
        G.grouped_requests += G.held_count;
    }
    http_request *r = G.held;
    G.held = NULL;
    G.held_count = 0;
    while (r) {
        http_request *next = r->next_suspended;
        r->next_suspended = NULL;
        if (!kept)
            answer_store_failure(r);
        r->phase = PHASE_RESPONDING;
        MHD_resume_connection(r->conn);
        r = next;
    }
    mhd_kick(G.mhd);
}

/* Before committing, MHD runs again while that brings more requests into the group, for
 * at most GROUP_WINDOW_US since it opened: under load the requests that arrived while the
 * group was served join it, and one commit answers them all. */
void commit_group_after_run(void *arg)
{
    mhd_binding *b = arg;
    for (int i = 0; i < GROUP_EXTRA_RUNS && G.open && G.held_count < GROUP_MAX; i++) {
        if (clock_monotonic_us() - G.opened_us > GROUP_WINDOW_US)
            break;
        size_t before = G.held_count;
        MHD_run(b->daemon);
        if (G.held_count == before)
            break;
    }
    commit_group_close();
}

void http_commit_group_counts(size_t *groups, size_t *requests)
{
    *groups = G.groups;
    *requests = G.grouped_requests;
}
