"""FIFO queues over both wire protocols and the aws CLI (docs/sqs-semantics.md, FIFO queues):
names, required parameters, deduplication (explicit, content-based, both scopes, across
deletes and a crash), sequence numbers, strict order, group locking, ReceiveRequestAttemptId,
expired receipt handles, MessageGroupId on standard queues, and a multi-consumer ordering
check.
"""
import hashlib
import random
import threading
import time
import unittest

from botocore.exceptions import ClientError

import harness
from fifo_util import (AWS_CLI, Cli, ProtocolCase, bodies, counters, drain, receive_all_attrs,
                       redrive_policy, seqno)

GROUP_ID_INVALID = ("Value %s for parameter MessageGroupId is invalid. Reason: MessageGroupId can only "
                    "include alphanumeric and punctuation characters. 1 to 128 in length.")
DEDUP_ID_INVALID = ("Value %s for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId "
                    "can only include alphanumeric and punctuation characters. 1 to 128 in length.")
NO_GROUP = "The request must contain the parameter MessageGroupId."
NO_DEDUP = ("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
            "provided explicitly")
DELAY_INVALID = ("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter "
                 "that is not valid for this queue type.")
HANDLE_EXPIRED = "Value %s for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FifoBase(ProtocolCase):

    def fifo(self, prefix="f", **attributes):
        url, _ = self.new_queue(prefix, attributes, fifo=True)
        return url

    def send(self, url, body, group="g", dedup=None, **kwargs):
        params = dict(QueueUrl=url, MessageBody=body, MessageGroupId=group, **kwargs)
        if dedup is not None:
            params["MessageDeduplicationId"] = dedup
        return self.sqs.send_message(**params)

    def recv(self, url, max_messages=10, visibility=30, **kwargs):
        return receive_all_attrs(self.sqs, url, max_messages=max_messages, visibility=visibility, **kwargs)

    def delete(self, url, message):
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    # ------------------------------------------------------------------ names
    def test_fifo_suffix_and_fifo_queue_attribute_must_agree(self):
        base = self.unique("fn")
        self.fails("InvalidParameterValue", self.sqs.create_queue, QueueName=base + "-a.fifo")
        self.fails("InvalidParameterValue", self.sqs.create_queue, QueueName=base + "-b",
                   Attributes={"FifoQueue": "true"})
        # FifoQueue=false is never valid: on a .fifo name the name is wrong for a standard queue,
        # on a plain name the attribute is unknown (InvalidAttributeName even for false).
        try:
            self.sqs.create_queue(QueueName=base + "-c.fifo", Attributes={"FifoQueue": "false"})
            self.fail("a .fifo name with FifoQueue=false was accepted")
        except ClientError as exc:
            self.assertIn(exc.response["Error"]["Code"], ("InvalidParameterValue", "InvalidAttributeName"))
        self.fails("InvalidAttributeName", self.sqs.create_queue, QueueName=base + "-d",
                   Attributes={"FifoQueue": "false"}, message="Unknown Attribute FifoQueue.")
        for suffix in ("-a.fifo", "-b", "-c.fifo", "-d"):
            self.fails("AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url,
                       QueueName=base + suffix)
        # booleans are case-insensitive on input and lower-case on output
        url = self.sqs.create_queue(QueueName=base + "-e.fifo", Attributes={"FifoQueue": "True"})["QueueUrl"]
        self.assertEqual(self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["FifoQueue"])
                         ["Attributes"], {"FifoQueue": "true"})

    def test_dead_letter_queue_of_a_fifo_queue_must_be_fifo(self):
        std_dlq, std_arn = self.new_queue("fdl")
        fifo_dlq, fifo_arn = self.new_queue("fdl", fifo=True)
        name = self.unique("fdl-src") + ".fifo"
        self.fails("InvalidParameterValue", self.sqs.create_queue, QueueName=name,
                   Attributes={"FifoQueue": "true", "RedrivePolicy": redrive_policy(std_arn, 3)})
        self.fails("AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url, QueueName=name)
        src = self.fifo("fdl-src")
        self.fails("InvalidParameterValue", self.sqs.set_queue_attributes, QueueUrl=src,
                   Attributes={"RedrivePolicy": redrive_policy(std_arn, 3)})
        self.assertNotIn("RedrivePolicy", self.sqs.get_queue_attributes(
            QueueUrl=src, AttributeNames=["All"])["Attributes"])
        # and a standard queue cannot use a FIFO DLQ
        std_src, _ = self.new_queue("fdl-std")
        self.fails("InvalidParameterValue", self.sqs.set_queue_attributes, QueueUrl=std_src,
                   Attributes={"RedrivePolicy": redrive_policy(fifo_arn, 3)})
        # FIFO -> FIFO is fine
        self.sqs.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": redrive_policy(fifo_arn, 3)})
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=fifo_dlq)["queueUrls"], [src])

    # ---------------------------------------------------- required parameters
    def test_send_message_requires_a_message_group_id(self):
        url = self.fifo(ContentBasedDeduplication="true")
        self.fails("MissingParameter", self.sqs.send_message, QueueUrl=url, MessageBody="x", message=NO_GROUP)
        self.fails("MissingParameter", self.sqs.send_message, QueueUrl=url, MessageBody="x",
                   MessageDeduplicationId="d", message=NO_GROUP)
        self.assertEqual(self.counters(url), (0, 0, 0))

    def test_send_message_batch_without_group_fails_whole_request(self):
        url = self.fifo(ContentBasedDeduplication="true")
        entries = [{"Id": "ok", "MessageBody": "fine", "MessageGroupId": "g"},
                   {"Id": "bad", "MessageBody": "no group"}]
        self.fails("InvalidParameterValue", self.sqs.send_message_batch, QueueUrl=url, Entries=entries,
                   message=NO_GROUP)
        self.assertEqual(self.counters(url), (0, 0, 0), "no entry of the failed batch may be enqueued")

    def test_dedup_id_or_content_based_dedup_required(self):
        url = self.fifo()
        self.fails("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody="x",
                   MessageGroupId="g", message=NO_DEDUP)
        self.fails("InvalidParameterValue", self.sqs.send_message_batch, QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d"},
            {"Id": "b", "MessageBody": "y", "MessageGroupId": "g"}], message=NO_DEDUP)
        self.assertEqual(self.counters(url), (0, 0, 0))
        self.send(url, "x", dedup="d1")
        self.assertEqual(self.counters(url), (1, 0, 0))

    def test_per_message_delay_is_rejected_but_explicit_zero_accepted(self):
        url = self.fifo(ContentBasedDeduplication="true")
        self.fails("InvalidParameterValue", self.send, url, "late", DelaySeconds=5, message=DELAY_INVALID % 5)
        self.assertEqual(self.counters(url), (0, 0, 0))
        self.send(url, "zero", DelaySeconds=0)
        self.assertEqual(self.counters(url), (1, 0, 0))
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "late", "MessageBody": "late-b", "MessageGroupId": "g", "DelaySeconds": 7},
            {"Id": "zero", "MessageBody": "zero-b", "MessageGroupId": "g", "DelaySeconds": 0}])
        self.assertEqual([e["Id"] for e in resp.get("Successful", [])], ["zero"])
        [failed] = resp["Failed"]
        self.assertEqual((failed["Id"], failed["Code"], failed["SenderFault"]),
                         ("late", "InvalidParameterValue", True))
        self.assertEqual(failed.get("Message"), DELAY_INVALID % 7)
        self.assertEqual(bodies(self.recv(url)), ["zero", "zero-b"])

    def test_group_and_dedup_id_syntax(self):
        url = self.fifo()
        for bad in ("x" * 129, "has space", "caf\u00e9", "tab\there"):
            with self.subTest(value=bad):
                self.fails("InvalidParameterValue", self.send, url, "b", group=bad, dedup="d",
                           message=GROUP_ID_INVALID % bad)
                self.fails("InvalidParameterValue", self.send, url, "b", group="g", dedup=bad,
                           message=DEDUP_ID_INVALID % bad)
        self.assertEqual(self.counters(url), (0, 0, 0))
        # the boundaries: 128 characters, every punctuation character
        longest = ("G" * 128)
        self.send(url, "long", group=longest, dedup="D" * 128)
        self.send(url, "punct", group=PUNCTUATION, dedup="a1" + PUNCTUATION)
        got = {m["Body"]: m["Attributes"] for m in self.recv(url)}
        self.assertEqual(got["long"]["MessageGroupId"], longest)
        self.assertEqual(got["long"]["MessageDeduplicationId"], "D" * 128)
        self.assertEqual(got["punct"]["MessageGroupId"], PUNCTUATION)
        self.assertEqual(got["punct"]["MessageDeduplicationId"], "a1" + PUNCTUATION)

    # ---------------------------------------------------------- deduplication
    def test_explicit_dedup_id_returns_the_original(self):
        url = self.fifo()
        first = self.send(url, "one", dedup="d-1")
        again = self.send(url, "one", dedup="d-1")
        other_body = self.send(url, "a different body", dedup="d-1")
        for dup in (again, other_body):
            self.assertEqual(dup["MessageId"], first["MessageId"])
            self.assertEqual(dup["SequenceNumber"], first["SequenceNumber"])
        self.assertEqual(self.send(url, "one", dedup="d-1", group="other-group")["MessageId"],
                         first["MessageId"], "DeduplicationScope queue: the group does not matter")
        second = self.send(url, "one", dedup="d-2")
        self.assertNotEqual(second["MessageId"], first["MessageId"])
        self.assertGreater(seqno(second["SequenceNumber"]), seqno(first["SequenceNumber"]))
        msgs = self.recv(url)
        self.assertEqual([m["MessageId"] for m in msgs], [first["MessageId"], second["MessageId"]])
        self.assertEqual(bodies(msgs), ["one", "one"])
        self.assertEqual([m["Attributes"]["MessageDeduplicationId"] for m in msgs], ["d-1", "d-2"])

    def test_content_based_dedup_uses_sha256_of_the_body(self):
        url = self.fifo(ContentBasedDeduplication="true")
        first = self.send(url, "payload", MessageAttributes={"a": {"DataType": "String", "StringValue": "1"}})
        # attributes are not part of the hash: still a duplicate
        dup = self.send(url, "payload", MessageAttributes={"a": {"DataType": "String", "StringValue": "2"}})
        self.assertEqual((dup["MessageId"], dup["SequenceNumber"]),
                         (first["MessageId"], first["SequenceNumber"]))
        # the dedup id *is* the hash: an explicit id equal to it is a duplicate too
        dup2 = self.send(url, "something else", dedup=sha256_hex("payload"))
        self.assertEqual(dup2["MessageId"], first["MessageId"])
        # an explicit id overrides the content hash
        explicit = self.send(url, "payload", dedup="explicit")
        self.assertNotEqual(explicit["MessageId"], first["MessageId"])
        other = self.send(url, "payload2")
        msgs = self.recv(url)
        self.assertEqual([m["MessageId"] for m in msgs],
                         [first["MessageId"], explicit["MessageId"], other["MessageId"]])
        self.assertEqual([m["Attributes"]["MessageDeduplicationId"] for m in msgs],
                         [sha256_hex("payload"), "explicit", sha256_hex("payload2")])
        self.assertEqual(msgs[0]["MessageAttributes"], {"a": {"DataType": "String", "StringValue": "1"}})

    def test_dedup_in_batches(self):
        url = self.fifo(ContentBasedDeduplication="true")
        single = self.send(url, "s", dedup="d-single")
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "A", "MessageGroupId": "g", "MessageDeduplicationId": "d-a"},
            {"Id": "b", "MessageBody": "B", "MessageGroupId": "g", "MessageDeduplicationId": "d-a"},
            {"Id": "c", "MessageBody": "C", "MessageGroupId": "g", "MessageDeduplicationId": "d-single"},
            {"Id": "d", "MessageBody": "D", "MessageGroupId": "g"},
            {"Id": "e", "MessageBody": "D", "MessageGroupId": "g"}])
        self.assertEqual(resp.get("Failed", []), [])
        ok = {e["Id"]: e for e in resp["Successful"]}
        self.assertEqual(sorted(ok), ["a", "b", "c", "d", "e"])
        self.assertEqual(ok["b"]["MessageId"], ok["a"]["MessageId"])
        self.assertEqual(ok["b"]["SequenceNumber"], ok["a"]["SequenceNumber"])
        self.assertEqual(ok["c"]["MessageId"], single["MessageId"])
        self.assertEqual(ok["c"]["SequenceNumber"], single["SequenceNumber"])
        self.assertEqual(ok["e"]["MessageId"], ok["d"]["MessageId"])
        self.assertEqual(bodies(self.recv(url)), ["s", "A", "D"])

    def test_dedup_window_survives_deleting_the_original(self):
        url = self.fifo(ContentBasedDeduplication="true")
        first = self.send(url, "once")
        explicit = self.send(url, "twice", dedup="d-x")
        for m in self.recv(url):
            self.delete(url, m)
        self.assertEqual(self.counters(url), (0, 0, 0))
        again = self.send(url, "once")
        again_explicit = self.send(url, "whatever", dedup="d-x")
        self.assertEqual((again["MessageId"], again["SequenceNumber"]),
                         (first["MessageId"], first["SequenceNumber"]))
        self.assertEqual((again_explicit["MessageId"], again_explicit["SequenceNumber"]),
                         (explicit["MessageId"], explicit["SequenceNumber"]))
        self.assertEqual(self.counters(url), (0, 0, 0))
        self.assertEqual(self.recv(url), [])

    def test_dedup_scope_message_group(self):
        url = self.fifo(DeduplicationScope="messageGroup", FifoThroughputLimit="perMessageGroupId")
        g1 = self.send(url, "one", group="g1", dedup="same")
        g2 = self.send(url, "two", group="g2", dedup="same")
        self.assertNotEqual(g1["MessageId"], g2["MessageId"], "same dedup id in another group is new")
        dup = self.send(url, "three", group="g1", dedup="same")
        self.assertEqual((dup["MessageId"], dup["SequenceNumber"]), (g1["MessageId"], g1["SequenceNumber"]))
        msgs = self.recv(url)
        self.assertEqual(sorted(bodies(msgs)), ["one", "two"])
        # content-based dedup is scoped per group as well
        url2 = self.fifo(DeduplicationScope="messageGroup", ContentBasedDeduplication="true")
        a = self.send(url2, "body", group="a")
        b = self.send(url2, "body", group="b")
        self.assertNotEqual(a["MessageId"], b["MessageId"])
        self.assertEqual(self.send(url2, "body", group="b")["MessageId"], b["MessageId"])
        self.assertEqual(self.counters(url2), (2, 0, 0))

    # FifoThroughputLimit=perMessageGroupId needs DeduplicationScope=messageGroup. AWS's
    # documentation does not pin the error code of the combination down, so either 400
    # attribute error is accepted.
    BAD_PAIR_CODES = ("InvalidAttributeValue", "InvalidParameterValue")

    def assert_bad_pair(self, fn, **kwargs):
        try:
            fn(**kwargs)
        except ClientError as exc:
            self.assertIn(exc.response["Error"]["Code"], self.BAD_PAIR_CODES)
            self.assertEqual(exc.response["ResponseMetadata"]["HTTPStatusCode"], 400)
            return
        self.fail("perMessageGroupId with DeduplicationScope queue was accepted: %r" % (kwargs,))

    def throughput_pair(self, url):
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return attrs["FifoThroughputLimit"], attrs["DeduplicationScope"]

    def test_throughput_limit_with_explicit_queue_scope_is_rejected(self):
        name = self.unique("ftl") + ".fifo"
        self.assert_bad_pair(self.sqs.create_queue, QueueName=name, Attributes={
            "FifoQueue": "true", "FifoThroughputLimit": "perMessageGroupId", "DeduplicationScope": "queue"})
        self.fails("AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url, QueueName=name)
        url = self.fifo("ftl")
        self.assert_bad_pair(self.sqs.set_queue_attributes, QueueUrl=url, Attributes={
            "FifoThroughputLimit": "perMessageGroupId", "DeduplicationScope": "queue"})
        self.assertEqual(self.throughput_pair(url), ("perQueue", "queue"))

    def test_throughput_limit_with_the_default_scope_is_rejected_on_create(self):
        name = self.unique("ftl") + ".fifo"
        self.assert_bad_pair(self.sqs.create_queue, QueueName=name,
                             Attributes={"FifoQueue": "true", "FifoThroughputLimit": "perMessageGroupId"})
        self.fails("AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url, QueueName=name)

    def test_throughput_limit_is_checked_against_the_stored_scope(self):
        url = self.fifo("ftl")
        # the queue's scope is queue: perMessageGroupId alone is the forbidden pair
        self.assert_bad_pair(self.sqs.set_queue_attributes, QueueUrl=url,
                             Attributes={"FifoThroughputLimit": "perMessageGroupId"})
        self.assertEqual(self.throughput_pair(url), ("perQueue", "queue"))
        # both together: high-throughput mode
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={
            "FifoThroughputLimit": "perMessageGroupId", "DeduplicationScope": "messageGroup"})
        self.assertEqual(self.throughput_pair(url), ("perMessageGroupId", "messageGroup"))
        # switching the scope back to queue while perMessageGroupId stays is the same violation
        self.assert_bad_pair(self.sqs.set_queue_attributes, QueueUrl=url,
                             Attributes={"DeduplicationScope": "queue"})
        self.assertEqual(self.throughput_pair(url), ("perMessageGroupId", "messageGroup"))

    def test_throughput_limit_valid_combinations(self):
        url = self.fifo("ftl", DeduplicationScope="messageGroup", FifoThroughputLimit="perMessageGroupId")
        self.assertEqual(self.throughput_pair(url), ("perMessageGroupId", "messageGroup"))
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoThroughputLimit": "perQueue"})
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "queue"})
        self.assertEqual(self.throughput_pair(url), ("perQueue", "queue"))
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={
            "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={
            "DeduplicationScope": "queue", "FifoThroughputLimit": "perQueue"})
        self.assertEqual(self.throughput_pair(url), ("perQueue", "queue"))
        url2 = self.fifo("ftl", DeduplicationScope="messageGroup", FifoThroughputLimit="perQueue")
        self.assertEqual(self.throughput_pair(url2), ("perQueue", "messageGroup"))

    # ---------------------------------------------- sequence numbers and order
    def test_sequence_numbers_increase_on_send_batch_and_receive(self):
        url = self.fifo(ContentBasedDeduplication="true")
        sent = []
        for i in range(3):
            r = self.send(url, "s%d" % i)
            sent.append(("s%d" % i, r["MessageId"], r["SequenceNumber"]))
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "b%d" % i, "MessageBody": "b%d" % i, "MessageGroupId": "g"} for i in range(5)])
        by_id = {e["Id"]: e for e in resp["Successful"]}
        for i in range(5):
            e = by_id["b%d" % i]
            sent.append(("b%d" % i, e["MessageId"], e["SequenceNumber"]))
        for i in range(3):
            r = self.send(url, "t%d" % i)
            sent.append(("t%d" % i, r["MessageId"], r["SequenceNumber"]))
        numbers = [seqno(s) for _, _, s in sent]
        self.assertEqual(numbers, sorted(numbers))
        self.assertEqual(len(set(numbers)), len(numbers), "sequence numbers strictly increase in a group")
        got = drain(self.sqs, url, len(sent))
        self.assertEqual([(m["Body"], m["MessageId"], m["Attributes"]["SequenceNumber"]) for m in got], sent)

    def test_strict_order_within_a_group_one_at_a_time(self):
        url = self.fifo(ContentBasedDeduplication="true")
        expected = ["m%02d" % i for i in range(15)]
        for b in expected[:5]:
            self.send(url, b)
        self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": b, "MessageBody": b, "MessageGroupId": "g"} for b in expected[5:15]])
        got = []
        for _ in range(len(expected)):
            [m] = self.recv(url, max_messages=1)
            got.append(m["Body"])
            self.delete(url, m)
        self.assertEqual(got, expected)
        self.assertEqual(self.recv(url), [])

    def test_receive_returns_several_messages_of_several_groups(self):
        url = self.fifo(ContentBasedDeduplication="true")
        order = [("a", 0), ("b", 0), ("a", 1), ("b", 1), ("c", 0), ("a", 2)]
        for g, i in order:
            self.send(url, "%s%d" % (g, i), group=g)
        msgs = self.recv(url, max_messages=10)
        self.assertEqual(sorted(bodies(msgs)), sorted("%s%d" % o for o in order))
        for g in "abc":
            mine = [m["Body"] for m in msgs if m["Attributes"]["MessageGroupId"] == g]
            self.assertEqual(mine, sorted(mine), "group %s out of order in one response" % g)
        self.assertEqual(self.recv(url), [])

    def test_one_group_fills_the_response_first_and_stays_locked(self):
        url = self.fifo(ContentBasedDeduplication="true")
        for g in ("g1", "g2"):
            for i in range(3):
                self.send(url, "%s-%d" % (g, i), group=g)
        first = self.recv(url, max_messages=2)
        self.assertEqual(len(first), 2)
        group = first[0]["Attributes"]["MessageGroupId"]
        self.assertEqual(bodies(first), ["%s-0" % group, "%s-1" % group],
                         "a response takes what it can of one group first, in order")
        other = "g2" if group == "g1" else "g1"
        rest = self.recv(url, max_messages=10)
        self.assertEqual(bodies(rest), ["%s-%d" % (other, i) for i in range(3)],
                         "the locked group's third message must not be delivered")
        for m in rest:
            self.delete(url, m)
        self.assertEqual(self.recv(url), [], "still locked while %s-0/1 are in flight" % group)
        self.delete(url, first[1])
        self.assertEqual(self.recv(url), [], "still locked while %s-0 is in flight" % group)
        self.delete(url, first[0])
        self.assertEqual(bodies(self.recv(url)), ["%s-2" % group])

    # ----------------------------------------------------------- group locking
    def test_group_is_locked_while_a_message_is_in_flight(self):
        url = self.fifo(ContentBasedDeduplication="true")
        for i in range(3):
            self.send(url, "a%d" % i, group="A")
        [a0] = self.recv(url, max_messages=1)
        self.assertEqual(a0["Body"], "a0")
        self.assertEqual(self.recv(url), [], "A is locked while a0 is in flight")
        self.send(url, "b0", group="B")
        self.assertEqual(bodies(self.recv(url)), ["b0"], "other groups are not locked")
        self.assertEqual(self.counters(url), (2, 2, 0))
        self.delete(url, a0)
        self.assertEqual(bodies(self.recv(url)), ["a1", "a2"])

    def test_expired_visibility_redelivers_the_earlier_message_first(self):
        url = self.fifo(ContentBasedDeduplication="true")
        for i in range(3):
            self.send(url, "a%d" % i, group="A")
        [a0] = self.recv(url, max_messages=1, visibility=1)
        t0 = time.monotonic()
        self.assertEqual(self.recv(url), [])
        got = []
        harness.wait_until(lambda: got.extend(self.recv(url)) or got, timeout=4.0, interval=0.05)
        self.assertGreaterEqual(time.monotonic() - t0, 0.9, "redelivered before the visibility timeout")
        self.assertEqual(bodies(got), ["a0", "a1", "a2"])
        self.assertEqual(got[0]["MessageId"], a0["MessageId"])
        self.assertEqual(got[0]["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(got[1]["Attributes"]["ApproximateReceiveCount"], "1")

    def test_visibility_zero_unlocks_and_earlier_comes_first(self):
        url = self.fifo(ContentBasedDeduplication="true")
        for i in range(3):
            self.send(url, "a%d" % i, group="A")
        a0, a1 = self.recv(url, max_messages=2)
        self.assertEqual(bodies([a0, a1]), ["a0", "a1"])
        self.delete(url, a1)   # out of order delete: a0 is still in flight, so a2 stays locked
        self.assertEqual(self.recv(url), [])
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=a0["ReceiptHandle"], VisibilityTimeout=0)
        again = self.recv(url)
        self.assertEqual(bodies(again), ["a0", "a2"])

    def test_long_poll_wakes_when_the_group_unlocks(self):
        url = self.fifo(ContentBasedDeduplication="true")
        self.send(url, "a0", group="A")
        self.send(url, "a1", group="A")
        [a0] = self.recv(url, max_messages=1)
        poller = self.server.client(protocol=self.protocol, read_timeout=30)
        result = {}

        def poll():
            t = time.monotonic()
            result["msgs"] = receive_all_attrs(poller, url, wait=10)
            result["t"] = time.monotonic() - t

        before = self.server.waiting_receives()
        th = threading.Thread(target=poll, daemon=True)
        th.start()
        self.server.wait_waiting_receives(before + 1)
        self.assertTrue(th.is_alive(), "the long poll returned while the group was locked: %r" % result)
        self.delete(url, a0)
        th.join(12)
        self.assertFalse(th.is_alive())
        self.assertEqual(bodies(result["msgs"]), ["a1"])
        self.assertLess(result["t"], 3.0, "the long poll was not woken by the unlock")

    def test_long_poll_wakes_when_the_in_flight_message_is_released(self):
        url = self.fifo(ContentBasedDeduplication="true")
        self.send(url, "a0", group="A")
        self.send(url, "a1", group="A")
        [a0] = self.recv(url, max_messages=1)
        poller = self.server.client(protocol=self.protocol, read_timeout=30)
        result = {}

        def poll():
            t = time.monotonic()
            result["msgs"] = receive_all_attrs(poller, url, wait=10)
            result["t"] = time.monotonic() - t

        before = self.server.waiting_receives()
        th = threading.Thread(target=poll, daemon=True)
        th.start()
        self.server.wait_waiting_receives(before + 1)
        self.assertTrue(th.is_alive(), "the long poll returned while the group was locked: %r" % result)
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=a0["ReceiptHandle"], VisibilityTimeout=0)
        th.join(12)
        self.assertFalse(th.is_alive())
        self.assertEqual(bodies(result["msgs"]), ["a0", "a1"])
        self.assertLess(result["t"], 3.0, "the long poll was not woken by the visibility change")

    def test_dead_lettered_head_unblocks_its_group(self):
        dlq_url, dlq_arn = self.new_queue("fhead-dlq", {"ContentBasedDeduplication": "true"}, fifo=True)
        url = self.fifo("fhead", ContentBasedDeduplication="true", RedrivePolicy=redrive_policy(dlq_arn, 1))
        for i in range(3):
            self.send(url, "a%d" % i, group="A")
        [a0] = self.recv(url, max_messages=1, visibility=0)
        self.assertEqual(a0["Body"], "a0")
        # the next receive moves a0 to the DLQ (its count would exceed maxReceiveCount 1) and goes on
        # with the group
        got = self.recv(url, max_messages=1)
        self.assertEqual(bodies(got), ["a1"])
        [moved] = self.recv(dlq_url)
        self.assertEqual((moved["Body"], moved["MessageId"]), ("a0", a0["MessageId"]))
        self.assertEqual(moved["Attributes"]["MessageGroupId"], "A")
        self.assertEqual(self.recv(url), [], "a2 must wait while a1 is in flight")

    # ------------------------------------------------ ReceiveRequestAttemptId
    def test_receive_request_attempt_id_returns_the_same_messages_and_handles(self):
        url = self.fifo(ContentBasedDeduplication="true")
        for i in range(3):
            self.send(url, "m%d" % i)
        self.send(url, "other", group="h")
        first = self.recv(url, max_messages=2, ReceiveRequestAttemptId="attempt-1")
        retry = self.recv(url, max_messages=2, ReceiveRequestAttemptId="attempt-1")
        self.assertEqual(len(first), 2)
        self.assertEqual([(m["MessageId"], m["ReceiptHandle"]) for m in retry],
                         [(m["MessageId"], m["ReceiptHandle"]) for m in first])
        self.assertEqual(bodies(retry), bodies(first))
        # a receive with another (or no) attempt id is a new receive: it gets the rest
        seen = set(bodies(first))
        more = self.recv(url, max_messages=10, ReceiveRequestAttemptId="attempt-2")
        self.assertFalse(seen & set(bodies(more)), "a message was delivered twice while in flight")
        for m in first + more:
            self.delete(url, m)

    def test_attempt_id_retry_resets_the_visibility_timeout(self):
        url = self.fifo(ContentBasedDeduplication="true")
        self.send(url, "m0")
        t0 = time.monotonic()
        [m] = self.recv(url, max_messages=1, visibility=2, ReceiveRequestAttemptId="retry-me")
        # Time passing, not a wait on server state: the retry must come after ~1.2 s of the 2 s timeout.
        time.sleep(max(0.0, 1.2 - (time.monotonic() - t0)))
        [again] = self.recv(url, max_messages=1, visibility=2, ReceiveRequestAttemptId="retry-me")
        t_retry = time.monotonic()
        self.assertEqual((again["MessageId"], again["ReceiptHandle"]), (m["MessageId"], m["ReceiptHandle"]))
        # 2.5 s after the first receive, the retry (at ~1.2 s) keeps it hidden until ~3.2 s
        # Time passing, not a wait on server state: 2.5 s after the first receive its own timeout has passed.
        time.sleep(max(0.0, 2.5 - (time.monotonic() - t0)))
        if time.monotonic() - t_retry < 1.8:
            self.assertEqual(self.recv(url), [], "the retry did not reset the visibility timeout")
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
        self.assertEqual(self.counters(url), (0, 0, 0))

    def test_attempt_id_syntax(self):
        url = self.fifo(ContentBasedDeduplication="true")
        for bad in ("x" * 129, "with space"):
            with self.subTest(value=bad):
                self.fails("InvalidParameterValue", self.sqs.receive_message, QueueUrl=url,
                           ReceiveRequestAttemptId=bad)
        self.send(url, "m")
        self.assertEqual(len(self.recv(url, ReceiveRequestAttemptId="a" * 120 + PUNCTUATION[:8])), 1)

    def test_attempt_id_is_ignored_on_standard_queues(self):
        url, _ = self.new_queue("std-attempt")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        first = self.recv(url, ReceiveRequestAttemptId="same")
        self.assertEqual(bodies(first), ["x"])
        self.assertEqual(self.recv(url, ReceiveRequestAttemptId="same"), [])

    # -------------------------------------------------------- receipt handles
    def test_delete_with_an_expired_fifo_handle_fails(self):
        url = self.fifo(ContentBasedDeduplication="true")
        self.send(url, "zero")
        [m] = self.recv(url, max_messages=1, visibility=0)
        handle = m["ReceiptHandle"]
        self.fails("InvalidParameterValue", self.sqs.delete_message, QueueUrl=url, ReceiptHandle=handle,
                   message=HANDLE_EXPIRED % handle)
        self.assertEqual(self.counters(url), (1, 0, 0), "the message must still be there")
        # expiry after a real timeout
        [m2] = self.recv(url, max_messages=1, visibility=1)
        self.assertEqual(m2["MessageId"], m["MessageId"])
        harness.wait_until(lambda: self.counters(url) == (1, 0, 0), timeout=4.0, interval=0.05)
        self.fails("InvalidParameterValue", self.sqs.delete_message, QueueUrl=url,
                   ReceiptHandle=m2["ReceiptHandle"], message=HANDLE_EXPIRED % m2["ReceiptHandle"])
        resp = self.sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "e", "ReceiptHandle": m2["ReceiptHandle"]}])
        self.assertEqual(resp.get("Successful", []), [])
        [failed] = resp["Failed"]
        self.assertEqual((failed["Id"], failed["Code"], failed["SenderFault"]), ("e", "InvalidParameterValue", True))
        # a live handle still deletes
        [m3] = self.recv(url, max_messages=1)
        self.assertEqual(m3["MessageId"], m["MessageId"])
        self.delete(url, m3)
        self.assertEqual(self.counters(url), (0, 0, 0))

    # ------------------------------------------------- attributes on receive
    def test_fifo_system_attributes_on_receive(self):
        url = self.fifo()
        sent = self.send(url, "body", group="grp-1", dedup="dd-1")
        [m] = self.recv(url)
        a = m["Attributes"]
        self.assertEqual(a["MessageGroupId"], "grp-1")
        self.assertEqual(a["MessageDeduplicationId"], "dd-1")
        self.assertEqual(a["SequenceNumber"], sent["SequenceNumber"])
        for key in ("SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"):
            self.assertIn(key, a)
        self.delete(url, m)
        self.send(url, "body2", group="grp-1", dedup="dd-2")
        [m] = self.sqs.receive_message(QueueUrl=url, AttributeNames=["MessageGroupId"]).get("Messages", [])
        self.assertEqual(m["Attributes"], {"MessageGroupId": "grp-1"})

    # -------------------------------------------------------- standard queues
    def test_message_group_id_on_a_standard_queue(self):
        url, _ = self.new_queue("std-group")
        r1 = self.sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="tenant-1")
        self.assertNotIn("SequenceNumber", r1)
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "two", "MessageBody": "two", "MessageGroupId": "tenant-1"},
            {"Id": "plain", "MessageBody": "plain"}])
        self.assertEqual(resp.get("Failed", []), [])
        for e in resp["Successful"]:
            self.assertNotIn("SequenceNumber", e)
        # the same body twice is never deduplicated on a standard queue
        self.sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="tenant-1")
        # no locking: one message of the group in flight does not hold back the others
        got = []
        for _ in range(4):
            msgs = self.recv(url, max_messages=1, visibility=60)
            self.assertEqual(len(msgs), 1, "a standard queue locked a message group")
            got.extend(msgs)
        self.assertEqual(sorted(bodies(got)), ["one", "one", "plain", "two"])
        for m in got:
            a = m["Attributes"]
            self.assertNotIn("SequenceNumber", a)
            self.assertNotIn("MessageDeduplicationId", a)
            if m["Body"] == "plain":
                self.assertNotIn("MessageGroupId", a)
            else:
                self.assertEqual(a["MessageGroupId"], "tenant-1")
        self.fails("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody="x",
                   MessageDeduplicationId="d")


class TestFifoJson(FifoBase, harness.ServerTestCase):
    protocol = "json"


class TestFifoQuery(FifoBase, harness.ServerTestCase):
    protocol = "query"


del FifoBase


class TestFifoConsumers(ProtocolCase, harness.ServerTestCase):
    """Several consumers on one FIFO queue: per-group order, one message of a group in
    flight at a time (receives of one message each, so every in-flight message belongs to
    exactly one consumer)."""

    GROUPS = 5
    PER_GROUP = 20
    CONSUMERS = 4

    def test_consumers_never_see_a_group_out_of_order_or_two_in_flight(self):
        url, _ = self.new_queue("conc", {"ContentBasedDeduplication": "true", "VisibilityTimeout": "60"},
                                fifo=True)
        for i in range(self.PER_GROUP):
            entries = [{"Id": "g%d" % g, "MessageBody": "g%d:%d" % (g, i), "MessageGroupId": "g%d" % g}
                       for g in range(self.GROUPS)]
            resp = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
            self.assertEqual(resp.get("Failed", []), [])
        total = self.GROUPS * self.PER_GROUP
        lock = threading.Lock()
        in_flight = {}                       # group -> (consumer, index)
        next_index = {"g%d" % g: 0 for g in range(self.GROUPS)}
        violations = []
        done = {"count": 0}
        stop = threading.Event()
        deadline = time.monotonic() + 45

        def consumer(cid):
            client = self.server.client(protocol=self.protocol, read_timeout=20)
            rng = random.Random(1000 + cid)
            while not stop.is_set() and time.monotonic() < deadline:
                msgs = client.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1,
                                              AttributeNames=["MessageGroupId"]).get("Messages", [])
                for m in msgs:
                    group = m["Attributes"]["MessageGroupId"]
                    g, idx = m["Body"].split(":")
                    idx = int(idx)
                    with lock:
                        if g != group:
                            violations.append("body %s came with group %s" % (m["Body"], group))
                        if group in in_flight:
                            violations.append("%s delivered to consumer %d while %r was in flight"
                                              % (m["Body"], cid, in_flight[group]))
                        if idx != next_index[group]:
                            violations.append("consumer %d got %s, expected index %d"
                                              % (cid, m["Body"], next_index[group]))
                        in_flight[group] = (cid, idx)
                        next_index[group] = idx + 1
                    # Not a wait: a random processing time, so the consumers interleave differently.
                    time.sleep(rng.uniform(0.0, 0.02))
                    with lock:
                        # forget it *before* deleting: the server unlocks the group on delete
                        in_flight.pop(group, None)
                    client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                    with lock:
                        done["count"] += 1
                        if done["count"] >= total:
                            stop.set()

        errors = []

        def run(cid):
            try:
                consumer(cid)
            except Exception as exc:   # reported below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(c,), daemon=True) for c in range(self.CONSUMERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()) + 25)
        stop.set()
        self.assertFalse([t for t in threads if t.is_alive()], "consumer threads did not finish")
        self.assertEqual(errors, [])
        self.assertEqual(violations, [])
        self.assertEqual(done["count"], total, "not every message was consumed in time")
        self.assertEqual(next_index, {"g%d" % g: self.PER_GROUP for g in range(self.GROUPS)})
        self.assertEqual(counters(self.sqs, url), (0, 0, 0))


class TestFifoDedupAcrossCrash(unittest.TestCase):
    """The 5-minute dedup window is stored: it survives kill -9 and a restart, also for
    messages deleted before the crash (docs/sqs-semantics.md, Deduplication)."""

    def start(self, **kwargs):
        s = harness.Server(**kwargs)
        self.addCleanup(s.cleanup)
        return s.start()

    def test_dedup_survives_kill9(self):
        s1 = self.start()
        c1 = s1.client()
        name = "dedup-crash-%d.fifo" % time.monotonic_ns()
        url = c1.create_queue(QueueName=name, Attributes={"FifoQueue": "true",
                                                          "ContentBasedDeduplication": "true"})["QueueUrl"]
        kept = c1.send_message(QueueUrl=url, MessageBody="kept", MessageGroupId="g")
        gone = c1.send_message(QueueUrl=url, MessageBody="gone", MessageGroupId="h", MessageDeduplicationId="d-gone")
        msgs = receive_all_attrs(c1, url, visibility=60)
        [m] = [m for m in msgs if m["Body"] == "gone"]
        c1.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        s1.kill9()

        s2 = self.start(data_dir=s1.data_dir)
        c2 = s2.client()
        dup_kept = c2.send_message(QueueUrl=url, MessageBody="kept", MessageGroupId="g")
        dup_gone = c2.send_message(QueueUrl=url, MessageBody="other", MessageGroupId="h",
                                   MessageDeduplicationId="d-gone")
        self.assertEqual((dup_kept["MessageId"], dup_kept["SequenceNumber"]),
                         (kept["MessageId"], kept["SequenceNumber"]))
        self.assertEqual((dup_gone["MessageId"], dup_gone["SequenceNumber"]),
                         (gone["MessageId"], gone["SequenceNumber"]))
        fresh = c2.send_message(QueueUrl=url, MessageBody="fresh", MessageGroupId="h")
        self.assertGreater(seqno(fresh["SequenceNumber"]), seqno(gone["SequenceNumber"]))
        # "kept" is in flight from before the crash (60 s), so only "fresh" is visible
        self.assertEqual(counters(c2, url), (1, 1, 0))
        self.assertEqual(bodies(receive_all_attrs(c2, url)), ["fresh"])


@unittest.skipIf(AWS_CLI is None, "the aws CLI is not installed")
class TestFifoCli(harness.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cli = Cli(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.cli.close()
        super().tearDownClass()

    def test_fifo_with_the_cli(self):
        name = self.unique("cli") + ".fifo"
        url = self.cli.ok("create-queue", "--queue-name", name, "--attributes", "FifoQueue=true")["QueueUrl"]
        err = self.cli.fails("create-queue", "--queue-name", self.unique("cli") + ".fifo")
        self.assertIn("InvalidParameterValue", err)
        err = self.cli.fails("send-message", "--queue-url", url, "--message-body", "x",
                             "--message-deduplication-id", "d1")
        self.assertIn("MissingParameter", err)
        err = self.cli.fails("send-message", "--queue-url", url, "--message-body", "x",
                             "--message-group-id", "g", "--message-deduplication-id", "d1",
                             "--delay-seconds", "3")
        self.assertIn("InvalidParameterValue", err)
        r1 = self.cli.ok("send-message", "--queue-url", url, "--message-body", "first",
                         "--message-group-id", "g", "--message-deduplication-id", "d1")
        r2 = self.cli.ok("send-message", "--queue-url", url, "--message-body", "first again",
                         "--message-group-id", "g", "--message-deduplication-id", "d1")
        self.assertEqual((r2["MessageId"], r2["SequenceNumber"]), (r1["MessageId"], r1["SequenceNumber"]))
        r3 = self.cli.ok("send-message", "--queue-url", url, "--message-body", "second",
                         "--message-group-id", "g", "--message-deduplication-id", "d2")
        self.assertGreater(seqno(r3["SequenceNumber"]), seqno(r1["SequenceNumber"]))
        out = self.cli.ok("receive-message", "--queue-url", url, "--max-number-of-messages", "1",
                          "--attribute-names", "All", "--wait-time-seconds", "0")
        [m] = out["Messages"]
        self.assertEqual(m["Body"], "first")
        self.assertEqual(m["Attributes"]["SequenceNumber"], r1["SequenceNumber"])
        self.assertEqual(m["Attributes"]["MessageGroupId"], "g")
        self.assertEqual(m["Attributes"]["MessageDeduplicationId"], "d1")
        # group locked while "first" is in flight
        self.assertEqual(self.cli.ok("receive-message", "--queue-url", url, "--wait-time-seconds", "0")
                         .get("Messages", []), [])
        self.cli.ok("delete-message", "--queue-url", url, "--receipt-handle", m["ReceiptHandle"])
        out = self.cli.ok("receive-message", "--queue-url", url, "--wait-time-seconds", "0",
                          "--receive-request-attempt-id", "att-1")
        again = self.cli.ok("receive-message", "--queue-url", url, "--wait-time-seconds", "0",
                            "--receive-request-attempt-id", "att-1")
        self.assertEqual([x["Body"] for x in out["Messages"]], ["second"])
        self.assertEqual(again["Messages"][0]["ReceiptHandle"], out["Messages"][0]["ReceiptHandle"])
