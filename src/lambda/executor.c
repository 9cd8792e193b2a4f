/* lambda/executor: the pool of execution environments and the invocations they run.
 *
 * How it lives: an environment (environment.h) is a handler process (process.c) with its
 * own Lambda Runtime API server (runtime_api.c). It runs one invocation at a time and stays
 * warm for the idle timeout; concurrency means more environments. executor_invoke picks a
 * warm environment of the function's current generation (one parked in GET /next first)
 * or starts a new one (a cold start, with an init timeout). An invocation ends exactly once,
 * through invocation_finish: by the runtime's answer, its timeout (the process group is
 * killed), the process exiting, or the environment failing to start. An environment is
 * destroyed only after its process is reaped; a changed or deleted function retires its
 * environments as soon as they are idle. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "environment.h"
#include "history.h"
#include "settings.h"
#include "sqsemu/clock.h"
#include "sqsemu/log.h"
#include "sqsemu/logs.h"

#define INIT_TIMEOUT_MS 10000
#define LOG_TAIL_BYTES 4096
#define LOG_KEEP_BYTES (4 * LOG_TAIL_BYTES) /* an invocation's log is only ever read for its tail */

static environment *all_envs;


/* ---- ending an invocation ---- */

void invocation_log(environment *env, invocation *inv, const char *line)
{
    if (inv) {
        buf_puts(&inv->log, line);
        buf_putc(&inv->log, '\n');
        if (inv->log.len > 2 * LOG_KEEP_BYTES) {
            memmove(inv->log.data, inv->log.data + inv->log.len - LOG_KEEP_BYTES, LOG_KEEP_BYTES + 1);
            inv->log.len = LOG_KEEP_BYTES;
        }
    }
    log_info("[%s %s] %s", env->fn->name, inv ? inv->request_id : "-", line);
    char group[200];
    snprintf(group, sizeof group, "/aws/lambda/%s", env->fn->name);
    logs_put(env->fn->account, env->fn->region, group, env->log_stream, clock_now_ms(), line);
}

void invocation_finish(environment *env, bool function_error, char *payload, size_t len)
{
    invocation *inv = env->inv;
    if (!inv)
        return;
    /* What the handler printed before answering is already in the pipes: read it into
     * this invocation's log before the END line. */
    process_drain_output(env);
    env->inv = NULL;
    timers_cancel(loop_real_timers(), &env->deadline_timer);
    char line[512];
    snprintf(line, sizeof line, "END RequestId: %s", inv->request_id);
    invocation_log(env, inv, line);
    double duration = inv->delivered ? (double)(clock_monotonic_us() - inv->start_us) / 1000.0 : 0.0;
    int n = snprintf(line, sizeof line,
                     "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\tMemory Size: %lld MB\tMax "
                     "Memory Used: %lld MB\t",
                     inv->request_id, duration, (long long)(duration + 0.999), (long long)function_int(env->fn, "MemorySize"),
                     (long long)function_int(env->fn, "MemorySize"));
    if (inv->cold && n > 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, "Init Duration: %.2f ms\t", (double)inv->init_ms);
    invocation_log(env, inv, line);
    invoke_outcome outcome = {
        .function_error = function_error,
        .payload = payload,
        .payload_len = len,
        .log = buf_detach(&inv->log, NULL),
    };
    memcpy(outcome.request_id, inv->request_id, sizeof outcome.request_id);
    history_invocation record = {
        .request_id = inv->request_id,
        .trigger = inv->trigger,
        .message_ids = inv->message_ids,
        .start_ms = inv->started_at_ms,
        .duration_ms = duration,
        .function_error = function_error,
        .payload = payload,
        .payload_len = len,
        .log = outcome.log,
    };
    history_record(env->fn, &record);
    function_invocation_ended(env->fn);
    inv->done(&outcome, inv->arg);
    free(outcome.payload);
    free(outcome.log);
    free(inv->payload);
    free(inv->invoked_arn);
    free(inv->client_context);
    free(inv->trigger);
    cJSON_Delete(inv->message_ids);
    free(inv);
}

void invocation_fail(environment *env, const char *type, const char *message_fmt, const char *detail)
{
    invocation *inv = env->inv;
    if (!inv)
        return;
    char message[512];
    snprintf(message, sizeof message, message_fmt, inv->request_id, detail ? detail : "");
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "errorType", type);
    cJSON_AddStringToObject(doc, "errorMessage", message);
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    char line[640];
    snprintf(line, sizeof line, "%s", message);
    invocation_log(env, inv, line);
    invocation_finish(env, true, text, strlen(text));
}

/* ---- environment lifecycle ---- */

static void env_destroy(environment *env);

static void env_kill(environment *env)
{
    if (env->pid > 0 && !env->exited)
        kill(-env->pid, SIGKILL);
}

static void destroy_later(void *arg)
{
    env_destroy(arg);
}

void env_shutdown(environment *env)
{
    if (env->shutting_down)
        return;
    env->shutting_down = true;
    env->phase = ENV_DEAD;
    timers_cancel(loop_timers(), &env->idle_timer);
    timers_cancel(loop_real_timers(), &env->deadline_timer);
    env_kill(env);
    if (!env->destroying) {
        env->destroying = true;
        loop_defer(destroy_later, env);
    }
}

static void on_idle(void *arg)
{
    environment *env = arg;
    log_debug("[%s] stopping idle environment (pid %d)", env->fn->name, env->pid);
    env_shutdown(env);
}

static void on_deadline(void *arg)
{
    environment *env = arg;
    invocation *inv = env->inv;
    if (!inv)
        return;
    double seconds = (double)function_int(env->fn, "Timeout");
    char detail[64];
    snprintf(detail, sizeof detail, "%.2f", seconds);
    env_shutdown(env); /* first: nothing may hand this environment new work */
    invocation_fail(env, "Sandbox.Timedout", "RequestId: %s Error: Task timed out after %s seconds", detail);
}

static void on_init_timeout(void *arg)
{
    environment *env = arg;
    if (env->phase != ENV_STARTING)
        return;
    env_shutdown(env);
    invocation_fail(env, "Runtime.InitTimeout", "RequestId: %s Error: Runtime failed to start within %s seconds", "10");
}

void env_arm_deadline(environment *env, int64_t deadline_ms)
{
    timers_arm(loop_real_timers(), &env->deadline_timer, deadline_ms, on_deadline, env);
}

void env_make_idle(environment *env)
{
    if (env->inv)
        return; /* already given its next invocation */
    if (env->retire || env->generation != env->fn->generation || env->fn->deleted) {
        env_shutdown(env);
        return;
    }
    int idle_s = lambda_config()->idle_timeout_s;
    timers_arm(loop_timers(), &env->idle_timer, clock_now_ms() + (int64_t)idle_s * 1000, on_idle, env);
}

/* ---- Runtime API responses ---- */

static environment *env_create(lambda_function *f)
{
    environment *env = xcalloc(1, sizeof *env);
    env->fn = f;
    env->generation = f->generation;
    env->phase = ENV_STARTING;
    env->out_fd = env->err_fd = -1;
    env->pid = -1;
    env->spawned_ms = clock_monotonic_ms();
    buf_init(&env->out_partial);
    buf_init(&env->err_partial);
    process_log_stream_name(env->log_stream);
    env->next = all_envs;
    all_envs = env;
    function_env_opened(f);
    if (!runtime_api_start(env) || !process_spawn(env)) {
        env->phase = ENV_DEAD;
        return env;
    }
    log_debug("[%s] started environment pid %d, runtime API 127.0.0.1:%d", f->name, env->pid, env->port);
    timers_arm(loop_real_timers(), &env->deadline_timer, env->spawned_ms + INIT_TIMEOUT_MS, on_init_timeout, env);
    return env;
}

static void env_unlink(environment *env)
{
    for (environment **link = &all_envs; *link; link = &(*link)->next) {
        if (*link == env) {
            *link = env->next;
            return;
        }
    }
}

static void env_destroy(environment *env)
{
    env->destroying = false;
    if (env->inv) {
        if (env->pid <= 0)
            invocation_fail(env, "Runtime.InvalidEntrypoint", "RequestId: %s Error: %s",
                         "the runtime process could not be started");
        else
            invocation_fail(env, "Runtime.ExitError", "RequestId: %s Error: Runtime exited without providing a reason%s",
                         "");
    }
    if (env->pid > 0 && !env->exited)
        return; /* wait for the process to be reaped (SIGKILL was sent) */
    runtime_api_stop(env);
    process_close_output(env);
    timers_cancel(loop_timers(), &env->idle_timer);
    timers_cancel(loop_real_timers(), &env->deadline_timer);
    buf_free(&env->out_partial);
    buf_free(&env->err_partial);
    env_unlink(env);
    lambda_function *f = env->fn;
    char *code_dir = env->code_dir;
    free(env);
    function_env_closed(f, code_dir); /* may free f */
    free(code_dir);
}

static void on_child_exit(int pid, int status)
{
    for (environment *env = all_envs; env; env = env->next) {
        if (env->pid != pid)
            continue;
        /* Whatever the handler started goes with it (its process group). */
        kill(-pid, SIGKILL);
        env->exited = true;
        env->phase = ENV_DEAD;
        process_drain_output(env);
        if (env->inv) {
            char detail[64] = "";
            if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
                snprintf(detail, sizeof detail, "exit status %d", WEXITSTATUS(status));
            else if (WIFSIGNALED(status))
                snprintf(detail, sizeof detail, "signal: %s", strsignal(WTERMSIG(status)));
            if (*detail)
                invocation_fail(env, "Runtime.ExitError", "RequestId: %s Error: Runtime exited with error: %s", detail);
            else
                invocation_fail(env, "Runtime.ExitError", "RequestId: %s Error: Runtime exited without providing a "
                                                       "reason%s", "");
        }
        if (!env->destroying) {
            env->destroying = true;
            loop_defer(destroy_later, env);
        }
        return;
    }
}

/* ---- public ---- */

static void fail_unstarted(void *arg)
{
    env_destroy(arg);
}

void executor_invoke(lambda_function *f, const invoke_request *req, invoke_done_fn done, void *arg)
{
    invocation *inv = xcalloc(1, sizeof *inv);
    if (req->request_id)
        snprintf(inv->request_id, sizeof inv->request_id, "%s", req->request_id);
    else
        ids_uuid(inv->request_id);
    inv->payload = xmalloc(req->payload_len + 1);
    memcpy(inv->payload, req->payload, req->payload_len);
    inv->payload_len = req->payload_len;
    inv->invoked_arn = xstrdup(req->invoked_arn ? req->invoked_arn : f->arn);
    inv->client_context = req->client_context ? xstrdup(req->client_context) : NULL;
    inv->trigger = xstrdup(req->trigger ? req->trigger : "Invoke");
    inv->message_ids = req->message_ids ? cJSON_Duplicate(req->message_ids, true) : NULL;
    inv->started_at_ms = clock_now_ms();
    inv->done = done;
    inv->arg = arg;
    buf_init(&inv->log);
    function_invocation_began(f);
    /* A warm environment blocked in GET /next first; then one that has answered but not yet
     * asked for more (its deadline runs from now, so a runtime that never asks again
     * cannot hold the invocation forever). */
    environment *env = NULL;
    for (int pass = 0; pass < 2 && !env; pass++) {
        for (environment *e = all_envs; e && !env; e = e->next) {
            bool usable = e->fn == f && e->phase != ENV_DEAD && !e->inv && !e->retire && e->generation == f->generation;
            if (usable && (pass == 1 || e->waiting_next))
                env = e;
        }
    }
    if (env) {
        timers_cancel(loop_timers(), &env->idle_timer);
        env->inv = inv;
        if (env->phase == ENV_READY && !env->waiting_next)
            env_arm_deadline(env, clock_monotonic_ms() + function_int(f, "Timeout") * 1000);
        runtime_api_dispatch(env);
        return;
    }
    env = env_create(f);
    inv->cold = true;
    env->inv = inv;
    if (env->phase == ENV_DEAD) {
        env->destroying = true;
        loop_defer(fail_unstarted, env);
    }
}

bool executor_dir_in_use(const char *dir)
{
    for (environment *env = all_envs; env; env = env->next) {
        if (env->code_dir && strcmp(env->code_dir, dir) == 0)
            return true;
    }
    return false;
}

void executor_retire(lambda_function *f)
{
    for (environment *env = all_envs; env; env = env->next) {
        if (env->fn != f)
            continue;
        env->retire = true;
        if (!env->inv)
            env_shutdown(env);
    }
}

void executor_stop_function(lambda_function *f, const char *reason)
{
    for (environment *env = all_envs; env; env = env->next) {
        if (env->fn != f)
            continue;
        env->retire = true;
        env_shutdown(env); /* first: nothing may hand this environment new work */
        invocation_fail(env, "Sandbox.Stopped", "RequestId: %s Error: %s", reason);
    }
}

bool executor_start(void)
{
    loop_set_child_handler(on_child_exit);
    return true;
}

void executor_stop(void)
{
    for (environment *env = all_envs; env; env = env->next) {
        env_kill(env);
        env->phase = ENV_DEAD;
    }
    /* Reap every process we started (SIGKILL was sent; bounded to 5 s), then release all. */
    int64_t deadline = clock_monotonic_ms() + 5000;
    for (environment *env = all_envs; env; env = env->next) {
        while (env->pid > 0 && !env->exited && clock_monotonic_ms() < deadline) {
            int status;
            pid_t r = waitpid(env->pid, &status, WNOHANG);
            if (r == env->pid || (r < 0 && errno == ECHILD))
                env->exited = true;
            else
                nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        }
        env->exited = true;
    }
    while (all_envs)
        env_destroy(all_envs);
    loop_set_child_handler(NULL);
}