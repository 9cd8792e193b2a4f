"""Test harness: starts the real sqsemu binary on a free loopback port and builds SDK clients.

Every test module uses this; nothing here mocks HTTP, SQLite or processes.
"""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import boto3
from botocore.config import Config

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BIN = os.environ.get("SQSEMU_BIN") or os.path.join(ROOT, "build", "sqsemu")
REGION = "us-east-1"
ACCOUNT = "000000000000"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One sqsemu process. start() waits until it accepts connections (bounded)."""

    def __init__(self, data_dir=None, in_memory=False, extra_args=(), binary=None, cwd=None, env=None):
        """binary: the sqsemu to run (default BIN); cwd: the directory it starts in (a
        relative data_dir is taken from there); env: its whole environment (default ours)."""
        self.binary = binary or BIN
        self.cwd = cwd
        self.env = env
        self.port = free_port()
        self._tmp = None
        if data_dir is None and not in_memory:
            self._tmp = tempfile.TemporaryDirectory(prefix="sqsemu-test-")
            data_dir = self._tmp.name
        self.data_dir = data_dir
        self.in_memory = in_memory
        self.extra_args = list(extra_args)
        self.proc = None
        self.log_path = None

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self, timeout=10.0):
        args = [self.binary, "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warn"]
        args += ["--in-memory"] if self.in_memory else ["--data-dir", self.data_dir]
        args += self.extra_args
        fd, self.log_path = tempfile.mkstemp(prefix="sqsemu-log-", suffix=".txt")
        self._log = os.fdopen(fd, "w")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, cwd=self.cwd, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("sqsemu exited with %s: %s" % (self.proc.returncode, self.log()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.02)  # the poll interval of this bounded wait for the listener
        self.stop()
        raise RuntimeError("sqsemu did not start listening within %.0fs" % timeout)

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except (OSError, TypeError):
            return ""

    def stop(self, timeout=10.0):
        """SIGTERM and wait (bounded); returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        code = self.proc.returncode
        self.proc = None
        self._log.close()
        return code

    def kill9(self):
        """SIGKILL, as a crash would; the data directory stays for a restart."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None
            self._log.close()

    def restart(self):
        self.port = free_port() if self.port is None else self.port
        return self.start()

    def cleanup(self):
        self.stop()
        if self.log_path and os.path.exists(self.log_path):
            os.unlink(self.log_path)
        if self._tmp is not None:
            self._tmp.cleanup()

    def client(self, service="sqs", protocol="json", **config):
        """A boto3 client for this server. protocol="query" forces botocore onto the
        query/XML protocol (see query_model.py)."""
        cfg = Config(retries={"max_attempts": 1}, read_timeout=config.pop("read_timeout", 30),
                     connect_timeout=5, **config)
        if protocol == "query":
            from query_model import query_session
            session = query_session()
        else:
            session = boto3.session.Session()
        return session.client(service, endpoint_url=self.endpoint, region_name=REGION,
                              aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                              config=cfg)

    def raw(self, method, path="/", body=b"", headers=None, timeout=30):
        """A raw HTTP exchange (for malformed input); returns (status, headers dict, body bytes)."""
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    HEALTH_PATH = "/_sqsemu/health"

    def health(self, timeout=5):
        """The server's health document (GET /_sqsemu/health, never signed): status, version,
        services, and the counts tests wait on instead of sleeping: parked_requests (HTTP
        requests parked: long polls and synchronous Lambda invocations) and
        waiting_receives (receives parked on queues: client long polls and the idle pollers
        of enabled event-source mappings)."""
        status, _, body = self.raw("GET", self.HEALTH_PATH, timeout=timeout)
        if status != 200:
            raise AssertionError("GET %s answered %d: %r" % (self.HEALTH_PATH, status, body[:200]))
        return json.loads(body)

    def wait_health(self, key, n, timeout=5.0, interval=0.01):
        """Polls the health document every `interval` until its `key` count equals n, at most
        `timeout` seconds; returns the document, or fails the test with the last one seen."""
        deadline = time.monotonic() + timeout
        while True:
            doc = self.health()
            if doc[key] == n:
                return doc
            if time.monotonic() >= deadline:
                raise AssertionError("%s stayed %r (waited %.1fs for %d): %r"
                                     % (key, doc[key], timeout, n, doc))
            time.sleep(interval)  # the poll interval of this bounded wait

    def parked_requests(self):
        return self.health()["parked_requests"]

    def waiting_receives(self):
        return self.health()["waiting_receives"]

    def wait_parked(self, n, timeout=5.0):
        """Waits (bounded) until exactly n HTTP requests are parked on the server."""
        return self.wait_health("parked_requests", n, timeout)

    def wait_waiting_receives(self, n, timeout=5.0):
        """Waits (bounded) until exactly n receives are parked on queues."""
        return self.wait_health("waiting_receives", n, timeout)

    def raw_json(self, action, payload, headers=None):
        """POST an AWS JSON 1.0 request; returns (status, headers, parsed-or-raw body)."""
        h = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS." + action}
        h.update(headers or {})
        body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
        status, hdrs, data = self.raw("POST", "/", body, h)
        try:
            return status, hdrs, json.loads(data) if data else {}
        except ValueError:
            return status, hdrs, data


class ServerTestCase(unittest.TestCase):
    """One server per test class (in its own temporary data directory)."""

    server_args = ()
    in_memory = False

    @classmethod
    def setUpClass(cls):
        cls.server = Server(in_memory=cls.in_memory, extra_args=cls.server_args).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    _counter = 0

    def unique(self, prefix="q"):
        ServerTestCase._counter += 1
        return "%s-%d-%d" % (prefix, os.getpid(), ServerTestCase._counter)


def wait_until(predicate, timeout=5.0, interval=0.02):
    """Polls predicate until it is truthy or timeout passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)  # the poll interval of this bounded wait
