/* lambda/lambda_error: Lambda API errors: name (x-amzn-ErrorType), HTTP status, and the
 * JSON body member that carries the text ("message" or "Message", per error shape). */
#ifndef SQSEMU_LAMBDA_ERROR_H
#define SQSEMU_LAMBDA_ERROR_H

#include <stdbool.h>

typedef enum lambda_err_kind {
    LAMBDA_OK = 0,
    LAMBDA_ERR_INVALID_PARAMETER,   /* InvalidParameterValueException 400 */
    LAMBDA_ERR_VALIDATION,          /* ValidationException 400 */
    LAMBDA_ERR_NOT_FOUND,           /* ResourceNotFoundException 404 */
    LAMBDA_ERR_CONFLICT,            /* ResourceConflictException 409 */
    LAMBDA_ERR_IN_USE,              /* ResourceInUseException 400 */
    LAMBDA_ERR_PRECONDITION,        /* PreconditionFailedException 412 */
    LAMBDA_ERR_INVALID_CONTENT,     /* InvalidRequestContentException 400 */
    LAMBDA_ERR_REQUEST_TOO_LARGE,   /* RequestTooLargeException 413 */
    LAMBDA_ERR_ENTITY_TOO_LARGE,    /* RequestEntityTooLargeException 413 */
    LAMBDA_ERR_INVALID_RUNTIME,     /* InvalidRuntimeException 502 */
    LAMBDA_ERR_ACCESS_DENIED,       /* AccessDeniedException 403 */
    LAMBDA_ERR_UNKNOWN_OPERATION,   /* UnknownOperationException 404 */
    LAMBDA_ERR_SERVICE,             /* ServiceException 500 */
} lambda_err_kind;

typedef struct lambda_error {
    lambda_err_kind kind;
    char message[2048];
} lambda_error;

const char *lambda_err_name(lambda_err_kind kind);
int lambda_err_status(lambda_err_kind kind);
/* True when the shape spells its text member "Message" rather than "message". */
bool lambda_err_capital_message(lambda_err_kind kind);

/* Fills err; returns false so callers can `return lambda_fail(...)`. */
bool lambda_fail(lambda_error *err, lambda_err_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
