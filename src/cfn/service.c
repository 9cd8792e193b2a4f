/* cfn/service: the CloudFormation service's entry points: cfn_service_call's dispatch of
 * actions, CreateStack and DeleteStack (CloudFormation API reference), the start-up load
 * of stored stacks, and --template FILE (cfn_apply_template_file). Every operation runs to
 * its end before the call returns (see include/sqsemu/cfn.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "sqsemu/log.h"
#include "sqsemu/json.h"
#include "template.h"

static cfn_settings settings;

bool cfn_service_start(const cfn_settings *given)
{
    if (given)
        settings = *given;
    cfn_current_settings = &settings;
    if (!cfn_stacks_load()) {
        log_error("cloudformation: could not load the stored stacks");
        return false;
    }
    return true;
}

void cfn_service_stop(void)
{
    cfn_stacks_free();
}

bool cfn_stack_name_valid(const char *name, cfn_error *err)
{
    bool ok = name && isalpha((unsigned char)name[0]) && strlen(name) <= 128;
    for (const char *p = name; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || *p == '-';
    if (!ok)
        return cfn_fail(err, CFN_ERR_VALIDATION,
                        "1 validation error detected: Value '%.200s' at 'stackName' failed to satisfy constraint: "
                        "Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name ? name : "");
    return true;
}

cfn_stack *cfn_stack_required(const cfn_ctx *ctx, const cJSON *in, cfn_error *err)
{
    const char *name = cfn_str(in, "StackName");
    if (!name) {
        cfn_fail(err, CFN_ERR_VALIDATION, "1 validation error detected: Value null at 'stackName' failed to satisfy "
                 "constraint: Member must not be null");
        return NULL;
    }
    cfn_stack *s = cfn_stack_find(ctx, name);
    if (!s)
        cfn_fail(err, CFN_ERR_VALIDATION, "Stack with id %s does not exist", name);
    return s;
}

cfn_stack *cfn_create_stack(const cfn_ctx *ctx, const cfn_stack_request *req, bool *complete, cfn_error *err)
{
    *complete = false;
    if (!cfn_stack_name_valid(req->name, err))
        return NULL;
    if (cfn_stack_find(ctx, req->name)) {
        cfn_fail(err, CFN_ERR_ALREADY_EXISTS, "Stack [%s] already exists", req->name);
        return NULL;
    }
    cfn_stack *s = cfn_stack_new(ctx, req->name, req->parent_id, err);
    if (!s)
        return NULL;
    cfn_plan plan;
    bool ok = cfn_plan_prepare(ctx, req->name, cfn_str(s->rec, "StackId"), req->body, req->base_dir, req->params,
                               NULL, &plan, err) &&
              (!req->check_capabilities || cfn_plan_capabilities(&plan, req->capabilities, err));
    if (!ok) {
        cfn_plan_free(&plan);
        cfn_stack_forget(s);
        return NULL;
    }
    json_set_copy(s->rec, "Capabilities", req->capabilities ? req->capabilities : plan.capabilities);
    json_set_copy(s->rec, "Tags", req->tags);
    cJSON_AddBoolToObject(s->rec, "DisableRollback", req->on_failure && !strcmp(req->on_failure, "DO_NOTHING"));
    *complete = cfn_run_create(ctx, s, &plan, req->on_failure, err);
    cfn_plan_free(&plan);
    return s;
}

/* OnFailure and DisableRollback into one of ROLLBACK, DELETE, DO_NOTHING. */
static bool on_failure_of(const cJSON *in, const char **out, cfn_error *err)
{
    const char *on_failure = cfn_str(in, "OnFailure");
    const cJSON *disable = cJSON_GetObjectItemCaseSensitive(in, "DisableRollback");
    if (on_failure && disable)
        return cfn_fail(err, CFN_ERR_VALIDATION, "You may specify either OnFailure or DisableRollback, but not both.");
    if (on_failure && strcmp(on_failure, "ROLLBACK") && strcmp(on_failure, "DELETE") && strcmp(on_failure, "DO_NOTHING"))
        return cfn_fail(err, CFN_ERR_VALIDATION, "1 validation error detected: Value '%.100s' at 'onFailure' failed to "
                        "satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]",
                        on_failure);
    bool dis = cJSON_IsTrue(disable) || (cJSON_IsString(disable) && !strcmp(disable->valuestring, "true"));
    *out = on_failure ? on_failure : dis ? "DO_NOTHING" : "ROLLBACK";
    return true;
}

bool cfn_op_create_stack(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    cfn_stack_request req = {.name = cfn_str(in, "StackName"), .params = cJSON_GetObjectItemCaseSensitive(in, "Parameters"),
                             .capabilities = cJSON_GetObjectItemCaseSensitive(in, "Capabilities"),
                             .tags = cJSON_GetObjectItemCaseSensitive(in, "Tags"), .check_capabilities = true};
    if (!req.name)
        return cfn_stack_name_valid(NULL, err);
    if (!on_failure_of(in, &req.on_failure, err))
        return false;
    char *dir = NULL;
    char *body = cfn_request_body(ctx, in, &dir, err);
    if (!body)
        return false;
    req.body = body;
    req.base_dir = dir;
    bool complete = false;
    cfn_stack *s = cfn_create_stack(ctx, &req, &complete, err);
    free(body);
    free(dir);
    if (!s)
        return false;
    cJSON_AddStringToObject(out, "StackId", cfn_str(s->rec, "StackId"));
    return true;
}

/* The name of a live stack other than s that imports export, or NULL. Imports are found
 * by name in the other stacks' templates (a literal Fn::ImportValue). */
const char *cfn_export_importer(const cfn_ctx *ctx, const cfn_stack *s, const char *export)
{
    char needle[600];
    snprintf(needle, sizeof needle, "{\"Fn::ImportValue\":\"%s\"}", export);
    for (size_t i = 0; i < cfn_stack_count(); i++) {
        cfn_stack *other = cfn_stack_at(i);
        if (other == s || !cfn_stack_live(other) || strcmp(cfn_str(other->rec, "Account"), ctx->account) ||
            strcmp(cfn_str(other->rec, "Region"), ctx->region))
            continue;
        char *text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(other->rec, "Processed"));
        bool uses = text && strstr(text, needle);
        free(text);
        if (uses)
            return cfn_str(other->rec, "StackName");
    }
    return NULL;
}

/* AWS refuses to delete a stack whose export another stack imports (User Guide,
 * "Fn::ImportValue": a stack cannot be deleted while another references its outputs). */
bool cfn_exports_unused(const cfn_ctx *ctx, const cfn_stack *s, cfn_error *err)
{
    const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(s->rec, "Outputs");
    for (const cJSON *o = outputs ? outputs->child : NULL; o; o = o->next) {
        const char *export = cfn_str(o, "ExportName");
        const char *importer = export ? cfn_export_importer(ctx, s, export) : NULL;
        if (importer)
            return cfn_fail(err, CFN_ERR_VALIDATION, "Export %s cannot be deleted as it is in use by %s", export,
                            importer);
    }
    return true;
}

bool cfn_op_delete_stack(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    (void)out;
    const char *name = cfn_str(in, "StackName");
    if (!name)
        return cfn_stack_name_valid(NULL, err);
    cfn_stack *s = cfn_stack_find(ctx, name);
    if (!s || !cfn_stack_live(s))
        return true; /* AWS: deleting a stack that does not exist succeeds */
    const char *status = cfn_str(s->rec, "StackStatus");
    if (cfn_str(s->rec, "ParentId") && cfn_nesting_depth == 0)
        log_warn("cloudformation: deleting nested stack %s directly", name);
    if (status && !strcmp(status, "REVIEW_IN_PROGRESS")) {
        cfn_stack_set_status(s, "DELETE_COMPLETE", NULL);
        return true;
    }
    if (!cfn_exports_unused(ctx, s, err))
        return false;
    cfn_error ignored;
    cfn_run_delete(ctx, s, &ignored);
    return true;
}

typedef struct op_entry {
    const char *name;
    cfn_op_fn fn;
} op_entry;

static const op_entry ops[] = {
    {"CreateStack", cfn_op_create_stack},
    {"UpdateStack", cfn_op_update_stack},
    {"DeleteStack", cfn_op_delete_stack},
    {"DescribeStacks", cfn_op_describe_stacks},
    {"ListStacks", cfn_op_list_stacks},
    {"DescribeStackResources", cfn_op_describe_stack_resources},
    {"DescribeStackResource", cfn_op_describe_stack_resource},
    {"ListStackResources", cfn_op_list_stack_resources},
    {"DescribeStackEvents", cfn_op_describe_stack_events},
    {"GetTemplate", cfn_op_get_template},
    {"GetTemplateSummary", cfn_op_get_template_summary},
    {"ValidateTemplate", cfn_op_validate_template},
    {"ListExports", cfn_op_list_exports},
    {"CreateChangeSet", cfn_op_create_change_set},
    {"DescribeChangeSet", cfn_op_describe_change_set},
    {"ExecuteChangeSet", cfn_op_execute_change_set},
    {"DeleteChangeSet", cfn_op_delete_change_set},
    {"ListChangeSets", cfn_op_list_change_sets},
};

bool cfn_service_call(const cfn_ctx *ctx, const char *action, const cJSON *input, cJSON **output, cfn_error *err)
{
    *output = NULL;
    if (!cfn_current_settings)
        cfn_current_settings = &settings;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (strcmp(ops[i].name, action) != 0)
            continue;
        cJSON *empty = cJSON_CreateObject();
        cJSON *out = cJSON_CreateObject();
        bool ok = ops[i].fn(ctx, cJSON_IsObject(input) ? input : empty, out, err);
        cJSON_Delete(empty);
        if (ok)
            *output = out;
        else
            cJSON_Delete(out);
        return ok;
    }
    return cfn_fail(err, CFN_ERR_INVALID_ACTION, "The action %.100s is not valid for this web service.", action);
}

/* The reason the first failed resource since event index from gave, with its name. */
static void failure_detail(const cfn_stack *s, int from, cfn_error *err)
{
    int i = 0;
    for (const cJSON *e = s->events->child; e; e = e->next, i++) {
        const char *status = cfn_str(e, "ResourceStatus");
        const char *type = cfn_str(e, "ResourceType");
        if (i < from || !status || !strstr(status, "_FAILED") || !strcmp(type, "AWS::CloudFormation::Stack"))
            continue;
        char message[sizeof err->message];
        snprintf(message, sizeof message, "stack %s: resource %s (%s): %s", cfn_str(s->rec, "StackName"),
                 cfn_str(e, "LogicalResourceId"), type, cfn_str(e, "ResourceStatusReason") ? cfn_str(e, "ResourceStatusReason") : "failed");
        snprintf(err->message, sizeof err->message, "%s", message);
        return;
    }
}

static char *default_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

bool cfn_apply_template_file(const cfn_ctx *ctx, const char *path, const char *stack_name,
                             const char *const *parameters, size_t parameter_count, cfn_error *err)
{
    if (!cfn_current_settings)
        cfn_current_settings = &settings;
    char *dir = NULL;
    char *body = cfn_template_read_url(path, NULL, &dir, err);
    if (!body)
        return false;
    char *name = stack_name ? strdup(stack_name) : default_name(path);
    cJSON *params = cJSON_CreateArray();
    bool ok = true;
    for (size_t i = 0; i < parameter_count && ok; i++) {
        const char *eq = strchr(parameters[i], '=');
        if (!eq || eq == parameters[i]) {
            ok = cfn_fail(err, CFN_ERR_VALIDATION, "--parameter %s: expected Key=Value", parameters[i]);
            break;
        }
        cJSON *p = cJSON_CreateObject();
        char *key = strndup(parameters[i], (size_t)(eq - parameters[i]));
        cJSON_AddStringToObject(p, "ParameterKey", key);
        cJSON_AddStringToObject(p, "ParameterValue", eq + 1);
        free(key);
        cJSON_AddItemToArray(params, p);
    }
    cfn_ctx local = *ctx;
    local.base_dir = dir;
    cfn_stack *s = ok ? cfn_stack_find(ctx, name) : NULL;
    const char *status = s ? cfn_str(s->rec, "StackStatus") : NULL;
    if (s && status && (!strcmp(status, "ROLLBACK_COMPLETE") || !strcmp(status, "CREATE_FAILED") ||
                        !strcmp(status, "ROLLBACK_FAILED") || !strcmp(status, "REVIEW_IN_PROGRESS") ||
                        !strcmp(status, "DELETE_FAILED") || !strcmp(status, "UPDATE_ROLLBACK_FAILED"))) {
        log_info("cloudformation: stack %s is %s: deleting it to create it again", name, status);
        cfn_error ignored;
        cfn_run_delete(&local, s, &ignored);
        s = cfn_stack_live(s) ? s : NULL;
    }
    if (ok && s) {
        int from = cJSON_GetArraySize(s->events);
        cfn_error e = {0};
        bool started = false;
        ok = cfn_update_stack(&local, s, body, dir, params, NULL, cJSON_GetObjectItemCaseSensitive(s->rec, "Tags"),
                              &started, &e);
        if (!ok && strcmp(e.message, "No updates are to be performed.") == 0) {
            log_info("cloudformation: stack %s is up to date", name);
            ok = true;
        } else if (!ok) {
            *err = e;
            failure_detail(s, from, err);
        } else
            log_info("cloudformation: stack %s updated from %s", name, path);
    } else if (ok) {
        cfn_stack_request req = {.name = name, .body = body, .base_dir = dir, .params = params,
                                 .on_failure = "ROLLBACK"};
        bool complete = false;
        s = cfn_create_stack(&local, &req, &complete, err);
        ok = s && complete;
        if (s && !complete)
            failure_detail(s, 0, err);
        if (ok)
            log_info("cloudformation: stack %s created from %s", name, path);
    }
    cJSON_Delete(params);
    free(name);
    free(body);
    free(dir);
    return ok;
}
