/* lambda_rest: the Lambda REST-JSON protocol: routes /2015-03-31/functions... and
 * /2015-03-31/event-source-mappings... to the Lambda operations, decodes path labels,
 * query strings and JSON bodies, and writes responses and errors (x-amzn-ErrorType). */
#include "sqsemu/lambda_rest.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lambda/lambda_internal.h"
#include "sqsemu/auth.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/codec.h"
#include "sqsemu/form.h"
#include "sqsemu/json.h"
#include "sqsemu/http.h"

#define API_PREFIX "/2015-03-31/"
#define MAX_SYNC_PAYLOAD 6291456
#define MAX_ASYNC_PAYLOAD 1048576

#define CODE_PREFIX "/_sqsemu/lambda/code/"

bool lambda_rest_is_path(const char *path)
{
    if (strncmp(path, CODE_PREFIX, strlen(CODE_PREFIX)) == 0)
        return true;
    /* Every Lambda path starts with a date segment: /YYYY-MM-DD/ */
    return strlen(path) > 12 && path[0] == '/' && isdigit((unsigned char)path[1]) && path[5] == '-' && path[8] == '-' &&
           path[11] == '/';
}

#define CODE_UPLOAD_LIMIT 70167211

size_t lambda_rest_body_limit(const char *method, const char *path, size_t other_limit)
{
    if (strncmp(path, API_PREFIX, strlen(API_PREFIX)) != 0)
        return other_limit;
    const char *rest = path + strlen(API_PREFIX);
    bool create = strcmp(method, "POST") == 0 && (strcmp(rest, "functions") == 0 || strcmp(rest, "functions/") == 0);
    size_t len = strlen(rest);
    bool update_code = strcmp(method, "PUT") == 0 && strncmp(rest, "functions/", 10) == 0 && len > 15 &&
                       strcmp(rest + len - 5, "/code") == 0;
    return create || update_code ? CODE_UPLOAD_LIMIT : other_limit;
}

/* ---- responses ---- */

static void respond_json(http_request *r, int status, const cJSON *body)
{
    char *text = body ? cJSON_PrintUnformatted(body) : xstrdup("");
    http_respond(r, status, "application/json", text, strlen(text));
}

static void respond_error(http_request *r, const lambda_error *err)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "Type", err->kind == LAMBDA_ERR_SERVICE ? "Service" : "User");
    cJSON_AddStringToObject(body, lambda_err_capital_message(err->kind) ? "Message" : "message", err->message);
    respond_json(r, lambda_err_status(err->kind), body);
    cJSON_Delete(body);
    http_add_header(r, "x-amzn-ErrorType", lambda_err_name(err->kind));
}

/* ---- request parsing ---- */

/* Splits the path after the API prefix into at most 3 decoded segments. */
static int split_path(const char *rest, char *segments[3])
{
    int n = 0;
    while (*rest && n < 3) {
        const char *slash = strchr(rest, '/');
        size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
        if (len > 0)
            segments[n++] = percent_decode(rest, len, NULL);
        if (!slash)
            break;
        rest = slash + 1;
        if (!*rest)
            break;
    }
    return n;
}

/* A whole, strictly valid JSON document (see core/json). */
static cJSON *parse_json_exactly(const char *text, size_t len)
{
    return json_parse_strict(text, len, NULL, 0);
}

static cJSON *parse_body(http_request *r, lambda_error *err)
{
    size_t len = 0;
    const char *body = http_body(r, &len);
    if (len == 0)
        return cJSON_CreateObject();
    cJSON *doc = parse_json_exactly(body, len);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT, "Could not parse request body into json: the body is not a JSON "
                                                     "object.");
        return NULL;
    }
    return doc;
}

static const char *query_value(const form_params *q, const char *name)
{
    const form_param *p = form_find(q, name);
    return p ? p->value : NULL;
}

/* ---- Invoke ---- */

typedef struct invoke_call {
    http_request *request;
    bool tail;
} invoke_call;

static void invoke_done(invoke_outcome *outcome, void *arg)
{
    invoke_call *call = arg;
    http_request *r = call->request;
    char *payload = outcome->payload ? outcome->payload : xstrdup("");
    outcome->payload = NULL;
    http_respond(r, 200, "application/json", payload, outcome->payload_len);
    http_set_request_id(r, outcome->request_id);
    http_add_header(r, "X-Amz-Executed-Version", "$LATEST");
    if (outcome->function_error)
        http_add_header(r, "X-Amz-Function-Error", "Unhandled");
    if (call->tail && outcome->log) {
        size_t len = strlen(outcome->log);
        const char *tail = len > 4096 ? outcome->log + len - 4096 : outcome->log;
        char *encoded = base64_encode(tail, strlen(tail));
        http_add_header(r, "X-Amz-Log-Result", encoded);
        free(encoded);
    }
    http_resume(r);
}

static void handle_invoke(http_request *r, const lambda_ctx *ctx, const char *name, const form_params *query)
{
    lambda_error err = {0};
    lambda_function *f = functions_resolve(ctx, name, query_value(query, "Qualifier"), true, &err);
    if (!f) {
        respond_error(r, &err);
        return;
    }
    const char *package = function_string(f, "PackageType");
    if (package && strcmp(package, "Image") == 0) {
        lambda_fail(&err, LAMBDA_ERR_INVALID_RUNTIME,
                    "The runtime parameter of Image is not supported locally: sqsemu runs functions as local "
                    "processes, without a container engine.");
        respond_error(r, &err);
        return;
    }
    /* The qualifier the caller used (in the name or as ?Qualifier) shows in the invoked ARN. */
    function_ref ref;
    lambda_error ignored;
    const char *qualifier = query_value(query, "Qualifier");
    if ((!qualifier || !*qualifier) && function_ref_parse(ctx, name, &ref, &ignored) && *ref.qualifier)
        qualifier = ref.qualifier;
    const char *type = http_header(r, "X-Amz-Invocation-Type");
    const char *log_type = http_header(r, "X-Amz-Log-Type");
    if (type && strcmp(type, "RequestResponse") != 0 && strcmp(type, "Event") != 0 && strcmp(type, "DryRun") != 0) {
        lambda_fail(&err, LAMBDA_ERR_VALIDATION,
                    "1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member "
                    "must satisfy enum value set: [Event, RequestResponse, DryRun]", type);
        respond_error(r, &err);
        return;
    }
    size_t len = 0;
    const char *payload = http_body(r, &len);
    bool async = type && strcmp(type, "Event") == 0;
    if (len > (async ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD)) {
        lambda_fail(&err, LAMBDA_ERR_REQUEST_TOO_LARGE, "Request must be smaller than %d bytes for the InvokeFunction "
                    "operation", async ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD);
        respond_error(r, &err);
        return;
    }
    if (len > 0) {
        cJSON *parsed = parse_json_exactly(payload, len);
        bool valid = parsed != NULL;
        cJSON_Delete(parsed);
        if (!valid) {
            lambda_fail(&err, LAMBDA_ERR_INVALID_CONTENT,
                        "Could not parse request body into json: Could not parse payload into json: the payload is not "
                        "valid JSON");
            respond_error(r, &err);
            return;
        }
    }
    if (type && strcmp(type, "DryRun") == 0) {
        http_respond(r, 204, "application/json", xstrdup(""), 0);
        return;
    }
    /* The decoded client context goes to the runtime in a header: one line of compact JSON. */
    char *client_context = NULL;
    const char *context_header = http_header(r, "X-Amz-Client-Context");
    if (context_header && *context_header) {
        size_t decoded_len = 0;
        char *decoded = (char *)base64_decode(context_header, strlen(context_header), &decoded_len);
        cJSON *doc = decoded ? parse_json_exactly(decoded, decoded_len) : NULL;
        client_context = doc ? cJSON_PrintUnformatted(doc) : NULL;
        cJSON_Delete(doc);
        free(decoded);
    }
    buf_t invoked;
    buf_init(&invoked);
    buf_printf(&invoked, "%s%s%s", f->arn, qualifier && *qualifier ? ":" : "", qualifier ? qualifier : "");
    invoke_request req = {
        .payload = len ? payload : "{}",
        .payload_len = len ? len : 2,
        .invoked_arn = invoked.data,
        .client_context = client_context,
    };
    if (async) {
        char request_id[37];
        async_invoke(f, &req, request_id);
        http_respond(r, 202, "application/json", xstrdup(""), 0);
        http_set_request_id(r, request_id);
    } else {
        invoke_call *call = xcalloc(1, sizeof *call);
        call->request = r;
        call->tail = log_type && strcmp(log_type, "Tail") == 0;
        executor_invoke(f, &req, invoke_done, call);
        http_suspend(r, call, free);
    }
    buf_free(&invoked);
    free(client_context);
}

/* ---- routing ---- */

typedef enum verb { VERB_GET, VERB_POST, VERB_PUT, VERB_DELETE, VERB_OTHER } verb;

static verb verb_of(const char *method)
{
    if (strcmp(method, "GET") == 0)
        return VERB_GET;
    if (strcmp(method, "POST") == 0)
        return VERB_POST;
    if (strcmp(method, "PUT") == 0)
        return VERB_PUT;
    if (strcmp(method, "DELETE") == 0)
        return VERB_DELETE;
    return VERB_OTHER;
}

static bool handle_functions(http_request *r, const lambda_ctx *ctx, verb v, char **seg, int n,
                             const form_params *query, cJSON *out, int *status, lambda_error *err)
{
    const char *qualifier = query_value(query, "Qualifier");
    if (n == 1 && v == VERB_GET)
        return fn_list(ctx, query_value(query, "Marker"), query_value(query, "MaxItems"),
                       query_value(query, "FunctionVersion"), out, err);
    if (n == 1 && v == VERB_POST) {
        cJSON *in = parse_body(r, err);
        bool ok = in && fn_create(ctx, in, out, err);
        cJSON_Delete(in);
        *status = 201;
        return ok;
    }
    if (n == 2 && v == VERB_GET) {
        bool ok = fn_get(ctx, seg[1], qualifier, out, err);
        if (ok)
            auth_presign_code_location(r, out);
        return ok;
    }
    if (n == 2 && v == VERB_DELETE) {
        *status = 204;
        return fn_delete(ctx, seg[1], qualifier, err);
    }
    if (n == 3 && strcmp(seg[2], "configuration") == 0 && v == VERB_GET)
        return fn_get_configuration(ctx, seg[1], qualifier, out, err);
    if (n == 3 && (strcmp(seg[2], "configuration") == 0 || strcmp(seg[2], "code") == 0) && v == VERB_PUT) {
        cJSON *in = parse_body(r, err);
        bool ok = in && (strcmp(seg[2], "code") == 0 ? fn_update_code(ctx, seg[1], in, out, err)
                                                     : fn_update_configuration(ctx, seg[1], in, out, err));
        cJSON_Delete(in);
        return ok;
    }
    return lambda_fail(err, LAMBDA_ERR_UNKNOWN_OPERATION, "Unknown operation");
}

static bool handle_mappings(http_request *r, const lambda_ctx *ctx, verb v, char **seg, int n,
                            const form_params *query, cJSON *out, int *status, lambda_error *err)
{
    if (n == 1 && v == VERB_GET)
        return esm_list(ctx, query_value(query, "EventSourceArn"), query_value(query, "FunctionName"),
                        query_value(query, "Marker"), query_value(query, "MaxItems"), out, err);
    if (n == 1 && v == VERB_POST) {
        cJSON *in = parse_body(r, err);
        bool ok = in && esm_create(ctx, in, out, err);
        cJSON_Delete(in);
        *status = 202;
        return ok;
    }
    if (n == 2 && v == VERB_GET)
        return esm_get(ctx, seg[1], out, err);
    if (n == 2 && v == VERB_PUT) {
        cJSON *in = parse_body(r, err);
        bool ok = in && esm_update(ctx, seg[1], in, out, err);
        cJSON_Delete(in);
        *status = 202;
        return ok;
    }
    if (n == 2 && v == VERB_DELETE) {
        *status = 202;
        return esm_delete(ctx, seg[1], out, err);
    }
    return lambda_fail(err, LAMBDA_ERR_UNKNOWN_OPERATION, "Unknown operation");
}

#define TAGS_PREFIX "/2017-03-31/tags/"

/* GET /_sqsemu/lambda/code/<name>.zip: the archive GetFunction's Code.Location points at. */
static void serve_code(http_request *r, const lambda_ctx *ctx)
{
    const char *rest = http_path(r) + strlen(CODE_PREFIX);
    char *name = percent_decode(rest, strlen(rest), NULL);
    size_t len = strlen(name);
    if (len > 4 && strcmp(name + len - 4, ".zip") == 0)
        name[len - 4] = '\0';
    lambda_function *f = functions_find(ctx->account, ctx->region, name);
    size_t zip_len = 0;
    char *zip = f ? function_code_zip(f, &zip_len) : NULL;
    if (zip) {
        http_respond(r, 200, "application/zip", zip, zip_len);
    } else {
        lambda_error err;
        lambda_fail(&err, LAMBDA_ERR_NOT_FOUND, "No stored code archive for %s", name);
        respond_error(r, &err);
    }
    free(name);
}

/* /2017-03-31/tags/{ARN}: GET lists, POST adds (204), DELETE ?tagKeys=… removes (204). */
static bool handle_tags(http_request *r, const lambda_ctx *ctx, verb v, const char *raw_query, cJSON *out,
                        int *status, lambda_error *err)
{
    const char *path = http_path(r) + strlen(TAGS_PREFIX);
    char *arn = percent_decode(path, strlen(path), NULL);
    bool ok;
    if (v == VERB_GET) {
        ok = tags_list(ctx, arn, out, err);
    } else if (v == VERB_POST) {
        cJSON *in = parse_body(r, err);
        ok = in && tags_add(ctx, arn, in, err);
        cJSON_Delete(in);
        *status = 204;
    } else if (v == VERB_DELETE) {
        /* tagKeys repeats, so it is read pair by pair rather than as a map. */
        form_params all;
        form_params_init(&all);
        form_parse(&all, raw_query, strlen(raw_query));
        const char **keys = xmalloc((all.count ? all.count : 1) * sizeof *keys);
        size_t n = 0;
        for (size_t i = 0; i < all.count; i++) {
            if (strcmp(all.items[i].name, "tagKeys") == 0)
                keys[n++] = all.items[i].value;
        }
        ok = tags_remove(ctx, arn, keys, n, err);
        free(keys);
        form_params_free(&all);
        *status = 204;
    } else {
        ok = lambda_fail(err, LAMBDA_ERR_UNKNOWN_OPERATION, "Unknown operation");
    }
    free(arn);
    return ok;
}

/* A %XX escape of a control character (U+0000..U+001F, U+007F) anywhere in s: a decoded
 * NUL would cut a label short (".../functions/ok%00x" named the function "ok"). */
static bool has_encoded_control(const char *s)
{
    for (const char *p = strchr(s, '%'); p; p = strchr(p + 1, '%')) {
        int hi = hex_digit(p[1]), lo = hi >= 0 ? hex_digit(p[2]) : -1;
        if (lo >= 0 && (hi * 16 + lo < 0x20 || hi * 16 + lo == 0x7f))
            return true;
    }
    return false;
}

void lambda_rest_handle(http_request *r, const char *account, const char *region)
{
    lambda_ctx ctx = {account, region, clock_now_ms()};
    lambda_error err = {0};
    if (has_encoded_control(http_path(r)) || has_encoded_control(http_query(r))) {
        lambda_fail(&err, LAMBDA_ERR_VALIDATION,
                    "1 validation error detected: the request path or query string holds an encoded control "
                    "character, which no Lambda name, ARN or parameter may contain.");
        respond_error(r, &err);
        return;
    }
    form_params query;
    form_params_init(&query);
    const char *raw_query = http_query(r);
    form_parse(&query, raw_query, strlen(raw_query));
    const char *path = http_path(r);
    char *seg[3] = {0};
    int n = strncmp(path, API_PREFIX, strlen(API_PREFIX)) == 0 ? split_path(path + strlen(API_PREFIX), seg) : 0;
    verb v = verb_of(http_method(r));
    cJSON *out = cJSON_CreateObject();
    int status = 200;
    bool ok;
    if (n >= 3 && strcmp(seg[0], "functions") == 0 && strcmp(seg[2], "invocations") == 0 && v == VERB_POST) {
        handle_invoke(r, &ctx, seg[1], &query);
        goto done;
    }
    if (strncmp(path, CODE_PREFIX, strlen(CODE_PREFIX)) == 0 && v == VERB_GET) {
        serve_code(r, &ctx);
        goto done;
    }
    if (strncmp(path, TAGS_PREFIX, strlen(TAGS_PREFIX)) == 0)
        ok = handle_tags(r, &ctx, v, raw_query, out, &status, &err);
    else if (n >= 1 && strcmp(seg[0], "functions") == 0)
        ok = handle_functions(r, &ctx, v, seg, n, &query, out, &status, &err);
    else if (n >= 1 && strcmp(seg[0], "event-source-mappings") == 0)
        ok = handle_mappings(r, &ctx, v, seg, n, &query, out, &status, &err);
    else
        ok = lambda_fail(&err, LAMBDA_ERR_UNKNOWN_OPERATION, "Unknown operation");
    if (!ok)
        respond_error(r, &err);
    else if (status == 204)
        http_respond(r, 204, "application/json", xstrdup(""), 0);
    else
        respond_json(r, status, out);
done:
    cJSON_Delete(out);
    for (int i = 0; i < 3; i++)
        free(seg[i]);
    form_params_free(&query);
}
