/* lambda/executor.h: running invocations in execution environments (executor.c, with
 * runtime_api.c and process.c behind it). */
#ifndef SQSEMU_LAMBDA_EXECUTOR_H
#define SQSEMU_LAMBDA_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "function.h"

typedef struct invoke_outcome {
    bool function_error; /* X-Amz-Function-Error: Unhandled */
    char *payload;       /* response or error document (malloc'd) */
    size_t payload_len;
    char *log; /* the invocation's log text (malloc'd), START..REPORT */
    char request_id[37];
} invoke_outcome;

typedef void (*invoke_done_fn)(invoke_outcome *outcome, void *arg);

typedef struct invoke_request {
    const char *payload;
    size_t payload_len;
    const char *invoked_arn;    /* ARN reported to the runtime */
    const char *client_context; /* decoded JSON text or NULL */
    const char *request_id;     /* NULL: a new one */
    /* For the invocation history: what started it ("Invoke", "Event" or a mapping's UUID;
     * NULL: "Invoke") and a batch's messageIds (borrowed, copied). */
    const char *trigger;
    const cJSON *message_ids;
} invoke_request;

/* Runs one invocation of f; done(outcome, arg) is called on the loop thread when it ends
 * (never before this returns). The outcome is freed after done returns. */
void executor_invoke(lambda_function *f, const invoke_request *req, invoke_done_fn done, void *arg);
/* True while an execution environment runs code from dir. */
bool executor_dir_in_use(const char *dir);
/* Stops f's idle environments and marks busy ones to stop after their invocation. */
void executor_retire(lambda_function *f);
/* Stops all of f's environments now, busy or not: a running invocation ends with a
 * Sandbox.Stopped error saying reason. */
void executor_stop_function(lambda_function *f, const char *reason);
bool executor_start(void);
void executor_stop(void);

#endif
