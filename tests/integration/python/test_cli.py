"""The real `aws` CLI against a real sqsemu process.

Every call runs `aws --endpoint-url http://127.0.0.1:PORT --region us-east-1 --output json sqs ...`
as a subprocess with dummy credentials and no config files, bounded by a timeout.
"""
import base64
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time
import unittest

from harness import REGION, ServerTestCase

AWS = shutil.which("aws")
ACCOUNT_ID = "123456789012"  # explicit --account-id, so URLs and ARNs are checked against it
CALL_TIMEOUT = 60  # seconds, for every CLI subprocess

STANDARD_ALL_ATTRIBUTES = sorted([
    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp", "DelaySeconds",
    "LastModifiedTimestamp", "MaximumMessageSize", "MessageRetentionPeriod", "QueueArn",
    "ReceiveMessageWaitTimeSeconds", "SqsManagedSseEnabled", "VisibilityTimeout",
])

# Digest vectors: body and attributes with their MD5OfMessageBody and MD5OfMessageAttributes.
V1_BODY, V1_ATTRS = "Hello, SQS!", {"City": {"DataType": "String", "StringValue": "Any City"}}
V1_MD5_BODY, V1_MD5_ATTRS = "982e00ffc10ba49378a8653ca8fecf47", "0c32cb5c844c01fbd5b6b434b52cf670"
V2_BODY, V2_ATTRS = '{"order":1234}', {"Quantity": {"DataType": "Number", "StringValue": "42"}}
V2_MD5_BODY, V2_MD5_ATTRS = "2fe9620b8b494f506df12baa76dffe38", "6ff32dca64e98548ec6da0f1b4228b8e"


def cli_major_version():
    if not AWS:
        return None
    try:
        out = subprocess.run([AWS, "--version"], capture_output=True, text=True, timeout=CALL_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"aws-cli/(\d+)\.", out.stdout + out.stderr)
    return int(m.group(1)) if m else None


def md5_of_attributes(attrs):
    """MD5OfMessageAttributes as SQS computes it (docs/sqs-semantics.md, Digests, identifiers,
    timestamps); binary values given as raw bytes."""
    buf = b""
    for name in sorted(attrs, key=lambda n: n.encode("utf-8")):
        value = attrs[name]
        enc_name, enc_type = name.encode("utf-8"), value["DataType"].encode("utf-8")
        buf += struct.pack(">I", len(enc_name)) + enc_name + struct.pack(">I", len(enc_type)) + enc_type
        if "StringValue" in value:
            raw = value["StringValue"].encode("utf-8")
            buf += b"\x01" + struct.pack(">I", len(raw)) + raw
        else:
            raw = value["BinaryValue"]
            buf += b"\x02" + struct.pack(">I", len(raw)) + raw
    return hashlib.md5(buf).hexdigest()


class CliError(Exception):
    def __init__(self, returncode, stdout, stderr):
        super().__init__("aws exited %d: %s" % (returncode, stderr.strip()))
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@unittest.skipIf(AWS is None, "the aws CLI is not installed")
class CliTest(ServerTestCase):
    server_args = ("--account-id", ACCOUNT_ID, "--region", REGION)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cli_major = cli_major_version()
        cls._home = tempfile.TemporaryDirectory(prefix="sqsemu-cli-home-")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_RETRY_MODE": "standard",
            "AWS_PAGER": "",
            "HOME": cls._home.name,
        })
        cls.env = env

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._home.cleanup()

    # -- running the CLI ---------------------------------------------------

    def argv(self, *args):
        return [AWS, "--endpoint-url", self.server.endpoint, "--region", REGION, "--output", "json",
                "--cli-connect-timeout", "5", "--cli-read-timeout", "30", "sqs"] + [str(a) for a in args]

    def aws(self, *args):
        """Runs one CLI command; returns its parsed JSON output ({} when it prints nothing)."""
        proc = subprocess.run(self.argv(*args), capture_output=True, text=True, env=self.env, timeout=CALL_TIMEOUT)
        if proc.returncode != 0:
            raise CliError(proc.returncode, proc.stdout, proc.stderr)
        return json.loads(proc.stdout) if proc.stdout.strip() else {}

    def aws_fails(self, *args):
        proc = subprocess.run(self.argv(*args), capture_output=True, text=True, env=self.env, timeout=CALL_TIMEOUT)
        self.assertNotEqual(proc.returncode, 0, "expected failure, got: %s" % proc.stdout)
        return proc

    def create_queue(self, prefix="cli", attributes=None, tags=None):
        name = self.unique(prefix)
        args = ["create-queue", "--queue-name", name]
        if attributes:
            args += ["--attributes", json.dumps(attributes)]
        if tags:
            args += ["--tags", json.dumps(tags)]
        return name, self.aws(*args)["QueueUrl"]

    def attributes(self, url, *names):
        return self.aws("get-queue-attributes", "--queue-url", url, "--attribute-names", *(names or ("All",))).get("Attributes", {})

    def receive(self, url, *extra):
        return self.aws("receive-message", "--queue-url", url, "--wait-time-seconds", "0", *extra).get("Messages", [])

    def binary_arg_and_raw(self, raw):
        """How a BinaryValue is written on the command line for this CLI, and the bytes it becomes.
        CLI v1 sends the given text's bytes; CLI v2 (cli_binary_format base64) decodes base64."""
        if self.cli_major == 1:
            text = raw.decode("ascii")
            return text, raw
        return base64.b64encode(raw).decode("ascii"), raw

    # -- queues --------------------------------------------------------------

    def test_create_queue_get_url_and_list(self):
        name, url = self.create_queue("create")
        self.assertEqual(url, "%s/%s/%s" % (self.server.endpoint, ACCOUNT_ID, name))
        self.assertEqual(self.aws("get-queue-url", "--queue-name", name)["QueueUrl"], url)
        self.assertEqual(self.aws("get-queue-url", "--queue-name", name, "--queue-owner-aws-account-id", ACCOUNT_ID)["QueueUrl"], url)

        listed = self.aws("list-queues", "--queue-name-prefix", name)
        self.assertEqual(listed["QueueUrls"], [url])
        self.assertNotIn("NextToken", listed)

    def test_list_queues_paginates(self):
        prefix = self.unique("page")
        urls = sorted(self.aws("create-queue", "--queue-name", "%s-%s" % (prefix, s))["QueueUrl"] for s in "abc")
        # --page-size makes the CLI send MaxResults=1 and follow NextToken until it is absent.
        listed = self.aws("list-queues", "--queue-name-prefix", prefix, "--page-size", "1")
        self.assertEqual(sorted(listed["QueueUrls"]), urls)
        first = self.aws("list-queues", "--queue-name-prefix", prefix, "--max-items", "2")
        self.assertEqual(len(first["QueueUrls"]), 2)
        self.assertIn("NextToken", first)
        rest = self.aws("list-queues", "--queue-name-prefix", prefix, "--starting-token", first["NextToken"])
        self.assertEqual(sorted(first["QueueUrls"] + rest["QueueUrls"]), urls)
        # Nothing matches: the CLI prints no QueueUrls at all.
        self.assertNotIn("QueueUrls", self.aws("list-queues", "--queue-name-prefix", self.unique("none-such")))

    def test_create_queue_with_attributes_and_tags(self):
        name, url = self.create_queue(
            "withattrs",
            attributes={"VisibilityTimeout": "45", "DelaySeconds": "2", "MaximumMessageSize": "2048",
                        "MessageRetentionPeriod": "3600", "ReceiveMessageWaitTimeSeconds": "3"},
            tags={"env": "dev", "team": "core"})
        attrs = self.attributes(url)
        self.assertEqual(attrs["VisibilityTimeout"], "45")
        self.assertEqual(attrs["DelaySeconds"], "2")
        self.assertEqual(attrs["MaximumMessageSize"], "2048")
        self.assertEqual(attrs["MessageRetentionPeriod"], "3600")
        self.assertEqual(attrs["ReceiveMessageWaitTimeSeconds"], "3")
        self.assertEqual(self.aws("list-queue-tags", "--queue-url", url)["Tags"], {"env": "dev", "team": "core"})

    def test_create_queue_shorthand_attributes(self):
        name = self.unique("shorthand")
        url = self.aws("create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=50,DelaySeconds=1",
                       "--tags", "k1=v1,k2=v2")["QueueUrl"]
        attrs = self.attributes(url, "VisibilityTimeout", "DelaySeconds")
        self.assertEqual(attrs, {"VisibilityTimeout": "50", "DelaySeconds": "1"})
        self.assertEqual(self.aws("list-queue-tags", "--queue-url", url)["Tags"], {"k1": "v1", "k2": "v2"})

    def test_get_queue_attributes_all(self):
        before = int(time.time())
        name, url = self.create_queue("attrs")
        after = int(time.time()) + 1
        attrs = self.attributes(url)
        self.assertEqual(sorted(attrs), STANDARD_ALL_ATTRIBUTES)
        self.assertEqual(attrs["QueueArn"], "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT_ID, name))
        self.assertEqual(attrs["VisibilityTimeout"], "30")
        self.assertEqual(attrs["MaximumMessageSize"], "1048576")
        self.assertEqual(attrs["MessageRetentionPeriod"], "345600")
        self.assertEqual(attrs["DelaySeconds"], "0")
        self.assertEqual(attrs["ReceiveMessageWaitTimeSeconds"], "0")
        self.assertEqual(attrs["SqsManagedSseEnabled"], "true")
        for key in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
                    "ApproximateNumberOfMessagesNotVisible"):
            self.assertEqual(attrs[key], "0", key)
        self.assertRegex(attrs["CreatedTimestamp"], r"^\d+$")
        self.assertTrue(before - 1 <= int(attrs["CreatedTimestamp"]) <= after, attrs["CreatedTimestamp"])
        self.assertRegex(attrs["LastModifiedTimestamp"], r"^\d+$")
        # Named attributes only.
        self.assertEqual(sorted(self.attributes(url, "QueueArn", "DelaySeconds")), ["DelaySeconds", "QueueArn"])

    def test_set_queue_attributes(self):
        _, url = self.create_queue("set")
        self.aws("set-queue-attributes", "--queue-url", url,
                 "--attributes", json.dumps({"VisibilityTimeout": "120", "DelaySeconds": "5"}))
        attrs = self.attributes(url)
        self.assertEqual(attrs["VisibilityTimeout"], "120")
        self.assertEqual(attrs["DelaySeconds"], "5")
        self.assertGreaterEqual(int(attrs["LastModifiedTimestamp"]), int(attrs["CreatedTimestamp"]))

        proc = self.aws_fails("set-queue-attributes", "--queue-url", url, "--attributes", json.dumps({"Bogus": "1"}))
        self.assertIn("InvalidAttributeName", proc.stderr)
        proc = self.aws_fails("set-queue-attributes", "--queue-url", url,
                              "--attributes", json.dumps({"VisibilityTimeout": "43201"}))
        self.assertIn("InvalidAttributeValue", proc.stderr)
        self.assertEqual(self.attributes(url, "VisibilityTimeout")["VisibilityTimeout"], "120")

    def test_tags(self):
        _, url = self.create_queue("tags")
        self.assertEqual(self.aws("list-queue-tags", "--queue-url", url).get("Tags", {}), {})
        self.aws("tag-queue", "--queue-url", url, "--tags", json.dumps({"env": "dev", "owner": "me"}))
        self.assertEqual(self.aws("list-queue-tags", "--queue-url", url)["Tags"], {"env": "dev", "owner": "me"})
        self.aws("tag-queue", "--queue-url", url, "--tags", "env=prod")
        self.assertEqual(self.aws("list-queue-tags", "--queue-url", url)["Tags"], {"env": "prod", "owner": "me"})
        self.aws("untag-queue", "--queue-url", url, "--tag-keys", "owner", "not-there")
        self.assertEqual(self.aws("list-queue-tags", "--queue-url", url)["Tags"], {"env": "prod"})
        self.aws("untag-queue", "--queue-url", url, "--tag-keys", "env")
        self.assertEqual(self.aws("list-queue-tags", "--queue-url", url).get("Tags", {}), {})

    def test_delete_queue(self):
        name, url = self.create_queue("del")
        self.assertEqual(self.aws("delete-queue", "--queue-url", url), {})
        proc = self.aws_fails("get-queue-url", "--queue-name", name)
        self.assertTrue("AWS.SimpleQueueService.NonExistentQueue" in proc.stderr or "QueueDoesNotExist" in proc.stderr,
                        proc.stderr)
        self.assertNotIn("QueueUrls", self.aws("list-queues", "--queue-name-prefix", name))

    # -- errors ---------------------------------------------------------------

    def test_nonexistent_queue_errors(self):
        missing = "%s/%s/%s" % (self.server.endpoint, ACCOUNT_ID, self.unique("missing"))
        for args in (("get-queue-url", "--queue-name", self.unique("missing")),
                     ("send-message", "--queue-url", missing, "--message-body", "x"),
                     ("receive-message", "--queue-url", missing),
                     ("get-queue-attributes", "--queue-url", missing, "--attribute-names", "All"),
                     ("delete-queue", "--queue-url", missing)):
            proc = self.aws_fails(*args)
            self.assertTrue("AWS.SimpleQueueService.NonExistentQueue" in proc.stderr or "QueueDoesNotExist" in proc.stderr,
                            "%s: %s" % (args[0], proc.stderr))
            self.assertIn("The specified queue does not exist", proc.stderr)

    def test_invalid_parameter_errors(self):
        _, url = self.create_queue("badparams")
        proc = self.aws_fails("receive-message", "--queue-url", url, "--max-number-of-messages", "11")
        self.assertIn("InvalidParameterValue", proc.stderr)
        self.assertIn("Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
                      proc.stderr)
        proc = self.aws_fails("send-message-batch", "--queue-url", url, "--entries",
                              json.dumps([{"Id": "same", "MessageBody": "a"}, {"Id": "same", "MessageBody": "b"}]))
        self.assertIn("BatchEntryIdsNotDistinct", proc.stderr)
        proc = self.aws_fails("delete-message", "--queue-url", url, "--receipt-handle", "garbage")
        self.assertIn("ReceiptHandleIsInvalid", proc.stderr)

    # -- messages ---------------------------------------------------------------

    def test_send_message_digests(self):
        _, url = self.create_queue("send")
        out = self.aws("send-message", "--queue-url", url, "--message-body", V1_BODY,
                       "--message-attributes", json.dumps(V1_ATTRS))
        self.assertEqual(out["MD5OfMessageBody"], V1_MD5_BODY)
        self.assertEqual(out["MD5OfMessageAttributes"], V1_MD5_ATTRS)
        self.assertRegex(out["MessageId"], r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

        out = self.aws("send-message", "--queue-url", url, "--message-body", V2_BODY,
                       "--message-attributes", json.dumps(V2_ATTRS))
        self.assertEqual(out["MD5OfMessageBody"], V2_MD5_BODY)
        self.assertEqual(out["MD5OfMessageAttributes"], V2_MD5_ATTRS)

        out = self.aws("send-message", "--queue-url", url, "--message-body", "no attributes")
        self.assertEqual(out["MD5OfMessageBody"], hashlib.md5(b"no attributes").hexdigest())
        self.assertNotIn("MD5OfMessageAttributes", out)

    def test_send_and_receive_with_attributes(self):
        _, url = self.create_queue("roundtrip")
        bin_arg, bin_raw = self.binary_arg_and_raw(b"AAEC")
        attrs_arg = {
            "city": {"DataType": "String", "StringValue": "Any City"},
            "count": {"DataType": "Number", "StringValue": "42"},
            "blob": {"DataType": "Binary", "BinaryValue": bin_arg},
        }
        expected = {
            "city": {"DataType": "String", "StringValue": "Any City"},
            "count": {"DataType": "Number", "StringValue": "42"},
            "blob": {"DataType": "Binary", "BinaryValue": bin_raw},
        }
        body = "hello world \u00e9\u2603"
        sent_ms = int(time.time() * 1000)
        sent = self.aws("send-message", "--queue-url", url, "--message-body", body,
                        "--message-attributes", json.dumps(attrs_arg))
        self.assertEqual(sent["MD5OfMessageBody"], hashlib.md5(body.encode("utf-8")).hexdigest())
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(expected))

        msgs = self.aws("receive-message", "--queue-url", url, "--attribute-names", "All",
                        "--message-attribute-names", "All", "--wait-time-seconds", "1",
                        "--max-number-of-messages", "10")["Messages"]
        self.assertEqual(len(msgs), 1)
        m = msgs[0]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MD5OfBody"], sent["MD5OfMessageBody"])
        self.assertEqual(m["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        self.assertEqual(m["MessageAttributes"]["city"], {"DataType": "String", "StringValue": "Any City"})
        self.assertEqual(m["MessageAttributes"]["count"], {"DataType": "Number", "StringValue": "42"})
        self.assertEqual(m["MessageAttributes"]["blob"]["DataType"], "Binary")
        # The CLI prints blobs base64-encoded.
        self.assertEqual(base64.b64decode(m["MessageAttributes"]["blob"]["BinaryValue"]), bin_raw)
        a = m["Attributes"]
        self.assertEqual(sorted(a), ["ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount", "SenderId", "SentTimestamp"])
        self.assertEqual(a["ApproximateReceiveCount"], "1")
        self.assertRegex(a["SentTimestamp"], r"^\d{13}$")
        self.assertLess(abs(int(a["SentTimestamp"]) - sent_ms), 60000)
        self.assertGreaterEqual(int(a["ApproximateFirstReceiveTimestamp"]), int(a["SentTimestamp"]))

    def test_send_message_batch(self):
        _, url = self.create_queue("batch", attributes={"MaximumMessageSize": "1024"})
        entries = [
            {"Id": "v1", "MessageBody": V1_BODY, "MessageAttributes": V1_ATTRS},
            {"Id": "v2", "MessageBody": V2_BODY, "MessageAttributes": V2_ATTRS},
            {"Id": "big", "MessageBody": "x" * 1025},
        ]
        out = self.aws("send-message-batch", "--queue-url", url, "--entries", json.dumps(entries))
        ok = {e["Id"]: e for e in out["Successful"]}
        self.assertEqual(sorted(ok), ["v1", "v2"])
        self.assertEqual(ok["v1"]["MD5OfMessageBody"], V1_MD5_BODY)
        self.assertEqual(ok["v1"]["MD5OfMessageAttributes"], V1_MD5_ATTRS)
        self.assertEqual(ok["v2"]["MD5OfMessageBody"], V2_MD5_BODY)
        self.assertEqual(ok["v2"]["MD5OfMessageAttributes"], V2_MD5_ATTRS)
        self.assertEqual(len(out["Failed"]), 1)
        failed = out["Failed"][0]
        self.assertEqual(failed["Id"], "big")
        self.assertIs(failed["SenderFault"], True)
        self.assertEqual(failed["Code"], "InvalidParameterValue")

        out = self.aws("send-message-batch", "--queue-url", url,
                       "--entries", json.dumps([{"Id": "a", "MessageBody": "one"}, {"Id": "b", "MessageBody": "two"}]))
        self.assertEqual(sorted(e["Id"] for e in out["Successful"]), ["a", "b"])
        self.assertNotIn("Failed", out)
        self.assertEqual(self.attributes(url, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"], "4")

    def test_receive_delete_and_visibility(self):
        _, url = self.create_queue("lifecycle")
        self.aws("send-message", "--queue-url", url, "--message-body", "work item")
        m = self.receive(url, "--visibility-timeout", "30", "--attribute-names", "All")[0]
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(self.receive(url), [], "in flight: not receivable")
        counts = self.attributes(url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
        self.assertEqual(counts, {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "1"})

        self.assertEqual(self.aws("change-message-visibility", "--queue-url", url, "--receipt-handle", m["ReceiptHandle"],
                                  "--visibility-timeout", "0"), {})
        again = self.receive(url, "--attribute-names", "ApproximateReceiveCount")
        self.assertEqual(len(again), 1)
        self.assertEqual(again[0]["MessageId"], m["MessageId"])
        self.assertNotEqual(again[0]["ReceiptHandle"], m["ReceiptHandle"])
        self.assertEqual(again[0]["Attributes"]["ApproximateReceiveCount"], "2")

        self.assertEqual(self.aws("delete-message", "--queue-url", url, "--receipt-handle", again[0]["ReceiptHandle"]), {})
        counts = self.attributes(url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
        self.assertEqual(counts, {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"})
        self.assertEqual(self.receive(url), [])
        # Deleting again is a no-op success.
        self.aws("delete-message", "--queue-url", url, "--receipt-handle", again[0]["ReceiptHandle"])

    def test_receive_filters_message_attributes(self):
        _, url = self.create_queue("filter")
        attrs = {"city": {"DataType": "String", "StringValue": "Any City"},
                 "count": {"DataType": "Number", "StringValue": "42"}}
        self.aws("send-message", "--queue-url", url, "--message-body", "hello world", "--message-attributes", json.dumps(attrs))
        m = self.receive(url, "--message-attribute-names", "city", "--visibility-timeout", "0")[0]
        self.assertEqual(m["MessageAttributes"], {"city": attrs["city"]})
        self.assertEqual(m["MD5OfMessageAttributes"], "a6ffb68ea212e1f864e24e589a1bda87")
        m = self.receive(url, "--visibility-timeout", "0")[0]
        self.assertNotIn("MessageAttributes", m)
        self.assertNotIn("MD5OfMessageAttributes", m)
        self.assertNotIn("Attributes", m)

    def test_purge_queue(self):
        _, url = self.create_queue("purge")
        for i in range(3):
            self.aws("send-message", "--queue-url", url, "--message-body", "m%d" % i)
        self.aws("send-message", "--queue-url", url, "--message-body", "delayed", "--delay-seconds", "600")
        self.receive(url, "--visibility-timeout", "600")
        counts = self.attributes(url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                 "ApproximateNumberOfMessagesDelayed")
        self.assertEqual(counts, {"ApproximateNumberOfMessages": "2", "ApproximateNumberOfMessagesNotVisible": "1",
                                  "ApproximateNumberOfMessagesDelayed": "1"})
        self.assertEqual(self.aws("purge-queue", "--queue-url", url), {})
        counts = self.attributes(url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                 "ApproximateNumberOfMessagesDelayed")
        self.assertEqual(counts, {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0",
                                  "ApproximateNumberOfMessagesDelayed": "0"})
        self.assertEqual(self.receive(url, "--max-number-of-messages", "10"), [])

    def test_receive_long_poll_woken_by_send(self):
        _, url = self.create_queue("longpoll")
        before = self.server.waiting_receives()
        t0 = time.monotonic()
        poll = subprocess.Popen(self.argv("receive-message", "--queue-url", url, "--wait-time-seconds", "20"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)
        try:
            # Once the server reports the receive parked (CLI start-up takes about 1 s), send
            # from another process.
            self.server.wait_waiting_receives(before + 1, timeout=15.0)
            sent = self.aws("send-message", "--queue-url", url, "--message-body", "wake up")
            out, err = poll.communicate(timeout=CALL_TIMEOUT)
        finally:
            if poll.poll() is None:
                poll.kill()
                poll.wait(timeout=10)
        elapsed = time.monotonic() - t0
        self.assertEqual(poll.returncode, 0, err)
        msgs = json.loads(out).get("Messages", []) if out.strip() else []
        self.assertEqual([m["MessageId"] for m in msgs], [sent["MessageId"]])
        self.assertLess(elapsed, 15, "the long poll returned on the send, not at its 20 s timeout")

    def test_receive_wait_time_on_empty_queue(self):
        _, url = self.create_queue("emptywait")
        t0 = time.monotonic()
        out = self.aws("receive-message", "--queue-url", url, "--wait-time-seconds", "2")
        elapsed = time.monotonic() - t0
        self.assertEqual(out, {}, "an empty receive prints nothing")
        self.assertGreaterEqual(elapsed, 1.9, "the server held the request for WaitTimeSeconds")
        self.assertLess(elapsed, 15)

if __name__ == "__main__":
    unittest.main()
