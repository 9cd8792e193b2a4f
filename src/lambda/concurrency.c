/* lambda/concurrency: reserved concurrency and the account's limits.
 *
 * What AWS documents (Lambda developer guide, "Configuring reserved concurrency" and
 * "Lambda quotas"; API reference PutFunctionConcurrency, GetAccountSettings):
 *   - a reservation belongs to the function as a whole (every version and alias), so the
 *     operations take an unqualified name; it is both a floor and a ceiling: no more than
 *     that many invocations of the function run at once, and 0 stops every invocation;
 *   - a Region's account has 1000 concurrent executions by default, and at least 100 of
 *     them must stay unreserved (UnreservedConcurrentExecutions), so a reservation that
 *     would leave fewer is refused with InvalidParameterValueException;
 *   - a synchronous invocation beyond the reservation gets 429 TooManyRequestsException
 *     with Reason ReservedFunctionConcurrentInvocationLimitExceeded; asynchronous events
 *     and event-source-mapping batches are held back and retried, not lost.
 *
 * How it is kept. The reservation is the member ReservedConcurrentExecutions of the
 * function's stored record (so it survives restarts); a change is saved in the operation's
 * transaction and the previous value comes back if that rolls back. "Running" is the
 * function's count of invocations in progress (function.h), which every path (Invoke,
 * Event, mapping batches) raises before its handler starts. Whoever is held back waits
 * for concurrency_slot_freed: the end of an invocation, or a changed reservation. */
#include <stdlib.h>
#include <string.h>

#include "concurrency.h"
#include "history.h"
#include "invoke.h"
#include "poller.h"
#include "sqsemu/buf.h"
#include "sqsemu/json.h"
#include "sqsemu/tx.h"

#define MEMBER "ReservedConcurrentExecutions"
/* AWS's documented limits of code storage (bytes). */
#define TOTAL_CODE_SIZE_LIMIT 80530636800.0
#define CODE_SIZE_UNZIPPED_LIMIT 262144000.0
#define CODE_SIZE_ZIPPED_LIMIT 52428800.0

/* Reserved concurrency belongs to the function: its versions (and the aliases that point at
 * them) share it, and their invocations count in the function's `running` too. */
static const lambda_function *base_of(const lambda_function *f)
{
    return f->latest ? f->latest : f;
}

int concurrency_reserved(const lambda_function *f)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(base_of(f)->record, MEMBER);
    return cJSON_IsNumber(v) ? (int)v->valuedouble : -1;
}

bool concurrency_allows(const lambda_function *f)
{
    int reserved = concurrency_reserved(f);
    return reserved < 0 || base_of(f)->running < (size_t)reserved;
}

bool concurrency_throttled(lambda_function *f, lambda_error *err)
{
    history_count_throttle(f);
    lambda_fail(err, LAMBDA_ERR_TOO_MANY_REQUESTS, "Rate Exceeded.");
    if (err)
        err->reason = "ReservedFunctionConcurrentInvocationLimitExceeded";
    return false;
}

void concurrency_slot_freed(lambda_function *f)
{
    pollers_wake_function(f);
    async_invoke_wake(f);
}

void concurrency_describe(const lambda_function *f, cJSON *out)
{
    int reserved = concurrency_reserved(f);
    if (reserved >= 0)
        cJSON_AddNumberToObject(cJSON_AddObjectToObject(out, "Concurrency"), MEMBER, reserved);
}

/* ---- the operations ---- */

/* The function of an operation on reserved concurrency: unqualified only. */
static lambda_function *unqualified(const lambda_ctx *ctx, const char *name, lambda_error *err)
{
    function_ref ref;
    if (!function_ref_parse(ctx, name, &ref, err))
        return NULL;
    if (*ref.qualifier) {
        lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                    "Reserved concurrency applies to the whole function: use the unqualified function name or ARN "
                    "instead of one with the qualifier '%s'.", ref.qualifier);
        return NULL;
    }
    return functions_resolve(ctx, name, NULL, false, err);
}

/* The sum of the reservations of the caller's account in its Region, but for skip's. */
static long reserved_sum(const lambda_ctx *ctx, const lambda_function *skip)
{
    long sum = 0;
    for (const lambda_function *f = functions_first(); f; f = f->next) {
        int reserved = concurrency_reserved(f);
        if (f != skip && reserved > 0 && strcmp(f->account, ctx->account) == 0 && strcmp(f->region, ctx->region) == 0)
            sum += reserved;
    }
    return sum;
}

static bool read_value(const cJSON *in, long *value, lambda_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, MEMBER);
    if (!v || cJSON_IsNull(v))
        return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                           "1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy "
                           "constraint: Member must not be null");
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long)v->valuedouble || v->valuedouble > 1e9 ||
        v->valuedouble < -1e9)
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT, "Unexpected value type for member %s", MEMBER);
    *value = (long)v->valuedouble;
    if (*value < 0)
        return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                           "1 validation error detected: Value '%ld' at 'reservedConcurrentExecutions' failed to "
                           "satisfy constraint: Member must have value greater than or equal to 0", *value);
    return true;
}

typedef struct reservation_change {
    lambda_function *f;
    cJSON *previous; /* the member before the change (NULL: none) */
} reservation_change;

static void change_committed(void *arg)
{
    reservation_change *c = arg;
    cJSON_Delete(c->previous);
    concurrency_slot_freed(c->f); /* a raised or removed limit lets the held-back ones go */
    free(c);
}

static void change_rolled_back(void *arg)
{
    reservation_change *c = arg;
    json_set_owned(c->f->record, MEMBER, c->previous);
    free(c);
}

/* Sets (value >= 0) or removes (value < 0) the reservation in the open transaction. */
static bool change_reservation(lambda_function *f, long value, lambda_error *err)
{
    reservation_change *c = xmalloc(sizeof *c);
    c->f = f;
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(f->record, MEMBER);
    c->previous = old ? cJSON_Duplicate(old, true) : NULL;
    json_set_owned(f->record, MEMBER, value >= 0 ? cJSON_CreateNumber((double)value) : NULL);
    if (!function_save(f, err)) {
        change_rolled_back(c);
        return false;
    }
    tx_defer(change_committed, change_rolled_back, c);
    return true;
}

bool concurrency_put(const lambda_ctx *ctx, const char *name, const cJSON *in, cJSON *out, lambda_error *err)
{
    long value = 0;
    lambda_function *f = unqualified(ctx, name, err);
    if (!f || !read_value(in, &value, err))
        return false;
    if (CONCURRENCY_ACCOUNT_LIMIT - reserved_sum(ctx, f) - value < CONCURRENCY_UNRESERVED_MIN)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Specified ReservedConcurrentExecutions for function decreases account's "
                           "UnreservedConcurrentExecution below its minimum value of [%d].",
                           CONCURRENCY_UNRESERVED_MIN);
    if (!change_reservation(f, value, err))
        return false;
    cJSON_AddNumberToObject(out, MEMBER, (double)value);
    return true;
}

bool concurrency_get(const lambda_ctx *ctx, const char *name, cJSON *out, lambda_error *err)
{
    lambda_function *f = unqualified(ctx, name, err);
    if (!f)
        return false;
    int reserved = concurrency_reserved(f);
    if (reserved >= 0)
        cJSON_AddNumberToObject(out, MEMBER, reserved);
    return true;
}

bool concurrency_delete(const lambda_ctx *ctx, const char *name, lambda_error *err)
{
    lambda_function *f = unqualified(ctx, name, err);
    return f && (concurrency_reserved(f) < 0 || change_reservation(f, -1, err));
}

bool account_settings(const lambda_ctx *ctx, cJSON *out, lambda_error *err)
{
    (void)err;
    double code_size = 0, count = 0;
    for (const lambda_function *f = functions_first(); f; f = f->next) {
        if (strcmp(f->account, ctx->account) != 0 || strcmp(f->region, ctx->region) != 0)
            continue;
        count++;
        code_size += (double)function_int(f, "CodeSize");
    }
    cJSON *limit = cJSON_AddObjectToObject(out, "AccountLimit");
    cJSON_AddNumberToObject(limit, "TotalCodeSize", TOTAL_CODE_SIZE_LIMIT);
    cJSON_AddNumberToObject(limit, "CodeSizeUnzipped", CODE_SIZE_UNZIPPED_LIMIT);
    cJSON_AddNumberToObject(limit, "CodeSizeZipped", CODE_SIZE_ZIPPED_LIMIT);
    cJSON_AddNumberToObject(limit, "ConcurrentExecutions", CONCURRENCY_ACCOUNT_LIMIT);
    cJSON_AddNumberToObject(limit, "UnreservedConcurrentExecutions",
                            (double)(CONCURRENCY_ACCOUNT_LIMIT - reserved_sum(ctx, NULL)));
    cJSON *usage = cJSON_AddObjectToObject(out, "AccountUsage");
    cJSON_AddNumberToObject(usage, "TotalCodeSize", code_size);
    cJSON_AddNumberToObject(usage, "FunctionCount", count);
    return true;
}
