/* lambda: the Lambda service: functions run as local processes, event-source mappings and
 * their SQS poller. Like the SQS service it knows nothing of HTTP: a caller (the REST front,
 * later templates) hands it one neutral operation with its arguments and gets a result or
 * a lambda_error back; a synchronous Invoke answers later, through a completion callback. */
#ifndef SQSEMU_LAMBDA_H
#define SQSEMU_LAMBDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sqsemu/lambda_error.h"

typedef struct lambda_settings {
    const char *data_dir;     /* where function code is unpacked; NULL = a temporary directory */
    const char *runtimes_dir; /* directory of the shipped runtime clients (runtimes/) */
    const char *endpoint_url; /* http://127.0.0.1:<port>: AWS_ENDPOINT_URL of handlers */
    int idle_timeout_s;       /* idle execution environments are stopped after this */
    int default_concurrency;  /* mapping concurrency when ScalingConfig is unset */
} lambda_settings;

bool lambda_service_start(const lambda_settings *settings);
void lambda_service_stop(void);
/* How many functions and event-source mappings there are (and how many are enabled). */
void lambda_service_counts(size_t *functions, size_t *mappings, size_t *enabled_mappings);

/* Who is calling. Strings are owned by the caller. */
typedef struct lambda_ctx {
    const char *account;
    const char *region;
    int64_t now_ms;
} lambda_ctx;

typedef enum lambda_op {
    LAMBDA_OP_LIST_FUNCTIONS,
    LAMBDA_OP_CREATE_FUNCTION,
    LAMBDA_OP_GET_FUNCTION,
    LAMBDA_OP_GET_FUNCTION_CONFIGURATION,
    LAMBDA_OP_UPDATE_FUNCTION_CONFIGURATION,
    LAMBDA_OP_UPDATE_FUNCTION_CODE,
    LAMBDA_OP_DELETE_FUNCTION,
    LAMBDA_OP_INVOKE,
    LAMBDA_OP_LIST_MAPPINGS,
    LAMBDA_OP_CREATE_MAPPING,
    LAMBDA_OP_GET_MAPPING,
    LAMBDA_OP_UPDATE_MAPPING,
    LAMBDA_OP_DELETE_MAPPING,
    LAMBDA_OP_LIST_TAGS,
    LAMBDA_OP_TAG_RESOURCE,
    LAMBDA_OP_UNTAG_RESOURCE,
    LAMBDA_OP_GET_CODE_ARCHIVE, /* the zip GetFunction's Code.Location points at */
    /* reserved concurrency and the account's limits (concurrency.c) */
    LAMBDA_OP_PUT_FUNCTION_CONCURRENCY,
    LAMBDA_OP_GET_FUNCTION_CONCURRENCY,
    LAMBDA_OP_DELETE_FUNCTION_CONCURRENCY,
    LAMBDA_OP_GET_ACCOUNT_SETTINGS,
    /* versions and aliases (versions.c, aliases.c) */
    LAMBDA_OP_PUBLISH_VERSION,
    LAMBDA_OP_LIST_VERSIONS,
    LAMBDA_OP_CREATE_ALIAS,
    LAMBDA_OP_GET_ALIAS,
    LAMBDA_OP_UPDATE_ALIAS,
    LAMBDA_OP_DELETE_ALIAS,
    LAMBDA_OP_LIST_ALIASES,
    /* sqsemu's own (the admin API; no REST route reaches it): removes the function `name`
     * with its mappings, or every function and mapping when name is NULL, stopping running
     * handlers. Result: {FunctionsRemoved, MappingsRemoved}. */
    LAMBDA_OP_ADMIN_RESET,
    /* sqsemu's own: recent invocations, newest first, of the function `name` (NULL: all),
     * at most max_items (1..100, default 20). Result: {Invocations: [...]}. */
    LAMBDA_OP_ADMIN_INVOCATIONS,
    /* Asynchronous-invocation configuration (API 2019-09-25, event_config.c). */
    LAMBDA_OP_PUT_EVENT_INVOKE_CONFIG,
    LAMBDA_OP_UPDATE_EVENT_INVOKE_CONFIG,
    LAMBDA_OP_GET_EVENT_INVOKE_CONFIG,
    LAMBDA_OP_DELETE_EVENT_INVOKE_CONFIG,
    LAMBDA_OP_LIST_EVENT_INVOKE_CONFIGS,
    /* The resource-based policy (policy.c; stored, never enforced) and the read operations
     * that infrastructure tools call for features sqsemu does not emulate (absent_features.c). */
    LAMBDA_OP_ADD_PERMISSION,
    LAMBDA_OP_REMOVE_PERMISSION,
    LAMBDA_OP_GET_POLICY,
    LAMBDA_OP_GET_CODE_SIGNING_CONFIG,
    LAMBDA_OP_GET_RUNTIME_MANAGEMENT_CONFIG,
    LAMBDA_OP_GET_URL_CONFIG,
    LAMBDA_OP_LIST_URL_CONFIGS,
    LAMBDA_OP_GET_RECURSION_CONFIG,
    LAMBDA_OP_GET_PROVISIONED_CONCURRENCY,
    LAMBDA_OP_LIST_PROVISIONED_CONCURRENCY,
    LAMBDA_OP_LIST_LAYERS,
} lambda_op;

/* The arguments of one operation; which members count depends on op. */
typedef struct lambda_call {
    lambda_op op;
    const char *name;      /* FunctionName, mapping UUID, resource ARN or archive's function */
    const char *qualifier; /* ?Qualifier */
    const char *alias;     /* the alias of /functions/{name}/aliases/{alias} */
    const cJSON *body;     /* the JSON input of operations that take one */
    /* list operations */
    const char *marker;
    const char *max_items;
    const char *function_version; /* ListFunctions ?FunctionVersion */
    const char *event_source_arn; /* ListEventSourceMappings */
    const char *function_name;    /* ListEventSourceMappings ?FunctionName */
    /* UntagResource */
    const char *const *tag_keys;
    size_t tag_key_count;
    /* RemovePermission: the statement, and ?RevisionId */
    const char *statement_id;
    const char *revision_id;
    /* Invoke */
    const char *invocation_type; /* RequestResponse (NULL), Event or DryRun */
    const char *log_type;        /* "Tail" or NULL */
    const char *client_context;  /* base64 JSON, or NULL */
    const char *payload;
    size_t payload_len;
} lambda_call;

typedef struct lambda_result {
    cJSON *json;         /* the result document (NULL when the operation returns none) */
    char *payload;       /* Invoke: the function's response; GET_CODE_ARCHIVE: the zip (malloc'd) */
    size_t payload_len;
    char request_id[37]; /* Invoke: the invocation's request id */
    bool function_error; /* Invoke: the function failed (X-Amz-Function-Error: Unhandled) */
    char *log_tail;      /* Invoke with LogType Tail: the last 4 KB of the log (malloc'd) */
    const char *executed_version;
} lambda_result;

typedef enum lambda_status { LAMBDA_STATUS_OK, LAMBDA_STATUS_ERROR, LAMBDA_STATUS_PENDING } lambda_status;

/* A synchronous Invoke's end: result (or err) is valid for the duration of the call and
 * freed by the service afterwards. */
typedef void (*lambda_done_fn)(lambda_result *result, const lambda_error *err, void *arg);

/* Runs one operation. OK: *result is filled (free it with lambda_result_free). PENDING: a
 * synchronous Invoke is running; done(arg) is called on the loop thread when it ends,
 * never before this returns. */
lambda_status lambda_service_call(const lambda_ctx *ctx, const lambda_call *call, lambda_result *result,
                                  lambda_error *err, lambda_done_fn done, void *arg);
void lambda_result_free(lambda_result *result);

/* AWS's name of an operation ("CreateFunction", "Invoke", ...), and what its name argument
 * is ("function", "mapping", "resource"): for log lines. */
const char *lambda_op_name(lambda_op op);

/* The metrics of the Lambda half, since start-up. */
typedef struct lambda_function_metrics {
    const char *account;
    const char *region;
    const char *name;
    const char *arn;
    const char *runtime; /* NULL for a container image */
    const char *state;   /* Pending, Active, Inactive, Failed */
    size_t environments; /* live execution environments (warm or busy) */
    size_t running;      /* invocations in progress */
    uint64_t invocations;
    uint64_t errors;    /* every invocation that did not succeed (a partial batch succeeded) */
    uint64_t throttles; /* refused or held back by reserved concurrency */
    double duration_ms_sum;
} lambda_function_metrics;

typedef struct lambda_mapping_metrics {
    const char *uuid;
    const char *function_arn;
    const char *source_arn;
    const char *state;
    uint64_t polled;        /* PolledEventCount */
    uint64_t filtered_out;  /* FilteredOutEventCount */
    uint64_t invoked;       /* InvokedEventCount */
    uint64_t failed_invoke; /* FailedInvokeEventCount */
    uint64_t deleted;       /* DeletedEventCount */
} lambda_mapping_metrics;

void lambda_metrics_each(void (*on_function)(const lambda_function_metrics *m, void *arg),
                         void (*on_mapping)(const lambda_mapping_metrics *m, void *arg), void *arg);
const char *lambda_op_addresses(lambda_op op);

#endif
