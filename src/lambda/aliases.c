/* lambda/aliases: function aliases: CreateAlias, GetAlias, UpdateAlias, DeleteAlias and
 * ListAliases, with weighted routing (RoutingConfig.AdditionalVersionWeights).
 *
 * After AWS's Lambda developer guide ("Lambda function aliases", "Implement Lambda
 * canary deployments using a weighted alias") and the API reference: an alias is a named
 * pointer to one version (or $LATEST); its name must match (?!^[0-9]+$)([a-zA-Z0-9-_]+)
 * (1..128 characters, not only digits); a weighted alias routes to at most two versions,
 * both published (not $LATEST), the additional one with a weight from 0.0 to 1.0; each
 * change gives it a new RevisionId, which UpdateAlias may require (PreconditionFailed).
 * Each alias is one JSON record in function_aliases, owned by its function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "function.h"
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
#define MAX_ALIASES 1000 /* per function: a bound, far above real use */
#define NAME_PATTERN "(?!^[0-9]+$)([a-zA-Z0-9-_]+)"

function_alias *alias_find(const lambda_function *f, const char *name)
{
    for (function_alias *a = f->versions ? f->versions->aliases : NULL; a && name; a = a->next) {
        if (strcmp(a->name, name) == 0)
            return a;
    }
    return NULL;
}

static const char *alias_string(const function_alias *a, const char *member)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a->record, member));
}

static const cJSON *weights_of(const cJSON *record)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(record, "RoutingConfig"),
                                            "AdditionalVersionWeights");
}

cJSON *aliases_of_version(const lambda_function *f, const char *version)
{
    cJSON *names = cJSON_CreateArray();
    for (function_alias *a = f->versions ? f->versions->aliases : NULL; a; a = a->next) {
        const char *primary = alias_string(a, "FunctionVersion");
        if ((primary && strcmp(primary, version) == 0) || cJSON_GetObjectItemCaseSensitive(weights_of(a->record), version))
            cJSON_AddItemToArray(names, cJSON_CreateString(a->name));
    }
    return names;
}

static function_alias *alias_new(lambda_function *f, const char *name, cJSON *record)
{
    if (!f->versions)
        f->versions = xcalloc(1, sizeof *f->versions);
    function_alias *a = xcalloc(1, sizeof *a);
    a->name = xstrdup(name);
    a->record = record;
    function_alias **tail = &f->versions->aliases;
    while (*tail)
        tail = &(*tail)->next;
    *tail = a;
    return a;
}

static void alias_unlink(lambda_function *f, function_alias *a)
{
    for (function_alias **link = f->versions ? &f->versions->aliases : NULL; link && *link; link = &(*link)->next) {
        if (*link == a) {
            *link = a->next;
            return;
        }
    }
}

static void alias_free(function_alias *a)
{
    free(a->name);
    cJSON_Delete(a->record);
    free(a);
}

void aliases_free(function_alias *list)
{
    while (list) {
        function_alias *next = list->next;
        alias_free(list);
        list = next;
    }
}

void alias_load(lambda_function *f, const char *name, const char *record)
{
    cJSON *parsed = cJSON_Parse(record);
    if (!cJSON_IsObject(parsed)) {
        log_warn("alias %s of function %s: unreadable stored record, skipped", name, f->name);
        cJSON_Delete(parsed);
        return;
    }
    alias_new(f, name, parsed);
}

/* ---- rules ---- */

static bool name_valid(const char *name, lambda_error *err)
{
    size_t len = strlen(name);
    bool digits_only = len > 0, chars_ok = len > 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        digits_only = digits_only && c >= '0' && c <= '9';
        chars_ok = chars_ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '_');
    }
    if (len > 128)
        return function_validation_error(err, name, "name", "Member must have length less than or equal to 128");
    if (!chars_ok || digits_only)
        return function_validation_error(err, name, "name",
                                         "Member must satisfy regular expression pattern: " NAME_PATTERN);
    return true;
}

static bool version_text_valid(const char *version, lambda_error *err)
{
    if (strcmp(version, "$LATEST") == 0 || version_number_valid(version, NULL))
        return true;
    return function_validation_error(err, version, "functionVersion",
                                     "Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)");
}

bool alias_routing_valid(const char *primary, const cJSON *routing, lambda_error *err)
{
    if (!routing || cJSON_IsNull(routing))
        return true;
    const cJSON *weights = cJSON_GetObjectItemCaseSensitive(routing, "AdditionalVersionWeights");
    if (!cJSON_IsObject(routing) || (weights && !cJSON_IsNull(weights) && !cJSON_IsObject(weights)))
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT, "Unexpected value type for member RoutingConfig");
    int count = cJSON_GetArraySize(weights);
    if (count == 0)
        return true;
    if (count > 1)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Number of items in AdditionalVersionWeights cannot be greater than 1");
    const cJSON *w = weights->child;
    if (!version_number_valid(w->string, NULL))
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Invalid function version %s in AdditionalVersionWeights: it must be a published version "
                           "number.", w->string);
    if (!cJSON_IsNumber(w) || w->valuedouble < 0.0 || w->valuedouble > 1.0)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Invalid weight for function version %s: a weight must be a number from 0.0 to 1.0.",
                           w->string);
    if (strcmp(primary, "$LATEST") == 0)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "$LATEST is not supported for an alias pointing to more than 1 version");
    if (strcmp(primary, w->string) == 0)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Invalid function version %s. Function version %s is already included in routing "
                           "configuration.", w->string, w->string);
    return true;
}

const char *alias_pick(const cJSON *alias_record, double draw)
{
    const char *primary = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(alias_record, "FunctionVersion"));
    const cJSON *w = cJSON_IsObject(weights_of(alias_record)) ? weights_of(alias_record)->child : NULL;
    if (w && cJSON_IsNumber(w) && draw < w->valuedouble)
        return w->string;
    return primary;
}

static bool not_found(lambda_error *err, const lambda_function *f, const char *qualifier)
{
    return lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "Function not found: %s:%s", f->arn, qualifier);
}

/* The versions an alias names must exist. */
static bool versions_exist(const lambda_function *f, const char *primary, const cJSON *routing, lambda_error *err)
{
    if (strcmp(primary, "$LATEST") != 0 && !version_find(f, primary))
        return not_found(err, f, primary);
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(routing, "AdditionalVersionWeights");
    if (cJSON_IsObject(w) && w->child && !version_find(f, w->child->string))
        return not_found(err, f, w->child->string);
    return true;
}

static bool description_valid(const cJSON *in, lambda_error *err)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(in, "Description");
    if (d && !cJSON_IsNull(d) && !cJSON_IsString(d))
        return lambda_fail(err, LAMBDA_ERR_INVALID_CONTENT, "Unexpected value type for member Description");
    if (cJSON_IsString(d) && strlen(d->valuestring) > 256)
        return function_validation_error(err, d->valuestring, "description",
                                         "Member must have length less than or equal to 256");
    return true;
}

static void new_revision(cJSON *record)
{
    char revision[UUID_STR_LEN];
    ids_uuid(revision);
    json_set_string(record, "RevisionId", revision);
}

/* The record keeps RoutingConfig only while it routes somewhere. */
static void set_routing(cJSON *record, const cJSON *routing)
{
    if (!routing)
        return;
    const cJSON *weights = cJSON_GetObjectItemCaseSensitive(routing, "AdditionalVersionWeights");
    if (cJSON_GetArraySize(weights) > 0)
        json_set_copy(record, "RoutingConfig", routing);
    else
        cJSON_DeleteItemFromObjectCaseSensitive(record, "RoutingConfig");
}

static bool save(const lambda_function *f, const function_alias *a, lambda_error *err)
{
    char *json = cJSON_PrintUnformatted(a->record);
    bool ok = store_alias_put(f->id, a->name, json);
    free(json);
    return ok || lambda_fail(err, LAMBDA_ERR_SERVICE, "The alias could not be stored.");
}

static void announce(void *arg)
{
    (void)arg;
    functions_announce();
}

static lambda_function *owner(const lambda_ctx *ctx, const char *function_name, lambda_error *err)
{
    return functions_resolve(ctx, function_name, NULL, false, err);
}

static function_alias *existing(const lambda_function *f, const char *name, lambda_error *err)
{
    function_alias *a = alias_find(f, name);
    if (!a)
        lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "Cannot find alias arn: %s:%s", f->arn, name);
    return a;
}

/* ---- operations ---- */

static void copy_record(const function_alias *a, cJSON *out)
{
    for (const cJSON *m = a->record->child; m; m = m->next)
        cJSON_AddItemToObject(out, m->string, cJSON_Duplicate(m, true));
}

typedef struct created_alias {
    lambda_function *f;
    function_alias *a;
} created_alias;

static void create_committed(void *arg)
{
    free(arg);
    functions_announce();
}

static void create_rolled_back(void *arg)
{
    created_alias *c = arg;
    alias_unlink(c->f, c->a);
    alias_free(c->a);
    free(c);
}

bool alias_create(const lambda_ctx *ctx, const char *function_name, const cJSON *in, cJSON *out, lambda_error *err)
{
    lambda_function *f = owner(ctx, function_name, err);
    if (!f)
        return false;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Name"));
    const char *version = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "FunctionVersion"));
    if (!name)
        return lambda_fail(err, LAMBDA_ERR_VALIDATION, "1 validation error detected: Value null at 'name' failed to "
                                                       "satisfy constraint: Member must not be null");
    if (!version)
        return lambda_fail(err, LAMBDA_ERR_VALIDATION, "1 validation error detected: Value null at 'functionVersion' "
                                                       "failed to satisfy constraint: Member must not be null");
    const cJSON *routing = cJSON_GetObjectItemCaseSensitive(in, "RoutingConfig");
    if (!name_valid(name, err) || !version_text_valid(version, err) || !description_valid(in, err) ||
        !alias_routing_valid(version, routing, err) || !versions_exist(f, version, routing, err))
        return false;
    if (alias_find(f, name))
        return lambda_fail(err, LAMBDA_ERR_CONFLICT, "Alias already exists: %s:%s", f->arn, name);
    size_t count = 0;
    for (function_alias *a = f->versions ? f->versions->aliases : NULL; a; a = a->next)
        count++;
    if (count >= MAX_ALIASES)
        return lambda_fail(err, LAMBDA_ERR_CONFLICT, "The function has %d aliases, the most sqsemu keeps.", MAX_ALIASES);
    cJSON *record = cJSON_CreateObject();
    buf_t arn;
    buf_init(&arn);
    buf_printf(&arn, "%s:%s", f->arn, name);
    cJSON_AddStringToObject(record, "AliasArn", arn.data);
    buf_free(&arn);
    cJSON_AddStringToObject(record, "Name", name);
    cJSON_AddStringToObject(record, "FunctionVersion", version);
    const char *description = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Description"));
    cJSON_AddStringToObject(record, "Description", description ? description : "");
    set_routing(record, routing);
    new_revision(record);
    function_alias *a = alias_new(f, name, record);
    if (!save(f, a, err)) {
        alias_unlink(f, a);
        alias_free(a);
        return false;
    }
    created_alias *c = xmalloc(sizeof *c);
    c->f = f;
    c->a = a;
    tx_defer(create_committed, create_rolled_back, c);
    copy_record(a, out);
    return true;
}

bool alias_get(const lambda_ctx *ctx, const char *function_name, const char *alias, cJSON *out, lambda_error *err)
{
    lambda_function *f = owner(ctx, function_name, err);
    function_alias *a = f ? existing(f, alias, err) : NULL;
    if (!a)
        return false;
    copy_record(a, out);
    return true;
}

bool alias_update(const lambda_ctx *ctx, const char *function_name, const char *alias, const cJSON *in, cJSON *out,
                  lambda_error *err)
{
    lambda_function *f = owner(ctx, function_name, err);
    function_alias *a = f ? existing(f, alias, err) : NULL;
    if (!a)
        return false;
    const char *wanted = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "RevisionId"));
    if (wanted && strcmp(wanted, alias_string(a, "RevisionId")) != 0)
        return lambda_fail(err, LAMBDA_ERR_PRECONDITION,
                           "The Revision Id provided does not match the latest Revision Id. Call the "
                           "GetFunction/GetAlias API to retrieve the latest Revision Id");
    const char *version = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "FunctionVersion"));
    if (version && !version_text_valid(version, err))
        return false;
    if (!description_valid(in, err))
        return false;
    const cJSON *routing = cJSON_GetObjectItemCaseSensitive(in, "RoutingConfig");
    cJSON *merged = cJSON_Duplicate(a->record, true);
    if (version)
        json_set_string(merged, "FunctionVersion", version);
    set_routing(merged, routing);
    const char *primary = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(merged, "FunctionVersion"));
    const cJSON *merged_routing = cJSON_GetObjectItemCaseSensitive(merged, "RoutingConfig");
    if (!alias_routing_valid(primary, merged_routing, err) || !versions_exist(f, primary, merged_routing, err)) {
        cJSON_Delete(merged);
        return false;
    }
    const char *description = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Description"));
    if (description)
        json_set_string(merged, "Description", description);
    new_revision(merged);
    tx_guard_json(&a->record);
    cJSON_Delete(a->record);
    a->record = merged;
    if (!save(f, a, err))
        return false; /* the guard puts the old record back */
    tx_defer(announce, NULL, NULL);
    copy_record(a, out);
    return true;
}

typedef struct deleted_alias {
    lambda_function *f;
    function_alias *a;
} deleted_alias;

static void delete_committed(void *arg)
{
    deleted_alias *d = arg;
    alias_unlink(d->f, d->a);
    alias_free(d->a);
    free(d);
    functions_announce();
}

static void delete_rolled_back(void *arg)
{
    free(arg);
}

bool alias_delete(const lambda_ctx *ctx, const char *function_name, const char *alias, lambda_error *err)
{
    lambda_function *f = owner(ctx, function_name, err);
    if (!f)
        return false;
    function_alias *a = alias_find(f, alias);
    if (!a)
        return true; /* AWS's DeleteAlias has no ResourceNotFoundException: nothing to do */
    if (!store_alias_delete(f->id, a->name))
        return lambda_fail(err, LAMBDA_ERR_SERVICE, "The alias could not be deleted.");
    deleted_alias *d = xmalloc(sizeof *d);
    d->f = f;
    d->a = a;
    tx_defer(delete_committed, delete_rolled_back, d);
    return true;
}

bool aliases_list(const lambda_ctx *ctx, const char *function_name, const char *version, const char *marker,
                  const char *max_items, cJSON *out, lambda_error *err)
{
    lambda_function *f = owner(ctx, function_name, err);
    if (!f || (version && !version_text_valid(version, err)))
        return false;
    long page;
    if (!function_page_size(max_items, LIST_PAGE_MAX, &page, err))
        return false;
    char *after = NULL;
    if (marker && *marker) {
        size_t len = 0;
        after = (char *)base64_decode(marker, strlen(marker), &len);
    }
    cJSON *wanted = version ? aliases_of_version(f, version) : NULL;
    cJSON *list = cJSON_AddArrayToObject(out, "Aliases");
    bool passed = !after;
    long listed = 0;
    const function_alias *last = NULL;
    for (function_alias *a = f->versions ? f->versions->aliases : NULL; a; a = a->next) {
        if (!passed) {
            passed = strcmp(a->name, after) == 0;
            continue;
        }
        bool match = !wanted;
        for (const cJSON *n = wanted ? wanted->child : NULL; n && !match; n = n->next)
            match = strcmp(n->valuestring, a->name) == 0;
        if (!match)
            continue;
        if (listed == page) {
            char *next = base64_encode(last->name, strlen(last->name));
            cJSON_AddStringToObject(out, "NextMarker", next);
            free(next);
            break;
        }
        cJSON *item = cJSON_CreateObject();
        copy_record(a, item);
        cJSON_AddItemToArray(list, item);
        listed++;
        last = a;
    }
    cJSON_Delete(wanted);
    free(after);
    return true;
}
