/* lambda/process: the handler process of an execution environment: what it runs (python
 * or node through the shipped runtime clients, or the function's own `bootstrap`), the
 * environment variables it gets, and its output.
 *
 * The process is started with posix_spawn in its own process group (so a timeout can kill
 * everything it started), stdin from /dev/null, every signal disposition reset, and an
 * environment built here from nothing: no variable of sqsemu's own leaks in. stdout and
 * stderr are non-blocking pipes watched by the event loop; each line becomes a log line of
 * the invocation running at that moment. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "environment.h"
#include "settings.h"
#include "sqsemu/auth.h"
#include "sqsemu/clock.h"
#include "sqsemu/log.h"

#define MAX_LINE_BYTES 65536 /* a longer line without a newline is logged in pieces */

static void emit_lines(environment *env, buf_t *partial, bool flush_all)
{
    char *start = partial->data;
    if (!start)
        return;
    char *end = partial->data + partial->len;
    char *nl;
    while ((nl = memchr(start, '\n', (size_t)(end - start)))) {
        *nl = '\0';
        invocation_log(env, env->inv, start);
        start = nl + 1;
    }
    if (flush_all && start < end) {
        invocation_log(env, env->inv, start);
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

void process_drain_output(environment *env)
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
    env_set(v, "AWS_LAMBDA_FUNCTION_VERSION", f->version ? f->version : "$LATEST");
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

bool process_spawn(environment *env)
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

/* Lambda's log stream name: date/[$LATEST]random hex. */
void process_log_stream_name(char out[96])
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

void process_close_output(environment *env)
{
    if (env->out_fd >= 0) {
        loop_unwatch_fd(&env->out_watch);
        close(env->out_fd);
        env->out_fd = -1;
    }
    if (env->err_fd >= 0) {
        loop_unwatch_fd(&env->err_watch);
        close(env->err_fd);
        env->err_fd = -1;
    }
}
