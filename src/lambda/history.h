/* lambda/history.h: what each function's recent invocations did, and its running totals
 * (history.c), for the admin API's invocation list and the metrics. */
#ifndef SQSEMU_LAMBDA_HISTORY_H
#define SQSEMU_LAMBDA_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "function.h"

/* The last HISTORY_PER_FUNCTION invocations of a function are kept, each with the tail of
 * its log (at most the executor's 16 KB): bounded memory per function. */
#define HISTORY_PER_FUNCTION 100

/* How an invocation ended. */
typedef enum history_outcome {
    HISTORY_SUCCESS,
    HISTORY_FUNCTION_ERROR, /* the handler failed (also an init error) */
    HISTORY_TIMEOUT,        /* the function's timeout, or the runtime's init timeout */
    HISTORY_EXIT_ERROR,     /* the runtime process exited, could not start, or was stopped */
    HISTORY_PARTIAL,        /* a batch whose response failed some (or, unreadable, all) records */
} history_outcome;

typedef struct history_invocation {
    const char *request_id;
    const char *trigger;          /* "Invoke", "Event" or the mapping's UUID */
    const cJSON *message_ids;     /* a mapping's batch: the messageIds (array), else NULL */
    int64_t start_ms;             /* emulated clock when the runtime got the event */
    double duration_ms;
    bool function_error;
    const char *payload;          /* the response or error document */
    size_t payload_len;
    const char *log;              /* the invocation's log text */
} history_invocation;

/* Records an ended invocation of f (copies everything it needs). */
void history_record(lambda_function *f, const history_invocation *inv);
/* A mapping's batch whose function succeeded but reported failed records (or answered
 * with an unreadable partial batch response: whole_batch): the entry becomes "partial". */
void history_mark_partial(lambda_function *f, const char *request_id, const cJSON *failed_ids, bool whole_batch,
                          const char *reason);

/* Totals since start-up (or since the function was created). */
typedef struct function_totals {
    uint64_t invocations;
    uint64_t errors; /* every outcome but success and partial */
    uint64_t throttles; /* invocations refused or held back by reserved concurrency */
    double duration_ms_sum;
} function_totals;
function_totals history_totals(const lambda_function *f);
/* Counts one throttled invocation of f (concurrency.c). */
void history_count_throttle(lambda_function *f);

/* The admin API's listing: the newest invocations first, of the function `name` (NULL:
 * every function), at most limit (1..HISTORY_PER_FUNCTION, "" or NULL: 20). */
bool history_list(const lambda_ctx *ctx, const char *name, const char *limit, cJSON *out, lambda_error *err);

void history_free(struct function_history *h);

#endif
