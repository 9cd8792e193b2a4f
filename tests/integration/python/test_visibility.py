"""Visibility timeout semantics: the queue's and the receive's timeout, ChangeMessageVisibility
and its batch, deletes with stale handles (docs/sqs-semantics.md, Visibility and deletion).

Timing rule used throughout: a message received by a request that started at t0
becomes visible again no earlier than t0 + timeout (the server stamps the deadline
after t0), and should be visible again shortly after the response time t1 + timeout.
An "still invisible" check is only conclusive when the checking request finished
before t0 + timeout, so such checks are guarded by that condition.
"""
import threading
import time

import harness
from semantics_util import (SqsTestMixin, counters, ids, join_all, now, poll_for, receive,
                            receive_count, skip_unless_query, start_worker)

# Generous upper bound for "visible again shortly after the deadline" on a loaded box.
LATE = 1.5
EARLY = 0.05   # clock granularity slack (ms clocks, rounding)


class VisibilityBase(SqsTestMixin, harness.ServerTestCase):
    protocol = "json"

    def setUp(self):
        self.c = self.server.client(protocol=self.protocol, read_timeout=40)

    def send(self, url, body="m", **kw):
        return self.c.send_message(QueueUrl=url, MessageBody=body, **kw)["MessageId"]

    def assert_invisible_until(self, url, start, timeout):
        """Short-polls once (VisibilityTimeout 0, so nothing gets hidden by the check);
        nothing may be returned, provided the poll completed before start + timeout
        (otherwise the check is inconclusive). Returns how many deliveries the check
        itself caused (0 unless inconclusive), so callers can adjust receive counts."""
        msgs = receive(self.c, url, VisibilityTimeout=0)
        done = now()
        if done < start + timeout - EARLY:
            self.assertEqual(ids(msgs), [], "message visible %.2fs into a %ss timeout" % (done - start, timeout))
        return len(msgs)

    def assert_reappears(self, url, msg_id, start, end, timeout):
        """Waits for msg_id to be receivable again; checks it came back no earlier
        than start + timeout and no later than end + timeout + LATE."""
        msgs, t = poll_for(self.c, url, lambda ms: msg_id in ids(ms), timeout=timeout + LATE + 2.0,
                           VisibilityTimeout=30)
        self.assertIsNotNone(t, "message did not become visible again")
        self.assertGreaterEqual(t - start, timeout - EARLY, "visible again too early")
        self.assertLessEqual(t - end, timeout + LATE, "visible again too late")
        return [m for m in msgs if m["MessageId"] == msg_id][0]


class CoreVisibilityTests(VisibilityBase):
    """Key semantics, also run on the Query protocol below."""

    def test_queue_visibility_timeout_hides_then_returns(self):
        url = self.new_queue(self.c, "vq", {"VisibilityTimeout": 1})
        mid = self.send(url, "hello")
        t0 = now()
        first = receive(self.c, url)  # no VisibilityTimeout: the queue's 1 s applies
        t1 = now()
        self.assertEqual(ids(first), [mid])
        self.assertEqual(receive_count(first[0]), 1)
        # Time passing, not a wait on server state: half the 1 s visibility timeout has passed.
        time.sleep(max(0.0, t0 + 0.5 - now()))
        extra = self.assert_invisible_until(url, t0, 1.0)
        again = self.assert_reappears(url, mid, t0, t1, 1.0)
        self.assertEqual(again["Body"], "hello")
        self.assertEqual(receive_count(again), 2 + extra)
        self.assertNotEqual(again["ReceiptHandle"], first[0]["ReceiptHandle"])

    def test_change_visibility_zero_makes_visible_at_once(self):
        url = self.new_queue(self.c, "vz")
        mid = self.send(url)
        [m] = receive(self.c, url, VisibilityTimeout=600)
        self.assertEqual(receive(self.c, url), [])
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        again = receive(self.c, url, VisibilityTimeout=600)
        self.assertEqual(ids(again), [mid])
        self.assertEqual(receive_count(again[0]), 2)

    def test_receive_count_increments_even_with_zero_visibility(self):
        url = self.new_queue(self.c, "vc")
        mid = self.send(url, "count-me")
        handles = set()
        first_ts = None
        for expected in range(1, 5):
            msgs = receive(self.c, url, VisibilityTimeout=0)
            self.assertEqual(ids(msgs), [mid])
            attrs = msgs[0]["Attributes"]
            self.assertEqual(int(attrs["ApproximateReceiveCount"]), expected)
            if first_ts is None:
                first_ts = attrs["ApproximateFirstReceiveTimestamp"]
            self.assertEqual(attrs["ApproximateFirstReceiveTimestamp"], first_ts,
                             "first-receive time must not change on later receives")
            handles.add(msgs[0]["ReceiptHandle"])
        self.assertEqual(len(handles), 4, "every receive must hand out a new receipt handle")
        self.assertGreaterEqual(int(first_ts), int(msgs[0]["Attributes"]["SentTimestamp"]))

    def test_visibility_cap_12_hours(self):
        url = self.new_queue(self.c, "vcap")
        self.send(url)
        [m] = receive(self.c, url, VisibilityTimeout=30)
        time.sleep(0.02)  # strictly after the receive, even on a millisecond clock
        self.assertSqsError(
            "InvalidParameterValue", self.c.change_message_visibility,
            QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=43200,
            message_contains="Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total "
                             "VisibilityTimeout for the message is beyond the limit [43200 seconds]")
        # Still within the cap counted from the receive: accepted, and it stays hidden.
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=43000)
        self.assertEqual(receive(self.c, url), [])

    def test_delete_with_handle_whose_visibility_expired(self):
        # visibility expired, not received again -> delete succeeds, message gone
        # (docs/sqs-semantics.md, DeleteMessage).
        url = self.new_queue(self.c, "vstale")
        self.send(url)
        t0 = now()
        [m] = receive(self.c, url, VisibilityTimeout=1)
        ok = harness.wait_until(lambda: counters(self.c, url) == (1, 0, 0), timeout=1.0 + LATE + 2)
        self.assertTrue(ok, "message did not become visible again after 1 s")
        self.assertGreaterEqual(now() - t0, 1.0 - EARLY)
        self.c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(receive(self.c, url), [])
        self.assertCounters(self.c, url, (0, 0, 0))

    def test_change_visibility_of_deleted_message(self):
        url = self.new_queue(self.c, "vdel")
        self.send(url)
        [m] = receive(self.c, url)
        self.c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        # deleting a message already gone is a no-op success
        self.c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertSqsError(
            "InvalidParameterValue", self.c.change_message_visibility,
            QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=10,
            message_contains="Reason: Message does not exist or is not available for visibility timeout change.")


class VisibilityTests(CoreVisibilityTests):

    def test_receive_visibility_timeout_overrides_queue_and_is_not_remembered(self):
        url = self.new_queue(self.c, "vr", {"VisibilityTimeout": 30})
        mid = self.send(url)
        t0 = now()
        receive(self.c, url, VisibilityTimeout=1)
        t1 = now()
        # Time passing, not a wait on server state: half the 1 s visibility timeout has passed.
        time.sleep(max(0.0, t0 + 0.5 - now()))
        self.assert_invisible_until(url, t0, 1.0)
        # comes back after ~1 s, not 30 s
        msgs, t = poll_for(self.c, url, timeout=1.0 + LATE + 2.0, wait=0)  # receive uses queue's 30 s
        self.assertEqual(ids(msgs), [mid])
        self.assertGreaterEqual(t - t0, 1.0 - EARLY)
        self.assertLessEqual(t - t1, 1.0 + LATE)
        # That receive had no VisibilityTimeout, so the queue's 30 s applies now.
        t2 = now()
        # Time passing, not a wait on server state: past 1 s, so it is the queue's 30 s that hides it.
        time.sleep(1.3)
        self.assert_invisible_until(url, t2, 30.0)

    def test_concurrent_receivers_never_share_a_message(self):
        url = self.new_queue(self.c, "vconc")
        sent = set()
        for k in range(4):
            resp = self.c.send_message_batch(QueueUrl=url, Entries=[
                {"Id": "e%d" % i, "MessageBody": "b%d-%d" % (k, i)} for i in range(10)])
            self.assertFalse(resp.get("Failed"))
            sent.update(e["MessageId"] for e in resp["Successful"])
        self.assertEqual(len(sent), 40)

        clients = [self.server.client(read_timeout=40) for _ in range(6)]
        barrier = threading.Barrier(len(clients), timeout=10)

        def drain(cl):
            barrier.wait()
            got = []
            for _ in range(40):
                msgs = receive(cl, url, VisibilityTimeout=60)
                if not msgs:
                    break
                got.extend(ids(msgs))
            return got

        workers = [start_worker(drain, cl) for cl in clients]
        join_all(self, workers, 60)
        received = [mid for w in workers for mid in w.result]
        self.assertEqual(len(received), len(set(received)), "a message was delivered twice within its timeout")
        self.assertEqual(set(received), sent)
        self.assertCounters(self.c, url, (0, 40, 0))

    def test_two_clients_race_for_one_message(self):
        url = self.new_queue(self.c, "vrace")
        a, b = self.server.client(read_timeout=40), self.server.client(read_timeout=40)
        for _ in range(8):
            mid = self.send(url)
            barrier = threading.Barrier(2, timeout=10)

            def grab(cl):
                barrier.wait()
                return ids(receive(cl, url, VisibilityTimeout=60))

            workers = [start_worker(grab, a), start_worker(grab, b)]
            join_all(self, workers, 30)
            got = workers[0].result + workers[1].result
            self.assertEqual(got, [mid], "exactly one of two concurrent receivers gets the message")

    def test_change_visibility_extends(self):
        url = self.new_queue(self.c, "vext")
        mid = self.send(url)
        t0 = now()
        [m] = receive(self.c, url, VisibilityTimeout=1)
        tc = now()
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=2)
        tc_end = now()
        # past the original 1 s deadline: must still be hidden (new deadline tc + 2)
        # Time passing, not a wait on server state: past the original 1 s deadline.
        time.sleep(max(0.0, t0 + 1.5 - now()))
        self.assert_invisible_until(url, tc, 2.0)
        self.assert_reappears(url, mid, tc, tc_end, 2.0)

    def test_change_visibility_is_counted_from_now(self):
        url = self.new_queue(self.c, "vnow")
        mid = self.send(url)
        [m] = receive(self.c, url, VisibilityTimeout=600)
        tc = now()
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=1)
        tc_end = now()
        self.assert_reappears(url, mid, tc, tc_end, 1.0)

    def test_receive_with_maximum_visibility_timeout(self):
        url = self.new_queue(self.c, "vmax")
        mid = self.send(url)
        msgs = receive(self.c, url, VisibilityTimeout=43200)
        self.assertEqual(ids(msgs), [mid])
        self.assertEqual(receive(self.c, url), [])
        # Time passing: strictly after the receive, even on a millisecond clock.
        time.sleep(0.02)
        self.assertSqsError("InvalidParameterValue", self.c.change_message_visibility,
                            QueueUrl=url, ReceiptHandle=msgs[0]["ReceiptHandle"], VisibilityTimeout=43200,
                            message_contains="beyond the limit [43200 seconds]")
        # shortening is always allowed
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=msgs[0]["ReceiptHandle"], VisibilityTimeout=0)
        self.assertEqual(ids(receive(self.c, url)), [mid])

    def test_range_errors(self):
        url = self.new_queue(self.c, "vrange")
        self.send(url)
        for bad in (-1, 43201):
            self.assertSqsError("InvalidParameterValue", self.c.receive_message,
                                QueueUrl=url, VisibilityTimeout=bad)
        self.assertCounters(self.c, url, (1, 0, 0))  # rejected receives deliver nothing
        [m] = receive(self.c, url, VisibilityTimeout=600)
        for bad in (-1, 43201):
            self.assertSqsError("InvalidParameterValue", self.c.change_message_visibility,
                                QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=bad)
        for bad in ("-1", "43201", "abc", ""):
            self.assertSqsError("InvalidAttributeValue", self.c.create_queue,
                                QueueName=self.unique("vbad"), Attributes={"VisibilityTimeout": bad})
            self.assertSqsError("InvalidAttributeValue", self.c.set_queue_attributes,
                                QueueUrl=url, Attributes={"VisibilityTimeout": bad})
        self.assertEqual(self.c.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
                         ["Attributes"]["VisibilityTimeout"], "30")
        for ok in ("0", "43200"):
            self.c.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": ok})
            self.assertEqual(self.c.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
                             ["Attributes"]["VisibilityTimeout"], ok)

    def test_invalid_receipt_handle(self):
        url = self.new_queue(self.c, "vinv")
        self.send(url)
        self.assertSqsError("ReceiptHandleIsInvalid", self.c.delete_message,
                            QueueUrl=url, ReceiptHandle="not-a-real-handle")
        self.assertSqsError("ReceiptHandleIsInvalid", self.c.change_message_visibility,
                            QueueUrl=url, ReceiptHandle="not-a-real-handle", VisibilityTimeout=5)
        self.assertCounters(self.c, url, (1, 0, 0))

    def test_delete_with_older_handle_after_redelivery(self):
        # the request succeeds and deletes the message, as moto does and AWS was seen to do
        # (docs/sqs-semantics.md, DeleteMessage).
        url = self.new_queue(self.c, "vold")
        mid = self.send(url)
        [m1] = receive(self.c, url, VisibilityTimeout=0)
        [m2] = receive(self.c, url, VisibilityTimeout=600)
        self.assertEqual(m2["MessageId"], mid)
        self.assertNotEqual(m1["ReceiptHandle"], m2["ReceiptHandle"])
        self.c.delete_message(QueueUrl=url, ReceiptHandle=m1["ReceiptHandle"])
        self.assertCounters(self.c, url, (0, 0, 0))

    def test_change_visibility_with_expired_handle_succeeds(self):
        # handle's visibility expired, message not re-received -> HTTP 200
        # (docs/sqs-semantics.md, ChangeMessageVisibility).
        url = self.new_queue(self.c, "vexp")
        self.send(url)
        [m] = receive(self.c, url, VisibilityTimeout=1)
        ok = harness.wait_until(lambda: counters(self.c, url) == (1, 0, 0), timeout=1.0 + LATE + 2)
        self.assertTrue(ok)
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=30)

    def test_change_message_visibility_batch(self):
        url = self.new_queue(self.c, "vbatch")
        for i in range(3):
            self.send(url, "b%d" % i)
        msgs = []
        for _ in range(10):
            msgs += receive(self.c, url, VisibilityTimeout=600)
            if len(msgs) == 3:
                break
        self.assertEqual(len(msgs), 3)
        by_body = {m["Body"]: m for m in msgs}
        resp = self.c.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "zero", "ReceiptHandle": by_body["b0"]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "keep", "ReceiptHandle": by_body["b1"]["ReceiptHandle"], "VisibilityTimeout": 600},
            {"Id": "bogus", "ReceiptHandle": "garbage-handle", "VisibilityTimeout": 0},
        ])
        self.assertEqual(sorted(e["Id"] for e in resp.get("Successful", [])), ["keep", "zero"])
        failed = resp.get("Failed", [])
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed[0]["Id"], "bogus")
        self.assertEqual(failed[0]["Code"], "ReceiptHandleIsInvalid")
        self.assertTrue(failed[0]["SenderFault"])
        again = receive(self.c, url, VisibilityTimeout=600)
        self.assertEqual([m["Body"] for m in again], ["b0"])
        self.assertEqual(receive_count(again[0]), 2)
        self.assertCounters(self.c, url, (0, 3, 0))

        # Successful-only batch: no "Failed" member at all (JSON answers leave empty lists out).
        resp = self.c.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "a", "ReceiptHandle": again[0]["ReceiptHandle"], "VisibilityTimeout": 0}])
        self.assertEqual([e["Id"] for e in resp["Successful"]], ["a"])
        self.assertNotIn("Failed", resp)

    def test_change_message_visibility_batch_request_errors(self):
        url = self.new_queue(self.c, "vberr")
        self.send(url)
        [m] = receive(self.c, url, VisibilityTimeout=600)
        h = m["ReceiptHandle"]
        self.assertSqsError("AWS.SimpleQueueService.EmptyBatchRequest",
                            self.c.change_message_visibility_batch, QueueUrl=url, Entries=[])
        self.assertSqsError("AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                            self.c.change_message_visibility_batch, QueueUrl=url,
                            Entries=[{"Id": "e%d" % i, "ReceiptHandle": h, "VisibilityTimeout": 0}
                                     for i in range(11)])
        self.assertSqsError("AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                            self.c.change_message_visibility_batch, QueueUrl=url,
                            Entries=[{"Id": "x", "ReceiptHandle": h, "VisibilityTimeout": 0}] * 2)
        self.assertSqsError("AWS.SimpleQueueService.InvalidBatchEntryId",
                            self.c.change_message_visibility_batch, QueueUrl=url,
                            Entries=[{"Id": "bad id!", "ReceiptHandle": h, "VisibilityTimeout": 0}])
        # none of the rejected requests touched the message
        self.assertCounters(self.c, url, (0, 1, 0))

    def test_counters(self):
        url = self.new_queue(self.c, "vcnt")
        self.assertCounters(self.c, url, (0, 0, 0))
        for i in range(3):
            self.send(url, "v%d" % i)
        self.send(url, "later", DelaySeconds=600)
        self.assertCounters(self.c, url, (3, 0, 1))
        [m] = receive(self.c, url, max_messages=1, VisibilityTimeout=600)
        self.assertCounters(self.c, url, (2, 1, 1))
        [m2] = receive(self.c, url, max_messages=1, VisibilityTimeout=600)
        self.assertCounters(self.c, url, (1, 2, 1))
        self.c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertCounters(self.c, url, (1, 1, 1))
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=m2["ReceiptHandle"], VisibilityTimeout=0)
        self.assertCounters(self.c, url, (2, 0, 1))
        # a VisibilityTimeout=0 receive leaves the message visible
        receive(self.c, url, VisibilityTimeout=0)
        self.assertCounters(self.c, url, (2, 0, 1))

    def test_counters_follow_visibility_expiry(self):
        url = self.new_queue(self.c, "vcexp")
        self.send(url)
        self.send(url)
        receive(self.c, url, VisibilityTimeout=1)
        self.assertCounters(self.c, url, (0, 2, 0))
        ok = harness.wait_until(lambda: counters(self.c, url) == (2, 0, 0), timeout=1.0 + LATE + 2)
        self.assertTrue(ok, "counters did not return to visible after expiry: %r" % (counters(self.c, url),))


@skip_unless_query
class QueryVisibilityTests(CoreVisibilityTests):
    protocol = "query"

