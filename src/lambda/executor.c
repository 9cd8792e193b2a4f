/* lambda/executor: execution environments. Each one is a handler process (python or node
 * through the shipped runtime clients, or a custom `bootstrap`) with its own Lambda Runtime
 * API server on 127.0.0.1. An environment runs one invocation at a time and stays warm;
 * concurrency means more environments. Timeouts kill the process group; crashes and init
 * errors fail the invocation; stdout/stderr are logged line by line per request. */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lambda_internal.h"
#include "sqsemu/auth.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/ids.h"
#include "sqsemu/log.h"
#include "sqsemu/loop.h"
#include "sqsemu/mhd_glue.h"

#define INIT_TIMEOUT_MS 10000
#define MAX_RESPONSE_BYTES 6291556
#define LOG_TAIL_BYTES 4096
#define LOG_KEEP_BYTES (4 * LOG_TAIL_BYTES) /* an invocation's log is only ever read for its tail */
#define MAX_LINE_BYTES 65536                /* a longer line without a newline is logged in pieces */
#define RUNTIME_PREFIX "/2018-06-01/runtime"

void functions_release(lambda_function *f);
void functions_code_released(lambda_function *f, const char *dir);

typedef struct invocation {
    char request_id[UUID_STR_LEN];
    char *payload;
    size_t payload_len;
    char *invoked_arn;
    char *client_context;
    invoke_done_fn done;
    void *arg;
    int64_t start_ms;    /* monotonic: a handler runs on the machine's clock, not the test clock */
    int64_t deadline_ms;
    buf_t log;
    bool delivered;
    bool cold;
    int64_t init_ms;
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

static environment *all_envs;

/* ---- invocation results ---- */

static void inv_log_line(environment *env, invocation *inv, const char *line)
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
}

static void drain_output(environment *env);

static void finish(environment *env, bool function_error, char *payload, size_t len)
{
    invocation *inv = env->inv;
    if (!inv)
        return;
    /* What the handler printed before answering is already in the pipes: read it into
     * this invocation's log before the END line. */
    drain_output(env);
    env->inv = NULL;
    timers_cancel(loop_real_timers(), &env->deadline_timer);
    int64_t now = clock_monotonic_ms();
    char line[512];
    snprintf(line, sizeof line, "END RequestId: %s", inv->request_id);
    inv_log_line(env, inv, line);
    double duration = inv->delivered ? (double)(now - inv->start_ms) : 0.0;
    int n = snprintf(line, sizeof line,
                     "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\tMemory Size: %lld MB\tMax "
                     "Memory Used: %lld MB\t",
                     inv->request_id, duration, (long long)(duration + 0.999), (long long)function_int(env->fn, "MemorySize"),
                     (long long)function_int(env->fn, "MemorySize"));
    if (inv->cold && n > 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, "Init Duration: %.2f ms\t", (double)inv->init_ms);
    inv_log_line(env, inv, line);
    invoke_outcome outcome = {
        .function_error = function_error,
        .payload = payload,
        .payload_len = len,
        .log = buf_detach(&inv->log, NULL),
    };
    memcpy(outcome.request_id, inv->request_id, sizeof outcome.request_id);
    env->fn->running--;
    inv->done(&outcome, inv->arg);
    free(outcome.payload);
    free(outcome.log);
    free(inv->payload);
    free(inv->invoked_arn);
    free(inv->client_context);
    free(inv);
}

static void finish_error(environment *env, const char *type, const char *message_fmt, const char *detail)
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
    inv_log_line(env, inv, line);
    finish(env, true, text, strlen(text));
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

/* Stops an environment; its memory goes once the process is reaped and the server is down. */
static void env_shutdown(environment *env)
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
    finish_error(env, "Sandbox.Timedout", "RequestId: %s Error: Task timed out after %s seconds", detail);
}

static void on_init_timeout(void *arg)
{
    environment *env = arg;
    if (env->phase != ENV_STARTING)
        return;
    env_shutdown(env);
    finish_error(env, "Runtime.InitTimeout", "RequestId: %s Error: Runtime failed to start within %s seconds", "10");
}

static void make_idle(environment *env)
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

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *body)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_invocation(environment *env, struct MHD_Connection *conn)
{
    invocation *inv = env->inv;
    int64_t now = clock_monotonic_ms();
    if (!inv->delivered) {
        inv->delivered = true;
        inv->start_ms = now;
        inv->deadline_ms = now + function_int(env->fn, "Timeout") * 1000;
        if (inv->cold)
            inv->init_ms = now - env->spawned_ms;
        timers_arm(loop_real_timers(), &env->deadline_timer, inv->deadline_ms, on_deadline, env);
        char line[128];
        snprintf(line, sizeof line, "START RequestId: %s Version: $LATEST", inv->request_id);
        inv_log_line(env, inv, line);
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(inv->payload_len, inv->payload, MHD_RESPMEM_MUST_COPY);
    char deadline[32];
    /* The handler's deadline in its own (the machine's) wall-clock time. */
    snprintf(deadline, sizeof deadline, "%lld", (long long)(clock_real_ms() + (inv->deadline_ms - clock_monotonic_ms())));
    char trace[128];
    unsigned char rnd[12];
    ids_random(rnd, sizeof rnd);
    snprintf(trace, sizeof trace, "Root=1-%08llx-%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x;Sampled=0",
             (unsigned long long)(now / 1000), rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], rnd[8],
             rnd[9], rnd[10], rnd[11]);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Lambda-Runtime-Aws-Request-Id", inv->request_id);
    MHD_add_response_header(resp, "Lambda-Runtime-Deadline-Ms", deadline);
    MHD_add_response_header(resp, "Lambda-Runtime-Invoked-Function-Arn", inv->invoked_arn);
    MHD_add_response_header(resp, "Lambda-Runtime-Trace-Id", trace);
    if (inv->client_context)
        MHD_add_response_header(resp, "Lambda-Runtime-Client-Context", inv->client_context);
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Answers the parked GET /next without an event (410) and forgets it. */
static void release_next(environment *env)
{
    rt_request *next = env->waiting_next;
    if (!next)
        return;
    env->waiting_next = NULL;
    next->released = true;
    next->suspended = false;
    MHD_resume_connection(next->conn);
    mhd_kick(&env->binding);
}

/* Gives the pending invocation to a runtime blocked in GET /next, if both exist. */
static void dispatch(environment *env)
{
    if (!env->inv || env->inv->delivered || !env->waiting_next)
        return;
    rt_request *next = env->waiting_next;
    env->waiting_next = NULL;
    next->suspended = false;
    MHD_resume_connection(next->conn);
    mhd_kick(&env->binding);
}

static bool request_id_matches(environment *env, const char *url, const char *suffix)
{
    const char *prefix = RUNTIME_PREFIX "/invocation/";
    size_t plen = strlen(prefix), slen = strlen(suffix), ulen = strlen(url);
    if (!env->inv || !env->inv->delivered || ulen <= plen + slen || strncmp(url, prefix, plen) != 0)
        return false;
    return ulen - plen - slen == strlen(env->inv->request_id) &&
           strncmp(url + plen, env->inv->request_id, ulen - plen - slen) == 0 && strcmp(url + ulen - slen, suffix) == 0;
}

static enum MHD_Result handle_result(environment *env, struct MHD_Connection *conn, rt_request *req, bool error)
{
    if (req->body.len > MAX_RESPONSE_BYTES) {
        enum MHD_Result ret =
            reply(conn, 413, "{\"errorMessage\":\"Exceeded maximum allowed payload size (6291556 bytes).\","
                             "\"errorType\":\"RequestEntityTooLarge\"}");
        finish_error(env, "Function.ResponseSizeTooLarge",
                     "RequestId: %s Error: Response payload size exceeded maximum allowed payload size (6291556 "
                     "bytes).%s", "");
        make_idle(env);
        return ret;
    }
    size_t len = 0;
    char *payload = buf_detach(&req->body, &len);
    if (error && len == 0) {
        free(payload);
        const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Lambda-Runtime-Function-Error-Type");
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "errorType", type ? type : "Runtime.Unknown");
        cJSON_AddStringToObject(doc, "errorMessage", "");
        payload = cJSON_PrintUnformatted(doc);
        len = strlen(payload);
        cJSON_Delete(doc);
    }
    enum MHD_Result ret = reply(conn, 202, "{\"status\":\"OK\"}");
    finish(env, error, payload, len);
    make_idle(env);
    return ret;
}

static enum MHD_Result handle_init_error(environment *env, struct MHD_Connection *conn, rt_request *req)
{
    if (env->phase != ENV_STARTING)
        return reply(conn, 403, "{\"errorMessage\":\"State transition from Ready to InitError failed for runtime.\","
                                "\"errorType\":\"InvalidStateTransition\"}");
    size_t len = 0;
    char *payload = buf_detach(&req->body, &len);
    enum MHD_Result ret = reply(conn, 202, "{\"status\":\"OK\"}");
    if (env->inv) {
        char line[160];
        snprintf(line, sizeof line, "INIT_REPORT Init Duration: %lld ms Phase: init Status: error",
                 (long long)(clock_monotonic_ms() - env->spawned_ms));
        inv_log_line(env, env->inv, line);
        finish(env, true, payload, len);
    } else {
        free(payload);
    }
    env_shutdown(env);
    return ret;
}

static enum MHD_Result on_runtime_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                          const char *version, const char *upload_data, size_t *upload_size,
                                          void **req_cls)
{
    (void)version;
    environment *env = cls;
    rt_request *req = *req_cls;
    if (!req) {
        req = xcalloc(1, sizeof *req);
        req->conn = conn;
        buf_init(&req->body);
        *req_cls = req;
        return MHD_YES;
    }
    if (*upload_size) {
        if (req->body.len <= MAX_RESPONSE_BYTES)
            buf_append(&req->body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (req->released || env->phase == ENV_DEAD)
        return reply(conn, 410, "{\"errorMessage\":\"This request was replaced or the environment is shutting "
                                "down.\",\"errorType\":\"Gone\"}");
    if (strcmp(method, "GET") == 0 && strcmp(url, RUNTIME_PREFIX "/invocation/next") == 0) {
        if (env->phase == ENV_STARTING) {
            env->phase = ENV_READY;
            timers_cancel(loop_real_timers(), &env->deadline_timer);
        }
        if (env->inv && !env->inv->delivered)
            return send_invocation(env, conn);
        if (env->inv && env->inv->delivered) /* asked again without answering: AWS treats it as done */
            finish_error(env, "Runtime.InvalidResponse", "RequestId: %s Error: Runtime asked for the next event%s",
                         " without answering this one");
        if (env->inv == NULL)
            make_idle(env);
        if (env->waiting_next && env->waiting_next != req)
            release_next(env); /* only the newest GET /next waits for the event */
        req->suspended = true;
        env->waiting_next = req;
        MHD_suspend_connection(conn);
        return MHD_YES;
    }
    if (strcmp(method, "POST") == 0 && strcmp(url, RUNTIME_PREFIX "/init/error") == 0)
        return handle_init_error(env, conn, req);
    if (strcmp(method, "POST") == 0 && request_id_matches(env, url, "/response"))
        return handle_result(env, conn, req, false);
    if (strcmp(method, "POST") == 0 && request_id_matches(env, url, "/error"))
        return handle_result(env, conn, req, true);
    if (strcmp(method, "POST") == 0 && strncmp(url, RUNTIME_PREFIX "/invocation/", strlen(RUNTIME_PREFIX) + 12) == 0)
        return reply(conn, 400, "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
    return reply(conn, 404, "{\"errorMessage\":\"Unknown Runtime API path\",\"errorType\":\"NotFound\"}");
}

static void on_runtime_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                                 enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    environment *env = cls;
    rt_request *req = *req_cls;
    if (!req)
        return;
    if (env->waiting_next == req)
        env->waiting_next = NULL;
    buf_free(&req->body);
    free(req);
    *req_cls = NULL;
}

/* ---- handler output ---- */

static void emit_lines(environment *env, buf_t *partial, bool flush_all)
{
    char *start = partial->data;
    if (!start)
        return;
    char *end = partial->data + partial->len;
    char *nl;
    while ((nl = memchr(start, '\n', (size_t)(end - start)))) {
        *nl = '\0';
        inv_log_line(env, env->inv, start);
        start = nl + 1;
    }
    if (flush_all && start < end) {
        inv_log_line(env, env->inv, start);
        start = end;
    }
    size_t rest = (size_t)(end - start);
    memmove(partial->data, start, rest);
    partial->len = rest;
    partial->data[rest] = '\0';
}

static void read_output(environment *env, int *fd, loop_watch *watch, buf_t *partial)
{
    char chunk[4096];
    for (;;) {
        ssize_t n = read(*fd, chunk, sizeof chunk);
        if (n > 0) {
            buf_append(partial, chunk, (size_t)n);
            emit_lines(env, partial, partial->len > MAX_LINE_BYTES);
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            emit_lines(env, partial, true);
            loop_unwatch_fd(watch);
            close(*fd);
            *fd = -1;
        }
        return;
    }
}

static void drain_output(environment *env)
{
    if (env->out_fd >= 0)
        read_output(env, &env->out_fd, &env->out_watch, &env->out_partial);
    if (env->err_fd >= 0)
        read_output(env, &env->err_fd, &env->err_watch, &env->err_partial);
}

static void on_stdout(void *arg, uint32_t events)
{
    (void)events;
    environment *env = arg;
    if (env->out_fd >= 0) /* drain_output may have closed it earlier in this pass */
        read_output(env, &env->out_fd, &env->out_watch, &env->out_partial);
}

static void on_stderr(void *arg, uint32_t events)
{
    (void)events;
    environment *env = arg;
    if (env->err_fd >= 0)
        read_output(env, &env->err_fd, &env->err_watch, &env->err_partial);
}

/* ---- spawning ---- */

typedef struct env_vars {
    char **items;
    size_t count;
} env_vars;

static void env_set(env_vars *v, const char *name, const char *value)
{
    size_t nlen = strlen(name);
    for (size_t i = 0; i < v->count; i++) {
        if (strncmp(v->items[i], name, nlen) == 0 && v->items[i][nlen] == '=') {
            free(v->items[i]);
            v->items[i] = NULL;
            v->items[i] = xmalloc(nlen + strlen(value) + 2);
            sprintf(v->items[i], "%s=%s", name, value);
            return;
        }
    }
    v->items = xrealloc(v->items, (v->count + 2) * sizeof *v->items);
    v->items[v->count] = xmalloc(nlen + strlen(value) + 2);
    sprintf(v->items[v->count], "%s=%s", name, value);
    v->count++;
    v->items[v->count] = NULL;
}

static void env_vars_free(env_vars *v)
{
    for (size_t i = 0; i < v->count; i++)
        free(v->items[i]);
    free(v->items);
}

static bool runtime_is(const lambda_function *f, const char *prefix)
{
    const char *runtime = function_string(f, "Runtime");
    return runtime && strncmp(runtime, prefix, strlen(prefix)) == 0;
}

/* env_set with a printf-formatted value (any length). */
static void env_setf(env_vars *v, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void env_setf(env_vars *v, const char *name, const char *fmt, ...)
{
    buf_t b;
    buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    env_set(v, name, b.data ? b.data : "");
    buf_free(&b);
}

/* The handler process's whole environment (Lambda's "Defined runtime environment
 * variables"; the list is in docs/lambda-semantics.md), nothing of sqsemu's own. Three
 * layers: defaults a user may override, the user's Environment.Variables, then the
 * reserved variables, which always win (CreateFunction rejects them as user keys). */
static void build_environment(const environment *env, env_vars *v)
{
    const lambda_function *f = env->fn;
    const lambda_settings *cfg = lambda_config();
    const char *task_root = function_code_dir(f);
    const char *host_path = getenv("PATH");
    const char *host_ld = getenv("LD_LIBRARY_PATH");

    env_set(v, "AWS_ENDPOINT_URL", cfg->endpoint_url);
    env_set(v, "AWS_DEFAULT_REGION", f->region);
    env_set(v, "AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR");
    env_set(v, "TZ", ":UTC");
    env_set(v, "LANG", "en_US.UTF-8");
    env_set(v, "PATH", host_path ? host_path : "/usr/local/bin:/usr/bin:/bin");
    env_setf(v, "LD_LIBRARY_PATH", "%s%s%s/lib", host_ld ? host_ld : "", host_ld ? ":" : "", task_root);
    if (runtime_is(f, "python"))
        env_setf(v, "PYTHONPATH", "%s:%s/python", task_root, cfg->runtimes_dir);
    if (runtime_is(f, "nodejs"))
        env_setf(v, "NODE_PATH", "%s/node_modules:%s", task_root, task_root);

    const cJSON *vars = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f->record, "Environment"),
                                                         "Variables");
    const cJSON *var;
    cJSON_ArrayForEach(var, vars)
    {
        if (cJSON_IsString(var))
            env_set(v, var->string, var->valuestring);
    }

    env_setf(v, "AWS_LAMBDA_RUNTIME_API", "127.0.0.1:%d", env->port);
    env_set(v, "_HANDLER", function_string(f, "Handler") ? function_string(f, "Handler") : "");
    env_set(v, "LAMBDA_TASK_ROOT", task_root);
    env_set(v, "LAMBDA_RUNTIME_DIR", cfg->runtimes_dir);
    env_set(v, "AWS_LAMBDA_FUNCTION_NAME", f->name);
    env_set(v, "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    env_setf(v, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "%lld", (long long)function_int(f, "MemorySize"));
    env_setf(v, "AWS_LAMBDA_FUNCTION_TIMEOUT", "%lld", (long long)function_int(f, "Timeout"));
    env_set(v, "AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    env_setf(v, "AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/%s", f->name);
    env_set(v, "AWS_LAMBDA_LOG_STREAM_NAME", env->log_stream);
    env_set(v, "AWS_REGION", f->region);
    if (!runtime_is(f, "provided"))
        env_setf(v, "AWS_EXECUTION_ENV", "AWS_Lambda_%s", function_string(f, "Runtime"));
    /* A 12-digit access key makes sqsemu attribute the handler's own SDK calls to the
     * function's account. */
    const char *access_key = f->account, *secret = "sqsemu";
    auth_handler_credentials(f->account, &access_key, &secret); /* with --auth: a real key of the account */
    env_set(v, "AWS_ACCESS_KEY_ID", access_key);
    env_set(v, "AWS_SECRET_ACCESS_KEY", secret);
    env_set(v, "AWS_SESSION_TOKEN", "sqsemu");
}

static bool spawn_process(environment *env)
{
    const lambda_function *f = env->fn;
    const char *task_root = function_code_dir(f);
    env->code_dir = xstrdup(task_root ? task_root : "");
    char script[1024], bootstrap[1024];
    const char *handler = function_string(f, "Handler") ? function_string(f, "Handler") : "";
    char *argv[5] = {0};
    bool hot_reload = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f->record, "HotReload"));
    if (runtime_is(f, "python")) {
        snprintf(script, sizeof script, "%s/python/bootstrap.py", lambda_config()->runtimes_dir);
        /* -B: no __pycache__ in a directory the user edits (a stale .pyc would hide edits). */
        int i = 0;
        argv[i++] = "python3";
        if (hot_reload)
            argv[i++] = "-B";
        argv[i++] = script, argv[i++] = (char *)handler;
    } else if (runtime_is(f, "nodejs")) {
        snprintf(script, sizeof script, "%s/node/bootstrap.mjs", lambda_config()->runtimes_dir);
        argv[0] = "node", argv[1] = script, argv[2] = (char *)handler;
    } else {
        snprintf(bootstrap, sizeof bootstrap, "%s/bootstrap", task_root);
        argv[0] = bootstrap;
    }
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0)
        return false;
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    posix_spawn_file_actions_addchdir_np(&actions, task_root);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigfillset(&defaults); /* nothing sqsemu ignores (SIGPIPE, or SIGHUP under nohup) stays ignored */
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    env_vars vars = {0};
    build_environment(env, &vars);
    int rc = argv[0][0] == '/' ? posix_spawn(&env->pid, argv[0], &actions, &attr, argv, vars.items)
                               : posix_spawnp(&env->pid, argv[0], &actions, &attr, argv, vars.items);
    env_vars_free(&vars);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        log_warn("[%s] cannot start %s: %s", f->name, argv[0], strerror(rc));
        env->pid = -1;
        return false;
    }
    fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
    env->out_fd = out_pipe[0];
    env->err_fd = err_pipe[0];
    loop_watch_fd(&env->out_watch, env->out_fd, EPOLLIN, on_stdout, env);
    loop_watch_fd(&env->err_watch, env->err_fd, EPOLLIN, on_stderr, env);
    return true;
}

static bool start_runtime_api(environment *env)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    env->daemon = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, on_runtime_request, env,
                                   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                   MHD_OPTION_NOTIFY_COMPLETED, on_runtime_completed, env,
                                   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)0,
                                   MHD_OPTION_END);
    if (!env->daemon)
        return false;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(env->daemon, MHD_DAEMON_INFO_BIND_PORT);
    env->port = info ? info->port : 0;
    if (!env->port || !mhd_bind(&env->binding, env->daemon)) {
        MHD_stop_daemon(env->daemon);
        env->daemon = NULL;
        return false;
    }
    return true;
}

static void make_log_stream(char out[96])
{
    unsigned char rnd[16];
    ids_random(rnd, sizeof rnd);
    time_t now = (time_t)(clock_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    int n = snprintf(out, 96, "%04d/%02d/%02d/[$LATEST]", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    for (int i = 0; i < 16 && n > 0 && n < 90; i++)
        n += snprintf(out + n, 96 - (size_t)n, "%02x", rnd[i]);
}

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
    make_log_stream(env->log_stream);
    env->next = all_envs;
    all_envs = env;
    f->env_count++;
    if (!start_runtime_api(env) || !spawn_process(env)) {
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
            finish_error(env, "Runtime.InvalidEntrypoint", "RequestId: %s Error: %s",
                         "the runtime process could not be started");
        else
            finish_error(env, "Runtime.ExitError", "RequestId: %s Error: Runtime exited without providing a reason%s",
                         "");
    }
    if (env->pid > 0 && !env->exited)
        return; /* wait for the process to be reaped (SIGKILL was sent) */
    if (env->daemon) {
        if (env->waiting_next) {
            env->waiting_next->released = true;
            env->waiting_next->suspended = false;
            MHD_resume_connection(env->waiting_next->conn);
            env->waiting_next = NULL;
        }
        mhd_unbind(&env->binding);
        MHD_stop_daemon(env->daemon);
        env->daemon = NULL;
    }
    if (env->out_fd >= 0) {
        loop_unwatch_fd(&env->out_watch);
        close(env->out_fd);
    }
    if (env->err_fd >= 0) {
        loop_unwatch_fd(&env->err_watch);
        close(env->err_fd);
    }
    timers_cancel(loop_timers(), &env->idle_timer);
    timers_cancel(loop_real_timers(), &env->deadline_timer);
    buf_free(&env->out_partial);
    buf_free(&env->err_partial);
    env_unlink(env);
    lambda_function *f = env->fn;
    f->env_count--;
    char *code_dir = env->code_dir;
    free(env);
    functions_code_released(f, code_dir);
    free(code_dir);
    functions_release(f);
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
        drain_output(env);
        if (env->inv) {
            char detail[64] = "";
            if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
                snprintf(detail, sizeof detail, "exit status %d", WEXITSTATUS(status));
            else if (WIFSIGNALED(status))
                snprintf(detail, sizeof detail, "signal: %s", strsignal(WTERMSIG(status)));
            if (*detail)
                finish_error(env, "Runtime.ExitError", "RequestId: %s Error: Runtime exited with error: %s", detail);
            else
                finish_error(env, "Runtime.ExitError", "RequestId: %s Error: Runtime exited without providing a "
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
    inv->done = done;
    inv->arg = arg;
    buf_init(&inv->log);
    f->running++;
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
            timers_arm(loop_real_timers(), &env->deadline_timer,
                       clock_monotonic_ms() + function_int(f, "Timeout") * 1000, on_deadline, env);
        dispatch(env);
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
