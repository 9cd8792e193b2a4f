/* store/version_store: rows of the function_versions and function_aliases tables: a
 * function's published versions (one JSON snapshot each, keyed by its number) and its
 * aliases (one JSON record each, keyed by name). Both tables reference functions(id)
 * with ON DELETE CASCADE, so deleting a function's row deletes them too. */
#include "db.h"

bool store_version_insert(int64_t function_id, int64_t version, const char *record)
{
    sqlite3_stmt *s = db_stmt(STMT_VERSION_INSERT);
    sqlite3_bind_int64(s, 1, function_id);
    sqlite3_bind_int64(s, 2, version);
    sqlite3_bind_text(s, 3, record, -1, SQLITE_STATIC);
    return db_step_done(s);
}

bool store_version_delete(int64_t function_id, int64_t version)
{
    sqlite3_stmt *s = db_stmt(STMT_VERSION_DELETE);
    sqlite3_bind_int64(s, 1, function_id);
    sqlite3_bind_int64(s, 2, version);
    return db_step_done(s);
}

bool store_version_each(void (*fn)(int64_t function_id, int64_t version, const char *record, void *arg), void *arg)
{
    sqlite3_stmt *s = db_stmt(STMT_VERSION_SELECT_ALL);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn(sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), (const char *)sqlite3_column_text(s, 2), arg);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

bool store_alias_put(int64_t function_id, const char *name, const char *record)
{
    sqlite3_stmt *s = db_stmt(STMT_ALIAS_PUT);
    sqlite3_bind_int64(s, 1, function_id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, record, -1, SQLITE_STATIC);
    return db_step_done(s);
}

bool store_alias_delete(int64_t function_id, const char *name)
{
    sqlite3_stmt *s = db_stmt(STMT_ALIAS_DELETE);
    sqlite3_bind_int64(s, 1, function_id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    return db_step_done(s);
}

bool store_alias_each(void (*fn)(int64_t function_id, const char *name, const char *record, void *arg), void *arg)
{
    sqlite3_stmt *s = db_stmt(STMT_ALIAS_SELECT_ALL);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn(sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1), (const char *)sqlite3_column_text(s, 2),
           arg);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}
