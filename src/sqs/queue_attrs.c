/* sqs/queue_attrs: queue attributes: table, validation, normalisation, effective values. */
#include "queue_attrs.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "sqsemu/json.h"
#include "sqsemu/buf.h"
#include "sqsemu/store.h"

typedef enum attr_kind {
    KIND_INT,
    KIND_BOOL,
    KIND_POLICY,
    KIND_REDRIVE,
    KIND_REDRIVE_ALLOW,
    KIND_STRING,
    KIND_ENUM,
    KIND_READ_ONLY,
} attr_kind;

typedef struct attr_def {
    const char *name;
    attr_kind kind;
    long min, max;            /* KIND_INT */
    const char *default_value; /* NULL: absent unless set */
    bool fifo_only;
    const char *enum_values[3];
} attr_def;

static const attr_def attr_table[] = {
    {"ApproximateNumberOfMessages", KIND_READ_ONLY, 0, 0, NULL, false, {0}},
    {"ApproximateNumberOfMessagesDelayed", KIND_READ_ONLY, 0, 0, NULL, false, {0}},
    {"ApproximateNumberOfMessagesNotVisible", KIND_READ_ONLY, 0, 0, NULL, false, {0}},
    {"ContentBasedDeduplication", KIND_BOOL, 0, 0, "false", true, {0}},
    {"CreatedTimestamp", KIND_READ_ONLY, 0, 0, NULL, false, {0}},
    {"DeduplicationScope", KIND_ENUM, 0, 0, "queue", true, {"messageGroup", "queue", NULL}},
    {"DelaySeconds", KIND_INT, 0, 900, "0", false, {0}},
    {"FifoQueue", KIND_BOOL, 0, 0, "true", true, {0}},
    {"FifoThroughputLimit", KIND_ENUM, 0, 0, "perQueue", true, {"perQueue", "perMessageGroupId", NULL}},
    {"KmsDataKeyReusePeriodSeconds", KIND_INT, 60, 86400, NULL, false, {0}},
    {"KmsMasterKeyId", KIND_STRING, 0, 0, NULL, false, {0}},
    {"LastModifiedTimestamp", KIND_READ_ONLY, 0, 0, NULL, false, {0}},
    {"MaximumMessageSize", KIND_INT, 1024, 1048576, "1048576", false, {0}},
    {"MessageRetentionPeriod", KIND_INT, 60, 1209600, "345600", false, {0}},
    {"Policy", KIND_POLICY, 0, 0, NULL, false, {0}},
    {"QueueArn", KIND_READ_ONLY, 0, 0, NULL, false, {0}},
    {"ReceiveMessageWaitTimeSeconds", KIND_INT, 0, 20, "0", false, {0}},
    {"RedriveAllowPolicy", KIND_REDRIVE_ALLOW, 0, 0, NULL, false, {0}},
    {"RedrivePolicy", KIND_REDRIVE, 0, 0, NULL, false, {0}},
    {"SqsManagedSseEnabled", KIND_BOOL, 0, 0, "true", false, {0}},
    {"VisibilityTimeout", KIND_INT, 0, 43200, "30", false, {0}},
};

#define ATTR_COUNT (sizeof attr_table / sizeof attr_table[0])

static const attr_def *find_attr(const char *name)
{
    for (size_t i = 0; i < ATTR_COUNT; i++) {
        if (strcmp(attr_table[i].name, name) == 0)
            return &attr_table[i];
    }
    return NULL;
}

static bool parse_long(const char *s, long *out)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p) && !(p == s && (*p == '-' || *p == '+')))
            return false;
    }
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static bool invalid_value(sqs_error *err, const char *name)
{
    return sqs_fail(err, SQS_ERR_INVALID_ATTRIBUTE_VALUE, "Invalid value for the parameter %s.", name);
}

static bool normalize_int(const attr_def *def, const char *value, cJSON *out, sqs_error *err)
{
    long v;
    if (!parse_long(value, &v) || v < def->min || v > def->max)
        return invalid_value(err, def->name);
    char text[32];
    snprintf(text, sizeof text, "%ld", v);
    cJSON_AddStringToObject(out, def->name, text);
    return true;
}

static bool normalize_bool(const attr_def *def, const char *value, cJSON *out, sqs_error *err)
{
    if (strcasecmp(value, "true") == 0)
        cJSON_AddStringToObject(out, def->name, "true");
    else if (strcasecmp(value, "false") == 0)
        cJSON_AddStringToObject(out, def->name, "false");
    else
        return invalid_value(err, def->name);
    return true;
}

static bool normalize_policy(const attr_def *def, const char *value, cJSON *out, sqs_error *err)
{
    if (!*value) {
        cJSON_AddStringToObject(out, def->name, "");
        return true;
    }
    cJSON *doc = json_parse_strict(value, strlen(value), NULL, 0);
    bool ok = cJSON_IsObject(doc) && strlen(value) <= 8192;
    cJSON_Delete(doc);
    if (!ok)
        return invalid_value(err, def->name);
    cJSON_AddStringToObject(out, def->name, value);
    return true;
}

static bool redrive_invalid(sqs_error *err, const char *reason)
{
    return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                    "Value for parameter RedrivePolicy is invalid. Reason: %s", reason);
}

/* Does the dead-letter queue's RedriveAllowPolicy let source_arn name it? (absent = allowAll) */
static bool redrive_allowed(const sqs_queue *dlq, const char *source_arn)
{
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(dlq->attributes, "RedriveAllowPolicy");
    if (!cJSON_IsString(text))
        return true;
    cJSON *doc = cJSON_Parse(text->valuestring);
    const char *permission = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "redrivePermission"));
    bool allowed = !permission || strcmp(permission, "allowAll") == 0;
    if (permission && strcmp(permission, "byQueue") == 0) {
        const cJSON *arn;
        cJSON_ArrayForEach(arn, cJSON_GetObjectItemCaseSensitive(doc, "sourceQueueArns"))
        {
            if (cJSON_IsString(arn) && strcmp(arn->valuestring, source_arn) == 0)
                allowed = true;
        }
    }
    cJSON_Delete(doc);
    return allowed;
}

static bool normalize_redrive(const attr_def *def, const char *value, bool fifo, const char *self_arn, cJSON *out,
                              sqs_error *err)
{
    if (!*value) {
        cJSON_AddStringToObject(out, def->name, "");
        return true;
    }
    cJSON *doc = json_parse_strict(value, strlen(value), NULL, 0);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return redrive_invalid(err, "Redrive policy is not a valid JSON map.");
    }
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(doc, "deadLetterTargetArn");
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(doc, "maxReceiveCount");
    long max_receive = 0;
    bool ok = false;
    if (!cJSON_IsString(target) || !count) {
        redrive_invalid(err, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn, maxReceiveCount.");
    } else if (!(cJSON_IsNumber(count) && isfinite(count->valuedouble) && fabs(count->valuedouble) < 1e9 &&
                 count->valuedouble == floor(count->valuedouble) && (max_receive = (long)count->valuedouble, true)) &&
               !(cJSON_IsString(count) && parse_long(count->valuestring, &max_receive))) {
        redrive_invalid(err, "Invalid value for maxReceiveCount: must be an integer from 1 to 1000.");
    } else if (max_receive < 1 || max_receive > 1000) {
        sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                 "Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: %ld, "
                 "valid values are from 1 to 1000 both inclusive.", value, max_receive);
    } else {
        sqs_queue *dlq = registry_find_arn(target->valuestring);
        if (!dlq)
            sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                     "Value %s for parameter RedrivePolicy is invalid. Reason: Dead-letter target does not exist.", value);
        else if (dlq->fifo != fifo)
            sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                     "Value %s for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be of the same "
                     "type as the source queue.", value);
        else if (self_arn && !redrive_allowed(dlq, self_arn))
            sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                     "Value %s for parameter RedrivePolicy is invalid. Reason: Queue %s does not have permission to "
                     "use %s as a dead-letter queue (RedriveAllowPolicy of the dead-letter queue).", value, self_arn,
                     dlq->arn);
        else
            ok = true;
    }
    if (ok) {
        cJSON *norm = cJSON_CreateObject();
        cJSON_AddStringToObject(norm, "deadLetterTargetArn", target->valuestring);
        cJSON_AddNumberToObject(norm, "maxReceiveCount", (double)max_receive);
        char *text = cJSON_PrintUnformatted(norm);
        cJSON_AddStringToObject(out, def->name, text);
        free(text);
        cJSON_Delete(norm);
    }
    cJSON_Delete(doc);
    return ok;
}

static bool normalize_redrive_allow(const attr_def *def, const char *value, cJSON *out, sqs_error *err)
{
    if (!*value) {
        cJSON_AddStringToObject(out, def->name, "");
        return true;
    }
    cJSON *doc = json_parse_strict(value, strlen(value), NULL, 0);
    const cJSON *permission = cJSON_GetObjectItemCaseSensitive(doc, "redrivePermission");
    const cJSON *sources = cJSON_GetObjectItemCaseSensitive(doc, "sourceQueueArns");
    const char *reason = NULL;
    if (!cJSON_IsObject(doc) || !cJSON_IsString(permission))
        reason = "Redrive allow policy must be a JSON map with a redrivePermission.";
    else if (strcmp(permission->valuestring, "byQueue") == 0) {
        if (!cJSON_IsArray(sources) || cJSON_GetArraySize(sources) < 1 || cJSON_GetArraySize(sources) > 10)
            reason = "sourceQueueArns must list 1 to 10 queue ARNs when redrivePermission is byQueue.";
    } else if (strcmp(permission->valuestring, "allowAll") == 0 || strcmp(permission->valuestring, "denyAll") == 0) {
        if (sources)
            reason = "sourceQueueArns can only be given when redrivePermission is byQueue.";
    } else {
        reason = "redrivePermission must be allowAll, denyAll or byQueue.";
    }
    cJSON_Delete(doc);
    if (reason)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %s for parameter RedriveAllowPolicy is invalid. Reason: %s", value, reason);
    cJSON_AddStringToObject(out, def->name, value);
    return true;
}

static bool normalize_enum(const attr_def *def, const char *value, cJSON *out, sqs_error *err)
{
    for (int i = 0; i < 3 && def->enum_values[i]; i++) {
        if (strcmp(def->enum_values[i], value) == 0) {
            cJSON_AddStringToObject(out, def->name, value);
            return true;
        }
    }
    return invalid_value(err, def->name);
}

static bool normalize_one(const attr_def *def, const char *value, bool fifo, const char *self_arn, cJSON *out,
                          sqs_error *err)
{
    switch (def->kind) {
    case KIND_INT: return normalize_int(def, value, out, err);
    case KIND_BOOL: return normalize_bool(def, value, out, err);
    case KIND_POLICY: return normalize_policy(def, value, out, err);
    case KIND_REDRIVE: return normalize_redrive(def, value, fifo, self_arn, out, err);
    case KIND_REDRIVE_ALLOW: return normalize_redrive_allow(def, value, out, err);
    case KIND_ENUM: return normalize_enum(def, value, out, err);
    case KIND_STRING:
        cJSON_AddStringToObject(out, def->name, value);
        return true;
    case KIND_READ_ONLY: break;
    }
    return sqs_fail(err, SQS_ERR_INVALID_ATTRIBUTE_NAME, "Unknown Attribute %s.", def->name);
}

static bool check_name(const attr_def *def, const char *name, bool fifo, sqs_error *err)
{
    if (!def || def->kind == KIND_READ_ONLY)
        return sqs_fail(err, SQS_ERR_INVALID_ATTRIBUTE_NAME, "Unknown Attribute %s.", name);
    if (def->fifo_only && !fifo) {
        if (strcmp(name, "DeduplicationScope") == 0 || strcmp(name, "FifoThroughputLimit") == 0)
            return sqs_fail(err, SQS_ERR_INVALID_ATTRIBUTE_NAME,
                            "You can specify the %s only when FifoQueue is set to true.", name);
        return sqs_fail(err, SQS_ERR_INVALID_ATTRIBUTE_NAME, "Unknown Attribute %s.", name);
    }
    return true;
}

/* FifoThroughputLimit=perMessageGroupId needs DeduplicationScope=messageGroup, counting
 * the queue's current values for whichever of the two the request leaves out. */
static bool check_throughput_pair(const cJSON *normalized, const sqs_queue *current, sqs_error *err)
{
    const cJSON *scope = cJSON_GetObjectItemCaseSensitive(normalized, "DeduplicationScope");
    const cJSON *limit = cJSON_GetObjectItemCaseSensitive(normalized, "FifoThroughputLimit");
    if (!scope && !limit)
        return true;
    char *current_scope = current ? queue_attrs_effective(current, "DeduplicationScope") : NULL;
    char *current_limit = current ? queue_attrs_effective(current, "FifoThroughputLimit") : NULL;
    const char *effective_scope = scope ? scope->valuestring : current_scope ? current_scope : "queue";
    const char *effective_limit = limit ? limit->valuestring : current_limit ? current_limit : "perQueue";
    bool ok = !(strcmp(effective_limit, "perMessageGroupId") == 0 && strcmp(effective_scope, "queue") == 0);
    free(current_scope);
    free(current_limit);
    if (!ok)
        return sqs_fail(err, SQS_ERR_INVALID_ATTRIBUTE_VALUE,
                        "Invalid value for the parameter FifoThroughputLimit. Reason: perMessageGroupId is only valid "
                        "when DeduplicationScope is messageGroup.");
    return true;
}

/* SSE-KMS and SSE-SQS are alternatives: AWS refuses a request that asks for both. */
static bool check_one_encryption(const cJSON *normalized, sqs_error *err)
{
    const char *kms = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(normalized, "KmsMasterKeyId"));
    const char *sse = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(normalized, "SqsManagedSseEnabled"));
    if (kms && *kms && sse && strcmp(sse, "true") == 0)
        return sqs_fail(err, SQS_ERR_INVALID_ATTRIBUTE_NAME,
                        "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS "
                        "SSE or SQS SSE.");
    return true;
}

bool queue_attrs_check(const cJSON *requested, bool fifo, const sqs_queue *current, const char *self_arn,
                       cJSON **normalized, sqs_error *err)
{
    bool creating = current == NULL;
    *normalized = cJSON_CreateObject();
    const cJSON *item;
    cJSON_ArrayForEach(item, requested)
    {
        const char *name = item->string;
        const attr_def *def = find_attr(name);
        if (!check_name(def, name, fifo, err))
            goto fail;
        if (!cJSON_IsString(item)) {
            invalid_value(err, name);
            goto fail;
        }
        if (strcmp(name, "FifoQueue") == 0 && !creating) {
            if (strcasecmp(item->valuestring, "true") != 0) {
                sqs_fail(err, SQS_ERR_INVALID_ATTRIBUTE_VALUE,
                         "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.");
                goto fail;
            }
            continue;
        }
        if (!normalize_one(def, item->valuestring, fifo, self_arn, *normalized, err))
            goto fail;
    }
    if (fifo && !check_throughput_pair(*normalized, current, err))
        goto fail;
    if (!check_one_encryption(*normalized, err))
        goto fail;
    return true;
fail:
    cJSON_Delete(*normalized);
    *normalized = NULL;
    return false;
}

/* Values that, once set, mean "not set" (and so are dropped from the stored map). */
static bool is_removal(const char *name, const char *value)
{
    if (!*value)
        return true;
    return strcmp(name, "KmsDataKeyReusePeriodSeconds") == 0 && strcmp(value, "300") == 0;
}

void queue_attrs_apply(sqs_queue *q, const cJSON *normalized)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, normalized)
    {
        bool had_kms = cJSON_GetObjectItemCaseSensitive(q->attributes, "KmsMasterKeyId") != NULL;
        cJSON_DeleteItemFromObjectCaseSensitive(q->attributes, item->string);
        if (strcmp(item->string, "FifoQueue") == 0)
            continue; /* implied by the queue type */
        /* SSE-KMS and SSE-SQS exclude each other; turning KMS off (KmsMasterKeyId "")
         * leaves the queue unencrypted, as on AWS, unless the same request enables SSE-SQS. */
        bool sse_in_request = cJSON_GetObjectItemCaseSensitive(normalized, "SqsManagedSseEnabled") != NULL;
        if (strcmp(item->string, "KmsMasterKeyId") == 0) {
            cJSON_DeleteItemFromObjectCaseSensitive(q->attributes, "SqsManagedSseEnabled");
            if (!*item->valuestring && had_kms && !sse_in_request)
                cJSON_AddStringToObject(q->attributes, "SqsManagedSseEnabled", "false");
        }
        if (strcmp(item->string, "SqsManagedSseEnabled") == 0 && strcmp(item->valuestring, "true") == 0)
            cJSON_DeleteItemFromObjectCaseSensitive(q->attributes, "KmsMasterKeyId");
        if (!is_removal(item->string, item->valuestring))
            cJSON_AddStringToObject(q->attributes, item->string, item->valuestring);
    }
    queue_attrs_refresh(q);
}

static int effective_int(const sqs_queue *q, const char *name)
{
    char *v = queue_attrs_effective(q, name);
    int n = v ? atoi(v) : 0;
    free(v);
    return n;
}

void queue_attrs_refresh(sqs_queue *q)
{
    q->delay_s = effective_int(q, "DelaySeconds");
    q->max_message_size = effective_int(q, "MaximumMessageSize");
    q->retention_s = effective_int(q, "MessageRetentionPeriod");
    q->receive_wait_s = effective_int(q, "ReceiveMessageWaitTimeSeconds");
    q->visibility_s = effective_int(q, "VisibilityTimeout");
    free(q->dead_letter_arn);
    q->dead_letter_arn = NULL;
    q->max_receive_count = 0;
    const cJSON *redrive = cJSON_GetObjectItemCaseSensitive(q->attributes, "RedrivePolicy");
    if (cJSON_IsString(redrive)) {
        cJSON *doc = cJSON_Parse(redrive->valuestring);
        const cJSON *target = cJSON_GetObjectItemCaseSensitive(doc, "deadLetterTargetArn");
        const cJSON *count = cJSON_GetObjectItemCaseSensitive(doc, "maxReceiveCount");
        if (cJSON_IsString(target) && cJSON_IsNumber(count)) {
            q->dead_letter_arn = xstrdup(target->valuestring);
            q->max_receive_count = (int)count->valuedouble;
        }
        cJSON_Delete(doc);
    }
}

char *queue_attrs_effective(const sqs_queue *q, const char *name)
{
    const attr_def *def = find_attr(name);
    if (!def || (def->fifo_only && !q->fifo))
        return NULL;
    if (strcmp(name, "FifoQueue") == 0)
        return xstrdup("true");
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(q->attributes, name);
    if (cJSON_IsString(set))
        return xstrdup(set->valuestring);
    if (strcmp(name, "SqsManagedSseEnabled") == 0 && cJSON_GetObjectItemCaseSensitive(q->attributes, "KmsMasterKeyId"))
        return xstrdup("false");
    return def->default_value ? xstrdup(def->default_value) : NULL;
}

static void add_int_string(cJSON *out, const char *name, int64_t value)
{
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)value);
    cJSON_AddStringToObject(out, name, text);
}

static void add_attribute(const sqs_queue *q, const attr_def *def, const message_counts *counts, cJSON *out)
{
    const char *name = def->name;
    if (cJSON_GetObjectItemCaseSensitive(out, name))
        return;
    if (strcmp(name, "ApproximateNumberOfMessages") == 0)
        add_int_string(out, name, counts->visible);
    else if (strcmp(name, "ApproximateNumberOfMessagesNotVisible") == 0)
        add_int_string(out, name, counts->in_flight);
    else if (strcmp(name, "ApproximateNumberOfMessagesDelayed") == 0)
        add_int_string(out, name, counts->delayed);
    else if (strcmp(name, "CreatedTimestamp") == 0)
        add_int_string(out, name, q->created_s);
    else if (strcmp(name, "LastModifiedTimestamp") == 0)
        add_int_string(out, name, q->modified_s);
    else if (strcmp(name, "QueueArn") == 0)
        cJSON_AddStringToObject(out, name, q->arn);
    else {
        char *v = queue_attrs_effective(q, name);
        if (v)
            cJSON_AddStringToObject(out, name, v);
        free(v);
    }
}

bool queue_attrs_list(const sqs_queue *q, const cJSON *names, int64_t now_ms, cJSON *out, sqs_error *err)
{
    bool all = false;
    const cJSON *item;
    cJSON_ArrayForEach(item, names)
    {
        const char *name = cJSON_IsString(item) ? item->valuestring : "";
        if (strcmp(name, "All") == 0) {
            all = true;
            continue;
        }
        const attr_def *def = find_attr(name);
        if (!def)
            return sqs_fail(err, SQS_ERR_INVALID_ATTRIBUTE_NAME, "Unknown Attribute %s.", name);
    }
    message_counts counts = {0, 0, 0};
    if (!store_messages_count(q->id, now_ms, now_ms - (int64_t)q->retention_s * 1000, &counts))
        return sqs_fail(err, SQS_ERR_INTERNAL, "The request processing has failed because of an unknown error.");
    for (size_t i = 0; i < ATTR_COUNT; i++) {
        const attr_def *def = &attr_table[i];
        if (def->fifo_only && !q->fifo)
            continue;
        bool wanted = all;
        cJSON_ArrayForEach(item, names)
        {
            if (cJSON_IsString(item) && strcmp(item->valuestring, def->name) == 0)
                wanted = true;
        }
        if (wanted)
            add_attribute(q, def, &counts, out);
    }
    return true;
}
