/* lambda/batch_records: the records of a batch between receiving and settling. A record is
 * written as text once when it is received (event.c); the invocation's event is those texts
 * joined, and settling needs only the message ids and receipt handles kept beside them.
 * A list lives in a poller while it fills, then in the batch's invocation until it ends. */
#include "batch_records.h"

#include <stdlib.h>
#include <string.h>

#include "sqsemu/buf.h"

#define EMPTY_EVENT_BYTES (sizeof "{\"Records\":[]}" - 1)

void records_init(record_list *l)
{
    memset(l, 0, sizeof *l);
    l->bytes = EMPTY_EVENT_BYTES;
}

void records_clear(record_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i].text);
        free(l->items[i].message_id);
        free(l->items[i].receipt_handle);
    }
    free(l->items);
    records_init(l);
}

size_t records_bytes_with(const record_list *l, size_t len)
{
    return l->bytes + len + 1; /* (the separating comma; one too many for the first) */
}

void records_add(record_list *l, char *text, size_t len, const char *message_id, const char *receipt_handle)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->count++] = (batch_record){
        .text = text,
        .len = len,
        .message_id = xstrdup(message_id ? message_id : ""),
        .receipt_handle = xstrdup(receipt_handle ? receipt_handle : ""),
    };
    l->bytes = records_bytes_with(l, len);
}

void records_take_first(record_list *from, size_t n, record_list *to)
{
    records_init(to);
    if (n > from->count)
        n = from->count;
    to->items = xmalloc((n ? n : 1) * sizeof *to->items);
    to->cap = n ? n : 1;
    memcpy(to->items, from->items, n * sizeof *from->items);
    to->count = n;
    memmove(from->items, from->items + n, (from->count - n) * sizeof *from->items);
    from->count -= n;
    from->bytes = to->bytes = EMPTY_EVENT_BYTES;
    for (size_t i = 0; i < to->count; i++)
        to->bytes += to->items[i].len + 1;
    for (size_t i = 0; i < from->count; i++)
        from->bytes += from->items[i].len + 1;
}

char *records_event(const record_list *l, size_t *len)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "{\"Records\":[");
    for (size_t i = 0; i < l->count; i++) {
        if (i)
            buf_putc(&b, ',');
        buf_append(&b, l->items[i].text, l->items[i].len);
    }
    buf_puts(&b, "]}");
    return buf_detach(&b, len);
}

cJSON *records_message_ids(const record_list *l)
{
    cJSON *ids = cJSON_CreateArray();
    for (size_t i = 0; i < l->count; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateString(l->items[i].message_id));
    return ids;
}

void records_id_set(const record_list *l, strset *ids)
{
    strset_init(ids);
    for (size_t i = 0; i < l->count; i++)
        strset_add(ids, l->items[i].message_id, strlen(l->items[i].message_id));
}
