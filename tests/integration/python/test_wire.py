"""Raw-wire behaviour: both protocols' request decoding and answer and error shapes, queue URLs,
regions from the SigV4 credential scope, body characters and sizes (docs/sqs-semantics.md,
The two wire protocols; Accounts, regions, URLs and ARNs; Body and size).

These tests speak HTTP directly (harness Server.raw / raw_json) so they can check
exact headers, bodies and malformed input that an SDK would never send.
"""
import hashlib
import json
import socket
import threading
from urllib.parse import quote, urlparse

import harness
from semantics_util import (HAVE_QUERY_MODEL, NS, XMLNS, SqsTestMixin, counters, fake_sigv4,
                            is_uuid, make_client, query, queue_attrs, receive, xml_child, xml_text)

NONEXISTENT_JSON = {"__type": "com.amazonaws.sqs#QueueDoesNotExist",
                    "message": "The specified queue does not exist."}
JSON_CT = "application/x-amz-json-1.0"


def md5(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.md5(data).hexdigest()


def error_shape(type_value):
    """The shape name after the '#' of a JSON __type (namespaces are ignored by SDKs)."""
    return (type_value or "").rsplit("#", 1)[-1]


def big_request(port, head, body_len, chunk, tail=b"", timeout=60):
    """Sends `head` then body_len bytes of `chunk`s, reading the response concurrently so
    an early answer (e.g. 413 before the upload finishes) is not lost. Returns
    (status or None, response bytes, send error or None)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    received = bytearray()

    def reader():
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    return
                received.extend(data)
                if b"\r\n\r\n" in received:
                    header, _, rest = bytes(received).partition(b"\r\n\r\n")
                    for line in header.split(b"\r\n"):
                        if line.lower().startswith(b"content-length:"):
                            if len(rest) >= int(line.split(b":", 1)[1]):
                                return
        except OSError:
            return

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    send_error = None
    try:
        sock.sendall(head)
        sent = 0
        while sent < body_len:
            piece = chunk[:body_len - sent]
            sock.sendall(piece)
            sent += len(piece)
        sock.sendall(tail)
    except OSError as exc:
        send_error = exc
    t.join(timeout)
    try:
        sock.close()
    except OSError:
        pass
    status = None
    if received.startswith(b"HTTP/1."):
        try:
            status = int(received.split(b" ", 2)[1])
        except (IndexError, ValueError):
            status = None
    return status, bytes(received), send_error


class WireTests(SqsTestMixin, harness.ServerTestCase):

    def setUp(self):
        self.c = self.server.client(read_timeout=60)

    # ---- helpers
    def queue(self, prefix="w", **attrs):
        return self.new_queue(self.c, prefix, attrs or None)

    def path_of(self, url):
        return urlparse(url).path

    def missing_url(self):
        return "%s/%s/%s" % (self.server.endpoint, harness.ACCOUNT, self.unique("missing"))

    def assert_no_queue(self, name):
        self.assertSqsError("AWS.SimpleQueueService.NonExistentQueue", self.c.get_queue_url, QueueName=name)

    def assert_json_error(self, status, hdrs, body, shape, query_code, http=400):
        self.assertEqual(status, http, body)
        self.assertIsInstance(body, dict, body)
        self.assertEqual(error_shape(body.get("__type")), shape, body)
        self.assertTrue(hdrs.get("content-type", "").startswith(JSON_CT), hdrs)
        if query_code is not None:
            self.assertEqual(hdrs.get("x-amzn-query-error"), "%s;Sender" % query_code)
        self.assertTrue(is_uuid(hdrs.get("x-amzn-requestid")), hdrs)

    def assert_query_error(self, status, hdrs, root, code, http=400, message=None):
        self.assertEqual(status, http)
        self.assertIsNotNone(root, "error body is not XML")
        self.assertEqual(root.tag, NS + "ErrorResponse")
        self.assertEqual(xml_text(root, "Error/Type"), "Sender")
        self.assertEqual(xml_text(root, "Error/Code"), code)
        if message is not None:
            self.assertEqual(xml_text(root, "Error/Message"), message)
        rid = xml_child(root, "RequestId")
        self.assertIsNotNone(rid, "RequestId must be a direct child of ErrorResponse")
        self.assertEqual(rid.text, hdrs.get("x-amzn-requestid"))
        self.assertIsNone(xml_child(root, "ResponseMetadata"))

    # ---- request ids
    def test_every_response_has_a_fresh_request_id(self):
        url = self.queue("wrid")
        seen = []
        st, h, _ = self.server.raw_json("ListQueues", {})
        self.assertEqual(st, 200)
        seen.append(h.get("x-amzn-requestid"))
        st, h, _ = self.server.raw_json("GetQueueUrl", {"QueueName": self.unique("nope")})
        self.assertEqual(st, 400)
        seen.append(h.get("x-amzn-requestid"))
        st, h, _ = self.server.raw_json("NoSuchAction", {})
        seen.append(h.get("x-amzn-requestid"))
        for params in ({"Action": "ListQueues"}, {"Action": "GetQueueUrl", "QueueName": self.unique("nope")}):
            st, h, root, _ = query(self.server, params)
            seen.append(h.get("x-amzn-requestid"))
            if st == 200:
                self.assertEqual(xml_text(root, "ResponseMetadata/RequestId"), h.get("x-amzn-requestid"))
            else:
                self.assertEqual(xml_text(root, "RequestId"), h.get("x-amzn-requestid"))
        st, h, _, _ = query(self.server, {}, path=self.path_of(url), method="GET")
        seen.append(h.get("x-amzn-requestid"))
        for _ in range(3):
            seen.append(self.c.list_queues()["ResponseMetadata"]["RequestId"])
        for rid in seen:
            self.assertTrue(is_uuid(rid), "not a UUID request id: %r" % (rid,))
        self.assertEqual(len(seen), len(set(seen)), "request ids repeat: %r" % seen)

    # ---- JSON errors
    def test_json_error_shape_nonexistent_queue(self):
        for extra in ({"x-amzn-query-mode": "true"}, {}):
            st, h, body = self.server.raw_json("SendMessage", {"QueueUrl": self.missing_url(),
                                                               "MessageBody": "x"}, headers=extra)
            self.assert_json_error(st, h, body, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue")
            self.assertEqual(body, NONEXISTENT_JSON)
        # and what botocore makes of it: the query code from x-amzn-query-error
        with self.assertRaises(self.c.exceptions.QueueDoesNotExist) as cm:
            self.c.send_message(QueueUrl=self.missing_url(), MessageBody="x")
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "AWS.SimpleQueueService.NonExistentQueue")
        self.assertEqual(err["QueryErrorCode"], "QueueDoesNotExist")
        self.assertEqual(err["Type"], "Sender")
        self.assertEqual(err["Message"], "The specified queue does not exist.")

    def test_json_unmodeled_errors(self):
        url = self.queue("wum")
        st, h, body = self.server.raw_json("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 11})
        self.assert_json_error(st, h, body, "InvalidParameterValueException", "InvalidParameterValue")
        self.assertEqual(body.get("message"), "Value 11 for parameter MaxNumberOfMessages is invalid. "
                                              "Reason: Must be between 1 and 10, if provided.")
        st, h, body = self.server.raw_json("SendMessage", {"QueueUrl": url, "MessageBody": ""})
        self.assert_json_error(st, h, body, "MissingRequiredParameterException", "MissingParameter")
        self.assertEqual(body.get("message"), "The request must contain the parameter MessageBody.")
        self.assertEqual(counters(self.c, url), (0, 0, 0))

    # ---- Query errors
    def test_query_error_shape(self):
        st, h, root, raw = query(self.server, {"Action": "GetQueueUrl", "Version": "2012-11-05",
                                               "QueueName": self.unique("nope")})
        self.assert_query_error(st, h, root, "AWS.SimpleQueueService.NonExistentQueue",
                                message="The specified queue does not exist for this wsdl version.")
        self.assertIn(XMLNS.encode(), raw)
        st, h, root, _ = query(self.server, {"Action": "SendMessage", "QueueUrl": self.missing_url(),
                                             "MessageBody": "x"})
        self.assert_query_error(st, h, root, "AWS.SimpleQueueService.NonExistentQueue",
                                message="The specified queue does not exist for this wsdl version.")

    # ---- routing-level errors
    def test_unknown_json_target(self):
        name = self.unique("wtgt")
        for target in ("AmazonSQS.FooBar", "AmazonSQS.createQueue", "AmazonSNS.CreateQueue", "CreateQueue"):
            st, h, body = self.server.raw("POST", "/", json.dumps({"QueueName": name}),
                                          {"Content-Type": JSON_CT, "X-Amz-Target": target})
            self.assertEqual(st, 400, (target, body))
            parsed = json.loads(body)
            self.assertEqual(error_shape(parsed.get("__type")), "UnknownOperationException", (target, parsed))
        # a JSON content type without any target is UnknownOperationException
        st, h, body = self.server.raw("POST", "/", json.dumps({"QueueName": name}), {"Content-Type": JSON_CT})
        self.assertEqual(st, 400)
        self.assertEqual(error_shape(json.loads(body).get("__type")), "UnknownOperationException")
        self.assert_no_queue(name)

    def test_malformed_json_body(self):
        name = self.unique("wbad")
        for body in ('{"QueueName": "%s",' % name, '{"QueueName": "%s"' % name, "not json",
                     '{"QueueName": "%s", }' % name, "{'QueueName': '%s'}" % name):
            st, h, parsed = self.server.raw_json("CreateQueue", body)
            self.assertEqual(st, 400, body)
            self.assertIsInstance(parsed, dict, "error body must be JSON: %r" % (parsed,))
            self.assertEqual(error_shape(parsed.get("__type")), "SerializationException", body)
            self.assertTrue(is_uuid(h.get("x-amzn-requestid")))
        for body in ("[]", '"%s"' % name, "42"):
            st, _, parsed = self.server.raw_json("CreateQueue", body)
            self.assertEqual(st, 400, body)
        self.assert_no_queue(name)
        # an empty JSON body is {}
        st, _, parsed = self.server.raw_json("ListQueues", "")
        self.assertEqual(st, 200, parsed)

    def test_wrong_member_types(self):
        url = self.queue("wtypes")
        name = self.unique("wtyp")
        cases = [
            ("CreateQueue", {"QueueName": 123}),
            ("CreateQueue", {"QueueName": name, "Attributes": ["VisibilityTimeout"]}),
            ("CreateQueue", {"QueueName": name, "Attributes": {"VisibilityTimeout": 30}}),
            ("CreateQueue", {"QueueName": name, "tags": "env=dev"}),
            ("SendMessage", {"QueueUrl": url, "MessageBody": 5}),
            ("SendMessage", {"QueueUrl": url, "MessageBody": "x", "DelaySeconds": "0"}),
            ("SendMessage", {"QueueUrl": url, "MessageBody": ["x"]}),
            ("SendMessageBatch", {"QueueUrl": url, "Entries": {"Id": "a", "MessageBody": "x"}}),
            ("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": "5"}),
            ("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 1.5}),
            ("ReceiveMessage", {"QueueUrl": url, "AttributeNames": "All"}),
            ("GetQueueAttributes", {"QueueUrl": 7, "AttributeNames": ["All"]}),
        ]
        for action, payload in cases:
            st, h, body = self.server.raw_json(action, payload)
            self.assertEqual(st, 400, (action, payload, body))
            self.assertIsInstance(body, dict)
            self.assertEqual(error_shape(body.get("__type")), "SerializationException", (action, payload, body))
        self.assert_no_queue(name)
        self.assert_no_queue("123")
        self.assertEqual(counters(self.c, url), (0, 0, 0))

    def test_unknown_query_action(self):
        for method in ("POST", "GET"):
            st, h, root, _ = query(self.server, {"Action": "FooBar", "Version": "2012-11-05"}, method=method)
            self.assert_query_error(st, h, root, "InvalidAction",
                                    message="The action FooBar is not valid for this endpoint.")

    def test_create_and_list_queues_rejected_on_queue_url(self):
        url = self.queue("wpath")
        other = self.unique("wother")
        for action, extra in (("CreateQueue", {"QueueName": other}), ("ListQueues", {})):
            params = {"Action": action, "Version": "2012-11-05"}
            params.update(extra)
            st, h, root, _ = query(self.server, params, path=self.path_of(url))
            self.assert_query_error(st, h, root, "InvalidAction",
                                    message="The action %s is not valid for this endpoint." % action)
        self.assert_no_queue(other)
        # GetQueueUrl sent to a queue URL works, even for another queue
        target = self.queue("wtarget")
        st, h, root, _ = query(self.server, {"Action": "GetQueueUrl", "QueueName": target.rsplit("/", 1)[1]},
                               path=self.path_of(url))
        self.assertEqual(st, 200)
        self.assertEqual(xml_text(root, "GetQueueUrlResult/QueueUrl"), target)

    def test_query_to_queue_url_without_queueurl_parameter(self):
        url = self.queue("wget")
        path = self.path_of(url)
        # a query GET to the queue URL, no QueueUrl parameter: the URL is the QueueUrl
        st, h, root, raw = query(self.server, None, path=path, method="GET",
                                 raw_body="Action=SendMessage&MessageBody=hello%20world&Version=2012-11-05")
        self.assertEqual(st, 200, raw)
        self.assertEqual(root.tag, NS + "SendMessageResponse")
        self.assertEqual(xml_text(root, "SendMessageResult/MD5OfMessageBody"), "5eb63bbbe01eeed093cb22bb8f5acdc3")
        mid = xml_text(root, "SendMessageResult/MessageId")
        self.assertTrue(is_uuid(mid))
        self.assertEqual(xml_text(root, "ResponseMetadata/RequestId"), h.get("x-amzn-requestid"))
        # without Version, as a POST form to the path
        st, _, root, raw = query(self.server, {"Action": "SendMessage", "MessageBody": "second"}, path=path)
        self.assertEqual(st, 200, raw)
        # GET ReceiveMessage on the queue URL
        st, _, root, raw = query(self.server, None, path=path, method="GET",
                                 raw_body="Action=ReceiveMessage&MaxNumberOfMessages=10&VisibilityTimeout=0")
        self.assertEqual(st, 200, raw)
        bodies = sorted(xml_text(m, "Body") for m in root.find(NS + "ReceiveMessageResult").findall(NS + "Message"))
        self.assertEqual(bodies, ["hello world", "second"])
        # a QueueUrl parameter wins over the path
        other = self.queue("wother")
        st, _, _, raw = query(self.server, {"Action": "SendMessage", "QueueUrl": other, "MessageBody": "routed"},
                              path=path)
        self.assertEqual(st, 200, raw)
        self.assertEqual([m["Body"] for m in receive(self.c, other)], ["routed"])
        self.assertEqual(counters(self.c, url), (2, 0, 0))

    def test_get_queue_url_without_action_is_404(self):
        url = self.queue("w404")
        st, h, body = self.server.raw("GET", self.path_of(url))
        self.assertEqual(st, 404)
        self.assertIn(b"UnknownOperationException", body)
        self.assertTrue(is_uuid(h.get("x-amzn-requestid")))

    # ---- XML response shapes
    def test_xml_result_elements(self):
        url = self.queue("wxml")
        name = url.rsplit("/", 1)[1]

        def ok(params, action):
            st, h, root, raw = query(self.server, params)
            self.assertEqual(st, 200, raw)
            self.assertEqual(root.tag, NS + action + "Response", raw)
            self.assertEqual(xml_text(root, "ResponseMetadata/RequestId"), h.get("x-amzn-requestid"))
            return root, raw

        for action, params in (
                ("ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": "0"}),
                ("ListQueues", {"QueueNamePrefix": self.unique("nomatch")}),
                ("GetQueueAttributes", {"QueueUrl": url}),
                ("ListQueueTags", {"QueueUrl": url}),
                ("ListDeadLetterSourceQueues", {"QueueUrl": url})):
            p = {"Action": action, "Version": "2012-11-05"}
            p.update(params)
            root, raw = ok(p, action)
            result = xml_child(root, action + "Result")
            self.assertIsNotNone(result, "%s: the Result element is mandatory even when empty: %r" % (action, raw))
            self.assertEqual(list(result), [], "%s: expected an empty Result: %r" % (action, raw))
            self.assertEqual([child.tag for child in root], [NS + action + "Result", NS + "ResponseMetadata"])
        # actions without output have no Result element
        for action, params in (("SetQueueAttributes", {"QueueUrl": url, "Attribute.1.Name": "DelaySeconds",
                                                       "Attribute.1.Value": "0"}),
                               ("TagQueue", {"QueueUrl": url, "Tag.1.Key": "k", "Tag.1.Value": "v"}),
                               ("PurgeQueue", {"QueueUrl": url})):
            p = {"Action": action}
            p.update(params)
            root, raw = ok(p, action)
            self.assertEqual([child.tag for child in root], [NS + "ResponseMetadata"], raw)
        # populated results
        root, _ = ok({"Action": "ListQueues", "QueueNamePrefix": name}, "ListQueues")
        self.assertEqual([e.text for e in root.find(NS + "ListQueuesResult").findall(NS + "QueueUrl")], [url])
        root, _ = ok({"Action": "GetQueueAttributes", "QueueUrl": url, "AttributeName.1": "VisibilityTimeout"},
                     "GetQueueAttributes")
        attrs = root.find(NS + "GetQueueAttributesResult").findall(NS + "Attribute")
        self.assertEqual([(xml_text(a, "Name"), xml_text(a, "Value")) for a in attrs], [("VisibilityTimeout", "30")])

    def test_json_success_shapes(self):
        url = self.queue("wjs")
        st, h, body = self.server.raw_json("ReceiveMessage", {"QueueUrl": url})
        self.assertEqual((st, body), (200, {}))
        self.assertTrue(h.get("content-type", "").startswith(JSON_CT))
        st, _, body = self.server.raw_json("SendMessageBatch", {"QueueUrl": url, "Entries": [
            {"Id": "a", "MessageBody": "x"}, {"Id": "b", "MessageBody": "y"}]})
        self.assertEqual(st, 200)
        self.assertNotIn("Failed", body, "JSON answers leave empty lists out")
        self.assertEqual(sorted(e["Id"] for e in body["Successful"]), ["a", "b"])
        st, _, body = self.server.raw_json("ListQueueTags", {"QueueUrl": url})
        self.assertEqual(st, 200)
        self.assertNotIn("Tags", body)

    # ---- body contents
    def test_carriage_return_round_trips_on_query(self):
        url = self.queue("wcr")
        body = 'line1\r\nline2\rend "quoted" <tag> & amp\ttab'
        st, _, root, raw = query(self.server, {"Action": "SendMessage", "QueueUrl": url, "MessageBody": body})
        self.assertEqual(st, 200, raw)
        self.assertEqual(xml_text(root, "SendMessageResult/MD5OfMessageBody"), md5(body))
        st, _, root, raw = query(self.server, {"Action": "ReceiveMessage", "QueueUrl": url, "VisibilityTimeout": "0"})
        self.assertEqual(st, 200, raw)
        self.assertIn(b"&#xD;", raw, "CR must be written as &#xD; in XML")
        self.assertNotIn(b"\r", raw)
        self.assertIn(b"&quot;", raw)
        msg = root.find(NS + "ReceiveMessageResult").find(NS + "Message")
        self.assertEqual(xml_text(msg, "Body"), body)
        self.assertEqual(xml_text(msg, "MD5OfBody"), md5(body))
        # the same message over JSON
        [m] = receive(self.c, url, VisibilityTimeout=0)
        self.assertEqual(m["Body"], body)
        if HAVE_QUERY_MODEL:
            q = self.server.client(protocol="query")
            q.send_message(QueueUrl=url, MessageBody="via\rboto\r\nquery")
            got = set()
            for _ in range(5):
                got.update(x["Body"] for x in receive(q, url, VisibilityTimeout=0))
            self.assertIn("via\rboto\r\nquery", got)

    def test_json_nul_and_invalid_characters_rejected(self):
        url = self.queue("wnul")
        for escaped in ("a\\u0000b", "\\u0000", "x\\u0001", "\\ud800", "a\\udc00b", "\\uffff", "\\ufffe"):
            raw_body = '{"QueueUrl": %s, "MessageBody": "%s"}' % (json.dumps(url), escaped)
            st, h, body = self.server.raw_json("SendMessage", raw_body)
            self.assert_json_error(st, h, body, "InvalidMessageContents", "InvalidMessageContents")
        self.assertEqual(counters(self.c, url), (0, 0, 0), "a rejected message was enqueued")
        # allowed: tab, LF, CR, and a surrogate pair (U+1F600)
        raw_body = '{"QueueUrl": %s, "MessageBody": "\\t\\n\\r\\ud83d\\ude00\\ue000"}' % json.dumps(url)
        st, _, body = self.server.raw_json("SendMessage", raw_body)
        self.assertEqual(st, 200, body)
        expected = "\t\n\r\U0001F600\ue000"
        self.assertEqual(body["MD5OfMessageBody"], md5(expected))
        [m] = receive(self.c, url)
        self.assertEqual(m["Body"], expected)

    def test_query_invalid_utf8_rejected(self):
        url = self.queue("wutf")
        for bad in ("%FF", "ab%C3", "%ED%A0%80", "%00", "a%01b", "%EF%BF%BF"):
            raw_body = "Action=SendMessage&QueueUrl=%s&MessageBody=%s" % (quote(url, safe=""), bad)
            st, h, root, raw = query(self.server, None, raw_body=raw_body)
            self.assert_query_error(st, h, root, "InvalidMessageContents")
        self.assertEqual(counters(self.c, url), (0, 0, 0))
        raw_body = "Action=SendMessage&QueueUrl=%s&MessageBody=caf%%C3%%A9+%%E2%%98%%83" % quote(url, safe="")
        st, _, root, raw = query(self.server, None, raw_body=raw_body)
        self.assertEqual(st, 200, raw)
        self.assertEqual(xml_text(root, "SendMessageResult/MD5OfMessageBody"), md5("café ☃"))
        self.assertEqual([m["Body"] for m in receive(self.c, url)], ["café ☃"])

    # ---- sizes
    def test_large_escaped_message_is_accepted(self):
        # 1 MiB of 2-byte characters: botocore sends each as \\u00e9, ~3 MiB of JSON, within the 8 MB
        # request-body limit (docs/security.md, Limits); the body itself is exactly 1 MiB
        url = self.queue("wbig")
        body = "\u00e9" * (1048576 // 2)
        resp = self.c.send_message(QueueUrl=url, MessageBody=body)
        self.assertEqual(resp["MD5OfMessageBody"], md5(body))
        [m] = receive(self.c, url)
        self.assertEqual(m["Body"], body)
        self.assertSqsError("InvalidParameterValue", self.c.send_message, QueueUrl=url, MessageBody=body + "x",
                            message="One or more parameters are invalid. Reason: Message must be shorter "
                                    "than 1048576 bytes.")

    def test_request_body_over_8_mib(self):
        url = self.queue("whuge")
        size = 9 * 1024 * 1024
        prefix = ('{"QueueUrl": %s, "MessageBody": "' % json.dumps(url)).encode()
        suffix = b'"}'
        total = len(prefix) + size + len(suffix)
        head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: %s\r\n"
                "X-Amz-Target: AmazonSQS.SendMessage\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                % (self.server.port, JSON_CT, total)).encode() + prefix
        status, data, err = big_request(self.server.port, head, size, b"a" * 65536, tail=suffix)
        self.assertIn(status, (400, 413), "expected 400/413 for a %d-byte body, got %r (send error %r)"
                      % (total, data[:200], err))
        # query form too
        form_prefix = ("Action=SendMessage&QueueUrl=%s&MessageBody=" % quote(url, safe="")).encode()
        form_head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     "Content-Length: %d\r\nConnection: close\r\n\r\n"
                     % (self.server.port, len(form_prefix) + size)).encode() + form_prefix
        status, data, err = big_request(self.server.port, form_head, size, b"b" * 65536)
        self.assertIn(status, (400, 413), "got %r (send error %r)" % (data[:200], err))
        # the server survived and still answers; nothing was enqueued
        self.assertIsNone(self.server.proc.poll(), "sqsemu exited")
        self.assertEqual(counters(self.c, url), (0, 0, 0))
        self.c.send_message(QueueUrl=url, MessageBody="after")
        self.assertEqual([m["Body"] for m in receive(self.c, url)], ["after"])

    # ---- regions (SigV4 credential scope; docs/sqs-semantics.md, Accounts, regions, URLs and ARNs)
    def test_region_from_sigv4_credential_scope(self):
        eu = make_client(self.server, region="eu-west-1")
        name = self.unique("wreg")
        eu_url = eu.create_queue(QueueName=name)["QueueUrl"]
        self.assertEqual(queue_attrs(eu, eu_url, ["QueueArn"])["QueueArn"],
                         "arn:aws:sqs:eu-west-1:%s:%s" % (harness.ACCOUNT, name))
        self.assertEqual(eu.list_queues(QueueNamePrefix=name).get("QueueUrls"), [eu_url])
        self.assertEqual(self.c.list_queues(QueueNamePrefix=name).get("QueueUrls", []), [],
                         "an eu-west-1 queue is listed for us-east-1")
        self.assertSqsError("AWS.SimpleQueueService.NonExistentQueue", self.c.get_queue_url, QueueName=name)

        # the same name in us-east-1 is a different queue
        us_url = self.c.create_queue(QueueName=name)["QueueUrl"]
        self.assertEqual(queue_attrs(self.c, us_url, ["QueueArn"])["QueueArn"],
                         "arn:aws:sqs:us-east-1:%s:%s" % (harness.ACCOUNT, name))
        eu.send_message(QueueUrl=eu_url, MessageBody="in-eu")
        self.assertEqual(receive(self.c, us_url), [])
        self.assertEqual([m["Body"] for m in receive(eu, eu_url)], ["in-eu"])

        # raw requests: only the Authorization header's scope decides
        name2 = self.unique("wreg2")
        auth_eu = {"Authorization": fake_sigv4("eu-west-1"), "X-Amz-Date": "20261122T121043Z"}
        st, _, body = self.server.raw_json("CreateQueue", {"QueueName": name2}, headers=auth_eu)
        self.assertEqual(st, 200, body)
        url2 = body["QueueUrl"]
        st, _, body = self.server.raw_json("GetQueueAttributes", {"QueueUrl": url2, "AttributeNames": ["QueueArn"]},
                                           headers=auth_eu)
        self.assertEqual(body["Attributes"]["QueueArn"], "arn:aws:sqs:eu-west-1:%s:%s" % (harness.ACCOUNT, name2))
        auth_us = {"Authorization": fake_sigv4("us-east-1")}
        st, _, body = self.server.raw_json("ListQueues", {"QueueNamePrefix": name2}, headers=auth_us)
        self.assertEqual(body.get("QueueUrls", []), [])
        st, _, body = self.server.raw_json("ListQueues", {"QueueNamePrefix": name2}, headers=auth_eu)
        self.assertEqual(body.get("QueueUrls"), [url2])
        # unsigned -> default region
        st, _, body = self.server.raw_json("ListQueues", {"QueueNamePrefix": name2})
        self.assertEqual(body.get("QueueUrls", []), [])
        # presigned-style Query request: X-Amz-Credential carries the scope
        st, _, root, raw = query(self.server, {
            "Action": "ListQueues", "QueueNamePrefix": name2, "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Credential": "AKIDEXAMPLE/20261122/eu-west-1/sqs/aws4_request",
            "X-Amz-Date": "20261122T121043Z", "X-Amz-SignedHeaders": "host", "X-Amz-Signature": "0" * 64},
            method="GET")
        self.assertEqual(st, 200, raw)
        self.assertEqual([e.text for e in root.find(NS + "ListQueuesResult").findall(NS + "QueueUrl")], [url2])


class AccountAndRegionFlagTests(SqsTestMixin, harness.ServerTestCase):
    server_args = ("--account-id", "123456789012", "--region", "eu-central-1")

    def test_account_id_in_urls_and_arns(self):
        c = self.server.client()
        name = self.unique("acct")
        url = c.create_queue(QueueName=name)["QueueUrl"]
        self.assertEqual(urlparse(url).path, "/123456789012/" + name)
        self.assertEqual(c.get_queue_url(QueueName=name)["QueueUrl"], url)
        # the client signs for us-east-1, so that is the queue's region
        arn = queue_attrs(c, url, ["QueueArn"])["QueueArn"]
        self.assertEqual(arn, "arn:aws:sqs:us-east-1:123456789012:" + name)
        self.assertIn(url, c.list_queues(QueueNamePrefix=name).get("QueueUrls", []))
        dlq = c.create_queue(QueueName=name + "-dlq")["QueueUrl"]
        dlq_arn = queue_attrs(c, dlq, ["QueueArn"])["QueueArn"]
        self.assertEqual(dlq_arn, "arn:aws:sqs:us-east-1:123456789012:%s-dlq" % name)
        c.set_queue_attributes(QueueUrl=url, Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})
        self.assertEqual(c.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [url])

    def test_unsigned_requests_use_the_configured_region(self):
        name = self.unique("reg")
        st, _, body = self.server.raw_json("CreateQueue", {"QueueName": name})
        self.assertEqual(st, 200, body)
        st, _, body = self.server.raw_json("GetQueueAttributes", {"QueueUrl": body["QueueUrl"],
                                                                  "AttributeNames": ["QueueArn"]})
        self.assertEqual(body["Attributes"]["QueueArn"], "arn:aws:sqs:eu-central-1:123456789012:" + name)
        c = self.server.client()  # signs for us-east-1
        self.assertEqual(c.list_queues(QueueNamePrefix=name).get("QueueUrls", []), [])
