/* cfn/stacks: the stack records, in memory and in the store (stack_store.c). A stack is
 * one JSON record (its template, parameters, resources with their state, outputs, change
 * sets) plus its events; the record is written after every step of an operation, each
 * write its own store transaction, so a crash leaves the last step's state. Stacks are
 * found by name (live ones only) or by stack id (deleted ones too, as AWS keeps them:
 * CloudFormation API reference, DescribeStacks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "sqsemu/clock.h"
#include "sqsemu/ids.h"
#include "sqsemu/log.h"
#include "sqsemu/store.h"
#include "sqsemu/tx.h"

const cfn_settings *cfn_current_settings;

static struct {
    cfn_stack **items;
    size_t count;
    size_t cap;
} S;

const char *cfn_str(const cJSON *obj, const char *name)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

void cfn_iso_time(int64_t ms, char out[32])
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

bool cfn_stack_live(const cfn_stack *s)
{
    const char *status = cfn_str(s->rec, "StackStatus");
    return !status || strcmp(status, "DELETE_COMPLETE") != 0;
}

static bool same_place(const cfn_stack *s, const cfn_ctx *ctx)
{
    return strcmp(cfn_str(s->rec, "Account"), ctx->account) == 0 && strcmp(cfn_str(s->rec, "Region"), ctx->region) == 0;
}

cfn_stack *cfn_stack_find(const cfn_ctx *ctx, const char *name_or_id)
{
    if (!name_or_id)
        return NULL;
    bool by_id = strncmp(name_or_id, "arn:", 4) == 0;
    for (size_t i = S.count; i-- > 0;) {
        cfn_stack *s = S.items[i];
        if (!same_place(s, ctx))
            continue;
        if (by_id ? strcmp(cfn_str(s->rec, "StackId"), name_or_id) == 0
                  : cfn_stack_live(s) && strcmp(cfn_str(s->rec, "StackName"), name_or_id) == 0)
            return s;
    }
    return NULL;
}

size_t cfn_stack_count(void)
{
    return S.count;
}

cfn_stack *cfn_stack_at(size_t i)
{
    return i < S.count ? S.items[i] : NULL;
}

static void add(cfn_stack *s)
{
    if (S.count == S.cap) {
        S.cap = S.cap ? S.cap * 2 : 16;
        S.items = realloc(S.items, S.cap * sizeof *S.items);
    }
    S.items[S.count++] = s;
}

static void drop_at(size_t i)
{
    cfn_stack *s = S.items[i];
    memmove(S.items + i, S.items + i + 1, (S.count - i - 1) * sizeof *S.items);
    S.count--;
    cJSON_Delete(s->rec);
    cJSON_Delete(s->events);
    free(s);
}

/* Deleted stacks beyond CFN_MAX_DELETED go, oldest first. */
static void prune_deleted(void)
{
    size_t deleted = 0;
    for (size_t i = 0; i < S.count; i++)
        deleted += !cfn_stack_live(S.items[i]);
    for (size_t i = 0; i < S.count && deleted > CFN_MAX_DELETED;) {
        if (cfn_stack_live(S.items[i])) {
            i++;
            continue;
        }
        tx_open();
        store_stack_delete(cfn_str(S.items[i]->rec, "StackId"));
        tx_close(true);
        drop_at(i);
        deleted--;
    }
}

cfn_stack *cfn_stack_new(const cfn_ctx *ctx, const char *name, const char *parent_id, cfn_error *err)
{
    size_t live = 0;
    for (size_t i = 0; i < S.count; i++)
        live += cfn_stack_live(S.items[i]);
    if (live >= CFN_MAX_STACKS) {
        cfn_fail(err, CFN_ERR_VALIDATION, "Limit of %d stacks reached", CFN_MAX_STACKS);
        return NULL;
    }
    char uuid[UUID_STR_LEN], id[512];
    ids_uuid(uuid);
    snprintf(id, sizeof id, "arn:aws:cloudformation:%s:%s:stack/%s/%s", ctx->region, ctx->account, name, uuid);
    cfn_stack *s = calloc(1, sizeof *s);
    s->rec = cJSON_CreateObject();
    s->events = cJSON_CreateArray();
    cJSON_AddStringToObject(s->rec, "StackId", id);
    cJSON_AddStringToObject(s->rec, "StackName", name);
    cJSON_AddStringToObject(s->rec, "Account", ctx->account);
    cJSON_AddStringToObject(s->rec, "Region", ctx->region);
    cJSON_AddNumberToObject(s->rec, "CreationTime", (double)clock_now_ms());
    if (parent_id) {
        cJSON_AddStringToObject(s->rec, "ParentId", parent_id);
        cfn_stack *parent = cfn_stack_find(ctx, parent_id);
        const char *root = parent ? cfn_str(parent->rec, "RootId") : NULL;
        cJSON_AddStringToObject(s->rec, "RootId", root ? root : parent_id);
    }
    cJSON_AddObjectToObject(s->rec, "Resources");
    cJSON_AddArrayToObject(s->rec, "Outputs");
    cJSON_AddArrayToObject(s->rec, "ChangeSets");
    add(s);
    return s;
}

void cfn_stack_save(cfn_stack *s)
{
    char *text = cJSON_PrintUnformatted(s->rec);
    bool ok = tx_open();
    ok = ok && store_stack_put(cfn_str(s->rec, "StackId"), text);
    if (!tx_close(ok) || !ok)
        log_error("cloudformation: could not store stack %s", cfn_str(s->rec, "StackName"));
    free(text);
    if (!cfn_stack_live(s))
        prune_deleted();
}

void cfn_stack_forget(cfn_stack *s)
{
    for (size_t i = 0; i < S.count; i++)
        if (S.items[i] == s) {
            tx_open();
            store_stack_delete(cfn_str(s->rec, "StackId"));
            tx_close(true);
            drop_at(i);
            return;
        }
}

void cfn_stack_set_status(cfn_stack *s, const char *status, const char *reason)
{
    cJSON_DeleteItemFromObjectCaseSensitive(s->rec, "StackStatus");
    cJSON_AddStringToObject(s->rec, "StackStatus", status);
    cJSON_DeleteItemFromObjectCaseSensitive(s->rec, "StackStatusReason");
    if (reason)
        cJSON_AddStringToObject(s->rec, "StackStatusReason", reason);
    cfn_stack_event(s, cfn_str(s->rec, "StackName"), cfn_str(s->rec, "StackId"), "AWS::CloudFormation::Stack", status,
                    reason, NULL);
    cfn_stack_save(s);
}

void cfn_stack_event(cfn_stack *s, const char *logical_id, const char *physical_id, const char *type,
                     const char *status, const char *reason, const cJSON *properties)
{
    char uuid[UUID_STR_LEN], when[32];
    ids_uuid(uuid);
    cfn_iso_time(clock_now_ms(), when);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "StackId", cfn_str(s->rec, "StackId"));
    cJSON_AddStringToObject(e, "EventId", uuid);
    cJSON_AddStringToObject(e, "StackName", cfn_str(s->rec, "StackName"));
    cJSON_AddStringToObject(e, "LogicalResourceId", logical_id);
    cJSON_AddStringToObject(e, "PhysicalResourceId", physical_id ? physical_id : "");
    cJSON_AddStringToObject(e, "ResourceType", type);
    cJSON_AddStringToObject(e, "Timestamp", when);
    cJSON_AddStringToObject(e, "ResourceStatus", status);
    if (reason)
        cJSON_AddStringToObject(e, "ResourceStatusReason", reason);
    if (properties) {
        char *p = cJSON_PrintUnformatted(properties);
        cJSON_AddStringToObject(e, "ResourceProperties", p);
        free(p);
    }
    cJSON_AddItemToArray(s->events, e);
    while (cJSON_GetArraySize(s->events) > CFN_MAX_EVENTS)
        cJSON_DeleteItemFromArray(s->events, 0);
    char *text = cJSON_PrintUnformatted(e);
    bool ok = tx_open();
    ok = ok && store_stack_event_add(cfn_str(s->rec, "StackId"), text, CFN_MAX_EVENTS);
    if (!tx_close(ok) || !ok)
        log_error("cloudformation: could not store an event of stack %s", cfn_str(s->rec, "StackName"));
    free(text);
}

const char *cfn_export_find(const cfn_ctx *ctx, const char *name, const char **exporter)
{
    for (size_t i = 0; i < S.count; i++) {
        cfn_stack *s = S.items[i];
        if (!same_place(s, ctx) || !cfn_stack_live(s))
            continue;
        const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(s->rec, "Outputs");
        for (const cJSON *o = outputs ? outputs->child : NULL; o; o = o->next) {
            const char *export = cfn_str(o, "ExportName");
            if (export && strcmp(export, name) == 0) {
                if (exporter)
                    *exporter = cfn_str(s->rec, "StackId");
                return cfn_str(o, "OutputValue");
            }
        }
    }
    return NULL;
}

static void load_stack(const char *stack_id, const char *record, void *arg)
{
    (void)arg;
    cJSON *rec = cJSON_Parse(record);
    if (!cJSON_IsObject(rec) || !cfn_str(rec, "StackId") || !cfn_str(rec, "StackName") || !cfn_str(rec, "Account") ||
        !cfn_str(rec, "Region")) {
        log_warn("cloudformation: stored stack %s is unreadable; ignored", stack_id);
        cJSON_Delete(rec);
        return;
    }
    cfn_stack *s = calloc(1, sizeof *s);
    s->rec = rec;
    s->events = cJSON_CreateArray();
    add(s);
}

static void load_event(const char *stack_id, const char *record, void *arg)
{
    (void)arg;
    for (size_t i = 0; i < S.count; i++)
        if (strcmp(cfn_str(S.items[i]->rec, "StackId"), stack_id) == 0) {
            cJSON *e = cJSON_Parse(record);
            if (e)
                cJSON_AddItemToArray(S.items[i]->events, e);
            return;
        }
}

/* What an operation interrupted by a crash (kill -9) leaves: the stack's status says the
 * operation failed, and resources caught in the middle of a step are marked failed too
 * (one whose creation was under way may exist without the record knowing it). Everything
 * the record does know can then be deleted, or the stack updated. */
static const char *const interrupted[][2] = {
    {"CREATE_IN_PROGRESS", "CREATE_FAILED"},
    {"ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED"},
    {"DELETE_IN_PROGRESS", "DELETE_FAILED"},
    {"UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_FAILED"},
    {"UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_FAILED"},
    {"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"},
    {"UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE"},
};

static void recover(cfn_stack *s)
{
    const char *status = cfn_str(s->rec, "StackStatus");
    for (size_t i = 0; status && i < sizeof interrupted / sizeof interrupted[0]; i++) {
        if (strcmp(status, interrupted[i][0]) != 0)
            continue;
        cJSON *resources = cJSON_GetObjectItemCaseSensitive(s->rec, "Resources");
        for (cJSON *r = resources ? resources->child : NULL; r; r = r->next) {
            const char *st = cfn_str(r, "ResourceStatus");
            const char *suffix = st ? strstr(st, "_IN_PROGRESS") : NULL;
            if (!suffix)
                continue;
            char failed[64];
            snprintf(failed, sizeof failed, "%.*s_FAILED", (int)(suffix - st), st);
            cJSON_DeleteItemFromObjectCaseSensitive(r, "ResourceStatus");
            cJSON_AddStringToObject(r, "ResourceStatus", failed);
            cJSON_DeleteItemFromObjectCaseSensitive(r, "ResourceStatusReason");
            cJSON_AddStringToObject(r, "ResourceStatusReason", "sqsemu stopped during this step");
        }
        log_warn("cloudformation: stack %s was %s when sqsemu stopped; it is now %s", cfn_str(s->rec, "StackName"),
                 status, interrupted[i][1]);
        cfn_stack_set_status(s, interrupted[i][1], "sqsemu stopped during the operation");
        return;
    }
}

bool cfn_stacks_load(void)
{
    if (!store_stack_each(load_stack, NULL) || !store_stack_event_each(load_event, NULL))
        return false;
    for (size_t i = 0; i < S.count; i++)
        recover(S.items[i]);
    return true;
}

void cfn_stacks_free(void)
{
    while (S.count)
        drop_at(S.count - 1);
    free(S.items);
    memset(&S, 0, sizeof S);
}
