/* cfn/sam_role: the execution role SAM generates for a function without Role (AWS SAM
 * Developer Guide, "AWS::Serverless::Function" Role and Policies; "Generated AWS
 * CloudFormation resources"): <Id>Role, an AWS::IAM::Role that Lambda may assume, with the
 * managed policy AWSLambdaBasicExecutionRole, then each managed policy of Policies (a name
 * becomes an AWS managed policy ARN; an ARN or an intrinsic stays as written; no ARN twice),
 * then AWSLambdaSQSQueueExecutionRole when an event is of type SQS; the inline policies of
 * the dead-letter queue and the destinations, then each policy document of Policies named
 * <Id>RolePolicy<index>. A SAM policy template (e.g. SQSPollerPolicy) is kept as an inline
 * policy of that name and index with no statement: sqsemu does not enforce IAM, so the
 * role is accepted and its content is never evaluated. */
#include <stdio.h>
#include <string.h>

#include "sam_internal.h"

#define AWS_POLICY "arn:aws:iam::aws:policy/"

/* AWS managed policies that live under the service-role/ path. */
static const char *const service_role_policies[] = {
    "AWSLambdaBasicExecutionRole", "AWSLambdaSQSQueueExecutionRole", "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaDynamoDBExecutionRole", "AWSLambdaKinesisExecutionRole", "AWSLambdaRole", "AWSLambdaENIManagementAccess",
};

static void add_arn(cJSON *arns, cJSON *arn)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, arns) {
        if (cJSON_Compare(a, arn, true)) {
            cJSON_Delete(arn);
            return;
        }
    }
    cJSON_AddItemToArray(arns, arn);
}

static cJSON *managed_arn(const char *name)
{
    if (strncmp(name, "arn:", 4) == 0)
        return cJSON_CreateString(name);
    char arn[512];
    const char *path = "";
    for (size_t i = 0; i < sizeof service_role_policies / sizeof *service_role_policies; i++)
        if (strcmp(name, service_role_policies[i]) == 0)
            path = "service-role/";
    snprintf(arn, sizeof arn, AWS_POLICY "%s%.400s", path, name);
    return cJSON_CreateString(arn);
}

static cJSON *assume_role_document(void)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "Version", "2012-10-17");
    cJSON *st = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(st, "Action"), cJSON_CreateString("sts:AssumeRole"));
    cJSON_AddStringToObject(st, "Effect", "Allow");
    cJSON *principal = cJSON_AddObjectToObject(st, "Principal");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(principal, "Service"), cJSON_CreateString("lambda.amazonaws.com"));
    cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "Statement"), st);
    return doc;
}

/* One entry of Policies at index i. */
static bool add_policy_entry(const char *id, const cJSON *entry, int i, cJSON *arns, cJSON *inline_policies,
                             cfn_error *err)
{
    if (cJSON_IsString(entry)) {
        add_arn(arns, managed_arn(entry->valuestring));
        return true;
    }
    if (sam_is_intrinsic(entry)) {
        add_arn(arns, cJSON_Duplicate(entry, true));
        return true;
    }
    if (!cJSON_IsObject(entry) || !entry->child)
        return sam_invalid(err, "Resource with id [%s] is invalid. Policy at index %d in the 'Policies' property "
                                "is not valid", id, i);
    char name[600];
    snprintf(name, sizeof name, "%sRolePolicy%d", id, i);
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "PolicyName", name);
    if (cJSON_GetObjectItemCaseSensitive(entry, "Statement")) {
        cJSON_AddItemToObject(p, "PolicyDocument", cJSON_Duplicate(entry, true));
    } else { /* a policy template: accepted, not expanded */
        cJSON *doc = cJSON_AddObjectToObject(p, "PolicyDocument");
        cJSON_AddArrayToObject(doc, "Statement");
    }
    cJSON_AddItemToArray(inline_policies, p);
    return true;
}

cJSON *sam_make_role(const char *id, const cJSON *props, cJSON *policies, const cJSON *tags, bool sqs,
                     cfn_error *err)
{
    cJSON *role = cJSON_CreateObject();
    cJSON_AddStringToObject(role, "Type", "AWS::IAM::Role");
    cJSON *rp = cJSON_AddObjectToObject(role, "Properties");
    const cJSON *assume = cJSON_GetObjectItemCaseSensitive(props, "AssumeRolePolicyDocument");
    cJSON_AddItemToObject(rp, "AssumeRolePolicyDocument",
                          assume ? cJSON_Duplicate(assume, true) : assume_role_document());
    cJSON *arns = cJSON_AddArrayToObject(rp, "ManagedPolicyArns");
    add_arn(arns, managed_arn("AWSLambdaBasicExecutionRole"));
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(props, "Policies");
    int i = 0;
    const cJSON *entry;
    bool ok = true;
    if (cJSON_IsArray(user)) {
        cJSON_ArrayForEach(entry, user) {
            if (!(ok = add_policy_entry(id, entry, i++, arns, policies, err)))
                break;
        }
    } else if (user && !cJSON_IsNull(user)) {
        ok = add_policy_entry(id, user, 0, arns, policies, err);
    }
    if (!ok) {
        cJSON_Delete(role);
        cJSON_Delete(policies);
        return NULL;
    }
    if (sqs)
        add_arn(arns, managed_arn("AWSLambdaSQSQueueExecutionRole"));
    if (cJSON_GetArraySize(policies) > 0)
        cJSON_AddItemToObject(rp, "Policies", policies);
    else
        cJSON_Delete(policies);
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(props, "RolePath");
    if (path)
        cJSON_AddItemToObject(rp, "Path", cJSON_Duplicate(path, true));
    const cJSON *boundary = cJSON_GetObjectItemCaseSensitive(props, "PermissionsBoundary");
    if (boundary)
        cJSON_AddItemToObject(rp, "PermissionsBoundary", cJSON_Duplicate(boundary, true));
    cJSON_AddItemToObject(rp, "Tags", cJSON_Duplicate(tags, true));
    return role;
}
