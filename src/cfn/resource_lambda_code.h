/* cfn/resource_lambda_code.h: AWS::Lambda::Function's Code property turned into the Code
 * member of CreateFunction / UpdateFunctionCode, with a digest that tells whether it
 * changed since the last deployment. */
#ifndef SQSEMU_CFN_RESOURCE_LAMBDA_CODE_H
#define SQSEMU_CFN_RESOURCE_LAMBDA_CODE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "provider.h"
#include "sqsemu/codec.h"

/* code: the (normalized) Code property; runtime: the function's Runtime (for ZipFile's
 * file name). On success *out is a new Code object for the Lambda API and digest the
 * SHA-256 (hex) of what it deploys. */
bool lambda_code_prepare(const cfn_resource *r, const cJSON *code, const char *runtime, cJSON **out,
                         char digest[SHA256_HEX_LEN], cfn_error *err);

#endif
