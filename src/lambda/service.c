/* lambda/service: start-up and shutdown of the Lambda half (stored functions and
 * mappings, the executor, the pollers) and its settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "code_dirs.h"
#include "event_config.h"
#include "concurrency.h"
#include "executor.h"
#include "function.h"
#include "absent_features.h"
#include "history.h"
#include "invoke.h"
#include "mapping.h"
#include "policy.h"
#include "settings.h"
#include "tags.h"
#include "versions.h"
#include "sqsemu/buf.h"
#include "sqsemu/log.h"
#include "sqsemu/tx.h"

static lambda_settings settings;
static char *temp_data_dir;

const lambda_settings *lambda_config(void)
{
    return &settings;
}

bool lambda_service_start(const lambda_settings *s)
{
    settings = *s;
    if (!settings.data_dir) {
        char template[] = "/tmp/sqsemu-lambda-XXXXXX";
        if (!mkdtemp(template)) {
            log_error("cannot create a temporary directory for function code");
            return false;
        }
        temp_data_dir = xstrdup(template);
        settings.data_dir = temp_data_dir;
    }
    functions_on_change(mappings_function_changed);
    if (!code_dirs_start(settings.data_dir) || !executor_start() || !functions_load() || !mappings_load()) {
        log_error("could not load the Lambda functions and mappings from the store");
        return false;
    }
    return true;
}

void lambda_service_counts(size_t *functions, size_t *mappings, size_t *enabled_mappings)
{
    *functions = *mappings = *enabled_mappings = 0;
    for (const lambda_function *f = functions_first(); f; f = f->next)
        (*functions)++;
    for (const mapping *m = mappings_first(); m; m = m->next) {
        (*mappings)++;
        *enabled_mappings += mapping_enabled(m);
    }
}

void lambda_service_stop(void)
{
    executor_stop(); /* finishes in-flight invocations first: their callbacks use what follows */
    async_invoke_stop();
    mappings_free_all();
    functions_free_all();
    code_dirs_stop();
    if (temp_data_dir) {
        code_remove_dir(temp_data_dir);
        free(temp_data_dir);
        temp_data_dir = NULL;
    }
}

/* ---- the operations ---- */

static bool code_archive(const lambda_ctx *ctx, const lambda_call *call, lambda_result *result, lambda_error *err)
{
    function_target t;
    lambda_error ignored;
    lambda_function *f = call->name && functions_resolve_target(ctx, call->name, NULL, false, &t, &ignored) ? t.run
                                                                                                          : NULL;
    result->payload = f ? function_code_zip(f, &result->payload_len) : NULL;
    return result->payload ||
           lambda_fail(err, LAMBDA_ERR_NOT_FOUND, "No stored code archive for %s", call->name ? call->name : "");
}

/* Operations that answer at once, with a JSON document in result->json. */
/* The admin API's reset: mappings first (their pollers stop), then the functions. */
static bool reset(const lambda_ctx *ctx, const char *name, cJSON *out, lambda_error *err)
{
    const char *function_arn = NULL;
    if (name) {
        lambda_function *f = functions_resolve(ctx, name, NULL, false, err);
        if (!f)
            return false;
        function_arn = f->arn;
    }
    size_t mappings = 0, functions = 0;
    if (!mappings_remove(function_arn, &mappings, err) || !functions_remove(ctx, name, &functions, err))
        return false;
    cJSON_AddNumberToObject(out, "FunctionsRemoved", (double)functions);
    cJSON_AddNumberToObject(out, "MappingsRemoved", (double)mappings);
    return true;
}

static bool run_now(const lambda_ctx *ctx, const lambda_call *c, cJSON *out, lambda_result *result, lambda_error *err)
{
    switch (c->op) {
    case LAMBDA_OP_LIST_FUNCTIONS: return fn_list(ctx, c->marker, c->max_items, c->function_version, out, err);
    case LAMBDA_OP_CREATE_FUNCTION: return fn_create(ctx, c->body, out, err);
    case LAMBDA_OP_GET_FUNCTION: return fn_get(ctx, c->name, c->qualifier, out, err);
    case LAMBDA_OP_GET_FUNCTION_CONFIGURATION: return fn_get_configuration(ctx, c->name, c->qualifier, out, err);
    case LAMBDA_OP_UPDATE_FUNCTION_CONFIGURATION: return fn_update_configuration(ctx, c->name, c->body, out, err);
    case LAMBDA_OP_UPDATE_FUNCTION_CODE: return fn_update_code(ctx, c->name, c->body, out, err);
    case LAMBDA_OP_DELETE_FUNCTION: return fn_delete(ctx, c->name, c->qualifier, err);
    case LAMBDA_OP_LIST_MAPPINGS:
        return esm_list(ctx, c->event_source_arn, c->function_name, c->marker, c->max_items, out, err);
    case LAMBDA_OP_CREATE_MAPPING: return esm_create(ctx, c->body, out, err);
    case LAMBDA_OP_GET_MAPPING: return esm_get(ctx, c->name, out, err);
    case LAMBDA_OP_UPDATE_MAPPING: return esm_update(ctx, c->name, c->body, out, err);
    case LAMBDA_OP_DELETE_MAPPING: return esm_delete(ctx, c->name, out, err);
    case LAMBDA_OP_LIST_TAGS: return tags_list(ctx, c->name, out, err);
    case LAMBDA_OP_TAG_RESOURCE: return tags_add(ctx, c->name, c->body, err);
    case LAMBDA_OP_UNTAG_RESOURCE: return tags_remove(ctx, c->name, c->tag_keys, c->tag_key_count, err);
    case LAMBDA_OP_GET_CODE_ARCHIVE: return code_archive(ctx, c, result, err);
    case LAMBDA_OP_PUT_FUNCTION_CONCURRENCY: return concurrency_put(ctx, c->name, c->body, out, err);
    case LAMBDA_OP_GET_FUNCTION_CONCURRENCY: return concurrency_get(ctx, c->name, out, err);
    case LAMBDA_OP_DELETE_FUNCTION_CONCURRENCY: return concurrency_delete(ctx, c->name, err);
    case LAMBDA_OP_GET_ACCOUNT_SETTINGS: return account_settings(ctx, out, err);
    case LAMBDA_OP_ADMIN_RESET: return reset(ctx, c->name, out, err);
    case LAMBDA_OP_ADMIN_INVOCATIONS: return history_list(ctx, c->name, c->max_items, out, err);
    /* asynchronous-invocation configuration */
    case LAMBDA_OP_PUT_EVENT_INVOKE_CONFIG: return eic_put(ctx, c->name, c->qualifier, c->body, out, err);
    case LAMBDA_OP_UPDATE_EVENT_INVOKE_CONFIG: return eic_update(ctx, c->name, c->qualifier, c->body, out, err);
    case LAMBDA_OP_GET_EVENT_INVOKE_CONFIG: return eic_get(ctx, c->name, c->qualifier, out, err);
    case LAMBDA_OP_DELETE_EVENT_INVOKE_CONFIG: return eic_delete(ctx, c->name, c->qualifier, err);
    case LAMBDA_OP_LIST_EVENT_INVOKE_CONFIGS: return eic_list(ctx, c->name, c->marker, c->max_items, out, err);
    case LAMBDA_OP_ADD_PERMISSION: return policy_add(ctx, c->name, c->qualifier, c->body, out, err);
    case LAMBDA_OP_REMOVE_PERMISSION:
        return policy_remove(ctx, c->name, c->qualifier, c->statement_id, c->revision_id, err);
    case LAMBDA_OP_GET_POLICY: return policy_get(ctx, c->name, c->qualifier, out, err);
    case LAMBDA_OP_GET_CODE_SIGNING_CONFIG:
    case LAMBDA_OP_GET_RUNTIME_MANAGEMENT_CONFIG:
    case LAMBDA_OP_GET_URL_CONFIG:
    case LAMBDA_OP_LIST_URL_CONFIGS:
    case LAMBDA_OP_GET_RECURSION_CONFIG:
    case LAMBDA_OP_GET_PROVISIONED_CONCURRENCY:
    case LAMBDA_OP_LIST_PROVISIONED_CONCURRENCY:
    case LAMBDA_OP_LIST_LAYERS: return absent_feature_read(ctx, c, out, err);
    case LAMBDA_OP_PUBLISH_VERSION: {
        function_target t;
        return functions_resolve_target(ctx, c->name, NULL, false, &t, err) &&
               version_publish(ctx, t.function, c->body, out, err);
    }
    case LAMBDA_OP_LIST_VERSIONS: return versions_list(ctx, c->name, c->marker, c->max_items, out, err);
    case LAMBDA_OP_CREATE_ALIAS: return alias_create(ctx, c->name, c->body, out, err);
    case LAMBDA_OP_GET_ALIAS: return alias_get(ctx, c->name, c->alias, out, err);
    case LAMBDA_OP_UPDATE_ALIAS: return alias_update(ctx, c->name, c->alias, c->body, out, err);
    case LAMBDA_OP_DELETE_ALIAS: return alias_delete(ctx, c->name, c->alias, err);
    case LAMBDA_OP_LIST_ALIASES:
        return aliases_list(ctx, c->name, c->function_version, c->marker, c->max_items, out, err);
    case LAMBDA_OP_INVOKE: break;
    }
    return lambda_fail(err, LAMBDA_ERR_UNKNOWN_OPERATION, "Unknown operation");
}

lambda_status lambda_service_call(const lambda_ctx *ctx, const lambda_call *call, lambda_result *result,
                                  lambda_error *err, lambda_done_fn done, void *arg)
{
    memset(result, 0, sizeof *result);
    if (call->op == LAMBDA_OP_INVOKE)
        return invoke_call(ctx, call, result, err, done, arg);
    /* The operation's writes are one transaction, as for SQS actions. */
    if (!tx_open()) {
        lambda_fail(err, LAMBDA_ERR_SERVICE, "The store could not start a transaction.");
        return LAMBDA_STATUS_ERROR;
    }
    cJSON *out = cJSON_CreateObject();
    bool ok = run_now(ctx, call, out, result, err);
    if (!tx_close(ok) && ok) {
        lambda_fail(err, LAMBDA_ERR_SERVICE, "The change could not be stored.");
        ok = false;
    }
    if (!ok) {
        cJSON_Delete(out);
        return LAMBDA_STATUS_ERROR;
    }
    result->json = out;
    return LAMBDA_STATUS_OK;
}

void lambda_result_free(lambda_result *result)
{
    cJSON_Delete(result->json);
    free(result->payload);
    free(result->log_tail);
    memset(result, 0, sizeof *result);
}

/* ---- names ---- */

static const struct {
    const char *name;
    const char *addresses;
} op_names[] = {
    [LAMBDA_OP_LIST_FUNCTIONS] = {"ListFunctions", "function"},
    [LAMBDA_OP_CREATE_FUNCTION] = {"CreateFunction", "function"},
    [LAMBDA_OP_GET_FUNCTION] = {"GetFunction", "function"},
    [LAMBDA_OP_GET_FUNCTION_CONFIGURATION] = {"GetFunctionConfiguration", "function"},
    [LAMBDA_OP_UPDATE_FUNCTION_CONFIGURATION] = {"UpdateFunctionConfiguration", "function"},
    [LAMBDA_OP_UPDATE_FUNCTION_CODE] = {"UpdateFunctionCode", "function"},
    [LAMBDA_OP_DELETE_FUNCTION] = {"DeleteFunction", "function"},
    [LAMBDA_OP_INVOKE] = {"Invoke", "function"},
    [LAMBDA_OP_LIST_MAPPINGS] = {"ListEventSourceMappings", "mapping"},
    [LAMBDA_OP_CREATE_MAPPING] = {"CreateEventSourceMapping", "mapping"},
    [LAMBDA_OP_GET_MAPPING] = {"GetEventSourceMapping", "mapping"},
    [LAMBDA_OP_UPDATE_MAPPING] = {"UpdateEventSourceMapping", "mapping"},
    [LAMBDA_OP_DELETE_MAPPING] = {"DeleteEventSourceMapping", "mapping"},
    [LAMBDA_OP_LIST_TAGS] = {"ListTags", "resource"},
    [LAMBDA_OP_TAG_RESOURCE] = {"TagResource", "resource"},
    [LAMBDA_OP_UNTAG_RESOURCE] = {"UntagResource", "resource"},
    [LAMBDA_OP_GET_CODE_ARCHIVE] = {"GetCodeArchive", "function"},
    [LAMBDA_OP_PUT_FUNCTION_CONCURRENCY] = {"PutFunctionConcurrency", "function"},
    [LAMBDA_OP_GET_FUNCTION_CONCURRENCY] = {"GetFunctionConcurrency", "function"},
    [LAMBDA_OP_DELETE_FUNCTION_CONCURRENCY] = {"DeleteFunctionConcurrency", "function"},
    [LAMBDA_OP_GET_ACCOUNT_SETTINGS] = {"GetAccountSettings", "account"},
    [LAMBDA_OP_PUBLISH_VERSION] = {"PublishVersion", "function"},
    [LAMBDA_OP_LIST_VERSIONS] = {"ListVersionsByFunction", "function"},
    [LAMBDA_OP_CREATE_ALIAS] = {"CreateAlias", "function"},
    [LAMBDA_OP_GET_ALIAS] = {"GetAlias", "function"},
    [LAMBDA_OP_UPDATE_ALIAS] = {"UpdateAlias", "function"},
    [LAMBDA_OP_DELETE_ALIAS] = {"DeleteAlias", "function"},
    [LAMBDA_OP_LIST_ALIASES] = {"ListAliases", "function"},
    [LAMBDA_OP_ADMIN_RESET] = {"Reset", "function"},
    [LAMBDA_OP_ADMIN_INVOCATIONS] = {"ListInvocations", "function"},
    [LAMBDA_OP_PUT_EVENT_INVOKE_CONFIG] = {"PutFunctionEventInvokeConfig", "function"},
    [LAMBDA_OP_UPDATE_EVENT_INVOKE_CONFIG] = {"UpdateFunctionEventInvokeConfig", "function"},
    [LAMBDA_OP_GET_EVENT_INVOKE_CONFIG] = {"GetFunctionEventInvokeConfig", "function"},
    [LAMBDA_OP_DELETE_EVENT_INVOKE_CONFIG] = {"DeleteFunctionEventInvokeConfig", "function"},
    [LAMBDA_OP_LIST_EVENT_INVOKE_CONFIGS] = {"ListFunctionEventInvokeConfigs", "function"},
    [LAMBDA_OP_ADD_PERMISSION] = {"AddPermission", "function"},
    [LAMBDA_OP_REMOVE_PERMISSION] = {"RemovePermission", "function"},
    [LAMBDA_OP_GET_POLICY] = {"GetPolicy", "function"},
    [LAMBDA_OP_GET_CODE_SIGNING_CONFIG] = {"GetFunctionCodeSigningConfig", "function"},
    [LAMBDA_OP_GET_RUNTIME_MANAGEMENT_CONFIG] = {"GetRuntimeManagementConfig", "function"},
    [LAMBDA_OP_GET_URL_CONFIG] = {"GetFunctionUrlConfig", "function"},
    [LAMBDA_OP_LIST_URL_CONFIGS] = {"ListFunctionUrlConfigs", "function"},
    [LAMBDA_OP_GET_RECURSION_CONFIG] = {"GetFunctionRecursionConfig", "function"},
    [LAMBDA_OP_GET_PROVISIONED_CONCURRENCY] = {"GetProvisionedConcurrencyConfig", "function"},
    [LAMBDA_OP_LIST_PROVISIONED_CONCURRENCY] = {"ListProvisionedConcurrencyConfigs", "function"},
    [LAMBDA_OP_LIST_LAYERS] = {"ListLayers", "function"},
};

const char *lambda_op_name(lambda_op op)
{
    return (size_t)op < sizeof op_names / sizeof op_names[0] && op_names[op].name ? op_names[op].name : "-";
}

const char *lambda_op_addresses(lambda_op op)
{
    return (size_t)op < sizeof op_names / sizeof op_names[0] && op_names[op].addresses ? op_names[op].addresses
                                                                                        : "name";
}
