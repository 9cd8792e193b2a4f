/* cfn/update: UpdateStack (CloudFormation User Guide, "Update behaviors of stack
 * resources" and "Stack status codes"). The new template's resources are compared with
 * the stack's, property by property once resolved: a new logical id is created, a
 * changed one updated in place or, when its provider says a changed property requires
 * replacement, created anew (references then see the new one) with the old one deleted
 * at cleanup, a vanished one deleted at cleanup. Nothing changed: "No updates are to be
 * performed.". Statuses UPDATE_IN_PROGRESS, UPDATE_COMPLETE_CLEANUP_IN_PROGRESS,
 * UPDATE_COMPLETE; a failure undoes every step in reverse (UPDATE_ROLLBACK_IN_PROGRESS,
 * UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS, UPDATE_ROLLBACK_COMPLETE) and the stack
 * keeps its previous template, parameters and outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/json.h"

static const char *const updatable[] = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE",
                                        "IMPORT_COMPLETE", NULL};

bool cfn_stack_updatable(const cfn_stack *s, cfn_error *err)
{
    const char *status = cfn_str(s->rec, "StackStatus");
    for (int i = 0; updatable[i]; i++)
        if (status && !strcmp(status, updatable[i]))
            return true;
    return cfn_fail(err, CFN_ERR_VALIDATION, "Stack:%s is in %s state and can not be updated.",
                    cfn_str(s->rec, "StackId"), status ? status : "UNKNOWN");
}

static cJSON *live_entry(cfn_stack *s, const char *id)
{
    cJSON *res = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s->rec, "Resources"), id);
    const char *st = res ? cfn_str(res, "ResourceStatus") : NULL;
    return res && !(st && !strcmp(st, "DELETE_COMPLETE")) ? res : NULL;
}

static void fill_resource(cfn_resource *r, const cfn_ctx *ctx, cfn_stack *s, const char *id, const char *type,
                          const cJSON *props)
{
    r->ctx = ctx;
    r->stack_name = cfn_str(s->rec, "StackName");
    r->stack_id = cfn_str(s->rec, "StackId");
    r->logical_id = id;
    r->type = type;
    r->properties = props;
    r->base_dir = cfn_str(s->rec, "BaseDir");
}

static cJSON *change(const char *action, const char *id, const char *type, const char *physical, const char *replace)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "Type", "Resource");
    cJSON *rc = cJSON_AddObjectToObject(c, "ResourceChange");
    cJSON_AddStringToObject(rc, "Action", action);
    cJSON_AddStringToObject(rc, "LogicalResourceId", id);
    if (physical)
        cJSON_AddStringToObject(rc, "PhysicalResourceId", physical);
    cJSON_AddStringToObject(rc, "ResourceType", type);
    if (replace)
        cJSON_AddStringToObject(rc, "Replacement", replace);
    cJSON *scope = cJSON_AddArrayToObject(rc, "Scope");
    if (replace)
        cJSON_AddItemToArray(scope, cJSON_CreateString("Properties"));
    cJSON_AddArrayToObject(rc, "Details");
    return c;
}

/* The names of the top-level properties that differ, as the change's Details. */
static void add_details(cJSON *c, const cJSON *old_props, const cJSON *new_props, bool replace)
{
    cJSON *details = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "ResourceChange"), "Details");
    const cJSON *sides[2] = {new_props, old_props};
    for (int side = 0; side < 2; side++)
        for (const cJSON *p = sides[side] ? sides[side]->child : NULL; p; p = p->next) {
            const cJSON *other = cJSON_GetObjectItemCaseSensitive(sides[1 - side], p->string);
            if ((side == 1 && other) || cJSON_Compare(p, other, true))
                continue;
            cJSON *d = cJSON_CreateObject();
            cJSON *t = cJSON_AddObjectToObject(d, "Target");
            cJSON_AddStringToObject(t, "Attribute", "Properties");
            cJSON_AddStringToObject(t, "Name", p->string);
            cJSON_AddStringToObject(t, "RequiresRecreation", replace ? "Always" : "Never");
            cJSON_AddStringToObject(d, "Evaluation", "Static");
            cJSON_AddStringToObject(d, "ChangeSource", "DirectModification");
            cJSON_AddItemToArray(details, d);
        }
}

cJSON *cfn_diff(const cfn_ctx *ctx, cfn_stack *s, const cfn_plan *plan, cfn_error *err)
{
    cJSON *changes = cJSON_CreateArray();
    cJSON *states = cfn_states_of(s);
    for (const cJSON *id = plan->order->child; id; id = id->next) {
        const cJSON *decl = cJSON_GetObjectItemCaseSensitive(plan->resources, id->valuestring);
        const char *type = cfn_str(decl, "Type");
        cJSON *old = live_entry(s, id->valuestring);
        if (!old) {
            cJSON_AddItemToArray(changes, change("Add", id->valuestring, type, NULL, NULL));
            continue;
        }
        const char *physical = cfn_str(cJSON_GetObjectItemCaseSensitive(old, "State"), "PhysicalResourceId");
        cfn_eval ev;
        cfn_eval_for(&ev, ctx, s, plan, states);
        ev.preview = true;
        cJSON *props = cfn_eval_properties(&ev, cJSON_GetObjectItemCaseSensitive(decl, "Properties"), err);
        if (!props) {
            cJSON_Delete(states);
            cJSON_Delete(changes);
            return NULL;
        }
        const cJSON *old_props = cJSON_GetObjectItemCaseSensitive(old, "Properties");
        bool type_changed = strcmp(cfn_str(old, "Type"), type) != 0;
        cfn_resource r;
        fill_resource(&r, ctx, s, id->valuestring, type, props);
        const cfn_provider *p = cfn_provider_for(type);
        if (type_changed || !cJSON_Compare(props, old_props, true) ||
            (p && p->changed_outside && p->changed_outside(&r, cJSON_GetObjectItemCaseSensitive(old, "State")))) {
            bool replace = type_changed || (p && !p->update) ||
                           (p && p->needs_replacement && p->needs_replacement(old_props, &r));
            cJSON *c = change("Modify", id->valuestring, type, physical, replace ? "True" : "False");
            add_details(c, old_props, props, replace);
            cJSON_AddItemToArray(changes, c);
        }
        cJSON_Delete(props);
    }
    const cJSON *resources = cJSON_GetObjectItemCaseSensitive(s->rec, "Resources");
    for (const cJSON *r = resources ? resources->child : NULL; r; r = r->next)
        if (live_entry(s, r->string) && !cJSON_GetObjectItemCaseSensitive(plan->resources, r->string))
            cJSON_AddItemToArray(changes, change("Remove", r->string, cfn_str(r, "Type"),
                                                 cfn_str(cJSON_GetObjectItemCaseSensitive(r, "State"),
                                                         "PhysicalResourceId"), NULL));
    cJSON_Delete(states);
    return changes;
}

bool cfn_plan_unchanged(const cfn_ctx *ctx, cfn_stack *s, const cfn_plan *plan, const cJSON *tags, cfn_error *err)
{
    cJSON *changes = cfn_diff(ctx, s, plan, err);
    if (!changes)
        return false;
    bool same = !changes->child;
    cJSON_Delete(changes);
    if (same) {
        cJSON *states = cfn_states_of(s);
        cfn_eval ev;
        cfn_eval_for(&ev, ctx, s, plan, states);
        ev.preview = true;
        cfn_error ignored;
        cJSON *outputs = cfn_resolve_outputs(&ev, plan, cfn_str(s->rec, "StackId"), &ignored);
        same = outputs && cJSON_Compare(outputs, cJSON_GetObjectItemCaseSensitive(s->rec, "Outputs"), true);
        cJSON_Delete(outputs);
        cJSON_Delete(states);
    }
    const cJSON *old_tags = cJSON_GetObjectItemCaseSensitive(s->rec, "Tags");
    if (same && tags && !cJSON_Compare(tags, old_tags, true) && (cJSON_GetArraySize(tags) || cJSON_GetArraySize(old_tags)))
        same = false;
    return same;
}

/* ---- running an update, with its journal for the rollback ---- */

typedef enum step_kind { STEP_ADD, STEP_MODIFY, STEP_REPLACE } step_kind;

static void journal_add(cJSON *journal, step_kind kind, const char *id, const cJSON *old_res)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "Kind", kind);
    cJSON_AddStringToObject(j, "Id", id);
    if (old_res)
        cJSON_AddItemToObject(j, "Old", cJSON_Duplicate(old_res, true));
    cJSON_AddItemToArray(journal, j);
}

static void set_props(cJSON *res, cJSON *props)
{
    json_set_owned(res, "Properties", props);
}

/* One resource of the new template: created, updated, replaced or left. */
static bool update_one(const cfn_ctx *ctx, cfn_stack *s, const cfn_plan *plan, const char *id, cJSON *journal,
                       cfn_error *err)
{
    cJSON *states = cfn_states_of(s);
    cJSON *old = live_entry(s, id);
    if (!old) {
        bool ok = cfn_create_one(ctx, s, plan, id, states, err);
        cJSON_Delete(states);
        journal_add(journal, STEP_ADD, id, NULL);
        return ok;
    }
    const cJSON *decl = cJSON_GetObjectItemCaseSensitive(plan->resources, id);
    const char *type = cfn_str(decl, "Type");
    cfn_eval ev;
    cfn_eval_for(&ev, ctx, s, plan, states);
    cJSON *props = cfn_eval_properties(&ev, cJSON_GetObjectItemCaseSensitive(decl, "Properties"), err);
    cJSON_Delete(states);
    if (!props) {
        cfn_resource_step(s, id, old, "UPDATE_FAILED", err->message);
        return false;
    }
    const cJSON *old_props = cJSON_GetObjectItemCaseSensitive(old, "Properties");
    bool type_changed = strcmp(cfn_str(old, "Type"), type) != 0;
    const cfn_provider *p = cfn_provider_for(type);
    cfn_resource r;
    fill_resource(&r, ctx, s, id, type, props);
    if (!type_changed && cJSON_Compare(props, old_props, true) &&
        !(p->changed_outside && p->changed_outside(&r, cJSON_GetObjectItemCaseSensitive(old, "State")))) {
        cJSON_Delete(props);
        return true;
    }
    bool replace = type_changed || !p->update || (p->needs_replacement && p->needs_replacement(old_props, &r));
    cJSON *saved = cJSON_Duplicate(old, true);
    if (replace) {
        cfn_resource_step(s, id, old, "UPDATE_IN_PROGRESS",
                          "Requested update requires the creation of a new physical resource; hence creating one.");
        cJSON *state = NULL;
        if (!p->create(&r, &state, err)) {
            cJSON_Delete(state);
            cJSON_Delete(props);
            cJSON_Delete(saved);
            cfn_resource_step(s, id, old, "UPDATE_FAILED", err->message);
            return false;
        }
        json_set_string(old, "Type", type);
        json_set_owned(old, "State", state);
        set_props(old, props);
        journal_add(journal, STEP_REPLACE, id, saved);
    } else {
        cfn_resource_step(s, id, old, "UPDATE_IN_PROGRESS", NULL);
        cJSON *state = cJSON_GetObjectItemCaseSensitive(old, "State");
        if (!p->update(&r, old_props, state, err)) {
            cJSON_Delete(props);
            cJSON_Delete(saved);
            cfn_resource_step(s, id, old, "UPDATE_FAILED", err->message);
            return false;
        }
        set_props(old, props);
        journal_add(journal, STEP_MODIFY, id, saved);
    }
    cJSON_Delete(saved);
    cfn_resource_step(s, id, old, "UPDATE_COMPLETE", NULL);
    return true;
}

/* Deletes a replaced resource's old physical resource (its saved entry); the events name
 * the old physical id, the entry keeps the new one. */
static void remove_old(const cfn_ctx *ctx, cfn_stack *s, const char *id, const cJSON *saved)
{
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(saved, "State");
    const char *physical = cfn_str(state, "PhysicalResourceId");
    const char *type = cfn_str(saved, "Type");
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(saved, "Properties");
    cfn_stack_event(s, id, physical, type, "DELETE_IN_PROGRESS", NULL, props);
    const cfn_provider *p = cfn_provider_for(type);
    cfn_resource r;
    fill_resource(&r, ctx, s, id, type, props);
    cfn_error e = {0};
    bool ok = !p || !state || p->remove(&r, state, &e);
    cfn_stack_event(s, id, physical, type, ok ? "DELETE_COMPLETE" : "DELETE_FAILED", ok ? NULL : e.message, props);
}

static void undo(const cfn_ctx *ctx, cfn_stack *s, const cJSON *journal)
{
    for (int i = cJSON_GetArraySize(journal); i-- > 0;) {
        const cJSON *j = cJSON_GetArrayItem(journal, i);
        const char *id = cfn_str(j, "Id");
        int kind = cJSON_GetObjectItemCaseSensitive(j, "Kind")->valueint;
        cJSON *resources = cJSON_GetObjectItemCaseSensitive(s->rec, "Resources");
        cJSON *res = cJSON_GetObjectItemCaseSensitive(resources, id);
        const cJSON *saved = cJSON_GetObjectItemCaseSensitive(j, "Old");
        cfn_error ignored;
        if (!res)
            continue;
        if (kind == STEP_ADD) {
            cfn_remove_resource(ctx, s, id, res, &ignored);
            cJSON_DeleteItemFromObjectCaseSensitive(resources, id);
            cfn_stack_save(s);
        } else if (kind == STEP_REPLACE) {
            cfn_resource_step(s, id, res, "UPDATE_IN_PROGRESS", NULL);
            const cfn_provider *p = cfn_provider_for(cfn_str(res, "Type"));
            cfn_resource r;
            fill_resource(&r, ctx, s, id, cfn_str(res, "Type"), cJSON_GetObjectItemCaseSensitive(res, "Properties"));
            if (p && cJSON_GetObjectItemCaseSensitive(res, "State"))
                p->remove(&r, cJSON_GetObjectItemCaseSensitive(res, "State"), &ignored);
            json_set_copy(res, "State", cJSON_GetObjectItemCaseSensitive(saved, "State"));
            json_set_copy(res, "Properties", cJSON_GetObjectItemCaseSensitive(saved, "Properties"));
            json_set_string(res, "Type", cfn_str(saved, "Type"));
            cfn_resource_step(s, id, res, "UPDATE_COMPLETE", NULL);
        } else {
            cfn_resource_step(s, id, res, "UPDATE_IN_PROGRESS", NULL);
            const cfn_provider *p = cfn_provider_for(cfn_str(res, "Type"));
            const cJSON *old_props = cJSON_GetObjectItemCaseSensitive(saved, "Properties");
            cfn_resource r;
            fill_resource(&r, ctx, s, id, cfn_str(res, "Type"), old_props);
            if (p && p->update)
                p->update(&r, cJSON_GetObjectItemCaseSensitive(res, "Properties"),
                          cJSON_GetObjectItemCaseSensitive(res, "State"), &ignored);
            json_set_copy(res, "Properties", old_props);
            json_set_copy(res, "State", cJSON_GetObjectItemCaseSensitive(saved, "State"));
            cfn_resource_step(s, id, res, "UPDATE_COMPLETE", NULL);
        }
    }
}

static const char *const kept_members[] = {"TemplateBody", "Processed", "Parameters", "BaseDir", "Description",
                                           "Outputs", "Tags", "Capabilities", NULL};

static void restore_members(cfn_stack *s, const cJSON *old)
{
    for (int i = 0; kept_members[i]; i++)
        json_set_copy(s->rec, kept_members[i], cJSON_GetObjectItemCaseSensitive(old, kept_members[i]));
}

static void cleanup(const cfn_ctx *ctx, cfn_stack *s, const cfn_plan *plan, const cJSON *journal)
{
    for (int i = cJSON_GetArraySize(journal); i-- > 0;) {
        const cJSON *j = cJSON_GetArrayItem(journal, i);
        if (cJSON_GetObjectItemCaseSensitive(j, "Kind")->valueint == STEP_REPLACE)
            remove_old(ctx, s, cfn_str(j, "Id"), cJSON_GetObjectItemCaseSensitive(j, "Old"));
    }
    cJSON *resources = cJSON_GetObjectItemCaseSensitive(s->rec, "Resources");
    for (;;) { /* removed resources, latest created first */
        cJSON *pick = NULL;
        for (cJSON *r = resources->child; r; r = r->next) {
            if (cJSON_GetObjectItemCaseSensitive(plan->resources, r->string))
                continue;
            const cJSON *seq = cJSON_GetObjectItemCaseSensitive(r, "Seq");
            const cJSON *best = pick ? cJSON_GetObjectItemCaseSensitive(pick, "Seq") : NULL;
            if (!pick || (cJSON_IsNumber(seq) && cJSON_IsNumber(best) && seq->valuedouble > best->valuedouble))
                pick = r;
        }
        if (!pick)
            break;
        cfn_error ignored;
        cfn_remove_resource(ctx, s, pick->string, pick, &ignored);
        cJSON_DeleteItemFromObjectCaseSensitive(resources, pick->string);
        cfn_stack_save(s);
    }
}

/* An export another stack imports may not go or change ("Export X cannot be updated as it
 * is in use by Y"). */
static bool imported_exports_kept(const cfn_ctx *ctx, const cfn_stack *s, const cJSON *old_outputs,
                                  const cJSON *outputs, cfn_error *err)
{
    for (const cJSON *o = old_outputs ? old_outputs->child : NULL; o; o = o->next) {
        const char *export = cfn_str(o, "ExportName");
        const char *importer = export ? cfn_export_importer(ctx, s, export) : NULL;
        if (!importer)
            continue;
        bool kept = false;
        for (const cJSON *n = outputs->child; n && !kept; n = n->next)
            kept = cfn_str(n, "ExportName") && !strcmp(cfn_str(n, "ExportName"), export) &&
                   cfn_str(n, "OutputValue") && cfn_str(o, "OutputValue") &&
                   !strcmp(cfn_str(n, "OutputValue"), cfn_str(o, "OutputValue"));
        if (!kept)
            return cfn_fail(err, CFN_ERR_VALIDATION, "Export %s cannot be updated as it is in use by %s", export,
                            importer);
    }
    return true;
}

bool cfn_run_update(const cfn_ctx *ctx, cfn_stack *s, cfn_plan *plan, const cJSON *tags, cfn_error *err)
{
    cJSON *old = cJSON_Duplicate(s->rec, true);
    cfn_record_plan(s, plan);
    if (tags)
        json_set_copy(s->rec, "Tags", tags);
    cJSON_DeleteItemFromObjectCaseSensitive(s->rec, "LastUpdatedTime");
    cJSON_AddNumberToObject(s->rec, "LastUpdatedTime", (double)clock_now_ms());
    cfn_stack_set_status(s, "UPDATE_IN_PROGRESS", "User Initiated");
    cJSON *journal = cJSON_CreateArray();
    const char *failed = NULL;
    for (const cJSON *id = plan->order->child; id && !failed; id = id->next)
        if (!update_one(ctx, s, plan, id->valuestring, journal, err))
            failed = id->valuestring;
    char reason[1400];
    if (!failed) {
        cJSON *states = cfn_states_of(s);
        cfn_eval ev;
        cfn_eval_for(&ev, ctx, s, plan, states);
        cJSON *outputs = cfn_resolve_outputs(&ev, plan, cfn_str(s->rec, "StackId"), err);
        cJSON_Delete(states);
        if (outputs && !imported_exports_kept(ctx, s, cJSON_GetObjectItemCaseSensitive(old, "Outputs"), outputs, err)) {
            cJSON_Delete(outputs);
            outputs = NULL;
        }
        if (outputs) {
            json_set_owned(s->rec, "Outputs", outputs);
            cfn_stack_set_status(s, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", NULL);
            cleanup(ctx, s, plan, journal);
            cfn_stack_set_status(s, "UPDATE_COMPLETE", NULL);
            cJSON_Delete(journal);
            cJSON_Delete(old);
            return true;
        }
        snprintf(reason, sizeof reason, "%s", err->message);
    } else {
        const cJSON *res = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s->rec, "Resources"), failed);
        const char *st = res ? cfn_str(res, "ResourceStatus") : NULL;
        snprintf(reason, sizeof reason, "The following resource(s) failed to %s: [%s]. ",
                 st && !strcmp(st, "CREATE_FAILED") ? "create" : "update", failed);
    }
    cfn_stack_set_status(s, "UPDATE_ROLLBACK_IN_PROGRESS", reason);
    /* The failed resource itself: a failed creation goes, a failed update keeps its old self. */
    cJSON *resources = cJSON_GetObjectItemCaseSensitive(s->rec, "Resources");
    cJSON *res = failed ? cJSON_GetObjectItemCaseSensitive(resources, failed) : NULL;
    const cJSON *old_res = failed ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(old, "Resources"),
                                                                     failed) : NULL;
    if (res && !old_res) {
        cfn_resource_step(s, failed, res, "DELETE_COMPLETE", NULL);
        cJSON_DeleteItemFromObjectCaseSensitive(resources, failed);
    } else if (res) {
        json_set_copy(res, "Properties", cJSON_GetObjectItemCaseSensitive(old_res, "Properties"));
        cfn_resource_step(s, failed, res, "UPDATE_COMPLETE", NULL);
    }
    undo(ctx, s, journal);
    restore_members(s, old);
    cfn_stack_set_status(s, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", NULL);
    cfn_stack_set_status(s, "UPDATE_ROLLBACK_COMPLETE", NULL);
    cJSON_Delete(journal);
    cJSON_Delete(old);
    return cfn_fail(err, CFN_ERR_VALIDATION, "%s", reason);
}

bool cfn_update_stack(const cfn_ctx *ctx, cfn_stack *s, const char *body, const char *base_dir, const cJSON *params,
                      const cJSON *capabilities, const cJSON *tags, bool *started, cfn_error *err)
{
    *started = false;
    if (!cfn_stack_updatable(s, err))
        return false;
    if (!body) {
        body = cfn_str(s->rec, "TemplateBody");
        base_dir = cfn_str(s->rec, "BaseDir");
    }
    cfn_plan plan;
    bool ok = cfn_plan_prepare(ctx, cfn_str(s->rec, "StackName"), cfn_str(s->rec, "StackId"), body ? body : "",
                               base_dir, params, cJSON_GetObjectItemCaseSensitive(s->rec, "Parameters"), &plan, err) &&
              (!capabilities || cfn_plan_capabilities(&plan, capabilities, err));
    if (ok && cfn_plan_unchanged(ctx, s, &plan, tags, err)) {
        ok = cfn_fail(err, CFN_ERR_VALIDATION, "No updates are to be performed.");
    } else if (ok) {
        *started = true;
        ok = cfn_run_update(ctx, s, &plan, tags, err);
    }
    cfn_plan_free(&plan);
    return ok;
}

bool cfn_op_update_stack(const cfn_ctx *ctx, const cJSON *in, cJSON *out, cfn_error *err)
{
    cfn_stack *s = cfn_stack_required(ctx, in, err);
    if (!s)
        return false;
    const cJSON *use_previous = cJSON_GetObjectItemCaseSensitive(in, "UsePreviousTemplate");
    bool previous = cJSON_IsTrue(use_previous) ||
                    (cJSON_IsString(use_previous) && !strcmp(use_previous->valuestring, "true"));
    char *dir = NULL, *body = NULL;
    if (previous && (cfn_str(in, "TemplateBody") || cfn_str(in, "TemplateURL")))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Specify exactly one of TemplateBody, TemplateUrl, or "
                        "UsePreviousTemplate.");
    if (!previous && !(body = cfn_request_body(ctx, in, &dir, err)))
        return false;
    const cJSON *caps = cJSON_GetObjectItemCaseSensitive(in, "Capabilities");
    cJSON *none = cJSON_CreateArray();
    bool started = false;
    bool ok = cfn_update_stack(ctx, s, body, dir, cJSON_GetObjectItemCaseSensitive(in, "Parameters"), caps ? caps : none,
                               cJSON_GetObjectItemCaseSensitive(in, "Tags"), &started, err);
    cJSON_Delete(none);
    free(body);
    free(dir);
    if (!ok && !started)
        return false;
    if (caps)
        json_set_copy(s->rec, "Capabilities", caps);
    cJSON_AddStringToObject(out, "StackId", cfn_str(s->rec, "StackId"));
    return true;
}
