/* logs: the CloudWatch Logs service, read side: what Lambda handlers print is written as log
 * events (logs_put) into groups and streams, and read back through DescribeLogGroups,
 * DescribeLogStreams, GetLogEvents and FilterLogEvents. The service knows nothing of HTTP
 * or JSON text: it takes a neutral request (a cJSON object with the API's member names)
 * and returns a neutral result or a logs_error. */
#ifndef SQSEMU_LOGS_H
#define SQSEMU_LOGS_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sqsemu/logs_error.h"

/* The caps (README "Logs"): past them the oldest events go. */
#define LOGS_GROUP_MAX_EVENTS 10000               /* per log group */
#define LOGS_GROUP_MAX_BYTES (8LL * 1024 * 1024)  /* message bytes per log group */
#define LOGS_TOTAL_MAX_EVENTS 1000000             /* in the whole store */
#define LOGS_TOTAL_MAX_BYTES (512LL * 1024 * 1024)
#define LOGS_EVENT_MAX_BYTES (256 * 1024)         /* a longer message is cut to this */

/* ---- the write side (the Lambda executor) ---- */

/* Records one line printed into a stream of a group (both created when new) at
 * timestamp_ms. Cheap: the event is buffered and written with others shortly after, or
 * when a reader asks. An empty message is not an event (AWS allows none). */
void logs_put(const char *account, const char *region, const char *group, const char *stream, int64_t timestamp_ms,
              const char *message);
/* Writes what logs_put buffered (not while another transaction is open: then later).
 * False when the store refused it (the batch is dropped and logged). */
bool logs_flush(void);
/* Deletes a group (group NULL: every group of the account in the region) with its
 * streams and events, buffered ones included. */
void logs_reset(const char *account, const char *region, const char *group);
void logs_reset_all(void);
/* Writes what is buffered and forgets the rest (server shutdown, before the store closes). */
void logs_service_stop(void);

/* Tests: caps smaller than the defaults above (any value <= 0 keeps the default). */
typedef struct logs_limits {
    int64_t group_events;
    int64_t group_bytes;
    int64_t total_events;
    int64_t total_bytes;
} logs_limits;
void logs_set_limits(const logs_limits *limits);

/* ---- the read side ---- */

/* Who is calling. Strings are owned by the caller. */
typedef struct logs_ctx {
    const char *account;
    const char *region;
    int64_t now_ms;
} logs_ctx;

/* True for the actions logs_service_call answers. */
bool logs_action_known(const char *action);
/* Runs one action; on true *output is a new cJSON object owned by the caller. */
bool logs_service_call(const logs_ctx *ctx, const char *action, const cJSON *input, cJSON **output, logs_error *err);

#endif
