"""Message retention: MessageRetentionPeriod expires messages, in flight or not
(docs/sqs-semantics.md, Retention).

Only one test waits for a real expiry (about 61 s, the shortest retention AWS
allows); everything else here is instant.
"""
import time

import harness
from semantics_util import SqsTestMixin, counters, now, receive

RETENTION = 60
LATE = 5.0   # expiry may be applied lazily; allow a few seconds after the deadline


class RetentionTests(SqsTestMixin, harness.ServerTestCase):

    def setUp(self):
        self.c = self.server.client(read_timeout=40)

    def test_expired_messages_vanish_later_ones_survive(self):
        url = self.new_queue(self.c, "ret", {"MessageRetentionPeriod": RETENTION})
        t0 = now()
        self.c.send_message(QueueUrl=url, MessageBody="old-inflight")
        # put it in flight for far longer than the retention period
        inflight = receive(self.c, url, VisibilityTimeout=3600)
        self.assertEqual([m["Body"] for m in inflight], ["old-inflight"])
        old_visible = self.c.send_message(QueueUrl=url, MessageBody="old-visible")["MessageId"]
        t1 = now()
        self.assertCounters(self.c, url, (1, 1, 0))

        # Time passing, not a wait on server state: the young message is sent 20 s after the old ones.
        time.sleep(max(0.0, t0 + 20 - now()))
        survivor = self.c.send_message(QueueUrl=url, MessageBody="young")["MessageId"]
        self.assertCounters(self.c, url, (2, 1, 0), "nothing may expire before its retention period")

        # wait for the old ones to expire; the young one (sent 20 s later) must survive
        deadline = t1 + RETENTION + LATE
        seen = []
        while now() < deadline:
            seen = counters(self.c, url)
            if seen == (1, 0, 0):
                break
            # The poll interval of this bounded wait.
            time.sleep(0.25)
        t_gone = now()
        self.assertEqual(seen, (1, 0, 0), "old messages not expired %.1fs after sending" % (t_gone - t1))
        self.assertGreaterEqual(t_gone - t0, RETENTION - 0.05, "messages expired early")
        msgs = receive(self.c, url, VisibilityTimeout=0)
        self.assertEqual([(m["MessageId"], m["Body"]) for m in msgs], [(survivor, "young")])
        self.assertNotEqual(survivor, old_visible)
        # the expired in-flight message's handle: deleting a message already gone is a no-op success
        self.c.delete_message(QueueUrl=url, ReceiptHandle=inflight[0]["ReceiptHandle"])
        self.assertCounters(self.c, url, (1, 0, 0))

    def test_retention_period_range(self):
        url = self.new_queue(self.c, "retr")
        for bad in ("59", "1209601", "abc", "-1"):
            self.assertSqsError("InvalidAttributeValue", self.c.create_queue,
                                QueueName=self.unique("retbad"), Attributes={"MessageRetentionPeriod": bad})
            self.assertSqsError("InvalidAttributeValue", self.c.set_queue_attributes,
                                QueueUrl=url, Attributes={"MessageRetentionPeriod": bad})
        attrs = self.c.get_queue_attributes(QueueUrl=url, AttributeNames=["MessageRetentionPeriod"])["Attributes"]
        self.assertEqual(attrs["MessageRetentionPeriod"], "345600")
        for ok in ("60", "1209600"):
            self.c.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": ok})
            attrs = self.c.get_queue_attributes(QueueUrl=url, AttributeNames=["MessageRetentionPeriod"])
            self.assertEqual(attrs["Attributes"]["MessageRetentionPeriod"], ok)
