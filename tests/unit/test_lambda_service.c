/* test_lambda_service: the Lambda control plane in-process, and what it does when the
 * store refuses a change, either a write inside the call or the COMMIT after it (real
 * SQLite; store_faults.h tells how). The call must answer with an error and leave
 * everything as it was: the function or mapping in memory, its code directory on disk,
 * its tags. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sqsemu/clock.h"
#include "sqsemu/lambda.h"
#include "sqsemu/loop.h"
#include "sqsemu/sqs.h"
#include "sqsemu/store.h"

#include "store_faults.h"

#define ACCOUNT "000000000000"
#define REGION "us-east-1"
/* Two zip archives, each holding one index.py (returning 1 and 2). */
#define ZIP_ONE                                                                                                     \
    "UEsDBBQAAAAAADe+gV0NPuUHHwAAAB8AAAAIAAAAaW5kZXgucHlkZWYgaGFuZGxlcihlLGMpOgogICAgcmV0dXJuIDEKUEsBAhQDFAAAAAAAN" \
    "76BXQ0+5QcfAAAAHwAAAAgAAAAAAAAAAAAAAIABAAAAAGluZGV4LnB5UEsFBgAAAAABAAEANgAAAEUAAAAAAA=="
#define ZIP_TWO                                                                                                     \
    "UEsDBBQAAAAAADe+gV3ObcgsHwAAAB8AAAAIAAAAaW5kZXgucHlkZWYgaGFuZGxlcihlLGMpOgogICAgcmV0dXJuIDIKUEsBAhQDFAAAAAAAN" \
    "76BXc5tyCwfAAAAHwAAAAgAAAAAAAAAAAAAAIABAAAAAGluZGV4LnB5UEsFBgAAAAABAAEANgAAAEUAAAAAAA=="

static char data_dir[64];
static lambda_error last_error;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    clock_set(1767225600000LL);
    clock_freeze(true);
    snprintf(data_dir, sizeof data_dir, "/tmp/sqsemu-unit-XXXXXX");
    if (!mkdtemp(data_dir) || !loop_init() || !store_open(NULL))
        return -1;
    sqs_settings sqs = {.strict = false};
    lambda_settings lambda = {
        .data_dir = data_dir,
        .runtimes_dir = "runtimes",
        .endpoint_url = "http://127.0.0.1:9324",
        .idle_timeout_s = 300,
        .default_concurrency = 5,
    };
    if (!sqs_service_start(&sqs) || !lambda_service_start(&lambda))
        return -1;
    store_faults_prepare();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lambda_service_stop();
    sqs_service_stop();
    store_close();
    loop_free();
    clock_freeze(false);
    nftw(data_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static cJSON *call(lambda_op op, const char *name, const char *body_json)
{
    lambda_ctx ctx = {.account = ACCOUNT, .region = REGION, .now_ms = clock_now_ms()};
    cJSON *body = body_json ? cJSON_Parse(body_json) : NULL;
    if (body_json)
        assert_non_null(body);
    lambda_call c = {.op = op, .name = name, .body = body};
    lambda_result result;
    memset(&last_error, 0, sizeof last_error);
    lambda_status status = lambda_service_call(&ctx, &c, &result, &last_error, NULL, NULL);
    cJSON_Delete(body);
    if (status == LAMBDA_STATUS_ERROR)
        return NULL;
    assert_int_equal(status, LAMBDA_STATUS_OK);
    cJSON *json = result.json ? result.json : cJSON_CreateObject();
    result.json = NULL;
    lambda_result_free(&result);
    return json;
}

static void ok(lambda_op op, const char *name, const char *body_json)
{
    cJSON *out = call(op, name, body_json);
    if (!out)
        fail_msg("operation %d on %s: %s", (int)op, name ? name : "-", last_error.message);
    cJSON_Delete(out);
}

static const char *member(const cJSON *obj, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name));
}

static int directories;
static int count_dir(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)path;
    (void)st;
    (void)ftw;
    if (flag == FTW_D)
        directories++;
    return 0;
}

/* Directories of unpacked code under the data directory (account/region/name/<uuid>). */
static int code_dirs_on_disk(void)
{
    char root[128];
    snprintf(root, sizeof root, "%s/lambda/%s/%s/f", data_dir, ACCOUNT, REGION);
    directories = 0;
    if (access(root, F_OK) != 0)
        return 0;
    nftw(root, count_dir, 16, FTW_PHYS);
    return directories - 1; /* not the function's own directory */
}

#define CREATE_F                                                                                                   \
    "{\"FunctionName\":\"f\",\"Runtime\":\"python3.12\",\"Role\":\"arn:aws:iam::000000000000:role/r\","          \
    "\"Handler\":\"index.handler\",\"Timeout\":3,\"Code\":{\"ZipFile\":\"" ZIP_ONE "\"}}"

static char *code_sha(void)
{
    cJSON *out = call(LAMBDA_OP_GET_FUNCTION_CONFIGURATION, "f", NULL);
    assert_non_null(out);
    char *sha = strdup(member(out, "CodeSha256"));
    cJSON_Delete(out);
    return sha;
}

/* ---- functions ---- */

static void test_create_and_get(void **state)
{
    (void)state;
    ok(LAMBDA_OP_CREATE_FUNCTION, NULL, CREATE_F);
    cJSON *out = call(LAMBDA_OP_GET_FUNCTION_CONFIGURATION, "f", NULL);
    assert_non_null(out);
    assert_string_equal(member(out, "FunctionArn"), "arn:aws:lambda:us-east-1:000000000000:function:f");
    assert_string_equal(member(out, "State"), "Active");
    cJSON_Delete(out);
    assert_int_equal(code_dirs_on_disk(), 1);
    assert_null(call(LAMBDA_OP_CREATE_FUNCTION, NULL, CREATE_F));
    assert_int_equal(last_error.kind, LAMBDA_ERR_CONFLICT);
    assert_int_equal(code_dirs_on_disk(), 1); /* the refused duplicate left no directory */
}

static void test_create_failing_write_leaves_nothing(void **state)
{
    (void)state;
    store_fail_writes("INSERT", "functions");
    assert_null(call(LAMBDA_OP_CREATE_FUNCTION, NULL, CREATE_F));
    assert_int_equal(last_error.kind, LAMBDA_ERR_SERVICE);
    store_faults_heal();
    assert_null(call(LAMBDA_OP_GET_FUNCTION, "f", NULL));
    assert_int_equal(last_error.kind, LAMBDA_ERR_NOT_FOUND);
    assert_int_equal(code_dirs_on_disk(), 0);
}

static void test_create_failing_commit_leaves_nothing(void **state)
{
    (void)state;
    store_fail_commits("INSERT", "functions");
    assert_null(call(LAMBDA_OP_CREATE_FUNCTION, NULL, CREATE_F));
    assert_int_equal(last_error.kind, LAMBDA_ERR_SERVICE);
    store_faults_heal();
    assert_null(call(LAMBDA_OP_GET_FUNCTION, "f", NULL));
    assert_int_equal(last_error.kind, LAMBDA_ERR_NOT_FOUND);
    assert_int_equal(code_dirs_on_disk(), 0);
    ok(LAMBDA_OP_CREATE_FUNCTION, NULL, CREATE_F); /* and the name is free */
}

static void test_update_configuration_failing_commit_keeps_the_old_one(void **state)
{
    (void)state;
    ok(LAMBDA_OP_CREATE_FUNCTION, NULL, CREATE_F);
    store_fail_commits("UPDATE", "functions");
    assert_null(call(LAMBDA_OP_UPDATE_FUNCTION_CONFIGURATION, "f", "{\"Timeout\":30}"));
    store_faults_heal();
    cJSON *out = call(LAMBDA_OP_GET_FUNCTION_CONFIGURATION, "f", NULL);
    assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(out, "Timeout")), 3);
    cJSON_Delete(out);
    ok(LAMBDA_OP_UPDATE_FUNCTION_CONFIGURATION, "f", "{\"Timeout\":30}");
    out = call(LAMBDA_OP_GET_FUNCTION_CONFIGURATION, "f", NULL);
    assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(out, "Timeout")), 30);
    cJSON_Delete(out);
}

static void test_update_code_failing_commit_keeps_the_old_code(void **state)
{
    (void)state;
    ok(LAMBDA_OP_CREATE_FUNCTION, NULL, CREATE_F);
    char *before = code_sha();
    store_fail_commits("UPDATE", "functions");
    assert_null(call(LAMBDA_OP_UPDATE_FUNCTION_CODE, "f", "{\"ZipFile\":\"" ZIP_TWO "\"}"));
    store_faults_heal();
    char *after = code_sha();
    assert_string_equal(before, after);
    assert_int_equal(code_dirs_on_disk(), 1); /* the new archive's directory is gone, the old one stays */
    ok(LAMBDA_OP_UPDATE_FUNCTION_CODE, "f", "{\"ZipFile\":\"" ZIP_TWO "\"}");
    char *updated = code_sha();
    assert_string_not_equal(before, updated);
    assert_int_equal(code_dirs_on_disk(), 1); /* the old directory went once the change committed */
    free(before);
    free(after);
    free(updated);
}

static void test_delete_failing_commit_keeps_the_function(void **state)
{
    (void)state;
    ok(LAMBDA_OP_CREATE_FUNCTION, NULL, CREATE_F);
    store_fail_commits("DELETE", "functions");
    assert_null(call(LAMBDA_OP_DELETE_FUNCTION, "f", NULL));
    store_faults_heal();
    ok(LAMBDA_OP_GET_FUNCTION, "f", NULL);
    assert_int_equal(code_dirs_on_disk(), 1);
    ok(LAMBDA_OP_DELETE_FUNCTION, "f", NULL);
    assert_null(call(LAMBDA_OP_GET_FUNCTION, "f", NULL));
    assert_int_equal(code_dirs_on_disk(), 0);
}

static int tag_count(const char *arn)
{
    cJSON *out = call(LAMBDA_OP_LIST_TAGS, arn, NULL);
    assert_non_null(out);
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(out, "Tags"));
    cJSON_Delete(out);
    return n;
}

static void test_tags_failing_write_or_commit_change_nothing(void **state)
{
    (void)state;
    const char *arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
    ok(LAMBDA_OP_CREATE_FUNCTION, NULL, CREATE_F);
    store_fail_writes("UPDATE", "functions");
    assert_null(call(LAMBDA_OP_TAG_RESOURCE, arn, "{\"Tags\":{\"team\":\"a\"}}"));
    store_faults_heal();
    assert_int_equal(tag_count(arn), 0);
    store_fail_commits("UPDATE", "functions");
    assert_null(call(LAMBDA_OP_TAG_RESOURCE, arn, "{\"Tags\":{\"team\":\"a\"}}"));
    store_faults_heal();
    assert_int_equal(tag_count(arn), 0);
    ok(LAMBDA_OP_TAG_RESOURCE, arn, "{\"Tags\":{\"team\":\"a\"}}");
    assert_int_equal(tag_count(arn), 1);
}

/* ---- event invoke configs ---- */

static int retries_configured(void)
{
    cJSON *out = call(LAMBDA_OP_GET_EVENT_INVOKE_CONFIG, "f", NULL);
    if (!out)
        return -1;
    int n = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(out, "MaximumRetryAttempts"));
    cJSON_Delete(out);
    return n;
}

static void test_event_invoke_config_changes_follow_the_commit(void **state)
{
    (void)state;
    ok(LAMBDA_OP_CREATE_FUNCTION, NULL, CREATE_F);
    store_fail_commits("UPDATE", "functions");
    assert_null(call(LAMBDA_OP_PUT_EVENT_INVOKE_CONFIG, "f", "{\"MaximumRetryAttempts\":1}"));
    store_faults_heal();
    assert_int_equal(retries_configured(), -1);
    assert_int_equal(last_error.kind, LAMBDA_ERR_NOT_FOUND);
    ok(LAMBDA_OP_PUT_EVENT_INVOKE_CONFIG, "f", "{\"MaximumRetryAttempts\":1}");
    store_fail_writes("UPDATE", "functions");
    assert_null(call(LAMBDA_OP_UPDATE_EVENT_INVOKE_CONFIG, "f", "{\"MaximumRetryAttempts\":0}"));
    store_faults_heal();
    assert_int_equal(retries_configured(), 1);
    store_fail_commits("UPDATE", "functions");
    assert_null(call(LAMBDA_OP_DELETE_EVENT_INVOKE_CONFIG, "f", NULL));
    store_faults_heal();
    assert_int_equal(retries_configured(), 1);
    ok(LAMBDA_OP_DELETE_EVENT_INVOKE_CONFIG, "f", NULL);
    assert_int_equal(retries_configured(), -1);
}

/* AddPermission and RemovePermission: a refused write or COMMIT leaves the policy and the
 * function's RevisionId as they were. */
static int statement_count(void)
{
    cJSON *out = call(LAMBDA_OP_GET_POLICY, "f", NULL);
    if (!out)
        return 0;
    cJSON *doc = cJSON_Parse(member(out, "Policy"));
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "Statement"));
    cJSON_Delete(doc);
    cJSON_Delete(out);
    return n;
}

static char *revision(void)
{
    cJSON *out = call(LAMBDA_OP_GET_FUNCTION_CONFIGURATION, "f", NULL);
    assert_non_null(out);
    char *id = strdup(member(out, "RevisionId"));
    cJSON_Delete(out);
    return id;
}

static void test_policy_failing_write_or_commit_change_nothing(void **state)
{
    (void)state;
    const char *add = "{\"StatementId\":\"s\",\"Action\":\"lambda:InvokeFunction\",\"Principal\":\"*\"}";
    ok(LAMBDA_OP_CREATE_FUNCTION, NULL, CREATE_F);
    char *before = revision();
    store_fail_writes("UPDATE", "functions");
    assert_null(call(LAMBDA_OP_ADD_PERMISSION, "f", add));
    store_faults_heal();
    store_fail_commits("UPDATE", "functions");
    assert_null(call(LAMBDA_OP_ADD_PERMISSION, "f", add));
    store_faults_heal();
    assert_int_equal(statement_count(), 0);
    char *after = revision();
    assert_string_equal(before, after);
    free(after);
    ok(LAMBDA_OP_ADD_PERMISSION, "f", add);
    assert_int_equal(statement_count(), 1);
    lambda_ctx ctx = {.account = ACCOUNT, .region = REGION, .now_ms = clock_now_ms()};
    lambda_call remove = {.op = LAMBDA_OP_REMOVE_PERMISSION, .name = "f", .statement_id = "s"};
    lambda_result result;
    store_fail_commits("UPDATE", "functions");
    assert_int_equal(lambda_service_call(&ctx, &remove, &result, &last_error, NULL, NULL), LAMBDA_STATUS_ERROR);
    store_faults_heal();
    assert_int_equal(statement_count(), 1);
    assert_int_equal(lambda_service_call(&ctx, &remove, &result, &last_error, NULL, NULL), LAMBDA_STATUS_OK);
    lambda_result_free(&result);
    assert_int_equal(statement_count(), 0);
    free(before);
}

/* ---- event-source mappings ---- */

static void create_queue_and_function(void)
{
    sqs_ctx sctx = {.account = ACCOUNT, .region = REGION, .url_base = "http://127.0.0.1:9324", .sender_id = ACCOUNT,
                    .now_ms = clock_now_ms()};
    cJSON *in = cJSON_Parse("{\"QueueName\":\"source\"}");
    cJSON *out = NULL;
    sqs_error serr;
    assert_int_equal(sqs_service_call(&sctx, "CreateQueue", in, &out, &serr), SQS_STATUS_OK);
    cJSON_Delete(in);
    cJSON_Delete(out);
    ok(LAMBDA_OP_CREATE_FUNCTION, NULL, CREATE_F);
}

static char *create_mapping(void)
{
    create_queue_and_function();
    cJSON *m = call(LAMBDA_OP_CREATE_MAPPING, NULL,
                    "{\"FunctionName\":\"f\",\"EventSourceArn\":\"arn:aws:sqs:us-east-1:000000000000:source\","
                    "\"BatchSize\":5}");
    if (!m)
        fail_msg("CreateEventSourceMapping: %s", last_error.message);
    char *uuid = strdup(member(m, "UUID"));
    cJSON_Delete(m);
    return uuid;
}

static int mapping_count(void)
{
    cJSON *out = call(LAMBDA_OP_LIST_MAPPINGS, NULL, NULL);
    assert_non_null(out);
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(out, "EventSourceMappings"));
    cJSON_Delete(out);
    return n;
}

static int mapping_batch_size(const char *uuid)
{
    cJSON *got = call(LAMBDA_OP_GET_MAPPING, uuid, NULL);
    assert_non_null(got);
    int n = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(got, "BatchSize"));
    cJSON_Delete(got);
    return n;
}

static void test_mapping_changes_follow_the_commit(void **state)
{
    (void)state;
    char *uuid = create_mapping();
    assert_int_equal(mapping_count(), 1);

    /* A mapping is stored with INSERT OR REPLACE: an update is an INSERT too. */
    store_fail_commits("INSERT", "mappings");
    assert_null(call(LAMBDA_OP_UPDATE_MAPPING, uuid, "{\"BatchSize\":7}"));
    assert_null(call(LAMBDA_OP_CREATE_MAPPING, NULL,
                     "{\"FunctionName\":\"f\",\"EventSourceArn\":\"arn:aws:sqs:us-east-1:000000000000:other\"}"));
    store_faults_heal();
    assert_int_equal(mapping_batch_size(uuid), 5);
    assert_int_equal(mapping_count(), 1);

    store_fail_commits("DELETE", "mappings");
    assert_null(call(LAMBDA_OP_DELETE_MAPPING, uuid, NULL));
    store_faults_heal();
    assert_int_equal(mapping_count(), 1);
    assert_int_equal(mapping_batch_size(uuid), 5);

    ok(LAMBDA_OP_UPDATE_MAPPING, uuid, "{\"BatchSize\":7}");
    assert_int_equal(mapping_batch_size(uuid), 7);
    ok(LAMBDA_OP_DELETE_MAPPING, uuid, NULL);
    assert_int_equal(mapping_count(), 0);
    free(uuid);
}

static void test_mapping_create_failing_commit_leaves_none(void **state)
{
    (void)state;
    create_queue_and_function();
    store_fail_commits("INSERT", "mappings");
    assert_null(call(LAMBDA_OP_CREATE_MAPPING, NULL,
                     "{\"FunctionName\":\"f\",\"EventSourceArn\":\"arn:aws:sqs:us-east-1:000000000000:source\"}"));
    store_faults_heal();
    assert_int_equal(mapping_count(), 0);
    /* Not a conflict with a mapping that was never stored. */
    ok(LAMBDA_OP_CREATE_MAPPING, NULL,
       "{\"FunctionName\":\"f\",\"EventSourceArn\":\"arn:aws:sqs:us-east-1:000000000000:source\"}");
    assert_int_equal(mapping_count(), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_failing_write_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_failing_commit_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_configuration_failing_commit_keeps_the_old_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_code_failing_commit_keeps_the_old_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_failing_commit_keeps_the_function, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tags_failing_write_or_commit_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_invoke_config_changes_follow_the_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_failing_write_or_commit_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mapping_changes_follow_the_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mapping_create_failing_commit_leaves_none, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
