/* cfn/params: a template's Parameters and the values a request gives them (CloudFormation
 * User Guide, "Parameters syntax"): types String, Number, List<Number>,
 * CommaDelimitedList and the AWS-specific types (taken as strings; AWS::SSM::Parameter
 * types are refused: sqsemu has no parameter store), Default, AllowedValues,
 * AllowedPattern (POSIX extended regular expressions, matched against the whole value),
 * MinLength/MaxLength, MinValue/MaxValue, ConstraintDescription and NoEcho. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "sqsemu/buf.h"

static bool is_number(const char *s)
{
    char *end = NULL;
    strtod(s, &end);
    return *s && end && !*end;
}

static const char *type_of(const cJSON *decl)
{
    const char *t = cfn_str(decl, "Type");
    return t ? t : "";
}

static bool type_known(const char *t)
{
    return !strcmp(t, "String") || !strcmp(t, "Number") || !strcmp(t, "List<Number>") ||
           !strcmp(t, "CommaDelimitedList") || !strncmp(t, "AWS::EC2::", 10) || !strncmp(t, "AWS::Route53::", 14) ||
           !strncmp(t, "List<AWS::EC2::", 15) || !strncmp(t, "List<AWS::Route53::", 19);
}

static bool is_list(const char *t)
{
    return !strcmp(t, "CommaDelimitedList") || !strncmp(t, "List<", 5);
}

static bool constraint_fail(cfn_error *err, const cJSON *decl, const char *name, const char *what)
{
    const char *desc = cfn_str(decl, "ConstraintDescription");
    if (desc)
        return cfn_fail(err, CFN_ERR_VALIDATION, "Parameter '%s' failed to satisfy constraint: %s", name, desc);
    return cfn_fail(err, CFN_ERR_VALIDATION, "Parameter '%s' %s", name, what);
}

static bool number_member(const cJSON *decl, const char *member, double *out)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(decl, member);
    if (cJSON_IsNumber(m)) {
        *out = m->valuedouble;
        return true;
    }
    if (cJSON_IsString(m) && is_number(m->valuestring)) {
        *out = strtod(m->valuestring, NULL);
        return true;
    }
    return false;
}

/* Checks one value (of a list, one element) against the declaration's constraints. */
static bool check_one(const cJSON *decl, const char *name, const char *value, bool number, cfn_error *err)
{
    char what[256];
    double limit;
    if (number && !is_number(value))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Parameter '%s' must be a number.", name);
    if (number && number_member(decl, "MinValue", &limit) && strtod(value, NULL) < limit) {
        snprintf(what, sizeof what, "must be a number not less than %g", limit);
        return constraint_fail(err, decl, name, what);
    }
    if (number && number_member(decl, "MaxValue", &limit) && strtod(value, NULL) > limit) {
        snprintf(what, sizeof what, "must be a number not greater than %g", limit);
        return constraint_fail(err, decl, name, what);
    }
    if (!number && number_member(decl, "MinLength", &limit) && (double)strlen(value) < limit) {
        snprintf(what, sizeof what, "must contain at least %g characters", limit);
        return constraint_fail(err, decl, name, what);
    }
    if (!number && number_member(decl, "MaxLength", &limit) && (double)strlen(value) > limit) {
        snprintf(what, sizeof what, "must contain at most %g characters", limit);
        return constraint_fail(err, decl, name, what);
    }
    const char *pattern = cfn_str(decl, "AllowedPattern");
    if (pattern) {
        char *anchored = NULL;
        if (asprintf(&anchored, "^(%s)$", pattern) < 0)
            return cfn_fail(err, CFN_ERR_INTERNAL, "out of memory");
        regex_t re;
        int rc = regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB);
        free(anchored);
        if (rc != 0)
            return cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Parameter '%s' has an invalid AllowedPattern",
                            name);
        bool match = regexec(&re, value, 0, NULL, 0) == 0;
        regfree(&re);
        if (!match) {
            snprintf(what, sizeof what, "must match pattern %.200s", pattern);
            return constraint_fail(err, decl, name, what);
        }
    }
    const cJSON *allowed = cJSON_GetObjectItemCaseSensitive(decl, "AllowedValues");
    if (cJSON_IsArray(allowed)) {
        for (const cJSON *a = allowed->child; a; a = a->next) {
            char num[64];
            const char *s = cJSON_IsString(a) ? a->valuestring : NULL;
            if (cJSON_IsNumber(a)) {
                snprintf(num, sizeof num, "%g", a->valuedouble);
                s = num;
            }
            if (s && (strcmp(s, value) == 0 || (number && is_number(value) && strtod(s, NULL) == strtod(value, NULL))))
                return true;
        }
        return constraint_fail(err, decl, name, "must be one of AllowedValues");
    }
    return true;
}

static cJSON *split_list(const char *value)
{
    cJSON *list = cJSON_CreateArray();
    const char *p = value;
    for (;;) {
        const char *comma = strchr(p, ',');
        char *part = strndup(p, comma ? (size_t)(comma - p) : strlen(p));
        cJSON_AddItemToArray(list, cJSON_CreateString(part));
        free(part);
        if (!comma)
            break;
        p = comma + 1;
    }
    return list;
}

/* Typed value of a parameter, its constraints checked. */
static cJSON *typed_value(const cJSON *decl, const char *name, const char *value, cfn_error *err)
{
    const char *t = type_of(decl);
    bool number = !strcmp(t, "Number") || !strcmp(t, "List<Number>");
    if (!is_list(t))
        return check_one(decl, name, value, number, err) ? cJSON_CreateString(value) : NULL;
    cJSON *list = split_list(value);
    for (const cJSON *e = list->child; e; e = e->next)
        if (!check_one(decl, name, e->valuestring, number, err)) {
            cJSON_Delete(list);
            return NULL;
        }
    return list;
}

static char *default_text(const cJSON *decl)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(decl, "Default");
    if (cJSON_IsString(d))
        return strdup(d->valuestring);
    if (cJSON_IsNumber(d)) {
        char num[64];
        snprintf(num, sizeof num, "%g", d->valuedouble);
        return strdup(num);
    }
    if (cJSON_IsArray(d)) { /* a YAML list as a CommaDelimitedList default */
        buf_t b = {0};
        for (const cJSON *e = d->child; e; e = e->next) {
            if (e != d->child)
                buf_putc(&b, ',');
            buf_puts(&b, cJSON_IsString(e) ? e->valuestring : "");
        }
        return b.data ? buf_detach(&b, NULL) : strdup("");
    }
    return NULL;
}

/* The names of decls that have no value, as "A, B", or NULL when none. */
static bool check_given(const cJSON *decls, const cJSON *given, cfn_error *err)
{
    if (given && !cJSON_IsArray(given))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Parameters must be a list");
    buf_t unknown = {0};
    for (const cJSON *g = given ? given->child : NULL; g; g = g->next) {
        const char *key = cfn_str(g, "ParameterKey");
        if (!key)
            return cfn_fail(err, CFN_ERR_VALIDATION, "ParameterKey is required");
        if (!cJSON_GetObjectItemCaseSensitive(decls, key)) {
            buf_printf(&unknown, "%s%s", unknown.len ? ", " : "", key);
        }
    }
    if (unknown.len) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Parameters: [%s] do not exist in the template", unknown.data);
        buf_free(&unknown);
        return false;
    }
    return true;
}

static const cJSON *given_entry(const cJSON *given, const char *name)
{
    for (const cJSON *g = given ? given->child : NULL; g; g = g->next) {
        const char *key = cfn_str(g, "ParameterKey");
        if (key && strcmp(key, name) == 0)
            return g;
    }
    return NULL;
}

bool cfn_params_resolve(const cJSON *decls, const cJSON *given, const cJSON *previous, cJSON **raw, cJSON **typed,
                        cfn_error *err)
{
    *raw = cJSON_CreateObject();
    *typed = cJSON_CreateObject();
    if (decls && !cJSON_IsObject(decls))
        goto bad_section;
    if (cJSON_GetArraySize(decls) > CFN_MAX_PARAMETERS) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Number of parameters exceeds the limit %d",
                 CFN_MAX_PARAMETERS);
        goto fail;
    }
    if (!check_given(decls ? decls : *raw, given, err))
        goto fail;
    buf_t missing = {0};
    for (const cJSON *d = decls ? decls->child : NULL; d; d = d->next) {
        if (!cJSON_IsObject(d))
            goto bad_section;
        const char *t = type_of(d);
        if (!strncmp(t, "AWS::SSM::", 10)) {
            cfn_fail(err, CFN_ERR_VALIDATION, "Parameter '%s': type %s is not supported by sqsemu (no SSM parameter "
                     "store)", d->string, t);
            goto fail_missing;
        }
        if (!type_known(t)) {
            cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Unrecognized parameter type: %s", t);
            goto fail_missing;
        }
        const cJSON *g = given_entry(given, d->string);
        const cJSON *gv = g ? cJSON_GetObjectItemCaseSensitive(g, "ParameterValue") : NULL;
        char *value = NULL;
        if (g && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "UsePreviousValue"))) {
            const char *prev = previous ? cfn_str(previous, d->string) : NULL;
            if (!prev) {
                cfn_fail(err, CFN_ERR_VALIDATION, "Invalid input for parameter key %s. Cannot specify usePreviousValue "
                         "as true for a parameter key not in the previous template", d->string);
                goto fail_missing;
            }
            value = strdup(prev);
        } else if (cJSON_IsString(gv))
            value = strdup(gv->valuestring);
        else
            value = default_text(d);
        if (!value) {
            buf_printf(&missing, "%s%s", missing.len ? ", " : "", d->string);
            continue;
        }
        cJSON *v = typed_value(d, d->string, value, err);
        if (!v) {
            free(value);
            goto fail_missing;
        }
        cJSON_AddItemToObject(*typed, d->string, v);
        cJSON_AddStringToObject(*raw, d->string, value);
        free(value);
    }
    if (missing.len) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Parameters: [%s] must have values", missing.data);
        goto fail_missing;
    }
    return true;
fail_missing:
    buf_free(&missing);
    goto fail;
bad_section:
    cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Every Parameters object must contain a Type member.");
fail:
    cJSON_Delete(*raw);
    cJSON_Delete(*typed);
    *raw = *typed = NULL;
    return false;
}

cJSON *cfn_params_describe(const cJSON *decls, const cJSON *raw)
{
    cJSON *list = cJSON_CreateArray();
    for (const cJSON *r = raw ? raw->child : NULL; r; r = r->next) {
        const cJSON *d = decls ? cJSON_GetObjectItemCaseSensitive(decls, r->string) : NULL;
        const cJSON *no_echo = d ? cJSON_GetObjectItemCaseSensitive(d, "NoEcho") : NULL;
        bool hidden = cJSON_IsTrue(no_echo) || (cJSON_IsString(no_echo) && !strcmp(no_echo->valuestring, "true"));
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "ParameterKey", r->string);
        cJSON_AddStringToObject(p, "ParameterValue", hidden ? "****" : r->valuestring);
        cJSON_AddItemToArray(list, p);
    }
    return list;
}

cJSON *cfn_params_declared(const cJSON *decls, bool summary)
{
    cJSON *list = cJSON_CreateArray();
    for (const cJSON *d = decls ? decls->child : NULL; d; d = d->next) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "ParameterKey", d->string);
        char *def = default_text(d);
        if (def)
            cJSON_AddStringToObject(p, "DefaultValue", def);
        free(def);
        if (summary)
            cJSON_AddStringToObject(p, "ParameterType", type_of(d));
        const cJSON *no_echo = cJSON_GetObjectItemCaseSensitive(d, "NoEcho");
        cJSON_AddBoolToObject(p, "NoEcho", cJSON_IsTrue(no_echo) ||
                                               (cJSON_IsString(no_echo) && !strcmp(no_echo->valuestring, "true")));
        const char *desc = cfn_str(d, "Description");
        if (desc)
            cJSON_AddStringToObject(p, "Description", desc);
        const cJSON *allowed = cJSON_GetObjectItemCaseSensitive(d, "AllowedValues");
        if (summary && cJSON_IsArray(allowed)) {
            cJSON *c = cJSON_AddObjectToObject(p, "ParameterConstraints");
            cJSON_AddItemToObject(c, "AllowedValues", cJSON_Duplicate(allowed, true));
        }
        cJSON_AddItemToArray(list, p);
    }
    return list;
}
