/* lambda/event_config: PutFunctionEventInvokeConfig, UpdateFunctionEventInvokeConfig,
 * GetFunctionEventInvokeConfig, DeleteFunctionEventInvokeConfig and
 * ListFunctionEventInvokeConfigs (API 2019-09-25), after AWS's API reference and the
 * developer guide's "Configuring error handling for asynchronous invocation".
 *
 * A function has one configuration per qualifier ($LATEST, later a version or an alias).
 * They live in the function's stored record, under "EventInvokeConfigs" keyed by
 * qualifier, so they are written in the call's transaction (the record is guarded with
 * tx_guard_json, so a rollback puts it back), survive a restart, and go with the function
 * when it is deleted or reset. No schema change was needed. Each entry keeps the members
 * that were set (MaximumRetryAttempts, MaximumEventAgeInSeconds), the DestinationConfig
 * and LastModifiedMs; answers show LastModified as epoch seconds (the REST-JSON protocol's
 * timestamp). Put replaces the whole entry, Update merges the members it is given. */
#include "event_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "function_validate.h"
#include "sqsemu/buf.h"
#include "sqsemu/codec.h"
#include "sqsemu/json.h"
#include "sqsemu/tx.h"

#define CONFIGS_MEMBER "EventInvokeConfigs"
#define DESTINATION_MAX 350
#define QUALIFIER_MAX 128
#define LIST_PAGE_MAX 50

/* ---- reading ---- */

/* The function that holds the configurations: the unqualified one of f's name. */
static const lambda_function *holder_of(const lambda_function *f)
{
    const lambda_function *base = functions_find(f->account, f->region, f->name);
    return base ? base : f;
}

static const cJSON *config_of(const lambda_function *f, const char *qualifier)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f->record, CONFIGS_MEMBER), qualifier);
}

static const char *destination_of(const cJSON *config, const char *which)
{
    const cJSON *dc = cJSON_GetObjectItemCaseSensitive(config, "DestinationConfig");
    const char *arn = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(dc, which), "Destination"));
    return arn && *arn ? arn : NULL;
}

async_settings event_config_settings(const lambda_function *f, const char *qualifier)
{
    async_settings s = {.max_retries = ASYNC_DEFAULT_RETRIES, .max_age_s = ASYNC_DEFAULT_MAX_AGE_S};
    const cJSON *config = config_of(holder_of(f), qualifier && *qualifier ? qualifier : "$LATEST");
    if (!config)
        return s;
    const cJSON *retries = cJSON_GetObjectItemCaseSensitive(config, "MaximumRetryAttempts");
    const cJSON *age = cJSON_GetObjectItemCaseSensitive(config, "MaximumEventAgeInSeconds");
    if (cJSON_IsNumber(retries))
        s.max_retries = retries->valueint;
    if (cJSON_IsNumber(age))
        s.max_age_s = age->valueint;
    s.on_success = destination_of(config, "OnSuccess");
    s.on_failure = destination_of(config, "OnFailure");
    return s;
}

/* ---- checking a request ---- */

static bool check_integer(const cJSON *in, const char *member, const char *path, long min, long max,
                          lambda_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, member);
    if (!v || cJSON_IsNull(v))
        return true;
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long)v->valuedouble)
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT,
                           "Could not parse request body into json: %s must be an integer.", member);
    char text[32], constraint[96];
    snprintf(text, sizeof text, "%ld", (long)v->valuedouble);
    if ((long)v->valuedouble < min) {
        snprintf(constraint, sizeof constraint, "Member must have value greater than or equal to %ld", min);
        return function_validation_error(err, text, path, constraint);
    }
    if ((long)v->valuedouble > max) {
        snprintf(constraint, sizeof constraint, "Member must have value less than or equal to %ld", max);
        return function_validation_error(err, text, path, constraint);
    }
    return true;
}

/* DestinationArn's pattern: "" or arn:aws*:<service>:<region>?:<12 digits>?:<anything>. */
static bool arn_shaped(const char *arn)
{
    if (!*arn)
        return true;
    const char *fields[6];
    size_t lens[6];
    const char *p = arn;
    for (int i = 0; i < 5; i++) {
        const char *colon = strchr(p, ':');
        if (!colon)
            return false;
        fields[i] = p;
        lens[i] = (size_t)(colon - p);
        p = colon + 1;
    }
    fields[5] = p;
    lens[5] = strlen(p);
    if (lens[0] != 3 || strncmp(fields[0], "arn", 3) != 0 || lens[1] < 3 || strncmp(fields[1], "aws", 3) != 0 ||
        lens[2] == 0 || (lens[4] != 0 && lens[4] != 12))
        return false;
    for (size_t i = 0; i < lens[2]; i++) {
        if (!isalnum((unsigned char)fields[2][i]) && fields[2][i] != '-')
            return false;
    }
    for (size_t i = 0; i < lens[4]; i++) {
        if (!isdigit((unsigned char)fields[4][i]))
            return false;
    }
    return true;
}

static bool check_destination(const cJSON *dc, const char *which, const char *path, lambda_error *err)
{
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(dc, which);
    if (!target || cJSON_IsNull(target))
        return true;
    if (!cJSON_IsObject(target))
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT,
                           "Could not parse request body into json: DestinationConfig.%s must be an object.", which);
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(target, "Destination");
    if (!arn || cJSON_IsNull(arn))
        return true;
    if (!cJSON_IsString(arn))
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT,
                           "Could not parse request body into json: DestinationConfig.%s.Destination must be a "
                           "string.", which);
    if (strlen(arn->valuestring) > DESTINATION_MAX)
        return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                           "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must "
                           "have length less than or equal to %d", path, DESTINATION_MAX);
    if (!arn_shaped(arn->valuestring))
        return function_validation_error(err, arn->valuestring, path,
                                         "Member must satisfy regular expression pattern: "
                                         "$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):"
                                         "([a-zA-Z0-9\\-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:"
                                         "(\\d{12})?:(.*)");
    return true;
}

/* The shape of the input: types, ranges and ARN patterns (ValidationException), then that
 * it sets something. */
static bool check_input(const cJSON *in, lambda_error *err)
{
    if (!check_integer(in, "MaximumRetryAttempts", "maximumRetryAttempts", 0, 2, err) ||
        !check_integer(in, "MaximumEventAgeInSeconds", "maximumEventAgeInSeconds", 60, 21600, err))
        return false;
    const cJSON *dc = cJSON_GetObjectItemCaseSensitive(in, "DestinationConfig");
    if (dc && !cJSON_IsNull(dc)) {
        if (!cJSON_IsObject(dc))
            return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT,
                               "Could not parse request body into json: DestinationConfig must be an object.");
        if (!check_destination(dc, "OnSuccess", "destinationConfig.onSuccess.destination", err) ||
            !check_destination(dc, "OnFailure", "destinationConfig.onFailure.destination", err))
            return false;
    }
    static const char *const members[] = {"MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"};
    for (size_t i = 0; i < 3; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, members[i]);
        if (v && !cJSON_IsNull(v))
            return true;
    }
    return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                       "You must specify at least one of error handling or destination setting.");
}

/* What a destination ARN names: sqsemu delivers to SQS queues and Lambda functions only. */
static bool check_target(const lambda_function *f, const char *arn, const char *success_arn,
                         const char *failure_arn, lambda_error *err)
{
    if (!arn || !*arn)
        return true;
    char service[32] = "", region[64] = "", account[16] = "", resource[360] = "";
    sscanf(arn, "arn:%*[^:]:%31[^:]:%63[^:]:%15[^:]:%359s", service, region, account, resource);
    static const struct { const char *service, *what; } unsupported[] = {
        {"sns", "an SNS topic"}, {"events", "an EventBridge event bus"}, {"s3", "an S3 bucket"}};
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
        if (strcmp(service, unsupported[i].service) == 0)
            return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                               "The destination %s is %s: sqsemu only delivers asynchronous invocation records to "
                               "SQS queues and Lambda functions.", arn, unsupported[i].what);
    }
    bool sqs = strcmp(service, "sqs") == 0 && *region && *account && *resource && !strchr(resource, ':');
    bool lambda = strcmp(service, "lambda") == 0 && *region && *account && strncmp(resource, "function:", 9) == 0 &&
                  resource[9] && resource[9] != ':';
    if (lambda) {
        char name[200] = "";
        sscanf(resource + 9, "%199[^:]", name);
        if (strcmp(name, f->name) == 0 && strcmp(account, f->account) == 0 && strcmp(region, f->region) == 0)
            return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                               "You can't specify the function as a destination for itself.");
    }
    if (sqs || lambda)
        return true;
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "The provided destination config DestinationConfig(onSuccess=");
    if (success_arn && *success_arn)
        buf_printf(&b, "OnSuccess(destination=%s)", success_arn);
    else
        buf_puts(&b, "null");
    buf_puts(&b, ", onFailure=");
    if (failure_arn && *failure_arn)
        buf_printf(&b, "OnFailure(destination=%s)", failure_arn);
    else
        buf_puts(&b, "null");
    buf_puts(&b, ") is invalid.");
    lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER, "%s", b.data);
    buf_free(&b);
    return false;
}

static const char *given_destination(const cJSON *dc, const char *which)
{
    return cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(dc, which), "Destination"));
}

static bool check_targets(const lambda_function *f, const cJSON *in, lambda_error *err)
{
    const cJSON *dc = cJSON_GetObjectItemCaseSensitive(in, "DestinationConfig");
    const char *success = given_destination(dc, "OnSuccess"), *failure = given_destination(dc, "OnFailure");
    return check_target(f, success, success, failure, err) && check_target(f, failure, success, failure, err);
}

/* ---- the function and qualifier a call addresses ---- */

typedef struct eic_target {
    lambda_function *f; /* the function holding the configurations */
    char qualifier[QUALIFIER_MAX + 2];
} eic_target;

static bool resolve(const lambda_ctx *ctx, const char *name, const char *qualifier, eic_target *t, lambda_error *err)
{
    if (qualifier && strlen(qualifier) > QUALIFIER_MAX)
        return function_validation_error(err, qualifier, "qualifier",
                                         "Member must have length less than or equal to 128");
    lambda_function *f = functions_resolve(ctx, name, qualifier, true, err);
    if (!f)
        return false;
    function_ref ref;
    function_ref_parse(ctx, name, &ref, NULL); /* resolved above, so it parses */
    const char *q = *ref.qualifier ? ref.qualifier : (qualifier && *qualifier ? qualifier : "$LATEST");
    snprintf(t->qualifier, sizeof t->qualifier, "%s", q);
    t->f = (lambda_function *)holder_of(f);
    return true;
}

/* ---- answers ---- */

static void add_destination(cJSON *dc_out, const cJSON *config, const char *which)
{
    cJSON *target = cJSON_AddObjectToObject(dc_out, which);
    const char *arn = destination_of(config, which);
    if (arn)
        cJSON_AddStringToObject(target, "Destination", arn);
}

static void describe(const lambda_function *f, const char *qualifier, const cJSON *config, cJSON *out)
{
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(config, "LastModifiedMs");
    cJSON_AddNumberToObject(out, "LastModified", cJSON_GetNumberValue(ms) / 1000.0);
    buf_t arn;
    buf_init(&arn);
    buf_printf(&arn, "%s:%s", f->arn, qualifier);
    cJSON_AddStringToObject(out, "FunctionArn", arn.data);
    buf_free(&arn);
    static const char *const numbers[] = {"MaximumRetryAttempts", "MaximumEventAgeInSeconds"};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(config, numbers[i]);
        if (cJSON_IsNumber(v))
            cJSON_AddNumberToObject(out, numbers[i], v->valuedouble);
    }
    cJSON *dc = cJSON_AddObjectToObject(out, "DestinationConfig");
    add_destination(dc, config, "OnSuccess");
    add_destination(dc, config, "OnFailure");
}

static bool missing_config(const eic_target *t, lambda_error *err)
{
    return lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "The function %s:%s doesn't have an EventInvokeConfig", t->f->arn,
                       t->qualifier);
}

/* ---- changes ---- */

/* Copies the members of `in` that are set into config (Update keeps the others). */
static void apply(cJSON *config, const cJSON *in)
{
    static const char *const numbers[] = {"MaximumRetryAttempts", "MaximumEventAgeInSeconds"};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, numbers[i]);
        if (cJSON_IsNumber(v))
            json_set_number(config, numbers[i], (double)(long)v->valuedouble);
    }
    const cJSON *dc = cJSON_GetObjectItemCaseSensitive(in, "DestinationConfig");
    if (!cJSON_IsObject(dc))
        return;
    cJSON *stored = cJSON_GetObjectItemCaseSensitive(config, "DestinationConfig");
    if (!stored)
        stored = cJSON_AddObjectToObject(config, "DestinationConfig");
    static const char *const targets[] = {"OnSuccess", "OnFailure"};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *target = cJSON_GetObjectItemCaseSensitive(dc, targets[i]);
        if (!cJSON_IsObject(target))
            continue;
        cJSON *copy = cJSON_CreateObject();
        const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(target, "Destination"));
        if (arn && *arn)
            cJSON_AddStringToObject(copy, "Destination", arn);
        json_set_owned(stored, targets[i], copy);
    }
}

/* Writes config (owned) as t's configuration, in the call's transaction. */
static bool store_config(const lambda_ctx *ctx, const eic_target *t, cJSON *config, cJSON *out, lambda_error *err)
{
    json_set_number(config, "LastModifiedMs", (double)ctx->now_ms);
    tx_guard_json(&t->f->record);
    cJSON *configs = cJSON_GetObjectItemCaseSensitive(t->f->record, CONFIGS_MEMBER);
    if (!cJSON_IsObject(configs))
        configs = cJSON_AddObjectToObject(t->f->record, CONFIGS_MEMBER);
    json_set_owned(configs, t->qualifier, config);
    if (!function_save(t->f, err))
        return false;
    describe(t->f, t->qualifier, config, out);
    return true;
}

/* ---- the operations ---- */

bool eic_put(const lambda_ctx *ctx, const char *name, const char *qualifier, const cJSON *in, cJSON *out,
             lambda_error *err)
{
    eic_target t;
    if (!check_input(in, err) || !resolve(ctx, name, qualifier, &t, err) || !check_targets(t.f, in, err))
        return false;
    cJSON *config = cJSON_CreateObject();
    apply(config, in);
    if (!cJSON_GetObjectItemCaseSensitive(config, "DestinationConfig"))
        cJSON_AddObjectToObject(config, "DestinationConfig");
    return store_config(ctx, &t, config, out, err);
}

bool eic_update(const lambda_ctx *ctx, const char *name, const char *qualifier, const cJSON *in, cJSON *out,
                lambda_error *err)
{
    eic_target t;
    if (!check_input(in, err) || !resolve(ctx, name, qualifier, &t, err))
        return false;
    const cJSON *existing = config_of(t.f, t.qualifier);
    if (!existing)
        return missing_config(&t, err);
    if (!check_targets(t.f, in, err))
        return false;
    cJSON *config = cJSON_Duplicate(existing, true);
    apply(config, in);
    return store_config(ctx, &t, config, out, err);
}

bool eic_get(const lambda_ctx *ctx, const char *name, const char *qualifier, cJSON *out, lambda_error *err)
{
    eic_target t;
    if (!resolve(ctx, name, qualifier, &t, err))
        return false;
    const cJSON *config = config_of(t.f, t.qualifier);
    if (!config)
        return missing_config(&t, err);
    describe(t.f, t.qualifier, config, out);
    return true;
}

bool eic_delete(const lambda_ctx *ctx, const char *name, const char *qualifier, lambda_error *err)
{
    eic_target t;
    if (!resolve(ctx, name, qualifier, &t, err))
        return false;
    if (!config_of(t.f, t.qualifier))
        return missing_config(&t, err);
    tx_guard_json(&t.f->record);
    cJSON *configs = cJSON_GetObjectItemCaseSensitive(t.f->record, CONFIGS_MEMBER);
    cJSON_DeleteItemFromObjectCaseSensitive(configs, t.qualifier);
    if (cJSON_GetArraySize(configs) == 0)
        cJSON_DeleteItemFromObjectCaseSensitive(t.f->record, CONFIGS_MEMBER);
    return function_save(t.f, err);
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

bool eic_list(const lambda_ctx *ctx, const char *name, const char *marker, const char *max_items, cJSON *out,
              lambda_error *err)
{
    long page = LIST_PAGE_MAX;
    if (max_items) {
        char *end;
        page = strtol(max_items, &end, 10);
        if (!*max_items || *end || page < 1 || page > LIST_PAGE_MAX)
            return function_validation_error(err, max_items, "maxItems", "Member must have value between 1 and 50");
    }
    eic_target t;
    if (!resolve(ctx, name, NULL, &t, err))
        return false;
    const cJSON *configs = cJSON_GetObjectItemCaseSensitive(t.f->record, CONFIGS_MEMBER);
    size_t n = (size_t)cJSON_GetArraySize(configs);
    const cJSON **sorted = xmalloc((n ? n : 1) * sizeof *sorted);
    size_t count = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, configs) sorted[count++] = item;
    qsort(sorted, count, sizeof *sorted, compare_keys);
    size_t start = 0;
    if (marker && *marker) {
        size_t len = 0;
        unsigned char *after = base64_decode(marker, strlen(marker), &len);
        while (after && start < count && strcmp(sorted[start]->string, (const char *)after) <= 0)
            start++;
        free(after);
    }
    cJSON *list = cJSON_AddArrayToObject(out, "FunctionEventInvokeConfigs");
    size_t end = start + (size_t)page < count ? start + (size_t)page : count;
    for (size_t i = start; i < end; i++) {
        cJSON *entry = cJSON_CreateObject();
        describe(t.f, sorted[i]->string, sorted[i], entry);
        cJSON_AddItemToArray(list, entry);
    }
    if (end < count) {
        char *next = base64_encode(sorted[end - 1]->string, strlen(sorted[end - 1]->string));
        cJSON_AddStringToObject(out, "NextMarker", next);
        free(next);
    }
    free(sorted);
    return true;
}
