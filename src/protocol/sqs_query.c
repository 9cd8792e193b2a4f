/* sqs_query: the AWS query protocol codec. Decoding unflattens form parameters into the
 * neutral (JSON-shaped) request, driven by the sqs_shapes table; encoding writes neutral
 * results and errors as SQS XML, driven by a small table of flattened element names. */
#include "sqsemu/sqs_query.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqsemu/buf.h"
#include "sqsemu/sqs_shapes.h"
#include "sqsemu/sqs_wire_errors.h"
#include "sqsemu/xml.h"

#define SQS_XMLNS "http://queue.amazonaws.com/doc/2012-11-05/"

/* =========================== decoding =========================== */

/* A parameter seen relative to a prefix: name is what follows the prefix in the full name.
 * index is the 1-based index a view_group() parsed for it. */
typedef struct qitem {
    const char *name;
    const form_param *param;
    unsigned long index;
} qitem;

typedef struct qview {
    qitem *items;
    size_t count;
} qview;

#define MAX_INDEX_DIGITS 9

static const form_param *view_find(const qview *v, const char *name)
{
    for (size_t i = 0; i < v->count; i++) {
        if (strcmp(v->items[i].name, name) == 0)
            return v->items[i].param;
    }
    return NULL;
}

/* Parses the "N" of "N" or "N.rest" (decimal, >= 1, no leading zero). On success sets
 * *rest to "" or to what follows the dot. */
static bool parse_index(const char *s, unsigned long *index, const char **rest)
{
    size_t digits = 0;
    while (isdigit((unsigned char)s[digits]))
        digits++;
    if (digits == 0 || digits > MAX_INDEX_DIGITS || s[0] == '0')
        return false;
    if (s[digits] == '.' && s[digits + 1] != '\0')
        *rest = s + digits + 1;
    else if (s[digits] == '\0')
        *rest = s + digits;
    else
        return false;
    *index = strtoul(s, NULL, 10);
    return true;
}

static int compare_index(const void *a, const void *b)
{
    const qitem *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* An index that is not a decimal number from 1 up (AWS answers MalformedInput to
 * "X.0.Name", as a recorded response shows); the text quoted is what stands where the
 * index should be. */
static bool fail_index(const char *after_base, sqs_error *err)
{
    size_t n = strcspn(after_base, ".");
    return sqs_fail(err, SQS_ERR_MALFORMED_INPUT, "%.*s is not a valid index", (int)(n < 64 ? n : 64), after_base);
}

/* Collects the items named "<base>.N[.rest]", renamed to "rest" ("" when absent), sorted by
 * N, into *out. Items with the same N are adjacent: each such run is one list element or
 * map entry. A "<base>." item whose N is not a valid index fails the whole request. */
static bool view_group(const qview *v, const char *base, qview *out, sqs_error *err)
{
    size_t base_len = strlen(base);
    *out = (qview){xmalloc((v->count ? v->count : 1) * sizeof(qitem)), 0};
    for (size_t i = 0; i < v->count; i++) {
        const char *name = v->items[i].name;
        unsigned long index;
        const char *rest;
        if (strncmp(name, base, base_len) != 0 || name[base_len] != '.')
            continue;
        if (!parse_index(name + base_len + 1, &index, &rest)) {
            free(out->items);
            out->items = NULL;
            return fail_index(name + base_len + 1, err);
        }
        out->items[out->count++] = (qitem){rest, v->items[i].param, index};
    }
    qsort(out->items, out->count, sizeof(qitem), compare_index);
    return true;
}

/* The run of items sharing the index at *pos in a grouped view; advances *pos past it. */
static qview next_run(const qview *grouped, size_t *pos)
{
    size_t start = *pos, end = start + 1;
    while (end < grouped->count && grouped->items[end].index == grouped->items[start].index)
        end++;
    *pos = end;
    return (qview){grouped->items + start, end - start};
}

/* The items whose name starts with "<prefix>.", renamed to what follows it. */
static qview view_select(const qview *v, const char *prefix)
{
    size_t len = strlen(prefix);
    qview out = {xmalloc((v->count ? v->count : 1) * sizeof(qitem)), 0};
    for (size_t i = 0; i < v->count; i++) {
        const char *name = v->items[i].name;
        if (strncmp(name, prefix, len) == 0 && name[len] == '.' && name[len + 1] != '\0')
            out.items[out.count++] = (qitem){name + len + 1, v->items[i].param, 0};
    }
    return out;
}

/* ---- scalar conversion ---- */

/* Short printable values are quoted in error messages; others are left out. */
static bool printable_for_message(const form_param *p)
{
    if (p->value_len == 0 || p->value_len > 64)
        return false;
    for (size_t i = 0; i < p->value_len; i++) {
        unsigned char c = (unsigned char)p->value[i];
        if (c < 0x20 || c > 0x7e)
            return false;
    }
    return true;
}

static bool fail_bad_value(const form_param *p, const char *reason, sqs_error *err)
{
    if (printable_for_message(p))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %s for parameter %s is invalid. Reason: %s", p->value, p->name, reason);
    return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Value for parameter %s is invalid. Reason: %s",
                    p->name, reason);
}

static bool has_nul(const form_param *p)
{
    return memchr(p->value, '\0', p->value_len) != NULL;
}

static bool fail_nul(const char *json_name, const form_param *p, sqs_error *err)
{
    if (json_name && strcmp(json_name, "MessageBody") == 0)
        return sqs_fail(err, SQS_ERR_INVALID_MESSAGE_CONTENTS,
                        "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | "
                        "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
    return fail_bad_value(p, "Invalid characters found (U+0000).", err);
}

/* A JSON string from p's value; json_name decides which error a NUL byte gives. */
static cJSON *string_from(const char *json_name, const form_param *p, sqs_error *err)
{
    if (has_nul(p)) {
        fail_nul(json_name, p, err);
        return NULL;
    }
    return cJSON_CreateString(p->value);
}

static cJSON *integer_from(const form_param *p, sqs_error *err)
{
    const char *s = p->value;
    size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    size_t digits = 0;
    while (isdigit((unsigned char)s[i + digits]))
        digits++;
    if (digits == 0 || i + digits != p->value_len) {
        fail_bad_value(p, "Must be an integer.", err);
        return NULL;
    }
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE) {
        fail_bad_value(p, "Must be an integer.", err);
        return NULL;
    }
    return cJSON_CreateNumber((double)v);
}

static cJSON *boolean_from(const form_param *p, sqs_error *err)
{
    if (!has_nul(p) && strcasecmp(p->value, "true") == 0)
        return cJSON_CreateTrue();
    if (!has_nul(p) && strcasecmp(p->value, "false") == 0)
        return cJSON_CreateFalse();
    fail_bad_value(p, "Must be true or false.", err);
    return NULL;
}

/* Sets key in object, replacing a value already there. */
static void object_set(cJSON *object, const char *key, cJSON *value)
{
    if (cJSON_HasObjectItem(object, key))
        cJSON_ReplaceItemInObjectCaseSensitive(object, key, value);
    else
        cJSON_AddItemToObject(object, key, value);
}

/* Adds container as member unless it came out empty and no empty-list marker was sent. */
static void add_container(cJSON *out, const char *json_name, cJSON *container, bool keep_empty)
{
    if (cJSON_GetArraySize(container) == 0 && !keep_empty)
        cJSON_Delete(container);
    else
        object_set(out, json_name, container);
}

/* botocore sends an empty list as the bare query name with an empty value ("AttributeName="). */
static bool has_empty_list_marker(const sqs_member *m, const qview *v)
{
    const form_param *p = view_find(v, m->query_name);
    return p && p->value_len == 0;
}

/* ---- member decoders (one per kind) ---- */

static bool decode_members(const sqs_member *members, const qview *v, cJSON *out, sqs_error *err);

static bool decode_scalar(const sqs_member *m, const qview *v, cJSON *out, sqs_error *err)
{
    const form_param *p = view_find(v, m->query_name);
    if (!p)
        return true;
    cJSON *value = m->kind == SQS_MEMBER_INTEGER   ? integer_from(p, err)
                   : m->kind == SQS_MEMBER_BOOLEAN ? boolean_from(p, err)
                                                   : string_from(m->json_name, p, err);
    if (!value)
        return false;
    object_set(out, m->json_name, value);
    return true;
}

static bool decode_string_list(const sqs_member *m, const qview *v, cJSON *out, sqs_error *err)
{
    qview grouped;
    if (!view_group(v, m->query_name, &grouped, err))
        return false;
    cJSON *list = cJSON_CreateArray();
    bool ok = true;
    for (size_t pos = 0; ok && pos < grouped.count;) {
        qview run = next_run(&grouped, &pos);
        const form_param *p = view_find(&run, "");
        cJSON *item = p ? string_from(m->json_name, p, err) : NULL;
        if (item)
            cJSON_AddItemToArray(list, item);
        else if (p)
            ok = false;
    }
    free(grouped.items);
    if (!ok) {
        cJSON_Delete(list);
        return false;
    }
    add_container(out, m->json_name, list, has_empty_list_marker(m, v));
    return true;
}

/* One map entry: its key parameter and the run of items of its index. */
typedef struct map_entry {
    const form_param *key;
    qview run;
    bool keep;
} map_entry;

static int compare_entry_keys(const void *a, const void *b)
{
    const map_entry *x = *(const map_entry *const *)a, *y = *(const map_entry *const *)b;
    int c = strcmp(x->key->value, y->key->value);
    if (c)
        return c;
    return x->run.items[0].index < y->run.items[0].index ? -1 : x->run.items[0].index > y->run.items[0].index;
}

/* Marks, for every key, only its entry with the highest index as kept (a later index wins).
 * Sorting instead of looking keys up in the cJSON object keeps large maps O(n log n). */
static void keep_last_of_each_key(map_entry *entries, size_t count)
{
    map_entry **order = xmalloc((count ? count : 1) * sizeof *order);
    for (size_t i = 0; i < count; i++)
        order[i] = &entries[i];
    qsort(order, count, sizeof *order, compare_entry_keys);
    for (size_t i = 0; i < count; i++)
        order[i]->keep = i + 1 == count || strcmp(order[i]->key->value, order[i + 1]->key->value) != 0;
    free(order);
}

/* An entry that gives a value but no key. For message attributes AWS's answer is recorded
 * (InvalidParameterValue, "...non-empty message attribute name."); other maps say which
 * parameter is missing. */
static bool fail_missing_key(const sqs_member *m, unsigned long index, sqs_error *err)
{
    if (m->kind == SQS_MEMBER_STRUCT_MAP)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "The request must contain non-empty message attribute name.");
    return sqs_fail(err, SQS_ERR_MISSING_PARAMETER, "The request must contain the parameter %s.%lu.%s.", m->query_name,
                    index, m->key_name);
}

/* Splits a grouped view into map entries (in index order); an entry without a key fails. */
static bool collect_map_entries(const sqs_member *m, const qview *grouped, map_entry **out, size_t *count,
                                sqs_error *err)
{
    map_entry *entries = xmalloc((grouped->count ? grouped->count : 1) * sizeof *entries);
    size_t n = 0;
    for (size_t pos = 0; pos < grouped->count;) {
        qview run = next_run(grouped, &pos);
        const form_param *key = view_find(&run, m->key_name);
        if (!key || (m->kind == SQS_MEMBER_STRUCT_MAP && key->value_len == 0)) {
            free(entries);
            return fail_missing_key(m, run.items[0].index, err);
        }
        if (has_nul(key)) {
            free(entries);
            return fail_nul(NULL, key, err);
        }
        entries[n++] = (map_entry){key, run, false};
    }
    keep_last_of_each_key(entries, n);
    *out = entries;
    *count = n;
    return true;
}

/* A string map value; a missing Value is an empty string for the service to judge. */
static cJSON *string_map_value(const sqs_member *m, const qview *run, sqs_error *err)
{
    const form_param *p = view_find(run, m->value_name);
    return p ? string_from(m->json_name, p, err) : cJSON_CreateString("");
}

/* A structure map value: the members under "<value_name>." decoded with the value's table. */
static cJSON *struct_map_value(const sqs_member *m, const qview *run, sqs_error *err)
{
    qview value_view = view_select(run, m->value_name);
    cJSON *value = cJSON_CreateObject();
    if (!decode_members(m->members, &value_view, value, err)) {
        cJSON_Delete(value);
        value = NULL;
    }
    free(value_view.items);
    return value;
}

static bool decode_map(const sqs_member *m, const qview *v, cJSON *out, sqs_error *err)
{
    qview grouped;
    if (!view_group(v, m->query_name, &grouped, err))
        return false;
    map_entry *entries = NULL;
    size_t count = 0;
    bool ok = collect_map_entries(m, &grouped, &entries, &count, err);
    cJSON *map = cJSON_CreateObject();
    for (size_t i = 0; ok && i < count; i++) {
        if (!entries[i].keep)
            continue;
        cJSON *value = m->kind == SQS_MEMBER_STRUCT_MAP ? struct_map_value(m, &entries[i].run, err)
                                                        : string_map_value(m, &entries[i].run, err);
        if (value)
            cJSON_AddItemToObject(map, entries[i].key->value, value);
        else
            ok = false;
    }
    free(entries);
    free(grouped.items);
    if (!ok) {
        cJSON_Delete(map);
        return false;
    }
    add_container(out, m->json_name, map, false);
    return true;
}

static bool decode_entry_list(const sqs_member *m, const qview *v, cJSON *out, sqs_error *err)
{
    qview grouped;
    if (!view_group(v, m->query_name, &grouped, err))
        return false;
    cJSON *list = cJSON_CreateArray();
    bool ok = true;
    for (size_t pos = 0; ok && pos < grouped.count;) {
        qview run = next_run(&grouped, &pos);
        cJSON *entry = cJSON_CreateObject();
        ok = decode_members(m->members, &run, entry, err);
        if (ok && cJSON_GetArraySize(entry) > 0)
            cJSON_AddItemToArray(list, entry);
        else
            cJSON_Delete(entry); /* failed, or only unknown parameters */
    }
    free(grouped.items);
    if (!ok) {
        cJSON_Delete(list);
        return false;
    }
    add_container(out, m->json_name, list, has_empty_list_marker(m, v));
    return true;
}

/* Name=v sets the map member's key_name entry unless the map already has one. */
static bool decode_attribute_alias(const sqs_member *m, const qview *v, cJSON *out, sqs_error *err)
{
    const form_param *p = view_find(v, m->query_name);
    if (!p)
        return true;
    cJSON *map = cJSON_GetObjectItemCaseSensitive(out, m->json_name);
    if (map && cJSON_HasObjectItem(map, m->key_name))
        return true;
    cJSON *value = string_from(m->json_name, p, err);
    if (!value)
        return false;
    if (!map) {
        map = cJSON_CreateObject();
        cJSON_AddItemToObject(out, m->json_name, map);
    }
    cJSON_AddItemToObject(map, m->key_name, value);
    return true;
}

static bool decode_member(const sqs_member *m, const qview *v, cJSON *out, sqs_error *err)
{
    switch (m->kind) {
    case SQS_MEMBER_STRING:
    case SQS_MEMBER_INTEGER:
    case SQS_MEMBER_BOOLEAN:
        return decode_scalar(m, v, out, err);
    case SQS_MEMBER_STRING_LIST:
        return decode_string_list(m, v, out, err);
    case SQS_MEMBER_STRING_MAP:
    case SQS_MEMBER_STRUCT_MAP:
        return decode_map(m, v, out, err);
    case SQS_MEMBER_ENTRY_LIST:
        return decode_entry_list(m, v, out, err);
    case SQS_MEMBER_ATTRIBUTE_ALIAS:
        return decode_attribute_alias(m, v, out, err);
    }
    return true;
}

static bool decode_members(const sqs_member *members, const qview *v, cJSON *out, sqs_error *err)
{
    for (const sqs_member *m = members; m->json_name; m++) {
        if (!decode_member(m, v, out, err))
            return false;
    }
    return true;
}

cJSON *sqs_query_decode(const char *action, const form_params *params, sqs_error *err)
{
    const sqs_member *members = sqs_shapes_input(action);
    if (!members) {
        sqs_fail(err, SQS_ERR_INVALID_ACTION, "The action %s is not valid for this endpoint.",
                 action ? action : "");
        return NULL;
    }
    qview all = {xmalloc((params->count ? params->count : 1) * sizeof(qitem)), params->count};
    for (size_t i = 0; i < params->count; i++)
        all.items[i] = (qitem){params->items[i].name, &params->items[i], 0};

    cJSON *input = cJSON_CreateObject();
    if (!decode_members(members, &all, input, err)) {
        cJSON_Delete(input);
        input = NULL;
    }
    free(all.items);
    return input;
}

/* =========================== encoding =========================== */

/* Flattened list element names: JSON list member -> repeated XML element (action NULL = any). */
typedef struct xml_list_name {
    const char *action;
    const char *member;
    const char *element;
} xml_list_name;

static const xml_list_name list_names[] = {
    {NULL, "QueueUrls", "QueueUrl"},
    {NULL, "queueUrls", "QueueUrl"},
    {NULL, "Messages", "Message"},
    {"SendMessageBatch", "Successful", "SendMessageBatchResultEntry"},
    {"DeleteMessageBatch", "Successful", "DeleteMessageBatchResultEntry"},
    {"ChangeMessageVisibilityBatch", "Successful", "ChangeMessageVisibilityBatchResultEntry"},
    {NULL, "Failed", "BatchResultErrorEntry"},
    {NULL, "Results", "ListMessageMoveTasksResultEntry"},
};

/* Flattened maps: JSON map member -> repeated <entry><key/><value/></entry>. */
typedef struct xml_map_name {
    const char *member;
    const char *entry;
    const char *key;
    const char *value;
} xml_map_name;

static const xml_map_name map_names[] = {
    {"Attributes", "Attribute", "Name", "Value"},
    {"Tags", "Tag", "Key", "Value"},
    {"MessageAttributes", "MessageAttribute", "Name", "Value"},
};

/* Actions whose output shape is empty: their responses carry no <ActionResult>. */
static const char *const void_actions[] = {
    "DeleteMessage", "DeleteQueue",   "SetQueueAttributes", "ChangeMessageVisibility", "PurgeQueue",
    "AddPermission", "RemovePermission", "TagQueue",        "UntagQueue",
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *list_element_name(const char *action, const char *member)
{
    for (size_t i = 0; i < COUNT_OF(list_names); i++) {
        const xml_list_name *n = &list_names[i];
        if (strcmp(n->member, member) == 0 && (!n->action || strcmp(n->action, action) == 0))
            return n->element;
    }
    return member;
}

static const xml_map_name *map_name(const char *member)
{
    for (size_t i = 0; i < COUNT_OF(map_names); i++) {
        if (strcmp(map_names[i].member, member) == 0)
            return &map_names[i];
    }
    return NULL;
}

static bool is_void_action(const char *action)
{
    for (size_t i = 0; i < COUNT_OF(void_actions); i++) {
        if (strcmp(void_actions[i], action) == 0)
            return true;
    }
    return false;
}

static void write_number(buf_t *out, double d)
{
    if (isfinite(d) && fabs(d) < 9.2e18 && d == (double)(int64_t)d)
        buf_printf(out, "%" PRId64, (int64_t)d);
    else
        buf_printf(out, "%.17g", d);
}

static void write_scalar(buf_t *out, const cJSON *item)
{
    if (cJSON_IsString(item) || cJSON_IsRaw(item))
        xml_escape(out, item->valuestring, strlen(item->valuestring));
    else if (cJSON_IsNumber(item))
        write_number(out, item->valuedouble);
    else if (cJSON_IsBool(item))
        buf_puts(out, cJSON_IsTrue(item) ? "true" : "false");
}

static void write_value(buf_t *out, const char *action, const char *name, const cJSON *item);

static void write_members(buf_t *out, const char *action, const cJSON *object)
{
    const cJSON *child;
    cJSON_ArrayForEach(child, object) {
        if (child->string)
            write_value(out, action, child->string, child);
    }
}

static void write_list(buf_t *out, const char *action, const char *name, const cJSON *list)
{
    const char *element = list_element_name(action, name);
    const cJSON *child;
    cJSON_ArrayForEach(child, list) {
        write_value(out, action, element, child);
    }
}

static void write_map(buf_t *out, const char *action, const xml_map_name *map, const cJSON *object)
{
    const cJSON *child;
    cJSON_ArrayForEach(child, object) {
        if (cJSON_IsNull(child))
            continue;
        buf_printf(out, "<%s>", map->entry);
        xml_text_element(out, map->key, child->string);
        write_value(out, action, map->value, child);
        buf_printf(out, "</%s>", map->entry);
    }
}

/* Writes item as element(s) called name: lists and known maps flattened, structures nested. */
static void write_value(buf_t *out, const char *action, const char *name, const cJSON *item)
{
    if (cJSON_IsNull(item) || cJSON_IsInvalid(item))
        return;
    if (cJSON_IsArray(item)) {
        write_list(out, action, name, item);
        return;
    }
    const xml_map_name *map = cJSON_IsObject(item) ? map_name(name) : NULL;
    if (map) {
        write_map(out, action, map, item);
        return;
    }
    buf_printf(out, "<%s>", name);
    if (cJSON_IsObject(item))
        write_members(out, action, item);
    else
        write_scalar(out, item);
    buf_printf(out, "</%s>", name);
}

static void write_result(buf_t *out, const char *action, const cJSON *result)
{
    buf_t body;
    buf_init(&body);
    if (cJSON_IsObject(result))
        write_members(&body, action, result);
    if (body.len == 0)
        buf_printf(out, "<%sResult/>", action);
    else
        buf_printf(out, "<%sResult>%s</%sResult>", action, body.data, action);
    buf_free(&body);
}

static void write_request_id(buf_t *out, const char *request_id)
{
    xml_text_element(out, "RequestId", request_id ? request_id : "");
}

char *sqs_query_encode_result(const char *action, const cJSON *result, const char *request_id, size_t *len)
{
    buf_t out;
    buf_init(&out);
    buf_printf(&out, "<?xml version=\"1.0\"?><%sResponse xmlns=\"" SQS_XMLNS "\">", action);
    if (!is_void_action(action))
        write_result(&out, action, result);
    buf_puts(&out, "<ResponseMetadata>");
    write_request_id(&out, request_id);
    buf_puts(&out, "</ResponseMetadata>");
    buf_printf(&out, "</%sResponse>", action);
    return buf_detach(&out, len);
}

char *sqs_query_encode_error(const sqs_error *err, const char *request_id, size_t *len)
{
    const sqs_wire_error *wire = sqs_wire_error_of(err->kind);
    const char *message = wire->query_message ? wire->query_message : err->message;
    buf_t out;
    buf_init(&out);
    buf_puts(&out, "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"" SQS_XMLNS "\"><Error>");
    xml_text_element(&out, "Type", sqs_error_sender_fault(err->kind) ? "Sender" : "Receiver");
    xml_text_element(&out, "Code", sqs_error_code(err->kind));
    xml_text_element(&out, "Message", message);
    buf_puts(&out, "<Detail/></Error>");
    write_request_id(&out, request_id);
    buf_puts(&out, "</ErrorResponse>");
    return buf_detach(&out, len);
}
