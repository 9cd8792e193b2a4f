"""sqsemu's admin API under /_sqsemu/ (src/fronts/admin_front.c, src/admin/): the routes and
their shapes, the test clock driving SQS's timed rules without sleeping, the read-only look
at a queue's messages, reset between test cases, the queue metrics, bad input, the signed
routes under --auth-key and the request log line. The Lambda half (invocation history,
resetting functions and mappings, function and mapping metrics) is in test_admin_lambda.py.

Real clients only: plain HTTP (http.client), boto3 on both SQS protocols, the aws CLI.
Time never passes by sleeping: the clock is moved over HTTP, and waits are on state the
server reports (its health document), each bounded.
"""
import json
import re
import shutil
import tempfile
import time
import unittest
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import harness
from admin_util import (AdminAsserts, admin, advance, clock, metric, metrics, move_clock, ok, peek,
                        peek_all, queue_url, reset, stop_and_check)
from lambda_util import AWS_CLI, cli_env, run_cli
from semantics_util import start_worker

HOUR_MS = 3600 * 1000
QUEUE_GONE = "AWS.SimpleQueueService.NonExistentQueue"


def receive(client, url, **kwargs):
    params = dict(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                  MessageAttributeNames=["All"], WaitTimeSeconds=0)
    params.update(kwargs)
    return client.receive_message(**params).get("Messages", [])


def join(testcase, worker, timeout):
    """Joins a worker (bounded); fails the test if it is still running. Its result or error
    is left for the test to check."""
    worker.join(timeout)
    testcase.assertFalse(worker.is_alive(), "the worker still runs after %.1fs" % timeout)


def redrive(dlq_arn, max_receive):
    return json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive})


class AdminCase(harness.ServerTestCase, AdminAsserts):
    """A server per class with boto3 clients on both SQS protocols."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clients = {"json": cls.server.client(), "query": cls.server.client(protocol="query")}
        cls.sqs = cls.clients["json"]

    @classmethod
    def tearDownClass(cls):
        stop_and_check(cls.server)

    def queue(self, prefix="q", attributes=None, fifo=False, client=None):
        """CreateQueue; returns (url, arn)."""
        name = self.unique(prefix)
        attributes = {k: str(v) for k, v in (attributes or {}).items()}
        if fifo:
            name += ".fifo"
            attributes["FifoQueue"] = "true"
        url = (client or self.sqs).create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def unfreeze_after(self):
        self.addCleanup(lambda: move_clock(self.server, freeze=False))


# ---------------------------------------------------------------------------------------
# 1. every route, happy path and shapes
# ---------------------------------------------------------------------------------------

class RouteTests(AdminCase):

    def test_health(self):
        doc = ok(self.server, "GET", "health")
        self.assertEqual(set(doc), {"status", "version", "services", "parked_requests", "waiting_receives"})
        self.assertEqual(doc["status"], "running")
        self.assertEqual(doc["services"], {"sqs": "running", "lambda": "running", "logs": "running"})

    def test_localstack_health_has_localstacks_shape(self):
        doc = ok(self.server, "GET", "/_localstack/health")
        self.assertEqual(set(doc), {"services", "edition", "version"})
        self.assertEqual(doc["services"], {"sqs": "running", "lambda": "running", "logs": "running"})
        self.assertEqual(doc["edition"], "community")
        self.assertEqual(doc["version"], ok(self.server, "GET", "health")["version"])

    def test_clock_shape_and_moves(self):
        before = clock(self.server)
        self.assertEqual(set(before), {"now_ms", "offset_ms", "frozen"})
        for key in ("now_ms", "offset_ms"):
            self.assertIsInstance(before[key], int, key)
        self.assertIs(before["frozen"], False)
        # now_ms is the real time plus the offset (allowing for the request's own time)
        real = int(time.time() * 1000)
        self.assertLess(abs(before["now_ms"] - before["offset_ms"] - real), 5000)

        after = advance(self.server, 1234)
        self.assertEqual(after["offset_ms"], before["offset_ms"] + 1234)
        self.assertGreaterEqual(after["now_ms"], before["now_ms"] + 1234)
        self.assertEqual(clock(self.server)["offset_ms"], after["offset_ms"])

        self.unfreeze_after()
        frozen = move_clock(self.server, freeze=True)
        self.assertIs(frozen["frozen"], True)
        self.assertEqual(clock(self.server)["now_ms"], frozen["now_ms"], "a frozen clock stands still")
        moved = move_clock(self.server, freeze=True, advance_ms=500)
        self.assertEqual(moved["now_ms"], frozen["now_ms"] + 500)
        target = moved["now_ms"] + HOUR_MS
        self.assertEqual(move_clock(self.server, set_ms=target)["now_ms"], target)
        self.assertEqual(move_clock(self.server, set_ms=target)["now_ms"], target, "set_ms to now is allowed")
        thawed = move_clock(self.server, freeze=False)
        self.assertIs(thawed["frozen"], False)
        self.assertGreaterEqual(thawed["now_ms"], target, "unfreezing goes on from the frozen instant")
        self.assertLess(thawed["now_ms"], target + 5000)

    def test_reset_shapes(self):
        url, _ = self.queue("route-reset")
        doc = reset(self.server, queue=url)
        self.assertEqual(doc, {"QueuesRemoved": 1})
        doc = reset(self.server)
        self.assertEqual(set(doc), {"QueuesRemoved", "FunctionsRemoved", "MappingsRemoved"})
        for value in doc.values():
            self.assertIsInstance(value, int)

    def test_messages_shape(self):
        url, _ = self.queue("route-peek")
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="hello",
                                     MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
        doc = peek(self.server, url)
        self.assertEqual(set(doc), {"Messages"}, "no NextToken when the page is not full")
        [m] = doc["Messages"]
        self.assertEqual(m["Body"], "hello")
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["MD5OfBody"], sent["MD5OfMessageBody"])
        self.assertEqual(m["MessageAttributes"], {"k": {"DataType": "String", "StringValue": "v"}})
        self.assertEqual(m["State"], "visible")
        self.assertEqual(m["NextChange"], "expires")
        self.assertEqual(m["NextChangeMs"], m["ExpiresAtMs"])
        self.assertNotIn("VisibleAtMs", m, "a visible message has no VisibleAtMs")
        sent_ms = int(m["Attributes"]["SentTimestamp"])
        self.assertEqual(m["ExpiresAtMs"], sent_ms + 345600 * 1000, "the default retention is 4 days")
        self.assertEqual(m["Attributes"]["SenderId"], harness.ACCOUNT)
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "0")
        self.assertNotIn("ApproximateFirstReceiveTimestamp", m["Attributes"])
        self.assertNotIn("ReceiptHandle", m)
        # by name as well
        self.assertEqual(ok(self.server, "GET", "messages", {"QueueName": url.rsplit("/", 1)[1]}), doc)

    def test_invocations_shape(self):
        doc = ok(self.server, "GET", "invocations")
        self.assertEqual(set(doc), {"Invocations"})
        self.assertIsInstance(doc["Invocations"], list)

    def test_metrics_answer_prometheus_text(self):
        url, _ = self.queue("route-metrics")
        types, samples = metrics(self.server)
        for family, kind in (("sqsemu_queue_messages", "gauge"), ("sqsemu_queue_messages_sent_total", "counter"),
                             ("sqsemu_function_invocations_total", "counter"),
                             ("sqsemu_mapping_polled_events_total", "counter")):
            self.assertEqual(types.get(family), kind, family)
        name = url.rsplit("/", 1)[1]
        self.assertEqual(metric(samples, "sqsemu_queue_messages", queue=name, state="visible"), 0)

    def test_unknown_routes_are_404(self):
        for method, path in (("GET", "/_sqsemu/"), ("GET", "/_sqsemu/nothing"), ("POST", "/_sqsemu/nothing"),
                             ("GET", "/_sqsemu/clock/"), ("GET", "/_sqsemu//clock"), ("GET", "/_sqsemu/CLOCK"),
                             ("GET", "/_sqsemu/metrics/x"), ("GET", "/_sqsemu/health/x")):
            with self.subTest(method=method, path=path):
                doc = self.assertAdminError(admin(self.server, method, path), 404, "NotFound")
                self.assertIn("/_sqsemu/clock", doc["message"], "the message lists the routes")

    def test_wrong_method_is_405_with_allow(self):
        get = "GET, HEAD"  # HEAD is answered like GET, without the body
        for method, path, allow in (("POST", "/_sqsemu/health", get), ("DELETE", "/_sqsemu/health", get),
                                    ("POST", "/_localstack/health", get), ("PUT", "/_sqsemu/clock", get + ", POST"),
                                    ("DELETE", "/_sqsemu/clock", get + ", POST"), ("GET", "/_sqsemu/reset", "POST"),
                                    ("PUT", "/_sqsemu/reset", "POST"), ("POST", "/_sqsemu/messages", get),
                                    ("DELETE", "/_sqsemu/messages", get), ("POST", "/_sqsemu/invocations", get),
                                    ("POST", "/_sqsemu/metrics", get)):
            with self.subTest(method=method, path=path):
                answer = admin(self.server, method, path)
                self.assertAdminError(answer, 405, "MethodNotAllowed")
                self.assertEqual(answer[1].get("allow"), allow)

    def test_get_reset_removes_nothing(self):
        url, _ = self.queue("route-getreset")
        self.assertAdminError(admin(self.server, "GET", "reset"), 405)
        self.assertAdminError(admin(self.server, "DELETE", "reset", {"queue": url}), 405)
        self.assertIn(url, self.sqs.list_queues().get("QueueUrls", []))


# ---------------------------------------------------------------------------------------
# 2. the clock drives SQS's timed rules (no sleeping)
# ---------------------------------------------------------------------------------------

class ClockDrivesSqsTests(AdminCase):

    def test_message_goes_from_send_to_dlq_by_the_clock(self):
        for protocol, client in self.clients.items():
            with self.subTest(protocol=protocol):
                dlq, dlq_arn = self.queue("clk-dlq", client=client)
                src, _ = self.queue("clk-src", {"VisibilityTimeout": 30, "RedrivePolicy": redrive(dlq_arn, 2)},
                                    client=client)
                mid = client.send_message(QueueUrl=src, MessageBody="poison")["MessageId"]
                [first] = receive(client, src)
                self.assertEqual((first["MessageId"], first["Attributes"]["ApproximateReceiveCount"]), (mid, "1"))
                self.assertEqual(receive(client, src), [], "in flight for 30 s")
                advance(self.server, 30000)
                [second] = receive(client, src)
                self.assertEqual((second["MessageId"], second["Attributes"]["ApproximateReceiveCount"]), (mid, "2"))
                advance(self.server, 30000)
                self.assertEqual(receive(client, src), [], "the third receive moves it to the DLQ")
                self.assertEqual(peek(self.server, src)["Messages"], [])
                [moved] = peek(self.server, dlq)["Messages"]
                self.assertEqual((moved["MessageId"], moved["Body"], moved["State"]), (mid, "poison", "visible"))
                self.assertEqual(moved["Attributes"]["ApproximateReceiveCount"], "2")
                [got] = receive(client, dlq)
                self.assertEqual(got["MessageId"], mid)

    def test_delayed_message_becomes_receivable_after_advance(self):
        for protocol, client in self.clients.items():
            with self.subTest(protocol=protocol):
                url, _ = self.queue("clk-delay", client=client)
                mid = client.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=900)["MessageId"]
                [m] = peek(self.server, url)["Messages"]
                self.assertEqual((m["State"], m["NextChange"]), ("delayed", "visible"))
                self.assertEqual(m["VisibleAtMs"], int(m["Attributes"]["SentTimestamp"]) + 900000)
                self.assertEqual(receive(client, url), [])
                advance(self.server, 899000)
                self.assertEqual(receive(client, url), [], "a second early is still delayed")
                advance(self.server, 1000)
                self.assertEqual([x["MessageId"] for x in receive(client, url)], [mid])

    def test_retention_drops_a_message_after_advancing_past_it(self):
        for protocol, client in self.clients.items():
            with self.subTest(protocol=protocol):
                url, _ = self.queue("clk-ret", {"MessageRetentionPeriod": 60}, client=client)
                client.send_message(QueueUrl=url, MessageBody="short-lived")
                [m] = peek(self.server, url)["Messages"]
                self.assertEqual(m["ExpiresAtMs"], int(m["Attributes"]["SentTimestamp"]) + 60000)
                advance(self.server, 61000)
                self.assertEqual(peek(self.server, url)["Messages"], [], "peek shows no expired message")
                self.assertEqual(receive(client, url), [])
                attrs = client.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
                self.assertEqual(attrs["Attributes"]["ApproximateNumberOfMessages"], "0")

    def test_long_poll_answers_when_the_clock_passes_its_deadline(self):
        for protocol, client in self.clients.items():
            with self.subTest(protocol=protocol):
                url, _ = self.queue("clk-lp", client=client)
                lp_client = self.server.client(protocol=protocol, read_timeout=40)
                parked = self.server.parked_requests()
                w = start_worker(receive, lp_client, url, WaitTimeSeconds=20)
                self.server.wait_parked(parked + 1)
                self.assertFalse(w.done)
                t0 = time.monotonic()
                advance(self.server, 20001)
                join(self, w, 5)
                self.assertIsNone(w.error, w.error)
                self.assertEqual(w.result, [])
                self.assertLess(time.monotonic() - t0, 5, "the poll waited in real time")
                self.server.wait_parked(parked)

    def test_frozen_clock_long_poll_wakes_on_advance(self):
        """While frozen, time passes only when moved: a parked long poll is answered by the
        advance that makes a delayed message visible (and not before its deadline by itself)."""
        url, _ = self.queue("clk-frz-lp")
        self.unfreeze_after()
        move_clock(self.server, freeze=True)
        mid = self.sqs.send_message(QueueUrl=url, MessageBody="d", DelaySeconds=5)["MessageId"]
        client = self.server.client(read_timeout=40)
        parked = self.server.parked_requests()
        w = start_worker(receive, client, url, WaitTimeSeconds=20)
        self.server.wait_parked(parked + 1)
        advance(self.server, 4999)
        self.assertEqual(self.server.parked_requests(), parked + 1, "woken before the delay ran out")
        advance(self.server, 1)
        join(self, w, 5)
        self.assertIsNone(w.error, w.error)
        self.assertEqual([m["MessageId"] for m in w.result], [mid])

    def test_fifo_deduplication_window_follows_the_clock(self):
        for protocol, client in self.clients.items():
            with self.subTest(protocol=protocol):
                url, _ = self.queue("clk-dedup", fifo=True, client=client)
                send = dict(QueueUrl=url, MessageBody="once", MessageGroupId="g", MessageDeduplicationId="d1")
                first = client.send_message(**send)
                advance(self.server, 299000)
                again = client.send_message(**send)
                self.assertIn("MessageId", again, "a duplicate is accepted")
                self.assertEqual(again["MessageId"], first["MessageId"])
                self.assertEqual(len(peek(self.server, url)["Messages"]), 1, "...but not stored")
                advance(self.server, 1001)
                later = client.send_message(**send)
                self.assertNotEqual(later["MessageId"], first["MessageId"])
                stored = peek(self.server, url)["Messages"]
                self.assertEqual([m["MessageId"] for m in stored], [first["MessageId"], later["MessageId"]])

    def test_frozen_clock_gives_equal_sent_timestamps(self):
        url, _ = self.queue("clk-frozen")
        self.unfreeze_after()
        now = move_clock(self.server, freeze=True)["now_ms"]
        for client in self.clients.values():
            client.send_message(QueueUrl=url, MessageBody="a")
        self.sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "x", "MessageBody": "b"}])
        stamps = {m["Attributes"]["SentTimestamp"] for m in peek(self.server, url)["Messages"]}
        self.assertEqual(stamps, {str(now)})
        got = receive(self.sqs, url)
        self.assertEqual({m["Attributes"]["ApproximateFirstReceiveTimestamp"] for m in got}, {str(now)})

    def test_set_ms_moves_sent_timestamp(self):
        url, _ = self.queue("clk-set")
        target = clock(self.server)["now_ms"] + 24 * HOUR_MS
        self.assertGreaterEqual(move_clock(self.server, set_ms=target)["now_ms"], target)
        self.sqs.send_message(QueueUrl=url, MessageBody="tomorrow")
        [m] = receive(self.sqs, url)
        sent = int(m["Attributes"]["SentTimestamp"])
        self.assertGreaterEqual(sent, target)
        self.assertLess(sent, target + 5000)
        # frozen: exactly the instant set
        self.unfreeze_after()
        target = clock(self.server)["now_ms"] + HOUR_MS
        self.assertEqual(move_clock(self.server, freeze=True, set_ms=target)["now_ms"], target)
        self.sqs.send_message(QueueUrl=url, MessageBody="exact")
        self.assertEqual([x["Attributes"]["SentTimestamp"] for x in peek(self.server, url)["Messages"]
                          if x["Body"] == "exact"], [str(target)])

    def test_queue_timestamps_follow_the_clock(self):
        self.unfreeze_after()
        now = move_clock(self.server, freeze=True)["now_ms"]
        url, _ = self.queue("clk-qts")
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["CreatedTimestamp"])["Attributes"]
        self.assertEqual(int(attrs["CreatedTimestamp"]), now // 1000)

    @unittest.skipUnless(AWS_CLI, "the aws CLI is not installed")
    def test_aws_cli_receive_after_advance(self):
        home = tempfile.mkdtemp(prefix="sqsemu-cli-home-")
        self.addCleanup(shutil.rmtree, home, True)
        env = cli_env(home)
        name = self.unique("clk-cli")
        url = run_cli(self.server, env, "sqs", "create-queue", "--queue-name", name,
                      "--attributes", "VisibilityTimeout=120")[0]["QueueUrl"]
        mid = run_cli(self.server, env, "sqs", "send-message", "--queue-url", url, "--message-body", "cli",
                      "--delay-seconds", "600")[0]["MessageId"]
        self.assertEqual(run_cli(self.server, env, "sqs", "receive-message", "--queue-url", url)[0], {})
        advance(self.server, 600000)
        got = run_cli(self.server, env, "sqs", "receive-message", "--queue-url", url,
                      "--attribute-names", "All")[0]["Messages"]
        self.assertEqual([m["MessageId"] for m in got], [mid])
        received_ms = int(got[0]["Attributes"]["ApproximateFirstReceiveTimestamp"])
        sent_ms = int(got[0]["Attributes"]["SentTimestamp"])
        self.assertGreaterEqual(received_ms - sent_ms, 600000, "the receive happened on the moved clock")
        [m] = peek(self.server, url)["Messages"]
        self.assertEqual((m["State"], m["VisibleAtMs"]), ("in_flight", received_ms + 120000))
        advance(self.server, 120000)
        again = run_cli(self.server, env, "sqs", "receive-message", "--queue-url", url,
                        "--attribute-names", "ApproximateReceiveCount")[0]["Messages"]
        self.assertEqual(again[0]["Attributes"]["ApproximateReceiveCount"], "2")


# ---------------------------------------------------------------------------------------
# 3. peeking changes nothing
# ---------------------------------------------------------------------------------------

class PeekTests(AdminCase):

    def counters(self, url):
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                 "ApproximateNumberOfMessagesDelayed"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        return tuple(int(attrs[n]) for n in names)

    def test_peek_leaves_receive_counts_untouched(self):
        url, _ = self.queue("peek-count", {"VisibilityTimeout": 45})
        mid = self.sqs.send_message(QueueUrl=url, MessageBody="b")["MessageId"]
        for _ in range(5):
            [m] = peek(self.server, url)["Messages"]
            self.assertEqual((m["State"], m["Attributes"]["ApproximateReceiveCount"]), ("visible", "0"))
        self.assertEqual(self.counters(url), (1, 0, 0))
        [got] = receive(self.sqs, url)
        self.assertEqual((got["MessageId"], got["Attributes"]["ApproximateReceiveCount"]), (mid, "1"))
        received_ms = int(got["Attributes"]["ApproximateFirstReceiveTimestamp"])
        for _ in range(3):
            [m] = peek(self.server, url)["Messages"]
            self.assertEqual(m["State"], "in_flight")
            self.assertEqual(m["VisibleAtMs"], received_ms + 45000)
            self.assertEqual((m["NextChange"], m["NextChangeMs"]), ("visible", received_ms + 45000))
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
            self.assertEqual(m["Attributes"]["ApproximateFirstReceiveTimestamp"], str(received_ms))
        self.assertEqual(self.counters(url), (0, 1, 0))
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=0)
        [again] = receive(self.sqs, url)
        self.assertEqual(again["Attributes"]["ApproximateReceiveCount"], "2", "peeks were not receives")

    def test_peek_does_not_make_an_in_flight_message_visible_or_expire_one(self):
        url, _ = self.queue("peek-inflight", {"VisibilityTimeout": 30})
        self.sqs.send_message(QueueUrl=url, MessageBody="b")
        [got] = receive(self.sqs, url)
        peek(self.server, url)
        self.assertEqual(receive(self.sqs, url), [])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
        self.assertEqual(peek(self.server, url)["Messages"], [])

    def test_delayed_message_shows_delayed(self):
        url, _ = self.queue("peek-delay", {"DelaySeconds": 120})
        self.sqs.send_message(QueueUrl=url, MessageBody="queue delay")
        self.sqs.send_message(QueueUrl=url, MessageBody="own delay", DelaySeconds=5)
        msgs = peek(self.server, url)["Messages"]
        self.assertEqual([m["Body"] for m in msgs], ["queue delay", "own delay"])
        for m, seconds in zip(msgs, (120, 5)):
            sent = int(m["Attributes"]["SentTimestamp"])
            self.assertEqual((m["State"], m["VisibleAtMs"], m["NextChange"]), ("delayed", sent + seconds * 1000,
                                                                                "visible"))
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "0")
        self.assertEqual(self.counters(url), (0, 0, 2))

    def test_paging_covers_every_message_once_in_stored_order(self):
        url, _ = self.queue("peek-pages")
        sent = []
        for i in range(0, 23, 10):
            entries = [{"Id": "e%d" % j, "MessageBody": "m%02d" % j} for j in range(i, min(i + 10, 23))]
            resp = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
            by_id = {e["Id"]: e["MessageId"] for e in resp["Successful"]}
            sent += [by_id[e["Id"]] for e in entries]
        for limit in (1, 2, 5, 7, 22, 23, 24, 100):
            with self.subTest(limit=limit):
                pages = []
                token = None
                while True:
                    params = {"Limit": str(limit)}
                    if token:
                        params["NextToken"] = token
                    doc = peek(self.server, url, **params)
                    self.assertLessEqual(len(doc["Messages"]), limit)
                    pages.append(doc["Messages"])
                    token = doc.get("NextToken")
                    if not token:
                        break
                    self.assertEqual(len(doc["Messages"]), limit, "a NextToken only after a full page")
                    self.assertLess(len(pages), 30)
                got = [m["MessageId"] for page in pages for m in page]
                self.assertEqual(got, sent)
        self.assertEqual(self.counters(url), (23, 0, 0))
        self.assertEqual(len(peek(self.server, url)["Messages"]), 23, "the default Limit is 100")

    def test_default_limit_is_100_and_1000_is_the_most(self):
        url, _ = self.queue("peek-limit")
        for i in range(0, 101, 10):
            self.sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(j), "MessageBody": "x"}
                                                               for j in range(min(10, 101 - i))])
        doc = peek(self.server, url)
        self.assertEqual(len(doc["Messages"]), 100)
        self.assertIn("NextToken", doc)
        self.assertEqual(len(peek(self.server, url, NextToken=doc["NextToken"])["Messages"]), 1)
        self.assertEqual(len(peek(self.server, url, Limit="1000")["Messages"]), 101)

    def test_fifo_queue(self):
        url, _ = self.queue("peek-fifo", {"VisibilityTimeout": 30}, fifo=True)
        sent = []
        for i, group in enumerate(("a", "b", "a", "c", "b")):
            r = self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i, MessageGroupId=group,
                                      MessageDeduplicationId="d%d" % i)
            sent.append((r["MessageId"], r["SequenceNumber"], group, "d%d" % i))
        for _ in range(3):
            msgs = peek_all(self.server, url, limit=2)
            self.assertEqual([(m["MessageId"], m["Attributes"]["SequenceNumber"], m["Attributes"]["MessageGroupId"],
                               m["Attributes"]["MessageDeduplicationId"]) for m in msgs], sent)
            self.assertEqual({m["State"] for m in msgs}, {"visible"})
        got = receive(self.sqs, url, MaxNumberOfMessages=1)
        self.assertEqual([m["MessageId"] for m in got], [sent[0][0]], "the first of group a, never a peeked one")
        self.assertEqual(got[0]["Attributes"]["ApproximateReceiveCount"], "1")
        states = [m["State"] for m in peek_all(self.server, url, limit=2)]
        self.assertEqual(states, ["in_flight", "visible", "visible", "visible", "visible"])
        # the group a is held: the other groups' first messages, then nothing of group a
        got = receive(self.sqs, url)
        self.assertEqual(sorted(m["Body"] for m in got), ["m1", "m3", "m4"])


# ---------------------------------------------------------------------------------------
# 4. reset between test cases (a class-wide server, reset in setUp), with --strict
# ---------------------------------------------------------------------------------------

class ResetBetweenCasesTests(AdminCase):
    """The pattern a suite uses: one server for the class, POST /_sqsemu/reset in setUp. With
    --strict, which otherwise forbids re-creating a deleted name for 60 s."""

    server_args = ("--strict",)

    def setUp(self):
        reset(self.server)

    def assertNoQueues(self):
        for client in self.clients.values():
            self.assertEqual(client.list_queues().get("QueueUrls", []), [])

    def test_reset_removes_every_queue_and_message(self):
        urls = [self.queue("rst-all")[0] for _ in range(3)]
        fifo, _ = self.queue("rst-all", fifo=True)
        for url in urls:
            self.sqs.send_message(QueueUrl=url, MessageBody="x")
        self.sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="1")
        doc = reset(self.server)
        self.assertEqual(doc["QueuesRemoved"], 4)
        self.assertNoQueues()
        for url in urls + [fifo]:
            self.assertAdminError(admin(self.server, "GET", "messages", {"QueueUrl": url}), 404, QUEUE_GONE)
            self.assertClientError(self.sqs.send_message, QUEUE_GONE, QueueUrl=url, MessageBody="x")
        self.assertEqual(reset(self.server)["QueuesRemoved"], 0, "a second reset finds nothing")

    def test_same_name_can_be_created_again_at_once(self):
        name = self.unique("rst-again")
        url = self.sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "99"})["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="old")
        reset(self.server)
        again = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.assertEqual(again, url)
        attrs = self.sqs.get_queue_attributes(QueueUrl=again, AttributeNames=["VisibilityTimeout"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "30", "a new queue, not the old one")
        self.assertEqual(peek(self.server, again)["Messages"], [], "the old messages are gone")
        # also through ?queue=
        reset(self.server, queue=name)
        self.sqs.create_queue(QueueName=name)

    def test_reset_forgets_names_deleted_before_it_under_strict(self):
        name = self.unique("rst-strict")
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.sqs.delete_queue(QueueUrl=url)
        self.assertClientError(self.sqs.create_queue, "AWS.SimpleQueueService.QueueDeletedRecently",
                               QueueName=name)
        reset(self.server)
        self.assertEqual(self.sqs.create_queue(QueueName=name)["QueueUrl"], url)

    def test_first_case_leaves_a_queue(self):
        """Two cases share the name; whichever runs second sees the other's queue gone."""
        self._case_with_shared_name()

    def test_second_case_reuses_the_name(self):
        self._case_with_shared_name()

    def _case_with_shared_name(self):
        self.assertNoQueues()
        url = self.sqs.create_queue(QueueName="rst-shared-name")["QueueUrl"]
        self.assertEqual(peek(self.server, url)["Messages"], [])
        self.sqs.send_message(QueueUrl=url, MessageBody="left behind")

    def test_long_poll_on_a_reset_queue_answers_queue_does_not_exist(self):
        for protocol in ("json", "query"):
            for how in ("all", "queue"):
                with self.subTest(protocol=protocol, how=how):
                    url, _ = self.queue("rst-lp")
                    client = self.server.client(protocol=protocol, read_timeout=40)
                    waiting = self.server.waiting_receives()
                    w = start_worker(receive, client, url, WaitTimeSeconds=20)
                    self.server.wait_waiting_receives(waiting + 1)
                    t0 = time.monotonic()
                    reset(self.server, **({"queue": url} if how == "queue" else {}))
                    join(self, w, 5)
                    self.assertLess(time.monotonic() - t0, 5)
                    self.assertIsNotNone(w.error, "the poll answered %r" % (w.result,))
                    self.assertEqual(w.error.response["Error"]["Code"], QUEUE_GONE)
                    self.assertEqual(w.error.response["ResponseMetadata"]["HTTPStatusCode"], 400)
                    self.server.wait_waiting_receives(waiting)

    def test_queue_parameter_removes_only_that_queue(self):
        keep, _ = self.queue("rst-keep")
        gone, _ = self.queue("rst-gone")
        by_url, _ = self.queue("rst-url")
        for url in (keep, gone, by_url):
            self.sqs.send_message(QueueUrl=url, MessageBody=url)
        self.assertEqual(reset(self.server, queue=gone.rsplit("/", 1)[1]), {"QueuesRemoved": 1})
        self.assertEqual(reset(self.server, queue=by_url), {"QueuesRemoved": 1})
        self.assertEqual(self.sqs.list_queues()["QueueUrls"], [keep])
        self.assertEqual([m["Body"] for m in peek(self.server, keep)["Messages"]], [keep])

    def test_reset_of_an_unknown_queue_is_404_and_removes_nothing(self):
        keep, _ = self.queue("rst-404")
        self.sqs.send_message(QueueUrl=keep, MessageBody="stay")
        for value in ("no-such-queue", queue_url(self.server, "no-such-queue"), keep + "x",
                      "http://127.0.0.1:1/%s/%s" % (harness.ACCOUNT, "no-such-queue")):
            with self.subTest(queue=value):
                self.assertAdminError(admin(self.server, "POST", "reset", {"queue": value}), 404, QUEUE_GONE)
        self.assertAdminError(admin(self.server, "POST", "reset", {"function": "no-such-function"}), 404)
        self.assertEqual(self.sqs.list_queues()["QueueUrls"], [keep])
        self.assertEqual(len(peek(self.server, keep)["Messages"]), 1)

    def test_reset_with_an_unknown_parameter_removes_nothing(self):
        """A misspelt parameter (?Queue=, ?queues=) must not widen the reset to everything."""
        for params in ({"Queue": "rst-typo"}, {"queues": "rst-typo"}, {"QueueUrl": "rst-typo"}, {"fn": "x"}):
            with self.subTest(params=params):
                reset(self.server)
                keep, _ = self.queue("rst-typo")
                status, _, doc = admin(self.server, "POST", "reset", params)
                self.assertEqual(self.sqs.list_queues().get("QueueUrls", []), [keep],
                                 "?%s reset answered %d %r" % (urllib.parse.urlencode(params), status, doc))
                self.assertEqual(status, 400, doc)


# ---------------------------------------------------------------------------------------
# 6. queue metrics
# ---------------------------------------------------------------------------------------

class QueueMetricsTests(AdminCase):

    def numbers(self, url):
        _, samples = metrics(self.server)
        name = url.rsplit("/", 1)[1]
        labels = dict(queue=name, account=harness.ACCOUNT, region=harness.REGION)
        out = {state: metric(samples, "sqsemu_queue_messages", state=state, **labels)
               for state in ("visible", "in_flight", "delayed")}
        for key in ("sent", "received", "deleted", "moved_to_dlq"):
            out[key] = metric(samples, "sqsemu_queue_messages_%s_total" % key, **labels)
        return out

    def assertNumbers(self, url, **expected):
        got = self.numbers(url)
        self.assertEqual({k: got[k] for k in expected}, expected)

    def test_counters_follow_sends_receives_deletes(self):
        url, _ = self.queue("met-q", {"VisibilityTimeout": 60})
        self.assertNumbers(url, visible=0, in_flight=0, delayed=0, sent=0, received=0, deleted=0, moved_to_dlq=0)
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
        self.sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "a"},
                                                           {"Id": "b", "MessageBody": "b", "DelaySeconds": 60}])
        self.assertNumbers(url, visible=4, in_flight=0, delayed=1, sent=5, received=0)
        peek(self.server, url)
        got = receive(self.sqs, url, MaxNumberOfMessages=3)
        self.assertEqual(len(got), 3)
        self.assertNumbers(url, visible=1, in_flight=3, delayed=1, sent=5, received=3)
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        self.sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "x", "ReceiptHandle": got[1]["ReceiptHandle"]}])
        self.assertNumbers(url, visible=1, in_flight=1, delayed=1, deleted=2)
        advance(self.server, 60000)
        self.assertNumbers(url, visible=3, in_flight=0, delayed=0, sent=5, received=3, deleted=2)

    def test_expired_messages_are_not_counted(self):
        """Past its retention period a message is gone for GetQueueAttributes and the peek; the
        gauge must agree, even before any SQS call touched the queue again."""
        url, _ = self.queue("met-expired", {"MessageRetentionPeriod": 60})
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        self.assertNumbers(url, visible=1)
        advance(self.server, 61000)
        self.assertEqual(peek(self.server, url)["Messages"], [])
        self.assertNumbers(url, visible=0, in_flight=0, delayed=0)

    def test_deleting_one_message_twice_counts_once(self):
        url, _ = self.queue("met-twice")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        [m] = receive(self.sqs, url)
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertNumbers(url, deleted=1)

    def test_dlq_moves_are_counted_on_the_source(self):
        dlq, dlq_arn = self.queue("met-dlq")
        src, _ = self.queue("met-src", {"VisibilityTimeout": 10, "RedrivePolicy": redrive(dlq_arn, 1)})
        self.sqs.send_message(QueueUrl=src, MessageBody="p")
        self.assertEqual(len(receive(self.sqs, src)), 1)
        advance(self.server, 10000)
        self.assertEqual(receive(self.sqs, src), [])
        self.assertNumbers(src, visible=0, in_flight=0, sent=1, received=1, moved_to_dlq=1)
        self.assertNumbers(dlq, visible=1, sent=0, received=0, moved_to_dlq=0)

    def test_reset_queue_leaves_the_metrics(self):
        url, _ = self.queue("met-reset")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        reset(self.server, queue=url)
        _, samples = metrics(self.server)
        self.assertEqual([s for s in samples if s[1].get("queue") == url.rsplit("/", 1)[1]], [])
        # a queue of the same name starts from zero
        self.sqs.create_queue(QueueName=url.rsplit("/", 1)[1])
        self.assertNumbers(url, visible=0, sent=0)

    def test_every_queue_has_one_sample_per_family(self):
        names = [self.queue("met-many")[0].rsplit("/", 1)[1] for _ in range(3)]
        types, samples = metrics(self.server)
        for name in names:
            for family in ("sqsemu_queue_messages_sent_total", "sqsemu_queue_messages_received_total",
                           "sqsemu_queue_messages_deleted_total", "sqsemu_queue_messages_moved_to_dlq_total"):
                self.assertEqual(len([s for s in samples if s[0] == family and s[1]["queue"] == name]), 1)
            self.assertEqual(sorted(s[1]["state"] for s in samples
                                    if s[0] == "sqsemu_queue_messages" and s[1]["queue"] == name),
                             ["delayed", "in_flight", "visible"])


# ---------------------------------------------------------------------------------------
# 7. bad input: a 4xx JSON error, and nothing changes
# ---------------------------------------------------------------------------------------

class BadInputTests(AdminCase):

    def setUp(self):
        self.url, _ = self.queue("bad")
        self.sqs.send_message(QueueUrl=self.url, MessageBody="kept")

    def tearDown(self):
        reset(self.server, queue=self.url)

    def state(self):
        """What a bad request must not change: the clock's offset and frozen flag (exact while
        it runs), the queues, the message and its receive count."""
        c = clock(self.server)
        msgs = peek(self.server, self.url)["Messages"]
        return (c["offset_ms"], c["frozen"], tuple(self.sqs.list_queues().get("QueueUrls", [])),
                tuple((m["MessageId"], m["State"], m["Attributes"]["ApproximateReceiveCount"]) for m in msgs))

    def refused(self, method, route, params=None, body=None, status=400, code=None, headers=None):
        before = self.state()
        doc = self.assertAdminError(admin(self.server, method, route, params, body, headers), status, code)
        self.assertEqual(self.state(), before, "the refused request changed something")
        return doc

    def test_clock_bodies(self):
        now = clock(self.server)["now_ms"]
        bodies = [
            b"", b" ", b"{", b"}", b"{]", b"nul", b"{'advance_ms': 1}", b'{"advance_ms": 1,}',
            b'{"advance_ms": 1} x', b'{"advance_ms": 1}{}', b'{"advance_ms": 1}\x00', b'\x00{"advance_ms": 1}',
            b'{"advance_ms":\x01 1}', b'{"advance_ms": "\x01"}', b'{"adv\nance_ms": 1}', b'{"\xff": 1}',
            b'{"advance_ms": 1, "\xc3\x28": 1}',
            b"[]", b"5", b'"advance_ms"', b"null", b"true", b"{}",
            b'{"advance_ms": "5"}', b'{"advance_ms": 1.5}', b'{"advance_ms": -1}', b'{"advance_ms": true}',
            b'{"advance_ms": null}', b'{"advance_ms": [1]}', b'{"advance_ms": {"v": 1}}', b'{"advance_ms": 1e400}',
            b'{"advance_ms": 1e300}', b'{"advance_ms": 1e16}', b'{"advance_ms": -1e400}', b'{"advance_ms": NaN}',
            b'{"advance_ms": Infinity}', b'{"advance_ms": 0x10}', b'{"advance_ms": 01}', b'{"advance_ms": +1}',
            b'{"advance_ms": .5}', b'{"advance_ms": 1.}', b'{"advance_ms": 99999999999999999999999}',
            b'{"freeze": "yes"}', b'{"freeze": 1}', b'{"freeze": null}', b'{"freeze": "true"}', b'{"freeze": []}',
            b'{"set_ms": "%d"}' % (now + HOUR_MS), b'{"set_ms": %d.5}' % (now + HOUR_MS), b'{"set_ms": -1}',
            b'{"set_ms": %d}' % (now - 60000), b'{"set_ms": 0}', b'{"set_ms": 1e400}',
            b'{"advance_ms": 1, "set_ms": %d}' % (now + HOUR_MS), b'{"advance": 5}', b'{"Advance_ms": 5}',
            b'{"advance_ms": 5, "extra": 1}', b'{"freeze": true, "x": null}', b'{"advance_ms": 5, "freeze": "no"}',
            b'{"freeze": false, "advance_ms": -5}', b'{"freeze": true, "set_ms": 0}',
            b"[" * 100000 + b"]" * 100000, b'{"freeze": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            b'{"advance_ms": 1' + b" " * 60000 + b"x}",
        ]
        for body in bodies:
            with self.subTest(body=body[:80]):
                self.refused("POST", "clock", body=body, status=413 if len(body) > 65536 else 400)

    def test_clock_change_that_is_not_json_is_a_serialization_exception(self):
        self.refused("POST", "clock", body=b"{", code="SerializationException")
        self.refused("POST", "clock", body=b'{"advance_ms": -1}', code="InvalidParameterValue")

    def test_oversized_bodies_are_413(self):
        pad = b"x" * (64 * 1024)
        for route in ("clock", "reset"):
            with self.subTest(route=route):
                body = b'{"advance_ms": 1, "pad": "' + pad + b'"}'
                self.refused("POST", route, body=body, status=413, code="RequestTooLarge")
        # at the limit the body is read (and refused for what it says, not for its size)
        body = b'{"advance_ms": 1, "pad": "' + b"x" * (65536 - 28) + b'"}'
        self.assertEqual(len(body), 65536)
        self.refused("POST", "clock", body=body, status=400, code="InvalidParameterValue")

    def test_nul_bytes_and_bad_encoding_in_query_parameters(self):
        name = self.url.rsplit("/", 1)[1]
        for method, route, query in (("GET", "messages", "QueueUrl=%00"), ("GET", "messages", "QueueName=a%00b"),
                                     ("GET", "messages", "QueueName=%s%%00" % name),
                                     ("GET", "messages", "QueueName=%s&Limit=1%%00" % name),
                                     ("GET", "messages", "QueueName=%s&NextToken=%%00" % name),
                                     ("POST", "reset", "queue=%s%%00" % name), ("POST", "reset", "queue=%00"),
                                     ("POST", "reset", "function=%00"), ("POST", "reset", "function=a%00b"),
                                     ("GET", "invocations", "function=%00"), ("GET", "invocations", "limit=1%00"),
                                     ("GET", "messages", "QueueName=%zz"), ("POST", "reset", "queue=%"),
                                     ("POST", "reset", "queue=%G1")):
            with self.subTest(route=route, query=query):
                self.refused(method, route, query, status=400)

    def test_bad_limits_and_tokens(self):
        for value in ("0", "1001", "abc", "-1", "1.5", "+1", " 1", "1 ", "0x10", "1e2", "99999999999999999999",
                      "-99999999999999999999"):
            with self.subTest(Limit=value):
                self.refused("GET", "messages", {"QueueUrl": self.url, "Limit": value}, code="InvalidParameterValue")
        for value in ("abc", "-1", "+1", "1.5", " 1", "1x", "0x10"):
            with self.subTest(NextToken=value):
                self.refused("GET", "messages", {"QueueUrl": self.url, "NextToken": value},
                             code="InvalidParameterValue")
        for value in ("0", "abc", "-1", "1.5", "101", "100000000000000000000", "+1x"):
            with self.subTest(limit=value):
                self.refused("GET", "invocations", {"limit": value}, status=400)

    def test_missing_and_unknown_queues(self):
        self.refused("GET", "messages", status=400, code="MissingParameter")
        self.refused("GET", "messages", {"QueueUrl": ""}, status=400, code="MissingParameter")
        for params in ({"QueueName": "no-such-queue"}, {"QueueUrl": queue_url(self.server, "no-such-queue")},
                       {"QueueUrl": self.url + "x"}):
            with self.subTest(params=params):
                self.refused("GET", "messages", params, status=404, code=QUEUE_GONE)
        for params in ({"QueueUrl": "not a url"}, {"QueueName": "bad name!"}, {"QueueName": "x" * 300}):
            with self.subTest(params=params):
                answer = admin(self.server, "GET", "messages", params)
                self.assertIn(answer[0], (400, 404), answer[2])
                self.assertAdminError(answer, answer[0])
        self.refused("GET", "invocations", {"function": "no-such-function"}, status=404)
        self.refused("POST", "reset", {"function": "no-such-function"}, status=404)

    def test_wrong_methods_change_nothing(self):
        for method, route in (("GET", "reset"), ("PUT", "reset"), ("DELETE", "reset"), ("PATCH", "clock"),
                              ("PUT", "clock"), ("DELETE", "messages"), ("POST", "messages")):
            with self.subTest(method=method, route=route):
                self.refused(method, route, {"queue": self.url}, body={"advance_ms": 5000}, status=405,
                             code="MethodNotAllowed")


class HugeClockTests(AdminCase):
    """A server of its own: the clock only moves forward, so a huge move cannot be undone."""

    def test_the_clock_stays_an_integer_after_the_largest_accepted_advance(self):
        status, _, doc = admin(self.server, "POST", "clock", body=b'{"advance_ms": 9007199254740992}')
        self.assertIn(status, (200, 400), doc)
        for answer in (doc, clock(self.server)):
            if "error" in answer:
                continue
            for key in ("now_ms", "offset_ms"):
                self.assertIsInstance(answer[key], int, "%s is %r after advance_ms 2^53" % (key, answer[key]))
                self.assertLessEqual(answer[key], 2 ** 53, key)


# ---------------------------------------------------------------------------------------
# --auth-key: the admin routes are signed (service "sqsemu"), the health checks are not
# ---------------------------------------------------------------------------------------

AUTH_KEY = ("AKIDADMINTEST", "admin-secret")


class SignedAdminTests(harness.ServerTestCase, AdminAsserts):
    server_args = ("--auth-key", "%s:%s" % AUTH_KEY)

    @classmethod
    def tearDownClass(cls):
        stop_and_check(cls.server)

    def signed(self, method, path, body=b"", key=AUTH_KEY, service="sqsemu"):
        headers = {"Host": "127.0.0.1:%d" % self.server.port}
        if body:
            headers["Content-Type"] = "application/json"
        request = AWSRequest(method=method, url=self.server.endpoint + path, data=body, headers=headers)
        SigV4Auth(Credentials(*key), service, harness.REGION).add_auth(request)
        status, hdrs, raw = self.server.raw(method, path, body, dict(request.headers.items()))
        return status, hdrs, json.loads(raw) if hdrs.get("content-type", "").startswith("application/json") else raw

    def sqs(self):
        return harness.boto3.session.Session().client(
            "sqs", endpoint_url=self.server.endpoint, region_name=harness.REGION,
            aws_access_key_id=AUTH_KEY[0], aws_secret_access_key=AUTH_KEY[1],
            config=harness.Config(retries={"max_attempts": 1}))

    def test_health_checks_answer_unsigned(self):
        for path in ("/_sqsemu/health", "/_localstack/health"):
            status, _, _ = self.server.raw("GET", path)
            self.assertEqual(status, 200, path)

    def test_unsigned_or_badly_signed_requests_are_refused_and_change_nothing(self):
        sqs = self.sqs()
        url = sqs.create_queue(QueueName=self.unique("auth"))["QueueUrl"]
        before = self.signed("GET", "/_sqsemu/clock")[2]
        requests = [("GET", "/_sqsemu/clock", b""), ("POST", "/_sqsemu/clock", b'{"advance_ms": 60000}'),
                    ("POST", "/_sqsemu/reset", b""), ("POST", "/_sqsemu/reset?queue=" + urllib.parse.quote(url), b""),
                    ("GET", "/_sqsemu/messages?QueueUrl=" + urllib.parse.quote(url), b""),
                    ("GET", "/_sqsemu/invocations", b""), ("GET", "/_sqsemu/metrics", b"")]
        for method, path, body in requests:
            with self.subTest(method=method, path=path, how="unsigned"):
                answer = admin(self.server, method, path, body=body or None)
                self.assertAdminError(answer, 403, "AccessDenied")
            for how, kwargs in (("wrong secret", {"key": (AUTH_KEY[0], "wrong")}),
                                ("unknown key", {"key": ("AKIDUNKNOWN", AUTH_KEY[1])}),
                                ("service sqs", {"service": "sqs"})):
                with self.subTest(method=method, path=path, how=how):
                    self.assertAdminError(self.signed(method, path, body, **kwargs), 403)
        after = self.signed("GET", "/_sqsemu/clock")[2]
        self.assertEqual((after["offset_ms"], after["frozen"]), (before["offset_ms"], before["frozen"]))
        self.assertEqual(sqs.list_queues()["QueueUrls"], [url])

    def test_signed_requests_work(self):
        sqs = self.sqs()
        url = sqs.create_queue(QueueName=self.unique("auth-ok"))["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="signed")
        before = self.signed("GET", "/_sqsemu/clock")
        self.assertEqual(before[0], 200, before)
        moved = self.signed("POST", "/_sqsemu/clock", b'{"advance_ms": 1000}')
        self.assertEqual(moved[0], 200, moved)
        self.assertEqual(moved[2]["offset_ms"], before[2]["offset_ms"] + 1000)
        status, _, doc = self.signed("GET", "/_sqsemu/messages?QueueUrl=" + urllib.parse.quote(url, safe=""))
        self.assertEqual((status, [m["Body"] for m in doc["Messages"]]), (200, ["signed"]), doc)
        status, hdrs, raw = self.signed("GET", "/_sqsemu/metrics")
        self.assertEqual(status, 200)
        self.assertIn(b"sqsemu_queue_messages_sent_total", raw)
        self.assertEqual(self.signed("GET", "/_sqsemu/invocations")[0], 200)
        status, _, doc = self.signed("POST", "/_sqsemu/reset?queue=" + urllib.parse.quote(url, safe=""))
        self.assertEqual((status, doc), (200, {"QueuesRemoved": 1}))
        self.assertEqual(sqs.list_queues().get("QueueUrls", []), [])

    def test_signed_body_must_match(self):
        """The signature covers the body: a clock change whose body was altered is refused."""
        headers = {"Host": "127.0.0.1:%d" % self.server.port, "Content-Type": "application/json"}
        request = AWSRequest(method="POST", url=self.server.endpoint + "/_sqsemu/clock",
                             data=b'{"advance_ms": 1}', headers=headers)
        SigV4Auth(Credentials(*AUTH_KEY), "sqsemu", harness.REGION).add_auth(request)
        hdrs = dict(request.headers.items())
        hdrs.pop("X-Amz-Content-SHA256", None)
        before = self.signed("GET", "/_sqsemu/clock")[2]["offset_ms"]
        answer = admin(self.server, "POST", "/_sqsemu/clock", body=b'{"advance_ms": 9999999}', headers=hdrs)
        self.assertAdminError(answer, 403)
        self.assertEqual(self.signed("GET", "/_sqsemu/clock")[2]["offset_ms"], before)


# ---------------------------------------------------------------------------------------
# 8. the request log line
# ---------------------------------------------------------------------------------------

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (debug|info |warn |error) \S")
REQUEST_LINE = re.compile(r"^\S+ info  (?P<front>\w+) (?P<op>.+?) (?P<status>\d{3})(?: (?P<code>\S+))? "
                          r"(?P<ms>\d+)ms req=(?P<req>[0-9a-f-]{36})$")


class RequestLogTests(AdminCase):
    server_args = ("--log-level", "info")

    def lines_for(self, request_id):
        """The log lines naming req=<id> (the server writes the line before it answers)."""
        return [line for line in self.server.log().splitlines() if line.endswith("req=" + request_id)]

    def assertOneLine(self, request_id, front, op, status, code=None, resource=None):
        lines = self.lines_for(request_id)
        self.assertEqual(len(lines), 1, lines)
        m = REQUEST_LINE.match(lines[0])
        self.assertTrue(m, lines[0])
        self.assertEqual((m.group("front"), m.group("status"), m.group("code")), (front, str(status), code), lines[0])
        expected_op = op if resource is None else "%s %s" % (op, resource)
        self.assertEqual(m.group("op"), expected_op, lines[0])
        return lines[0]

    def assertEveryLineIsALogLine(self):
        for line in self.server.log().splitlines():
            self.assertRegex(line, LINE, "a line that is not a log line (injected?)")

    def test_the_level_flag_given_last_wins(self):
        doc = ok(self.server, "GET", "health")
        self.assertTrue(doc)
        self.assertTrue(any(" admin GET /_sqsemu/health 200 " in line for line in self.server.log().splitlines()))

    def test_admin_requests(self):
        for method, route, params, status, code, resource in (("GET", "clock", None, 200, None, None),
                                                    ("POST", "reset", {"queue": "nope"}, 404, QUEUE_GONE,
                                                     "queue=nope"),
                                                    ("GET", "nothing", None, 404, "NotFound", None),
                                                    ("DELETE", "clock", None, 405, "MethodNotAllowed", None),
                                                    ("GET", "messages", None, 400, "MissingParameter", None),
                                                    ("GET", "metrics", None, 200, None, None)):
            with self.subTest(method=method, route=route):
                got, hdrs, _ = admin(self.server, method, route, params)
                self.assertEqual(got, status)
                self.assertOneLine(hdrs["x-amzn-requestid"], "admin", "%s /_sqsemu/%s" % (method, route),
                                   status, code, resource)
        self.assertEveryLineIsALogLine()

    def test_admin_request_that_names_a_queue_logs_it(self):
        url, _ = self.queue("log-peek")
        _, hdrs, _ = admin(self.server, "GET", "messages", {"QueueUrl": url})
        line = self.lines_for(hdrs["x-amzn-requestid"])[0]
        self.assertIn(" queue=%s " % url.rsplit("/", 1)[1], line)

    def test_sqs_requests_on_both_protocols(self):
        for protocol, client in self.clients.items():
            with self.subTest(protocol=protocol):
                url, _ = self.queue("log-sqs", client=client)
                name = url.rsplit("/", 1)[1]
                resp = client.send_message(QueueUrl=url, MessageBody="x")
                self.assertOneLine(resp["ResponseMetadata"]["RequestId"], "sqs", "SendMessage", 200,
                                   resource="queue=" + name)
                try:
                    client.get_queue_url(QueueName="no-such-queue")
                    self.fail("GetQueueUrl found a queue that does not exist")
                except ClientError as exc:
                    rid = exc.response["ResponseMetadata"]["RequestId"]
                self.assertOneLine(rid, "sqs", "GetQueueUrl", 400, QUEUE_GONE, resource="queue=no-such-queue")
        self.assertEveryLineIsALogLine()

    def test_logs_requests(self):
        for action, body, status, code, resource in (
                ("DescribeLogGroups", {}, 200, None, None),
                ("GetLogEvents", {"logGroupName": "/aws/lambda/none", "logStreamName": "s"}, 400,
                 "ResourceNotFoundException", "group=/aws/lambda/none"),
                ("FilterLogEvents", {"logGroupName": "/aws/lambda/none", "limit": 0}, 400,
                 "InvalidParameterException", "group=/aws/lambda/none")):
            with self.subTest(action=action):
                got, hdrs, _ = self.server.raw("POST", "/", json.dumps(body),
                                               {"Content-Type": "application/x-amz-json-1.1",
                                                "X-Amz-Target": "Logs_20140328." + action})
                self.assertEqual(got, status)
                self.assertOneLine(hdrs["x-amzn-requestid"], "logs", action, status, code, resource)
        self.assertEveryLineIsALogLine()

    def test_a_queue_name_with_control_bytes_cannot_inject_a_line(self):
        for name in ("a\nb", "a\r\nb", "a\rb", "x\n2026-01-01T00:00:00.000Z info  sqs Forged 200 0ms req=x",
                     "a\x1b[31mb", "a\x00b", "a\x7fb"):
            with self.subTest(name=name):
                status, hdrs, _ = self.server.raw_json("GetQueueUrl", {"QueueName": name})
                self.assertEqual(status, 400)
                rid = hdrs["x-amzn-requestid"]
                if "\x00" in name:  # refused before the queue is looked up, so not named in the line
                    self.assertOneLine(rid, "sqs", "GetQueueUrl", 400, "InvalidParameterValue")
                    continue
                line = self.assertOneLine(rid, "sqs", "GetQueueUrl", 400, QUEUE_GONE,
                                          resource="queue=" + re.sub(r"[\x00-\x1f\x7f]", "?", name))
                self.assertNotIn("Forged", line.split(" queue=")[0])
        # the query protocol and an admin route too
        body = urllib.parse.urlencode({"Action": "GetQueueUrl", "QueueName": "q\nr", "Version": "2012-11-05"})
        status, hdrs, _ = self.server.raw("POST", "/", body, {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertOneLine(hdrs["x-amzn-requestid"], "sqs", "GetQueueUrl", 400, QUEUE_GONE, resource="queue=q?r")
        status, hdrs, _ = admin(self.server, "POST", "reset", {"queue": "q\nforged line"})
        self.assertEqual(status, 404)
        self.assertEqual(len(self.lines_for(hdrs["x-amzn-requestid"])), 1)
        status, hdrs, _ = admin(self.server, "GET", "/_sqsemu/x%0Ay")
        self.assertEqual(status, 404)
        self.assertEqual(len(self.lines_for(hdrs["x-amzn-requestid"])), 1)
        self.assertEveryLineIsALogLine()


if __name__ == "__main__":
    unittest.main()
