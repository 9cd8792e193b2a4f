/* logs_wire_errors: the wire catalogue of CloudWatch Logs errors. The service's own errors
 * carry their bare name as __type; the request layer's (an unknown operation, a body that
 * is not the right JSON, a refused signature) carry Coral's namespace, as AWS JSON 1.1
 * services answer them. AWS's names live with the error value (src/logs/error.c). */
#include "sqsemu/logs_wire_errors.h"

#define CORAL_NS "com.amazon.coral.service#"

static const logs_wire_error catalogue[LOGS_ERR__COUNT] = {
    [LOGS_OK] = {"", 200},
    [LOGS_ERR_INVALID_PARAMETER] = {"InvalidParameterException", 400},
    [LOGS_ERR_RESOURCE_NOT_FOUND] = {"ResourceNotFoundException", 400},
    [LOGS_ERR_SERVICE_UNAVAILABLE] = {"ServiceUnavailableException", 500},
    [LOGS_ERR_UNKNOWN_OPERATION] = {CORAL_NS "UnknownOperationException", 400},
    [LOGS_ERR_SERIALIZATION] = {CORAL_NS "SerializationException", 400},
    [LOGS_ERR_REQUEST_TOO_LARGE] = {CORAL_NS "RequestEntityTooLargeException", 413},
    [LOGS_ERR_BUSY] = {"ServiceUnavailableException", 503},
    [LOGS_ERR_MISSING_AUTH_TOKEN] = {CORAL_NS "MissingAuthenticationTokenException", 403},
    [LOGS_ERR_INCOMPLETE_SIGNATURE] = {CORAL_NS "IncompleteSignatureException", 400},
    [LOGS_ERR_UNRECOGNIZED_CLIENT] = {CORAL_NS "UnrecognizedClientException", 400},
    [LOGS_ERR_INVALID_SIGNATURE] = {CORAL_NS "InvalidSignatureException", 400},
};

const logs_wire_error *logs_wire_error_of(logs_err_kind kind)
{
    if ((int)kind <= 0 || kind >= LOGS_ERR__COUNT)
        kind = LOGS_ERR_SERVICE_UNAVAILABLE;
    return &catalogue[kind];
}
