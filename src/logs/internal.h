/* logs/internal.h: private to src/logs/: the model's member constraints (params.c), finding
 * the log group a request names and the records the actions answer with (service.c,
 * groups.c), the event reads (events.c) and their paging tokens (tokens.c). */
#ifndef SQSEMU_LOGS_INTERNAL_H
#define SQSEMU_LOGS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sqsemu/buf.h"
#include "sqsemu/logs.h"
#include "sqsemu/store.h"

#define LOGS_PAGE_BYTES (1024 * 1024) /* GetLogEvents / FilterLogEvents: at most 1 MB of events a page */

/* ---- params.c: constraint checks, reported as AWS does ("2 validation errors detected:
 * Value '' at 'logGroupName' failed to satisfy constraint: ...; ...") ---- */

typedef enum logs_charset {
    CHARS_ANY,
    CHARS_GROUP_NAME,       /* [\.\-_/#A-Za-z0-9]+ (also a prefix) */
    CHARS_GROUP_PATTERN,    /* [\.\-_/#A-Za-z0-9]* */
    CHARS_STREAM_NAME,      /* [^:*]* */
    CHARS_GROUP_IDENTIFIER, /* [\w#+=/:,.@-]* */
} logs_charset;

typedef struct logs_checks {
    int count;
    buf_t text;
} logs_checks;

void checks_init(logs_checks *c);
void check_required(logs_checks *c, const cJSON *in, const char *member);
void check_string(logs_checks *c, const cJSON *in, const char *member, size_t min, size_t max, logs_charset chars);
void check_integer(logs_checks *c, const cJSON *in, const char *member, int64_t min, int64_t max);
/* values: NULL-terminated. */
void check_enum(logs_checks *c, const cJSON *in, const char *member, const char *const *values);
void check_string_list(logs_checks *c, const cJSON *in, const char *member, size_t min_items, size_t max_items,
                       size_t min, size_t max, logs_charset chars);
/* False (InvalidParameterException with every failed constraint) when any check failed. */
bool checks_done(logs_checks *c, logs_error *err);

/* The member's value, or NULL / the fallback when it is absent or null. */
const char *member_string(const cJSON *in, const char *member);
int64_t member_integer(const cJSON *in, const char *member, int64_t fallback);
bool member_bool(const cJSON *in, const char *member, bool fallback);
bool member_present(const cJSON *in, const char *member);

/* ---- groups.c: the group a request names, and the records of groups and streams ---- */

typedef struct log_group_ref {
    int64_t id;
    char account[16];
    char region[64];
    char name[520];
} log_group_ref;

/* Exactly one of logGroupName and logGroupIdentifier (a name or a log group ARN) must name
 * an existing group. */
bool logs_find_group(const logs_ctx *ctx, const cJSON *in, log_group_ref *out, logs_error *err);
/* arn:aws:logs:<region>:<account>:log-group:<name> (with ":*" when star). Malloc'd. */
char *logs_group_arn(const char *account, const char *region, const char *name, bool star);

bool logs_describe_log_groups(const logs_ctx *ctx, const cJSON *in, cJSON *out, logs_error *err);
bool logs_describe_log_streams(const logs_ctx *ctx, const cJSON *in, cJSON *out, logs_error *err);

/* ---- events.c ---- */

bool logs_get_log_events(const logs_ctx *ctx, const cJSON *in, cJSON *out, logs_error *err);
bool logs_filter_log_events(const logs_ctx *ctx, const cJSON *in, cJSON *out, logs_error *err);

/* ---- tokens.c: opaque paging tokens over positions and names ---- */

/* GetLogEvents: "f/<56 digits>/s" reads forward after a position, "b/..." backward before it. */
void token_position(char kind, const log_position *p, char *out, size_t size);
/* Parses a token of either kind; false when it is not one. */
bool token_parse_position(const char *token, char *kind, log_position *out);
/* AWS's eventId of an event: 56 digits. */
void token_event_id(const log_position *p, char out[57]);
/* A name cursor (DescribeLogGroups, DescribeLogStreams by name), hex-encoded. Malloc'd. */
char *token_name(char kind, const char *name);
/* The name in a token of that kind (malloc'd), or NULL when it is not one. */
char *token_parse_name(char kind, const char *token);

#endif
