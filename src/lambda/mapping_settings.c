/* lambda/mapping_settings: the rules of an SQS event-source mapping's settings (moved out
 * of mappings.c, which applies them) and what the scaling settings mean for the poller.
 *
 * Scaling. AWS offers two mutually exclusive ways to scale an SQS mapping (Lambda developer
 * guide, "Configuring scaling behavior for SQS event source mappings"): ScalingConfig's
 * MaximumConcurrency (2..1000 concurrent invocations), or provisioned mode, where
 * ProvisionedPollerConfig sets how many event pollers are kept: MinimumPollers 2..200
 * (default 2) and MaximumPollers 2..10000 (default 200), the minimum not above the
 * maximum, each poller driving up to 10 concurrent invocations. sqsemu's poller is one
 * event-driven loop per mapping that receives whenever it has room, so the pollers are not
 * processes: in provisioned mode the room is MaximumPollers x 10 batches at once from the
 * start (the minimum is always met, since the loop never scales down), and the function's
 * reserved concurrency still caps it (poller.c).
 *
 * MetricsConfig. Metrics lists what the mapping publishes; SQS mappings support only
 * EventCount (the other values of the enum are Kafka's). */
#include <stdlib.h>
#include <string.h>

#include "mapping_settings.h"
#include "settings.h"

#define POLLERS_MIN 2
#define MIN_POLLERS_MAX 200
#define MAX_POLLERS_MAX 10000
#define MIN_POLLERS_DEFAULT 2
#define MAX_POLLERS_DEFAULT 200
#define INVOKES_PER_POLLER 10

bool mapping_range_error(lambda_error *err, long value, const char *path, const char *relation, long bound)
{
    return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                       "1 validation error detected: Value '%ld' at '%s' failed to satisfy constraint: Member must have "
                       "value %s %ld", value, path, relation, bound);
}

static bool check_int(const cJSON *in, const char *member, const char *path, long min, long max, lambda_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, member);
    if (!v || cJSON_IsNull(v))
        return true;
    if (!cJSON_IsNumber(v) || v->valuedouble > 1e15 || v->valuedouble < -1e15 ||
        v->valuedouble != (double)(long)v->valuedouble)
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT, "Unexpected value type for member %s", member);
    long value = (long)v->valuedouble;
    if (value < min)
        return mapping_range_error(err, value, path, "greater than or equal to", min);
    if (value > max)
        return mapping_range_error(err, value, path, "less than or equal to", max);
    return true;
}

bool mapping_check_model(const cJSON *in, lambda_error *err)
{
    if (!check_int(in, "BatchSize", "batchSize", 1, 10000, err) ||
        !check_int(in, "MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", 0, 300, err) ||
        !check_int(cJSON_GetObjectItemCaseSensitive(in, "ScalingConfig"), "MaximumConcurrency",
                   "scalingConfig.maximumConcurrency", 2, 1000, err))
        return false;
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(in, "FunctionResponseTypes");
    if (types && !cJSON_IsNull(types)) {
        char *text = cJSON_PrintUnformatted(types);
        bool ok = cJSON_IsArray(types) && cJSON_GetArraySize(types) <= 1;
        const cJSON *t;
        cJSON_ArrayForEach(t, types) ok = ok && cJSON_IsString(t) && strcmp(t->valuestring, "ReportBatchItemFailures") == 0;
        if (!ok)
            lambda_fail(err, LAMBDA_ERR_VALIDATION,
                        "1 validation error detected: Value '%s' at 'functionResponseTypes' failed to satisfy "
                        "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
                        "[ReportBatchItemFailures]]", text);
        free(text);
        if (!ok)
            return false;
    }
    const cJSON *filters = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(in, "FilterCriteria"),
                                                            "Filters");
    const cJSON *f;
    cJSON_ArrayForEach(f, filters)
    {
        const char *pattern = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "Pattern"));
        if (pattern && strlen(pattern) > 4096)
            return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                               "1 validation error detected: Value '%.64s...' at 'filterCriteria.filters.1.member.pattern' "
                               "failed to satisfy constraint: Member must have length less than or equal to 4096",
                               pattern);
    }
    return true;
}

bool mapping_check_batching(const cJSON *merged, bool fifo, bool window_given, lambda_error *err)
{
    long batch = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(merged, "BatchSize"));
    long window = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(merged, "MaximumBatchingWindowInSeconds"));
    if (fifo) {
        if (window_given && window > 0)
            return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER, "Batching window is not supported for FIFO queues");
        if (batch > 10)
            return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER, "Batch size for FIFO queues must be between 1 and 10");
        return true;
    }
    if (batch > 10 && window <= 0)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater "
                           "than 10");
    return true;
}

bool mapping_check_destination(const cJSON *in, lambda_error *err)
{
    const cJSON *dest = cJSON_GetObjectItemCaseSensitive(in, "DestinationConfig");
    if (cJSON_GetObjectItemCaseSensitive(dest, "OnSuccess") || cJSON_GetObjectItemCaseSensitive(dest, "OnFailure"))
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Unsupported DestinationConfig parameter for given event source mapping type.");
    return true;
}

static const cJSON *given(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return v && !cJSON_IsNull(v) ? v : NULL;
}

static bool check_pollers(const cJSON *pollers, lambda_error *err)
{
    if (!cJSON_IsObject(pollers))
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT, "Unexpected value type for member ProvisionedPollerConfig");
    if (!check_int(pollers, "MinimumPollers", "provisionedPollerConfig.minimumPollers", 1, MIN_POLLERS_MAX, err) ||
        !check_int(pollers, "MaximumPollers", "provisionedPollerConfig.maximumPollers", 1, MAX_POLLERS_MAX, err))
        return false;
    if (given(pollers, "PollerGroupName"))
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "PollerGroupName is not supported for Amazon SQS event sources: poller groups are for "
                           "Amazon MSK and self-managed Apache Kafka.");
    const cJSON *min = given(pollers, "MinimumPollers"), *max = given(pollers, "MaximumPollers");
    long low = min ? (long)min->valuedouble : MIN_POLLERS_DEFAULT;
    long high = max ? (long)max->valuedouble : MAX_POLLERS_DEFAULT;
    if (low < POLLERS_MIN || high < POLLERS_MIN)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "ProvisionedPollerConfig for an Amazon SQS event source needs MinimumPollers and "
                           "MaximumPollers of at least %d (got MinimumPollers %ld, MaximumPollers %ld).",
                           POLLERS_MIN, low, high);
    if (low > high)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "ProvisionedPollerConfig MinimumPollers (%ld) must be less than or equal to "
                           "MaximumPollers (%ld).", low, high);
    return true;
}

static bool check_metrics(const cJSON *config, lambda_error *err)
{
    if (!cJSON_IsObject(config))
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT, "Unexpected value type for member MetricsConfig");
    const cJSON *metrics = given(config, "Metrics");
    if (!metrics)
        return true;
    static const char *const known[] = {"EventCount", "ErrorCount", "KafkaMetrics"};
    bool ok = cJSON_IsArray(metrics) && cJSON_GetArraySize(metrics) <= 3;
    const cJSON *m;
    cJSON_ArrayForEach(m, metrics)
    {
        bool listed = false;
        for (size_t i = 0; i < 3 && cJSON_IsString(m); i++)
            listed = listed || strcmp(m->valuestring, known[i]) == 0;
        ok = ok && listed;
    }
    if (!ok) {
        char *text = cJSON_PrintUnformatted(metrics);
        lambda_fail(err, LAMBDA_ERR_VALIDATION,
                    "1 validation error detected: Value '%.200s' at 'metricsConfig.metrics' failed to satisfy "
                    "constraint: Member must satisfy constraint: [Member must satisfy enum value set: [EventCount, "
                    "ErrorCount, KafkaMetrics]]", text);
        free(text);
        return false;
    }
    cJSON_ArrayForEach(m, metrics)
    {
        if (strcmp(m->valuestring, "EventCount") != 0)
            return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                               "Unsupported MetricsConfig metric %s for Amazon SQS event sources: only EventCount "
                               "is supported.", m->valuestring);
    }
    return true;
}

bool mapping_check_scaling(const cJSON *merged, lambda_error *err)
{
    const cJSON *pollers = given(merged, "ProvisionedPollerConfig");
    const cJSON *metrics = given(merged, "MetricsConfig");
    if ((pollers && !check_pollers(pollers, err)) || (metrics && !check_metrics(metrics, err)))
        return false;
    if (pollers && given(given(merged, "ScalingConfig"), "MaximumConcurrency"))
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "ScalingConfig.MaximumConcurrency and ProvisionedPollerConfig are mutually exclusive: an "
                           "Amazon SQS event source mapping uses either maximum concurrency or provisioned mode. "
                           "Remove one of them (an empty object removes a setting).");
    return true;
}

int mapping_max_batches(const mapping *m)
{
    const cJSON *pollers = given(m->record, "ProvisionedPollerConfig");
    if (pollers) {
        const cJSON *max = given(pollers, "MaximumPollers");
        return (max ? (int)max->valuedouble : MAX_POLLERS_DEFAULT) * INVOKES_PER_POLLER;
    }
    const cJSON *concurrency = given(given(m->record, "ScalingConfig"), "MaximumConcurrency");
    return concurrency ? (int)concurrency->valuedouble : lambda_config()->default_concurrency;
}
