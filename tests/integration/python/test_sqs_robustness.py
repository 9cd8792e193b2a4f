"""Regression tests for defects found in review of the SQS half: FIFO receive cost on a
deep group, strings that are not UTF-8, move tasks that could never end or outlive their
queue, and long polls parked at shutdown."""
import json
import os
import signal
import threading
import time
from urllib.parse import quote

from harness import Server, ServerTestCase, wait_until
from sqs_asserts import assert_client_error


class FifoDepthTests(ServerTestCase):
    in_memory = True

    def test_receive_on_a_deep_group_stays_fast(self):
        sqs = self.server.client()
        url = sqs.create_queue(QueueName=self.unique("deep") + ".fifo",
                               Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
        for b in range(300):
            sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": "m%05d" % (b * 10 + i), "MessageGroupId": "g"} for i in range(10)])
        t0 = time.monotonic()
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        first = time.monotonic() - t0
        self.assertEqual([m["Body"] for m in got], ["m%05d" % i for i in range(10)])
        t0 = time.monotonic()
        self.assertNotIn("Messages", sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10),
                         "the group is locked while its first ten are in flight")
        second = time.monotonic() - t0
        # 3000 messages in one group: the old query needed seconds here (quadratic)
        self.assertLess(first, 0.5)
        self.assertLess(second, 0.5)


class Utf8Tests(ServerTestCase):
    in_memory = True

    def test_invalid_utf8_in_a_tag_is_rejected_and_nothing_stored(self):
        sqs = self.server.client()
        url = sqs.create_queue(QueueName=self.unique("tags"))["QueueUrl"]
        body = "Action=TagQueue&QueueUrl=%s&Tag.1.Key=k&Tag.1.Value=%%FF%%FE" % quote(url, safe="")
        status, _, data = self.server.raw("POST", "/", body,
                                          {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400, data)
        self.assertIn(b"InvalidParameterValue", data)
        self.assertNotIn("Tags", sqs.list_queue_tags(QueueUrl=url), "nothing was stored")

    def test_invalid_utf8_in_a_json_attribute_is_rejected(self):
        sqs = self.server.client()
        url = sqs.create_queue(QueueName=self.unique("kms"))["QueueUrl"]
        raw = b'{"QueueUrl": "%s", "Attributes": {"KmsMasterKeyId": "\xff\xfe"}}' % url.encode()
        status, headers, body = self.server.raw_json("SetQueueAttributes", raw)
        self.assertEqual(status, 400, body)
        self.assertTrue(headers["x-amzn-query-error"].startswith("InvalidParameterValue;"))
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertNotIn("KmsMasterKeyId", attrs)


class MoveTaskLifetimeTests(ServerTestCase):
    in_memory = True

    def dlq(self, sqs):
        dlq_url = sqs.create_queue(QueueName=self.unique("dlq"))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sqs.create_queue(QueueName=self.unique("src"), Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 1})})
        return dlq_url, arn

    def test_destination_equal_to_source_is_rejected(self):
        sqs = self.server.client()
        _, arn = self.dlq(sqs)
        with self.assertRaises(Exception) as ctx:
            sqs.start_message_move_task(SourceArn=arn, DestinationArn=arn)
        assert_client_error(ctx, "InvalidParameterValue")
        self.assertEqual(sqs.list_message_move_tasks(SourceArn=arn)["Results"], [])

    def test_tasks_go_with_their_queue(self):
        sqs = self.server.client()
        dlq_url, arn = self.dlq(sqs)
        for i in range(5):
            sqs.send_message(QueueUrl=dlq_url, MessageBody="m%d" % i)
        dest = sqs.create_queue(QueueName=self.unique("dest"))["QueueUrl"]
        dest_arn = sqs.get_queue_attributes(QueueUrl=dest, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sqs.start_message_move_task(SourceArn=arn, DestinationArn=dest_arn, MaxNumberOfMessagesPerSecond=1)
        sqs.delete_queue(QueueUrl=dlq_url)
        name = arn.rsplit(":", 1)[1]
        sqs.create_queue(QueueName=name)
        sqs.create_queue(QueueName=self.unique("src2"), Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 1})})
        self.assertEqual(sqs.list_message_move_tasks(SourceArn=arn, MaxResults=10)["Results"], [],
                         "a re-created queue does not inherit the deleted queue's tasks")


class ShutdownTests(ServerTestCase):
    def test_parked_long_polls_are_answered_at_shutdown(self):
        server = Server(in_memory=True).start()
        try:
            sqs = server.client(read_timeout=30)
            url = sqs.create_queue(QueueName=self.unique("park"))["QueueUrl"]
            results = []

            def poll():
                try:
                    results.append(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20))
                except Exception as exc:  # noqa: BLE001 - recorded for the assertion
                    results.append(exc)

            before = server.parked_requests()
            threads = [threading.Thread(target=poll, daemon=True) for _ in range(3)]
            for t in threads:
                t.start()
            server.wait_parked(before + 3)
            t0 = time.monotonic()
            self.assertEqual(server.stop(), 0)
            for t in threads:
                t.join(10)
            self.assertLess(time.monotonic() - t0, 5)
            self.assertEqual(len(results), 3)
            for r in results:
                self.assertIsInstance(r, dict, "each parked poll gets an answer, not a dropped connection")
                self.assertNotIn("Messages", r)
        finally:
            server.cleanup()
