/* lambda_error: the protocol-neutral Lambda error value: a kind, AWS's error type for it
 * (the x-amzn-ErrorType of the REST API) and a message. How an error looks on the wire
 * (HTTP status, "message" or "Message") is the REST codec's (lambda_wire_errors.h). */
#ifndef SQSEMU_LAMBDA_ERROR_H
#define SQSEMU_LAMBDA_ERROR_H

#include <stdbool.h>

typedef enum lambda_err_kind {
    LAMBDA_OK = 0,
    LAMBDA_ERR_INVALID_PARAMETER,   /* InvalidParameterValueException */
    LAMBDA_ERR_VALIDATION,          /* ValidationException */
    LAMBDA_ERR_NOT_FOUND,           /* ResourceNotFoundException */
    LAMBDA_ERR_CONFLICT,            /* ResourceConflictException */
    LAMBDA_ERR_IN_USE,              /* ResourceInUseException */
    LAMBDA_ERR_PRECONDITION,        /* PreconditionFailedException */
    LAMBDA_ERR_INVALID_CONTENT,     /* InvalidRequestContentException */
    LAMBDA_ERR_REQUEST_TOO_LARGE,   /* RequestTooLargeException (an Invoke payload) */
    LAMBDA_ERR_ENTITY_TOO_LARGE,    /* RequestEntityTooLargeException (a request body) */
    LAMBDA_ERR_INVALID_RUNTIME,     /* InvalidRuntimeException */
    LAMBDA_ERR_ACCESS_DENIED,       /* AccessDeniedException */
    LAMBDA_ERR_UNKNOWN_OPERATION,   /* UnknownOperationException */
    LAMBDA_ERR_SERVICE,             /* ServiceException */
    LAMBDA_ERR_TOO_MANY_REQUESTS,   /* TooManyRequestsException (429, with a Reason) */
    LAMBDA_ERR_POLICY_LENGTH,       /* PolicyLengthExceededException */
    LAMBDA_ERR_PROVISIONED_NOT_FOUND, /* ProvisionedConcurrencyConfigNotFoundException */
    LAMBDA_ERR__COUNT
} lambda_err_kind;

typedef struct lambda_error {
    lambda_err_kind kind;
    char message[2048];
    const char *reason; /* TooManyRequestsException's Reason (a static string), else NULL */
} lambda_error;

/* AWS's name of the error type, e.g. "ResourceNotFoundException". */
const char *lambda_err_name(lambda_err_kind kind);

/* Fills err (may be NULL); returns false so callers can `return lambda_fail(...)`. */
bool lambda_fail(lambda_error *err, lambda_err_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
