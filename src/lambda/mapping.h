/* lambda/mapping.h: an event-source mapping as kept in memory and the mapping control
 * plane (mappings.c); the poller (poller.h) reads the record. */
#ifndef SQSEMU_LAMBDA_MAPPING_H
#define SQSEMU_LAMBDA_MAPPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "filter.h"
#include "sqsemu/ids.h"
#include "sqsemu/lambda.h"
#include "sqsemu/lambda_error.h"

struct poller;

/* The event-source-mapping metrics AWS publishes (EventCount), counted since start-up:
 * records received, filtered out (and deleted without invoking), sent to the function,
 * failed (a function error, a reported failure, an unreadable partial response), deleted
 * after processing. */
typedef struct mapping_stats {
    uint64_t polled;
    uint64_t filtered_out;
    uint64_t invoked;
    uint64_t failed_invoke;
    uint64_t deleted;
} mapping_stats;

typedef struct mapping {
    char uuid[UUID_STR_LEN];
    char *account;
    char *region;
    cJSON *record;          /* the EventSourceMappingConfiguration members (persisted) */
    event_filter **filters; /* parsed FilterCriteria patterns */
    size_t filter_count;
    struct poller *poller;
    mapping_stats stats;
    struct mapping *next;
} mapping;

const char *mapping_string(const mapping *m, const char *member);
long mapping_int(const mapping *m, const char *member);
bool mapping_enabled(const mapping *m);
bool mapping_reports_item_failures(const mapping *m);

/* ---- control plane ---- */
bool esm_create(const lambda_ctx *ctx, const cJSON *in, cJSON *out, lambda_error *err);
bool esm_get(const lambda_ctx *ctx, const char *uuid, cJSON *out, lambda_error *err);
bool esm_update(const lambda_ctx *ctx, const char *uuid, const cJSON *in, cJSON *out, lambda_error *err);
bool esm_delete(const lambda_ctx *ctx, const char *uuid, cJSON *out, lambda_error *err);
bool esm_list(const lambda_ctx *ctx, const char *source_arn, const char *function_name, const char *marker,
              const char *max_items, cJSON *out, lambda_error *err);
/* The tag map of a mapping, by EventSourceMappingArn (created when create is set; the
 * record guarded for the open transaction when guard is set); NULL if unknown. */
cJSON *mapping_tags_by_arn(const lambda_ctx *ctx, const char *arn, bool create, bool guard, lambda_error *err);
bool mapping_save_by_arn(const lambda_ctx *ctx, const char *arn, lambda_error *err);

/* The first mapping (then m->next). */
mapping *mappings_first(void);
bool mappings_load(void);
void mappings_free_all(void);
/* The admin API's reset: removes the mappings of function_arn (NULL: every mapping). */
bool mappings_remove(const char *function_arn, size_t *removed, lambda_error *err);
/* A function appeared, changed or went away: mappings pointing at it re-evaluate. */
void mappings_function_changed(void);

#endif
