/* sqs_json: the AWS JSON 1.0 codec of SQS: request bodies to neutral requests, neutral
 * results and errors to response bodies. */
#ifndef SQSEMU_SQS_JSON_H
#define SQSEMU_SQS_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "sqsemu/sqs_error.h"

/* Parses and type-checks the body of an action (an empty body is {}). NULL + err on failure. */
cJSON *sqs_json_decode(const char *action, const char *body, size_t len, sqs_error *err);
/* Compact JSON of result ("{}" when NULL). Malloc'd. */
char *sqs_json_encode_result(const cJSON *result, size_t *len);
/* {"__type": "...", "message": "..."}. Malloc'd. */
char *sqs_json_encode_error(const sqs_error *err, size_t *len);

#endif
