/* lambda/mapping_settings.h: the rules of an SQS event-source mapping's settings, and what
 * its scaling settings mean for the poller (mapping_settings.c). */
#ifndef SQSEMU_LAMBDA_MAPPING_SETTINGS_H
#define SQSEMU_LAMBDA_MAPPING_SETTINGS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "mapping.h"
#include "sqsemu/lambda_error.h"

/* A ValidationException of a number out of range: "Member must have value <relation> <bound>". */
bool mapping_range_error(lambda_error *err, long value, const char *path, const char *relation, long bound);
/* The request's members against the API model: types, ranges, enums, lengths. */
bool mapping_check_model(const cJSON *in, lambda_error *err);
/* The batching rules that depend on the queue type, on the merged configuration. */
bool mapping_check_batching(const cJSON *merged, bool fifo, bool window_given, lambda_error *err);
bool mapping_check_destination(const cJSON *in, lambda_error *err);
/* ScalingConfig, ProvisionedPollerConfig and MetricsConfig on the merged configuration. */
bool mapping_check_scaling(const cJSON *merged, lambda_error *err);

/* How many batches the mapping's poller may have in flight at once: ScalingConfig's
 * MaximumConcurrency, or in provisioned mode MaximumPollers x 10, or the default. */
int mapping_max_batches(const mapping *m);

#endif
