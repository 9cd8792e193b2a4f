/* lambda_rest: the Lambda REST-JSON protocol front (functions, invocations, mappings). */
#ifndef SQSEMU_LAMBDA_REST_H
#define SQSEMU_LAMBDA_REST_H

#include <stdbool.h>

#include "sqsemu/http.h"

/* True for paths that start with a Lambda API date segment (/YYYY-MM-DD/...). */
bool lambda_rest_is_path(const char *path);
/* Answers (or, for a synchronous Invoke, parks) one Lambda API request. */
void lambda_rest_handle(http_request *r, const char *account, const char *region);

#endif
