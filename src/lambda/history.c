/* lambda/history: each function's recent invocations and its running totals.
 *
 * How it lives: the executor calls history_record once per ended invocation, before the
 * caller hears of the end, so the caller (a mapping's poller) can then refine the entry
 * with history_mark_partial. Entries sit in a ring of HISTORY_PER_FUNCTION per function,
 * owned by the function record and freed with it; the oldest entry is overwritten. Every
 * entry takes a global sequence number, which orders a listing across functions. Nothing
 * here is stored: a restart starts with empty histories (the logs, in the store, remain). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "sqsemu/buf.h"
#include "sqsemu/utf8.h"

#define DEFAULT_LIST_LIMIT 20

typedef struct history_entry {
    uint64_t seq;
    char request_id[40];
    char *trigger;
    int64_t start_ms;
    double duration_ms;
    history_outcome outcome;
    cJSON *message_ids; /* array or NULL */
    cJSON *failed_ids;  /* array or NULL */
    char *error_type;
    char *error_message;
    char *log;
} history_entry;

struct function_history {
    history_entry entries[HISTORY_PER_FUNCTION];
    size_t next;  /* slot of the next entry */
    size_t count; /* used slots */
    function_totals totals;
};

static uint64_t next_seq = 1;

static const char *const outcome_names[] = {
    [HISTORY_SUCCESS] = "success",     [HISTORY_FUNCTION_ERROR] = "function_error", [HISTORY_TIMEOUT] = "timeout",
    [HISTORY_EXIT_ERROR] = "exit_error", [HISTORY_PARTIAL] = "partial",
};

static void entry_clear(history_entry *e)
{
    free(e->trigger);
    cJSON_Delete(e->message_ids);
    cJSON_Delete(e->failed_ids);
    free(e->error_type);
    free(e->error_message);
    free(e->log);
    memset(e, 0, sizeof *e);
}

void history_free(struct function_history *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < HISTORY_PER_FUNCTION; i++)
        entry_clear(&h->entries[i]);
    free(h);
}

/* The error types the executor itself reports, by what ended the invocation. */
static history_outcome classify(const char *error_type)
{
    if (!error_type)
        return HISTORY_FUNCTION_ERROR;
    if (strcmp(error_type, "Sandbox.Timedout") == 0 || strcmp(error_type, "Runtime.InitTimeout") == 0)
        return HISTORY_TIMEOUT;
    if (strcmp(error_type, "Runtime.ExitError") == 0 || strcmp(error_type, "Runtime.InvalidEntrypoint") == 0 ||
        strcmp(error_type, "Sandbox.Stopped") == 0)
        return HISTORY_EXIT_ERROR;
    return HISTORY_FUNCTION_ERROR;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void read_error(history_entry *e, const history_invocation *inv)
{
    cJSON *doc = cJSON_ParseWithLength(inv->payload ? inv->payload : "", inv->payload_len);
    e->error_type = dup_or_null(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "errorType")));
    e->error_message = dup_or_null(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "errorMessage")));
    cJSON_Delete(doc);
    e->outcome = classify(e->error_type);
}

void history_record(lambda_function *f, const history_invocation *inv)
{
    if (f->latest)
        f = f->latest; /* a published version's invocations count for its function */
    if (!f->history)
        f->history = xcalloc(1, sizeof *f->history);
    struct function_history *h = f->history;
    history_entry *e = &h->entries[h->next];
    entry_clear(e);
    h->next = (h->next + 1) % HISTORY_PER_FUNCTION;
    if (h->count < HISTORY_PER_FUNCTION)
        h->count++;
    e->seq = next_seq++;
    snprintf(e->request_id, sizeof e->request_id, "%s", inv->request_id);
    e->trigger = xstrdup(inv->trigger ? inv->trigger : "Invoke");
    e->start_ms = inv->start_ms;
    e->duration_ms = inv->duration_ms;
    e->message_ids = inv->message_ids ? cJSON_Duplicate(inv->message_ids, true) : NULL;
    e->outcome = HISTORY_SUCCESS;
    if (inv->function_error)
        read_error(e, inv);
    e->log = dup_or_null(inv->log);
    h->totals.invocations++;
    h->totals.duration_ms_sum += inv->duration_ms;
    if (e->outcome != HISTORY_SUCCESS)
        h->totals.errors++;
}

void history_mark_partial(lambda_function *f, const char *request_id, const cJSON *failed_ids, bool whole_batch,
                          const char *reason)
{
    if (f->latest)
        f = f->latest;
    struct function_history *h = f->history;
    for (size_t i = 0; h && i < h->count; i++) {
        history_entry *e = &h->entries[i];
        if (strcmp(e->request_id, request_id) != 0)
            continue;
        e->outcome = HISTORY_PARTIAL;
        cJSON_Delete(e->failed_ids);
        e->failed_ids = whole_batch && e->message_ids ? cJSON_Duplicate(e->message_ids, true)
                                                      : cJSON_Duplicate(failed_ids, true);
        if (reason) {
            free(e->error_message);
            e->error_message = xstrdup(reason);
        }
        return;
    }
}

void history_count_throttle(lambda_function *f)
{
    if (!f->history)
        f->history = xcalloc(1, sizeof *f->history);
    f->history->totals.throttles++;
}

function_totals history_totals(const lambda_function *f)
{
    function_totals none = {0};
    return f->history ? f->history->totals : none;
}

/* ---- listing ---- */

typedef struct listed {
    const lambda_function *f;
    const history_entry *e;
} listed;

static int newest_first(const void *a, const void *b)
{
    uint64_t x = ((const listed *)a)->e->seq, y = ((const listed *)b)->e->seq;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void add_log_lines(cJSON *out, const char *log)
{
    cJSON *lines = cJSON_AddArrayToObject(out, "Log");
    for (const char *p = log; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        /* Handlers print any bytes, and the kept tail may start inside a character: each
         * line is made valid UTF-8 so that the answer is valid JSON. */
        buf_t line;
        buf_init(&line);
        utf8_append_repaired(&line, p, len, SIZE_MAX);
        cJSON_AddItemToArray(lines, cJSON_CreateString(line.data ? line.data : ""));
        buf_free(&line);
        p += len + (nl ? 1 : 0);
    }
}

static cJSON *entry_json(const lambda_function *f, const history_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "RequestId", e->request_id);
    cJSON_AddStringToObject(o, "FunctionName", f->name);
    cJSON_AddStringToObject(o, "FunctionArn", f->arn);
    cJSON_AddStringToObject(o, "Trigger", e->trigger);
    cJSON_AddNumberToObject(o, "StartTimeMs", (double)e->start_ms);
    cJSON_AddNumberToObject(o, "DurationMs", e->duration_ms);
    cJSON_AddStringToObject(o, "Outcome", outcome_names[e->outcome]);
    if (e->message_ids)
        cJSON_AddItemToObject(o, "MessageIds", cJSON_Duplicate(e->message_ids, true));
    if (e->message_ids || e->failed_ids)
        cJSON_AddItemToObject(o, "FailedMessageIds",
                              e->failed_ids ? cJSON_Duplicate(e->failed_ids, true) : cJSON_CreateArray());
    if (e->error_type)
        cJSON_AddStringToObject(o, "ErrorType", e->error_type);
    if (e->error_message)
        cJSON_AddStringToObject(o, "ErrorMessage", e->error_message);
    add_log_lines(o, e->log);
    return o;
}

static bool parse_limit(const char *text, size_t *out, lambda_error *err)
{
    *out = DEFAULT_LIST_LIMIT;
    if (!text || !*text)
        return true;
    char *end = NULL;
    long value = strtol(text, &end, 10);
    if (*end || value < 1 || value > HISTORY_PER_FUNCTION)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER, "limit must be an integer from 1 to %d.",
                           HISTORY_PER_FUNCTION);
    *out = (size_t)value;
    return true;
}

static void collect(const lambda_function *f, listed **items, size_t *count, size_t *cap)
{
    const struct function_history *h = f->history;
    for (size_t i = 0; h && i < h->count; i++) {
        if (*count == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            *items = xrealloc(*items, *cap * sizeof **items);
        }
        (*items)[(*count)++] = (listed){f, &h->entries[i]};
    }
}

bool history_list(const lambda_ctx *ctx, const char *name, const char *limit, cJSON *out, lambda_error *err)
{
    size_t max = 0;
    if (!parse_limit(limit, &max, err))
        return false;
    listed *items = NULL;
    size_t count = 0, cap = 0;
    if (name) {
        lambda_function *f = functions_resolve(ctx, name, NULL, false, err);
        if (!f)
            return false;
        collect(f, &items, &count, &cap);
    } else {
        for (lambda_function *f = functions_first(); f; f = f->next)
            collect(f, &items, &count, &cap);
    }
    if (count)
        qsort(items, count, sizeof *items, newest_first);
    cJSON *list = cJSON_AddArrayToObject(out, "Invocations");
    for (size_t i = 0; i < count && i < max; i++)
        cJSON_AddItemToArray(list, entry_json(items[i].f, items[i].e));
    free(items);
    return true;
}
