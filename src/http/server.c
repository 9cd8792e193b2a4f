/* http/server: libmicrohttpd in external-epoll mode on the event loop. The listener
 * accepts and checks connections (http/listener), http/connections bounds their number and
 * their deadlines; this file reads bounded bodies within a global memory budget,
 * dispatches complete requests to the router, sends responses, suspends and resumes. */
#include "sqsemu/http.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>

#include "connections.h"
#include "listener.h"
#include "sqsemu/buf.h"
#include "sqsemu/lambda_rest.h"
#include "sqsemu/log.h"
#include "sqsemu/loop.h"
#include "sqsemu/mhd_glue.h"

#define MAX_EXTRA_HEADERS 6

typedef enum request_phase { PHASE_RECEIVING, PHASE_SUSPENDED, PHASE_RESPONDING } request_phase;

struct http_request {
    struct MHD_Connection *conn;
    char *raw_uri;
    char *path;
    const char *query;
    const char *method;
    buf_t body;
    bool started;
    bool too_large;
    bool over_budget;       /* the server's body memory budget was exhausted */
    size_t body_limit;
    size_t reserved;        /* bytes of the body budget this request holds */
    request_phase phase;
    char request_id[UUID_STR_LEN];
    /* response */
    int status;
    const char *content_type;
    char *response_body;
    size_t response_len;
    char *header_names[MAX_EXTRA_HEADERS];
    char *header_values[MAX_EXTRA_HEADERS];
    int header_count;
    /* router state while suspended */
    void *state;
    void (*state_free)(void *);
    void (*finish_now)(void *);
    http_request *prev_suspended;
    http_request *next_suspended;
    /* the verified identity (--auth) */
    void *auth;
    void (*auth_free)(void *);
};

static struct {
    struct MHD_Daemon *daemon;
    mhd_binding binding;
    const config *cfg;
    http_request *suspended;
    size_t body_budget;   /* bytes all request bodies being received may hold together */
    size_t body_reserved;
} S;

const char *http_method(const http_request *r) { return r->method; }
const char *http_path(const http_request *r) { return r->path; }
const char *http_query(const http_request *r) { return r->query; }
const char *http_request_id(const http_request *r) { return r->request_id; }
const config *http_config(void) { return S.cfg; }

const char *http_header(const http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_body(const http_request *r, size_t *len)
{
    *len = r->body.len;
    return r->body.data ? r->body.data : "";
}

void http_respond(http_request *r, int status, const char *content_type, char *body, size_t len)
{
    free(r->response_body);
    r->status = status;
    r->content_type = content_type;
    r->response_body = body;
    r->response_len = len;
}

void http_set_request_id(http_request *r, const char *request_id)
{
    snprintf(r->request_id, sizeof r->request_id, "%s", request_id);
}

void http_add_header(http_request *r, const char *name, const char *value)
{
    if (r->header_count == MAX_EXTRA_HEADERS)
        return;
    r->header_names[r->header_count] = xstrdup(name);
    r->header_values[r->header_count] = xstrdup(value);
    r->header_count++;
}

/* ---- SigV4 (--auth) ---- */

void http_set_auth(http_request *r, void *auth, void (*free_fn)(void *auth))
{
    if (r->auth_free)
        r->auth_free(r->auth);
    r->auth = auth;
    r->auth_free = free_fn;
}

void *http_auth(const http_request *r)
{
    return r->auth;
}

void http_replace_body(http_request *r, char *body, size_t len)
{
    buf_free(&r->body);
    r->body.data = body;
    r->body.len = len;
    r->body.cap = len + 1;
}

typedef struct header_search {
    const char *name;
    size_t index;
    const char *found;
} header_search;

static enum MHD_Result find_nth_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    header_search *s = cls;
    if (key && strcasecmp(key, s->name) == 0) {
        if (s->index == 0) {
            s->found = value ? value : "";
            return MHD_NO;
        }
        s->index--;
    }
    return MHD_YES;
}

const char *http_header_nth(const http_request *r, const char *name, size_t index)
{
    header_search s = {name, index, NULL};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, find_nth_header, &s);
    return s.found;
}

static void link_suspended(http_request *r)
{
    r->prev_suspended = NULL;
    r->next_suspended = S.suspended;
    if (S.suspended)
        S.suspended->prev_suspended = r;
    S.suspended = r;
}

static void unlink_suspended(http_request *r)
{
    if (r->prev_suspended)
        r->prev_suspended->next_suspended = r->next_suspended;
    else if (S.suspended == r)
        S.suspended = r->next_suspended;
    if (r->next_suspended)
        r->next_suspended->prev_suspended = r->prev_suspended;
    r->prev_suspended = r->next_suspended = NULL;
}

static void drop_state(http_request *r)
{
    if (r->state_free)
        r->state_free(r->state);
    r->state = NULL;
    r->state_free = NULL;
}

void http_suspend(http_request *r, void *state, void (*free_fn)(void *state))
{
    drop_state(r);
    r->state = state;
    r->state_free = free_fn;
    r->phase = PHASE_SUSPENDED;
    link_suspended(r);
    MHD_suspend_connection(r->conn);
}

void http_on_shutdown(http_request *r, void (*finish_now)(void *state))
{
    r->finish_now = finish_now;
}

void http_resume(http_request *r)
{
    if (r->phase != PHASE_SUSPENDED)
        return;
    unlink_suspended(r);
    r->phase = PHASE_RESPONDING;
    MHD_resume_connection(r->conn);
    mhd_kick(&S.binding);
}

static enum MHD_Result send_response(http_request *r)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->response_len, r->response_body, MHD_RESPMEM_MUST_FREE);
    r->response_body = NULL;
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", r->content_type);
    MHD_add_response_header(resp, "x-amzn-RequestId", r->request_id);
    for (int i = 0; i < r->header_count; i++)
        MHD_add_response_header(resp, r->header_names[i], r->header_values[i]);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned int)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* An answer given before the request reached its front, in the request's protocol. */
static void respond_early(http_request *r, int status, const char *lambda_type, const char *sqs_type,
                          const char *sqs_code, const char *message)
{
    bool lambda = lambda_rest_is_path(r->path);
    bool json = http_header(r, "X-Amz-Target") != NULL;
    cJSON *doc = cJSON_CreateObject();
    char *body;
    if (lambda) {
        cJSON_AddStringToObject(doc, "Type", status >= 500 ? "Service" : "User");
        cJSON_AddStringToObject(doc, "message", message);
        body = cJSON_PrintUnformatted(doc);
        http_respond(r, status, "application/json", body, strlen(body));
        http_add_header(r, "x-amzn-ErrorType", lambda_type);
    } else if (json) {
        buf_t type;
        buf_init(&type);
        buf_printf(&type, "com.amazon.coral.service#%s", sqs_type);
        cJSON_AddStringToObject(doc, "__type", type.data);
        cJSON_AddStringToObject(doc, "message", message);
        buf_free(&type);
        body = cJSON_PrintUnformatted(doc);
        http_respond(r, status, "application/x-amz-json-1.0", body, strlen(body));
    } else {
        buf_t b;
        buf_init(&b);
        buf_printf(&b, "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"
                       "<Error><Type>%s</Type><Code>%s</Code><Message>%s</Message><Detail/></Error>"
                       "<RequestId>%s</RequestId></ErrorResponse>",
                   status >= 500 ? "Receiver" : "Sender", sqs_code, message, r->request_id);
        size_t len;
        body = buf_detach(&b, &len);
        http_respond(r, status, "text/xml", body, len);
    }
    cJSON_Delete(doc);
}

static void respond_too_large(http_request *r)
{
    char message[128];
    if (lambda_rest_is_path(r->path))
        snprintf(message, sizeof message, "Request must be smaller than %zu bytes for the operation.", r->body_limit);
    else
        snprintf(message, sizeof message, "Request body must be at most %zu bytes.", r->body_limit);
    respond_early(r, 413, "RequestEntityTooLargeException", "RequestEntityTooLargeException", "RequestEntityTooLarge",
                  message);
}

static void respond_over_budget(http_request *r)
{
    respond_early(r, 503, "ServiceException", "ServiceUnavailable", "ServiceUnavailable",
                  "The server is receiving too many request bodies at once (see --max-body-memory); retry later.");
    http_add_header(r, "Retry-After", "1");
}

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

static void respond_unsupported_coding(http_request *r)
{
    char *body = xstrdup("Only the chunked transfer coding is supported.\n");
    http_respond(r, 501, "text/plain", body, strlen(body));
}

/* The first call for a request, with its headers: body limit and budget, or an early answer. */
static bool accept_headers(http_request *r)
{
    r->body_limit = lambda_rest_is_path(r->path) ? lambda_rest_body_limit(r->method, r->path, S.cfg->max_body_bytes)
                                                 : S.cfg->max_body_bytes;
    size_t declared = declared_length(r);
    if (!transfer_coding_supported(r))
        respond_unsupported_coding(r);
    else if (declared > r->body_limit)
        respond_too_large(r);
    else if (!reserve(r, declared))
        respond_over_budget(r);
    else
        return true;
    return false;
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
        return send_response(r);
    if (!r->started) {
        r->started = true;
        r->conn = conn;
        r->method = method;
        if (!accept_headers(r)) {
            connections_request_received(conn);
            r->phase = PHASE_RESPONDING;
            return send_response(r);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t total = r->body.len + *upload_size;
        if (r->too_large || r->over_budget || total > r->body_limit)
            r->too_large = !r->over_budget;
        else if (!reserve(r, total))
            r->over_budget = true;
        else
            buf_append(&r->body, upload_data, *upload_size);
        if (r->too_large || r->over_budget)
            buf_free(&r->body); /* what is left of the body is read and dropped */
        *upload_size = 0;
        return MHD_YES;
    }
    connections_request_received(conn);
    if (r->too_large || r->over_budget) {
        if (r->too_large)
            respond_too_large(r);
        else
            respond_over_budget(r);
        r->phase = PHASE_RESPONDING;
        return send_response(r);
    }
    router_handle(r);
    if (r->phase == PHASE_SUSPENDED)
        return MHD_YES;
    r->phase = PHASE_RESPONDING;
    return send_response(r);
}

/* Called by MHD with the raw request line URI before anything else: the request starts here. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    connections_request_started(conn);
    http_request *r = xcalloc(1, sizeof *r);
    r->raw_uri = xstrdup(uri ? uri : "/");
    char *q = strchr(r->raw_uri, '?');
    r->path = q ? xstrndup(r->raw_uri, (size_t)(q - r->raw_uri)) : xstrdup(r->raw_uri);
    r->query = q ? q + 1 : "";
    r->status = 500;
    r->content_type = "text/plain";
    buf_init(&r->body);
    ids_uuid(r->request_id);
    return r;
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
    if (r->phase == PHASE_SUSPENDED)
        unlink_suspended(r);
    drop_state(r);
    http_set_auth(r, NULL, NULL);
    for (int i = 0; i < r->header_count; i++) {
        free(r->header_names[i]);
        free(r->header_values[i]);
    }
    buf_free(&r->body);
    free(r->response_body);
    free(r->path);
    free(r->raw_uri);
    free(r);
    *req_cls = NULL;
}

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

bool http_server_start(const config *cfg)
{
    S.cfg = cfg;
    S.body_budget = cfg->max_body_memory_mb * 1024u * 1024u;
    S.body_reserved = 0;
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
    /* MHD refuses to stop with suspended connections: answer every parked long poll (an
     * empty receive), give MHD a moment to send those answers, then stop. */
    while (S.suspended) {
        http_request *r = S.suspended;
        if (r->finish_now)
            r->finish_now(r->state);
        if (r->phase == PHASE_SUSPENDED) {
            drop_state(r);
            http_resume(r);
        }
    }
    for (int i = 0; i < 30; i++) {
        MHD_run(S.daemon);
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    mhd_unbind(&S.binding);
    MHD_stop_daemon(S.daemon);
    S.daemon = NULL;
    connections_free();
}
