"""Helpers shared by test_fifo, test_redrive_allow, test_move_tasks and test_strict.

Everything talks to a real sqsemu over HTTP (boto3 on either protocol, or the aws CLI);
every wait is bounded.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time

from botocore.exceptions import ClientError

import harness
from sqs_asserts import SqsCase, assert_client_error

AWS_CLI = shutil.which("aws")
ARN_PREFIX = "arn:aws:sqs:%s:%s:" % (harness.REGION, harness.ACCOUNT)


def arn_for(name):
    return ARN_PREFIX + name


def name_of(url):
    return url.rstrip("/").rsplit("/", 1)[1]


def redrive_policy(dlq_arn, max_receive):
    return json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive})


def allow_policy(permission, sources=None):
    doc = {"redrivePermission": permission}
    if sources is not None:
        doc["sourceQueueArns"] = list(sources)
    return json.dumps(doc)


def counters(client, url):
    """(visible, in flight, delayed)."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed"]
    attrs = client.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return tuple(int(attrs[n]) for n in names)


def receive_all_attrs(client, url, max_messages=10, visibility=None, wait=0, **kwargs):
    params = dict(QueueUrl=url, MaxNumberOfMessages=max_messages, WaitTimeSeconds=wait,
                  AttributeNames=["All"], MessageAttributeNames=["All"])
    if visibility is not None:
        params["VisibilityTimeout"] = visibility
    params.update(kwargs)
    return client.receive_message(**params).get("Messages", [])


def drain(client, url, expected, timeout=10.0, visibility=60):
    """Receives (and deletes) until `expected` messages were seen or timeout passes;
    returns the messages in the order they were received."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        msgs = receive_all_attrs(client, url, visibility=visibility, wait=1)
        for m in msgs:
            got.append(m)
            client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


def bodies(messages):
    return [m["Body"] for m in messages]


def seqno(value):
    """A SequenceNumber (a string of digits) as an int."""
    if not (isinstance(value, str) and value.isdigit()):
        raise AssertionError("SequenceNumber %r is not a string of digits" % (value,))
    return int(value)


def error_info(exc):
    err = exc.response.get("Error", {})
    return (err.get("Code"), err.get("Message"),
            exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))


class ProtocolCase(SqsCase):
    """Mixin for suites parameterised over protocols (json/query): the client per class of
    SqsCase, plus queue helpers and error assertions."""

    protocol = "json"
    read_timeout = 30

    def fails(self, code, fn, *args, message=None, status=None, shape=None, **kwargs):
        """fn(*args, **kwargs) must raise ClientError `code` (the Query code, also the JSON
        x-amzn-query-error code) with its usual HTTP status and JSON shape (sqs_asserts.ERRORS); message is an
        exact text or a compiled regex."""
        try:
            result = fn(*args, **kwargs)
        except ClientError as exc:
            return assert_client_error(exc, code, message, protocol=self.protocol,
                                       status=status, shape=shape)
        self.fail("expected %s, the call succeeded: %r" % (code, result))

    def not_found(self, fn, message, **kwargs):
        """ResourceNotFoundException, HTTP 404."""
        return self.fails("ResourceNotFoundException", fn, message=message, status=404,
                          shape="ResourceNotFoundException", **kwargs)

    def new_queue(self, prefix="q", attributes=None, fifo=False, name=None):
        """CreateQueue; returns (url, arn)."""
        name = name or self.unique(prefix)
        attributes = {k: str(v) for k, v in (attributes or {}).items()}
        if fifo:
            if not name.endswith(".fifo"):
                name += ".fifo"
            attributes.setdefault("FifoQueue", "true")
        params = {"QueueName": name}
        if attributes:
            params["Attributes"] = attributes
        url = self.sqs.create_queue(**params)["QueueUrl"]
        return url, arn_for(name)

    def counters(self, url):
        return counters(self.sqs, url)

    def wait_counters(self, url, expected, timeout=5.0, msg=None):
        expected = tuple(expected)
        ok = harness.wait_until(lambda: counters(self.sqs, url) == expected, timeout=timeout,
                                interval=0.05)
        if not ok:
            self.assertEqual(counters(self.sqs, url), expected,
                             msg or "queue counters (visible, in flight, delayed)")


# ---- the aws CLI -------------------------------------------------------------------

class Cli:
    """Runs the real `aws` CLI against one server with throw-away credentials."""

    def __init__(self, server):
        self.server = server
        self.home = tempfile.mkdtemp(prefix="sqsemu-cli-home-")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
                    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                    "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
                    "AWS_RETRY_MODE": "standard", "AWS_PAGER": "", "HOME": self.home})
        self.env = env

    def close(self):
        shutil.rmtree(self.home, ignore_errors=True)

    def run(self, *args, timeout=90):
        argv = [AWS_CLI, "--endpoint-url", self.server.endpoint, "--region", harness.REGION,
                "--output", "json", "--cli-connect-timeout", "5", "--cli-read-timeout", "30",
                "sqs"] + [str(a) for a in args]
        return subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=timeout)

    def ok(self, *args):
        proc = self.run(*args)
        if proc.returncode != 0:
            raise AssertionError("aws %s exited %d: %s" % (" ".join(map(str, args)), proc.returncode,
                                                           proc.stderr.strip()))
        out = proc.stdout.strip()
        return json.loads(out) if out else {}

    def fails(self, *args):
        """Runs a command that must fail; returns its stderr."""
        proc = self.run(*args)
        if proc.returncode == 0:
            raise AssertionError("aws %s succeeded: %s" % (" ".join(map(str, args)), proc.stdout))
        return proc.stderr
