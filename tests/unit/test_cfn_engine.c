/* test_cfn_engine: the stack engine in-process through cfn_service_call, with the
 * test-only resource type Test::Fake::Thing defined here (Fail: true
 * fails its creation, FailUpdate: true its update, a changed Name needs replacement;
 * cfn_fake_live counts the fakes that exist). Create, events, rollback leaving nothing,
 * refused templates creating nothing, updates (add, remove, modify, replace, rollback),
 * delete, change sets, a nested stack from a temporary directory, and the stacks read
 * back from a reopened store. */
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

#include "../../src/cfn/engine.h"
#include "sqsemu/clock.h"
#include "sqsemu/store.h"

/* ---- the fake resource type ---- */
static int cfn_fake_live; /* how many fake resources exist */
static int serial;

static bool truthy(const cJSON *props, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, name);
    return cJSON_IsTrue(v) || (cJSON_IsString(v) && strcmp(v->valuestring, "true") == 0);
}

static void fill_attributes(const cfn_resource *r, cJSON *state)
{
    cJSON_DeleteItemFromObjectCaseSensitive(state, "Attributes");
    cJSON *attrs = cJSON_AddObjectToObject(state, "Attributes");
    char arn[512];
    snprintf(arn, sizeof arn, "arn:aws:fake:%s:%s:thing/%s", r->ctx->region, r->ctx->account,
             cJSON_GetObjectItemCaseSensitive(state, "PhysicalResourceId")->valuestring);
    cJSON_AddStringToObject(attrs, "Arn", arn);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(r->properties, "Name");
    cJSON_AddStringToObject(attrs, "Name", cJSON_IsString(name) ? name->valuestring : r->logical_id);
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(r->properties, "Value");
    if (value)
        cJSON_AddItemToObject(attrs, "Value", cJSON_Duplicate(value, true));
}

static bool fake_create(const cfn_resource *r, cJSON **state, cfn_error *err)
{
    if (truthy(r->properties, "Fail"))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Fake failure requested (property Fail)");
    char id[300];
    snprintf(id, sizeof id, "fake-%s-%d", r->logical_id, ++serial);
    *state = cJSON_CreateObject();
    cJSON_AddStringToObject(*state, "PhysicalResourceId", id);
    cJSON_AddStringToObject(*state, "Ref", id);
    fill_attributes(r, *state);
    cfn_fake_live++;
    return true;
}

static bool fake_needs_replacement(const cJSON *old_properties, const cfn_resource *r)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(old_properties, "Name");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(r->properties, "Name");
    return !cJSON_Compare(a, b, true) && (a || b);
}

static bool fake_update(const cfn_resource *r, const cJSON *old_properties, cJSON *state, cfn_error *err)
{
    (void)old_properties;
    if (truthy(r->properties, "FailUpdate"))
        return cfn_fail(err, CFN_ERR_VALIDATION, "Fake update failure requested (property FailUpdate)");
    fill_attributes(r, state);
    return true;
}

static bool fake_remove(const cfn_resource *r, const cJSON *state, cfn_error *err)
{
    (void)r;
    (void)state;
    (void)err;
    cfn_fake_live--;
    return true;
}

static const cfn_provider fake_provider = {
    .type = "Test::Fake::Thing",
    .create = fake_create,
    .needs_replacement = fake_needs_replacement,
    .update = fake_update,
    .remove = fake_remove,
};

/* The fake stands in for AWS::IAM::Role too, to test capabilities. */
static const cfn_provider *fake_find(const char *type)
{
    return strcmp(type, fake_provider.type) == 0 || strcmp(type, "AWS::IAM::Role") == 0 ? &fake_provider : NULL;
}

/* ---- the tests ---- */

static char dir[64];
static char db_path[128];
static cfn_error last;
static const cfn_ctx ctx = {.account = "123456789012", .region = "us-east-1", .url_base = "http://127.0.0.1:9324",
                            .request_id = "r", .base_dir = "."};

static int setup(void **state)
{
    (void)state;
    clock_set(1767225600000LL);
    snprintf(dir, sizeof dir, "/tmp/sqsemu-cfn-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(db_path, sizeof db_path, "%s/db.sqlite", dir);
    cfn_settings settings = {0};
    cfn_test_provider_find = fake_find;
    return store_open(db_path) && cfn_service_start(&settings) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    cfn_service_stop();
    store_close();
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Calls action with input (JSON text); the output, or NULL with last set. */
static cJSON *call(const char *action, const char *input)
{
    cJSON *in = cJSON_Parse(input);
    assert_non_null(in);
    cJSON *out = NULL;
    memset(&last, 0, sizeof last);
    bool ok = cfn_service_call(&ctx, action, in, &out, &last);
    cJSON_Delete(in);
    return ok ? out : NULL;
}

static cJSON *create(const char *name, const char *template_json, const char *extra)
{
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "StackName", name);
    cJSON_AddStringToObject(in, "TemplateBody", template_json);
    if (extra) {
        cJSON *more = cJSON_Parse(extra);
        for (cJSON *m = more->child; m; m = m->next)
            cJSON_AddItemToObject(in, m->string, cJSON_Duplicate(m, true));
        cJSON_Delete(more);
    }
    char *text = cJSON_PrintUnformatted(in);
    cJSON_Delete(in);
    cJSON *out = call("CreateStack", text);
    free(text);
    return out;
}

static cJSON *update(const char *name, const char *template_json)
{
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "StackName", name);
    cJSON_AddStringToObject(in, "TemplateBody", template_json);
    char *text = cJSON_PrintUnformatted(in);
    cJSON_Delete(in);
    cJSON *out = call("UpdateStack", text);
    free(text);
    return out;
}

/* The stack's description (the first of DescribeStacks), owned by the caller's out. */
static cJSON *describe(const char *name, cJSON **out)
{
    char in[600];
    snprintf(in, sizeof in, "{\"StackName\":\"%s\"}", name);
    *out = call("DescribeStacks", in);
    return *out ? cJSON_GetArrayItem(cJSON_GetObjectItem(*out, "Stacks"), 0) : NULL;
}

static char *status_of(const char *name)
{
    static char status[64];
    cJSON *out;
    cJSON *s = describe(name, &out);
    snprintf(status, sizeof status, "%s", s ? cJSON_GetObjectItem(s, "StackStatus")->valuestring : "NONE");
    cJSON_Delete(out);
    return status;
}

static char *physical_of(const char *stack, const char *logical)
{
    static char id[300];
    char in[600];
    snprintf(in, sizeof in, "{\"StackName\":\"%s\",\"LogicalResourceId\":\"%s\"}", stack, logical);
    cJSON *out = call("DescribeStackResource", in);
    if (!out)
        return NULL;
    cJSON *p = cJSON_GetObjectItem(cJSON_GetObjectItem(out, "StackResourceDetail"), "PhysicalResourceId");
    snprintf(id, sizeof id, "%s", cJSON_IsString(p) ? p->valuestring : "");
    cJSON_Delete(out);
    return id;
}

#define CHAIN                                                                                                       \
    "{\"Parameters\":{\"Env\":{\"Type\":\"String\",\"Default\":\"dev\"},\"Secret\":{\"Type\":\"String\","          \
    "\"NoEcho\":true,\"Default\":\"s3\"}},"                                                                          \
    "\"Conditions\":{\"IsProd\":{\"Fn::Equals\":[{\"Ref\":\"Env\"},\"prod\"]}},"                                     \
    "\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Value\":{\"Ref\":\"B\"}}},"              \
    "\"B\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Value\":{\"Fn::Sub\":\"${C.Arn}-${Env}\"}}},"           \
    "\"C\":{\"Type\":\"Test::Fake::Thing\"},"                                                                        \
    "\"P\":{\"Type\":\"Test::Fake::Thing\",\"Condition\":\"IsProd\"}},"                                              \
    "\"Outputs\":{\"AValue\":{\"Value\":{\"Fn::GetAtt\":[\"A\",\"Value\"]},\"Export\":{\"Name\":{\"Fn::Sub\":"      \
    "\"${AWS::StackName}-A\"}}},\"POut\":{\"Condition\":\"IsProd\",\"Value\":{\"Ref\":\"P\"}}}}"

static void test_create_and_events(void **state)
{
    (void)state;
    int before = cfn_fake_live;
    cJSON *out = create("chain", CHAIN, NULL);
    assert_non_null(out);
    assert_non_null(strstr(cJSON_GetObjectItem(out, "StackId")->valuestring, ":stack/chain/"));
    cJSON_Delete(out);
    assert_int_equal(cfn_fake_live, before + 3); /* P's condition is false */
    cJSON *d;
    cJSON *s = describe("chain", &d);
    assert_string_equal(cJSON_GetObjectItem(s, "StackStatus")->valuestring, "CREATE_COMPLETE");
    cJSON *outputs = cJSON_GetObjectItem(s, "Outputs");
    assert_int_equal(cJSON_GetArraySize(outputs), 1);
    cJSON *o = cJSON_GetArrayItem(outputs, 0);
    assert_string_equal(cJSON_GetObjectItem(o, "ExportName")->valuestring, "chain-A");
    assert_non_null(strstr(cJSON_GetObjectItem(o, "OutputValue")->valuestring, "fake-B-"));
    char *params = cJSON_PrintUnformatted(cJSON_GetObjectItem(s, "Parameters"));
    assert_non_null(strstr(params, "\"****\""));
    assert_null(strstr(params, "s3"));
    free(params);
    assert_non_null(cJSON_GetObjectItem(s, "CreationTime"));
    cJSON_Delete(d);
    /* Events, newest first: the stack's CREATE_COMPLETE ... its CREATE_IN_PROGRESS; C before B before A. */
    out = call("DescribeStackEvents", "{\"StackName\":\"chain\"}");
    cJSON *events = cJSON_GetObjectItem(out, "StackEvents");
    int n = cJSON_GetArraySize(events);
    assert_int_equal(n, 8);
    const char *expect[][2] = {{"chain", "CREATE_COMPLETE"}, {"A", "CREATE_COMPLETE"}, {"A", "CREATE_IN_PROGRESS"},
                               {"B", "CREATE_COMPLETE"},     {"B", "CREATE_IN_PROGRESS"}, {"C", "CREATE_COMPLETE"},
                               {"C", "CREATE_IN_PROGRESS"},  {"chain", "CREATE_IN_PROGRESS"}};
    for (int i = 0; i < n; i++) {
        cJSON *e = cJSON_GetArrayItem(events, i);
        assert_string_equal(cJSON_GetObjectItem(e, "LogicalResourceId")->valuestring, expect[i][0]);
        assert_string_equal(cJSON_GetObjectItem(e, "ResourceStatus")->valuestring, expect[i][1]);
    }
    cJSON_Delete(out);
    out = call("ListStackResources", "{\"StackName\":\"chain\"}");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "StackResourceSummaries")), 3);
    cJSON_Delete(out);
    out = call("ListExports", "{}");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "Exports")), 1);
    cJSON_Delete(out);
    /* The same name again; the same export from another stack. */
    assert_null(create("chain", CHAIN, NULL));
    assert_int_equal(last.kind, CFN_ERR_ALREADY_EXISTS);
    assert_string_equal(last.message, "Stack [chain] already exists");
    out = call("GetTemplate", "{\"StackName\":\"chain\"}");
    assert_string_equal(cJSON_GetObjectItem(out, "TemplateBody")->valuestring, CHAIN);
    cJSON_Delete(out);
}

static void test_failure_rolls_back(void **state)
{
    (void)state;
    int before = cfn_fake_live;
    cJSON *out = create("fails", "{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"},"
                                 "\"B\":{\"Type\":\"Test::Fake::Thing\",\"DependsOn\":\"A\",\"Properties\":{\"Fail\":true}}}}",
                        NULL);
    assert_non_null(out);
    cJSON_Delete(out);
    assert_int_equal(cfn_fake_live, before);
    cJSON *d;
    cJSON *s = describe("fails", &d);
    assert_string_equal(cJSON_GetObjectItem(s, "StackStatus")->valuestring, "ROLLBACK_COMPLETE");
    cJSON_Delete(d);
    out = call("DescribeStackEvents", "{\"StackName\":\"fails\"}");
    char *text = cJSON_PrintUnformatted(out);
    assert_non_null(strstr(text, "The following resource(s) failed to create: [B]. Rollback requested by user."));
    assert_non_null(strstr(text, "Fake failure requested (property Fail)"));
    assert_non_null(strstr(text, "ROLLBACK_IN_PROGRESS"));
    free(text);
    cJSON_Delete(out);
    /* A rolled back stack cannot be updated; DO_NOTHING keeps what was made. */
    assert_null(update("fails", "{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"}}}"));
    assert_non_null(strstr(last.message, "is in ROLLBACK_COMPLETE state and can not be updated."));
    out = create("keeps", "{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"},"
                          "\"B\":{\"Type\":\"Test::Fake::Thing\",\"DependsOn\":\"A\",\"Properties\":{\"Fail\":true}}}}",
                 "{\"OnFailure\":\"DO_NOTHING\"}");
    cJSON_Delete(out);
    assert_string_equal(status_of("keeps"), "CREATE_FAILED");
    assert_int_equal(cfn_fake_live, before + 1);
    cJSON_Delete(call("DeleteStack", "{\"StackName\":\"keeps\"}"));
    assert_int_equal(cfn_fake_live, before);
    out = create("gone", "{\"Resources\":{\"B\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Fail\":true}}}}",
                 "{\"OnFailure\":\"DELETE\"}");
    cJSON_Delete(out);
    assert_string_equal(status_of("gone"), "NONE");
}

/* Hostile templates: each fails cleanly and leaves nothing behind. */
static void test_hostile_templates(void **state)
{
    (void)state;
    int before = cfn_fake_live;
    /* An output that resolves to AWS::NoValue fails the stack with a reason (not an empty one). */
    cJSON *out = create("novalue", "{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"}},"
                                   "\"Outputs\":{\"O\":{\"Value\":{\"Ref\":\"AWS::NoValue\"}}}}",
                        NULL);
    cJSON_Delete(out);
    assert_string_equal(status_of("novalue"), "ROLLBACK_COMPLETE");
    assert_int_equal(cfn_fake_live, before);
    out = call("DescribeStackEvents", "{\"StackName\":\"novalue\"}");
    char *text = cJSON_PrintUnformatted(out);
    assert_non_null(strstr(text, "Output O has no value (AWS::NoValue)"));
    free(text);
    cJSON_Delete(out);
}

static void test_refused_templates(void **state)
{
    (void)state;
    int before = cfn_fake_live;
    const char *bad[][2] = {
        {"{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"V\":{\"Ref\":\"B\"}}},"
         "\"B\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"V\":{\"Fn::GetAtt\":\"A.Arn\"}}}}}",
         "Circular dependency between resources: [A, B]"},
        {"{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"},\"B\":{\"Type\":\"Test::Fake::Thing\","
         "\"Properties\":{\"V\":{\"Ref\":\"Missing\"}}}}}",
         "Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template"},
        {"{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"},\"B\":{\"Type\":\"AWS::Nope::Thing\"}}}",
         "Template format error: Unrecognized resource types: [AWS::Nope::Thing]"},
        {"{\"Parameters\":{\"X\":{\"Type\":\"String\"}},\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"}}}",
         "Parameters: [X] must have values"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(create("refused", bad[i][0], NULL));
        assert_int_equal(last.kind, CFN_ERR_VALIDATION);
        assert_string_equal(last.message, bad[i][1]);
        assert_string_equal(status_of("refused"), "NONE");
        assert_string_equal(last.message, "Stack with id refused does not exist");
    }
    assert_null(create("refused", "{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"}}}",
                       "{\"Parameters\":[{\"ParameterKey\":\"Nope\",\"ParameterValue\":\"1\"}]}"));
    assert_string_equal(last.message, "Parameters: [Nope] do not exist in the template");
    assert_null(create("caps", "{\"Transform\":\"AWS::LanguageExtensions\",\"Resources\":{\"A\":{\"Type\":"
                               "\"Test::Fake::Thing\"}}}", NULL));
    assert_string_equal(last.message, "Transform AWS::LanguageExtensions is not supported by sqsemu (only "
                                      "AWS::Serverless-2016-10-31)");
    assert_string_equal(status_of("caps"), "NONE");
    const char *role = "{\"Resources\":{\"R\":{\"Type\":\"AWS::IAM::Role\"}}}";
    assert_null(create("caps", role, NULL));
    assert_int_equal(last.kind, CFN_ERR_INSUFFICIENT_CAPABILITIES);
    assert_string_equal(last.message, "Requires capabilities : [CAPABILITY_IAM]");
    assert_null(create("caps", "{\"Resources\":{\"R\":{\"Type\":\"AWS::IAM::Role\",\"Properties\":"
                               "{\"RoleName\":\"n\"}}}}", "{\"Capabilities\":[\"CAPABILITY_IAM\"]}"));
    assert_string_equal(last.message, "Requires capabilities : [CAPABILITY_NAMED_IAM]");
    assert_string_equal(status_of("caps"), "NONE");
    assert_int_equal(cfn_fake_live, before);
    cJSON *made = create("caps", role, "{\"Capabilities\":[\"CAPABILITY_IAM\"]}");
    assert_non_null(made);
    cJSON_Delete(made);
    assert_string_equal(status_of("caps"), "CREATE_COMPLETE");
    cJSON_Delete(call("DeleteStack", "{\"StackName\":\"caps\"}"));
    assert_null(create("bad_name", "{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"}}}", NULL));
    assert_int_equal(cfn_fake_live, before);
}

#define BASE                                                                                                        \
    "{\"Resources\":{\"Keep\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Value\":\"1\"}},"                    \
    "\"Mod\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Value\":\"1\"}},"                                     \
    "\"Rep\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Name\":\"one\"}},"                                    \
    "\"User\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Value\":{\"Ref\":\"Rep\"}}},"                        \
    "\"Old\":{\"Type\":\"Test::Fake::Thing\"}}}"
#define CHANGED                                                                                                     \
    "{\"Resources\":{\"Keep\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Value\":\"1\"}},"                    \
    "\"Mod\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Value\":\"2\"}},"                                     \
    "\"Rep\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Name\":\"two\"}},"                                    \
    "\"User\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Value\":{\"Ref\":\"Rep\"}}},"                        \
    "\"New\":{\"Type\":\"Test::Fake::Thing\"}}}"

static void test_update(void **state)
{
    (void)state;
    int before = cfn_fake_live;
    cJSON_Delete(create("upd", BASE, NULL));
    assert_int_equal(cfn_fake_live, before + 5);
    char keep[300], mod[300], rep[300];
    snprintf(keep, sizeof keep, "%s", physical_of("upd", "Keep"));
    snprintf(mod, sizeof mod, "%s", physical_of("upd", "Mod"));
    snprintf(rep, sizeof rep, "%s", physical_of("upd", "Rep"));
    assert_null(update("upd", BASE));
    assert_string_equal(last.message, "No updates are to be performed.");
    cJSON *out = update("upd", CHANGED);
    assert_non_null(out);
    cJSON_Delete(out);
    assert_string_equal(status_of("upd"), "UPDATE_COMPLETE");
    assert_int_equal(cfn_fake_live, before + 5); /* Old gone, New made, Rep's old one gone */
    assert_string_equal(physical_of("upd", "Keep"), keep);
    assert_string_equal(physical_of("upd", "Mod"), mod);
    assert_string_not_equal(physical_of("upd", "Rep"), rep);
    assert_null(physical_of("upd", "Old"));
    assert_non_null(physical_of("upd", "New"));
    out = call("DescribeStackEvents", "{\"StackName\":\"upd\"}");
    char *text = cJSON_PrintUnformatted(out);
    assert_non_null(strstr(text, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
    assert_non_null(strstr(text, "Requested update requires the creation of a new physical resource"));
    free(text);
    cJSON_Delete(out);
    /* A failed update goes back to the previous state. */
    char rep2[300];
    snprintf(rep2, sizeof rep2, "%s", physical_of("upd", "Rep"));
    out = update("upd", "{\"Resources\":{\"Keep\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Value\":\"1\"}},"
                        "\"Rep\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Name\":\"three\"}},"
                        "\"Added\":{\"Type\":\"Test::Fake::Thing\"},"
                        "\"Mod\":{\"Type\":\"Test::Fake::Thing\",\"DependsOn\":[\"Rep\",\"Added\"],"
                        "\"Properties\":{\"Value\":\"3\",\"FailUpdate\":true}}}}");
    assert_non_null(out);
    cJSON_Delete(out);
    assert_string_equal(status_of("upd"), "UPDATE_ROLLBACK_COMPLETE");
    assert_int_equal(cfn_fake_live, before + 5);
    assert_string_equal(physical_of("upd", "Rep"), rep2);
    assert_null(physical_of("upd", "Added"));
    assert_non_null(physical_of("upd", "User"));
    out = call("GetTemplate", "{\"StackName\":\"upd\"}");
    assert_string_equal(cJSON_GetObjectItem(out, "TemplateBody")->valuestring, CHANGED);
    cJSON_Delete(out);
    /* Delete: everything goes; the stack stays visible by id only. */
    cJSON *d;
    cJSON *s = describe("upd", &d);
    char id[300];
    snprintf(id, sizeof id, "%s", cJSON_GetObjectItem(s, "StackId")->valuestring);
    cJSON_Delete(d);
    cJSON_Delete(call("DeleteStack", "{\"StackName\":\"upd\"}"));
    assert_int_equal(cfn_fake_live, before);
    assert_string_equal(status_of("upd"), "NONE");
    assert_string_equal(status_of(id), "DELETE_COMPLETE");
    out = call("ListStacks", "{\"StackStatusFilter\":[\"DELETE_COMPLETE\"]}");
    text = cJSON_PrintUnformatted(out);
    assert_non_null(strstr(text, id));
    free(text);
    cJSON_Delete(out);
    cJSON_Delete(call("DeleteStack", "{\"StackName\":\"upd\"}")); /* gone already: no error */
}

static void test_change_sets(void **state)
{
    (void)state;
    int before = cfn_fake_live;
    char in[2048];
    snprintf(in, sizeof in, "{\"StackName\":\"cs\",\"ChangeSetName\":\"first\",\"ChangeSetType\":\"CREATE\","
             "\"TemplateBody\":\"%s\"}", "{\\\"Resources\\\":{\\\"A\\\":{\\\"Type\\\":\\\"Test::Fake::Thing\\\"}}}");
    cJSON *out = call("CreateChangeSet", in);
    assert_non_null(out);
    cJSON_Delete(out);
    assert_string_equal(status_of("cs"), "REVIEW_IN_PROGRESS");
    assert_int_equal(cfn_fake_live, before);
    out = call("DescribeChangeSet", "{\"StackName\":\"cs\",\"ChangeSetName\":\"first\"}");
    assert_string_equal(cJSON_GetObjectItem(out, "Status")->valuestring, "CREATE_COMPLETE");
    assert_string_equal(cJSON_GetObjectItem(out, "ExecutionStatus")->valuestring, "AVAILABLE");
    cJSON *rc = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(out, "Changes"), 0), "ResourceChange");
    assert_string_equal(cJSON_GetObjectItem(rc, "Action")->valuestring, "Add");
    assert_string_equal(cJSON_GetObjectItem(rc, "LogicalResourceId")->valuestring, "A");
    cJSON_Delete(out);
    cJSON_Delete(call("ExecuteChangeSet", "{\"StackName\":\"cs\",\"ChangeSetName\":\"first\"}"));
    assert_string_equal(status_of("cs"), "CREATE_COMPLETE");
    assert_int_equal(cfn_fake_live, before + 1);
    /* No change: FAILED with the text the aws CLI's deploy looks for. */
    snprintf(in, sizeof in, "{\"StackName\":\"cs\",\"ChangeSetName\":\"same\",\"UsePreviousTemplate\":true}");
    cJSON_Delete(call("CreateChangeSet", in));
    out = call("DescribeChangeSet", "{\"StackName\":\"cs\",\"ChangeSetName\":\"same\"}");
    assert_string_equal(cJSON_GetObjectItem(out, "Status")->valuestring, "FAILED");
    assert_string_equal(cJSON_GetObjectItem(out, "StatusReason")->valuestring,
                        "The submitted information didn't contain changes. Submit different information to create a "
                        "change set.");
    cJSON_Delete(out);
    assert_null(call("ExecuteChangeSet", "{\"StackName\":\"cs\",\"ChangeSetName\":\"same\"}"));
    assert_int_equal(last.kind, CFN_ERR_INVALID_CHANGE_SET_STATUS);
    cJSON_Delete(call("DeleteChangeSet", "{\"StackName\":\"cs\",\"ChangeSetName\":\"same\"}"));
    assert_null(call("DescribeChangeSet", "{\"StackName\":\"cs\",\"ChangeSetName\":\"same\"}"));
    assert_int_equal(last.kind, CFN_ERR_CHANGE_SET_NOT_FOUND);
    /* A replacing change, then its execution. */
    snprintf(in, sizeof in, "{\"StackName\":\"cs\",\"ChangeSetName\":\"rename\",\"TemplateBody\":\"%s\"}",
             "{\\\"Resources\\\":{\\\"A\\\":{\\\"Type\\\":\\\"Test::Fake::Thing\\\",\\\"Properties\\\":"
             "{\\\"Name\\\":\\\"x\\\"}}}}");
    cJSON_Delete(call("CreateChangeSet", in));
    out = call("ListChangeSets", "{\"StackName\":\"cs\"}");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "Summaries")), 2);
    cJSON_Delete(out);
    out = call("DescribeChangeSet", "{\"StackName\":\"cs\",\"ChangeSetName\":\"rename\"}");
    rc = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(out, "Changes"), 0), "ResourceChange");
    assert_string_equal(cJSON_GetObjectItem(rc, "Action")->valuestring, "Modify");
    assert_string_equal(cJSON_GetObjectItem(rc, "Replacement")->valuestring, "True");
    char id[400];
    snprintf(id, sizeof id, "{\"ChangeSetName\":\"%s\"}", cJSON_GetObjectItem(out, "ChangeSetId")->valuestring);
    cJSON_Delete(out);
    cJSON_Delete(call("ExecuteChangeSet", id)); /* by ARN alone */
    assert_string_equal(status_of("cs"), "UPDATE_COMPLETE");
    assert_int_equal(cfn_fake_live, before + 1);
    cJSON_Delete(call("DeleteStack", "{\"StackName\":\"cs\"}"));
    assert_int_equal(cfn_fake_live, before);
}

static void write_file(const char *name, const char *text)
{
    char path[200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_nested(void **state)
{
    (void)state;
    int before = cfn_fake_live;
    write_file("child.json", "{\"Parameters\":{\"Tag\":{\"Type\":\"String\"}},\"Resources\":{\"Q\":{\"Type\":"
                             "\"Test::Fake::Thing\",\"Properties\":{\"Value\":{\"Ref\":\"Tag\"}}}},"
                             "\"Outputs\":{\"QueueARN\":{\"Value\":{\"Fn::GetAtt\":\"Q.Arn\"}}}}");
    write_file("parent.json", "{\"Resources\":{\"Child\":{\"Type\":\"AWS::CloudFormation::Stack\",\"Properties\":"
                              "{\"TemplateURL\":\"child.json\",\"Parameters\":{\"Tag\":\"t1\"}}},"
                              "\"User\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Value\":"
                              "{\"Fn::GetAtt\":\"Child.Outputs.QueueARN\"}}}},"
                              "\"Outputs\":{\"Arn\":{\"Value\":{\"Fn::GetAtt\":[\"User\",\"Value\"]}}}}");
    char in[400];
    snprintf(in, sizeof in, "{\"StackName\":\"parent\",\"TemplateURL\":\"file://%s/parent.json\"}", dir);
    cJSON *out = call("CreateStack", in);
    assert_non_null(out);
    cJSON_Delete(out);
    assert_string_equal(status_of("parent"), "CREATE_COMPLETE");
    assert_int_equal(cfn_fake_live, before + 2);
    cJSON *d;
    cJSON *s = describe("parent", &d);
    cJSON *o = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "Outputs"), 0);
    assert_non_null(strstr(cJSON_GetObjectItem(o, "OutputValue")->valuestring, "arn:aws:fake:us-east-1"));
    cJSON_Delete(d);
    char child[300];
    snprintf(child, sizeof child, "%s", physical_of("parent", "Child"));
    assert_non_null(strstr(child, ":stack/parent-Child-"));
    assert_string_equal(status_of(child), "CREATE_COMPLETE");
    cJSON_Delete(call("DeleteStack", "{\"StackName\":\"parent\"}"));
    assert_int_equal(cfn_fake_live, before);
    assert_string_equal(status_of(child), "DELETE_COMPLETE");
    /* A child that fails: the parent rolls back, the child is gone too. */
    write_file("badchild.json", "{\"Resources\":{\"Ok\":{\"Type\":\"Test::Fake::Thing\"},\"No\":{\"Type\":"
                                "\"Test::Fake::Thing\",\"DependsOn\":\"Ok\",\"Properties\":{\"Fail\":true}}}}");
    write_file("badparent.json", "{\"Resources\":{\"Kid\":{\"Type\":\"AWS::CloudFormation::Stack\",\"Properties\":"
                                 "{\"TemplateURL\":\"badchild.json\"}}}}");
    snprintf(in, sizeof in, "{\"StackName\":\"badparent\",\"TemplateURL\":\"%s/badparent.json\"}", dir);
    cJSON_Delete(call("CreateStack", in));
    assert_string_equal(status_of("badparent"), "ROLLBACK_COMPLETE");
    assert_int_equal(cfn_fake_live, before);
    out = call("DescribeStackEvents", "{\"StackName\":\"badparent\"}");
    char *text = cJSON_PrintUnformatted(out);
    assert_non_null(strstr(text, "was not successfully created: The following resource(s) failed to create: [No]."));
    free(text);
    cJSON_Delete(out);
}

static void test_restart_keeps_stacks(void **state)
{
    (void)state;
    cJSON_Delete(create("kept", "{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"}}}", NULL));
    char a[300];
    snprintf(a, sizeof a, "%s", physical_of("kept", "A"));
    cfn_service_stop();
    store_close();
    assert_true(store_open(db_path));
    cfn_settings settings = {0};
    assert_true(cfn_service_start(&settings));
    assert_string_equal(status_of("kept"), "CREATE_COMPLETE");
    assert_string_equal(physical_of("kept", "A"), a);
    cJSON *out = call("DescribeStackEvents", "{\"StackName\":\"kept\"}");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "StackEvents")), 4);
    cJSON_Delete(out);
    cJSON_Delete(call("DeleteStack", "{\"StackName\":\"kept\"}"));
}

static void test_validate_and_start_up_file(void **state)
{
    (void)state;
    cJSON *out = call("ValidateTemplate", "{\"TemplateBody\":\"{\\\"Parameters\\\":{\\\"P\\\":{\\\"Type\\\":"
                                          "\\\"String\\\"}},\\\"Resources\\\":{\\\"R\\\":{\\\"Type\\\":"
                                          "\\\"AWS::IAM::Role\\\"}}}\"}");
    assert_non_null(out);
    char *text = cJSON_PrintUnformatted(out);
    assert_non_null(strstr(text, "CAPABILITY_IAM"));
    assert_non_null(strstr(text, "\"ParameterKey\":\"P\""));
    free(text);
    cJSON_Delete(out);
    assert_null(call("NoSuchAction", "{}"));
    assert_int_equal(last.kind, CFN_ERR_INVALID_ACTION);
    /* --template: created, then left alone, then updated. */
    write_file("app.json", "{\"Parameters\":{\"V\":{\"Type\":\"String\"}},\"Resources\":{\"A\":{\"Type\":"
                           "\"Test::Fake::Thing\",\"Properties\":{\"Value\":{\"Ref\":\"V\"}}}}}");
    char path[200];
    snprintf(path, sizeof path, "%s/app.json", dir);
    const char *p1[] = {"V=1"}, *p2[] = {"V=2"};
    cfn_error err = {0};
    assert_true(cfn_apply_template_file(&ctx, path, NULL, p1, 1, &err));
    assert_string_equal(status_of("app"), "CREATE_COMPLETE");
    assert_true(cfn_apply_template_file(&ctx, path, NULL, p1, 1, &err));
    assert_string_equal(status_of("app"), "CREATE_COMPLETE");
    assert_true(cfn_apply_template_file(&ctx, path, NULL, p2, 1, &err));
    assert_string_equal(status_of("app"), "UPDATE_COMPLETE");
    write_file("broken.json", "{\"Resources\":{\"Bad\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":{\"Fail\":true}}}}");
    snprintf(path, sizeof path, "%s/broken.json", dir);
    assert_false(cfn_apply_template_file(&ctx, path, "broken", NULL, 0, &err));
    assert_non_null(strstr(err.message, "resource Bad (Test::Fake::Thing): Fake failure requested (property Fail)"));
    cJSON_Delete(call("DeleteStack", "{\"StackName\":\"app\"}"));
    cJSON_Delete(call("DeleteStack", "{\"StackName\":\"broken\"}"));
}

static void test_imports_and_interrupted_operations(void **state)
{
    (void)state;
    int before = cfn_fake_live;
    cJSON_Delete(create("exporter", "{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"}},\"Outputs\":{\"O\":"
                                    "{\"Value\":{\"Ref\":\"A\"},\"Export\":{\"Name\":\"shared\"}}}}", NULL));
    cJSON_Delete(create("importer", "{\"Resources\":{\"B\":{\"Type\":\"Test::Fake::Thing\",\"Properties\":"
                                    "{\"Value\":{\"Fn::ImportValue\":\"shared\"}}}}}", NULL));
    assert_string_equal(status_of("importer"), "CREATE_COMPLETE");
    cJSON_Delete(create("again", "{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"}},\"Outputs\":{\"O\":"
                                "{\"Value\":\"v\",\"Export\":{\"Name\":\"shared\"}}}}", NULL));
    assert_string_equal(status_of("again"), "ROLLBACK_COMPLETE");
    assert_null(call("DeleteStack", "{\"StackName\":\"exporter\"}"));
    assert_string_equal(last.message, "Export shared cannot be deleted as it is in use by importer");
    cJSON_Delete(update("exporter", "{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"}}}"));
    assert_string_equal(status_of("exporter"), "UPDATE_ROLLBACK_COMPLETE");
    cJSON *ev = call("DescribeStackEvents", "{\"StackName\":\"exporter\"}");
    char *evtext = cJSON_PrintUnformatted(ev);
    assert_non_null(strstr(evtext, "Export shared cannot be updated as it is in use by importer"));
    free(evtext);
    cJSON_Delete(ev);
    cJSON_Delete(call("DeleteStack", "{\"StackName\":\"importer\"}"));
    cJSON_Delete(call("DeleteStack", "{\"StackName\":\"exporter\"}"));
    cJSON_Delete(call("DeleteStack", "{\"StackName\":\"again\"}"));
    assert_int_equal(cfn_fake_live, before);
    /* A record left mid-create by a crash comes back CREATE_FAILED, and can be deleted. */
    cJSON_Delete(create("crashed", "{\"Resources\":{\"A\":{\"Type\":\"Test::Fake::Thing\"}}}", NULL));
    cJSON *d;
    cJSON *st = describe("crashed", &d);
    char id[300];
    snprintf(id, sizeof id, "%s", cJSON_GetObjectItem(st, "StackId")->valuestring);
    cJSON_Delete(d);
    cfn_service_stop();
    char sql_record[2048];
    snprintf(sql_record, sizeof sql_record,
             "{\"StackId\":\"%s\",\"StackName\":\"crashed\",\"Account\":\"123456789012\",\"Region\":"
             "\"us-east-1\",\"StackStatus\":\"CREATE_IN_PROGRESS\",\"TemplateBody\":\"{}\",\"Resources\":{\"A\":"
             "{\"Type\":\"Test::Fake::Thing\",\"ResourceStatus\":\"CREATE_IN_PROGRESS\",\"Seq\":1}},"
             "\"Outputs\":[],\"ChangeSets\":[]}", id);
    assert_true(store_stack_put(id, sql_record));
    cfn_settings settings = {0};
    assert_true(cfn_service_start(&settings));
    assert_string_equal(status_of("crashed"), "CREATE_FAILED");
    cJSON_Delete(call("DeleteStack", "{\"StackName\":\"crashed\"}"));
    assert_string_equal(status_of(id), "DELETE_COMPLETE");
    cfn_fake_live = before; /* the fake the rewritten record forgot */
}

/* A TemplateURL naming a FIFO is refused at once: reading it would block the server. */
static void test_template_url_must_be_a_regular_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/sqsemu-cfn-fifo-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[64];
    snprintf(fifo, sizeof fifo, "%s/pipe", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    cfn_error err = {0};
    char *body = cfn_template_read_url("pipe", dir, NULL, &err);
    assert_null(body);
    assert_non_null(strstr(err.message, "is not a regular file"));
    body = cfn_template_read_url("file://.", dir, NULL, &err); /* a directory neither */
    assert_null(body);
    unlink(fifo);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_events), cmocka_unit_test(test_failure_rolls_back),
        cmocka_unit_test(test_refused_templates), cmocka_unit_test(test_hostile_templates), cmocka_unit_test(test_update),
        cmocka_unit_test(test_change_sets),       cmocka_unit_test(test_nested),
        cmocka_unit_test(test_restart_keeps_stacks), cmocka_unit_test(test_validate_and_start_up_file),
        cmocka_unit_test(test_imports_and_interrupted_operations),
        cmocka_unit_test(test_template_url_must_be_a_regular_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
