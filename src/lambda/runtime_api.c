/* lambda/runtime_api: the Lambda Runtime API one execution environment's handler talks to
 * (AWS's "Using the Lambda runtime API for custom runtimes"), served on its own 127.0.0.1
 * port by a libmicrohttpd daemon driven from the event loop.
 *
 * How it lives: the runtime's GET /invocation/next is suspended until the executor gives
 * the environment an invocation (runtime_api_dispatch resumes it and the event is sent with
 * its headers: request id, deadline, invoked ARN, trace id, client context). POST
 * /invocation/{id}/response or /error ends the invocation; POST /init/error ends the
 * environment. Only the newest GET /next waits; an older one, or any request while the
 * environment goes away, gets 410. */
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "environment.h"
#include "sqsemu/clock.h"
#include "sqsemu/ids.h"

#define RUNTIME_PREFIX "/2018-06-01/runtime"

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
        inv->start_us = clock_monotonic_us();
        inv->started_at_ms = clock_now_ms();
        inv->deadline_ms = now + function_int(env->fn, "Timeout") * 1000;
        if (inv->cold)
            inv->init_ms = now - env->spawned_ms;
        env_arm_deadline(env, inv->deadline_ms);
        char line[128];
        snprintf(line, sizeof line, "START RequestId: %s Version: %s", inv->request_id,
                 env->fn->version ? env->fn->version : "$LATEST");
        invocation_log(env, inv, line);
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

void runtime_api_dispatch(environment *env)
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
        invocation_fail(env, "Function.ResponseSizeTooLarge",
                     "RequestId: %s Error: Response payload size exceeded maximum allowed payload size (6291556 "
                     "bytes).%s", "");
        env_make_idle(env);
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
    invocation_finish(env, error, payload, len);
    env_make_idle(env);
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
        invocation_log(env, env->inv, line);
        invocation_finish(env, true, payload, len);
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
            invocation_fail(env, "Runtime.InvalidResponse", "RequestId: %s Error: Runtime asked for the next event%s",
                         " without answering this one");
        if (env->inv == NULL)
            env_make_idle(env);
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

bool runtime_api_start(environment *env)
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

/* Releases a parked GET /next and stops the server (the environment is being destroyed). */
void runtime_api_stop(environment *env)
{
    if (!env->daemon)
        return;
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
