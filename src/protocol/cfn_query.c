/* cfn_query: CloudFormation's query protocol (API version 2010-05-15; AWS CloudFormation
 * API Reference, "Making API requests" and "Common Parameters"). Decoding walks the member
 * table (cfn_query_shapes.c) and looks each member up among the form parameters: lists are
 * "Name.member.N[.Field]" numbered from 1 without gaps, nested structures "Name.Field".
 * Encoding writes the result object as XML: objects nest, arrays become <member>
 * elements, timestamps are ISO 8601. Forms and XML escaping are the shared form.c/xml.c. */
#include "sqsemu/cfn_query.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfn_query_internal.h"
#include "sqsemu/buf.h"
#include "sqsemu/cfn_wire_errors.h"
#include "sqsemu/utf8.h"
#include "sqsemu/xml.h"

static const char *const actions[] = {
    "CreateStack",        "UpdateStack",       "DeleteStack",           "DescribeStacks",
    "ListStacks",         "DescribeStackResources", "DescribeStackResource", "ListStackResources",
    "DescribeStackEvents", "GetTemplate",      "GetTemplateSummary",    "ValidateTemplate",
    "ListExports",        "CreateChangeSet",   "DescribeChangeSet",     "ExecuteChangeSet",
    "DeleteChangeSet",    "ListChangeSets",
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_NAME 256 /* a member's full name: "RollbackConfiguration.RollbackTriggers.member.200.Arn" */

bool cfn_query_action_known(const char *action)
{
    for (size_t i = 0; action && i < COUNT_OF(actions); i++) {
        if (strcmp(actions[i], action) == 0)
            return true;
    }
    return false;
}

/* =========================== decoding =========================== */

/* AWS words its request validation "1 validation error detected: Value ... at '...' failed
 * to satisfy constraint: ...". */
static bool fail_value(const form_param *p, const char *constraint, cfn_error *err)
{
    bool quotable = p->value_len <= 64 && utf8_is_sqs_text(p->value, p->value_len);
    return cfn_fail(err, CFN_ERR_VALIDATION, "1 validation error detected: Value %s%s%s at '%s' failed to satisfy "
                    "constraint: %s", quotable ? "'" : "", quotable ? p->value : "", quotable ? "'" : "(not shown)",
                    p->name, constraint);
}

static cJSON *string_from(const form_param *p, cfn_error *err)
{
    if (!utf8_is_sqs_text(p->value, p->value_len)) {
        fail_value(p, "Member must be well-formed UTF-8 of characters XML allows", err);
        return NULL;
    }
    return cJSON_CreateString(p->value);
}

static cJSON *integer_from(const form_param *p, cfn_error *err)
{
    const char *s = p->value;
    size_t sign = s[0] == '-' ? 1 : 0, digits = 0;
    while (isdigit((unsigned char)s[sign + digits]))
        digits++;
    errno = 0;
    long long v = digits && digits <= 10 && sign + digits == p->value_len ? strtoll(s, NULL, 10) : 0;
    if (!digits || digits > 10 || sign + digits != p->value_len || errno || v < INT32_MIN || v > INT32_MAX) {
        fail_value(p, "Member must be an integer", err);
        return NULL;
    }
    return cJSON_CreateNumber((double)v);
}

static cJSON *boolean_from(const form_param *p, cfn_error *err)
{
    if (strcmp(p->value, "true") == 0 && p->value_len == 4)
        return cJSON_CreateTrue();
    if (strcmp(p->value, "false") == 0 && p->value_len == 5)
        return cJSON_CreateFalse();
    fail_value(p, "Member must be true or false", err);
    return NULL;
}

static cJSON *scalar_from(cfn_member_kind kind, const form_param *p, cfn_error *err)
{
    return kind == CFN_MEMBER_INTEGER   ? integer_from(p, err)
           : kind == CFN_MEMBER_BOOLEAN ? boolean_from(p, err)
                                        : string_from(p, err);
}

static bool has_prefix(const char *name, const char *prefix, size_t len)
{
    return strncmp(name, prefix, len) == 0 && name[len] == '.';
}

static bool decode_members(const cfn_member *table, const char *prefix, const form_params *p, cJSON *out,
                           cfn_error *err);

/* Parses the N of "N" or "N.rest" (decimal, from 1, no leading zero, at most the list bound). */
static bool parse_index(const char *s, bool with_field, unsigned *index)
{
    size_t digits = 0;
    while (isdigit((unsigned char)s[digits]))
        digits++;
    if (digits == 0 || digits > 4 || s[0] == '0')
        return false;
    if (with_field ? (s[digits] != '.' || s[digits + 1] == '\0') : s[digits] != '\0')
        return false;
    *index = (unsigned)strtoul(s, NULL, 10);
    return true;
}

/* The number of elements of the list called full ("full.member.N..."): its indexes must
 * run from 1 to N without a gap, N at most the bound. */
static bool list_length(const char *full, bool with_fields, const form_params *p, unsigned *length, cfn_error *err)
{
    char prefix[MAX_NAME + 8];
    snprintf(prefix, sizeof prefix, "%s.member", full);
    size_t prefix_len = strlen(prefix);
    bool seen[CFN_QUERY_MAX_LIST_MEMBERS + 1] = {false};
    unsigned highest = 0, distinct = 0;
    for (size_t i = 0; i < p->count; i++) {
        const char *name = p->items[i].name;
        unsigned index;
        if (!has_prefix(name, prefix, prefix_len))
            continue;
        if (!parse_index(name + prefix_len + 1, with_fields, &index))
            return cfn_fail(err, CFN_ERR_VALIDATION, "Invalid list index in parameter %.200s: lists are numbered "
                            "%s.member.1 to %s.member.N", name, full, full);
        if (index > CFN_QUERY_MAX_LIST_MEMBERS)
            return cfn_fail(err, CFN_ERR_VALIDATION, "1 validation error detected: Value at '%s' failed to satisfy "
                            "constraint: Member must have length less than or equal to %d", full,
                            CFN_QUERY_MAX_LIST_MEMBERS);
        distinct += !seen[index];
        seen[index] = true;
        highest = index > highest ? index : highest;
    }
    if (distinct != highest)
        return cfn_fail(err, CFN_ERR_VALIDATION, "The list %s is not numbered 1 to %u without gaps", full, highest);
    *length = highest;
    return true;
}

/* "Name=" with an empty value: how botocore sends an empty list. */
static bool empty_list_marker(const char *full, const form_params *p)
{
    const form_param *marker = form_find(p, full);
    return marker && marker->value_len == 0;
}

static bool decode_string_list(const char *full, const form_params *p, cJSON *out, const char *name,
                               cfn_error *err)
{
    unsigned length;
    if (!list_length(full, false, p, &length, err))
        return false;
    if (length == 0 && !empty_list_marker(full, p))
        return true;
    cJSON *list = cJSON_AddArrayToObject(out, name);
    for (unsigned i = 1; i <= length; i++) {
        char element[MAX_NAME + 16];
        snprintf(element, sizeof element, "%s.member.%u", full, i);
        cJSON *item = string_from(form_find(p, element), err);
        if (!item)
            return false;
        cJSON_AddItemToArray(list, item);
    }
    return true;
}

/* A keyed list (Parameters, Tags) may name each key once. */
static bool unique_keys(const cJSON *list, const char *key, const char *full, cfn_error *err)
{
    for (const cJSON *a = list ? list->child : NULL; a; a = a->next) {
        const char *ka = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, key));
        for (const cJSON *b = a->next; ka && b; b = b->next) {
            const char *kb = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, key));
            if (kb && strcmp(ka, kb) == 0)
                return cfn_fail(err, CFN_ERR_VALIDATION, "%s: the %s %.200s is given more than once", full, key, ka);
        }
    }
    return true;
}

static bool decode_struct_list(const cfn_member *m, const char *full, const form_params *p, cJSON *out,
                               cfn_error *err)
{
    unsigned length;
    if (!list_length(full, true, p, &length, err))
        return false;
    if (length == 0 && !empty_list_marker(full, p))
        return true;
    cJSON *list = cJSON_AddArrayToObject(out, m->name);
    for (unsigned i = 1; i <= length; i++) {
        char element[MAX_NAME + 16];
        snprintf(element, sizeof element, "%s.member.%u", full, i);
        cJSON *item = cJSON_CreateObject();
        cJSON_AddItemToArray(list, item);
        if (!decode_members(m->members, element, p, item, err))
            return false;
    }
    return !m->key || unique_keys(list, m->key, full, err);
}

static bool decode_struct(const cfn_member *m, const char *full, const form_params *p, cJSON *out, cfn_error *err)
{
    size_t len = strlen(full);
    bool present = false;
    for (size_t i = 0; !present && i < p->count; i++)
        present = has_prefix(p->items[i].name, full, len);
    if (!present)
        return true;
    return decode_members(m->members, full, p, cJSON_AddObjectToObject(out, m->name), err);
}

static bool decode_member(const cfn_member *m, const char *prefix, const form_params *p, cJSON *out,
                          cfn_error *err)
{
    char full[MAX_NAME];
    snprintf(full, sizeof full, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", m->name);
    switch (m->kind) {
    case CFN_MEMBER_STRING_LIST:
        return decode_string_list(full, p, out, m->name, err);
    case CFN_MEMBER_STRUCT_LIST:
        return decode_struct_list(m, full, p, out, err);
    case CFN_MEMBER_STRUCT:
        return decode_struct(m, full, p, out, err);
    default: {
        const form_param *param = form_find(p, full);
        cJSON *value = param ? scalar_from(m->kind, param, err) : NULL;
        if (value)
            cJSON_AddItemToObject(out, m->name, value);
        return value || !param;
    }
    }
}

static bool decode_members(const cfn_member *table, const char *prefix, const form_params *p, cJSON *out,
                           cfn_error *err)
{
    for (const cfn_member *m = table; m->name; m++) {
        if (!decode_member(m, prefix, p, out, err))
            return false;
    }
    return true;
}

cJSON *cfn_query_decode(const char *action, const form_params *params, cfn_error *err)
{
    if (!cfn_query_action_known(action)) {
        cfn_fail(err, CFN_ERR_INVALID_ACTION, "The action %.200s is not valid for this web service.",
                 action ? action : "");
        return NULL;
    }
    if (params->count > CFN_QUERY_MAX_PARAMS) {
        cfn_fail(err, CFN_ERR_VALIDATION, "The request has %zu parameters; at most %d are accepted.", params->count,
                 CFN_QUERY_MAX_PARAMS);
        return NULL;
    }
    cJSON *input = cJSON_CreateObject();
    if (!decode_members(cfn_query_members, NULL, params, input, err)) {
        cJSON_Delete(input);
        return NULL;
    }
    return input;
}

/* =========================== encoding =========================== */

static void write_number(buf_t *out, double d)
{
    if (isfinite(d) && fabs(d) < 9.2e18 && d == (double)(int64_t)d)
        buf_printf(out, "%" PRId64, (int64_t)d);
    else
        buf_printf(out, "%.17g", d);
}

/* Milliseconds since the epoch as ISO 8601 in UTC, the form botocore reads. */
static void write_timestamp(buf_t *out, double ms)
{
    int64_t v = isfinite(ms) && ms >= 0 && ms < 253402300800000.0 ? (int64_t)ms : 0;
    time_t seconds = (time_t)(v / 1000);
    struct tm tm;
    gmtime_r(&seconds, &tm);
    buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
               tm.tm_min, tm.tm_sec, (int)(v % 1000));
}

static void write_value(buf_t *out, const char *name, const cJSON *item);

static void write_members(buf_t *out, const cJSON *object)
{
    const cJSON *child;
    cJSON_ArrayForEach(child, object) {
        if (child->string)
            write_value(out, child->string, child);
    }
}

static void write_content(buf_t *out, const char *name, const cJSON *item)
{
    if (cJSON_IsObject(item)) {
        write_members(out, item);
    } else if (cJSON_IsArray(item)) {
        const cJSON *child;
        cJSON_ArrayForEach(child, item) {
            write_value(out, "member", child);
        }
    } else if (cJSON_IsString(item)) {
        xml_escape(out, item->valuestring, strlen(item->valuestring));
    } else if (cJSON_IsNumber(item)) {
        if (cfn_query_is_timestamp(name))
            write_timestamp(out, item->valuedouble);
        else
            write_number(out, item->valuedouble);
    } else if (cJSON_IsBool(item)) {
        buf_puts(out, cJSON_IsTrue(item) ? "true" : "false");
    }
}

/* <name>content</name>, or <name/> when the content is empty (an empty list). */
static void write_value(buf_t *out, const char *name, const cJSON *item)
{
    if (cJSON_IsNull(item) || cJSON_IsInvalid(item))
        return;
    buf_t content;
    buf_init(&content);
    write_content(&content, name, item);
    if (content.len == 0 && !cJSON_IsString(item))
        buf_printf(out, "<%s/>", name);
    else
        buf_printf(out, "<%s>%s</%s>", name, content.len ? content.data : "", name);
    buf_free(&content);
}

/* DeleteStack's output shape is empty: its response carries no Result element. */
static bool has_result(const char *action)
{
    return strcmp(action, "DeleteStack") != 0;
}

static void write_request_id(buf_t *out, const char *request_id)
{
    xml_text_element(out, "RequestId", request_id ? request_id : "");
}

char *cfn_query_encode_result(const char *action, const cJSON *result, const char *request_id, size_t *len)
{
    buf_t out;
    buf_init(&out);
    buf_printf(&out, "<?xml version=\"1.0\"?>\n<%sResponse xmlns=\"" CFN_QUERY_XMLNS "\">", action);
    if (has_result(action)) {
        buf_t body;
        buf_init(&body);
        if (cJSON_IsObject(result))
            write_members(&body, result);
        if (body.len)
            buf_printf(&out, "<%sResult>%s</%sResult>", action, body.data, action);
        else
            buf_printf(&out, "<%sResult/>", action);
        buf_free(&body);
    }
    buf_puts(&out, "<ResponseMetadata>");
    write_request_id(&out, request_id);
    buf_printf(&out, "</ResponseMetadata></%sResponse>", action);
    return buf_detach(&out, len);
}

char *cfn_query_encode_error_code(const char *code, bool sender, const char *message, const char *request_id,
                                  size_t *len)
{
    buf_t out;
    buf_init(&out);
    buf_puts(&out, "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"" CFN_QUERY_XMLNS "\"><Error>");
    xml_text_element(&out, "Type", sender ? "Sender" : "Receiver");
    xml_text_element(&out, "Code", code);
    xml_text_element(&out, "Message", message);
    buf_puts(&out, "</Error>");
    write_request_id(&out, request_id);
    buf_puts(&out, "</ErrorResponse>");
    return buf_detach(&out, len);
}

char *cfn_query_encode_error(const cfn_error *err, const char *request_id, int *status, size_t *len)
{
    *status = cfn_wire_status(err->kind);
    return cfn_query_encode_error_code(cfn_err_name(err->kind), cfn_wire_sender_fault(err->kind), err->message,
                                       request_id, len);
}
