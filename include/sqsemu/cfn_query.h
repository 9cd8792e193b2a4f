/* cfn_query: CloudFormation's query protocol (API version 2010-05-15), a pure codec.
 * Decoding turns a request's form parameters into the neutral input cfn_service_call takes
 * (AWS's member names; "Parameters.member.1.ParameterKey" becomes
 * [{"ParameterKey": ...}], "Capabilities.member.1" becomes ["..."], booleans JSON booleans,
 * integers JSON numbers); encoding writes a result object as
 * <ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>...</ResponseMetadata>
 * </ActionResponse> (lists as <member> elements) and an error as <ErrorResponse>. */
#ifndef SQSEMU_CFN_QUERY_H
#define SQSEMU_CFN_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "sqsemu/cfn.h"
#include "sqsemu/form.h"

#define CFN_QUERY_XMLNS "http://cloudformation.amazonaws.com/doc/2010-05-15/"
#define CFN_QUERY_VERSION "2010-05-15"
#define CFN_QUERY_MAX_LIST_MEMBERS 200 /* members of one list (AWS: 200 parameters a template) */
#define CFN_QUERY_MAX_PARAMS 4000      /* form parameters of one request */

/* True when action is one of the CloudFormation actions sqsemu emulates (cfn.h's list). */
bool cfn_query_action_known(const char *action);

/* Builds the input of action from params (Action, Version and the SigV4 parameters are not
 * members). Lists must be numbered 1..N without gaps, at most CFN_QUERY_MAX_LIST_MEMBERS
 * long; a keyed list (Parameters by ParameterKey, Tags by Key) may not name a key twice;
 * "Name=" with an empty value is an empty list. Unknown parameters are ignored, as AWS
 * does. NULL with err (ValidationError) on a bad value, index or list. */
cJSON *cfn_query_decode(const char *action, const form_params *params, cfn_error *err);

/* The XML success response for action. result may be NULL (DeleteStack's output has no
 * members: no Result element is written). Strings are escaped, numbers and booleans
 * written as text, objects nested, arrays as <member> elements; a timestamp member
 * (CreationTime, Timestamp...) given as a number of milliseconds since the epoch is written
 * as ISO 8601 ("2024-05-01T12:00:00.000Z"), one given as a string as it is.
 * Returns a malloc'd NUL-terminated string. */
char *cfn_query_encode_result(const char *action, const cJSON *result, const char *request_id, size_t *len);

/* The XML <ErrorResponse> of an error code (Type Sender unless sender is false). */
char *cfn_query_encode_error_code(const char *code, bool sender, const char *message, const char *request_id,
                                  size_t *len);
/* The XML <ErrorResponse> of err, and its HTTP status in *status. */
char *cfn_query_encode_error(const cfn_error *err, const char *request_id, int *status, size_t *len);

#endif
