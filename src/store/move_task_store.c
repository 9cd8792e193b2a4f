/* store/move_task_store: message move tasks (one JSON record each) and the redrive copy. */
#include "db.h"

bool store_message_redrive(int64_t rowid, int64_t to_queue_id, const char *new_message_id, int64_t now_ms,
                           int64_t visible_ms, int64_t secret, int64_t sequence)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGE_REDRIVE);
    sqlite3_bind_int64(s, 1, rowid);
    sqlite3_bind_int64(s, 2, to_queue_id);
    sqlite3_bind_text(s, 3, new_message_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now_ms);
    sqlite3_bind_int64(s, 5, visible_ms);
    sqlite3_bind_int64(s, 6, secret);
    sqlite3_bind_int64(s, 7, sequence);
    return db_step_done(s) && store_message_delete(rowid);
}

bool store_task_put(const char *task_id, const char *source_arn, const char *record)
{
    sqlite3_stmt *s = db_stmt(STMT_TASK_PUT);
    sqlite3_bind_text(s, 1, task_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, source_arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, record, -1, SQLITE_STATIC);
    return db_step_done(s);
}

bool store_task_trim(const char *source_arn)
{
    sqlite3_stmt *s = db_stmt(STMT_TASK_DELETE_OLD);
    sqlite3_bind_text(s, 1, source_arn, -1, SQLITE_STATIC);
    return db_step_done(s);
}

bool store_task_delete_source(const char *source_arn)
{
    sqlite3_stmt *s = db_stmt(STMT_TASK_DELETE_SOURCE);
    sqlite3_bind_text(s, 1, source_arn, -1, SQLITE_STATIC);
    return db_step_done(s);
}

bool store_task_each(void (*fn)(const char *task_id, const char *record, void *arg), void *arg)
{
    sqlite3_stmt *s = db_stmt(STMT_TASK_SELECT_ALL);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn((const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1), arg);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}
