"""Messages over both wire protocols: sending, attributes and their digests, receiving,
deleting, visibility changes and the batch actions (docs/sqs-semantics.md, Sending messages;
Receiving; Visibility and deletion)."""
import urllib.parse

from botocore.exceptions import ClientError

from harness import ServerTestCase
from sqs_asserts import (UUID_RE, SqsCase, assert_batch_failure, md5_hex, md5_of_attributes,
                         now_ms)

MIB = 1048576

# Known-answer vectors: (body, attributes, MD5OfMessageBody, MD5OfMessageAttributes), the digests
# by the algorithm of docs/sqs-semantics.md, Digests, identifiers, timestamps.
VECTORS = {
    "V1": ("Hello, SQS!", {"City": {"DataType": "String", "StringValue": "Any City"}},
           "982e00ffc10ba49378a8653ca8fecf47", "0c32cb5c844c01fbd5b6b434b52cf670"),
    "V2": ('{"order":1234}', {"Quantity": {"DataType": "Number", "StringValue": "42"}},
           "2fe9620b8b494f506df12baa76dffe38", "6ff32dca64e98548ec6da0f1b4228b8e"),
    "V3": ("binary test", {"Blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02\x03\xff"}},
           "123020c6b0b480c26423446019bd7cc0", "e402bb7c6f77dd1e9763ea09b771ce61"),
    "V4": ("hello world", {"city": {"DataType": "String", "StringValue": "Any City"},
                           "count": {"DataType": "Number", "StringValue": "42"},
                           "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"}},
           "5eb63bbbe01eeed093cb22bb8f5acdc3", "3111639560468ffc249c542b8dc29bd7"),
    "V5": ("caf\u00e9 \u2603", {"note.custom": {"DataType": "String.utf8", "StringValue": "\u00fcber"},
                                "price": {"DataType": "Number.float", "StringValue": "3.14"}},
           "77b9ce57ca402c5d097c95bf21734337", "ff5d6169c77117fb1c3e367dbb20c8aa"),
}
TRACE_VECTORS = {
    "Root=1-5759e988-bd862e3fe1be46a994272793": "62a56dd927315f2b2e12832b84617ea5",
    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1":
        "5ae4d5d7636402d80f4eb6d213245a88",
}
STANDARD_SYSTEM_ATTRIBUTES = ["ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount",
                              "SenderId", "SentTimestamp"]
INVALID_BATCH_ID = ("A batch entry id can only contain alphanumeric characters, hyphens and "
                    "underscores. It can be at most 80 letters long.")


def string_attr(value, data_type="String"):
    return {"DataType": data_type, "StringValue": value}


def trace(value):
    return {"AWSTraceHeader": {"DataType": "String", "StringValue": value}}


def too_big(limit):
    return "One or more parameters are invalid. Reason: Message must be shorter than %d bytes." % limit


def invalid_handle(handle):
    return 'The input receipt handle "%s" is not a valid receipt handle.' % handle


class MessagesBase(SqsCase):
    def send(self, url, body, **kwargs):
        return self.sqs.send_message(QueueUrl=url, MessageBody=body, **kwargs)

    def receive_one(self, url, **kwargs):
        got = self.receive(url, **kwargs)
        self.assertEqual(len(got), 1, got)
        return got[0]

    # ------------------------------------------------------------ SendMessage
    def test_send_message_basic_response(self):
        url = self.create_queue()
        resp = self.send(url, "hello")
        self.assertEqual(resp["MD5OfMessageBody"], md5_hex("hello"))
        self.assertRegex(resp["MessageId"], UUID_RE)
        for absent in ("MD5OfMessageAttributes", "MD5OfMessageSystemAttributes", "SequenceNumber"):
            self.assertNotIn(absent, resp)
        msg = self.receive_one(url)
        self.assertEqual(msg["MessageId"], resp["MessageId"])
        self.assertEqual(msg["Body"], "hello")
        self.assertEqual(msg["MD5OfBody"], md5_hex("hello"))
        self.assertTrue(msg["ReceiptHandle"])
        for absent in ("Attributes", "MessageAttributes", "MD5OfMessageAttributes"):
            self.assertNotIn(absent, msg)

    def test_send_message_to_missing_queue(self):
        with self.assertRaises(ClientError) as ctx:
            self.send(self.url_for(self.unique("ghost")), "x")
        self.assertQueueDoesNotExist(ctx)

    def test_md5_vectors(self):
        for label, (body, attributes, body_md5, attr_md5) in VECTORS.items():
            with self.subTest(vector=label):
                self.assertEqual(md5_of_attributes(attributes), attr_md5)  # the helper itself
                url = self.create_queue()
                resp = self.send(url, body, MessageAttributes=attributes)
                self.assertEqual(resp["MD5OfMessageBody"], body_md5)
                self.assertEqual(resp["MD5OfMessageAttributes"], attr_md5)
                self.assertNotIn("MD5OfMessageSystemAttributes", resp)
                msg = self.receive_one(url, MessageAttributeNames=["All"])
                self.assertEqual(msg["Body"], body)
                self.assertEqual(msg["MD5OfBody"], body_md5)
                self.assertEqual(msg["MD5OfMessageAttributes"], attr_md5)
                self.assertEqual(msg["MessageAttributes"], attributes)

    def test_md5_of_message_system_attributes(self):
        for value, digest in TRACE_VECTORS.items():
            with self.subTest(trace=value):
                url = self.create_queue()
                resp = self.send(url, "traced", MessageSystemAttributes=trace(value))
                self.assertEqual(resp["MD5OfMessageSystemAttributes"], digest)
                self.assertNotIn("MD5OfMessageAttributes", resp)
                msg = self.receive_one(url, MessageSystemAttributeNames=["AWSTraceHeader"])
                self.assertEqual(msg["Attributes"], {"AWSTraceHeader": value})

    def test_send_message_with_attributes_and_trace_header(self):
        body, attributes, body_md5, attr_md5 = VECTORS["V4"]
        url = self.create_queue()
        value = "Root=1-5759e988-bd862e3fe1be46a994272793"
        resp = self.send(url, body, MessageAttributes=attributes, MessageSystemAttributes=trace(value))
        self.assertEqual(resp["MD5OfMessageBody"], body_md5)
        self.assertEqual(resp["MD5OfMessageAttributes"], attr_md5)
        self.assertEqual(resp["MD5OfMessageSystemAttributes"], TRACE_VECTORS[value])
        msg = self.receive_one(url, AttributeNames=["All"], MessageAttributeNames=["All"])
        self.assertEqual(sorted(msg["Attributes"]), sorted(STANDARD_SYSTEM_ATTRIBUTES + ["AWSTraceHeader"]))
        self.assertEqual(msg["Attributes"]["AWSTraceHeader"], value)
        self.assertEqual(msg["MD5OfMessageAttributes"], attr_md5)

    # ------------------------------------------------- attribute validation
    def test_message_attribute_count_limit(self):
        url = self.create_queue()
        ten = {"a%d" % i: string_attr("v") for i in range(10)}
        resp = self.send(url, "ten", MessageAttributes=ten)
        self.assertEqual(resp["MD5OfMessageAttributes"], md5_of_attributes(ten))
        eleven = dict(ten, a10=string_attr("v"))
        with self.assertRaises(ClientError) as ctx:
            self.send(url, "eleven", MessageAttributes=eleven)
        self.assertInvalidParameter(ctx)

    def test_message_attribute_names(self):
        url = self.create_queue()
        bad = ["AWS.thing", "aws.thing", "Amazon.thing", "AMAZON.x", ".lead", "trail.", "a..b",
               "has space", "bad!", "n" * 257]
        for name in bad:
            with self.subTest(name=name[:20]):
                with self.assertRaises(ClientError) as ctx:
                    self.send(url, "x", MessageAttributes={name: string_attr("v")})
                self.assertInvalidParameter(ctx)
        # Real SQS takes Unicode letters as alphanumerics (see docs/aws-fidelity.md).
        good = {"n" * 256: string_attr("1"), "a.b-c_D9": string_attr("2"), "AWSish": string_attr("3"),
                "\u00fcmlaut": string_attr("4")}
        resp = self.send(url, "ok", MessageAttributes=good)
        self.assertEqual(resp["MD5OfMessageAttributes"], md5_of_attributes(good))
        self.assertEqual(self.queue_attributes(url, ["ApproximateNumberOfMessages"]),
                         {"ApproximateNumberOfMessages": "1"})

    def test_message_attribute_types(self):
        url = self.create_queue()
        for data_type in ("Foo", "string", "Strings", "Numeric", "Binary-x", ""):
            with self.subTest(data_type=data_type):
                with self.assertRaises(ClientError) as ctx:
                    self.send(url, "x", MessageAttributes={"a": string_attr("v", data_type)})
                self.assertInvalidParameter(ctx)
        good = {"s": string_attr("v", "String.custom"), "n": string_attr("-1.5", "Number.x"),
                "b": {"DataType": "Binary.png", "BinaryValue": b"\x89PNG"}}
        resp = self.send(url, "typed", MessageAttributes=good)
        self.assertEqual(resp["MD5OfMessageAttributes"], md5_of_attributes(good))
        msg = self.receive_one(url, MessageAttributeNames=["All"])
        self.assertEqual(msg["MessageAttributes"], good)

    def test_message_attribute_values(self):
        url = self.create_queue()
        with self.assertRaises(ClientError) as ctx:
            self.send(url, "x", MessageAttributes={"a": string_attr("")})
        self.assertInvalidParameter(ctx, "Message (user) attribute 'a' must contain a non-empty value of type 'String'.")
        bad = {
            "empty number": {"DataType": "Number", "StringValue": ""},
            "bad number": {"DataType": "Number", "StringValue": "abc"},
            "empty binary": {"DataType": "Binary", "BinaryValue": b""},
            "no value": {"DataType": "String"},
            "binary as string": {"DataType": "Binary", "StringValue": "AAEC"},
            "control char": {"DataType": "String", "StringValue": "a\u0001b"},
            "noncharacter": {"DataType": "String", "StringValue": "a\uffffb"},
        }
        for label, value in bad.items():
            with self.subTest(case=label):
                with self.assertRaises(ClientError) as ctx:
                    self.send(url, "x", MessageAttributes={"a": value})
                self.assertInvalidParameter(ctx)
        self.assertEqual(self.receive(url), [])

    # ----------------------------------------------------- body validation
    def test_body_invalid_characters(self):
        url = self.create_queue()
        for body in ("\u0001", "a\u0000b", "x\u0008", "\u001f", "\u000b", "ok\uffff", "\ufffe"):
            with self.subTest(body=repr(body)):
                with self.assertRaises(ClientError) as ctx:
                    self.send(url, body)
                self.assertError(ctx, "InvalidMessageContents")
        self.assertEqual(self.receive(url), [])

    def test_body_boundary_characters_round_trip(self):
        url = self.create_queue()
        body = "\t\n\r \u007f\u0080\ud7ff\ue000\ufffd\U00010000\U0010ffff"
        resp = self.send(url, body)
        self.assertEqual(resp["MD5OfMessageBody"], md5_hex(body))
        msg = self.receive_one(url)
        self.assertEqual(msg["Body"], body)
        self.assertEqual(msg["MD5OfBody"], md5_hex(body))

    def test_empty_body(self):
        url = self.create_queue()
        with self.assertRaises(ClientError) as ctx:
            self.send(url, "")
        self.assertError(ctx, "MissingParameter", "The request must contain the parameter MessageBody.")

    def test_body_round_trip(self):
        bodies = [
            "h\u00e9llo w\u00f6rld \u2603 \U0001d11e \u65e5\u672c\u8a9e \U0001f389",
            "line1\r\nline2\rline3\n",
            "\r",
            "\r\n\r\n",
            "trailing CR\r",
            '<msg attr="v">&amp; \'q\' ]]> &lt;/msg&gt;</msg>',
            "  padded\t ",
            "json: {\"a\": [1, 2, \"\\u0041\"]}",
            "plus+and%20percent&and=equals",
        ]
        url = self.create_queue()
        for body in bodies:
            with self.subTest(body=repr(body)):
                resp = self.send(url, body)
                self.assertEqual(resp["MD5OfMessageBody"], md5_hex(body))
                msg = self.receive_one(url)
                self.assertEqual(msg["Body"].encode("utf-8"), body.encode("utf-8"))
                self.assertEqual(msg["MD5OfBody"], md5_hex(body))
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])

    def test_attribute_values_round_trip(self):
        url = self.create_queue()
        attributes = {
            "cr": string_attr("a\r\nb\rc"),
            "uni": string_attr("\u00fc\u2603\U0001f389"),
            "xml": string_attr("<x y=\"z\">&amp;</x>"),
            "num": string_attr("0012.50", "Number"),  # stored verbatim
            "bin": {"DataType": "Binary", "BinaryValue": bytes(range(256))},
        }
        resp = self.send(url, "attrs", MessageAttributes=attributes)
        self.assertEqual(resp["MD5OfMessageAttributes"], md5_of_attributes(attributes))
        msg = self.receive_one(url, MessageAttributeNames=["All"])
        self.assertEqual(msg["MessageAttributes"], attributes)
        self.assertEqual(msg["MD5OfMessageAttributes"], md5_of_attributes(attributes))

    # ----------------------------------------------------------- size limit
    def test_size_limit_default_queue(self):
        url = self.create_queue()
        body = "a" * MIB
        resp = self.send(url, body)
        self.assertEqual(resp["MD5OfMessageBody"], md5_hex(body))
        with self.assertRaises(ClientError) as ctx:
            self.send(url, body + "a")
        self.assertInvalidParameter(ctx, too_big(MIB))
        attrs = {"ab": string_attr("xyz")}  # 2 + 6 + 3 = 11 bytes
        self.send(url, "a" * (MIB - 11), MessageAttributes=attrs)
        with self.assertRaises(ClientError) as ctx:
            self.send(url, "a" * (MIB - 10), MessageAttributes=attrs)
        self.assertInvalidParameter(ctx, too_big(MIB))
        msg = self.receive_one(url)
        self.assertEqual(msg["MD5OfBody"], md5_hex(body))
        self.assertEqual(len(msg["Body"]), MIB)

    def test_size_limit_small_queue(self):
        url = self.create_queue(attributes={"MaximumMessageSize": "1024"})
        self.send(url, "a" * 1024)
        with self.assertRaises(ClientError) as ctx:
            self.send(url, "a" * 1025)
        self.assertInvalidParameter(ctx, too_big(1024))
        # bytes, not characters
        self.send(url, "\u00e9" * 512)
        with self.assertRaises(ClientError) as ctx:
            self.send(url, "\u00e9" * 512 + "a")
        self.assertInvalidParameter(ctx, too_big(1024))
        # binary attributes count their decoded bytes: 1 + 6 + 17 = 24
        binary = {"b": {"DataType": "Binary", "BinaryValue": b"\xff" * 17}}
        self.send(url, "a" * 1000, MessageAttributes=binary)
        with self.assertRaises(ClientError) as ctx:
            self.send(url, "a" * 1001, MessageAttributes=binary)
        self.assertInvalidParameter(ctx, too_big(1024))
        # the full data type (custom label included) counts: 1 + 8 + 1 = 10
        custom = {"s": string_attr("v", "String.x")}
        self.send(url, "a" * 1014, MessageAttributes=custom)
        with self.assertRaises(ClientError) as ctx:
            self.send(url, "a" * 1015, MessageAttributes=custom)
        self.assertInvalidParameter(ctx, too_big(1024))
        # system attributes do not count
        self.send(url, "a" * 1024, MessageSystemAttributes=trace("Root=1-5759e988-bd862e3fe1be46a994272793"))
        self.assertEqual(self.queue_attributes(url, ["ApproximateNumberOfMessages"]),
                         {"ApproximateNumberOfMessages": "5"})

    # ----------------------------------------------------------- DelaySeconds
    def test_delay_seconds(self):
        url = self.create_queue()
        for value in (-1, 901):
            with self.subTest(DelaySeconds=value):
                with self.assertRaises(ClientError) as ctx:
                    self.send(url, "x", DelaySeconds=value)
                self.assertInvalidParameter(ctx)
        self.send(url, "later", DelaySeconds=900)
        self.send(url, "now", DelaySeconds=0)
        self.assertEqual([m["Body"] for m in self.receive(url, MaxNumberOfMessages=10)], ["now"])
        self.assertEqual(self.queue_attributes(url, ["ApproximateNumberOfMessagesDelayed"]),
                         {"ApproximateNumberOfMessagesDelayed": "1"})

    # ------------------------------------------------------- SendMessageBatch
    def test_send_message_batch_success(self):
        url = self.create_queue()
        v1_body, v1_attrs, v1_body_md5, v1_attr_md5 = VECTORS["V1"]
        value = "Root=1-5759e988-bd862e3fe1be46a994272793"
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "plain", "MessageBody": "one"},
            {"Id": "with-attrs", "MessageBody": v1_body, "MessageAttributes": v1_attrs},
            {"Id": "traced_3", "MessageBody": "three", "MessageSystemAttributes": trace(value)},
        ])
        self.assertNotIn("Failed", resp)
        ok = {e["Id"]: e for e in resp["Successful"]}
        self.assertEqual(sorted(ok), ["plain", "traced_3", "with-attrs"])
        for entry in ok.values():
            self.assertRegex(entry["MessageId"], UUID_RE)
        self.assertEqual(ok["plain"]["MD5OfMessageBody"], md5_hex("one"))
        self.assertNotIn("MD5OfMessageAttributes", ok["plain"])
        self.assertNotIn("MD5OfMessageSystemAttributes", ok["plain"])
        self.assertEqual(ok["with-attrs"]["MD5OfMessageBody"], v1_body_md5)
        self.assertEqual(ok["with-attrs"]["MD5OfMessageAttributes"], v1_attr_md5)
        self.assertEqual(ok["traced_3"]["MD5OfMessageSystemAttributes"], TRACE_VECTORS[value])
        self.assertEqual(len({e["MessageId"] for e in ok.values()}), 3)
        got = self.receive(url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        self.assertEqual({m["MessageId"]: m["Body"] for m in got},
                         {ok["plain"]["MessageId"]: "one", ok["with-attrs"]["MessageId"]: v1_body,
                          ok["traced_3"]["MessageId"]: "three"})

    def test_send_message_batch_per_entry_failure(self):
        url = self.create_queue(attributes={"MaximumMessageSize": "1024"})
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "fits", "MessageBody": "a" * 1024},
            {"Id": "big", "MessageBody": "a" * 1025},
        ])
        self.assertEqual([e["Id"] for e in resp["Successful"]], ["fits"])
        self.assertEqual(len(resp["Failed"]), 1)
        assert_batch_failure(resp["Failed"][0], "big", "InvalidParameterValue",
                             "One or more parameters cannot be validated. Reason: Message must be "
                             "shorter than 1024 bytes.")
        self.assertEqual(self.queue_attributes(url, ["ApproximateNumberOfMessages"]),
                         {"ApproximateNumberOfMessages": "1"})

    def test_send_message_batch_request_errors(self):
        url = self.create_queue()
        with self.assertRaises(ClientError) as ctx:
            self.sqs.send_message_batch(QueueUrl=url, Entries=[])
        self.assertError(ctx, "AWS.SimpleQueueService.EmptyBatchRequest",
                         "There should be at least one SendMessageBatchRequestEntry in the request.")
        with self.assertRaises(ClientError) as ctx:
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": "e%d" % i, "MessageBody": "x"} for i in range(11)])
        self.assertError(ctx, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                         "Maximum number of entries per request are 10. You have sent 11.")
        with self.assertRaises(ClientError) as ctx:
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": "a", "MessageBody": "x"}, {"Id": "b", "MessageBody": "y"}, {"Id": "a", "MessageBody": "z"}])
        self.assertError(ctx, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated.")
        for bad_id in ("bad id", "dot.id", "x" * 81, "\u00fc"):
            with self.subTest(id=bad_id[:20]):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": bad_id, "MessageBody": "x"}])
                self.assertError(ctx, "AWS.SimpleQueueService.InvalidBatchEntryId", INVALID_BATCH_ID)
        self.assertEqual(self.receive(url), [])
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "x" * 80, "MessageBody": "x"}, {"Id": "A-z_9", "MessageBody": "y"}])
        self.assertEqual(sorted(e["Id"] for e in resp["Successful"]), sorted(["x" * 80, "A-z_9"]))
        with self.assertRaises(ClientError) as ctx:
            self.sqs.send_message_batch(QueueUrl=self.url_for(self.unique("ghost")),
                                        Entries=[{"Id": "a", "MessageBody": "x"}])
        self.assertQueueDoesNotExist(ctx)

    def test_send_message_batch_total_size(self):
        url = self.create_queue()
        with self.assertRaises(ClientError) as ctx:
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": "a", "MessageBody": "a" * 600000}, {"Id": "b", "MessageBody": "b" * 600000}])
        self.assertError(ctx, "AWS.SimpleQueueService.BatchRequestTooLong",
                         "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.")
        self.assertEqual(self.receive(url), [])
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "a" * (MIB // 2)}, {"Id": "b", "MessageBody": "b" * (MIB // 2)}])
        self.assertEqual(len(resp["Successful"]), 2)
        self.assertNotIn("Failed", resp)

    # --------------------------------------------------------- ReceiveMessage
    def test_receive_empty_queue(self):
        url = self.create_queue()
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
        self.assertNotIn("Messages", resp)

    def test_receive_system_attributes(self):
        url = self.create_queue()
        before = now_ms()
        sent = self.send(url, "attrs")
        after = now_ms()
        msg = self.receive_one(url, AttributeNames=["All"], VisibilityTimeout=0)
        received_at = now_ms()
        attrs = msg["Attributes"]
        self.assertEqual(sorted(attrs), STANDARD_SYSTEM_ATTRIBUTES)
        self.assertIn(attrs["SenderId"], ("000000000000", "AKIDEXAMPLE"))
        sent_ts = int(attrs["SentTimestamp"])
        self.assertTrue(before - 5 <= sent_ts <= after + 5, (before, sent_ts, after))
        first = int(attrs["ApproximateFirstReceiveTimestamp"])
        self.assertTrue(sent_ts <= first <= received_at + 5, (sent_ts, first, received_at))
        self.assertEqual(attrs["ApproximateReceiveCount"], "1")
        again = self.receive_one(url, MessageSystemAttributeNames=["All"])
        self.assertEqual(again["MessageId"], sent["MessageId"])
        self.assertEqual(again["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(again["Attributes"]["ApproximateFirstReceiveTimestamp"], str(first))
        self.assertEqual(again["Attributes"]["SentTimestamp"], str(sent_ts))

    def test_receive_selected_system_attributes(self):
        url = self.create_queue()
        self.send(url, "pick")
        cases = [
            ({"AttributeNames": ["SentTimestamp"]}, ["SentTimestamp"]),
            ({"AttributeNames": ["ApproximateReceiveCount", "SenderId"]}, ["ApproximateReceiveCount", "SenderId"]),
            ({"MessageSystemAttributeNames": ["ApproximateFirstReceiveTimestamp"]},
             ["ApproximateFirstReceiveTimestamp"]),
            ({"MessageSystemAttributeNames": ["All"]}, STANDARD_SYSTEM_ATTRIBUTES),
            # names that do not apply to this message are not returned
            ({"AttributeNames": ["SentTimestamp", "AWSTraceHeader", "SequenceNumber"]}, ["SentTimestamp"]),
        ]
        for kwargs, expected in cases:
            with self.subTest(**kwargs):
                msg = self.receive_one(url, VisibilityTimeout=0, **kwargs)
                self.assertEqual(sorted(msg["Attributes"]), sorted(expected))
        msg = self.receive_one(url, VisibilityTimeout=0)
        self.assertNotIn("Attributes", msg)

    def test_receive_message_attribute_selection(self):
        url = self.create_queue()
        attributes = {
            "city": string_attr("Any City"),
            "count": string_attr("42", "Number"),
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"},
            "Hello": string_attr("x"),
            "Help.Me": string_attr("y"),
        }
        self.send(url, "filtered", MessageAttributes=attributes)
        cases = [
            (["All"], list(attributes)),
            ([".*"], list(attributes)),
            (["*"], list(attributes)),
            (["city"], ["city"]),
            (["city", "nope"], ["city"]),
            (["Hel.*"], ["Hello", "Help.Me"]),
            (["Help.*", "count"], ["Help.Me", "count"]),
            (["CITY"], []),
            (["nope"], []),
            (["AWS.x"], []),
        ]
        for names, expected in cases:
            with self.subTest(names=names):
                msg = self.receive_one(url, VisibilityTimeout=0, MessageAttributeNames=names)
                if not expected:
                    self.assertNotIn("MessageAttributes", msg)
                    self.assertNotIn("MD5OfMessageAttributes", msg)
                    continue
                subset = {k: attributes[k] for k in expected}
                self.assertEqual(msg["MessageAttributes"], subset)
                self.assertEqual(msg["MD5OfMessageAttributes"], md5_of_attributes(subset))
        msg = self.receive_one(url, VisibilityTimeout=0, MessageAttributeNames=["city"])
        self.assertEqual(msg["MD5OfMessageAttributes"], "a6ffb68ea212e1f864e24e589a1bda87")  # V4's `city` alone
        msg = self.receive_one(url, VisibilityTimeout=0)
        self.assertNotIn("MessageAttributes", msg)
        self.assertNotIn("MD5OfMessageAttributes", msg)

    def test_receive_parameter_ranges(self):
        url = self.create_queue()
        for value in (0, 11, -1):
            with self.subTest(MaxNumberOfMessages=value):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=value)
                self.assertInvalidParameter(
                    ctx, "Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, "
                         "if provided." % value)
        for value in (21, -1):
            with self.subTest(WaitTimeSeconds=value):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=value)
                self.assertInvalidParameter(
                    ctx, "Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, "
                         "if provided." % value)
        for value in (43201, -1):
            with self.subTest(VisibilityTimeout=value):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=value, WaitTimeSeconds=0)
                self.assertInvalidParameter(ctx)
        with self.assertRaises(ClientError) as ctx:
            self.sqs.receive_message(QueueUrl=self.url_for(self.unique("ghost")), WaitTimeSeconds=0)
        self.assertQueueDoesNotExist(ctx)

    def test_receive_max_number_of_messages(self):
        url = self.create_queue()
        for i in range(12):
            self.send(url, "m%d" % i)
        self.assertEqual(len(self.receive(url)), 1)  # default 1
        self.assertEqual(len(self.receive(url, MaxNumberOfMessages=10)), 10)
        self.assertEqual(len(self.receive(url, MaxNumberOfMessages=10)), 1)
        self.assertEqual(self.receive(url, MaxNumberOfMessages=10), [])

    def test_receive_hides_message_and_handles_are_new(self):
        url = self.create_queue()
        sent = self.send(url, "again and again")
        handles = set()
        for count in (1, 2, 3):
            msg = self.receive_one(url, VisibilityTimeout=0, AttributeNames=["ApproximateReceiveCount"])
            self.assertEqual(msg["MessageId"], sent["MessageId"])
            self.assertEqual(msg["Attributes"]["ApproximateReceiveCount"], str(count))
            handles.add(msg["ReceiptHandle"])
        self.assertEqual(len(handles), 3)
        self.receive_one(url)  # default visibility timeout 30 s
        self.assertEqual(self.receive(url), [])
        self.assertEqual(self.queue_attributes(url, ["ApproximateNumberOfMessages",
                                                     "ApproximateNumberOfMessagesNotVisible"]),
                         {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "1"})

    # ---------------------------------------------------------- DeleteMessage
    def test_delete_message(self):
        url = self.create_queue()
        self.send(url, "delete me")
        msg = self.receive_one(url)
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
        self.assertEqual(self.queue_attributes(url, ["ApproximateNumberOfMessages",
                                                     "ApproximateNumberOfMessagesNotVisible"]),
                         {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"})
        # deleting again is a no-op success
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
        self.assertEqual(self.receive(url), [])

    def test_delete_with_handle_whose_visibility_ended(self):
        url = self.create_queue()
        self.send(url, "x")
        msg = self.receive_one(url)
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=0)
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
        self.assertEqual(self.receive(url), [])

    def test_delete_message_invalid_handle(self):
        url = self.create_queue()
        for handle in ("garbage", "AQEB" + "A" * 40):
            with self.subTest(handle=handle):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
                self.assertError(ctx, "ReceiptHandleIsInvalid", invalid_handle(handle))
        with self.assertRaises(ClientError) as ctx:
            self.sqs.delete_message(QueueUrl=self.url_for(self.unique("ghost")), ReceiptHandle="garbage")
        self.assertQueueDoesNotExist(ctx)

    def test_delete_message_batch(self):
        url = self.create_queue()
        for i in range(2):
            self.send(url, "m%d" % i)
        got = self.receive(url, MaxNumberOfMessages=10)
        self.assertEqual(len(got), 2)
        resp = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "d0", "ReceiptHandle": got[0]["ReceiptHandle"]},
            {"Id": "d1", "ReceiptHandle": got[1]["ReceiptHandle"]},
            {"Id": "bad", "ReceiptHandle": "garbage"},
        ])
        self.assertEqual(sorted(e["Id"] for e in resp["Successful"]), ["d0", "d1"])
        self.assertEqual(len(resp["Failed"]), 1)
        assert_batch_failure(resp["Failed"][0], "bad", "ReceiptHandleIsInvalid", invalid_handle("garbage"))
        self.assertEqual(self.queue_attributes(url, ["ApproximateNumberOfMessagesNotVisible"]),
                         {"ApproximateNumberOfMessagesNotVisible": "0"})

    def test_delete_message_batch_request_errors(self):
        url = self.create_queue()
        with self.assertRaises(ClientError) as ctx:
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[])
        self.assertError(ctx, "AWS.SimpleQueueService.EmptyBatchRequest",
                         "There should be at least one DeleteMessageBatchRequestEntry in the request.")
        with self.assertRaises(ClientError) as ctx:
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": "e%d" % i, "ReceiptHandle": "h%d" % i} for i in range(11)])
        self.assertError(ctx, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                         "Maximum number of entries per request are 10. You have sent 11.")
        with self.assertRaises(ClientError) as ctx:
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": "same", "ReceiptHandle": "h1"}, {"Id": "same", "ReceiptHandle": "h2"}])
        self.assertError(ctx, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id same repeated.")
        with self.assertRaises(ClientError) as ctx:
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "no good", "ReceiptHandle": "h"}])
        self.assertError(ctx, "AWS.SimpleQueueService.InvalidBatchEntryId", INVALID_BATCH_ID)

    # ------------------------------------------------- ChangeMessageVisibility
    def test_change_message_visibility(self):
        url = self.create_queue()
        sent = self.send(url, "cmv")
        msg = self.receive_one(url)
        self.assertEqual(self.receive(url), [])
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=0)
        again = self.receive_one(url, AttributeNames=["ApproximateReceiveCount"])
        self.assertEqual(again["MessageId"], sent["MessageId"])
        self.assertEqual(again["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertNotEqual(again["ReceiptHandle"], msg["ReceiptHandle"])
        # extend (from now, not additive) and it stays hidden
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"], VisibilityTimeout=600)
        self.assertEqual(self.receive(url), [])
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"],
                                           VisibilityTimeout=43000)
        self.assertEqual(self.receive(url), [])

    def test_change_message_visibility_errors(self):
        url = self.create_queue()
        self.send(url, "x")
        msg = self.receive_one(url)
        for value in (-1, 43201):
            with self.subTest(VisibilityTimeout=value):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"],
                                                       VisibilityTimeout=value)
                self.assertInvalidParameter(ctx)
        with self.assertRaises(ClientError) as ctx:
            self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle="garbage", VisibilityTimeout=5)
        self.assertError(ctx, "ReceiptHandleIsInvalid", invalid_handle("garbage"))
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
        with self.assertRaises(ClientError) as ctx:
            self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=5)
        self.assertInvalidParameter(
            ctx, "Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not "
                 "available for visibility timeout change." % msg["ReceiptHandle"])

    def test_change_message_visibility_batch(self):
        url = self.create_queue()
        for i in range(2):
            self.send(url, "m%d" % i)
        got = self.receive(url, MaxNumberOfMessages=10)
        self.assertEqual(len(got), 2)
        self.assertEqual(self.receive(url), [])
        resp = self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "c0", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "c1", "ReceiptHandle": got[1]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "bad", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
        ])
        self.assertEqual(sorted(e["Id"] for e in resp["Successful"]), ["c0", "c1"])
        self.assertEqual(len(resp["Failed"]), 1)
        assert_batch_failure(resp["Failed"][0], "bad", "ReceiptHandleIsInvalid")
        self.assertEqual(len(self.receive(url, MaxNumberOfMessages=10)), 2)
        with self.assertRaises(ClientError) as ctx:
            self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[])
        self.assertError(ctx, "AWS.SimpleQueueService.EmptyBatchRequest",
                         "There should be at least one ChangeMessageVisibilityBatchRequestEntry in the request.")
        with self.assertRaises(ClientError) as ctx:
            self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
                {"Id": "e%d" % i, "ReceiptHandle": "h%d" % i, "VisibilityTimeout": 0} for i in range(11)])
        self.assertError(ctx, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                         "Maximum number of entries per request are 10. You have sent 11.")


class TestMessagesJson(MessagesBase, ServerTestCase):
    protocol = "json"

    def test_receive_union_of_attribute_name_lists(self):
        # On the query protocol both lists share the wire name AttributeName.N (docs/sqs-semantics.md,
        # The two wire protocols).
        url = self.create_queue()
        self.send(url, "union")
        msg = self.receive_one(url, AttributeNames=["SenderId"], MessageSystemAttributeNames=["SentTimestamp"])
        self.assertEqual(sorted(msg["Attributes"]), ["SenderId", "SentTimestamp"])

    def test_body_lone_surrogate(self):
        # Only expressible as a JSON \\ud800 escape; query would need invalid UTF-8.
        url = self.create_queue()
        with self.assertRaises(ClientError) as ctx:
            self.send(url, "a\ud800b")
        self.assertError(ctx, "InvalidMessageContents")


class TestMessagesQuery(MessagesBase, ServerTestCase):
    protocol = "query"

    def test_body_invalid_utf8(self):
        # Raw form body: %FF is not UTF-8 -> InvalidMessageContents.
        url = self.create_queue()
        form = "Action=SendMessage&Version=2012-11-05&QueueUrl=%s&MessageBody=a%%FFb" % (
            urllib.parse.quote(url, safe=""))
        status, _, body = self.server.raw("POST", "/", form.encode(), {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        self.assertEqual(status, 400, body)
        self.assertIn(b"<Code>InvalidMessageContents</Code>", body)
        self.assertEqual(self.receive(url), [])

    def test_cr_is_escaped_in_xml(self):
        # The raw XML must carry CR as a character reference, or parsers turn it into LF.
        url = self.create_queue()
        self.send(url, "a\rb")
        form = "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=%s" % urllib.parse.quote(url, safe="")
        status, _, body = self.server.raw("POST", "/", form.encode(), {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        self.assertEqual(status, 200, body)
        self.assertNotIn(b"a\rb", body)
        self.assertRegex(body, rb"<Body>a&#(xD|xd|13);b</Body>")


del MessagesBase
