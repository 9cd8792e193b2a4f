/* cfn/resource_lambda_misc: AWS::Lambda::Version, AWS::Lambda::Alias, AWS::Lambda::Permission
 * and AWS::Lambda::EventInvokeConfig through lambda_service_call (AWS CloudFormation User
 * Guide, resource type reference, each type's page).
 *
 *   Version            PublishVersion; Ref the version's ARN, Fn::GetAtt Version (the
 *                      number) and FunctionArn (the version's ARN). Every property is
 *                      "Update requires: Replacement" (an update publishes a new version);
 *                      delete deletes that version.
 *   Alias              CreateAlias; Ref and Fn::GetAtt AliasArn the alias's ARN;
 *                      FunctionName and Name replace, the rest is UpdateAlias.
 *   Permission         AddPermission under a generated StatementId, which is also the
 *                      physical id and Ref; any change replaces it; delete is RemovePermission.
 *   EventInvokeConfig  PutFunctionEventInvokeConfig; FunctionName and Qualifier replace.
 * ProvisionedConcurrencyConfig is refused: sqsemu has no provisioned concurrency. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource_props.h"
#include "resource_service.h"
#include "sqsemu/buf.h"
#include "sqsemu/json.h"

static bool no_provisioned(const cfn_resource *r, cfn_error *err)
{
    if (!cJSON_GetObjectItemCaseSensitive(r->properties, "ProvisionedConcurrencyConfig"))
        return true;
    return props_validation_fail(err, r,
                                 "#/ProvisionedConcurrencyConfig: sqsemu does not emulate provisioned concurrency");
}

static bool nothing_to_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    (void)r;
    (void)old_properties;
    (void)state;
    (void)err;
    return true;
}

/* ---- AWS::Lambda::Version ---- */

static const prop_spec version_specs[] = {
    {.name = "FunctionName", .type = PROP_STRING, .required = true, .replace = true},
    {.name = "Description", .type = PROP_STRING, .replace = true},
    {.name = "CodeSha256", .type = PROP_STRING, .replace = true},
    {.name = "ProvisionedConcurrencyConfig", .type = PROP_OBJECT, .replace = true},
    {.name = "RuntimePolicy", .type = PROP_OBJECT, .replace = true},
    {0},
};

static bool version_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    cJSON *props = no_provisioned(r, err) ? props_normalize(r, version_specs, err) : NULL;
    if (!props)
        return false;
    cJSON *body = cJSON_CreateObject();
    if (props_string(props, "Description"))
        cJSON_AddStringToObject(body, "Description", props_string(props, "Description"));
    if (props_string(props, "CodeSha256"))
        cJSON_AddStringToObject(body, "CodeSha256", props_string(props, "CodeSha256"));
    lambda_call c = {.op = LAMBDA_OP_PUBLISH_VERSION, .name = props_string(props, "FunctionName"), .body = body};
    cJSON *out = NULL;
    bool ok = resource_lambda(r, &c, &out, false, err);
    if (ok) {
        const char *arn = props_string(out, "FunctionArn");
        *state = props_state_new(arn, arn);
        props_state_attr(*state, "Version", props_string(out, "Version"));
        props_state_attr(*state, "FunctionArn", arn);
        cJSON_AddStringToObject(*state, "FunctionName", props_string(out, "FunctionName"));
    }
    cJSON_Delete(out);
    cJSON_Delete(body);
    cJSON_Delete(props);
    return ok;
}

static bool version_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    return props_replacement_needed(old_properties, r, version_specs);
}

static bool version_remove(const cfn_resource *r, const cJSON *state, cfn_error *err)
{
    const char *name = props_state_string(state, "FunctionName");
    const char *version = props_state_attr_string(state, "Version");
    if (!name || !version)
        return true;
    lambda_call c = {.op = LAMBDA_OP_DELETE_FUNCTION, .name = name, .qualifier = version};
    return resource_lambda(r, &c, NULL, true, err);
}

const cfn_provider cfn_lambda_version_provider = {
    .type = "AWS::Lambda::Version",
    .create = version_create,
    .needs_replacement = version_needs_replacement,
    .update = nothing_to_update,
    .remove = version_remove,
};

/* ---- AWS::Lambda::Alias ---- */

static const prop_spec weight_fields[] = {
    {.name = "FunctionVersion", .type = PROP_STRING, .required = true},
    {.name = "FunctionWeight", .type = PROP_NUMBER, .required = true},
    {0},
};
static const prop_spec weight_item = {.name = "", .type = PROP_OBJECT, .fields = weight_fields};
static const prop_spec routing_fields[] = {
    {.name = "AdditionalVersionWeights", .type = PROP_LIST, .items = &weight_item},
    {0},
};
static const prop_spec alias_specs[] = {
    {.name = "FunctionName", .type = PROP_STRING, .required = true, .replace = true},
    {.name = "Name", .type = PROP_STRING, .required = true, .replace = true},
    {.name = "FunctionVersion", .type = PROP_STRING, .required = true},
    {.name = "Description", .type = PROP_STRING},
    {.name = "RoutingConfig", .type = PROP_OBJECT, .fields = routing_fields},
    {.name = "ProvisionedConcurrencyConfig", .type = PROP_OBJECT},
    {0},
};

/* RoutingConfig as the API wants it: {AdditionalVersionWeights: {version: weight}}. */
static cJSON *routing_body(const cJSON *routing)
{
    cJSON *out = cJSON_CreateObject();
    cJSON *weights = cJSON_AddObjectToObject(out, "AdditionalVersionWeights");
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(routing, "AdditionalVersionWeights"))
        json_set_number(weights, props_string(w, "FunctionVersion"),
                        cJSON_GetObjectItemCaseSensitive(w, "FunctionWeight")->valuedouble);
    return out;
}

static cJSON *alias_body(const cJSON *props, bool create)
{
    cJSON *body = cJSON_CreateObject();
    if (create)
        cJSON_AddStringToObject(body, "Name", props_string(props, "Name"));
    cJSON_AddStringToObject(body, "FunctionVersion", props_string(props, "FunctionVersion"));
    const char *description = props_string(props, "Description");
    if (description || !create)
        cJSON_AddStringToObject(body, "Description", description ? description : "");
    const cJSON *routing = cJSON_GetObjectItemCaseSensitive(props, "RoutingConfig");
    if (routing || !create)
        cJSON_AddItemToObject(body, "RoutingConfig", routing_body(routing));
    return body;
}

static bool alias_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    cJSON *props = no_provisioned(r, err) ? props_normalize(r, alias_specs, err) : NULL;
    if (!props)
        return false;
    cJSON *body = alias_body(props, true);
    lambda_call c = {.op = LAMBDA_OP_CREATE_ALIAS, .name = props_string(props, "FunctionName"), .body = body};
    cJSON *out = NULL;
    bool ok = resource_lambda(r, &c, &out, false, err);
    if (ok) {
        const char *arn = props_string(out, "AliasArn");
        *state = props_state_new(arn, arn);
        props_state_attr(*state, "AliasArn", arn);
        cJSON_AddStringToObject(*state, "FunctionName", props_string(props, "FunctionName"));
        cJSON_AddStringToObject(*state, "Name", props_string(props, "Name"));
    }
    cJSON_Delete(out);
    cJSON_Delete(body);
    cJSON_Delete(props);
    return ok;
}

static bool alias_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    return props_replacement_needed(old_properties, r, alias_specs);
}

static bool alias_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    (void)old_properties;
    cJSON *props = no_provisioned(r, err) ? props_normalize(r, alias_specs, err) : NULL;
    if (!props)
        return false;
    cJSON *body = alias_body(props, false);
    lambda_call c = {.op = LAMBDA_OP_UPDATE_ALIAS, .name = props_state_string(state, "FunctionName"),
                     .alias = props_state_string(state, "Name"), .body = body};
    bool ok = resource_lambda(r, &c, NULL, false, err);
    cJSON_Delete(body);
    cJSON_Delete(props);
    return ok;
}

static bool alias_remove(const cfn_resource *r, const cJSON *state, cfn_error *err)
{
    const char *name = props_state_string(state, "FunctionName");
    const char *alias = props_state_string(state, "Name");
    if (!name || !alias)
        return true;
    lambda_call c = {.op = LAMBDA_OP_DELETE_ALIAS, .name = name, .alias = alias};
    return resource_lambda(r, &c, NULL, true, err);
}

const cfn_provider cfn_lambda_alias_provider = {
    .type = "AWS::Lambda::Alias",
    .create = alias_create,
    .needs_replacement = alias_needs_replacement,
    .update = alias_update,
    .remove = alias_remove,
};

/* ---- AWS::Lambda::Permission ---- */

static const prop_spec permission_specs[] = {
    {.name = "Action", .type = PROP_STRING, .required = true, .replace = true},
    {.name = "FunctionName", .type = PROP_STRING, .required = true, .replace = true},
    {.name = "Principal", .type = PROP_STRING, .required = true, .replace = true},
    {.name = "SourceArn", .type = PROP_STRING, .replace = true},
    {.name = "SourceAccount", .type = PROP_STRING, .replace = true},
    {.name = "EventSourceToken", .type = PROP_STRING, .replace = true},
    {.name = "FunctionUrlAuthType", .type = PROP_STRING, .replace = true},
    {.name = "PrincipalOrgID", .type = PROP_STRING, .replace = true},
    {.name = "InvokedViaFunctionUrl", .type = PROP_BOOLEAN, .replace = true},
    {0},
};

static bool permission_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    cJSON *props = props_normalize(r, permission_specs, err);
    if (!props)
        return false;
    char *statement = props_generated_name(r, 100, "");
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "StatementId", statement);
    static const char *const members[] = {"Action", "Principal", "SourceArn", "SourceAccount", "EventSourceToken",
                                          "FunctionUrlAuthType", "PrincipalOrgID", NULL};
    for (int i = 0; members[i]; i++)
        if (props_string(props, members[i]))
            cJSON_AddStringToObject(body, members[i], props_string(props, members[i]));
    lambda_call c = {.op = LAMBDA_OP_ADD_PERMISSION, .name = props_string(props, "FunctionName"), .body = body};
    bool ok = resource_lambda(r, &c, NULL, false, err);
    if (ok) {
        *state = props_state_new(statement, statement);
        cJSON_AddStringToObject(*state, "FunctionName", props_string(props, "FunctionName"));
    }
    cJSON_Delete(body);
    cJSON_Delete(props);
    free(statement);
    return ok;
}

static bool permission_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    return props_replacement_needed(old_properties, r, permission_specs);
}

static bool permission_remove(const cfn_resource *r, const cJSON *state, cfn_error *err)
{
    const char *name = props_state_string(state, "FunctionName");
    const char *statement = props_state_string(state, "PhysicalResourceId");
    if (!name || !statement)
        return true;
    lambda_call c = {.op = LAMBDA_OP_REMOVE_PERMISSION, .name = name, .statement_id = statement};
    return resource_lambda(r, &c, NULL, true, err);
}

const cfn_provider cfn_lambda_permission_provider = {
    .type = "AWS::Lambda::Permission",
    .create = permission_create,
    .needs_replacement = permission_needs_replacement,
    .update = nothing_to_update,
    .remove = permission_remove,
};

/* ---- AWS::Lambda::EventInvokeConfig ---- */

static const prop_spec destination_fields[] = {{.name = "Destination", .type = PROP_STRING, .required = true}, {0}};
static const prop_spec destination_config_fields[] = {
    {.name = "OnSuccess", .type = PROP_OBJECT, .fields = destination_fields},
    {.name = "OnFailure", .type = PROP_OBJECT, .fields = destination_fields},
    {0},
};
static const prop_spec invoke_config_specs[] = {
    {.name = "FunctionName", .type = PROP_STRING, .required = true, .replace = true},
    {.name = "Qualifier", .type = PROP_STRING, .required = true, .replace = true},
    {.name = "MaximumEventAgeInSeconds", .type = PROP_INTEGER},
    {.name = "MaximumRetryAttempts", .type = PROP_INTEGER},
    {.name = "DestinationConfig", .type = PROP_OBJECT, .fields = destination_config_fields},
    {0},
};

static bool put_invoke_config(const cfn_resource *r, const cJSON *props, cfn_error *err)
{
    cJSON *body = cJSON_CreateObject();
    static const char *const members[] = {"MaximumEventAgeInSeconds", "MaximumRetryAttempts", "DestinationConfig",
                                          NULL};
    for (int i = 0; members[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(props, members[i]))
            json_set_copy(body, members[i], cJSON_GetObjectItemCaseSensitive(props, members[i]));
    lambda_call c = {.op = LAMBDA_OP_PUT_EVENT_INVOKE_CONFIG, .name = props_string(props, "FunctionName"),
                     .qualifier = props_string(props, "Qualifier"), .body = body};
    bool ok = resource_lambda(r, &c, NULL, false, err);
    cJSON_Delete(body);
    return ok;
}

static bool invoke_config_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    cJSON *props = props_normalize(r, invoke_config_specs, err);
    if (!props)
        return false;
    bool ok = put_invoke_config(r, props, err);
    if (ok) {
        char *id = props_generated_name(r, 128, "");
        *state = props_state_new(id, id);
        cJSON_AddStringToObject(*state, "FunctionName", props_string(props, "FunctionName"));
        cJSON_AddStringToObject(*state, "Qualifier", props_string(props, "Qualifier"));
        free(id);
    }
    cJSON_Delete(props);
    return ok;
}

static bool invoke_config_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    return props_replacement_needed(old_properties, r, invoke_config_specs);
}

static bool invoke_config_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    (void)old_properties;
    (void)state;
    cJSON *props = props_normalize(r, invoke_config_specs, err);
    bool ok = props && put_invoke_config(r, props, err);
    cJSON_Delete(props);
    return ok;
}

static bool invoke_config_remove(const cfn_resource *r, const cJSON *state, cfn_error *err)
{
    const char *name = props_state_string(state, "FunctionName");
    if (!name)
        return true;
    lambda_call c = {.op = LAMBDA_OP_DELETE_EVENT_INVOKE_CONFIG, .name = name,
                     .qualifier = props_state_string(state, "Qualifier")};
    return resource_lambda(r, &c, NULL, true, err);
}

const cfn_provider cfn_lambda_event_invoke_config_provider = {
    .type = "AWS::Lambda::EventInvokeConfig",
    .create = invoke_config_create,
    .needs_replacement = invoke_config_needs_replacement,
    .update = invoke_config_update,
    .remove = invoke_config_remove,
};
