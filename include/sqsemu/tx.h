/* tx: the store transaction of one service call, and the work that waits for its outcome.
 *
 * A service entry point (sqs_service_call, lambda_service_call, a timer's batch) opens a
 * transaction, runs, and closes it: committed when it succeeded, rolled back otherwise.
 * What the call changed in memory or must do only once its writes are durable is
 * registered with tx_defer while it runs: on a commit every entry's on_commit runs, in
 * registration order (wake the long polls of a queue, re-arm a timer, free a snapshot); on
 * a rollback every on_rollback runs, newest first (put back the queue attributes a failed
 * call had applied), before the store's own writes are undone, so it still sees them (a
 * code directory the call registered can still be found and removed). Exactly one of the
 * two runs for each entry.
 *
 * Transactions nest: a call made while another is open (a Lambda handler's failure sending
 * to a dead-letter queue from inside a batch, or every call of a commit group: the requests
 * the HTTP server answers after one commit) becomes a savepoint; its rollback undoes only
 * its own writes and entries, and its commit leaves them to the outermost commit. */
#ifndef SQSEMU_TX_H
#define SQSEMU_TX_H

#include <stdbool.h>

#include <cjson/cJSON.h>

typedef void (*tx_fn)(void *arg);

/* Opens a transaction (or a savepoint inside the open one). False when the store failed. */
bool tx_open(void);
/* Opens the outermost transaction as a commit group: the calls made while it is open join
 * it as savepoints, and nothing counts as a call's transaction (tx_active) until one opens. */
bool tx_open_group(void);
/* Closes the innermost transaction: commits when ok (false if the commit failed, which
 * rolls back), else rolls back. Returns whether the writes were kept. */
bool tx_close(bool ok);
/* True while a call's transaction is open (a commit group alone does not count). */
bool tx_active(void);

/* Registers work for the outcome of the open transaction (either function may be NULL).
 * Without an open transaction on_commit runs at once. */
void tx_defer(tx_fn on_commit, tx_fn on_rollback, void *arg);
/* Takes a deep copy of *record now: a rollback puts it back in place of whatever *record
 * has become (a commit frees it). For in-memory JSON records that mirror a stored row. */
void tx_guard_json(cJSON **record);

#endif
