/* logs_json: the AWS JSON 1.1 codec of CloudWatch Logs: the action an X-Amz-Target names,
 * request bodies to neutral requests (type-checked against the model's member types),
 * neutral results and errors to responses. */
#ifndef SQSEMU_LOGS_JSON_H
#define SQSEMU_LOGS_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "sqsemu/logs_error.h"
#include "sqsemu/wire.h"

#define LOGS_JSON_TARGET_PREFIX "Logs_20140328."
#define LOGS_JSON_CONTENT_TYPE "application/x-amz-json-1.1"

/* The action of an X-Amz-Target header, or NULL when the target is not a Logs one. */
const char *logs_json_action(const char *target);
/* Parses and type-checks the body of a known action (an empty body is {}); NULL + err
 * (SerializationException) when it is not a JSON object or a member has the wrong type. */
cJSON *logs_json_decode(const char *action, const char *body, size_t len, logs_error *err);
void logs_json_encode_result(const cJSON *result, wire_response *out);
/* {"__type": "...", "message": "..."} with the error's status. */
void logs_json_encode_error(const logs_error *err, wire_response *out);

#endif
