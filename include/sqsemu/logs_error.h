/* logs_error: the protocol-neutral CloudWatch Logs error value: a kind, AWS's error type
 * for it and a message. How it looks on the wire (HTTP status, __type) is the codec's
 * (logs_wire_errors.h). */
#ifndef SQSEMU_LOGS_ERROR_H
#define SQSEMU_LOGS_ERROR_H

#include <stdbool.h>

typedef enum logs_err_kind {
    LOGS_OK = 0,
    LOGS_ERR_INVALID_PARAMETER,    /* InvalidParameterException (also failed model constraints) */
    LOGS_ERR_RESOURCE_NOT_FOUND,   /* ResourceNotFoundException */
    LOGS_ERR_SERVICE_UNAVAILABLE,  /* ServiceUnavailableException: the store failed */
    LOGS_ERR_UNKNOWN_OPERATION,    /* UnknownOperationException */
    LOGS_ERR_SERIALIZATION,        /* SerializationException: not JSON, or a member of the wrong type */
    LOGS_ERR_REQUEST_TOO_LARGE,    /* RequestEntityTooLargeException */
    LOGS_ERR_BUSY,                 /* ServiceUnavailableException, retry later (memory budget) */
    LOGS_ERR_MISSING_AUTH_TOKEN,   /* MissingAuthenticationTokenException */
    LOGS_ERR_INCOMPLETE_SIGNATURE, /* IncompleteSignatureException */
    LOGS_ERR_UNRECOGNIZED_CLIENT,  /* UnrecognizedClientException */
    LOGS_ERR_INVALID_SIGNATURE,    /* InvalidSignatureException */
    LOGS_ERR__COUNT
} logs_err_kind;

typedef struct logs_error {
    logs_err_kind kind;
    char message[1024];
} logs_error;

/* AWS's name of the error type, e.g. "ResourceNotFoundException". */
const char *logs_err_name(logs_err_kind kind);

/* Fills err (may be NULL); returns false so callers can `return logs_fail(...)`. */
bool logs_fail(logs_error *err, logs_err_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
