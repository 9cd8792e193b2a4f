/* lambda/concurrency.h: reserved concurrency (Put/Get/DeleteFunctionConcurrency), the
 * account's limits (GetAccountSettings) and the one question every invocation path asks:
 * may another invocation of this function start now? (concurrency.c) */
#ifndef SQSEMU_LAMBDA_CONCURRENCY_H
#define SQSEMU_LAMBDA_CONCURRENCY_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "function.h"
#include "sqsemu/lambda.h"
#include "sqsemu/lambda_error.h"

/* AWS's default Regional quota of concurrent executions, and what must stay unreserved. */
#define CONCURRENCY_ACCOUNT_LIMIT 1000
#define CONCURRENCY_UNRESERVED_MIN 100

/* The function's reserved concurrency, or -1 when it has none. */
int concurrency_reserved(const lambda_function *f);
/* True when one more invocation of f may start (no reservation, or fewer running). */
bool concurrency_allows(const lambda_function *f);
/* Fills err with the 429 a synchronous Invoke beyond the reservation gets, and counts it. */
bool concurrency_throttled(lambda_function *f, lambda_error *err);
/* An invocation of f ended or its reservation changed: waiting pollers and Event
 * invocations try again (called by the function's lifetime and by the operations). */
void concurrency_slot_freed(lambda_function *f);
/* GetFunction's "Concurrency" member (only when a reservation exists). */
void concurrency_describe(const lambda_function *f, cJSON *out);

bool concurrency_put(const lambda_ctx *ctx, const char *name, const cJSON *in, cJSON *out, lambda_error *err);
bool concurrency_get(const lambda_ctx *ctx, const char *name, cJSON *out, lambda_error *err);
bool concurrency_delete(const lambda_ctx *ctx, const char *name, lambda_error *err);
bool account_settings(const lambda_ctx *ctx, cJSON *out, lambda_error *err);

#endif
