/* store/log_store: the CloudWatch Logs tables: log groups, their streams, and the events
 * handlers printed, with the caps that keep them bounded. The counters a cap reads
 * (log_groups.event_count and stored_bytes) grow by store_log_group_counted after a batch
 * of inserts and shrink with every trim here (a reset deletes the groups themselves), so a
 * cap costs no scan and no per-row work beyond the insert or delete itself. */
#include <stdint.h>
#include <stdlib.h>

#include "db.h"
#include "sqsemu/buf.h"

#define TRIM_BYTES_STEP 64 /* events dropped per round while a byte cap is exceeded */

/* ---- writing ---- */

int64_t store_log_group_ensure(const char *account, const char *region, const char *name, int64_t now_ms)
{
    sqlite3_stmt *s = db_stmt(STMT_LOG_GROUP_ENSURE);
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now_ms);
    int64_t id = 0;
    if (!db_step_done(s) || !store_log_group_find(account, region, name, &id) || id == 0)
        return -1;
    return id;
}

int64_t store_log_stream_ensure(int64_t group_id, const char *name, int64_t now_ms, int64_t first_ms,
                                int64_t last_ms)
{
    sqlite3_stmt *s = db_stmt(STMT_LOG_STREAM_ENSURE);
    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now_ms);
    sqlite3_bind_int64(s, 4, first_ms);
    sqlite3_bind_int64(s, 5, last_ms);
    int64_t id = 0;
    if (!db_step_done(s) || !store_log_stream_find(group_id, name, &id) || id == 0)
        return -1;
    return id;
}

bool store_log_event_insert(int64_t group_id, int64_t stream_id, int64_t timestamp_ms, int64_t ingestion_ms,
                            const char *message, size_t len)
{
    sqlite3_stmt *s = db_stmt(STMT_LOG_EVENT_INSERT);
    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_int64(s, 2, stream_id);
    sqlite3_bind_int64(s, 3, timestamp_ms);
    sqlite3_bind_int64(s, 4, ingestion_ms);
    sqlite3_bind_int64(s, 5, (int64_t)len);
    sqlite3_bind_text(s, 6, message, (int)len, SQLITE_STATIC);
    return db_step_done(s);
}

bool store_log_group_counted(int64_t group_id, int64_t events, int64_t bytes)
{
    sqlite3_stmt *s = db_stmt(STMT_LOG_GROUP_ADD_COUNTS);
    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_int64(s, 2, events);
    sqlite3_bind_int64(s, 3, bytes);
    return db_step_done(s);
}

/* ---- finding ---- */

/* Steps a statement that yields at most one id. */
static bool single_id(sqlite3_stmt *s, int64_t *id)
{
    *id = 0;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

bool store_log_group_find(const char *account, const char *region, const char *name, int64_t *id)
{
    sqlite3_stmt *s = db_stmt(STMT_LOG_GROUP_FIND);
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
    return single_id(s, id);
}

bool store_log_stream_find(int64_t group_id, const char *name, int64_t *id)
{
    sqlite3_stmt *s = db_stmt(STMT_LOG_STREAM_FIND);
    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    return single_id(s, id);
}

/* ---- reading ---- */

bool store_log_groups_each(const char *account, const char *region, const char *after,
                           bool (*fn)(const stored_log_group *g, void *arg), void *arg)
{
    sqlite3_stmt *s = db_stmt(STMT_LOG_GROUPS_SELECT);
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, after ? after : "", -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        stored_log_group g = {
            .id = sqlite3_column_int64(s, 0),
            .name = (const char *)sqlite3_column_text(s, 1),
            .created_ms = sqlite3_column_int64(s, 2),
            .event_count = sqlite3_column_int64(s, 3),
            .stored_bytes = sqlite3_column_int64(s, 4),
        };
        if (!fn(&g, arg)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

static sqlite3_stmt *streams_statement(int64_t group_id, log_stream_order order, bool descending,
                                       const char *after_name, const log_position *after)
{
    sqlite3_stmt *s;
    if (order == LOG_STREAMS_BY_NAME) {
        s = db_stmt(descending ? STMT_LOG_STREAMS_BY_NAME_DESC : STMT_LOG_STREAMS_BY_NAME);
        if (after_name || !descending)
            sqlite3_bind_text(s, 2, after_name ? after_name : "", -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(s, 2);
    } else {
        s = db_stmt(descending ? STMT_LOG_STREAMS_BY_TIME_DESC : STMT_LOG_STREAMS_BY_TIME);
        log_position start = descending ? (log_position){INT64_MAX, INT64_MAX} : (log_position){INT64_MIN, INT64_MIN};
        const log_position *p = after ? after : &start;
        sqlite3_bind_int64(s, 2, p->timestamp_ms);
        sqlite3_bind_int64(s, 3, p->id);
    }
    sqlite3_bind_int64(s, 1, group_id);
    return s;
}

bool store_log_streams_each(int64_t group_id, log_stream_order order, bool descending, const char *after_name,
                            const log_position *after, bool (*fn)(const stored_log_stream *s, void *arg), void *arg)
{
    sqlite3_stmt *s = streams_statement(group_id, order, descending, after_name, after);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        stored_log_stream row = {
            .id = sqlite3_column_int64(s, 0),
            .name = (const char *)sqlite3_column_text(s, 1),
            .created_ms = sqlite3_column_int64(s, 2),
            .first_event_ms = sqlite3_column_int64(s, 3),
            .last_event_ms = sqlite3_column_int64(s, 4),
            .last_ingestion_ms = sqlite3_column_int64(s, 5),
        };
        if (!fn(&row, arg)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

/* Runs an event query whose first four columns are id, timestamp, ingestion, message and,
 * for group reads, the stream's id and name. */
static bool each_event(sqlite3_stmt *s, bool with_stream, bool (*fn)(const stored_log_event *e, void *arg), void *arg)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        stored_log_event e = {
            .id = sqlite3_column_int64(s, 0),
            .timestamp_ms = sqlite3_column_int64(s, 1),
            .ingestion_ms = sqlite3_column_int64(s, 2),
            .message = (const char *)sqlite3_column_text(s, 3),
            .message_len = (size_t)sqlite3_column_bytes(s, 3),
        };
        if (with_stream) {
            e.stream_id = sqlite3_column_int64(s, 4);
            e.stream_name = (const char *)sqlite3_column_text(s, 5);
        }
        if (!fn(&e, arg)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

static void bind_range(sqlite3_stmt *s, const log_position *from, int64_t from_ms, int64_t to_ms, int64_t limit)
{
    sqlite3_bind_int64(s, 2, from->timestamp_ms);
    sqlite3_bind_int64(s, 3, from->id);
    sqlite3_bind_int64(s, 4, from_ms);
    sqlite3_bind_int64(s, 5, to_ms);
    sqlite3_bind_int64(s, 6, limit);
}

bool store_log_stream_events(int64_t stream_id, bool forward, const log_position *from, int64_t from_ms,
                             int64_t to_ms, int64_t limit, bool (*fn)(const stored_log_event *e, void *arg),
                             void *arg)
{
    sqlite3_stmt *s = db_stmt(forward ? STMT_LOG_EVENTS_STREAM_FORWARD : STMT_LOG_EVENTS_STREAM_BACKWARD);
    sqlite3_bind_int64(s, 1, stream_id);
    bind_range(s, from, from_ms, to_ms, limit);
    return each_event(s, false, fn, arg);
}

bool store_log_group_events(int64_t group_id, const log_position *from, int64_t from_ms, int64_t to_ms,
                            int64_t limit, bool (*fn)(const stored_log_event *e, void *arg), void *arg)
{
    sqlite3_stmt *s = db_stmt(STMT_LOG_EVENTS_GROUP_FORWARD);
    sqlite3_bind_int64(s, 1, group_id);
    bind_range(s, from, from_ms, to_ms, limit);
    return each_event(s, true, fn, arg);
}

/* ---- caps ---- */

static bool read_counts(sqlite3_stmt *s, int64_t *events, int64_t *bytes)
{
    *events = *bytes = 0;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *events = sqlite3_column_int64(s, 0);
        *bytes = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

static bool group_counts(int64_t group_id, int64_t *events, int64_t *bytes)
{
    sqlite3_stmt *s = db_stmt(STMT_LOG_GROUP_COUNTS);
    sqlite3_bind_int64(s, 1, group_id);
    return read_counts(s, events, bytes);
}

/* The group's n oldest events go; its counters follow. */
static bool drop_oldest_of_group(int64_t group_id, int64_t n, int64_t *dropped)
{
    sqlite3_stmt *s = db_stmt(STMT_LOG_OLDEST_OF_GROUP);
    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_int64(s, 2, n);
    int64_t events, bytes;
    if (!read_counts(s, &events, &bytes))
        return false;
    s = db_stmt(STMT_LOG_TRIM_GROUP);
    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_int64(s, 2, n);
    *dropped += events;
    return db_step_done(s) && store_log_group_counted(group_id, -events, -bytes);
}

typedef struct group_share {
    int64_t group_id;
    int64_t events;
    int64_t bytes;
} group_share;

/* The n earliest written events of all groups go; each group's counters follow. */
static bool drop_oldest_of_all(int64_t n, int64_t *dropped)
{
    sqlite3_stmt *s = db_stmt(STMT_LOG_OLDEST_OF_ALL);
    sqlite3_bind_int64(s, 1, n);
    group_share *shares = NULL;
    size_t count = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        shares = xrealloc(shares, (count + 1) * sizeof *shares);
        shares[count++] = (group_share){sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
                                        sqlite3_column_int64(s, 2)};
    }
    sqlite3_reset(s);
    bool ok = rc == SQLITE_DONE;
    if (ok) {
        s = db_stmt(STMT_LOG_TRIM_TOTAL);
        sqlite3_bind_int64(s, 1, n);
        ok = db_step_done(s);
    }
    for (size_t i = 0; i < count && ok; i++) {
        *dropped += shares[i].events;
        ok = store_log_group_counted(shares[i].group_id, -shares[i].events, -shares[i].bytes);
    }
    free(shares);
    return ok;
}

static bool drop_oldest(db_statement id, int64_t group_id, int64_t n, int64_t *dropped)
{
    return id == STMT_LOG_TRIM_GROUP ? drop_oldest_of_group(group_id, n, dropped) : drop_oldest_of_all(n, dropped);
}

/* The event count and message bytes of one group (trim by group) or of all (overall). */
static bool counts_of(db_statement id, int64_t group_id, int64_t *events, int64_t *bytes)
{
    return id == STMT_LOG_TRIM_GROUP ? group_counts(group_id, events, bytes)
                                     : read_counts(db_stmt(STMT_LOG_TOTAL_COUNTS), events, bytes);
}

/* Drops oldest events (by group or overall) while the counts exceed the caps. */
static bool trim(db_statement id, int64_t group_id, int64_t max_events, int64_t max_bytes, int64_t *dropped)
{
    int64_t events, bytes;
    bool ok = counts_of(id, group_id, &events, &bytes);
    if (ok && events > max_events)
        ok = drop_oldest(id, group_id, events - max_events, dropped) && counts_of(id, group_id, &events, &bytes);
    while (ok && bytes > max_bytes && events > 0) {
        int64_t before = *dropped;
        ok = drop_oldest(id, group_id, TRIM_BYTES_STEP, dropped);
        if (ok && *dropped == before)
            break; /* nothing left to drop */
        ok = ok && counts_of(id, group_id, &events, &bytes);
    }
    return ok;
}

bool store_log_trim_group(int64_t group_id, int64_t max_events, int64_t max_bytes, int64_t *dropped)
{
    int64_t n = 0;
    bool ok = trim(STMT_LOG_TRIM_GROUP, group_id, max_events, max_bytes, &n);
    if (ok && n > 0) {
        sqlite3_stmt *s = db_stmt(STMT_LOG_STREAMS_PRUNE_GROUP);
        sqlite3_bind_int64(s, 1, group_id);
        ok = db_step_done(s);
    }
    if (dropped)
        *dropped = n;
    return ok;
}

bool store_log_trim_total(int64_t max_events, int64_t max_bytes, int64_t *dropped)
{
    int64_t n = 0;
    bool ok = trim(STMT_LOG_TRIM_TOTAL, 0, max_events, max_bytes, &n);
    if (ok && n > 0)
        ok = db_step_done(db_stmt(STMT_LOG_STREAMS_PRUNE)) && db_step_done(db_stmt(STMT_LOG_GROUPS_PRUNE));
    if (dropped)
        *dropped = n;
    return ok;
}

bool store_log_delete(const char *account, const char *region, const char *group)
{
    static const db_statement order[] = {STMT_LOG_DELETE_EVENTS, STMT_LOG_DELETE_STREAMS, STMT_LOG_DELETE_GROUPS};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        sqlite3_stmt *s = db_stmt(order[i]);
        db_bind_text_or_null(s, 1, account);
        db_bind_text_or_null(s, 2, region);
        db_bind_text_or_null(s, 3, group);
        if (!db_step_done(s))
            return false;
    }
    return true;
}
