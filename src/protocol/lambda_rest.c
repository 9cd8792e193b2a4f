/* lambda_rest: the Lambda REST-JSON protocol (API version 2015-03-31, tags 2017-03-31, and
 * the operations AWS added under later dates).
 *
 * Decoding maps (method, path) to an operation with the route table of lambda_rest_routes.c
 * (tags and the code downloads are decoded here), decodes path
 * labels (percent-escapes; an escaped control character is refused, since a NUL would cut
 * a label short), the query parameters an operation reads, the Invoke headers and, for the
 * operations that take one, the JSON body (strictly parsed). The raw Invoke payload is
 * passed as it came: the service judges it. Encoding writes the result with the
 * operation's REST status (201 create, 202 mappings, 204 deletes and tags, 200, 202 and 204
 * for the three kinds of Invoke) and errors as {"Type", "message"} with x-amzn-ErrorType. */
#include "sqsemu/lambda_rest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqsemu/buf.h"
#include "sqsemu/codec.h"
#include "sqsemu/json.h"
#include "lambda_rest_internal.h"
#include "sqsemu/lambda_wire_errors.h"

#define API_PREFIX "/2015-03-31/"
#define TAGS_PREFIX "/2017-03-31/tags/"
#define CODE_PREFIX "/_sqsemu/lambda/code/"
#define CODE_UPLOAD_LIMIT 70167211
#define LOG_RESULT_MAX 4096

bool lambda_rest_is_path(const char *path)
{
    if (strncmp(path, CODE_PREFIX, strlen(CODE_PREFIX)) == 0)
        return true;
    /* Every Lambda path starts with a date segment: /YYYY-MM-DD/ */
    return strlen(path) > 12 && path[0] == '/' && isdigit((unsigned char)path[1]) && path[5] == '-' && path[8] == '-' &&
           path[11] == '/';
}

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

/* ---- decoding ---- */

/* A %XX escape of a control character (U+0000..U+001F, U+007F) anywhere in s. */
static bool has_encoded_control(const char *s)
{
    for (const char *p = strchr(s, '%'); p; p = strchr(p + 1, '%')) {
        int hi = hex_digit(p[1]), lo = hi >= 0 ? hex_digit(p[2]) : -1;
        if (lo >= 0 && (hi * 16 + lo < 0x20 || hi * 16 + lo == 0x7f))
            return true;
    }
    return false;
}

static bool parse_body(const char *body, size_t len, lambda_rest_request *out, lambda_error *err)
{
    out->body = len == 0 ? cJSON_CreateObject() : json_parse_strict(body, len, NULL, 0);
    if (!cJSON_IsObject(out->body)) {
        cJSON_Delete(out->body);
        out->body = NULL;
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT,
                           "Could not parse request body into json: the body is not a JSON object.");
    }
    out->call.body = out->body;
    return true;
}

/* No route took the request: the error names the operation AWS has there, if any. */
static bool unknown_operation(const char *method, const char *path, const form_params *query, lambda_error *err)
{
    const char *name = lambda_rest_unemulated_op(method, path, query);
    if (name)
        return lambda_fail(err, LAMBDA_ERR_UNKNOWN_OPERATION, "sqsemu does not emulate the Lambda operation %s", name);
    return lambda_fail(err, LAMBDA_ERR_UNKNOWN_OPERATION,
                       "sqsemu does not emulate this request: no Lambda operation matches %s %.200s", method, path);
}

/* tagKeys repeats, so it is read pair by pair rather than looked up once. */
static void collect_tag_keys(const char *raw_query, lambda_rest_request *out)
{
    form_params all;
    form_params_init(&all);
    form_parse(&all, raw_query, strlen(raw_query));
    out->tag_keys = xmalloc((all.count ? all.count : 1) * sizeof *out->tag_keys);
    size_t n = 0;
    for (size_t i = 0; i < all.count; i++) {
        if (strcmp(all.items[i].name, "tagKeys") == 0)
            out->tag_keys[n++] = xstrdup(all.items[i].value);
    }
    form_params_free(&all);
    out->call.tag_keys = out->tag_keys;
    out->call.tag_key_count = n;
}

/* /2017-03-31/tags/{ARN}: GET lists, POST adds (204), DELETE ?tagKeys=… removes (204). */
static bool decode_tags(const char *method, const char *path, const char *query, const char *body, size_t len,
                        lambda_rest_request *out, lambda_error *err)
{
    const char *arn = path + strlen(TAGS_PREFIX);
    out->label = percent_decode(arn, strlen(arn), NULL);
    out->call.name = out->label;
    if (strcmp(method, "GET") == 0) {
        out->call.op = LAMBDA_OP_LIST_TAGS;
        out->success_status = 200;
        return true;
    }
    if (strcmp(method, "POST") == 0) {
        out->call.op = LAMBDA_OP_TAG_RESOURCE;
        out->success_status = 204;
        return parse_body(body, len, out, err);
    }
    if (strcmp(method, "DELETE") == 0) {
        out->call.op = LAMBDA_OP_UNTAG_RESOURCE;
        out->success_status = 204;
        collect_tag_keys(query, out);
        return true;
    }
    return unknown_operation(method, path, &out->query, err);
}

/* GET /_sqsemu/lambda/code/<name>.zip */
static bool decode_code_archive(const char *method, const char *path, lambda_rest_request *out, lambda_error *err)
{
    if (strcmp(method, "GET") != 0)
        return lambda_fail(err, LAMBDA_ERR_UNKNOWN_OPERATION, "Unknown operation");
    const char *rest = path + strlen(CODE_PREFIX);
    out->label = percent_decode(rest, strlen(rest), NULL);
    size_t n = strlen(out->label);
    if (n > 4 && strcmp(out->label + n - 4, ".zip") == 0)
        out->label[n - 4] = '\0';
    out->call.op = LAMBDA_OP_GET_CODE_ARCHIVE;
    out->call.name = out->label;
    out->success_status = 200;
    return true;
}

static void decode_invoke(lambda_rest_header_fn header, void *ctx, const char *body, size_t len,
                          lambda_rest_request *out)
{
    lambda_call *c = &out->call;
    c->invocation_type = header(ctx, "X-Amz-Invocation-Type");
    c->log_type = header(ctx, "X-Amz-Log-Type");
    c->client_context = header(ctx, "X-Amz-Client-Context");
    c->payload = body;
    c->payload_len = len;
}

bool lambda_rest_decode(const char *method, const char *path, const char *query, lambda_rest_header_fn header,
                        void *header_ctx, const char *body, size_t body_len, lambda_rest_request *out,
                        lambda_error *err)
{
    memset(out, 0, sizeof *out);
    form_params_init(&out->query);
    if (has_encoded_control(path) || has_encoded_control(query))
        return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                           "1 validation error detected: the request path or query string holds an encoded control "
                           "character, which no Lambda name, ARN or parameter may contain.");
    form_parse(&out->query, query, strlen(query));
    if (strncmp(path, TAGS_PREFIX, strlen(TAGS_PREFIX)) == 0)
        return decode_tags(method, path, query, body, body_len, out, err);
    if (strncmp(path, CODE_PREFIX, strlen(CODE_PREFIX)) == 0)
        return decode_code_archive(method, path, out, err);
    bool wants_body = false;
    if (!lambda_rest_route(method, path, out, &wants_body))
        return unknown_operation(method, path, &out->query, err);
    if (out->call.op == LAMBDA_OP_INVOKE)
        decode_invoke(header, header_ctx, body, body_len, out);
    return !wants_body || parse_body(body, body_len, out, err);
}

void lambda_rest_request_free(lambda_rest_request *req)
{
    for (int i = 0; i < 4; i++)
        free(req->segments[i]);
    for (size_t i = 0; req->tag_keys && i < req->call.tag_key_count; i++)
        free((char *)req->tag_keys[i]);
    free(req->tag_keys);
    free(req->label);
    cJSON_Delete(req->body);
    form_params_free(&req->query);
    memset(req, 0, sizeof *req);
}

/* ---- encoding ---- */

static void set_json(wire_response *out, int status, const cJSON *doc)
{
    char *text = doc ? cJSON_PrintUnformatted(doc) : xstrdup("");
    wire_set_body(out, status, "application/json", text, strlen(text));
}

static void encode_invoke(const lambda_call *call, lambda_result *result, wire_response *out)
{
    const char *type = call->invocation_type;
    if (type && strcmp(type, "DryRun") == 0) {
        wire_set_body(out, 204, "application/json", xstrdup(""), 0);
        return;
    }
    snprintf(out->request_id, sizeof out->request_id, "%s", result->request_id);
    if (type && strcmp(type, "Event") == 0) {
        wire_set_body(out, 202, "application/json", xstrdup(""), 0);
        return;
    }
    char *payload = result->payload ? result->payload : xstrdup("");
    wire_set_body(out, 200, "application/json", payload, result->payload_len);
    result->payload = NULL;
    wire_add_header(out, "X-Amz-Executed-Version", result->executed_version ? result->executed_version : "$LATEST");
    if (result->function_error)
        wire_add_header(out, "X-Amz-Function-Error", "Unhandled");
    if (result->log_tail) {
        char *encoded = base64_encode(result->log_tail, strlen(result->log_tail));
        wire_add_header(out, "X-Amz-Log-Result", encoded);
        free(encoded);
    }
}

void lambda_rest_encode_result(const lambda_rest_request *req, lambda_result *result, wire_response *out)
{
    switch (req->call.op) {
    case LAMBDA_OP_INVOKE:
        encode_invoke(&req->call, result, out);
        return;
    case LAMBDA_OP_GET_CODE_ARCHIVE:
        wire_set_body(out, 200, "application/zip", result->payload, result->payload_len);
        result->payload = NULL;
        return;
    default:
        set_json(out, req->success_status, req->success_status == 204 ? NULL : result->json);
        return;
    }
}

void lambda_rest_encode_error(const lambda_error *err, wire_response *out)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "Type", err->kind == LAMBDA_ERR_SERVICE ? "Service" : "User");
    cJSON_AddStringToObject(doc, lambda_wire_capital_message(err->kind) ? "Message" : "message", err->message);
    if (err->kind == LAMBDA_ERR_TOO_MANY_REQUESTS && err->reason)
        cJSON_AddStringToObject(doc, "Reason", err->reason);
    set_json(out, lambda_wire_status(err->kind), doc);
    cJSON_Delete(doc);
    wire_add_header(out, "x-amzn-ErrorType", lambda_err_name(err->kind));
}
