/* sqs_wire_errors: how each SQS error kind looks on the wire: the JSON protocol's __type,
 * the HTTP status, and the query protocol's own message where it differs. */
#ifndef SQSEMU_SQS_WIRE_ERRORS_H
#define SQSEMU_SQS_WIRE_ERRORS_H

#include "sqsemu/sqs_error.h"

typedef struct sqs_wire_error {
    const char *json_type;     /* full JSON __type, e.g. "com.amazonaws.sqs#QueueDoesNotExist" */
    int http_status;
    const char *query_message; /* the query protocol's text, NULL = the error's own message */
    bool query_header;         /* JSON answers carry x-amzn-query-error: <code>;<fault> */
} sqs_wire_error;

const sqs_wire_error *sqs_wire_error_of(sqs_err_kind kind);

#endif
