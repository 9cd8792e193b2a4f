/* cfn/resource_sqs: AWS::SQS::Queue, AWS::SQS::QueuePolicy and AWS::SQS::QueueInlinePolicy,
 * through sqs_service_call (AWS CloudFormation User Guide, resource type reference,
 * "AWS::SQS::Queue", "AWS::SQS::QueuePolicy", "AWS::SQS::QueueInlinePolicy").
 *
 * A queue's Ref is its URL; Fn::GetAtt gives Arn, QueueName and QueueUrl. QueueName and
 * FifoQueue are "Update requires: Replacement"; every other property is updated in place
 * with SetQueueAttributes, a property removed from the template going back to SQS's
 * default, and the tags are diffed (TagQueue/UntagQueue). Without QueueName the queue is
 * named as CloudFormation names it: <stack>-<logicalId>-<13 random characters>, at most
 * 80 characters with ".fifo" for a FIFO queue. A queue policy sets the Policy attribute of
 * each queue it names and clears it when deleted; its Ref is the physical id CloudFormation
 * generates for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource_props.h"
#include "resource_service.h"
#include "sqsemu/buf.h"
#include "sqsemu/ids.h"
#include "sqsemu/json.h"

#define QUEUE_NAME_MAX 80

static const prop_spec tag_fields[] = {
    {.name = "Key", .type = PROP_STRING, .required = true},
    {.name = "Value", .type = PROP_STRING, .required = true},
    {0},
};
static const prop_spec tag_item = {.name = "", .type = PROP_OBJECT, .fields = tag_fields};

static const prop_spec queue_specs[] = {
    {.name = "QueueName", .type = PROP_STRING, .replace = true},
    {.name = "FifoQueue", .type = PROP_BOOLEAN, .replace = true},
    {.name = "ContentBasedDeduplication", .type = PROP_BOOLEAN},
    {.name = "DeduplicationScope", .type = PROP_STRING},
    {.name = "FifoThroughputLimit", .type = PROP_STRING},
    {.name = "DelaySeconds", .type = PROP_INTEGER},
    {.name = "MaximumMessageSize", .type = PROP_INTEGER},
    {.name = "MessageRetentionPeriod", .type = PROP_INTEGER},
    {.name = "ReceiveMessageWaitTimeSeconds", .type = PROP_INTEGER},
    {.name = "VisibilityTimeout", .type = PROP_INTEGER},
    {.name = "RedrivePolicy", .type = PROP_JSON},
    {.name = "RedriveAllowPolicy", .type = PROP_JSON},
    {.name = "KmsMasterKeyId", .type = PROP_STRING},
    {.name = "KmsDataKeyReusePeriodSeconds", .type = PROP_INTEGER},
    {.name = "SqsManagedSseEnabled", .type = PROP_BOOLEAN},
    {.name = "Tags", .type = PROP_LIST, .items = &tag_item},
    {0},
};

/* The attributes a property sets, and the value that stands for "not set" (SQS's default)
 * when an update removes it; fifo_only: only a FIFO queue has it. */
static const struct {
    const char *name;
    const char *reset;
    bool fifo_only;
} queue_attributes[] = {
    {"ContentBasedDeduplication", "false", true},
    {"DeduplicationScope", "queue", true},
    {"FifoThroughputLimit", "perQueue", true},
    {"DelaySeconds", "0", false},
    {"MaximumMessageSize", "1048576", false},
    {"MessageRetentionPeriod", "345600", false},
    {"ReceiveMessageWaitTimeSeconds", "0", false},
    {"VisibilityTimeout", "30", false},
    {"RedrivePolicy", "", false},
    {"RedriveAllowPolicy", "", false},
    {"KmsMasterKeyId", "", false},
    {"KmsDataKeyReusePeriodSeconds", "300", false},
    {"SqsManagedSseEnabled", NULL, false}, /* set back to true after KmsMasterKeyId */
};
#define QUEUE_ATTRIBUTE_COUNT (sizeof queue_attributes / sizeof queue_attributes[0])

/* The SQS attribute value of a normalized property: JSON documents as their text. */
static char *attribute_text(const cJSON *v)
{
    if (cJSON_IsString(v))
        return xstrdup(v->valuestring);
    if (cJSON_IsBool(v))
        return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v)) {
        char text[32];
        snprintf(text, sizeof text, "%lld", (long long)v->valuedouble);
        return xstrdup(text);
    }
    return cJSON_PrintUnformatted(v);
}

/* The Attributes map of CreateQueue/SetQueueAttributes for props; with old (an update),
 * properties that old had and props has not go back to their defaults. */
static cJSON *queue_attribute_map(const cJSON *props, const cJSON *old, bool fifo)
{
    cJSON *attrs = cJSON_CreateObject();
    for (size_t i = 0; i < QUEUE_ATTRIBUTE_COUNT; i++) {
        const char *name = queue_attributes[i].name;
        if (queue_attributes[i].fifo_only && !fifo)
            continue;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, name);
        if (v) {
            char *text = attribute_text(v);
            cJSON_AddStringToObject(attrs, name, text);
            free(text);
        } else if (old && cJSON_GetObjectItemCaseSensitive(old, name)) {
            cJSON_AddStringToObject(attrs, name, queue_attributes[i].reset ? queue_attributes[i].reset : "true");
        }
    }
    if (fifo && !old)
        cJSON_AddStringToObject(attrs, "FifoQueue", "true");
    return attrs;
}

static bool queue_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    cJSON *props = props_normalize(r, queue_specs, err);
    if (!props)
        return false;
    bool fifo = props_bool(props, "FifoQueue", false);
    char *name = props_string(props, "QueueName") ? xstrdup(props_string(props, "QueueName"))
                                                  : props_generated_name(r, QUEUE_NAME_MAX, fifo ? ".fifo" : "");
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "QueueName", name);
    cJSON_AddItemToObject(in, "Attributes", queue_attribute_map(props, NULL, fifo));
    cJSON_AddItemToObject(in, "tags", props_tag_map(props));
    cJSON *out = NULL;
    bool ok = resource_sqs(r, "CreateQueue", in, &out, false, err);
    cJSON_Delete(in);
    const char *url = props_string(out, "QueueUrl");
    cJSON *attrs_out = NULL;
    if (ok) {
        in = cJSON_CreateObject();
        cJSON_AddStringToObject(in, "QueueUrl", url);
        cJSON_AddItemToObject(in, "AttributeNames", cJSON_CreateStringArray((const char *[]){"QueueArn"}, 1));
        ok = resource_sqs(r, "GetQueueAttributes", in, &attrs_out, false, err);
        cJSON_Delete(in);
    }
    if (ok) {
        *state = props_state_new(url, url);
        props_state_attr(*state, "Arn", props_string(cJSON_GetObjectItemCaseSensitive(attrs_out, "Attributes"), "QueueArn"));
        props_state_attr(*state, "QueueName", name);
        props_state_attr(*state, "QueueUrl", url);
    }
    cJSON_Delete(attrs_out);
    cJSON_Delete(out);
    cJSON_Delete(props);
    free(name);
    return ok;
}

static bool queue_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    return props_replacement_needed(old_properties, r, queue_specs);
}

/* TagQueue with the new tags, UntagQueue with the keys that are gone. */
static bool queue_update_tags(const cfn_resource *r, const char *url, const cJSON *old, const cJSON *props,
                              cfn_error *err)
{
    cJSON *before = props_tag_map(old);
    cJSON *after = props_tag_map(props);
    cJSON *gone = cJSON_CreateArray();
    const cJSON *tag;
    cJSON_ArrayForEach(tag, before)
        if (!cJSON_GetObjectItemCaseSensitive(after, tag->string))
            cJSON_AddItemToArray(gone, cJSON_CreateString(tag->string));
    bool ok = true;
    if (cJSON_GetArraySize(gone) > 0) {
        cJSON *in = cJSON_CreateObject();
        cJSON_AddStringToObject(in, "QueueUrl", url);
        cJSON_AddItemToObject(in, "TagKeys", gone);
        gone = NULL;
        ok = resource_sqs(r, "UntagQueue", in, NULL, false, err);
        cJSON_Delete(in);
    }
    if (ok && cJSON_GetArraySize(after) > 0 && !cJSON_Compare(before, after, true)) {
        cJSON *in = cJSON_CreateObject();
        cJSON_AddStringToObject(in, "QueueUrl", url);
        cJSON_AddItemToObject(in, "Tags", after);
        after = NULL;
        ok = resource_sqs(r, "TagQueue", in, NULL, false, err);
        cJSON_Delete(in);
    }
    cJSON_Delete(gone);
    cJSON_Delete(before);
    cJSON_Delete(after);
    return ok;
}

static bool set_attributes(const cfn_resource *r, const char *url, const cJSON *attrs, cfn_error *err)
{
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "QueueUrl", url);
    cJSON_AddItemToObject(in, "Attributes", cJSON_Duplicate(attrs, true));
    bool ok = resource_sqs(r, "SetQueueAttributes", in, NULL, false, err);
    cJSON_Delete(in);
    return ok;
}

static bool queue_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    cJSON *props = props_normalize(r, queue_specs, err);
    if (!props)
        return false;
    cJSON *old = props_normalize_quiet(old_properties, queue_specs);
    if (!old)
        old = cJSON_CreateObject();
    const char *url = props_state_string(state, "PhysicalResourceId");
    bool fifo = props_bool(props, "FifoQueue", false);
    cJSON *attrs = queue_attribute_map(props, old, fifo);
    bool ok = true;
    if (cJSON_GetArraySize(attrs) > 0) {
        /* KMS goes first: turning it off lets SqsManagedSseEnabled come back after. */
        cJSON *sse = NULL;
        if (props_string(attrs, "KmsMasterKeyId"))
            sse = cJSON_DetachItemFromObjectCaseSensitive(attrs, "SqsManagedSseEnabled");
        ok = set_attributes(r, url, attrs, err);
        if (ok && sse) {
            cJSON *rest = cJSON_CreateObject();
            cJSON_AddItemToObject(rest, "SqsManagedSseEnabled", sse);
            sse = NULL;
            ok = set_attributes(r, url, rest, err);
            cJSON_Delete(rest);
        }
        cJSON_Delete(sse);
    }
    cJSON_Delete(attrs);
    ok = ok && queue_update_tags(r, url, old, props, err);
    cJSON_Delete(old);
    cJSON_Delete(props);
    return ok;
}

static bool queue_remove(const cfn_resource *r, const cJSON *state, cfn_error *err)
{
    const char *url = props_state_string(state, "PhysicalResourceId");
    if (!url)
        return true;
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "QueueUrl", url);
    bool ok = resource_sqs(r, "DeleteQueue", in, NULL, true, err);
    cJSON_Delete(in);
    return ok;
}

const cfn_provider cfn_sqs_queue_provider = {
    .type = "AWS::SQS::Queue",
    .create = queue_create,
    .needs_replacement = queue_needs_replacement,
    .update = queue_update,
    .remove = queue_remove,
};

/* ---- AWS::SQS::QueuePolicy and AWS::SQS::QueueInlinePolicy ---- */

static const prop_spec queue_policy_specs[] = {
    {.name = "PolicyDocument", .type = PROP_JSON, .required = true},
    {.name = "Queues", .type = PROP_LIST, .required = true, .items = &(const prop_spec){.name = "", .type = PROP_STRING}},
    {0},
};

static const prop_spec queue_inline_policy_specs[] = {
    {.name = "PolicyDocument", .type = PROP_JSON, .required = true},
    {.name = "Queue", .type = PROP_STRING, .required = true, .replace = true},
    {0},
};

/* Sets (policy non-NULL) or clears the Policy attribute of one queue. */
static bool set_policy(const cfn_resource *r, const char *url, const cJSON *policy, bool missing_ok, cfn_error *err)
{
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "QueueUrl", url);
    cJSON *attrs = cJSON_AddObjectToObject(in, "Attributes");
    char *text = policy ? cJSON_PrintUnformatted(policy) : NULL;
    cJSON_AddStringToObject(attrs, "Policy", text ? text : "");
    free(text);
    bool ok = resource_sqs(r, "SetQueueAttributes", in, NULL, missing_ok, err);
    cJSON_Delete(in);
    return ok;
}

/* The queues a policy's properties name (Queues, or the one Queue), as a new array. */
static cJSON *policy_queues(const cJSON *props)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(props, "Queues");
    if (list)
        return cJSON_Duplicate(list, true);
    cJSON *one = cJSON_CreateArray();
    if (props_string(props, "Queue"))
        cJSON_AddItemToArray(one, cJSON_CreateString(props_string(props, "Queue")));
    return one;
}

static bool apply_policy(const cfn_resource *r, const prop_spec *specs, const cJSON *old_properties, cfn_error *err)
{
    cJSON *props = props_normalize(r, specs, err);
    if (!props)
        return false;
    cJSON *queues = policy_queues(props);
    bool ok = true;
    const cJSON *url;
    cJSON_ArrayForEach(url, queues)
        if (ok)
            ok = set_policy(r, url->valuestring, cJSON_GetObjectItemCaseSensitive(props, "PolicyDocument"), false, err);
    cJSON *old = old_properties ? props_normalize_quiet(old_properties, specs) : NULL;
    cJSON *old_queues = old ? policy_queues(old) : NULL;
    cJSON_ArrayForEach(url, old_queues) {
        bool kept = false;
        const cJSON *now;
        cJSON_ArrayForEach(now, queues)
            kept = kept || strcmp(now->valuestring, url->valuestring) == 0;
        if (ok && !kept)
            ok = set_policy(r, url->valuestring, NULL, true, err);
    }
    cJSON_Delete(old_queues);
    cJSON_Delete(old);
    cJSON_Delete(queues);
    cJSON_Delete(props);
    return ok;
}

static bool policy_create_with(const cfn_resource *r, const prop_spec *specs, cJSON **state, cfn_error *err)
{
    if (!apply_policy(r, specs, NULL, err))
        return false;
    char *id = props_generated_name(r, 255, "");
    *state = props_state_new(id, id);
    free(id);
    cJSON *props = props_normalize_quiet(r->properties, specs);
    cJSON_AddItemToObject(*state, "Queues", policy_queues(props));
    cJSON_Delete(props);
    return true;
}

static bool policy_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err,
                          const prop_spec *specs)
{
    if (!apply_policy(r, specs, old_properties, err))
        return false;
    cJSON *props = props_normalize_quiet(r->properties, specs);
    json_set_owned(state, "Queues", policy_queues(props));
    cJSON_Delete(props);
    return true;
}

static bool policy_remove(const cfn_resource *r, const cJSON *state, cfn_error *err)
{
    const cJSON *url;
    cJSON_ArrayForEach(url, cJSON_GetObjectItemCaseSensitive(state, "Queues"))
        if (cJSON_IsString(url) && !set_policy(r, url->valuestring, NULL, true, err))
            return false;
    return true;
}

static bool queue_policy_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    return policy_create_with(r, queue_policy_specs, state, err);
}

static bool queue_policy_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    return props_replacement_needed(old_properties, r, queue_policy_specs);
}

static bool queue_policy_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    return policy_update(r, old_properties, state, err, queue_policy_specs);
}

const cfn_provider cfn_sqs_queue_policy_provider = {
    .type = "AWS::SQS::QueuePolicy",
    .create = queue_policy_create,
    .needs_replacement = queue_policy_needs_replacement,
    .update = queue_policy_update,
    .remove = policy_remove,
};

static bool inline_policy_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    return policy_create_with(r, queue_inline_policy_specs, state, err);
}

static bool inline_policy_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    return props_replacement_needed(old_properties, r, queue_inline_policy_specs);
}

static bool inline_policy_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    return policy_update(r, old_properties, state, err, queue_inline_policy_specs);
}

const cfn_provider cfn_sqs_queue_inline_policy_provider = {
    .type = "AWS::SQS::QueueInlinePolicy",
    .create = inline_policy_create,
    .needs_replacement = inline_policy_needs_replacement,
    .update = inline_policy_update,
    .remove = policy_remove,
};
