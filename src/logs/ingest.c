/* logs/ingest: the write side of CloudWatch Logs: every line a Lambda handler prints (and
 * the START/END/REPORT lines) arrives through logs_put, and its caps.
 *
 * How it lives: logs_put is on the invocation path, so it only copies the line (repaired
 * to UTF-8 and cut to LOGS_EVENT_MAX_BYTES) into an in-memory buffer, one ring per stream,
 * and arms a short timer on the real clock. The flush writes the whole buffer in one
 * transaction of its own: group and stream rows, the events, then the caps (a group's
 * oldest events past its cap go, then the store's). It runs when the timer fires, when the
 * buffer grows past FLUSH_BYTES, when a reader calls (logs_service_call flushes first, so
 * a read sees every line printed before it), and at shutdown. It never writes inside
 * another call's transaction: a rollback there must not take handler output with it, so
 * the flush waits for the next timer instead. Nothing blocks: the store is local SQLite.
 *
 * Bounds: a stream's ring keeps at most the group cap of events (older ones could not
 * survive the cap anyway); the buffer as a whole is flushed at FLUSH_BYTES and, while it
 * cannot be, never grows past MAX_BUFFER_BYTES (the oldest lines of the stream being
 * written go first). A crash (kill -9) loses at most the last FLUSH_DELAY_MS of lines. */
#include <stdlib.h>
#include <string.h>

#include "sqsemu/buf.h"
#include "sqsemu/clock.h"
#include "sqsemu/log.h"
#include "sqsemu/logs.h"
#include "sqsemu/loop.h"
#include "sqsemu/store.h"
#include "sqsemu/tx.h"
#include "sqsemu/utf8.h"

#define FLUSH_DELAY_MS 250
#define FLUSH_BYTES (4 * 1024 * 1024)
#define MAX_BUFFER_BYTES (32 * 1024 * 1024)

typedef struct pending_event {
    int64_t timestamp_ms;
    char *message;
    size_t len;
} pending_event;

/* The buffered events of one stream: a ring, oldest at head. */
typedef struct pending_stream {
    char *account;
    char *region;
    char *group;
    char *stream;
    pending_event *ring;
    size_t cap;
    size_t head;
    size_t count;
    struct pending_stream *next;
} pending_stream;

static struct {
    pending_stream *streams;
    size_t bytes;
    sq_timer timer;
    bool flushing;
    bool warned_full;
    logs_limits limits;
} B;

/* ---- limits ---- */

static int64_t or_default(int64_t value, int64_t fallback)
{
    return value > 0 ? value : fallback;
}

void logs_set_limits(const logs_limits *limits)
{
    logs_limits none = {0};
    const logs_limits *l = limits ? limits : &none;
    B.limits.group_events = or_default(l->group_events, LOGS_GROUP_MAX_EVENTS);
    B.limits.group_bytes = or_default(l->group_bytes, LOGS_GROUP_MAX_BYTES);
    B.limits.total_events = or_default(l->total_events, LOGS_TOTAL_MAX_EVENTS);
    B.limits.total_bytes = or_default(l->total_bytes, LOGS_TOTAL_MAX_BYTES);
}

static const logs_limits *limits(void)
{
    if (B.limits.group_events == 0)
        logs_set_limits(NULL);
    return &B.limits;
}

/* ---- the buffer ---- */

static pending_event *ring_at(pending_stream *s, size_t i)
{
    return &s->ring[(s->head + i) % s->cap];
}

static void drop_oldest(pending_stream *s)
{
    pending_event *e = ring_at(s, 0);
    B.bytes -= e->len;
    free(e->message);
    s->head = (s->head + 1) % s->cap;
    s->count--;
}

static void ring_grow(pending_stream *s, size_t max)
{
    size_t cap = s->cap ? s->cap * 2 : 64;
    if (cap > max)
        cap = max;
    pending_event *ring = xmalloc(cap * sizeof *ring);
    for (size_t i = 0; i < s->count; i++)
        ring[i] = *ring_at(s, i);
    free(s->ring);
    s->ring = ring;
    s->cap = cap;
    s->head = 0;
}

static void stream_free(pending_stream *s)
{
    while (s->count)
        drop_oldest(s);
    free(s->ring);
    free(s->account);
    free(s->region);
    free(s->group);
    free(s->stream);
    free(s);
}

static bool same_stream(const pending_stream *s, const char *account, const char *region, const char *group,
                        const char *stream)
{
    return strcmp(s->stream, stream) == 0 && strcmp(s->group, group) == 0 && strcmp(s->account, account) == 0 &&
           strcmp(s->region, region) == 0;
}

static pending_stream *stream_of(const char *account, const char *region, const char *group, const char *stream)
{
    for (pending_stream *s = B.streams; s; s = s->next) {
        if (same_stream(s, account, region, group, stream))
            return s;
    }
    pending_stream *s = xcalloc(1, sizeof *s);
    s->account = xstrdup(account);
    s->region = xstrdup(region);
    s->group = xstrdup(group);
    s->stream = xstrdup(stream);
    s->next = B.streams;
    B.streams = s;
    return s;
}

static void push(pending_stream *s, int64_t timestamp_ms, char *message, size_t len)
{
    size_t max = (size_t)limits()->group_events;
    while (s->count >= max)
        drop_oldest(s);
    if (s->count == s->cap)
        ring_grow(s, max);
    *ring_at(s, s->count) = (pending_event){timestamp_ms, message, len};
    s->count++;
    B.bytes += len;
}

/* ---- flushing ---- */

static void on_timer(void *arg)
{
    (void)arg;
    logs_flush();
}

static void arm_timer(void)
{
    if (!B.timer.armed)
        timers_arm(loop_real_timers(), &B.timer, clock_monotonic_ms() + FLUSH_DELAY_MS, on_timer, NULL);
}

typedef struct group_ids {
    int64_t *ids;
    size_t count;
} group_ids;

static void remember_group(group_ids *g, int64_t id)
{
    for (size_t i = 0; i < g->count; i++) {
        if (g->ids[i] == id)
            return;
    }
    g->ids = xrealloc(g->ids, (g->count + 1) * sizeof *g->ids);
    g->ids[g->count++] = id;
}

static bool write_stream(pending_stream *s, int64_t now_ms, group_ids *touched)
{
    int64_t group_id = store_log_group_ensure(s->account, s->region, s->group, now_ms);
    if (group_id < 0)
        return false;
    remember_group(touched, group_id);
    int64_t first = ring_at(s, 0)->timestamp_ms, last = first;
    for (size_t i = 1; i < s->count; i++) {
        int64_t t = ring_at(s, i)->timestamp_ms;
        first = t < first ? t : first;
        last = t > last ? t : last;
    }
    int64_t stream_id = store_log_stream_ensure(group_id, s->stream, now_ms, first, last);
    if (stream_id < 0)
        return false;
    for (size_t i = 0; i < s->count; i++) {
        pending_event *e = ring_at(s, i);
        if (!store_log_event_insert(group_id, stream_id, e->timestamp_ms, now_ms, e->message, e->len))
            return false;
    }
    return true;
}

static bool write_all(pending_stream *list, int64_t now_ms)
{
    const logs_limits *l = limits();
    group_ids touched = {0};
    bool ok = true;
    for (pending_stream *s = list; s && ok; s = s->next)
        ok = s->count == 0 || write_stream(s, now_ms, &touched);
    for (size_t i = 0; i < touched.count && ok; i++)
        ok = store_log_trim_group(touched.ids[i], l->group_events, l->group_bytes, NULL);
    ok = ok && store_log_trim_total(l->total_events, l->total_bytes, NULL);
    free(touched.ids);
    return ok;
}

static void free_list(pending_stream *list)
{
    while (list) {
        pending_stream *next = list->next;
        stream_free(list);
        list = next;
    }
}

bool logs_flush(void)
{
    if (!B.streams)
        return true;
    if (tx_active() || B.flushing) {
        arm_timer();
        return false;
    }
    B.flushing = true;
    timers_cancel(loop_real_timers(), &B.timer);
    pending_stream *list = B.streams;
    B.streams = NULL;
    bool ok = tx_open();
    if (ok)
        ok = tx_close(write_all(list, clock_now_ms()));
    if (!ok)
        log_warn("logs: the store refused a batch of log events; they are dropped");
    free_list(list);
    B.bytes = 0;
    B.flushing = false;
    return ok;
}

/* ---- the entry points ---- */

void logs_put(const char *account, const char *region, const char *group, const char *stream, int64_t timestamp_ms,
              const char *message)
{
    if (!account || !region || !group || !stream || !*group || !*stream || !message || !*message)
        return;
    size_t len = 0;
    char *text = utf8_repair(message, strlen(message), LOGS_EVENT_MAX_BYTES, &len);
    if (len == 0) {
        free(text);
        return;
    }
    pending_stream *s = stream_of(account, region, group, stream);
    push(s, timestamp_ms < 0 ? 0 : timestamp_ms, text, len);
    if (B.bytes > FLUSH_BYTES)
        logs_flush();
    while (B.bytes > MAX_BUFFER_BYTES && s->count > 1) {
        if (!B.warned_full)
            log_warn("logs: the log buffer is full while a transaction is open; dropping the oldest lines");
        B.warned_full = true;
        drop_oldest(s);
    }
    if (B.streams)
        arm_timer();
}

/* Drops the buffered events of the groups a reset deletes. */
static void forget_pending(const char *account, const char *region, const char *group)
{
    for (pending_stream **link = &B.streams; *link;) {
        pending_stream *s = *link;
        bool match = !account || (strcmp(s->account, account) == 0 && strcmp(s->region, region) == 0 &&
                                  (!group || strcmp(s->group, group) == 0));
        if (match) {
            *link = s->next;
            stream_free(s);
        } else {
            link = &s->next;
        }
    }
}

static void reset(const char *account, const char *region, const char *group)
{
    forget_pending(account, region, group);
    if (!tx_open() || !tx_close(store_log_delete(account, region, group)))
        log_error("logs: the store could not delete log groups");
}

void logs_reset(const char *account, const char *region, const char *group)
{
    if (account && region)
        reset(account, region, group);
}

void logs_reset_all(void)
{
    reset(NULL, NULL, NULL);
}

void logs_service_stop(void)
{
    timers_cancel(loop_real_timers(), &B.timer);
    logs_flush();
    free_list(B.streams);
    B.streams = NULL;
    B.bytes = 0;
    timers_cancel(loop_real_timers(), &B.timer);
}
