/* lambda/tags: ListTags, TagResource and UntagResource on function and mapping ARNs. */
#include <string.h>

#include "function.h"
#include "mapping.h"
#include "sqsemu/tx.h"
#include "tags.h"

/* The live tag object of the resource; *owned is set when it is a temporary empty map.
 * create: make the map if the resource has none. writing: the caller is about to change
 * it, so the resource's record is guarded (a rolled-back call leaves it as it was). */
static cJSON *resource_tags(const lambda_ctx *ctx, const char *arn, bool create, bool writing, lambda_function **fn,
                            bool *owned, lambda_error *err)
{
    *fn = NULL;
    *owned = false;
    if (strstr(arn, ":event-source-mapping:")) {
        cJSON *tags = mapping_tags_by_arn(ctx, arn, create, writing, err);
        *owned = tags && !tags->string;
        return tags;
    }
    if (!strstr(arn, ":function:")) {
        lambda_fail(err, LAMBDA_ERR_VALIDATION,
                    "1 validation error detected: Value '%s' at 'resource' failed to satisfy constraint: Member must "
                    "satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-"
                    "[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|"
                    "event-source-mapping:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", arn);
        return NULL;
    }
    *fn = functions_resolve_unqualified(ctx, arn, err);
    if (!*fn)
        return NULL;
    if (writing)
        tx_guard_json(&(*fn)->record);
    cJSON *tags = cJSON_GetObjectItemCaseSensitive((*fn)->record, "Tags");
    if (!tags && create)
        tags = cJSON_AddObjectToObject((*fn)->record, "Tags");
    if (!tags) {
        *owned = true;
        tags = cJSON_CreateObject();
    }
    return tags;
}

static bool save(const lambda_ctx *ctx, const char *arn, lambda_function *fn, lambda_error *err)
{
    return fn ? function_save(fn, err) : mapping_save_by_arn(ctx, arn, err);
}

bool tags_list(const lambda_ctx *ctx, const char *arn, cJSON *out, lambda_error *err)
{
    lambda_function *fn;
    bool owned;
    cJSON *tags = resource_tags(ctx, arn, false, false, &fn, &owned, err);
    if (!tags)
        return false;
    cJSON_AddItemToObject(out, "Tags", cJSON_Duplicate(tags, true));
    if (owned)
        cJSON_Delete(tags);
    return true;
}

/* AWS's tag limits (Lambda developer guide, "Using tags"): 50 tags per resource, keys of
 * 1 to 128 characters, values up to 256. Checked before anything changes. */
#define MAX_RESOURCE_TAGS 50

bool tags_check(const cJSON *given, const cJSON *existing, lambda_error *err)
{
    if (!cJSON_IsObject(given))
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER, "Tags must be a map of strings.");
    size_t total = (size_t)cJSON_GetArraySize(existing);
    const cJSON *tag;
    cJSON_ArrayForEach(tag, given)
    {
        size_t key_len = strlen(tag->string);
        if (!cJSON_IsString(tag))
            return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER, "Tags must be a map of strings.");
        if (key_len < 1 || key_len > 128)
            return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                               "Tag keys must be between 1 and 128 characters in length.");
        if (strlen(tag->valuestring) > 256)
            return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER, "Tag values must be at most 256 characters long.");
        if (!cJSON_GetObjectItemCaseSensitive(existing, tag->string) && ++total > MAX_RESOURCE_TAGS)
            return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                               "A resource can have at most %d tags; this request would give it more.",
                               MAX_RESOURCE_TAGS);
    }
    return true;
}

bool tags_add(const lambda_ctx *ctx, const char *arn, const cJSON *in, lambda_error *err)
{
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(in, "Tags");
    if (!cJSON_IsObject(given))
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER, "Tags must be a map of strings.");
    lambda_function *fn;
    bool owned;
    cJSON *tags = resource_tags(ctx, arn, true, true, &fn, &owned, err);
    if (!tags)
        return false;
    if (!tags_check(given, tags, err)) {
        if (owned)
            cJSON_Delete(tags);
        return false;
    }
    const cJSON *tag;
    cJSON_ArrayForEach(tag, given)
    {
        if (!cJSON_IsString(tag))
            continue;
        cJSON_DeleteItemFromObjectCaseSensitive(tags, tag->string);
        cJSON_AddStringToObject(tags, tag->string, tag->valuestring);
    }
    return save(ctx, arn, fn, err);
}

bool tags_remove(const lambda_ctx *ctx, const char *arn, const char *const *keys, size_t count, lambda_error *err)
{
    lambda_function *fn;
    bool owned;
    cJSON *tags = resource_tags(ctx, arn, false, true, &fn, &owned, err);
    if (!tags)
        return false;
    for (size_t i = 0; i < count; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(tags, keys[i]);
    if (owned) {
        cJSON_Delete(tags);
        return true;
    }
    return save(ctx, arn, fn, err);
}
