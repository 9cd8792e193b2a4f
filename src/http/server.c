/* http/server: libmicrohttpd in external-epoll mode on the event loop: accepts, reads
 * bounded bodies, dispatches to the router, sends responses, suspends and resumes. */
#include "sqsemu/http.h"

#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/socket.h>

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
    size_t body_limit;
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
    int port;
    http_request *suspended;
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

/* Lambda's CreateFunction may carry a 50 MB zip (base64): AWS's request limit for it. */
#define LAMBDA_BODY_LIMIT 70167211

static void respond_too_large(http_request *r)
{
    bool lambda = lambda_rest_is_path(r->path);
    bool json = http_header(r, "X-Amz-Target") != NULL;
    buf_t b;
    buf_init(&b);
    if (lambda) {
        buf_printf(&b, "{\"Type\":\"User\",\"message\":\"Request must be smaller than %zu bytes for the "
                       "operation.\"}", r->body_limit);
        size_t len;
        char *body = buf_detach(&b, &len);
        http_respond(r, 413, "application/json", body, len);
        http_add_header(r, "x-amzn-ErrorType", "RequestEntityTooLargeException");
        return;
    }
    if (json) {
        buf_printf(&b, "{\"__type\":\"com.amazon.coral.service#RequestEntityTooLargeException\","
                       "\"message\":\"Request body must be at most %zu bytes.\"}", r->body_limit);
    } else {
        buf_printf(&b, "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"
                       "<Error><Type>Sender</Type><Code>RequestEntityTooLarge</Code><Message>Request body must be "
                       "at most %zu bytes.</Message><Detail/></Error><RequestId>%s</RequestId></ErrorResponse>",
                   r->body_limit, r->request_id);
    }
    size_t len;
    char *body = buf_detach(&b, &len);
    http_respond(r, 413, json ? "application/x-amz-json-1.0" : "text/xml", body, len);
}

static bool declared_too_large(http_request *r)
{
    const char *length = http_header(r, "Content-Length");
    return length && strtoull(length, NULL, 10) > r->body_limit;
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
        r->body_limit = lambda_rest_is_path(r->path) ? LAMBDA_BODY_LIMIT : S.cfg->max_body_bytes;
        if (declared_too_large(r)) {
            respond_too_large(r);
            r->phase = PHASE_RESPONDING;
            return send_response(r);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_large && r->body.len + *upload_size <= r->body_limit)
            buf_append(&r->body, upload_data, *upload_size);
        else
            r->too_large = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->too_large) {
        respond_too_large(r);
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
    (void)conn;
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
    (void)conn;
    (void)toe;
    http_request *r = *req_cls;
    if (!r)
        return;
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

bool http_server_start(const config *cfg)
{
    S.cfg = cfg;
    raise_fd_limit();
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *addr = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", cfg->port);
    int rc = getaddrinfo(cfg->host, port, &hints, &addr);
    if (rc != 0) {
        log_error("cannot resolve --host %s: %s", cfg->host, gai_strerror(rc));
        return false;
    }
    unsigned int flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (addr->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    S.daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, NULL,
                                MHD_OPTION_SOCK_ADDR, addr->ai_addr,
                                MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
                                MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                                MHD_OPTION_CONNECTION_LIMIT, (unsigned int)20000,
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)300,
                                MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
                                MHD_OPTION_END);
    freeaddrinfo(addr);
    if (!S.daemon) {
        log_error("cannot listen on %s:%d (address in use or not permitted?)", cfg->host, cfg->port);
        return false;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(S.daemon, MHD_DAEMON_INFO_BIND_PORT);
    S.port = info ? info->port : cfg->port;
    if (!mhd_bind(&S.binding, S.daemon)) {
        log_error("cannot watch the HTTP server's epoll descriptor");
        MHD_stop_daemon(S.daemon);
        S.daemon = NULL;
        return false;
    }
    return true;
}

int http_server_port(void)
{
    return S.port;
}

void http_server_stop(void)
{
    if (!S.daemon)
        return;
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
}
