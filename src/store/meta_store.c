/* store/meta_store: small server-wide values kept in the meta table (key -> bytes). */
#include <string.h>

#include "db.h"

bool store_meta_get(const char *key, void *value, size_t size, bool *found)
{
    sqlite3_stmt *s = db_stmt(STMT_META_GET);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW && (size_t)sqlite3_column_bytes(s, 0) == size;
    if (*found)
        memcpy(value, sqlite3_column_blob(s, 0), size);
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

bool store_meta_put(const char *key, const void *value, size_t size)
{
    sqlite3_stmt *s = db_stmt(STMT_META_PUT);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, value, (int)size, SQLITE_STATIC);
    return db_step_done(s);
}
