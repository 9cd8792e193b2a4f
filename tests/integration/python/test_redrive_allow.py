"""RedriveAllowPolicy on dead-letter queues (docs/sqs-semantics.md, RedriveAllowPolicy and
RedrivePolicy): validation of the policy document and its enforcement when a source queue names the
DLQ in its RedrivePolicy, over both protocols and the aws CLI."""
import json
import unittest

import harness
from fifo_util import AWS_CLI, Cli, ProtocolCase, allow_policy, arn_for, redrive_policy


class RedriveAllowBase(ProtocolCase):

    def dlq(self, policy=None, fifo=False, prefix="rap-dlq"):
        attrs = {"RedriveAllowPolicy": policy} if policy is not None else None
        return self.new_queue(prefix, attrs, fifo=fifo)

    def attrs(self, url):
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]

    def assert_create_rejected(self, dlq_arn, fifo=False):
        name = self.unique("rap-src") + (".fifo" if fifo else "")
        attributes = {"RedrivePolicy": redrive_policy(dlq_arn, 3)}
        if fifo:
            attributes["FifoQueue"] = "true"
        self.fails("InvalidParameterValue", self.sqs.create_queue, QueueName=name, Attributes=attributes)
        self.fails("AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url, QueueName=name)

    def assert_set_rejected(self, src_url, dlq_arn):
        before = self.attrs(src_url).get("RedrivePolicy")
        self.fails("InvalidParameterValue", self.sqs.set_queue_attributes, QueueUrl=src_url,
                   Attributes={"RedrivePolicy": redrive_policy(dlq_arn, 3)})
        self.assertEqual(self.attrs(src_url).get("RedrivePolicy"), before, "a rejected policy was stored")

    def set_redrive(self, src_url, dlq_arn, max_receive=3):
        self.sqs.set_queue_attributes(QueueUrl=src_url, Attributes={"RedrivePolicy": redrive_policy(dlq_arn, max_receive)})
        self.assertEqual(json.loads(self.attrs(src_url)["RedrivePolicy"])["deadLetterTargetArn"], dlq_arn)

    # ------------------------------------------------------------ enforcement
    def test_absent_policy_allows_every_source(self):
        dlq_url, dlq_arn = self.dlq()
        self.assertNotIn("RedriveAllowPolicy", self.attrs(dlq_url))
        src, _ = self.new_queue("rap-src", {"RedrivePolicy": redrive_policy(dlq_arn, 2)})
        other, _ = self.new_queue("rap-src")
        self.set_redrive(other, dlq_arn)
        self.assertEqual(sorted(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq_url)["queueUrls"]),
                         sorted([src, other]))

    def test_allow_all(self):
        policy = allow_policy("allowAll")
        dlq_url, dlq_arn = self.dlq(policy)
        self.assertEqual(json.loads(self.attrs(dlq_url)["RedriveAllowPolicy"]), json.loads(policy))
        self.new_queue("rap-src", {"RedrivePolicy": redrive_policy(dlq_arn, 2)})
        src, _ = self.new_queue("rap-src")
        self.set_redrive(src, dlq_arn)

    def test_deny_all(self):
        dlq_url, dlq_arn = self.dlq(allow_policy("denyAll"))
        self.assert_create_rejected(dlq_arn)
        src, _ = self.new_queue("rap-src")
        self.assert_set_rejected(src, dlq_arn)
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq_url).get("queueUrls", []), [])
        # lifting the restriction lets the same source in
        self.sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"RedriveAllowPolicy": allow_policy("allowAll")})
        self.set_redrive(src, dlq_arn)

    def test_deny_all_set_after_creation(self):
        dlq_url, dlq_arn = self.dlq()
        self.sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"RedriveAllowPolicy": allow_policy("denyAll")})
        self.assertEqual(json.loads(self.attrs(dlq_url)["RedriveAllowPolicy"]), {"redrivePermission": "denyAll"})
        src, _ = self.new_queue("rap-src")
        self.assert_set_rejected(src, dlq_arn)

    def test_by_queue(self):
        listed_name = self.unique("rap-listed")
        listed_arn = arn_for(listed_name)
        dlq_url, dlq_arn = self.dlq(allow_policy("byQueue", [listed_arn]))
        # a source that does not exist yet may be listed; creating it with the policy works
        listed_url, _ = self.new_queue(name=listed_name, attributes={"RedrivePolicy": redrive_policy(dlq_arn, 4)})
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq_url)["queueUrls"], [listed_url])
        # anybody else is refused, on CreateQueue and on SetQueueAttributes
        self.assert_create_rejected(dlq_arn)
        other, other_arn = self.new_queue("rap-other")
        self.assert_set_rejected(other, dlq_arn)
        # listing the other queue too lets it in
        self.sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={
            "RedriveAllowPolicy": allow_policy("byQueue", [listed_arn, other_arn])})
        self.set_redrive(other, dlq_arn)
        self.assertEqual(sorted(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq_url)["queueUrls"]),
                         sorted([listed_url, other]))

    def test_by_queue_with_ten_sources(self):
        names = [self.unique("rap-ten") for _ in range(10)]
        policy = allow_policy("byQueue", [arn_for(n) for n in names])
        dlq_url, dlq_arn = self.dlq(policy)
        self.assertEqual(json.loads(self.attrs(dlq_url)["RedriveAllowPolicy"]), json.loads(policy))
        for n in (names[0], names[9]):
            self.new_queue(name=n, attributes={"RedrivePolicy": redrive_policy(dlq_arn, 1)})
        self.assert_create_rejected(dlq_arn)
        # eleven is one too many; the stored policy stays as it was
        eleven = allow_policy("byQueue", [arn_for(n) for n in names] + [arn_for(self.unique("rap-11"))])
        self.fails("InvalidParameterValue", self.sqs.set_queue_attributes, QueueUrl=dlq_url,
                   Attributes={"RedriveAllowPolicy": eleven})
        self.assertEqual(json.loads(self.attrs(dlq_url)["RedriveAllowPolicy"]), json.loads(policy))
        name = self.unique("rap-11dlq")
        self.fails("InvalidParameterValue", self.sqs.create_queue, QueueName=name,
                   Attributes={"RedriveAllowPolicy": eleven})
        self.fails("AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url, QueueName=name)

    def test_fifo_dead_letter_queue_by_queue(self):
        listed = self.unique("rap-fifo") + ".fifo"
        dlq_url, dlq_arn = self.dlq(allow_policy("byQueue", [arn_for(listed)]), fifo=True)
        self.new_queue(name=listed, attributes={"RedrivePolicy": redrive_policy(dlq_arn, 2)}, fifo=True)
        self.assert_create_rejected(dlq_arn, fifo=True)
        other, _ = self.new_queue("rap-fifo-other", fifo=True)
        self.assert_set_rejected(other, dlq_arn)

    def test_redrive_still_moves_messages_to_an_allowing_dlq(self):
        src_name = self.unique("rap-move")
        dlq_url, dlq_arn = self.dlq(allow_policy("byQueue", [arn_for(src_name)]))
        src, src_arn = self.new_queue(name=src_name, attributes={"RedrivePolicy": redrive_policy(dlq_arn, 1)})
        mid = self.sqs.send_message(QueueUrl=src, MessageBody="poison")["MessageId"]
        self.assertEqual(len(self.sqs.receive_message(QueueUrl=src, VisibilityTimeout=0).get("Messages", [])), 1)
        self.assertEqual(self.sqs.receive_message(QueueUrl=src).get("Messages", []), [])
        [m] = self.sqs.receive_message(QueueUrl=dlq_url, AttributeNames=["All"])["Messages"]
        self.assertEqual(m["MessageId"], mid)
        self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"], src_arn)

    # ------------------------------------------------------------ validation
    def test_policy_document_validation(self):
        arn = arn_for(self.unique("rap-x"))
        bad = [
            "not json",
            "[]",
            "{}",
            json.dumps({"sourceQueueArns": [arn]}),                               # no permission
            json.dumps({"redrivePermission": "allowSome"}),                       # unknown value
            json.dumps({"redrivePermission": "byQueue"}),                         # no ARNs
            json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": arn}),  # not a list
            json.dumps({"redrivePermission": "allowAll", "sourceQueueArns": [arn]}),
            json.dumps({"redrivePermission": "denyAll", "sourceQueueArns": [arn]}),
            allow_policy("byQueue", [arn_for("rap-%d" % i) for i in range(11)]),
        ]
        dlq_url, _ = self.dlq()
        for doc in bad:
            with self.subTest(policy=doc):
                self.fails("InvalidParameterValue", self.sqs.set_queue_attributes, QueueUrl=dlq_url,
                           Attributes={"RedriveAllowPolicy": doc})
                self.assertNotIn("RedriveAllowPolicy", self.attrs(dlq_url))
                name = self.unique("rap-bad")
                self.fails("InvalidParameterValue", self.sqs.create_queue, QueueName=name,
                           Attributes={"RedriveAllowPolicy": doc})
                self.fails("AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url, QueueName=name)
        for good in (allow_policy("allowAll"), allow_policy("denyAll"), allow_policy("byQueue", [arn])):
            with self.subTest(policy=good):
                self.sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"RedriveAllowPolicy": good})
                self.assertEqual(json.loads(self.attrs(dlq_url)["RedriveAllowPolicy"]), json.loads(good))
                self.assertEqual(json.loads(self.sqs.get_queue_attributes(
                    QueueUrl=dlq_url, AttributeNames=["RedriveAllowPolicy"])["Attributes"]["RedriveAllowPolicy"]),
                    json.loads(good))


class TestRedriveAllowJson(RedriveAllowBase, harness.ServerTestCase):
    protocol = "json"


class TestRedriveAllowQuery(RedriveAllowBase, harness.ServerTestCase):
    protocol = "query"


del RedriveAllowBase


@unittest.skipIf(AWS_CLI is None, "the aws CLI is not installed")
class TestRedriveAllowCli(harness.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cli = Cli(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.cli.close()
        super().tearDownClass()

    def test_deny_all_with_the_cli(self):
        dlq_name = self.unique("cli-dlq")
        dlq = self.cli.ok("create-queue", "--queue-name", dlq_name)["QueueUrl"]
        self.cli.ok("set-queue-attributes", "--queue-url", dlq, "--attributes",
                    json.dumps({"RedriveAllowPolicy": allow_policy("denyAll")}))
        src = self.cli.ok("create-queue", "--queue-name", self.unique("cli-src"))["QueueUrl"]
        err = self.cli.fails("set-queue-attributes", "--queue-url", src, "--attributes",
                             json.dumps({"RedrivePolicy": redrive_policy(arn_for(dlq_name), 2)}))
        self.assertIn("InvalidParameterValue", err)
        err = self.cli.fails("set-queue-attributes", "--queue-url", dlq, "--attributes",
                             json.dumps({"RedriveAllowPolicy": allow_policy("byQueue")}))
        self.assertIn("InvalidParameterValue", err)
        self.cli.ok("set-queue-attributes", "--queue-url", dlq, "--attributes",
                    json.dumps({"RedriveAllowPolicy": allow_policy("byQueue", [arn_for(src.rsplit("/", 1)[1])])}))
        self.cli.ok("set-queue-attributes", "--queue-url", src, "--attributes",
                    json.dumps({"RedrivePolicy": redrive_policy(arn_for(dlq_name), 2)}))
        got = self.cli.ok("list-dead-letter-source-queues", "--queue-url", dlq)
        self.assertEqual(got["queueUrls"], [src])
