/* lambda/policy.h: a function's resource-based policy: AddPermission, RemovePermission and
 * GetPolicy (policy.c), with the statement an AddPermission builds (policy_statement.c).
 * The policy is stored and returned as AWS does, never enforced. */
#ifndef SQSEMU_LAMBDA_POLICY_H
#define SQSEMU_LAMBDA_POLICY_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "sqsemu/lambda.h"
#include "sqsemu/lambda_error.h"

bool policy_add(const lambda_ctx *ctx, const char *name, const char *qualifier, const cJSON *in, cJSON *out,
                lambda_error *err);
bool policy_remove(const lambda_ctx *ctx, const char *name, const char *qualifier, const char *statement_id,
                   const char *revision_id, lambda_error *err);
bool policy_get(const lambda_ctx *ctx, const char *name, const char *qualifier, cJSON *out, lambda_error *err);

/* Checks AddPermission's members and builds the statement for the resource ARN (NULL with
 * err when a member is missing or malformed). */
cJSON *policy_statement_build(const cJSON *in, const char *resource_arn, lambda_error *err);

#endif
