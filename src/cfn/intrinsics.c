/* cfn/intrinsics: CloudFormation's intrinsic functions, resolved over a template value
 * (CloudFormation User Guide, "Intrinsic function reference" and "Pseudo parameters
 * reference"): Ref, Fn::GetAtt ("A.B" and [A, B]), Fn::Sub (both forms, ${!Literal}),
 * Fn::Join, Fn::Select, Fn::Split, Fn::Base64, Fn::FindInMap, Fn::If, Fn::ImportValue,
 * Fn::GetAZs, and AWS::NoValue, which removes the member or element it stands for.
 *
 * A one-member object whose key is a function name is a call; anything else is copied
 * with its members resolved. Errors are ValidationErrors worded as AWS words them
 * ("Template error: ..."). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "sqsemu/buf.h"
#include "template.h"

#define MAX_DEPTH 64
/* What one value's functions may copy in (Ref, Fn::GetAtt, Fn::FindInMap, Fn::ImportValue,
 * ${} of Fn::Sub): a value referenced again and again must not grow without bound. */
#define MAX_COPIED CFN_TEMPLATE_MAX

static size_t copied; /* bytes copied in by the cfn_resolve under way */

/* The text a copied value holds. */
static size_t text_size(const cJSON *v)
{
    size_t n = 0;
    for (; v; v = v->next)
        n += 1 + (cJSON_IsString(v) ? strlen(v->valuestring) : 0) +
             (cJSON_IsObject(v) || cJSON_IsArray(v) ? text_size(v->child) : 0);
    return n;
}

/* Counts a copy of v (taken over: deleted with *out cleared when over the bound). */
static cfn_ev_result charge(cJSON **out, cfn_error *err)
{
    copied += text_size(*out); /* a new copy: no siblings */
    if (copied <= MAX_COPIED)
        return CFN_EV_OK;
    cJSON_Delete(*out);
    *out = NULL;
    cfn_fail(err, CFN_ERR_VALIDATION, "Template error: a value's intrinsic functions copy more than %d bytes",
             MAX_COPIED);
    return CFN_EV_ERROR;
}

static cfn_ev_result eval_at(const cfn_eval *ev, const cJSON *v, cJSON **out, cfn_error *err, int depth);

static cfn_ev_result fail(cfn_error *err, const char *fmt, const char *a, const char *b)
{
    cfn_fail(err, CFN_ERR_VALIDATION, fmt, a, b ? b : "");
    return CFN_EV_ERROR;
}

cJSON *cfn_pseudo(const cfn_eval *ev, const char *name)
{
    if (strcmp(name, "AWS::Region") == 0)
        return cJSON_CreateString(ev->ctx->region);
    if (strcmp(name, "AWS::AccountId") == 0)
        return cJSON_CreateString(ev->ctx->account);
    if (strcmp(name, "AWS::StackName") == 0)
        return cJSON_CreateString(ev->stack_name ? ev->stack_name : "");
    if (strcmp(name, "AWS::StackId") == 0)
        return cJSON_CreateString(ev->stack_id ? ev->stack_id : "");
    if (strcmp(name, "AWS::Partition") == 0)
        return cJSON_CreateString("aws");
    if (strcmp(name, "AWS::URLSuffix") == 0)
        return cJSON_CreateString("amazonaws.com");
    if (strcmp(name, "AWS::NotificationARNs") == 0)
        return cJSON_CreateArray();
    return NULL;
}

/* What a name stands for in Ref: a pseudo parameter, a parameter, or a resource. */
static cfn_ev_result ref_value(const cfn_eval *ev, const char *name, cJSON **out, cfn_error *err)
{
    if (strcmp(name, "AWS::NoValue") == 0)
        return CFN_EV_NOVALUE;
    if ((*out = cfn_pseudo(ev, name)))
        return CFN_EV_OK;
    const cJSON *p = ev->params ? cJSON_GetObjectItemCaseSensitive(ev->params, name) : NULL;
    if (p) {
        *out = cJSON_Duplicate(p, true);
        return charge(out, err);
    }
    const cJSON *st = ev->states ? cJSON_GetObjectItemCaseSensitive(ev->states, name) : NULL;
    const cJSON *ref = st ? cJSON_GetObjectItemCaseSensitive(st, "Ref") : NULL;
    if (ref) {
        *out = cJSON_Duplicate(ref, true);
        return charge(out, err);
    }
    if (ev->preview || st) {
        *out = cJSON_CreateString(CFN_UNKNOWN);
        return CFN_EV_OK;
    }
    return fail(err, "Template format error: Unresolved resource dependencies [%s] in the Resources block of the template%s",
                name, NULL);
}

static cfn_ev_result getatt_value(const cfn_eval *ev, const char *res, const char *attr, cJSON **out, cfn_error *err)
{
    const cJSON *st = ev->states ? cJSON_GetObjectItemCaseSensitive(ev->states, res) : NULL;
    if (!st) {
        if (ev->preview) {
            *out = cJSON_CreateString(CFN_UNKNOWN);
            return CFN_EV_OK;
        }
        return fail(err, "Template error: instance of Fn::GetAtt references undefined resource %s%s", res, NULL);
    }
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(st, "Attributes");
    const cJSON *a = attrs ? cJSON_GetObjectItemCaseSensitive(attrs, attr) : NULL;
    if (!a) {
        if (ev->preview || !cJSON_GetObjectItemCaseSensitive(st, "Ref")) {
            *out = cJSON_CreateString(CFN_UNKNOWN);
            return CFN_EV_OK;
        }
        return fail(err, "Template error: resource %s does not support attribute type %s in Fn::GetAtt", res, attr);
    }
    *out = cJSON_Duplicate(a, true);
    return charge(out, err);
}

/* Resolves an argument that must become a string (numbers are written as CloudFormation
 * writes them). */
static bool arg_string(const cfn_eval *ev, const cJSON *v, char **out, cfn_error *err, int depth, const char *fn)
{
    cJSON *r = NULL;
    cfn_ev_result res = eval_at(ev, v, &r, err, depth);
    if (res == CFN_EV_ERROR)
        return false;
    bool ok = true;
    if (res == CFN_EV_OK && cJSON_IsString(r))
        *out = strdup(r->valuestring);
    else if (res == CFN_EV_OK && cJSON_IsNumber(r)) {
        char num[64];
        if (r->valuedouble == (double)(long long)r->valuedouble)
            snprintf(num, sizeof num, "%lld", (long long)r->valuedouble);
        else
            snprintf(num, sizeof num, "%.15g", r->valuedouble);
        *out = strdup(num);
    } else if (res == CFN_EV_OK && cJSON_IsBool(r))
        *out = strdup(cJSON_IsTrue(r) ? "true" : "false");
    else
        ok = cfn_fail(err, CFN_ERR_VALIDATION, "Template error: every %s object requires a string argument", fn);
    cJSON_Delete(r);
    return ok;
}

/* Resolves an argument that must become a list. */
static bool arg_list(const cfn_eval *ev, const cJSON *v, cJSON **out, cfn_error *err, int depth, const char *fn)
{
    cfn_ev_result res = eval_at(ev, v, out, err, depth);
    if (res == CFN_EV_ERROR)
        return false;
    if (res == CFN_EV_OK && cJSON_IsArray(*out))
        return true;
    cJSON_Delete(*out);
    *out = NULL;
    return cfn_fail(err, CFN_ERR_VALIDATION, "Template error: every %s object requires a list argument", fn);
}

static cfn_ev_result fn_ref(const cfn_eval *ev, const cJSON *arg, cJSON **out, cfn_error *err)
{
    if (!cJSON_IsString(arg))
        return fail(err, "Template format error: Every Ref object must have a single String value.%s", "", NULL);
    return ref_value(ev, arg->valuestring, out, err);
}

static cfn_ev_result fn_getatt(const cfn_eval *ev, const cJSON *arg, cJSON **out, cfn_error *err, int depth)
{
    char *res = NULL, *attr = NULL;
    if (cJSON_IsString(arg)) {
        const char *dot = strchr(arg->valuestring, '.');
        if (dot) {
            res = strndup(arg->valuestring, (size_t)(dot - arg->valuestring));
            attr = strdup(dot + 1);
        }
    } else if (cJSON_IsArray(arg) && cJSON_GetArraySize(arg) == 2 && cJSON_IsString(arg->child)) {
        res = strdup(arg->child->valuestring);
        if (!arg_string(ev, arg->child->next, &attr, err, depth, "Fn::GetAtt")) {
            free(res);
            return CFN_EV_ERROR;
        }
    }
    cfn_ev_result r;
    if (!res || !attr || !*res || !*attr)
        r = fail(err, "Template error: every Fn::GetAtt object requires two non-empty parameters%s", "", NULL);
    else
        r = getatt_value(ev, res, attr, out, err);
    free(res);
    free(attr);
    return r;
}

/* Fn::Sub's ${name}: a variable of the second form, else Ref or, with a dot, Fn::GetAtt. */
static bool sub_var(const cfn_eval *ev, const cJSON *vars, const char *name, buf_t *b, cfn_error *err, int depth)
{
    cJSON *v = NULL;
    cfn_ev_result r;
    const cJSON *given = vars ? cJSON_GetObjectItemCaseSensitive(vars, name) : NULL;
    const char *dot = strchr(name, '.');
    if (given)
        r = eval_at(ev, given, &v, err, depth);
    else if (dot && strncmp(name, "AWS::", 5) != 0) {
        char *res = strndup(name, (size_t)(dot - name));
        r = getatt_value(ev, res, dot + 1, &v, err);
        free(res);
    } else
        r = ref_value(ev, name, &v, err);
    if (r == CFN_EV_ERROR)
        return false;
    char *s = NULL;
    bool ok = r == CFN_EV_OK && arg_string(ev, v, &s, err, depth, "Fn::Sub");
    if (ok)
        buf_append(b, s, strlen(s));
    else if (r == CFN_EV_NOVALUE)
        ok = cfn_fail(err, CFN_ERR_VALIDATION, "Template error: variable %s in Fn::Sub is AWS::NoValue", name);
    free(s);
    cJSON_Delete(v);
    return ok;
}

static cfn_ev_result fn_sub(const cfn_eval *ev, const cJSON *arg, cJSON **out, cfn_error *err, int depth)
{
    const cJSON *text = arg, *vars = NULL;
    if (cJSON_IsArray(arg) && cJSON_GetArraySize(arg) == 2) {
        text = arg->child;
        vars = arg->child->next;
        if (!cJSON_IsObject(vars))
            return fail(err, "Template error: the second parameter of Fn::Sub must be an object%s", "", NULL);
    }
    if (!cJSON_IsString(text))
        return fail(err, "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. "
                         "Specify a string as first argument, and an optional second argument to specify a mapping "
                         "of values to replace in the string%s", "", NULL);
    buf_t b = {0};
    const char *s = text->valuestring;
    while (*s) {
        const char *open = strstr(s, "${");
        if (!open) {
            buf_append(&b, s, strlen(s));
            break;
        }
        buf_append(&b, s, (size_t)(open - s));
        const char *close = strchr(open + 2, '}');
        if (!close) {
            buf_append(&b, open, strlen(open));
            break;
        }
        if (open[2] == '!') { /* ${!Literal} is written as ${Literal} */
            buf_append(&b, "${", 2);
            buf_append(&b, open + 3, (size_t)(close - open - 2));
        } else {
            char *name = strndup(open + 2, (size_t)(close - open - 2));
            bool ok = sub_var(ev, vars, name, &b, err, depth);
            free(name);
            if (!ok) {
                buf_free(&b);
                return CFN_EV_ERROR;
            }
        }
        s = close + 1;
    }
    *out = cJSON_CreateString(b.data ? b.data : "");
    buf_free(&b);
    return CFN_EV_OK;
}

static cfn_ev_result fn_join(const cfn_eval *ev, const cJSON *arg, cJSON **out, cfn_error *err, int depth)
{
    if (!cJSON_IsArray(arg) || cJSON_GetArraySize(arg) != 2 || !cJSON_IsString(arg->child))
        return fail(err, "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and "
                         "(2) a list of strings to be joined or a function that returns a list of strings (such as "
                         "Fn::GetAZs) to be joined.%s", "", NULL);
    cJSON *list = NULL;
    if (!arg_list(ev, arg->child->next, &list, err, depth, "Fn::Join"))
        return CFN_EV_ERROR;
    buf_t b = {0};
    const char *delim = arg->child->valuestring;
    bool first = true, ok = true;
    for (const cJSON *e = list->child; e && ok; e = e->next) {
        char *s = NULL;
        if (!(ok = arg_string(ev, e, &s, err, depth, "Fn::Join")))
            break;
        if (!first)
            buf_append(&b, delim, strlen(delim));
        buf_append(&b, s, strlen(s));
        free(s);
        first = false;
    }
    if (ok)
        *out = cJSON_CreateString(b.data ? b.data : "");
    buf_free(&b);
    cJSON_Delete(list);
    return ok ? CFN_EV_OK : CFN_EV_ERROR;
}

static cfn_ev_result fn_select(const cfn_eval *ev, const cJSON *arg, cJSON **out, cfn_error *err, int depth)
{
    if (!cJSON_IsArray(arg) || cJSON_GetArraySize(arg) != 2)
        return fail(err, "Template error: Fn::Select requires a list argument with two elements: an integer index "
                         "and a list%s", "", NULL);
    char *index = NULL;
    if (!arg_string(ev, arg->child, &index, err, depth, "Fn::Select"))
        return CFN_EV_ERROR;
    char *end = NULL;
    long i = strtol(index, &end, 10);
    bool numeric = *index && end && !*end;
    free(index);
    cJSON *list = NULL;
    if (!arg_list(ev, arg->child->next, &list, err, depth, "Fn::Select"))
        return CFN_EV_ERROR;
    cJSON *e = numeric && i >= 0 && i <= INT_MAX ? cJSON_GetArrayItem(list, (int)i) : NULL;
    if (!e) {
        cJSON_Delete(list);
        return fail(err, "Template error: Fn::Select cannot select nonexistent value at index %s%s",
                    numeric ? "out of range" : "not an integer", NULL);
    }
    *out = cJSON_Duplicate(e, true);
    cJSON_Delete(list);
    return CFN_EV_OK;
}

static cfn_ev_result fn_split(const cfn_eval *ev, const cJSON *arg, cJSON **out, cfn_error *err, int depth)
{
    if (!cJSON_IsArray(arg) || cJSON_GetArraySize(arg) != 2 || !cJSON_IsString(arg->child) ||
        !*arg->child->valuestring)
        return fail(err, "Template error: every Fn::Split object requires two parameters, (1) a non-empty string "
                         "delimiter and (2) a string to be split or a function that returns a string to be split.%s",
                    "", NULL);
    char *s = NULL;
    if (!arg_string(ev, arg->child->next, &s, err, depth, "Fn::Split"))
        return CFN_EV_ERROR;
    const char *delim = arg->child->valuestring;
    size_t dl = strlen(delim);
    *out = cJSON_CreateArray();
    const char *p = s;
    for (;;) {
        const char *hit = strstr(p, delim);
        char *part = strndup(p, hit ? (size_t)(hit - p) : strlen(p));
        cJSON_AddItemToArray(*out, cJSON_CreateString(part));
        free(part);
        if (!hit)
            break;
        p = hit + dl;
    }
    free(s);
    return CFN_EV_OK;
}

static cfn_ev_result fn_base64(const cfn_eval *ev, const cJSON *arg, cJSON **out, cfn_error *err, int depth)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *s = NULL;
    if (!arg_string(ev, arg, &s, err, depth, "Fn::Base64"))
        return CFN_EV_ERROR;
    size_t n = strlen(s);
    char *enc = malloc(4 * ((n + 2) / 3) + 1), *w = enc;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)u[i] << 16 | (i + 1 < n ? (unsigned)u[i + 1] << 8 : 0) | (i + 2 < n ? u[i + 2] : 0);
        *w++ = alphabet[v >> 18 & 63];
        *w++ = alphabet[v >> 12 & 63];
        *w++ = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
        *w++ = i + 2 < n ? alphabet[v & 63] : '=';
    }
    *w = '\0';
    *out = cJSON_CreateString(enc);
    free(enc);
    free(s);
    return CFN_EV_OK;
}

static cfn_ev_result fn_find_in_map(const cfn_eval *ev, const cJSON *arg, cJSON **out, cfn_error *err, int depth)
{
    if (!cJSON_IsArray(arg) || cJSON_GetArraySize(arg) != 3)
        return fail(err, "Template error: every Fn::FindInMap object requires three parameters, the map name, map key "
                         "and the attribute for return value%s", "", NULL);
    char *keys[3] = {0};
    int n = 0;
    for (const cJSON *e = arg->child; e && n < 3; e = e->next, n++)
        if (!arg_string(ev, e, &keys[n], err, depth, "Fn::FindInMap")) {
            for (int i = 0; i < n; i++)
                free(keys[i]);
            return CFN_EV_ERROR;
        }
    cfn_ev_result r = CFN_EV_OK;
    const cJSON *map = ev->mappings ? cJSON_GetObjectItemCaseSensitive(ev->mappings, keys[0]) : NULL;
    const cJSON *top = map ? cJSON_GetObjectItemCaseSensitive(map, keys[1]) : NULL;
    const cJSON *val = top ? cJSON_GetObjectItemCaseSensitive(top, keys[2]) : NULL;
    if (!map)
        r = fail(err, "Template error: Unable to get mapping for %s%s", keys[0], NULL);
    else if (!val)
        r = fail(err, "Template error: Unable to get mapping for %s::%s", keys[0], keys[1]);
    else {
        *out = cJSON_Duplicate(val, true);
        r = charge(out, err);
    }
    for (int i = 0; i < 3; i++)
        free(keys[i]);
    return r;
}

static cfn_ev_result fn_if(const cfn_eval *ev, const cJSON *arg, cJSON **out, cfn_error *err, int depth)
{
    if (!cJSON_IsArray(arg) || cJSON_GetArraySize(arg) != 3 || !cJSON_IsString(arg->child))
        return fail(err, "Template error: Fn::If requires a list argument with three elements%s", "", NULL);
    bool yes = false;
    if (!cfn_condition_true(ev->conditions, arg->child->valuestring, &yes, err))
        return CFN_EV_ERROR;
    return eval_at(ev, yes ? arg->child->next : arg->child->next->next, out, err, depth);
}

static cfn_ev_result fn_import(const cfn_eval *ev, const cJSON *arg, cJSON **out, cfn_error *err, int depth)
{
    char *name = NULL;
    if (!arg_string(ev, arg, &name, err, depth, "Fn::ImportValue"))
        return CFN_EV_ERROR;
    const char *exporter = NULL;
    const char *v = cfn_export_find(ev->ctx, name, &exporter);
    cfn_ev_result r = CFN_EV_OK;
    if (v) {
        *out = cJSON_CreateString(v);
        r = charge(out, err);
    } else if (ev->preview)
        *out = cJSON_CreateString(CFN_UNKNOWN);
    else
        r = fail(err, "No export named %s found%s", name, NULL);
    free(name);
    return r;
}

static cfn_ev_result fn_get_azs(const cfn_eval *ev, const cJSON *arg, cJSON **out, cfn_error *err, int depth)
{
    char *region = NULL;
    if (!arg_string(ev, arg, &region, err, depth, "Fn::GetAZs"))
        return CFN_EV_ERROR;
    const char *r = *region ? region : ev->ctx->region;
    *out = cJSON_CreateArray();
    for (char zone = 'a'; zone <= 'c'; zone++) {
        char az[96];
        snprintf(az, sizeof az, "%s%c", r, zone);
        cJSON_AddItemToArray(*out, cJSON_CreateString(az));
    }
    free(region);
    return CFN_EV_OK;
}

static cfn_ev_result call(const cfn_eval *ev, const char *fn, const cJSON *arg, cJSON **out, cfn_error *err, int depth,
                          bool *is_call)
{
    *is_call = true;
    if (strcmp(fn, "Ref") == 0)
        return fn_ref(ev, arg, out, err);
    if (strcmp(fn, "Fn::GetAtt") == 0)
        return fn_getatt(ev, arg, out, err, depth);
    if (strcmp(fn, "Fn::Sub") == 0)
        return fn_sub(ev, arg, out, err, depth);
    if (strcmp(fn, "Fn::Join") == 0)
        return fn_join(ev, arg, out, err, depth);
    if (strcmp(fn, "Fn::Select") == 0)
        return fn_select(ev, arg, out, err, depth);
    if (strcmp(fn, "Fn::Split") == 0)
        return fn_split(ev, arg, out, err, depth);
    if (strcmp(fn, "Fn::Base64") == 0)
        return fn_base64(ev, arg, out, err, depth);
    if (strcmp(fn, "Fn::FindInMap") == 0)
        return fn_find_in_map(ev, arg, out, err, depth);
    if (strcmp(fn, "Fn::If") == 0)
        return fn_if(ev, arg, out, err, depth);
    if (strcmp(fn, "Fn::ImportValue") == 0)
        return fn_import(ev, arg, out, err, depth);
    if (strcmp(fn, "Fn::GetAZs") == 0)
        return fn_get_azs(ev, arg, out, err, depth);
    if (strncmp(fn, "Fn::", 4) == 0)
        return fail(err, "Template error: %s is not supported by sqsemu%s", fn, NULL);
    *is_call = false;
    return CFN_EV_OK;
}

static cfn_ev_result eval_at(const cfn_eval *ev, const cJSON *v, cJSON **out, cfn_error *err, int depth)
{
    *out = NULL;
    if (depth > MAX_DEPTH)
        return fail(err, "Template error: functions nested too deeply%s", "", NULL);
    if (cJSON_IsObject(v) && v->child && !v->child->next) {
        bool is_call = false;
        cfn_ev_result r = call(ev, v->child->string, v->child, out, err, depth + 1, &is_call);
        if (is_call)
            return r;
    }
    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        *out = cJSON_IsObject(v) ? cJSON_CreateObject() : cJSON_CreateArray();
        for (const cJSON *e = v->child; e; e = e->next) {
            cJSON *r = NULL;
            cfn_ev_result res = eval_at(ev, e, &r, err, depth + 1);
            if (res == CFN_EV_ERROR) {
                cJSON_Delete(*out);
                *out = NULL;
                return res;
            }
            if (res == CFN_EV_NOVALUE)
                continue;
            if (cJSON_IsObject(v))
                cJSON_AddItemToObject(*out, e->string, r);
            else
                cJSON_AddItemToArray(*out, r);
        }
        return CFN_EV_OK;
    }
    *out = cJSON_Duplicate(v, true);
    return CFN_EV_OK;
}

cfn_ev_result cfn_resolve(const cfn_eval *ev, const cJSON *value, cJSON **out, cfn_error *err)
{
    size_t outer = copied;
    copied = 0;
    cfn_ev_result r = eval_at(ev, value, out, err, 0);
    copied = outer;
    return r;
}

cJSON *cfn_eval_properties(const cfn_eval *ev, const cJSON *properties, cfn_error *err)
{
    if (!properties)
        return cJSON_CreateObject();
    cJSON *out = NULL;
    cfn_ev_result r = cfn_resolve(ev, properties, &out, err);
    if (r == CFN_EV_ERROR)
        return NULL;
    if (r == CFN_EV_NOVALUE)
        return cJSON_CreateObject();
    if (!cJSON_IsObject(out)) {
        cJSON_Delete(out);
        cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: Properties must be an object");
        return NULL;
    }
    return out;
}
