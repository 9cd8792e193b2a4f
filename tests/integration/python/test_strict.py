"""The --strict flag: with it, AWS's 60-second rules apply — a second PurgeQueue of a queue
within 60 s is PurgeQueueInProgress (HTTP 403) and re-creating a deleted queue's name within
60 s is QueueDeletedRecently; without it (the default) both succeed, as LocalStack does by
default. See docs/sqs-semantics.md, DeleteQueue, PurgeQueue and `--strict`."""
import unittest

import harness
from fifo_util import AWS_CLI, Cli, ProtocolCase, name_of

PURGE_IN_PROGRESS = "AWS.SimpleQueueService.PurgeQueueInProgress"
DELETED_RECENTLY = "AWS.SimpleQueueService.QueueDeletedRecently"


class StrictBase(ProtocolCase):
    server_args = ("--strict",)

    def test_second_purge_within_60_seconds_fails(self):
        url, _ = self.new_queue("strict-purge")
        self.sqs.send_message(QueueUrl=url, MessageBody="before")
        self.sqs.purge_queue(QueueUrl=url)
        self.assertEqual(self.counters(url), (0, 0, 0))
        self.sqs.send_message(QueueUrl=url, MessageBody="after")
        self.fails(PURGE_IN_PROGRESS, self.sqs.purge_queue, QueueUrl=url, status=403,
                   shape="PurgeQueueInProgress",
                   message="Only one PurgeQueue operation on %s is allowed every 60 seconds." % name_of(url))
        # the refused purge deleted nothing
        self.assertEqual(self.counters(url), (1, 0, 0))
        self.assertEqual([m["Body"] for m in self.sqs.receive_message(QueueUrl=url).get("Messages", [])], ["after"])
        # a third attempt is refused just the same
        self.fails(PURGE_IN_PROGRESS, self.sqs.purge_queue, QueueUrl=url, status=403)

    def test_purge_limit_is_per_queue(self):
        a, _ = self.new_queue("strict-pa")
        b, _ = self.new_queue("strict-pb")
        self.sqs.purge_queue(QueueUrl=a)
        self.sqs.purge_queue(QueueUrl=b)
        self.fails(PURGE_IN_PROGRESS, self.sqs.purge_queue, QueueUrl=a, status=403)
        self.fails(PURGE_IN_PROGRESS, self.sqs.purge_queue, QueueUrl=b, status=403)
        self.fails("AWS.SimpleQueueService.NonExistentQueue", self.sqs.purge_queue, QueueUrl=a + "-missing")

    def test_recreating_a_deleted_name_within_60_seconds_fails(self):
        name = self.unique("strict-del")
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        self.sqs.delete_queue(QueueUrl=url)
        self.fails(DELETED_RECENTLY, self.sqs.create_queue, QueueName=name, status=400,
                   shape="QueueDeletedRecently")
        self.fails(DELETED_RECENTLY, self.sqs.create_queue, QueueName=name,
                   Attributes={"VisibilityTimeout": "45"}, status=400)
        self.fails("AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url, QueueName=name)
        # other names are unaffected
        other = self.sqs.create_queue(QueueName=name + "-b")["QueueUrl"]
        self.assertEqual(name_of(other), name + "-b")

    def test_recreating_a_deleted_fifo_name_within_60_seconds_fails(self):
        url, _ = self.new_queue("strict-fdel", fifo=True)
        self.sqs.delete_queue(QueueUrl=url)
        self.fails(DELETED_RECENTLY, self.sqs.create_queue, QueueName=name_of(url),
                   Attributes={"FifoQueue": "true"}, status=400)


class DefaultBase(ProtocolCase):
    """No --strict: the 60-second rules are off."""

    def test_purge_twice_succeeds(self):
        url, _ = self.new_queue("lax-purge")
        self.sqs.send_message(QueueUrl=url, MessageBody="one")
        self.sqs.purge_queue(QueueUrl=url)
        self.sqs.send_message(QueueUrl=url, MessageBody="two")
        self.sqs.purge_queue(QueueUrl=url)
        self.sqs.purge_queue(QueueUrl=url)
        self.assertEqual(self.counters(url), (0, 0, 0))

    def test_recreate_immediately_succeeds_with_a_fresh_queue(self):
        name = self.unique("lax-del")
        url = self.sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "45"})["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="old")
        self.sqs.delete_queue(QueueUrl=url)
        again = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.assertEqual(again, url)
        self.assertEqual(self.counters(again), (0, 0, 0), "messages of the deleted queue came back")
        self.assertEqual(self.sqs.get_queue_attributes(QueueUrl=again, AttributeNames=["VisibilityTimeout"])
                         ["Attributes"], {"VisibilityTimeout": "30"})
        fifo, _ = self.new_queue("lax-fdel", fifo=True)
        self.sqs.delete_queue(QueueUrl=fifo)
        self.sqs.create_queue(QueueName=name_of(fifo), Attributes={"FifoQueue": "true"})


class TestStrictJson(StrictBase, harness.ServerTestCase):
    protocol = "json"


class TestStrictQuery(StrictBase, harness.ServerTestCase):
    protocol = "query"


class TestDefaultJson(DefaultBase, harness.ServerTestCase):
    protocol = "json"


class TestDefaultQuery(DefaultBase, harness.ServerTestCase):
    protocol = "query"


del StrictBase, DefaultBase


class TestStrictRawJson(harness.ServerTestCase):
    """The JSON wire form of both errors: status, x-amzn-query-error header, __type."""
    server_args = ("--strict",)

    def test_wire_form_of_the_errors(self):
        name = self.unique("raw-strict")
        status, _, body = self.server.raw_json("CreateQueue", {"QueueName": name})
        self.assertEqual(status, 200)
        url = body["QueueUrl"]
        self.assertEqual(self.server.raw_json("PurgeQueue", {"QueueUrl": url})[0], 200)
        status, headers, body = self.server.raw_json("PurgeQueue", {"QueueUrl": url})
        self.assertEqual(status, 403)
        self.assertEqual(headers.get("x-amzn-query-error"), PURGE_IN_PROGRESS + ";Sender")
        self.assertEqual(body["__type"].rsplit("#", 1)[-1], "PurgeQueueInProgress")
        self.assertEqual(body.get("message"),
                         "Only one PurgeQueue operation on %s is allowed every 60 seconds." % name)
        self.assertEqual(self.server.raw_json("DeleteQueue", {"QueueUrl": url})[0], 200)
        status, headers, body = self.server.raw_json("CreateQueue", {"QueueName": name})
        self.assertEqual(status, 400)
        self.assertEqual(headers.get("x-amzn-query-error"), DELETED_RECENTLY + ";Sender")
        self.assertEqual(body["__type"].rsplit("#", 1)[-1], "QueueDeletedRecently")


@unittest.skipIf(AWS_CLI is None, "the aws CLI is not installed")
class TestStrictCli(harness.ServerTestCase):
    server_args = ("--strict",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cli = Cli(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.cli.close()
        super().tearDownClass()

    def test_strict_rules_with_the_cli(self):
        name = self.unique("cli-strict")
        url = self.cli.ok("create-queue", "--queue-name", name)["QueueUrl"]
        self.cli.ok("purge-queue", "--queue-url", url)
        err = self.cli.fails("purge-queue", "--queue-url", url)
        self.assertIn(PURGE_IN_PROGRESS, err)
        self.cli.ok("delete-queue", "--queue-url", url)
        err = self.cli.fails("create-queue", "--queue-name", name)
        self.assertIn(DELETED_RECENTLY, err)
