"""The SQS poller behind event-source mappings, against a real sqsemu: the event record,
receiving, batching, deleting, retries and DLQ, partial batch responses, concurrency,
filters, FIFO order and pick-up latency (docs/lambda-semantics.md, The poller).

Handlers are the python recorder fixture (and the compiled `provided` bootstrap where a
handler must answer with bytes that are not JSON); each invocation leaves one JSON file in
OUT_DIR with the event and the handler's start/end times.
"""
import base64
import hashlib
import json
import statistics
import time
import unittest

import harness
from lambda_util import (CC, NODE, NODE_RUNTIME, PROVIDED_RUNTIME, REGION, LambdaTestCase, counters, percentile,
                         provided_zip, read_records, sqs_records, wait_records, wait_sqs_records)

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
RECORD_KEYS = {"messageId", "receiptHandle", "body", "attributes", "messageAttributes",
               "md5OfMessageAttributes", "md5OfBody", "eventSource", "eventSourceARN", "awsRegion"}


def md5_hex(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def deliveries(pairs):
    """{body: [record, ...]} in delivery order."""
    out = {}
    for _, rec in pairs:
        out.setdefault(rec["body"], []).append(rec)
    return out


def max_overlap(intervals):
    """Largest number of [start, end] intervals open at the same moment."""
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals],
                    key=lambda ev: (ev[0], ev[1]))
    best = cur = 0
    for _, delta in events:
        cur += delta
        best = max(best, cur)
    return best


class Pipeline:
    """A function, its source queue and the recorder's output directory."""

    def __init__(self, fn, url, arn, out):
        self.fn, self.url, self.arn, self.out = fn, url, arn, out

    def pairs(self):
        return sqs_records(read_records(self.out))


class PollerTestBase(LambdaTestCase):

    def pipeline(self, env=None, visibility=30, timeout=1, fifo=False, queue_attrs=None,
                 provided=False, handler="app.handler"):
        out = self.out_dir()
        variables = {"OUT_DIR": out}
        variables.update(env or {})
        if provided:
            fn = self.create_function(zip_file=provided_zip(), runtime=PROVIDED_RUNTIME, handler="echo",
                                      env=variables, Timeout=timeout)["FunctionName"]
        else:
            fn = self.create_function(env=variables, Timeout=timeout, handler=handler)["FunctionName"]
        attrs = {"VisibilityTimeout": visibility}
        attrs.update(queue_attrs or {})
        url, arn = self.queue("src", attrs, fifo=fifo)
        return Pipeline(fn, url, arn, out)

    def send_bodies(self, url, bodies, **extra):
        """SendMessageBatch in chunks of 10; returns {body: MessageId}."""
        ids = {}
        bodies = list(bodies)
        for i in range(0, len(bodies), 10):
            chunk = bodies[i:i + 10]
            entries = [dict(Id="m%d" % j, MessageBody=b, **extra) for j, b in enumerate(chunk)]
            resp = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
            self.assertEqual(resp.get("Failed", []), [])
            for entry in resp["Successful"]:
                ids[chunk[int(entry["Id"][1:])]] = entry["MessageId"]
        return ids

    def wait_counters(self, url, expected, timeout=5.0):
        expected = tuple(expected)
        got = harness.wait_until(lambda: counters(self.sqs, url) == expected, timeout=timeout, interval=0.05)
        if not got:
            self.assertEqual(counters(self.sqs, url), expected, "queue counters (visible, in flight, delayed)")


class EventDocumentTests(PollerTestBase):
    """Every field of the delivered records (docs/lambda-semantics.md, The event record)."""

    def test_every_record_field(self):
        p = self.pipeline()
        mapping = self.create_mapping(p.fn, p.arn)
        attributes = {
            "Title": {"DataType": "String", "StringValue": "The Whistler"},
            "Priority": {"DataType": "Number", "StringValue": "5"},
            "Count": {"DataType": "Number.int", "StringValue": "6"},
            "Blob": {"DataType": "Binary", "BinaryValue": b"hello"},
        }
        json_body = '{"orderId": 1234, "status": "NEW"}'
        before_ms = int(time.time() * 1000)
        first = self.sqs.send_message(QueueUrl=p.url, MessageBody=json_body, MessageAttributes=attributes,
                                      MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String",
                                                                                  "StringValue": TRACE}})
        second = self.sqs.send_message(QueueUrl=p.url, MessageBody="Test message.")
        after_ms = int(time.time() * 1000)
        pairs = wait_sqs_records(p.out, lambda ps: {r["messageId"] for _, r in ps} >= {first["MessageId"], second["MessageId"]},
                                 timeout=10)
        by_id = {r["messageId"]: (doc, r) for doc, r in pairs}
        self.assertIn(first["MessageId"], by_id, "the first message was never delivered")
        self.assertIn(second["MessageId"], by_id, "the second message was never delivered")

        for doc, rec in pairs:
            self.assertEqual(set(doc["event"]), {"Records"}, "nothing but Records at the top")
            self.assertEqual(set(rec), RECORD_KEYS)
            self.assertEqual(rec["eventSource"], "aws:sqs")
            self.assertEqual(rec["eventSourceARN"], p.arn)
            self.assertEqual(rec["awsRegion"], REGION)
            self.assertIsInstance(rec["receiptHandle"], str)
            self.assertTrue(rec["receiptHandle"])
            a = rec["attributes"]
            for key, value in a.items():
                self.assertIsInstance(value, str, "attribute %s must be a string" % key)
            self.assertEqual(a["ApproximateReceiveCount"], "1")
            self.assertTrue(before_ms - 1 <= int(a["SentTimestamp"]) <= after_ms + 1, a)
            self.assertGreaterEqual(int(a["ApproximateFirstReceiveTimestamp"]), int(a["SentTimestamp"]))
            self.assertLessEqual(int(a["ApproximateFirstReceiveTimestamp"]), int(time.time() * 1000))
            self.assertTrue(a["SenderId"])
            self.assertEqual(doc["context"]["invoked_function_arn"], mapping["FunctionArn"],
                             "ESM invocations use the mapping's FunctionArn as the invoked ARN")

        doc, rec = by_id[first["MessageId"]]
        self.assertEqual(rec["body"], json_body, "a JSON body stays a string")
        self.assertEqual(rec["md5OfBody"], md5_hex(json_body))
        self.assertEqual(rec["md5OfBody"], first["MD5OfMessageBody"])
        self.assertEqual(rec["md5OfMessageAttributes"], first["MD5OfMessageAttributes"])
        self.assertEqual(set(rec["attributes"]), {"ApproximateReceiveCount", "SentTimestamp", "SenderId",
                                                  "ApproximateFirstReceiveTimestamp", "AWSTraceHeader"})
        self.assertEqual(rec["attributes"]["AWSTraceHeader"], TRACE)
        self.assertEqual(rec["messageAttributes"], {
            "Title": {"stringValue": "The Whistler", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
            "Priority": {"stringValue": "5", "stringListValues": [], "binaryListValues": [], "dataType": "Number"},
            "Count": {"stringValue": "6", "stringListValues": [], "binaryListValues": [], "dataType": "Number.int"},
            "Blob": {"binaryValue": base64.b64encode(b"hello").decode(), "stringListValues": [],
                     "binaryListValues": [], "dataType": "Binary"},
        })

        doc, rec = by_id[second["MessageId"]]
        self.assertEqual(rec["body"], "Test message.")
        self.assertEqual(rec["md5OfBody"], "e4e68fb7bd0e697a0ae8f1bb342846b3")
        self.assertEqual(rec["messageAttributes"], {})
        self.assertIsNone(rec["md5OfMessageAttributes"], "null when the message has no attributes")
        self.assertEqual(set(rec["attributes"]), {"ApproximateReceiveCount", "SentTimestamp", "SenderId",
                                                  "ApproximateFirstReceiveTimestamp"})
        self.wait_counters(p.url, (0, 0, 0))

    def test_md5_of_message_attributes_vector(self):
        # a check value recorded from AWS
        p = self.pipeline()
        self.create_mapping(p.fn, p.arn)
        sent = self.sqs.send_message(QueueUrl=p.url, MessageBody="book", MessageAttributes={
            "Title": {"DataType": "String", "StringValue": "The Whistler"},
            "Author": {"DataType": "String", "StringValue": "John Grisham"},
            "WeeksOn": {"DataType": "Number", "StringValue": "6"}})
        pairs = wait_sqs_records(p.out, lambda ps: len(ps) >= 1, timeout=10)
        self.assertEqual(len(pairs), 1)
        self.assertEqual(pairs[0][1]["md5OfMessageAttributes"], "d25a6aea97eb8f585bfa92d314504a92")
        self.assertEqual(sent["MD5OfMessageAttributes"], "d25a6aea97eb8f585bfa92d314504a92")

    def test_fifo_record_attributes(self):
        p = self.pipeline(fifo=True)
        self.create_mapping(p.fn, p.arn)
        sent = self.sqs.send_message(QueueUrl=p.url, MessageBody='{"step": 1}', MessageGroupId="order-1234",
                                     MessageDeduplicationId="order-1234-step-1")
        pairs = wait_sqs_records(p.out, lambda ps: len(ps) >= 1, timeout=10)
        self.assertEqual(len(pairs), 1)
        a = pairs[0][1]["attributes"]
        self.assertEqual(a["MessageGroupId"], "order-1234")
        self.assertEqual(a["MessageDeduplicationId"], "order-1234-step-1")
        self.assertEqual(a["SequenceNumber"], sent["SequenceNumber"])
        self.assertEqual(set(a), {"ApproximateReceiveCount", "SentTimestamp", "SequenceNumber", "MessageGroupId",
                                  "SenderId", "MessageDeduplicationId", "ApproximateFirstReceiveTimestamp"})
        self.assertEqual(pairs[0][1]["md5OfBody"], "f0ef53dcc6eb8440334b1ebaa90bfd63")
        self.wait_counters(p.url, (0, 0, 0))


class OtherRuntimesTests(PollerTestBase):
    """The same event reaches node and `provided` handlers."""

    @unittest.skipIf(NODE is None, "node is not installed")
    def test_node_handler_receives_records(self):
        out = self.out_dir()
        fn = self.create_function(fixture="node_cjs", handler="index.handler", runtime=NODE_RUNTIME,
                                  env={"OUT_DIR": out}, Timeout=1)["FunctionName"]
        url, arn = self.queue("node", {"VisibilityTimeout": 30})
        self.create_mapping(fn, arn)
        self.send_bodies(url, ["to node 1", "to node 2"])
        pairs = wait_sqs_records(out, lambda ps: len(ps) >= 2, timeout=10)
        self.assertEqual(sorted(r["body"] for _, r in pairs), ["to node 1", "to node 2"])
        for _, rec in pairs:
            self.assertEqual(set(rec), RECORD_KEYS)
        self.wait_counters(url, (0, 0, 0))

    @unittest.skipIf(CC is None, "no C compiler")
    def test_provided_handler_receives_records(self):
        p = self.pipeline(provided=True)
        self.create_mapping(p.fn, p.arn)
        self.send_bodies(p.url, ["to bootstrap"])
        pairs = wait_sqs_records(p.out, lambda ps: len(ps) >= 1, timeout=10)
        self.assertEqual([r["body"] for _, r in pairs], ["to bootstrap"])
        self.assertEqual(set(pairs[0][1]), RECORD_KEYS)
        self.wait_counters(p.url, (0, 0, 0))


class DeliveryTests(PollerTestBase):
    """Receive, batch, delete; retries paced by the visibility timeout; DLQ."""

    def test_success_deletes_and_batches_hold_at_most_ten(self):
        p = self.pipeline()
        ids = self.send_bodies(p.url, ["m-%02d" % i for i in range(25)])
        self.create_mapping(p.fn, p.arn)
        pairs = wait_sqs_records(p.out, lambda ps: len({r["messageId"] for _, r in ps}) >= 25, timeout=15)
        got = deliveries(pairs)
        self.assertEqual(sorted(got), sorted(ids), "every message delivered")
        for body, recs in got.items():
            self.assertEqual(len(recs), 1, "%s delivered %d times" % (body, len(recs)))
            self.assertEqual(recs[0]["messageId"], ids[body])
        for doc in read_records(p.out):
            self.assertLessEqual(len(doc["event"]["Records"]), 10, "window 0: one receive per batch")
            self.assertGreaterEqual(len(doc["event"]["Records"]), 1)
        self.wait_counters(p.url, (0, 0, 0))

    def test_function_error_retried_after_visibility_timeout(self):
        p = self.pipeline(env={"FAIL": "first"}, visibility=2, timeout=1)
        self.create_mapping(p.fn, p.arn)
        mid = self.sqs.send_message(QueueUrl=p.url, MessageBody="retry me")["MessageId"]
        docs = wait_records(p.out, 2, timeout=10)
        self.assertEqual(len(docs), 2, "expected a failed delivery and one retry")
        first, second = docs[0]["event"]["Records"][0], docs[1]["event"]["Records"][0]
        self.assertEqual((first["messageId"], second["messageId"]), (mid, mid))
        self.assertEqual(docs[0]["outcome"], "raised")
        self.assertEqual(first["attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(second["attributes"]["ApproximateReceiveCount"], "2")
        self.assertNotEqual(first["receiptHandle"], second["receiptHandle"])
        gap = docs[1]["start"] - docs[0]["start"]
        self.assertGreaterEqual(gap, 1.5, "the retry must wait for the 2 s visibility timeout, came after %.2fs" % gap)
        self.assertLess(gap, 6.0)
        self.wait_counters(p.url, (0, 0, 0))
        # Time passing, not a wait on server state: nothing reports "will not invoke again", so a wrong
        # extra delivery is given 0.5 s to leave its record.
        time.sleep(0.5)
        self.assertEqual(len(read_records(p.out)), 2, "no delivery after success")

    def test_dead_letter_queue_after_max_receive_count(self):
        dlq_url, dlq_arn = self.queue("dlq")
        policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
        p = self.pipeline(env={"FAIL": "always"}, visibility=1, timeout=1, queue_attrs={"RedrivePolicy": policy})
        self.create_mapping(p.fn, p.arn)
        mid = self.sqs.send_message(QueueUrl=p.url, MessageBody="poison")["MessageId"]
        moved = harness.wait_until(lambda: counters(self.sqs, dlq_url)[0] == 1, timeout=12, interval=0.1)
        self.assertTrue(moved, "the message never reached the DLQ")
        docs = read_records(p.out)
        counts = [d["event"]["Records"][0]["attributes"]["ApproximateReceiveCount"] for d in docs]
        self.assertEqual(counts, ["1", "2"], "two failed attempts, then the redrive")
        [msg] = self.sqs.receive_message(QueueUrl=dlq_url, AttributeNames=["All"]).get("Messages", [])
        self.assertEqual((msg["MessageId"], msg["Body"]), (mid, "poison"))
        self.assertEqual(msg["Attributes"].get("DeadLetterQueueSourceArn"), p.arn)
        self.wait_counters(p.url, (0, 0, 0))

    def test_disabled_mapping_delivers_nothing_until_enabled(self):
        p = self.pipeline()
        m = self.create_mapping(p.fn, p.arn)
        self.lam.update_event_source_mapping(UUID=m["UUID"], Enabled=False)
        self.wait_mapping_state(m["UUID"], "Disabled")
        self.send_bodies(p.url, ["held-1", "held-2", "held-3"])
        # Time passing, not a wait on server state: a disabled mapping is given 2 s in which it must not deliver.
        time.sleep(2.0)
        self.assertEqual(read_records(p.out), [], "a disabled mapping must not invoke")
        self.assertEqual(counters(self.sqs, p.url), (3, 0, 0), "and must not receive")
        self.lam.update_event_source_mapping(UUID=m["UUID"], Enabled=True)
        pairs = wait_sqs_records(p.out, lambda ps: len(ps) >= 3, timeout=8)
        self.assertEqual(sorted(deliveries(pairs)), ["held-1", "held-2", "held-3"])
        self.wait_counters(p.url, (0, 0, 0))

    def test_deleted_mapping_stops_delivery(self):
        p = self.pipeline()
        m = self.create_mapping(p.fn, p.arn)
        self.lam.delete_event_source_mapping(UUID=m["UUID"])
        harness.wait_until(lambda: not self._mapping_exists(m["UUID"]), timeout=3)
        self.send_bodies(p.url, ["after-delete"])
        # Time passing, not a wait on server state: a deleted mapping is given 1.5 s in which it must not deliver.
        time.sleep(1.5)
        self.assertEqual(read_records(p.out), [])
        self.assertEqual(counters(self.sqs, p.url), (1, 0, 0))

    def test_missing_function_pauses_polling(self):
        p = self.pipeline()
        m = self.create_mapping(p.fn, p.arn)
        self.lam.delete_function(FunctionName=p.fn)
        self.send_bodies(p.url, ["orphan"])
        # Time passing, not a wait on server state: 2 s in which a mapping of a missing function must not receive.
        time.sleep(2.0)
        self.assertEqual(self.lam.get_event_source_mapping(UUID=m["UUID"])["UUID"], m["UUID"])
        [msg] = self.sqs.receive_message(QueueUrl=p.url, AttributeNames=["All"]).get("Messages", [])
        self.assertEqual(msg["Attributes"]["ApproximateReceiveCount"], "1",
                         "messages are not received while the function is missing")


class RobustnessTests(PollerTestBase):
    """Queue and mapping situations around the poller."""

    def test_delay_seconds_respected(self):
        p = self.pipeline()
        self.create_mapping(p.fn, p.arn)
        t0 = time.time()
        self.sqs.send_message(QueueUrl=p.url, MessageBody="delayed", DelaySeconds=2)
        docs = wait_records(p.out, 1, timeout=8)
        self.assertEqual(len(docs), 1, "the delayed message was never delivered")
        self.assertGreaterEqual(docs[0]["start"] - t0, 1.8, "delivered before its DelaySeconds passed")
        self.assertLess(docs[0]["start"] - t0, 4.0)

    def test_two_mappings_on_one_queue_share_the_messages(self):
        p = self.pipeline()
        other = self.pipeline()
        self.create_mapping(p.fn, p.arn)
        self.create_mapping(other.fn, p.arn)
        ids = self.send_bodies(p.url, ["s-%02d" % i for i in range(30)])
        self.wait_counters(p.url, (0, 0, 0), timeout=10)
        # Time passing, not a wait on server state: the queue is empty, but a message delivered twice would
        # leave its second record a little later.
        time.sleep(0.3)
        got = deliveries(p.pairs() + other.pairs())
        self.assertEqual(sorted(got), sorted(ids))
        self.assertTrue(all(len(v) == 1 for v in got.values()), "a message was delivered twice")

    def test_two_mappings_of_one_function_share_its_warm_environment(self):
        p = self.pipeline()
        other_url, other_arn = self.queue("src2", {"VisibilityTimeout": 30})
        first = self.create_mapping(p.fn, p.arn)["UUID"]
        second = self.create_mapping(p.fn, other_arn)["UUID"]
        self.sqs.send_message(QueueUrl=p.url, MessageBody="via-first")
        self.wait_counters(p.url, (0, 0, 0), timeout=10)  # handled and deleted: the environment is idle
        self.sqs.send_message(QueueUrl=other_url, MessageBody="via-second")
        self.wait_counters(other_url, (0, 0, 0), timeout=10)
        docs = wait_records(p.out, 2)
        self.assertEqual(len(docs), 2)
        by_body = {rec["body"]: (doc, rec) for doc, rec in sqs_records(docs)}
        self.assertEqual(by_body["via-first"][1]["eventSourceARN"], p.arn)
        self.assertEqual(by_body["via-second"][1]["eventSourceARN"], other_arn)
        # one process served both mappings: no second cold start
        self.assertEqual(by_body["via-first"][0]["state"]["pid"], by_body["via-second"][0]["state"]["pid"])
        self.assertEqual(by_body["via-second"][0]["state"]["invocations"], 2)
        self.assertNotEqual(first, second)

    def test_queue_deleted_under_a_mapping(self):
        p = self.pipeline()
        m = self.create_mapping(p.fn, p.arn)
        self.sqs.delete_queue(QueueUrl=p.url)
        # Time passing, not a wait on server state: the poller retries a missing queue every second; the server
        # must survive a few retries.
        time.sleep(1.5)
        self.assertEqual(self.lam.get_event_source_mapping(UUID=m["UUID"])["UUID"], m["UUID"])
        self.assertIsNone(self.server.proc.poll(), "the server died")
        # the same name again: the mapping's ARN points at it and delivers from it
        name = p.arn.rsplit(":", 1)[1]
        url = self.sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="recreated")
        pairs = wait_sqs_records(p.out, lambda ps: len(ps) >= 1, timeout=10)
        self.assertEqual([r["body"] for _, r in pairs], ["recreated"])

    def test_batches_stay_under_six_megabytes(self):
        p = self.pipeline(visibility=60, timeout=10, queue_attrs={"MaximumMessageSize": 262144})
        body = "b" * 200000
        sent = [self.sqs.send_message(QueueUrl=p.url, MessageBody="%02d%s" % (i, body))["MessageId"]
                for i in range(36)]
        self.create_mapping(p.fn, p.arn, BatchSize=100, MaximumBatchingWindowInSeconds=2)
        pairs = wait_sqs_records(p.out, lambda ps: len({r["messageId"] for _, r in ps}) >= 36, timeout=20)
        self.assertEqual(sorted({r["messageId"] for _, r in pairs}), sorted(sent))
        docs = read_records(p.out)
        self.assertGreaterEqual(len(docs), 2, "36 x 200 KB cannot fit one 6 MB invocation")
        for doc in docs:
            size = len(json.dumps(doc["event"], separators=(",", ":")).encode("utf-8"))
            self.assertLessEqual(size, 6291456, "invocation payload above 6 MB")
        self.assertEqual(len(pairs), 36, "a message was delivered twice")
        self.wait_counters(p.url, (0, 0, 0), timeout=5)


# name, recorder environment, ReportBatchItemFailures on?, expected outcome, runs on `provided`
PARTIAL_CASES = [
    ("empty list", {"RESULT_JSON": '{"batchItemFailures": []}'}, True, "success", False),
    ("null list", {"RESULT_JSON": '{"batchItemFailures": null}'}, True, "success", False),
    ("empty object", {"RESULT_JSON": "{}"}, True, "success", False),
    ("null", {"RESULT_JSON": "null"}, True, "success", False),
    ("empty body", {"RESPONSE_RAW": "", "RAW_ONLY_FIRST": "1"}, True, "success", True),
    ("listed ids", {"FAIL_BODY_PREFIX": "fail"}, True, "partial", False),
    ("ignored without ReportBatchItemFailures", {"FAIL_BODY_PREFIX": "fail"}, False, "success", False),
    ("empty itemIdentifier", {"RESULT_JSON": '{"batchItemFailures": [{"itemIdentifier": ""}]}'}, True, "failure", False),
    ("null itemIdentifier", {"RESULT_JSON": '{"batchItemFailures": [{"itemIdentifier": null}]}'}, True, "failure", False),
    ("missing itemIdentifier", {"RESULT_JSON": '{"batchItemFailures": [{"foo": "notvalid"}]}'}, True, "failure", False),
    ("unknown itemIdentifier", {"RESULT_JSON": '{"batchItemFailures": [{"itemIdentifier": "00000000-0000-4000-8000-000000000000"}]}'},
     True, "failure", False),
    ("not JSON", {"RESPONSE_RAW": "this is {not json", "RAW_ONLY_FIRST": "1"}, True, "failure", True),
    ("JSON then more", {"RESPONSE_RAW": '{"batchItemFailures": []} trailing', "RAW_ONLY_FIRST": "1"}, True,
     "failure", True),
    ("a string", {"RESULT_JSON": '"just a string"'}, True, "failure", False),
    ("a number", {"RESULT_JSON": "42"}, True, "failure", False),
    ("batchItemFailures not a list", {"RESULT_JSON": '{"batchItemFailures": "nope"}'}, True, "failure", False),
    ("function error", {"FAIL": "first"}, True, "failure", False),
]


class PartialBatchResponseTests(PollerTestBase):
    """Every row of the table of answers (docs/lambda-semantics.md, Partial batch responses), all
    pipelines running at once."""

    def test_report_batch_item_failures_table(self):
        if CC is None:
            self.skipTest("no C compiler for the provided bootstrap")
        pipes = []
        for name, env, rbif, expected, provided in PARTIAL_CASES:
            p = self.pipeline(env=env, visibility=2, timeout=1, provided=provided)
            self.send_bodies(p.url, ["ok-a", "fail-b"])
            pipes.append((name, rbif, expected, p))
        for name, rbif, expected, p in pipes:
            kwargs = {"FunctionResponseTypes": ["ReportBatchItemFailures"]} if rbif else {}
            self.create_mapping(p.fn, p.arn, wait_enabled=False, **kwargs)

        def satisfied(expected, got):
            a, b = len(got.get("ok-a", [])), len(got.get("fail-b", []))
            if expected == "success":
                return a >= 1 and b >= 1
            if expected == "partial":
                return a >= 1 and b >= 2
            return a >= 2 and b >= 2

        harness.wait_until(lambda: all(satisfied(e, deliveries(p.pairs())) for _, _, e, p in pipes),
                           timeout=20, interval=0.1)
        time.sleep(2.5)  # one more visibility timeout: a message wrongly kept would come back now
        for name, rbif, expected, p in pipes:
            with self.subTest(case=name, expected=expected):
                got = deliveries(p.pairs())
                counts = {body: [r["attributes"]["ApproximateReceiveCount"] for r in recs]
                          for body, recs in got.items()}
                if expected == "success":
                    self.assertEqual(counts, {"ok-a": ["1"], "fail-b": ["1"]}, "whole batch deleted")
                elif expected == "partial":
                    self.assertEqual(counts, {"ok-a": ["1"], "fail-b": ["1", "2"]},
                                     "only the listed message is retried")
                else:
                    self.assertEqual(counts, {"ok-a": ["1", "2"], "fail-b": ["1", "2"]},
                                     "the whole batch is retried")
                self.assertEqual(counters(self.sqs, p.url), (0, 0, 0))


class BatchingAndScalingTests(PollerTestBase):
    """The batching window, large batches, and concurrency."""

    def test_batching_window_gathers_one_batch(self):
        p = self.pipeline(visibility=30)
        self.create_mapping(p.fn, p.arn, BatchSize=5, MaximumBatchingWindowInSeconds=2)
        t0 = time.time()
        self.send_bodies(p.url, ["w-1", "w-2", "w-3"])
        pairs = wait_sqs_records(p.out, lambda ps: len(ps) >= 3, timeout=8)
        docs = read_records(p.out)
        self.assertEqual(len(docs), 1, "3 messages within the window form one invocation, got %s"
                         % [len(d["event"]["Records"]) for d in docs])
        self.assertEqual(sorted(r["body"] for _, r in pairs), ["w-1", "w-2", "w-3"])
        delay = docs[0]["start"] - t0
        print("\n  batching window 2 s: invoked %.2f s after the send" % delay)
        self.assertLess(delay, 4.5)
        # Time passing, not a wait on server state: 0.5 s in which no second invocation may follow the batch.
        time.sleep(0.5)
        self.assertEqual(len(read_records(p.out)), 1)
        self.wait_counters(p.url, (0, 0, 0))

    def test_batch_size_above_ten(self):
        p = self.pipeline(visibility=30)
        ids = self.send_bodies(p.url, ["big-%02d" % i for i in range(25)])
        self.create_mapping(p.fn, p.arn, BatchSize=25, MaximumBatchingWindowInSeconds=2)
        pairs = wait_sqs_records(p.out, lambda ps: len({r["messageId"] for _, r in ps}) >= 25, timeout=12)
        got = deliveries(pairs)
        self.assertEqual(sorted(got), sorted(ids))
        self.assertTrue(all(len(v) == 1 for v in got.values()))
        sizes = [len(d["event"]["Records"]) for d in read_records(p.out)]
        self.assertLessEqual(len(sizes), 2, "25 waiting messages should need one (at most two) invocations: %s" % sizes)
        self.assertGreater(max(sizes), 10, "a batch above 10 records gathers several receives: %s" % sizes)
        self.assertLessEqual(max(sizes), 25)
        self.wait_counters(p.url, (0, 0, 0))

    def measure_concurrency(self, count, **mapping_kwargs):
        p = self.pipeline(env={"SLEEP_SECONDS": "0.5"}, visibility=30, timeout=3)
        self.send_bodies(p.url, ["c-%02d" % i for i in range(count)])
        self.create_mapping(p.fn, p.arn, BatchSize=1, **mapping_kwargs)
        docs = wait_records(p.out, count, timeout=20)
        self.assertEqual(len(docs), count, "not every message was processed")
        self.wait_counters(p.url, (0, 0, 0))
        return max_overlap([(d["start"], d["end"]) for d in docs])

    def test_maximum_concurrency_caps_running_handlers(self):
        peak = self.measure_concurrency(10, ScalingConfig={"MaximumConcurrency": 2})
        print("\n  MaximumConcurrency=2: at most %d handlers ran at once" % peak)
        self.assertLessEqual(peak, 2, "ScalingConfig.MaximumConcurrency=2 exceeded")
        self.assertEqual(peak, 2, "two handlers should run side by side")

    def test_default_concurrency_runs_batches_in_parallel(self):
        peak = self.measure_concurrency(10)
        print("\n  default concurrency: at most %d handlers ran at once" % peak)
        self.assertGreaterEqual(peak, 3, "several batches should run at once by default (5, like AWS)")


class FilterTests(PollerTestBase):
    """Filters: messages that match no pattern are deleted without an invocation."""

    def test_filters_deliver_matches_and_delete_the_rest(self):
        p = self.pipeline()
        self.create_mapping(p.fn, p.arn, FilterCriteria={"Filters": [
            {"Pattern": json.dumps({"body": {"kind": ["keep"]}})},
            {"Pattern": json.dumps({"body": {"n": [{"numeric": [">", 10]}]}})},
        ]})
        bodies = ['{"kind": "keep", "i": 1}', '{"kind": "drop"}', "plain text", '{"n": 11}', '{"n": 5}',
                  '{"kind": ["x", "keep"]}']
        self.send_bodies(p.url, bodies)
        self.wait_counters(p.url, (0, 0, 0), timeout=8)
        # Time passing, not a wait on server state: the queue is empty, but a message delivered twice would
        # leave its second record a little later.
        time.sleep(0.3)
        got = deliveries(p.pairs())
        self.assertEqual(sorted(got), sorted(['{"kind": "keep", "i": 1}', '{"n": 11}', '{"kind": ["x", "keep"]}']))
        for recs in got.values():
            self.assertEqual(len(recs), 1)

    def test_plain_string_body_filters(self):
        p = self.pipeline()
        self.create_mapping(p.fn, p.arn, FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": ["hello"]})}]})
        self.send_bodies(p.url, ["hello", "world", '{"a": "hello"}', "Hello"])
        self.wait_counters(p.url, (0, 0, 0), timeout=8)
        # Time passing, not a wait on server state: as above, a wrong extra delivery is given 0.3 s.
        time.sleep(0.3)
        self.assertEqual(sorted(deliveries(p.pairs())), ["hello"])

    def test_prefix_exists_and_anything_but(self):
        p = self.pipeline()
        self.create_mapping(p.fn, p.arn, FilterCriteria={"Filters": [{"Pattern": json.dumps(
            {"body": {"region": [{"prefix": "us-"}], "id": [{"exists": True}],
                      "weather": [{"anything-but": ["Raining"]}]}})}]})
        match = '{"region": "us-east-1", "id": 7, "weather": "Sunny"}'
        self.send_bodies(p.url, [match, '{"region": "eu-west-1", "id": 7, "weather": "Sunny"}',
                                 '{"region": "us-west-2", "weather": "Sunny"}',
                                 '{"region": "us-west-2", "id": 1, "weather": "Raining"}'])
        self.wait_counters(p.url, (0, 0, 0), timeout=8)
        # Time passing, not a wait on server state: as above, a wrong extra delivery is given 0.3 s.
        time.sleep(0.3)
        self.assertEqual(sorted(deliveries(p.pairs())), [match])


class FifoTests(PollerTestBase):
    """Per-group order, one batch in flight per group, order kept across a retry."""

    def fifo_pipeline(self, env):
        p = self.pipeline(env=env, fifo=True, visibility=2, timeout=1,
                          queue_attrs={"ContentBasedDeduplication": "true"})
        for i in range(6):
            for group in ("A", "B"):
                self.sqs.send_message(QueueUrl=p.url, MessageBody="%s-%d" % (group, i), MessageGroupId=group)
        self.create_mapping(p.fn, p.arn, BatchSize=2)
        return p

    def check_order(self, p):
        docs = [d for d in read_records(p.out) if d.get("outcome") == "returned"]
        docs.sort(key=lambda d: d["start"])
        for group in ("A", "B"):
            seq = [r["body"] for d in docs for r in d["event"]["Records"] if r["attributes"]["MessageGroupId"] == group]
            self.assertEqual(seq, ["%s-%d" % (group, i) for i in range(6)],
                             "group %s processed out of order or twice" % group)
            spans = [(d["start"], d["end"]) for d in read_records(p.out)
                     if any(r["attributes"]["MessageGroupId"] == group for r in d["event"]["Records"])]
            self.assertEqual(max_overlap(spans), 1, "two batches of group %s in flight at once" % group)
        for d in docs:
            within = [r["body"] for r in d["event"]["Records"]]
            for group in ("A", "B"):
                mine = [b for b in within if b.startswith(group)]
                self.assertEqual(mine, sorted(mine, key=lambda b: int(b.split("-")[1])))

    def test_fifo_keeps_group_order(self):
        p = self.fifo_pipeline({"SLEEP_SECONDS": "0.05"})
        wait_sqs_records(p.out, lambda ps: len(ps) >= 12, timeout=15)
        self.wait_counters(p.url, (0, 0, 0), timeout=5)
        self.check_order(p)

    def test_fifo_order_survives_a_retry(self):
        p = self.fifo_pipeline({"FAIL_IF_BODY": "A-2"})
        self.wait_counters(p.url, (0, 0, 0), timeout=15)
        self.check_order(p)
        failed = [d for d in read_records(p.out) if d.get("outcome") == "raised"]
        self.assertEqual(len(failed), 1)
        self.assertIn("A-2", [r["body"] for r in failed[0]["event"]["Records"]])
        retried = [r for _, r in p.pairs() if r["body"] == "A-2"]
        self.assertEqual([r["attributes"]["ApproximateReceiveCount"] for r in retried], ["1", "2"])


class ConfiguredConcurrencyTests(PollerTestBase):
    """--lambda-concurrency N sets the default of ScalingConfig.MaximumConcurrency."""

    server_args = ("--lambda-concurrency", "3")

    def test_default_concurrency_flag(self):
        p = self.pipeline(env={"SLEEP_SECONDS": "0.5"}, visibility=30, timeout=3)
        self.send_bodies(p.url, ["d-%02d" % i for i in range(9)])
        self.create_mapping(p.fn, p.arn, BatchSize=1)
        docs = wait_records(p.out, 9, timeout=20)
        self.assertEqual(len(docs), 9)
        peak = max_overlap([(d["start"], d["end"]) for d in docs])
        print("\n  --lambda-concurrency 3: at most %d handlers ran at once" % peak)
        self.assertEqual(peak, 3)


class LatencyTests(PollerTestBase):
    """How quickly an enabled mapping hands a sent message to a warm handler."""

    def test_pickup_latency(self):
        p = self.pipeline(visibility=30, timeout=3)
        self.create_mapping(p.fn, p.arn)
        self.sqs.send_message(QueueUrl=p.url, MessageBody="warm-up")
        self.assertEqual(len(wait_records(p.out, 1, timeout=10)), 1, "warm-up message never delivered")
        sent_at = {}
        for i in range(20):
            body = "lat-%02d" % i
            sent_at[body] = time.time()
            self.sqs.send_message(QueueUrl=p.url, MessageBody=body)
            # Not a wait: the sends are spaced so that each message's pick-up latency is measured alone.
            time.sleep(0.1)
        pairs = wait_sqs_records(p.out, lambda ps: len(ps) >= 21, timeout=15)
        started = {r["body"]: doc["start"] for doc, r in pairs}
        missing = sorted(set(sent_at) - set(started))
        self.assertEqual(missing, [], "never delivered")
        lat_ms = [(started[b] - sent_at[b]) * 1000.0 for b in sent_at]
        median = statistics.median(lat_ms)
        p95 = percentile(lat_ms, 95)
        print("\n  ESM pick-up latency (send -> handler start, %d messages): median %.1f ms, p95 %.1f ms, max %.1f ms"
              % (len(lat_ms), median, p95, max(lat_ms)))
        self.assertLess(median, 1000.0)
        self.assertLess(p95, 3000.0)
