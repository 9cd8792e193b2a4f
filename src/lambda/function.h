/* lambda/function.h: a Lambda function as kept in memory, and the operations on it
 * (functions.c): the registry, the control-plane actions, and the function's lifetime.
 *
 * A function record lives as long as something uses it. Deleting a function unlinks it
 * from the registry at once, but execution environments and invocations still running
 * hold it: the executor reports each with function_env_opened/closed and
 * function_invocation_began/ended, and the record is freed when the last one ends. */
#ifndef SQSEMU_LAMBDA_FUNCTION_H
#define SQSEMU_LAMBDA_FUNCTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sqsemu/lambda.h"
#include "sqsemu/lambda_error.h"

typedef struct lambda_function {
    int64_t id;
    char *account;
    char *region;
    char *name;
    char *arn;
    cJSON *record; /* configuration members, code info, tags (persisted as one JSON record) */
    unsigned generation; /* bumped on every code/configuration change */
    /* Read-only outside functions.c: kept by the lifetime calls below. */
    size_t env_count; /* live execution environments */
    size_t running;   /* invocations in progress */
    bool deleted;
    struct function_history *history; /* recent invocations and totals (history.c) */
    /* Published versions (versions.h): a version's number ("3"; NULL for $LATEST) and the
     * function it belongs to, which it keeps alive (its counts add to the function's);
     * $LATEST owns its versions and aliases. */
    char *version;
    struct lambda_function *latest;
    struct function_versions *versions;
    struct lambda_function *next;
} lambda_function;

/* ---- names: a name, a partial ARN or an ARN, each with an optional qualifier (function_name.c) ---- */
typedef struct function_ref {
    char account[16];
    char region[64];
    char name[160];
    char qualifier[130]; /* "" when none */
    bool has_arn_account;
} function_ref;

/* Parses any FunctionName form; fills ValidationException/ResourceNotFound/AccessDenied errors. */
bool function_ref_parse(const lambda_ctx *ctx, const char *text, function_ref *out, lambda_error *err);

/* ---- the registry ---- */
lambda_function *functions_find(const char *account, const char *region, const char *name);
/* Resolves a FunctionName (+ optional ?Qualifier) to an existing function or a 404. */
lambda_function *functions_resolve(const lambda_ctx *ctx, const char *name, const char *qualifier, bool qualified_404,
                                   lambda_error *err);
/* For operations on the function itself (updates, tags): a version or alias qualifier in
 * the name is a 404, as AWS answers for a function it cannot find (qualifier.c). */
lambda_function *functions_resolve_unqualified(const lambda_ctx *ctx, const char *name, lambda_error *err);
/* The function of a parsed name whose qualifier (if any) exists, or NULL (qualifier.c). */
lambda_function *functions_find_qualified(const function_ref *ref);
/* The first function of the registry (then f->next): every function of every account. */
lambda_function *functions_first(void);
bool functions_load(void);
void functions_free_all(void);
/* Called after a function appears, changes or goes away (the mappings re-evaluate). */
void functions_on_change(void (*callback)(void));

/* ---- reading a function ---- */
const char *function_string(const lambda_function *f, const char *member);
int64_t function_int(const lambda_function *f, const char *member);
/* Directory holding the code to run (unpacked zip, or the hot-reload directory). */
const char *function_code_dir(const lambda_function *f);
/* The uploaded zip archive (malloc'd) or NULL (hot-reload directory, image). */
char *function_code_zip(const lambda_function *f, size_t *len);
/* Writes f's FunctionConfiguration (with the state members when with_state) into out. */
void function_configuration(const lambda_function *f, bool with_state, cJSON *out);
/* The same, for an unqualified name: RevisionId check of an update (PreconditionFailed). */
bool function_revision_matches(const lambda_function *f, const cJSON *in, lambda_error *err);
/* Mappings and pollers re-evaluate (a version or an alias changed). */
void functions_announce(void);
/* Frees f once it is deleted and nothing uses it any more. */
void function_release_if_unused(lambda_function *f);
/* Persists f->record after a change made outside this module (tags). */
bool function_save(lambda_function *f, lambda_error *err);

/* ---- lifetime (called by the executor) ---- */
void function_env_opened(lambda_function *f);
/* The environment ran code from code_dir: that directory goes too unless it is still the
 * function's code. May free f (deleted, nothing else holds it). */
void function_env_closed(lambda_function *f, const char *code_dir);
void function_invocation_began(lambda_function *f);
void function_invocation_ended(lambda_function *f);

/* ---- control plane ---- */
bool fn_create(const lambda_ctx *ctx, const cJSON *in, cJSON *out, lambda_error *err);
bool fn_get(const lambda_ctx *ctx, const char *name, const char *qualifier, cJSON *out, lambda_error *err);
bool fn_get_configuration(const lambda_ctx *ctx, const char *name, const char *qualifier, cJSON *out,
                          lambda_error *err);
bool fn_list(const lambda_ctx *ctx, const char *marker, const char *max_items, const char *version, cJSON *out,
             lambda_error *err);
bool fn_update_code(const lambda_ctx *ctx, const char *name, const cJSON *in, cJSON *out, lambda_error *err);
bool fn_update_configuration(const lambda_ctx *ctx, const char *name, const cJSON *in, cJSON *out,
                             lambda_error *err);
bool fn_delete(const lambda_ctx *ctx, const char *name, const char *qualifier, lambda_error *err);

/* The admin API's reset: removes the named function (NULL: every function of every
 * account), stopping its environments at once; counted in *removed. */
bool functions_remove(const lambda_ctx *ctx, const char *name, size_t *removed, lambda_error *err);

#endif
