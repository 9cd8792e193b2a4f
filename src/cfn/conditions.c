/* cfn/conditions: the Conditions section (CloudFormation User Guide, "Conditions syntax"
 * and "Condition functions"): each named condition is Fn::Equals, Fn::Not, Fn::And,
 * Fn::Or or a {"Condition": name} reference, evaluated once, in any order (a reference is
 * evaluated on demand; a cycle is an error). Fn::Equals compares its two resolved
 * arguments as CloudFormation does, as strings ("1" equals 1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define MAX_DEPTH 32

typedef struct cond_run {
    const cfn_eval *ev;
    const cJSON *decls;
    cJSON *values;
    cJSON *busy; /* names being evaluated: a reference back to one is a cycle */
} cond_run;

static bool eval_named(cond_run *run, const char *name, bool *value, cfn_error *err, int depth);

/* A resolved value as the text Fn::Equals compares. */
static char *equals_text(const cJSON *v)
{
    if (cJSON_IsString(v))
        return strdup(v->valuestring);
    if (cJSON_IsBool(v))
        return strdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v)) {
        char num[64];
        if (v->valuedouble == (double)(long long)v->valuedouble)
            snprintf(num, sizeof num, "%lld", (long long)v->valuedouble);
        else
            snprintf(num, sizeof num, "%.15g", v->valuedouble);
        return strdup(num);
    }
    return cJSON_PrintUnformatted(v);
}

static bool eval_cond(cond_run *run, const cJSON *c, bool *value, cfn_error *err, int depth)
{
    if (depth > MAX_DEPTH)
        return cfn_fail(err, CFN_ERR_VALIDATION, "Template error: conditions nested too deeply");
    if (cJSON_IsObject(c) && c->child && !c->child->next) {
        const char *fn = c->child->string;
        const cJSON *arg = c->child;
        if (strcmp(fn, "Condition") == 0 && cJSON_IsString(arg))
            return eval_named(run, arg->valuestring, value, err, depth + 1);
        if (strcmp(fn, "Fn::Equals") == 0) {
            if (!cJSON_IsArray(arg) || cJSON_GetArraySize(arg) != 2)
                return cfn_fail(err, CFN_ERR_VALIDATION,
                                "Template error: every Fn::Equals object requires a list of 2 string parameters.");
            cJSON *a = NULL, *b = NULL;
            bool ok = cfn_resolve(run->ev, arg->child, &a, err) == CFN_EV_OK &&
                      cfn_resolve(run->ev, arg->child->next, &b, err) == CFN_EV_OK;
            if (ok) {
                char *ta = equals_text(a), *tb = equals_text(b);
                *value = ta && tb && strcmp(ta, tb) == 0;
                free(ta);
                free(tb);
            }
            cJSON_Delete(a);
            cJSON_Delete(b);
            return ok;
        }
        if (strcmp(fn, "Fn::Not") == 0) {
            if (!cJSON_IsArray(arg) || cJSON_GetArraySize(arg) != 1)
                return cfn_fail(err, CFN_ERR_VALIDATION,
                                "Template error: every Fn::Not object requires a list of 1 condition parameter.");
            bool v = false;
            if (!eval_cond(run, arg->child, &v, err, depth + 1))
                return false;
            *value = !v;
            return true;
        }
        bool is_and = strcmp(fn, "Fn::And") == 0;
        if (is_and || strcmp(fn, "Fn::Or") == 0) {
            int n = cJSON_IsArray(arg) ? cJSON_GetArraySize(arg) : 0;
            if (n < 2 || n > 10)
                return cfn_fail(err, CFN_ERR_VALIDATION,
                                "Template error: every %s object requires a list of at least 2 and at most 10 "
                                "boolean parameters.", fn);
            *value = is_and;
            for (const cJSON *e = arg->child; e; e = e->next) {
                bool v = false;
                if (!eval_cond(run, e, &v, err, depth + 1))
                    return false;
                if (is_and && !v)
                    *value = false;
                if (!is_and && v)
                    *value = true;
            }
            return true;
        }
        if (strcmp(fn, "Fn::If") == 0 || strcmp(fn, "Ref") == 0 || strcmp(fn, "Fn::FindInMap") == 0) {
            cJSON *r = NULL;
            if (cfn_resolve(run->ev, c, &r, err) != CFN_EV_OK)
                return false;
            bool ok = cJSON_IsBool(r) || (cJSON_IsString(r) && (!strcmp(r->valuestring, "true") ||
                                                                 !strcmp(r->valuestring, "false")));
            *value = cJSON_IsTrue(r) || (cJSON_IsString(r) && !strcmp(r->valuestring, "true"));
            cJSON_Delete(r);
            if (ok)
                return true;
        }
    }
    if (cJSON_IsBool(c) || (cJSON_IsString(c) && (!strcmp(c->valuestring, "true") || !strcmp(c->valuestring, "false")))) {
        *value = cJSON_IsTrue(c) || (cJSON_IsString(c) && !strcmp(c->valuestring, "true"));
        return true;
    }
    return cfn_fail(err, CFN_ERR_VALIDATION,
                    "Template format error: Conditions can only be boolean operations on parameters and other "
                    "conditions");
}

static bool eval_named(cond_run *run, const char *name, bool *value, cfn_error *err, int depth)
{
    const cJSON *done = cJSON_GetObjectItemCaseSensitive(run->values, name);
    if (done) {
        *value = cJSON_IsTrue(done);
        return true;
    }
    const cJSON *decl = run->decls ? cJSON_GetObjectItemCaseSensitive(run->decls, name) : NULL;
    if (!decl)
        return cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Unresolved condition dependency %s in Fn::If",
                        name);
    if (cJSON_GetObjectItemCaseSensitive(run->busy, name))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Template error: circular condition dependency on %s", name);
    cJSON_AddTrueToObject(run->busy, name);
    bool ok = eval_cond(run, decl, value, err, depth);
    cJSON_DeleteItemFromObjectCaseSensitive(run->busy, name);
    if (ok)
        cJSON_AddBoolToObject(run->values, name, *value);
    return ok;
}

cJSON *cfn_conditions_eval(const cfn_eval *ev, const cJSON *decls, cfn_error *err)
{
    cond_run run = {.ev = ev, .decls = decls, .values = cJSON_CreateObject(), .busy = cJSON_CreateObject()};
    if (decls && !cJSON_IsObject(decls)) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Conditions must be an object");
        goto fail;
    }
    /* Fn::If inside a condition sees the conditions evaluated so far. */
    cfn_eval inner = *ev;
    inner.conditions = run.values;
    run.ev = &inner;
    for (const cJSON *c = decls ? decls->child : NULL; c; c = c->next) {
        bool v = false;
        if (!eval_named(&run, c->string, &v, err, 0))
            goto fail;
    }
    cJSON_Delete(run.busy);
    return run.values;
fail:
    cJSON_Delete(run.busy);
    cJSON_Delete(run.values);
    return NULL;
}

bool cfn_condition_true(const cJSON *conditions, const char *name, bool *value, cfn_error *err)
{
    const cJSON *c = conditions ? cJSON_GetObjectItemCaseSensitive(conditions, name) : NULL;
    if (!c)
        return cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Unresolved condition dependency %s in Fn::If",
                        name);
    *value = cJSON_IsTrue(c);
    return true;
}
