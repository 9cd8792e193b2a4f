/* sqs_query: the AWS query protocol codec. Turns flattened form parameters into the
 * neutral request (a cJSON object with the JSON protocol's member names and types) and
 * writes neutral results and errors as the XML responses of SQS. */
#ifndef SQSEMU_SQS_QUERY_H
#define SQSEMU_SQS_QUERY_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "sqsemu/form.h"
#include "sqsemu/sqs_error.h"

/* Builds the neutral input for action from params (Action, Version and auth parameters are
 * ignored). Integers become JSON numbers, booleans JSON booleans, blobs stay base64 strings,
 * flattened lists/maps/entry lists become arrays/objects. Returns NULL and fills err on a
 * value that cannot be converted (InvalidParameterValue) or that holds a NUL byte
 * (InvalidMessageContents for a MessageBody, InvalidParameterValue otherwise). */
cJSON *sqs_query_decode(const char *action, const form_params *params, sqs_error *err);

/* Writes the XML success response <ActionResponse><ActionResult>…</ActionResult>
 * <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></ActionResponse>.
 * result may be NULL or empty; actions without output get no Result element.
 * Returns a malloc'd NUL-terminated string. */
char *sqs_query_encode_result(const char *action, const cJSON *result, const char *request_id, size_t *len);

/* Writes the XML <ErrorResponse> for err (uses err->query_message when set). */
char *sqs_query_encode_error(const sqs_error *err, const char *request_id, size_t *len);

#endif
