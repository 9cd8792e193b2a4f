/* test_cfn_intrinsics: CloudFormation's intrinsic functions, pseudo parameters, condition
 * logic, parameters and dependency order (src/cfn/intrinsics.c, conditions.c, params.c,
 * deps.c), each against the behaviour AWS's "Intrinsic function reference" documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../src/cfn/engine.h"
#include "../../src/cfn/template.h"

static const cfn_ctx ctx = {.account = "123456789012", .region = "eu-west-1", .url_base = "http://127.0.0.1:9324"};

static cJSON *parse(const char *text)
{
    cJSON *v = cJSON_Parse(text);
    assert_non_null(v);
    return v;
}

/* Resolves text with parameters P (Env=prod, Size=3, Names=[a,b]), states of Queue, and
 * conditions IsProd=true, IsDev=false; returns the result printed, or "ERROR: msg". */
static char *resolve(const char *text)
{
    static char out[2048];
    cJSON *params = parse("{\"Env\":\"prod\",\"Size\":\"3\",\"Names\":[\"a\",\"b\"]}");
    cJSON *states = parse("{\"Queue\":{\"PhysicalResourceId\":\"q1\",\"Ref\":\"https://q/1\","
                          "\"Attributes\":{\"Arn\":\"arn:aws:sqs:eu-west-1:123456789012:q1\",\"Outputs.Name\":\"N\"}}}");
    cJSON *maps = parse("{\"Regions\":{\"eu-west-1\":{\"Ami\":\"ami-1\",\"Sizes\":[\"s\",\"m\"]}}}");
    cJSON *conds = parse("{\"IsProd\":true,\"IsDev\":false}");
    cfn_eval ev = {.ctx = &ctx, .stack_name = "st", .stack_id = "arn:aws:cloudformation:eu-west-1:123456789012:stack/st/x",
                   .params = params, .mappings = maps, .conditions = conds, .states = states};
    cJSON *in = parse(text), *res = NULL;
    cfn_error err = {0};
    cfn_ev_result r = cfn_resolve(&ev, in, &res, &err);
    if (r == CFN_EV_OK) {
        char *p = cJSON_PrintUnformatted(res);
        snprintf(out, sizeof out, "%s", p);
        free(p);
    } else if (r == CFN_EV_NOVALUE)
        snprintf(out, sizeof out, "NOVALUE");
    else
        snprintf(out, sizeof out, "ERROR: %s", err.message);
    cJSON_Delete(in);
    cJSON_Delete(res);
    cJSON_Delete(params);
    cJSON_Delete(states);
    cJSON_Delete(maps);
    cJSON_Delete(conds);
    return out;
}

static void test_ref(void **state)
{
    (void)state;
    assert_string_equal(resolve("{\"Ref\":\"Env\"}"), "\"prod\"");
    assert_string_equal(resolve("{\"Ref\":\"Names\"}"), "[\"a\",\"b\"]");
    assert_string_equal(resolve("{\"Ref\":\"Queue\"}"), "\"https://q/1\"");
    assert_string_equal(resolve("{\"Ref\":\"AWS::Region\"}"), "\"eu-west-1\"");
    assert_string_equal(resolve("{\"Ref\":\"AWS::AccountId\"}"), "\"123456789012\"");
    assert_string_equal(resolve("{\"Ref\":\"AWS::StackName\"}"), "\"st\"");
    assert_string_equal(resolve("{\"Ref\":\"AWS::Partition\"}"), "\"aws\"");
    assert_string_equal(resolve("{\"Ref\":\"AWS::URLSuffix\"}"), "\"amazonaws.com\"");
    assert_string_equal(resolve("{\"Ref\":\"AWS::NotificationARNs\"}"), "[]");
    assert_string_equal(resolve("{\"Ref\":\"AWS::StackId\"}"), "\"arn:aws:cloudformation:eu-west-1:123456789012:stack/st/x\"");
    assert_non_null(strstr(resolve("{\"Ref\":\"Nope\"}"), "Unresolved resource dependencies [Nope]"));
}

static void test_novalue(void **state)
{
    (void)state;
    assert_string_equal(resolve("{\"Ref\":\"AWS::NoValue\"}"), "NOVALUE");
    assert_string_equal(resolve("{\"A\":1,\"B\":{\"Ref\":\"AWS::NoValue\"}}"), "{\"A\":1}");
    assert_string_equal(resolve("[1,{\"Ref\":\"AWS::NoValue\"},2]"), "[1,2]");
    assert_string_equal(resolve("{\"A\":{\"Fn::If\":[\"IsDev\",\"x\",{\"Ref\":\"AWS::NoValue\"}]}}"), "{}");
}

static void test_getatt(void **state)
{
    (void)state;
    assert_string_equal(resolve("{\"Fn::GetAtt\":\"Queue.Arn\"}"), "\"arn:aws:sqs:eu-west-1:123456789012:q1\"");
    assert_string_equal(resolve("{\"Fn::GetAtt\":[\"Queue\",\"Arn\"]}"), "\"arn:aws:sqs:eu-west-1:123456789012:q1\"");
    assert_string_equal(resolve("{\"Fn::GetAtt\":\"Queue.Outputs.Name\"}"), "\"N\"");
    assert_string_equal(resolve("{\"Fn::GetAtt\":[\"Queue\",\"Outputs.Name\"]}"), "\"N\"");
    assert_non_null(strstr(resolve("{\"Fn::GetAtt\":\"Queue.Nope\"}"), "does not support attribute type Nope"));
    assert_non_null(strstr(resolve("{\"Fn::GetAtt\":\"Other.Arn\"}"), "undefined resource Other"));
}

static void test_sub(void **state)
{
    (void)state;
    assert_string_equal(resolve("{\"Fn::Sub\":\"${AWS::Region}-${Env}-${Queue}\"}"), "\"eu-west-1-prod-https://q/1\"");
    assert_string_equal(resolve("{\"Fn::Sub\":\"${Queue.Arn}\"}"), "\"arn:aws:sqs:eu-west-1:123456789012:q1\"");
    assert_string_equal(resolve("{\"Fn::Sub\":\"${!Literal} and ${Env}\"}"), "\"${Literal} and prod\"");
    assert_string_equal(resolve("{\"Fn::Sub\":[\"${X}-${Env}\",{\"X\":{\"Ref\":\"Size\"}}]}"), "\"3-prod\"");
    assert_string_equal(resolve("{\"Fn::Sub\":[\"${Env}\",{\"Env\":\"override\"}]}"), "\"override\"");
    assert_string_equal(resolve("{\"Fn::Sub\":\"no vars\"}"), "\"no vars\"");
}

static void test_join_select_split(void **state)
{
    (void)state;
    assert_string_equal(resolve("{\"Fn::Join\":[\",\",[\"a\",{\"Ref\":\"Env\"},3]]}"), "\"a,prod,3\"");
    assert_string_equal(resolve("{\"Fn::Join\":[\"-\",{\"Ref\":\"Names\"}]}"), "\"a-b\"");
    assert_string_equal(resolve("{\"Fn::Join\":[\"\",[]]}"), "\"\"");
    assert_string_equal(resolve("{\"Fn::Select\":[\"1\",[\"x\",\"y\"]]}"), "\"y\"");
    assert_string_equal(resolve("{\"Fn::Select\":[0,{\"Ref\":\"Names\"}]}"), "\"a\"");
    assert_non_null(strstr(resolve("{\"Fn::Select\":[5,[\"x\"]]}"), "ERROR"));
    /* An index beyond int's range is out of range, not wrapped around to 0. */
    assert_non_null(strstr(resolve("{\"Fn::Select\":[\"4294967296\",[\"x\"]]}"), "ERROR"));
    assert_string_equal(resolve("{\"Fn::Split\":[\",\",\"a,b,,c\"]}"), "[\"a\",\"b\",\"\",\"c\"]");
    assert_string_equal(resolve("{\"Fn::Select\":[2,{\"Fn::Split\":[\":\",{\"Fn::GetAtt\":\"Queue.Arn\"}]}]}"), "\"sqs\"");
    assert_non_null(strstr(resolve("{\"Fn::Join\":[\",\",\"notalist\"]}"), "ERROR"));
}

static void test_base64_map_azs_import(void **state)
{
    (void)state;
    assert_string_equal(resolve("{\"Fn::Base64\":\"hello\"}"), "\"aGVsbG8=\"");
    assert_string_equal(resolve("{\"Fn::Base64\":\"hi\"}"), "\"aGk=\"");
    assert_string_equal(resolve("{\"Fn::FindInMap\":[\"Regions\",{\"Ref\":\"AWS::Region\"},\"Ami\"]}"), "\"ami-1\"");
    assert_string_equal(resolve("{\"Fn::FindInMap\":[\"Regions\",\"eu-west-1\",\"Sizes\"]}"), "[\"s\",\"m\"]");
    assert_non_null(strstr(resolve("{\"Fn::FindInMap\":[\"Regions\",\"us-east-1\",\"Ami\"]}"), "ERROR"));
    assert_string_equal(resolve("{\"Fn::GetAZs\":\"\"}"), "[\"eu-west-1a\",\"eu-west-1b\",\"eu-west-1c\"]");
    assert_string_equal(resolve("{\"Fn::GetAZs\":{\"Ref\":\"AWS::Region\"}}"), "[\"eu-west-1a\",\"eu-west-1b\",\"eu-west-1c\"]");
    assert_non_null(strstr(resolve("{\"Fn::ImportValue\":\"missing\"}"), "No export named missing found"));
    assert_non_null(strstr(resolve("{\"Fn::Cidr\":[\"10.0.0.0/16\",1,8]}"), "not supported"));
}

static void test_if(void **state)
{
    (void)state;
    assert_string_equal(resolve("{\"Fn::If\":[\"IsProd\",\"big\",\"small\"]}"), "\"big\"");
    assert_string_equal(resolve("{\"Fn::If\":[\"IsDev\",\"big\",{\"Ref\":\"Env\"}]}"), "\"prod\"");
    assert_non_null(strstr(resolve("{\"Fn::If\":[\"Nope\",1,2]}"), "ERROR"));
}

static cJSON *conditions(const char *decls, const char *params, cfn_error *err)
{
    cJSON *d = parse(decls), *p = parse(params);
    cfn_eval ev = {.ctx = &ctx, .params = p};
    cJSON *out = cfn_conditions_eval(&ev, d, err);
    cJSON_Delete(d);
    cJSON_Delete(p);
    return out;
}

static void test_conditions(void **state)
{
    (void)state;
    cfn_error err = {0};
    cJSON *c = conditions("{\"IsProd\":{\"Fn::Equals\":[{\"Ref\":\"Env\"},\"prod\"]},"
                          "\"NotProd\":{\"Fn::Not\":[{\"Condition\":\"IsProd\"}]},"
                          "\"Both\":{\"Fn::And\":[{\"Condition\":\"IsProd\"},{\"Fn::Equals\":[\"1\",1]}]},"
                          "\"Either\":{\"Fn::Or\":[{\"Condition\":\"NotProd\"},{\"Condition\":\"Later\"}]},"
                          "\"Later\":{\"Fn::Equals\":[{\"Ref\":\"AWS::Region\"},\"eu-west-1\"]},"
                          "\"Neither\":{\"Fn::And\":[{\"Condition\":\"NotProd\"},{\"Condition\":\"Later\"}]}}",
                          "{\"Env\":\"prod\"}", &err);
    assert_non_null(c);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c, "IsProd")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(c, "NotProd")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c, "Both")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c, "Either")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c, "Later")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(c, "Neither")));
    cJSON_Delete(c);
    assert_null(conditions("{\"A\":{\"Condition\":\"B\"},\"B\":{\"Condition\":\"A\"}}", "{}", &err));
    assert_non_null(strstr(err.message, "circular"));
    assert_null(conditions("{\"A\":{\"Fn::And\":[{\"Condition\":\"B\"}]},\"B\":true}", "{}", &err));
    assert_null(conditions("{\"A\":{\"Condition\":\"Missing\"}}", "{}", &err));
    assert_null(conditions("{\"A\":\"maybe\"}", "{}", &err));
}

static bool params(const char *decls, const char *given, char *out, size_t size)
{
    cJSON *d = parse(decls), *g = parse(given), *raw = NULL, *typed = NULL;
    cfn_error err = {0};
    bool ok = cfn_params_resolve(d, g, NULL, &raw, &typed, &err);
    char *p = ok ? cJSON_PrintUnformatted(typed) : NULL;
    snprintf(out, size, "%s", ok ? p : err.message);
    free(p);
    cJSON_Delete(d);
    cJSON_Delete(g);
    cJSON_Delete(raw);
    cJSON_Delete(typed);
    return ok;
}

static void test_parameters(void **state)
{
    (void)state;
    char out[1100];
    assert_true(params("{\"A\":{\"Type\":\"String\",\"Default\":\"x\"},\"N\":{\"Type\":\"Number\"},"
                       "\"L\":{\"Type\":\"CommaDelimitedList\",\"Default\":\"a,b\"},\"LN\":{\"Type\":\"List<Number>\"}}",
                       "[{\"ParameterKey\":\"N\",\"ParameterValue\":\"5\"},{\"ParameterKey\":\"LN\",\"ParameterValue\":\"1,2\"}]",
                       out, sizeof out));
    assert_string_equal(out, "{\"A\":\"x\",\"N\":\"5\",\"L\":[\"a\",\"b\"],\"LN\":[\"1\",\"2\"]}");
    assert_false(params("{\"A\":{\"Type\":\"String\"},\"B\":{\"Type\":\"String\"}}", "[]", out, sizeof out));
    assert_string_equal(out, "Parameters: [A, B] must have values");
    assert_false(params("{\"A\":{\"Type\":\"String\",\"Default\":\"x\"}}",
                        "[{\"ParameterKey\":\"Z\",\"ParameterValue\":\"1\"}]", out, sizeof out));
    assert_string_equal(out, "Parameters: [Z] do not exist in the template");
    assert_false(params("{\"N\":{\"Type\":\"Number\"}}", "[{\"ParameterKey\":\"N\",\"ParameterValue\":\"x\"}]", out,
                        sizeof out));
    assert_string_equal(out, "Parameter 'N' must be a number.");
    assert_false(params("{\"E\":{\"Type\":\"String\",\"AllowedValues\":[\"dev\",\"prod\"]}}",
                        "[{\"ParameterKey\":\"E\",\"ParameterValue\":\"test\"}]", out, sizeof out));
    assert_string_equal(out, "Parameter 'E' must be one of AllowedValues");
    assert_false(params("{\"E\":{\"Type\":\"String\",\"AllowedPattern\":\"[a-z]+\"}}",
                        "[{\"ParameterKey\":\"E\",\"ParameterValue\":\"A1\"}]", out, sizeof out));
    assert_string_equal(out, "Parameter 'E' must match pattern [a-z]+");
    assert_false(params("{\"E\":{\"Type\":\"String\",\"MaxLength\":2,\"ConstraintDescription\":\"short\"}}",
                        "[{\"ParameterKey\":\"E\",\"ParameterValue\":\"abc\"}]", out, sizeof out));
    assert_string_equal(out, "Parameter 'E' failed to satisfy constraint: short");
    assert_false(params("{\"E\":{\"Type\":\"String\",\"MinLength\":\"2\"}}",
                        "[{\"ParameterKey\":\"E\",\"ParameterValue\":\"a\"}]", out, sizeof out));
    assert_false(params("{\"N\":{\"Type\":\"Number\",\"MaxValue\":10}}",
                        "[{\"ParameterKey\":\"N\",\"ParameterValue\":\"11\"}]", out, sizeof out));
    assert_string_equal(out, "Parameter 'N' must be a number not greater than 10");
    assert_false(params("{\"N\":{\"Type\":\"Number\",\"MinValue\":1}}",
                        "[{\"ParameterKey\":\"N\",\"ParameterValue\":\"0\"}]", out, sizeof out));
    assert_false(params("{\"S\":{\"Type\":\"AWS::SSM::Parameter::Value<String>\",\"Default\":\"/x\"}}", "[]", out,
                        sizeof out));
    assert_non_null(strstr(out, "not supported"));
    assert_false(params("{\"S\":{\"Type\":\"Strung\",\"Default\":\"x\"}}", "[]", out, sizeof out));
    /* NoEcho values are masked in Describe output. */
    cJSON *d = parse("{\"P\":{\"Type\":\"String\",\"NoEcho\":true},\"Q\":{\"Type\":\"String\"}}");
    cJSON *raw = parse("{\"P\":\"secret\",\"Q\":\"open\"}");
    cJSON *desc = cfn_params_describe(d, raw);
    char *p = cJSON_PrintUnformatted(desc);
    assert_string_equal(p, "[{\"ParameterKey\":\"P\",\"ParameterValue\":\"****\"},"
                           "{\"ParameterKey\":\"Q\",\"ParameterValue\":\"open\"}]");
    free(p);
    cJSON_Delete(desc);
    cJSON_Delete(d);
    cJSON_Delete(raw);
}

static char *order(const char *resources)
{
    static char out[1100];
    cJSON *r = parse(resources);
    cfn_error err = {0};
    cJSON *o = cfn_deps_order(r, NULL, NULL, NULL, &err);
    char *p = o ? cJSON_PrintUnformatted(o) : NULL;
    snprintf(out, sizeof out, "%s", o ? p : err.message);
    free(p);
    cJSON_Delete(o);
    cJSON_Delete(r);
    return out;
}

static void test_order(void **state)
{
    (void)state;
    assert_string_equal(order("{\"A\":{\"Type\":\"T\",\"Properties\":{\"X\":{\"Ref\":\"B\"}}},"
                              "\"B\":{\"Type\":\"T\",\"Properties\":{\"X\":{\"Fn::Sub\":\"${C.Arn}\"}}},"
                              "\"C\":{\"Type\":\"T\"},\"D\":{\"Type\":\"T\",\"DependsOn\":[\"A\"]}}"),
                        "[\"C\",\"B\",\"A\",\"D\"]");
    assert_string_equal(order("{\"A\":{\"Type\":\"T\",\"Properties\":{\"X\":{\"Fn::GetAtt\":[\"B\",\"Arn\"]}}},"
                              "\"B\":{\"Type\":\"T\",\"DependsOn\":\"A\"}}"),
                        "Circular dependency between resources: [A, B]");
    assert_string_equal(order("{\"A\":{\"Type\":\"T\",\"DependsOn\":\"A\"}}"),
                        "Circular dependency between resources: [A]");
    assert_string_equal(order("{\"A\":{\"Type\":\"T\",\"Properties\":{\"X\":{\"Fn::GetAtt\":[\"A\",\"Arn\"]}}}}"),
                        "Circular dependency between resources: [A]");
    assert_string_equal(order("{\"A\":{\"Type\":\"T\",\"Properties\":{\"X\":{\"Ref\":\"Gone\"}}}}"),
                        "Template format error: Unresolved resource dependencies [Gone] in the Resources block of "
                        "the template");
    assert_string_equal(order("{\"A\":{\"Type\":\"T\",\"Properties\":{\"X\":{\"Fn::Sub\":\"${!Lit}${AWS::Region}\"}}}}"),
                        "[\"A\"]");
}

/* A value referenced over and over copies at most CFN_TEMPLATE_MAX bytes in: a small
 * template cannot make a huge value. */
static void test_copy_bound(void **state)
{
    (void)state;
    const char *ref = "{\"Ref\":\"Env\"},";
    size_t n = 300000;
    char *text = malloc(n * strlen(ref) + 64);
    char *w = text + sprintf(text, "{\"Fn::Join\":[\"\",[");
    for (size_t i = 0; i < n; i++)
        w += sprintf(w, "%s", ref);
    sprintf(w - 1, "]]}");
    assert_non_null(strstr(resolve(text), "ERROR: Template error: a value's intrinsic functions copy more than"));
    sprintf(text + strlen("{\"Fn::Join\":[\"\",[") + 300 * strlen(ref) - 1, "]]}");
    assert_int_equal(strlen(resolve(text)), 1200 + 2);
    free(text);
}

/* 500 resources, each depending on every later one (listed latest first): ordered in well
 * under the seconds a name lookup in every round took (about a minute). */
static void test_order_dense(void **state)
{
    (void)state;
    int n = 500;
    cJSON *r = cJSON_CreateObject();
    for (int k = 0; k < n; k++) {
        char id[16];
        snprintf(id, sizeof id, "A%d", k);
        cJSON *res = cJSON_AddObjectToObject(r, id);
        cJSON_AddStringToObject(res, "Type", "T");
        cJSON *dep = cJSON_AddArrayToObject(res, "DependsOn");
        for (int j = n - 1; j > k; j--) {
            snprintf(id, sizeof id, "A%d", j);
            cJSON_AddItemToArray(dep, cJSON_CreateString(id));
        }
    }
    clock_t start = clock();
    cfn_error err = {0};
    cJSON *o = cfn_deps_order(r, NULL, NULL, NULL, &err);
    double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
    assert_non_null(o);
    assert_int_equal(cJSON_GetArraySize(o), n);
    assert_string_equal(cJSON_GetArrayItem(o, 0)->valuestring, "A499");
    assert_string_equal(cJSON_GetArrayItem(o, n - 1)->valuestring, "A0");
    assert_true(seconds < 15.0);
    cJSON_Delete(o);
    cJSON_Delete(r);
}

static void test_template_checks(void **state)
{
    (void)state;
    const char *bad[][2] = {
        {"{\"Resources\":{}}", "At least one Resources member must be defined."},
        {"{\"Foo\":1,\"Resources\":{\"A\":{\"Type\":\"T\"}}}", "Invalid template property or properties [Foo]"},
        {"{\"Resources\":{\"A-b\":{\"Type\":\"T\"}}}", "Resource name A-b is non alphanumeric."},
        {"{\"Resources\":{\"A\":{\"Properties\":{}}}}", "Every Resources object must contain a Type member."},
        {"{\"AWSTemplateFormatVersion\":\"2011-01-01\",\"Resources\":{\"A\":{\"Type\":\"T\"}}}", "Unsupported"},
        {"{\"Resources\":", "JSON not well-formed"},
        {"Resources: {}", "At least one Resources member must be defined."},
        {"Resources: [", "YAML not well-formed"},
        /* A NUL would cut a string short; other control characters cannot be written in XML. */
        {"{\"Resources\":{\"A\":{\"Type\":\"T\",\"Properties\":{\"N\":\"a\\u0000b\"}}}}", "\\u0000 escape"},
        {"{\"Resources\":{\"A\":{\"Type\":\"T\\u0001\"}}}", "control character"},
        {"{\"Resources\":{\"A\":{\"Type\":\"T\",\"Properties\":{\"N\\u001f\":1}}}}", "control character"},
        {"Resources:\n  A:\n    Type: \"T\\x01\"\n", "control character"},
        {"{\"Resources\":{\"A\":{\"Type\":\"T\"},\"A\":{\"Type\":\"T\"}}}", "the member A is given more than once"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfn_error err = {0};
        cJSON *t = cfn_template_parse(bad[i][0], strlen(bad[i][0]), &err);
        bool ok = t && cfn_template_check(t, &err);
        cJSON_Delete(t);
        assert_false(ok);
        assert_int_equal(err.kind, CFN_ERR_VALIDATION);
        assert_non_null(strstr(err.message, bad[i][1]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref),       cmocka_unit_test(test_novalue),
        cmocka_unit_test(test_getatt),    cmocka_unit_test(test_sub),
        cmocka_unit_test(test_join_select_split), cmocka_unit_test(test_base64_map_azs_import),
        cmocka_unit_test(test_if),        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_parameters), cmocka_unit_test(test_order),
        cmocka_unit_test(test_template_checks), cmocka_unit_test(test_copy_bound), cmocka_unit_test(test_order_dense),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
