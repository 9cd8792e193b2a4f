/* sqs/registry: queues in memory, hashed by account/region/name, with URL and ARN lookup. */
#include "registry.h"

#include <stdlib.h>
#include <string.h>

#include "queue_attrs.h"
#include "sqsemu/buf.h"
#include "sqsemu/log.h"
#include "sqsemu/store.h"

typedef struct entry {
    sqs_queue *queue;
    struct entry *next;
} entry;

static struct {
    entry **buckets;
    size_t bucket_count;
    size_t count;
} R;

static uint64_t hash_key(const char *account, const char *region, const char *name)
{
    uint64_t h = 1469598103934665603ULL;
    const char *parts[3] = {account, region, name};
    for (int i = 0; i < 3; i++) {
        for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++)
            h = (h ^ *p) * 1099511628211ULL;
        h = (h ^ '/') * 1099511628211ULL;
    }
    return h;
}

void registry_init(void)
{
    R.bucket_count = 256;
    R.buckets = xcalloc(R.bucket_count, sizeof *R.buckets);
    R.count = 0;
}

void registry_free(void)
{
    for (size_t i = 0; i < R.bucket_count; i++) {
        entry *e = R.buckets[i];
        while (e) {
            entry *next = e->next;
            queue_free(e->queue);
            free(e);
            e = next;
        }
    }
    free(R.buckets);
    memset(&R, 0, sizeof R);
}

static void rehash(void)
{
    size_t new_count = R.bucket_count * 2;
    entry **buckets = xcalloc(new_count, sizeof *buckets);
    for (size_t i = 0; i < R.bucket_count; i++) {
        entry *e = R.buckets[i];
        while (e) {
            entry *next = e->next;
            sqs_queue *q = e->queue;
            size_t b = hash_key(q->account, q->region, q->name) % new_count;
            e->next = buckets[b];
            buckets[b] = e;
            e = next;
        }
    }
    free(R.buckets);
    R.buckets = buckets;
    R.bucket_count = new_count;
}

sqs_queue *registry_find(const char *account, const char *region, const char *name)
{
    size_t b = hash_key(account, region, name) % R.bucket_count;
    for (entry *e = R.buckets[b]; e; e = e->next) {
        sqs_queue *q = e->queue;
        if (strcmp(q->name, name) == 0 && strcmp(q->account, account) == 0 && strcmp(q->region, region) == 0)
            return q;
    }
    return NULL;
}

void registry_add(sqs_queue *q)
{
    if (R.count + 1 > R.bucket_count)
        rehash();
    size_t b = hash_key(q->account, q->region, q->name) % R.bucket_count;
    entry *e = xmalloc(sizeof *e);
    e->queue = q;
    e->next = R.buckets[b];
    R.buckets[b] = e;
    R.count++;
}

void registry_remove(sqs_queue *q)
{
    size_t b = hash_key(q->account, q->region, q->name) % R.bucket_count;
    for (entry **link = &R.buckets[b]; *link; link = &(*link)->next) {
        if ((*link)->queue == q) {
            entry *e = *link;
            *link = e->next;
            free(e);
            R.count--;
            return;
        }
    }
}

size_t sqs_queue_count(void)
{
    return R.count;
}

sqs_queue **registry_all(size_t *count)
{
    sqs_queue **all = xmalloc((R.count ? R.count : 1) * sizeof *all);
    size_t n = 0;
    for (size_t i = 0; i < R.bucket_count; i++) {
        for (entry *e = R.buckets[i]; e; e = e->next)
            all[n++] = e->queue;
    }
    *count = n;
    return all;
}

/* arn:aws:sqs:<region>:<account>:<name> */
sqs_queue *registry_find_arn(const char *arn)
{
    if (!arn || strncmp(arn, "arn:", 4) != 0)
        return NULL;
    char *copy = xstrdup(arn);
    char *fields[6] = {0};
    char *p = copy;
    int n = 0;
    for (; n < 6 && p; n++) {
        fields[n] = p;
        char *colon = (n < 5) ? strchr(p, ':') : NULL;
        if (colon)
            *colon = '\0';
        p = colon ? colon + 1 : NULL;
    }
    sqs_queue *q = NULL;
    if (n == 6 && strcmp(fields[2], "sqs") == 0 && fields[5][0])
        q = registry_find(fields[4], fields[3], fields[5]);
    free(copy);
    return q;
}

/* Region from a host named sqs.<region>.… or <region>.queue.…; NULL when neither. */
static char *region_from_host(const char *host, size_t host_len)
{
    if (host_len > 4 && strncmp(host, "sqs.", 4) == 0) {
        const char *dot = memchr(host + 4, '.', host_len - 4);
        if (dot && dot > host + 4)
            return xstrndup(host + 4, (size_t)(dot - host - 4));
    }
    const char *q = NULL;
    for (size_t i = 0; i + 7 <= host_len; i++) {
        if (strncmp(host + i, ".queue.", 7) == 0) {
            q = host + i;
            break;
        }
    }
    if (q && q > host)
        return xstrndup(host, (size_t)(q - host));
    return NULL;
}

sqs_queue *registry_find_url(const char *url, const char *caller_account, const char *caller_region)
{
    if (!url || !*url)
        return NULL;
    if (!strchr(url, '/'))
        return registry_find(caller_account, caller_region, url);
    const char *path = url;
    char *host_region = NULL;
    const char *scheme = strstr(url, "://");
    if (scheme) {
        const char *host = scheme + 3;
        const char *slash = strchr(host, '/');
        if (!slash)
            return NULL;
        host_region = region_from_host(host, (size_t)(slash - host));
        path = slash;
    }
    /* Split the path (up to '?') into at most 5 segments. */
    char *copy = xstrdup(path);
    char *qmark = strchr(copy, '?');
    if (qmark)
        *qmark = '\0';
    char *segments[5];
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(copy, "/", &save); tok && n < 5; tok = strtok_r(NULL, "/", &save))
        segments[n++] = tok;
    sqs_queue *q = NULL;
    const char *region = host_region ? host_region : caller_region;
    if (n == 2)
        q = registry_find(segments[0], region, segments[1]);
    else if (n == 4 && strcmp(segments[0], "queue") == 0)
        q = registry_find(segments[2], segments[1], segments[3]);
    free(copy);
    free(host_region);
    return q;
}

sqs_queue *queue_new(int64_t id, const char *account, const char *region, const char *name, bool fifo)
{
    sqs_queue *q = xcalloc(1, sizeof *q);
    q->id = id;
    q->account = xstrdup(account);
    q->region = xstrdup(region);
    q->name = xstrdup(name);
    q->fifo = fifo;
    buf_t arn;
    buf_init(&arn);
    buf_printf(&arn, "arn:aws:sqs:%s:%s:%s", region, account, name);
    q->arn = buf_detach(&arn, NULL);
    q->attributes = cJSON_CreateObject();
    q->tags = cJSON_CreateObject();
    queue_attrs_refresh(q);
    return q;
}

void queue_free(sqs_queue *q)
{
    if (!q)
        return;
    free(q->account);
    free(q->region);
    free(q->name);
    free(q->arn);
    free(q->dead_letter_arn);
    cJSON_Delete(q->attributes);
    cJSON_Delete(q->tags);
    free(q);
}

char *queue_url(const sqs_queue *q, const char *url_base)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s/%s/%s", url_base, q->account, q->name);
    return buf_detach(&b, NULL);
}

static void load_one(const stored_queue *sq, void *arg)
{
    bool *ok = arg;
    sqs_queue *q = queue_new(sq->id, sq->account, sq->region, sq->name, sq->fifo);
    q->created_s = sq->created_s;
    q->modified_s = sq->modified_s;
    cJSON *attributes = cJSON_Parse(sq->attributes);
    cJSON *tags = cJSON_Parse(sq->tags);
    if (cJSON_IsObject(attributes)) {
        cJSON_Delete(q->attributes);
        q->attributes = attributes;
    } else {
        cJSON_Delete(attributes);
        log_warn("queue %s: unreadable stored attributes", sq->name);
        *ok = false;
    }
    if (cJSON_IsObject(tags)) {
        cJSON_Delete(q->tags);
        q->tags = tags;
    } else {
        cJSON_Delete(tags);
    }
    queue_attrs_refresh(q);
    q->last_sequence = store_queue_max_sequence(q->id);
    registry_add(q);
}

bool registry_load(void)
{
    bool ok = true;
    return store_queue_each(load_one, &ok) && ok;
}
