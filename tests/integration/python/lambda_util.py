"""Helpers shared by the Lambda suites (test_lambda_functions, test_lambda_mappings,
test_lambda_poller).

Functions are created from the fixture directories under fixtures/handlers/ (zipped in
memory, or used in place through the `hot-reload` S3 bucket). Handlers report to the tests
by writing one JSON file per invocation into a directory passed as OUT_DIR through
Environment.Variables; nothing is mocked. Every wait is bounded.
"""
import base64
import glob
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import harness

FIXTURES = os.path.join(harness.ROOT, "fixtures", "handlers")
REGION = harness.REGION
ACCOUNT = harness.ACCOUNT
ROLE = "arn:aws:iam::%s:role/lambda-role" % ACCOUNT
CC = shutil.which("cc") or shutil.which("gcc")
NODE = shutil.which("node")
AWS_CLI = shutil.which("aws")

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LAST_MODIFIED_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")
NOT_FOUND_RESOURCE = "The resource you requested does not exist."


def _python_runtime():
    """The Lambda runtime name matching the python3 that runs the tests (and, on the same
    machine, the handlers), within the model's python3.9..python3.14 range."""
    minor = min(max(sys.version_info[1], 9), 14)
    return "python3.%d" % minor


def _node_runtime():
    major = 20
    if NODE:
        try:
            out = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=30).stdout
            major = int(out.strip().lstrip("v").split(".")[0])
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass
    major = min(max(major, 18), 24)
    if major % 2:  # only even (LTS) majors are Lambda runtimes
        major -= 1
    return "nodejs%d.x" % major


PY_RUNTIME = _python_runtime()
NODE_RUNTIME = _node_runtime()
PROVIDED_RUNTIME = "provided.al2023"


def function_arn(name, qualifier=None):
    arn = "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, name)
    return arn + ":" + qualifier if qualifier else arn


def queue_arn_for(name):
    return "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, name)


def mapping_arn(uuid):
    return "arn:aws:lambda:%s:%s:event-source-mapping:%s" % (REGION, ACCOUNT, uuid)


# ---- code packages -----------------------------------------------------------------

def zip_bytes(files):
    """A zip archive in memory. files: {archive name: str | bytes | (str|bytes, mode)}.
    Timestamps are fixed so the same files always give the same bytes (and CodeSha256)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            content = files[name]
            mode = 0o644
            if isinstance(content, tuple):
                content, mode = content
            if isinstance(content, str):
                content = content.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.create_system = 3  # unix, so the mode bits below are honoured
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content)
    return out.getvalue()


def fixture_files(name):
    """{relative path: (bytes, mode)} of one fixture directory (no caches, no C sources)."""
    root = os.path.join(FIXTURES, name)
    if not os.path.isdir(root):
        raise FileNotFoundError("no fixture directory %s" % root)
    files = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for fn in filenames:
            if fn.endswith((".pyc", ".c")):
                continue
            path = os.path.join(dirpath, fn)
            with open(path, "rb") as f:
                files[os.path.relpath(path, root)] = (f.read(), os.stat(path).st_mode & 0o777)
    return files


def zip_fixture(name, overrides=None):
    """The fixture directory zipped in memory; overrides replace or add files."""
    files = fixture_files(name)
    files.update(overrides or {})
    return zip_bytes(files)


def copy_fixture(name, dest):
    """Copies a fixture directory into dest (created); returns dest."""
    shutil.copytree(os.path.join(FIXTURES, name), dest, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def sha256_b64(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def build_bootstrap(dest_dir):
    """Copies fixtures/handlers/provided_echo into dest_dir and compiles bootstrap.c next to
    it with cc; returns the path of the executable `bootstrap`."""
    if not CC:
        raise RuntimeError("no C compiler (cc) to build the provided_echo bootstrap")
    copy_fixture("provided_echo", dest_dir)
    exe = os.path.join(dest_dir, "bootstrap")
    proc = subprocess.run([CC, "-O2", "-std=c11", "-Wall", "-o", exe,
                           os.path.join(dest_dir, "bootstrap.c")],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError("compiling bootstrap.c failed: %s" % proc.stderr)
    os.chmod(exe, 0o755)
    return exe


_BOOTSTRAP_ZIP = None


def provided_zip():
    """A zip holding the compiled, executable bootstrap (built once per process)."""
    global _BOOTSTRAP_ZIP
    if _BOOTSTRAP_ZIP is None:
        tmp = tempfile.mkdtemp(prefix="sqsemu-bootstrap-")
        try:
            exe = build_bootstrap(tmp)
            with open(exe, "rb") as f:
                _BOOTSTRAP_ZIP = zip_bytes({"bootstrap": (f.read(), 0o755)})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return _BOOTSTRAP_ZIP


# ---- handler reports ---------------------------------------------------------------

def read_records(out_dir):
    """Invocation documents written by the fixtures into out_dir, oldest first."""
    docs = []
    for path in sorted(glob.glob(os.path.join(out_dir, "*.json")),
                       key=lambda p: int(os.path.basename(p).split("-", 1)[0])):
        with open(path) as f:
            docs.append(json.load(f))
    return docs


def sqs_records(docs):
    """[(invocation document, SQS record)] for every record of every invocation."""
    out = []
    for doc in docs:
        event = doc.get("event")
        if isinstance(event, dict):
            for rec in event.get("Records") or []:
                out.append((doc, rec))
    return out


def wait_records(out_dir, count, timeout=10.0, interval=0.05):
    """Waits until out_dir holds at least `count` invocation documents; returns them all."""
    deadline = time.monotonic() + timeout
    while True:
        docs = read_records(out_dir)
        if len(docs) >= count or time.monotonic() >= deadline:
            return docs
        # The poll interval of this bounded wait.
        time.sleep(interval)


def wait_sqs_records(out_dir, predicate, timeout=10.0, interval=0.05):
    """Waits until predicate([(doc, record), ...]) is truthy; returns the pairs."""
    deadline = time.monotonic() + timeout
    while True:
        pairs = sqs_records(read_records(out_dir))
        if predicate(pairs) or time.monotonic() >= deadline:
            return pairs
        # The poll interval of this bounded wait.
        time.sleep(interval)


def wait_file(path, timeout=10.0):
    return harness.wait_until(lambda: os.path.exists(path), timeout=timeout)


def error_of(exc):
    err = exc.response.get("Error", {})
    return err.get("Code"), err.get("Message"), exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")


def counters(sqs, url):
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return tuple(int(attrs[n]) for n in names)


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


# ---- test case base ----------------------------------------------------------------

def lambda_client(server, read_timeout=60):
    """A boto3 Lambda client that sends every request exactly once (no retry after a read
    timeout, which would run an Invoke twice and hide a hung response)."""
    cfg = Config(retries={"total_max_attempts": 1}, read_timeout=read_timeout, connect_timeout=5)
    return boto3.session.Session().client("lambda", endpoint_url=server.endpoint, region_name=REGION,
                                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                                          config=cfg)


class LambdaTestCase(harness.ServerTestCase):
    """A server per class plus helpers that clean up after each test."""

    read_timeout = 30

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lam = lambda_client(cls.server, cls.read_timeout)
        cls.sqs = cls.server.client("sqs", read_timeout=cls.read_timeout)

    # -- scratch space --
    def tmpdir(self, prefix="sqsemu-lambda-"):
        d = tempfile.mkdtemp(prefix=prefix)
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def out_dir(self):
        return self.tmpdir("sqsemu-out-")

    # -- functions --
    def create_function(self, name=None, fixture="py_recorder", handler="app.handler",
                        runtime=PY_RUNTIME, env=None, zip_file=None, code=None, cleanup=True,
                        **extra):
        """CreateFunction; returns the response (a dict). Deleted again after the test."""
        name = name or self.unique("fn")
        if code is None:
            code = {"ZipFile": zip_file if zip_file is not None else zip_fixture(fixture)}
        params = dict(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler, Code=code)
        if env is not None:
            params["Environment"] = {"Variables": {k: str(v) for k, v in env.items()}}
        params.update(extra)
        resp = self.lam.create_function(**params)
        if cleanup:
            self.addCleanup(self._delete_function_quietly, name)
        return resp

    def _delete_function_quietly(self, name):
        try:
            self.lam.delete_function(FunctionName=name)
        except ClientError:
            pass

    def invoke(self, name, payload=None, **kwargs):
        """Invoke; returns (response without the stream, raw payload bytes, parsed payload
        or None when it is not JSON)."""
        params = dict(FunctionName=name)
        if payload is not None:
            params["Payload"] = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
        params.update(kwargs)
        resp = self.lam.invoke(**params)
        raw = resp.pop("Payload").read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return resp, raw, parsed

    # -- queues and mappings --
    def queue(self, prefix="q", attributes=None, fifo=False):
        """CreateQueue; returns (url, arn)."""
        name = self.unique(prefix)
        attributes = {k: str(v) for k, v in (attributes or {}).items()}
        if fifo:
            name += ".fifo"
            attributes.setdefault("FifoQueue", "true")
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        self.addCleanup(self._delete_queue_quietly, url)
        return url, queue_arn_for(name)

    def _delete_queue_quietly(self, url):
        try:
            self.sqs.delete_queue(QueueUrl=url)
        except ClientError:
            pass

    def create_mapping(self, function_name, source_arn, wait_enabled=True, cleanup=True, **kwargs):
        """CreateEventSourceMapping; waits (bounded) for State Enabled unless told not to."""
        resp = self.lam.create_event_source_mapping(FunctionName=function_name,
                                                    EventSourceArn=source_arn, **kwargs)
        if cleanup:
            self.addCleanup(self._delete_mapping_quietly, resp["UUID"])
        if wait_enabled and kwargs.get("Enabled", True):
            self.wait_mapping_state(resp["UUID"], "Enabled")
        return resp

    def _delete_mapping_quietly(self, uuid):
        try:
            self.lam.delete_event_source_mapping(UUID=uuid)
        except ClientError:
            pass
        # let the poller let go of the queue before the queue itself is deleted
        harness.wait_until(lambda: not self._mapping_exists(uuid), timeout=3.0, interval=0.05)

    def _mapping_exists(self, uuid):
        try:
            self.lam.get_event_source_mapping(UUID=uuid)
            return True
        except ClientError:
            return False

    def wait_mapping_state(self, uuid, state, timeout=3.0):
        last = {}

        def check():
            last["m"] = self.lam.get_event_source_mapping(UUID=uuid)
            return last["m"]["State"] == state

        if not harness.wait_until(check, timeout=timeout, interval=0.05):
            self.fail("mapping %s did not reach State %s within %.1fs (last %r)"
                      % (uuid, state, timeout, last.get("m", {}).get("State")))
        return last["m"]

    # -- assertions --
    def assertLambdaError(self, fn, code, status, message=None, message_prefix=None,
                          message_contains=None):
        """fn() must raise a ClientError with this error code, HTTP status and message."""
        try:
            result = fn()
        except ClientError as exc:
            got_code, got_message, got_status = error_of(exc)
            self.assertEqual((got_code, got_status), (code, status),
                             "error code/status (message %r)" % (got_message,))
            if message is not None:
                self.assertEqual(got_message, message)
            if message_prefix is not None:
                self.assertTrue((got_message or "").startswith(message_prefix),
                                "message %r does not start with %r" % (got_message, message_prefix))
            if message_contains is not None:
                self.assertIn(message_contains, got_message or "")
            return exc
        self.fail("expected %s (%d), the call succeeded: %r" % (code, status, result))

    def raw_json(self, method, path, body=None, headers=None):
        """A raw Lambda REST exchange; returns (status, lower-cased headers, parsed body or bytes)."""
        h = {"Content-Type": "application/json"} if body is not None else {}
        h.update(headers or {})
        data = b"" if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
        status, hdrs, raw = self.server.raw(method, path, data, h)
        try:
            return status, hdrs, json.loads(raw) if raw else None
        except ValueError:
            return status, hdrs, raw


# ---- the aws CLI -------------------------------------------------------------------

class CliFailed(Exception):
    def __init__(self, proc):
        super().__init__("aws exited %d: %s" % (proc.returncode, proc.stderr.strip()))
        self.proc = proc


def cli_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
                "AWS_RETRY_MODE": "standard", "AWS_PAGER": "", "HOME": home})
    return env


def run_cli(server, env, *args, check=True, timeout=90):
    """Runs `aws --endpoint-url ... <args>`; returns (parsed JSON or {}, completed process)."""
    argv = [AWS_CLI, "--endpoint-url", server.endpoint, "--region", REGION, "--output", "json",
            "--cli-connect-timeout", "5", "--cli-read-timeout", "60"] + [str(a) for a in args]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    if check and proc.returncode != 0:
        raise CliFailed(proc)
    out = proc.stdout.strip()
    try:
        return (json.loads(out) if out else {}), proc
    except ValueError:
        return {}, proc
