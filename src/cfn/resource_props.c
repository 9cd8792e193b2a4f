/* cfn/resource_props: the checks and helpers every provider shares (resource_props.h).
 *
 * A property is checked the way CloudFormation checks a registry resource type's schema
 * (AWS CloudFormation User Guide, "Resource type schema" and the troubleshooting pages):
 * an unknown top-level property is "Encountered unsupported property X"; a missing
 * required one, a wrong type or an unknown nested key is "Properties validation failed
 * for resource <LogicalId> with message: [#/Path: ...]". Values coming from YAML are
 * strings, and CloudFormation converts them: "10" for an Integer and "true" for a Boolean
 * are accepted, so the copy handed back holds real numbers and booleans. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "resource_props.h"
#include "sqsemu/buf.h"
#include "sqsemu/ids.h"
#include "sqsemu/json.h"

#define MAX_DEPTH 16

typedef struct check {
    const cfn_resource *r; /* NULL: quiet */
    cfn_error *err;
} check;

static const char *type_name(prop_type t)
{
    switch (t) {
    case PROP_STRING: return "String";
    case PROP_INTEGER: return "Integer";
    case PROP_NUMBER: return "Number";
    case PROP_BOOLEAN: return "Boolean";
    case PROP_OBJECT: return "JSONObject";
    case PROP_LIST: return "JSONArray";
    case PROP_JSON: return "JSONObject";
    case PROP_ANY: break;
    }
    return "Any";
}

static const char *found_name(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "String";
    if (cJSON_IsNumber(v))
        return v->valuedouble == floor(v->valuedouble) ? "Integer" : "Number";
    if (cJSON_IsBool(v))
        return "Boolean";
    if (cJSON_IsArray(v))
        return "JSONArray";
    if (cJSON_IsObject(v))
        return "JSONObject";
    return "Null";
}

bool props_validation_fail(cfn_error *err, const cfn_resource *r, const char *fmt, ...)
{
    char detail[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return cfn_fail(err, CFN_ERR_VALIDATION, "Properties validation failed for resource %s with message: [%s]",
                    r && r->logical_id ? r->logical_id : "-", detail);
}

static bool type_fail(const check *c, const char *path, prop_type want, const cJSON *v)
{
    if (!c->r)
        return false;
    return props_validation_fail(c->err, c->r, "%s: expected type: %s, found: %s", path, type_name(want), found_name(v));
}

static bool parse_number(const char *s, double *out, bool integer)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return false;
    char *end = NULL;
    errno = 0;
    double d = integer ? (double)strtoll(s, &end, 10) : strtod(s, &end);
    if (errno != 0 || !end || *end || !isfinite(d))
        return false;
    *out = d;
    return true;
}

static cJSON *coerce(const check *c, const prop_spec *spec, const cJSON *v, const char *path, int depth);

static cJSON *coerce_object(const check *c, const prop_spec *fields, const cJSON *v, const char *path, int depth)
{
    for (const prop_spec *f = fields; f && f->name; f++)
        if (f->required && c->r && !cJSON_GetObjectItemCaseSensitive(v, f->name)) {
            props_validation_fail(c->err, c->r, "%s: required key [%s] not found", path, f->name);
            return NULL;
        }
    cJSON *out = cJSON_CreateObject();
    const cJSON *member;
    cJSON_ArrayForEach(member, v) {
        const prop_spec *f = fields;
        while (f && f->name && strcmp(f->name, member->string) != 0)
            f++;
        if (fields && (!f || !f->name)) {
            if (c->r && depth == 0)
                cfn_fail(c->err, CFN_ERR_VALIDATION, "Encountered unsupported property %s", member->string);
            else if (c->r)
                props_validation_fail(c->err, c->r, "%s: extraneous key [%s] is not permitted", path, member->string);
            cJSON_Delete(out);
            return NULL;
        }
        char sub[512];
        snprintf(sub, sizeof sub, "%s/%s", path, member->string);
        static const prop_spec any = {.name = "", .type = PROP_ANY};
        cJSON *item = coerce(c, fields ? f : &any, member, sub, depth + 1);
        if (!item) {
            cJSON_Delete(out);
            return NULL;
        }
        cJSON_AddItemToObject(out, member->string, item);
    }
    return out;
}

static cJSON *coerce_list(const check *c, const prop_spec *items, const cJSON *v, const char *path, int depth)
{
    cJSON *out = cJSON_CreateArray();
    int i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, v) {
        char sub[512];
        snprintf(sub, sizeof sub, "%s/%d", path, i++);
        cJSON *copy = items ? coerce(c, items, item, sub, depth + 1) : cJSON_Duplicate(item, true);
        if (!copy) {
            cJSON_Delete(out);
            return NULL;
        }
        cJSON_AddItemToArray(out, copy);
    }
    return out;
}

static cJSON *coerce(const check *c, const prop_spec *spec, const cJSON *v, const char *path, int depth)
{
    if (depth > MAX_DEPTH) {
        if (c->r)
            props_validation_fail(c->err, c->r, "%s: nested too deeply", path);
        return NULL;
    }
    double d;
    switch (spec->type) {
    case PROP_STRING:
        if (cJSON_IsString(v))
            return cJSON_CreateString(v->valuestring);
        if (cJSON_IsBool(v))
            return cJSON_CreateString(cJSON_IsTrue(v) ? "true" : "false");
        if (cJSON_IsNumber(v)) {
            char text[64];
            if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
                snprintf(text, sizeof text, "%lld", (long long)v->valuedouble);
            else
                snprintf(text, sizeof text, "%.17g", v->valuedouble);
            return cJSON_CreateString(text);
        }
        break;
    case PROP_INTEGER:
    case PROP_NUMBER: {
        bool integer = spec->type == PROP_INTEGER;
        if (cJSON_IsNumber(v) && (!integer || v->valuedouble == floor(v->valuedouble)))
            return cJSON_CreateNumber(v->valuedouble);
        if (cJSON_IsString(v) && parse_number(v->valuestring, &d, integer))
            return cJSON_CreateNumber(d);
        break;
    }
    case PROP_BOOLEAN:
        if (cJSON_IsBool(v))
            return cJSON_CreateBool(cJSON_IsTrue(v));
        if (cJSON_IsString(v) && (strcasecmp(v->valuestring, "true") == 0 || strcasecmp(v->valuestring, "false") == 0))
            return cJSON_CreateBool(strcasecmp(v->valuestring, "true") == 0);
        break;
    case PROP_OBJECT:
        if (cJSON_IsObject(v))
            return coerce_object(c, spec->fields, v, path, depth);
        break;
    case PROP_LIST:
        if (cJSON_IsArray(v))
            return coerce_list(c, spec->items, v, path, depth);
        break;
    case PROP_JSON:
        if (cJSON_IsObject(v))
            return cJSON_Duplicate(v, true);
        if (cJSON_IsString(v)) {
            cJSON *parsed = cJSON_Parse(v->valuestring);
            if (cJSON_IsObject(parsed))
                return parsed;
            cJSON_Delete(parsed);
        }
        break;
    case PROP_ANY:
        return cJSON_Duplicate(v, true);
    }
    type_fail(c, path, spec->type, v);
    return NULL;
}

cJSON *props_normalize(const cfn_resource *r, const prop_spec *specs, cfn_error *err)
{
    const cJSON *props = r->properties;
    check c = {.r = r, .err = err};
    if (props && !cJSON_IsObject(props)) {
        props_validation_fail(err, r, "#: expected type: JSONObject, found: %s", found_name(props));
        return NULL;
    }
    cJSON *empty = props ? NULL : cJSON_CreateObject();
    cJSON *out = coerce_object(&c, specs, props ? props : empty, "#", 0);
    cJSON_Delete(empty);
    return out;
}

cJSON *props_normalize_quiet(const cJSON *properties, const prop_spec *specs)
{
    check c = {0};
    cJSON *empty = cJSON_IsObject(properties) ? NULL : cJSON_CreateObject();
    cJSON *out = coerce_object(&c, specs, empty ? empty : properties, "#", 0);
    cJSON_Delete(empty);
    return out;
}

bool props_replacement_needed(const cJSON *old_properties, const cfn_resource *r, const prop_spec *specs)
{
    cJSON *before = props_normalize_quiet(old_properties, specs);
    cJSON *after = props_normalize_quiet(r->properties, specs);
    bool replace = false;
    for (const prop_spec *s = specs; before && after && s->name && !replace; s++) {
        if (!s->replace)
            continue;
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(before, s->name);
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(after, s->name);
        replace = (a || b) && !(a && b && cJSON_Compare(a, b, true));
    }
    cJSON_Delete(before);
    cJSON_Delete(after);
    return replace;
}

const char *props_string(const cJSON *props, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(props, name));
}

long long props_int(const cJSON *props, const char *name, long long dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, name);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : dflt;
}

bool props_bool(const cJSON *props, const char *name, bool dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, name);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

char *props_generated_name(const cfn_resource *r, size_t max_len, const char *suffix)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    enum { RANDOM_LEN = 13 };
    unsigned char bytes[RANDOM_LEN];
    ids_random(bytes, sizeof bytes);
    char random[RANDOM_LEN + 1];
    for (size_t i = 0; i < RANDOM_LEN; i++)
        random[i] = alphabet[bytes[i] % (sizeof alphabet - 1)];
    random[RANDOM_LEN] = '\0';
    /* The stack name and logical id share what is left; each is cut to its half when
     * both do not fit (the rule AWS's generated names follow, "Name type"). */
    size_t room = max_len - strlen(suffix) - RANDOM_LEN - 2;
    size_t stack_len = strlen(r->stack_name ? r->stack_name : "stack");
    size_t logical_len = strlen(r->logical_id ? r->logical_id : "resource");
    if (stack_len + logical_len > room) {
        size_t half = room / 2;
        if (stack_len <= half)
            logical_len = room - stack_len;
        else if (logical_len <= room - half)
            stack_len = room - logical_len;
        else {
            stack_len = half;
            logical_len = room - half;
        }
    }
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%.*s-%.*s-%s%s", (int)stack_len, r->stack_name ? r->stack_name : "stack", (int)logical_len,
               r->logical_id ? r->logical_id : "resource", random, suffix);
    return buf_detach(&b, NULL);
}

cJSON *props_state_new(const char *physical_id, const char *ref)
{
    cJSON *state = cJSON_CreateObject();
    cJSON_AddStringToObject(state, "PhysicalResourceId", physical_id);
    cJSON_AddStringToObject(state, "Ref", ref);
    cJSON_AddObjectToObject(state, "Attributes");
    return state;
}

void props_state_attr(cJSON *state, const char *name, const char *value)
{
    cJSON *attrs = cJSON_GetObjectItemCaseSensitive(state, "Attributes");
    if (!attrs)
        attrs = cJSON_AddObjectToObject(state, "Attributes");
    json_set_string(attrs, name, value);
}

const char *props_state_string(const cJSON *state, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(state, name));
}

const char *props_state_attr_string(const cJSON *state, const char *name)
{
    return props_state_string(cJSON_GetObjectItemCaseSensitive(state, "Attributes"), name);
}

bool props_handler_fail(cfn_error *err, const char *handler_code, const char *message)
{
    char token[UUID_STR_LEN];
    ids_uuid(token);
    return cfn_fail(err, CFN_ERR_VALIDATION,
                    "Resource handler returned message: \"%.900s\" (RequestToken: %s, HandlerErrorCode: %s)", message,
                    token, handler_code);
}

cJSON *props_tag_map(const cJSON *props)
{
    cJSON *tags = cJSON_CreateObject();
    const cJSON *tag;
    cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(props, "Tags")) {
        const char *value = props_string(tag, "Value");
        json_set_string(tags, props_string(tag, "Key"), value ? value : "");
    }
    return tags;
}

void props_add_tags(cJSON *body, const cJSON *props)
{
    cJSON *tags = props_tag_map(props);
    if (cJSON_GetArraySize(tags) > 0)
        cJSON_AddItemToObject(body, "Tags", tags);
    else
        cJSON_Delete(tags);
}
