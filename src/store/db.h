/* store/db.h: private to the store: the connection and its prepared statements. */
#ifndef SQSEMU_STORE_DB_H
#define SQSEMU_STORE_DB_H

#include <sqlite3.h>
#include <stdbool.h>

#include "sqsemu/store.h"

typedef enum db_statement {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_QUEUE_INSERT,
    STMT_QUEUE_UPDATE_ATTRIBUTES,
    STMT_QUEUE_UPDATE_TAGS,
    STMT_QUEUE_DELETE,
    STMT_QUEUE_SELECT_ALL,
    STMT_MESSAGE_INSERT,
    STMT_MESSAGE_SELECT_VISIBLE,
    STMT_MESSAGE_SELECT_FIFO,
    STMT_MESSAGE_MOVE_FIFO,
    STMT_QUEUE_MAX_SEQUENCE,
    STMT_DEDUP_FIND,
    STMT_DEDUP_PUT,
    STMT_DEDUP_PRUNE,
    STMT_DEDUP_DELETE_QUEUE,
    STMT_ATTEMPT_FIND,
    STMT_ATTEMPT_PUT,
    STMT_ATTEMPT_PRUNE,
    STMT_ATTEMPT_DELETE_QUEUE,
    STMT_MESSAGE_MARK_RECEIVED,
    STMT_MESSAGE_MOVE,
    STMT_MESSAGE_LOOKUP,
    STMT_MESSAGE_DELETE,
    STMT_MESSAGE_SET_VISIBLE,
    STMT_MESSAGES_PURGE,
    STMT_MESSAGES_EXPIRE,
    STMT_MESSAGES_COUNT,
    STMT_MESSAGES_NEXT_VISIBLE,
    STMT_MESSAGES_LIST,
    STMT_FUNCTION_INSERT,
    STMT_FUNCTION_UPDATE,
    STMT_FUNCTION_DELETE,
    STMT_FUNCTION_SELECT_ALL,
    STMT_MAPPING_PUT,
    STMT_MAPPING_DELETE,
    STMT_MAPPING_SELECT_ALL,
    STMT_MESSAGE_REDRIVE,
    STMT_TASK_PUT,
    STMT_TASK_SELECT_ALL,
    STMT_TASK_DELETE_OLD,
    STMT_TASK_DELETE_SOURCE,
    STMT_CODE_DIR_ADD,
    STMT_CODE_DIR_REMOVE,
    STMT_CODE_DIR_FIND,
    STMT_CODE_DIR_SELECT_ALL,
    STMT_META_GET,
    STMT_META_PUT,
    STMT__COUNT
} db_statement;

extern sqlite3 *store_db;

/* The prepared statement, reset and with its bindings cleared. */
sqlite3_stmt *db_stmt(db_statement id);
/* Steps a statement that returns no rows (or whose rows are ignored) and resets it. */
bool db_step_done(sqlite3_stmt *s);
void db_bind_text_or_null(sqlite3_stmt *s, int index, const char *text);
const char *db_column_text_or_null(sqlite3_stmt *s, int col);

#endif
