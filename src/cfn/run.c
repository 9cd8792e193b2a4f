/* cfn/run: creating and deleting a stack's resources (CloudFormation User Guide, "Stack
 * status codes" and "Resource status codes"). Resources are created one at a time in
 * dependency order through their provider, each step recorded as events
 * (CREATE_IN_PROGRESS, CREATE_COMPLETE or CREATE_FAILED with its reason) and the record
 * saved. A failure rolls back by default: ROLLBACK_IN_PROGRESS with "The following
 * resource(s) failed to create: [X]. Rollback requested by user.", every created resource
 * deleted in reverse order, ROLLBACK_COMPLETE. OnFailure DELETE then deletes the stack;
 * DO_NOTHING (or DisableRollback) leaves CREATE_FAILED with what was created. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/json.h"

const cfn_provider *(*cfn_test_provider_find)(const char *type);

const cfn_provider *cfn_provider_for(const char *type)
{
    const cfn_provider *p = type && cfn_test_provider_find ? cfn_test_provider_find(type) : NULL;
    if (p)
        return p;
    if (type && strcmp(type, "AWS::CloudFormation::Stack") == 0)
        return &cfn_nested_stack_provider;
    return type ? cfn_provider_find(type) : NULL;
}

static cJSON *resources_of(cfn_stack *s)
{
    return cJSON_GetObjectItemCaseSensitive(s->rec, "Resources");
}

void cfn_eval_for(cfn_eval *ev, const cfn_ctx *ctx, cfn_stack *s, const cfn_plan *plan, cJSON *states)
{
    memset(ev, 0, sizeof *ev);
    ev->ctx = ctx;
    ev->stack_name = cfn_str(s->rec, "StackName");
    ev->stack_id = cfn_str(s->rec, "StackId");
    ev->params = plan->typed_params;
    ev->mappings = cJSON_GetObjectItemCaseSensitive(plan->processed, "Mappings");
    ev->conditions = plan->conditions;
    ev->states = states;
}

void cfn_record_plan(cfn_stack *s, const cfn_plan *plan)
{
    json_set_string(s->rec, "TemplateBody", plan->body);
    json_set_copy(s->rec, "Processed", plan->processed);
    json_set_copy(s->rec, "Parameters", plan->raw_params);
    json_set_string(s->rec, "BaseDir", plan->base_dir);
    const char *desc = cfn_str(plan->processed, "Description");
    json_set_copy(s->rec, "Description", NULL);
    if (desc)
        json_set_string(s->rec, "Description", desc);
}

static void set_member_string(cJSON *obj, const char *name, const char *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
    if (value)
        cJSON_AddStringToObject(obj, name, value);
}

static void resource_status(cJSON *res, const char *status, const char *reason)
{
    set_member_string(res, "ResourceStatus", status);
    set_member_string(res, "ResourceStatusReason", reason);
    cJSON_DeleteItemFromObjectCaseSensitive(res, "Timestamp");
    cJSON_AddNumberToObject(res, "Timestamp", (double)clock_now_ms());
}

static const char *physical_of(const cJSON *res)
{
    return cfn_str(cJSON_GetObjectItemCaseSensitive(res, "State"), "PhysicalResourceId");
}

void cfn_resource_step(cfn_stack *s, const char *id, cJSON *res, const char *status, const char *reason)
{
    resource_status(res, status, reason);
    cfn_stack_event(s, id, physical_of(res), cfn_str(res, "Type"), status, reason,
                    cJSON_GetObjectItemCaseSensitive(res, "Properties"));
    cfn_stack_save(s);
}

static void describe_resource(cfn_resource *r, const cfn_ctx *ctx, cfn_stack *s, const char *id, const cJSON *res)
{
    r->ctx = ctx;
    r->stack_name = cfn_str(s->rec, "StackName");
    r->stack_id = cfn_str(s->rec, "StackId");
    r->logical_id = id;
    r->type = cfn_str(res, "Type");
    r->properties = cJSON_GetObjectItemCaseSensitive(res, "Properties");
    r->base_dir = cfn_str(s->rec, "BaseDir");
}

bool cfn_remove_resource(const cfn_ctx *ctx, cfn_stack *s, const char *id, cJSON *res, cfn_error *err)
{
    const char *status = cfn_str(res, "ResourceStatus");
    if (status && strcmp(status, "DELETE_COMPLETE") == 0)
        return true;
    cfn_resource_step(s, id, res, "DELETE_IN_PROGRESS", NULL);
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(res, "State");
    const cfn_provider *p = cfn_provider_for(cfn_str(res, "Type"));
    if (state && p) {
        cfn_resource r;
        describe_resource(&r, ctx, s, id, res);
        cfn_error e = {0};
        if (!p->remove(&r, state, &e)) {
            cfn_resource_step(s, id, res, "DELETE_FAILED", e.message);
            if (err)
                *err = e;
            return false;
        }
    }
    cfn_resource_step(s, id, res, "DELETE_COMPLETE", NULL);
    return true;
}

static int seq_of(const cJSON *res)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(res, "Seq");
    return cJSON_IsNumber(n) ? n->valueint : 0;
}

/* Deletes every resource of the record, latest created first; the names that failed are
 * appended to failed. */
static bool remove_all(const cfn_ctx *ctx, cfn_stack *s, buf_t *failed)
{
    cJSON *resources = resources_of(s);
    bool ok = true;
    for (;;) {
        cJSON *pick = NULL;
        for (cJSON *r = resources->child; r; r = r->next) {
            const char *st = cfn_str(r, "ResourceStatus");
            if (st && (!strcmp(st, "DELETE_COMPLETE") || !strcmp(st, "DELETE_FAILED")))
                continue;
            if (!pick || seq_of(r) > seq_of(pick))
                pick = r;
        }
        if (!pick)
            return ok;
        if (!cfn_remove_resource(ctx, s, pick->string, pick, NULL)) {
            ok = false;
            buf_printf(failed, "%s%s", failed->len ? ", " : "", pick->string);
        }
    }
}

/* A new resource entry for logical id id, numbered after every other. */
static cJSON *new_entry(cfn_stack *s, const char *id, const char *type, cJSON *props)
{
    cJSON *resources = resources_of(s);
    int seq = 0;
    for (const cJSON *r = resources->child; r; r = r->next)
        if (seq_of(r) > seq)
            seq = seq_of(r);
    cJSON_DeleteItemFromObjectCaseSensitive(resources, id);
    cJSON *res = cJSON_AddObjectToObject(resources, id);
    cJSON_AddStringToObject(res, "Type", type);
    cJSON_AddItemToObject(res, "Properties", props);
    cJSON_AddNumberToObject(res, "Seq", seq + 1);
    return res;
}

bool cfn_create_one(const cfn_ctx *ctx, cfn_stack *s, const cfn_plan *plan, const char *id, cJSON *states,
                    cfn_error *err)
{
    const cJSON *decl = cJSON_GetObjectItemCaseSensitive(plan->resources, id);
    const char *type = cfn_str(decl, "Type");
    cfn_eval ev;
    cfn_eval_for(&ev, ctx, s, plan, states);
    cJSON *props = cfn_eval_properties(&ev, cJSON_GetObjectItemCaseSensitive(decl, "Properties"), err);
    cJSON *res = new_entry(s, id, type, props ? props : cJSON_CreateObject());
    cfn_resource_step(s, id, res, "CREATE_IN_PROGRESS", NULL);
    if (!props) {
        cfn_resource_step(s, id, res, "CREATE_FAILED", err->message);
        return false;
    }
    cfn_resource r;
    describe_resource(&r, ctx, s, id, res);
    cJSON *state = NULL;
    if (!cfn_provider_for(type)->create(&r, &state, err)) {
        cJSON_Delete(state);
        cfn_resource_step(s, id, res, "CREATE_FAILED", err->message);
        return false;
    }
    cJSON_AddItemToObject(res, "State", state);
    cJSON_DeleteItemFromObjectCaseSensitive(states, id);
    cJSON_AddItemReferenceToObject(states, id, state);
    cfn_resource_step(s, id, res, "CREATE_COMPLETE", NULL);
    return true;
}

cJSON *cfn_resolve_outputs(const cfn_eval *ev, const cfn_plan *plan, const char *stack_id, cfn_error *err)
{
    cJSON *list = cJSON_CreateArray();
    for (const cJSON *o = plan->outputs->child; o; o = o->next) {
        cJSON *v = NULL, *name = NULL;
        cfn_ev_result r = cfn_resolve(ev, cJSON_GetObjectItemCaseSensitive(o, "Value"), &v, err);
        if (r == CFN_EV_NOVALUE)
            cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Output %s has no value (AWS::NoValue)",
                     o->string);
        if (r != CFN_EV_OK)
            goto fail;
        if (cJSON_IsArray(v)) { /* a list output is written comma separated */
            buf_t b = {0};
            for (const cJSON *e = v->child; e; e = e->next)
                buf_printf(&b, "%s%s", e == v->child ? "" : ",", cJSON_IsString(e) ? e->valuestring : "");
            cJSON_Delete(v);
            v = cJSON_CreateString(b.data ? b.data : "");
            buf_free(&b);
        }
        if (!cJSON_IsString(v)) {
            char *text = cJSON_PrintUnformatted(v);
            cJSON_Delete(v);
            v = cJSON_CreateString(text);
            free(text);
        }
        cJSON *out = cJSON_CreateObject();
        cJSON_AddStringToObject(out, "OutputKey", o->string);
        cJSON_AddItemToObject(out, "OutputValue", v);
        const char *desc = cfn_str(o, "Description");
        if (desc)
            cJSON_AddStringToObject(out, "Description", desc);
        cJSON_AddItemToArray(list, out);
        const cJSON *export = cJSON_GetObjectItemCaseSensitive(o, "Export");
        if (!export)
            continue;
        if (cfn_resolve(ev, cJSON_GetObjectItemCaseSensitive(export, "Name"), &name, err) != CFN_EV_OK ||
            !cJSON_IsString(name)) {
            cJSON_Delete(name);
            cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Output %s is malformed. The Name field of Export "
                     "must be a string", o->string);
            goto fail;
        }
        const char *exporter = NULL;
        bool taken = cfn_export_find(ev->ctx, name->valuestring, &exporter) && strcmp(exporter, stack_id) != 0;
        for (const cJSON *e = list->child; e && !taken; e = e->next)
            taken = cfn_str(e, "ExportName") && strcmp(cfn_str(e, "ExportName"), name->valuestring) == 0;
        if (taken) {
            cfn_fail(err, CFN_ERR_VALIDATION, "Export with name %s is already exported by stack %s", name->valuestring,
                     exporter ? exporter : ev->stack_name);
            cJSON_Delete(name);
            goto fail;
        }
        cJSON_AddStringToObject(out, "ExportName", name->valuestring);
        cJSON_Delete(name);
    }
    return list;
fail:
    cJSON_Delete(list);
    return NULL;
}

/* The stack's resources' states, by logical id (references into the record). */
cJSON *cfn_states_of(cfn_stack *s)
{
    cJSON *states = cJSON_CreateObject();
    for (cJSON *r = resources_of(s)->child; r; r = r->next) {
        cJSON *state = cJSON_GetObjectItemCaseSensitive(r, "State");
        const char *st = cfn_str(r, "ResourceStatus");
        if (state && !(st && !strcmp(st, "DELETE_COMPLETE")))
            cJSON_AddItemReferenceToObject(states, r->string, state);
    }
    return states;
}

static void finish_deleted(cfn_stack *s)
{
    cJSON_DeleteItemFromObjectCaseSensitive(s->rec, "DeletionTime");
    cJSON_AddNumberToObject(s->rec, "DeletionTime", (double)clock_now_ms());
    cJSON_DeleteItemFromObjectCaseSensitive(s->rec, "ChangeSets");
    cJSON_AddArrayToObject(s->rec, "ChangeSets");
    cfn_stack_set_status(s, "DELETE_COMPLETE", NULL);
}

bool cfn_run_create(const cfn_ctx *ctx, cfn_stack *s, cfn_plan *plan, const char *on_failure, cfn_error *err)
{
    cfn_record_plan(s, plan);
    cfn_stack_set_status(s, "CREATE_IN_PROGRESS", "User Initiated");
    cJSON *states = cJSON_CreateObject();
    const char *failed = NULL;
    for (const cJSON *id = plan->order->child; id && !failed; id = id->next)
        if (!cfn_create_one(ctx, s, plan, id->valuestring, states, err))
            failed = id->valuestring;
    char reason[1400];
    if (!failed) {
        cfn_eval ev;
        cfn_eval_for(&ev, ctx, s, plan, states);
        cJSON *outputs = cfn_resolve_outputs(&ev, plan, cfn_str(s->rec, "StackId"), err);
        if (outputs) {
            json_set_owned(s->rec, "Outputs", outputs);
            cJSON_Delete(states);
            cfn_stack_set_status(s, "CREATE_COMPLETE", NULL);
            return true;
        }
        snprintf(reason, sizeof reason, "%s", err->message);
    } else
        snprintf(reason, sizeof reason, "The following resource(s) failed to create: [%s]. ", failed);
    cJSON_Delete(states);
    if (on_failure && strcmp(on_failure, "DO_NOTHING") == 0) {
        cfn_stack_set_status(s, "CREATE_FAILED", reason);
        return cfn_fail(err, CFN_ERR_VALIDATION, "%s", reason);
    }
    char rollback[1500];
    snprintf(rollback, sizeof rollback, "%s%sRollback requested by user.", reason,
             !reason[0] || reason[strlen(reason) - 1] == ' ' ? "" : " ");
    cfn_stack_set_status(s, "ROLLBACK_IN_PROGRESS", rollback);
    buf_t undeleted = {0};
    bool clean = remove_all(ctx, s, &undeleted);
    if (!clean) {
        char why[1500];
        snprintf(why, sizeof why, "The following resource(s) failed to delete: [%s]. ", undeleted.data);
        cfn_stack_set_status(s, "ROLLBACK_FAILED", why);
    } else if (on_failure && strcmp(on_failure, "DELETE") == 0) {
        cfn_stack_set_status(s, "DELETE_IN_PROGRESS", NULL);
        finish_deleted(s);
    } else
        cfn_stack_set_status(s, "ROLLBACK_COMPLETE", NULL);
    buf_free(&undeleted);
    return cfn_fail(err, CFN_ERR_VALIDATION, "%s", reason);
}

bool cfn_run_delete(const cfn_ctx *ctx, cfn_stack *s, cfn_error *err)
{
    cfn_stack_set_status(s, "DELETE_IN_PROGRESS", "User Initiated");
    buf_t failed = {0};
    if (!remove_all(ctx, s, &failed)) {
        char why[1500];
        snprintf(why, sizeof why, "The following resource(s) failed to delete: [%s]. ", failed.data);
        buf_free(&failed);
        cfn_stack_set_status(s, "DELETE_FAILED", why);
        return cfn_fail(err, CFN_ERR_VALIDATION, "%s", why);
    }
    json_set_owned(s->rec, "Outputs", cJSON_CreateArray());
    finish_deleted(s);
    return true;
}
