/* lambda/absent_features: the read operations that Terraform's AWS provider, SAM and
 * CloudFormation call while they create, read and delete a function, for features that
 * sqsemu does not emulate. Each answers what AWS's API reference gives for a function that
 * does not use the feature, after checking that the function (and qualifier) exists:
 *   GetFunctionCodeSigningConfig  {"CodeSigningConfigArn": "", "FunctionName"} (no config)
 *   GetRuntimeManagementConfig    {"UpdateRuntimeOn": "Auto", "FunctionArn"} (the default mode)
 *   GetFunctionUrlConfig          ResourceNotFoundException (the function has no URL)
 *   ListFunctionUrlConfigs        {"FunctionUrlConfigs": []}
 *   GetFunctionRecursionConfig    {"RecursiveLoop": "Terminate"} (AWS's default)
 *   GetProvisionedConcurrencyConfig   ProvisionedConcurrencyConfigNotFoundException
 *   ListProvisionedConcurrencyConfigs {"ProvisionedConcurrencyConfigs": []}
 *   ListLayers                    {"Layers": []} (sqsemu has no layers)
 * Nothing here writes; the operations that would set these features stay unknown
 * operations that name themselves (lambda_rest_routes.c). */
#include <stdio.h>
#include <string.h>

#include "function.h"
#include "absent_features.h"

static lambda_function *find(const lambda_ctx *ctx, const lambda_call *c, bool qualified, lambda_error *err)
{
    return functions_resolve(ctx, c->name, qualified ? c->qualifier : NULL, true, err);
}

static void add_arn(cJSON *out, const char *member, const lambda_function *f, const char *qualifier)
{
    char arn[300];
    if (qualifier && *qualifier)
        snprintf(arn, sizeof arn, "%s:%s", f->arn, qualifier);
    else
        snprintf(arn, sizeof arn, "%s", f->arn);
    cJSON_AddStringToObject(out, member, arn);
}

static bool provisioned_config(const lambda_ctx *ctx, const lambda_call *c, lambda_error *err)
{
    if (!c->qualifier)
        return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                           "1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: "
                           "Member must not be null");
    if (!find(ctx, c, true, err))
        return false;
    return lambda_fail(err, LAMBDA_ERR_PROVISIONED_NOT_FOUND, "No Provisioned Concurrency Config found for this function");
}

bool absent_feature_read(const lambda_ctx *ctx, const lambda_call *c, cJSON *out, lambda_error *err)
{
    lambda_function *f;
    switch (c->op) {
    case LAMBDA_OP_GET_CODE_SIGNING_CONFIG:
        if (!(f = find(ctx, c, false, err)))
            return false;
        cJSON_AddStringToObject(out, "CodeSigningConfigArn", "");
        cJSON_AddStringToObject(out, "FunctionName", f->name);
        return true;
    case LAMBDA_OP_GET_RUNTIME_MANAGEMENT_CONFIG:
        if (!(f = find(ctx, c, true, err)))
            return false;
        cJSON_AddStringToObject(out, "UpdateRuntimeOn", "Auto");
        add_arn(out, "FunctionArn", f, c->qualifier);
        return true;
    case LAMBDA_OP_GET_URL_CONFIG:
        return find(ctx, c, true, err) &&
               lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "The resource you requested does not exist.");
    case LAMBDA_OP_LIST_URL_CONFIGS:
        if (!find(ctx, c, false, err))
            return false;
        cJSON_AddArrayToObject(out, "FunctionUrlConfigs");
        return true;
    case LAMBDA_OP_GET_RECURSION_CONFIG:
        if (!find(ctx, c, false, err))
            return false;
        cJSON_AddStringToObject(out, "RecursiveLoop", "Terminate");
        return true;
    case LAMBDA_OP_GET_PROVISIONED_CONCURRENCY: return provisioned_config(ctx, c, err);
    case LAMBDA_OP_LIST_PROVISIONED_CONCURRENCY:
        if (!find(ctx, c, false, err))
            return false;
        cJSON_AddArrayToObject(out, "ProvisionedConcurrencyConfigs");
        return true;
    case LAMBDA_OP_LIST_LAYERS: cJSON_AddArrayToObject(out, "Layers"); return true;
    default: return lambda_fail(err, LAMBDA_ERR_UNKNOWN_OPERATION, "Unknown operation");
    }
}
