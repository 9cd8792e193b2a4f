/* cfn_query_shapes: the types of CloudFormation's request members and the names of its
 * timestamp members, taken from botocore's cloudformation/2010-05-15/service-2.json for
 * the actions sqsemu emulates (cfn.h). A member name has the same type in every action's
 * input, so one table serves them all. */
#include <stddef.h>
#include <string.h>

#include "cfn_query_internal.h"

static const cfn_member parameter_fields[] = {
    {"ParameterKey", CFN_MEMBER_STRING, NULL, NULL},
    {"ParameterValue", CFN_MEMBER_STRING, NULL, NULL},
    {"UsePreviousValue", CFN_MEMBER_BOOLEAN, NULL, NULL},
    {"ResolvedValue", CFN_MEMBER_STRING, NULL, NULL},
    {NULL, 0, NULL, NULL},
};

static const cfn_member tag_fields[] = {
    {"Key", CFN_MEMBER_STRING, NULL, NULL},
    {"Value", CFN_MEMBER_STRING, NULL, NULL},
    {NULL, 0, NULL, NULL},
};

static const cfn_member trigger_fields[] = {
    {"Arn", CFN_MEMBER_STRING, NULL, NULL},
    {"Type", CFN_MEMBER_STRING, NULL, NULL},
    {NULL, 0, NULL, NULL},
};

static const cfn_member rollback_fields[] = {
    {"RollbackTriggers", CFN_MEMBER_STRUCT_LIST, trigger_fields, NULL},
    {"MonitoringTimeInMinutes", CFN_MEMBER_INTEGER, NULL, NULL},
    {NULL, 0, NULL, NULL},
};

static const cfn_member summary_config_fields[] = {
    {"TreatUnrecognizedResourceTypesAsWarnings", CFN_MEMBER_BOOLEAN, NULL, NULL},
    {NULL, 0, NULL, NULL},
};

const cfn_member cfn_query_members[] = {
    {"StackName", CFN_MEMBER_STRING, NULL, NULL},
    {"TemplateBody", CFN_MEMBER_STRING, NULL, NULL},
    {"TemplateURL", CFN_MEMBER_STRING, NULL, NULL},
    {"UsePreviousTemplate", CFN_MEMBER_BOOLEAN, NULL, NULL},
    {"Parameters", CFN_MEMBER_STRUCT_LIST, parameter_fields, "ParameterKey"},
    {"DisableRollback", CFN_MEMBER_BOOLEAN, NULL, NULL},
    {"RollbackConfiguration", CFN_MEMBER_STRUCT, rollback_fields, NULL},
    {"TimeoutInMinutes", CFN_MEMBER_INTEGER, NULL, NULL},
    {"NotificationARNs", CFN_MEMBER_STRING_LIST, NULL, NULL},
    {"Capabilities", CFN_MEMBER_STRING_LIST, NULL, NULL},
    {"ResourceTypes", CFN_MEMBER_STRING_LIST, NULL, NULL},
    {"RoleARN", CFN_MEMBER_STRING, NULL, NULL},
    {"OnFailure", CFN_MEMBER_STRING, NULL, NULL},
    {"StackPolicyBody", CFN_MEMBER_STRING, NULL, NULL},
    {"StackPolicyURL", CFN_MEMBER_STRING, NULL, NULL},
    {"StackPolicyDuringUpdateBody", CFN_MEMBER_STRING, NULL, NULL},
    {"StackPolicyDuringUpdateURL", CFN_MEMBER_STRING, NULL, NULL},
    {"Tags", CFN_MEMBER_STRUCT_LIST, tag_fields, "Key"},
    {"ClientRequestToken", CFN_MEMBER_STRING, NULL, NULL},
    {"EnableTerminationProtection", CFN_MEMBER_BOOLEAN, NULL, NULL},
    {"RetainExceptOnCreate", CFN_MEMBER_BOOLEAN, NULL, NULL},
    {"RetainResources", CFN_MEMBER_STRING_LIST, NULL, NULL},
    {"DeletionMode", CFN_MEMBER_STRING, NULL, NULL},
    {"NextToken", CFN_MEMBER_STRING, NULL, NULL},
    {"StackStatusFilter", CFN_MEMBER_STRING_LIST, NULL, NULL},
    {"LogicalResourceId", CFN_MEMBER_STRING, NULL, NULL},
    {"PhysicalResourceId", CFN_MEMBER_STRING, NULL, NULL},
    {"ChangeSetName", CFN_MEMBER_STRING, NULL, NULL},
    {"TemplateStage", CFN_MEMBER_STRING, NULL, NULL},
    {"StackSetName", CFN_MEMBER_STRING, NULL, NULL},
    {"CallAs", CFN_MEMBER_STRING, NULL, NULL},
    {"TemplateSummaryConfig", CFN_MEMBER_STRUCT, summary_config_fields, NULL},
    {"ClientToken", CFN_MEMBER_STRING, NULL, NULL},
    {"Description", CFN_MEMBER_STRING, NULL, NULL},
    {"ChangeSetType", CFN_MEMBER_STRING, NULL, NULL},
    {"IncludeNestedStacks", CFN_MEMBER_BOOLEAN, NULL, NULL},
    {"OnStackFailure", CFN_MEMBER_STRING, NULL, NULL},
    {"ImportExistingResources", CFN_MEMBER_BOOLEAN, NULL, NULL},
    {"DeploymentMode", CFN_MEMBER_STRING, NULL, NULL},
    {"IncludePropertyValues", CFN_MEMBER_BOOLEAN, NULL, NULL},
    {NULL, 0, NULL, NULL},
};

/* The output members of timestamp type in the emulated actions' results. */
static const char *const timestamps[] = {
    "CreationTime",         "DeletionTime",       "LastUpdatedTime",          "Timestamp",
    "LastUpdatedTimestamp", "LastCheckTimestamp", "DriftDetectionTimestamp",
};

bool cfn_query_is_timestamp(const char *member)
{
    for (size_t i = 0; i < sizeof timestamps / sizeof timestamps[0]; i++) {
        if (strcmp(timestamps[i], member) == 0)
            return true;
    }
    return false;
}
