/* lambda/lambda_error: the Lambda error catalogue. */
#include "lambda_error.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
    const char *name;
    int status;
    bool capital_message;
} catalogue[] = {
    [LAMBDA_OK] = {"", 200, false},
    [LAMBDA_ERR_INVALID_PARAMETER] = {"InvalidParameterValueException", 400, false},
    [LAMBDA_ERR_VALIDATION] = {"ValidationException", 400, false},
    [LAMBDA_ERR_NOT_FOUND] = {"ResourceNotFoundException", 404, true},
    [LAMBDA_ERR_CONFLICT] = {"ResourceConflictException", 409, false},
    [LAMBDA_ERR_IN_USE] = {"ResourceInUseException", 400, true},
    [LAMBDA_ERR_PRECONDITION] = {"PreconditionFailedException", 412, false},
    [LAMBDA_ERR_INVALID_CONTENT] = {"InvalidRequestContentException", 400, false},
    [LAMBDA_ERR_REQUEST_TOO_LARGE] = {"RequestTooLargeException", 413, false},
    [LAMBDA_ERR_ENTITY_TOO_LARGE] = {"RequestEntityTooLargeException", 413, false},
    [LAMBDA_ERR_INVALID_RUNTIME] = {"InvalidRuntimeException", 502, true},
    [LAMBDA_ERR_ACCESS_DENIED] = {"AccessDeniedException", 403, true},
    [LAMBDA_ERR_UNKNOWN_OPERATION] = {"UnknownOperationException", 404, false},
    [LAMBDA_ERR_SERVICE] = {"ServiceException", 500, true},
};

const char *lambda_err_name(lambda_err_kind kind)
{
    return catalogue[kind].name;
}

int lambda_err_status(lambda_err_kind kind)
{
    return catalogue[kind].status;
}

bool lambda_err_capital_message(lambda_err_kind kind)
{
    return catalogue[kind].capital_message;
}

bool lambda_fail(lambda_error *err, lambda_err_kind kind, const char *fmt, ...)
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
