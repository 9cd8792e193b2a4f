"""Helpers shared by the SQS-semantics suites (visibility, delay, long polling,
redrive, retention, durability, raw wire).

Everything here talks to a real server over HTTP; nothing is mocked. All waits are
bounded and every helper thread is a daemon joined with a timeout.
"""
import os
import threading
import time
import unittest
import uuid
import xml.etree.ElementTree as ET

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
HAVE_QUERY_MODEL = os.path.exists(os.path.join(HERE, "query_model.py"))
XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/"
NS = "{%s}" % XMLNS
COUNTER_NAMES = ["ApproximateNumberOfMessages",
                 "ApproximateNumberOfMessagesNotVisible",
                 "ApproximateNumberOfMessagesDelayed"]

now = time.monotonic


def make_client(server, protocol="json", region=None, read_timeout=40, **config):
    """A boto3 SQS client for `server`; unlike harness.Server.client it can sign for
    another region. Retries are off so every call is exactly one HTTP request."""
    if region is None or region == harness.REGION:
        return server.client(protocol=protocol, read_timeout=read_timeout, **config)
    cfg = Config(retries={"max_attempts": 1}, read_timeout=read_timeout, connect_timeout=5, **config)
    if protocol == "query":
        from query_model import query_session
        session = query_session()
    else:
        session = boto3.session.Session()
    return session.client("sqs", endpoint_url=server.endpoint, region_name=region,
                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                          config=cfg)


def queue_attrs(client, url, names=("All",)):
    return client.get_queue_attributes(QueueUrl=url, AttributeNames=list(names)).get("Attributes", {})


def queue_arn(client, url):
    return queue_attrs(client, url, ["QueueArn"])["QueueArn"]


def counters(client, url):
    """(visible, not visible, delayed) as reported by GetQueueAttributes."""
    a = queue_attrs(client, url, COUNTER_NAMES)
    return tuple(int(a[n]) for n in COUNTER_NAMES)


def receive(client, url, max_messages=10, wait=0, **kwargs):
    """ReceiveMessage with every attribute requested; returns the message list.
    WaitTimeSeconds is always sent explicitly (0 = short poll) unless wait is None."""
    params = dict(QueueUrl=url, MaxNumberOfMessages=max_messages,
                  AttributeNames=["All"], MessageAttributeNames=["All"])
    if wait is not None:
        params["WaitTimeSeconds"] = wait
    params.update(kwargs)
    return client.receive_message(**params).get("Messages", [])


def receive_count(msg):
    return int(msg["Attributes"]["ApproximateReceiveCount"])


def ids(messages):
    return [m["MessageId"] for m in messages]


def poll_for(client, url, predicate=None, timeout=5.0, interval=0.05, **receive_kwargs):
    """Short-polls until a receive returns messages (matching `predicate` if given).
    Returns (messages, monotonic time the successful receive returned) or ([], None)."""
    deadline = now() + timeout
    while True:
        msgs = receive(client, url, **receive_kwargs)
        t = now()
        if msgs and (predicate is None or predicate(msgs)):
            return msgs, t
        if t >= deadline:
            return [], None
        # The poll interval of this bounded wait.
        time.sleep(interval)


def error_info(exc):
    err = exc.response.get("Error", {})
    return (err.get("Code"), err.get("Message"),
            exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))


class SqsTestMixin:
    """Assertions shared by the suites (mix into a unittest.TestCase)."""

    def assertSqsError(self, code, fn, *args, message=None, message_contains=None,
                       status=None, **kwargs):
        """fn(*args, **kwargs) must raise a ClientError whose error code (the Query
        code, i.e. the x-amzn-query-error code on JSON) equals `code`."""
        try:
            result = fn(*args, **kwargs)
        except ClientError as exc:
            got_code, got_message, got_status = error_info(exc)
            self.assertEqual(got_code, code, "error code (message %r)" % (got_message,))
            if message is not None:
                self.assertEqual(got_message, message)
            if message_contains is not None:
                self.assertIn(message_contains, got_message or "")
            if status is not None:
                self.assertEqual(got_status, status)
            return exc
        self.fail("expected %s, call succeeded with %r" % (code, result))

    def assertCounters(self, client, url, expected, msg=None):
        self.assertEqual(counters(client, url), tuple(expected), msg)

    def assertCountersSoon(self, client, url, expected, timeout=3.0, msg=None):
        """Counters are 'Approximate' in AWS; allow a bounded settle time."""
        expected = tuple(expected)
        got = harness.wait_until(lambda: counters(client, url) == expected and expected,
                                 timeout=timeout, interval=0.05)
        if not got:
            self.assertEqual(counters(client, url), expected, msg)

    def new_queue(self, client, prefix="q", attributes=None, tags=None, fifo=False):
        name = self.unique(prefix)
        attributes = dict(attributes or {})
        if fifo:
            name += ".fifo"
            attributes.setdefault("FifoQueue", "true")
        params = dict(QueueName=name)
        if attributes:
            params["Attributes"] = {k: str(v) for k, v in attributes.items()}
        if tags:
            params["tags"] = tags
        return client.create_queue(**params)["QueueUrl"]


class Worker(threading.Thread):
    """Runs fn in a daemon thread, recording result/exception and when it ended."""

    def __init__(self, fn, *args, **kwargs):
        super().__init__(daemon=True)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.result = None
        self.error = None
        self.started_at = None
        self.ended_at = None

    def run(self):
        self.started_at = now()
        try:
            self.result = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:  # reported by the test, never swallowed
            self.error = exc
        finally:
            self.ended_at = now()

    @property
    def done(self):
        return self.ended_at is not None


def start_worker(fn, *args, **kwargs):
    w = Worker(fn, *args, **kwargs)
    w.start()
    return w


def start_waiting_worker(server, fn, *args, **kwargs):
    """Starts a worker running fn (a receive) and returns it once the server reports one more
    receive waiting on a queue than before: the receive is parked, not merely sent. Bounded;
    a receive that failed instead of parking is reported as its own error."""
    before = server.waiting_receives()
    w = start_worker(fn, *args, **kwargs)
    try:
        server.wait_waiting_receives(before + 1)
    except AssertionError:
        if w.error is not None:
            raise w.error
        raise
    return w


def join_all(testcase, workers, timeout):
    """Joins every worker within one shared deadline; fails the test if any is
    still running or raised."""
    deadline = now() + timeout
    for w in workers:
        w.join(max(0.0, deadline - now()))
    alive = [w for w in workers if w.is_alive()]
    testcase.assertFalse(alive, "%d worker thread(s) still running after %.1fs" % (len(alive), timeout))
    for w in workers:
        if w.error is not None:
            raise w.error


def skip_unless_query(cls):
    return unittest.skipUnless(HAVE_QUERY_MODEL, "query_model.py not available")(cls)


# ---- raw wire helpers -------------------------------------------------------

def fake_sigv4(region, access_key="AKIDEXAMPLE"):
    """A syntactically valid SigV4 Authorization header (without --auth sqsemu verifies no
    signature, docs/security.md; only the credential scope matters)."""
    return ("AWS4-HMAC-SHA256 Credential=%s/20261122/%s/sqs/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, Signature=%s"
            % (access_key, region, "0" * 64))


def form_encode(params):
    from urllib.parse import urlencode
    return urlencode(params)


def query(server, params, path="/", method="POST", headers=None, raw_body=None):
    """A Query-protocol request. `params` is a list of pairs or a dict; for GET they
    go in the query string, for POST in a form body. Returns
    (status, headers, parsed XML root or None, raw body bytes)."""
    h = {}
    if method == "GET":
        qs = raw_body if raw_body is not None else form_encode(params)
        full = path + ("?" + qs if qs else "")
        body = b""
    else:
        full = path
        body = raw_body if raw_body is not None else form_encode(params)
        if isinstance(body, str):
            body = body.encode("ascii")
        h["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    h.update(headers or {})
    status, hdrs, data = server.raw(method, full, body, h)
    root = None
    if data.strip():
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            root = None
    return status, hdrs, root, data


def xml_child(elem, name):
    return elem.find(NS + name) if elem is not None else None


def xml_text(elem, path):
    """Text at a '/'-separated path of namespaced element names, or None."""
    cur = elem
    for part in path.split("/"):
        cur = xml_child(cur, part)
        if cur is None:
            return None
    return cur.text


def is_uuid(value):
    try:
        uuid.UUID(value)
        return True
    except (TypeError, ValueError, AttributeError):
        return False
