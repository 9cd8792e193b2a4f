/* cfn/changesets: change sets (CloudFormation API reference: CreateChangeSet,
 * DescribeChangeSet, ExecuteChangeSet, DeleteChangeSet, ListChangeSets; User Guide,
 * "Update CloudFormation stacks using change sets"). A change set is computed at once
 * (Status CREATE_COMPLETE, ExecutionStatus AVAILABLE) and kept in the stack's record; its
 * Changes are [{Type: Resource, ResourceChange: {Action Add/Modify/Remove, ...,
 * Replacement True/False}}]. ChangeSetType CREATE makes the stack in REVIEW_IN_PROGRESS.
 * One that changes nothing is FAILED with the reason the aws CLI's deploy looks for.
 * Executing one runs the create or update; then the stack's other change sets go, as AWS
 * does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "sqsemu/clock.h"
#include "sqsemu/ids.h"
#include "sqsemu/json.h"

#define MAX_CHANGE_SETS 100
#define NO_CHANGES "The submitted information didn't contain changes. Submit different information to create a change set."

static cJSON *sets_of(cfn_stack *s)
{
    cJSON *sets = cJSON_GetObjectItemCaseSensitive(s->rec, "ChangeSets");
    if (!sets)
        sets = cJSON_AddArrayToObject(s->rec, "ChangeSets");
    return sets;
}

static cJSON *set_named(cfn_stack *s, const char *name_or_id)
{
    for (cJSON *c = sets_of(s)->child; c; c = c->next)
        if (!strcmp(cfn_str(c, "ChangeSetName"), name_or_id) || !strcmp(cfn_str(c, "ChangeSetId"), name_or_id))
            return c;
    return NULL;
}

/* The change set of ChangeSetName (a name with StackName, or an ARN alone). */
static cJSON *find_set(const cfn_ctx *ctx, const cJSON *in, cfn_stack **stack, cfn_error *err)
{
    const char *name = cfn_str(in, "ChangeSetName");
    const char *stack_name = cfn_str(in, "StackName");
    if (!name) {
        cfn_fail(err, CFN_ERR_VALIDATION, "1 validation error detected: Value null at 'changeSetName' failed to "
                 "satisfy constraint: Member must not be null");
        return NULL;
    }
    for (size_t i = 0; i < cfn_stack_count(); i++) {
        cfn_stack *s = cfn_stack_at(i);
        if (strcmp(cfn_str(s->rec, "Account"), ctx->account) || strcmp(cfn_str(s->rec, "Region"), ctx->region))
            continue;
        if (stack_name && s != cfn_stack_find(ctx, stack_name))
            continue;
        if (!stack_name && strncmp(name, "arn:", 4) != 0)
            continue;
        cJSON *c = set_named(s, name);
        if (c) {
            *stack = s;
            return c;
        }
    }
    if (!stack_name && strncmp(name, "arn:", 4) != 0)
        cfn_fail(err, CFN_ERR_VALIDATION, "StackName must be specified if ChangeSetName is not specified as an ARN.");
    else
        cfn_fail(err, CFN_ERR_CHANGE_SET_NOT_FOUND, "ChangeSet [%s] does not exist", name);
    return NULL;
}

static cJSON *all_added(const cfn_plan *plan)
{
    cJSON *changes = cJSON_CreateArray();
    for (const cJSON *id = plan->order->child; id; id = id->next) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "Type", "Resource");
        cJSON *rc = cJSON_AddObjectToObject(c, "ResourceChange");
        cJSON_AddStringToObject(rc, "Action", "Add");
        cJSON_AddStringToObject(rc, "LogicalResourceId", id->valuestring);
        cJSON_AddStringToObject(rc, "ResourceType",
                                cfn_str(cJSON_GetObjectItemCaseSensitive(plan->resources, id->valuestring), "Type"));
        cJSON_AddArrayToObject(rc, "Scope");
        cJSON_AddArrayToObject(rc, "Details");
        cJSON_AddItemToArray(changes, c);
    }
    return changes;
}

/* The stack a change set of type is for: found, or new (REVIEW_IN_PROGRESS) for CREATE. */
static cfn_stack *target_stack(const cfn_ctx *ctx, const char *name, bool create, bool *fresh, cfn_error *err)
{
    *fresh = false;
    if (!cfn_stack_name_valid(name, err))
        return NULL;
    cfn_stack *s = cfn_stack_find(ctx, name);
    const char *status = s ? cfn_str(s->rec, "StackStatus") : NULL;
    bool review = status && !strcmp(status, "REVIEW_IN_PROGRESS");
    if (create && s && !review) {
        cfn_fail(err, CFN_ERR_ALREADY_EXISTS, "Stack [%s] already exists and cannot be created again with the "
                 "changeSet [%s].", name, "CREATE");
        return NULL;
    }
    if (!create && (!s || review)) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Stack [%s] does not exist", name);
        return NULL;
    }
    if (!create && !cfn_stack_updatable(s, err))
        return NULL;
    if (!s) {
        *fresh = true;
        s = cfn_stack_new(ctx, name, NULL, err);
    }
    return s;
}

static bool set_name_valid(const char *name, cfn_error *err)
{
    bool ok = name && ((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z')) && strlen(name) <= 128;
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-';
    if (!ok)
        return cfn_fail(err, CFN_ERR_VALIDATION, "1 validation error detected: Value '%.200s' at 'changeSetName' "
                        "failed to satisfy constraint: Member must satisfy regular expression pattern: "
                        "[a-zA-Z][-a-zA-Z0-9]*", name ? name : "null");
    return true;
}

bool cfn_op_create_change_set(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    const char *name = cfn_str(in, "ChangeSetName");
    const char *type = cfn_str(in, "ChangeSetType");
    if (!set_name_valid(name, err))
        return false;
    if (type && strcmp(type, "CREATE") && strcmp(type, "UPDATE"))
        return cfn_fail(err, CFN_ERR_VALIDATION, "ChangeSetType %.50s is not supported by sqsemu (CREATE or UPDATE)",
                        type);
    bool create = type && !strcmp(type, "CREATE"), fresh = false;
    cfn_stack *s = target_stack(ctx, cfn_str(in, "StackName"), create, &fresh, err);
    if (!s)
        return false;
    if (set_named(s, name) || cJSON_GetArraySize(sets_of(s)) >= MAX_CHANGE_SETS) {
        if (fresh)
            cfn_stack_forget(s);
        return set_named(s, name) ? cfn_fail(err, CFN_ERR_ALREADY_EXISTS, "ChangeSet %s already exists", name)
                                  : cfn_fail(err, CFN_ERR_VALIDATION, "Limit of %d change sets reached", MAX_CHANGE_SETS);
    }
    const cJSON *use_previous = cJSON_GetObjectItemCaseSensitive(in, "UsePreviousTemplate");
    char *dir = NULL, *body = NULL;
    if (!create && (cJSON_IsTrue(use_previous) || (cJSON_IsString(use_previous) && !strcmp(use_previous->valuestring, "true")))) {
        body = strdup(cfn_str(s->rec, "TemplateBody") ? cfn_str(s->rec, "TemplateBody") : "");
        dir = strdup(cfn_str(s->rec, "BaseDir") ? cfn_str(s->rec, "BaseDir") : ".");
    } else
        body = cfn_request_body(ctx, in, &dir, err);
    const cJSON *caps = cJSON_GetObjectItemCaseSensitive(in, "Capabilities");
    cJSON *none = cJSON_CreateArray();
    cfn_plan plan;
    memset(&plan, 0, sizeof plan);
    bool ok = body && cfn_plan_prepare(ctx, cfn_str(s->rec, "StackName"), cfn_str(s->rec, "StackId"), body, dir,
                                       cJSON_GetObjectItemCaseSensitive(in, "Parameters"),
                                       create ? NULL : cJSON_GetObjectItemCaseSensitive(s->rec, "Parameters"), &plan,
                                       err);
    /* The transform runs while the change set is made: only IAM needs acknowledging. */
    if (ok) {
        for (int i = cJSON_GetArraySize(plan.capabilities); i-- > 0;)
            if (!strcmp(cJSON_GetArrayItem(plan.capabilities, i)->valuestring, "CAPABILITY_AUTO_EXPAND"))
                cJSON_DeleteItemFromArray(plan.capabilities, i);
        ok = cfn_plan_capabilities(&plan, caps ? caps : none, err);
    }
    cJSON *changes = ok ? (create ? all_added(&plan) : cfn_diff(ctx, s, &plan, err)) : NULL;
    if (!changes) {
        cfn_plan_free(&plan);
        cJSON_Delete(none);
        free(body);
        free(dir);
        if (fresh)
            cfn_stack_forget(s);
        return false;
    }
    bool empty = !create && cfn_plan_unchanged(ctx, s, &plan, cJSON_GetObjectItemCaseSensitive(in, "Tags"), err);
    char uuid[UUID_STR_LEN], id[700];
    ids_uuid(uuid);
    snprintf(id, sizeof id, "arn:aws:cloudformation:%s:%s:changeSet/%s/%s", ctx->region, ctx->account, name, uuid);
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "ChangeSetId", id);
    cJSON_AddStringToObject(c, "ChangeSetName", name);
    cJSON_AddStringToObject(c, "ChangeSetType", create ? "CREATE" : "UPDATE");
    cJSON_AddStringToObject(c, "Status", empty ? "FAILED" : "CREATE_COMPLETE");
    if (empty)
        cJSON_AddStringToObject(c, "StatusReason", NO_CHANGES);
    cJSON_AddStringToObject(c, "ExecutionStatus", empty ? "UNAVAILABLE" : "AVAILABLE");
    cJSON_AddNumberToObject(c, "CreationTime", (double)clock_now_ms());
    if (cfn_str(in, "Description"))
        cJSON_AddStringToObject(c, "Description", cfn_str(in, "Description"));
    cJSON_AddStringToObject(c, "TemplateBody", body);
    cJSON_AddStringToObject(c, "BaseDir", dir ? dir : ".");
    json_set_copy(c, "GivenParameters", cJSON_GetObjectItemCaseSensitive(in, "Parameters"));
    json_set_copy(c, "Parameters", plan.raw_params);
    json_set_copy(c, "Capabilities", caps ? caps : none);
    json_set_copy(c, "Tags", cJSON_GetObjectItemCaseSensitive(in, "Tags"));
    json_set_owned(c, "Changes", changes);
    cJSON_AddItemToArray(sets_of(s), c);
    if (fresh) {
        json_set_copy(s->rec, "Processed", plan.processed);
        cfn_stack_set_status(s, "REVIEW_IN_PROGRESS", "User Initiated");
    } else
        cfn_stack_save(s);
    cJSON_AddStringToObject(out, "Id", id);
    cJSON_AddStringToObject(out, "StackId", cfn_str(s->rec, "StackId"));
    cfn_plan_free(&plan);
    cJSON_Delete(none);
    free(body);
    free(dir);
    return true;
}

static void add_time(cJSON *obj, const char *name, const cJSON *rec, const char *member)
{
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(rec, member);
    if (cJSON_IsNumber(ms)) {
        char when[32];
        cfn_iso_time((int64_t)ms->valuedouble, when);
        cJSON_AddStringToObject(obj, name, when);
    }
}

static void summary_members(cJSON *v, const cfn_stack *s, const cJSON *c)
{
    cJSON_AddStringToObject(v, "ChangeSetName", cfn_str(c, "ChangeSetName"));
    cJSON_AddStringToObject(v, "ChangeSetId", cfn_str(c, "ChangeSetId"));
    cJSON_AddStringToObject(v, "StackId", cfn_str(s->rec, "StackId"));
    cJSON_AddStringToObject(v, "StackName", cfn_str(s->rec, "StackName"));
    if (cfn_str(c, "Description"))
        cJSON_AddStringToObject(v, "Description", cfn_str(c, "Description"));
    add_time(v, "CreationTime", c, "CreationTime");
    cJSON_AddStringToObject(v, "ExecutionStatus", cfn_str(c, "ExecutionStatus"));
    cJSON_AddStringToObject(v, "Status", cfn_str(c, "Status"));
    if (cfn_str(c, "StatusReason"))
        cJSON_AddStringToObject(v, "StatusReason", cfn_str(c, "StatusReason"));
    cJSON_AddBoolToObject(v, "IncludeNestedStacks", false);
}

bool cfn_op_describe_change_set(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    cfn_stack *s = NULL;
    cJSON *c = find_set(ctx, in, &s, err);
    if (!c)
        return false;
    summary_members(out, s, c);
    const cJSON *decls = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s->rec, "Processed"),
                                                          "Parameters");
    cJSON_AddItemToObject(out, "Parameters", cfn_params_describe(decls, cJSON_GetObjectItemCaseSensitive(c, "Parameters")));
    cJSON_AddArrayToObject(out, "NotificationARNs");
    const cJSON *caps = cJSON_GetObjectItemCaseSensitive(c, "Capabilities");
    cJSON_AddItemToObject(out, "Capabilities", caps ? cJSON_Duplicate(caps, true) : cJSON_CreateArray());
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(c, "Tags");
    cJSON_AddItemToObject(out, "Tags", tags ? cJSON_Duplicate(tags, true) : cJSON_CreateArray());
    cJSON_AddItemToObject(out, "Changes", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c, "Changes"), true));
    return true;
}

bool cfn_op_list_change_sets(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    cfn_stack *s = cfn_stack_required(ctx, in, err);
    if (!s)
        return false;
    cJSON *list = cJSON_AddArrayToObject(out, "Summaries");
    for (const cJSON *c = sets_of(s)->child; c; c = c->next) {
        cJSON *v = cJSON_CreateObject();
        summary_members(v, s, c);
        cJSON_AddItemToArray(list, v);
    }
    return true;
}

bool cfn_op_delete_change_set(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    (void)out;
    cfn_stack *s = NULL;
    cJSON *c = find_set(ctx, in, &s, err);
    if (!c)
        return false;
    cJSON_Delete(cJSON_DetachItemViaPointer(sets_of(s), c));
    cfn_stack_save(s);
    return true;
}

/* After an execution only the executed change set stays (EXECUTE_COMPLETE or _FAILED). */
static void keep_only(cfn_stack *s, const char *id, bool ok)
{
    cJSON *sets = sets_of(s);
    cJSON *c = sets->child;
    while (c) {
        cJSON *next = c->next;
        if (strcmp(cfn_str(c, "ChangeSetId"), id) != 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(sets, c));
        else
            json_set_string(c, "ExecutionStatus", ok ? "EXECUTE_COMPLETE" : "EXECUTE_FAILED");
        c = next;
    }
    cfn_stack_save(s);
}

bool cfn_op_execute_change_set(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    (void)out;
    cfn_stack *s = NULL;
    cJSON *c = find_set(ctx, in, &s, err);
    if (!c)
        return false;
    const char *exec = cfn_str(c, "ExecutionStatus");
    if (strcmp(cfn_str(c, "Status"), "CREATE_COMPLETE") || strcmp(exec, "AVAILABLE"))
        return cfn_fail(err, CFN_ERR_INVALID_CHANGE_SET_STATUS, "ChangeSet [%s] cannot be executed in its current "
                        "execution status of [%s]", cfn_str(c, "ChangeSetId"), exec);
    bool create = !strcmp(cfn_str(c, "ChangeSetType"), "CREATE");
    if (!create && !cfn_stack_updatable(s, err))
        return false;
    char *id = strdup(cfn_str(c, "ChangeSetId"));
    cfn_plan plan;
    bool ok = cfn_plan_prepare(ctx, cfn_str(s->rec, "StackName"), cfn_str(s->rec, "StackId"),
                               cfn_str(c, "TemplateBody"), cfn_str(c, "BaseDir"),
                               cJSON_GetObjectItemCaseSensitive(c, "GivenParameters"),
                               create ? NULL : cJSON_GetObjectItemCaseSensitive(s->rec, "Parameters"), &plan, err);
    if (!ok) {
        free(id);
        cfn_plan_free(&plan);
        return false;
    }
    json_set_copy(s->rec, "Capabilities", cJSON_GetObjectItemCaseSensitive(c, "Capabilities"));
    cfn_error result = {0};
    const cJSON *disable = cJSON_GetObjectItemCaseSensitive(in, "DisableRollback");
    if (create) {
        json_set_copy(s->rec, "Tags", cJSON_GetObjectItemCaseSensitive(c, "Tags"));
        ok = cfn_run_create(ctx, s, &plan, cJSON_IsTrue(disable) ? "DO_NOTHING" : "ROLLBACK", &result);
    } else
        ok = cfn_run_update(ctx, s, &plan, cJSON_GetObjectItemCaseSensitive(c, "Tags"), &result);
    keep_only(s, id, ok);
    free(id);
    cfn_plan_free(&plan);
    return true;
}
