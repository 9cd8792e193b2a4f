/* logs/groups: log groups and log streams: finding the group a request names (by name or
 * logGroupIdentifier, a name or an ARN), and DescribeLogGroups / DescribeLogStreams with
 * their filters, orders and nextToken paging. Groups and streams are what the Lambda
 * executor's lines created (logs/ingest.c); nothing here writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DESCRIBE_DEFAULT_LIMIT 50

static const char *const group_classes[] = {"STANDARD", "INFREQUENT_ACCESS", "DELIVERY", NULL};
static const char *const stream_orders[] = {"LogStreamName", "LastEventTime", NULL};

/* ---- names and ARNs ---- */

char *logs_group_arn(const char *account, const char *region, const char *name, bool star)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "arn:aws:logs:%s:%s:log-group:%s%s", region, account, name, star ? ":*" : "");
    return buf_detach(&b, NULL);
}

/* Copies the i-th ':'-separated field of s (fields 0..count-2; the last takes the rest). */
static bool arn_field(const char *s, int index, char *out, size_t size, bool rest)
{
    for (int i = 0; i < index; i++) {
        s = strchr(s, ':');
        if (!s)
            return false;
        s++;
    }
    size_t n = rest ? strlen(s) : strcspn(s, ":");
    if (n == 0 || n >= size)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

/* arn:<partition>:logs:<region>:<account>:log-group:<name> into ref's account, region and
 * name (the ":*" form DescribeLogGroups shows is refused earlier by the identifier's
 * pattern, as AWS does). */
static bool parse_group_arn(const char *arn, log_group_ref *ref)
{
    char service[16], resource[16];
    if (strncmp(arn, "arn:", 4) != 0 || !arn_field(arn, 2, service, sizeof service, false) ||
        strcmp(service, "logs") != 0 || !arn_field(arn, 3, ref->region, sizeof ref->region, false) ||
        !arn_field(arn, 4, ref->account, sizeof ref->account, false) ||
        !arn_field(arn, 5, resource, sizeof resource, false) || strcmp(resource, "log-group") != 0 ||
        !arn_field(arn, 6, ref->name, sizeof ref->name, true))
        return false;
    return !strchr(ref->name, ':');
}

/* The account, region and name an identifier (a name or an ARN) means. */
static bool resolve_identifier(const logs_ctx *ctx, const char *identifier, log_group_ref *ref, logs_error *err)
{
    snprintf(ref->account, sizeof ref->account, "%s", ctx->account);
    snprintf(ref->region, sizeof ref->region, "%s", ctx->region);
    if (strncmp(identifier, "arn:", 4) == 0) {
        if (!parse_group_arn(identifier, ref))
            return logs_fail(err, LOGS_ERR_INVALID_PARAMETER, "The specified logGroupIdentifier is not a valid log "
                                                              "group ARN or name.");
        /* No cross-account observability: another account's or region's group is not here. */
        if (strcmp(ref->account, ctx->account) != 0 || strcmp(ref->region, ctx->region) != 0)
            return logs_fail(err, LOGS_ERR_RESOURCE_NOT_FOUND, "The specified log group does not exist.");
        return true;
    }
    if (strlen(identifier) >= sizeof ref->name)
        return logs_fail(err, LOGS_ERR_RESOURCE_NOT_FOUND, "The specified log group does not exist.");
    snprintf(ref->name, sizeof ref->name, "%s", identifier);
    return true;
}

bool logs_find_group(const logs_ctx *ctx, const cJSON *in, log_group_ref *out, logs_error *err)
{
    const char *name = member_string(in, "logGroupName");
    const char *identifier = member_string(in, "logGroupIdentifier");
    if (name && identifier)
        return logs_fail(err, LOGS_ERR_INVALID_PARAMETER, "LogGroupName and LogGroupIdentifier are mutually "
                                                          "exclusive: give only one of them.");
    if (!name && !identifier)
        return logs_fail(err, LOGS_ERR_INVALID_PARAMETER, "Either logGroupName or logGroupIdentifier must be "
                                                          "specified.");
    memset(out, 0, sizeof *out);
    if (!resolve_identifier(ctx, name ? name : identifier, out, err))
        return false;
    if (!store_log_group_find(out->account, out->region, out->name, &out->id))
        return logs_fail(err, LOGS_ERR_SERVICE_UNAVAILABLE, "The service cannot complete the request.");
    if (out->id == 0)
        return logs_fail(err, LOGS_ERR_RESOURCE_NOT_FOUND, "The specified log group does not exist.");
    return true;
}

/* ---- DescribeLogGroups ---- */

typedef struct group_page {
    const logs_ctx *ctx;
    const char *prefix;
    const char *pattern;
    const cJSON *identifiers; /* names or ARNs, or NULL */
    bool no_class_match;      /* logGroupClass asks for a class no group here has */
    int64_t limit;
    cJSON *list;
    int64_t count;
    char *last;   /* name of the last group listed */
    bool more;
    bool past_prefix;
} group_page;

static bool identifier_names(const group_page *p, const char *name)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, p->identifiers) {
        log_group_ref ref;
        if (cJSON_IsString(item) && resolve_identifier(p->ctx, item->valuestring, &ref, NULL) &&
            strcmp(ref.name, name) == 0)
            return true;
    }
    return false;
}

static bool group_selected(group_page *p, const char *name)
{
    if (p->no_class_match)
        return false;
    if (p->prefix && strncmp(name, p->prefix, strlen(p->prefix)) != 0) {
        p->past_prefix = strcmp(name, p->prefix) > 0;
        return false;
    }
    if (p->pattern && !strstr(name, p->pattern))
        return false;
    return !p->identifiers || identifier_names(p, name);
}

static cJSON *group_record(const group_page *p, const stored_log_group *g)
{
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "logGroupName", g->name);
    cJSON_AddNumberToObject(rec, "creationTime", (double)g->created_ms);
    bool full = !p->pattern; /* a pattern search answers with the name, time and ARN only */
    if (full)
        cJSON_AddNumberToObject(rec, "metricFilterCount", 0);
    char *arn = logs_group_arn(p->ctx->account, p->ctx->region, g->name, true);
    cJSON_AddStringToObject(rec, "arn", arn);
    free(arn);
    if (full) {
        cJSON_AddNumberToObject(rec, "storedBytes", (double)g->stored_bytes);
        cJSON_AddStringToObject(rec, "logGroupClass", "STANDARD");
        arn = logs_group_arn(p->ctx->account, p->ctx->region, g->name, false);
        cJSON_AddStringToObject(rec, "logGroupArn", arn);
        free(arn);
    }
    return rec;
}

static bool on_group(const stored_log_group *g, void *arg)
{
    group_page *p = arg;
    if (!group_selected(p, g->name))
        return !p->past_prefix; /* names are sorted: past the prefix nothing matches */
    if (p->count == p->limit) {
        p->more = true;
        return false;
    }
    cJSON_AddItemToArray(p->list, group_record(p, g));
    p->count++;
    free(p->last);
    p->last = xstrdup(g->name);
    return true;
}

static bool check_describe_groups(const cJSON *in, logs_error *err)
{
    logs_checks c;
    checks_init(&c);
    check_string_list(&c, in, "accountIdentifiers", 0, 20, 12, 12, CHARS_ANY);
    check_string(&c, in, "logGroupNamePrefix", 1, 512, CHARS_GROUP_NAME);
    check_string(&c, in, "logGroupNamePattern", 0, 512, CHARS_GROUP_PATTERN);
    check_string(&c, in, "nextToken", 1, SIZE_MAX, CHARS_ANY);
    check_integer(&c, in, "limit", 1, 50);
    check_enum(&c, in, "logGroupClass", group_classes);
    check_string_list(&c, in, "logGroupIdentifiers", 1, 50, 1, 2048, CHARS_GROUP_IDENTIFIER);
    if (!checks_done(&c, err))
        return false;
    if (member_present(in, "logGroupNamePrefix") && member_present(in, "logGroupNamePattern"))
        return logs_fail(err, LOGS_ERR_INVALID_PARAMETER, "LogGroupNamePrefix and LogGroupNamePattern are mutually "
                                                          "exclusive. Only one of these parameters can be passed.");
    if (member_present(in, "logGroupIdentifiers") &&
        (member_present(in, "logGroupNamePrefix") || member_present(in, "logGroupNamePattern")))
        return logs_fail(err, LOGS_ERR_INVALID_PARAMETER, "logGroupIdentifiers cannot be combined with "
                                                          "logGroupNamePrefix or logGroupNamePattern.");
    return true;
}

bool logs_describe_log_groups(const logs_ctx *ctx, const cJSON *in, cJSON *out, logs_error *err)
{
    if (!check_describe_groups(in, err))
        return false;
    const char *token = member_string(in, "nextToken");
    char *after = token ? token_parse_name('g', token) : NULL;
    if (token && !after)
        return logs_fail(err, LOGS_ERR_INVALID_PARAMETER, "The specified nextToken is invalid.");
    const char *class = member_string(in, "logGroupClass");
    group_page p = {
        .ctx = ctx,
        .prefix = member_string(in, "logGroupNamePrefix"),
        .pattern = member_string(in, "logGroupNamePattern"),
        .identifiers = cJSON_GetObjectItemCaseSensitive(in, "logGroupIdentifiers"),
        .no_class_match = class && strcmp(class, "STANDARD") != 0,
        .limit = member_integer(in, "limit", DESCRIBE_DEFAULT_LIMIT),
        .list = cJSON_AddArrayToObject(out, "logGroups"),
    };
    if (!cJSON_IsArray(p.identifiers))
        p.identifiers = NULL;
    if (p.pattern && !*p.pattern)
        p.pattern = NULL;
    bool ok = store_log_groups_each(ctx->account, ctx->region, after, on_group, &p);
    if (ok && p.more && p.last) {
        char *next = token_name('g', p.last);
        cJSON_AddStringToObject(out, "nextToken", next);
        free(next);
    }
    free(after);
    free(p.last);
    return ok || logs_fail(err, LOGS_ERR_SERVICE_UNAVAILABLE, "The service cannot complete the request.");
}

/* ---- DescribeLogStreams ---- */

typedef struct stream_page {
    const log_group_ref *group;
    const char *prefix;
    bool descending;
    int64_t limit;
    cJSON *list;
    int64_t count;
    bool more;
    stored_log_stream last; /* the last listed (its name copied into last_name) */
    char *last_name;
} stream_page;

static cJSON *stream_record(const log_group_ref *g, const stored_log_stream *s)
{
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "logStreamName", s->name);
    cJSON_AddNumberToObject(rec, "creationTime", (double)s->created_ms);
    cJSON_AddNumberToObject(rec, "firstEventTimestamp", (double)s->first_event_ms);
    cJSON_AddNumberToObject(rec, "lastEventTimestamp", (double)s->last_event_ms);
    cJSON_AddNumberToObject(rec, "lastIngestionTime", (double)s->last_ingestion_ms);
    buf_t arn;
    buf_init(&arn);
    buf_printf(&arn, "arn:aws:logs:%s:%s:log-group:%s:log-stream:%s", g->region, g->account, g->name, s->name);
    cJSON_AddStringToObject(rec, "arn", arn.data);
    buf_free(&arn);
    cJSON_AddNumberToObject(rec, "storedBytes", 0); /* AWS reports 0 for streams since 2019 */
    return rec;
}

static bool on_stream(const stored_log_stream *s, void *arg)
{
    stream_page *p = arg;
    if (p->prefix) {
        int cmp = strncmp(s->name, p->prefix, strlen(p->prefix));
        if (cmp != 0)
            return p->descending ? cmp > 0 : cmp < 0; /* sorted by name: stop once past the prefix */
    }
    if (p->count == p->limit) {
        p->more = true;
        return false;
    }
    cJSON_AddItemToArray(p->list, stream_record(p->group, s));
    p->count++;
    p->last = *s;
    free(p->last_name);
    p->last_name = xstrdup(s->name);
    return true;
}

static bool check_describe_streams(const cJSON *in, logs_error *err)
{
    logs_checks c;
    checks_init(&c);
    check_string(&c, in, "logGroupName", 1, 512, CHARS_GROUP_NAME);
    check_string(&c, in, "logGroupIdentifier", 1, 2048, CHARS_GROUP_IDENTIFIER);
    check_string(&c, in, "logStreamNamePrefix", 1, 512, CHARS_STREAM_NAME);
    check_enum(&c, in, "orderBy", stream_orders);
    check_string(&c, in, "nextToken", 1, SIZE_MAX, CHARS_ANY);
    check_integer(&c, in, "limit", 1, 50);
    return checks_done(&c, err);
}

/* The cursor a nextToken holds: a name, or a (last event time, id) position. */
static bool stream_cursor(const char *token, bool by_time, char **name, log_position *pos, logs_error *err)
{
    char kind = 0;
    bool ok = by_time ? token_parse_position(token, &kind, pos) && kind == 't'
                      : (*name = token_parse_name('n', token)) != NULL;
    return ok || logs_fail(err, LOGS_ERR_INVALID_PARAMETER, "The specified nextToken is invalid.");
}

static void add_stream_token(cJSON *out, const stream_page *p, bool by_time)
{
    if (!p->more || !p->last_name)
        return;
    if (by_time) {
        char token[80];
        token_position('t', &(log_position){p->last.last_event_ms, p->last.id}, token, sizeof token);
        cJSON_AddStringToObject(out, "nextToken", token);
    } else {
        char *token = token_name('n', p->last_name);
        cJSON_AddStringToObject(out, "nextToken", token);
        free(token);
    }
}

bool logs_describe_log_streams(const logs_ctx *ctx, const cJSON *in, cJSON *out, logs_error *err)
{
    if (!check_describe_streams(in, err))
        return false;
    const char *order = member_string(in, "orderBy");
    bool by_time = order && strcmp(order, "LastEventTime") == 0;
    stream_page p = {
        .prefix = member_string(in, "logStreamNamePrefix"),
        .descending = member_bool(in, "descending", false),
        .limit = member_integer(in, "limit", DESCRIBE_DEFAULT_LIMIT),
    };
    if (by_time && p.prefix)
        return logs_fail(err, LOGS_ERR_INVALID_PARAMETER, "Cannot order by LastEventTime with a logStreamNamePrefix.");
    log_group_ref group;
    if (!logs_find_group(ctx, in, &group, err))
        return false;
    const char *token = member_string(in, "nextToken");
    char *after_name = NULL;
    log_position after = {0};
    if (token && !stream_cursor(token, by_time, &after_name, &after, err))
        return false;
    p.group = &group;
    p.list = cJSON_AddArrayToObject(out, "logStreams");
    bool ok = store_log_streams_each(group.id, by_time ? LOG_STREAMS_BY_LAST_EVENT : LOG_STREAMS_BY_NAME,
                                     p.descending, after_name, token && by_time ? &after : NULL, on_stream, &p);
    if (ok)
        add_stream_token(out, &p, by_time);
    free(after_name);
    free(p.last_name);
    return ok || logs_fail(err, LOGS_ERR_SERVICE_UNAVAILABLE, "The service cannot complete the request.");
}
