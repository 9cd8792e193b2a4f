/* test_cfn_sam: the AWS::Serverless-2016-10-31 transform (src/cfn/sam*.c) on YAML
 * templates: the generated resources and logical ids, Globals merging, the execution role,
 * AutoPublishAlias (SAM's version hash), the dead-letter queue, EventInvokeConfig, SQS
 * events, types left alone, and SAM's error wording. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/cfn/sam.h"
#include "../../src/cfn/template.h"

#define HEAD "Transform: AWS::Serverless-2016-10-31\n"
#define FN "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n" \
           "      CodeUri: s3://bucket/key.zip\n      Handler: app.handler\n      Runtime: python3.12\n"

static cJSON *transform_ok(const char *yaml)
{
    cfn_error err = {0};
    cJSON *doc = cfn_yaml_parse(yaml, strlen(yaml), &err);
    assert_non_null(doc);
    assert_true(cfn_sam_wanted(doc));
    if (!cfn_sam_transform(doc, &err))
        print_error("transform failed: %s\n", err.message);
    assert_null(cJSON_GetObjectItem(doc, "Transform"));
    assert_null(cJSON_GetObjectItem(doc, "Globals"));
    return doc;
}

static void transform_fails(const char *yaml, const char *cause)
{
    cfn_error err = {0};
    cJSON *doc = cfn_yaml_parse(yaml, strlen(yaml), &err);
    if (!doc)
        print_error("%s\n-> %s\n", yaml, err.message);
    assert_non_null(doc);
    assert_false(cfn_sam_transform(doc, &err));
    assert_int_equal(err.kind, CFN_ERR_VALIDATION);
    const char *prefix = "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application "
                         "Specification document. Number of errors found: 1. ";
    assert_memory_equal(err.message, prefix, strlen(prefix));
    if (!strstr(err.message, cause))
        print_error("%s\ndoes not hold\n%s\n", err.message, cause);
    assert_non_null(strstr(err.message, cause));
    cJSON_Delete(doc);
}

/* The member at a /-separated path ("Resources/Fn/Properties/Role"), or NULL. */
static const cJSON *at(const cJSON *doc, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *v = doc;
    for (char *save, *part = strtok_r(buf, "/", &save); part && v; part = strtok_r(NULL, "/", &save))
        v = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, atoi(part)) : cJSON_GetObjectItemCaseSensitive(v, part);
    return v;
}

static void assert_str_at(const cJSON *doc, const char *path, const char *want)
{
    const cJSON *v = at(doc, path);
    if (!cJSON_IsString(v) || strcmp(v->valuestring, want) != 0)
        print_error("%s: want %s, got %s\n", path, want, cJSON_IsString(v) ? v->valuestring : "(none)");
    assert_true(cJSON_IsString(v) && strcmp(v->valuestring, want) == 0);
}

static void test_wanted(void **state)
{
    (void)state;
    cJSON *t = cJSON_Parse("{\"Transform\":[\"AWS::LanguageExtensions\",\"AWS::Serverless-2016-10-31\"]}");
    assert_true(cfn_sam_wanted(t));
    cJSON_Delete(t);
    t = cJSON_Parse("{\"Transform\":\"AWS::Include\"}");
    assert_false(cfn_sam_wanted(t));
    cJSON_Delete(t);
    t = cJSON_Parse("{\"Resources\":{}}");
    assert_false(cfn_sam_wanted(t));
    cJSON_Delete(t);
}

static void test_minimal_function_with_sqs_event(void **state)
{
    (void)state;
    cJSON *doc = transform_ok(HEAD "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n" FN
                              "      Events:\n        Ev:\n          Type: SQS\n          Properties:\n"
                              "            Queue: !GetAtt Q.Arn\n            BatchSize: 5\n");
    assert_str_at(doc, "Resources/Q/Type", "AWS::SQS::Queue");
    assert_str_at(doc, "Resources/Fn/Type", "AWS::Lambda::Function");
    assert_str_at(doc, "Resources/Fn/Properties/Code/S3Bucket", "bucket");
    assert_str_at(doc, "Resources/Fn/Properties/Code/S3Key", "key.zip");
    assert_str_at(doc, "Resources/Fn/Properties/Role/Fn::GetAtt/0", "FnRole");
    assert_str_at(doc, "Resources/Fn/Properties/Role/Fn::GetAtt/1", "Arn");
    assert_str_at(doc, "Resources/Fn/Properties/Tags/0/Key", "lambda:createdBy");
    assert_str_at(doc, "Resources/Fn/Properties/Tags/0/Value", "SAM");
    assert_str_at(doc, "Resources/FnRole/Type", "AWS::IAM::Role");
    assert_str_at(doc, "Resources/FnRole/Properties/ManagedPolicyArns/0",
                  "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
    assert_str_at(doc, "Resources/FnRole/Properties/ManagedPolicyArns/1",
                  "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole");
    assert_str_at(doc, "Resources/FnEv/Type", "AWS::Lambda::EventSourceMapping");
    assert_str_at(doc, "Resources/FnEv/Properties/EventSourceArn/Fn::GetAtt/0", "Q");
    assert_str_at(doc, "Resources/FnEv/Properties/FunctionName/Ref", "Fn");
    assert_str_at(doc, "Resources/FnEv/Properties/BatchSize", "5");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "Resources")), 4);
    cJSON_Delete(doc);
}

static void test_code_forms(void **state)
{
    (void)state;
    cJSON *doc = transform_ok(HEAD "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                              "      InlineCode: |\n        def handler(e, c):\n            return 1\n"
                              "      Handler: index.handler\n      Runtime: python3.12\n"
                              "  Local:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                              "      CodeUri: ./src\n      Handler: a.b\n      Runtime: python3.12\n"
                              "  Obj:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                              "      CodeUri: {Bucket: b, Key: k, Version: v1}\n      Handler: a.b\n"
                              "      Runtime: python3.12\n");
    assert_str_at(doc, "Resources/Fn/Properties/Code/ZipFile", "def handler(e, c):\n    return 1\n");
    assert_str_at(doc, "Resources/Local/Properties/Code", "./src");
    assert_str_at(doc, "Resources/Obj/Properties/Code/S3ObjectVersion", "v1");
    cJSON_Delete(doc);
}

static void test_globals_merge(void **state)
{
    (void)state;
    cJSON *doc = transform_ok(HEAD "Globals:\n  Function:\n    Timeout: 10\n    MemorySize: 128\n"
                              "    Environment: {Variables: {A: g, B: g}}\n    Layers: [g1]\n    Tags: {g: '1'}\n"
                              "Resources:\n" FN "      MemorySize: 256\n      Environment: {Variables: {B: f}}\n"
                              "      Layers: [f1]\n");
    assert_str_at(doc, "Resources/Fn/Properties/Timeout", "10");
    assert_str_at(doc, "Resources/Fn/Properties/MemorySize", "256");
    assert_str_at(doc, "Resources/Fn/Properties/Environment/Variables/A", "g");
    assert_str_at(doc, "Resources/Fn/Properties/Environment/Variables/B", "f");
    assert_str_at(doc, "Resources/Fn/Properties/Layers/0", "g1");
    assert_str_at(doc, "Resources/Fn/Properties/Layers/1", "f1");
    assert_str_at(doc, "Resources/Fn/Properties/Tags/1/Key", "g");
    assert_str_at(doc, "Resources/FnRole/Properties/Tags/1/Key", "g");
    cJSON_Delete(doc);
}

static void test_auto_publish_alias(void **state)
{
    (void)state;
    /* The same hash aws-sam-translator 1.110.0 gives this function: sha1 of
     * {"MemorySize":256,"S3Bucket":"bucket","S3Key":"key.zip","Variables":{...}}. */
    cJSON *doc = transform_ok(HEAD "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n" FN "      MemorySize: 256\n"
                              "      Environment:\n        Variables: {A: g, B: f}\n      AutoPublishAlias: live-1_x\n"
                              "      Events:\n        Ev:\n          Type: SQS\n          Properties: {Queue: !GetAtt Q.Arn}\n");
    assert_str_at(doc, "Resources/FnVersionf22b3a7506/Type", "AWS::Lambda::Version");
    assert_str_at(doc, "Resources/FnVersionf22b3a7506/DeletionPolicy", "Retain");
    assert_str_at(doc, "Resources/FnVersionf22b3a7506/Properties/FunctionName/Ref", "Fn");
    assert_str_at(doc, "Resources/FnAliasliveD1Ux/Type", "AWS::Lambda::Alias");
    assert_str_at(doc, "Resources/FnAliasliveD1Ux/Properties/Name", "live-1_x");
    assert_str_at(doc, "Resources/FnAliasliveD1Ux/Properties/FunctionVersion/Fn::GetAtt/0", "FnVersionf22b3a7506");
    assert_str_at(doc, "Resources/FnAliasliveD1Ux/Properties/FunctionVersion/Fn::GetAtt/1", "Version");
    assert_str_at(doc, "Resources/FnEv/Properties/FunctionName/Ref", "FnAliasliveD1Ux");
    cJSON_Delete(doc);
}

static void test_dlq_event_invoke_config_concurrency(void **state)
{
    (void)state;
    cJSON *doc = transform_ok(HEAD "Resources:\n  DLQ:\n    Type: AWS::SQS::Queue\n" FN
                              "      ReservedConcurrentExecutions: 5\n"
                              "      DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt DLQ.Arn}\n"
                              "      EventInvokeConfig:\n        MaximumEventAgeInSeconds: 60\n"
                              "        MaximumRetryAttempts: 1\n        DestinationConfig:\n"
                              "          OnFailure: {Type: SQS}\n"
                              "          OnSuccess: {Type: Lambda, Destination: arn:aws:lambda:us-east-1:1:function:x}\n");
    assert_str_at(doc, "Resources/Fn/Properties/ReservedConcurrentExecutions", "5");
    assert_str_at(doc, "Resources/Fn/Properties/DeadLetterConfig/TargetArn/Fn::GetAtt/0", "DLQ");
    assert_str_at(doc, "Resources/FnRole/Properties/Policies/0/PolicyName", "DeadLetterQueuePolicy");
    assert_str_at(doc, "Resources/FnEventInvokeConfig/Type", "AWS::Lambda::EventInvokeConfig");
    assert_str_at(doc, "Resources/FnEventInvokeConfig/Properties/Qualifier", "$LATEST");
    assert_str_at(doc, "Resources/FnEventInvokeConfig/Properties/MaximumRetryAttempts", "1");
    assert_str_at(doc, "Resources/FnEventInvokeConfig/Properties/DestinationConfig/OnSuccess/Destination",
                  "arn:aws:lambda:us-east-1:1:function:x");
    assert_str_at(doc, "Resources/FnEventInvokeConfig/Properties/DestinationConfig/OnFailure/Destination/Fn::GetAtt/0",
                  "FnEventInvokeConfigOnFailureQueue");
    assert_str_at(doc, "Resources/FnEventInvokeConfigOnFailureQueue/Type", "AWS::SQS::Queue");
    assert_str_at(doc, "Resources/FnRole/Properties/Policies/1/PolicyName", "FnEventInvokeConfigOnSuccessLambdaPolicy");
    assert_str_at(doc, "Resources/FnRole/Properties/Policies/2/PolicyName", "FnEventInvokeConfigOnFailureSQSPolicy");
    assert_null(at(doc, "Resources/FnEventInvokeConfig/DependsOn"));
    cJSON_Delete(doc);
}

static void test_role_and_policies(void **state)
{
    (void)state;
    cJSON *doc = transform_ok(HEAD "Resources:\n" FN
                              "      Policies: [AmazonSQSFullAccess, {Statement: [{Effect: Allow, Action: 'sqs:*', Resource: '*'}]},"
                              " {SQSPollerPolicy: {QueueName: q}}]\n"
                              "  Given:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                              "      InlineCode: x\n      Handler: a.b\n      Runtime: python3.12\n"
                              "      Role: arn:aws:iam::123456789012:role/r\n");
    assert_str_at(doc, "Resources/FnRole/Properties/ManagedPolicyArns/1", "arn:aws:iam::aws:policy/AmazonSQSFullAccess");
    assert_str_at(doc, "Resources/FnRole/Properties/Policies/0/PolicyName", "FnRolePolicy1");
    assert_str_at(doc, "Resources/FnRole/Properties/Policies/1/PolicyName", "FnRolePolicy2");
    assert_str_at(doc, "Resources/FnRole/Properties/AssumeRolePolicyDocument/Statement/0/Principal/Service/0",
                  "lambda.amazonaws.com");
    assert_str_at(doc, "Resources/Given/Properties/Role", "arn:aws:iam::123456789012:role/r");
    assert_null(at(doc, "Resources/GivenRole"));
    cJSON_Delete(doc);
}

static void test_other_types_untouched(void **state)
{
    (void)state;
    cJSON *doc = transform_ok(HEAD "Resources:\n  T:\n    Type: AWS::Serverless::SimpleTable\n"
                              "  A:\n    Type: AWS::Serverless::Api\n    Properties: {StageName: x}\n");
    assert_str_at(doc, "Resources/T/Type", "AWS::Serverless::SimpleTable");
    assert_str_at(doc, "Resources/A/Properties/StageName", "x");
    cJSON_Delete(doc);
}

static void test_errors(void **state)
{
    (void)state;
    transform_fails(HEAD "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: a}\n",
                    "Resource with id [Fn] is invalid. Only one of 'InlineCode' or 'CodeUri' can be set.");
    transform_fails(HEAD "Resources:\n" FN "      Bogus: 1\n",
                    "Resource with id [Fn] is invalid. property Bogus not defined for resource of type "
                    "AWS::Serverless::Function");
    transform_fails(HEAD "Resources:\n" FN "      Tags: {'lambda:createdBy': me}\n",
                    "lambda:createdBy is a reserved Tag key name");
    transform_fails(HEAD "Resources:\n" FN "      DeadLetterQueue: {Type: SQS}\n",
                    "'DeadLetterQueue' requires Type and TargetArn properties to be specified.");
    transform_fails(HEAD "Resources:\n" FN "      DeadLetterQueue: {Type: Kinesis, TargetArn: a}\n",
                    "'DeadLetterQueue' requires Type of ['SQS', 'SNS']");
    transform_fails(HEAD "Resources:\n" FN "      AutoPublishAlias: bad name\n",
                    "AutoPublishAlias name ('bad name') must contain only alphanumeric characters");
    transform_fails(HEAD "Resources:\n" FN "      Events: {E: {Type: SQS, Properties: {}}}\n",
                    "Resource with id [FnE] is invalid. Missing required property 'Queue'.");
    transform_fails(HEAD "Resources:\n" FN "      Events: {E: {Type: SQS, Properties: {Queue: q, Bogus: 1}}}\n",
                    "Resource with id [FnE] is invalid. property Bogus not defined for resource of type SQS");
    transform_fails(HEAD "Resources:\n" FN "      Events: {E: {Type: Schedule, Properties: {}}}\n",
                    "Resource with id [Fn] is invalid. Event with id [E] is invalid.");
    transform_fails(HEAD "Resources:\n" FN "      PackageType: Image\n", "PackageType Image is not emulated");
    transform_fails(HEAD "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                    "      CodeUri: {Bucket: b}\n      Handler: a.b\n      Runtime: python3.12\n",
                    "'CodeUri' requires Bucket and Key properties to be specified.");
    transform_fails(HEAD "Globals:\n  Function:\n    Role: x\nResources:\n" FN,
                    "'Globals' section is invalid. 'Role' is not a supported property of 'Function'.");
    transform_fails(HEAD "Globals:\n  Bogus: {}\nResources:\n" FN, "'Globals' section is invalid. 'Bogus' is not supported.");
    transform_fails(HEAD "Globals: x\nResources:\n" FN, "'Globals' section is invalid. It must be a non-empty dictionary");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wanted),
        cmocka_unit_test(test_minimal_function_with_sqs_event),
        cmocka_unit_test(test_code_forms),
        cmocka_unit_test(test_globals_merge),
        cmocka_unit_test(test_auto_publish_alias),
        cmocka_unit_test(test_dlq_event_invoke_config_concurrency),
        cmocka_unit_test(test_role_and_policies),
        cmocka_unit_test(test_other_types_untouched),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
