/* store/message_store: rows of the messages table: insert, visible selection, delivery,
 * redrive moves, deletes, visibility changes, purge, retention and counters. */
#include "db.h"

int64_t store_message_insert(const stored_message *m)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGE_INSERT);
    sqlite3_bind_int64(s, 1, m->queue_id);
    sqlite3_bind_text(s, 2, m->message_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(s, 3, m->body, m->body_len, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, m->md5_body, -1, SQLITE_STATIC);
    db_bind_text_or_null(s, 5, m->attributes);
    db_bind_text_or_null(s, 6, m->md5_attributes);
    db_bind_text_or_null(s, 7, m->trace_header);
    db_bind_text_or_null(s, 8, m->group_id);
    sqlite3_bind_text(s, 9, m->sender_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 10, m->sent_ms);
    sqlite3_bind_int64(s, 11, m->visible_ms);
    sqlite3_bind_int64(s, 12, m->secret);
    db_bind_text_or_null(s, 13, m->dedup_id);
    if (m->sequence)
        sqlite3_bind_int64(s, 14, m->sequence);
    else
        sqlite3_bind_null(s, 14);
    if (!db_step_done(s))
        return -1;
    return sqlite3_last_insert_rowid(store_db);
}

static bool skipped(int64_t rowid, const int64_t *skip, size_t skip_count)
{
    for (size_t i = 0; i < skip_count; i++) {
        if (skip[i] == rowid)
            return true;
    }
    return false;
}

static void read_message_row(sqlite3_stmt *s, stored_message *m)
{
    m->rowid = sqlite3_column_int64(s, 0);
    m->queue_id = sqlite3_column_int64(s, 1);
    m->message_id = (const char *)sqlite3_column_text(s, 2);
    m->body = sqlite3_column_blob(s, 3);
    m->body_len = (size_t)sqlite3_column_bytes(s, 3);
    if (!m->body)
        m->body = "";
    m->md5_body = (const char *)sqlite3_column_text(s, 4);
    m->attributes = db_column_text_or_null(s, 5);
    m->md5_attributes = db_column_text_or_null(s, 6);
    m->trace_header = db_column_text_or_null(s, 7);
    m->group_id = db_column_text_or_null(s, 8);
    m->sender_id = (const char *)sqlite3_column_text(s, 9);
    m->sent_ms = sqlite3_column_int64(s, 10);
    m->visible_ms = sqlite3_column_int64(s, 11);
    m->receive_count = sqlite3_column_int64(s, 12);
    m->first_receive_ms = sqlite3_column_int64(s, 13);
    m->secret = sqlite3_column_int64(s, 14);
    m->dlq_source_arn = db_column_text_or_null(s, 15);
    m->dedup_id = db_column_text_or_null(s, 16);
    m->sequence = sqlite3_column_int64(s, 17);
}

bool store_message_each_stored(int64_t queue_id, int64_t after, int64_t min_sent_ms, int limit,
                               bool (*fn)(const stored_message *m, void *arg), void *arg)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGES_LIST);
    sqlite3_bind_int64(s, 1, queue_id);
    sqlite3_bind_int64(s, 2, after);
    sqlite3_bind_int64(s, 3, min_sent_ms);
    sqlite3_bind_int64(s, 4, limit);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        stored_message m;
        read_message_row(s, &m);
        if (!fn(&m, arg)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

bool store_message_each_visible(int64_t queue_id, int64_t now_ms, int limit, const int64_t *skip,
                                size_t skip_count, bool (*fn)(const stored_message *m, void *arg), void *arg)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGE_SELECT_VISIBLE);
    sqlite3_bind_int64(s, 1, queue_id);
    sqlite3_bind_int64(s, 2, now_ms);
    sqlite3_bind_int64(s, 3, (int64_t)limit + (int64_t)skip_count);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        stored_message m;
        read_message_row(s, &m);
        if (skipped(m.rowid, skip, skip_count))
            continue;
        if (!fn(&m, arg)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

bool store_message_each_fifo_receivable(int64_t queue_id, int64_t now_ms, int limit,
                                        bool (*fn)(const stored_message *m, void *arg), void *arg)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGE_SELECT_FIFO);
    sqlite3_bind_int64(s, 1, queue_id);
    sqlite3_bind_int64(s, 2, now_ms);
    sqlite3_bind_int64(s, 3, limit);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        stored_message m;
        read_message_row(s, &m);
        if (!fn(&m, arg)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

bool store_message_mark_received(int64_t rowid, int64_t now_ms, int64_t visible_ms)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGE_MARK_RECEIVED);
    sqlite3_bind_int64(s, 1, rowid);
    sqlite3_bind_int64(s, 2, now_ms);
    sqlite3_bind_int64(s, 3, visible_ms);
    return db_step_done(s);
}

bool store_message_move(int64_t rowid, int64_t to_queue_id, const char *dlq_source_arn, int64_t visible_ms)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGE_MOVE);
    sqlite3_bind_int64(s, 1, rowid);
    sqlite3_bind_int64(s, 2, to_queue_id);
    db_bind_text_or_null(s, 3, dlq_source_arn);
    sqlite3_bind_int64(s, 4, visible_ms);
    return db_step_done(s);
}

bool store_message_move_fifo(int64_t rowid, int64_t to_queue_id, const char *dlq_source_arn, int64_t now_ms,
                             int64_t sequence)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGE_MOVE_FIFO);
    sqlite3_bind_int64(s, 1, rowid);
    sqlite3_bind_int64(s, 2, to_queue_id);
    db_bind_text_or_null(s, 3, dlq_source_arn);
    sqlite3_bind_int64(s, 4, now_ms);
    sqlite3_bind_int64(s, 5, sequence);
    return db_step_done(s);
}

bool store_message_lookup(int64_t rowid, message_ref *out)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGE_LOOKUP);
    sqlite3_bind_int64(s, 1, rowid);
    int rc = sqlite3_step(s);
    out->found = rc == SQLITE_ROW;
    if (out->found) {
        out->queue_id = sqlite3_column_int64(s, 0);
        out->secret = sqlite3_column_int64(s, 1);
        out->receive_count = sqlite3_column_int64(s, 2);
        out->visible_ms = sqlite3_column_int64(s, 3);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

bool store_message_delete(int64_t rowid)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGE_DELETE);
    sqlite3_bind_int64(s, 1, rowid);
    return db_step_done(s);
}

bool store_message_set_visible(int64_t rowid, int64_t visible_ms)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGE_SET_VISIBLE);
    sqlite3_bind_int64(s, 1, rowid);
    sqlite3_bind_int64(s, 2, visible_ms);
    return db_step_done(s);
}

bool store_messages_purge(int64_t queue_id, int64_t *deleted)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGES_PURGE);
    sqlite3_bind_int64(s, 1, queue_id);
    if (!db_step_done(s))
        return false;
    if (deleted)
        *deleted = sqlite3_changes64(store_db);
    return true;
}

bool store_messages_expire(int64_t queue_id, int64_t cutoff_ms)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGES_EXPIRE);
    sqlite3_bind_int64(s, 1, queue_id);
    sqlite3_bind_int64(s, 2, cutoff_ms);
    return db_step_done(s);
}

bool store_messages_count(int64_t queue_id, int64_t now_ms, int64_t min_sent_ms, message_counts *out)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGES_COUNT);
    sqlite3_bind_int64(s, 1, queue_id);
    sqlite3_bind_int64(s, 2, now_ms);
    sqlite3_bind_int64(s, 3, min_sent_ms);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->visible = sqlite3_column_int64(s, 0);
        out->in_flight = sqlite3_column_int64(s, 1);
        out->delayed = sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW;
}

static int64_t single_int_or_minus_one(sqlite3_stmt *s)
{
    int64_t value = -1;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        value = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return value;
}

int64_t store_messages_next_visible(int64_t queue_id, int64_t now_ms)
{
    sqlite3_stmt *s = db_stmt(STMT_MESSAGES_NEXT_VISIBLE);
    sqlite3_bind_int64(s, 1, queue_id);
    sqlite3_bind_int64(s, 2, now_ms);
    return single_int_or_minus_one(s);
}
