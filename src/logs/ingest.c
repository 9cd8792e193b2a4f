/* logs/ingest: the write side of CloudWatch Logs: every line a Lambda handler prints (and
 * the START/END/REPORT lines) arrives through logs_put, and the caps.
 *
 * How it lives: logs_put is on the invocation path, so it only appends the line (repaired
 * to UTF-8 and cut to LOGS_EVENT_MAX_BYTES) to an in-memory buffer, one contiguous log of
 * records per stream that is reused from flush to flush (no allocation per line), and
 * arms a timer on the real clock. The flush writes everything buffered in one transaction
 * of its own: group and stream rows, the events, then the caps (a group's oldest events
 * past its cap go, then the store's). It runs FLUSH_DELAY_MS after the first buffered
 * line, when a reader calls (logs_service_call flushes first, so a read sees every line
 * printed before it), and at shutdown. It never writes inside another call's transaction
 * (a rollback there must not take handler output with it): the timer tries again.
 * Nothing blocks: the store is local SQLite.
 *
 * A flood: a stream's buffer keeps only what its group's cap can keep (the newest
 * LOGS_GROUP_MAX_EVENTS lines and group bytes; older ones could not survive the cap), so
 * while a stream overflows and lines keep coming, writing it would only write rows the
 * next lines push out again: the timer then waits, up to MAX_DELAY_MS from the first
 * buffered line. All
 * buffers together stay under MAX_BUFFER_BYTES (past it they are flushed, or, inside a
 * transaction, the oldest lines of the stream being written go). A crash (kill -9) loses
 * what was buffered: at most FLUSH_DELAY_MS of lines, MAX_DELAY_MS during a flood. */
#include <stdint.h>
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

#define FLUSH_DELAY_MS 500
#define MAX_DELAY_MS 5000
#define MAX_BUFFER_BYTES (32 * 1024 * 1024)
#define COMPACT_BYTES (64 * 1024)    /* dropped bytes at the front of a buffer worth a memmove */
#define KEEP_BUFFER_BYTES (1 << 20) /* a reused buffer larger than this goes when little of it was used */

/* A buffered event: this header, then len bytes of message. */
typedef struct record_head {
    int64_t timestamp_ms;
    uint32_t len;
} record_head;

/* The buffered events of one stream: records from offset start of log on, oldest first.
 * A stream with nothing buffered at a flush is forgotten. */
typedef struct pending_stream {
    char *account;
    char *region;
    char *group;
    char *stream;
    buf_t log;
    size_t start;
    size_t count;
    struct pending_stream *next;
} pending_stream;

static struct {
    pending_stream *streams;
    size_t bytes;          /* of every stream's records */
    int64_t since_ms;      /* monotonic time of the first line buffered since the last flush */
    int64_t last_ms;       /* and of the last one */
    bool overflowed;       /* a stream dropped lines since the last flush */
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

static record_head head_at(const pending_stream *s, size_t offset)
{
    record_head h;
    memcpy(&h, s->log.data + offset, sizeof h);
    return h;
}

static size_t live_bytes(const pending_stream *s)
{
    return s->log.len - s->start;
}

static void drop_oldest(pending_stream *s)
{
    size_t n = sizeof(record_head) + head_at(s, s->start).len;
    s->start += n;
    s->count--;
    B.bytes -= n;
    B.overflowed = true;
    if (s->start > COMPACT_BYTES && s->start > live_bytes(s)) {
        memmove(s->log.data, s->log.data + s->start, live_bytes(s) + 1);
        s->log.len -= s->start;
        s->start = 0;
    }
}

/* Empties the buffer after a flush, keeping its storage unless it is large and was mostly idle. */
static void stream_clear(pending_stream *s)
{
    bool shrink = s->log.cap > KEEP_BUFFER_BYTES && s->log.len < s->log.cap / 4;
    B.bytes -= live_bytes(s);
    s->start = s->count = 0;
    if (shrink) {
        buf_free(&s->log);
        buf_init(&s->log);
    } else {
        buf_reset(&s->log);
    }
}

static void stream_free(pending_stream *s)
{
    B.bytes -= live_bytes(s);
    buf_free(&s->log);
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
    buf_init(&s->log);
    s->next = B.streams;
    B.streams = s;
    return s;
}

/* Appends one record (the message repaired to UTF-8 and cut to the event size), then
 * drops the oldest past what the group's cap could keep. */
static void push(pending_stream *s, int64_t timestamp_ms, const char *message)
{
    const logs_limits *l = limits();
    while (s->count >= (size_t)l->group_events)
        drop_oldest(s);
    size_t at = s->log.len;
    record_head h = {timestamp_ms, 0};
    buf_append(&s->log, &h, sizeof h);
    h.len = (uint32_t)utf8_append_repaired(&s->log, message, strlen(message), LOGS_EVENT_MAX_BYTES);
    memcpy(s->log.data + at, &h, sizeof h);
    s->count++;
    B.bytes += sizeof h + h.len;
    while (s->count > 1 && live_bytes(s) > (size_t)l->group_bytes)
        drop_oldest(s);
}

/* ---- flushing ---- */

static void on_timer(void *arg);

static void arm_timer(int64_t delay_ms)
{
    if (!B.timer.armed)
        timers_arm(loop_real_timers(), &B.timer, clock_monotonic_ms() + delay_ms, on_timer, NULL);
}

static void on_timer(void *arg)
{
    (void)arg;
    int64_t now = clock_monotonic_ms();
    if (B.overflowed && now - B.last_ms < FLUSH_DELAY_MS && now - B.since_ms < MAX_DELAY_MS) {
        arm_timer(FLUSH_DELAY_MS); /* a flood: what would be written now is pushed out again */
        return;
    }
    logs_flush();
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
    int64_t first = head_at(s, s->start).timestamp_ms, last = first;
    for (size_t at = s->start; at < s->log.len; at += sizeof(record_head) + head_at(s, at).len) {
        int64_t t = head_at(s, at).timestamp_ms;
        first = t < first ? t : first;
        last = t > last ? t : last;
    }
    int64_t stream_id = store_log_stream_ensure(group_id, s->stream, now_ms, first, last);
    if (stream_id < 0)
        return false;
    int64_t bytes = 0;
    for (size_t at = s->start; at < s->log.len;) {
        record_head h = head_at(s, at);
        const char *message = s->log.data + at + sizeof h;
        if (!store_log_event_insert(group_id, stream_id, h.timestamp_ms, now_ms, message, h.len))
            return false;
        bytes += h.len;
        at += sizeof h + h.len;
    }
    return store_log_group_counted(group_id, (int64_t)s->count, bytes);
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

/* After a flush: buffers that were written are emptied, the others forgotten. */
static void after_flush(void)
{
    for (pending_stream **link = &B.streams; *link;) {
        pending_stream *s = *link;
        if (s->count) {
            stream_clear(s);
            link = &s->next;
        } else {
            *link = s->next;
            stream_free(s);
        }
    }
    B.overflowed = false;
}

static bool anything_buffered(void)
{
    for (pending_stream *s = B.streams; s; s = s->next) {
        if (s->count)
            return true;
    }
    return false;
}

bool logs_flush(void)
{
    if (!anything_buffered()) {
        after_flush();
        return true;
    }
    if (tx_active() || B.flushing) {
        arm_timer(FLUSH_DELAY_MS);
        return false;
    }
    B.flushing = true;
    timers_cancel(loop_real_timers(), &B.timer);
    bool ok = tx_open();
    if (ok)
        ok = tx_close(write_all(B.streams, clock_now_ms()));
    if (!ok)
        log_warn("logs: the store refused a batch of log events; they are dropped");
    after_flush();
    B.flushing = false;
    return ok;
}

/* ---- the entry points ---- */

void logs_put(const char *account, const char *region, const char *group, const char *stream, int64_t timestamp_ms,
              const char *message)
{
    if (!account || !region || !group || !stream || !*group || !*stream || !message || !*message)
        return;
    B.last_ms = clock_monotonic_ms();
    if (B.bytes == 0)
        B.since_ms = B.last_ms;
    pending_stream *s = stream_of(account, region, group, stream);
    push(s, timestamp_ms < 0 ? 0 : timestamp_ms, message);
    if (B.bytes > MAX_BUFFER_BYTES && !logs_flush()) {
        if (!B.warned_full)
            log_warn("logs: the log buffer is full while a transaction is open; dropping the oldest lines");
        B.warned_full = true;
        while (B.bytes > MAX_BUFFER_BYTES && s->count > 1)
            drop_oldest(s);
    }
    if (B.bytes)
        arm_timer(FLUSH_DELAY_MS);
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
    while (B.streams) {
        pending_stream *next = B.streams->next;
        stream_free(B.streams);
        B.streams = next;
    }
    timers_cancel(loop_real_timers(), &B.timer);
}
