/* lambda/batch_records.h: the records a poller collects for one invocation, each kept as
 * the JSON text the event carries (batch_records.c). */
#ifndef SQSEMU_LAMBDA_BATCH_RECORDS_H
#define SQSEMU_LAMBDA_BATCH_RECORDS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "sqsemu/strset.h"

typedef struct batch_record {
    char *text; /* the record's compact JSON */
    size_t len;
    char *message_id;
    char *receipt_handle;
} batch_record;

typedef struct record_list {
    batch_record *items;
    size_t count;
    size_t cap;
    size_t bytes; /* size of {"Records":[...]} holding these records */
} record_list;

void records_init(record_list *l);
/* Frees every record and empties the list. */
void records_clear(record_list *l);
/* Appends a record; text is taken over (len bytes), the ids are copied. */
void records_add(record_list *l, char *text, size_t len, const char *message_id, const char *receipt_handle);
/* The event size with one more record of len bytes. */
size_t records_bytes_with(const record_list *l, size_t len);
/* Moves the first n records of from into a new list *to (from keeps the rest). */
void records_take_first(record_list *from, size_t n, record_list *to);
/* {"Records":[...]} (malloc'd) and its length. */
char *records_event(const record_list *l, size_t *len);
/* The messageIds, as a new JSON array of strings. */
cJSON *records_message_ids(const record_list *l);
/* The messageIds as a set (pointers into l). */
void records_id_set(const record_list *l, strset *ids);

#endif
