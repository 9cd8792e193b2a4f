"""Durability: state survives a crash (SIGKILL) and a graceful stop; --in-memory
keeps nothing on disk.

Each test starts its own servers (harness.Server). A restarted server reuses the
first one's data directory; only the server that created the directory removes it.
"""
import json
import os
import tempfile
import unittest

import harness
from semantics_util import SqsTestMixin, counters, ids, now, poll_for, queue_attrs, receive

EARLY = 0.05
LATE = 1.5


class DurabilityTests(SqsTestMixin, unittest.TestCase):
    _n = 0

    def unique(self, prefix="q"):
        DurabilityTests._n += 1
        return "%s-%d-%d" % (prefix, os.getpid(), DurabilityTests._n)

    def start_server(self, **kw):
        s = harness.Server(**kw)
        self.addCleanup(s.cleanup)  # cleanups run last-in first-out: restarts go first
        return s.start()

    def restart_after_crash(self, server):
        server.kill9()
        return self.start_server(data_dir=server.data_dir)

    def test_state_survives_kill9(self):
        s1 = self.start_server()
        c = s1.client(read_timeout=40)
        dlq = self.new_queue(c, "dur-dlq")
        dlq_arn = queue_attrs(c, dlq, ["QueueArn"])["QueueArn"]
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 10})
        name = self.unique("dur")
        url = c.create_queue(QueueName=name, Attributes={
            "VisibilityTimeout": "45", "MessageRetentionPeriod": "86400", "MaximumMessageSize": "2048",
            "ReceiveMessageWaitTimeSeconds": "0", "RedrivePolicy": redrive},
            tags={"env": "dev", "team": "core"})["QueueUrl"]
        c.tag_queue(QueueUrl=url, Tags={"added": "later"})
        attrs_before = queue_attrs(c, url)

        def send(body, **kw):
            return c.send_message(QueueUrl=url, MessageBody=body, **kw)["MessageId"]

        def receive_only(mid, visibility):
            """Receives while `mid` is the only visible message (all others are hidden)."""
            msgs = receive(c, url, VisibilityTimeout=visibility)
            self.assertEqual(ids(msgs), [mid])
            return msgs[0]

        # Build each message's state while it is the only visible one.
        deleted = send("deleted")
        c.delete_message(QueueUrl=url, ReceiptHandle=receive_only(deleted, 600)["ReceiptHandle"])
        inflight = send("inflight")
        inflight_handle = receive_only(inflight, 600)["ReceiptHandle"]        # count 1, hidden 600 s
        short = send("short")
        short_handle = receive_only(short, 600)["ReceiptHandle"]              # count 1, hidden
        twice = send("twice")
        receive_only(twice, 0)
        m = receive_only(twice, 600)                                          # count 2
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "2")
        twice_sent_ts = m["Attributes"]["SentTimestamp"]
        fresh = send("fresh", MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
        send("delayed", DelaySeconds=900)
        c.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        t_short0 = now()
        c.change_message_visibility(QueueUrl=url, ReceiptHandle=short_handle, VisibilityTimeout=4)
        t_short1 = now()
        self.assertEqual(counters(c, url), (2, 2, 1))

        # ---- crash and restart on the same data directory
        s2 = self.restart_after_crash(s1)
        t_up = now()
        c2 = s2.client(read_timeout=40)

        names = [u.rsplit("/", 1)[1] for u in c2.list_queues().get("QueueUrls", [])]
        self.assertIn(name, names)
        self.assertIn(dlq.rsplit("/", 1)[1], names)
        url2 = c2.get_queue_url(QueueName=name)["QueueUrl"]
        attrs_after = queue_attrs(c2, url2)
        for k in ("VisibilityTimeout", "MessageRetentionPeriod", "MaximumMessageSize", "DelaySeconds",
                  "ReceiveMessageWaitTimeSeconds", "QueueArn", "CreatedTimestamp", "LastModifiedTimestamp"):
            self.assertEqual(attrs_after.get(k), attrs_before[k], k)
        self.assertEqual(json.loads(attrs_after["RedrivePolicy"]), json.loads(attrs_before["RedrivePolicy"]))
        self.assertEqual(c2.list_queue_tags(QueueUrl=url2)["Tags"],
                         {"env": "dev", "team": "core", "added": "later"})

        conclusive = now() < t_short0 + 4 - EARLY   # 'short' has not reached its deadline yet
        if conclusive:
            self.assertEqual(counters(c2, url2), (2, 2, 1))
        seen = {m["MessageId"]: m for m in receive(c2, url2, VisibilityTimeout=600)}
        if now() < t_short0 + 4 - EARLY:
            self.assertEqual(set(seen), {twice, fresh}, "exactly the visible undeleted messages come back")
        self.assertEqual(seen[twice]["Body"], "twice")
        self.assertEqual(seen[twice]["Attributes"]["ApproximateReceiveCount"], "3", "receive count not kept")
        self.assertEqual(seen[twice]["Attributes"]["SentTimestamp"], twice_sent_ts)
        self.assertEqual(seen[fresh]["Body"], "fresh")
        self.assertEqual(seen[fresh]["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(seen[fresh]["MessageAttributes"], {"k": {"DataType": "String", "StringValue": "v"}})

        # 'short' stays invisible until its original deadline (t_short0 + 4), then returns
        self.assertLess(t_up - t_short1, 3.5, "restart took so long the deadline check proves little")
        msgs, t = poll_for(c2, url2, lambda ms: short in ids(ms), timeout=4 + LATE + 3, VisibilityTimeout=600)
        self.assertIsNotNone(t, "in-flight message never came back after the restart")
        self.assertGreaterEqual(t - t_short0, 4 - EARLY, "in-flight message visible before its deadline")
        self.assertLessEqual(t - t_short1, 4 + LATE, "in-flight deadline was pushed back by the restart")
        [m] = [m for m in msgs if m["MessageId"] == short]
        self.assertEqual(m["Body"], "short")
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "2")

        # 'inflight' (600 s) is still hidden; its pre-crash receipt handle still deletes it
        self.assertEqual(counters(c2, url2), (0, 4, 1))
        c2.delete_message(QueueUrl=url2, ReceiptHandle=inflight_handle)
        self.assertEqual(counters(c2, url2), (0, 3, 1))

        # make everything visible again and drain: the deleted message never comes back
        for h in [seen[twice]["ReceiptHandle"], seen[fresh]["ReceiptHandle"], m["ReceiptHandle"]]:
            c2.change_message_visibility(QueueUrl=url2, ReceiptHandle=h, VisibilityTimeout=0)
        everything = set()
        for _ in range(5):
            everything.update(ids(receive(c2, url2, VisibilityTimeout=0)))
        self.assertEqual(everything, {twice, fresh, short})
        self.assertNotIn(deleted, everything)
        self.assertNotIn(inflight, everything)

    def test_fifo_state_survives_kill9(self):
        s1 = self.start_server()
        c = s1.client(read_timeout=40)
        url = self.new_queue(c, "durf", {"ContentBasedDeduplication": "true"}, fifo=True)
        r1 = c.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g")
        r2 = c.send_message(QueueUrl=url, MessageBody="two", MessageGroupId="g", MessageDeduplicationId="d2")
        s2 = self.restart_after_crash(s1)
        c2 = s2.client(read_timeout=40)
        # the 5-minute deduplication window survives the restart: same content / same id -> not enqueued again
        c2.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g")
        c2.send_message(QueueUrl=url, MessageBody="other body", MessageGroupId="g", MessageDeduplicationId="d2")
        r3 = c2.send_message(QueueUrl=url, MessageBody="three", MessageGroupId="g")
        # sequence numbers keep increasing across the restart
        self.assertLess(int(r1["SequenceNumber"]), int(r2["SequenceNumber"]))
        self.assertLess(int(r2["SequenceNumber"]), int(r3["SequenceNumber"]))
        bodies = []
        for _ in range(5):
            msgs = receive(c2, url, VisibilityTimeout=60)
            for m in msgs:
                bodies.append(m["Body"])
                c2.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            if len(bodies) >= 3:
                break
        self.assertEqual(bodies, ["one", "two", "three"])

    def test_deleted_queue_stays_deleted(self):
        s1 = self.start_server()
        c = s1.client(read_timeout=40)
        keep = self.new_queue(c, "durk")
        gone = self.new_queue(c, "durg")
        c.send_message(QueueUrl=gone, MessageBody="x")
        c.delete_queue(QueueUrl=gone)
        s2 = self.restart_after_crash(s1)
        c2 = s2.client(read_timeout=40)
        urls = [u.rsplit("/", 1)[1] for u in c2.list_queues().get("QueueUrls", [])]
        self.assertIn(keep.rsplit("/", 1)[1], urls)
        self.assertNotIn(gone.rsplit("/", 1)[1], urls)
        self.assertSqsError("AWS.SimpleQueueService.NonExistentQueue", c2.get_queue_url,
                            QueueName=gone.rsplit("/", 1)[1])

    def test_graceful_sigterm_exits_zero_and_keeps_data(self):
        s1 = self.start_server()
        c = s1.client(read_timeout=40)
        url = self.new_queue(c, "durt", {"VisibilityTimeout": "77"})
        mid = c.send_message(QueueUrl=url, MessageBody="survives")["MessageId"]
        self.assertEqual(s1.stop(), 0, "SIGTERM must end sqsemu with exit status 0")
        s2 = self.start_server(data_dir=s1.data_dir)
        c2 = s2.client(read_timeout=40)
        self.assertEqual(queue_attrs(c2, url, ["VisibilityTimeout"])["VisibilityTimeout"], "77")
        msgs = receive(c2, url)
        self.assertEqual(ids(msgs), [mid])
        self.assertEqual(msgs[0]["Body"], "survives")

    def test_graceful_stop_during_long_poll(self):
        from semantics_util import start_waiting_worker
        s1 = self.start_server()
        c = s1.client(read_timeout=40)
        url = self.new_queue(c, "durlp")
        w = start_waiting_worker(s1, receive, s1.client(read_timeout=40), url, wait=20)
        t0 = now()
        self.assertEqual(s1.stop(timeout=15), 0, "SIGTERM with a parked long poll must still exit 0")
        self.assertLess(now() - t0, 10, "shutdown waited for the long poll to run out")
        w.join(25)
        self.assertFalse(w.is_alive())

    def test_in_memory_writes_nothing(self):
        cwd = os.getcwd()
        with tempfile.TemporaryDirectory(prefix="sqsemu-cwd-") as work:
            os.chdir(work)
            try:
                s1 = harness.Server(in_memory=True)
                self.addCleanup(s1.cleanup)
                s1.start()
                c = s1.client(read_timeout=40)
                url = self.new_queue(c, "mem", tags={"a": "b"})
                for i in range(20):
                    c.send_message(QueueUrl=url, MessageBody="m%d" % i)
                receive(c, url)
                self.assertEqual(s1.stop(), 0)
                self.assertEqual(os.listdir(work), [], "--in-memory created files in the working directory")
                # nothing survives a restart
                s2 = harness.Server(in_memory=True)
                self.addCleanup(s2.cleanup)
                s2.start()
                c2 = s2.client(read_timeout=40)
                self.assertEqual(c2.list_queues().get("QueueUrls", []), [])
                self.assertSqsError("AWS.SimpleQueueService.NonExistentQueue", c2.get_queue_url,
                                    QueueName=url.rsplit("/", 1)[1])
                s2.stop()
                self.assertEqual(os.listdir(work), [])
                # even with an explicit --data-dir, --in-memory writes nothing there
                data = os.path.join(work, "data")
                os.mkdir(data)
                s3 = harness.Server(in_memory=True, extra_args=["--data-dir", data])
                self.addCleanup(s3.cleanup)
                s3.start()
                c3 = s3.client(read_timeout=40)
                url3 = self.new_queue(c3, "mem3")
                c3.send_message(QueueUrl=url3, MessageBody="x")
                self.assertEqual(s3.stop(), 0)
                self.assertEqual(os.listdir(data), [], "--in-memory wrote into --data-dir")
                self.assertEqual(os.listdir(work), ["data"])
            finally:
                os.chdir(cwd)

    def test_data_dir_is_used(self):
        s1 = self.start_server()
        c = s1.client(read_timeout=40)
        self.new_queue(c, "durdd")
        self.assertNotEqual(os.listdir(s1.data_dir), [], "nothing was written to --data-dir")
