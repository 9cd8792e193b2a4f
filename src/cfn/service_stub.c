/* cfn/service_stub: STAND-IN for the CloudFormation service, so that the API part (codec,
 * front, tests) builds and runs on its own branch. THE INTEGRATOR DELETES THIS FILE (and
 * its line in meson.build) when the engine part's service.c is merged: that file defines
 * the same four functions for real. ValidateTemplate answers {"Parameters": []}; every
 * other action is InvalidAction; --template files are refused. */
#include <string.h>

#include "sqsemu/cfn.h"

bool cfn_service_start(const cfn_settings *settings)
{
    (void)settings;
    return true;
}

void cfn_service_stop(void)
{
}

bool cfn_service_call(const cfn_ctx *ctx, const char *action, const cJSON *input, cJSON **output, cfn_error *err)
{
    (void)ctx;
    (void)input;
    *output = NULL;
    if (action && strcmp(action, "ValidateTemplate") == 0) {
        *output = cJSON_CreateObject();
        cJSON_AddArrayToObject(*output, "Parameters");
        return true;
    }
    return cfn_fail(err, CFN_ERR_INVALID_ACTION, "The action %.200s is not yet emulated by this build (stand-in "
                    "service).", action ? action : "");
}

bool cfn_apply_template_file(const cfn_ctx *ctx, const char *path, const char *stack_name,
                             const char *const *parameters, size_t parameter_count, cfn_error *err)
{
    (void)ctx;
    (void)stack_name;
    (void)parameters;
    (void)parameter_count;
    return cfn_fail(err, CFN_ERR_INVALID_ACTION, "%s: templates are not applied by this build (stand-in service)",
                    path);
}
