/* http/request: what a front sees of a request (accessors, identity), the response it
 * builds, and parking: a parked request is on a list until it is resumed, so that the
 * server can answer every one of them at shutdown. */
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqsemu/clock.h"
#include "sqsemu/log.h"

static struct {
    const config *cfg;
    mhd_binding *mhd;
    http_request *parked;
    size_t parked_count;
} R;

void request_bind(const config *cfg, mhd_binding *mhd)
{
    R.cfg = cfg;
    R.mhd = mhd;
}

const char *http_method(const http_request *r) { return r->method; }
const char *http_path(const http_request *r) { return r->path; }
const char *http_query(const http_request *r) { return r->query; }
const char *http_request_id(const http_request *r) { return r->request_id; }
const config *http_config(void) { return R.cfg; }
const http_identity *http_identity_of(const http_request *r) { return &r->identity; }
size_t http_parked_count(void) { return R.parked_count; }

const char *http_header(const http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
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

const char *http_body(const http_request *r, size_t *len)
{
    *len = r->body.len;
    return r->body.data ? r->body.data : "";
}

void request_replace_body(http_request *r, char *body, size_t len)
{
    buf_free(&r->body);
    r->body.data = body;
    r->body.len = len;
    r->body.cap = len + 1;
}

/* ---- the response ---- */

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

void request_clear_headers(http_request *r)
{
    for (int i = 0; i < r->header_count; i++) {
        free(r->header_names[i]);
        free(r->header_values[i]);
    }
    r->header_count = 0;
}

void http_add_header(http_request *r, const char *name, const char *value)
{
    if (r->header_count == MAX_EXTRA_HEADERS)
        return;
    r->header_names[r->header_count] = xstrdup(name);
    r->header_values[r->header_count] = xstrdup(value);
    r->header_count++;
}

/* ---- the request log line ---- */

/* A bounded copy for a log line: control bytes (a client's name could carry a newline)
 * become '?'. */
static void copy_for_log(char *out, size_t size, const char *text)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p && n + 1 < size; p++)
        out[n++] = *p < 0x20 || *p == 0x7f ? '?' : (char)*p;
    out[n] = '\0';
}

void http_describe(http_request *r, const char *operation, const char *resource)
{
    copy_for_log(r->operation, sizeof r->operation, operation);
    copy_for_log(r->resource, sizeof r->resource, resource);
}

void http_set_error_code(http_request *r, const char *code)
{
    copy_for_log(r->error_code, sizeof r->error_code, code);
}

static void log_request(http_request *r)
{
    if (!log_enabled(LOG_INFO))
        return;
    if (!r->operation[0]) /* the front never said what it was: the request line */
        http_describe(r, r->method, r->path);
    double ms = (double)(clock_monotonic_ms() - r->started_ms);
    log_info("%s %s%s%s %d%s%s %.0fms req=%s", r->front ? r->front->name : "http", r->operation,
             r->resource[0] ? " " : "", r->resource, r->status, r->error_code[0] ? " " : "", r->error_code, ms,
             r->request_id);
}

enum MHD_Result request_send_response(http_request *r)
{
    log_request(r);
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

/* ---- parking ---- */

static void link_parked(http_request *r)
{
    r->prev_suspended = NULL;
    r->next_suspended = R.parked;
    if (R.parked)
        R.parked->prev_suspended = r;
    R.parked = r;
    R.parked_count++;
}

static void unlink_parked(http_request *r)
{
    if (r->prev_suspended)
        r->prev_suspended->next_suspended = r->next_suspended;
    else if (R.parked == r)
        R.parked = r->next_suspended;
    if (r->next_suspended)
        r->next_suspended->prev_suspended = r->prev_suspended;
    r->prev_suspended = r->next_suspended = NULL;
    R.parked_count--;
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
    link_parked(r);
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
    unlink_parked(r);
    r->phase = PHASE_RESPONDING;
    MHD_resume_connection(r->conn);
    mhd_kick(R.mhd);
}

void request_finish_parked(void)
{
    while (R.parked) {
        http_request *r = R.parked;
        if (r->finish_now)
            r->finish_now(r->state);
        if (r->phase == PHASE_SUSPENDED) {
            drop_state(r);
            http_resume(r);
        }
    }
}

/* ---- life ---- */

http_request *request_new(const char *raw_uri)
{
    http_request *r = xcalloc(1, sizeof *r);
    r->raw_uri = xstrdup(raw_uri ? raw_uri : "/");
    char *q = strchr(r->raw_uri, '?');
    r->path = q ? xstrndup(r->raw_uri, (size_t)(q - r->raw_uri)) : xstrdup(r->raw_uri);
    r->query = q ? q + 1 : "";
    r->status = 500;
    r->content_type = "text/plain";
    buf_init(&r->body);
    ids_uuid(r->request_id);
    r->started_ms = clock_monotonic_ms();
    return r;
}

void request_free(http_request *r)
{
    if (r->phase == PHASE_SUSPENDED)
        unlink_parked(r);
    drop_state(r);
    request_clear_headers(r);
    buf_free(&r->body);
    free(r->refusal_text);
    free(r->response_body);
    free(r->path);
    free(r->raw_uri);
    free(r);
}
