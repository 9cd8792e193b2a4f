/* lambda/lambda_error: AWS's error type names of the Lambda error kinds, and lambda_fail. */
#include "sqsemu/lambda_error.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const names[LAMBDA_ERR__COUNT] = {
    [LAMBDA_OK] = "",
    [LAMBDA_ERR_INVALID_PARAMETER] = "InvalidParameterValueException",
    [LAMBDA_ERR_VALIDATION] = "ValidationException",
    [LAMBDA_ERR_NOT_FOUND] = "ResourceNotFoundException",
    [LAMBDA_ERR_CONFLICT] = "ResourceConflictException",
    [LAMBDA_ERR_IN_USE] = "ResourceInUseException",
    [LAMBDA_ERR_PRECONDITION] = "PreconditionFailedException",
    [LAMBDA_ERR_INVALID_CONTENT] = "InvalidRequestContentException",
    [LAMBDA_ERR_REQUEST_TOO_LARGE] = "RequestTooLargeException",
    [LAMBDA_ERR_ENTITY_TOO_LARGE] = "RequestEntityTooLargeException",
    [LAMBDA_ERR_INVALID_RUNTIME] = "InvalidRuntimeException",
    [LAMBDA_ERR_ACCESS_DENIED] = "AccessDeniedException",
    [LAMBDA_ERR_UNKNOWN_OPERATION] = "UnknownOperationException",
    [LAMBDA_ERR_SERVICE] = "ServiceException",
    [LAMBDA_ERR_TOO_MANY_REQUESTS] = "TooManyRequestsException",
    [LAMBDA_ERR_POLICY_LENGTH] = "PolicyLengthExceededException",
    [LAMBDA_ERR_PROVISIONED_NOT_FOUND] = "ProvisionedConcurrencyConfigNotFoundException",
};

const char *lambda_err_name(lambda_err_kind kind)
{
    return (int)kind >= 0 && kind < LAMBDA_ERR__COUNT ? names[kind] : names[LAMBDA_ERR_SERVICE];
}

bool lambda_fail(lambda_error *err, lambda_err_kind kind, const char *fmt, ...)
{
    if (!err)
        return false;
    err->kind = kind;
    err->reason = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return false;
}
