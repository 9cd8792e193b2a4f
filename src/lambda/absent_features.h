/* lambda/absent_features.h: the read operations infrastructure tools call for features
 * sqsemu does not emulate, answered as AWS answers for a function without them
 * (absent_features.c). */
#ifndef SQSEMU_LAMBDA_ABSENT_FEATURES_H
#define SQSEMU_LAMBDA_ABSENT_FEATURES_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "sqsemu/lambda.h"
#include "sqsemu/lambda_error.h"

/* One of the LAMBDA_OP_GET_CODE_SIGNING_CONFIG .. LAMBDA_OP_LIST_LAYERS operations. */
bool absent_feature_read(const lambda_ctx *ctx, const lambda_call *call, cJSON *out, lambda_error *err);

#endif
