"""Dead-letter queues: RedrivePolicy, the move at maxReceiveCount, what the moved message keeps,
ListDeadLetterSourceQueues (docs/sqs-semantics.md, RedrivePolicy; Moving to the dead-letter
queue; ListDeadLetterSourceQueues)."""
import json

import harness
from semantics_util import (SqsTestMixin, ids, queue_arn, queue_attrs, receive,
                            receive_count, skip_unless_query)

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def policy(arn, max_receive):
    return json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": max_receive})


class RedriveBase(SqsTestMixin, harness.ServerTestCase):
    protocol = "json"

    def setUp(self):
        self.c = self.server.client(protocol=self.protocol, read_timeout=40)

    def source_and_dlq(self, max_receive, fifo=False, prefix="rd"):
        extra = {"ContentBasedDeduplication": "true"} if fifo else {}
        dlq = self.new_queue(self.c, prefix + "-dlq", dict(extra), fifo=fifo)
        dlq_arn = queue_arn(self.c, dlq)
        attrs = dict(extra)
        attrs["RedrivePolicy"] = policy(dlq_arn, max_receive)
        src = self.new_queue(self.c, prefix + "-src", attrs, fifo=fifo)
        return src, dlq, dlq_arn


class CoreRedriveTests(RedriveBase):

    def test_message_moves_on_the_receive_that_would_exceed_max(self):
        src, dlq, _ = self.source_and_dlq(2)
        src_arn = queue_arn(self.c, src)
        sent = self.c.send_message(
            QueueUrl=src, MessageBody="poison",
            MessageAttributes={"city": {"DataType": "String", "StringValue": "Any City"},
                               "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"}},
            MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}})
        mid = sent["MessageId"]
        first = None
        for n in (1, 2):
            msgs = receive(self.c, src, VisibilityTimeout=0)
            self.assertEqual(ids(msgs), [mid], "receive %d must still deliver from the source" % n)
            self.assertEqual(receive_count(msgs[0]), n)
            first = first or msgs[0]
        # third receive would make the count 3 > maxReceiveCount 2: moved, not returned
        self.assertEqual(receive(self.c, src, VisibilityTimeout=0), [])
        self.assertCounters(self.c, src, (0, 0, 0))
        self.assertCounters(self.c, dlq, (1, 0, 0))

        [d] = receive(self.c, dlq, VisibilityTimeout=600)
        self.assertEqual(d["MessageId"], mid)
        self.assertEqual(d["Body"], "poison")
        self.assertEqual(d["MD5OfBody"], sent["MD5OfMessageBody"])
        self.assertEqual(d["MessageAttributes"], {
            "city": {"DataType": "String", "StringValue": "Any City"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"}})
        self.assertEqual(d["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        a = d["Attributes"]
        self.assertEqual(a["AWSTraceHeader"], TRACE)
        self.assertEqual(a["ApproximateReceiveCount"], "3", "receive count carries over into the DLQ")
        self.assertEqual(a["DeadLetterQueueSourceArn"], src_arn)
        self.assertEqual(a["SentTimestamp"], first["Attributes"]["SentTimestamp"])
        self.c.delete_message(QueueUrl=dlq, ReceiptHandle=d["ReceiptHandle"])
        self.assertCounters(self.c, dlq, (0, 0, 0))

    def test_max_receive_count_one(self):
        # maxReceiveCount 1: the first receive delivers (count 1), the second attempt moves it,
        # the first DLQ receive shows ApproximateReceiveCount 2.
        src, dlq, _ = self.source_and_dlq(1)
        mid = self.c.send_message(QueueUrl=src, MessageBody="once")["MessageId"]
        [m] = receive(self.c, src, VisibilityTimeout=0)
        self.assertEqual(receive_count(m), 1)
        self.assertEqual(receive(self.c, src), [])
        [d] = receive(self.c, dlq)
        self.assertEqual(d["MessageId"], mid)
        self.assertEqual(d["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(d["Attributes"]["DeadLetterQueueSourceArn"], queue_arn(self.c, src))


class RedriveTests(CoreRedriveTests):

    def test_receive_continues_with_other_messages(self):
        src, dlq, _ = self.source_and_dlq(1)
        poison = self.c.send_message(QueueUrl=src, MessageBody="poison")["MessageId"]
        [m] = receive(self.c, src, VisibilityTimeout=0)
        self.assertEqual(m["MessageId"], poison)
        fresh = self.c.send_message(QueueUrl=src, MessageBody="fresh")["MessageId"]
        got = receive(self.c, src, VisibilityTimeout=600)
        self.assertEqual(ids(got), [fresh], "the moved message is skipped, the fresh one delivered")
        self.assertEqual(ids(receive(self.c, dlq, VisibilityTimeout=600)), [poison])

    def test_expired_visibility_counts_toward_max(self):
        src, dlq, _ = self.source_and_dlq(2)
        mid = self.c.send_message(QueueUrl=src, MessageBody="x")["MessageId"]
        receive(self.c, src, VisibilityTimeout=1)
        msgs = []
        ok = harness.wait_until(lambda: msgs.extend(receive(self.c, src, VisibilityTimeout=0)) or msgs,
                                timeout=4.0)
        self.assertTrue(ok)
        self.assertEqual(receive_count(msgs[0]), 2)
        self.assertEqual(receive(self.c, src), [])
        self.assertEqual(ids(receive(self.c, dlq)), [mid])

    def test_list_dead_letter_source_queues(self):
        dlq = self.new_queue(self.c, "ldlq")
        dlq_arn = queue_arn(self.c, dlq)
        s1 = self.new_queue(self.c, "lsrc", {"RedrivePolicy": policy(dlq_arn, 3)})
        s2 = self.new_queue(self.c, "lsrc")
        self.c.set_queue_attributes(QueueUrl=s2, Attributes={"RedrivePolicy": policy(dlq_arn, 5)})
        unrelated = self.new_queue(self.c, "lsrc")
        resp = self.c.list_dead_letter_source_queues(QueueUrl=dlq)
        self.assertEqual(sorted(resp["queueUrls"]), sorted([s1, s2]))
        self.assertEqual(self.c.list_dead_letter_source_queues(QueueUrl=unrelated).get("queueUrls", []), [])

        page1 = self.c.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1)
        self.assertEqual(len(page1["queueUrls"]), 1)
        self.assertIn("NextToken", page1)
        page2 = self.c.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1, NextToken=page1["NextToken"])
        self.assertEqual(sorted(page1["queueUrls"] + page2["queueUrls"]), sorted([s1, s2]))
        self.assertNotIn("NextToken", page2)

        self.assertSqsError("AWS.SimpleQueueService.NonExistentQueue", self.c.list_dead_letter_source_queues,
                            QueueUrl=dlq + "-missing")

    def test_redrive_policy_is_returned_normalised(self):
        dlq = self.new_queue(self.c, "rnorm")
        arn = queue_arn(self.c, dlq)
        src = self.new_queue(self.c, "rnorm", {"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": arn, "maxReceiveCount": "5"})})  # numeric string accepted
        got = json.loads(queue_attrs(self.c, src, ["RedrivePolicy"])["RedrivePolicy"])
        self.assertEqual(got, {"deadLetterTargetArn": arn, "maxReceiveCount": 5})
        self.c.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": json.dumps(
            {"maxReceiveCount": "7", "deadLetterTargetArn": arn})})
        got = json.loads(queue_attrs(self.c, src, ["All"])["RedrivePolicy"])
        self.assertEqual(got, {"deadLetterTargetArn": arn, "maxReceiveCount": 7})

    def test_redrive_policy_validation(self):
        dlq = self.new_queue(self.c, "rval")
        arn = queue_arn(self.c, dlq)
        missing_arn = arn.rsplit(":", 1)[0] + ":" + self.unique("no-such-queue")
        bad_policies = [
            policy(missing_arn, 3),                                  # DLQ does not exist
            "not json",                                              # unparseable
            "{\"deadLetterTargetArn\": ",                            # truncated JSON
            json.dumps({"deadLetterTargetArn": arn}),                # missing maxReceiveCount
            json.dumps({"maxReceiveCount": 3}),                      # missing target
            policy(arn, 0),                                          # below 1
            policy(arn, 1001),                                       # above 1000
            policy(arn, "abc"),                                      # non-numeric string
        ]
        src = self.new_queue(self.c, "rval-src")
        for bad in bad_policies:
            self.assertSqsError("InvalidParameterValue", self.c.set_queue_attributes,
                                QueueUrl=src, Attributes={"RedrivePolicy": bad})
            name = self.unique("rval-new")
            self.assertSqsError("InvalidParameterValue", self.c.create_queue,
                                QueueName=name, Attributes={"RedrivePolicy": bad})
            self.assertSqsError("AWS.SimpleQueueService.NonExistentQueue", self.c.get_queue_url, QueueName=name)
        self.assertNotIn("RedrivePolicy", queue_attrs(self.c, src))
        # the bounds are valid
        for ok in (1, 1000, "1000"):
            self.c.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": policy(arn, ok)})
            self.assertEqual(json.loads(queue_attrs(self.c, src)["RedrivePolicy"])["maxReceiveCount"], int(ok))

    def test_fifo_and_standard_cannot_be_mixed(self):
        std_dlq = self.new_queue(self.c, "rmix")
        fifo_dlq = self.new_queue(self.c, "rmix", fifo=True)
        fifo_src = self.new_queue(self.c, "rmix-src", fifo=True)
        std_src = self.new_queue(self.c, "rmix-src")
        self.assertSqsError("InvalidParameterValue", self.c.set_queue_attributes, QueueUrl=fifo_src,
                            Attributes={"RedrivePolicy": policy(queue_arn(self.c, std_dlq), 3)})
        self.assertSqsError("InvalidParameterValue", self.c.set_queue_attributes, QueueUrl=std_src,
                            Attributes={"RedrivePolicy": policy(queue_arn(self.c, fifo_dlq), 3)})

    def test_empty_redrive_policy_removes_it(self):
        src, dlq, _ = self.source_and_dlq(1, prefix="rrm")
        self.assertIn("RedrivePolicy", queue_attrs(self.c, src))
        self.c.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": ""})
        self.assertNotIn("RedrivePolicy", queue_attrs(self.c, src))
        self.assertNotIn("RedrivePolicy", queue_attrs(self.c, src, ["RedrivePolicy"]))
        self.assertEqual(self.c.list_dead_letter_source_queues(QueueUrl=dlq).get("queueUrls", []), [])
        mid = self.c.send_message(QueueUrl=src, MessageBody="stays")["MessageId"]
        for n in range(1, 5):
            msgs = receive(self.c, src, VisibilityTimeout=0)
            self.assertEqual(ids(msgs), [mid])
            self.assertEqual(receive_count(msgs[0]), n)
        self.assertCounters(self.c, dlq, (0, 0, 0))

    def test_fifo_redrive(self):
        src, dlq, _ = self.source_and_dlq(1, fifo=True, prefix="rf")
        sent = self.c.send_message(QueueUrl=src, MessageBody="fifo-poison", MessageGroupId="g1")
        mid = sent["MessageId"]
        [m] = receive(self.c, src, VisibilityTimeout=0)
        self.assertEqual(m["MessageId"], mid)
        self.assertEqual(receive(self.c, src), [])
        [d] = receive(self.c, dlq)
        self.assertEqual(d["MessageId"], mid)
        self.assertEqual(d["Body"], "fifo-poison")
        self.assertEqual(d["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(d["Attributes"]["MessageGroupId"], "g1")
        self.assertEqual(d["Attributes"]["DeadLetterQueueSourceArn"], queue_arn(self.c, src))
        # moving into a FIFO DLQ replaces the dedup id with the original message id
        self.assertEqual(d["Attributes"]["MessageDeduplicationId"], mid)


@skip_unless_query
class QueryRedriveTests(CoreRedriveTests):
    protocol = "query"
