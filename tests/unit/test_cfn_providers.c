/* test_cfn_providers: the CloudFormation resource providers (src/cfn/resource_*.c) called
 * directly, in-process, over the real SQS and Lambda services with a store in a temporary
 * data directory: what each creates (checked through the service), its Ref and Fn::GetAtt
 * values, updates in place, which changes need a replacement, deletion (also of something
 * already gone) and the property errors in CloudFormation's words. */
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

#include "../../src/cfn/provider.h"
#include "sqsemu/clock.h"
#include "sqsemu/lambda.h"
#include "sqsemu/loop.h"
#include "sqsemu/sqs.h"
#include "sqsemu/store.h"

#define ACCOUNT "000000000000"
#define REGION "us-east-1"
#define URL_BASE "http://127.0.0.1:9324"
#define ROLE "arn:aws:iam::000000000000:role/r"

static char data_dir[64];
static char base_dir[64]; /* the template's directory, outside the data directory */
static char code_dir[128];
static const cfn_ctx ctx = {.account = ACCOUNT, .region = REGION, .url_base = URL_BASE, .request_id = "r"};
static cfn_error last_error;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    clock_set(1767225600000LL);
    clock_freeze(true);
    snprintf(data_dir, sizeof data_dir, "/tmp/sqsemu-unit-XXXXXX");
    if (!mkdtemp(data_dir) || !loop_init() || !store_open(NULL))
        return -1;
    snprintf(base_dir, sizeof base_dir, "/tmp/sqsemu-unit-XXXXXX");
    if (!mkdtemp(base_dir))
        return -1;
    snprintf(code_dir, sizeof code_dir, "%s/src", base_dir);
    mkdir(code_dir, 0700);
    char path[256];
    snprintf(path, sizeof path, "%s/index.py", code_dir);
    write_file(path, "def handler(e, c):\n    return 1\n");
    sqs_settings sqs = {.strict = false};
    lambda_settings lambda = {
        .data_dir = data_dir,
        .runtimes_dir = "runtimes",
        .endpoint_url = URL_BASE,
        .idle_timeout_s = 300,
        .default_concurrency = 5,
    };
    return sqs_service_start(&sqs) && lambda_service_start(&lambda) ? 0 : -1;
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
    nftw(base_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* ---- calling providers ---- */

typedef struct res {
    cfn_resource r;
    cJSON *props;
} res;

static res resource(const char *type, const char *logical_id, const char *props_json)
{
    res x = {.props = cJSON_Parse(props_json)};
    assert_non_null(x.props);
    x.r = (cfn_resource){.ctx = &ctx, .stack_name = "stk", .stack_id = "id", .logical_id = logical_id,
                         .type = type, .properties = x.props, .base_dir = base_dir};
    return x;
}

static cJSON *create(const char *type, const char *logical_id, const char *props_json)
{
    res x = resource(type, logical_id, props_json);
    const cfn_provider *p = cfn_provider_find(type);
    assert_non_null(p);
    cJSON *state = NULL;
    memset(&last_error, 0, sizeof last_error);
    bool ok = p->create(&x.r, &state, &last_error);
    cJSON_Delete(x.props);
    if (!ok) {
        assert_null(state);
        return NULL;
    }
    assert_non_null(state);
    return state;
}

static cJSON *must_create(const char *type, const char *logical_id, const char *props_json)
{
    cJSON *state = create(type, logical_id, props_json);
    if (!state)
        fail_msg("create %s: %s", type, last_error.message);
    return state;
}

static bool update(const char *type, const char *old_json, const char *new_json, cJSON *state)
{
    res x = resource(type, "L", new_json);
    cJSON *old = cJSON_Parse(old_json);
    memset(&last_error, 0, sizeof last_error);
    bool ok = cfn_provider_find(type)->update(&x.r, old, state, &last_error);
    cJSON_Delete(old);
    cJSON_Delete(x.props);
    return ok;
}

static bool replaces(const char *type, const char *old_json, const char *new_json)
{
    res x = resource(type, "L", new_json);
    cJSON *old = cJSON_Parse(old_json);
    bool replace = cfn_provider_find(type)->needs_replacement(old, &x.r);
    cJSON_Delete(old);
    cJSON_Delete(x.props);
    return replace;
}

static void must_remove(const char *type, const cJSON *state)
{
    res x = resource(type, "L", "{}");
    memset(&last_error, 0, sizeof last_error);
    bool ok = cfn_provider_find(type)->remove(&x.r, state, &last_error);
    cJSON_Delete(x.props);
    if (!ok)
        fail_msg("remove %s: %s", type, last_error.message);
}

static const char *member(const cJSON *obj, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name));
}

static const char *attr(const cJSON *state, const char *name)
{
    return member(cJSON_GetObjectItemCaseSensitive(state, "Attributes"), name);
}

/* ---- the services, to check what was made ---- */

static cJSON *sqs(const char *action, const char *input_json)
{
    sqs_ctx c = {.account = ACCOUNT, .region = REGION, .url_base = URL_BASE, .sender_id = ACCOUNT,
                 .now_ms = clock_now_ms()};
    cJSON *in = cJSON_Parse(input_json), *out = NULL;
    sqs_error e;
    sqs_status status = sqs_service_call(&c, action, in, &out, &e);
    sqs_ctx_release(&c);
    cJSON_Delete(in);
    if (status != SQS_STATUS_OK) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* A queue attribute's value (malloc'd), or NULL when the queue does not exist. */
static char *queue_attr(const char *url, const char *name)
{
    char in[512];
    snprintf(in, sizeof in, "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", url);
    cJSON *out = sqs("GetQueueAttributes", in);
    if (!out)
        return NULL;
    const char *v = member(cJSON_GetObjectItemCaseSensitive(out, "Attributes"), name);
    char *copy = strdup(v ? v : "");
    cJSON_Delete(out);
    return copy;
}

static void assert_queue_attr(const char *url, const char *name, const char *want)
{
    char *v = queue_attr(url, name);
    assert_non_null(v);
    assert_string_equal(v, want);
    free(v);
}

static cJSON *lambda(lambda_op op, const char *name, const char *qualifier)
{
    lambda_ctx c = {.account = ACCOUNT, .region = REGION, .now_ms = clock_now_ms()};
    lambda_call call = {.op = op, .name = name, .qualifier = qualifier};
    lambda_result result;
    lambda_error e;
    if (lambda_service_call(&c, &call, &result, &e, NULL, NULL) != LAMBDA_STATUS_OK)
        return NULL;
    cJSON *json = result.json ? result.json : cJSON_CreateObject();
    result.json = NULL;
    lambda_result_free(&result);
    return json;
}

static char *function_member(const char *name, const char *m)
{
    cJSON *out = lambda(LAMBDA_OP_GET_FUNCTION_CONFIGURATION, name, NULL);
    assert_non_null(out);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(out, m);
    char *text = cJSON_IsString(v) ? strdup(v->valuestring) : cJSON_PrintUnformatted(v);
    cJSON_Delete(out);
    return text;
}

#define FUNCTION_PROPS(extra)                                                                                      \
    "{\"FunctionName\":\"fn\",\"Runtime\":\"python3.12\",\"Handler\":\"index.handler\",\"Role\":\"" ROLE "\","  \
    "\"Code\":{\"ZipFile\":\"def handler(e, c):\\n    return 1\\n\"}" extra "}"

/* ---- AWS::SQS::Queue ---- */

static void test_queue_create_ref_getatt_and_attributes(void **state)
{
    (void)state;
    cJSON *q = must_create("AWS::SQS::Queue", "Jobs",
                           "{\"QueueName\":\"jobs\",\"VisibilityTimeout\":\"45\",\"DelaySeconds\":5,"
                           "\"Tags\":[{\"Key\":\"team\",\"Value\":\"a\"}]}");
    assert_string_equal(member(q, "Ref"), URL_BASE "/" ACCOUNT "/jobs");
    assert_string_equal(member(q, "PhysicalResourceId"), URL_BASE "/" ACCOUNT "/jobs");
    assert_string_equal(attr(q, "Arn"), "arn:aws:sqs:us-east-1:000000000000:jobs");
    assert_string_equal(attr(q, "QueueName"), "jobs");
    assert_string_equal(attr(q, "QueueUrl"), URL_BASE "/" ACCOUNT "/jobs");
    assert_queue_attr(member(q, "Ref"), "VisibilityTimeout", "45");
    assert_queue_attr(member(q, "Ref"), "DelaySeconds", "5");
    cJSON *tags = sqs("ListQueueTags", "{\"QueueUrl\":\"" URL_BASE "/" ACCOUNT "/jobs\"}");
    assert_string_equal(member(cJSON_GetObjectItemCaseSensitive(tags, "Tags"), "team"), "a");
    cJSON_Delete(tags);
    cJSON_Delete(q);
}

static void test_queue_generated_names_and_redrive(void **state)
{
    (void)state;
    cJSON *dlq = must_create("AWS::SQS::Queue", "DeadLetters", "{}");
    const char *name = attr(dlq, "QueueName");
    assert_int_equal(strncmp(name, "stk-DeadLetters-", 16), 0);
    assert_int_equal(strlen(name), 16 + 13);
    char props[512];
    snprintf(props, sizeof props, "{\"RedrivePolicy\":{\"deadLetterTargetArn\":\"%s\",\"maxReceiveCount\":\"3\"}}",
             attr(dlq, "Arn"));
    cJSON *q = must_create("AWS::SQS::Queue", "AVeryLongLogicalIdThatGoesOnAndOnAndOnAndOnAndOnAndOnAndOnForever",
                           props);
    assert_true(strlen(attr(q, "QueueName")) <= 80);
    char *redrive = queue_attr(member(q, "Ref"), "RedrivePolicy");
    assert_non_null(strstr(redrive, attr(dlq, "Arn")));
    free(redrive);
    cJSON *fifo = must_create("AWS::SQS::Queue", "Orders", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":true}");
    name = attr(fifo, "QueueName");
    assert_string_equal(name + strlen(name) - 5, ".fifo");
    assert_queue_attr(member(fifo, "Ref"), "ContentBasedDeduplication", "true");
    cJSON_Delete(fifo);
    cJSON_Delete(q);
    cJSON_Delete(dlq);
}

static void test_queue_update_in_place_and_replacement(void **state)
{
    (void)state;
    const char *v1 = "{\"QueueName\":\"u\",\"VisibilityTimeout\":45,\"DelaySeconds\":5,"
                     "\"Tags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Value\":\"2\"}]}";
    const char *v2 = "{\"QueueName\":\"u\",\"VisibilityTimeout\":\"60\",\"Tags\":[{\"Key\":\"a\",\"Value\":\"9\"}]}";
    cJSON *q = must_create("AWS::SQS::Queue", "U", v1);
    assert_false(replaces("AWS::SQS::Queue", v1, v2));
    assert_true(update("AWS::SQS::Queue", v1, v2, q));
    const char *url = member(q, "Ref");
    assert_queue_attr(url, "VisibilityTimeout", "60");
    assert_queue_attr(url, "DelaySeconds", "0"); /* removed: back to the default */
    cJSON *tags = sqs("ListQueueTags", "{\"QueueUrl\":\"" URL_BASE "/" ACCOUNT "/u\"}");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(tags, "Tags");
    assert_string_equal(member(t, "a"), "9");
    assert_null(member(t, "b"));
    cJSON_Delete(tags);
    assert_true(replaces("AWS::SQS::Queue", v1, "{\"QueueName\":\"other\"}"));
    assert_true(replaces("AWS::SQS::Queue", "{}", "{\"FifoQueue\":true}"));
    assert_false(replaces("AWS::SQS::Queue", "{\"FifoQueue\":true}", "{\"FifoQueue\":\"true\"}"));
    cJSON_Delete(q);
}

static void test_queue_remove_twice(void **state)
{
    (void)state;
    cJSON *q = must_create("AWS::SQS::Queue", "R", "{\"QueueName\":\"r\"}");
    must_remove("AWS::SQS::Queue", q);
    char *gone = queue_attr(member(q, "Ref"), "QueueArn");
    assert_null(gone);
    must_remove("AWS::SQS::Queue", q); /* already gone: not an error */
    cJSON_Delete(q);
}

static void test_queue_property_errors(void **state)
{
    (void)state;
    assert_null(create("AWS::SQS::Queue", "Q", "{\"DelaySeconds\":\"soon\"}"));
    assert_string_equal(last_error.message, "Properties validation failed for resource Q with message: "
                                            "[#/DelaySeconds: expected type: Integer, found: String]");
    assert_null(create("AWS::SQS::Queue", "Q", "{\"FifoQueue\":\"yes\"}"));
    assert_non_null(strstr(last_error.message, "#/FifoQueue: expected type: Boolean, found: String"));
    assert_null(create("AWS::SQS::Queue", "Q", "{\"Colour\":\"blue\"}"));
    assert_string_equal(last_error.message, "Encountered unsupported property Colour");
    assert_null(create("AWS::SQS::Queue", "Q", "{\"Tags\":[{\"Key\":\"k\"}]}"));
    assert_non_null(strstr(last_error.message, "#/Tags/0: required key [Value] not found"));
    assert_null(create("AWS::SQS::Queue", "Q", "{\"DelaySeconds\":9000}"));
    assert_int_equal(strncmp(last_error.message, "Resource handler returned message: \"", 36), 0);
    assert_non_null(strstr(last_error.message, "HandlerErrorCode: InvalidRequest)"));
    assert_null(queue_attr(URL_BASE "/" ACCOUNT "/Q", "QueueArn"));
}

/* ---- AWS::SQS::QueuePolicy ---- */

static void test_queue_policy_sets_and_clears(void **state)
{
    (void)state;
    cJSON *q = must_create("AWS::SQS::Queue", "P", "{\"QueueName\":\"p\"}");
    char props[512];
    snprintf(props, sizeof props,
             "{\"Queues\":[\"%s\"],\"PolicyDocument\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
             "\"Allow\",\"Principal\":\"*\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"%s\"}]}}",
             member(q, "Ref"), attr(q, "Arn"));
    cJSON *p = must_create("AWS::SQS::QueuePolicy", "Pol", props);
    char *policy = queue_attr(member(q, "Ref"), "Policy");
    assert_non_null(strstr(policy, "sqs:SendMessage"));
    free(policy);
    must_remove("AWS::SQS::QueuePolicy", p);
    assert_queue_attr(member(q, "Ref"), "Policy", "");
    assert_null(create("AWS::SQS::QueuePolicy", "Pol", "{\"Queues\":[]}"));
    assert_string_equal(last_error.message, "Properties validation failed for resource Pol with message: "
                                            "[#: required key [PolicyDocument] not found]");
    cJSON_Delete(p);
    cJSON_Delete(q);
}

/* ---- AWS::Lambda::Function ---- */

static void test_function_inline_code(void **state)
{
    (void)state;
    cJSON *f = must_create("AWS::Lambda::Function", "Fn", FUNCTION_PROPS(",\"Timeout\":\"10\",\"MemorySize\":256,"
                           "\"Environment\":{\"Variables\":{\"AA\":\"1\",\"NN\":2}},\"ReservedConcurrentExecutions\":\"3\""));
    assert_string_equal(member(f, "Ref"), "fn");
    assert_string_equal(attr(f, "Arn"), "arn:aws:lambda:us-east-1:000000000000:function:fn");
    char *timeout = function_member("fn", "Timeout");
    assert_string_equal(timeout, "10");
    free(timeout);
    char *env = function_member("fn", "Environment");
    assert_string_equal(env, "{\"Variables\":{\"AA\":\"1\",\"NN\":\"2\"}}");
    free(env);
    cJSON *c = lambda(LAMBDA_OP_GET_FUNCTION_CONCURRENCY, "fn", NULL);
    assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(c, "ReservedConcurrentExecutions")->valuedouble, 3);
    cJSON_Delete(c);
    /* the inline source is index.py in the archive */
    lambda_ctx c2 = {.account = ACCOUNT, .region = REGION, .now_ms = clock_now_ms()};
    lambda_call archive = {.op = LAMBDA_OP_GET_CODE_ARCHIVE, .name = "fn"};
    lambda_result result;
    lambda_error e;
    assert_int_equal(lambda_service_call(&c2, &archive, &result, &e, NULL, NULL), LAMBDA_STATUS_OK);
    assert_non_null(memmem(result.payload, result.payload_len, "index.py", 8));
    lambda_result_free(&result);
    cJSON_Delete(f);
}

static void test_function_local_directory_and_code_changes(void **state)
{
    (void)state;
    const char *props = "{\"FunctionName\":\"dir\",\"Runtime\":\"python3.12\",\"Handler\":\"index.handler\","
                        "\"Role\":\"" ROLE "\",\"Code\":\"src\"}";
    cJSON *f = must_create("AWS::Lambda::Function", "Dir", props);
    char *sha1 = function_member("dir", "CodeSha256");
    assert_true(update("AWS::Lambda::Function", props, props, f));
    char *sha2 = function_member("dir", "CodeSha256");
    assert_string_equal(sha1, sha2); /* same files: no new code */
    char path[256];
    snprintf(path, sizeof path, "%s/index.py", code_dir);
    write_file(path, "def handler(e, c):\n    return 2\n");
    assert_true(update("AWS::Lambda::Function", props, props, f));
    char *sha3 = function_member("dir", "CodeSha256");
    assert_string_not_equal(sha1, sha3); /* the directory changed: new code */
    const char *v2 = "{\"FunctionName\":\"dir\",\"Runtime\":\"python3.12\",\"Handler\":\"index.handler\","
                     "\"Role\":\"" ROLE "\",\"Code\":\"src\",\"Timeout\":20,\"Description\":\"d\"}";
    assert_false(replaces("AWS::Lambda::Function", props, v2));
    assert_true(update("AWS::Lambda::Function", props, v2, f));
    char *timeout = function_member("dir", "Timeout");
    assert_string_equal(timeout, "20");
    free(timeout);
    assert_true(update("AWS::Lambda::Function", v2, props, f));
    char *description = function_member("dir", "Description");
    assert_string_equal(description, ""); /* removed: back to the default */
    free(description);
    assert_true(replaces("AWS::Lambda::Function", props, FUNCTION_PROPS("")));
    free(sha1);
    free(sha2);
    free(sha3);
    must_remove("AWS::Lambda::Function", f);
    assert_null(lambda(LAMBDA_OP_GET_FUNCTION, "dir", NULL));
    must_remove("AWS::Lambda::Function", f);
    cJSON_Delete(f);
}

static void test_function_hot_reload_generated_name_and_errors(void **state)
{
    (void)state;
    char props[512];
    snprintf(props, sizeof props,
             "{\"Runtime\":\"python3.12\",\"Handler\":\"index.handler\",\"Role\":\"" ROLE "\","
             "\"Code\":{\"S3Bucket\":\"hot-reload\",\"S3Key\":\"%s\"}}", code_dir);
    cJSON *f = must_create("AWS::Lambda::Function", "ALogicalIdLongEnoughToNeedCuttingDownToSize", props);
    assert_true(strlen(member(f, "Ref")) <= 64);
    assert_int_equal(strncmp(member(f, "Ref"), "stk-ALogicalId", 14), 0);
    cJSON_Delete(f);
    assert_null(create("AWS::Lambda::Function", "S3",
                       "{\"Runtime\":\"python3.12\",\"Handler\":\"h\",\"Role\":\"" ROLE "\","
                       "\"Code\":{\"S3Bucket\":\"my-bucket\",\"S3Key\":\"k.zip\"}}"));
    assert_non_null(strstr(last_error.message, "sqsemu has no S3"));
    assert_null(create("AWS::Lambda::Function", "F", FUNCTION_PROPS(",\"Timeout\":\"long\"")));
    assert_non_null(strstr(last_error.message, "#/Timeout: expected type: Integer, found: String"));
    assert_null(create("AWS::Lambda::Function", "F", "{\"Code\":\"src\"}"));
    assert_non_null(strstr(last_error.message, "required key [Role] not found"));
    assert_null(create("AWS::Lambda::Function", "F", FUNCTION_PROPS(",\"Timeout\":901")));
    assert_non_null(strstr(last_error.message, "Resource handler returned message:"));
    assert_null(create("AWS::Lambda::Function", "F", "{\"Runtime\":\"python3.12\",\"Role\":\"r\",\"Code\":\"nope\"}"));
    assert_non_null(strstr(last_error.message, "does not exist"));
}

/* ---- AWS::Lambda::EventSourceMapping ---- */

static void test_mapping_create_update_remove(void **state)
{
    (void)state;
    cJSON *q = must_create("AWS::SQS::Queue", "Q", "{\"QueueName\":\"mq\"}");
    cJSON *f = must_create("AWS::Lambda::Function", "Fn", FUNCTION_PROPS(""));
    char v1[512], v2[512], other[512];
    snprintf(v1, sizeof v1, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"fn\",\"BatchSize\":\"5\","
             "\"Enabled\":\"false\",\"ScalingConfig\":{\"MaximumConcurrency\":\"4\"},"
             "\"FunctionResponseTypes\":[\"ReportBatchItemFailures\"]}", attr(q, "Arn"));
    snprintf(v2, sizeof v2, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"fn\",\"BatchSize\":7}", attr(q, "Arn"));
    snprintf(other, sizeof other, "{\"EventSourceArn\":\"%s:x\",\"FunctionName\":\"fn\"}", attr(q, "Arn"));
    cJSON *m = must_create("AWS::Lambda::EventSourceMapping", "M", v1);
    const char *uuid = member(m, "Ref");
    assert_int_equal(strlen(uuid), 36);
    assert_string_equal(attr(m, "Id"), uuid);
    assert_non_null(strstr(attr(m, "EventSourceMappingArn"), uuid));
    cJSON *got = lambda(LAMBDA_OP_GET_MAPPING, uuid, NULL);
    assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(got, "BatchSize")->valuedouble, 5);
    assert_string_equal(member(got, "State"), "Disabled");
    cJSON_Delete(got);
    assert_false(replaces("AWS::Lambda::EventSourceMapping", v1, v2));
    assert_true(replaces("AWS::Lambda::EventSourceMapping", v1, other));
    assert_true(update("AWS::Lambda::EventSourceMapping", v1, v2, m));
    got = lambda(LAMBDA_OP_GET_MAPPING, uuid, NULL);
    assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(got, "BatchSize")->valuedouble, 7);
    assert_null(cJSON_GetObjectItemCaseSensitive(got, "ScalingConfig"));
    assert_string_not_equal(member(got, "State"), "Disabled");
    cJSON_Delete(got);
    must_remove("AWS::Lambda::EventSourceMapping", m);
    must_remove("AWS::Lambda::EventSourceMapping", m);
    cJSON_Delete(m);
    snprintf(v1, sizeof v1, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"fn\",\"StartingPosition\":\"LATEST\"}",
             attr(q, "Arn"));
    assert_null(create("AWS::Lambda::EventSourceMapping", "M", v1));
    assert_non_null(strstr(last_error.message, "StartingPosition"));
    assert_non_null(strstr(last_error.message, "SQS queues only"));
    snprintf(v1, sizeof v1, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"fn\",\"BatchSize\":\"many\"}",
             attr(q, "Arn"));
    assert_null(create("AWS::Lambda::EventSourceMapping", "M", v1));
    assert_string_equal(last_error.message, "Properties validation failed for resource M with message: "
                                            "[#/BatchSize: expected type: Integer, found: String]");
    cJSON_Delete(f);
    cJSON_Delete(q);
}

/* ---- AWS::IAM::Role ---- */

static void test_role(void **state)
{
    (void)state;
    cJSON *r = must_create("AWS::IAM::Role", "Role",
                           "{\"AssumeRolePolicyDocument\":{\"Version\":\"2012-10-17\"},\"Path\":\"/svc/\","
                           "\"Policies\":[{\"PolicyName\":\"p\",\"PolicyDocument\":{}}]}");
    const char *name = member(r, "Ref");
    assert_int_equal(strncmp(name, "stk-Role-", 9), 0);
    char arn[256];
    snprintf(arn, sizeof arn, "arn:aws:iam::000000000000:role/svc/%s", name);
    assert_string_equal(attr(r, "Arn"), arn);
    assert_int_equal(strncmp(attr(r, "RoleId"), "AROA", 4), 0);
    assert_true(replaces("AWS::IAM::Role", "{\"RoleName\":\"a\"}", "{\"RoleName\":\"b\"}"));
    assert_false(replaces("AWS::IAM::Role", "{\"RoleName\":\"a\"}", "{\"RoleName\":\"a\",\"Description\":\"d\"}"));
    must_remove("AWS::IAM::Role", r);
    cJSON_Delete(r);
    assert_null(create("AWS::IAM::Role", "Role", "{\"RoleName\":\"x\"}"));
    assert_non_null(strstr(last_error.message, "required key [AssumeRolePolicyDocument] not found"));
    assert_null(cfn_provider_find("AWS::EC2::Instance"));
}

/* ---- AWS::Lambda::Version, Alias, Permission, EventInvokeConfig ---- */

static void test_version_alias_permission_invoke_config(void **state)
{
    (void)state;
    cJSON *f = must_create("AWS::Lambda::Function", "Fn", FUNCTION_PROPS(""));
    cJSON *v = must_create("AWS::Lambda::Version", "V", "{\"FunctionName\":\"fn\",\"Description\":\"first\"}");
    assert_string_equal(member(v, "Ref"), "arn:aws:lambda:us-east-1:000000000000:function:fn:1");
    assert_string_equal(attr(v, "Version"), "1");
    assert_true(replaces("AWS::Lambda::Version", "{\"FunctionName\":\"fn\"}",
                         "{\"FunctionName\":\"fn\",\"Description\":\"x\"}"));
    cJSON *a = must_create("AWS::Lambda::Alias", "A", "{\"FunctionName\":\"fn\",\"Name\":\"live\","
                           "\"FunctionVersion\":\"1\"}");
    assert_string_equal(member(a, "Ref"), "arn:aws:lambda:us-east-1:000000000000:function:fn:live");
    assert_true(update("AWS::Lambda::Alias", "{}", "{\"FunctionName\":\"fn\",\"Name\":\"live\","
                       "\"FunctionVersion\":\"$LATEST\",\"Description\":\"d\"}", a));
    assert_true(replaces("AWS::Lambda::Alias", "{\"FunctionName\":\"fn\",\"Name\":\"live\",\"FunctionVersion\":\"1\"}",
                         "{\"FunctionName\":\"fn\",\"Name\":\"dead\",\"FunctionVersion\":\"1\"}"));
    cJSON *p = must_create("AWS::Lambda::Permission", "Perm", "{\"FunctionName\":\"fn\",\"Action\":"
                           "\"lambda:InvokeFunction\",\"Principal\":\"sqs.amazonaws.com\"}");
    cJSON *policy = lambda(LAMBDA_OP_GET_POLICY, "fn", NULL);
    assert_non_null(policy);
    assert_non_null(strstr(member(policy, "Policy"), member(p, "Ref")));
    cJSON_Delete(policy);
    cJSON *e = must_create("AWS::Lambda::EventInvokeConfig", "E", "{\"FunctionName\":\"fn\",\"Qualifier\":"
                           "\"$LATEST\",\"MaximumRetryAttempts\":\"1\"}");
    cJSON *config = lambda(LAMBDA_OP_GET_EVENT_INVOKE_CONFIG, "fn", "$LATEST");
    assert_non_null(config);
    assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(config, "MaximumRetryAttempts")->valuedouble, 1);
    cJSON_Delete(config);
    assert_null(create("AWS::Lambda::Version", "V2", "{\"FunctionName\":\"fn\",\"ProvisionedConcurrencyConfig\":"
                       "{\"ProvisionedConcurrentExecutions\":1}}"));
    assert_non_null(strstr(last_error.message, "provisioned concurrency"));
    for (int round = 0; round < 2; round++) { /* the second time everything is already gone */
        must_remove("AWS::Lambda::EventInvokeConfig", e);
        must_remove("AWS::Lambda::Permission", p);
        must_remove("AWS::Lambda::Alias", a);
        must_remove("AWS::Lambda::Version", v);
    }
    assert_null(lambda(LAMBDA_OP_GET_FUNCTION, "fn", "1"));
    assert_null(lambda(LAMBDA_OP_GET_EVENT_INVOKE_CONFIG, "fn", "$LATEST"));
    cJSON_Delete(e);
    cJSON_Delete(p);
    cJSON_Delete(a);
    cJSON_Delete(v);
    cJSON_Delete(f);
}

static void test_inline_policy_iam_policies_and_zip_path(void **state)
{
    (void)state;
    cJSON *q = must_create("AWS::SQS::Queue", "Q", "{\"QueueName\":\"ip\"}");
    char props[512];
    snprintf(props, sizeof props, "{\"Queue\":\"%s\",\"PolicyDocument\":{\"Version\":\"2012-10-17\","
             "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sqs:*\","
             "\"Resource\":\"%s\"}]}}", member(q, "Ref"), attr(q, "Arn"));
    cJSON *p = must_create("AWS::SQS::QueueInlinePolicy", "IP", props);
    char *policy = queue_attr(member(q, "Ref"), "Policy");
    assert_non_null(strstr(policy, "sqs:*"));
    free(policy);
    must_remove("AWS::SQS::QueueInlinePolicy", p);
    assert_queue_attr(member(q, "Ref"), "Policy", "");
    cJSON_Delete(p);
    cJSON_Delete(q);
    cJSON *mp = must_create("AWS::IAM::ManagedPolicy", "MP", "{\"ManagedPolicyName\":\"m\",\"PolicyDocument\":{}}");
    assert_string_equal(member(mp, "Ref"), "arn:aws:iam::000000000000:policy/m");
    cJSON_Delete(mp);
    cJSON *ip = must_create("AWS::IAM::Policy", "Pol", "{\"PolicyName\":\"p\",\"PolicyDocument\":{},\"Roles\":[\"r\"]}");
    assert_int_equal(strncmp(member(ip, "Ref"), "stk-Pol-", 8), 0);
    cJSON_Delete(ip);
    /* a .zip file relative to the template's directory */
    lambda_ctx c = {.account = ACCOUNT, .region = REGION, .now_ms = clock_now_ms()};
    cJSON *f = must_create("AWS::Lambda::Function", "Fn", FUNCTION_PROPS(""));
    lambda_call archive = {.op = LAMBDA_OP_GET_CODE_ARCHIVE, .name = "fn"};
    lambda_result result;
    lambda_error e;
    assert_int_equal(lambda_service_call(&c, &archive, &result, &e, NULL, NULL), LAMBDA_STATUS_OK);
    char path[256];
    snprintf(path, sizeof path, "%s/code.zip", base_dir);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    fwrite(result.payload, 1, result.payload_len, out);
    fclose(out);
    lambda_result_free(&result);
    cJSON *z = must_create("AWS::Lambda::Function", "Zip", "{\"FunctionName\":\"zip\",\"Runtime\":\"python3.12\","
                           "\"Handler\":\"index.handler\",\"Role\":\"" ROLE "\",\"Code\":\"code.zip\"}");
    char *a = function_member("fn", "CodeSha256"), *b = function_member("zip", "CodeSha256");
    assert_string_equal(a, b);
    free(a);
    free(b);
    cJSON_Delete(z);
    cJSON_Delete(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_queue_create_ref_getatt_and_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_generated_names_and_redrive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_update_in_place_and_replacement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_remove_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_property_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_policy_sets_and_clears, setup, teardown),
        cmocka_unit_test_setup_teardown(test_function_inline_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_function_local_directory_and_code_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_function_hot_reload_generated_name_and_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mapping_create_update_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_alias_permission_invoke_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline_policy_iam_policies_and_zip_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
