"""Delay queues and per-message delays: the queue's DelaySeconds and the message's, on
SendMessage and SendMessageBatch (docs/sqs-semantics.md, Delays).

A message sent by a request that started at t0 with delay d can be receivable no
earlier than t0 + d, and should be receivable shortly after (response time) + d.
"still delayed" checks are only conclusive when they finish before t0 + d.
"""

import harness
from semantics_util import (SqsTestMixin, counters, ids, now, poll_for, receive,
                            skip_unless_query)

LATE = 1.5
EARLY = 0.05


class DelayBase(SqsTestMixin, harness.ServerTestCase):
    protocol = "json"

    def setUp(self):
        self.c = self.server.client(protocol=self.protocol, read_timeout=40)

    def send_timed(self, url, body, **kw):
        t0 = now()
        mid = self.c.send_message(QueueUrl=url, MessageBody=body, **kw)["MessageId"]
        return mid, t0, now()

    def assert_still_delayed(self, url, t0, delay):
        msgs = receive(self.c, url, VisibilityTimeout=0)
        if now() < t0 + delay - EARLY:
            self.assertEqual(ids(msgs), [], "delayed message receivable %.2fs after send" % (now() - t0))

    def assert_becomes_visible(self, url, mid, t0, t1, delay):
        msgs, t = poll_for(self.c, url, lambda ms: mid in ids(ms), timeout=delay + LATE + 2.0,
                           VisibilityTimeout=0)
        self.assertIsNotNone(t, "delayed message never became receivable")
        self.assertGreaterEqual(t - t0, delay - EARLY, "delivered before its delay ended")
        self.assertLessEqual(t - t1, delay + LATE, "delivered too long after its delay ended")
        return [m for m in msgs if m["MessageId"] == mid][0]


class CoreDelayTests(DelayBase):

    def test_queue_delay_seconds(self):
        url = self.new_queue(self.c, "dq", {"DelaySeconds": 1})
        mid, t0, t1 = self.send_timed(url, "delayed")
        if now() < t0 + 1 - EARLY:
            self.assertEqual(counters(self.c, url), (0, 0, 1), "a delayed message counts as Delayed only")
        self.assert_still_delayed(url, t0, 1)
        m = self.assert_becomes_visible(url, mid, t0, t1, 1)
        self.assertEqual(m["Body"], "delayed")
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertCounters(self.c, url, (1, 0, 0))

    def test_message_delay_overrides_queue_delay(self):
        url = self.new_queue(self.c, "dov", {"DelaySeconds": 600})
        # explicit 0 overrides the queue's 600 s on a standard queue
        mid0, _, _ = self.send_timed(url, "now", DelaySeconds=0)
        self.assertEqual(ids(receive(self.c, url, VisibilityTimeout=600)), [mid0])
        # 1 s overrides 600 s
        mid1, t0, t1 = self.send_timed(url, "soon", DelaySeconds=1)
        # no DelaySeconds: the queue's 600 s applies
        self.send_timed(url, "much-later")
        self.assert_still_delayed(url, t0, 1)
        self.assert_becomes_visible(url, mid1, t0, t1, 1)
        self.assertCounters(self.c, url, (1, 1, 1))


class DelayTests(CoreDelayTests):

    def test_per_message_delay_on_undelayed_queue(self):
        url = self.new_queue(self.c, "dmsg")
        mid, t0, t1 = self.send_timed(url, "x", DelaySeconds=2)
        plain, _, _ = self.send_timed(url, "y")
        got = receive(self.c, url, VisibilityTimeout=600)
        self.assertEqual(ids(got), [plain], "only the undelayed message is receivable")
        if now() < t0 + 2 - EARLY:
            self.assertEqual(counters(self.c, url), (0, 1, 1))
        self.assert_still_delayed(url, t0, 2)
        self.assert_becomes_visible(url, mid, t0, t1, 2)

    def test_batch_entries_have_their_own_delays(self):
        url = self.new_queue(self.c, "dbatch", {"DelaySeconds": 600})
        resp = self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "now", "MessageBody": "a", "DelaySeconds": 0},
            {"Id": "queue", "MessageBody": "b"},
            {"Id": "ten", "MessageBody": "c", "DelaySeconds": 10},
        ])
        self.assertFalse(resp.get("Failed"))
        by_id = {e["Id"]: e["MessageId"] for e in resp["Successful"]}
        self.assertCounters(self.c, url, (1, 0, 2))
        self.assertEqual(ids(receive(self.c, url, VisibilityTimeout=600)), [by_id["now"]])

    def test_setting_queue_delay_applies_to_new_messages(self):
        url = self.new_queue(self.c, "dset")
        self.c.send_message(QueueUrl=url, MessageBody="before")
        self.c.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "600"})
        self.assertEqual(self.c.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])
                         ["Attributes"]["DelaySeconds"], "600")
        self.c.send_message(QueueUrl=url, MessageBody="after")
        self.assertCounters(self.c, url, (1, 0, 1))
        self.assertEqual([m["Body"] for m in receive(self.c, url)], ["before"])

    def test_delayed_message_is_not_receivable_by_long_poll_before_due(self):
        url = self.new_queue(self.c, "dlp")
        self.c.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=600)
        t0 = now()
        self.assertEqual(receive(self.c, url, wait=1), [])
        self.assertGreaterEqual(now() - t0, 1 - EARLY)

    def test_range_errors(self):
        url = self.new_queue(self.c, "drange")
        for bad in (-1, 901):
            self.assertSqsError("InvalidParameterValue", self.c.send_message,
                                QueueUrl=url, MessageBody="x", DelaySeconds=bad)
        self.assertCounters(self.c, url, (0, 0, 0))  # nothing was enqueued
        for bad in ("-1", "901", "abc"):
            self.assertSqsError("InvalidAttributeValue", self.c.create_queue,
                                QueueName=self.unique("dbad"), Attributes={"DelaySeconds": bad})
            self.assertSqsError("InvalidAttributeValue", self.c.set_queue_attributes,
                                QueueUrl=url, Attributes={"DelaySeconds": bad})
        self.assertEqual(self.c.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])
                         ["Attributes"]["DelaySeconds"], "0")
        # the bounds themselves are valid
        self.c.send_message(QueueUrl=url, MessageBody="max", DelaySeconds=900)
        self.c.send_message(QueueUrl=url, MessageBody="min", DelaySeconds=0)
        self.assertCounters(self.c, url, (1, 0, 1))
        self.c.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "900"})
        q = self.c.create_queue(QueueName=self.unique("dmax"), Attributes={"DelaySeconds": "900"})["QueueUrl"]
        self.assertEqual(self.c.get_queue_attributes(QueueUrl=q, AttributeNames=["DelaySeconds"])
                         ["Attributes"]["DelaySeconds"], "900")

    def test_fifo_rejects_per_message_delay(self):
        url = self.new_queue(self.c, "dfifo", {"ContentBasedDeduplication": "true"}, fifo=True)
        self.assertSqsError("InvalidParameterValue", self.c.send_message, QueueUrl=url,
                            MessageBody="x", MessageGroupId="g", DelaySeconds=5)
        self.assertCounters(self.c, url, (0, 0, 0))
        # an explicit 0 is accepted on a FIFO queue (docs/sqs-semantics.md, Delays)
        self.c.send_message(QueueUrl=url, MessageBody="y", MessageGroupId="g", DelaySeconds=0)
        self.assertCounters(self.c, url, (1, 0, 0))

    def test_fifo_queue_delay_applies(self):
        url = self.new_queue(self.c, "dfq", {"ContentBasedDeduplication": "true", "DelaySeconds": 1},
                             fifo=True)
        mid, t0, t1 = self.send_timed(url, "f1", MessageGroupId="g")
        self.assert_still_delayed(url, t0, 1)
        self.assert_becomes_visible(url, mid, t0, t1, 1)


@skip_unless_query
class QueryDelayTests(CoreDelayTests):
    protocol = "query"
