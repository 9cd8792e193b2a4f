/* cfn/resource_lambda_function: AWS::Lambda::Function through lambda_service_call (AWS
 * CloudFormation User Guide, resource type reference, "AWS::Lambda::Function").
 *
 * Create is CreateFunction (the code as resource_lambda_code.c prepares it), then
 * PutFunctionConcurrency for ReservedConcurrentExecutions. Ref is the function's name and
 * Fn::GetAtt Arn its unqualified ARN. FunctionName and PackageType are "Update requires:
 * Replacement"; an update runs UpdateFunctionCode when the code changed (the Code property,
 * or the contents of its local directory: the digest kept in the state tells), then
 * UpdateFunctionConfiguration (a property taken out of the template goes back to Lambda's
 * default), the reserved concurrency and the tags. Layers, VpcConfig, FileSystemConfigs,
 * KmsKeyArn, ImageConfig, SnapStart, RuntimeManagementConfig, CodeSigningConfigArn and
 * RecursiveLoop are accepted and not emulated. Without FunctionName the function is named
 * <stack>-<logicalId>-<random>, at most 64 characters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource_lambda_code.h"
#include "resource_props.h"
#include "resource_service.h"
#include "sqsemu/buf.h"
#include "sqsemu/json.h"

#define FUNCTION_NAME_MAX 64

static const prop_spec string_item = {.name = "", .type = PROP_STRING};
static const prop_spec tag_fields[] = {
    {.name = "Key", .type = PROP_STRING, .required = true},
    {.name = "Value", .type = PROP_STRING},
    {0},
};
static const prop_spec tag_item = {.name = "", .type = PROP_OBJECT, .fields = tag_fields};
static const prop_spec environment_fields[] = {{.name = "Variables", .type = PROP_OBJECT}, {0}};
static const prop_spec dead_letter_fields[] = {{.name = "TargetArn", .type = PROP_STRING}, {0}};
static const prop_spec tracing_fields[] = {{.name = "Mode", .type = PROP_STRING}, {0}};
static const prop_spec storage_fields[] = {{.name = "Size", .type = PROP_INTEGER, .required = true}, {0}};
static const prop_spec logging_fields[] = {
    {.name = "LogFormat", .type = PROP_STRING},
    {.name = "ApplicationLogLevel", .type = PROP_STRING},
    {.name = "SystemLogLevel", .type = PROP_STRING},
    {.name = "LogGroup", .type = PROP_STRING},
    {0},
};

static const prop_spec function_specs[] = {
    {.name = "FunctionName", .type = PROP_STRING, .replace = true},
    {.name = "Code", .type = PROP_ANY, .required = true},
    {.name = "Handler", .type = PROP_STRING},
    {.name = "Runtime", .type = PROP_STRING},
    {.name = "Role", .type = PROP_STRING, .required = true},
    {.name = "Description", .type = PROP_STRING},
    {.name = "Timeout", .type = PROP_INTEGER},
    {.name = "MemorySize", .type = PROP_INTEGER},
    {.name = "Environment", .type = PROP_OBJECT, .fields = environment_fields},
    {.name = "DeadLetterConfig", .type = PROP_OBJECT, .fields = dead_letter_fields},
    {.name = "ReservedConcurrentExecutions", .type = PROP_INTEGER},
    {.name = "Tags", .type = PROP_LIST, .items = &tag_item},
    {.name = "Layers", .type = PROP_LIST, .items = &string_item},
    {.name = "Architectures", .type = PROP_LIST, .items = &string_item},
    {.name = "TracingConfig", .type = PROP_OBJECT, .fields = tracing_fields},
    {.name = "LoggingConfig", .type = PROP_OBJECT, .fields = logging_fields},
    {.name = "EphemeralStorage", .type = PROP_OBJECT, .fields = storage_fields},
    {.name = "PackageType", .type = PROP_STRING, .replace = true},
    {.name = "ImageConfig", .type = PROP_OBJECT},
    {.name = "VpcConfig", .type = PROP_OBJECT},
    {.name = "FileSystemConfigs", .type = PROP_LIST},
    {.name = "KmsKeyArn", .type = PROP_STRING},
    {.name = "SnapStart", .type = PROP_OBJECT},
    {.name = "RuntimeManagementConfig", .type = PROP_OBJECT},
    {.name = "CodeSigningConfigArn", .type = PROP_STRING},
    {.name = "RecursiveLoop", .type = PROP_STRING},
    {0},
};

/* The configuration members CreateFunction and UpdateFunctionConfiguration take as they
 * are, and what an update sends when the template no longer has one (Lambda's default). */
static const struct {
    const char *name;
    const char *reset_json;
} config_members[] = {
    {"Handler", NULL},
    {"Runtime", NULL},
    {"Role", NULL},
    {"Description", "\"\""},
    {"Timeout", "3"},
    {"MemorySize", "128"},
    {"Environment", "{\"Variables\":{}}"},
    {"DeadLetterConfig", "{\"TargetArn\":\"\"}"},
    {"TracingConfig", "{\"Mode\":\"PassThrough\"}"},
    {"LoggingConfig", "{\"LogFormat\":\"Text\"}"},
    {"EphemeralStorage", "{\"Size\":512}"},
};
#define CONFIG_MEMBER_COUNT (sizeof config_members / sizeof config_members[0])

/* Environment variables are strings: a number or boolean a JSON template gives becomes its text. */
static void stringify_variables(cJSON *config)
{
    cJSON *vars = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(config, "Environment"), "Variables");
    for (cJSON *v = vars ? vars->child : NULL, *next; v; v = next) {
        next = v->next;
        char text[64] = "";
        if (cJSON_IsNumber(v))
            snprintf(text, sizeof text, "%.17g", v->valuedouble);
        else if (cJSON_IsBool(v))
            snprintf(text, sizeof text, "%s", cJSON_IsTrue(v) ? "true" : "false");
        else
            continue;
        cJSON_ReplaceItemInObjectCaseSensitive(vars, v->string, cJSON_CreateString(text));
    }
}

/* The configuration members of props; with old, removed ones reset to their defaults. */
static cJSON *config_body(const cJSON *props, const cJSON *old)
{
    cJSON *body = cJSON_CreateObject();
    for (size_t i = 0; i < CONFIG_MEMBER_COUNT; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, config_members[i].name);
        if (v)
            cJSON_AddItemToObject(body, config_members[i].name, cJSON_Duplicate(v, true));
        else if (old && config_members[i].reset_json && cJSON_GetObjectItemCaseSensitive(old, config_members[i].name))
            cJSON_AddItemToObject(body, config_members[i].name, cJSON_Parse(config_members[i].reset_json));
    }
    stringify_variables(body);
    return body;
}

static bool call_simple(const cfn_resource *r, lambda_op op, const char *name, const cJSON *body, bool missing_ok,
                        cfn_error *err)
{
    lambda_call c = {.op = op, .name = name, .body = body};
    return resource_lambda(r, &c, NULL, missing_ok, err);
}

static bool put_concurrency(const cfn_resource *r, const char *name, const cJSON *props, bool had, cfn_error *err)
{
    const cJSON *reserved = cJSON_GetObjectItemCaseSensitive(props, "ReservedConcurrentExecutions");
    if (!reserved)
        return !had || call_simple(r, LAMBDA_OP_DELETE_FUNCTION_CONCURRENCY, name, NULL, true, err);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "ReservedConcurrentExecutions", reserved->valuedouble);
    bool ok = call_simple(r, LAMBDA_OP_PUT_FUNCTION_CONCURRENCY, name, body, false, err);
    cJSON_Delete(body);
    return ok;
}

static bool function_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    cJSON *props = props_normalize(r, function_specs, err);
    if (!props)
        return false;
    cJSON *code = NULL;
    char digest[SHA256_HEX_LEN];
    if (!lambda_code_prepare(r, cJSON_GetObjectItemCaseSensitive(props, "Code"), props_string(props, "Runtime"), &code,
                             digest, err)) {
        cJSON_Delete(props);
        return false;
    }
    char *name = props_string(props, "FunctionName") ? xstrdup(props_string(props, "FunctionName"))
                                                     : props_generated_name(r, FUNCTION_NAME_MAX, "");
    cJSON *body = config_body(props, NULL);
    cJSON_AddStringToObject(body, "FunctionName", name);
    cJSON_AddItemToObject(body, "Code", code);
    if (props_string(props, "PackageType"))
        cJSON_AddStringToObject(body, "PackageType", props_string(props, "PackageType"));
    if (cJSON_GetObjectItemCaseSensitive(props, "Architectures"))
        json_set_copy(body, "Architectures", cJSON_GetObjectItemCaseSensitive(props, "Architectures"));
    props_add_tags(body, props);
    lambda_call c = {.op = LAMBDA_OP_CREATE_FUNCTION, .body = body};
    cJSON *out = NULL;
    bool ok = resource_lambda(r, &c, &out, false, err);
    cJSON_Delete(body);
    if (ok && !put_concurrency(r, name, props, false, err)) {
        call_simple(r, LAMBDA_OP_DELETE_FUNCTION, name, NULL, true, NULL);
        ok = false;
    }
    if (ok) {
        *state = props_state_new(name, name);
        props_state_attr(*state, "Arn", props_string(out, "FunctionArn"));
        cJSON_AddStringToObject(*state, "CodeDigest", digest);
    }
    cJSON_Delete(out);
    cJSON_Delete(props);
    free(name);
    return ok;
}

static bool function_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    return props_replacement_needed(old_properties, r, function_specs);
}

static bool update_code(const cfn_resource *r, const char *name, const cJSON *props, const cJSON *old, cJSON *state,
                        cfn_error *err)
{
    cJSON *code = NULL;
    char digest[SHA256_HEX_LEN];
    if (!lambda_code_prepare(r, cJSON_GetObjectItemCaseSensitive(props, "Code"), props_string(props, "Runtime"), &code,
                             digest, err))
        return false;
    const cJSON *archs = cJSON_GetObjectItemCaseSensitive(props, "Architectures");
    bool archs_changed = !cJSON_Compare(archs, cJSON_GetObjectItemCaseSensitive(old, "Architectures"), true) &&
                         (archs || cJSON_GetObjectItemCaseSensitive(old, "Architectures"));
    const char *before = props_state_string(state, "CodeDigest");
    bool ok = true;
    if (!before || strcmp(before, digest) != 0 || archs_changed) {
        cJSON_AddItemToObject(code, "Architectures",
                              archs ? cJSON_Duplicate(archs, true) : cJSON_Parse("[\"x86_64\"]"));
        ok = call_simple(r, LAMBDA_OP_UPDATE_FUNCTION_CODE, name, code, false, err);
        if (ok)
            json_set_string(state, "CodeDigest", digest);
    }
    cJSON_Delete(code);
    return ok;
}

/* A local directory or zip named by Code deploys other bytes than last time. */
static bool function_changed_outside(const cfn_resource *r, const cJSON *state)
{
    cfn_error ignored;
    cJSON *props = props_normalize(r, function_specs, &ignored);
    if (!props)
        return true; /* the update reports what is wrong */
    cJSON *code = NULL;
    char digest[SHA256_HEX_LEN];
    bool ok = lambda_code_prepare(r, cJSON_GetObjectItemCaseSensitive(props, "Code"), props_string(props, "Runtime"),
                                  &code, digest, &ignored);
    const char *before = props_state_string(state, "CodeDigest");
    cJSON_Delete(code);
    cJSON_Delete(props);
    return !ok || !before || strcmp(before, digest) != 0;
}

static bool function_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    cJSON *props = props_normalize(r, function_specs, err);
    if (!props)
        return false;
    cJSON *old = props_normalize_quiet(old_properties, function_specs);
    if (!old)
        old = cJSON_CreateObject();
    const char *name = props_state_string(state, "PhysicalResourceId");
    bool ok = update_code(r, name, props, old, state, err);
    if (ok) {
        cJSON *body = config_body(props, old);
        cJSON *before = config_body(old, NULL);
        if (!cJSON_Compare(body, before, true))
            ok = call_simple(r, LAMBDA_OP_UPDATE_FUNCTION_CONFIGURATION, name, body, false, err);
        cJSON_Delete(before);
        cJSON_Delete(body);
    }
    const cJSON *reserved = cJSON_GetObjectItemCaseSensitive(props, "ReservedConcurrentExecutions");
    const cJSON *had = cJSON_GetObjectItemCaseSensitive(old, "ReservedConcurrentExecutions");
    if (ok && !(reserved && had && cJSON_Compare(reserved, had, true)))
        ok = put_concurrency(r, name, props, had != NULL, err);
    ok = ok && resource_lambda_retag(r, props_state_attr_string(state, "Arn"), old, props, err);
    cJSON_Delete(old);
    cJSON_Delete(props);
    return ok;
}

static bool function_remove(const cfn_resource *r, const cJSON *state, cfn_error *err)
{
    const char *name = props_state_string(state, "PhysicalResourceId");
    return !name || call_simple(r, LAMBDA_OP_DELETE_FUNCTION, name, NULL, true, err);
}

const cfn_provider cfn_lambda_function_provider = {
    .type = "AWS::Lambda::Function",
    .create = function_create,
    .needs_replacement = function_needs_replacement,
    .changed_outside = function_changed_outside,
    .update = function_update,
    .remove = function_remove,
};
