/* cfn/sam_internal.h: what the SAM transform's files share (sam.c drives, sam_function.c
 * expands one AWS::Serverless::Function, sam_role.c builds its execution role). */
#ifndef SQSEMU_CFN_SAM_INTERNAL_H
#define SQSEMU_CFN_SAM_INTERNAL_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "sqsemu/cfn.h"

/* Fails with SAM's wording: "Transform AWS::Serverless-2016-10-31 failed with: Invalid
 * Serverless Application Specification document. Number of errors found: 1. <cause>". */
bool sam_invalid(cfn_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds the CloudFormation resources of function id (its properties already merged with
 * Globals.Function) to out. */
bool sam_expand_function(cJSON *out, const char *id, const cJSON *resource, cfn_error *err);

/* The execution role <id>Role of a function without Role: managed policies, inline
 * policies (policies[] entries taken over) and tags. sqs: the function has an SQS event. */
cJSON *sam_make_role(const char *id, const cJSON *props, cJSON *policies, const cJSON *tags, bool sqs,
                     cfn_error *err);

/* True when v is {"Ref": ..}, {"Condition": ..} or {"Fn::...": ..} (one member). */
bool sam_is_intrinsic(const cJSON *v);

#endif
