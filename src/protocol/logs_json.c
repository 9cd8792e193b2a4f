/* logs_json: AWS JSON 1.1 for CloudWatch Logs. A request is POST / with X-Amz-Target
 * "Logs_20140328.<Action>" and a JSON object body; the members of the actions sqsemu
 * answers are type-checked here against the model's types (string, integer, long,
 * boolean, list of strings), a mismatch being a SerializationException as AWS's JSON
 * front answers it. Unknown members are ignored, as AWS does; null is "absent". The value
 * constraints (lengths, ranges, patterns) are the service's. */
#include "sqsemu/logs_json.h"

#include <math.h>
#include <string.h>

#include "sqsemu/buf.h"
#include "sqsemu/json.h"
#include "sqsemu/logs_wire_errors.h"

typedef enum member_type { T_STRING, T_INTEGER, T_LONG, T_BOOLEAN, T_STRING_LIST } member_type;

typedef struct member {
    const char *name;
    member_type type;
} member;

#define END {NULL, T_STRING}

static const member describe_log_groups[] = {
    {"accountIdentifiers", T_STRING_LIST}, {"logGroupNamePrefix", T_STRING}, {"logGroupNamePattern", T_STRING},
    {"nextToken", T_STRING}, {"limit", T_INTEGER}, {"includeLinkedAccounts", T_BOOLEAN},
    {"logGroupClass", T_STRING}, {"logGroupIdentifiers", T_STRING_LIST}, END,
};

static const member describe_log_streams[] = {
    {"logGroupName", T_STRING}, {"logGroupIdentifier", T_STRING}, {"logStreamNamePrefix", T_STRING},
    {"orderBy", T_STRING}, {"descending", T_BOOLEAN}, {"nextToken", T_STRING}, {"limit", T_INTEGER}, END,
};

static const member get_log_events[] = {
    {"logGroupName", T_STRING}, {"logGroupIdentifier", T_STRING}, {"logStreamName", T_STRING},
    {"startTime", T_LONG}, {"endTime", T_LONG}, {"nextToken", T_STRING}, {"limit", T_INTEGER},
    {"startFromHead", T_BOOLEAN}, {"unmask", T_BOOLEAN}, END,
};

static const member filter_log_events[] = {
    {"logGroupName", T_STRING}, {"logGroupIdentifier", T_STRING}, {"logStreamNames", T_STRING_LIST},
    {"logStreamNamePrefix", T_STRING}, {"startTime", T_LONG}, {"endTime", T_LONG}, {"filterPattern", T_STRING},
    {"nextToken", T_STRING}, {"limit", T_INTEGER}, {"interleaved", T_BOOLEAN}, {"unmask", T_BOOLEAN}, END,
};

static const struct {
    const char *action;
    const member *members;
} shapes[] = {
    {"DescribeLogGroups", describe_log_groups},
    {"DescribeLogStreams", describe_log_streams},
    {"GetLogEvents", get_log_events},
    {"FilterLogEvents", filter_log_events},
};

const char *logs_json_action(const char *target)
{
    size_t n = strlen(LOGS_JSON_TARGET_PREFIX);
    if (!target || strncmp(target, LOGS_JSON_TARGET_PREFIX, n) != 0 || !target[n])
        return NULL;
    return target + n;
}

static const member *members_of(const char *action)
{
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        if (strcmp(shapes[i].action, action) == 0)
            return shapes[i].members;
    }
    return NULL;
}

/* ---- type checks ---- */

/* The JSON token kind of a value, as AWS's deserializer names it in its messages. */
static const char *token_of(const cJSON *item)
{
    if (cJSON_IsString(item))
        return "STRING_VALUE";
    if (cJSON_IsNumber(item))
        return "NUMBER_VALUE";
    if (cJSON_IsTrue(item))
        return "TRUE_VALUE";
    if (cJSON_IsFalse(item))
        return "FALSE_VALUE";
    return cJSON_IsArray(item) ? "START_ARRAY" : "START_OBJECT";
}

static bool wrong_type(const cJSON *item, const char *target, logs_error *err)
{
    return logs_fail(err, LOGS_ERR_SERIALIZATION, "%s can not be converted to %s", token_of(item), target);
}

/* An integral JSON number within [min, max]. */
static bool is_integral(const cJSON *item, double min, double max)
{
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
        return false;
    double d = item->valuedouble;
    return d >= min && d <= max && floor(d) == d;
}

static bool check_member(const member *m, const cJSON *item, logs_error *err)
{
    switch (m->type) {
    case T_STRING:
        return cJSON_IsString(item) || wrong_type(item, "a String", err);
    case T_INTEGER:
        return is_integral(item, -2147483648.0, 2147483647.0) || wrong_type(item, "an Integer", err);
    case T_LONG:
        return is_integral(item, -9223372036854775808.0, 9223372036854774784.0) || wrong_type(item, "a Long", err);
    case T_BOOLEAN:
        return cJSON_IsBool(item) || wrong_type(item, "a Boolean", err);
    case T_STRING_LIST: {
        if (!cJSON_IsArray(item))
            return logs_fail(err, LOGS_ERR_SERIALIZATION, "Expected list or null for member %s", m->name);
        const cJSON *child;
        cJSON_ArrayForEach(child, item) {
            if (!cJSON_IsString(child))
                return wrong_type(child, "a String", err);
        }
        return true;
    }
    }
    return true;
}

static bool check_members(const member *members, const cJSON *input, logs_error *err)
{
    for (const member *m = members; m->name; m++) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(input, m->name);
        if (item && !cJSON_IsNull(item) && !check_member(m, item, err))
            return false;
    }
    return true;
}

cJSON *logs_json_decode(const char *action, const char *body, size_t len, logs_error *err)
{
    const member *members = members_of(action);
    if (!members) {
        logs_fail(err, LOGS_ERR_UNKNOWN_OPERATION, "The operation %s is not supported by sqsemu's CloudWatch Logs.",
                  action);
        return NULL;
    }
    if (len == 0)
        return cJSON_CreateObject();
    char why[128] = "";
    cJSON *input = json_parse_strict(body, len, why, sizeof why);
    if (!cJSON_IsObject(input)) {
        cJSON_Delete(input);
        logs_fail(err, LOGS_ERR_SERIALIZATION, "The request body is not a valid JSON object%s%s.", *why ? ": " : "",
                  why);
        return NULL;
    }
    if (!check_members(members, input, err)) {
        cJSON_Delete(input);
        return NULL;
    }
    return input;
}

/* ---- responses ---- */

void logs_json_encode_result(const cJSON *result, wire_response *out)
{
    char *text = result ? cJSON_PrintUnformatted(result) : NULL;
    if (!text)
        text = xstrdup("{}");
    wire_set_body(out, 200, LOGS_JSON_CONTENT_TYPE, text, strlen(text));
}

void logs_json_encode_error(const logs_error *err, wire_response *out)
{
    const logs_wire_error *info = logs_wire_error_of(err->kind);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "__type", info->json_type);
    cJSON_AddStringToObject(doc, "message", err->message);
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    wire_set_body(out, info->http_status, LOGS_JSON_CONTENT_TYPE, text, strlen(text));
}
