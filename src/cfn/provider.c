/* cfn/provider: the table of resource types sqsemu provisions, each with its provider
 * (resource_*.c); the stack engine looks a template's Type up here. */
#include <stddef.h>
#include <string.h>

#include "provider.h"

static const cfn_provider *const providers[] = {
    &cfn_sqs_queue_provider,
    &cfn_sqs_queue_policy_provider,
    &cfn_sqs_queue_inline_policy_provider,
    &cfn_lambda_function_provider,
    &cfn_lambda_version_provider,
    &cfn_lambda_alias_provider,
    &cfn_lambda_mapping_provider,
    &cfn_lambda_permission_provider,
    &cfn_lambda_event_invoke_config_provider,
    &cfn_iam_role_provider,
    &cfn_iam_policy_provider,
    &cfn_iam_managed_policy_provider,
};

const cfn_provider *cfn_provider_find(const char *type)
{
    if (!type)
        return NULL;
    for (size_t i = 0; i < sizeof providers / sizeof providers[0]; i++)
        if (strcmp(providers[i]->type, type) == 0)
            return providers[i];
    return NULL;
}
