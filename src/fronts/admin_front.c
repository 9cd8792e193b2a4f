/* fronts/admin_front: sqsemu's own routes under /_sqsemu/ (and LocalStack's health path),
 * answered in JSON (the metrics in Prometheus text):
 *
 *   GET  /_sqsemu/health        status, version, services, parked requests and waiters
 *   GET  /_localstack/health    the same in LocalStack's shape, for existing health checks
 *   GET  /_sqsemu/clock         the test clock; POST moves or freezes it
 *   POST /_sqsemu/reset         removes everything, or ?queue=NAME|URL / ?function=NAME
 *   GET  /_sqsemu/messages      ?QueueUrl=URL (or QueueName): the messages, unchanged
 *   GET  /_sqsemu/invocations   ?function=NAME&limit=N: recent invocations, newest first
 *   GET  /_sqsemu/metrics       Prometheus text
 *
 * This file routes and decodes (query strings, JSON bodies); the operations are in
 * src/admin/. With --auth every route but the health checks is signed (service "sqsemu"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sqsemu/admin.h"
#include "sqsemu/buf.h"
#include "sqsemu/form.h"
#include "sqsemu/fronts.h"
#include "sqsemu/json.h"

#define ADMIN_PREFIX "/_sqsemu/"
#define LOCALSTACK_HEALTH "/_localstack/health"
#define BODY_LIMIT (64 * 1024)

typedef struct request_args {
    http_request *r;
    form_params query;
    admin_caller caller;
    char *url_base;
} request_args;

typedef cJSON *(*json_route_fn)(request_args *a, admin_error *err);

typedef struct route {
    const char *path;
    const char *method;
    json_route_fn handle; /* NULL: the metrics (text) */
    bool unsigned_ok;     /* health checks need no signature */
} route;

static bool match(const http_request *r)
{
    const char *path = http_path(r);
    return strncmp(path, ADMIN_PREFIX, strlen(ADMIN_PREFIX)) == 0 || strcmp(path, LOCALSTACK_HEALTH) == 0;
}

static size_t body_limit(const http_request *r)
{
    (void)r;
    return BODY_LIMIT;
}

/* ---- answers ---- */

static void respond_json(http_request *r, int status, cJSON *doc)
{
    char *body = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    http_respond(r, status, "application/json", body, strlen(body));
}

static void respond_error(http_request *r, int status, const char *code, const char *message)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "error", code);
    cJSON_AddStringToObject(doc, "message", message);
    http_set_error_code(r, code);
    respond_json(r, status, doc);
}

/* ---- arguments ---- */

static const char *param(const request_args *a, const char *name)
{
    const form_param *p = form_find(&a->query, name);
    return p ? p->value : NULL;
}

/* A query parameter given empty counts as absent; one holding a NUL byte is refused. */
static bool params_clean(const request_args *a)
{
    for (size_t i = 0; i < a->query.count; i++) {
        if (strlen(a->query.items[i].value) != a->query.items[i].value_len)
            return false;
    }
    return true;
}

static const char *param_or_null(const request_args *a, const char *name)
{
    const char *v = param(a, name);
    return v && *v ? v : NULL;
}

/* ---- routes ---- */

static cJSON *route_health(request_args *a, admin_error *err)
{
    (void)a, (void)err;
    return admin_health();
}

static cJSON *route_localstack_health(request_args *a, admin_error *err)
{
    (void)a, (void)err;
    return admin_localstack_health();
}

static cJSON *route_clock_get(request_args *a, admin_error *err)
{
    (void)a, (void)err;
    return admin_clock();
}

static cJSON *route_clock_post(request_args *a, admin_error *err)
{
    size_t len = 0;
    const char *body = http_body(a->r, &len);
    char why[128] = "";
    cJSON *doc = json_parse_strict(body, len, why, sizeof why);
    if (!doc) {
        err->status = 400;
        snprintf(err->code, sizeof err->code, "SerializationException");
        snprintf(err->message, sizeof err->message, "The body is not a JSON document: %s.", why);
        return NULL;
    }
    cJSON *out = admin_clock_change(doc, err);
    cJSON_Delete(doc);
    return out;
}

static cJSON *route_reset(request_args *a, admin_error *err)
{
    return admin_reset(&a->caller, param_or_null(a, "queue"), param_or_null(a, "function"), err);
}

static cJSON *route_messages(request_args *a, admin_error *err)
{
    const char *queue = param_or_null(a, "QueueUrl");
    return admin_messages(&a->caller, queue ? queue : param_or_null(a, "QueueName"), param_or_null(a, "Limit"),
                          param_or_null(a, "NextToken"), err);
}

static cJSON *route_invocations(request_args *a, admin_error *err)
{
    return admin_invocations(&a->caller, param_or_null(a, "function"), param_or_null(a, "limit"), err);
}

static const route routes[] = {
    {"/_sqsemu/health", "GET", route_health, true},
    {LOCALSTACK_HEALTH, "GET", route_localstack_health, true},
    {"/_sqsemu/clock", "GET", route_clock_get, false},
    {"/_sqsemu/clock", "POST", route_clock_post, false},
    {"/_sqsemu/reset", "POST", route_reset, false},
    {"/_sqsemu/messages", "GET", route_messages, false},
    {"/_sqsemu/invocations", "GET", route_invocations, false},
    {"/_sqsemu/metrics", "GET", NULL, false},
};

#define ROUTE_COUNT (sizeof routes / sizeof routes[0])

static const route *find_route(const http_request *r, bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (strcmp(routes[i].path, http_path(r)) != 0)
            continue;
        *path_known = true;
        if (strcmp(routes[i].method, http_method(r)) == 0)
            return &routes[i];
    }
    return NULL;
}

static const char *signing_service(const http_request *r, int *max_skew_s)
{
    *max_skew_s = 900;
    bool known;
    const route *rt = find_route(r, &known);
    return rt && rt->unsigned_ok ? NULL : "sqsemu";
}

static void respond_not_routed(http_request *r, bool path_known)
{
    if (!path_known) {
        respond_error(r, 404, "NotFound",
                      "No such sqsemu route. Routes: GET /_sqsemu/health, GET|POST /_sqsemu/clock, POST "
                      "/_sqsemu/reset, GET /_sqsemu/messages, GET /_sqsemu/invocations, GET /_sqsemu/metrics.");
        return;
    }
    buf_t allow;
    buf_init(&allow);
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (strcmp(routes[i].path, http_path(r)) == 0)
            buf_printf(&allow, "%s%s", allow.len ? ", " : "", routes[i].method);
    }
    http_add_header(r, "Allow", allow.data);
    char message[160];
    snprintf(message, sizeof message, "This route takes %s.", allow.data);
    buf_free(&allow);
    respond_error(r, 405, "MethodNotAllowed", message);
}

static void respond_metrics(http_request *r)
{
    size_t len = 0;
    char *text = admin_metrics(&len);
    http_respond(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

static void fill_caller(request_args *a)
{
    const http_identity *id = http_identity_of(a->r);
    const char *host = http_header(a->r, "Host");
    buf_t base;
    buf_init(&base);
    if (host && *host)
        buf_printf(&base, "http://%s", host);
    else
        buf_printf(&base, "http://127.0.0.1:%d", http_server_port());
    a->url_base = buf_detach(&base, NULL);
    a->caller = (admin_caller){id->account, id->region, a->url_base};
}

static void handle(http_request *r)
{
    bool path_known;
    const route *rt = find_route(r, &path_known);
    char operation[64];
    snprintf(operation, sizeof operation, "%s %.50s", http_method(r), http_path(r));
    http_describe(r, operation, NULL);
    if (!rt) {
        respond_not_routed(r, path_known);
        return;
    }
    if (!rt->handle) {
        respond_metrics(r);
        return;
    }
    request_args a = {.r = r};
    form_params_init(&a.query);
    const char *query = http_query(r);
    if (!form_parse(&a.query, query, strlen(query)) || !params_clean(&a)) {
        respond_error(r, 400, "InvalidParameterValue", "The query string is malformed.");
        form_params_free(&a.query);
        return;
    }
    fill_caller(&a);
    admin_error err = {0};
    cJSON *doc = rt->handle(&a, &err);
    if (doc)
        respond_json(r, 200, doc);
    else
        respond_error(r, err.status ? err.status : 500, err.code[0] ? err.code : "InternalError", err.message);
    form_params_free(&a.query);
    free(a.url_base);
}

static void refuse(http_request *r, const http_refusal *why)
{
    char message[512];
    snprintf(message, sizeof message, "%s", why->kind == HTTP_REFUSE_TOO_LARGE ? "The request body is too large."
                                            : why->kind == HTTP_REFUSE_BUSY   ? "The server is busy; retry later."
                                            : why->message                    ? why->message
                                                                              : "The request is not signed.");
    respond_error(r, why->kind == HTTP_REFUSE_TOO_LARGE ? 413 : why->kind == HTTP_REFUSE_BUSY ? 503 : 403,
                  why->kind == HTTP_REFUSE_TOO_LARGE ? "RequestTooLarge"
                  : why->kind == HTTP_REFUSE_BUSY    ? "ServiceUnavailable"
                                                     : "AccessDenied",
                  message);
}

const http_front admin_front = {
    .name = "admin",
    .match = match,
    .body_limit = body_limit,
    .signing_service = signing_service,
    .handle = handle,
    .refuse = refuse,
};
