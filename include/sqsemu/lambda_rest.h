/* lambda_rest: the Lambda REST-JSON protocol as a codec: a request's method, path, query
 * string, headers and body become one neutral Lambda operation with its arguments; a
 * result or an error becomes a status, headers and a JSON (or raw) body. */
#ifndef SQSEMU_LAMBDA_REST_H
#define SQSEMU_LAMBDA_REST_H

#include <stdbool.h>
#include <stddef.h>

#include "sqsemu/form.h"
#include "sqsemu/lambda.h"
#include "sqsemu/wire.h"

/* True for paths that start with a Lambda API date segment (/YYYY-MM-DD/...), and for the
 * code downloads GetFunction's Code.Location points at. */
bool lambda_rest_is_path(const char *path);
/* The largest body a Lambda request may have: AWS's CreateFunction / UpdateFunctionCode
 * request limit (a 50 MB zip, base64-encoded) for code uploads, other_limit otherwise. */
size_t lambda_rest_body_limit(const char *method, const char *path, size_t other_limit);

/* Header lookup of the request being decoded (NULL when absent). */
typedef const char *(*lambda_rest_header_fn)(void *ctx, const char *name);

/* A decoded request: the call and what it points into. */
typedef struct lambda_rest_request {
    lambda_call call;
    int success_status; /* the REST status of a successful answer */
    char *segments[4];
    char *label;        /* a decoded ARN or archive name */
    cJSON *body;
    form_params query;
    const char **tag_keys;
} lambda_rest_request;

/* Decodes one request; false with err (InvalidRequestContent, Validation, UnknownOperation). */
bool lambda_rest_decode(const char *method, const char *path, const char *query, lambda_rest_header_fn header,
                        void *header_ctx, const char *body, size_t body_len, lambda_rest_request *out,
                        lambda_error *err);
void lambda_rest_request_free(lambda_rest_request *req);

void lambda_rest_encode_result(const lambda_rest_request *req, lambda_result *result, wire_response *out);
void lambda_rest_encode_error(const lambda_error *err, wire_response *out);

#endif
