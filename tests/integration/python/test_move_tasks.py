"""Message move tasks — the DLQ redrive API (docs/sqs-semantics.md, Message move tasks): errors, moving
back to each message's original source or to a given destination, task status and
counters, the rate limit, cancelling, the task list, a task surviving kill -9, and the
"fix the bug, then redrive" workflow with a Lambda event-source mapping. Over both
protocols and the aws CLI."""
import base64
import json
import os
import time
import unittest
import uuid

from botocore.exceptions import ClientError

import harness
import lambda_util
from fifo_util import (AWS_CLI, Cli, ProtocolCase, arn_for, counters, drain, receive_all_attrs,
                       redrive_policy)

SOURCE_MISSING = "The resource that you specified for the SourceArn parameter doesn't exist."
DESTINATION_MISSING = "The resource that you specified for the DestinationArn parameter doesn't exist."
NOT_A_DLQ = "Source queue must be configured as a Dead Letter Queue."
ALREADY_RUNNING = ("There is already a task running. Only one active task is allowed for a source queue "
                   "arn at a given time.")
BAD_HANDLE = "Value for parameter TaskHandle is invalid."
TASK_MISSING = "Task does not exist."
ENTRY_KEYS = {"TaskHandle", "Status", "SourceArn", "DestinationArn", "MaxNumberOfMessagesPerSecond",
              "ApproximateNumberOfMessagesMoved", "ApproximateNumberOfMessagesToMove", "FailureReason",
              "StartedTimestamp"}


def now_ms():
    return int(time.time() * 1000)


def craft_handle(source_arn, task_id=None):
    """A handle of the form sqsemu hands out: base64 of {"taskId", "sourceArn"}."""
    doc = {"taskId": task_id or str(uuid.uuid4()), "sourceArn": source_arn}
    return base64.b64encode(json.dumps(doc).encode()).decode()


class MoveTaskMixin:
    """Helpers for suites holding `self.sqs` and harness unique names."""

    def tasks(self, source_arn, client=None, **kwargs):
        client = client or self.sqs
        return client.list_message_move_tasks(SourceArn=source_arn, **kwargs).get("Results", [])

    def wait_status(self, source_arn, status, timeout=10.0, client=None):
        """Waits until the newest task of source_arn has `status`; returns that entry."""
        last = {}

        def check():
            results = self.tasks(source_arn, client=client)
            last["r"] = results
            return results and results[0]["Status"] == status

        if not harness.wait_until(check, timeout=timeout, interval=0.05):
            self.fail("the newest task of %s did not reach %s within %.0fs: %r"
                      % (source_arn, status, timeout, last.get("r")))
        return last["r"][0]

    def dead_letter(self, client, src_url, dlq_url, count, timeout=10.0):
        """Drives `count` messages of src_url (maxReceiveCount 1) into dlq_url by receiving
        them (visibility 0) until the redrive moves them."""
        deadline = time.monotonic() + timeout
        while counters(client, dlq_url)[0] < count and time.monotonic() < deadline:
            client.receive_message(QueueUrl=src_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        self.assertEqual(counters(client, dlq_url), (count, 0, 0), "messages did not reach the DLQ")
        self.assertEqual(counters(client, src_url), (0, 0, 0))


class MoveTaskBase(MoveTaskMixin, ProtocolCase):

    def dlq_setup(self, sources=1, fifo=False, prefix="mt"):
        """A DLQ and `sources` source queues (maxReceiveCount 1) pointing at it."""
        extra = {"ContentBasedDeduplication": "true"} if fifo else {}
        dlq_url, dlq_arn = self.new_queue(prefix + "-dlq", dict(extra), fifo=fifo)
        srcs = []
        for _ in range(sources):
            attrs = dict(extra, RedrivePolicy=redrive_policy(dlq_arn, 1))
            srcs.append(self.new_queue(prefix + "-src", attrs, fifo=fifo))
        return (dlq_url, dlq_arn), srcs

    def fill(self, src_url, dlq_url, names, attributes=None, **send_kwargs):
        """Sends the bodies to the source and dead-letters them; returns {body: MessageId}."""
        ids = {}
        for body in names:
            kwargs = dict(send_kwargs)
            if attributes:
                kwargs["MessageAttributes"] = attributes
            ids[body] = self.sqs.send_message(QueueUrl=src_url, MessageBody=body, **kwargs)["MessageId"]
        before = counters(self.sqs, dlq_url)[0]
        self.dead_letter(self.sqs, src_url, dlq_url, before + len(names))
        return ids

    # ------------------------------------------------------------------ errors
    def test_start_with_a_missing_source(self):
        missing = arn_for(self.unique("mt-missing"))
        self.not_found(self.sqs.start_message_move_task, SOURCE_MISSING, SourceArn=missing)
        self.not_found(self.sqs.list_message_move_tasks, SOURCE_MISSING, SourceArn=missing)

    def test_start_on_a_queue_that_is_not_a_dlq(self):
        url, arn = self.new_queue("mt-plain")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        self.fails("InvalidParameterValue", self.sqs.start_message_move_task, SourceArn=arn, message=NOT_A_DLQ)
        # a queue that *has* a RedrivePolicy is a source, not a DLQ
        (_, _), [(src_url, src_arn)] = self.dlq_setup()
        self.fails("InvalidParameterValue", self.sqs.start_message_move_task, SourceArn=src_arn, message=NOT_A_DLQ)
        self.assertEqual(self.tasks(arn), [])

    def test_start_with_a_missing_destination(self):
        (dlq_url, dlq_arn), [(src_url, _)] = self.dlq_setup()
        self.fill(src_url, dlq_url, ["x"])
        self.not_found(self.sqs.start_message_move_task, DESTINATION_MISSING, SourceArn=dlq_arn,
                       DestinationArn=arn_for(self.unique("mt-nodest")))
        self.assertEqual(self.tasks(dlq_arn), [])
        self.assertEqual(self.counters(dlq_url), (1, 0, 0))

    def test_destination_must_have_the_same_queue_type(self):
        (dlq_url, dlq_arn), [(src_url, _)] = self.dlq_setup(fifo=True)
        self.fill(src_url, dlq_url, ["x"], MessageGroupId="g")
        _, std_arn = self.new_queue("mt-std-dest")
        self.fails("InvalidParameterValue", self.sqs.start_message_move_task, SourceArn=dlq_arn,
                   DestinationArn=std_arn)
        (sdlq_url, sdlq_arn), [(ssrc_url, _)] = self.dlq_setup()
        _, fifo_arn = self.new_queue("mt-fifo-dest", fifo=True)
        self.fails("InvalidParameterValue", self.sqs.start_message_move_task, SourceArn=sdlq_arn,
                   DestinationArn=fifo_arn)

    def test_rate_must_be_between_1_and_500(self):
        (dlq_url, dlq_arn), _ = self.dlq_setup()
        for bad in (0, -1, 501):
            with self.subTest(rate=bad):
                self.fails("InvalidParameterValue", self.sqs.start_message_move_task, SourceArn=dlq_arn,
                           MaxNumberOfMessagesPerSecond=bad)
        self.assertEqual(self.tasks(dlq_arn), [])
        for ok in (500, 1):
            self.sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=ok)
            entry = self.wait_status(dlq_arn, "COMPLETED")
            self.assertEqual(entry["MaxNumberOfMessagesPerSecond"], ok)

    def test_cancel_with_a_bad_task_handle(self):
        for bad in ("garbage", "not base64 !!", base64.b64encode(b"not json").decode()):
            with self.subTest(handle=bad):
                self.fails("InvalidParameterValue", self.sqs.cancel_message_move_task, TaskHandle=bad,
                           message=BAD_HANDLE)

    def test_cancel_with_a_well_formed_handle_of_nothing(self):
        # the handle decodes, but the source queue is missing -> SourceArn text;
        # the source exists but the task does not -> "Task does not exist."
        self.not_found(self.sqs.cancel_message_move_task, SOURCE_MISSING,
                       TaskHandle=craft_handle(arn_for(self.unique("mt-gone"))))
        (_, dlq_arn), _ = self.dlq_setup()
        self.not_found(self.sqs.cancel_message_move_task, TASK_MISSING, TaskHandle=craft_handle(dlq_arn))

    def test_list_with_a_malformed_arn(self):
        # a malformed ARN is InvalidParameterValue; a well-formed ARN of nothing is 404
        for bad in ("not-an-arn", "arn:aws:sqs:us-east-1"):
            with self.subTest(arn=bad):
                self.fails("InvalidParameterValue", self.sqs.list_message_move_tasks, SourceArn=bad)

    def test_list_max_results_range(self):
        (_, dlq_arn), _ = self.dlq_setup()
        self.assertEqual(self.tasks(dlq_arn), [])
        for bad in (0, 11):
            with self.subTest(max_results=bad):
                self.fails("InvalidParameterValue", self.sqs.list_message_move_tasks, SourceArn=dlq_arn,
                           MaxResults=bad)

    # ------------------------------------------------------------------ moving
    def test_move_back_to_each_original_source(self):
        (dlq_url, dlq_arn), [(s1, s1_arn), (s2, s2_arn)] = self.dlq_setup(sources=2)
        attrs = {"kind": {"DataType": "String", "StringValue": "order"},
                 "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}
        ids1 = self.fill(s1, dlq_url, ["s1-a", "s1-b", "s1-c"], attributes=attrs)
        ids2 = self.fill(s2, dlq_url, ["s2-a", "s2-b"])
        # the DLQ copies keep their MessageIds and name their sources (DeadLetterQueueSourceArn)
        in_dlq = receive_all_attrs(self.sqs, dlq_url, visibility=0)
        self.assertEqual({m["Body"]: m["Attributes"]["DeadLetterQueueSourceArn"] for m in in_dlq},
                         dict({b: s1_arn for b in ids1}, **{b: s2_arn for b in ids2}))
        before = now_ms()
        handle = self.sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
        after = now_ms()
        self.assertIsInstance(handle, str)
        self.assertTrue(handle)
        entry = self.wait_status(dlq_arn, "COMPLETED")
        self.assertLessEqual(set(entry), ENTRY_KEYS)
        for absent in ("TaskHandle", "DestinationArn", "MaxNumberOfMessagesPerSecond", "FailureReason"):
            self.assertNotIn(absent, entry)
        self.assertEqual(entry["SourceArn"], dlq_arn)
        self.assertEqual(entry["ApproximateNumberOfMessagesToMove"], 5)
        self.assertEqual(entry["ApproximateNumberOfMessagesMoved"], 5)
        self.assertTrue(before - 2000 <= entry["StartedTimestamp"] <= after + 2000,
                        "StartedTimestamp %r is not epoch milliseconds of the start" % entry["StartedTimestamp"])
        self.wait_counters(dlq_url, (0, 0, 0))
        got1 = drain(self.sqs, s1, 3, timeout=5)
        got2 = drain(self.sqs, s2, 2, timeout=5)
        self.assertEqual(sorted(m["Body"] for m in got1), sorted(ids1))
        self.assertEqual(sorted(m["Body"] for m in got2), sorted(ids2))
        for m in got1 + got2:
            original = dict(ids1, **ids2)[m["Body"]]
            self.assertNotEqual(m["MessageId"], original, "a redriven message gets a new MessageId")
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1",
                             "a redriven message is a new message: its receive count starts again")
            self.assertNotIn("DeadLetterQueueSourceArn", m["Attributes"])
            self.assertGreaterEqual(int(m["Attributes"]["SentTimestamp"]), before - 2000,
                                    "a redriven message has a new enqueue time")
        for m in got1:
            self.assertEqual(m["MessageAttributes"], attrs)
        self.assertEqual(self.counters(s1), (0, 0, 0))
        self.assertEqual(self.counters(s2), (0, 0, 0))

    def test_move_to_a_given_destination(self):
        (dlq_url, dlq_arn), [(src, _)] = self.dlq_setup()
        dest, dest_arn = self.new_queue("mt-dest")
        ids = self.fill(src, dlq_url, ["d-%d" % i for i in range(4)])
        self.sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=dest_arn)
        entry = self.wait_status(dlq_arn, "COMPLETED")
        self.assertEqual(entry["DestinationArn"], dest_arn)
        self.assertEqual((entry["ApproximateNumberOfMessagesToMove"], entry["ApproximateNumberOfMessagesMoved"]),
                         (4, 4))
        self.wait_counters(dlq_url, (0, 0, 0))
        self.assertEqual(self.counters(src), (0, 0, 0), "nothing goes back to the original source")
        got = drain(self.sqs, dest, 4, timeout=5)
        self.assertEqual(sorted(m["Body"] for m in got), sorted(ids))
        self.assertFalse({m["MessageId"] for m in got} & set(ids.values()))

    def test_fifo_dlq_moves_back_in_group_order(self):
        (dlq_url, dlq_arn), [(src, _)] = self.dlq_setup(fifo=True)
        for body, group in (("g-0", "g"), ("h-0", "h"), ("g-1", "g"), ("g-2", "g")):
            self.sqs.send_message(QueueUrl=src, MessageBody=body, MessageGroupId=group)
        self.dead_letter(self.sqs, src, dlq_url, 4)
        self.sqs.start_message_move_task(SourceArn=dlq_arn)
        entry = self.wait_status(dlq_arn, "COMPLETED")
        self.assertEqual(entry["ApproximateNumberOfMessagesMoved"], 4)
        self.wait_counters(dlq_url, (0, 0, 0))
        got = drain(self.sqs, src, 4, timeout=5)
        by_group = {}
        for m in got:
            by_group.setdefault(m["Attributes"]["MessageGroupId"], []).append(m["Body"])
        self.assertEqual(by_group, {"g": ["g-0", "g-1", "g-2"], "h": ["h-0"]})

    def test_running_task_one_per_source_and_cancel(self):
        (dlq_url, dlq_arn), [(src, _)] = self.dlq_setup()
        dest, dest_arn = self.new_queue("mt-cdest")
        self.fill(src, dlq_url, ["c-%d" % i for i in range(6)])
        handle = self.sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=dest_arn,
                                                  MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
        [entry] = self.tasks(dlq_arn)
        self.assertEqual(entry["Status"], "RUNNING")
        self.assertEqual(entry["TaskHandle"], handle)
        self.assertEqual(entry["SourceArn"], dlq_arn)
        self.assertEqual(entry["DestinationArn"], dest_arn)
        self.assertEqual(entry["MaxNumberOfMessagesPerSecond"], 1)
        self.assertEqual(entry["ApproximateNumberOfMessagesToMove"], 6)
        self.assertLessEqual(entry["ApproximateNumberOfMessagesMoved"], 2)
        # one active task per source, whatever the parameters
        self.fails("InvalidParameterValue", self.sqs.start_message_move_task, SourceArn=dlq_arn,
                   message=ALREADY_RUNNING)
        self.fails("InvalidParameterValue", self.sqs.start_message_move_task, SourceArn=dlq_arn,
                   DestinationArn=dest_arn, MaxNumberOfMessagesPerSecond=100, message=ALREADY_RUNNING)
        harness.wait_until(lambda: self.tasks(dlq_arn)[0]["ApproximateNumberOfMessagesMoved"] >= 1,
                           timeout=4.0, interval=0.05)
        moved = self.sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
        self.assertGreaterEqual(moved, 1)
        self.assertLess(moved, 6)
        entry = self.wait_status(dlq_arn, "CANCELLED", timeout=5)
        self.assertNotIn("TaskHandle", entry)
        self.assertGreaterEqual(entry["ApproximateNumberOfMessagesMoved"], moved)
        self.assertLess(entry["ApproximateNumberOfMessagesMoved"], 6, "the cancelled task ran to the end")
        # a cancelled task moves nothing more
        settled = (self.counters(dlq_url), self.counters(dest))
        # Time passing, not a wait on server state: a cancelled task is given 1.5 s in which it must move nothing.
        time.sleep(1.5)
        self.assertEqual((self.counters(dlq_url), self.counters(dest)), settled)
        in_dlq, in_dest = settled[0][0], settled[1][0]
        self.assertEqual(in_dlq + in_dest, 6, "messages were lost or duplicated")
        self.assertEqual(in_dest, self.tasks(dlq_arn)[0]["ApproximateNumberOfMessagesMoved"])
        # only a running task can be cancelled
        with self.assertRaises(ClientError):
            self.sqs.cancel_message_move_task(TaskHandle=handle)
        # the source is free again: a new task moves the rest
        self.sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=dest_arn)
        entry = self.wait_status(dlq_arn, "COMPLETED")
        self.assertEqual(entry["ApproximateNumberOfMessagesToMove"], in_dlq)
        self.wait_counters(dlq_url, (0, 0, 0))
        self.wait_counters(dest, (6, 0, 0))

    def test_task_fails_when_the_destination_disappears(self):
        (dlq_url, dlq_arn), [(src, _)] = self.dlq_setup()
        dest, dest_arn = self.new_queue("mt-vanish")
        self.fill(src, dlq_url, ["v-%d" % i for i in range(5)])
        self.sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=dest_arn, MaxNumberOfMessagesPerSecond=1)
        harness.wait_until(lambda: self.tasks(dlq_arn)[0]["ApproximateNumberOfMessagesMoved"] >= 1,
                           timeout=4.0, interval=0.05)
        self.sqs.delete_queue(QueueUrl=dest)
        entry = self.wait_status(dlq_arn, "FAILED", timeout=5)
        self.assertEqual(entry.get("FailureReason"), "AWS.SimpleQueueService.NonExistentQueue")
        self.assertNotIn("TaskHandle", entry)
        moved = entry["ApproximateNumberOfMessagesMoved"]
        self.assertLess(moved, 5)
        self.assertEqual(self.counters(dlq_url), (5 - moved, 0, 0), "unmoved messages stay in the DLQ")

    def test_messages_to_move_counts_the_visible_messages(self):
        (dlq_url, dlq_arn), [(src, _)] = self.dlq_setup()
        dest, dest_arn = self.new_queue("mt-vis")
        self.fill(src, dlq_url, ["w-%d" % i for i in range(3)])
        [held] = self.sqs.receive_message(QueueUrl=dlq_url, VisibilityTimeout=60).get("Messages", [])
        self.sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=dest_arn)
        self.assertEqual(self.tasks(dlq_arn)[0]["ApproximateNumberOfMessagesToMove"], 2)
        self.sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=held["ReceiptHandle"])
        entry = self.wait_status(dlq_arn, "COMPLETED")
        self.assertEqual(entry["ApproximateNumberOfMessagesMoved"], 2)
        self.wait_counters(dest, (2, 0, 0))
        self.wait_counters(dlq_url, (0, 0, 0))

    def test_rate_limit_is_honoured(self):
        (dlq_url, dlq_arn), [(src, _)] = self.dlq_setup()
        dest, dest_arn = self.new_queue("mt-rate")
        self.fill(src, dlq_url, ["r-%02d" % i for i in range(20)])
        t0 = time.monotonic()
        self.sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=dest_arn, MaxNumberOfMessagesPerSecond=10)
        # Time passing, not a wait on server state: 20 messages at 10/s cannot all be moved after 0.5 s.
        time.sleep(0.5)
        [mid] = self.tasks(dlq_arn)
        self.assertEqual(mid["Status"], "RUNNING", "20 messages at 10/s cannot be done after 0.5 s")
        self.assertLess(mid["ApproximateNumberOfMessagesMoved"], 20)
        self.wait_status(dlq_arn, "COMPLETED", timeout=8)
        elapsed = time.monotonic() - t0
        print("\n  20 messages at 10/s took %.2fs" % elapsed)
        self.assertGreaterEqual(elapsed, 1.0, "20 messages at 10 per second need about 2 s")
        self.assertLess(elapsed, 5.0)
        self.wait_counters(dest, (20, 0, 0))
        self.wait_counters(dlq_url, (0, 0, 0))

    def test_list_shows_the_ten_most_recent_newest_first(self):
        (dlq_url, dlq_arn), [(src, _)] = self.dlq_setup()
        # tasks on an empty DLQ complete at once; the rate tells them apart
        for rate in range(1, 12):
            self.sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=rate)
            entry = self.wait_status(dlq_arn, "COMPLETED")
            self.assertEqual(entry["MaxNumberOfMessagesPerSecond"], rate)
            self.assertEqual((entry["ApproximateNumberOfMessagesToMove"],
                              entry["ApproximateNumberOfMessagesMoved"]), (0, 0))
        ten = self.tasks(dlq_arn, MaxResults=10)
        self.assertEqual([e["MaxNumberOfMessagesPerSecond"] for e in ten], list(range(11, 1, -1)))
        stamps = [e["StartedTimestamp"] for e in ten]
        self.assertEqual(stamps, sorted(stamps, reverse=True))
        self.assertEqual([e["MaxNumberOfMessagesPerSecond"] for e in self.tasks(dlq_arn)], [11],
                         "MaxResults defaults to 1")
        self.assertEqual([e["MaxNumberOfMessagesPerSecond"] for e in self.tasks(dlq_arn, MaxResults=3)],
                         [11, 10, 9])
        for e in ten:
            self.assertNotIn("TaskHandle", e)
            self.assertEqual(e["Status"], "COMPLETED")


    def test_only_the_running_entry_carries_a_task_handle(self):
        (dlq_url, dlq_arn), [(src, _)] = self.dlq_setup()
        dest, dest_arn = self.new_queue("mt-mixed")
        for _ in range(2):
            self.sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=dest_arn)
            self.wait_status(dlq_arn, "COMPLETED")
        self.fill(src, dlq_url, ["x-%d" % i for i in range(4)])
        handle = self.sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=dest_arn,
                                                  MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
        listed = self.tasks(dlq_arn, MaxResults=10)
        self.assertEqual([e["Status"] for e in listed], ["RUNNING", "COMPLETED", "COMPLETED"])
        self.assertEqual(listed[0]["TaskHandle"], handle)
        self.assertEqual([("TaskHandle" in e) for e in listed[1:]], [False, False])
        self.sqs.cancel_message_move_task(TaskHandle=handle)
        self.wait_status(dlq_arn, "CANCELLED", timeout=5)
        self.assertEqual([e["Status"] for e in self.tasks(dlq_arn, MaxResults=10)],
                         ["CANCELLED", "COMPLETED", "COMPLETED"])


class TestMoveTasksJson(MoveTaskBase, harness.ServerTestCase):
    protocol = "json"


class TestMoveTasksQuery(MoveTaskBase, harness.ServerTestCase):
    protocol = "query"


del MoveTaskBase


class TestMoveTaskAcrossCrash(MoveTaskMixin, unittest.TestCase):
    """A running task is stored: after kill -9 and a restart it continues and completes."""

    def start(self, **kwargs):
        s = harness.Server(**kwargs)
        self.addCleanup(s.cleanup)
        return s.start()

    def test_running_task_survives_kill9(self):
        s1 = self.start()
        c1 = s1.client()
        tag = "%d" % time.monotonic_ns()
        dlq = c1.create_queue(QueueName="crash-dlq-" + tag)["QueueUrl"]
        dlq_arn = arn_for("crash-dlq-" + tag)
        src = c1.create_queue(QueueName="crash-src-" + tag,
                              Attributes={"RedrivePolicy": redrive_policy(dlq_arn, 1)})["QueueUrl"]
        sent = ["k-%d" % i for i in range(6)]
        for b in sent:
            c1.send_message(QueueUrl=src, MessageBody=b)
        self.dead_letter(c1, src, dlq, 6)
        c1.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=2)
        ok = harness.wait_until(lambda: self.tasks(dlq_arn, client=c1)[0]["ApproximateNumberOfMessagesMoved"] >= 1,
                                timeout=4.0, interval=0.05)
        self.assertTrue(ok, "the task did not start moving")
        entry = self.tasks(dlq_arn, client=c1)[0]
        self.assertEqual(entry["Status"], "RUNNING")
        self.assertLess(entry["ApproximateNumberOfMessagesMoved"], 6)
        s1.kill9()

        s2 = self.start(data_dir=s1.data_dir)
        c2 = s2.client()
        entry = self.wait_status(dlq_arn, "COMPLETED", timeout=15, client=c2)
        self.assertEqual(entry["ApproximateNumberOfMessagesToMove"], 6)
        self.assertEqual(entry["ApproximateNumberOfMessagesMoved"], 6)
        self.assertEqual(counters(c2, dlq), (0, 0, 0))
        got = drain(c2, src, 6, timeout=5)
        self.assertEqual(sorted(m["Body"] for m in got), sent, "messages lost or duplicated across the crash")
        self.assertEqual(counters(c2, src), (0, 0, 0))


@unittest.skipIf(AWS_CLI is None, "the aws CLI is not installed")
class TestMoveTasksCli(MoveTaskMixin, harness.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cli = Cli(cls.server)
        cls.sqs = cls.server.client()

    @classmethod
    def tearDownClass(cls):
        cls.cli.close()
        super().tearDownClass()

    def test_move_tasks_with_the_cli(self):
        dlq_name, src_name, dest_name = self.unique("cli-dlq"), self.unique("cli-src"), self.unique("cli-dest")
        dlq = self.cli.ok("create-queue", "--queue-name", dlq_name)["QueueUrl"]
        src = self.cli.ok("create-queue", "--queue-name", src_name, "--attributes",
                          json.dumps({"RedrivePolicy": redrive_policy(arn_for(dlq_name), 1)}))["QueueUrl"]
        dest = self.cli.ok("create-queue", "--queue-name", dest_name)["QueueUrl"]
        # Ten messages at one a second leave the task RUNNING for nine seconds, time enough for
        # the list and cancel calls on a loaded machine (each CLI call starts a python).
        count = 10
        self.sqs.send_message_batch(QueueUrl=src, Entries=[{"Id": str(i), "MessageBody": "cli-%d" % i}
                                                           for i in range(count)])
        self.dead_letter(self.sqs, src, dlq, count)
        err = self.cli.fails("start-message-move-task", "--source-arn", arn_for(src_name))
        self.assertIn("InvalidParameterValue", err)
        err = self.cli.fails("start-message-move-task", "--source-arn", arn_for(self.unique("cli-none")))
        self.assertIn("ResourceNotFoundException", err)
        err = self.cli.fails("cancel-message-move-task", "--task-handle", "garbage")
        self.assertIn("InvalidParameterValue", err)
        handle = self.cli.ok("start-message-move-task", "--source-arn", arn_for(dlq_name),
                             "--destination-arn", arn_for(dest_name),
                             "--max-number-of-messages-per-second", "1")["TaskHandle"]
        listed = self.cli.ok("list-message-move-tasks", "--source-arn", arn_for(dlq_name), "--max-results", "10")
        [entry] = listed["Results"]
        self.assertEqual((entry["Status"], entry["TaskHandle"]), ("RUNNING", handle))
        cancelled = self.cli.ok("cancel-message-move-task", "--task-handle", handle)
        self.assertIn("ApproximateNumberOfMessagesMoved", cancelled)
        self.wait_status(arn_for(dlq_name), "CANCELLED", timeout=5)
        self.cli.ok("start-message-move-task", "--source-arn", arn_for(dlq_name))
        self.wait_status(arn_for(dlq_name), "COMPLETED", timeout=10)
        harness.wait_until(lambda: counters(self.sqs, dlq) == (0, 0, 0), timeout=5)
        self.assertEqual(counters(self.sqs, dlq), (0, 0, 0))
        moved_to_dest = counters(self.sqs, dest)[0]
        self.assertEqual(moved_to_dest + counters(self.sqs, src)[0], count)


# ---- the end-to-end workflow with a Lambda trigger -----------------------------------

class TestFixThenRedriveWorkflow(MoveTaskMixin, lambda_util.LambdaTestCase):
    """A handler fails while a marker file exists; its messages end in the DLQ after
    maxReceiveCount receives. Removing the marker is the fix; a move task without a
    destination sends the messages back to the source they came from, where the handler now
    processes them; both queues end empty."""

    def test_fix_the_bug_then_redrive(self):
        out = self.out_dir()
        markers = self.tmpdir("sqsemu-marker-")
        marker = os.path.join(markers, "broken")
        with open(marker, "w") as f:
            f.write("the bug\n")
        dlq_url, dlq_arn = self.queue("wf-dlq")
        src_url, src_arn = self.queue("wf-src", {"VisibilityTimeout": 2,
                                                  "RedrivePolicy": redrive_policy(dlq_arn, 2)})
        fn = self.create_function(fixture="py_fail_until_fixed", env={"OUT_DIR": out, "MARKER_DIR": markers},
                                  Timeout=2)["FunctionName"]
        self.create_mapping(fn, src_arn, BatchSize=10)
        sent = {}
        for i in range(3):
            body = "order-%d" % i
            sent[body] = self.sqs.send_message(QueueUrl=src_url, MessageBody=body)["MessageId"]

        # the buggy handler fails every time; after 2 receives the messages go to the DLQ
        ok = harness.wait_until(lambda: counters(self.sqs, dlq_url) == (3, 0, 0)
                                and counters(self.sqs, src_url) == (0, 0, 0), timeout=30, interval=0.1)
        self.assertTrue(ok, "messages did not reach the DLQ: source %r, DLQ %r"
                        % (counters(self.sqs, src_url), counters(self.sqs, dlq_url)))
        failed = lambda_util.sqs_records(lambda_util.read_records(out))
        self.assertTrue(all(doc["broken"] for doc, _ in failed))
        per_body = {}
        for _, rec in failed:
            per_body.setdefault(rec["body"], []).append(rec)
        self.assertEqual(sorted(per_body), sorted(sent))
        for body, recs in per_body.items():
            self.assertEqual([r["attributes"]["ApproximateReceiveCount"] for r in recs], ["1", "2"],
                             "%s: delivered maxReceiveCount times before the DLQ" % body)
            self.assertEqual({r["messageId"] for r in recs}, {sent[body]})

        # the fix, then the redrive back to the source (no DestinationArn)
        os.remove(marker)
        n_failed_docs = len(lambda_util.read_records(out))
        self.sqs.start_message_move_task(SourceArn=dlq_arn)

        def processed():
            docs = lambda_util.read_records(out)[n_failed_docs:]
            return [rec for doc in docs if not doc["broken"]
                    for rec in (doc["event"].get("Records") or [])]

        ok = harness.wait_until(lambda: sorted(r["body"] for r in processed()) == sorted(sent),
                                timeout=20, interval=0.1)
        self.assertTrue(ok, "the fixed handler did not process every redriven message: %r"
                        % sorted(r["body"] for r in processed()))
        entry = self.wait_status(dlq_arn, "COMPLETED", timeout=10)
        self.assertEqual((entry["ApproximateNumberOfMessagesToMove"], entry["ApproximateNumberOfMessagesMoved"]),
                         (3, 3))
        self.assertNotIn("DestinationArn", entry)
        for rec in processed():
            self.assertEqual(rec["eventSourceARN"], src_arn)
            self.assertNotEqual(rec["messageId"], sent[rec["body"]], "redriven messages get a new MessageId")
        ok = harness.wait_until(lambda: counters(self.sqs, src_url) == (0, 0, 0)
                                and counters(self.sqs, dlq_url) == (0, 0, 0), timeout=10, interval=0.1)
        self.assertTrue(ok, "queues not empty: source %r, DLQ %r"
                        % (counters(self.sqs, src_url), counters(self.sqs, dlq_url)))
        # Time passing, not a wait on server state: the queues are empty, but a message processed twice
        # would leave its second record a little later.
        time.sleep(0.5)
        self.assertEqual(sorted(r["body"] for r in processed()), sorted(sent), "a message was processed twice")
