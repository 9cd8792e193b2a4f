/* cfn/sam: the AWS::Serverless-2016-10-31 transform's driver (sam.h): finds the transform,
 * checks and merges Globals.Function into every AWS::Serverless::Function, and replaces each
 * function by the resources sam_function.c generates, keeping the other resources (other
 * AWS::Serverless::* types included: the engine fails them as unsupported types) in place.
 *
 * The rules follow the AWS SAM Developer Guide ("Globals section of the AWS SAM template"):
 * a property set in both places takes the function's value, except that maps are merged
 * key by key (recursively, the function's value winning) and lists are appended (the
 * global items first). An intrinsic function counts as a plain value. The wording of the
 * errors is that of the AWS SAM translator (aws-sam-translator, the test oracle). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sam.h"
#include "sam_internal.h"

#define SAM_TRANSFORM "AWS::Serverless-2016-10-31"

/* The properties Globals.Function may set (SAM: every function property but Role,
 * Policies, FunctionName and Events). */
static const char *const global_props[] = {
    "Handler", "Runtime", "CodeUri", "DeadLetterQueue", "Description", "MemorySize", "Timeout", "VpcConfig",
    "Environment", "Tags", "PropagateTags", "Tracing", "KmsKeyArn", "AutoPublishAlias",
    "AutoPublishAliasAllProperties", "Layers", "DeploymentPreference", "RolePath", "PermissionsBoundary",
    "ReservedConcurrentExecutions", "ProvisionedConcurrencyConfig", "AssumeRolePolicyDocument",
    "EventInvokeConfig", "FileSystemConfigs", "CodeSigningConfigArn", "Architectures", "SnapStart",
    "EphemeralStorage", "FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop",
    "SourceKMSKeyArn",
};
static const char *const global_sections[] = {
    "Api", "CapacityProvider", "Function", "HttpApi", "LayerVersion", "SimpleTable", "StateMachine", "WebSocketApi",
};

bool sam_invalid(cfn_error *err, const char *fmt, ...)
{
    char cause[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cause, sizeof cause, fmt, ap);
    va_end(ap);
    return cfn_fail(err, CFN_ERR_VALIDATION,
                    "Transform " SAM_TRANSFORM " failed with: Invalid Serverless Application Specification "
                    "document. Number of errors found: 1. %s",
                    cause);
}

bool sam_is_intrinsic(const cJSON *v)
{
    if (!cJSON_IsObject(v) || !v->child || v->child->next)
        return false;
    const char *k = v->child->string;
    return strcmp(k, "Ref") == 0 || strcmp(k, "Condition") == 0 || strncmp(k, "Fn::", 4) == 0;
}

static bool is_transform_name(const cJSON *v)
{
    return cJSON_IsString(v) && strcmp(v->valuestring, SAM_TRANSFORM) == 0;
}

bool cfn_sam_wanted(const cJSON *template)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(template, "Transform");
    if (is_transform_name(t))
        return true;
    const cJSON *item, *list = cJSON_IsArray(t) ? t : NULL;
    cJSON_ArrayForEach(item, list)
        if (is_transform_name(item))
            return true;
    return false;
}

/* ---- Globals --------------------------------------------------------------------------- */

static bool in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

static void append_names(char *out, size_t cap, const char *const *list, size_t n)
{
    size_t len = strlen(out);
    for (size_t i = 0; i < n && len + 1 < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s'%s'", i ? ", " : "", list[i]);
}

/* Globals.Function, or NULL (no Globals, or none for functions); false on a bad section. */
static bool read_globals(const cJSON *template, const cJSON **function_globals, cfn_error *err)
{
    *function_globals = NULL;
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(template, "Globals");
    if (!g)
        return true;
    if (!cJSON_IsObject(g) || !g->child)
        return sam_invalid(err, "'Globals' section is invalid. It must be a non-empty dictionary");
    const cJSON *section;
    cJSON_ArrayForEach(section, g) {
        if (!in_list(section->string, global_sections, sizeof global_sections / sizeof *global_sections)) {
            char names[512] = "";
            append_names(names, sizeof names, global_sections, sizeof global_sections / sizeof *global_sections);
            return sam_invalid(err, "'Globals' section is invalid. '%s' is not supported. Must be one of the "
                                    "following values - [%s]", section->string, names);
        }
        if (!cJSON_IsObject(section))
            return sam_invalid(err, "'Globals' section is invalid. Value of ${section} must be a dictionary");
    }
    const cJSON *fn = cJSON_GetObjectItemCaseSensitive(g, "Function");
    const cJSON *prop;
    cJSON_ArrayForEach(prop, fn) {
        if (!in_list(prop->string, global_props, sizeof global_props / sizeof *global_props)) {
            char names[768] = "";
            append_names(names, sizeof names, global_props, sizeof global_props / sizeof *global_props);
            return sam_invalid(err, "'Globals' section is invalid. '%s' is not a supported property of "
                                    "'Function'. Must be one of the following values - [%s]", prop->string, names);
        }
    }
    *function_globals = fn;
    return true;
}

typedef enum token { TOK_PRIMITIVE, TOK_DICT, TOK_LIST } token;

static token token_of(const cJSON *v)
{
    if (cJSON_IsObject(v))
        return sam_is_intrinsic(v) ? TOK_PRIMITIVE : TOK_DICT;
    return cJSON_IsArray(v) ? TOK_LIST : TOK_PRIMITIVE;
}

/* SAM's merge of a global value with a local one: a new value. */
static cJSON *merge_values(const cJSON *global, const cJSON *local)
{
    token tg = token_of(global), tl = token_of(local);
    if (tg != tl || tg == TOK_PRIMITIVE)
        return cJSON_Duplicate(local, true);
    cJSON *out = cJSON_Duplicate(global, true);
    const cJSON *item;
    if (tg == TOK_LIST) {
        cJSON_ArrayForEach(item, local)
            cJSON_AddItemToArray(out, cJSON_Duplicate(item, true));
        return out;
    }
    cJSON_ArrayForEach(item, local) {
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(out, item->string);
        cJSON *merged = g ? merge_values(g, item) : cJSON_Duplicate(item, true);
        if (g)
            cJSON_ReplaceItemInObjectCaseSensitive(out, item->string, merged);
        else
            cJSON_AddItemToObject(out, item->string, merged);
    }
    return out;
}

/* The function resource with Globals.Function merged into its Properties (a new object). */
static cJSON *with_globals(const cJSON *resource, const cJSON *globals)
{
    cJSON *copy = cJSON_Duplicate(resource, true);
    if (!globals)
        return copy;
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(copy, "Properties");
    cJSON *empty = cJSON_CreateObject();
    cJSON *merged = merge_values(globals, cJSON_IsObject(props) ? props : empty);
    cJSON_Delete(empty);
    if (props && !cJSON_IsObject(props)) { /* left for sam_function.c to refuse */
        cJSON_Delete(merged);
        return copy;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "Properties");
    cJSON_AddItemToObject(copy, "Properties", merged);
    return copy;
}

/* ---- the transform --------------------------------------------------------------------- */

static bool is_function(const cJSON *resource)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(resource, "Type");
    return cJSON_IsString(type) && strcmp(type->valuestring, "AWS::Serverless::Function") == 0;
}

static void drop_transform(cJSON *template)
{
    cJSON *t = cJSON_GetObjectItemCaseSensitive(template, "Transform");
    if (cJSON_IsArray(t)) {
        for (int i = cJSON_GetArraySize(t) - 1; i >= 0; i--)
            if (is_transform_name(cJSON_GetArrayItem(t, i)))
                cJSON_DeleteItemFromArray(t, i);
        if (cJSON_GetArraySize(t) > 0)
            return;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(template, "Transform");
}

bool cfn_sam_transform(cJSON *template, cfn_error *err)
{
    const cJSON *globals;
    if (!read_globals(template, &globals, err))
        return false;
    cJSON *resources = cJSON_GetObjectItemCaseSensitive(template, "Resources");
    if (!cJSON_IsObject(resources))
        return sam_invalid(err, "'Resources' section is required");
    cJSON *out = cJSON_CreateObject();
    const cJSON *r;
    cJSON_ArrayForEach(r, resources) {
        bool ok = true;
        if (!is_function(r)) {
            cJSON_AddItemToObject(out, r->string, cJSON_Duplicate(r, true));
        } else {
            cJSON *merged = with_globals(r, globals);
            ok = sam_expand_function(out, r->string, merged, err);
            cJSON_Delete(merged);
        }
        if (!ok) {
            cJSON_Delete(out);
            return false;
        }
    }
    cJSON_ReplaceItemInObjectCaseSensitive(template, "Resources", out);
    cJSON_DeleteItemFromObjectCaseSensitive(template, "Globals");
    drop_transform(template);
    return true;
}
