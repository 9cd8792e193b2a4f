/* store/tx: transactions of service calls, nested as savepoints, with the work registered
 * for their outcome (see include/sqsemu/tx.h for the life of a transaction). */
#include "sqsemu/tx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "sqsemu/buf.h"
#include "sqsemu/log.h"

#define MAX_DEPTH 16

typedef struct entry {
    tx_fn on_commit;
    tx_fn on_rollback;
    void *arg;
} entry;

static struct {
    int depth;
    bool group; /* the outermost level is a commit group (tx_open_group) */
    size_t marks[MAX_DEPTH]; /* entries registered before each level opened */
    entry *entries;
    size_t count;
    size_t cap;
} T;

bool tx_active(void)
{
    return T.depth > (T.group ? 1 : 0);
}

bool tx_open_group(void)
{
    if (T.depth > 0)
        return false;
    T.group = tx_open();
    return T.group;
}

bool tx_open(void)
{
    if (T.depth == MAX_DEPTH) {
        log_error("transactions nested too deeply");
        return false;
    }
    bool ok = T.depth == 0 ? store_begin() : store_savepoint(SAVEPOINT_OPEN, T.depth + 1);
    if (ok)
        T.marks[T.depth++] = T.count;
    return ok;
}

void tx_defer(tx_fn on_commit, tx_fn on_rollback, void *arg)
{
    if (T.depth == 0) {
        if (on_commit)
            on_commit(arg);
        return;
    }
    if (T.count == T.cap) {
        T.cap = T.cap ? T.cap * 2 : 16;
        T.entries = xrealloc(T.entries, T.cap * sizeof *T.entries);
    }
    T.entries[T.count++] = (entry){on_commit, on_rollback, arg};
}

/* Runs the rollbacks of the entries from index `from` on, newest first, and drops them. */
static void undo_from(size_t from)
{
    while (T.count > from) {
        entry e = T.entries[--T.count];
        if (e.on_rollback)
            e.on_rollback(e.arg);
    }
}

/* The outermost level committed: the registered work runs in order. New entries made by
 * that work (it may open transactions of its own) are its own business. */
static void run_commits(void)
{
    entry *list = T.entries;
    size_t n = T.count;
    T.entries = NULL;
    T.count = T.cap = 0;
    for (size_t i = 0; i < n; i++) {
        if (list[i].on_commit)
            list[i].on_commit(list[i].arg);
    }
    free(list);
}

bool tx_close(bool ok)
{
    if (T.depth == 0)
        return ok;
    int level = T.depth--;
    size_t mark = T.marks[T.depth];
    if (level > 1) {
        if (ok && store_savepoint(SAVEPOINT_RELEASE, level))
            return true;
        undo_from(mark);
        store_savepoint(SAVEPOINT_ROLLBACK, level);
        store_savepoint(SAVEPOINT_RELEASE, level);
        return false;
    }
    T.group = false;
    if (ok && !store_commit()) {
        log_error("a commit failed: the call's changes are rolled back");
        ok = false;
    }
    if (!ok) {
        undo_from(0);
        store_rollback();
        return false;
    }
    run_commits();
    return true;
}

/* ---- JSON record guards ---- */

typedef struct json_guard {
    cJSON **record;
    cJSON *copy;
} json_guard;

static void guard_commit(void *arg)
{
    json_guard *g = arg;
    cJSON_Delete(g->copy);
    free(g);
}

static void guard_rollback(void *arg)
{
    json_guard *g = arg;
    cJSON_Delete(*g->record);
    *g->record = g->copy;
    free(g);
}

void tx_guard_json(cJSON **record)
{
    if (T.depth == 0)
        return;
    json_guard *g = xmalloc(sizeof *g);
    g->record = record;
    g->copy = cJSON_Duplicate(*record, true);
    tx_defer(guard_commit, guard_rollback, g);
}
