/* lambda_wire_errors: the REST shapes of Lambda errors (status, text member name). */
#include "sqsemu/lambda_wire_errors.h"

static const struct {
    int status;
    bool capital_message;
} shapes[LAMBDA_ERR__COUNT] = {
    [LAMBDA_OK] = {200, false},
    [LAMBDA_ERR_INVALID_PARAMETER] = {400, false},
    [LAMBDA_ERR_VALIDATION] = {400, false},
    [LAMBDA_ERR_NOT_FOUND] = {404, true},
    [LAMBDA_ERR_CONFLICT] = {409, false},
    [LAMBDA_ERR_IN_USE] = {400, true},
    [LAMBDA_ERR_PRECONDITION] = {412, false},
    [LAMBDA_ERR_INVALID_CONTENT] = {400, false},
    [LAMBDA_ERR_REQUEST_TOO_LARGE] = {413, false},
    [LAMBDA_ERR_ENTITY_TOO_LARGE] = {413, false},
    [LAMBDA_ERR_INVALID_RUNTIME] = {502, true},
    [LAMBDA_ERR_ACCESS_DENIED] = {403, true},
    [LAMBDA_ERR_UNKNOWN_OPERATION] = {404, false},
    [LAMBDA_ERR_SERVICE] = {500, true},
    [LAMBDA_ERR_TOO_MANY_REQUESTS] = {429, false},
    [LAMBDA_ERR_POLICY_LENGTH] = {400, false},
    [LAMBDA_ERR_PROVISIONED_NOT_FOUND] = {404, false},
};

static lambda_err_kind known(lambda_err_kind kind)
{
    return (int)kind >= 0 && kind < LAMBDA_ERR__COUNT ? kind : LAMBDA_ERR_SERVICE;
}

int lambda_wire_status(lambda_err_kind kind)
{
    return shapes[known(kind)].status;
}

bool lambda_wire_capital_message(lambda_err_kind kind)
{
    return shapes[known(kind)].capital_message;
}
