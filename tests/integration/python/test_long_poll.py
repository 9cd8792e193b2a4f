"""Long polling (docs/sqs-semantics.md, Long polling).

Every long poll here runs with a bounded WaitTimeSeconds and a client read timeout
well above it; helper threads are joined with timeouts. Wake latencies are printed
to stderr ("long-poll wake latency ...") for the report.
"""
import statistics
import sys
import time

import harness
from semantics_util import (SqsTestMixin, ids, join_all, now, receive, skip_unless_query,
                            start_waiting_worker, start_worker)

EARLY = 0.05
WAKE = 0.3          # the expected wake latency for an event during a poll
WAKE_LIMIT = 0.6    # hard bound for a single wake on a loaded 2-core machine


def report(label, values):
    print("long-poll wake latency %s: %s" % (label, ", ".join("%.3fs" % v for v in values)),
          file=sys.stderr, flush=True)


class LongPollBase(SqsTestMixin, harness.ServerTestCase):
    protocol = "json"

    def setUp(self):
        self.c = self.server.client(protocol=self.protocol, read_timeout=40)

    def poll_in_thread(self, url, wait, client=None, **kw):
        """Starts a receive in a thread; returns it once the server reports it parked."""
        cl = client or self.server.client(protocol=self.protocol, read_timeout=40)
        return start_waiting_worker(self.server, receive, cl, url, wait=wait, **kw)

    def timed_empty_poll(self, url, wait, **kw):
        t0 = now()
        msgs = receive(self.c, url, wait=wait, **kw)
        return msgs, now() - t0


class CoreLongPollTests(LongPollBase):

    def test_empty_poll_returns_at_deadline(self):
        url = self.new_queue(self.c, "lpe")
        for wait in (1, 2):
            msgs, elapsed = self.timed_empty_poll(url, wait)
            self.assertEqual(msgs, [])
            self.assertGreaterEqual(elapsed, wait - EARLY, "returned before WaitTimeSeconds=%d" % wait)
            self.assertLess(elapsed, wait + 1.0, "held well past WaitTimeSeconds=%d" % wait)

    def test_returns_at_once_when_a_message_is_available(self):
        url = self.new_queue(self.c, "lpnow")
        self.c.send_message(QueueUrl=url, MessageBody="ready")
        t0 = now()
        msgs = receive(self.c, url, wait=10)
        self.assertEqual([m["Body"] for m in msgs], ["ready"])
        self.assertLess(now() - t0, 0.5)

    def test_wakes_when_another_client_sends(self):
        url = self.new_queue(self.c, "lpwake")
        sender = self.server.client(protocol=self.protocol, read_timeout=40)
        poller = self.server.client(protocol=self.protocol, read_timeout=40)
        latencies = []
        for i in range(5):
            w = self.poll_in_thread(url, 10, client=poller, VisibilityTimeout=600)
            self.assertFalse(w.done, "the long poll returned before anything was sent")
            t_send = now()  # latency is measured from before the send: includes its round trip
            mid = sender.send_message(QueueUrl=url, MessageBody="wake-%d" % i)["MessageId"]
            join_all(self, [w], 12)
            self.assertEqual(ids(w.result), [mid])
            latencies.append(w.ended_at - t_send)
        report("(send by another client, %s)" % self.protocol, latencies)
        self.assertLess(statistics.median(latencies), WAKE, latencies)
        self.assertLess(max(latencies), WAKE_LIMIT, latencies)


class LongPollTests(CoreLongPollTests):

    def test_wakes_when_delayed_message_becomes_visible(self):
        url = self.new_queue(self.c, "lpdelay")
        t0 = now()
        mid = self.c.send_message(QueueUrl=url, MessageBody="d", DelaySeconds=1)["MessageId"]
        t1 = now()
        msgs = receive(self.c, url, wait=5)
        t = now()
        self.assertEqual(ids(msgs), [mid])
        self.assertGreaterEqual(t - t0, 1 - EARLY)
        report("(delay expiry)", [max(0.0, t - (t1 + 1))])
        self.assertLess(t - t1, 1 + WAKE_LIMIT)

    def test_wakes_when_visibility_timeout_expires(self):
        url = self.new_queue(self.c, "lpvis")
        mid = self.c.send_message(QueueUrl=url, MessageBody="v")["MessageId"]
        t0 = now()
        self.assertEqual(ids(receive(self.c, url, VisibilityTimeout=1)), [mid])
        t1 = now()
        msgs = receive(self.c, url, wait=5)
        t = now()
        self.assertEqual(ids(msgs), [mid])
        self.assertGreaterEqual(t - t0, 1 - EARLY)
        report("(visibility expiry)", [max(0.0, t - (t1 + 1))])
        self.assertLess(t - t1, 1 + WAKE_LIMIT)

    def test_wakes_on_change_visibility_zero(self):
        url = self.new_queue(self.c, "lpcmv")
        mid = self.c.send_message(QueueUrl=url, MessageBody="c")["MessageId"]
        [m] = receive(self.c, url, VisibilityTimeout=600)
        w = self.poll_in_thread(url, 10)
        self.assertFalse(w.done)
        t = now()
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        join_all(self, [w], 12)
        self.assertEqual(ids(w.result), [mid])
        report("(ChangeMessageVisibility 0, from before the call)", [w.ended_at - t])
        self.assertLess(w.ended_at - t, WAKE_LIMIT)

    def test_wakes_on_change_visibility_batch_zero(self):
        url = self.new_queue(self.c, "lpcmvb")
        mid = self.c.send_message(QueueUrl=url, MessageBody="c")["MessageId"]
        [m] = receive(self.c, url, VisibilityTimeout=600)
        w = self.poll_in_thread(url, 10)
        self.assertFalse(w.done)
        t = now()
        resp = self.c.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "a", "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}])
        self.assertFalse(resp.get("Failed"))
        join_all(self, [w], 12)
        self.assertEqual(ids(w.result), [mid])
        self.assertLess(w.ended_at - t, WAKE_LIMIT)

    def test_wakes_on_send_message_batch(self):
        url = self.new_queue(self.c, "lpbatch")
        w = self.poll_in_thread(url, 10)
        self.assertFalse(w.done)
        t = now()
        self.c.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}])
        join_all(self, [w], 12)
        self.assertEqual([m["Body"] for m in w.result], ["x"])
        self.assertLess(w.ended_at - t, WAKE_LIMIT)

    def test_queue_receive_wait_time_is_the_default(self):
        url = self.new_queue(self.c, "lpq", {"ReceiveMessageWaitTimeSeconds": 1})
        # no WaitTimeSeconds in the request: the queue's 1 s applies
        msgs, elapsed = self.timed_empty_poll(url, None)
        self.assertEqual(msgs, [])
        self.assertGreaterEqual(elapsed, 1 - EARLY)
        self.assertLess(elapsed, 2.0)
        # an explicit 0 overrides it (short poll)
        msgs, elapsed = self.timed_empty_poll(url, 0)
        self.assertEqual(msgs, [])
        self.assertLess(elapsed, 0.5)
        # an explicit 2 overrides it the other way
        msgs, elapsed = self.timed_empty_poll(url, 2)
        self.assertGreaterEqual(elapsed, 2 - EARLY)

    def test_queue_wait_time_poll_wakes_on_send(self):
        url = self.new_queue(self.c, "lpqw", {"ReceiveMessageWaitTimeSeconds": 10})
        w = self.poll_in_thread(url, None)
        self.assertFalse(w.done, "a queue-level long poll returned immediately")
        t = now()
        self.c.send_message(QueueUrl=url, MessageBody="q")
        join_all(self, [w], 12)
        self.assertEqual([m["Body"] for m in w.result], ["q"])
        self.assertLess(w.ended_at - t, WAKE_LIMIT)

    def test_wait_time_range_errors(self):
        url = self.new_queue(self.c, "lprange")
        for bad in (-1, 21):
            t0 = now()
            self.assertSqsError("InvalidParameterValue", self.c.receive_message,
                                QueueUrl=url, WaitTimeSeconds=bad,
                                message="Value %d for parameter WaitTimeSeconds is invalid. "
                                        "Reason: Must be >= 0 and <= 20, if provided." % bad)
            self.assertLess(now() - t0, 1.0, "a rejected request must not wait")
        for bad in (0, 11):
            self.assertSqsError("InvalidParameterValue", self.c.receive_message,
                                QueueUrl=url, MaxNumberOfMessages=bad,
                                message="Value %d for parameter MaxNumberOfMessages is invalid. "
                                        "Reason: Must be between 1 and 10, if provided." % bad)
        for bad in ("-1", "21", "abc"):
            self.assertSqsError("InvalidAttributeValue", self.c.create_queue,
                                QueueName=self.unique("lpbad"),
                                Attributes={"ReceiveMessageWaitTimeSeconds": bad})
            self.assertSqsError("InvalidAttributeValue", self.c.set_queue_attributes, QueueUrl=url,
                                Attributes={"ReceiveMessageWaitTimeSeconds": bad})
        self.c.set_queue_attributes(QueueUrl=url, Attributes={"ReceiveMessageWaitTimeSeconds": "20"})
        # 20 is valid; prove it with a message present so the call returns at once
        self.c.send_message(QueueUrl=url, MessageBody="x")
        t0 = now()
        self.assertEqual(len(receive(self.c, url, wait=20)), 1)
        self.assertLess(now() - t0, 1.0)

    def test_returns_all_available_up_to_max_after_waking(self):
        url = self.new_queue(self.c, "lpmax")
        w = self.poll_in_thread(url, 10, max_messages=10)
        self.c.send_message(QueueUrl=url, MessageBody="first")
        join_all(self, [w], 12)
        self.assertGreaterEqual(len(w.result), 1)
        self.assertLessEqual(len(w.result), 10)

    def test_many_concurrent_long_polls_each_message_to_exactly_one(self):
        url = self.new_queue(self.c, "lpmany")
        pollers, messages, wait = 50, 20, 5
        clients = [self.server.client(protocol=self.protocol, read_timeout=40) for _ in range(pollers)]
        before = self.server.waiting_receives()
        workers = [start_worker(receive, cl, url, wait=wait, max_messages=1, VisibilityTimeout=600)
                   for cl in clients]
        t_start = now()
        self.server.wait_waiting_receives(before + pollers, timeout=10.0)
        early = [w for w in workers if w.done]
        self.assertEqual(early, [], "%d long polls returned before any message was sent" % len(early))
        sent, send_times = [], []
        for i in range(messages):
            send_times.append(now())
            sent.append(self.c.send_message(QueueUrl=url, MessageBody="m%d" % i)["MessageId"])
        ok = harness.wait_until(lambda: sum(1 for w in workers if w.done) >= messages, timeout=3.0)
        t_woken = now()
        self.assertTrue(ok, "only %d of %d polls were woken by %d messages"
                        % (sum(1 for w in workers if w.done), pollers, messages))
        if t_woken < t_start + wait - 0.5:
            # the others must still be parked: nothing else is there for them
            self.assertEqual(sum(1 for w in workers if w.done), messages)
        join_all(self, workers, wait + 10)
        got = [mid for w in workers for mid in ids(w.result)]
        self.assertEqual(len(got), len(set(got)), "a message was delivered to two polls")
        self.assertEqual(sorted(got), sorted(sent))
        for w in workers:
            self.assertLessEqual(len(w.result), 1)
            if not w.result:
                self.assertGreaterEqual(w.ended_at - w.started_at, wait - EARLY,
                                        "an unwoken poll returned before its WaitTimeSeconds")
        send_at = dict(zip(sent, send_times))
        wakes = sorted(w.ended_at - send_at[w.result[0]["MessageId"]] for w in workers if w.result)
        report("(50 parked polls, per message from before its send: median/max)",
               [statistics.median(wakes), wakes[-1]])

    def test_long_polls_do_not_block_other_queues(self):
        busy = self.new_queue(self.c, "lpbusy")
        other = self.new_queue(self.c, "lpother")
        before = self.server.waiting_receives()
        workers = [start_worker(receive, self.server.client(protocol=self.protocol, read_timeout=40),
                                busy, wait=8, max_messages=1) for _ in range(12)]
        self.server.wait_waiting_receives(before + 12)
        self.assertFalse(any(w.done for w in workers))
        slow = []
        for i in range(5):
            for op in (lambda: self.c.send_message(QueueUrl=other, MessageBody="o%d" % i),
                       lambda: receive(self.c, other, wait=5),
                       lambda: self.c.list_queues(QueueNamePrefix="lp"),
                       lambda: self.c.get_queue_attributes(QueueUrl=busy, AttributeNames=["All"]),
                       lambda: self.c.create_queue(QueueName=self.unique("lpnew"))):
                t0 = now()
                op()
                if now() - t0 > 1.0:
                    slow.append(now() - t0)
        self.assertEqual(slow, [], "requests were held up behind long polls")
        self.assertFalse(any(w.done for w in workers), "polls on the busy queue returned early")
        # release the pollers early
        self.c.send_message_batch(QueueUrl=busy, Entries=[{"Id": "e%d" % i, "MessageBody": "x"}
                                                          for i in range(10)])
        self.c.send_message_batch(QueueUrl=busy, Entries=[{"Id": "e%d" % i, "MessageBody": "x"}
                                                          for i in range(2)])
        join_all(self, workers, 15)

    def test_message_on_another_queue_does_not_wake(self):
        a = self.new_queue(self.c, "lpa")
        b = self.new_queue(self.c, "lpb")
        w = self.poll_in_thread(a, 1)
        self.c.send_message(QueueUrl=b, MessageBody="for-b")
        join_all(self, [w], 5)
        self.assertEqual(w.result, [])
        self.assertGreaterEqual(w.ended_at - w.started_at, 1 - EARLY)


@skip_unless_query
class QueryLongPollTests(CoreLongPollTests):
    protocol = "query"
