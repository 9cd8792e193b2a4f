/* lambda/mapping.h: an event-source mapping as kept in memory, shared by the mapping
 * control plane (mappings.c) and its poller (poller.c). */
#ifndef SQSEMU_LAMBDA_MAPPING_H
#define SQSEMU_LAMBDA_MAPPING_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "filter.h"
#include "sqsemu/ids.h"

struct poller;

typedef struct mapping {
    char uuid[UUID_STR_LEN];
    char *account;
    char *region;
    cJSON *record;          /* the EventSourceMappingConfiguration members (persisted) */
    event_filter **filters; /* parsed FilterCriteria patterns */
    size_t filter_count;
    struct poller *poller;
    struct mapping *next;
} mapping;

const char *mapping_string(const mapping *m, const char *member);
long mapping_int(const mapping *m, const char *member);
bool mapping_enabled(const mapping *m);
bool mapping_reports_item_failures(const mapping *m);

/* poller.c */
void poller_sync(mapping *m); /* start, stop or re-read the mapping's poller */
void poller_drop(mapping *m); /* the mapping is being deleted */
void pollers_stop_all(void);
/* A handler's ReportBatchItemFailures response: *failed_ids gets a new array of the
 * messageIds of records to keep; false when the response fails the whole batch. */
struct invoke_outcome;
bool poller_parse_item_failures(const struct invoke_outcome *outcome, const cJSON *records, cJSON **failed_ids);

#endif
