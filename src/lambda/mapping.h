/* lambda/mapping.h: an event-source mapping as kept in memory and the mapping control
 * plane (mappings.c); the poller (poller.h) reads the record. */
#ifndef SQSEMU_LAMBDA_MAPPING_H
#define SQSEMU_LAMBDA_MAPPING_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "filter.h"
#include "sqsemu/ids.h"
#include "sqsemu/lambda.h"
#include "sqsemu/lambda_error.h"

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

bool mappings_load(void);
/* The first of all mappings (the rest through ->next), for counting. */
const mapping *mappings_head(void);
void mappings_free_all(void);
/* A function appeared, changed or went away: mappings pointing at it re-evaluate. */
void mappings_function_changed(void);

#endif
