/* lambda/mappings: the event-source-mapping control plane for SQS sources: Create, Get,
 * Update, Delete, List, with AWS's validation (the rules are in mapping_settings.c) and
 * state transitions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "function.h"
#include "mapping.h"
#include "mapping_settings.h"
#include "poller.h"
#include "tags.h"
#include "sqsemu/buf.h"
#include "sqsemu/codec.h"
#include "sqsemu/json.h"
#include "sqsemu/log.h"
#include "sqsemu/sqs.h"
#include "sqsemu/store.h"
#include "sqsemu/tx.h"

#define MAX_FILTERS 5
#define LIST_PAGE_MAX 100

static mapping *all_mappings;

const char *mapping_string(const mapping *m, const char *member)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m->record, member));
}

long mapping_int(const mapping *m, const char *member)
{
    return (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(m->record, member));
}

bool mapping_enabled(const mapping *m)
{
    const char *state = mapping_string(m, "State");
    return state && strcmp(state, "Enabled") == 0;
}

bool mapping_reports_item_failures(const mapping *m)
{
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(m->record, "FunctionResponseTypes");
    const cJSON *t;
    cJSON_ArrayForEach(t, types)
    {
        if (cJSON_IsString(t) && strcmp(t->valuestring, "ReportBatchItemFailures") == 0)
            return true;
    }
    return false;
}

/* ---- parsed filters ---- */

static void free_filters(mapping *m)
{
    for (size_t i = 0; i < m->filter_count; i++)
        filter_free(m->filters[i]);
    free(m->filters);
    m->filters = NULL;
    m->filter_count = 0;
}

static bool parse_filters(const cJSON *criteria, event_filter ***out, size_t *count, lambda_error *err)
{
    *out = NULL;
    *count = 0;
    const cJSON *filters = cJSON_GetObjectItemCaseSensitive(criteria, "Filters");
    int n = cJSON_GetArraySize(filters);
    if (n > MAX_FILTERS)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER, "The maximum number of filters is %d.", MAX_FILTERS);
    if (n == 0)
        return true;
    event_filter **parsed = xcalloc((size_t)n, sizeof *parsed);
    const cJSON *f;
    size_t i = 0;
    cJSON_ArrayForEach(f, filters)
    {
        const char *pattern = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "Pattern"));
        parsed[i] = pattern ? filter_parse(pattern) : NULL;
        if (!parsed[i]) {
            for (size_t k = 0; k < i; k++)
                filter_free(parsed[k]);
            free(parsed);
            return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER, "Invalid filter pattern definition.");
        }
        i++;
    }
    *out = parsed;
    *count = i;
    return true;
}

/* ---- registry ---- */

static mapping *find_mapping(const lambda_ctx *ctx, const char *uuid)
{
    for (mapping *m = all_mappings; m; m = m->next) {
        if (strcmp(m->uuid, uuid) == 0 && strcmp(m->account, ctx->account) == 0 && strcmp(m->region, ctx->region) == 0)
            return m;
    }
    return NULL;
}

static mapping *mapping_new(const char *uuid, const char *account, const char *region, cJSON *record)
{
    mapping *m = xcalloc(1, sizeof *m);
    snprintf(m->uuid, sizeof m->uuid, "%s", uuid);
    m->account = xstrdup(account);
    m->region = xstrdup(region);
    m->record = record;
    m->next = all_mappings;
    all_mappings = m;
    return m;
}

static void mapping_free(mapping *m)
{
    free_filters(m);
    free(m->account);
    free(m->region);
    cJSON_Delete(m->record);
    free(m);
}

static bool persist(const mapping *m, lambda_error *err)
{
    char *json = cJSON_PrintUnformatted(m->record);
    bool ok = store_mapping_put(m->uuid, json);
    free(json);
    return ok || lambda_fail(err, LAMBDA_ERR_SERVICE, "The event source mapping could not be stored.");
}

static void load_one(const char *uuid, const char *record, void *arg)
{
    (void)arg;
    cJSON *parsed = cJSON_Parse(record);
    const char *account = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(parsed, "_Account"));
    const char *region = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(parsed, "_Region"));
    if (!account || !region) {
        cJSON_Delete(parsed);
        log_warn("event source mapping %s: unreadable stored record, skipped", uuid);
        return;
    }
    mapping *m = mapping_new(uuid, account, region, parsed);
    lambda_error err;
    parse_filters(cJSON_GetObjectItemCaseSensitive(parsed, "FilterCriteria"), &m->filters, &m->filter_count, &err);
}

bool mappings_load(void)
{
    bool ok = store_mapping_each(load_one, NULL);
    for (mapping *m = all_mappings; m; m = m->next)
        poller_sync(m);
    return ok;
}

mapping *mappings_first(void)
{
    return all_mappings;
}

void mappings_free_all(void)
{
    pollers_stop_all();
    while (all_mappings) {
        mapping *m = all_mappings;
        all_mappings = m->next;
        mapping_free(m);
    }
}

void mappings_function_changed(void)
{
    for (mapping *m = all_mappings; m; m = m->next)
        poller_sync(m);
}

/* ---- output ---- */

static void write_output(const mapping *m, const char *state, cJSON *out)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, m->record)
    {
        if (item->string[0] != '_')
            cJSON_AddItemToObject(out, item->string, cJSON_Duplicate(item, true));
    }
    if (state)
        json_set_owned(out, "State", cJSON_CreateString(state));
}

/* Resolves FunctionName for a mapping: the function must exist; the ARN keeps the qualifier. */
static lambda_function *mapping_function(const lambda_ctx *ctx, const char *name, char **arn, lambda_error *err)
{
    function_ref ref;
    if (!function_ref_parse(ctx, name, &ref, err))
        return NULL;
    lambda_function *f = functions_find_qualified(&ref); /* $LATEST, a version or an alias */
    if (!f) {
        lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER, "Function does not exist");
        return NULL;
    }
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s%s%s", f->arn, *ref.qualifier ? ":" : "", ref.qualifier);
    *arn = buf_detach(&b, NULL);
    return f;
}

/* Lambda polls a queue of the function's own region only (Lambda developer guide: the
 * queue and the function must be in the same AWS Region). */
static bool check_same_region(const char *source, const lambda_function *f, lambda_error *err)
{
    const char *region = source + strlen("arn:aws:sqs:");
    const char *end = strchr(region, ':');
    size_t len = end ? (size_t)(end - region) : strlen(region);
    if (len != strlen(f->region) || strncmp(region, f->region, len) != 0)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER, "Event source region must match Lambda region %s.",
                           f->region);
    return true;
}

static bool check_visibility(const sqs_queue_info *queue, const lambda_function *f, lambda_error *err)
{
    long timeout = (long)function_int(f, "Timeout");
    if (queue->visibility_timeout_s < timeout)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Queue visibility timeout: %d seconds is less than Function timeout: %ld seconds",
                           queue->visibility_timeout_s, timeout);
    return true;
}

static void copy_updatable(cJSON *record, const cJSON *in)
{
    static const char *const members[] = {"BatchSize", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes",
                                          "ScalingConfig", "FilterCriteria", "MetricsConfig",
                                          "ProvisionedPollerConfig", "KMSKeyArn", NULL};
    for (int i = 0; members[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, members[i]);
        if (!v || cJSON_IsNull(v))
            continue;
        bool empty_object = cJSON_IsObject(v) && cJSON_GetArraySize(v) == 0;
        bool no_filters = strcmp(members[i], "FilterCriteria") == 0 &&
                          cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(v, "Filters")) == 0;
        if (empty_object || no_filters)
            json_set_owned(record, members[i], NULL); /* {} removes the setting */
        else
            json_set_owned(record, members[i], cJSON_Duplicate(v, true));
    }
}

static void stamp(cJSON *record, int64_t now_ms)
{
    json_set_owned(record, "LastModified", cJSON_CreateNumber((double)now_ms / 1000.0));
}

/* ---- operations ---- */

/* ---- changes and their outcome ----
 * The store's writes commit or roll back after the call returns (tx.h); the in-memory
 * mapping and its poller follow only a committed change. */

static void unlink_mapping(mapping *m)
{
    for (mapping **link = &all_mappings; *link; link = &(*link)->next) {
        if (*link == m) {
            *link = m->next;
            return;
        }
    }
}

static void log_mapping(const mapping *m, const char *what)
{
    log_info("[mapping %s] %s: %s -> %s, %s, BatchSize %ld", m->uuid, what, mapping_string(m, "EventSourceArn"),
             mapping_string(m, "FunctionArn"), mapping_string(m, "State"), mapping_int(m, "BatchSize"));
}

static void start_polling(void *arg)
{
    log_mapping(arg, "created");
    poller_sync(arg);
}

static void forget_created(void *arg)
{
    mapping *m = arg;
    unlink_mapping(m);
    mapping_free(m);
}

typedef struct mapping_update {
    mapping *m;
    cJSON *previous; /* the record before the update */
    bool filters_given;
    event_filter **filters; /* the new filters (when given) */
    size_t filter_count;
    const char *transition; /* "updated", "enabled" or "disabled" */
} mapping_update;

static void update_committed(void *arg)
{
    mapping_update *u = arg;
    cJSON_Delete(u->previous);
    if (u->filters_given) {
        free_filters(u->m);
        u->m->filters = u->filters;
        u->m->filter_count = u->filter_count;
    }
    log_mapping(u->m, u->transition);
    poller_sync(u->m);
    free(u);
}

static void update_rolled_back(void *arg)
{
    mapping_update *u = arg;
    cJSON_Delete(u->m->record);
    u->m->record = u->previous;
    for (size_t i = 0; i < u->filter_count; i++)
        filter_free(u->filters[i]);
    free(u->filters);
    free(u);
}

static void delete_committed(void *arg)
{
    mapping *m = arg;
    log_mapping(m, "deleted");
    unlink_mapping(m);
    poller_drop(m);
    mapping_free(m);
}

bool esm_create(const lambda_ctx *ctx, const cJSON *in, cJSON *out, lambda_error *err)
{
    const cJSON *given_tags = cJSON_GetObjectItemCaseSensitive(in, "Tags");
    if (!mapping_check_model(in, err) || !mapping_check_destination(in, err) ||
        (given_tags && !cJSON_IsNull(given_tags) && !tags_check(given_tags, NULL, err)))
        return false;
    const char *source = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "EventSourceArn"));
    if (!source || strncmp(source, "arn:aws:sqs:", 12) != 0)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER, "Unrecognized event source.");
    size_t source_len = strlen(source);
    bool fifo = source_len > 5 && strcmp(source + source_len - 5, ".fifo") == 0;
    cJSON *record = cJSON_CreateObject();
    cJSON_AddNumberToObject(record, "BatchSize", 10);
    cJSON_AddNumberToObject(record, "MaximumBatchingWindowInSeconds", 0);
    cJSON_AddArrayToObject(record, "FunctionResponseTypes");
    copy_updatable(record, in);
    bool window_given = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(in, "MaximumBatchingWindowInSeconds"));
    event_filter **filters = NULL;
    size_t filter_count = 0;
    char *function_arn = NULL;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "FunctionName"));
    lambda_function *f = NULL;
    sqs_queue_info queue = {0};
    bool ok = mapping_check_batching(record, fifo, window_given, err) && mapping_check_scaling(record, err) &&
              parse_filters(cJSON_GetObjectItemCaseSensitive(in, "FilterCriteria"), &filters, &filter_count, err);
    if (ok && !name)
        ok = lambda_fail(err, LAMBDA_ERR_VALIDATION,
                         "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: "
                         "Member must not be null");
    if (ok)
        ok = (f = mapping_function(ctx, name, &function_arn, err)) != NULL;
    if (ok)
        ok = check_same_region(source, f, err);
    if (ok) {
        queue = sqs_queue_lookup(source);
        if (!queue.exists)
            ok = lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                             "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
                             "SQS Error Message: The specified queue does not exist.");
    }
    ok = ok && check_visibility(&queue, f, err);
    for (mapping *m = all_mappings; ok && m; m = m->next) {
        if (strcmp(mapping_string(m, "EventSourceArn"), source) == 0 &&
            strcmp(mapping_string(m, "FunctionArn"), function_arn) == 0)
            ok = lambda_fail(err, LAMBDA_ERR_CONFLICT,
                             "An event source mapping with SQS arn (\" %s \") and function (\" %s \") already exists. "
                             "Please update or delete the existing mapping with UUID %s", source, name, m->uuid);
    }
    if (!ok) {
        for (size_t i = 0; i < filter_count; i++)
            filter_free(filters[i]);
        free(filters);
        free(function_arn);
        cJSON_Delete(record);
        return false;
    }
    char uuid[UUID_STR_LEN];
    ids_uuid(uuid);
    buf_t arn;
    buf_init(&arn);
    buf_printf(&arn, "arn:aws:lambda:%s:%s:event-source-mapping:%s", ctx->region, ctx->account, uuid);
    cJSON_AddStringToObject(record, "UUID", uuid);
    cJSON_AddStringToObject(record, "EventSourceMappingArn", arn.data);
    cJSON_AddStringToObject(record, "EventSourceArn", source);
    cJSON_AddStringToObject(record, "FunctionArn", function_arn);
    buf_free(&arn);
    free(function_arn);
    const cJSON *enabled = cJSON_GetObjectItemCaseSensitive(in, "Enabled");
    bool start_enabled = !cJSON_IsFalse(enabled);
    cJSON_AddStringToObject(record, "State", start_enabled ? "Enabled" : "Disabled");
    cJSON_AddStringToObject(record, "StateTransitionReason", "USER_INITIATED");
    stamp(record, ctx->now_ms);
    cJSON_AddStringToObject(record, "_Account", ctx->account);
    cJSON_AddStringToObject(record, "_Region", ctx->region);
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(in, "Tags");
    if (cJSON_IsObject(tags) && cJSON_GetArraySize(tags) > 0)
        cJSON_AddItemToObject(record, "_Tags", cJSON_Duplicate(tags, true));
    mapping *m = mapping_new(uuid, ctx->account, ctx->region, record);
    m->filters = filters;
    m->filter_count = filter_count;
    if (!persist(m, err)) {
        forget_created(m);
        return false;
    }
    write_output(m, start_enabled ? "Creating" : "Disabled", out);
    tx_defer(start_polling, forget_created, m);
    return true;
}

static bool not_found(lambda_error *err)
{
    return lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "The resource you requested does not exist.");
}

static mapping *find_by_arn(const lambda_ctx *ctx, const char *arn)
{
    for (mapping *m = all_mappings; m; m = m->next) {
        const char *own = mapping_string(m, "EventSourceMappingArn");
        if (own && strcmp(own, arn) == 0 && strcmp(m->account, ctx->account) == 0)
            return m;
    }
    return NULL;
}

cJSON *mapping_tags_by_arn(const lambda_ctx *ctx, const char *arn, bool create, bool guard, lambda_error *err)
{
    mapping *m = find_by_arn(ctx, arn);
    if (!m) {
        lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "Event source mapping not found: %s", arn);
        return NULL;
    }
    if (guard)
        tx_guard_json(&m->record);
    cJSON *tags = cJSON_GetObjectItemCaseSensitive(m->record, "_Tags");
    if (!tags && create)
        tags = cJSON_AddObjectToObject(m->record, "_Tags");
    return tags ? tags : cJSON_CreateObject();
}

bool mapping_save_by_arn(const lambda_ctx *ctx, const char *arn, lambda_error *err)
{
    mapping *m = find_by_arn(ctx, arn);
    return m ? persist(m, err) : lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "Event source mapping not found: %s", arn);
}

bool esm_get(const lambda_ctx *ctx, const char *uuid, cJSON *out, lambda_error *err)
{
    mapping *m = find_mapping(ctx, uuid);
    if (!m)
        return not_found(err);
    write_output(m, NULL, out);
    return true;
}

bool esm_update(const lambda_ctx *ctx, const char *uuid, const cJSON *in, cJSON *out, lambda_error *err)
{
    mapping *m = find_mapping(ctx, uuid);
    if (!m)
        return not_found(err);
    if (!mapping_check_model(in, err) || !mapping_check_destination(in, err))
        return false;
    cJSON *merged = cJSON_Duplicate(m->record, true);
    copy_updatable(merged, in);
    const char *source = mapping_string(m, "EventSourceArn");
    size_t source_len = strlen(source);
    bool fifo = source_len > 5 && strcmp(source + source_len - 5, ".fifo") == 0;
    bool window_given = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(in, "MaximumBatchingWindowInSeconds"));
    event_filter **filters = NULL;
    size_t filter_count = 0;
    bool filters_given = cJSON_GetObjectItemCaseSensitive(in, "FilterCriteria") != NULL;
    char *function_arn = NULL;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "FunctionName"));
    bool ok = mapping_check_batching(merged, fifo, window_given, err) && mapping_check_scaling(merged, err) &&
              (!filters_given ||
               parse_filters(cJSON_GetObjectItemCaseSensitive(in, "FilterCriteria"), &filters, &filter_count, err)) &&
              (!name || mapping_function(ctx, name, &function_arn, err));
    if (!ok) {
        cJSON_Delete(merged);
        free(function_arn);
        return false;
    }
    if (function_arn) {
        json_set_owned(merged, "FunctionArn", cJSON_CreateString(function_arn));
        free(function_arn);
    }
    const cJSON *enabled = cJSON_GetObjectItemCaseSensitive(in, "Enabled");
    bool was_enabled = mapping_enabled(m);
    const char *transition = "Updating";
    if (cJSON_IsBool(enabled)) {
        bool now_enabled = cJSON_IsTrue(enabled);
        json_set_owned(merged, "State", cJSON_CreateString(now_enabled ? "Enabled" : "Disabled"));
        if (now_enabled != was_enabled)
            transition = now_enabled ? "Enabling" : "Disabling";
    }
    stamp(merged, ctx->now_ms);
    mapping_update *u = xmalloc(sizeof *u);
    *u = (mapping_update){m, m->record, filters_given, filters, filter_count,
                          strcmp(transition, "Enabling") == 0    ? "enabled"
                          : strcmp(transition, "Disabling") == 0 ? "disabled"
                                                                 : "updated"};
    m->record = merged;
    if (!persist(m, err)) {
        update_rolled_back(u);
        return false;
    }
    write_output(m, transition, out);
    tx_defer(update_committed, update_rolled_back, u);
    return true;
}

bool esm_delete(const lambda_ctx *ctx, const char *uuid, cJSON *out, lambda_error *err)
{
    mapping *m = find_mapping(ctx, uuid);
    if (!m)
        return not_found(err);
    if (!store_mapping_delete(m->uuid))
        return lambda_fail(err, LAMBDA_ERR_SERVICE, "The event source mapping could not be deleted.");
    write_output(m, "Deleting", out);
    tx_defer(delete_committed, NULL, m);
    return true;
}

static bool function_filter_matches(const lambda_ctx *ctx, const mapping *m, const char *filter)
{
    function_ref ref;
    lambda_error ignored;
    if (!function_ref_parse(ctx, filter, &ref, &ignored))
        return false;
    char base[512];
    snprintf(base, sizeof base, "arn:aws:lambda:%s:%s:function:%s", ref.region, ref.account, ref.name);
    const char *arn = mapping_string(m, "FunctionArn");
    size_t base_len = strlen(base);
    if (strncmp(arn, base, base_len) != 0 || (arn[base_len] != '\0' && arn[base_len] != ':'))
        return false;
    if (!*ref.qualifier)
        return true;
    return arn[base_len] == ':' && strcmp(arn + base_len + 1, ref.qualifier) == 0;
}

bool esm_list(const lambda_ctx *ctx, const char *source_arn, const char *function_name, const char *marker,
              const char *max_items, cJSON *out, lambda_error *err)
{
    long page = LIST_PAGE_MAX;
    if (max_items) {
        char *end;
        page = strtol(max_items, &end, 10);
        if (*end || page < 1 || page > 10000)
            return mapping_range_error(err, page, "maxItems", page < 1 ? "greater than or equal to" : "less than or equal to",
                               page < 1 ? 1 : 10000);
        if (page > LIST_PAGE_MAX)
            page = LIST_PAGE_MAX;
    }
    /* Oldest first, so that markers stay stable while mappings are added. */
    size_t count = 0;
    for (mapping *m = all_mappings; m; m = m->next)
        count++;
    mapping **ordered = xmalloc((count ? count : 1) * sizeof *ordered);
    size_t n = 0;
    for (mapping *m = all_mappings; m; m = m->next)
        ordered[count - 1 - n++] = m;
    cJSON *list = cJSON_AddArrayToObject(out, "EventSourceMappings");
    bool past_marker = !marker || !*marker;
    char *after = NULL;
    if (!past_marker) {
        size_t len = 0;
        after = (char *)base64_decode(marker, strlen(marker), &len);
    }
    long added = 0;
    const mapping *last = NULL;
    bool more = false;
    for (size_t i = 0; i < count; i++) {
        const mapping *m = ordered[i];
        if (strcmp(m->account, ctx->account) != 0 || strcmp(m->region, ctx->region) != 0)
            continue;
        if (source_arn && strcmp(mapping_string(m, "EventSourceArn"), source_arn) != 0)
            continue;
        if (function_name && !function_filter_matches(ctx, m, function_name))
            continue;
        if (!past_marker) {
            past_marker = after && strcmp(m->uuid, after) == 0;
            continue;
        }
        if (added == page) {
            more = true;
            break;
        }
        cJSON *item = cJSON_CreateObject();
        write_output(m, NULL, item);
        cJSON_AddItemToArray(list, item);
        last = m;
        added++;
    }
    if (more && last) {
        char *next = base64_encode(last->uuid, strlen(last->uuid));
        cJSON_AddStringToObject(out, "NextMarker", next);
        free(next);
    }
    free(after);
    free(ordered);
    return true;
}

/* ---- reset (the admin API) ---- */

/* A mapping's FunctionArn may carry a qualifier (":$LATEST", a version, an alias): it is
 * still a mapping of the function. */
static bool maps_to(const mapping *m, const char *function_arn)
{
    const char *arn = mapping_string(m, "FunctionArn");
    size_t len = strlen(function_arn);
    return strncmp(arn, function_arn, len) == 0 && (arn[len] == '\0' || arn[len] == ':');
}

bool mappings_remove(const char *function_arn, size_t *removed, lambda_error *err)
{
    *removed = 0;
    for (mapping *m = all_mappings; m; m = m->next) {
        if (function_arn && !maps_to(m, function_arn))
            continue;
        if (!store_mapping_delete(m->uuid))
            return lambda_fail(err, LAMBDA_ERR_SERVICE, "The event source mapping could not be deleted.");
        tx_defer(delete_committed, NULL, m);
        (*removed)++;
    }
    return true;
}
