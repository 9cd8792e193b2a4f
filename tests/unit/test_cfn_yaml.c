/* test_cfn_yaml: YAML templates into CloudFormation's long JSON form (src/cfn/yaml.c):
 * every short-form tag, both !GetAtt forms, nested tags, long forms written by hand,
 * scalars staying strings, block scalars, errors with their line and column, and hostile
 * inputs (deep nesting, aliases, binary bytes, NUL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/cfn/template.h"

static cJSON *parse_ok(const char *text)
{
    cfn_error err = {0};
    cJSON *doc = cfn_yaml_parse(text, strlen(text), &err);
    if (!doc)
        print_error("rejected:\n%s\n-> %s\n", text, err.message);
    assert_non_null(doc);
    return doc;
}

/* Parses text and compares the result with the JSON text expected. */
static void assert_yaml_json(const char *text, const char *expected_json)
{
    cJSON *doc = parse_ok(text);
    cJSON *want = cJSON_Parse(expected_json);
    assert_non_null(want);
    if (!cJSON_Compare(doc, want, true)) {
        char *got = cJSON_PrintUnformatted(doc);
        print_error("yaml:\n%s\ngot:  %s\nwant: %s\n", text, got, expected_json);
        free(got);
        fail();
    }
    cJSON_Delete(doc);
    cJSON_Delete(want);
}

static void assert_rejected_len(const char *text, size_t len, const char *message)
{
    cfn_error err = {0};
    cJSON *doc = cfn_yaml_parse(text, len, &err);
    if (doc) {
        char *got = cJSON_PrintUnformatted(doc);
        print_error("accepted:\n%.*s\n-> %s\n", (int)len, text, got);
        free(got);
        cJSON_Delete(doc);
        fail();
    }
    assert_int_equal(err.kind, CFN_ERR_VALIDATION);
    if (!strstr(err.message, message))
        print_error("message %s does not hold %s\n", err.message, message);
    assert_non_null(strstr(err.message, message));
}

static void assert_rejected(const char *text, const char *message)
{
    assert_rejected_len(text, strlen(text), message);
}

static void test_every_tag(void **state)
{
    (void)state;
    assert_yaml_json("A: !Ref Queue\n", "{\"A\":{\"Ref\":\"Queue\"}}");
    assert_yaml_json("A: !Sub '${AWS::StackName}-q'\n", "{\"A\":{\"Fn::Sub\":\"${AWS::StackName}-q\"}}");
    assert_yaml_json("A: !Sub ['${X}-q', {X: !Ref Y}]\n",
                     "{\"A\":{\"Fn::Sub\":[\"${X}-q\",{\"X\":{\"Ref\":\"Y\"}}]}}");
    assert_yaml_json("A: !Join [',', [a, b]]\n", "{\"A\":{\"Fn::Join\":[\",\",[\"a\",\"b\"]]}}");
    assert_yaml_json("A: !If [C, x, y]\n", "{\"A\":{\"Fn::If\":[\"C\",\"x\",\"y\"]}}");
    assert_yaml_json("A: !Equals [a, b]\n", "{\"A\":{\"Fn::Equals\":[\"a\",\"b\"]}}");
    assert_yaml_json("A: !Not [!Condition C]\n", "{\"A\":{\"Fn::Not\":[{\"Condition\":\"C\"}]}}");
    assert_yaml_json("A: !And [!Condition C, !Condition D]\n",
                     "{\"A\":{\"Fn::And\":[{\"Condition\":\"C\"},{\"Condition\":\"D\"}]}}");
    assert_yaml_json("A: !Or [!Condition C, !Equals [a, b]]\n",
                     "{\"A\":{\"Fn::Or\":[{\"Condition\":\"C\"},{\"Fn::Equals\":[\"a\",\"b\"]}]}}");
    assert_yaml_json("A: !Select [0, !GetAZs '']\n", "{\"A\":{\"Fn::Select\":[\"0\",{\"Fn::GetAZs\":\"\"}]}}");
    assert_yaml_json("A: !Split [',', 'a,b']\n", "{\"A\":{\"Fn::Split\":[\",\",\"a,b\"]}}");
    assert_yaml_json("A: !FindInMap [M, K, V]\n", "{\"A\":{\"Fn::FindInMap\":[\"M\",\"K\",\"V\"]}}");
    assert_yaml_json("A: !ImportValue shared-queue-arn\n", "{\"A\":{\"Fn::ImportValue\":\"shared-queue-arn\"}}");
    assert_yaml_json("A: !Base64 text\n", "{\"A\":{\"Fn::Base64\":\"text\"}}");
    assert_yaml_json("A: !GetAZs\n", "{\"A\":{\"Fn::GetAZs\":\"\"}}");
    assert_yaml_json("A: !Cidr ['10.0.0.0/16', 6, 5]\n", "{\"A\":{\"Fn::Cidr\":[\"10.0.0.0/16\",\"6\",\"5\"]}}");
    assert_yaml_json("A: !Condition IsProd\n", "{\"A\":{\"Condition\":\"IsProd\"}}");
    assert_yaml_json("A: !Transform {Name: M, Parameters: {P: v}}\n",
                     "{\"A\":{\"Fn::Transform\":{\"Name\":\"M\",\"Parameters\":{\"P\":\"v\"}}}}");
}

static void test_getatt_forms(void **state)
{
    (void)state;
    assert_yaml_json("A: !GetAtt Queue.Arn\n", "{\"A\":{\"Fn::GetAtt\":[\"Queue\",\"Arn\"]}}");
    assert_yaml_json("A: !GetAtt [Queue, Arn]\n", "{\"A\":{\"Fn::GetAtt\":[\"Queue\",\"Arn\"]}}");
    assert_yaml_json("A: !GetAtt Child.Outputs.QueueARN\n",
                     "{\"A\":{\"Fn::GetAtt\":[\"Child\",\"Outputs.QueueARN\"]}}");
    assert_yaml_json("A: !GetAtt\n  - Queue\n  - Arn\n", "{\"A\":{\"Fn::GetAtt\":[\"Queue\",\"Arn\"]}}");
    assert_yaml_json("A: !GetAtt Queue\n", "{\"A\":{\"Fn::GetAtt\":[\"Queue\"]}}");
}

static void test_nested_tags(void **state)
{
    (void)state;
    assert_yaml_json("A: !Join ['', [!Sub '${AWS::Region}', '-', !Ref Q]]\n",
                     "{\"A\":{\"Fn::Join\":[\"\",[{\"Fn::Sub\":\"${AWS::Region}\"},\"-\",{\"Ref\":\"Q\"}]]}}");
    assert_yaml_json("A: !If [IsProd, !Ref Big, !Ref AWS::NoValue]\n",
                     "{\"A\":{\"Fn::If\":[\"IsProd\",{\"Ref\":\"Big\"},{\"Ref\":\"AWS::NoValue\"}]}}");
    assert_yaml_json("A: !Select\n  - 1\n  - !Split\n    - ','\n    - !ImportValue list\n",
                     "{\"A\":{\"Fn::Select\":[\"1\",{\"Fn::Split\":[\",\",{\"Fn::ImportValue\":\"list\"}]}]}}");
    assert_yaml_json("A: !Base64 {Fn::Sub: 'x${Y}'}\n", "{\"A\":{\"Fn::Base64\":{\"Fn::Sub\":\"x${Y}\"}}}");
}

static void test_long_forms_by_hand(void **state)
{
    (void)state;
    assert_yaml_json("Resources:\n"
                     "  Map:\n"
                     "    Type: AWS::Lambda::EventSourceMapping\n"
                     "    Properties:\n"
                     "      BatchSize: 1\n"
                     "      Enabled: True\n"
                     "      EventSourceArn:\n"
                     "        Fn::GetAtt: [Q, Arn]\n"
                     "      FunctionName:\n"
                     "        Ref: F\n",
                     "{\"Resources\":{\"Map\":{\"Type\":\"AWS::Lambda::EventSourceMapping\",\"Properties\":"
                     "{\"BatchSize\":\"1\",\"Enabled\":\"True\",\"EventSourceArn\":{\"Fn::GetAtt\":[\"Q\",\"Arn\"]},"
                     "\"FunctionName\":{\"Ref\":\"F\"}}}}}");
    /* The long form with the dotted string stays as written: the engine reads it. */
    assert_yaml_json("A:\n  Fn::GetAtt: Child.Outputs.X\n", "{\"A\":{\"Fn::GetAtt\":\"Child.Outputs.X\"}}");
}

static void test_scalars_stay_strings(void **state)
{
    (void)state;
    assert_yaml_json("a: 1\nb: 1.5\nc: true\nd: False\ne: yes\nf: 0x1F\ng: 1e3\nh: '007'\ni: -2\n",
                     "{\"a\":\"1\",\"b\":\"1.5\",\"c\":\"true\",\"d\":\"False\",\"e\":\"yes\",\"f\":\"0x1F\","
                     "\"g\":\"1e3\",\"h\":\"007\",\"i\":\"-2\"}");
    assert_yaml_json("a: \"double \\t \\u00e9\"\nb: 'single ''q'''\nc: !!str 5\nd: !!int 7\n",
                     "{\"a\":\"double \\t \\u00e9\",\"b\":\"single 'q'\",\"c\":\"5\",\"d\":\"7\"}");
    assert_yaml_json("a:\nb: ~\nc: null\nd: ''\ne: 'null'\n",
                     "{\"a\":null,\"b\":null,\"c\":null,\"d\":\"\",\"e\":\"null\"}");
    assert_yaml_json("- 2010-09-09\n- 12:30\n", "[\"2010-09-09\",\"12:30\"]");
}

static void test_block_and_flow_styles(void **state)
{
    (void)state;
    assert_yaml_json("# a comment\n"
                     "Outer: # trailing comment\n"
                     "  List:\n"
                     "    - a\n"
                     "    - {k: v, l: [1, 2]}\n"
                     "  Flow: {x: [y, z]}  # another\n",
                     "{\"Outer\":{\"List\":[\"a\",{\"k\":\"v\",\"l\":[\"1\",\"2\"]}],\"Flow\":{\"x\":[\"y\",\"z\"]}}}");
    assert_yaml_json("---\nA: b\n...\n", "{\"A\":\"b\"}");
    assert_yaml_json("{\"json\": [\"as\", \"yaml\"]}", "{\"json\":[\"as\",\"yaml\"]}");
}

static void test_block_scalars(void **state)
{
    (void)state;
    assert_yaml_json("Code:\n"
                     "  ZipFile: |\n"
                     "    def handler(event, context):\n"
                     "        return {'ok': True}\n"
                     "\n"
                     "    # done\n"
                     "Next: x\n",
                     "{\"Code\":{\"ZipFile\":\"def handler(event, context):\\n    return {'ok': True}\\n\\n# done\\n\"},"
                     "\"Next\":\"x\"}");
    assert_yaml_json("A: >\n  folded\n  text\n\n  para\nB: |-\n  strip\nC: |+\n  keep\n\n",
                     "{\"A\":\"folded text\\npara\\n\",\"B\":\"strip\",\"C\":\"keep\\n\\n\"}");
    assert_yaml_json("A: !Sub |\n  echo ${AWS::Region}\n  done\n",
                     "{\"A\":{\"Fn::Sub\":\"echo ${AWS::Region}\\ndone\\n\"}}");
}

static void test_errors_name_line_and_column(void **state)
{
    (void)state;
    assert_rejected("A: b\nB: [unclosed\n", "Template format error: YAML not well-formed. (line ");
    assert_rejected("A: b\n  c: d\n", "Template format error: YAML not well-formed. (line 2, column 4)");
    assert_rejected("A: 1\nB: 2\nA: 3\n", "Template format error: YAML not well-formed. (line 3, column 1)");
    assert_rejected("R:\n  P:\n    X: 1\n    X: 2\n", "(line 4, column 5)");
    assert_rejected("A: !Bogus x\n", "(line 1, column 4)");
    assert_rejected("A: \"bad \\q escape\"\n", "YAML not well-formed");
    assert_rejected("", "YAML not well-formed. (line 1, column 1)");
    assert_rejected("---\nA: 1\n---\nB: 2\n", "(line 3, column 1)");
    assert_rejected("? [complex, key]\n: v\n", "(line 1, column 3)");
    assert_rejected("!Ref k: v\n", "(line 1, column 1)");
    assert_rejected("A:\n\t- tab\n", "YAML not well-formed");
}

static void test_aliases_refused(void **state)
{
    (void)state;
    assert_rejected("A: &x 1\nB: *x\n", "YAML aliases are not allowed in CloudFormation templates");
    assert_rejected("A: &x [1]\n*x : v\n", "YAML aliases are not allowed");
    /* A billion laughs: refused at the first alias, nothing is expanded. */
    assert_rejected("a: &a [x, x, x, x, x, x, x, x, x]\n"
                    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                    "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
                    "YAML aliases are not allowed");
    /* An anchor alone is harmless (CloudFormation accepts it). */
    assert_yaml_json("A: &x {k: v}\n", "{\"A\":{\"k\":\"v\"}}");
}

static void test_hostile_inputs(void **state)
{
    (void)state;
    char deep[4096];
    size_t n = 0;
    for (int i = 0; i < 200; i++)
        deep[n++] = '[';
    for (int i = 0; i < 200; i++)
        deep[n++] = ']';
    deep[n] = '\0';
    assert_rejected(deep, "(line 1, column 65)");

    /* 63 levels under the top mapping are accepted. */
    n = 0;
    n += (size_t)snprintf(deep + n, sizeof deep - n, "A: ");
    for (int i = 0; i < 63; i++)
        deep[n++] = '[';
    for (int i = 0; i < 63; i++)
        deep[n++] = ']';
    deep[n] = '\0';
    cJSON *doc = parse_ok(deep);
    cJSON_Delete(doc);

    static char indented[16384];
    n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(indented + n, sizeof indented - n, "%*sk:\n", i * 2, "");
    assert_true(n < sizeof indented);
    assert_rejected(indented, "(line 65, column 129)");

    static const char binary[] = "A: \x01\x02\xff\xfe\n";
    assert_rejected_len(binary, sizeof binary - 1, "YAML not well-formed");
    static const char nul[] = "A: b\0c\n";
    assert_rejected_len(nul, sizeof nul - 1, "YAML not well-formed");
    assert_rejected("A: \"escaped \\0 nul\"\n", "(line 1, column 4)");
    static const char bad_utf8[] = "A: \xc3\x28\n";
    assert_rejected_len(bad_utf8, sizeof bad_utf8 - 1, "YAML not well-formed");

    char *big = malloc(CFN_TEMPLATE_MAX + 2);
    assert_non_null(big);
    memset(big, 'a', CFN_TEMPLATE_MAX + 1);
    big[CFN_TEMPLATE_MAX + 1] = '\0';
    assert_rejected(big, "Template format error");
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_tag),
        cmocka_unit_test(test_getatt_forms),
        cmocka_unit_test(test_nested_tags),
        cmocka_unit_test(test_long_forms_by_hand),
        cmocka_unit_test(test_scalars_stay_strings),
        cmocka_unit_test(test_block_and_flow_styles),
        cmocka_unit_test(test_block_scalars),
        cmocka_unit_test(test_errors_name_line_and_column),
        cmocka_unit_test(test_aliases_refused),
        cmocka_unit_test(test_hostile_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
