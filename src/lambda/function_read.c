/* lambda/function_read: the reading side of the function control plane: GetFunction,
 * GetFunctionConfiguration and ListFunctions. A qualifier (a version number or an alias,
 * in the name or as ?Qualifier) shows that version's snapshot; ListFunctions with
 * FunctionVersion=ALL lists every published version after each function's $LATEST
 * (AWS Lambda API reference: ListFunctions, GetFunction). */
#include <stdlib.h>
#include <string.h>

#include "concurrency.h"
#include "function.h"
#include "function_validate.h"
#include "settings.h"
#include "versions.h"
#include "sqsemu/buf.h"
#include "sqsemu/codec.h"

#define LIST_PAGE_MAX 50

/* The configuration of a target: an alias shows its primary version under the alias ARN. */
static void target_configuration(const function_target *t, cJSON *out)
{
    function_configuration(t->run, true, out);
    if (!t->alias)
        return;
    buf_t arn;
    buf_init(&arn);
    buf_printf(&arn, "%s:%s", t->function->arn, t->alias->name);
    cJSON_ReplaceItemInObjectCaseSensitive(out, "FunctionArn", cJSON_CreateString(arn.data));
    buf_free(&arn);
}

bool fn_get_configuration(const lambda_ctx *ctx, const char *name, const char *qualifier, cJSON *out,
                          lambda_error *err)
{
    function_target t;
    if (!functions_resolve_target(ctx, name, qualifier, false, &t, err))
        return false;
    target_configuration(&t, out);
    return true;
}

bool fn_get(const lambda_ctx *ctx, const char *name, const char *qualifier, cJSON *out, lambda_error *err)
{
    function_target t;
    if (!functions_resolve_target(ctx, name, qualifier, false, &t, err))
        return false;
    lambda_function *f = t.function;
    target_configuration(&t, cJSON_AddObjectToObject(out, "Configuration"));
    cJSON *code = cJSON_AddObjectToObject(out, "Code");
    cJSON_AddStringToObject(code, "RepositoryType", "S3");
    buf_t location;
    buf_init(&location);
    buf_printf(&location, "%s/_sqsemu/lambda/code/%s%s%s.zip", lambda_config()->endpoint_url, f->name,
               t.run->version ? ":" : "", t.run->version ? t.run->version : "");
    cJSON_AddStringToObject(code, "Location", location.data);
    buf_free(&location);
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(f->record, "Tags");
    if (cJSON_GetArraySize(tags) > 0)
        cJSON_AddItemToObject(out, "Tags", cJSON_Duplicate(tags, true));
    concurrency_describe(f, out);
    return true;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp((*(lambda_function *const *)a)->name, (*(lambda_function *const *)b)->name);
}

/* A listing position: "name" or "name:version" ($LATEST sorts before every version). */
static char *position_of(const lambda_function *f)
{
    lambda_function *base = f->latest ? f->latest : (lambda_function *)f;
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s%s%s", base->name, f->version ? ":" : "", f->version ? f->version : "");
    return buf_detach(&b, NULL);
}

static long version_of(const char *position, const char **name_end)
{
    const char *colon = strchr(position, ':');
    *name_end = colon ? colon : position + strlen(position);
    return colon ? strtol(colon + 1, NULL, 10) : 0;
}

/* Whether the entry f lies at or before the marker position. */
static bool at_or_before(const lambda_function *f, const char *position)
{
    const char *name_end;
    long marker_version = version_of(position, &name_end);
    const lambda_function *base = f->latest ? f->latest : f;
    size_t len = (size_t)(name_end - position);
    int c = strncmp(base->name, position, len);
    if (c == 0 && strlen(base->name) != len)
        c = 1;
    if (c != 0)
        return c < 0;
    return (f->version ? strtol(f->version, NULL, 10) : 0) <= marker_version;
}

static lambda_function **listed_functions(const lambda_ctx *ctx, bool all_versions, size_t *n)
{
    size_t count = 0;
    for (lambda_function *f = functions_first(); f; f = f->next)
        count += 1 + (all_versions && f->versions ? f->versions->count : 0);
    lambda_function **bases = xmalloc((count ? count : 1) * sizeof *bases);
    size_t nb = 0;
    for (lambda_function *f = functions_first(); f; f = f->next) {
        if (strcmp(f->account, ctx->account) == 0 && strcmp(f->region, ctx->region) == 0)
            bases[nb++] = f;
    }
    qsort(bases, nb, sizeof *bases, compare_names);
    lambda_function **sorted = xmalloc((count ? count : 1) * sizeof *sorted);
    *n = 0;
    for (size_t i = 0; i < nb; i++) {
        sorted[(*n)++] = bases[i];
        for (size_t v = 0; all_versions && bases[i]->versions && v < bases[i]->versions->count; v++)
            sorted[(*n)++] = bases[i]->versions->items[v];
    }
    free(bases);
    return sorted;
}

bool fn_list(const lambda_ctx *ctx, const char *marker, const char *max_items, const char *version, cJSON *out,
             lambda_error *err)
{
    if (version && strcmp(version, "ALL") != 0)
        return function_validation_error(err, version, "functionVersion", "Member must satisfy enum value set: [ALL]");
    long page;
    if (!function_page_size(max_items, LIST_PAGE_MAX, &page, err))
        return false;
    size_t n = 0;
    lambda_function **sorted = listed_functions(ctx, version != NULL, &n);
    size_t start = 0;
    if (marker && *marker) {
        size_t len = 0;
        unsigned char *after = base64_decode(marker, strlen(marker), &len);
        while (after && start < n && at_or_before(sorted[start], (const char *)after))
            start++;
        free(after);
    }
    cJSON *list = cJSON_AddArrayToObject(out, "Functions");
    size_t end = start + (size_t)page < n ? start + (size_t)page : n;
    for (size_t i = start; i < end; i++) {
        cJSON *item = cJSON_CreateObject();
        function_configuration(sorted[i], false, item);
        cJSON_AddItemToArray(list, item);
    }
    if (end < n) {
        char *position = position_of(sorted[end - 1]);
        char *next = base64_encode(position, strlen(position));
        cJSON_AddStringToObject(out, "NextMarker", next);
        free(next);
        free(position);
    }
    free(sorted);
    return true;
}
