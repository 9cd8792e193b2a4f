/* lambda/functions: the function registry and control plane: CreateFunction, Get*,
 * ListFunctions, UpdateFunctionCode/Configuration, DeleteFunction, with AWS's defaults and
 * state fields, and each function's lifetime (function.h). The rules for configuration
 * members are in function_validate.c, code installation in function_code.c. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "code_dirs.h"
#include "concurrency.h"
#include "executor.h"
#include "function.h"
#include "function_code.h"
#include "function_validate.h"
#include "history.h"
#include "invoke.h"
#include "settings.h"
#include "tags.h"
#include "versions.h"
#include "sqsemu/buf.h"
#include "sqsemu/codec.h"
#include "sqsemu/ids.h"
#include "sqsemu/json.h"
#include "sqsemu/log.h"
#include "sqsemu/logs.h"
#include "sqsemu/store.h"
#include "sqsemu/tx.h"

static lambda_function *all_functions;
static void (*change_callback)(void);

static void changed(void)
{
    if (change_callback)
        change_callback();
}

void functions_announce(void)
{
    changed();
}

lambda_function *functions_first(void)
{
    return all_functions;
}

void functions_on_change(void (*callback)(void))
{
    change_callback = callback;
}

/* ---- small helpers ---- */

const char *function_string(const lambda_function *f, const char *member)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f->record, member));
}

int64_t function_int(const lambda_function *f, const char *member)
{
    return (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(f->record, member));
}

const char *function_code_dir(const lambda_function *f)
{
    return function_string(f, "CodeDir");
}

static void format_last_modified(int64_t now_ms, char out[64])
{
    time_t secs = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(now_ms % 1000));
}

static void touch(lambda_function *f, int64_t now_ms)
{
    char text[64];
    format_last_modified(now_ms, text);
    json_set_string(f->record, "LastModified", text);
    char revision[UUID_STR_LEN];
    ids_uuid(revision);
    json_set_string(f->record, "RevisionId", revision);
    f->generation++;
}

static char *function_arn(const char *account, const char *region, const char *name)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "arn:aws:lambda:%s:%s:function:%s", region, account, name);
    return buf_detach(&b, NULL);
}

/* ---- the in-memory registry ---- */

lambda_function *functions_find(const char *account, const char *region, const char *name)
{
    for (lambda_function *f = all_functions; f; f = f->next) {
        if (strcmp(f->name, name) == 0 && strcmp(f->account, account) == 0 && strcmp(f->region, region) == 0)
            return f;
    }
    return NULL;
}

static lambda_function *function_new(int64_t id, const char *account, const char *region, const char *name,
                                     cJSON *record)
{
    lambda_function *f = xcalloc(1, sizeof *f);
    f->id = id;
    f->account = xstrdup(account);
    f->region = xstrdup(region);
    f->name = xstrdup(name);
    f->arn = function_arn(account, region, name);
    f->record = record;
    f->next = all_functions;
    all_functions = f;
    return f;
}

static void function_unlink(lambda_function *f)
{
    for (lambda_function **link = &all_functions; *link; link = &(*link)->next) {
        if (*link == f) {
            *link = f->next;
            return;
        }
    }
}

static void function_free(lambda_function *f)
{
    free(f->account);
    free(f->region);
    free(f->name);
    free(f->arn);
    cJSON_Delete(f->record);
    history_free(f->history);
    free(f->version);
    versions_free(f->versions);
    free(f);
}

/* ---- lifetime ---- */

static void release_if_unused(lambda_function *f)
{
    if (f->deleted && f->env_count == 0 && f->running == 0)
        function_free(f);
}

void function_release_if_unused(lambda_function *f)
{
    release_if_unused(f);
}

/* A version's environments and invocations also hold the function it belongs to. */
void function_env_opened(lambda_function *f)
{
    f->env_count++;
    if (f->latest)
        f->latest->env_count++;
}

void function_env_closed(lambda_function *f, const char *code_dir)
{
    lambda_function *latest = f->latest;
    f->env_count--;
    if (latest)
        latest->env_count--;
    const char *current = function_code_dir(f);
    if (code_dir && *code_dir && (f->deleted || !current || strcmp(code_dir, current) != 0))
        code_dir_release(code_dir);
    release_if_unused(f);
    if (latest)
        release_if_unused(latest);
}

void function_invocation_began(lambda_function *f)
{
    f->running++;
    if (f->latest)
        f->latest->running++;
}

void function_invocation_ended(lambda_function *f)
{
    lambda_function *latest = f->latest;
    f->running--;
    if (latest)
        latest->running--;
    /* What reserved concurrency (the function's, shared by its versions) held back may start. */
    lambda_function *base = latest ? latest : f;
    if (!base->deleted && concurrency_reserved(base) >= 0)
        concurrency_slot_freed(base);
    release_if_unused(f);
    if (latest)
        release_if_unused(latest);
}

/* Functions stored by a version of sqsemu that did not record which code directories it
 * created: an unpacked zip's directory that really lies in the data directory is adopted. */
static void adopt_code_dir(lambda_function *f)
{
    const char *dir = function_code_dir(f);
    if (!dir || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f->record, "HotReload")) ||
        !function_string(f, "CodeZip") || code_dir_owned(dir))
        return;
    char *adopted = code_dir_adopt(dir);
    if (!adopted)
        return;
    json_set_string(f->record, "CodeDir", adopted);
    buf_t zip;
    buf_init(&zip);
    buf_printf(&zip, "%s.zip", adopted);
    json_set_string(f->record, "CodeZip", zip.data);
    buf_free(&zip);
    free(adopted);
    function_save(f, NULL);
}

static void load_one(int64_t id, const char *account, const char *region, const char *name, const char *record,
                     void *arg)
{
    (void)arg;
    cJSON *parsed = cJSON_Parse(record);
    if (!cJSON_IsObject(parsed)) {
        log_warn("function %s: unreadable stored record, skipped", name);
        cJSON_Delete(parsed);
        return;
    }
    lambda_function *f = function_new(id, account, region, name, parsed);
    adopt_code_dir(f);
}

static bool dir_referenced(const char *dir)
{
    for (lambda_function *f = all_functions; f; f = f->next) {
        const char *current = function_code_dir(f);
        if ((current && strcmp(current, dir) == 0) || versions_use_dir(f, dir))
            return true;
    }
    return false;
}

bool functions_load(void)
{
    if (!store_function_each(load_one, NULL) || !versions_load())
        return false;
    code_dirs_sweep(dir_referenced);
    return true;
}

void functions_free_all(void)
{
    while (all_functions) {
        lambda_function *f = all_functions;
        all_functions = f->next;
        function_free(f);
    }
}

static bool not_found(lambda_error *err, const lambda_ctx *ctx, const char *name, const char *qualifier)
{
    return lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "Function not found: arn:aws:lambda:%s:%s:function:%s%s%s", ctx->region,
                       ctx->account, name, qualifier && *qualifier ? ":" : "", qualifier ? qualifier : "");
}

lambda_function *functions_resolve(const lambda_ctx *ctx, const char *name, const char *qualifier, bool qualified_404,
                                   lambda_error *err)
{
    function_ref ref;
    if (!function_ref_parse(ctx, name, &ref, err))
        return NULL;
    if (qualifier && *qualifier && *ref.qualifier && strcmp(qualifier, ref.qualifier) != 0) {
        lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                    "The derived qualifier from the function name does not match the specified qualifier.");
        return NULL;
    }
    const char *q = *ref.qualifier ? ref.qualifier : (qualifier ? qualifier : "");
    lambda_function *f = functions_find(ref.account, ref.region, ref.name);
    if (*q && strcmp(q, "$LATEST") != 0 && (!f || (!version_find(f, q) && !alias_find(f, q)))) {
        not_found(err, ctx, ref.name, q);
        return NULL;
    }
    if (!f)
        not_found(err, ctx, ref.name, qualified_404 ? (*q ? q : "$LATEST") : NULL);
    return f;
}

/* ---- output shapes ---- */

static const char *const copied_members[] = {
    "Runtime", "Role", "Handler", "CodeSize", "Description", "Timeout", "MemorySize", "LastModified", "CodeSha256",
    "Environment", "TracingConfig", "RevisionId", "PackageType", "Architectures", "EphemeralStorage",
    "DeadLetterConfig", "LoggingConfig", NULL,
};

void function_configuration(const lambda_function *f, bool with_state, cJSON *out)
{
    cJSON_AddStringToObject(out, "FunctionName", f->name);
    cJSON_AddStringToObject(out, "FunctionArn", f->arn);
    for (int i = 0; copied_members[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(f->record, copied_members[i]);
        if (v)
            cJSON_AddItemToObject(out, copied_members[i], cJSON_Duplicate(v, true));
    }
    cJSON_AddStringToObject(out, "Version", f->version ? f->version : "$LATEST");
    cJSON *snap = cJSON_AddObjectToObject(out, "SnapStart");
    cJSON_AddStringToObject(snap, "ApplyOn", "None");
    cJSON_AddStringToObject(snap, "OptimizationStatus", "Off");
    if (!with_state)
        return;
    cJSON_AddStringToObject(out, "State", "Active");
    cJSON_AddStringToObject(out, "LastUpdateStatus", "Successful");
    cJSON *runtime_version = cJSON_AddObjectToObject(out, "RuntimeVersionConfig");
    char sha[SHA256_HEX_LEN];
    const char *runtime = function_string(f, "Runtime");
    sha256_hex(runtime ? runtime : "", runtime ? strlen(runtime) : 0, sha);
    buf_t arn;
    buf_init(&arn);
    buf_printf(&arn, "arn:aws:lambda:%s::runtime:%s", f->region, sha);
    cJSON_AddStringToObject(runtime_version, "RuntimeVersionArn", arn.data);
    buf_free(&arn);
}

bool function_save(lambda_function *f, lambda_error *err)
{
    char *json = cJSON_PrintUnformatted(f->record);
    bool ok = store_function_update(f->id, json);
    free(json);
    return ok || lambda_fail(err, LAMBDA_ERR_SERVICE, "The function could not be stored.");
}

/* ---- operations ---- */

static void apply_defaults(cJSON *record, const char *name)
{
    static const struct { const char *member; double value; } numbers[] = {{"Timeout", 3}, {"MemorySize", 128}};
    for (size_t i = 0; i < 2; i++) {
        if (!cJSON_GetObjectItemCaseSensitive(record, numbers[i].member))
            cJSON_AddNumberToObject(record, numbers[i].member, numbers[i].value);
    }
    if (!cJSON_GetObjectItemCaseSensitive(record, "Description"))
        cJSON_AddStringToObject(record, "Description", "");
    if (!cJSON_GetObjectItemCaseSensitive(record, "PackageType"))
        cJSON_AddStringToObject(record, "PackageType", "Zip");
    if (!cJSON_GetObjectItemCaseSensitive(record, "Architectures")) {
        cJSON *archs = cJSON_AddArrayToObject(record, "Architectures");
        cJSON_AddItemToArray(archs, cJSON_CreateString("x86_64"));
    }
    if (!cJSON_GetObjectItemCaseSensitive(record, "EphemeralStorage"))
        cJSON_AddNumberToObject(cJSON_AddObjectToObject(record, "EphemeralStorage"), "Size", 512);
    if (!cJSON_GetObjectItemCaseSensitive(record, "TracingConfig"))
        cJSON_AddStringToObject(cJSON_AddObjectToObject(record, "TracingConfig"), "Mode", "PassThrough");
    if (!cJSON_GetObjectItemCaseSensitive(record, "LoggingConfig")) {
        cJSON *logging = cJSON_AddObjectToObject(record, "LoggingConfig");
        cJSON_AddStringToObject(logging, "LogFormat", "Text");
        buf_t group;
        buf_init(&group);
        buf_printf(&group, "/aws/lambda/%s", name);
        cJSON_AddStringToObject(logging, "LogGroup", group.data);
        buf_free(&group);
    }
}

static const char *const settable_members[] = {
    "Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize", "Environment", "TracingConfig",
    "Architectures", "EphemeralStorage", "DeadLetterConfig", "LoggingConfig", NULL,
};

static void copy_settable(cJSON *record, const cJSON *in)
{
    for (int i = 0; settable_members[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, settable_members[i]);
        if (v && !cJSON_IsNull(v))
            json_set_copy(record, settable_members[i], v);
    }
}

/* ---- changes and their outcome ----
 * A call's store writes commit or roll back after it returns (tx.h). What happens in
 * memory is registered for that outcome: a created function is forgotten if its insert
 * rolls back; a changed one gets its previous record back; a deleted one leaves the
 * registry, stops its environments and gives up its code only once the delete is durable. */

static void announce_change(void *arg)
{
    (void)arg;
    changed();
}

/* A function whose creation failed or was rolled back: its fresh code directory goes. */
static void forget_created(void *arg)
{
    lambda_function *f = arg;
    code_dir_release(function_code_dir(f));
    function_unlink(f);
    function_free(f);
}

bool fn_create(const lambda_ctx *ctx, const cJSON *in, cJSON *out, lambda_error *err)
{
    const char *name_text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "FunctionName"));
    if (!name_text)
        return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                           "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: "
                           "Member must not be null");
    function_ref ref;
    if (!function_ref_parse(ctx, name_text, &ref, err)) {
        if (err->kind == LAMBDA_ERR_VALIDATION && strstr(err->message, "length less than or equal to 64"))
            err->kind = LAMBDA_ERR_INVALID_PARAMETER;
        return false;
    }
    if (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Role")))
        return lambda_fail(err, LAMBDA_ERR_VALIDATION,
                           "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member "
                           "must not be null");
    if (!function_check_configuration(in, err))
        return false;
    const char *package = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "PackageType"));
    if ((!package || strcmp(package, "Zip") == 0) &&
        (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Runtime")) ||
         !cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "Handler"))))
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Runtime and Handler are mandatory parameters for functions created with deployment "
                           "packages.");
    const cJSON *given_tags = cJSON_GetObjectItemCaseSensitive(in, "Tags");
    if (given_tags && !cJSON_IsNull(given_tags) && !tags_check(given_tags, NULL, err))
        return false;
    if (functions_find(ref.account, ref.region, ref.name))
        return lambda_fail(err, LAMBDA_ERR_CONFLICT, "Function already exist: %s", ref.name);
    cJSON *record = cJSON_CreateObject();
    copy_settable(record, in);
    apply_defaults(record, ref.name);
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(in, "Tags");
    if (cJSON_IsObject(tags) && cJSON_GetArraySize(tags) > 0)
        json_set_copy(record, "Tags", tags);
    lambda_function *f = function_new(-1, ref.account, ref.region, ref.name, record);
    touch(f, ctx->now_ms);
    bool ok = function_install_code(f, cJSON_GetObjectItemCaseSensitive(in, "Code"), err);
    if (ok) {
        char *json = cJSON_PrintUnformatted(f->record);
        f->id = store_function_insert(f->account, f->region, f->name, json);
        free(json);
        ok = f->id >= 0 || lambda_fail(err, LAMBDA_ERR_SERVICE, "The function could not be stored.");
    }
    if (!ok) {
        forget_created(f);
        return false;
    }
    tx_defer(announce_change, forget_created, f);
    function_configuration(f, true, out);
    return !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "Publish")) || version_publish(ctx, f, NULL, out, err);
}

bool function_revision_matches(const lambda_function *f, const cJSON *in, lambda_error *err)
{
    const char *wanted = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "RevisionId"));
    const char *current = function_string(f, "RevisionId");
    if (wanted && current && strcmp(wanted, current) != 0)
        return lambda_fail(err, LAMBDA_ERR_PRECONDITION,
                           "The Revision Id provided does not match the latest Revision Id. Call the "
                           "GetFunction/GetAlias API to retrieve the latest Revision Id");
    return true;
}

/* Applies a change to a copy of the record; keeps the old one if anything fails. */
typedef struct record_change {
    lambda_function *f;
    cJSON *previous; /* the record before the change */
} record_change;

static bool code_moved(const cJSON *previous, const lambda_function *f)
{
    const char *old_dir = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(previous, "CodeDir"));
    const char *new_dir = function_code_dir(f);
    return new_dir && (!old_dir || strcmp(old_dir, new_dir) != 0);
}

/* The change is durable: environments running the old configuration retire, and the old
 * code directory goes (at once, or when its last environment is gone). */
static void change_committed(void *arg)
{
    record_change *c = arg;
    executor_retire(c->f);
    if (code_moved(c->previous, c->f) || !function_code_dir(c->f))
        code_dir_release(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->previous, "CodeDir")));
    cJSON_Delete(c->previous);
    free(c);
    changed();
}

/* The change failed or was rolled back: the previous record returns and a freshly
 * unpacked code directory goes. */
static void change_rolled_back(void *arg)
{
    record_change *c = arg;
    if (code_moved(c->previous, c->f))
        code_dir_release(function_code_dir(c->f));
    cJSON_Delete(c->f->record);
    c->f->record = c->previous;
    free(c);
}

/* Stores the change made to f->record (ok: the change itself succeeded) and registers
 * what follows its commit or its rollback. */
static bool commit_change(const lambda_ctx *ctx, lambda_function *f, cJSON *previous, bool ok, cJSON *out,
                          lambda_error *err)
{
    record_change *c = xmalloc(sizeof *c);
    c->f = f;
    c->previous = previous;
    if (ok) {
        touch(f, ctx->now_ms);
        ok = function_save(f, err);
    }
    if (!ok) {
        change_rolled_back(c);
        return false;
    }
    tx_defer(change_committed, change_rolled_back, c);
    function_configuration(f, true, out);
    return true;
}

bool fn_update_code(const lambda_ctx *ctx, const char *name, const cJSON *in, cJSON *out, lambda_error *err)
{
    lambda_function *f = functions_resolve_unqualified(ctx, name, err);
    if (!f || !function_revision_matches(f, in, err))
        return false;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "DryRun"))) {
        function_configuration(f, true, out);
        return true;
    }
    if (!function_check_architectures(cJSON_GetObjectItemCaseSensitive(in, "Architectures"), err))
        return false;
    cJSON *previous = cJSON_Duplicate(f->record, true);
    bool ok = function_install_code(f, in, err);
    const cJSON *archs = cJSON_GetObjectItemCaseSensitive(in, "Architectures");
    if (archs && !cJSON_IsNull(archs))
        json_set_copy(f->record, "Architectures", archs);
    return commit_change(ctx, f, previous, ok, out, err) &&
           (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "Publish")) || version_publish(ctx, f, NULL, out, err));
}

bool fn_update_configuration(const lambda_ctx *ctx, const char *name, const cJSON *in, cJSON *out,
                             lambda_error *err)
{
    lambda_function *f = functions_resolve_unqualified(ctx, name, err);
    if (!f || !function_revision_matches(f, in, err) || !function_check_configuration(in, err))
        return false;
    cJSON *previous = cJSON_Duplicate(f->record, true);
    copy_settable(f->record, in);
    return commit_change(ctx, f, previous, true, out, err);
}

static void leave(lambda_function *f, bool stop_now)
{
    function_unlink(f);
    versions_leave(f, stop_now); /* before f counts as deleted: stopping them cannot free f */
    f->deleted = true;
    async_invoke_wake(f); /* Event invocations held back by its reservation find it gone */
    if (stop_now)
        executor_stop_function(f, "the function was removed by a reset");
    else
        executor_retire(f);
    code_dir_release(function_code_dir(f)); /* at once, or when its last environment is gone */
    changed();
    release_if_unused(f);
}

static void delete_committed(void *arg)
{
    leave(arg, false);
}

static void reset_committed(void *arg)
{
    lambda_function *f = arg;
    async_invoke_forget(f->account, f->region, f->name);
    char group[200];
    snprintf(group, sizeof group, "/aws/lambda/%s", f->name);
    logs_reset(f->account, f->region, group);
    leave(f, true);
}

/* With a qualifier only that version goes (AWS's DeleteFunction: "To delete a specific
 * function version, use the Qualifier parameter"); $LATEST and aliases are refused. */
bool fn_delete(const lambda_ctx *ctx, const char *name, const char *qualifier, lambda_error *err)
{
    function_target t;
    if (!functions_resolve_target(ctx, name, qualifier, false, &t, err))
        return false;
    lambda_function *f = t.function;
    if (strcmp(t.qualifier, "$LATEST") == 0)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "$LATEST version cannot be deleted without deleting the function.");
    if (t.alias)
        return lambda_fail(err, LAMBDA_ERR_INVALID_PARAMETER,
                           "Deletion of aliases is not supported with DeleteFunction; use DeleteAlias.");
    if (t.run != f)
        return version_delete(f, t.run, err);
    if (!store_function_delete(f->id))
        return lambda_fail(err, LAMBDA_ERR_SERVICE, "The function could not be deleted.");
    tx_defer(delete_committed, NULL, f);
    return true;
}

/* ---- reset (the admin API) ---- */

static bool remove_now(lambda_function *f, lambda_error *err)
{
    if (!store_function_delete(f->id))
        return lambda_fail(err, LAMBDA_ERR_SERVICE, "The function could not be deleted.");
    tx_defer(reset_committed, NULL, f);
    return true;
}

bool functions_remove(const lambda_ctx *ctx, const char *name, size_t *removed, lambda_error *err)
{
    *removed = 0;
    if (name) {
        lambda_function *f = functions_resolve(ctx, name, NULL, false, err);
        if (!f || !remove_now(f, err))
            return false;
        *removed = 1;
        return true;
    }
    for (lambda_function *f = all_functions; f; f = f->next) {
        if (!remove_now(f, err))
            return false;
        (*removed)++;
    }
    return true;
}
