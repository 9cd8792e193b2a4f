/* lambda/versions: published function versions: PublishVersion (also CreateFunction and
 * UpdateFunctionCode with Publish), ListVersionsByFunction, DeleteFunction of one version,
 * and their lifetime beside their function.
 *
 * After AWS's Lambda developer guide ("Manage Lambda function versions"): a version is an
 * immutable snapshot of $LATEST's code and configuration, numbered 1, 2, ... per function;
 * a number is never given twice, even after its version is deleted (the highest number
 * given is kept in the function's record as LastVersionNumber); publishing when neither
 * the code nor the configuration changed since the last version returns that version.
 * A version's FunctionArn is qualified (arn:...:function:name:3).
 *
 * How it is kept: a version is a lambda_function outside the registry list (versions.h),
 * with a copy of the record and its own copy of the code (the kept zip is unpacked again
 * into a fresh directory, so an UpdateFunctionCode of $LATEST cannot take it away; a
 * hot-reload function's versions read the same directory). Its row in function_versions
 * holds the snapshot; deleting the function's row deletes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code_dirs.h"
#include "executor.h"
#include "function.h"
#include "function_code.h"
#include "function_validate.h"
#include "versions.h"
#include "sqsemu/buf.h"
#include "sqsemu/codec.h"
#include "sqsemu/ids.h"
#include "sqsemu/json.h"
#include "sqsemu/log.h"
#include "sqsemu/store.h"
#include "sqsemu/tx.h"

#define LIST_PAGE_MAX 50
#define MAX_VERSIONS 10000 /* per function: a bound on memory and disk, far above real use */

bool version_number_valid(const char *text, int64_t *number)
{
    size_t len = text ? strlen(text) : 0;
    if (len == 0 || len > 10 || text[0] == '0')
        return false;
    int64_t value = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        value = value * 10 + (text[i] - '0');
    }
    if (number)
        *number = value;
    return true;
}

static struct function_versions *versions_of(lambda_function *f)
{
    if (!f->versions)
        f->versions = xcalloc(1, sizeof *f->versions);
    return f->versions;
}

lambda_function *version_find(const lambda_function *f, const char *number)
{
    for (size_t i = 0; f->versions && number && i < f->versions->count; i++) {
        if (strcmp(f->versions->items[i]->version, number) == 0)
            return f->versions->items[i];
    }
    return NULL;
}

static lambda_function *version_new(lambda_function *f, int64_t number, cJSON *record)
{
    lambda_function *v = xcalloc(1, sizeof *v);
    v->id = f->id;
    v->account = xstrdup(f->account);
    v->region = xstrdup(f->region);
    v->name = xstrdup(f->name);
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%lld", (long long)number);
    v->version = buf_detach(&b, NULL);
    buf_init(&b);
    buf_printf(&b, "%s:%s", f->arn, v->version);
    v->arn = buf_detach(&b, NULL);
    v->record = record;
    v->latest = f;
    return v;
}

/* Versions are appended in ascending order (numbers only grow). */
static void list_add(lambda_function *f, lambda_function *v)
{
    struct function_versions *vs = versions_of(f);
    if (vs->count == vs->cap) {
        vs->cap = vs->cap ? vs->cap * 2 : 8;
        vs->items = xrealloc(vs->items, vs->cap * sizeof *vs->items);
    }
    vs->items[vs->count++] = v;
}

static void list_remove(lambda_function *f, lambda_function *v)
{
    struct function_versions *vs = f->versions;
    for (size_t i = 0; vs && i < vs->count; i++) {
        if (vs->items[i] == v) {
            memmove(&vs->items[i], &vs->items[i + 1], (vs->count - i - 1) * sizeof *vs->items);
            vs->count--;
            return;
        }
    }
}

/* ---- publishing ---- */

/* What makes two snapshots the same version: the code and the configuration. */
static const char *const compared_members[] = {
    "CodeSha256", "Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize", "Environment",
    "TracingConfig", "Architectures", "EphemeralStorage", "DeadLetterConfig", "LoggingConfig", "PackageType",
    "ImageUri", NULL,
};

static bool unchanged_since(const lambda_function *f, const lambda_function *last)
{
    for (int i = 0; compared_members[i]; i++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(f->record, compared_members[i]);
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(last->record, compared_members[i]);
        if (strcmp(compared_members[i], "Description") == 0)
            b = cJSON_GetObjectItemCaseSensitive(last->record, "LatestDescription");
        if ((a == NULL) != (b == NULL) || (a && !cJSON_Compare(a, b, true)))
            return false;
    }
    return true;
}

/* The snapshot of f's record as version `number`: its own RevisionId, no tags (they
 * belong to the function), the given description (else the function's). */
static cJSON *snapshot(const lambda_function *f, const char *description, int64_t now_ms)
{
    cJSON *record = cJSON_Duplicate(f->record, true);
    cJSON_DeleteItemFromObjectCaseSensitive(record, "Tags");
    cJSON_DeleteItemFromObjectCaseSensitive(record, "LastVersionNumber");
    const char *latest_description = function_string(f, "Description");
    json_set_string(record, "LatestDescription", latest_description ? latest_description : "");
    if (description)
        json_set_string(record, "Description", description);
    char revision[UUID_STR_LEN];
    ids_uuid(revision);
    json_set_string(record, "RevisionId", revision);
    (void)now_ms;
    return record;
}

/* The version's own code: the kept zip unpacked into a fresh directory. */
static bool copy_code(lambda_function *v, const lambda_function *f, lambda_error *err)
{
    if (!function_string(f, "CodeZip"))
        return true; /* a hot-reload directory (shared) or an image */
    size_t len = 0;
    char *zip = function_code_zip(f, &len);
    if (!zip)
        return lambda_fail(err, LAMBDA_ERR_SERVICE, "The function's code archive could not be read.");
    bool ok = function_install_zip(v, (const unsigned char *)zip, len, err);
    free(zip);
    return ok;
}

static void version_discard(lambda_function *v)
{
    code_dir_release(function_code_dir(v));
    v->deleted = true;
    function_release_if_unused(v);
}

static void publish_committed(void *arg)
{
    (void)arg;
    functions_announce();
}

static void publish_rolled_back(void *arg)
{
    lambda_function *v = arg;
    list_remove(v->latest, v);
    version_discard(v);
}

static bool check_publish_input(const lambda_function *f, const cJSON *in, lambda_error *err)
{
    const char *sha = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "CodeSha256"));
    const char *current = function_string(f, "CodeSha256");
    if (sha && current && strcmp(sha, current) != 0)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again "
                           "with the current CodeSHA256.", sha, current);
    const char *description = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Description"));
    if (description && strlen(description) > 256)
        return function_validation_error(err, description, "description",
                                         "Member must have length less than or equal to 256");
    return function_revision_matches(f, in, err);
}

bool version_publish(const lambda_ctx *ctx, lambda_function *f, const cJSON *in, cJSON *out, lambda_error *err)
{
    if (in && !check_publish_input(f, in, err))
        return false;
    struct function_versions *vs = versions_of(f);
    lambda_function *last = vs->count ? vs->items[vs->count - 1] : NULL;
    if (last && unchanged_since(f, last)) {
        json_clear_object(out);
        function_configuration(last, true, out);
        return true;
    }
    if (vs->count >= MAX_VERSIONS)
        return lambda_fail(err, LAMBDA_ERR_CONFLICT, "The function has %d versions, the most sqsemu keeps.",
                           MAX_VERSIONS);
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(f->record, "LastVersionNumber");
    int64_t number = (cJSON_IsNumber(given) ? (int64_t)given->valuedouble : 0) + 1;
    const char *description = in ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Description")) : NULL;
    lambda_function *v = version_new(f, number, snapshot(f, description, ctx->now_ms));
    if (!copy_code(v, f, err)) {
        version_discard(v);
        return false;
    }
    char *json = cJSON_PrintUnformatted(v->record);
    bool stored = store_version_insert(f->id, number, json);
    free(json);
    if (stored) {
        tx_guard_json(&f->record);
        json_set_number(f->record, "LastVersionNumber", (double)number);
        stored = function_save(f, err);
    }
    if (!stored) {
        version_discard(v);
        return lambda_fail(err, LAMBDA_ERR_SERVICE, "The version could not be stored.");
    }
    list_add(f, v);
    tx_defer(publish_committed, publish_rolled_back, v);
    json_clear_object(out);
    function_configuration(v, true, out);
    return true;
}

/* ---- listing ---- */

bool versions_list(const lambda_ctx *ctx, const char *name, const char *marker, const char *max_items, cJSON *out,
                   lambda_error *err)
{
    lambda_function *f = functions_resolve(ctx, name, NULL, false, err);
    if (!f)
        return false;
    long page;
    if (!function_page_size(max_items, LIST_PAGE_MAX, &page, err))
        return false;
    size_t count = 1 + (f->versions ? f->versions->count : 0);
    size_t start = 0; /* 0 is $LATEST, i is versions->items[i - 1] */
    if (marker && *marker) {
        size_t len = 0;
        char *after = (char *)base64_decode(marker, strlen(marker), &len);
        int64_t n = 0;
        start = after && strcmp(after, "$LATEST") == 0 ? 1 : count;
        if (after && version_number_valid(after, &n)) {
            for (start = 1; start < count && strtoll(f->versions->items[start - 1]->version, NULL, 10) <= n; start++)
                ;
        }
        free(after);
    }
    cJSON *list = cJSON_AddArrayToObject(out, "Versions");
    size_t end = start + (size_t)page < count ? start + (size_t)page : count;
    for (size_t i = start; i < end; i++) {
        cJSON *item = cJSON_CreateObject();
        function_configuration(i == 0 ? f : f->versions->items[i - 1], false, item);
        cJSON_AddItemToArray(list, item);
    }
    if (end < count) {
        const char *last = end - 1 == 0 ? "$LATEST" : f->versions->items[end - 2]->version;
        char *next = base64_encode(last, strlen(last));
        cJSON_AddStringToObject(out, "NextMarker", next);
        free(next);
    }
    return true;
}

/* ---- deleting ---- */

static void version_leave(lambda_function *v, bool stop_now)
{
    v->deleted = true;
    if (stop_now)
        executor_stop_function(v, "the function was removed by a reset");
    else
        executor_retire(v);
    code_dir_release(function_code_dir(v)); /* at once, or when its last environment is gone */
    function_release_if_unused(v);
}

static void version_delete_committed(void *arg)
{
    lambda_function *v = arg;
    list_remove(v->latest, v);
    version_leave(v, false);
    functions_announce();
}

bool version_delete(lambda_function *f, lambda_function *v, lambda_error *err)
{
    cJSON *aliases = aliases_of_version(f, v->version);
    if (cJSON_GetArraySize(aliases) > 0) {
        char *names = cJSON_PrintUnformatted(aliases);
        cJSON_Delete(aliases);
        lambda_fail(err, LAMBDA_ERR_CONFLICT, "Unable to delete version because the following aliases reference it: %s",
                    names);
        free(names);
        return false;
    }
    cJSON_Delete(aliases);
    if (!store_version_delete(f->id, strtoll(v->version, NULL, 10)))
        return lambda_fail(err, LAMBDA_ERR_SERVICE, "The version could not be deleted.");
    tx_defer(version_delete_committed, NULL, v);
    return true;
}

void versions_leave(lambda_function *f, bool stop_now)
{
    struct function_versions *vs = f->versions;
    if (!vs)
        return;
    aliases_free(vs->aliases);
    vs->aliases = NULL;
    size_t count = vs->count;
    lambda_function **items = vs->items;
    vs->items = NULL;
    vs->count = vs->cap = 0;
    for (size_t i = 0; i < count; i++)
        version_leave(items[i], stop_now);
    free(items);
}

bool versions_use_dir(const lambda_function *f, const char *dir)
{
    for (size_t i = 0; f->versions && i < f->versions->count; i++) {
        const char *own = function_code_dir(f->versions->items[i]);
        if (own && strcmp(own, dir) == 0)
            return true;
    }
    return false;
}

void versions_free(struct function_versions *vs)
{
    if (!vs)
        return;
    for (size_t i = 0; i < vs->count; i++) {
        vs->items[i]->deleted = true;
        function_release_if_unused(vs->items[i]);
    }
    free(vs->items);
    aliases_free(vs->aliases);
    free(vs);
}

/* ---- loading ---- */

static lambda_function *function_by_id(int64_t id)
{
    for (lambda_function *f = functions_first(); f; f = f->next) {
        if (f->id == id)
            return f;
    }
    return NULL;
}

static void load_version(int64_t function_id, int64_t number, const char *record, void *arg)
{
    (void)arg;
    lambda_function *f = function_by_id(function_id);
    cJSON *parsed = f ? cJSON_Parse(record) : NULL;
    if (!cJSON_IsObject(parsed)) {
        log_warn("function version %lld of function %lld: unreadable or orphaned, skipped", (long long)number,
                 (long long)function_id);
        cJSON_Delete(parsed);
        return;
    }
    list_add(f, version_new(f, number, parsed));
}

static void load_alias(int64_t function_id, const char *name, const char *record, void *arg)
{
    (void)arg;
    lambda_function *f = function_by_id(function_id);
    if (f)
        alias_load(f, name, record);
}

bool versions_load(void)
{
    return store_version_each(load_version, NULL) && store_alias_each(load_alias, NULL);
}
