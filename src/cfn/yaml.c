/* cfn/yaml: YAML templates into CloudFormation's long JSON form (cfn_yaml_parse, see
 * template.h), on libyaml's event API.
 *
 * One recursive descent over the parser's events builds the cJSON tree: a mapping becomes
 * an object (a duplicate key is refused), a sequence an array, a scalar a string whatever
 * its style (plain, quoted, literal | or folded >): CloudFormation reads every scalar as a
 * string ("Template anatomy" and "YAML" in the CloudFormation User Guide). A plain scalar
 * that is empty, "~" or "null" is YAML's null and becomes JSON null. The short-form tags
 * of the intrinsic functions ("Intrinsic function reference": !Ref, !GetAtt, !Sub, ...)
 * wrap their node in its long form; YAML's own tags (!!str ...) are accepted and change
 * nothing; any other tag is refused. Aliases are refused as CloudFormation refuses them
 * ("YAML aliases are not allowed in CloudFormation templates"); anchors are accepted and
 * ignored. Depth and size are bounded. Every error is a ValidationError with AWS's
 * "Template format error: YAML not well-formed. (line L, column C)", lines and columns
 * counted from 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "sqsemu/strset.h"
#include "template.h"

#define YAML_MAX_DEPTH 64

typedef struct yreader {
    yaml_parser_t parser;
    cfn_error *err;
    int depth;
} yreader;

static bool fail_at(yreader *r, yaml_mark_t mark)
{
    return cfn_fail(r->err, CFN_ERR_VALIDATION, "Template format error: YAML not well-formed. (line %zu, column %zu)",
                    mark.line + 1, mark.column + 1);
}

static bool next_event(yreader *r, yaml_event_t *ev)
{
    if (yaml_parser_parse(&r->parser, ev))
        return true;
    return fail_at(r, r->parser.problem_mark);
}

/* ---- tags ------------------------------------------------------------------------------ */

/* The short forms whose long form is "Fn::<name>". */
static const char *const fn_tags[] = {
    "Sub", "Join", "If", "Equals", "Not", "And", "Or", "Select", "Split", "FindInMap", "ImportValue",
    "Base64", "GetAZs", "Cidr", "Transform", "GetAtt",
};

typedef enum tag_kind { TAG_NONE, TAG_YAML, TAG_INTRINSIC, TAG_UNKNOWN } tag_kind;

/* Classifies a node's tag; for an intrinsic, long[] receives its long-form key. */
static tag_kind classify_tag(const yaml_char_t *tag, char *long_name, size_t cap)
{
    if (!tag)
        return TAG_NONE;
    const char *t = (const char *)tag;
    if (strncmp(t, "tag:yaml.org,2002:", 18) == 0 || strcmp(t, "!") == 0)
        return TAG_YAML;
    if (t[0] != '!')
        return TAG_UNKNOWN;
    t++;
    if (strcmp(t, "Ref") == 0 || strcmp(t, "Condition") == 0) {
        snprintf(long_name, cap, "%s", t);
        return TAG_INTRINSIC;
    }
    for (size_t i = 0; i < sizeof fn_tags / sizeof fn_tags[0]; i++) {
        if (strcmp(t, fn_tags[i]) == 0) {
            snprintf(long_name, cap, "Fn::%s", t);
            return TAG_INTRINSIC;
        }
    }
    return TAG_UNKNOWN;
}

/* !GetAtt A.B.C -> ["A", "B.C"]: the resource's logical id never holds a dot. */
static cJSON *getatt_from_string(const char *s)
{
    cJSON *arr = cJSON_CreateArray();
    const char *dot = strchr(s, '.');
    if (!dot) {
        cJSON_AddItemToArray(arr, cJSON_CreateString(s));
        return arr;
    }
    char *head = strndup(s, (size_t)(dot - s));
    cJSON_AddItemToArray(arr, cJSON_CreateString(head ? head : ""));
    cJSON_AddItemToArray(arr, cJSON_CreateString(dot + 1));
    free(head);
    return arr;
}

/* Wraps value (taken over) in {long_name: value}. */
static cJSON *wrap_intrinsic(const char *long_name, cJSON *value)
{
    if (strcmp(long_name, "Fn::GetAtt") == 0 && cJSON_IsString(value)) {
        cJSON *arr = getatt_from_string(value->valuestring);
        cJSON_Delete(value);
        value = arr;
    }
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddItemToObject(obj, long_name, value);
    return obj;
}

/* ---- nodes ----------------------------------------------------------------------------- */

static cJSON *read_node(yreader *r, yaml_event_t *ev);

static bool is_null_plain(const yaml_event_t *ev)
{
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || ev->data.scalar.tag)
        return false;
    const char *v = (const char *)ev->data.scalar.value;
    return ev->data.scalar.length == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static cJSON *read_scalar(yreader *r, const yaml_event_t *ev)
{
    /* cJSON strings end at a NUL: a "\0" escape cannot be kept, so it is refused. */
    if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
        fail_at(r, ev->start_mark);
        return NULL;
    }
    if (is_null_plain(ev))
        return cJSON_CreateNull();
    return cJSON_CreateString((const char *)ev->data.scalar.value);
}

static cJSON *read_sequence(yreader *r)
{
    cJSON *arr = cJSON_CreateArray();
    for (;;) {
        yaml_event_t ev;
        if (!next_event(r, &ev))
            break;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return arr;
        }
        cJSON *item = read_node(r, &ev);
        if (!item)
            break;
        cJSON_AddItemToArray(arr, item);
    }
    cJSON_Delete(arr);
    return NULL;
}

/* Reads one key (a scalar without an intrinsic tag) into a new string; NULL on error or at
 * the end of the mapping (*end set). */
static char *read_key(yreader *r, bool *end, yaml_mark_t *mark)
{
    yaml_event_t ev;
    *end = false;
    if (!next_event(r, &ev))
        return NULL;
    *mark = ev.start_mark;
    if (ev.type == YAML_MAPPING_END_EVENT) {
        *end = true;
        yaml_event_delete(&ev);
        return NULL;
    }
    char long_name[32];
    char *key = NULL;
    if (ev.type == YAML_ALIAS_EVENT)
        cfn_fail(r->err, CFN_ERR_VALIDATION, "Template error: YAML aliases are not allowed in CloudFormation templates");
    else if (ev.type != YAML_SCALAR_EVENT ||
             classify_tag(ev.data.scalar.tag, long_name, sizeof long_name) > TAG_YAML ||
             memchr(ev.data.scalar.value, '\0', ev.data.scalar.length))
        fail_at(r, ev.start_mark);
    else
        key = strdup((const char *)ev.data.scalar.value);
    yaml_event_delete(&ev);
    return key;
}

static cJSON *read_mapping(yreader *r)
{
    cJSON *obj = cJSON_CreateObject();
    strset keys;
    strset_init(&keys);
    bool ok = false;
    for (;;) {
        bool end;
        yaml_mark_t mark;
        char *key = read_key(r, &end, &mark);
        if (!key) {
            ok = end;
            break;
        }
        size_t klen = strlen(key);
        if (strset_contains(&keys, key, klen)) {
            free(key);
            fail_at(r, mark);
            break;
        }
        yaml_event_t ev;
        cJSON *value = next_event(r, &ev) ? read_node(r, &ev) : NULL;
        if (!value) {
            free(key);
            break;
        }
        cJSON_AddItemToObject(obj, key, value);
        free(key);
        /* The set points at the member's own copy of the name, which lives as long as obj. */
        strset_add(&keys, value->string, klen);
    }
    strset_free(&keys);
    if (ok)
        return obj;
    cJSON_Delete(obj);
    return NULL;
}

/* Builds the node that starts with ev (taken over and deleted). */
static cJSON *read_node(yreader *r, yaml_event_t *ev)
{
    const yaml_char_t *tag = NULL;
    cJSON *node = NULL;
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        cfn_fail(r->err, CFN_ERR_VALIDATION, "Template error: YAML aliases are not allowed in CloudFormation templates");
        yaml_event_delete(ev);
        return NULL;
    case YAML_SCALAR_EVENT:
        tag = ev->data.scalar.tag;
        break;
    case YAML_SEQUENCE_START_EVENT:
        tag = ev->data.sequence_start.tag;
        break;
    case YAML_MAPPING_START_EVENT:
        tag = ev->data.mapping_start.tag;
        break;
    default:
        fail_at(r, ev->start_mark);
        yaml_event_delete(ev);
        return NULL;
    }
    char long_name[32] = "";
    tag_kind kind = classify_tag(tag, long_name, sizeof long_name);
    if (kind == TAG_UNKNOWN || (ev->type != YAML_SCALAR_EVENT && r->depth >= YAML_MAX_DEPTH)) {
        fail_at(r, ev->start_mark);
        yaml_event_delete(ev);
        return NULL;
    }
    if (ev->type == YAML_SCALAR_EVENT) {
        node = read_scalar(r, ev);
        /* A tagged scalar is never null: !GetAZs '' and a bare !GetAZs both mean "". */
        if (node && kind == TAG_INTRINSIC && cJSON_IsNull(node)) {
            cJSON_Delete(node);
            node = cJSON_CreateString("");
        }
    } else {
        bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
        r->depth++;
        node = seq ? read_sequence(r) : read_mapping(r);
        r->depth--;
    }
    yaml_event_delete(ev);
    if (node && kind == TAG_INTRINSIC)
        node = wrap_intrinsic(long_name, node);
    return node;
}

/* Expects an event of the given type (stream and document boundaries). */
static bool expect(yreader *r, yaml_event_type_t type)
{
    yaml_event_t ev;
    if (!next_event(r, &ev))
        return false;
    bool ok = ev.type == type;
    if (!ok)
        fail_at(r, ev.start_mark);
    yaml_event_delete(&ev);
    return ok;
}

static cJSON *read_stream(yreader *r)
{
    if (!expect(r, YAML_STREAM_START_EVENT))
        return NULL;
    yaml_event_t ev;
    if (!next_event(r, &ev))
        return NULL;
    if (ev.type != YAML_DOCUMENT_START_EVENT) { /* an empty stream: no template at all */
        fail_at(r, ev.start_mark);
        yaml_event_delete(&ev);
        return NULL;
    }
    yaml_event_delete(&ev);
    if (!next_event(r, &ev))
        return NULL;
    cJSON *doc = read_node(r, &ev);
    if (doc && (!expect(r, YAML_DOCUMENT_END_EVENT) || !expect(r, YAML_STREAM_END_EVENT))) {
        cJSON_Delete(doc); /* a second document: one template is one document */
        doc = NULL;
    }
    return doc;
}

cJSON *cfn_yaml_parse(const char *text, size_t len, cfn_error *err)
{
    if (!text || len > CFN_TEMPLATE_MAX) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Template format error: the template may not exceed %d bytes",
                 CFN_TEMPLATE_MAX);
        return NULL;
    }
    yreader r = {.err = err};
    if (!yaml_parser_initialize(&r.parser)) {
        cfn_fail(err, CFN_ERR_INTERNAL, "out of memory reading the template");
        return NULL;
    }
    yaml_parser_set_encoding(&r.parser, YAML_UTF8_ENCODING);
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
    cJSON *doc = read_stream(&r);
    yaml_parser_delete(&r.parser);
    return doc;
}
