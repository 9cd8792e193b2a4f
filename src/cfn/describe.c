/* cfn/describe: the read actions (CloudFormation API reference): DescribeStacks,
 * ListStacks (StackStatusFilter), DescribeStackResources, DescribeStackResource,
 * ListStackResources, DescribeStackEvents (newest first), GetTemplate (TemplateStage
 * Original or Processed), GetTemplateSummary, ValidateTemplate and ListExports. Times are
 * ISO 8601 strings; NoEcho parameters show as ****. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "sqsemu/json.h"

static void add_time(cJSON *obj, const char *name, const cJSON *rec, const char *member)
{
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(rec, member);
    if (!cJSON_IsNumber(ms))
        return;
    char when[32];
    cfn_iso_time((int64_t)ms->valuedouble, when);
    cJSON_AddStringToObject(obj, name, when);
}

static void add_string(cJSON *obj, const char *name, const char *value)
{
    if (value)
        cJSON_AddStringToObject(obj, name, value);
}

static const cJSON *declared_params(const cfn_stack *s)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s->rec, "Processed"), "Parameters");
}

static cJSON *stack_view(const cfn_stack *s)
{
    const cJSON *r = s->rec;
    cJSON *v = cJSON_CreateObject();
    add_string(v, "StackId", cfn_str(r, "StackId"));
    add_string(v, "StackName", cfn_str(r, "StackName"));
    add_string(v, "Description", cfn_str(r, "Description"));
    cJSON_AddItemToObject(v, "Parameters",
                          cfn_params_describe(declared_params(s), cJSON_GetObjectItemCaseSensitive(r, "Parameters")));
    add_time(v, "CreationTime", r, "CreationTime");
    add_time(v, "LastUpdatedTime", r, "LastUpdatedTime");
    add_time(v, "DeletionTime", r, "DeletionTime");
    add_string(v, "StackStatus", cfn_str(r, "StackStatus"));
    add_string(v, "StackStatusReason", cfn_str(r, "StackStatusReason"));
    cJSON_AddBoolToObject(v, "DisableRollback", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "DisableRollback")));
    cJSON_AddArrayToObject(v, "NotificationARNs");
    const cJSON *caps = cJSON_GetObjectItemCaseSensitive(r, "Capabilities");
    cJSON_AddItemToObject(v, "Capabilities", caps ? cJSON_Duplicate(caps, true) : cJSON_CreateArray());
    const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(r, "Outputs");
    cJSON_AddItemToObject(v, "Outputs", outputs ? cJSON_Duplicate(outputs, true) : cJSON_CreateArray());
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(r, "Tags");
    cJSON_AddItemToObject(v, "Tags", tags ? cJSON_Duplicate(tags, true) : cJSON_CreateArray());
    cJSON_AddBoolToObject(v, "EnableTerminationProtection", false);
    add_string(v, "ParentId", cfn_str(r, "ParentId"));
    add_string(v, "RootId", cfn_str(r, "RootId"));
    cJSON *drift = cJSON_AddObjectToObject(v, "DriftInformation");
    cJSON_AddStringToObject(drift, "StackDriftStatus", "NOT_CHECKED");
    return v;
}

static bool same_place(const cfn_stack *s, const cfn_ctx *ctx)
{
    return !strcmp(cfn_str(s->rec, "Account"), ctx->account) && !strcmp(cfn_str(s->rec, "Region"), ctx->region);
}

bool cfn_op_describe_stacks(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    cJSON *list = cJSON_AddArrayToObject(out, "Stacks");
    if (cfn_str(in, "StackName")) {
        cfn_stack *s = cfn_stack_required(ctx, in, err);
        if (!s)
            return false;
        cJSON_AddItemToArray(list, stack_view(s));
        return true;
    }
    for (size_t i = 0; i < cfn_stack_count(); i++) {
        cfn_stack *s = cfn_stack_at(i);
        if (same_place(s, ctx) && cfn_stack_live(s))
            cJSON_AddItemToArray(list, stack_view(s));
    }
    return true;
}

static bool status_wanted(const cJSON *filter, const char *status)
{
    if (!cJSON_IsArray(filter) || !filter->child)
        return true;
    for (const cJSON *f = filter->child; f; f = f->next)
        if (cJSON_IsString(f) && status && !strcmp(f->valuestring, status))
            return true;
    return false;
}

bool cfn_op_list_stacks(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    (void)err;
    const cJSON *filter = cJSON_GetObjectItemCaseSensitive(in, "StackStatusFilter");
    cJSON *list = cJSON_AddArrayToObject(out, "StackSummaries");
    for (size_t i = cfn_stack_count(); i-- > 0;) {
        cfn_stack *s = cfn_stack_at(i);
        const char *status = cfn_str(s->rec, "StackStatus");
        if (!same_place(s, ctx) || !status_wanted(filter, status))
            continue;
        cJSON *v = cJSON_CreateObject();
        add_string(v, "StackId", cfn_str(s->rec, "StackId"));
        add_string(v, "StackName", cfn_str(s->rec, "StackName"));
        add_string(v, "TemplateDescription", cfn_str(s->rec, "Description"));
        add_time(v, "CreationTime", s->rec, "CreationTime");
        add_time(v, "LastUpdatedTime", s->rec, "LastUpdatedTime");
        add_time(v, "DeletionTime", s->rec, "DeletionTime");
        add_string(v, "StackStatus", status);
        add_string(v, "StackStatusReason", cfn_str(s->rec, "StackStatusReason"));
        add_string(v, "ParentId", cfn_str(s->rec, "ParentId"));
        add_string(v, "RootId", cfn_str(s->rec, "RootId"));
        cJSON *drift = cJSON_AddObjectToObject(v, "DriftInformation");
        cJSON_AddStringToObject(drift, "StackDriftStatus", "NOT_CHECKED");
        cJSON_AddItemToArray(list, v);
    }
    return true;
}

/* One resource as the resource actions show it; detail: DescribeStackResource's members. */
static cJSON *resource_view(const cfn_stack *s, const cJSON *res, int kind)
{
    cJSON *v = cJSON_CreateObject();
    if (kind != 2) {
        add_string(v, "StackName", cfn_str(s->rec, "StackName"));
        add_string(v, "StackId", cfn_str(s->rec, "StackId"));
    }
    add_string(v, "LogicalResourceId", res->string);
    const char *physical = cfn_str(cJSON_GetObjectItemCaseSensitive(res, "State"), "PhysicalResourceId");
    add_string(v, "PhysicalResourceId", physical);
    add_string(v, "ResourceType", cfn_str(res, "Type"));
    add_time(v, kind == 0 ? "Timestamp" : "LastUpdatedTimestamp", res, "Timestamp");
    add_string(v, "ResourceStatus", cfn_str(res, "ResourceStatus"));
    add_string(v, "ResourceStatusReason", cfn_str(res, "ResourceStatusReason"));
    cJSON *drift = cJSON_AddObjectToObject(v, "DriftInformation");
    cJSON_AddStringToObject(drift, "StackResourceDriftStatus", "NOT_CHECKED");
    return v;
}

/* The stack of StackName, or of PhysicalResourceId (DescribeStackResources). */
static cfn_stack *stack_of_physical(const cfn_ctx *ctx, const char *physical)
{
    for (size_t i = 0; i < cfn_stack_count(); i++) {
        cfn_stack *s = cfn_stack_at(i);
        if (!same_place(s, ctx) || !cfn_stack_live(s))
            continue;
        const cJSON *resources = cJSON_GetObjectItemCaseSensitive(s->rec, "Resources");
        for (const cJSON *r = resources ? resources->child : NULL; r; r = r->next) {
            const char *p = cfn_str(cJSON_GetObjectItemCaseSensitive(r, "State"), "PhysicalResourceId");
            if (p && !strcmp(p, physical))
                return s;
        }
    }
    return NULL;
}

bool cfn_op_describe_stack_resources(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    const char *physical = cfn_str(in, "PhysicalResourceId");
    cfn_stack *s;
    if (!cfn_str(in, "StackName") && physical) {
        if (!(s = stack_of_physical(ctx, physical)))
            return cfn_fail(err, CFN_ERR_VALIDATION, "Stack for %s does not exist", physical);
    } else if (!(s = cfn_stack_required(ctx, in, err)))
        return false;
    const char *logical = cfn_str(in, "LogicalResourceId");
    cJSON *list = cJSON_AddArrayToObject(out, "StackResources");
    const cJSON *resources = cJSON_GetObjectItemCaseSensitive(s->rec, "Resources");
    for (const cJSON *r = resources ? resources->child : NULL; r; r = r->next)
        if (!logical || !strcmp(logical, r->string))
            cJSON_AddItemToArray(list, resource_view(s, r, 0));
    return true;
}

bool cfn_op_describe_stack_resource(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    cfn_stack *s = cfn_stack_required(ctx, in, err);
    if (!s)
        return false;
    const char *logical = cfn_str(in, "LogicalResourceId");
    const cJSON *resources = cJSON_GetObjectItemCaseSensitive(s->rec, "Resources");
    const cJSON *r = logical ? cJSON_GetObjectItemCaseSensitive(resources, logical) : NULL;
    if (!r)
        return cfn_fail(err, CFN_ERR_VALIDATION, "Resource %s does not exist for stack %s", logical ? logical : "null",
                        cfn_str(s->rec, "StackName"));
    cJSON *v = resource_view(s, r, 1);
    cJSON_AddStringToObject(v, "Metadata", "{}");
    cJSON_AddItemToObject(out, "StackResourceDetail", v);
    return true;
}

bool cfn_op_list_stack_resources(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    cfn_stack *s = cfn_stack_required(ctx, in, err);
    if (!s)
        return false;
    cJSON *list = cJSON_AddArrayToObject(out, "StackResourceSummaries");
    const cJSON *resources = cJSON_GetObjectItemCaseSensitive(s->rec, "Resources");
    for (const cJSON *r = resources ? resources->child : NULL; r; r = r->next)
        cJSON_AddItemToArray(list, resource_view(s, r, 2));
    return true;
}

bool cfn_op_describe_stack_events(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    cfn_stack *s = cfn_stack_required(ctx, in, err);
    if (!s)
        return false;
    cJSON *list = cJSON_AddArrayToObject(out, "StackEvents");
    for (int i = cJSON_GetArraySize(s->events); i-- > 0;)
        cJSON_AddItemToArray(list, cJSON_Duplicate(cJSON_GetArrayItem(s->events, i), true));
    return true;
}

bool cfn_op_get_template(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    cfn_stack *s = cfn_stack_required(ctx, in, err);
    if (!s)
        return false;
    const char *stage = cfn_str(in, "TemplateStage");
    if (stage && strcmp(stage, "Original") && strcmp(stage, "Processed"))
        return cfn_fail(err, CFN_ERR_VALIDATION, "1 validation error detected: Value '%.50s' at 'templateStage' failed "
                        "to satisfy constraint: Member must satisfy enum value set: [Original, Processed]", stage);
    const char *cs_name = cfn_str(in, "ChangeSetName");
    const char *body = cfn_str(s->rec, "TemplateBody");
    const cJSON *processed = cJSON_GetObjectItemCaseSensitive(s->rec, "Processed");
    if (cs_name) {
        const cJSON *sets = cJSON_GetObjectItemCaseSensitive(s->rec, "ChangeSets");
        const cJSON *found = NULL;
        for (const cJSON *c = sets ? sets->child : NULL; c && !found; c = c->next)
            if (!strcmp(cfn_str(c, "ChangeSetName"), cs_name) || !strcmp(cfn_str(c, "ChangeSetId"), cs_name))
                found = c;
        if (!found)
            return cfn_fail(err, CFN_ERR_CHANGE_SET_NOT_FOUND, "ChangeSet [%s] does not exist", cs_name);
        body = cfn_str(found, "TemplateBody");
        processed = NULL;
    }
    if (stage && !strcmp(stage, "Processed") && processed) {
        char *text = cJSON_Print(processed);
        cJSON_AddStringToObject(out, "TemplateBody", text);
        free(text);
    } else
        cJSON_AddStringToObject(out, "TemplateBody", body ? body : "");
    cJSON *stages = cJSON_AddArrayToObject(out, "StagesAvailable");
    cJSON_AddItemToArray(stages, cJSON_CreateString("Original"));
    cJSON_AddItemToArray(stages, cJSON_CreateString("Processed"));
    return true;
}

/* The plan of a template given as TemplateBody/TemplateURL or a stack's; parameters as
 * their defaults do not have to have values, so the plan is made with placeholders. */
static bool summary_plan(const cfn_ctx *ctx, const cJSON *in, cfn_plan *plan, cfn_error *err)
{
    char *dir = NULL, *body = NULL;
    cfn_stack *s = NULL;
    memset(plan, 0, sizeof *plan);
    if (cfn_str(in, "StackName") && !cfn_str(in, "TemplateBody") && !cfn_str(in, "TemplateURL")) {
        if (!(s = cfn_stack_required(ctx, in, err)))
            return false;
        body = strdup(cfn_str(s->rec, "TemplateBody") ? cfn_str(s->rec, "TemplateBody") : "");
        dir = strdup(cfn_str(s->rec, "BaseDir") ? cfn_str(s->rec, "BaseDir") : ".");
    } else if (!(body = cfn_request_body(ctx, in, &dir, err)))
        return false;
    cJSON *given = s ? NULL : cJSON_CreateArray();
    bool ok = cfn_template_check_body(ctx, body, dir, given, plan, err);
    cJSON_Delete(given);
    free(body);
    free(dir);
    return ok;
}

static void add_capabilities(cJSON *out, const cfn_plan *plan)
{
    if (!plan->capabilities || !plan->capabilities->child)
        return;
    cJSON_AddItemToObject(out, "Capabilities", cJSON_Duplicate(plan->capabilities, true));
    cJSON_AddStringToObject(out, "CapabilitiesReason", "The following resource(s) require capabilities: [AWS::IAM::Role]");
}

/* DeclaredTransforms: the template's Transform as a list (a string becomes one item). */
static void add_declared_transforms(cJSON *out, const cfn_plan *plan)
{
    const cJSON *transform = cJSON_GetObjectItemCaseSensitive(plan->original, "Transform");
    cJSON *list = cJSON_IsArray(transform) ? cJSON_Duplicate(transform, true) : cJSON_CreateArray();
    if (cJSON_IsString(transform))
        cJSON_AddItemToArray(list, cJSON_CreateString(transform->valuestring));
    cJSON_AddItemToObject(out, "DeclaredTransforms", list);
}

bool cfn_op_validate_template(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    cfn_plan plan;
    bool ok = summary_plan(ctx, in, &plan, err);
    if (ok) {
        cJSON_AddItemToObject(out, "Parameters",
                              cfn_params_declared(cJSON_GetObjectItemCaseSensitive(plan.processed, "Parameters"), false));
        add_string(out, "Description", cfn_str(plan.original, "Description"));
        add_capabilities(out, &plan);
        if (cJSON_GetObjectItemCaseSensitive(plan.original, "Transform"))
            add_declared_transforms(out, &plan);
    }
    cfn_plan_free(&plan);
    return ok;
}

bool cfn_op_get_template_summary(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    cfn_plan plan;
    bool ok = summary_plan(ctx, in, &plan, err);
    if (ok) {
        cJSON_AddItemToObject(out, "Parameters",
                              cfn_params_declared(cJSON_GetObjectItemCaseSensitive(plan.processed, "Parameters"), true));
        add_string(out, "Description", cfn_str(plan.original, "Description"));
        add_capabilities(out, &plan);
        cJSON *types = cJSON_AddArrayToObject(out, "ResourceTypes");
        const cJSON *resources = cJSON_GetObjectItemCaseSensitive(plan.processed, "Resources");
        for (const cJSON *r = resources ? resources->child : NULL; r; r = r->next) {
            bool seen = false;
            for (const cJSON *t = types->child; t && !seen; t = t->next)
                seen = !strcmp(t->valuestring, cfn_str(r, "Type"));
            if (!seen)
                cJSON_AddItemToArray(types, cJSON_CreateString(cfn_str(r, "Type")));
        }
        add_string(out, "Version", cfn_str(plan.original, "AWSTemplateFormatVersion"));
        add_declared_transforms(out, &plan);
    }
    cfn_plan_free(&plan);
    return ok;
}

bool cfn_op_list_exports(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    (void)in;
    (void)err;
    cJSON *list = cJSON_AddArrayToObject(out, "Exports");
    for (size_t i = 0; i < cfn_stack_count(); i++) {
        cfn_stack *s = cfn_stack_at(i);
        if (!same_place(s, ctx) || !cfn_stack_live(s))
            continue;
        const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(s->rec, "Outputs");
        for (const cJSON *o = outputs ? outputs->child : NULL; o; o = o->next) {
            if (!cfn_str(o, "ExportName"))
                continue;
            cJSON *e = cJSON_CreateObject();
            add_string(e, "ExportingStackId", cfn_str(s->rec, "StackId"));
            add_string(e, "Name", cfn_str(o, "ExportName"));
            add_string(e, "Value", cfn_str(o, "OutputValue"));
            cJSON_AddItemToArray(list, e);
        }
    }
    return true;
}
