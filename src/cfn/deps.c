/* cfn/deps: the order resources are created in (CloudFormation User Guide, "DependsOn
 * attribute": a resource that names another with Ref, Fn::GetAtt, a ${} of Fn::Sub or
 * DependsOn is created after it and deleted before it). Kahn's algorithm, ties broken by
 * template order. A name that is no resource, parameter or pseudo parameter is AWS's
 * "Unresolved resource dependencies [X] in the Resources block of the template"; a cycle
 * is "Circular dependency between resources: [A, B]". Both are ValidationErrors, raised
 * before anything is created. Fn::If follows only the branch its condition chooses. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "sqsemu/buf.h"

typedef struct dep_walk {
    const cJSON *resources;
    const cJSON *params;
    const cJSON *conditions;
    cJSON *found;      /* resource names referenced */
    cJSON *unresolved; /* names that are nothing */
} dep_walk;

static void add_name(cJSON *set, const char *name)
{
    if (!cJSON_GetObjectItemCaseSensitive(set, name))
        cJSON_AddTrueToObject(set, name);
}

static void note(dep_walk *w, const char *name, bool is_ref)
{
    if (cJSON_GetObjectItemCaseSensitive(w->resources, name))
        add_name(w->found, name);
    else if (is_ref && (!strncmp(name, "AWS::", 5) || (w->params && cJSON_GetObjectItemCaseSensitive(w->params, name))))
        return;
    else
        add_name(w->unresolved, name);
}

static void note_getatt_string(dep_walk *w, const char *s)
{
    const char *dot = strchr(s, '.');
    char *res = dot ? strndup(s, (size_t)(dot - s)) : strdup(s);
    note(w, res, false);
    free(res);
}

static void walk_sub(dep_walk *w, const char *s, const cJSON *vars)
{
    for (const char *open = strstr(s, "${"); open; open = strstr(open + 2, "${")) {
        const char *close = strchr(open + 2, '}');
        if (!close)
            return;
        if (open[2] != '!') {
            char *name = strndup(open + 2, (size_t)(close - open - 2));
            if (!(vars && cJSON_GetObjectItemCaseSensitive(vars, name))) {
                if (strchr(name, '.') && strncmp(name, "AWS::", 5) != 0)
                    note_getatt_string(w, name);
                else
                    note(w, name, true);
            }
            free(name);
        }
        open = close - 1;
    }
}

static void walk(dep_walk *w, const cJSON *v, int depth)
{
    if (depth > 64)
        return;
    if (cJSON_IsObject(v) && v->child && !v->child->next) {
        const char *fn = v->child->string;
        const cJSON *arg = v->child;
        if (strcmp(fn, "Ref") == 0 && cJSON_IsString(arg)) {
            note(w, arg->valuestring, true);
            return;
        }
        if (strcmp(fn, "Fn::GetAtt") == 0) {
            if (cJSON_IsString(arg))
                note_getatt_string(w, arg->valuestring);
            else if (cJSON_IsArray(arg) && cJSON_IsString(arg->child))
                note(w, arg->child->valuestring, false);
            return;
        }
        if (strcmp(fn, "Fn::Sub") == 0) {
            if (cJSON_IsString(arg))
                walk_sub(w, arg->valuestring, NULL);
            else if (cJSON_IsArray(arg) && cJSON_IsString(arg->child)) {
                walk_sub(w, arg->child->valuestring, arg->child->next);
                if (arg->child->next)
                    walk(w, arg->child->next, depth + 1);
            }
            return;
        }
        if (strcmp(fn, "Fn::If") == 0 && cJSON_IsArray(arg) && cJSON_GetArraySize(arg) == 3 &&
            cJSON_IsString(arg->child)) {
            const cJSON *c = w->conditions ? cJSON_GetObjectItemCaseSensitive(w->conditions, arg->child->valuestring)
                                           : NULL;
            if (c) {
                walk(w, cJSON_IsTrue(c) ? arg->child->next : arg->child->next->next, depth + 1);
                return;
            }
        }
    }
    for (const cJSON *e = (cJSON_IsObject(v) || cJSON_IsArray(v)) ? v->child : NULL; e; e = e->next)
        walk(w, e, depth + 1);
}

/* The names res depends on (an object used as a set). */
static void collect(dep_walk *w, const cJSON *res)
{
    walk(w, cJSON_GetObjectItemCaseSensitive(res, "Properties"), 0);
    const cJSON *dep = cJSON_GetObjectItemCaseSensitive(res, "DependsOn");
    if (cJSON_IsString(dep))
        note(w, dep->valuestring, false);
    for (const cJSON *d = cJSON_IsArray(dep) ? dep->child : NULL; d; d = d->next)
        if (cJSON_IsString(d))
            note(w, d->valuestring, false);
}

static char *join_names(const cJSON *set)
{
    buf_t b = {0};
    for (const cJSON *e = set->child; e; e = e->next)
        buf_printf(&b, "%s%s", e == set->child ? "" : ", ", e->string);
    return b.data ? buf_detach(&b, NULL) : strdup("");
}

static bool unresolved_fail(cJSON *set, const char *block, cfn_error *err)
{
    char *names = join_names(set);
    cfn_fail(err, CFN_ERR_VALIDATION,
             "Template format error: Unresolved resource dependencies [%s] in the %s block of the template", names, block);
    free(names);
    return false;
}

cJSON *cfn_deps_order(const cJSON *resources, const cJSON *params, const cJSON *conditions, const cJSON *outputs,
                      cfn_error *err)
{
    int n = cJSON_GetArraySize(resources);
    cJSON *deps = cJSON_CreateObject(); /* id -> set of ids it needs */
    cJSON *order = cJSON_CreateArray();
    dep_walk w = {.resources = resources, .params = params, .conditions = conditions,
                  .unresolved = cJSON_CreateObject()};
    for (const cJSON *r = resources->child; r; r = r->next) {
        w.found = cJSON_AddObjectToObject(deps, r->string);
        collect(&w, r); /* a reference to itself stays: CloudFormation calls it a circular dependency */
    }
    if (w.unresolved->child) {
        unresolved_fail(w.unresolved, "Resources", err);
        goto fail;
    }
    dep_walk ow = {.resources = resources, .params = params, .conditions = conditions,
                   .found = cJSON_CreateObject(), .unresolved = cJSON_CreateObject()};
    for (const cJSON *o = outputs ? outputs->child : NULL; o; o = o->next)
        walk(&ow, o, 0);
    bool outputs_ok = !ow.unresolved->child || unresolved_fail(ow.unresolved, "Outputs", err);
    cJSON_Delete(ow.found);
    cJSON_Delete(ow.unresolved);
    if (!outputs_ok)
        goto fail;
    /* Repeatedly take, in template order, the first resource whose needs are all placed.
     * The needs are numbered first: looking names up in every round made a dense template
     * of 500 resources take minutes. */
    int total = 0, k = 0, i = 0;
    for (const cJSON *d = deps->child; d; d = d->next)
        total += cJSON_GetArraySize(d);
    int *needs = malloc(sizeof *needs * (size_t)(total + 1)), *first = malloc(sizeof *first * (size_t)(n + 1));
    bool *placed = calloc((size_t)n + 1, sizeof *placed);
    for (const cJSON *d = deps->child; d && i < n; d = d->next, i++) {
        first[i] = k;
        for (const cJSON *need = d->child; need; need = need->next) {
            int at = 0;
            for (const cJSON *e = deps->child; e && strcmp(e->string, need->string) != 0; e = e->next)
                at++;
            needs[k++] = at;
        }
    }
    first[i] = k;
    for (int round = 0; round < n; round++) {
        int pick = -1;
        for (int c = 0; c < n && pick < 0; c++) {
            if (placed[c])
                continue;
            bool ready = true;
            for (int j = first[c]; j < first[c + 1] && ready; j++)
                ready = needs[j] < n && placed[needs[j]];
            if (ready)
                pick = c;
        }
        if (pick < 0)
            break;
        placed[pick] = true;
        cJSON_AddItemToArray(order, cJSON_CreateString(cJSON_GetArrayItem(deps, pick)->string));
    }
    if (cJSON_GetArraySize(order) < n) {
        cJSON *left = cJSON_CreateObject();
        i = 0;
        for (const cJSON *d = deps->child; d && i < n; d = d->next, i++)
            if (!placed[i])
                cJSON_AddTrueToObject(left, d->string);
        char *names = join_names(left);
        cfn_fail(err, CFN_ERR_VALIDATION, "Circular dependency between resources: [%s]", names);
        free(names);
        cJSON_Delete(left);
        free(needs);
        free(first);
        free(placed);
        goto fail;
    }
    free(needs);
    free(first);
    free(placed);
    cJSON_Delete(deps);
    cJSON_Delete(w.unresolved);
    return order;
fail:
    cJSON_Delete(deps);
    cJSON_Delete(w.unresolved);
    cJSON_Delete(order);
    return NULL;
}
