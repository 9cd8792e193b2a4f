/* store/queue_store: rows of the queues table. */
#include "db.h"

int64_t store_queue_insert(const stored_queue *q)
{
    sqlite3_stmt *s = db_stmt(STMT_QUEUE_INSERT);
    sqlite3_bind_text(s, 1, q->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, q->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, q->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, q->fifo);
    sqlite3_bind_int64(s, 5, q->created_s);
    sqlite3_bind_int64(s, 6, q->modified_s);
    sqlite3_bind_text(s, 7, q->attributes, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, q->tags, -1, SQLITE_STATIC);
    if (!db_step_done(s))
        return -1;
    return sqlite3_last_insert_rowid(store_db);
}

bool store_queue_update_attributes(int64_t id, const char *attributes_json, int64_t modified_s)
{
    sqlite3_stmt *s = db_stmt(STMT_QUEUE_UPDATE_ATTRIBUTES);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, attributes_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, modified_s);
    return db_step_done(s);
}

bool store_queue_update_tags(int64_t id, const char *tags_json)
{
    sqlite3_stmt *s = db_stmt(STMT_QUEUE_UPDATE_TAGS);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, tags_json, -1, SQLITE_STATIC);
    return db_step_done(s);
}

static bool delete_by_queue(db_statement statement, int64_t id)
{
    sqlite3_stmt *s = db_stmt(statement);
    sqlite3_bind_int64(s, 1, id);
    return db_step_done(s);
}

bool store_queue_delete(int64_t id)
{
    if (!store_messages_purge(id, NULL) || !delete_by_queue(STMT_DEDUP_DELETE_QUEUE, id) ||
        !delete_by_queue(STMT_ATTEMPT_DELETE_QUEUE, id))
        return false;
    sqlite3_stmt *s = db_stmt(STMT_QUEUE_DELETE);
    sqlite3_bind_int64(s, 1, id);
    return db_step_done(s);
}

bool store_queue_each(void (*fn)(const stored_queue *q, void *arg), void *arg)
{
    sqlite3_stmt *s = db_stmt(STMT_QUEUE_SELECT_ALL);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        stored_queue q = {
            .id = sqlite3_column_int64(s, 0),
            .account = (const char *)sqlite3_column_text(s, 1),
            .region = (const char *)sqlite3_column_text(s, 2),
            .name = (const char *)sqlite3_column_text(s, 3),
            .fifo = sqlite3_column_int(s, 4) != 0,
            .created_s = sqlite3_column_int64(s, 5),
            .modified_s = sqlite3_column_int64(s, 6),
            .attributes = (const char *)sqlite3_column_text(s, 7),
            .tags = (const char *)sqlite3_column_text(s, 8),
        };
        fn(&q, arg);
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}
