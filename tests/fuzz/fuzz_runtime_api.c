/* fuzz_runtime_api: the Lambda Runtime API of an execution environment (src/lambda/
 * executor.c: GET /2018-06-01/runtime/invocation/next, POST .../invocation/<id>/response,
 * .../<id>/error and .../init/error), driven through the real thing.
 *
 * Why this approach: the handlers are libmicrohttpd callbacks over private environment
 * state, so they cannot be called on their own without restructuring executor.c. The
 * target therefore runs the real code path unchanged: one in-process sqsemu (in-memory
 * store, event loop, Lambda service) with one `provided` function whose `bootstrap` does
 * not talk to the API itself; it only hands AWS_LAMBDA_RUNTIME_API to the target (in a
 * file next to it) and waits. The target plays the runtime: it writes fuzzed raw HTTP to
 * the environment's own MHD daemon over loopback and runs the event loop until the answer
 * is in. Each input gets a fresh environment (cold start, so init/error is reachable):
 *   1. invoke the function (fixed request id, so a fuzzed path can name it);
 *   2. send each request of the input on its own connection (requests are separated by
 *      the line "~~~"; at most 8), running the loop until the daemon goes quiet;
 *   3. finish like a well-behaved runtime would (GET next, POST response) if the input
 *      did not end the invocation, then retire the environment and wait until it is gone.
 * An exchange ends when every request line of it got a complete answer, when the daemon
 * closes the connection, or after 2 ms without a byte (a parked GET /next). With a
 * process spawn per input this is slow for a fuzz target (about a hundred inputs a
 * second), but every byte goes through the real parser, router and state machine.
 *
 * Invariants beyond "no crash":
 *  - every answer the daemon writes starts with an HTTP/1.x status line;
 *  - an invocation handed out by GET /next carries the request id, a deadline and the
 *    function ARN in Lambda-Runtime-* headers;
 *  - every invocation finishes exactly once (its callback runs once, with its request id
 *    and a log), whatever the runtime sent;
 *  - its payload is what the runtime sent: a result is a body from the input (or the
 *    target's own "{}"), an error a body from the input or an error document of sqsemu's
 *    (inputs with chunked bodies are not checked: their bodies change on the way);
 *  - afterwards no invocation is running and, once retired, no environment is left. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fuzz_common.h"
#include "../../src/lambda/executor.h"
#include "sqsemu/clock.h"
#include "sqsemu/lambda.h"
#include "sqsemu/log.h"
#include "sqsemu/loop.h"
#include "sqsemu/store.h"

#define REQUEST_ID "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
#define FUNCTION_NAME "fuzz-runtime"
#define MAX_REQUESTS 8
#define SEPARATOR "\n~~~\n"
#define QUIET_TICKS 2       /* 1 ms loop ticks without new bytes that end an exchange */
#define EXCHANGE_MAX_MS 500 /* a hard cap per request */
#define SETTLE_MAX_MS 5000  /* waiting for an environment to start or go away */

static char base[PATH_MAX];
static char code_dir[PATH_MAX];
static char api_file[PATH_MAX];
static lambda_function *fn;
static int done_count;
static char done_request_id[64];
static bool done_error;
static buf_t done_payload;

/* ------------------------------------------------------------------ set-up */

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    FUZZ_CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0, "cannot write %s", path);
    FUZZ_CHECK(chmod(path, mode) == 0, "chmod %s", path);
}

static void cleanup(void)
{
    lambda_service_stop();
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_runtime_api: could not remove %s\n", base);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_ERROR);
    FUZZ_CHECK(loop_init(), "loop_init");
    /* The loop takes SIGINT/SIGTERM through its signalfd; give them back to libFuzzer. */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &mask, NULL);
    FUZZ_CHECK(store_open(NULL), "store_open");

    const char *tmp = getenv("TMPDIR");
    snprintf(base, sizeof base, "%s/sqsemu-fuzz-runtime-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    FUZZ_CHECK(mkdtemp(base), "mkdtemp: %s", strerror(errno));
    snprintf(code_dir, sizeof code_dir, "%s/code", base);
    FUZZ_CHECK(mkdir(code_dir, 0755) == 0, "mkdir %s", code_dir);
    snprintf(api_file, sizeof api_file, "%s/api", code_dir);
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/bootstrap", code_dir);
    /* Hands the Runtime API address over, then waits to be killed (or for the fuzzer to
     * go away: a crashing fuzzer does not reap it). */
    write_file(path,
               "#!/bin/sh\n"
               "printf '%s' \"$AWS_LAMBDA_RUNTIME_API\" > api.tmp && mv api.tmp api\n"
               "while kill -0 \"$PPID\" 2>/dev/null; do sleep 1; done\n",
               0755);
    snprintf(path, sizeof path, "%s/data", base);
    FUZZ_CHECK(mkdir(path, 0755) == 0, "mkdir %s", path);
    static char data_dir[PATH_MAX + 16];
    snprintf(data_dir, sizeof data_dir, "%s", path);
    static lambda_settings settings;
    settings = (lambda_settings){
        .data_dir = data_dir,
        .runtimes_dir = base,
        .endpoint_url = "http://127.0.0.1:9",
        .idle_timeout_s = 600,
        .default_concurrency = 1,
    };
    FUZZ_CHECK(lambda_service_start(&settings), "lambda_service_start");

    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "FunctionName", FUNCTION_NAME);
    cJSON_AddStringToObject(in, "Runtime", "provided.al2023");
    cJSON_AddStringToObject(in, "Handler", "bootstrap");
    cJSON_AddStringToObject(in, "Role", "arn:aws:iam::000000000000:role/fuzz");
    cJSON_AddNumberToObject(in, "Timeout", 60);
    cJSON *code = cJSON_AddObjectToObject(in, "Code");
    cJSON_AddStringToObject(code, "S3Bucket", "hot-reload");
    cJSON_AddStringToObject(code, "S3Key", code_dir);
    cJSON *out = cJSON_CreateObject();
    lambda_ctx ctx = {.account = "000000000000", .region = "us-east-1", .now_ms = clock_now_ms()};
    lambda_error err;
    memset(&err, 0, sizeof err);
    FUZZ_CHECK(fn_create(&ctx, in, out, &err), "CreateFunction: %s", err.message);
    cJSON_Delete(in);
    cJSON_Delete(out);
    fn = functions_find("000000000000", "us-east-1", FUNCTION_NAME);
    FUZZ_CHECK(fn, "the function is not registered");
    atexit(cleanup);
    return 0;
}

/* ------------------------------------------------------------------ the event loop */

static sq_timer tick_timer;
static int quiet_ticks;
static size_t progress, last_progress;
static int64_t pump_deadline;
static bool (*pump_done)(void);

static void on_tick(void *arg)
{
    (void)arg;
    if (progress != last_progress) {
        last_progress = progress;
        quiet_ticks = 0;
    } else {
        quiet_ticks++;
    }
    if ((pump_done && pump_done()) || clock_now_ms() >= pump_deadline) {
        loop_stop();
        return;
    }
    timers_arm(loop_timers(), &tick_timer, clock_now_ms() + 1, on_tick, NULL);
}

/* Runs the loop until done() holds (checked every millisecond) or max_ms passed. */
static void pump(bool (*done)(void), int64_t max_ms)
{
    pump_done = done;
    pump_deadline = clock_now_ms() + max_ms;
    quiet_ticks = 0;
    last_progress = progress;
    timers_arm(loop_timers(), &tick_timer, clock_now_ms() + 1, on_tick, NULL);
    loop_run();
    timers_cancel(loop_timers(), &tick_timer);
    pump_done = NULL;
}

/* ------------------------------------------------------------------ one request */

typedef struct client {
    int fd;
    loop_watch watch;
    bool watching;
    const char *out;
    size_t out_len;
    size_t out_done;
    buf_t in;
    bool closed;
} client;

static client *current;

/* How many complete responses (head and Content-Length bytes of body) data holds. */
static size_t complete_responses(const char *data, size_t len)
{
    size_t count = 0;
    if (len == 0)
        return 0;
    const char *p = data, *end = data + len;
    for (;;) {
        const char *head_end = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (!head_end)
            return count;
        size_t body = 0;
        for (const char *h = p; h < head_end; h++) {
            if ((h == p || h[-1] == '\n') && (size_t)(head_end - h) > 15 && strncasecmp(h, "Content-Length:", 15) == 0)
                body = strtoul(h + 15, NULL, 10);
        }
        if ((size_t)(end - (head_end + 4)) < body)
            return count;
        p = head_end + 4 + body;
        count++;
    }
}

/* Requests in a chunk, going by its request lines (a guess: only used to stop early). */
static size_t request_lines(const char *data, size_t len)
{
    size_t count = 0;
    for (const char *p = data; (p = memmem(p, len - (size_t)(p - data), " HTTP/1.", 8)) != NULL; p += 8)
        count++;
    return count ? count : 1;
}

static bool exchange_over(void)
{
    if (current->closed || quiet_ticks >= QUIET_TICKS)
        return true;
    /* Every request answered: no need to wait for the daemon to go quiet. */
    return current->out_done == current->out_len &&
           complete_responses(current->in.data, current->in.len) >= request_lines(current->out, current->out_len);
}

static void client_io(void *arg, uint32_t events)
{
    client *c = arg;
    if ((events & EPOLLOUT) && c->out_done < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_done, c->out_len - c->out_done, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_done += (size_t)n;
            progress++;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            c->closed = true;
        }
        if (c->out_done == c->out_len && !c->closed) { /* all sent: stop asking for EPOLLOUT */
            loop_unwatch_fd(&c->watch);
            FUZZ_CHECK(loop_watch_fd(&c->watch, c->fd, EPOLLIN | EPOLLRDHUP, client_io, c), "watch");
        }
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        char chunk[16384];
        for (;;) {
            ssize_t n = recv(c->fd, chunk, sizeof chunk, 0);
            if (n > 0) {
                buf_append(&c->in, chunk, (size_t)n);
                progress++;
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EINTR))
                c->closed = true;
            break;
        }
    }
    if (c->closed && c->watching) {
        loop_unwatch_fd(&c->watch);
        c->watching = false;
    }
    if (c == current && exchange_over())
        loop_stop();
}

/* Sends one raw request on a new connection and collects what comes back until the
 * daemon closes the connection or goes quiet. Returns false when nobody listens. */
static bool exchange(int port, const char *data, size_t len, buf_t *response)
{
    client c = {.fd = -1, .out = data, .out_len = len};
    buf_init(&c.in);
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FUZZ_CHECK(c.fd >= 0, "socket: %s", strerror(errno));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(c.fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(c.fd);
        return false;
    }
    fcntl(c.fd, F_SETFL, O_NONBLOCK);
    FUZZ_CHECK(loop_watch_fd(&c.watch, c.fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP, client_io, &c), "watch");
    c.watching = true;
    current = &c;
    pump(exchange_over, EXCHANGE_MAX_MS);
    current = NULL;
    if (c.watching)
        loop_unwatch_fd(&c.watch);
    close(c.fd);
    if (c.in.len > 0)
        FUZZ_CHECK(strncmp(c.in.data, "HTTP/1.", 7) == 0, "an answer without a status line: %.60s", c.in.data);
    if (response) {
        buf_reset(response);
        if (c.in.len)
            buf_append(response, c.in.data, c.in.len);
    }
    buf_free(&c.in);
    return true;
}

/* ------------------------------------------------------------------ environments */

static void on_done(invoke_outcome *outcome, void *arg)
{
    (void)arg;
    done_count++;
    snprintf(done_request_id, sizeof done_request_id, "%s", outcome->request_id);
    FUZZ_CHECK(outcome->log && strstr(outcome->log, "END RequestId: " REQUEST_ID), "an invocation log without END");
    FUZZ_CHECK(outcome->payload || outcome->payload_len == 0, "a payload length without a payload");
    done_error = outcome->function_error;
    buf_reset(&done_payload);
    buf_append(&done_payload, outcome->payload ? outcome->payload : "", outcome->payload_len);
}

/* What the invoker got is what the runtime sent: a result is a body of the input (or the
 * target's own "{}"), an error a body of the input or an error document of sqsemu's.
 * Chunked bodies are decoded on the way, so inputs that mention "chunked" are skipped. */
static void check_payload(const uint8_t *data, size_t size)
{
    char *lower = fuzz_strndup(data, size);
    for (size_t i = 0; i < size; i++)
        lower[i] = (char)(lower[i] >= 'A' && lower[i] <= 'Z' ? lower[i] - 'A' + 'a' : lower[i]);
    bool chunked = memmem(lower, size, "chunked", 7) != NULL;
    free(lower);
    if (chunked || done_payload.len == 0)
        return;
    if (memmem(data, size, done_payload.data, done_payload.len))
        return;
    if (!done_error) {
        FUZZ_CHECK(strcmp(done_payload.data, "{}") == 0, "a result that nobody sent: %s", done_payload.data);
        return;
    }
    cJSON *doc = cJSON_Parse(done_payload.data);
    FUZZ_CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "errorType")),
               "an error document that nobody sent: %s", done_payload.data);
    cJSON_Delete(doc);
}

static bool no_environment(void)
{
    return fn->env_count == 0;
}

static bool invocation_done(void)
{
    return done_count > 0;
}

/* The port the new environment's bootstrap reported. */
static int wait_for_port(void)
{
    int64_t deadline = clock_now_ms() + SETTLE_MAX_MS;
    for (;;) {
        FILE *f = fopen(api_file, "r");
        if (f) {
            char text[64] = "";
            bool read = fgets(text, sizeof text, f) != NULL;
            fclose(f);
            const char *colon = strrchr(text, ':');
            if (read && colon)
                return atoi(colon + 1);
        }
        FUZZ_CHECK(clock_now_ms() < deadline, "the bootstrap never reported the Runtime API address");
        nanosleep(&(struct timespec){0, 200 * 1000}, NULL);
    }
}

static bool header_is(const char *response, const char *name, const char *value)
{
    char line[256];
    snprintf(line, sizeof line, "\r\n%s: %s\r\n", name, value ? value : "");
    if (value)
        return strstr(response, line) != NULL;
    snprintf(line, sizeof line, "\r\n%s: ", name);
    return strstr(response, line) != NULL;
}

/* Ends the invocation the way a runtime that follows the protocol would. */
static void finish_politely(int port)
{
    static const char next[] = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n";
    static const char response[] = "POST /2018-06-01/runtime/invocation/" REQUEST_ID "/response HTTP/1.1\r\n"
                                   "Host: runtime\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    buf_t answer;
    buf_init(&answer);
    if (done_count == 0 && exchange(port, next, strlen(next), &answer) && answer.len &&
        strncmp(answer.data, "HTTP/1.1 200", 12) == 0) {
        FUZZ_CHECK(header_is(answer.data, "Lambda-Runtime-Aws-Request-Id", REQUEST_ID) &&
                       header_is(answer.data, "Lambda-Runtime-Deadline-Ms", NULL) &&
                       header_is(answer.data, "Lambda-Runtime-Invoked-Function-Arn", fn->arn),
                   "an invocation without its Lambda-Runtime headers: %s", answer.data);
    }
    if (done_count == 0)
        exchange(port, response, strlen(response), NULL);
    buf_free(&answer);
    if (done_count == 0)
        pump(invocation_done, SETTLE_MAX_MS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    done_count = 0;
    buf_reset(&done_payload);
    unlink(api_file);
    static const char payload[] = "{\"Records\":[]}";
    invoke_request req = {.payload = payload, .payload_len = strlen(payload), .request_id = REQUEST_ID};
    executor_invoke(fn, &req, on_done, NULL);
    int port = wait_for_port();

    const char *p = (const char *)data;
    size_t left = size;
    for (int n = 0; n < MAX_REQUESTS && left > 0; n++) {
        const char *sep = memmem(p, left, SEPARATOR, strlen(SEPARATOR));
        size_t len = sep ? (size_t)(sep - p) : left;
        if (len > 0 && !exchange(port, p, len, NULL))
            break; /* the environment is gone (init/error) */
        p += sep ? len + strlen(SEPARATOR) : len;
        left -= sep ? len + strlen(SEPARATOR) : len;
    }

    finish_politely(port);
    FUZZ_CHECK(done_count == 1, "the invocation finished %d times", done_count);
    FUZZ_CHECK(strcmp(done_request_id, REQUEST_ID) == 0, "the invocation finished as %s", done_request_id);
    check_payload(data, size);
    FUZZ_CHECK(fn->running == 0, "%zu invocations still running", fn->running);

    executor_retire(fn);
    pump(no_environment, SETTLE_MAX_MS);
    FUZZ_CHECK(fn->env_count == 0, "%zu environments left after retiring", fn->env_count);
    /* A late callback (a second finish) would show up now. */
    FUZZ_CHECK(done_count == 1, "the invocation finished %d times", done_count);
    return 0;
}
