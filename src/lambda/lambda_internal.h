/* lambda/lambda_internal.h: what the Lambda modules share: the function and mapping
 * records kept in memory, the call context, and the operations the REST codec calls. */
#ifndef SQSEMU_LAMBDA_INTERNAL_H
#define SQSEMU_LAMBDA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sqsemu/lambda_error.h"
#include "sqsemu/lambda.h"

typedef struct lambda_function {
    int64_t id;
    char *account;
    char *region;
    char *name;
    char *arn;
    cJSON *record; /* configuration members, code info, tags (persisted as one JSON record) */
    /* Execution state. */
    unsigned generation;       /* bumped on every code/configuration change */
    size_t env_count;          /* live execution environments */
    size_t running;            /* invocations in progress */
    bool deleted;
    struct lambda_function *next;
} lambda_function;

const lambda_settings *lambda_config(void);

/* ---- function names: a name, a partial ARN or an ARN, each with an optional qualifier ---- */
typedef struct function_ref {
    char account[16];
    char region[64];
    char name[160];
    char qualifier[130]; /* "" when none */
    bool has_arn_account;
} function_ref;

/* Parses any FunctionName form; fills ValidationException/ResourceNotFound/AccessDenied errors. */
bool function_ref_parse(const lambda_ctx *ctx, const char *text, function_ref *out, lambda_error *err);

/* ---- functions ---- */
lambda_function *functions_find(const char *account, const char *region, const char *name);
/* Resolves a FunctionName (+ optional ?Qualifier) to an existing function or a 404. */
lambda_function *functions_resolve(const lambda_ctx *ctx, const char *name, const char *qualifier, bool qualified_404,
                                   lambda_error *err);
const char *function_string(const lambda_function *f, const char *member);
int64_t function_int(const lambda_function *f, const char *member);
/* Directory holding the code to run (unpacked zip, or the hot-reload directory). */
const char *function_code_dir(const lambda_function *f);
/* The uploaded zip archive (malloc'd) or NULL (hot-reload directory, image). */
char *function_code_zip(const lambda_function *f, size_t *len);

/* Persists f->record after a change made outside this module (tags). */
bool function_save(lambda_function *f, lambda_error *err);

bool functions_load(void);
void functions_free_all(void);

bool fn_create(const lambda_ctx *ctx, const cJSON *in, cJSON *out, lambda_error *err);
bool fn_get(const lambda_ctx *ctx, const char *name, const char *qualifier, cJSON *out, lambda_error *err);
bool fn_get_configuration(const lambda_ctx *ctx, const char *name, const char *qualifier, cJSON *out,
                          lambda_error *err);
bool fn_list(const lambda_ctx *ctx, const char *marker, const char *max_items, const char *version, cJSON *out,
             lambda_error *err);
bool fn_update_code(const lambda_ctx *ctx, const char *name, const cJSON *in, cJSON *out, lambda_error *err);
bool fn_update_configuration(const lambda_ctx *ctx, const char *name, const cJSON *in, cJSON *out,
                             lambda_error *err);
bool fn_delete(const lambda_ctx *ctx, const char *name, const char *qualifier, lambda_error *err);

/* ---- invocations ---- */
typedef struct invoke_outcome {
    bool function_error;     /* X-Amz-Function-Error: Unhandled */
    char *payload;           /* response or error document (malloc'd) */
    size_t payload_len;
    char *log;               /* the invocation's log text (malloc'd), START..REPORT */
    char request_id[37];
} invoke_outcome;

typedef void (*invoke_done_fn)(invoke_outcome *outcome, void *arg);

typedef struct invoke_request {
    const char *payload;
    size_t payload_len;
    const char *invoked_arn;    /* ARN reported to the runtime */
    const char *client_context; /* decoded JSON text or NULL */
    const char *request_id;     /* NULL: a new one */
} invoke_request;

/* Runs one invocation of f; done(outcome, arg) is called on the loop thread when it ends
 * (never before this returns). The outcome is freed after done returns. */
void executor_invoke(lambda_function *f, const invoke_request *req, invoke_done_fn done, void *arg);
/* The Invoke operation (invoke.c). */
lambda_status invoke_call(const lambda_ctx *ctx, const lambda_call *call, lambda_result *result, lambda_error *err,
                          lambda_done_fn done, void *arg);

/* Queues an Event invocation (retries and dead-letter queue included); its request id
 * is written to request_id. */
void async_invoke(lambda_function *f, const invoke_request *req, char request_id[37]);
void async_invoke_stop(void);

/* True while an execution environment runs code from dir. */
bool executor_dir_in_use(const char *dir);

/* Stops f's idle environments and marks busy ones to stop after their invocation. */
void executor_retire(lambda_function *f);
bool executor_start(void);
void executor_stop(void);

/* ---- event-source mappings ---- */
bool esm_create(const lambda_ctx *ctx, const cJSON *in, cJSON *out, lambda_error *err);
bool esm_get(const lambda_ctx *ctx, const char *uuid, cJSON *out, lambda_error *err);
bool esm_update(const lambda_ctx *ctx, const char *uuid, const cJSON *in, cJSON *out, lambda_error *err);
bool esm_delete(const lambda_ctx *ctx, const char *uuid, cJSON *out, lambda_error *err);
bool esm_list(const lambda_ctx *ctx, const char *source_arn, const char *function_name, const char *marker,
              const char *max_items, cJSON *out, lambda_error *err);
/* The tag map of a mapping, by EventSourceMappingArn (created when create is set); NULL if unknown. */
cJSON *mapping_tags_by_arn(const lambda_ctx *ctx, const char *arn, bool create, lambda_error *err);
bool mapping_save_by_arn(const lambda_ctx *ctx, const char *arn, lambda_error *err);

/* ---- tags (ListTags, TagResource, UntagResource) on function and mapping ARNs ---- */
bool tags_list(const lambda_ctx *ctx, const char *arn, cJSON *out, lambda_error *err);
bool tags_add(const lambda_ctx *ctx, const char *arn, const cJSON *in, lambda_error *err);
/* Checks tags a request gives (a map of strings) against AWS's limits, counting the tags
 * the resource already has (existing may be NULL). */
bool tags_check(const cJSON *given, const cJSON *existing, lambda_error *err);
bool tags_remove(const lambda_ctx *ctx, const char *arn, const char *const *keys, size_t count, lambda_error *err);

bool mappings_load(void);
void mappings_free_all(void);
/* A function appeared, changed or went away: mappings pointing at it re-evaluate. */
void mappings_function_changed(void);

#endif
