/* store/stack_store: CloudFormation stacks (src/cfn/), one JSON record per stack in
 * cfn_stacks, and their events in cfn_stack_events (the newest CFN_MAX_EVENTS kept per
 * stack by the caller's keep argument). The tables are created IF NOT EXISTS by db.c, so
 * an older data directory gains them. Statements are prepared per call: stack operations
 * are rare next to the SQS and Lambda traffic the shared statement table serves. */
#include <stdlib.h>

#include "db.h"

static sqlite3_stmt *prepare(const char *sql)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(store_db, sql, -1, &s, NULL) != SQLITE_OK) {
        sqlite3_finalize(s);
        return NULL;
    }
    return s;
}

static bool run_done(sqlite3_stmt *s)
{
    bool ok = s && sqlite3_step(s) == SQLITE_DONE;
    sqlite3_finalize(s);
    return ok;
}

bool store_stack_put(const char *stack_id, const char *record)
{
    sqlite3_stmt *s = prepare("INSERT OR REPLACE INTO cfn_stacks(stack_id, record) VALUES(?1, ?2)");
    if (!s)
        return false;
    sqlite3_bind_text(s, 1, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, record, -1, SQLITE_STATIC);
    return run_done(s);
}

bool store_stack_delete(const char *stack_id)
{
    sqlite3_stmt *s = prepare("DELETE FROM cfn_stack_events WHERE stack_id = ?1");
    if (!s)
        return false;
    sqlite3_bind_text(s, 1, stack_id, -1, SQLITE_STATIC);
    if (!run_done(s) || !(s = prepare("DELETE FROM cfn_stacks WHERE stack_id = ?1")))
        return false;
    sqlite3_bind_text(s, 1, stack_id, -1, SQLITE_STATIC);
    return run_done(s);
}

bool store_stack_event_add(const char *stack_id, const char *record, int keep)
{
    sqlite3_stmt *s = prepare("INSERT INTO cfn_stack_events(stack_id, record) VALUES(?1, ?2)");
    if (!s)
        return false;
    sqlite3_bind_text(s, 1, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, record, -1, SQLITE_STATIC);
    if (!run_done(s))
        return false;
    s = prepare("DELETE FROM cfn_stack_events WHERE stack_id = ?1 AND id NOT IN "
                "(SELECT id FROM cfn_stack_events WHERE stack_id = ?1 ORDER BY id DESC LIMIT ?2)");
    if (!s)
        return false;
    sqlite3_bind_text(s, 1, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, keep);
    return run_done(s);
}

static bool each_row(sqlite3_stmt *s, void (*fn)(const char *a, const char *b, void *arg), void *arg)
{
    if (!s)
        return false;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn((const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1), arg);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE;
}

bool store_stack_each(void (*fn)(const char *stack_id, const char *record, void *arg), void *arg)
{
    return each_row(prepare("SELECT stack_id, record FROM cfn_stacks ORDER BY rowid"), fn, arg);
}

bool store_stack_event_each(void (*fn)(const char *stack_id, const char *record, void *arg), void *arg)
{
    return each_row(prepare("SELECT stack_id, record FROM cfn_stack_events ORDER BY id"), fn, arg);
}
