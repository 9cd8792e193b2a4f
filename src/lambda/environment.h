/* lambda/environment.h: one execution environment, shared by the three files that run it:
 * executor.c (the pool, invocations and their end), runtime_api.c (the environment's Lambda
 * Runtime API server) and process.c (the handler process, its environment variables and
 * output). Private to those files. */
#ifndef SQSEMU_LAMBDA_ENVIRONMENT_H
#define SQSEMU_LAMBDA_ENVIRONMENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "executor.h"
#include "sqsemu/buf.h"
#include "sqsemu/ids.h"
#include "sqsemu/loop.h"
#include "sqsemu/mhd_glue.h"
#include "sqsemu/timers.h"

#define MAX_RESPONSE_BYTES 6291556 /* Lambda's synchronous response limit */

typedef struct invocation {
    char request_id[UUID_STR_LEN];
    char *payload;
    size_t payload_len;
    char *invoked_arn;
    char *client_context;
    invoke_done_fn done;
    void *arg;
    int64_t start_ms;    /* monotonic: a handler runs on the machine's clock, not the test clock */
    int64_t start_us;    /* the same instant in microseconds: the REPORT line's Duration */
    int64_t deadline_ms;
    buf_t log;
    bool delivered;
    bool cold;
    int64_t init_ms;
    /* for the invocation history */
    char *trigger;
    cJSON *message_ids;
    int64_t started_at_ms; /* emulated clock when the runtime got the event */
} invocation;

typedef enum env_phase { ENV_STARTING, ENV_READY, ENV_DEAD } env_phase;

/* A Runtime API request on an environment's server. */
typedef struct rt_request {
    struct MHD_Connection *conn;
    buf_t body;
    bool suspended;
    bool released; /* resumed without an event: the environment is going away, or a newer
                      GET /next replaced this one */
} rt_request;

typedef struct environment {
    lambda_function *fn;
    unsigned generation;
    env_phase phase;
    pid_t pid;
    int port;
    struct MHD_Daemon *daemon;
    mhd_binding binding;
    int out_fd;
    int err_fd;
    loop_watch out_watch;
    loop_watch err_watch;
    buf_t out_partial;
    buf_t err_partial;
    char *code_dir; /* the code this process runs (kept until it is gone) */
    char log_stream[96];
    rt_request *waiting_next; /* a suspended GET /next */
    invocation *inv;
    sq_timer deadline_timer;
    sq_timer idle_timer;
    int64_t spawned_ms;
    bool retire;
    bool exited;
    bool shutting_down;
    bool destroying;
    struct environment *next;
} environment;

/* ---- executor.c ---- */
/* Appends a line to inv's log (when inv is set) and to sqsemu's log, named by function and request. */
void invocation_log(environment *env, invocation *inv, const char *line);
/* Ends env's invocation with a result (payload is taken over). */
void invocation_finish(environment *env, bool function_error, char *payload, size_t len);
/* Ends env's invocation with an {errorType, errorMessage} document; message_fmt gets the
 * request id and detail. */
void invocation_fail(environment *env, const char *type, const char *message_fmt, const char *detail);
/* The invocation was handed to the runtime: its timeout runs until deadline_ms (monotonic). */
void env_arm_deadline(environment *env, int64_t deadline_ms);
/* Nothing to do: wait for the next invocation, or stop if the function changed. */
void env_make_idle(environment *env);
/* Stops the environment; its memory goes once the process is reaped and the server is down. */
void env_shutdown(environment *env);

/* ---- runtime_api.c ---- */
bool runtime_api_start(environment *env);
/* Hands the pending invocation to a runtime blocked in GET /next, if both exist. */
void runtime_api_dispatch(environment *env);
void runtime_api_stop(environment *env);

/* ---- process.c ---- */
bool process_spawn(environment *env);
/* Reads what the handler has written so far into the current invocation's log. */
void process_drain_output(environment *env);
void process_close_output(environment *env);
void process_log_stream_name(char out[96]);

#endif
