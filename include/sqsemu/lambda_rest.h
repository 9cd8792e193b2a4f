/* lambda_rest: the Lambda REST-JSON protocol front (functions, invocations, mappings). */
#ifndef SQSEMU_LAMBDA_REST_H
#define SQSEMU_LAMBDA_REST_H

#include <stdbool.h>
#include <stddef.h>

#include "sqsemu/http.h"

/* True for paths that start with a Lambda API date segment (/YYYY-MM-DD/...). */
bool lambda_rest_is_path(const char *path);
/* The largest body a Lambda request may have: AWS's CreateFunction / UpdateFunctionCode
 * request limit (a 50 MB zip, base64-encoded) for code uploads, other_limit otherwise. */
size_t lambda_rest_body_limit(const char *method, const char *path, size_t other_limit);
/* Answers (or, for a synchronous Invoke, parks) one Lambda API request. */
void lambda_rest_handle(http_request *r, const char *account, const char *region);

#endif
