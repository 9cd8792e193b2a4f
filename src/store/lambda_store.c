/* store/lambda_store: rows of the functions and mappings tables (one JSON record each). */
#include <stdlib.h>

#include "db.h"
#include "sqsemu/buf.h"

int64_t store_function_insert(const char *account, const char *region, const char *name, const char *record)
{
    sqlite3_stmt *s = db_stmt(STMT_FUNCTION_INSERT);
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, record, -1, SQLITE_STATIC);
    if (!db_step_done(s))
        return -1;
    return sqlite3_last_insert_rowid(store_db);
}

bool store_function_update(int64_t id, const char *record)
{
    sqlite3_stmt *s = db_stmt(STMT_FUNCTION_UPDATE);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, record, -1, SQLITE_STATIC);
    return db_step_done(s);
}

bool store_function_delete(int64_t id)
{
    sqlite3_stmt *s = db_stmt(STMT_FUNCTION_DELETE);
    sqlite3_bind_int64(s, 1, id);
    return db_step_done(s);
}

bool store_function_each(void (*fn)(int64_t id, const char *account, const char *region, const char *name,
                                    const char *record, void *arg),
                         void *arg)
{
    sqlite3_stmt *s = db_stmt(STMT_FUNCTION_SELECT_ALL);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn(sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1), (const char *)sqlite3_column_text(s, 2),
           (const char *)sqlite3_column_text(s, 3), (const char *)sqlite3_column_text(s, 4), arg);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

bool store_mapping_put(const char *uuid, const char *record)
{
    sqlite3_stmt *s = db_stmt(STMT_MAPPING_PUT);
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, record, -1, SQLITE_STATIC);
    return db_step_done(s);
}

bool store_mapping_delete(const char *uuid)
{
    sqlite3_stmt *s = db_stmt(STMT_MAPPING_DELETE);
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    return db_step_done(s);
}

bool store_mapping_each(void (*fn)(const char *uuid, const char *record, void *arg), void *arg)
{
    sqlite3_stmt *s = db_stmt(STMT_MAPPING_SELECT_ALL);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn((const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1), arg);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

bool store_code_dir_add(const char *path)
{
    sqlite3_stmt *s = db_stmt(STMT_CODE_DIR_ADD);
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    return db_step_done(s);
}

bool store_code_dir_remove(const char *path)
{
    sqlite3_stmt *s = db_stmt(STMT_CODE_DIR_REMOVE);
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    return db_step_done(s);
}

bool store_code_dir_registered(const char *path)
{
    sqlite3_stmt *s = db_stmt(STMT_CODE_DIR_FIND);
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    bool found = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_reset(s);
    return found;
}

bool store_code_dir_each(void (*fn)(const char *path, void *arg), void *arg)
{
    /* Collected first: fn may remove rows. */
    sqlite3_stmt *s = db_stmt(STMT_CODE_DIR_SELECT_ALL);
    char **paths = NULL;
    size_t count = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            paths = xrealloc(paths, cap * sizeof *paths);
        }
        paths[count++] = xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_reset(s);
    for (size_t i = 0; i < count; i++) {
        fn(paths[i], arg);
        free(paths[i]);
    }
    free(paths);
    return rc == SQLITE_DONE;
}
