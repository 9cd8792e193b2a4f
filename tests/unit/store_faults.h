/* store_faults.h: failures injected into the real SQLite store for in-process service tests.
 *
 * A temporary trigger either aborts a statement (store_fail_writes: the write fails inside
 * the call) or, after the write, adds a row that breaks a deferred foreign key
 * (store_fail_commits: every write succeeds and the COMMIT fails). store_faults_heal drops
 * the trigger. Call store_faults_prepare once after store_open. */
#ifndef SQSEMU_TEST_STORE_FAULTS_H
#define SQSEMU_TEST_STORE_FAULTS_H

#include <stdio.h>

#include "../../src/store/db.h"

static inline void store_faults_sql(const char *text)
{
    char *error = NULL;
    if (sqlite3_exec(store_db, text, NULL, NULL, &error) != SQLITE_OK)
        fail_msg("%s: %s", text, error ? error : "?");
    sqlite3_free(error);
}

static inline void store_faults_prepare(void)
{
    store_faults_sql("CREATE TEMP TABLE fault_parent(id INTEGER PRIMARY KEY);"
                     "CREATE TEMP TABLE fault_child(p INTEGER REFERENCES fault_parent(id) DEFERRABLE INITIALLY "
                     "DEFERRED);");
}

/* event: "INSERT", "UPDATE" or "DELETE"; table: a table of the store's schema. */
static inline void store_fail_writes(const char *event, const char *table)
{
    char text[256];
    snprintf(text, sizeof text,
             "CREATE TEMP TRIGGER injected BEFORE %s ON main.%s BEGIN SELECT RAISE(ABORT, 'injected'); END;", event,
             table);
    store_faults_sql(text);
}

static inline void store_fail_commits(const char *event, const char *table)
{
    char text[256];
    snprintf(text, sizeof text,
             "CREATE TEMP TRIGGER injected AFTER %s ON main.%s BEGIN INSERT INTO fault_child VALUES (1); END;", event,
             table);
    store_faults_sql(text);
}

static inline void store_faults_heal(void)
{
    store_faults_sql("DROP TRIGGER IF EXISTS injected; DELETE FROM temp.fault_child;");
}

#endif
