"""AWS behaviours recorded against real AWS (or stated by AWS's documentation) that sqsemu
got wrong once; docs/aws-fidelity.md gives the source of each.

- PurgeQueue on a FIFO queue also forgets the deduplication window.
- Changing DeduplicationScope does not re-scope deduplication ids already in their window.
- Message attribute names may contain any Unicode letters and digits.
- A queue may name itself as its own dead-letter queue.
- KmsMasterKeyId with SqsManagedSseEnabled=true is refused; clearing KmsMasterKeyId leaves
  the queue unencrypted.
- AddPermission: owner-only actions and unverifiable account ids have their own errors;
  too many tags name the queue.
- An event-source mapping needs its queue in the function's region.
"""
import json

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import harness
from lambda_util import LambdaTestCase
from sqs_asserts import SqsCase, md5_of_attributes

SSE_BOTH = ("You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE "
            "or SQS SSE.")


class FidelityBase(SqsCase):
    def fifo(self, **attributes):
        attrs = {"FifoQueue": "true"}
        attrs.update(attributes)
        return self.create_queue(self.unique("fid") + ".fifo", attributes=attrs)

    def send_fifo(self, url, body, group, dedup):
        return self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group,
                                     MessageDeduplicationId=dedup)

    def bodies(self, url, count):
        got = []
        for _ in range(5):
            msgs = self.receive(url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=60)
            got += [m["Body"] for m in msgs]
            if len(got) >= count:
                break
        return got

    # -- FIFO deduplication ------------------------------------------------------------
    def test_purge_forgets_the_deduplication_window(self):
        url = self.fifo()
        first = self.send_fifo(url, "before", "g", "same-id")
        self.sqs.purge_queue(QueueUrl=url)
        again = self.send_fifo(url, "after", "g", "same-id")
        self.assertNotEqual(first["MessageId"], again["MessageId"], "a new message, not a duplicate")
        self.assertEqual(self.bodies(url, 1), ["after"])

    def test_scope_change_keeps_records_made_under_queue_scope(self):
        url = self.fifo()
        original = self.send_fifo(url, "one", "g1", "x")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "messageGroup"})
        # The id recorded under scope "queue" still deduplicates across groups.
        duplicate = self.send_fifo(url, "two", "g2", "x")
        self.assertEqual(duplicate["MessageId"], original["MessageId"])
        # New ids are scoped by group.
        self.send_fifo(url, "three", "g1", "y")
        self.send_fifo(url, "four", "g2", "y")
        self.assertEqual(sorted(self.bodies(url, 3)), ["four", "one", "three"])

    def test_scope_change_keeps_records_made_under_group_scope(self):
        url = self.fifo(DeduplicationScope="messageGroup")
        original = self.send_fifo(url, "one", "g1", "x")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "queue"})
        # Within g1 the record made under messageGroup still deduplicates...
        same_group = self.send_fifo(url, "two", "g1", "x")
        self.assertEqual(same_group["MessageId"], original["MessageId"])
        # ...but it never covered other groups.
        other_group = self.send_fifo(url, "three", "g2", "x")
        self.assertNotEqual(other_group["MessageId"], original["MessageId"])
        self.assertEqual(sorted(self.bodies(url, 2)), ["one", "three"])

    # -- message attribute names ---------------------------------------------------------
    def test_unicode_attribute_names_are_accepted(self):
        url = self.create_queue()
        for name in ("attr.1øßä", "ключ", "名前", "Ölpreis_2-x", "٣٤"):
            with self.subTest(name=name):
                attrs = {name: {"DataType": "String", "StringValue": "v"}}
                sent = self.sqs.send_message(QueueUrl=url, MessageBody="b", MessageAttributes=attrs)
                self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(attrs))
                msg = self.receive(url, MessageAttributeNames=["All"], WaitTimeSeconds=1)[0]
                self.assertEqual(msg["MessageAttributes"][name]["StringValue"], "v")
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])

    def test_symbols_and_reserved_forms_are_refused(self):
        url = self.create_queue()
        for name in ("attr!", 'a"b', "§x", "a(b)", "why?", "sp ace", ".lead", "trail.", "a..b", "AWS.x", "aWs.x",
                     "Amazon.x", "AMAZON.y", "a" * 257, "é" * 129):
            with self.subTest(name=name):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.send_message(QueueUrl=url, MessageBody="b",
                                          MessageAttributes={name: {"DataType": "String", "StringValue": "v"}})
                self.assertError(ctx, "InvalidParameterValue")
        self.sqs.send_message(QueueUrl=url, MessageBody="b",
                              MessageAttributes={"a" * 256: {"DataType": "String", "StringValue": "v"}})

    # -- dead-letter queue -------------------------------------------------------------
    def test_queue_may_be_its_own_dead_letter_queue(self):
        url = self.create_queue()
        arn = self.queue_attributes(url, ["QueueArn"])["QueueArn"]
        policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 1})
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": policy})
        self.assertEqual(json.loads(self.queue_attributes(url, ["RedrivePolicy"])["RedrivePolicy"]),
                         {"deadLetterTargetArn": arn, "maxReceiveCount": 1})
        self.sqs.send_message(QueueUrl=url, MessageBody="loops")
        counts = []
        for _ in range(3):
            msgs = self.receive(url, VisibilityTimeout=0, WaitTimeSeconds=1, AttributeNames=["All"])
            self.assertEqual(len(msgs), 1, "the message stays deliverable")
            counts.append(int(msgs[0]["Attributes"]["ApproximateReceiveCount"]))
        self.assertEqual(counts, [1, 2, 3])
        self.assertIn(url, self.sqs.list_dead_letter_source_queues(QueueUrl=url)["queueUrls"])

    # -- encryption --------------------------------------------------------------------
    def test_kms_and_sqs_sse_together_are_refused(self):
        url = self.create_queue()
        with self.assertRaises(ClientError) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": "alias/aws/sqs",
                                                                    "SqsManagedSseEnabled": "true"})
        self.assertError(ctx, "InvalidAttributeName", SSE_BOTH)
        with self.assertRaises(ClientError) as ctx:
            self.create_queue(attributes={"KmsMasterKeyId": "alias/x", "SqsManagedSseEnabled": "true"})
        self.assertError(ctx, "InvalidAttributeName", SSE_BOTH)
        self.assertEqual(self.queue_attributes(url, ["SqsManagedSseEnabled"]), {"SqsManagedSseEnabled": "true"})

    def test_clearing_kms_leaves_the_queue_unencrypted(self):
        url = self.create_queue()
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": ""})
        attrs = self.queue_attributes(url)
        self.assertNotIn("KmsMasterKeyId", attrs)
        self.assertEqual(attrs["SqsManagedSseEnabled"], "false")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"SqsManagedSseEnabled": "true"})
        self.assertEqual(self.queue_attributes(url)["SqsManagedSseEnabled"], "true")

    # -- permissions and tags ------------------------------------------------------------
    def test_add_permission_owner_only_action(self):
        url = self.create_queue()
        for action in ("CreateQueue", "DeleteQueue", "SetQueueAttributes", "AddPermission"):
            with self.subTest(action=action):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs.add_permission(QueueUrl=url, Label="l", AWSAccountIds=["111122223333"],
                                            Actions=[action])
                self.assertError(ctx, "InvalidParameterValue",
                                 "Value SQS:%s for parameter ActionName is invalid. Reason: Only the queue owner is "
                                 "allowed to invoke this action." % action)

    def test_add_permission_unverifiable_account(self):
        url = self.create_queue()
        with self.assertRaises(ClientError) as ctx:
            self.sqs.add_permission(QueueUrl=url, Label="l", AWSAccountIds=["111122223333", "12"],
                                    Actions=["SendMessage"])
        self.assertError(ctx, "InvalidParameterValue",
                         "Value [111122223333, 12] for parameter PrincipalId is invalid. Reason: Unable to verify.")
        self.assertNotIn("Policy", self.queue_attributes(url))

    def test_too_many_tags_names_the_queue(self):
        name = self.unique("tags")
        url = self.create_queue(name)
        with self.assertRaises(ClientError) as ctx:
            self.sqs.tag_queue(QueueUrl=url, Tags={"k%d" % i: "v" for i in range(51)})
        self.assertError(ctx, "InvalidParameterValue", "Too many tags added for queue %s." % name)


class FidelityJson(FidelityBase, harness.ServerTestCase):
    protocol = "json"


class FidelityQuery(FidelityBase, harness.ServerTestCase):
    protocol = "query"


class ScopeRegionTest(harness.ServerTestCase):
    """The region of a SigV4 credential scope becomes part of queue URLs, ARNs and code
    paths: one that is not a region name is refused as SQS refuses it (403
    SignatureDoesNotMatch, "Credential should be scoped to a valid region"), also when
    signatures are not checked."""

    HOSTILE = ["..", "../../etc", "us-east-1%00", "x" * 200, "US-EAST-1", "us-east", "useast1", "us-east-1-"]

    def auth_header(self, region):
        return ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/%s/sqs/aws4_request, SignedHeaders=host, "
                "Signature=%s" % (region, "0" * 64))

    def test_hostile_regions_are_refused_by_every_front(self):
        for region in self.HOSTILE:
            with self.subTest(region=region[:20]):
                status, headers, body = self.server.raw_json("CreateQueue", {"QueueName": "hostile"},
                                                             {"Authorization": self.auth_header(region)})
                self.assertEqual(status, 403, body)
                self.assertTrue(headers["x-amzn-query-error"].startswith("SignatureDoesNotMatch;"))
                self.assertIn("Credential should be scoped to a valid region", body["message"])
                status, _, body = self.server.raw("POST", "/", b"Action=CreateQueue&QueueName=hostile",
                                                  {"Content-Type": "application/x-www-form-urlencoded",
                                                   "Authorization": self.auth_header(region)})
                self.assertEqual(status, 403)
                self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", body)
                status, headers, _ = self.server.raw("GET", "/2015-03-31/functions/", b"",
                                                     {"Authorization": self.auth_header(region)})
                self.assertEqual(status, 403)
                self.assertEqual(headers["x-amzn-errortype"], "InvalidSignatureException")
        self.assertNotIn("hostile", str(self.server.client("sqs").list_queues().get("QueueUrls", [])))

    def test_every_partitions_region_form_is_accepted(self):
        for region in ("us-east-1", "us-gov-west-1", "cn-north-1", "eu-isoe-west-1", "us-isob-east-1",
                       "ap-southeast-10", "il-central-1"):
            with self.subTest(region=region):
                client = boto3.client("sqs", endpoint_url=self.server.endpoint, region_name=region,
                                      aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                                      config=Config(retries={"max_attempts": 1}))
                url = client.create_queue(QueueName="r")["QueueUrl"]
                arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
                self.assertEqual(arn.split(":")[3], region)

    def test_region_flag_is_validated(self):
        import subprocess
        proc = subprocess.run([harness.BIN, "--in-memory", "--port", "0", "--region", "../x"], capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--region", proc.stderr)


class MappingRegionTest(LambdaTestCase):
    def test_queue_in_another_region_is_refused(self):
        fn = self.create_function()
        eu = boto3.client("sqs", endpoint_url=self.server.endpoint, region_name="eu-west-1",
                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                          config=Config(retries={"max_attempts": 1}))
        url = eu.create_queue(QueueName=self.unique("eu"))["QueueUrl"]
        self.addCleanup(eu.delete_queue, QueueUrl=url)
        arn = eu.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.assertTrue(arn.startswith("arn:aws:sqs:eu-west-1:"))
        self.assertLambdaError(
            lambda: self.lam.create_event_source_mapping(FunctionName=fn["FunctionName"], EventSourceArn=arn),
            "InvalidParameterValueException", 400, message="Event source region must match Lambda region us-east-1.")
        self.assertEqual(self.lam.list_event_source_mappings(FunctionName=fn["FunctionName"])["EventSourceMappings"],
                         [])


if __name__ == "__main__":
    import unittest
    unittest.main()
