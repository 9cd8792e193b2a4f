/* sqs/queues: queue lifecycle and metadata actions: CreateQueue, DeleteQueue, GetQueueUrl,
 * ListQueues, Get/SetQueueAttributes, PurgeQueue, tags, ListDeadLetterSourceQueues. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "move_tasks.h"
#include "queue_attrs.h"
#include "registry.h"
#include "sqsemu/waiters.h"
#include "sqsemu/buf.h"
#include "sqsemu/codec.h"
#include "sqsemu/store.h"
#include "sqsemu/tx.h"

#define MAX_TAGS 50
#define STRICT_WINDOW_MS 60000

/* --strict: names of queues deleted in the last 60 s (in memory: a restart forgets them). */
typedef struct deleted_name {
    char *key;
    int64_t deleted_ms;
    struct deleted_name *next;
} deleted_name;

static deleted_name *recently_deleted;

static char *name_key(const char *account, const char *region, const char *name)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s/%s/%s", account, region, name);
    return buf_detach(&b, NULL);
}

static void remember_deleted(const sqs_queue *q, int64_t now_ms)
{
    deleted_name *d = xmalloc(sizeof *d);
    d->key = name_key(q->account, q->region, q->name);
    d->deleted_ms = now_ms;
    d->next = recently_deleted;
    recently_deleted = d;
}

/* True when the name was deleted less than 60 s ago; forgets older entries on the way. */
static bool deleted_recently(const char *account, const char *region, const char *name, int64_t now_ms)
{
    char *key = name_key(account, region, name);
    bool found = false;
    for (deleted_name **link = &recently_deleted; *link;) {
        deleted_name *d = *link;
        if (now_ms - d->deleted_ms >= STRICT_WINDOW_MS) {
            *link = d->next;
            free(d->key);
            free(d);
            continue;
        }
        found = found || strcmp(d->key, key) == 0;
        link = &d->next;
    }
    free(key);
    return found;
}

void queues_forget_deleted(void)
{
    while (recently_deleted) {
        deleted_name *d = recently_deleted;
        recently_deleted = d->next;
        free(d->key);
        free(d);
    }
}

static bool name_char_valid(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_';
}

static bool queue_name_valid(const char *name, bool fifo)
{
    size_t len = strlen(name);
    size_t stem = fifo ? len - 5 : len;
    if (len < 1 || len > 80 || (fifo && len <= 5))
        return false;
    for (size_t i = 0; i < stem; i++) {
        if (!name_char_valid(name[i]))
            return false;
    }
    return true;
}

static bool ends_with_fifo(const char *name)
{
    size_t len = strlen(name);
    return len >= 5 && strcmp(name + len - 5, ".fifo") == 0;
}

static bool tags_check(const char *queue_name, const cJSON *tags, size_t existing, sqs_error *err)
{
    if (!tags)
        return true;
    if (!cJSON_IsObject(tags))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Tags must be a map of strings.");
    if (existing + (size_t)cJSON_GetArraySize(tags) > MAX_TAGS)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Too many tags added for queue %s.", queue_name);
    const cJSON *tag;
    cJSON_ArrayForEach(tag, tags)
    {
        size_t key_len = strlen(tag->string);
        if (key_len < 1 || key_len > 128)
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Tag keys must be between 1 and 128 characters in length.");
        if (!cJSON_IsString(tag) || strlen(tag->valuestring) > 256)
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                            "Tag values must be strings of at most 256 characters.");
    }
    return true;
}

static bool persist_attributes(sqs_queue *q, sqs_error *err)
{
    char *json = cJSON_PrintUnformatted(q->attributes);
    bool ok = store_queue_update_attributes(q->id, json, q->modified_s);
    free(json);
    return ok || internal_error(err);
}

typedef struct attributes_snapshot {
    sqs_queue *queue;
    cJSON *attributes;
    int64_t modified_s;
} attributes_snapshot;

static void drop_attributes_snapshot(void *arg)
{
    attributes_snapshot *s = arg;
    cJSON_Delete(s->attributes);
    free(s);
}

static void restore_attributes(void *arg)
{
    attributes_snapshot *s = arg;
    cJSON_Delete(s->queue->attributes);
    s->queue->attributes = s->attributes;
    s->queue->modified_s = s->modified_s;
    queue_attrs_refresh(s->queue);
    free(s);
}

bool queue_change_attributes(sqs_queue *q, const cJSON *normalized, int64_t now_s, sqs_error *err)
{
    attributes_snapshot *s = xmalloc(sizeof *s);
    *s = (attributes_snapshot){q, cJSON_Duplicate(q->attributes, true), q->modified_s};
    tx_defer(drop_attributes_snapshot, restore_attributes, s);
    queue_attrs_apply(q, normalized);
    q->modified_s = now_s;
    return persist_attributes(q, err);
}

static bool persist_tags(sqs_queue *q, sqs_error *err)
{
    char *json = cJSON_PrintUnformatted(q->tags);
    bool ok = store_queue_update_tags(q->id, json);
    free(json);
    return ok || internal_error(err);
}

static void add_queue_url(cJSON *out, const char *member, const sqs_queue *q, const sqs_ctx *ctx)
{
    char *url = queue_url(q, ctx->url_base);
    cJSON_AddStringToObject(out, member, url);
    free(url);
}

/* CreateQueue on an existing name succeeds only if every given attribute matches. */
static bool existing_queue_matches(const sqs_queue *q, const cJSON *normalized, sqs_error *err)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, normalized)
    {
        char *current = queue_attrs_effective(q, item->string);
        bool same = current ? strcmp(current, item->valuestring) == 0 : item->valuestring[0] == '\0';
        free(current);
        if (!same)
            return sqs_fail(err, SQS_ERR_QUEUE_NAME_EXISTS,
                            "A queue already exists with the same name and a different value for attribute %s",
                            item->string);
    }
    return true;
}

static bool decide_fifo(const char *name, const cJSON *attributes, bool *fifo, sqs_error *err)
{
    const char *flag = req_string(attributes, "FifoQueue");
    bool wants_fifo = flag && strcasecmp(flag, "true") == 0;
    bool suffix = ends_with_fifo(name);
    if (wants_fifo && !suffix)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
                        "must end with .fifo suffix and be 1 to 80 in length.");
    if (suffix && !wants_fifo)
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
    *fifo = wants_fifo;
    return true;
}

static void forget_created(void *arg)
{
    sqs_queue *q = arg;
    registry_remove(q);
    queue_free(q);
}

static sqs_queue *create_new_queue(const sqs_ctx *ctx, const char *name, bool fifo, const cJSON *normalized,
                                   const cJSON *tags, sqs_error *err)
{
    sqs_queue *q = queue_new(0, ctx->account, ctx->region, name, fifo);
    q->created_s = q->modified_s = ctx->now_ms / 1000;
    queue_attrs_apply(q, normalized);
    if (tags) {
        cJSON_Delete(q->tags);
        q->tags = cJSON_Duplicate(tags, true);
    }
    char *attributes_json = cJSON_PrintUnformatted(q->attributes);
    char *tags_json = cJSON_PrintUnformatted(q->tags);
    stored_queue row = {0, q->account, q->region, q->name, q->fifo, q->created_s, q->modified_s, attributes_json, tags_json};
    q->id = store_queue_insert(&row);
    free(attributes_json);
    free(tags_json);
    if (q->id < 0) {
        queue_free(q);
        internal_error(err);
        return NULL;
    }
    registry_add(q);
    tx_defer(NULL, forget_created, q); /* a rolled-back create leaves no queue in memory */
    return q;
}

bool action_create_queue(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    const char *name;
    if (!require_string(in, "QueueName", &name, err))
        return false;
    const cJSON *attributes = req_member(in, "Attributes");
    const cJSON *tags = req_member(in, "tags");
    bool fifo = false;
    if (!decide_fifo(name, attributes, &fifo, err))
        return false;
    if (!queue_name_valid(name, fifo))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
    char arn[512];
    snprintf(arn, sizeof arn, "arn:aws:sqs:%s:%s:%s", ctx->region, ctx->account, name);
    cJSON *normalized = NULL;
    if (!queue_attrs_check(attributes, fifo, NULL, arn, &normalized, err))
        return false;
    bool ok = false;
    sqs_queue *q = registry_find(ctx->account, ctx->region, name);
    bool strict = sqs_settings_get()->strict;
    if (q) {
        ok = existing_queue_matches(q, normalized, err);
    } else if (strict && deleted_recently(ctx->account, ctx->region, name, ctx->now_ms)) {
        sqs_fail(err, SQS_ERR_QUEUE_DELETED_RECENTLY,
                 "You must wait 60 seconds after deleting a queue before you can create another with the same name.");
    } else if (tags_check(name, tags, 0, err)) {
        q = create_new_queue(ctx, name, fifo, normalized, tags, err);
        ok = q != NULL;
    }
    cJSON_Delete(normalized);
    if (ok)
        add_queue_url(out, "QueueUrl", q, ctx);
    return ok;
}

/* Once a delete is committed, the queue leaves memory: its move tasks, its parked long
 * polls (answered empty), the --strict re-creation window. */
typedef struct deleted_queue {
    sqs_queue *queue;
    int64_t at_ms;
    bool remember; /* --strict: the name may not be re-created for 60 s */
} deleted_queue;

static void forget_deleted(void *arg)
{
    deleted_queue *gone = arg;
    sqs_queue *q = gone->queue;
    move_tasks_forget_source(q->arn);
    waiters_queue_gone(q);
    if (gone->remember && sqs_settings_get()->strict)
        remember_deleted(q, gone->at_ms);
    registry_remove(q);
    queue_free(q);
    free(gone);
}

bool queue_remove(const sqs_ctx *ctx, sqs_queue *q, bool remember_name, sqs_error *err)
{
    if (!store_queue_delete(q->id) || !store_task_delete_source(q->arn))
        return internal_error(err);
    deleted_queue *gone = xmalloc(sizeof *gone);
    *gone = (deleted_queue){q, ctx->now_ms, remember_name};
    tx_defer(forget_deleted, free, gone);
    return true;
}

bool action_delete_queue(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    (void)out;
    sqs_queue *q = require_queue(ctx, in, err);
    return q && queue_remove(ctx, q, true, err);
}

bool action_get_queue_url(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    const char *name;
    if (!require_string(in, "QueueName", &name, err))
        return false;
    const char *owner = req_string(in, "QueueOwnerAWSAccountId");
    sqs_queue *q = registry_find(owner && *owner ? owner : ctx->account, ctx->region, name);
    if (!q)
        return sqs_fail_queue_missing(err);
    add_queue_url(out, "QueueUrl", q, ctx);
    return true;
}

static int compare_queue_names(const void *a, const void *b)
{
    return strcmp((*(sqs_queue *const *)a)->name, (*(sqs_queue *const *)b)->name);
}

/* Queues of the caller's account and region accepted by keep(), sorted by name. */
static sqs_queue **select_queues(const sqs_ctx *ctx, bool (*keep)(const sqs_queue *, const void *), const void *arg,
                                 size_t *count)
{
    size_t total = 0;
    sqs_queue **all = registry_all(&total);
    size_t n = 0;
    for (size_t i = 0; i < total; i++) {
        sqs_queue *q = all[i];
        if (strcmp(q->account, ctx->account) == 0 && strcmp(q->region, ctx->region) == 0 && keep(q, arg))
            all[n++] = q;
    }
    qsort(all, n, sizeof *all, compare_queue_names);
    *count = n;
    return all;
}

/* Writes one page of queue URLs into out[list_member] and a NextToken when more remain. */
static bool page_queue_urls(const sqs_ctx *ctx, const cJSON *in, sqs_queue **queues, size_t count, cJSON *out,
                            const char *list_member, bool always_list, sqs_error *err)
{
    int64_t max_results = 1000;
    bool has_max = false;
    if (!req_int(in, "MaxResults", &max_results, &has_max, err))
        return false;
    if (has_max && (max_results < 1 || max_results > 1000))
        return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value %lld for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 "
                        "and 1000.", (long long)max_results);
    size_t start = 0;
    const char *token = req_string(in, "NextToken");
    if (token && *token) {
        size_t len = 0;
        unsigned char *after = base64_decode(token, strlen(token), &len);
        if (!after)
            return sqs_fail(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Invalid NextToken value.");
        while (start < count && strcmp(queues[start]->name, (const char *)after) <= 0)
            start++;
        free(after);
    }
    size_t end = start + (size_t)max_results < count ? start + (size_t)max_results : count;
    if (end > start || always_list) {
        cJSON *urls = cJSON_AddArrayToObject(out, list_member);
        for (size_t i = start; i < end; i++) {
            char *url = queue_url(queues[i], ctx->url_base);
            cJSON_AddItemToArray(urls, cJSON_CreateString(url));
            free(url);
        }
    }
    if (has_max && end < count && end > 0) {
        char *next = base64_encode(queues[end - 1]->name, strlen(queues[end - 1]->name));
        cJSON_AddStringToObject(out, "NextToken", next);
        free(next);
    }
    return true;
}

static bool has_prefix(const sqs_queue *q, const void *prefix)
{
    return !prefix || strncmp(q->name, prefix, strlen(prefix)) == 0;
}

bool action_list_queues(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    const char *prefix = req_string(in, "QueueNamePrefix");
    size_t count = 0;
    sqs_queue **queues = select_queues(ctx, has_prefix, prefix, &count);
    bool ok = page_queue_urls(ctx, in, queues, count, out, "QueueUrls", false, err);
    free(queues);
    return ok;
}

static bool targets_dlq(const sqs_queue *q, const void *dlq_arn)
{
    return q->dead_letter_arn && strcmp(q->dead_letter_arn, dlq_arn) == 0;
}

bool action_list_dead_letter_source_queues(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    sqs_queue *dlq = require_queue(ctx, in, err);
    if (!dlq)
        return false;
    sqs_ctx scope = *ctx;
    scope.account = dlq->account;
    scope.region = dlq->region;
    size_t count = 0;
    sqs_queue **queues = select_queues(&scope, targets_dlq, dlq->arn, &count);
    bool ok = page_queue_urls(ctx, in, queues, count, out, "queueUrls", true, err);
    free(queues);
    return ok;
}

/* Drops expired messages so that counters never include them. */
static bool apply_retention(const sqs_queue *q, int64_t now_ms, sqs_error *err)
{
    return store_messages_expire(q->id, now_ms - (int64_t)q->retention_s * 1000) || internal_error(err);
}

bool action_get_queue_attributes(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    sqs_queue *q = require_queue(ctx, in, err);
    if (!q)
        return false;
    const cJSON *names = req_member(in, "AttributeNames");
    if (!names || cJSON_GetArraySize(names) == 0)
        return true;
    if (!apply_retention(q, ctx->now_ms, err))
        return false;
    cJSON *attributes = cJSON_CreateObject();
    if (!queue_attrs_list(q, names, ctx->now_ms, attributes, err)) {
        cJSON_Delete(attributes);
        return false;
    }
    if (cJSON_GetArraySize(attributes) > 0)
        cJSON_AddItemToObject(out, "Attributes", attributes);
    else
        cJSON_Delete(attributes);
    return true;
}

bool action_set_queue_attributes(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    (void)out;
    sqs_queue *q = require_queue(ctx, in, err);
    if (!q)
        return false;
    const cJSON *attributes = req_member(in, "Attributes");
    if (!attributes)
        return sqs_fail_missing_param(err, "Attributes");
    cJSON *normalized = NULL;
    if (!queue_attrs_check(attributes, q->fifo, q, q->arn, &normalized, err))
        return false;
    bool ok = queue_change_attributes(q, normalized, ctx->now_ms / 1000, err);
    cJSON_Delete(normalized);
    /* A shorter delay or visibility default does not move existing messages; nothing to wake. */
    return ok;
}

bool action_purge_queue(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    (void)out;
    sqs_queue *q = require_queue(ctx, in, err);
    if (!q)
        return false;
    if (sqs_settings_get()->strict && q->last_purge_ms && ctx->now_ms - q->last_purge_ms < STRICT_WINDOW_MS)
        return sqs_fail(err, SQS_ERR_PURGE_IN_PROGRESS, "Only one PurgeQueue operation on %s is allowed every 60 seconds.",
                        q->name);
    /* On a FIFO queue a purge also forgets the deduplication window (AWS's behaviour: a
     * message sent again with the same deduplication id after a purge is delivered). */
    if (!store_messages_purge(q->id, NULL) || (q->fifo && !store_dedup_clear(q->id)))
        return internal_error(err);
    q->last_purge_ms = ctx->now_ms; /* --strict only: a failed purge would merely start the window */
    return true;
}

typedef struct tags_snapshot {
    sqs_queue *queue;
    cJSON *tags;
} tags_snapshot;

static void drop_tags_snapshot(void *arg)
{
    tags_snapshot *s = arg;
    cJSON_Delete(s->tags);
    free(s);
}

static void restore_tags(void *arg)
{
    tags_snapshot *s = arg;
    cJSON_Delete(s->queue->tags);
    s->queue->tags = s->tags;
    free(s);
}

/* Replaces q's tags (taking new_tags) for the call; a rollback puts the old ones back. */
static bool update_tags(sqs_queue *q, cJSON *new_tags, sqs_error *err)
{
    tags_snapshot *s = xmalloc(sizeof *s);
    *s = (tags_snapshot){q, q->tags};
    q->tags = new_tags;
    tx_defer(drop_tags_snapshot, restore_tags, s);
    return persist_tags(q, err);
}

bool action_tag_queue(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    (void)out;
    sqs_queue *q = require_queue(ctx, in, err);
    if (!q)
        return false;
    const cJSON *tags = req_member(in, "Tags");
    if (!tags || cJSON_GetArraySize(tags) == 0)
        return sqs_fail_missing_param(err, "Tags");
    cJSON *merged = cJSON_Duplicate(q->tags, true);
    const cJSON *tag;
    size_t added = 0;
    cJSON_ArrayForEach(tag, tags)
    {
        if (!cJSON_GetObjectItemCaseSensitive(merged, tag->string))
            added++;
    }
    if (!tags_check(q->name, tags, (size_t)cJSON_GetArraySize(merged) + added - (size_t)cJSON_GetArraySize(tags), err)) {
        cJSON_Delete(merged);
        return false;
    }
    cJSON_ArrayForEach(tag, tags)
    {
        cJSON_DeleteItemFromObjectCaseSensitive(merged, tag->string);
        cJSON_AddStringToObject(merged, tag->string, tag->valuestring);
    }
    return update_tags(q, merged, err);
}

bool action_untag_queue(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    (void)out;
    sqs_queue *q = require_queue(ctx, in, err);
    if (!q)
        return false;
    const cJSON *keys = req_member(in, "TagKeys");
    if (!keys || cJSON_GetArraySize(keys) == 0)
        return sqs_fail_missing_param(err, "TagKeys");
    cJSON *remaining = cJSON_Duplicate(q->tags, true);
    const cJSON *key;
    cJSON_ArrayForEach(key, keys)
    {
        if (cJSON_IsString(key))
            cJSON_DeleteItemFromObjectCaseSensitive(remaining, key->valuestring);
    }
    return update_tags(q, remaining, err);
}

bool action_list_queue_tags(sqs_ctx *ctx, const cJSON *in, cJSON *out, sqs_error *err)
{
    sqs_queue *q = require_queue(ctx, in, err);
    if (!q)
        return false;
    if (cJSON_GetArraySize(q->tags) > 0)
        cJSON_AddItemToObject(out, "Tags", cJSON_Duplicate(q->tags, true));
    return true;
}
