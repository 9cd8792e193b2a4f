/* cfn/resource_lambda_mapping: AWS::Lambda::EventSourceMapping for SQS queues, through
 * lambda_service_call (AWS CloudFormation User Guide, resource type reference,
 * "AWS::Lambda::EventSourceMapping").
 *
 * Create is CreateEventSourceMapping; Ref is the mapping's UUID and Fn::GetAtt gives Id and
 * EventSourceMappingArn. EventSourceArn is "Update requires: Replacement"; everything else
 * is UpdateEventSourceMapping (a setting taken out of the template goes back to Lambda's
 * default), and the tags are diffed. The properties of stream, Kafka, MQ and DocumentDB
 * sources are refused with a message saying so: sqsemu's mappings read SQS queues. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource_props.h"
#include "resource_service.h"
#include "sqsemu/buf.h"
#include "sqsemu/json.h"

static const prop_spec string_item = {.name = "", .type = PROP_STRING};
static const prop_spec tag_fields[] = {
    {.name = "Key", .type = PROP_STRING, .required = true},
    {.name = "Value", .type = PROP_STRING},
    {0},
};
static const prop_spec tag_item = {.name = "", .type = PROP_OBJECT, .fields = tag_fields};
static const prop_spec filter_fields[] = {{.name = "Pattern", .type = PROP_STRING}, {0}};
static const prop_spec filter_item = {.name = "", .type = PROP_OBJECT, .fields = filter_fields};
static const prop_spec criteria_fields[] = {{.name = "Filters", .type = PROP_LIST, .items = &filter_item}, {0}};
static const prop_spec scaling_fields[] = {{.name = "MaximumConcurrency", .type = PROP_INTEGER}, {0}};
static const prop_spec pollers_fields[] = {
    {.name = "MinimumPollers", .type = PROP_INTEGER},
    {.name = "MaximumPollers", .type = PROP_INTEGER},
    {.name = "PollerGroupName", .type = PROP_STRING},
    {0},
};
static const prop_spec metrics_fields[] = {{.name = "Metrics", .type = PROP_LIST, .items = &string_item}, {0}};

static const prop_spec mapping_specs[] = {
    {.name = "EventSourceArn", .type = PROP_STRING, .required = true, .replace = true},
    {.name = "FunctionName", .type = PROP_STRING, .required = true},
    {.name = "BatchSize", .type = PROP_INTEGER},
    {.name = "Enabled", .type = PROP_BOOLEAN},
    {.name = "MaximumBatchingWindowInSeconds", .type = PROP_INTEGER},
    {.name = "FunctionResponseTypes", .type = PROP_LIST, .items = &string_item},
    {.name = "FilterCriteria", .type = PROP_OBJECT, .fields = criteria_fields},
    {.name = "ScalingConfig", .type = PROP_OBJECT, .fields = scaling_fields},
    {.name = "ProvisionedPollerConfig", .type = PROP_OBJECT, .fields = pollers_fields},
    {.name = "MetricsConfig", .type = PROP_OBJECT, .fields = metrics_fields},
    {.name = "KmsKeyArn", .type = PROP_STRING},
    {.name = "Tags", .type = PROP_LIST, .items = &tag_item},
    {0},
};

/* Properties of the other event sources (streams, Kafka, MQ, DocumentDB). */
static const char *const other_sources[] = {
    "StartingPosition", "StartingPositionTimestamp", "ParallelizationFactor", "MaximumRecordAgeInSeconds",
    "MaximumRetryAttempts", "BisectBatchOnFunctionError", "DestinationConfig", "TumblingWindowInSeconds", "Topics",
    "Queues", "SourceAccessConfigurations", "SelfManagedEventSource", "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig", "DocumentDBEventSourceConfig", NULL,
};

/* The settings UpdateEventSourceMapping takes, and what stands for "not set". */
static const struct {
    const char *name;
    const char *reset_json;
} settings[] = {
    {"FunctionName", NULL},
    {"BatchSize", "10"},
    {"Enabled", "true"},
    {"MaximumBatchingWindowInSeconds", "0"},
    {"FunctionResponseTypes", "[]"},
    {"FilterCriteria", "{}"},
    {"ScalingConfig", "{}"},
    {"ProvisionedPollerConfig", "{}"},
    {"MetricsConfig", "{}"},
    {"KmsKeyArn", NULL},
};
#define SETTING_COUNT (sizeof settings / sizeof settings[0])

static cJSON *normalize(const cfn_resource *r, cfn_error *err)
{
    for (int i = 0; other_sources[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(r->properties, other_sources[i])) {
            props_validation_fail(err, r,
                                  "#/%s: sqsemu's event-source mappings read SQS queues only; %s is a property of "
                                  "stream, Kafka, MQ or DocumentDB sources",
                                  other_sources[i], other_sources[i]);
            return NULL;
        }
    return props_normalize(r, mapping_specs, err);
}

/* The body of Create/UpdateEventSourceMapping; with old, removed settings are reset. */
static cJSON *settings_body(const cJSON *props, const cJSON *old)
{
    cJSON *body = cJSON_CreateObject();
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const char *api_name = strcmp(settings[i].name, "KmsKeyArn") == 0 ? "KMSKeyArn" : settings[i].name;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, settings[i].name);
        if (v)
            cJSON_AddItemToObject(body, api_name, cJSON_Duplicate(v, true));
        else if (old && settings[i].reset_json && cJSON_GetObjectItemCaseSensitive(old, settings[i].name))
            cJSON_AddItemToObject(body, api_name, cJSON_Parse(settings[i].reset_json));
    }
    return body;
}

static bool mapping_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    cJSON *props = normalize(r, err);
    if (!props)
        return false;
    cJSON *body = settings_body(props, NULL);
    cJSON_AddStringToObject(body, "EventSourceArn", props_string(props, "EventSourceArn"));
    props_add_tags(body, props);
    lambda_call c = {.op = LAMBDA_OP_CREATE_MAPPING, .body = body};
    cJSON *out = NULL;
    bool ok = resource_lambda(r, &c, &out, false, err);
    if (ok) {
        const char *uuid = props_string(out, "UUID");
        *state = props_state_new(uuid, uuid);
        props_state_attr(*state, "Id", uuid);
        props_state_attr(*state, "EventSourceMappingArn", props_string(out, "EventSourceMappingArn"));
    }
    cJSON_Delete(out);
    cJSON_Delete(body);
    cJSON_Delete(props);
    return ok;
}

static bool mapping_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    return props_replacement_needed(old_properties, r, mapping_specs);
}

static bool mapping_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    cJSON *props = normalize(r, err);
    if (!props)
        return false;
    cJSON *old = props_normalize_quiet(old_properties, mapping_specs);
    if (!old)
        old = cJSON_CreateObject();
    cJSON *body = settings_body(props, old);
    cJSON *before = settings_body(old, NULL);
    bool ok = true;
    if (!cJSON_Compare(body, before, true)) {
        lambda_call c = {.op = LAMBDA_OP_UPDATE_MAPPING, .name = props_state_string(state, "PhysicalResourceId"),
                         .body = body};
        ok = resource_lambda(r, &c, NULL, false, err);
    }
    ok = ok && resource_lambda_retag(r, props_state_attr_string(state, "EventSourceMappingArn"), old, props, err);
    cJSON_Delete(before);
    cJSON_Delete(body);
    cJSON_Delete(old);
    cJSON_Delete(props);
    return ok;
}

static bool mapping_remove(const cfn_resource *r, const cJSON *state, cfn_error *err)
{
    const char *uuid = props_state_string(state, "PhysicalResourceId");
    if (!uuid)
        return true;
    lambda_call c = {.op = LAMBDA_OP_DELETE_MAPPING, .name = uuid};
    return resource_lambda(r, &c, NULL, true, err);
}

const cfn_provider cfn_lambda_mapping_provider = {
    .type = "AWS::Lambda::EventSourceMapping",
    .create = mapping_create,
    .needs_replacement = mapping_needs_replacement,
    .update = mapping_update,
    .remove = mapping_remove,
};
