/* cfn/error: the CloudFormation error kinds' wire names (CloudFormation's API reference,
 * "Common Errors" and each action's Errors section). */
#include <stdarg.h>
#include <stdio.h>

#include "sqsemu/cfn.h"

static const char *const names[CFN_ERR__COUNT] = {
    [CFN_ERR_VALIDATION] = "ValidationError",
    [CFN_ERR_ALREADY_EXISTS] = "AlreadyExistsException",
    [CFN_ERR_CHANGE_SET_NOT_FOUND] = "ChangeSetNotFound",
    [CFN_ERR_INSUFFICIENT_CAPABILITIES] = "InsufficientCapabilitiesException",
    [CFN_ERR_INVALID_CHANGE_SET_STATUS] = "InvalidChangeSetStatus",
    [CFN_ERR_TOKEN_ALREADY_EXISTS] = "TokenAlreadyExistsException",
    [CFN_ERR_INVALID_ACTION] = "InvalidAction",
    [CFN_ERR_INTERNAL] = "InternalFailure",
};

const char *cfn_err_name(cfn_err_kind kind)
{
    return (unsigned)kind < CFN_ERR__COUNT && names[kind] ? names[kind] : "InternalFailure";
}

bool cfn_fail(cfn_error *err, cfn_err_kind kind, const char *fmt, ...)
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
