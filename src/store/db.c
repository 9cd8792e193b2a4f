/* store/db: the SQLite connection: open, pragmas, schema, prepared statements, transactions. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>

#include "sqsemu/log.h"

sqlite3 *store_db;
static sqlite3_stmt *statements[STMT__COUNT];

#define SAVEPOINT_LEVELS 17 /* levels 2 to 16 (tx.c nests 16 deep) */
static sqlite3_stmt *savepoints[3][SAVEPOINT_LEVELS];

static const char *const statement_sql[STMT__COUNT] = {
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    [STMT_QUEUE_INSERT] =
        "INSERT INTO queues(account, region, name, fifo, created_s, modified_s, attributes, tags) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [STMT_QUEUE_UPDATE_ATTRIBUTES] = "UPDATE queues SET attributes = ?2, modified_s = ?3 WHERE id = ?1",
    [STMT_QUEUE_UPDATE_TAGS] = "UPDATE queues SET tags = ?2 WHERE id = ?1",
    [STMT_QUEUE_DELETE] = "DELETE FROM queues WHERE id = ?1",
    [STMT_QUEUE_SELECT_ALL] =
        "SELECT id, account, region, name, fifo, created_s, modified_s, attributes, tags FROM queues ORDER BY id",
    [STMT_MESSAGE_INSERT] =
        "INSERT INTO messages(queue_id, message_id, body, md5_body, attributes, md5_attributes, trace_header, "
        "group_id, sender_id, sent_ms, visible_ms, secret, dedup_id, sequence) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [STMT_MESSAGE_SELECT_VISIBLE] =
        "SELECT id, queue_id, message_id, body, md5_body, attributes, md5_attributes, trace_header, group_id, "
        "sender_id, sent_ms, visible_ms, receive_count, first_receive_ms, secret, dlq_source_arn, dedup_id, sequence "
        "FROM messages WHERE queue_id = ?1 AND visible_ms <= ?2 ORDER BY visible_ms, id LIMIT ?3",
    /* FIFO: visible messages before the first invisible (in-flight or delayed) message of
     * their group, in sequence order. Each group's lock point is computed once. */
    [STMT_MESSAGE_SELECT_FIFO] =
        "WITH blocked AS (SELECT group_id, MIN(sequence) AS first_invisible FROM messages "
        "  WHERE queue_id = ?1 AND sequence IS NOT NULL AND visible_ms > ?2 GROUP BY group_id) "
        "SELECT m.id, m.queue_id, m.message_id, m.body, m.md5_body, m.attributes, m.md5_attributes, "
        "m.trace_header, m.group_id, m.sender_id, m.sent_ms, m.visible_ms, m.receive_count, m.first_receive_ms, "
        "m.secret, m.dlq_source_arn, m.dedup_id, m.sequence "
        "FROM messages AS m LEFT JOIN blocked AS b ON b.group_id = m.group_id "
        "WHERE m.queue_id = ?1 AND m.sequence IS NOT NULL AND m.visible_ms <= ?2 "
        "AND (b.first_invisible IS NULL OR m.sequence < b.first_invisible) ORDER BY m.sequence LIMIT ?3",
    [STMT_MESSAGE_MOVE_FIFO] =
        "UPDATE messages SET queue_id = ?2, dlq_source_arn = ?3, visible_ms = ?4, sequence = ?5, sent_ms = ?4, "
        "dedup_id = message_id WHERE id = ?1",
    [STMT_QUEUE_MAX_SEQUENCE] =
        "SELECT MAX(s) FROM (SELECT MAX(sequence) AS s FROM messages WHERE queue_id = ?1 AND sequence IS NOT NULL "
        "UNION ALL SELECT MAX(sequence) FROM dedup WHERE queue_id = ?1)",
    [STMT_DEDUP_FIND] = "SELECT message_id, sequence FROM dedup WHERE queue_id = ?1 AND dedup_key = ?2 AND expires_ms > ?3",
    [STMT_DEDUP_PUT] =
        "INSERT OR REPLACE INTO dedup(queue_id, dedup_key, message_id, sequence, expires_ms) VALUES(?1, ?2, ?3, ?4, ?5)",
    [STMT_DEDUP_PRUNE] = "DELETE FROM dedup WHERE queue_id = ?1 AND expires_ms <= ?2",
    [STMT_DEDUP_DELETE_QUEUE] = "DELETE FROM dedup WHERE queue_id = ?1",
    [STMT_ATTEMPT_FIND] = "SELECT response FROM receive_attempts WHERE queue_id = ?1 AND attempt_id = ?2 AND expires_ms > ?3",
    [STMT_ATTEMPT_PUT] =
        "INSERT OR REPLACE INTO receive_attempts(queue_id, attempt_id, response, expires_ms) VALUES(?1, ?2, ?3, ?4)",
    [STMT_ATTEMPT_PRUNE] = "DELETE FROM receive_attempts WHERE queue_id = ?1 AND expires_ms <= ?2",
    [STMT_ATTEMPT_DELETE_QUEUE] = "DELETE FROM receive_attempts WHERE queue_id = ?1",
    [STMT_FUNCTION_INSERT] = "INSERT INTO functions(account, region, name, record) VALUES(?1, ?2, ?3, ?4)",
    [STMT_FUNCTION_UPDATE] = "UPDATE functions SET record = ?2 WHERE id = ?1",
    [STMT_FUNCTION_DELETE] = "DELETE FROM functions WHERE id = ?1",
    [STMT_FUNCTION_SELECT_ALL] = "SELECT id, account, region, name, record FROM functions ORDER BY id",
    [STMT_MAPPING_PUT] = "INSERT OR REPLACE INTO mappings(uuid, record) VALUES(?1, ?2)",
    [STMT_MAPPING_DELETE] = "DELETE FROM mappings WHERE uuid = ?1",
    [STMT_MAPPING_SELECT_ALL] = "SELECT uuid, record FROM mappings ORDER BY rowid",
    [STMT_VERSION_INSERT] = "INSERT INTO function_versions(function_id, version, record) VALUES(?1, ?2, ?3)",
    [STMT_VERSION_DELETE] = "DELETE FROM function_versions WHERE function_id = ?1 AND version = ?2",
    [STMT_VERSION_SELECT_ALL] = "SELECT function_id, version, record FROM function_versions ORDER BY function_id, version",
    [STMT_ALIAS_PUT] = "INSERT OR REPLACE INTO function_aliases(function_id, name, record) VALUES(?1, ?2, ?3)",
    [STMT_ALIAS_DELETE] = "DELETE FROM function_aliases WHERE function_id = ?1 AND name = ?2",
    [STMT_ALIAS_SELECT_ALL] = "SELECT function_id, name, record FROM function_aliases ORDER BY function_id, rowid",
    [STMT_MESSAGE_REDRIVE] =
        "INSERT INTO messages(queue_id, message_id, body, md5_body, attributes, md5_attributes, trace_header, "
        "group_id, sender_id, sent_ms, visible_ms, secret, dedup_id, sequence) "
        "SELECT ?2, ?3, body, md5_body, attributes, md5_attributes, trace_header, group_id, sender_id, ?4, ?5, ?6, "
        "CASE WHEN ?7 > 0 THEN ?3 ELSE NULL END, CASE WHEN ?7 > 0 THEN ?7 ELSE NULL END FROM messages WHERE id = ?1",
    [STMT_TASK_PUT] = "INSERT OR REPLACE INTO move_tasks(task_id, source_arn, record) VALUES(?1, ?2, ?3)",
    [STMT_TASK_SELECT_ALL] = "SELECT task_id, record FROM move_tasks ORDER BY rowid",
    [STMT_TASK_DELETE_SOURCE] = "DELETE FROM move_tasks WHERE source_arn = ?1",
    [STMT_TASK_DELETE_OLD] =
        "DELETE FROM move_tasks WHERE source_arn = ?1 AND task_id NOT IN "
        "(SELECT task_id FROM move_tasks WHERE source_arn = ?1 ORDER BY rowid DESC LIMIT 10)",
    [STMT_MESSAGE_MARK_RECEIVED] =
        "UPDATE messages SET receive_count = receive_count + 1, first_receive_ms = COALESCE(first_receive_ms, ?2), "
        "visible_ms = ?3 WHERE id = ?1",
    [STMT_MESSAGE_MOVE] = "UPDATE messages SET queue_id = ?2, dlq_source_arn = ?3, visible_ms = ?4 WHERE id = ?1",
    [STMT_MESSAGE_LOOKUP] = "SELECT queue_id, secret, receive_count, visible_ms FROM messages WHERE id = ?1",
    [STMT_MESSAGE_DELETE] = "DELETE FROM messages WHERE id = ?1",
    [STMT_MESSAGE_SET_VISIBLE] = "UPDATE messages SET visible_ms = ?2 WHERE id = ?1",
    [STMT_MESSAGES_PURGE] = "DELETE FROM messages WHERE queue_id = ?1",
    [STMT_MESSAGES_EXPIRE] = "DELETE FROM messages WHERE queue_id = ?1 AND sent_ms < ?2",
    [STMT_MESSAGES_COUNT] =
        "SELECT COALESCE(SUM(visible_ms <= ?2), 0), COALESCE(SUM(visible_ms > ?2 AND receive_count > 0), 0), "
        "COALESCE(SUM(visible_ms > ?2 AND receive_count = 0), 0) FROM messages WHERE queue_id = ?1 AND sent_ms >= ?3",
    [STMT_MESSAGES_NEXT_VISIBLE] = "SELECT MIN(visible_ms) FROM messages WHERE queue_id = ?1 AND visible_ms > ?2",
    [STMT_MESSAGES_LIST] =
        "SELECT id, queue_id, message_id, body, md5_body, attributes, md5_attributes, trace_header, group_id, "
        "sender_id, sent_ms, visible_ms, receive_count, first_receive_ms, secret, dlq_source_arn, dedup_id, sequence "
        "FROM messages WHERE queue_id = ?1 AND id > ?2 AND sent_ms >= ?3 ORDER BY id LIMIT ?4",
    [STMT_CODE_DIR_ADD] = "INSERT OR IGNORE INTO code_dirs(path) VALUES(?1)",
    [STMT_CODE_DIR_REMOVE] = "DELETE FROM code_dirs WHERE path = ?1",
    [STMT_CODE_DIR_FIND] = "SELECT 1 FROM code_dirs WHERE path = ?1",
    [STMT_CODE_DIR_SELECT_ALL] = "SELECT path FROM code_dirs ORDER BY path",
    [STMT_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [STMT_META_PUT] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
    /* CloudWatch Logs (log_store.c). Events are ordered by (timestamp_ms, id) everywhere. */
    [STMT_LOG_GROUP_ENSURE] =
        "INSERT INTO log_groups(account, region, name, created_ms) VALUES(?1, ?2, ?3, ?4) "
        "ON CONFLICT(account, region, name) DO NOTHING",
    [STMT_LOG_GROUP_FIND] = "SELECT id FROM log_groups WHERE account = ?1 AND region = ?2 AND name = ?3",
    [STMT_LOG_GROUPS_SELECT] =
        "SELECT id, name, created_ms, event_count, stored_bytes FROM log_groups "
        "WHERE account = ?1 AND region = ?2 AND name > ?3 ORDER BY name",
    [STMT_LOG_GROUP_COUNTS] = "SELECT event_count, stored_bytes FROM log_groups WHERE id = ?1",
    [STMT_LOG_TOTAL_COUNTS] = "SELECT COALESCE(SUM(event_count), 0), COALESCE(SUM(stored_bytes), 0) FROM log_groups",
    [STMT_LOG_STREAM_ENSURE] =
        "INSERT INTO log_streams(group_id, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?3) ON CONFLICT(group_id, name) DO UPDATE SET "
        "first_event_ms = MIN(first_event_ms, excluded.first_event_ms), "
        "last_event_ms = MAX(last_event_ms, excluded.last_event_ms), last_ingestion_ms = excluded.last_ingestion_ms",
    [STMT_LOG_STREAM_FIND] = "SELECT id FROM log_streams WHERE group_id = ?1 AND name = ?2",
    [STMT_LOG_STREAMS_BY_NAME] =
        "SELECT id, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms FROM log_streams "
        "WHERE group_id = ?1 AND name > ?2 ORDER BY name",
    [STMT_LOG_STREAMS_BY_NAME_DESC] =
        "SELECT id, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms FROM log_streams "
        "WHERE group_id = ?1 AND (?2 IS NULL OR name < ?2) ORDER BY name DESC",
    [STMT_LOG_STREAMS_BY_TIME] =
        "SELECT id, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms FROM log_streams "
        "WHERE group_id = ?1 AND (last_event_ms, id) > (?2, ?3) ORDER BY last_event_ms, id",
    [STMT_LOG_STREAMS_BY_TIME_DESC] =
        "SELECT id, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms FROM log_streams "
        "WHERE group_id = ?1 AND (last_event_ms, id) < (?2, ?3) ORDER BY last_event_ms DESC, id DESC",
    [STMT_LOG_EVENT_INSERT] =
        "INSERT INTO log_events(group_id, stream_id, timestamp_ms, ingestion_ms, size, message) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [STMT_LOG_GROUP_ADD_COUNTS] =
        "UPDATE log_groups SET event_count = event_count + ?2, stored_bytes = stored_bytes + ?3 WHERE id = ?1",
    [STMT_LOG_OLDEST_OF_GROUP] =
        "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM "
        "(SELECT size FROM log_events WHERE group_id = ?1 ORDER BY timestamp_ms, id LIMIT ?2)",
    [STMT_LOG_OLDEST_OF_ALL] =
        "SELECT group_id, COUNT(*), SUM(size) FROM (SELECT group_id, size FROM log_events ORDER BY id LIMIT ?1) "
        "GROUP BY group_id",
    [STMT_LOG_EVENTS_STREAM_FORWARD] =
        "SELECT id, timestamp_ms, ingestion_ms, message FROM log_events WHERE stream_id = ?1 "
        "AND (timestamp_ms, id) > (?2, ?3) AND timestamp_ms BETWEEN ?4 AND ?5 ORDER BY timestamp_ms, id LIMIT ?6",
    [STMT_LOG_EVENTS_STREAM_BACKWARD] =
        "SELECT id, timestamp_ms, ingestion_ms, message FROM log_events WHERE stream_id = ?1 "
        "AND (timestamp_ms, id) < (?2, ?3) AND timestamp_ms BETWEEN ?4 AND ?5 "
        "ORDER BY timestamp_ms DESC, id DESC LIMIT ?6",
    [STMT_LOG_EVENTS_GROUP_FORWARD] =
        "SELECT e.id, e.timestamp_ms, e.ingestion_ms, e.message, e.stream_id, s.name "
        "FROM log_events AS e JOIN log_streams AS s ON s.id = e.stream_id WHERE e.group_id = ?1 "
        "AND (e.timestamp_ms, e.id) > (?2, ?3) AND e.timestamp_ms BETWEEN ?4 AND ?5 "
        "ORDER BY e.timestamp_ms, e.id LIMIT ?6",
    [STMT_LOG_TRIM_GROUP] =
        "DELETE FROM log_events WHERE id IN "
        "(SELECT id FROM log_events WHERE group_id = ?1 ORDER BY timestamp_ms, id LIMIT ?2)",
    [STMT_LOG_TRIM_TOTAL] = "DELETE FROM log_events WHERE id IN (SELECT id FROM log_events ORDER BY id LIMIT ?1)",
    [STMT_LOG_STREAMS_PRUNE_GROUP] =
        "DELETE FROM log_streams WHERE group_id = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM log_events WHERE log_events.stream_id = log_streams.id)",
    [STMT_LOG_STREAMS_PRUNE] =
        "DELETE FROM log_streams WHERE NOT EXISTS (SELECT 1 FROM log_events WHERE log_events.stream_id = log_streams.id)",
    [STMT_LOG_GROUPS_PRUNE] =
        "DELETE FROM log_groups WHERE NOT EXISTS (SELECT 1 FROM log_streams WHERE log_streams.group_id = log_groups.id)",
    /* ?1 NULL: every group; else the groups of account ?1 in region ?2 (named ?3 unless NULL). */
    [STMT_LOG_DELETE_EVENTS] =
        "DELETE FROM log_events WHERE group_id IN (SELECT id FROM log_groups WHERE ?1 IS NULL OR "
        "(account = ?1 AND region = ?2 AND (?3 IS NULL OR name = ?3)))",
    [STMT_LOG_DELETE_STREAMS] =
        "DELETE FROM log_streams WHERE group_id IN (SELECT id FROM log_groups WHERE ?1 IS NULL OR "
        "(account = ?1 AND region = ?2 AND (?3 IS NULL OR name = ?3)))",
    [STMT_LOG_DELETE_GROUPS] =
        "DELETE FROM log_groups WHERE ?1 IS NULL OR (account = ?1 AND region = ?2 AND (?3 IS NULL OR name = ?3))",
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS queues ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  fifo INTEGER NOT NULL DEFAULT 0,"
    "  created_s INTEGER NOT NULL,"
    "  modified_s INTEGER NOT NULL,"
    "  attributes TEXT NOT NULL DEFAULT '{}',"
    "  tags TEXT NOT NULL DEFAULT '{}',"
    "  UNIQUE(account, region, name));"
    /* Published versions and aliases (added later: IF NOT EXISTS creates them in an older
     * data directory; a function's rows go with it). */
    "CREATE TABLE IF NOT EXISTS function_versions ("
    "  function_id INTEGER NOT NULL REFERENCES functions(id) ON DELETE CASCADE,"
    "  version INTEGER NOT NULL,"
    "  record TEXT NOT NULL,"
    "  PRIMARY KEY(function_id, version));"
    "CREATE TABLE IF NOT EXISTS function_aliases ("
    "  function_id INTEGER NOT NULL REFERENCES functions(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  record TEXT NOT NULL,"
    "  PRIMARY KEY(function_id, name));"
    "CREATE TABLE IF NOT EXISTS messages ("
    "  id INTEGER PRIMARY KEY,"
    "  queue_id INTEGER NOT NULL,"
    "  message_id TEXT NOT NULL,"
    "  body BLOB NOT NULL,"
    "  md5_body TEXT NOT NULL,"
    "  attributes TEXT,"
    "  md5_attributes TEXT,"
    "  trace_header TEXT,"
    "  group_id TEXT,"
    "  sender_id TEXT NOT NULL,"
    "  sent_ms INTEGER NOT NULL,"
    "  visible_ms INTEGER NOT NULL,"
    "  receive_count INTEGER NOT NULL DEFAULT 0,"
    "  first_receive_ms INTEGER,"
    "  secret INTEGER NOT NULL,"
    "  dlq_source_arn TEXT,"
    "  dedup_id TEXT,"
    "  sequence INTEGER);"
    "CREATE INDEX IF NOT EXISTS messages_by_visibility ON messages(queue_id, visible_ms);"
    "CREATE INDEX IF NOT EXISTS messages_by_age ON messages(queue_id, sent_ms);"
    "CREATE INDEX IF NOT EXISTS messages_by_group ON messages(queue_id, group_id, sequence) "
    "  WHERE sequence IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS messages_by_sequence ON messages(queue_id, sequence) WHERE sequence IS NOT NULL;"
    "CREATE TABLE IF NOT EXISTS dedup ("
    "  queue_id INTEGER NOT NULL,"
    "  dedup_key TEXT NOT NULL,"
    "  message_id TEXT NOT NULL,"
    "  sequence INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(queue_id, dedup_key));"
    "CREATE INDEX IF NOT EXISTS dedup_by_expiry ON dedup(queue_id, expires_ms);"
    "CREATE TABLE IF NOT EXISTS receive_attempts ("
    "  queue_id INTEGER NOT NULL,"
    "  attempt_id TEXT NOT NULL,"
    "  response TEXT NOT NULL,"
    "  expires_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(queue_id, attempt_id));"
    "CREATE INDEX IF NOT EXISTS attempts_by_expiry ON receive_attempts(queue_id, expires_ms);"
    "CREATE TABLE IF NOT EXISTS functions ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  record TEXT NOT NULL,"
    "  UNIQUE(account, region, name));"
    "CREATE TABLE IF NOT EXISTS move_tasks ("
    "  task_id TEXT PRIMARY KEY,"
    "  source_arn TEXT NOT NULL,"
    "  record TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS mappings ("
    "  uuid TEXT PRIMARY KEY,"
    "  record TEXT NOT NULL);"
    /* Directories of function code that sqsemu created (and so may remove). */
    "CREATE TABLE IF NOT EXISTS code_dirs ("
    "  path TEXT PRIMARY KEY);"
    /* Small server-wide values, e.g. the key that authenticates receipt handles. */
    "CREATE TABLE IF NOT EXISTS meta ("
    "  key TEXT PRIMARY KEY,"
    "  value BLOB NOT NULL);"
    /* CloudWatch Logs: what Lambda handlers printed. Each group keeps its event count and
     * message bytes (log_store.c keeps them with every insert and delete), so checking the
     * caps costs no scan. */
    "CREATE TABLE IF NOT EXISTS log_groups ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  event_count INTEGER NOT NULL DEFAULT 0,"
    "  stored_bytes INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE(account, region, name));"
    "CREATE TABLE IF NOT EXISTS log_streams ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  group_id INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  first_event_ms INTEGER NOT NULL,"
    "  last_event_ms INTEGER NOT NULL,"
    "  last_ingestion_ms INTEGER NOT NULL,"
    "  UNIQUE(group_id, name));"
    "CREATE INDEX IF NOT EXISTS log_streams_by_last_event ON log_streams(group_id, last_event_ms, id);"
    "CREATE TABLE IF NOT EXISTS log_events ("
    "  id INTEGER PRIMARY KEY,"
    "  group_id INTEGER NOT NULL,"
    "  stream_id INTEGER NOT NULL,"
    "  timestamp_ms INTEGER NOT NULL,"
    "  ingestion_ms INTEGER NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  message TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS log_events_by_stream ON log_events(stream_id, timestamp_ms, id);"
    "CREATE INDEX IF NOT EXISTS log_events_by_group ON log_events(group_id, timestamp_ms, id);"
    /* CloudFormation stacks (stack_store.c): one record per stack, and its events. */
    "CREATE TABLE IF NOT EXISTS cfn_stacks ("
    "  stack_id TEXT PRIMARY KEY,"
    "  record TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS cfn_stack_events ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  stack_id TEXT NOT NULL,"
    "  record TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS cfn_stack_events_by_stack ON cfn_stack_events(stack_id, id);"
    "PRAGMA user_version = 1;";

static bool exec_sql(const char *sql)
{
    char *error = NULL;
    if (sqlite3_exec(store_db, sql, NULL, NULL, &error) != SQLITE_OK) {
        log_error("sqlite: %s (in: %.80s)", error ? error : "?", sql);
        sqlite3_free(error);
        return false;
    }
    return true;
}

bool store_open(const char *path)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path ? path : ":memory:", &store_db, flags, NULL) != SQLITE_OK) {
        log_error("cannot open database %s: %s", path ? path : ":memory:", sqlite3_errmsg(store_db));
        sqlite3_close(store_db);
        store_db = NULL;
        return false;
    }
    /* Only this process uses the file (the data directory is locked), so SQLite holds its
     * file lock for the life of the connection (locking_mode EXCLUSIVE): no lock calls
     * around each transaction, and no other process can read the database meanwhile.
     * WAL + synchronous=NORMAL: a committed transaction survives a crash of the process
     * (kill -9); only an OS crash or power loss can drop the last commits (see
     * store_set_durability_full). A checkpoint syncs the WAL and the database to the disk
     * while the loop waits: one every 8000 pages (32 MB of WAL) instead of SQLite's 1000
     * keeps those pauses rare under load (the WAL file keeps that size once reached). */
    sqlite3_busy_timeout(store_db, 2000);
    if (!exec_sql("PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                  "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;"
                  "PRAGMA wal_autocheckpoint = 8000;") ||
        !exec_sql(schema_sql))
        goto fail;
    for (int i = 0; i < STMT__COUNT; i++) {
        if (sqlite3_prepare_v3(store_db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &statements[i], NULL) !=
            SQLITE_OK) {
            log_error("cannot prepare statement %d: %s", i, sqlite3_errmsg(store_db));
            goto fail;
        }
    }
    return true;
fail:
    store_close();
    return false;
}

bool store_set_durability_full(void)
{
    return exec_sql("PRAGMA synchronous = FULL;");
}

void store_close(void)
{
    for (int i = 0; i < STMT__COUNT; i++) {
        sqlite3_finalize(statements[i]);
        statements[i] = NULL;
    }
    for (int op = 0; op < 3; op++) {
        for (int level = 0; level < SAVEPOINT_LEVELS; level++) {
            sqlite3_finalize(savepoints[op][level]);
            savepoints[op][level] = NULL;
        }
    }
    if (store_db) {
        sqlite3_close(store_db);
        store_db = NULL;
    }
}

sqlite3_stmt *db_stmt(db_statement id)
{
    sqlite3_stmt *s = statements[id];
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

bool db_step_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        log_error("sqlite: %s", sqlite3_errmsg(store_db));
        sqlite3_reset(s);
        return false;
    }
    sqlite3_reset(s);
    return true;
}

void db_bind_text_or_null(sqlite3_stmt *s, int index, const char *text)
{
    if (text)
        sqlite3_bind_text(s, index, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, index);
}

const char *db_column_text_or_null(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(s, col);
}

bool store_savepoint(store_savepoint_op op, int level)
{
    static const char *const verbs[] = {"SAVEPOINT", "RELEASE", "ROLLBACK TO"};
    if (level < 2 || level >= SAVEPOINT_LEVELS)
        return false;
    sqlite3_stmt **s = &savepoints[op][level];
    if (!*s) {
        char sql[64];
        snprintf(sql, sizeof sql, "%s tx%d", verbs[op], level);
        if (sqlite3_prepare_v3(store_db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) != SQLITE_OK) {
            log_error("sqlite: %s (in: %s)", sqlite3_errmsg(store_db), sql);
            *s = NULL;
            return false;
        }
    }
    return db_step_done(*s);
}

#ifndef SQSEMU_BROKEN_COMMIT
bool store_begin(void)
{
    return db_step_done(db_stmt(STMT_BEGIN));
}

bool store_commit(void)
{
    return db_step_done(db_stmt(STMT_COMMIT));
}

void store_rollback(void)
{
    if (sqlite3_get_autocommit(store_db) == 0)
        db_step_done(db_stmt(STMT_ROLLBACK));
}
#else
/* TEST-ONLY (meson -Dcrash_test_broken_commit=true), to prove tests/crash/crash_test.py:
 * one real transaction stays open for BROKEN_COMMIT_MS and every store_begin/commit/
 * rollback is a savepoint inside it. The server answers exactly as usual, but a SIGKILL
 * loses up to BROKEN_COMMIT_MS of acknowledged work. */
#include "sqsemu/clock.h"

#define BROKEN_COMMIT_MS 200

static int64_t broken_open_since_ms = -1; /* start of the open real transaction, or -1 */
static bool broken_in_savepoint;

bool store_begin(void)
{
    if (broken_open_since_ms < 0) {
        if (!db_step_done(db_stmt(STMT_BEGIN)))
            return false;
        broken_open_since_ms = clock_monotonic_ms();
    }
    broken_in_savepoint = exec_sql("SAVEPOINT broken_commit");
    return broken_in_savepoint;
}

bool store_commit(void)
{
    if (broken_in_savepoint && !exec_sql("RELEASE broken_commit"))
        return false;
    broken_in_savepoint = false;
    if (broken_open_since_ms < 0 || clock_monotonic_ms() - broken_open_since_ms < BROKEN_COMMIT_MS)
        return true; /* the lie: nothing is on disk yet */
    broken_open_since_ms = -1;
    return db_step_done(db_stmt(STMT_COMMIT));
}

void store_rollback(void)
{
    if (broken_in_savepoint)
        exec_sql("ROLLBACK TO broken_commit; RELEASE broken_commit");
    broken_in_savepoint = false;
}
#endif
