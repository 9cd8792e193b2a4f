/* http/server: the API port's HTTP server: libmicrohttpd in external-epoll mode on the
 * event loop, knowing no product.
 *
 * A request's life: the listener accepted and checked its connection (http/listener);
 * MHD reads the request line (on_uri: http/request allocates the request) and the headers
 * (first on_request call: the front is chosen from the table, its body limit applies, the
 * body's bytes are reserved in the server-wide memory budget); the body arrives in pieces;
 * once it is complete the request's identity is worked out and, with --auth, its signature
 * checked (auth_check); then the front answers it, or parks it until it can (a long poll).
 * Anything refused on the way (body too large, budget full, bad signature) is answered by
 * the front's refuse(), in the shape of that service's errors. Only what is no service's
 * business gets a plain HTTP answer here: an unknown transfer coding (501).
 *
 * The requests a front handles in one run of MHD share one store transaction and are
 * answered after its commit (http/commit_group). */
#include "sqsemu/http.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/resource.h>

#include "commit_group.h"
#include "connections.h"
#include "listener.h"
#include "request.h"
#include "sqsemu/auth.h"
#include "sqsemu/log.h"
#include "sqsemu/loop.h"
#include "sqsemu/mhd_glue.h"

static struct {
    struct MHD_Daemon *daemon;
    mhd_binding binding;
    const config *cfg;
    const http_front *const *fronts;
    size_t front_count;
    size_t body_budget;   /* bytes all request bodies being received may hold together */
    size_t body_reserved;
} S;

/* ---- the body memory budget ---- */

static bool reserve(http_request *r, size_t bytes)
{
    if (bytes <= r->reserved)
        return true;
    size_t more = bytes - r->reserved;
    if (S.body_reserved + more > S.body_budget)
        return false;
    S.body_reserved += more;
    r->reserved = bytes;
    return true;
}

static void release(http_request *r)
{
    S.body_reserved -= r->reserved;
    r->reserved = 0;
}

/* ---- steps of a request ---- */

static const http_front *front_of(const http_request *r)
{
    for (size_t i = 0; i < S.front_count; i++) {
        if (S.fronts[i]->match(r))
            return S.fronts[i];
    }
    return NULL;
}

static void refuse(http_request *r, http_refusal_kind kind)
{
    http_refusal why = {.kind = kind, .limit = r->body_limit};
    r->front->refuse(r, &why);
}

static size_t declared_length(http_request *r)
{
    const char *length = http_header(r, "Content-Length");
    return length ? (size_t)strtoull(length, NULL, 10) : 0;
}

/* libmicrohttpd decodes chunked bodies only: any other transfer coding is refused. */
static bool transfer_coding_supported(http_request *r)
{
    const char *te = http_header(r, "Transfer-Encoding");
    if (!te)
        return true;
    while (*te == ' ' || *te == '\t')
        te++;
    size_t n = strlen(te);
    while (n && (te[n - 1] == ' ' || te[n - 1] == '\t'))
        n--;
    return n == 7 && strncasecmp(te, "chunked", 7) == 0;
}

static void respond_plain(http_request *r, int status, const char *text)
{
    char *body = xstrdup(text);
    http_respond(r, status, "text/plain", body, strlen(body));
}

/* The headers are in: the front, its body limit and the budget, or an early answer. */
static bool accept_headers(http_request *r)
{
    r->front = front_of(r);
    if (!r->front) {
        respond_plain(r, 404, "No service of this server takes this request.\n");
        return false;
    }
    if (!transfer_coding_supported(r)) {
        respond_plain(r, 501, "Only the chunked transfer coding is supported.\n");
        return false;
    }
    r->body_limit = r->front->body_limit(r);
    size_t declared = declared_length(r);
    if (declared > r->body_limit)
        refuse(r, HTTP_REFUSE_TOO_LARGE);
    else if (!reserve(r, declared))
        refuse(r, HTTP_REFUSE_BUSY);
    else
        return true;
    return false;
}

/* A piece of the body: kept while it fits the limit and the budget, dropped after. */
static void take_body(http_request *r, const char *data, size_t size)
{
    size_t total = r->body.len + size;
    if (r->too_large || r->over_budget || total > r->body_limit)
        r->too_large = !r->over_budget;
    else if (!reserve(r, total))
        r->over_budget = true;
    else
        buf_append(&r->body, data, size);
    if (r->too_large || r->over_budget)
        buf_free(&r->body); /* what is left of the body is read and dropped */
}

/* Identity and signature, before the front sees the request. */
static bool guard(http_request *r)
{
    int skew = 0;
    const char *service = r->front->signing_service ? r->front->signing_service(r, &skew) : NULL;
    auth_result a;
    auth_check(r, service, skew, &a);
    if (a.decoded_body) {
        request_replace_body(r, a.decoded_body, a.decoded_len);
        a.decoded_body = NULL;
    }
    r->identity = a.identity;
    bool ok = a.ok;
    if (!ok)
        r->front->refuse(r, &a.refusal);
    auth_result_free(&a);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    http_request *r = *req_cls;
    if (!r)
        return MHD_NO;
    if (r->phase == PHASE_RESPONDING)
        return request_send_response(r);
    if (r->phase == PHASE_HELD)
        return MHD_YES; /* not reached: a held connection is suspended */
    if (!r->started) {
        r->started = true;
        r->conn = conn;
        r->method = method;
        if (!accept_headers(r)) {
            connections_request_received(conn);
            r->phase = PHASE_RESPONDING;
            return request_send_response(r);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        take_body(r, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    connections_request_received(conn);
    if (r->too_large)
        refuse(r, HTTP_REFUSE_TOO_LARGE);
    else if (r->over_budget)
        refuse(r, HTTP_REFUSE_BUSY);
    else if (guard(r)) {
        commit_group_enter();
        r->front->handle(r);
    }
    if (r->phase == PHASE_SUSPENDED || commit_group_hold(r))
        return MHD_YES;
    r->phase = PHASE_RESPONDING;
    return request_send_response(r);
}

/* Called by MHD with the raw request line URI before anything else: the request starts here. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    connections_request_started(conn);
    return request_new(uri);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)toe;
    connections_request_done(conn);
    http_request *r = *req_cls;
    if (!r)
        return;
    release(r);
    request_free(r);
    *req_cls = NULL;
}

/* ---- the server ---- */

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* libmicrohttpd's own messages are about single connections (a client that went away,
 * a malformed header): debug output, shown with --log-level debug. */
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (!log_enabled(LOG_DEBUG))
        return;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\r\n")] = '\0';
    log_debug("http: %s", line);
}

bool http_server_start(const config *cfg, const http_front *const *fronts, size_t front_count)
{
    S.cfg = cfg;
    S.fronts = fronts;
    S.front_count = front_count;
    S.body_budget = cfg->max_body_memory_mb * 1024u * 1024u;
    S.body_reserved = 0;
    request_bind(cfg, &S.binding);
    raise_fd_limit();
    connection_limits limits = {
        .max_connections = cfg->max_connections,
        .max_per_address = cfg->max_connections_per_ip,
        .request_timeout_ms = cfg->request_timeout_s * 1000,
        .idle_timeout_ms = cfg->idle_timeout_s * 1000,
    };
    connections_init(&limits, &S.binding);
    unsigned int flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET;
    /* The listener enforces the limits with a proper answer; MHD's own limit is a backstop. */
    S.daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
                                MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
                                MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
                                MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                                MHD_OPTION_NOTIFY_CONNECTION, connections_notify, NULL,
                                MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_connections + 16,
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->idle_timeout_s,
                                MHD_OPTION_END);
    if (!S.daemon) {
        log_error("cannot start the HTTP server");
        return false;
    }
    commit_group_bind(&S.binding);
    S.binding.after_run = commit_group_after_run;
    S.binding.after_run_arg = &S.binding;
    if (!mhd_bind(&S.binding, S.daemon)) {
        log_error("cannot watch the HTTP server's epoll descriptor");
        MHD_stop_daemon(S.daemon);
        S.daemon = NULL;
        return false;
    }
    if (!listener_start(cfg->host, cfg->port, &S.binding)) {
        mhd_unbind(&S.binding);
        MHD_stop_daemon(S.daemon);
        S.daemon = NULL;
        return false;
    }
    return true;
}

int http_server_port(void)
{
    return listener_port();
}

void http_server_stop(void)
{
    if (!S.daemon)
        return;
    listener_stop();
    /* MHD refuses to stop with suspended connections: answer every parked request (an
     * empty receive for a long poll), give MHD a moment to send those answers, then stop. */
    request_finish_parked();
    for (int i = 0; i < 30; i++) {
        mhd_run(&S.binding);
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    mhd_unbind(&S.binding);
    MHD_stop_daemon(S.daemon);
    S.daemon = NULL;
    connections_free();
}
