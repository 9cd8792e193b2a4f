/* store/fifo_store: FIFO bookkeeping rows: sequence high-water marks, the deduplication
 * window and remembered ReceiveRequestAttemptId responses. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "sqsemu/buf.h"

int64_t store_queue_max_sequence(int64_t queue_id)
{
    sqlite3_stmt *s = db_stmt(STMT_QUEUE_MAX_SEQUENCE);
    sqlite3_bind_int64(s, 1, queue_id);
    int64_t value = 0;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        value = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return value;
}

bool store_dedup_find(int64_t queue_id, const char *key, int64_t now_ms, bool *found, char message_id[37],
                      int64_t *sequence)
{
    sqlite3_stmt *s = db_stmt(STMT_DEDUP_FIND);
    sqlite3_bind_int64(s, 1, queue_id);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now_ms);
    int rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW;
    if (*found) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        snprintf(message_id, 37, "%s", id ? id : "");
        *sequence = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

bool store_dedup_put(int64_t queue_id, const char *key, const char *message_id, int64_t sequence, int64_t expires_ms)
{
    sqlite3_stmt *s = db_stmt(STMT_DEDUP_PUT);
    sqlite3_bind_int64(s, 1, queue_id);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, message_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, sequence);
    sqlite3_bind_int64(s, 5, expires_ms);
    return db_step_done(s);
}

static bool prune(db_statement statement, int64_t queue_id, int64_t now_ms)
{
    sqlite3_stmt *s = db_stmt(statement);
    sqlite3_bind_int64(s, 1, queue_id);
    sqlite3_bind_int64(s, 2, now_ms);
    return db_step_done(s);
}

bool store_dedup_prune(int64_t queue_id, int64_t now_ms)
{
    return prune(STMT_DEDUP_PRUNE, queue_id, now_ms);
}

bool store_dedup_clear(int64_t queue_id)
{
    sqlite3_stmt *s = db_stmt(STMT_DEDUP_DELETE_QUEUE);
    sqlite3_bind_int64(s, 1, queue_id);
    return db_step_done(s);
}

char *store_attempt_find(int64_t queue_id, const char *attempt_id, int64_t now_ms)
{
    sqlite3_stmt *s = db_stmt(STMT_ATTEMPT_FIND);
    sqlite3_bind_int64(s, 1, queue_id);
    sqlite3_bind_text(s, 2, attempt_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now_ms);
    char *json = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        json = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return json;
}

bool store_attempt_put(int64_t queue_id, const char *attempt_id, const char *response_json, int64_t expires_ms)
{
    sqlite3_stmt *s = db_stmt(STMT_ATTEMPT_PUT);
    sqlite3_bind_int64(s, 1, queue_id);
    sqlite3_bind_text(s, 2, attempt_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, response_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, expires_ms);
    return db_step_done(s);
}

bool store_attempt_prune(int64_t queue_id, int64_t now_ms)
{
    return prune(STMT_ATTEMPT_PRUNE, queue_id, now_ms);
}
