/* test_query: unit tests for form decoding, XML escaping, the shapes table's JSON type
 * checker and the query-protocol codec (request unflattening, XML results and errors). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sqsemu/buf.h"
#include "sqsemu/form.h"
#include "sqsemu/sqs_error.h"
#include "sqsemu/sqs_query.h"
#include "sqsemu/sqs_shapes.h"
#include "sqsemu/xml.h"

#define XML_PROLOG "<?xml version=\"1.0\"?>"
#define XMLNS "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\""
#define METADATA "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"

/* ------------------------------------------------------------------ helpers */

static void parse_form(form_params *p, const char *text)
{
    form_params_init(p);
    assert_true(form_parse(p, text, strlen(text)));
}

static void assert_param(const form_params *p, const char *name, const char *value)
{
    const form_param *found = form_find(p, name);
    assert_non_null(found);
    assert_int_equal(found->value_len, strlen(value));
    assert_memory_equal(found->value, value, found->value_len);
    assert_int_equal(found->value[found->value_len], '\0');
}

static void assert_json_equal(const cJSON *actual, const char *expected_text)
{
    cJSON *expected = cJSON_Parse(expected_text);
    assert_non_null(expected);
    if (!cJSON_Compare(actual, expected, true)) {
        char *printed = cJSON_PrintUnformatted(actual);
        print_error("expected %s\n     got %s\n", expected_text, printed ? printed : "(null)");
        free(printed);
        cJSON_Delete(expected);
        fail();
    }
    cJSON_Delete(expected);
}

static void assert_decodes(const char *action, const char *form, const char *expected_json)
{
    form_params p;
    parse_form(&p, form);
    sqs_error err = {0};
    cJSON *input = sqs_query_decode(action, &p, &err);
    if (!input)
        print_error("decode failed: %s\n", err.message);
    assert_non_null(input);
    assert_json_equal(input, expected_json);
    cJSON_Delete(input);
    form_params_free(&p);
}

static void assert_decode_fails(const char *action, const char *form, sqs_err_kind kind, const char *message)
{
    form_params p;
    parse_form(&p, form);
    sqs_error err = {0};
    cJSON *input = sqs_query_decode(action, &p, &err);
    assert_null(input);
    assert_int_equal(err.kind, kind);
    if (message)
        assert_string_equal(err.message, message);
    form_params_free(&p);
}

static void assert_json_accepted(const char *action, const char *json)
{
    cJSON *input = cJSON_Parse(json);
    assert_non_null(input);
    sqs_error err = {0};
    bool ok = sqs_shapes_check_json(action, input, &err);
    if (!ok)
        print_error("rejected %s: %s\n", json, err.message);
    assert_true(ok);
    cJSON_Delete(input);
}

static void assert_json_rejected_with(const char *action, const char *json, const char *expected)
{
    cJSON *input = cJSON_Parse(json);
    assert_non_null(input);
    sqs_error err = {0};
    assert_false(sqs_shapes_check_json(action, input, &err));
    assert_int_equal(err.kind, SQS_ERR_SERIALIZATION);
    assert_string_equal(err.message, expected);
    cJSON_Delete(input);
}

static void assert_json_rejected(const char *action, const char *json, const char *member)
{
    char expected[256];
    snprintf(expected, sizeof expected, "Unexpected value type for member %s", member);
    assert_json_rejected_with(action, json, expected);
}

/* AWS's recorded text for a string where an integer is modelled. */
#define NOT_AN_INTEGER "STRING_VALUE can not be converted to an Integer"

static void assert_result_xml(const char *action, const char *result_json, const char *expected_result)
{
    cJSON *result = result_json ? cJSON_Parse(result_json) : NULL;
    if (result_json)
        assert_non_null(result);
    size_t len = 0;
    char *xml = sqs_query_encode_result(action, result, "req-1", &len);
    char expected[8192];
    snprintf(expected, sizeof expected, XML_PROLOG "<%sResponse " XMLNS ">%s" METADATA "</%sResponse>", action,
             expected_result, action);
    assert_string_equal(xml, expected);
    assert_int_equal(len, strlen(xml));
    free(xml);
    cJSON_Delete(result);
}

static void assert_error_xml(const sqs_error *err, const char *expected_error)
{
    size_t len = 0;
    char *xml = sqs_query_encode_error(err, "req-9", &len);
    char expected[4096];
    snprintf(expected, sizeof expected,
             XML_PROLOG "<ErrorResponse " XMLNS "><Error>%s<Detail/></Error><RequestId>req-9</RequestId></ErrorResponse>",
             expected_error);
    assert_string_equal(xml, expected);
    assert_int_equal(len, strlen(xml));
    free(xml);
}

/* ------------------------------------------------------------------ form */

static void test_form_plus_and_percent(void **state)
{
    (void)state;
    form_params p;
    parse_form(&p, "a=x+y%20z&b=%41%62%2b&c%2Ed=%C3%A9&e=100%25");
    assert_int_equal(p.count, 4);
    assert_param(&p, "a", "x y z");
    assert_param(&p, "b", "Ab+");
    assert_param(&p, "c.d", "\xC3\xA9");
    assert_param(&p, "e", "100%");
    assert_null(form_find(&p, "A"));
    form_params_free(&p);
}

static void test_form_empty_pieces(void **state)
{
    (void)state;
    form_params p;
    parse_form(&p, "a&&b=&=orphan&c=x=y&");
    assert_int_equal(p.count, 3);
    assert_string_equal(p.items[0].name, "a");
    assert_param(&p, "a", "");
    assert_param(&p, "b", "");
    assert_param(&p, "c", "x=y");
    form_params_free(&p);

    form_params_init(&p);
    assert_true(form_parse(&p, NULL, 0));
    assert_true(form_parse(&p, "", 0));
    assert_int_equal(p.count, 0);
    form_params_free(&p);
}

static void test_form_bad_escapes(void **state)
{
    (void)state;
    const char *bad[] = {"a=%", "a=%4", "a=%4g", "a=%zz", "%g1=x", "a=1&b=%%41"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        form_params p;
        form_params_init(&p);
        assert_false(form_parse(&p, bad[i], strlen(bad[i])));
        form_params_free(&p);
    }
}

static void test_form_duplicates(void **state)
{
    (void)state;
    form_params p;
    parse_form(&p, "a=1&b=2&a=3&c=4&a=5");
    assert_int_equal(p.count, 3);
    assert_string_equal(p.items[0].name, "a");
    assert_string_equal(p.items[1].name, "b");
    assert_string_equal(p.items[2].name, "c");
    assert_param(&p, "a", "5");

    /* A body parsed after the query string wins. */
    const char *body = "b=body&d=new";
    assert_true(form_parse(&p, body, strlen(body)));
    assert_int_equal(p.count, 4);
    assert_param(&p, "b", "body");
    assert_param(&p, "d", "new");
    assert_param(&p, "a", "5");
    form_params_free(&p);
}

static void test_form_nul_bytes(void **state)
{
    (void)state;
    form_params p;
    parse_form(&p, "a=x%00y&b%00c=1&d=%00");
    assert_int_equal(p.count, 2); /* the name holding NUL is dropped */
    const form_param *a = form_find(&p, "a");
    assert_non_null(a);
    assert_int_equal(a->value_len, 3);
    assert_memory_equal(a->value, "x\0y", 3);
    assert_null(form_find(&p, "b"));
    const form_param *d = form_find(&p, "d");
    assert_int_equal(d->value_len, 1);
    assert_int_equal(d->value[0], '\0');
    form_params_free(&p);

    /* Raw NUL in the data (length-counted input). */
    form_params_init(&p);
    assert_true(form_parse(&p, "k=a\0b", 5));
    assert_int_equal(form_find(&p, "k")->value_len, 3);
    form_params_free(&p);
}

static void test_form_many_pairs(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    for (int i = 0; i < 20000; i++)
        buf_printf(&b, "%sk%d=%d", i ? "&" : "", i % 5000, i);
    form_params p;
    form_params_init(&p);
    assert_true(form_parse(&p, b.data, b.len));
    assert_int_equal(p.count, 5000);
    assert_string_equal(p.items[0].name, "k0");
    assert_param(&p, "k0", "15000");
    assert_param(&p, "k4999", "19999");
    form_params_free(&p);
    buf_free(&b);
}

/* ------------------------------------------------------------------ xml */

static void test_xml_escape(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    const char text[] = "a&b<c>d\"e\rf'g\nh\r\n";
    xml_escape(&b, text, sizeof text - 1);
    assert_string_equal(b.data, "a&amp;b&lt;c&gt;d&quot;e&#xD;f'g\nh&#xD;\n");
    buf_reset(&b);
    xml_escape(&b, "plain", 5);
    assert_string_equal(b.data, "plain");
    buf_reset(&b);
    xml_escape(&b, "&&", 2);
    assert_string_equal(b.data, "&amp;&amp;");
    buf_reset(&b);
    xml_text_element(&b, "Body", "<x>");
    xml_text_element(&b, "Empty", "");
    assert_string_equal(b.data, "<Body>&lt;x&gt;</Body><Empty></Empty>");
    buf_free(&b);
}

/* ------------------------------------------------------------------ query decoding */

static void test_decode_scalars_and_ignored(void **state)
{
    (void)state;
    assert_decodes("GetQueueUrl",
                   "Action=GetQueueUrl&Version=2012-11-05&QueueName=q1&QueueOwnerAWSAccountId=000000000000"
                   "&AWSAccessKeyId=AKID&Signature=x&Unknown=1&queuename=lower",
                   "{\"QueueName\":\"q1\",\"QueueOwnerAWSAccountId\":\"000000000000\"}");
    assert_decodes("ListQueues", "QueueNamePrefix=a+b&NextToken=tok&MaxResults=1000",
                   "{\"QueueNamePrefix\":\"a b\",\"NextToken\":\"tok\",\"MaxResults\":1000}");
    assert_decodes("DeleteQueue", "Action=DeleteQueue", "{}");
    assert_decodes("SendMessage", "MessageBody=", "{\"MessageBody\":\"\"}");
    assert_decodes("StartMessageMoveTask", "SourceArn=arn:a&DestinationArn=arn:b&MaxNumberOfMessagesPerSecond=50",
                   "{\"SourceArn\":\"arn:a\",\"DestinationArn\":\"arn:b\",\"MaxNumberOfMessagesPerSecond\":50}");
    assert_decodes("CancelMessageMoveTask", "TaskHandle=h", "{\"TaskHandle\":\"h\"}");
    assert_decodes("ListMessageMoveTasks", "SourceArn=s&MaxResults=10", "{\"SourceArn\":\"s\",\"MaxResults\":10}");
    assert_decodes("RemovePermission", "QueueUrl=u&Label=l", "{\"QueueUrl\":\"u\",\"Label\":\"l\"}");
    assert_decodes("DeleteMessage", "QueueUrl=u&ReceiptHandle=r%2B%2F%3D",
                   "{\"QueueUrl\":\"u\",\"ReceiptHandle\":\"r+/=\"}");
}

static void test_decode_integers(void **state)
{
    (void)state;
    assert_decodes("ReceiveMessage", "MaxNumberOfMessages=10&VisibilityTimeout=-1&WaitTimeSeconds=%2B3",
                   "{\"MaxNumberOfMessages\":10,\"VisibilityTimeout\":-1,\"WaitTimeSeconds\":3}");
    assert_decodes("ChangeMessageVisibility", "QueueUrl=u&ReceiptHandle=r&VisibilityTimeout=43200",
                   "{\"QueueUrl\":\"u\",\"ReceiptHandle\":\"r\",\"VisibilityTimeout\":43200}");
    /* Out of range is the service's business, not the decoder's. */
    assert_decodes("ReceiveMessage", "MaxNumberOfMessages=11", "{\"MaxNumberOfMessages\":11}");
}

static void test_decode_bad_integers(void **state)
{
    (void)state;
    assert_decode_fails("ReceiveMessage", "MaxNumberOfMessages=abc", SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value abc for parameter MaxNumberOfMessages is invalid. Reason: Must be an integer.");
    assert_decode_fails("ReceiveMessage", "WaitTimeSeconds=1.5", SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value 1.5 for parameter WaitTimeSeconds is invalid. Reason: Must be an integer.");
    assert_decode_fails("ReceiveMessage", "VisibilityTimeout=", SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value for parameter VisibilityTimeout is invalid. Reason: Must be an integer.");
    const char *bad[] = {"DelaySeconds=-", "DelaySeconds=1e3", "DelaySeconds=0x10", "DelaySeconds=5+",
                         "DelaySeconds=1%00", "DelaySeconds=99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_decode_fails("SendMessage", bad[i], SQS_ERR_INVALID_PARAMETER_VALUE, NULL);
    /* '+' in a form is a space: " 1" is not an integer. */
    assert_decode_fails("SendMessage", "DelaySeconds=+1", SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value  1 for parameter DelaySeconds is invalid. Reason: Must be an integer.");
    /* An unprintable value is left out of the message. */
    assert_decode_fails("SendMessage", "DelaySeconds=%01", SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value for parameter DelaySeconds is invalid. Reason: Must be an integer.");
}

static void test_decode_string_lists(void **state)
{
    (void)state;
    assert_decodes("ReceiveMessage",
                   "QueueUrl=u&AttributeName.3=B&AttributeName.1=A&AttributeName.10=C"
                   "&MessageAttributeName.2=y&MessageAttributeName.1=x"
                   "&MessageSystemAttributeName.1=SenderId",
                   "{\"QueueUrl\":\"u\",\"AttributeNames\":[\"A\",\"B\",\"C\"],"
                   "\"MessageAttributeNames\":[\"x\",\"y\"],\"MessageSystemAttributeNames\":[\"SenderId\"]}");
    assert_decodes("GetQueueAttributes", "QueueUrl=u&AttributeName.1=All",
                   "{\"QueueUrl\":\"u\",\"AttributeNames\":[\"All\"]}");
    assert_decodes("UntagQueue", "QueueUrl=u&TagKey.2=b&TagKey.1=a",
                   "{\"QueueUrl\":\"u\",\"TagKeys\":[\"a\",\"b\"]}");
    assert_decodes("AddPermission",
                   "QueueUrl=u&Label=l&AWSAccountId.1=111122223333&AWSAccountId.2=123456789012"
                   "&ActionName.1=SendMessage&ActionName.2=*",
                   "{\"QueueUrl\":\"u\",\"Label\":\"l\",\"AWSAccountIds\":[\"111122223333\",\"123456789012\"],"
                   "\"Actions\":[\"SendMessage\",\"*\"]}");
}

/* Malformed indexes were once dropped silently; AWS answers MalformedInput. */
static void test_decode_bad_indexes_refused(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"AttributeName.0=zero", "0 is not a valid index"},
        {"AttributeName.01=lead", "01 is not a valid index"},
        {"AttributeName.x=alpha", "x is not a valid index"},
        {"AttributeName.-1=neg", "-1 is not a valid index"},
        {"AttributeName.2.=dot", "2 is not a valid index"},
        {"AttributeName.1234567890=big", "1234567890 is not a valid index"},
        {"AttributeName.5=ok&AttributeName.0=zero", "0 is not a valid index"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_decode_fails("GetQueueAttributes", bad[i][0], SQS_ERR_MALFORMED_INPUT, bad[i][1]);
    assert_decode_fails("SendMessage", "MessageAttribute.0.Name=a&MessageAttribute.0.Value.DataType=String",
                        SQS_ERR_MALFORMED_INPUT, "0 is not a valid index");
    /* Other names that merely share a prefix, and unknown members of a valid index, are fine. */
    assert_decodes("GetQueueAttributes", "AttributeName.2.Sub=sub&AttributeNameX.1=other&AttributeName.5=ok",
                   "{\"AttributeNames\":[\"ok\"]}");
    assert_decodes("GetQueueAttributes", "AttributeName.1.Sub=x", "{}");
}

static void test_decode_empty_list_markers(void **state)
{
    (void)state;
    assert_decodes("GetQueueAttributes", "QueueUrl=u&AttributeName=", "{\"QueueUrl\":\"u\",\"AttributeNames\":[]}");
    assert_decodes("ReceiveMessage", "MessageAttributeName=&AttributeName.1=All",
                   "{\"AttributeNames\":[\"All\"],\"MessageAttributeNames\":[]}");
    /* The JSON member name and a non-empty bare value are just unknown parameters. */
    assert_decodes("GetQueueAttributes", "AttributeNames=&AttributeName=All", "{}");
    /* Items win over a marker. */
    assert_decodes("UntagQueue", "TagKey=&TagKey.1=k", "{\"TagKeys\":[\"k\"]}");
    assert_decodes("SendMessageBatch", "QueueUrl=u&SendMessageBatchRequestEntry=",
                   "{\"QueueUrl\":\"u\",\"Entries\":[]}");
}

static void test_decode_string_maps(void **state)
{
    (void)state;
    assert_decodes("CreateQueue",
                   "QueueName=q&Attribute.2.Name=DelaySeconds&Attribute.2.Value=5"
                   "&Attribute.1.Value=30&Attribute.1.Name=VisibilityTimeout"
                   "&Tag.1.Key=env&Tag.1.Value=dev&Tag.7.Key=team&Tag.7.Value=",
                   "{\"QueueName\":\"q\",\"Attributes\":{\"VisibilityTimeout\":\"30\",\"DelaySeconds\":\"5\"},"
                   "\"tags\":{\"env\":\"dev\",\"team\":\"\"}}");
    /* A missing Value is an empty string; a later index wins on a repeated name; an entry
     * without a Name is refused. */
    assert_decodes("SetQueueAttributes",
                   "QueueUrl=u&Attribute.1.Name=Policy"
                   "&Attribute.3.Name=DelaySeconds&Attribute.3.Value=1&Attribute.4.Name=DelaySeconds"
                   "&Attribute.4.Value=2",
                   "{\"QueueUrl\":\"u\",\"Attributes\":{\"Policy\":\"\",\"DelaySeconds\":\"2\"}}");
    assert_decode_fails("SetQueueAttributes", "QueueUrl=u&Attribute.1.Name=Policy&Attribute.2.Value=orphan",
                        SQS_ERR_MISSING_PARAMETER, "The request must contain the parameter Attribute.2.Name.");
    assert_decode_fails("TagQueue", "QueueUrl=u&Tag.3.Value=v", SQS_ERR_MISSING_PARAMETER,
                        "The request must contain the parameter Tag.3.Key.");
    assert_decodes("TagQueue", "Tag.9.Key=k&Tag.9.Value=late&Tag.2.Key=k&Tag.2.Value=early&Tag.5.Key=j&Tag.5.Value=x",
                   "{\"Tags\":{\"j\":\"x\",\"k\":\"late\"}}");
    assert_decodes("SendMessage",
                   "MessageAttribute.3.Name=n&MessageAttribute.3.Value.StringValue=second"
                   "&MessageAttribute.1.Name=n&MessageAttribute.1.Value.StringValue=first",
                   "{\"MessageAttributes\":{\"n\":{\"StringValue\":\"second\"}}}");
    assert_decodes("TagQueue", "QueueUrl=u&Tag.1.Key=a&Tag.1.Value=1&Tag.2.Key=b&Tag.2.Value=2",
                   "{\"QueueUrl\":\"u\",\"Tags\":{\"a\":\"1\",\"b\":\"2\"}}");
    /* CreateQueue's map named Tags (capital T) does not exist. */
    assert_decodes("CreateQueue", "Tags.1.Key=a&Tags.1.Value=1", "{}");
}

static void test_decode_default_visibility_timeout(void **state)
{
    (void)state;
    assert_decodes("CreateQueue", "QueueName=q&DefaultVisibilityTimeout=40",
                   "{\"QueueName\":\"q\",\"Attributes\":{\"VisibilityTimeout\":\"40\"}}");
    assert_decodes("CreateQueue",
                   "QueueName=q&DefaultVisibilityTimeout=40&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=7",
                   "{\"QueueName\":\"q\",\"Attributes\":{\"VisibilityTimeout\":\"7\"}}");
    assert_decodes("CreateQueue",
                   "QueueName=q&DefaultVisibilityTimeout=40&Attribute.1.Name=DelaySeconds&Attribute.1.Value=3",
                   "{\"QueueName\":\"q\",\"Attributes\":{\"DelaySeconds\":\"3\",\"VisibilityTimeout\":\"40\"}}");
    /* Only CreateQueue knows the alias. */
    assert_decodes("SetQueueAttributes", "DefaultVisibilityTimeout=40", "{}");
}

static void test_decode_message_attributes(void **state)
{
    (void)state;
    assert_decodes(
        "SendMessage",
        "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Forders"
        "&MessageBody=hello+world&MessageAttribute.1.Name=city&MessageAttribute.1.Value.DataType=String"
        "&MessageAttribute.1.Value.StringValue=Any+City&MessageAttribute.2.Name=count"
        "&MessageAttribute.2.Value.DataType=Number&MessageAttribute.2.Value.StringValue=42"
        "&MessageAttribute.3.Name=blob&MessageAttribute.3.Value.DataType=Binary"
        "&MessageAttribute.3.Value.BinaryValue=AAEC&MessageSystemAttribute.1.Name=AWSTraceHeader"
        "&MessageSystemAttribute.1.Value.DataType=String"
        "&MessageSystemAttribute.1.Value.StringValue=Root%3D1-5759e988-bd862e3fe1be46a994272793"
        "&DelaySeconds=5&MessageGroupId=g&MessageDeduplicationId=d",
        "{\"QueueUrl\":\"http://localhost:9324/000000000000/orders\",\"MessageBody\":\"hello world\","
        "\"DelaySeconds\":5,\"MessageGroupId\":\"g\",\"MessageDeduplicationId\":\"d\","
        "\"MessageAttributes\":{\"city\":{\"DataType\":\"String\",\"StringValue\":\"Any City\"},"
        "\"count\":{\"DataType\":\"Number\",\"StringValue\":\"42\"},"
        "\"blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAEC\"}},"
        "\"MessageSystemAttributes\":{\"AWSTraceHeader\":{\"DataType\":\"String\","
        "\"StringValue\":\"Root=1-5759e988-bd862e3fe1be46a994272793\"}}}");
    /* A value with no name is refused, as by AWS (recorded responses). */
    assert_decode_fails("SendMessage", "MessageAttribute.4.Name=bare&MessageAttribute.9.Value.DataType=String",
                        SQS_ERR_INVALID_PARAMETER_VALUE, "The request must contain non-empty message attribute name.");
    assert_decode_fails("SendMessage", "MessageAttribute.1.Name=&MessageAttribute.1.Value.DataType=String",
                        SQS_ERR_INVALID_PARAMETER_VALUE, "The request must contain non-empty message attribute name.");
    /* A name with no value members gives an empty value; the reserved list values decode
     * as lists. */
    assert_decodes("SendMessage",
                   "MessageAttribute.4.Name=bare"
                   "&MessageAttribute.2.Name=l&MessageAttribute.2.Value.DataType=String"
                   "&MessageAttribute.2.Value.StringListValue.1=x&MessageAttribute.2.Value.Unknown=z",
                   "{\"MessageAttributes\":{\"bare\":{},\"l\":{\"DataType\":\"String\",\"StringListValues\":[\"x\"]}}}");
}

static void test_decode_send_message_batch(void **state)
{
    (void)state;
    assert_decodes(
        "SendMessageBatch",
        "QueueUrl=u"
        "&SendMessageBatchRequestEntry.10.Id=c&SendMessageBatchRequestEntry.10.MessageBody=three"
        "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two"
        "&SendMessageBatchRequestEntry.2.DelaySeconds=5&SendMessageBatchRequestEntry.2.MessageGroupId=g"
        "&SendMessageBatchRequestEntry.2.MessageDeduplicationId=dd"
        "&SendMessageBatchRequestEntry.2.MessageAttribute.2.Name=n2"
        "&SendMessageBatchRequestEntry.2.MessageAttribute.2.Value.DataType=Binary"
        "&SendMessageBatchRequestEntry.2.MessageAttribute.2.Value.BinaryValue=AAEC"
        "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=n"
        "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=String"
        "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=v"
        "&SendMessageBatchRequestEntry.2.MessageSystemAttribute.1.Name=AWSTraceHeader"
        "&SendMessageBatchRequestEntry.2.MessageSystemAttribute.1.Value.DataType=String"
        "&SendMessageBatchRequestEntry.2.MessageSystemAttribute.1.Value.StringValue=Root%3D1"
        "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one"
        "&SendMessageBatchRequestEntry.5.Unknown=x",
        "{\"QueueUrl\":\"u\",\"Entries\":["
        "{\"Id\":\"a\",\"MessageBody\":\"one\"},"
        "{\"Id\":\"b\",\"MessageBody\":\"two\",\"DelaySeconds\":5,\"MessageGroupId\":\"g\","
        "\"MessageDeduplicationId\":\"dd\","
        "\"MessageAttributes\":{\"n\":{\"DataType\":\"String\",\"StringValue\":\"v\"},"
        "\"n2\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAEC\"}},"
        "\"MessageSystemAttributes\":{\"AWSTraceHeader\":{\"DataType\":\"String\",\"StringValue\":\"Root=1\"}}},"
        "{\"Id\":\"c\",\"MessageBody\":\"three\"}]}");
    /* Only the entry's own prefix counts. */
    assert_decodes("SendMessageBatch", "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=x&MessageBody=top",
                   "{\"Entries\":[{\"MessageAttributes\":{\"x\":{}}}]}");
}

static void test_decode_other_batches(void **state)
{
    (void)state;
    assert_decodes("DeleteMessageBatch",
                   "QueueUrl=u&DeleteMessageBatchRequestEntry.2.Id=d1&DeleteMessageBatchRequestEntry.2.ReceiptHandle=r1"
                   "&DeleteMessageBatchRequestEntry.1.Id=d0&DeleteMessageBatchRequestEntry.1.ReceiptHandle=r0",
                   "{\"QueueUrl\":\"u\",\"Entries\":[{\"Id\":\"d0\",\"ReceiptHandle\":\"r0\"},"
                   "{\"Id\":\"d1\",\"ReceiptHandle\":\"r1\"}]}");
    assert_decodes("ChangeMessageVisibilityBatch",
                   "QueueUrl=u&ChangeMessageVisibilityBatchRequestEntry.1.Id=c0"
                   "&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=r0"
                   "&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=60"
                   "&ChangeMessageVisibilityBatchRequestEntry.3.Id=c1",
                   "{\"QueueUrl\":\"u\",\"Entries\":[{\"Id\":\"c0\",\"ReceiptHandle\":\"r0\",\"VisibilityTimeout\":60},"
                   "{\"Id\":\"c1\"}]}");
    assert_decode_fails("ChangeMessageVisibilityBatch", "ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=x",
                        SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value x for parameter ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout is "
                        "invalid. Reason: Must be an integer.");
    assert_decode_fails("SendMessageBatch", "SendMessageBatchRequestEntry.3.DelaySeconds=1.0",
                        SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value 1.0 for parameter SendMessageBatchRequestEntry.3.DelaySeconds is invalid. "
                        "Reason: Must be an integer.");
}

static void test_decode_nul_bytes(void **state)
{
    (void)state;
    assert_decode_fails("SendMessage", "QueueUrl=u&MessageBody=a%00b", SQS_ERR_INVALID_MESSAGE_CONTENTS, NULL);
    assert_decode_fails("SendMessageBatch", "SendMessageBatchRequestEntry.1.MessageBody=%00",
                        SQS_ERR_INVALID_MESSAGE_CONTENTS, NULL);
    assert_decode_fails("GetQueueUrl", "QueueName=q%00", SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value for parameter QueueName is invalid. Reason: Invalid characters found (U+0000).");
    assert_decode_fails("SendMessage", "MessageAttribute.1.Name=n&MessageAttribute.1.Value.StringValue=x%00",
                        SQS_ERR_INVALID_PARAMETER_VALUE,
                        "Value for parameter MessageAttribute.1.Value.StringValue is invalid. "
                        "Reason: Invalid characters found (U+0000).");
    assert_decode_fails("SendMessage", "MessageAttribute.1.Name=n%00", SQS_ERR_INVALID_PARAMETER_VALUE, NULL);
    assert_decode_fails("CreateQueue", "Attribute.1.Name=%00&Attribute.1.Value=1", SQS_ERR_INVALID_PARAMETER_VALUE,
                        NULL);
    assert_decode_fails("TagQueue", "Tag.1.Key=k&Tag.1.Value=%00", SQS_ERR_INVALID_PARAMETER_VALUE, NULL);
    assert_decode_fails("ReceiveMessage", "AttributeName.1=All&AttributeName.2=%00",
                        SQS_ERR_INVALID_PARAMETER_VALUE, NULL);
    assert_decode_fails("CreateQueue", "DefaultVisibilityTimeout=%00", SQS_ERR_INVALID_PARAMETER_VALUE, NULL);
    assert_decode_fails("SendMessageBatch", "SendMessageBatchRequestEntry.1.Id=a%00",
                        SQS_ERR_INVALID_PARAMETER_VALUE, NULL);
}

static void test_decode_unknown_action(void **state)
{
    (void)state;
    assert_decode_fails("FooBar", "QueueUrl=u", SQS_ERR_INVALID_ACTION, "The action FooBar is not valid for this endpoint.");
    assert_decode_fails("sendmessage", "", SQS_ERR_INVALID_ACTION, NULL);
}

static void test_decode_every_action_empty(void **state)
{
    (void)state;
    const char *actions[] = {"AddPermission", "CancelMessageMoveTask", "ChangeMessageVisibility",
                             "ChangeMessageVisibilityBatch", "CreateQueue", "DeleteMessage", "DeleteMessageBatch",
                             "DeleteQueue", "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues",
                             "ListMessageMoveTasks", "ListQueueTags", "ListQueues", "PurgeQueue", "ReceiveMessage",
                             "RemovePermission", "SendMessage", "SendMessageBatch", "SetQueueAttributes",
                             "StartMessageMoveTask", "TagQueue", "UntagQueue"};
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        assert_true(sqs_action_known(actions[i]));
        assert_non_null(sqs_shapes_input(actions[i]));
        assert_decodes(actions[i], "Action=x&Version=2012-11-05", "{}");
    }
    assert_false(sqs_action_known("FooBar"));
    assert_false(sqs_action_known("receivemessage"));
    assert_false(sqs_action_known(NULL));
}

/* ------------------------------------------------------------------ JSON type checker */

static void test_json_accepts_right_types(void **state)
{
    (void)state;
    assert_json_accepted("ReceiveMessage",
                         "{\"QueueUrl\":\"u\",\"MaxNumberOfMessages\":10,\"AttributeNames\":[\"All\"],"
                         "\"MessageAttributeNames\":[],\"MessageSystemAttributeNames\":[\"All\"],"
                         "\"WaitTimeSeconds\":1e1,\"VisibilityTimeout\":-5.0,\"ReceiveRequestAttemptId\":\"x\"}");
    assert_json_accepted("CreateQueue", "{\"QueueName\":\"q\",\"Attributes\":{\"VisibilityTimeout\":\"30\"},"
                                        "\"tags\":{\"env\":\"dev\"},\"DefaultVisibilityTimeout\":\"ignored\"}");
    assert_json_accepted("SendMessage",
                         "{\"QueueUrl\":\"u\",\"MessageBody\":\"b\",\"DelaySeconds\":0,"
                         "\"MessageAttributes\":{\"a\":{\"DataType\":\"String\",\"StringValue\":\"v\","
                         "\"StringListValues\":[],\"BinaryListValues\":[\"AA==\"]},"
                         "\"b\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAEC\"},\"c\":{}},"
                         "\"MessageSystemAttributes\":{\"AWSTraceHeader\":{\"DataType\":\"String\",\"StringValue\":\"r\"}}}");
    assert_json_accepted("SendMessageBatch",
                         "{\"QueueUrl\":\"u\",\"Entries\":[{\"Id\":\"a\",\"MessageBody\":\"x\",\"DelaySeconds\":5,"
                         "\"MessageAttributes\":{\"n\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}},"
                         "{\"Id\":\"b\",\"MessageBody\":\"y\",\"Extra\":[1,2]}]}");
    assert_json_accepted("TagQueue", "{\"QueueUrl\":\"u\",\"Tags\":{}}");
    assert_json_accepted("UntagQueue", "{\"QueueUrl\":\"u\",\"TagKeys\":[\"a\",\"b\"]}");
    assert_json_accepted("AddPermission", "{\"QueueUrl\":\"u\",\"Label\":\"l\",\"AWSAccountIds\":[\"1\"],"
                                          "\"Actions\":[\"*\"]}");
    assert_json_accepted("ChangeMessageVisibilityBatch",
                         "{\"Entries\":[{\"Id\":\"a\",\"ReceiptHandle\":\"r\",\"VisibilityTimeout\":30}]}");
    /* null members are absent; unknown members are ignored. */
    assert_json_accepted("ReceiveMessage", "{\"QueueUrl\":null,\"MaxNumberOfMessages\":null,\"AttributeNames\":null,"
                                           "\"Unknown\":{\"x\":[true]}}");
    assert_json_accepted("SendMessage", "{\"MessageAttributes\":{\"a\":{\"DataType\":null}}}");
    assert_json_accepted("ListQueues", "{}");
    assert_json_accepted("StartMessageMoveTask", "{\"MaxNumberOfMessagesPerSecond\":1e20}");

    sqs_error err = {0};
    assert_true(sqs_shapes_check_json("PurgeQueue", NULL, &err));
}

static void test_json_rejects_wrong_types(void **state)
{
    (void)state;
    assert_json_rejected("GetQueueUrl", "{\"QueueName\":5}", "QueueName");
    assert_json_rejected("ReceiveMessage", "{\"QueueUrl\":[\"u\"]}", "QueueUrl");
    assert_json_rejected_with("ReceiveMessage", "{\"MaxNumberOfMessages\":\"10\"}", NOT_AN_INTEGER);
    assert_json_rejected("ReceiveMessage", "{\"MaxNumberOfMessages\":1.5}", "MaxNumberOfMessages");
    assert_json_rejected("ReceiveMessage", "{\"WaitTimeSeconds\":true}", "WaitTimeSeconds");
    assert_json_rejected("ReceiveMessage", "{\"AttributeNames\":\"All\"}", "AttributeNames");
    assert_json_rejected("ReceiveMessage", "{\"MessageAttributeNames\":[\"a\",1]}", "MessageAttributeNames");
    assert_json_rejected("ReceiveMessage", "{\"MessageSystemAttributeNames\":[null]}", "MessageSystemAttributeNames");
    assert_json_rejected("CreateQueue", "{\"Attributes\":{\"DelaySeconds\":5}}", "Attributes");
    assert_json_rejected("CreateQueue", "{\"Attributes\":[]}", "Attributes");
    assert_json_rejected("CreateQueue", "{\"tags\":\"env=dev\"}", "tags");
    assert_json_rejected("TagQueue", "{\"Tags\":{\"a\":null}}", "Tags");
    assert_json_rejected("SendMessage", "{\"MessageAttributes\":{\"n\":\"x\"}}", "MessageAttributes");
    assert_json_rejected("SendMessage", "{\"MessageAttributes\":[]}", "MessageAttributes");
    assert_json_rejected("SendMessage", "{\"MessageAttributes\":{\"n\":{\"DataType\":1}}}", "DataType");
    assert_json_rejected("SendMessage", "{\"MessageAttributes\":{\"n\":{\"BinaryValue\":[1]}}}", "BinaryValue");
    assert_json_rejected("SendMessage", "{\"MessageAttributes\":{\"n\":{\"StringListValues\":\"x\"}}}",
                         "StringListValues");
    assert_json_rejected("SendMessage", "{\"MessageSystemAttributes\":{\"AWSTraceHeader\":{\"StringValue\":2}}}",
                         "StringValue");
    assert_json_rejected_with("SendMessage", "{\"DelaySeconds\":\"5\"}", NOT_AN_INTEGER);
    assert_json_rejected("SendMessageBatch", "{\"Entries\":{}}", "Entries");
    assert_json_rejected("SendMessageBatch", "{\"Entries\":[1]}", "Entries");
    assert_json_rejected_with("SendMessageBatch", "{\"Entries\":[{\"Id\":\"a\"},{\"DelaySeconds\":\"5\"}]}", NOT_AN_INTEGER);
    assert_json_rejected("SendMessageBatch", "{\"Entries\":[{\"MessageBody\":false}]}", "MessageBody");
    assert_json_rejected("SendMessageBatch",
                         "{\"Entries\":[{\"MessageAttributes\":{\"n\":{\"StringValue\":{}}}}]}", "StringValue");
    assert_json_rejected("DeleteMessageBatch", "{\"Entries\":[{\"ReceiptHandle\":7}]}", "ReceiptHandle");
    assert_json_rejected("ChangeMessageVisibilityBatch", "{\"Entries\":[{\"VisibilityTimeout\":0.5}]}",
                         "VisibilityTimeout");
    assert_json_rejected("AddPermission", "{\"Actions\":\"*\"}", "Actions");
    assert_json_rejected("UntagQueue", "{\"TagKeys\":{}}", "TagKeys");
    assert_json_rejected_with("ListQueues", "{\"MaxResults\":\"1000\"}", NOT_AN_INTEGER);
    assert_json_rejected("CancelMessageMoveTask", "{\"TaskHandle\":{}}", "TaskHandle");
}

static void test_json_checker_edges(void **state)
{
    (void)state;
    sqs_error err = {0};
    cJSON *array = cJSON_Parse("[]");
    assert_false(sqs_shapes_check_json("ListQueues", array, &err));
    assert_int_equal(err.kind, SQS_ERR_SERIALIZATION);
    cJSON_Delete(array);

    cJSON *empty = cJSON_CreateObject();
    assert_false(sqs_shapes_check_json("FooBar", empty, &err));
    assert_int_equal(err.kind, SQS_ERR_UNKNOWN_OPERATION);
    cJSON_Delete(empty);

    /* Numbers too large to have a fraction are integers; infinities are not. */
    cJSON *inf = cJSON_CreateObject();
    cJSON_AddNumberToObject(inf, "MaxResults", INFINITY);
    assert_false(sqs_shapes_check_json("ListQueues", inf, &err));
    cJSON_Delete(inf);
}

/* ------------------------------------------------------------------ XML results */

static void test_xml_list_queues(void **state)
{
    (void)state;
    assert_result_xml("ListQueues", "{\"QueueUrls\":[\"http://h/0/a\",\"http://h/0/b&c\"],\"NextToken\":\"t\"}",
                      "<ListQueuesResult><QueueUrl>http://h/0/a</QueueUrl><QueueUrl>http://h/0/b&amp;c</QueueUrl>"
                      "<NextToken>t</NextToken></ListQueuesResult>");
    assert_result_xml("ListQueues", "{}", "<ListQueuesResult/>");
    assert_result_xml("ListQueues", NULL, "<ListQueuesResult/>");
    assert_result_xml("CreateQueue", "{\"QueueUrl\":\"http://h/0/q\"}",
                      "<CreateQueueResult><QueueUrl>http://h/0/q</QueueUrl></CreateQueueResult>");
    assert_result_xml("GetQueueUrl", "{\"QueueUrl\":\"u\"}", "<GetQueueUrlResult><QueueUrl>u</QueueUrl></GetQueueUrlResult>");
}

static void test_xml_get_queue_attributes(void **state)
{
    (void)state;
    assert_result_xml("GetQueueAttributes", "{\"Attributes\":{\"VisibilityTimeout\":\"30\",\"Policy\":\"{\\\"a\\\":1}\"}}",
                      "<GetQueueAttributesResult>"
                      "<Attribute><Name>VisibilityTimeout</Name><Value>30</Value></Attribute>"
                      "<Attribute><Name>Policy</Name><Value>{&quot;a&quot;:1}</Value></Attribute>"
                      "</GetQueueAttributesResult>");
    assert_result_xml("GetQueueAttributes", "{\"Attributes\":{}}", "<GetQueueAttributesResult/>");
}

static void test_xml_receive_message(void **state)
{
    (void)state;
    assert_result_xml(
        "ReceiveMessage",
        "{\"Messages\":[{\"MessageId\":\"m1\",\"ReceiptHandle\":\"rh+/=\",\"MD5OfBody\":\"md5\","
        "\"Body\":\"a<b>&c\\r\\n\",\"Attributes\":{\"SenderId\":\"000000000000\",\"SentTimestamp\":\"1795349444133\"},"
        "\"MD5OfMessageAttributes\":\"mam\","
        "\"MessageAttributes\":{\"city\":{\"StringValue\":\"Any City\",\"DataType\":\"String\"},"
        "\"blob\":{\"BinaryValue\":\"AAEC\",\"DataType\":\"Binary\"}}},"
        "{\"MessageId\":\"m2\",\"Body\":\"x\"}]}",
        "<ReceiveMessageResult>"
        "<Message><MessageId>m1</MessageId><ReceiptHandle>rh+/=</ReceiptHandle><MD5OfBody>md5</MD5OfBody>"
        "<Body>a&lt;b&gt;&amp;c&#xD;\n</Body>"
        "<Attribute><Name>SenderId</Name><Value>000000000000</Value></Attribute>"
        "<Attribute><Name>SentTimestamp</Name><Value>1795349444133</Value></Attribute>"
        "<MD5OfMessageAttributes>mam</MD5OfMessageAttributes>"
        "<MessageAttribute><Name>city</Name><Value><StringValue>Any City</StringValue><DataType>String</DataType>"
        "</Value></MessageAttribute>"
        "<MessageAttribute><Name>blob</Name><Value><BinaryValue>AAEC</BinaryValue><DataType>Binary</DataType>"
        "</Value></MessageAttribute>"
        "</Message>"
        "<Message><MessageId>m2</MessageId><Body>x</Body></Message>"
        "</ReceiveMessageResult>");
    assert_result_xml("ReceiveMessage", "{}", "<ReceiveMessageResult/>");
    assert_result_xml("ReceiveMessage", "{\"Messages\":[]}", "<ReceiveMessageResult/>");
}

static void test_xml_send_message(void **state)
{
    (void)state;
    assert_result_xml("SendMessage",
                      "{\"MD5OfMessageBody\":\"a\",\"MD5OfMessageAttributes\":\"b\",\"MessageId\":\"m\","
                      "\"SequenceNumber\":\"18849496460467696128\"}",
                      "<SendMessageResult><MD5OfMessageBody>a</MD5OfMessageBody>"
                      "<MD5OfMessageAttributes>b</MD5OfMessageAttributes><MessageId>m</MessageId>"
                      "<SequenceNumber>18849496460467696128</SequenceNumber></SendMessageResult>");
}

static void test_xml_batches(void **state)
{
    (void)state;
    assert_result_xml("SendMessageBatch",
                      "{\"Successful\":[{\"Id\":\"a\",\"MessageId\":\"m\",\"MD5OfMessageBody\":\"x\"}],"
                      "\"Failed\":[{\"Id\":\"b\",\"SenderFault\":true,\"Code\":\"InvalidParameterValue\","
                      "\"Message\":\"too <big>\"}]}",
                      "<SendMessageBatchResult>"
                      "<SendMessageBatchResultEntry><Id>a</Id><MessageId>m</MessageId>"
                      "<MD5OfMessageBody>x</MD5OfMessageBody></SendMessageBatchResultEntry>"
                      "<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault>"
                      "<Code>InvalidParameterValue</Code><Message>too &lt;big&gt;</Message></BatchResultErrorEntry>"
                      "</SendMessageBatchResult>");
    assert_result_xml("DeleteMessageBatch",
                      "{\"Successful\":[{\"Id\":\"d0\"},{\"Id\":\"d1\"}],"
                      "\"Failed\":[{\"Id\":\"d2\",\"SenderFault\":false,\"Code\":\"InternalError\"}]}",
                      "<DeleteMessageBatchResult>"
                      "<DeleteMessageBatchResultEntry><Id>d0</Id></DeleteMessageBatchResultEntry>"
                      "<DeleteMessageBatchResultEntry><Id>d1</Id></DeleteMessageBatchResultEntry>"
                      "<BatchResultErrorEntry><Id>d2</Id><SenderFault>false</SenderFault>"
                      "<Code>InternalError</Code></BatchResultErrorEntry>"
                      "</DeleteMessageBatchResult>");
    assert_result_xml("ChangeMessageVisibilityBatch", "{\"Successful\":[{\"Id\":\"c\"}]}",
                      "<ChangeMessageVisibilityBatchResult>"
                      "<ChangeMessageVisibilityBatchResultEntry><Id>c</Id></ChangeMessageVisibilityBatchResultEntry>"
                      "</ChangeMessageVisibilityBatchResult>");
}

static void test_xml_dead_letter_sources_and_tags(void **state)
{
    (void)state;
    assert_result_xml("ListDeadLetterSourceQueues", "{\"queueUrls\":[\"u1\",\"u2\"],\"NextToken\":\"n\"}",
                      "<ListDeadLetterSourceQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl>"
                      "<NextToken>n</NextToken></ListDeadLetterSourceQueuesResult>");
    assert_result_xml("ListDeadLetterSourceQueues", "{\"queueUrls\":[]}", "<ListDeadLetterSourceQueuesResult/>");
    assert_result_xml("ListQueueTags", "{\"Tags\":{\"env\":\"dev\",\"a&b\":\"\\\"q\\\"\"}}",
                      "<ListQueueTagsResult><Tag><Key>env</Key><Value>dev</Value></Tag>"
                      "<Tag><Key>a&amp;b</Key><Value>&quot;q&quot;</Value></Tag></ListQueueTagsResult>");
    assert_result_xml("ListQueueTags", "{}", "<ListQueueTagsResult/>");
}

static void test_xml_move_tasks(void **state)
{
    (void)state;
    assert_result_xml("StartMessageMoveTask", "{\"TaskHandle\":\"th\"}",
                      "<StartMessageMoveTaskResult><TaskHandle>th</TaskHandle></StartMessageMoveTaskResult>");
    assert_result_xml("CancelMessageMoveTask", "{\"ApproximateNumberOfMessagesMoved\":2}",
                      "<CancelMessageMoveTaskResult><ApproximateNumberOfMessagesMoved>2"
                      "</ApproximateNumberOfMessagesMoved></CancelMessageMoveTaskResult>");
    assert_result_xml("ListMessageMoveTasks",
                      "{\"Results\":[{\"Status\":\"COMPLETED\",\"SourceArn\":\"arn:s\","
                      "\"ApproximateNumberOfMessagesMoved\":2,\"ApproximateNumberOfMessagesToMove\":0,"
                      "\"StartedTimestamp\":1714472534000,\"MaxNumberOfMessagesPerSecond\":-3}]}",
                      "<ListMessageMoveTasksResult><ListMessageMoveTasksResultEntry><Status>COMPLETED</Status>"
                      "<SourceArn>arn:s</SourceArn><ApproximateNumberOfMessagesMoved>2</ApproximateNumberOfMessagesMoved>"
                      "<ApproximateNumberOfMessagesToMove>0</ApproximateNumberOfMessagesToMove>"
                      "<StartedTimestamp>1714472534000</StartedTimestamp>"
                      "<MaxNumberOfMessagesPerSecond>-3</MaxNumberOfMessagesPerSecond>"
                      "</ListMessageMoveTasksResultEntry></ListMessageMoveTasksResult>");
    assert_result_xml("ListMessageMoveTasks", "{\"Results\":[]}", "<ListMessageMoveTasksResult/>");
}

static void test_xml_void_actions(void **state)
{
    (void)state;
    const char *actions[] = {"DeleteMessage", "DeleteQueue", "SetQueueAttributes", "ChangeMessageVisibility",
                             "PurgeQueue", "AddPermission", "RemovePermission", "TagQueue", "UntagQueue"};
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        assert_result_xml(actions[i], NULL, "");
        assert_result_xml(actions[i], "{}", "");
        assert_result_xml(actions[i], "{\"Ignored\":\"x\"}", "");
    }
}

static void test_xml_request_id_escaped(void **state)
{
    (void)state;
    char *xml = sqs_query_encode_result("PurgeQueue", NULL, "a<b", NULL);
    assert_string_equal(xml, XML_PROLOG "<PurgeQueueResponse " XMLNS ">"
                                        "<ResponseMetadata><RequestId>a&lt;b</RequestId></ResponseMetadata>"
                                        "</PurgeQueueResponse>");
    free(xml);
}

/* ------------------------------------------------------------------ XML errors */

static void test_xml_errors(void **state)
{
    (void)state;
    sqs_error err = {0};
    sqs_fail_queue_missing(&err);
    assert_error_xml(&err, "<Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>"
                           "<Message>The specified queue does not exist for this wsdl version.</Message>");

    sqs_fail(&err, SQS_ERR_INVALID_PARAMETER_VALUE, "Value %d for parameter %s is invalid. Reason: <&\">", 11,
             "MaxNumberOfMessages");
    assert_error_xml(&err, "<Type>Sender</Type><Code>InvalidParameterValue</Code>"
                           "<Message>Value 11 for parameter MaxNumberOfMessages is invalid. Reason: "
                           "&lt;&amp;&quot;&gt;</Message>");

    sqs_fail(&err, SQS_ERR_INTERNAL, "boom");
    assert_error_xml(&err, "<Type>Receiver</Type><Code>InternalError</Code><Message>boom</Message>");

    /* No query code in the catalogue: the JSON shape name after '#'. */
    sqs_fail(&err, SQS_ERR_SERIALIZATION, "bad");
    assert_error_xml(&err, "<Type>Sender</Type><Code>SerializationException</Code><Message>bad</Message>");

    sqs_fail(&err, SQS_ERR_INVALID_ACTION, "The action FooBar is not valid for this endpoint.");
    assert_error_xml(&err, "<Type>Sender</Type><Code>InvalidAction</Code>"
                           "<Message>The action FooBar is not valid for this endpoint.</Message>");

    /* The query protocol has its own text for a missing queue. */
    sqs_fail_queue_missing(&err);
    assert_string_equal(err.message, "The specified queue does not exist.");
    assert_error_xml(&err, "<Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>"
                           "<Message>The specified queue does not exist for this wsdl version.</Message>");

    sqs_fail(&err, SQS_ERR_INTERNAL, "boom");
    assert_error_xml(&err, "<Type>Receiver</Type><Code>InternalError</Code><Message>boom</Message>");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_plus_and_percent),
        cmocka_unit_test(test_form_empty_pieces),
        cmocka_unit_test(test_form_bad_escapes),
        cmocka_unit_test(test_form_duplicates),
        cmocka_unit_test(test_form_nul_bytes),
        cmocka_unit_test(test_form_many_pairs),
        cmocka_unit_test(test_xml_escape),
        cmocka_unit_test(test_decode_scalars_and_ignored),
        cmocka_unit_test(test_decode_integers),
        cmocka_unit_test(test_decode_bad_integers),
        cmocka_unit_test(test_decode_string_lists),
        cmocka_unit_test(test_decode_bad_indexes_refused),
        cmocka_unit_test(test_decode_empty_list_markers),
        cmocka_unit_test(test_decode_string_maps),
        cmocka_unit_test(test_decode_default_visibility_timeout),
        cmocka_unit_test(test_decode_message_attributes),
        cmocka_unit_test(test_decode_send_message_batch),
        cmocka_unit_test(test_decode_other_batches),
        cmocka_unit_test(test_decode_nul_bytes),
        cmocka_unit_test(test_decode_unknown_action),
        cmocka_unit_test(test_decode_every_action_empty),
        cmocka_unit_test(test_json_accepts_right_types),
        cmocka_unit_test(test_json_rejects_wrong_types),
        cmocka_unit_test(test_json_checker_edges),
        cmocka_unit_test(test_xml_list_queues),
        cmocka_unit_test(test_xml_get_queue_attributes),
        cmocka_unit_test(test_xml_receive_message),
        cmocka_unit_test(test_xml_send_message),
        cmocka_unit_test(test_xml_batches),
        cmocka_unit_test(test_xml_dead_letter_sources_and_tags),
        cmocka_unit_test(test_xml_move_tasks),
        cmocka_unit_test(test_xml_void_actions),
        cmocka_unit_test(test_xml_request_id_escaped),
        cmocka_unit_test(test_xml_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
