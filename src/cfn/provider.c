/* cfn/provider: the table of resource providers. ENGINE BRANCH ONLY: the providers are
 * part 3 of the work (its provider.c replaces this file); here the table knows one
 * test-only type, Test::Fake::Thing, so the engine can be tested alone:
 *   Properties: Fail: true         -> create fails ("Fake failure requested")
 *               FailUpdate: true   -> update fails
 *               Name: changed      -> needs replacement (like a queue's QueueName)
 *   Ref = "fake-<logical id>-<n>", Attributes {Arn, Name, Value}. Every live fake is counted
 * (cfn_fake_live) so that tests see what rollback and delete left behind. */
#include <stdio.h>
#include <string.h>

#include "provider.h"

int cfn_fake_live; /* test hook: how many fake resources exist */
static int serial;

static bool truthy(const cJSON *props, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, name);
    return cJSON_IsTrue(v) || (cJSON_IsString(v) && strcmp(v->valuestring, "true") == 0);
}

static void fill_attributes(const cfn_resource *r, cJSON *state)
{
    cJSON_DeleteItemFromObjectCaseSensitive(state, "Attributes");
    cJSON *attrs = cJSON_AddObjectToObject(state, "Attributes");
    char arn[512];
    snprintf(arn, sizeof arn, "arn:aws:fake:%s:%s:thing/%s", r->ctx->region, r->ctx->account,
             cJSON_GetObjectItemCaseSensitive(state, "PhysicalResourceId")->valuestring);
    cJSON_AddStringToObject(attrs, "Arn", arn);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(r->properties, "Name");
    cJSON_AddStringToObject(attrs, "Name", cJSON_IsString(name) ? name->valuestring : r->logical_id);
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(r->properties, "Value");
    if (value)
        cJSON_AddItemToObject(attrs, "Value", cJSON_Duplicate(value, true));
}

static bool fake_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    if (truthy(r->properties, "Fail"))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Fake failure requested (property Fail)");
    char id[300];
    snprintf(id, sizeof id, "fake-%s-%d", r->logical_id, ++serial);
    *state = cJSON_CreateObject();
    cJSON_AddStringToObject(*state, "PhysicalResourceId", id);
    cJSON_AddStringToObject(*state, "Ref", id);
    fill_attributes(r, *state);
    cfn_fake_live++;
    return true;
}

static bool fake_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(old_properties, "Name");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(r->properties, "Name");
    return !cJSON_Compare(a, b, true) && (a || b);
}

static bool fake_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    (void)old_properties;
    if (truthy(r->properties, "FailUpdate"))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Fake update failure requested (property FailUpdate)");
    fill_attributes(r, state);
    return true;
}

static bool fake_remove(const cfn_resource *r, const cJSON *state, cfn_error *err)
{
    (void)r;
    (void)state;
    (void)err;
    cfn_fake_live--;
    return true;
}

static const cfn_provider fake_provider = {
    .type = "Test::Fake::Thing",
    .create = fake_create,
    .needs_replacement = fake_needs_replacement,
    .update = fake_update,
    .remove = fake_remove,
};

const cfn_provider *cfn_provider_find(const char *type)
{
    return strcmp(type, fake_provider.type) == 0 ? &fake_provider : NULL;
}
