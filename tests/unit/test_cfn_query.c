/* test_cfn_query: unit tests for CloudFormation's query-protocol codec: decoding form
 * parameters into the service's input (lists, nested structures, booleans, integers, the
 * bounds), and the XML of results and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sqsemu/buf.h"
#include "sqsemu/cfn.h"
#include "sqsemu/cfn_query.h"
#include "sqsemu/cfn_wire_errors.h"
#include "sqsemu/form.h"

#define PROLOG "<?xml version=\"1.0\"?>\n"
#define XMLNS "xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\""
#define METADATA "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"

static cJSON *decode(const char *action, const char *form, cfn_error *err)
{
    form_params p;
    form_params_init(&p);
    assert_true(form_parse(&p, form, strlen(form)));
    cJSON *input = cfn_query_decode(action, &p, err);
    form_params_free(&p);
    return input;
}

static void assert_decodes(const char *action, const char *form, const char *expected_json)
{
    cfn_error err = {0};
    cJSON *input = decode(action, form, &err);
    if (!input)
        print_error("decode failed: %s\n", err.message);
    assert_non_null(input);
    cJSON *expected = cJSON_Parse(expected_json);
    assert_non_null(expected);
    if (!cJSON_Compare(input, expected, true)) {
        char *printed = cJSON_PrintUnformatted(input);
        print_error("expected %s\n     got %s\n", expected_json, printed);
        free(printed);
        fail();
    }
    cJSON_Delete(expected);
    cJSON_Delete(input);
}

static void assert_refused(const char *action, const char *form, cfn_err_kind kind, const char *fragment)
{
    cfn_error err = {0};
    cJSON *input = decode(action, form, &err);
    if (input) {
        char *printed = cJSON_PrintUnformatted(input);
        print_error("expected a refusal, got %s\n", printed);
        free(printed);
    }
    assert_null(input);
    assert_int_equal(err.kind, kind);
    if (!strstr(err.message, fragment))
        print_error("message '%s' lacks '%s'\n", err.message, fragment);
    assert_non_null(strstr(err.message, fragment));
}

static void assert_encodes(const char *action, const char *result_json, const char *expected_xml)
{
    cJSON *result = result_json ? cJSON_Parse(result_json) : NULL;
    assert_true(!result_json || result);
    size_t len = 0;
    char *xml = cfn_query_encode_result(action, result, "req-1", &len);
    assert_int_equal(len, strlen(xml));
    if (strcmp(xml, expected_xml) != 0)
        print_error("expected %s\n     got %s\n", expected_xml, xml);
    assert_string_equal(xml, expected_xml);
    free(xml);
    cJSON_Delete(result);
}

/* ------------------------------------------------------------------ decoding */

static void test_actions_known(void **state)
{
    (void)state;
    assert_true(cfn_query_action_known("CreateStack"));
    assert_true(cfn_query_action_known("ListChangeSets"));
    assert_true(cfn_query_action_known("ValidateTemplate"));
    assert_false(cfn_query_action_known("CreateStackSet"));
    assert_false(cfn_query_action_known("SendMessage"));
    assert_false(cfn_query_action_known("createstack"));
    assert_false(cfn_query_action_known(NULL));
    assert_refused("CreateStackSet", "StackSetName=x", CFN_ERR_INVALID_ACTION, "CreateStackSet");
}

static void test_scalars(void **state)
{
    (void)state;
    assert_decodes("CreateStack",
                   "Action=CreateStack&Version=2010-05-15&StackName=s1&TemplateBody=%7B%7D&DisableRollback=true"
                   "&TimeoutInMinutes=30&EnableTerminationProtection=false&OnFailure=DELETE",
                   "{\"StackName\":\"s1\",\"TemplateBody\":\"{}\",\"DisableRollback\":true,\"TimeoutInMinutes\":30,"
                   "\"OnFailure\":\"DELETE\",\"EnableTerminationProtection\":false}");
    /* Action, Version, SigV4 and unknown parameters are not members */
    assert_decodes("DescribeStacks", "Action=DescribeStacks&X-Amz-Date=1&Unknown=1&Stack.Name=x", "{}");
}

static void test_parameters_and_capabilities(void **state)
{
    (void)state;
    assert_decodes("CreateStack",
                   "StackName=s&Parameters.member.1.ParameterKey=Env&Parameters.member.1.ParameterValue=dev"
                   "&Parameters.member.2.ParameterKey=Size&Parameters.member.2.UsePreviousValue=true"
                   "&Capabilities.member.1=CAPABILITY_IAM&Capabilities.member.2=CAPABILITY_AUTO_EXPAND"
                   "&Tags.member.1.Key=team&Tags.member.1.Value=a%20b",
                   "{\"StackName\":\"s\",\"Parameters\":[{\"ParameterKey\":\"Env\",\"ParameterValue\":\"dev\"},"
                   "{\"ParameterKey\":\"Size\",\"UsePreviousValue\":true}],"
                   "\"Capabilities\":[\"CAPABILITY_IAM\",\"CAPABILITY_AUTO_EXPAND\"],"
                   "\"Tags\":[{\"Key\":\"team\",\"Value\":\"a b\"}]}");
    /* members come in index order whatever the order of the form */
    assert_decodes("ListStacks", "StackStatusFilter.member.2=B&StackStatusFilter.member.1=A",
                   "{\"StackStatusFilter\":[\"A\",\"B\"]}");
}

static void test_empty_list_and_nested_struct(void **state)
{
    (void)state;
    assert_decodes("UpdateStack", "StackName=s&NotificationARNs=&UsePreviousTemplate=true",
                   "{\"StackName\":\"s\",\"UsePreviousTemplate\":true,\"NotificationARNs\":[]}");
    assert_decodes("CreateStack",
                   "RollbackConfiguration.MonitoringTimeInMinutes=5"
                   "&RollbackConfiguration.RollbackTriggers.member.1.Arn=arn:x"
                   "&RollbackConfiguration.RollbackTriggers.member.1.Type=AWS::CloudWatch::Alarm",
                   "{\"RollbackConfiguration\":{\"RollbackTriggers\":[{\"Arn\":\"arn:x\",\"Type\":"
                   "\"AWS::CloudWatch::Alarm\"}],\"MonitoringTimeInMinutes\":5}}");
    assert_decodes("GetTemplateSummary", "TemplateSummaryConfig.TreatUnrecognizedResourceTypesAsWarnings=true",
                   "{\"TemplateSummaryConfig\":{\"TreatUnrecognizedResourceTypesAsWarnings\":true}}");
}

static void test_bad_values(void **state)
{
    (void)state;
    assert_refused("CreateStack", "DisableRollback=yes", CFN_ERR_VALIDATION, "Value 'yes' at 'DisableRollback'");
    assert_refused("CreateStack", "DisableRollback=TRUE", CFN_ERR_VALIDATION, "true or false");
    assert_refused("CreateStack", "TimeoutInMinutes=ten", CFN_ERR_VALIDATION, "Member must be an integer");
    assert_refused("CreateStack", "TimeoutInMinutes=99999999999", CFN_ERR_VALIDATION, "integer");
    assert_refused("CreateStack", "TimeoutInMinutes=", CFN_ERR_VALIDATION, "integer");
    assert_refused("CreateStack", "Parameters.member.1.UsePreviousValue=1", CFN_ERR_VALIDATION,
                   "Parameters.member.1.UsePreviousValue");
    assert_refused("CreateStack", "StackName=a%00b", CFN_ERR_VALIDATION, "at 'StackName'");
    assert_refused("CreateStack", "TemplateBody=%FF%FE", CFN_ERR_VALIDATION, "UTF-8");
    assert_refused("CreateStack", "TemplateBody=%01", CFN_ERR_VALIDATION, "TemplateBody");
}

static void test_list_indexes(void **state)
{
    (void)state;
    assert_refused("CreateStack", "Parameters.member.2.ParameterKey=x", CFN_ERR_VALIDATION, "without gaps");
    assert_refused("CreateStack", "Capabilities.member.1=a&Capabilities.member.3=b", CFN_ERR_VALIDATION,
                   "without gaps");
    assert_refused("CreateStack", "Capabilities.member.0=a", CFN_ERR_VALIDATION, "Invalid list index");
    assert_refused("CreateStack", "Capabilities.member.01=a", CFN_ERR_VALIDATION, "Invalid list index");
    assert_refused("CreateStack", "Capabilities.member.x=a", CFN_ERR_VALIDATION, "Invalid list index");
    assert_refused("CreateStack", "Capabilities.member.1.Extra=a", CFN_ERR_VALIDATION, "Invalid list index");
    assert_refused("CreateStack", "Parameters.member.1=a", CFN_ERR_VALIDATION, "Invalid list index");
    assert_refused("CreateStack", "Capabilities.member.201=a", CFN_ERR_VALIDATION,
                   "less than or equal to 200");
    assert_refused("CreateStack", "Capabilities.member.99999=a", CFN_ERR_VALIDATION, "Invalid list index");
}

static void test_list_bound(void **state)
{
    (void)state;
    buf_t form;
    buf_init(&form);
    for (int i = 1; i <= CFN_QUERY_MAX_LIST_MEMBERS; i++)
        buf_printf(&form, "%sParameters.member.%d.ParameterKey=K%d&Parameters.member.%d.ParameterValue=v", i > 1 ? "&" : "",
                   i, i, i);
    cfn_error err = {0};
    cJSON *input = decode("CreateStack", form.data, &err);
    assert_non_null(input);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(input, "Parameters")), CFN_QUERY_MAX_LIST_MEMBERS);
    cJSON_Delete(input);
    buf_printf(&form, "&Parameters.member.%d.ParameterKey=extra", CFN_QUERY_MAX_LIST_MEMBERS + 1);
    assert_null(decode("CreateStack", form.data, &err));
    assert_int_equal(err.kind, CFN_ERR_VALIDATION);
    buf_free(&form);

    buf_init(&form);
    for (int i = 0; i <= CFN_QUERY_MAX_PARAMS; i++)
        buf_printf(&form, "X%d=1&", i);
    assert_null(decode("DescribeStacks", form.data, &err));
    assert_non_null(strstr(err.message, "parameters"));
    buf_free(&form);
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    assert_refused("CreateStack",
                   "Parameters.member.1.ParameterKey=Env&Parameters.member.1.ParameterValue=a"
                   "&Parameters.member.2.ParameterKey=Env&Parameters.member.2.ParameterValue=b",
                   CFN_ERR_VALIDATION, "Env is given more than once");
    assert_refused("CreateStack", "Tags.member.1.Key=k&Tags.member.2.Key=k", CFN_ERR_VALIDATION, "Key k");
    /* the same parameter twice in the form: the last value is the one (form.c's rule) */
    assert_decodes("DescribeStacks", "StackName=a&StackName=b", "{\"StackName\":\"b\"}");
}

/* ------------------------------------------------------------------ encoding */

static void test_encode_create_and_void(void **state)
{
    (void)state;
    assert_encodes("CreateStack", "{\"StackId\":\"arn:aws:cloudformation:us-east-1:000000000000:stack/s/1\"}",
                   PROLOG "<CreateStackResponse " XMLNS "><CreateStackResult><StackId>arn:aws:cloudformation:us-east-1:"
                   "000000000000:stack/s/1</StackId></CreateStackResult>" METADATA "</CreateStackResponse>");
    assert_encodes("DeleteStack", "{}", PROLOG "<DeleteStackResponse " XMLNS ">" METADATA "</DeleteStackResponse>");
    assert_encodes("DeleteStack", NULL, PROLOG "<DeleteStackResponse " XMLNS ">" METADATA "</DeleteStackResponse>");
    assert_encodes("ExecuteChangeSet", "{}",
                   PROLOG "<ExecuteChangeSetResponse " XMLNS "><ExecuteChangeSetResult/>" METADATA
                   "</ExecuteChangeSetResponse>");
}

static void test_encode_lists_and_types(void **state)
{
    (void)state;
    assert_encodes("DescribeStacks",
                   "{\"Stacks\":[{\"StackName\":\"s\",\"CreationTime\":1714564800123,\"DisableRollback\":false,"
                   "\"Outputs\":[{\"OutputKey\":\"Url\",\"OutputValue\":\"http://h/q?a=1&b=<2>\"}],"
                   "\"NotificationARNs\":[],\"Capabilities\":[\"CAPABILITY_IAM\"],\"StackStatusReason\":null,"
                   "\"LastUpdatedTime\":\"2024-05-01T12:00:00.000Z\",\"TimeoutInMinutes\":5,\"Description\":\"\"}]}",
                   PROLOG "<DescribeStacksResponse " XMLNS "><DescribeStacksResult><Stacks><member>"
                   "<StackName>s</StackName><CreationTime>2024-05-01T12:00:00.123Z</CreationTime>"
                   "<DisableRollback>false</DisableRollback><Outputs><member><OutputKey>Url</OutputKey>"
                   "<OutputValue>http://h/q?a=1&amp;b=&lt;2&gt;</OutputValue></member></Outputs>"
                   "<NotificationARNs/><Capabilities><member>CAPABILITY_IAM</member></Capabilities>"
                   "<LastUpdatedTime>2024-05-01T12:00:00.000Z</LastUpdatedTime><TimeoutInMinutes>5</TimeoutInMinutes>"
                   "<Description></Description></member></Stacks></DescribeStacksResult>" METADATA
                   "</DescribeStacksResponse>");
    assert_encodes("GetTemplate", "{\"TemplateBody\":\"a: \\\"b\\\"\\r\\n\"}",
                   PROLOG "<GetTemplateResponse " XMLNS "><GetTemplateResult><TemplateBody>a: &quot;b&quot;&#xD;\n"
                   "</TemplateBody></GetTemplateResult>" METADATA "</GetTemplateResponse>");
}

static void test_encode_errors(void **state)
{
    (void)state;
    cfn_error err = {0};
    cfn_fail(&err, CFN_ERR_VALIDATION, "Stack with id <s> does not exist");
    int status = 0;
    size_t len = 0;
    char *xml = cfn_query_encode_error(&err, "req-1", &status, &len);
    assert_int_equal(status, 400);
    assert_string_equal(xml, PROLOG "<ErrorResponse " XMLNS "><Error><Type>Sender</Type><Code>ValidationError</Code>"
                        "<Message>Stack with id &lt;s&gt; does not exist</Message></Error><RequestId>req-1</RequestId>"
                        "</ErrorResponse>");
    free(xml);
    cfn_fail(&err, CFN_ERR_INTERNAL, "boom");
    xml = cfn_query_encode_error(&err, "req-1", &status, &len);
    assert_int_equal(status, 500);
    assert_non_null(strstr(xml, "<Type>Receiver</Type><Code>InternalFailure</Code>"));
    free(xml);
    cfn_fail(&err, CFN_ERR_CHANGE_SET_NOT_FOUND, "ChangeSet [x] does not exist");
    xml = cfn_query_encode_error(&err, "req-1", &status, &len);
    assert_int_equal(status, 404);
    assert_non_null(strstr(xml, "<Code>ChangeSetNotFound</Code>"));
    free(xml);
}

static void test_wire_table(void **state)
{
    (void)state;
    static const struct {
        cfn_err_kind kind;
        int status;
        const char *code;
    } expected[] = {
        {CFN_ERR_VALIDATION, 400, "ValidationError"},
        {CFN_ERR_ALREADY_EXISTS, 400, "AlreadyExistsException"},
        {CFN_ERR_CHANGE_SET_NOT_FOUND, 404, "ChangeSetNotFound"},
        {CFN_ERR_INSUFFICIENT_CAPABILITIES, 400, "InsufficientCapabilitiesException"},
        {CFN_ERR_INVALID_CHANGE_SET_STATUS, 400, "InvalidChangeSetStatus"},
        {CFN_ERR_TOKEN_ALREADY_EXISTS, 400, "TokenAlreadyExistsException"},
        {CFN_ERR_INVALID_ACTION, 400, "InvalidAction"},
        {CFN_ERR_INTERNAL, 500, "InternalFailure"},
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        assert_int_equal(cfn_wire_status(expected[i].kind), expected[i].status);
        assert_string_equal(cfn_err_name(expected[i].kind), expected[i].code);
        assert_int_equal(cfn_wire_sender_fault(expected[i].kind), expected[i].kind != CFN_ERR_INTERNAL);
    }
    assert_int_equal(cfn_wire_status((cfn_err_kind)999), 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_actions_known),
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_parameters_and_capabilities),
        cmocka_unit_test(test_empty_list_and_nested_struct),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_list_indexes),
        cmocka_unit_test(test_list_bound),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_encode_create_and_void),
        cmocka_unit_test(test_encode_lists_and_types),
        cmocka_unit_test(test_encode_errors),
        cmocka_unit_test(test_wire_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
