/* cfn/nested: AWS::CloudFormation::Stack, the engine's own resource type (CloudFormation
 * User Guide, "AWS::CloudFormation::Stack" and "Nested stacks"). TemplateURL is a local
 * file: a path relative to the parent template's directory, or file://...; Parameters
 * are passed as the child's parameters. The child is a stack of its own, named
 * <parent>-<LogicalId>-<12 random characters> as AWS names it, with ParentId/RootId; its
 * outputs are the resource's attributes "Outputs.<Name>" (Fn::GetAtt Child.Outputs.Name),
 * its stack id the Ref. TemplateURL and Parameters changes update the child in place. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "sqsemu/ids.h"

int cfn_nesting_depth;

static void child_name(const cfn_resource *r, char *out, size_t size)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char rnd[12];
    char suffix[13];
    ids_random(rnd, sizeof rnd);
    for (int i = 0; i < 12; i++)
        suffix[i] = alphabet[rnd[i] % 36];
    suffix[12] = '\0';
    char name[512];
    snprintf(name, sizeof name, "%s-%s", r->stack_name, r->logical_id);
    name[128 - 13] = '\0';
    size_t n = strlen(name);
    if (n + 14 > size)
        n = size - 14;
    memcpy(out, name, n);
    out[n] = '-';
    memcpy(out + n + 1, suffix, 13);
}

/* The Parameters property as [{ParameterKey, ParameterValue}]. */
static cJSON *child_params(const cfn_resource *r, cfn_error *err)
{
    cJSON *list = cJSON_CreateArray();
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(r->properties, "Parameters");
    if (params && !cJSON_IsObject(params)) {
        cJSON_Delete(list);
        cfn_fail(err, CFN_ERR_VALIDATION, "Value of property Parameters must be an object");
        return NULL;
    }
    for (const cJSON *p = params ? params->child : NULL; p; p = p->next) {
        char num[64];
        const char *v = cJSON_IsString(p) ? p->valuestring : NULL;
        if (cJSON_IsNumber(p)) {
            snprintf(num, sizeof num, "%g", p->valuedouble);
            v = num;
        } else if (cJSON_IsBool(p))
            v = cJSON_IsTrue(p) ? "true" : "false";
        if (!v) {
            cJSON_Delete(list);
            cfn_fail(err, CFN_ERR_VALIDATION, "Value of property Parameters must be an object with String (or simple "
                     "type) properties");
            return NULL;
        }
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "ParameterKey", p->string);
        cJSON_AddStringToObject(e, "ParameterValue", v);
        cJSON_AddItemToArray(list, e);
    }
    return list;
}

static char *child_template(const cfn_resource *r, char **dir, cfn_error *err)
{
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(r->properties, "TemplateURL");
    if (!cJSON_IsString(url) || !*url->valuestring) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Property TemplateURL cannot be empty.");
        return NULL;
    }
    return cfn_template_read_url(url->valuestring, r->base_dir, dir, err);
}

static void fill_state(cJSON *state, cfn_stack *child)
{
    const char *id = cfn_str(child->rec, "StackId");
    cJSON_DeleteItemFromObjectCaseSensitive(state, "PhysicalResourceId");
    cJSON_DeleteItemFromObjectCaseSensitive(state, "Ref");
    cJSON_DeleteItemFromObjectCaseSensitive(state, "Attributes");
    cJSON_AddStringToObject(state, "PhysicalResourceId", id);
    cJSON_AddStringToObject(state, "Ref", id);
    cJSON *attrs = cJSON_AddObjectToObject(state, "Attributes");
    const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(child->rec, "Outputs");
    for (const cJSON *o = outputs ? outputs->child : NULL; o; o = o->next) {
        char key[300];
        snprintf(key, sizeof key, "Outputs.%s", cfn_str(o, "OutputKey"));
        cJSON_AddStringToObject(attrs, key, cfn_str(o, "OutputValue") ? cfn_str(o, "OutputValue") : "");
    }
}

static bool nested_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    if (cfn_nesting_depth >= CFN_MAX_DEPTH)
        return cfn_fail(err, CFN_ERR_VALIDATION, "Nested stacks may be at most %d levels deep in sqsemu", CFN_MAX_DEPTH);
    char *dir = NULL;
    char *body = child_template(r, &dir, err);
    cJSON *params = body ? child_params(r, err) : NULL;
    if (!params) {
        free(body);
        free(dir);
        return false;
    }
    char name[160];
    child_name(r, name, sizeof name);
    cfn_stack_request req = {.name = name, .body = body, .base_dir = dir, .params = params, .on_failure = "ROLLBACK",
                             .parent_id = r->stack_id};
    bool complete = false;
    cfn_nesting_depth++;
    cfn_stack *child = cfn_create_stack(r->ctx, &req, &complete, err);
    cfn_nesting_depth--;
    free(body);
    free(dir);
    cJSON_Delete(params);
    if (child && !complete) {
        char reason[sizeof err->message];
        snprintf(reason, sizeof reason, "%s", err->message);
        cfn_fail(err, CFN_ERR_VALIDATION, "Embedded stack %s was not successfully created: %s",
                 cfn_str(child->rec, "StackId"), reason);
        /* The parent's rollback cannot reach a child it has no state of: it goes now. */
        if (cfn_stack_live(child)) {
            cfn_error ignored;
            cfn_nesting_depth++;
            cfn_run_delete(r->ctx, child, &ignored);
            cfn_nesting_depth--;
        }
        return false;
    }
    if (!child)
        return false;
    *state = cJSON_CreateObject();
    fill_state(*state, child);
    return true;
}

/* The child's template file changed since it was last applied: its text is not the one the
 * child stack keeps. */
static bool nested_changed_outside(const cfn_resource *r, const cJSON *state)
{
    cfn_stack *child = cfn_stack_find(r->ctx, cfn_str(state, "PhysicalResourceId"));
    if (!child || !cfn_stack_live(child))
        return true;
    char *dir = NULL;
    cfn_error ignored;
    char *body = child_template(r, &dir, &ignored);
    const char *applied = cfn_str(child->rec, "TemplateBody");
    bool changed = !body || !applied || strcmp(body, applied) != 0;
    free(body);
    free(dir);
    return changed;
}

static bool nested_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    (void)old_properties;
    (void)r;
    return false;
}

static bool nested_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    (void)old_properties;
    cfn_stack *child = cfn_stack_find(r->ctx, cfn_str(state, "PhysicalResourceId"));
    if (!child || !cfn_stack_live(child))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Nested stack %s does not exist", cfn_str(state, "PhysicalResourceId"));
    char *dir = NULL;
    char *body = child_template(r, &dir, err);
    cJSON *params = body ? child_params(r, err) : NULL;
    bool ok = params != NULL;
    if (ok) {
        cfn_nesting_depth++;
        cfn_error e = {0};
        bool started = false;
        ok = cfn_update_stack(r->ctx, child, body, dir, params, NULL, NULL, &started, &e) ||
             strcmp(e.message, "No updates are to be performed.") == 0;
        cfn_nesting_depth--;
        if (!ok)
            cfn_fail(err, CFN_ERR_VALIDATION, "Embedded stack %s was not successfully updated: %s",
                     cfn_str(child->rec, "StackId"), e.message);
        else
            fill_state(state, child);
    }
    free(body);
    free(dir);
    cJSON_Delete(params);
    return ok;
}

static bool nested_remove(const cfn_resource *r, const cJSON *state, cfn_error *err)
{
    cfn_stack *child = cfn_stack_find(r->ctx, cfn_str(state, "PhysicalResourceId"));
    if (!child || !cfn_stack_live(child))
        return true;
    cfn_nesting_depth++;
    bool ok = cfn_run_delete(r->ctx, child, err);
    cfn_nesting_depth--;
    return ok;
}

const cfn_provider cfn_nested_stack_provider = {
    .type = "AWS::CloudFormation::Stack",
    .create = nested_create,
    .needs_replacement = nested_needs_replacement,
    .changed_outside = nested_changed_outside,
    .update = nested_update,
    .remove = nested_remove,
};
