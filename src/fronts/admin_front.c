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
 *   GET  /_sqsemu/queues        every queue of every account and region (the console)
 *   GET  /_sqsemu/functions     every function with its state and environments (the console)
 *   POST /_sqsemu/messages/delete  ?QueueUrl=URL&MessageId=ID: one visible message
 *   GET  /_sqsemu/console[/...] the console page (src/admin/console.c), unsigned
 *
 * This file routes and decodes (query strings, JSON bodies); the operations are in
 * src/admin/. With --auth every route but the health checks is signed (service "sqsemu"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sqsemu/admin.h"
#include "sqsemu/buf.h"
#include "sqsemu/console.h"
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
    const char *params[5]; /* the query parameters it takes (any other is refused) */
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

static bool takes(const route *rt, const char *name)
{
    for (size_t i = 0; i < sizeof rt->params / sizeof rt->params[0] && rt->params[i]; i++) {
        if (strcmp(rt->params[i], name) == 0)
            return true;
    }
    return false;
}

/* Every parameter must be one the route takes, named and given a value, without NUL bytes
 * (a misspelt ?Queue= must not turn a reset of one queue into a reset of everything). */
static bool params_valid(const route *rt, const request_args *a, const char **code, char *why, size_t why_size)
{
    *code = "InvalidParameterValue";
    for (size_t i = 0; i < a->query.count; i++) {
        const form_param *p = &a->query.items[i];
        if (!takes(rt, p->name)) {
            snprintf(why, why_size, "Unknown parameter '%.64s' for %s %s.", p->name, rt->method, rt->path);
            return false;
        }
        if (!p->value[0]) {
            *code = "MissingParameter";
            snprintf(why, why_size, "The parameter %s needs a value.", p->name);
            return false;
        }
        if (strlen(p->value) != p->value_len) {
            snprintf(why, why_size, "The parameter %s holds a NUL byte.", p->name);
            return false;
        }
    }
    return true;
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
    return admin_reset(&a->caller, param(a, "queue"), param(a, "function"), err);
}

static cJSON *route_messages(request_args *a, admin_error *err)
{
    const char *queue = param(a, "QueueUrl");
    return admin_messages(&a->caller, queue ? queue : param(a, "QueueName"), param(a, "Limit"),
                          param(a, "NextToken"), err);
}

static cJSON *route_invocations(request_args *a, admin_error *err)
{
    return admin_invocations(&a->caller, param(a, "function"), param(a, "limit"), err);
}

static cJSON *route_queues(request_args *a, admin_error *err)
{
    (void)err;
    return admin_queues(&a->caller);
}

static cJSON *route_functions(request_args *a, admin_error *err)
{
    (void)err;
    return admin_functions(&a->caller);
}

static cJSON *route_delete_message(request_args *a, admin_error *err)
{
    const char *queue = param(a, "QueueUrl");
    return admin_delete_message(&a->caller, queue ? queue : param(a, "QueueName"), param(a, "MessageId"), err);
}

static const route routes[] = {
    {"/_sqsemu/health", "GET", route_health, true, {NULL}},
    {LOCALSTACK_HEALTH, "GET", route_localstack_health, true, {NULL}},
    {"/_sqsemu/clock", "GET", route_clock_get, false, {NULL}},
    {"/_sqsemu/clock", "POST", route_clock_post, false, {NULL}},
    {"/_sqsemu/reset", "POST", route_reset, false, {"queue", "function"}},
    {"/_sqsemu/messages", "GET", route_messages, false, {"QueueUrl", "QueueName", "Limit", "NextToken"}},
    {"/_sqsemu/invocations", "GET", route_invocations, false, {"function", "limit"}},
    {"/_sqsemu/metrics", "GET", NULL, false, {NULL}},
    {"/_sqsemu/queues", "GET", route_queues, false, {NULL}},
    {"/_sqsemu/functions", "GET", route_functions, false, {NULL}},
    {"/_sqsemu/messages/delete", "POST", route_delete_message, false, {"QueueUrl", "QueueName", "MessageId"}},
};

#define ROUTE_COUNT (sizeof routes / sizeof routes[0])

/* HEAD is answered like GET (the server sends the headers only). */
static const route *find_route(const http_request *r, bool *path_known)
{
    *path_known = false;
    const char *method = strcmp(http_method(r), "HEAD") == 0 ? "GET" : http_method(r);
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (strcmp(routes[i].path, http_path(r)) != 0)
            continue;
        *path_known = true;
        if (strcmp(routes[i].method, method) == 0)
            return &routes[i];
    }
    return NULL;
}

static const char *signing_service(const http_request *r, int *max_skew_s)
{
    *max_skew_s = 900;
    if (console_path(http_path(r)))
        return NULL; /* static files a browser loads; the data routes it calls stay signed */
    bool known;
    const route *rt = find_route(r, &known);
    return rt && rt->unsigned_ok ? NULL : "sqsemu";
}

static void respond_not_routed(http_request *r, bool path_known)
{
    if (!path_known) {
        respond_error(r, 404, "NotFound",
                      "No such sqsemu route. Routes: GET /_sqsemu/health, GET|POST /_sqsemu/clock, POST "
                      "/_sqsemu/reset, GET /_sqsemu/messages, POST /_sqsemu/messages/delete, GET "
                      "/_sqsemu/invocations, GET /_sqsemu/metrics, GET /_sqsemu/queues, GET /_sqsemu/functions, "
                      "GET /_sqsemu/console.");
        return;
    }
    buf_t allow;
    buf_init(&allow);
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (strcmp(routes[i].path, http_path(r)) == 0)
            buf_printf(&allow, "%s%s%s", allow.len ? ", " : "", routes[i].method,
                       strcmp(routes[i].method, "GET") == 0 ? ", HEAD" : "");
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

/* The log line names the queue or function a route is about. */
static void describe(http_request *r, const char *operation, const request_args *a)
{
    const char *queue = param(a, "QueueUrl") ? param(a, "QueueUrl") : param(a, "QueueName") ? param(a, "QueueName")
                                                                                           : param(a, "queue");
    const char *slash = queue ? strrchr(queue, '/') : NULL;
    if (slash) /* a URL: its name, as the SQS lines say */
        queue = slash + 1;
    const char *function = param(a, "function");
    char resource[300] = "";
    if (queue || function)
        snprintf(resource, sizeof resource, "%s%.130s%s%s%.130s", queue ? "queue=" : "", queue ? queue : "",
                 queue && function ? " " : "", function ? "function=" : "", function ? function : "");
    http_describe(r, operation, resource);
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

/* A browser's request made by another site's page (a form posted to 127.0.0.1, a fetch):
 * refused for the routes that change something, so that a web page cannot reset, delete
 * or move the clock of the sqsemu on its visitor's machine. Browsers say where a request
 * comes from (Sec-Fetch-Site, Origin); SDKs, curl and the console itself (same origin) do
 * not look cross-site. */
static bool cross_site(const http_request *r)
{
    if (strcmp(http_method(r), "GET") == 0 || strcmp(http_method(r), "HEAD") == 0)
        return false;
    const char *site = http_header(r, "Sec-Fetch-Site");
    if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
        return true;
    const char *origin = http_header(r, "Origin");
    const char *host = http_header(r, "Host");
    if (!origin || strcmp(origin, "null") == 0)
        return origin != NULL;
    const char *after = strstr(origin, "://");
    return !host || !after || strcmp(after + 3, host) != 0;
}

static void handle(http_request *r)
{
    if (cross_site(r)) {
        http_describe(r, "cross-site request", NULL);
        respond_error(r, 403, "AccessDenied",
                      "sqsemu refuses changes asked by another site's page (Origin or Sec-Fetch-Site says the request "
                      "is cross-site).");
        return;
    }
    if (console_path(http_path(r))) {
        console_serve(r);
        return;
    }
    bool path_known;
    const route *rt = find_route(r, &path_known);
    char operation[64];
    snprintf(operation, sizeof operation, "%s %.50s", http_method(r), http_path(r));
    http_describe(r, operation, NULL);
    if (!rt) {
        respond_not_routed(r, path_known);
        return;
    }
    request_args a = {.r = r};
    form_params_init(&a.query);
    const char *query = http_query(r);
    char why[256] = "The query string is malformed.";
    const char *code = "InvalidParameterValue";
    if (!form_parse(&a.query, query, strlen(query)) || !params_valid(rt, &a, &code, why, sizeof why)) {
        respond_error(r, 400, code, why);
        form_params_free(&a.query);
        return;
    }
    describe(r, operation, &a);
    if (!rt->handle) {
        respond_metrics(r);
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
    if (why->kind == HTTP_REFUSE_STORE_FAILED) {
        respond_error(r, 500, "InternalError", why->message);
        return;
    }
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
