/* logs/events: reading log events: GetLogEvents (one stream, forward and backward paging
 * with nextForwardToken / nextBackwardToken) and FilterLogEvents (a whole group, its
 * streams interleaved by timestamp, a filter pattern, nextToken paging).
 *
 * GetLogEvents' tokens name a place between events: f/P reads the events after P, b/P
 * those before it. A page hands back f/<its last event> and b/<its first>; a page that
 * finds nothing hands back the token it was given, so a reader that follows
 * nextForwardToken sees the same token again exactly when nothing new has arrived (AWS's
 * rule, which `aws logs tail`-like readers and the SDKs' loops stop or wait on). A page
 * holds at most `limit` events (default 10,000) and 1 MB of messages. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pattern.h"
#include "sqsemu/clock.h"

#define EVENTS_DEFAULT_LIMIT 10000
#define FILTER_SCAN_MS 1000 /* FilterLogEvents stops scanning after this and pages on (AWS may too) */

static const log_position HEAD = {0, 0};
static const log_position TAIL = {INT64_MAX, INT64_MAX};

static log_position just_after(log_position p)
{
    return p.id < INT64_MAX ? (log_position){p.timestamp_ms, p.id + 1} : (log_position){p.timestamp_ms + 1, 0};
}

static log_position just_before(log_position p)
{
    if (p.id > 0)
        return (log_position){p.timestamp_ms, p.id - 1};
    return p.timestamp_ms > 0 ? (log_position){p.timestamp_ms - 1, INT64_MAX} : HEAD;
}

static bool check_events_request(const cJSON *in, bool filter, logs_error *err)
{
    logs_checks c;
    checks_init(&c);
    check_string(&c, in, "logGroupName", 1, 512, CHARS_GROUP_NAME);
    check_string(&c, in, "logGroupIdentifier", 1, 2048, CHARS_GROUP_IDENTIFIER);
    if (filter) {
        check_string_list(&c, in, "logStreamNames", 1, 100, 1, 512, CHARS_STREAM_NAME);
        check_string(&c, in, "logStreamNamePrefix", 1, 512, CHARS_STREAM_NAME);
    } else {
        check_required(&c, in, "logStreamName");
        check_string(&c, in, "logStreamName", 1, 512, CHARS_STREAM_NAME);
    }
    check_integer(&c, in, "startTime", 0, INT64_MAX);
    check_integer(&c, in, "endTime", 0, INT64_MAX);
    if (filter)
        check_string(&c, in, "filterPattern", 0, 1024, CHARS_ANY);
    check_string(&c, in, "nextToken", 1, SIZE_MAX, CHARS_ANY);
    check_integer(&c, in, "limit", 1, 10000);
    return checks_done(&c, err);
}

static bool invalid_token(logs_error *err)
{
    return logs_fail(err, LOGS_ERR_INVALID_PARAMETER, "The specified nextToken is invalid.");
}

static bool store_failed(logs_error *err)
{
    return logs_fail(err, LOGS_ERR_SERVICE_UNAVAILABLE, "The service cannot complete the request.");
}

/* ---- GetLogEvents ---- */

typedef struct event_page {
    cJSON *events;
    int64_t count;
    size_t bytes;
    log_position first;
    log_position last;
} event_page;

static bool page_full(const event_page *p, size_t len)
{
    return p->count > 0 && p->bytes + len > LOGS_PAGE_BYTES;
}

static void page_note(event_page *p, const stored_log_event *e)
{
    log_position at = {e->timestamp_ms, e->id};
    if (p->count == 0)
        p->first = at;
    p->last = at;
    p->count++;
    p->bytes += e->message_len;
}

static cJSON *output_event(const stored_log_event *e)
{
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddNumberToObject(rec, "timestamp", (double)e->timestamp_ms);
    cJSON_AddStringToObject(rec, "message", e->message);
    cJSON_AddNumberToObject(rec, "ingestionTime", (double)e->ingestion_ms);
    return rec;
}

static bool on_stream_event(const stored_log_event *e, void *arg)
{
    event_page *p = arg;
    if (page_full(p, e->message_len))
        return false;
    cJSON_AddItemToArray(p->events, output_event(e));
    page_note(p, e);
    return true;
}

/* Reverses a backward page into time order; first and last follow. */
static void reverse_page(event_page *p)
{
    cJSON *items = p->events;
    cJSON *reversed = cJSON_CreateArray();
    while (cJSON_GetArraySize(items) > 0)
        cJSON_AddItemToArray(reversed, cJSON_DetachItemFromArray(items, cJSON_GetArraySize(items) - 1));
    cJSON_Delete(items);
    p->events = reversed;
    log_position newest = p->first;
    p->first = p->last;
    p->last = newest;
}

static void add_token(cJSON *out, const char *member, char kind, log_position at)
{
    char token[80];
    token_position(kind, &at, token, sizeof token);
    cJSON_AddStringToObject(out, member, token);
}

/* The two tokens of a page read from `from` (given is the token the caller passed, or NULL). */
static void add_page_tokens(cJSON *out, const event_page *p, bool forward, log_position from, const char *given)
{
    if (p->count > 0) {
        add_token(out, "nextForwardToken", 'f', p->last);
        add_token(out, "nextBackwardToken", 'b', p->first);
    } else if (forward) {
        if (given)
            cJSON_AddStringToObject(out, "nextForwardToken", given);
        else
            add_token(out, "nextForwardToken", 'f', from);
        add_token(out, "nextBackwardToken", 'b', just_after(from));
    } else {
        /* Nothing before the start: reading forward from the head finds what comes later. */
        add_token(out, "nextForwardToken", 'f', given ? just_before(from) : HEAD);
        if (given)
            cJSON_AddStringToObject(out, "nextBackwardToken", given);
        else
            add_token(out, "nextBackwardToken", 'b', from);
    }
}

/* Where a GetLogEvents call starts: its token, or the head or tail of the stream. */
static bool read_start(const cJSON *in, bool *forward, log_position *from, logs_error *err)
{
    const char *token = member_string(in, "nextToken");
    if (!token) {
        *forward = member_bool(in, "startFromHead", false);
        *from = *forward ? HEAD : TAIL;
        return true;
    }
    char kind = 0;
    if (!token_parse_position(token, &kind, from) || (kind != 'f' && kind != 'b'))
        return invalid_token(err);
    *forward = kind == 'f';
    return true;
}

bool logs_get_log_events(const logs_ctx *ctx, const cJSON *in, cJSON *out, logs_error *err)
{
    if (!check_events_request(in, false, err))
        return false;
    log_group_ref group;
    if (!logs_find_group(ctx, in, &group, err))
        return false;
    int64_t stream_id = 0;
    if (!store_log_stream_find(group.id, member_string(in, "logStreamName"), &stream_id))
        return store_failed(err);
    if (stream_id == 0)
        return logs_fail(err, LOGS_ERR_RESOURCE_NOT_FOUND, "The specified log stream does not exist.");
    bool forward = true;
    log_position from;
    if (!read_start(in, &forward, &from, err))
        return false;
    int64_t start = member_integer(in, "startTime", 0);
    int64_t end = member_present(in, "endTime") ? member_integer(in, "endTime", 0) - 1 : INT64_MAX; /* exclusive */
    event_page page = {.events = cJSON_CreateArray()};
    bool ok = store_log_stream_events(stream_id, forward, &from, start, end,
                                      member_integer(in, "limit", EVENTS_DEFAULT_LIMIT), on_stream_event, &page);
    if (!ok) {
        cJSON_Delete(page.events);
        return store_failed(err);
    }
    if (!forward)
        reverse_page(&page);
    cJSON_AddItemToObject(out, "events", page.events);
    add_page_tokens(out, &page, forward, from, member_string(in, "nextToken"));
    return true;
}

/* ---- FilterLogEvents ---- */

typedef struct filter_scan {
    const cJSON *stream_names; /* or NULL */
    const char *stream_prefix; /* or NULL */
    const logs_pattern *pattern;
    int64_t limit;
    int64_t deadline_ms; /* monotonic: past it the scan stops, with a nextToken */
    event_page page;
    log_position scanned; /* the last event looked at and settled */
    bool more;
} filter_scan;

static bool stream_selected(const filter_scan *f, const char *name)
{
    if (f->stream_prefix)
        return strncmp(name, f->stream_prefix, strlen(f->stream_prefix)) == 0;
    if (!f->stream_names)
        return true;
    const cJSON *item;
    cJSON_ArrayForEach(item, f->stream_names) {
        if (cJSON_IsString(item) && strcmp(item->valuestring, name) == 0)
            return true;
    }
    return false;
}

/* A filter pattern's regular expressions cost time in proportion to the bytes they scan,
 * so a scan of a large group stops after FILTER_SCAN_MS with a nextToken that goes on
 * after the last event it looked at. */
static bool settled(filter_scan *f, const stored_log_event *e)
{
    f->scanned = (log_position){e->timestamp_ms, e->id};
    if (clock_monotonic_ms() < f->deadline_ms)
        return true;
    f->more = true;
    return false;
}

static bool on_group_event(const stored_log_event *e, void *arg)
{
    filter_scan *f = arg;
    if (!stream_selected(f, e->stream_name) || !logs_pattern_match(f->pattern, e->message, e->message_len))
        return settled(f, e);
    if (f->page.count == f->limit || page_full(&f->page, e->message_len)) {
        f->more = true;
        return false;
    }
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "logStreamName", e->stream_name);
    cJSON_AddNumberToObject(rec, "timestamp", (double)e->timestamp_ms);
    cJSON_AddStringToObject(rec, "message", e->message);
    cJSON_AddNumberToObject(rec, "ingestionTime", (double)e->ingestion_ms);
    char id[57];
    token_event_id(&(log_position){e->timestamp_ms, e->id}, id);
    cJSON_AddStringToObject(rec, "eventId", id);
    cJSON_AddItemToArray(f->page.events, rec);
    page_note(&f->page, e);
    return settled(f, e);
}

static bool filter_start(const cJSON *in, log_position *from, logs_error *err)
{
    const char *token = member_string(in, "nextToken");
    *from = HEAD;
    char kind = 0;
    if (token && (!token_parse_position(token, &kind, from) || kind != 'e'))
        return invalid_token(err);
    return true;
}

static logs_pattern *filter_pattern(const cJSON *in, logs_error *err)
{
    char why[256] = "";
    logs_pattern *p = logs_pattern_parse(member_string(in, "filterPattern"), why, sizeof why);
    if (!p)
        logs_fail(err, LOGS_ERR_INVALID_PARAMETER, "%s", why);
    return p;
}

bool logs_filter_log_events(const logs_ctx *ctx, const cJSON *in, cJSON *out, logs_error *err)
{
    if (!check_events_request(in, true, err))
        return false;
    if (member_present(in, "logStreamNames") && member_present(in, "logStreamNamePrefix"))
        return logs_fail(err, LOGS_ERR_INVALID_PARAMETER, "logStreamNames and logStreamNamePrefix are mutually "
                                                          "exclusive: give only one of them.");
    log_group_ref group;
    log_position from;
    if (!logs_find_group(ctx, in, &group, err) || !filter_start(in, &from, err))
        return false;
    logs_pattern *pattern = filter_pattern(in, err);
    if (!pattern)
        return false;
    filter_scan f = {
        .stream_names = cJSON_GetObjectItemCaseSensitive(in, "logStreamNames"),
        .stream_prefix = member_string(in, "logStreamNamePrefix"),
        .pattern = pattern,
        .limit = member_integer(in, "limit", EVENTS_DEFAULT_LIMIT),
        .deadline_ms = clock_monotonic_ms() + FILTER_SCAN_MS,
        .page = {.events = cJSON_CreateArray()},
        .scanned = from,
    };
    if (!cJSON_IsArray(f.stream_names))
        f.stream_names = NULL;
    int64_t end = member_present(in, "endTime") ? member_integer(in, "endTime", 0) : INT64_MAX; /* inclusive */
    bool ok = store_log_group_events(group.id, &from, member_integer(in, "startTime", 0), end, -1, on_group_event, &f);
    logs_pattern_free(pattern);
    if (!ok) {
        cJSON_Delete(f.page.events);
        return store_failed(err);
    }
    cJSON_AddItemToObject(out, "events", f.page.events);
    cJSON_AddArrayToObject(out, "searchedLogStreams");
    if (f.more)
        add_token(out, "nextToken", 'e', f.scanned);
    return true;
}
