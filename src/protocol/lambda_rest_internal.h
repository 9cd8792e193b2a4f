/* lambda_rest_internal.h: what the Lambda REST codec's files share: the path pattern
 * matcher and the routes of lambda_rest_routes.c, and the operation table of
 * lambda_operations.c (generated from AWS's model) that names unemulated operations. */
#ifndef SQSEMU_LAMBDA_REST_INTERNAL_H
#define SQSEMU_LAMBDA_REST_INTERNAL_H

#include <stdbool.h>

#include "sqsemu/lambda_rest.h"

typedef struct lambda_rest_operation {
    const char *method;
    const char *pattern; /* "/2015-03-31/functions/{}/policy", optionally "...?List=ALL" */
    const char *name;
} lambda_rest_operation;

/* Every Lambda operation of AWS's model; ends with a NULL row. */
extern const lambda_rest_operation lambda_rest_operations[];

/* Whether path (with its parsed query) has the shape of pattern: literal segments, {} for
 * one label, then optionally "?name=value" (the parameter must have that value) or
 * "?!name" (it must be absent). When captures is given,
 * the {} labels are percent-decoded into it (malloc'd, at most max; the caller frees). */
bool lambda_rest_match(const char *pattern, const char *path, const form_params *query, char **captures, int max);

/* Finds the route of (method, path): sets the call's operation, its labels and the query
 * parameters operations read, and the success status; *body: the operation reads a JSON
 * body. False when no route matches (out is left as it was). */
bool lambda_rest_route(const char *method, const char *path, lambda_rest_request *out, bool *body);

/* AWS's name of the operation at (method, path), or NULL when the model has none there. */
const char *lambda_rest_unemulated_op(const char *method, const char *path, const form_params *query);

#endif
