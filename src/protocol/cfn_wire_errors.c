/* cfn_wire_errors: the HTTP status and fault of each CloudFormation error kind, as
 * botocore's cloudformation model gives them (ChangeSetNotFound is a 404) and the API
 * reference's "Common Errors" (InvalidAction 400, InternalFailure 500). */
#include "sqsemu/cfn_wire_errors.h"

static const struct {
    int status;
    bool sender;
} shapes[CFN_ERR__COUNT] = {
    [CFN_ERR_VALIDATION] = {400, true},
    [CFN_ERR_ALREADY_EXISTS] = {400, true},
    [CFN_ERR_CHANGE_SET_NOT_FOUND] = {404, true},
    [CFN_ERR_INSUFFICIENT_CAPABILITIES] = {400, true},
    [CFN_ERR_INVALID_CHANGE_SET_STATUS] = {400, true},
    [CFN_ERR_TOKEN_ALREADY_EXISTS] = {400, true},
    [CFN_ERR_INVALID_ACTION] = {400, true},
    [CFN_ERR_INTERNAL] = {500, false},
};

static cfn_err_kind known(cfn_err_kind kind)
{
    return (int)kind >= 0 && kind < CFN_ERR__COUNT && shapes[kind].status ? kind : CFN_ERR_INTERNAL;
}

int cfn_wire_status(cfn_err_kind kind)
{
    return shapes[known(kind)].status;
}

bool cfn_wire_sender_fault(cfn_err_kind kind)
{
    return shapes[known(kind)].sender;
}
