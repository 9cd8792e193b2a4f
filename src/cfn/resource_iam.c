/* cfn/resource_iam: AWS::IAM::Role, AWS::IAM::Policy and AWS::IAM::ManagedPolicy, accepted
 * so that templates made for AWS deploy unchanged (AWS CloudFormation User Guide, resource
 * type reference, "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy").
 *
 * sqsemu has no IAM and enforces nothing: the properties are checked against the types'
 * schemas and nothing else is created; the state holds what Ref and Fn::GetAtt return.
 * A role's Ref is its name and Arn "arn:aws:iam::<account>:role<path><name>" (Path "/" when
 * not given), RoleId a made-up "AROA..." id; RoleName and Path are "Update requires:
 * Replacement". A managed policy's Ref is its ARN (arn:aws:iam::<account>:policy<path><name>);
 * an inline policy's Ref is the physical id CloudFormation generates for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource_props.h"
#include "sqsemu/buf.h"
#include "sqsemu/ids.h"

#define IAM_NAME_MAX 64

static const prop_spec string_item = {.name = "", .type = PROP_STRING};
static const prop_spec tag_fields[] = {
    {.name = "Key", .type = PROP_STRING, .required = true},
    {.name = "Value", .type = PROP_STRING, .required = true},
    {0},
};
static const prop_spec tag_item = {.name = "", .type = PROP_OBJECT, .fields = tag_fields};
static const prop_spec policy_fields[] = {
    {.name = "PolicyDocument", .type = PROP_JSON, .required = true},
    {.name = "PolicyName", .type = PROP_STRING, .required = true},
    {0},
};
static const prop_spec policy_item = {.name = "", .type = PROP_OBJECT, .fields = policy_fields};

static const prop_spec role_specs[] = {
    {.name = "AssumeRolePolicyDocument", .type = PROP_JSON, .required = true},
    {.name = "Description", .type = PROP_STRING},
    {.name = "ManagedPolicyArns", .type = PROP_LIST, .items = &string_item},
    {.name = "MaxSessionDuration", .type = PROP_INTEGER},
    {.name = "Path", .type = PROP_STRING, .replace = true},
    {.name = "PermissionsBoundary", .type = PROP_STRING},
    {.name = "Policies", .type = PROP_LIST, .items = &policy_item},
    {.name = "RoleName", .type = PROP_STRING, .replace = true},
    {.name = "Tags", .type = PROP_LIST, .items = &tag_item},
    {0},
};

static const prop_spec inline_policy_specs[] = {
    {.name = "PolicyDocument", .type = PROP_JSON, .required = true},
    {.name = "PolicyName", .type = PROP_STRING, .required = true},
    {.name = "Roles", .type = PROP_LIST, .items = &string_item},
    {.name = "Users", .type = PROP_LIST, .items = &string_item},
    {.name = "Groups", .type = PROP_LIST, .items = &string_item},
    {0},
};

static const prop_spec managed_policy_specs[] = {
    {.name = "PolicyDocument", .type = PROP_JSON, .required = true},
    {.name = "ManagedPolicyName", .type = PROP_STRING, .replace = true},
    {.name = "Description", .type = PROP_STRING, .replace = true},
    {.name = "Path", .type = PROP_STRING, .replace = true},
    {.name = "Roles", .type = PROP_LIST, .items = &string_item},
    {.name = "Users", .type = PROP_LIST, .items = &string_item},
    {.name = "Groups", .type = PROP_LIST, .items = &string_item},
    {0},
};

/* A unique id as IAM makes them: a four-letter prefix and 17 upper-case letters and digits. */
static void iam_id(const char *prefix, char out[32])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char bytes[17];
    ids_random(bytes, sizeof bytes);
    size_t n = (size_t)snprintf(out, 32, "%s", prefix);
    for (size_t i = 0; i < sizeof bytes && n < 31; i++)
        out[n++] = alphabet[bytes[i] % (sizeof alphabet - 1)];
    out[n] = '\0';
}

/* "arn:aws:iam::<account>:<kind><path><name>", the path "/" when not given. */
static char *iam_arn(const cfn_resource *r, const char *kind, const char *path, const char *name)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "arn:aws:iam::%s:%s%s%s", r->ctx->account, kind, path ? path : "/", name);
    return buf_detach(&b, NULL);
}

static bool role_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    cJSON *props = props_normalize(r, role_specs, err);
    if (!props)
        return false;
    char *name = props_string(props, "RoleName") ? xstrdup(props_string(props, "RoleName"))
                                                 : props_generated_name(r, IAM_NAME_MAX, "");
    char *arn = iam_arn(r, "role", props_string(props, "Path"), name);
    char id[32];
    iam_id("AROA", id);
    *state = props_state_new(name, name);
    props_state_attr(*state, "Arn", arn);
    props_state_attr(*state, "RoleId", id);
    free(arn);
    free(name);
    cJSON_Delete(props);
    return true;
}

static bool role_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    return props_replacement_needed(old_properties, r, role_specs);
}

/* Nothing is stored but the state: an update only checks the new properties. */
static bool check_update(const cfn_resource *r, const prop_spec *specs, cfn_error *err)
{
    cJSON *props = props_normalize(r, specs, err);
    cJSON_Delete(props);
    return props != NULL;
}

static bool role_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    (void)old_properties;
    (void)state;
    return check_update(r, role_specs, err);
}

static bool nothing_to_remove(const cfn_resource *r, const cJSON *state, cfn_error *err)
{
    (void)r;
    (void)state;
    (void)err;
    return true;
}

const cfn_provider cfn_iam_role_provider = {
    .type = "AWS::IAM::Role",
    .create = role_create,
    .needs_replacement = role_needs_replacement,
    .update = role_update,
    .remove = nothing_to_remove,
};

static bool inline_policy_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    cJSON *props = props_normalize(r, inline_policy_specs, err);
    if (!props)
        return false;
    char *id = props_generated_name(r, 128, "");
    *state = props_state_new(id, id);
    props_state_attr(*state, "Id", id);
    free(id);
    cJSON_Delete(props);
    return true;
}

static bool inline_policy_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    return props_replacement_needed(old_properties, r, inline_policy_specs);
}

static bool inline_policy_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    (void)old_properties;
    (void)state;
    return check_update(r, inline_policy_specs, err);
}

const cfn_provider cfn_iam_policy_provider = {
    .type = "AWS::IAM::Policy",
    .create = inline_policy_create,
    .needs_replacement = inline_policy_needs_replacement,
    .update = inline_policy_update,
    .remove = nothing_to_remove,
};

static bool managed_policy_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    cJSON *props = props_normalize(r, managed_policy_specs, err);
    if (!props)
        return false;
    char *name = props_string(props, "ManagedPolicyName") ? xstrdup(props_string(props, "ManagedPolicyName"))
                                                          : props_generated_name(r, 128, "");
    char *arn = iam_arn(r, "policy", props_string(props, "Path"), name);
    char id[32];
    iam_id("ANPA", id);
    *state = props_state_new(arn, arn);
    props_state_attr(*state, "PolicyArn", arn);
    props_state_attr(*state, "PolicyId", id);
    props_state_attr(*state, "DefaultVersionId", "v1");
    free(arn);
    free(name);
    cJSON_Delete(props);
    return true;
}

static bool managed_policy_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    return props_replacement_needed(old_properties, r, managed_policy_specs);
}

static bool managed_policy_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    (void)old_properties;
    (void)state;
    return check_update(r, managed_policy_specs, err);
}

const cfn_provider cfn_iam_managed_policy_provider = {
    .type = "AWS::IAM::ManagedPolicy",
    .create = managed_policy_create,
    .needs_replacement = managed_policy_needs_replacement,
    .update = managed_policy_update,
    .remove = nothing_to_remove,
};
