/* logs_wire_errors: how each CloudWatch Logs error kind looks in AWS JSON 1.1: the full
 * __type of its body and its HTTP status. */
#ifndef SQSEMU_LOGS_WIRE_ERRORS_H
#define SQSEMU_LOGS_WIRE_ERRORS_H

#include "sqsemu/logs_error.h"

typedef struct logs_wire_error {
    const char *json_type; /* e.g. "ResourceNotFoundException", "com.amazon.coral.service#SerializationException" */
    int http_status;
} logs_wire_error;

const logs_wire_error *logs_wire_error_of(logs_err_kind kind);

#endif
