"""Queue management over both wire protocols: names, URLs and ARNs, CreateQueue, GetQueueUrl,
ListQueues, DeleteQueue, PurgeQueue, attributes, permissions and tags (docs/sqs-semantics.md,
Queues; Queue attributes; Permissions and tags)."""
import json
import time
import urllib.parse
import xml.etree.ElementTree as ET

from botocore.exceptions import ClientError

from harness import ServerTestCase, wait_until
from query_model import record_requests
from sqs_asserts import ACCOUNT, SqsCase, queue_arn

DEFAULT_ATTRIBUTES = {
    "ApproximateNumberOfMessages": "0",
    "ApproximateNumberOfMessagesDelayed": "0",
    "ApproximateNumberOfMessagesNotVisible": "0",
    "DelaySeconds": "0",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "SqsManagedSseEnabled": "true",
    "VisibilityTimeout": "30",
}
STANDARD_ALL_NAMES = sorted(list(DEFAULT_ATTRIBUTES) + ["CreatedTimestamp", "LastModifiedTimestamp", "QueueArn"])
FIFO_DEFAULTS = {
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoQueue": "true",
    "FifoThroughputLimit": "perQueue",
}

# rw integer attributes: (name, min, max)
INT_RANGES = [
    ("DelaySeconds", 0, 900),
    ("MaximumMessageSize", 1024, 1048576),
    ("MessageRetentionPeriod", 60, 1209600),
    ("ReceiveMessageWaitTimeSeconds", 0, 20),
    ("VisibilityTimeout", 0, 43200),
    ("KmsDataKeyReusePeriodSeconds", 60, 86400),
]

UNKNOWN_ATTRIBUTE = "Unknown Attribute %s."


def local_name(tag):
    return tag.rsplit("}", 1)[-1]


class QueuesBase(SqsCase):
    # ---------------------------------------------------------------- wire
    def test_wire_protocol_is_the_requested_one(self):
        client = self.server.client(protocol=self.protocol)
        seen = record_requests(client)
        name = self.unique()
        url = client.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "31"},
                                  tags={"env": "dev"})["QueueUrl"]
        self.assertEqual(url, self.url_for(name))
        self.assertEqual(len(seen), 1)
        req = seen[0]
        self.assertEqual(req["method"], "POST")
        self.assertEqual(urllib.parse.urlsplit(req["url"]).path or "/", "/")
        if self.protocol == "json":
            self.assertTrue(req["headers"]["content-type"].startswith("application/x-amz-json-1.0"))
            self.assertEqual(req["headers"]["x-amz-target"], "AmazonSQS.CreateQueue")
            self.assertEqual(json.loads(req["body"]), {
                "QueueName": name, "Attributes": {"VisibilityTimeout": "31"}, "tags": {"env": "dev"}})
        else:
            self.assertTrue(req["headers"]["content-type"].startswith("application/x-www-form-urlencoded"))
            self.assertNotIn("x-amz-target", req["headers"])
            params = dict(urllib.parse.parse_qsl(req["body"].decode(), keep_blank_values=True))
            self.assertEqual(params, {
                "Action": "CreateQueue", "Version": "2012-11-05", "QueueName": name,
                "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "31",
                "Tag.1.Key": "env", "Tag.1.Value": "dev"})

    # --------------------------------------------------------- CreateQueue
    def test_create_queue_defaults(self):
        name = self.unique()
        before = int(time.time())
        url = self.create_queue(name)
        after = int(time.time()) + 1
        self.assertEqual(url, "%s/%s/%s" % (self.server.endpoint, ACCOUNT, name))
        attrs = self.queue_attributes(url)
        self.assertEqual(sorted(attrs), STANDARD_ALL_NAMES)
        for key, value in DEFAULT_ATTRIBUTES.items():
            self.assertEqual(attrs[key], value, key)
        self.assertEqual(attrs["QueueArn"], queue_arn(name))
        for key in ("CreatedTimestamp", "LastModifiedTimestamp"):
            self.assertRegex(attrs[key], r"^[0-9]+$")
            self.assertTrue(before <= int(attrs[key]) <= after, (key, attrs[key], before, after))

    def test_create_queue_with_attributes(self):
        wanted = {
            "DelaySeconds": "5",
            "MaximumMessageSize": "2048",
            "MessageRetentionPeriod": "120",
            "ReceiveMessageWaitTimeSeconds": "3",
            "VisibilityTimeout": "45",
        }
        url = self.create_queue(attributes=wanted)
        attrs = self.queue_attributes(url)
        for key, value in wanted.items():
            self.assertEqual(attrs[key], value, key)
        self.assertEqual(sorted(attrs), STANDARD_ALL_NAMES)

    def test_create_queue_with_tags(self):
        url = self.create_queue(tags={"env": "dev", "team": "core"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags"),
                         {"env": "dev", "team": "core"})

    def test_create_fifo_queue_defaults(self):
        name = self.unique() + ".fifo"
        url = self.create_queue(name, attributes={"FifoQueue": "true"})
        self.assertEqual(url, self.url_for(name))
        attrs = self.queue_attributes(url)
        self.assertEqual(sorted(attrs), sorted(STANDARD_ALL_NAMES + list(FIFO_DEFAULTS)))
        for key, value in dict(DEFAULT_ATTRIBUTES, **FIFO_DEFAULTS).items():
            self.assertEqual(attrs[key], value, key)
        self.assertEqual(attrs["QueueArn"], queue_arn(name))

    def test_create_queue_is_idempotent_on_equal_attributes(self):
        name = self.unique()
        attributes = {"VisibilityTimeout": "60", "DelaySeconds": "2"}
        url = self.create_queue(name, attributes=attributes)
        self.assertEqual(self.create_queue(name, attributes=attributes), url)
        # No attributes at all: success, existing URL.
        self.assertEqual(self.create_queue(name), url)
        # A subset of equal values.
        self.assertEqual(self.create_queue(name, attributes={"DelaySeconds": "2"}), url)
        self.assertEqual(self.queue_attributes(url, ["VisibilityTimeout"]), {"VisibilityTimeout": "60"})

    def test_create_queue_is_idempotent_on_values_equal_to_defaults(self):
        name = self.unique()
        url = self.create_queue(name)
        self.assertEqual(self.create_queue(name, attributes={"VisibilityTimeout": "30"}), url)
        self.assertEqual(self.create_queue(name, attributes={
            "DelaySeconds": "0", "MaximumMessageSize": "1048576",
            "MessageRetentionPeriod": "345600", "ReceiveMessageWaitTimeSeconds": "0"}), url)
        # booleans compare case-insensitively
        self.assertEqual(self.create_queue(name, attributes={"SqsManagedSseEnabled": "True"}), url)

    def test_create_queue_with_different_value_fails(self):
        name = self.unique()
        url = self.create_queue(name, attributes={"VisibilityTimeout": "60"})
        with self.assertRaises(ClientError) as ctx:
            self.create_queue(name, attributes={"VisibilityTimeout": "61"})
        self.assertError(ctx, "QueueAlreadyExists",
                         "A queue already exists with the same name and a different value "
                         "for attribute VisibilityTimeout")
        # A value equal to the default differs from the queue's effective value.
        with self.assertRaises(ClientError) as ctx:
            self.create_queue(name, attributes={"VisibilityTimeout": "30"})
        self.assertError(ctx, "QueueAlreadyExists")
        with self.assertRaises(ClientError) as ctx:
            self.create_queue(name, attributes={"VisibilityTimeout": "60", "DelaySeconds": "1"})
        self.assertError(ctx, "QueueAlreadyExists",
                         "A queue already exists with the same name and a different value "
                         "for attribute DelaySeconds")
        self.assertEqual(self.queue_attributes(url, ["VisibilityTimeout", "DelaySeconds"]),
                         {"VisibilityTimeout": "60", "DelaySeconds": "0"})

    def test_create_queue_invalid_names(self):
        base = self.unique("n")
        bad = [
            "a" * 81,
            "has space",
            "bad!char",
            "dot.name",
            "slash/name",
            "ünïcode",
        ]
        for name in bad:
            with self.subTest(name=name):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.create_queue(QueueName=name)
                self.assertInvalidParameter(ctx)
        # Boundaries that are valid.
        longest = (base + "L" * 80)[:80]
        self.assertEqual(self.create_queue(longest), self.url_for(longest))
        mixed = base + "-Mixed_Case-9"
        self.assertEqual(self.create_queue(mixed), self.url_for(mixed))

    def test_create_fifo_queue_names(self):
        base = self.unique("n")
        # FIFO suffix and FifoQueue attribute must go together.
        with self.assertRaises(ClientError) as ctx:
            self.sqs.create_queue(QueueName=base + "-x.fifo")
        self.assertInvalidParameter(ctx)
        with self.assertRaises(ClientError) as ctx:
            self.sqs.create_queue(QueueName=base + "-y", Attributes={"FifoQueue": "true"})
        self.assertInvalidParameter(ctx)
        with self.assertRaises(ClientError) as ctx:
            self.sqs.create_queue(QueueName="f" * 77 + ".fifo", Attributes={"FifoQueue": "true"})
        self.assertInvalidParameter(ctx)
        fifo_longest = (base + "F" * 80)[:75] + ".fifo"
        self.assertEqual(self.create_queue(fifo_longest, attributes={"FifoQueue": "true"}),
                         self.url_for(fifo_longest))

    def test_create_queue_invalid_attributes(self):
        with self.assertRaises(ClientError) as ctx:
            self.create_queue(attributes={"VisibilityTimeout": "43201"})
        self.assertError(ctx, "InvalidAttributeValue", "Invalid value for the parameter VisibilityTimeout.")
        with self.assertRaises(ClientError) as ctx:
            self.create_queue(attributes={"DelaySeconds": "soon"})
        self.assertError(ctx, "InvalidAttributeValue", "Invalid value for the parameter DelaySeconds.")
        with self.assertRaises(ClientError) as ctx:
            self.create_queue(attributes={"Colour": "blue"})
        self.assertError(ctx, "InvalidAttributeName", UNKNOWN_ATTRIBUTE % "Colour")
        with self.assertRaises(ClientError) as ctx:
            self.create_queue(attributes={"QueueArn": "arn:aws:sqs:us-east-1:000000000000:x"})
        self.assertError(ctx, "InvalidAttributeName", UNKNOWN_ATTRIBUTE % "QueueArn")
        # FifoQueue=false on a standard queue is still an unknown attribute.
        with self.assertRaises(ClientError) as ctx:
            self.create_queue(attributes={"FifoQueue": "false"})
        self.assertError(ctx, "InvalidAttributeName", UNKNOWN_ATTRIBUTE % "FifoQueue")
        with self.assertRaises(ClientError) as ctx:
            self.create_queue(attributes={"ContentBasedDeduplication": "true"})
        self.assertError(ctx, "InvalidAttributeName", UNKNOWN_ATTRIBUTE % "ContentBasedDeduplication")

    # --------------------------------------------------------- GetQueueUrl
    def test_get_queue_url(self):
        name = self.unique()
        url = self.create_queue(name)
        self.assertEqual(self.sqs.get_queue_url(QueueName=name)["QueueUrl"], url)
        self.assertEqual(self.sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=ACCOUNT)["QueueUrl"], url)
        with self.assertRaises(ClientError) as ctx:
            self.sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId="111122223333")
        self.assertQueueDoesNotExist(ctx)

    def test_get_queue_url_missing_queue(self):
        with self.assertRaises(ClientError) as ctx:
            self.sqs.get_queue_url(QueueName=self.unique("missing"))
        self.assertQueueDoesNotExist(ctx)
        self.assertIsInstance(ctx.exception, self.sqs.exceptions.QueueDoesNotExist)

    def test_queue_names_are_case_sensitive(self):
        name = self.unique("CaseQ")
        self.create_queue(name)
        with self.assertRaises(ClientError) as ctx:
            self.sqs.get_queue_url(QueueName=name.lower())
        self.assertQueueDoesNotExist(ctx)

    # ---------------------------------------------------------- ListQueues
    def test_list_queues_prefix(self):
        prefix = self.unique("lp")
        urls = sorted(self.create_queue(prefix + suffix) for suffix in ("-a", "-b", "-c"))
        other = self.create_queue(self.unique("other"))
        got = self.sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls")
        self.assertEqual(sorted(got), urls)
        self.assertNotIn("NextToken", self.sqs.list_queues(QueueNamePrefix=prefix))
        # case-sensitive prefix
        self.assertNotIn("QueueUrls", self.sqs.list_queues(QueueNamePrefix=prefix.upper()))
        every = self.sqs.list_queues().get("QueueUrls", [])
        for url in urls + [other]:
            self.assertIn(url, every)

    def test_list_queues_empty(self):
        resp = self.sqs.list_queues(QueueNamePrefix=self.unique("nothing-here"))
        self.assertNotIn("QueueUrls", resp)
        self.assertNotIn("NextToken", resp)

    def test_list_queues_paging(self):
        prefix = self.unique("pg")
        urls = sorted(self.create_queue("%s-%d" % (prefix, i)) for i in range(5))
        seen = []
        pages = 0
        kwargs = {"QueueNamePrefix": prefix, "MaxResults": 2}
        while True:
            resp = self.sqs.list_queues(**kwargs)
            pages += 1
            page = resp.get("QueueUrls", [])
            self.assertTrue(1 <= len(page) <= 2, resp)
            seen.extend(page)
            if "NextToken" not in resp:
                break
            self.assertLess(pages, 5, "paging does not terminate")
            kwargs["NextToken"] = resp["NextToken"]
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(seen), urls)
        # Exactly as many as there are: no NextToken.
        resp = self.sqs.list_queues(QueueNamePrefix=prefix, MaxResults=5)
        self.assertEqual(sorted(resp["QueueUrls"]), urls)
        self.assertNotIn("NextToken", resp)
        resp = self.sqs.list_queues(QueueNamePrefix=prefix, MaxResults=1000)
        self.assertEqual(sorted(resp["QueueUrls"]), urls)

    def test_list_queues_max_results_range(self):
        for value in (0, 1001, -1):
            with self.subTest(MaxResults=value):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.list_queues(MaxResults=value)
                self.assertInvalidParameter(ctx)

    # --------------------------------------------------------- DeleteQueue
    def test_delete_queue(self):
        name = self.unique()
        url = self.create_queue(name)
        self.sqs.send_message(QueueUrl=url, MessageBody="bye")
        self.sqs.delete_queue(QueueUrl=url)
        with self.assertRaises(ClientError) as ctx:
            self.sqs.get_queue_url(QueueName=name)
        self.assertQueueDoesNotExist(ctx)
        with self.assertRaises(ClientError) as ctx:
            self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        self.assertQueueDoesNotExist(ctx)
        self.assertNotIn(url, self.sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []))
        with self.assertRaises(ClientError) as ctx:
            self.sqs.delete_queue(QueueUrl=url)
        self.assertQueueDoesNotExist(ctx)

    def test_queue_addressed_actions_on_missing_queue(self):
        url = self.url_for(self.unique("ghost"))
        calls = {
            "GetQueueAttributes": lambda: self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]),
            "SetQueueAttributes": lambda: self.sqs.set_queue_attributes(
                QueueUrl=url, Attributes={"VisibilityTimeout": "5"}),
            "PurgeQueue": lambda: self.sqs.purge_queue(QueueUrl=url),
            "TagQueue": lambda: self.sqs.tag_queue(QueueUrl=url, Tags={"a": "b"}),
            "UntagQueue": lambda: self.sqs.untag_queue(QueueUrl=url, TagKeys=["a"]),
            "ListQueueTags": lambda: self.sqs.list_queue_tags(QueueUrl=url),
            "ListDeadLetterSourceQueues": lambda: self.sqs.list_dead_letter_source_queues(QueueUrl=url),
            "AddPermission": lambda: self.sqs.add_permission(
                QueueUrl=url, Label="l", AWSAccountIds=["111122223333"], Actions=["SendMessage"]),
            "RemovePermission": lambda: self.sqs.remove_permission(QueueUrl=url, Label="l"),
            "DeleteQueue": lambda: self.sqs.delete_queue(QueueUrl=url),
        }
        for action, call in calls.items():
            with self.subTest(action=action):
                with self.assertRaises(ClientError) as ctx:
                    call()
                self.assertQueueDoesNotExist(ctx)

    # -------------------------------------------------- GetQueueAttributes
    def test_get_queue_attributes_selection(self):
        url = self.create_queue(attributes={"VisibilityTimeout": "44"})
        self.assertEqual(self.queue_attributes(url, ["VisibilityTimeout"]), {"VisibilityTimeout": "44"})
        self.assertEqual(self.queue_attributes(url, ["DelaySeconds", "MaximumMessageSize"]),
                         {"DelaySeconds": "0", "MaximumMessageSize": "1048576"})
        # All together with a single name is still everything.
        self.assertEqual(sorted(self.queue_attributes(url, ["All", "DelaySeconds"])), STANDARD_ALL_NAMES)
        # No names: empty result.
        self.assertNotIn("Attributes", self.sqs.get_queue_attributes(QueueUrl=url))
        # Optional attributes that are not set are simply absent.
        self.assertEqual(self.queue_attributes(url, ["Policy", "RedrivePolicy"]), {})

    def test_get_queue_attributes_unknown_name(self):
        url = self.create_queue()
        with self.assertRaises(ClientError) as ctx:
            self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Colour"])
        self.assertError(ctx, "InvalidAttributeName", UNKNOWN_ATTRIBUTE % "Colour")
        with self.assertRaises(ClientError) as ctx:
            self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "Bogus"])
        self.assertError(ctx, "InvalidAttributeName", UNKNOWN_ATTRIBUTE % "Bogus")

    def test_get_queue_attributes_message_counts(self):
        url = self.create_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="visible")
        self.sqs.send_message(QueueUrl=url, MessageBody="in flight")
        self.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=60)
        got = self.receive(url, VisibilityTimeout=60)
        self.assertEqual(len(got), 1)
        attrs = self.queue_attributes(url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                            "ApproximateNumberOfMessagesDelayed"])
        self.assertEqual(attrs, {"ApproximateNumberOfMessages": "1",
                                 "ApproximateNumberOfMessagesNotVisible": "1",
                                 "ApproximateNumberOfMessagesDelayed": "1"})

    # -------------------------------------------------- SetQueueAttributes
    def test_set_queue_attributes_integer_ranges(self):
        url = self.create_queue()
        for name, low, high in INT_RANGES:
            with self.subTest(attribute=name):
                for value in (low, high):
                    self.sqs.set_queue_attributes(QueueUrl=url, Attributes={name: str(value)})
                    self.assertEqual(self.queue_attributes(url, [name]).get(name), str(value))
                for value in (str(low - 1), str(high + 1), "abc", "1.5"):
                    with self.assertRaises(ClientError) as ctx:
                        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})
                    self.assertError(ctx, "InvalidAttributeValue", "Invalid value for the parameter %s." % name)

    def test_set_queue_attributes_applies_every_value(self):
        url = self.create_queue()
        wanted = {"DelaySeconds": "7", "MaximumMessageSize": "4096", "MessageRetentionPeriod": "600",
                  "ReceiveMessageWaitTimeSeconds": "2", "VisibilityTimeout": "9"}
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes=wanted)
        attrs = self.queue_attributes(url)
        for key, value in wanted.items():
            self.assertEqual(attrs[key], value, key)

    def test_set_queue_attributes_updates_last_modified(self):
        url = self.create_queue()
        created = int(self.queue_attributes(url, ["CreatedTimestamp"])["CreatedTimestamp"])
        self.assertTrue(wait_until(lambda: int(time.time()) > created, timeout=3))
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "12"})
        attrs = self.queue_attributes(url, ["CreatedTimestamp", "LastModifiedTimestamp"])
        self.assertEqual(int(attrs["CreatedTimestamp"]), created)
        self.assertGreater(int(attrs["LastModifiedTimestamp"]), created)

    def test_set_queue_attributes_sse_and_kms(self):
        url = self.create_queue()
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"SqsManagedSseEnabled": "false"})
        self.assertEqual(self.queue_attributes(url, ["SqsManagedSseEnabled"]), {"SqsManagedSseEnabled": "false"})
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"SqsManagedSseEnabled": "true"})
        self.assertEqual(self.queue_attributes(url, ["SqsManagedSseEnabled"]), {"SqsManagedSseEnabled": "true"})
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
        attrs = self.queue_attributes(url)
        self.assertEqual(attrs["KmsMasterKeyId"], "alias/aws/sqs")
        self.assertEqual(attrs["SqsManagedSseEnabled"], "false")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": ""})
        self.assertNotIn("KmsMasterKeyId", self.queue_attributes(url))
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsDataKeyReusePeriodSeconds": "600"})
        self.assertEqual(self.queue_attributes(url)["KmsDataKeyReusePeriodSeconds"], "600")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsDataKeyReusePeriodSeconds": "300"})
        self.assertNotIn("KmsDataKeyReusePeriodSeconds", self.queue_attributes(url))

    def test_set_queue_attributes_bad_names(self):
        url = self.create_queue()
        for name in ("QueueArn", "ApproximateNumberOfMessages", "CreatedTimestamp",
                     "LastModifiedTimestamp", "All", "Colour", "FifoQueue", "ContentBasedDeduplication"):
            with self.subTest(attribute=name):
                value = "true" if name in ("FifoQueue", "ContentBasedDeduplication") else "1"
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})
                self.assertError(ctx, "InvalidAttributeName", UNKNOWN_ATTRIBUTE % name)
        with self.assertRaises(ClientError) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "queue"})
        self.assertError(ctx, "InvalidAttributeName",
                         "You can specify the DeduplicationScope only when FifoQueue is set to true.")
        with self.assertRaises(ClientError) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoThroughputLimit": "perQueue"})
        self.assertError(ctx, "InvalidAttributeName",
                         "You can specify the FifoThroughputLimit only when FifoQueue is set to true.")
        # Nothing changed.
        self.assertEqual(sorted(self.queue_attributes(url)), STANDARD_ALL_NAMES)

    def test_set_fifo_queue_type_cannot_change(self):
        url = self.create_queue(self.unique() + ".fifo", attributes={"FifoQueue": "true"})
        with self.assertRaises(ClientError) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "false"})
        self.assertError(ctx, "InvalidAttributeValue",
                         "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"ContentBasedDeduplication": "true"})
        self.assertEqual(self.queue_attributes(url, ["ContentBasedDeduplication"]),
                         {"ContentBasedDeduplication": "true"})

    def test_set_fifo_attributes(self):
        url = self.create_queue(self.unique() + ".fifo", attributes={"FifoQueue": "true"})
        wanted = {"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId",
                  "ContentBasedDeduplication": "true"}
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes=wanted)
        self.assertEqual(self.queue_attributes(url, list(wanted)), wanted)
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "queue",
                                                               "FifoThroughputLimit": "perQueue"})
        self.assertEqual(self.queue_attributes(url, ["DeduplicationScope", "FifoThroughputLimit"]),
                         {"DeduplicationScope": "queue", "FifoThroughputLimit": "perQueue"})
        for name in ("DeduplicationScope", "FifoThroughputLimit"):
            with self.subTest(attribute=name):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.set_queue_attributes(QueueUrl=url, Attributes={name: "bogus"})
                self.assertError(ctx, "InvalidAttributeValue")
        # FifoQueue=true again on a FIFO queue changes nothing and is accepted.
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "true"})

    def test_redrive_policy_is_normalised(self):
        dlq_name = self.unique("dlq")
        self.create_queue(dlq_name)
        src = self.create_queue()
        arn = queue_arn(dlq_name)
        expected = '{"deadLetterTargetArn":"%s","maxReceiveCount":5}' % arn
        for given in ('{"deadLetterTargetArn": "%s", "maxReceiveCount": "5"}' % arn,
                      '{ "maxReceiveCount" : 5 , "deadLetterTargetArn" : "%s" }' % arn):
            with self.subTest(given=given):
                self.sqs.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": given})
                got = self.queue_attributes(src, ["RedrivePolicy"])["RedrivePolicy"]
                self.assertEqual(json.loads(got), {"deadLetterTargetArn": arn, "maxReceiveCount": 5})
                self.assertEqual(got, expected)
        self.assertIn("RedrivePolicy", self.queue_attributes(src))
        self.sqs.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": ""})
        self.assertNotIn("RedrivePolicy", self.queue_attributes(src))

    def test_redrive_policy_errors(self):
        dlq_name = self.unique("dlq")
        self.create_queue(dlq_name)
        src = self.create_queue()
        arn = queue_arn(dlq_name)
        bad = {
            "count 0": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 0}),
            "count 1001": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 1001}),
            "no count": json.dumps({"deadLetterTargetArn": arn}),
            "no target": json.dumps({"maxReceiveCount": 3}),
            "not json": "{deadLetterTargetArn",
            "missing target": json.dumps({"deadLetterTargetArn": queue_arn(self.unique("nodlq")),
                                          "maxReceiveCount": 3}),
        }
        for label, value in bad.items():
            with self.subTest(case=label):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": value})
                self.assertInvalidParameter(ctx)
        self.assertNotIn("RedrivePolicy", self.queue_attributes(src))
        # Boundaries are fine.
        for count in (1, 1000):
            self.sqs.set_queue_attributes(QueueUrl=src, Attributes={
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": count})})
            self.assertEqual(json.loads(self.queue_attributes(src, ["RedrivePolicy"])["RedrivePolicy"]),
                             {"deadLetterTargetArn": arn, "maxReceiveCount": count})

    def test_redrive_policy_queue_type_must_match(self):
        fifo_dlq = self.unique("dlq") + ".fifo"
        self.create_queue(fifo_dlq, attributes={"FifoQueue": "true"})
        std_dlq = self.unique("dlq")
        self.create_queue(std_dlq)
        src = self.create_queue()
        with self.assertRaises(ClientError) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": queue_arn(fifo_dlq), "maxReceiveCount": 3})})
        self.assertInvalidParameter(ctx)
        fifo_src = self.create_queue(self.unique() + ".fifo", attributes={"FifoQueue": "true"})
        with self.assertRaises(ClientError) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=fifo_src, Attributes={"RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": queue_arn(std_dlq), "maxReceiveCount": 3})})
        self.assertInvalidParameter(ctx)
        self.assertNotIn("RedrivePolicy", self.queue_attributes(src))
        self.assertNotIn("RedrivePolicy", self.queue_attributes(fifo_src))

    def test_redrive_policy_on_create(self):
        dlq_name = self.unique("dlq")
        self.create_queue(dlq_name)
        arn = queue_arn(dlq_name)
        src = self.create_queue(attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "2"})})
        self.assertEqual(self.queue_attributes(src, ["RedrivePolicy"])["RedrivePolicy"],
                         '{"deadLetterTargetArn":"%s","maxReceiveCount":2}' % arn)

    def test_redrive_allow_policy_round_trip(self):
        url = self.create_queue()
        policy = {"redrivePermission": "byQueue", "sourceQueueArns": [queue_arn("some-source")]}
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": json.dumps(policy)})
        got = self.queue_attributes(url)["RedriveAllowPolicy"]
        self.assertEqual(json.loads(got), policy)

    def test_policy_attribute(self):
        url = self.create_queue()
        arn = self.queue_attributes(url, ["QueueArn"])["QueueArn"]
        policy = {"Version": "2012-10-17", "Statement": [{
            "Sid": "s1", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn}]}
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
        self.assertEqual(json.loads(self.queue_attributes(url, ["Policy"])["Policy"]), policy)
        self.assertIn("Policy", self.queue_attributes(url))
        with self.assertRaises(ClientError) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": "{not json"})
        self.assertError(ctx, "InvalidAttributeValue")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
        self.assertNotIn("Policy", self.queue_attributes(url))

    # ----------------------------------------------------------- queue URLs
    def _raw_create(self, name, host):
        if self.protocol == "json":
            status, _, body = self.server.raw_json("CreateQueue", {"QueueName": name}, headers={"Host": host})
            self.assertEqual(status, 200, body)
            return body["QueueUrl"]
        form = urllib.parse.urlencode({"Action": "CreateQueue", "Version": "2012-11-05", "QueueName": name})
        status, _, body = self.server.raw("POST", "/", form.encode(), {
            "Host": host, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        self.assertEqual(status, 200, body)
        root = ET.fromstring(body)
        self.assertEqual(local_name(root.tag), "CreateQueueResponse")
        urls = [el.text for el in root.iter() if local_name(el.tag) == "QueueUrl"]
        self.assertEqual(len(urls), 1, body)
        return urls[0]

    def test_queue_url_uses_request_host(self):
        name = self.unique()
        url = self._raw_create(name, "sqs-host.example.test:4567")
        self.assertEqual(url, "http://sqs-host.example.test:4567/%s/%s" % (ACCOUNT, name))
        # The same queue seen through the client's Host.
        self.assertEqual(self.sqs.get_queue_url(QueueName=name)["QueueUrl"], self.url_for(name))
        self.assertIn(self.url_for(name), self.sqs.list_queues(QueueNamePrefix=name)["QueueUrls"])

    def test_queue_url_forms(self):
        name = self.unique()
        self.create_queue(name, attributes={"VisibilityTimeout": "17"})
        forms = [
            name,                                                    # bare queue name
            "http://other-host.example:9999/%s/%s" % (ACCOUNT, name),  # host/port ignored
            "https://sqs.us-east-1.amazonaws.com/%s/%s" % (ACCOUNT, name),
            "%s/%s/%s/" % (self.server.endpoint, ACCOUNT, name),     # trailing slash
            "http://localhost:4566/queue/us-east-1/%s/%s" % (ACCOUNT, name),  # path style
        ]
        for form in forms:
            with self.subTest(QueueUrl=form):
                self.assertEqual(self.queue_attributes(form, ["VisibilityTimeout"]), {"VisibilityTimeout": "17"})
        sent = self.sqs.send_message(QueueUrl=name, MessageBody="via bare name")
        got = self.receive(self.url_for(name))
        self.assertEqual([m["MessageId"] for m in got], [sent["MessageId"]])

    def test_queue_url_other_account_or_region_is_missing(self):
        name = self.unique()
        self.create_queue(name)
        for form in ("%s/111122223333/%s" % (self.server.endpoint, name),
                     "https://sqs.eu-west-1.amazonaws.com/%s/%s" % (ACCOUNT, name)):
            with self.subTest(QueueUrl=form):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.get_queue_attributes(QueueUrl=form, AttributeNames=["All"])
                self.assertQueueDoesNotExist(ctx)

    # ---------------------------------------------------------------- tags
    def test_tags(self):
        url = self.create_queue()
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}), {})
        self.sqs.tag_queue(QueueUrl=url, Tags={"env": "dev", "team": "a"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"env": "dev", "team": "a"})
        self.sqs.tag_queue(QueueUrl=url, Tags={"team": "b", "Env": "Prod", "empty": ""})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"],
                         {"env": "dev", "team": "b", "Env": "Prod", "empty": ""})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["team", "no-such-key", "ENV"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"],
                         {"env": "dev", "Env": "Prod", "empty": ""})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["env", "Env", "empty"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}), {})

    def test_tag_values_round_trip(self):
        url = self.create_queue()
        tags = {"k" * 128: "v" * 256, "unicode": "ünï ☃", "xml": "<a & 'b' \"c\">"}
        self.sqs.tag_queue(QueueUrl=url, Tags=tags)
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], tags)

    def test_tag_limits(self):
        url = self.create_queue()
        for tags in ({"k" * 129: "v"}, {"k": "v" * 257}):
            with self.subTest(tags={k[:10]: v[:10] for k, v in tags.items()}):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.tag_queue(QueueUrl=url, Tags=tags)
                self.assertInvalidParameter(ctx)
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}), {})

    # ------------------------------------------ ListDeadLetterSourceQueues
    def test_list_dead_letter_source_queues(self):
        dlq_name = self.unique("dlq")
        dlq = self.create_queue(dlq_name)
        policy = json.dumps({"deadLetterTargetArn": queue_arn(dlq_name), "maxReceiveCount": 3})
        sources = sorted(self.create_queue(attributes={"RedrivePolicy": policy}) for _ in range(2))
        self.create_queue()  # unrelated
        resp = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)
        self.assertEqual(sorted(resp["queueUrls"]), sources)
        self.assertNotIn("NextToken", resp)
        # paging
        first = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1)
        self.assertEqual(len(first["queueUrls"]), 1)
        self.assertIn("NextToken", first)
        second = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1, NextToken=first["NextToken"])
        self.assertEqual(sorted(first["queueUrls"] + second["queueUrls"]), sources)
        self.assertNotIn("NextToken", second)
        # a queue nobody redrives to
        lonely = self.create_queue()
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=lonely).get("queueUrls", []), [])
        # removing the policy removes the source
        self.sqs.set_queue_attributes(QueueUrl=sources[0], Attributes={"RedrivePolicy": ""})
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [sources[1]])

    # ------------------------------------------ AddPermission / RemovePermission
    def test_add_and_remove_permission(self):
        url = self.create_queue()
        arn = self.queue_attributes(url, ["QueueArn"])["QueueArn"]
        self.sqs.add_permission(QueueUrl=url, Label="one", AWSAccountIds=["111122223333"],
                                Actions=["SendMessage"])
        policy = json.loads(self.queue_attributes(url, ["Policy"])["Policy"])
        first = {"Sid": "one", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                 "Action": "SQS:SendMessage", "Resource": arn}
        self.assertEqual(policy, {"Version": "2008-10-17", "Id": arn + "/SQSDefaultPolicy", "Statement": [first]})

        self.sqs.add_permission(QueueUrl=url, Label="two_2", AWSAccountIds=["111122223333", "444455556666"],
                                Actions=["ReceiveMessage", "DeleteMessage"])
        policy = json.loads(self.queue_attributes(url, ["Policy"])["Policy"])
        second = {"Sid": "two_2", "Effect": "Allow",
                  "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]},
                  "Action": ["SQS:ReceiveMessage", "SQS:DeleteMessage"], "Resource": arn}
        self.assertEqual(policy["Statement"], [first, second])
        self.assertEqual(policy["Id"], arn + "/SQSDefaultPolicy")

        with self.assertRaises(ClientError) as ctx:
            self.sqs.add_permission(QueueUrl=url, Label="one", AWSAccountIds=["111122223333"],
                                    Actions=["SendMessage"])
        self.assertInvalidParameter(ctx, "Value one for parameter Label is invalid. Reason: Already exists.")

        self.sqs.remove_permission(QueueUrl=url, Label="one")
        policy = json.loads(self.queue_attributes(url, ["Policy"])["Policy"])
        self.assertEqual(policy["Statement"], [second])
        with self.assertRaises(ClientError) as ctx:
            self.sqs.remove_permission(QueueUrl=url, Label="one")
        self.assertInvalidParameter(ctx, "Value one for parameter Label is invalid. Reason: can't find label.")
        self.sqs.remove_permission(QueueUrl=url, Label="two_2")
        self.assertNotIn("Policy", self.queue_attributes(url))

    def test_add_permission_wildcard_and_limits(self):
        url = self.create_queue()
        arn = self.queue_attributes(url, ["QueueArn"])["QueueArn"]
        self.sqs.add_permission(QueueUrl=url, Label="all", AWSAccountIds=["111122223333"], Actions=["*"])
        policy = json.loads(self.queue_attributes(url, ["Policy"])["Policy"])
        self.assertEqual(policy["Statement"], [{
            "Sid": "all", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "SQS:*", "Resource": arn}])
        actions = ["SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
                   "GetQueueAttributes", "GetQueueUrl", "ListQueues", "PurgeQueue"]
        with self.assertRaises(ClientError) as ctx:
            self.sqs.add_permission(QueueUrl=url, Label="many", AWSAccountIds=["111122223333"], Actions=actions)
        self.assertError(ctx, "OverLimit")
        with self.assertRaises(ClientError) as ctx:
            self.sqs.remove_permission(QueueUrl=url, Label="many")
        self.assertInvalidParameter(ctx, "Value many for parameter Label is invalid. Reason: can't find label.")

    def test_remove_permission_without_policy(self):
        url = self.create_queue()
        with self.assertRaises(ClientError) as ctx:
            self.sqs.remove_permission(QueueUrl=url, Label="nothing")
        self.assertInvalidParameter(ctx, "Value nothing for parameter Label is invalid. Reason: can't find label.")

    # ----------------------------------------------------------- PurgeQueue
    def test_purge_queue(self):
        url = self.create_queue()
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
        self.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=30)
        self.assertEqual(len(self.receive(url, VisibilityTimeout=60)), 1)
        self.sqs.purge_queue(QueueUrl=url)
        counts = self.queue_attributes(url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                             "ApproximateNumberOfMessagesDelayed"])
        self.assertEqual(counts, {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0",
                                  "ApproximateNumberOfMessagesDelayed": "0"})
        self.assertEqual(self.receive(url, MaxNumberOfMessages=10), [])
        # The queue keeps working.
        self.sqs.send_message(QueueUrl=url, MessageBody="after")
        self.assertEqual([m["Body"] for m in self.receive(url)], ["after"])


class TestQueuesJson(QueuesBase, ServerTestCase):
    protocol = "json"


class TestQueuesQuery(QueuesBase, ServerTestCase):
    protocol = "query"


del QueuesBase
