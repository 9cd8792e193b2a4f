/* logs/error: the CloudWatch Logs error value: AWS's name of each kind and the helper that
 * fills one in. The wire shape is the codec's (protocol/logs_wire_errors.c). */
#include "sqsemu/logs_error.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const names[LOGS_ERR__COUNT] = {
    [LOGS_OK] = "",
    [LOGS_ERR_INVALID_PARAMETER] = "InvalidParameterException",
    [LOGS_ERR_RESOURCE_NOT_FOUND] = "ResourceNotFoundException",
    [LOGS_ERR_SERVICE_UNAVAILABLE] = "ServiceUnavailableException",
    [LOGS_ERR_UNKNOWN_OPERATION] = "UnknownOperationException",
    [LOGS_ERR_SERIALIZATION] = "SerializationException",
    [LOGS_ERR_REQUEST_TOO_LARGE] = "RequestEntityTooLargeException",
    [LOGS_ERR_BUSY] = "ServiceUnavailableException",
    [LOGS_ERR_MISSING_AUTH_TOKEN] = "MissingAuthenticationTokenException",
    [LOGS_ERR_INCOMPLETE_SIGNATURE] = "IncompleteSignatureException",
    [LOGS_ERR_UNRECOGNIZED_CLIENT] = "UnrecognizedClientException",
    [LOGS_ERR_INVALID_SIGNATURE] = "InvalidSignatureException",
};

const char *logs_err_name(logs_err_kind kind)
{
    if ((int)kind < 0 || kind >= LOGS_ERR__COUNT)
        kind = LOGS_ERR_SERVICE_UNAVAILABLE;
    return names[kind];
}

bool logs_fail(logs_error *err, logs_err_kind kind, const char *fmt, ...)
{
    if (!err)
        return false;
    err->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return false;
}
