/* lambda/versions.h: published function versions (versions.c), aliases (aliases.c) and
 * how a qualifier picks the record that runs (qualifier.c).
 *
 * A published version is a lambda_function of its own, outside the registry list: its
 * record is a snapshot of $LATEST's (with its own copy of the code), f->version is its
 * number and f->latest the function it belongs to. The executor, the history (which files
 * a version's invocations under its function) and the metrics take it like any function.
 * $LATEST owns its versions and aliases in f->versions. */
#ifndef SQSEMU_LAMBDA_VERSIONS_H
#define SQSEMU_LAMBDA_VERSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "function.h"

typedef struct function_alias {
    char *name;
    cJSON *record; /* the AliasConfiguration members (persisted) */
    struct function_alias *next;
} function_alias;

struct function_versions {
    lambda_function **items; /* ascending version numbers */
    size_t count, cap;
    function_alias *aliases;
};

/* ---- versions (versions.c) ---- */
lambda_function *version_find(const lambda_function *f, const char *number);
/* PublishVersion, and CreateFunction/UpdateFunctionCode with Publish (in: may be NULL).
 * On success out holds the version's configuration (out's earlier members are replaced). */
bool version_publish(const lambda_ctx *ctx, lambda_function *f, const cJSON *in, cJSON *out, lambda_error *err);
bool versions_list(const lambda_ctx *ctx, const char *name, const char *marker, const char *max_items, cJSON *out,
                   lambda_error *err);
/* DeleteFunction with a version qualifier. */
bool version_delete(lambda_function *f, lambda_function *v, lambda_error *err);
/* The function goes: its versions leave with it (stop_now: stopped at once, as a reset). */
void versions_leave(lambda_function *f, bool stop_now);
/* True when dir is the code directory of one of f's versions. */
bool versions_use_dir(const lambda_function *f, const char *dir);
/* Reads the stored versions and aliases of every loaded function. */
bool versions_load(void);
void versions_free(struct function_versions *vs);
/* Version numbers: "1".."N" with no leading zero, at most 10 digits. */
bool version_number_valid(const char *text, int64_t *number);

/* ---- aliases (aliases.c) ---- */
function_alias *alias_find(const lambda_function *f, const char *name);
bool alias_create(const lambda_ctx *ctx, const char *function_name, const cJSON *in, cJSON *out, lambda_error *err);
bool alias_get(const lambda_ctx *ctx, const char *function_name, const char *alias, cJSON *out, lambda_error *err);
bool alias_update(const lambda_ctx *ctx, const char *function_name, const char *alias, const cJSON *in, cJSON *out,
                  lambda_error *err);
bool alias_delete(const lambda_ctx *ctx, const char *function_name, const char *alias, lambda_error *err);
bool aliases_list(const lambda_ctx *ctx, const char *function_name, const char *version, const char *marker,
                  const char *max_items, cJSON *out, lambda_error *err);
/* The names of f's aliases routing to version (primary or weighted), as a JSON array. */
cJSON *aliases_of_version(const lambda_function *f, const char *version);
void alias_load(lambda_function *f, const char *name, const char *record);
void aliases_free(function_alias *list);
/* The RoutingConfig rules: at most one additional version, weights 0.0..1.0, not the
 * primary version, which must not be $LATEST then. Pure: existence is checked apart. */
bool alias_routing_valid(const char *primary, const cJSON *routing, lambda_error *err);
/* Which version an invocation of the alias runs: the additional version with its
 * weight's probability (draw: a uniform number in [0, 1)). */
const char *alias_pick(const cJSON *alias_record, double draw);

/* ---- qualifiers (qualifier.c) ---- */
typedef struct function_target {
    lambda_function *function; /* $LATEST: the registry's record */
    lambda_function *run;      /* the record whose code and configuration apply */
    function_alias *alias;     /* when the qualifier named an alias */
    char qualifier[130];       /* "" for none */
    char executed[16];         /* the version that runs: "$LATEST" or a number */
} function_target;

/* Resolves FunctionName (+ ?Qualifier) to what it names. A weighted alias is resolved by a
 * random draw when pick is set (Invoke, mappings), else to its primary version. */
bool functions_resolve_target(const lambda_ctx *ctx, const char *name, const char *qualifier, bool pick,
                              function_target *out, lambda_error *err);
/* For a stored, possibly qualified function ARN (a mapping's): the record to run, or NULL. */
lambda_function *functions_runnable(const char *arn, char executed[16]);
/* Replaces every member of obj by nothing (a result document reused). */
void json_clear_object(cJSON *obj);
/* A uniform draw in [0, 1) from the system's random source. */
double qualifier_draw(void);

#endif
