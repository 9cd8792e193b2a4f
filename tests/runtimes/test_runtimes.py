"""Tests of sqsemu's runtime shims (runtimes/python/bootstrap.py and
runtimes/node/bootstrap.mjs).

Each test starts a small fake Lambda Runtime API (http.server in a thread on
127.0.0.1, port 0), writes fixture handlers into a temporary task root and runs
a shim as a real subprocess against it. Every wait is bounded.

    python3 tests/runtimes/test_runtimes.py
    python3 -m unittest discover -s tests/runtimes -p 'test_*.py' -v
"""

import http.server
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY_SHIM = os.path.join(REPO, "runtimes", "python", "bootstrap.py")
NODE_SHIM = os.path.join(REPO, "runtimes", "node", "bootstrap.mjs")
NODE = shutil.which("node")

WAIT = 15.0          # upper bound for any single wait on the shim
FUNCTION_NAME = "order-processor"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:" + FUNCTION_NAME


def _node_major():
    if not NODE:
        return 0
    try:
        out = subprocess.run([NODE, "--version"], capture_output=True, text=True,
                             timeout=10).stdout.strip()
        return int(out.lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return 0


HAVE_NODE = _node_major() >= 18


# ---------------------------------------------------------------------------
# Fake Runtime API
# ---------------------------------------------------------------------------

class Posted:
    """What the shim posted for one invocation (or for init)."""

    def __init__(self, kind, path, headers, body):
        self.kind = kind            # "response", "error" or "init_error"
        self.path = path
        self.headers = headers      # dict with lower-case names
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "Posted(%s, %r)" % (self.kind, self.body[:300])


class FakeRuntimeAPI:
    PREFIX = "/2018-06-01"

    def __init__(self):
        self.pending = queue.Queue()        # (request_id, body, headers)
        self.results = {}                   # request_id -> Posted
        self.answered = set()               # request ids with a post under way
        self.init_errors = []               # [Posted]
        self.next_calls = 0
        self.connections = set()            # client ports seen (keep-alive check)
        self.cond = threading.Condition()
        self.stopping = threading.Event()
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def _reply(self, status, doc):
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                with api.cond:
                    api.connections.add(self.client_address[1])
                if self.path != api.PREFIX + "/runtime/invocation/next":
                    self._reply(404, {"errorType": "NotFound", "errorMessage": self.path})
                    return
                with api.cond:
                    api.next_calls += 1
                    api.cond.notify_all()
                while not api.stopping.is_set():
                    try:
                        request_id, body, headers, framing = api.pending.get(timeout=0.1)
                        break
                    except queue.Empty:
                        continue
                else:
                    self.close_connection = True
                    self._reply(503, {"errorType": "ShuttingDown", "errorMessage": ""})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if framing == "chunked-close":
                    # Chunked, then the server hangs up: the shim must reconnect.
                    self.send_header("Transfer-Encoding", "chunked")
                    self.send_header("Connection", "close")
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if framing == "chunked-close":
                    half = len(body) // 2
                    for part in (body[:half], body[half:]):
                        if part:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.wfile.write(body)

            def do_POST(self):
                with api.cond:
                    api.connections.add(self.client_address[1])
                length = self.headers.get("Content-Length")
                if length is None:
                    self._reply(411, {"errorType": "LengthRequired", "errorMessage": ""})
                    return
                body = self.rfile.read(int(length))
                headers = {k.lower(): v for k, v in self.headers.items()}
                path = self.path
                rest = path[len(api.PREFIX):] if path.startswith(api.PREFIX) else ""
                if rest == "/runtime/init/error":
                    # Answer first, then record: a test that stops the shim as
                    # soon as it sees the post must not cut the answer off.
                    self._reply(202, {"status": "OK"})
                    with api.cond:
                        api.init_errors.append(Posted("init_error", path, headers, body))
                        api.cond.notify_all()
                    return
                parts = rest.split("/")
                # ["", "runtime", "invocation", id, "response"|"error"]
                if (len(parts) == 5 and parts[1] == "runtime" and parts[2] == "invocation"
                        and parts[4] in ("response", "error")):
                    with api.cond:
                        duplicate = parts[3] in api.results or parts[3] in api.answered
                        api.answered.add(parts[3])
                    if duplicate:
                        self._reply(400, {"errorType": "InvalidRequestID",
                                          "errorMessage": "Invalid request ID"})
                        return
                    self._reply(202, {"status": "OK"})
                    with api.cond:
                        api.results[parts[3]] = Posted(parts[4], path, headers, body)
                        api.cond.notify_all()
                    return
                self._reply(404, {"errorType": "NotFound", "errorMessage": path})

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request, client_address):
                # A shim killed at the end of a test resets its connection.
                if isinstance(sys.exc_info()[1], ConnectionError):
                    return
                http.server.ThreadingHTTPServer.handle_error(self, request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def enqueue(self, event, timeout_s=30, trace_id=None, client_context=None,
                request_id=None, raw_body=None, framing=None):
        request_id = request_id or str(uuid.uuid4())
        body = raw_body if raw_body is not None else json.dumps(event).encode()
        headers = {
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + timeout_s * 1000),
            "Lambda-Runtime-Invoked-Function-Arn": ARN,
        }
        if trace_id:
            headers["Lambda-Runtime-Trace-Id"] = trace_id
        if client_context is not None:
            headers["Lambda-Runtime-Client-Context"] = json.dumps(client_context)
        self.pending.put((request_id, body, headers, framing))
        return request_id

    def wait_result(self, request_id, timeout=WAIT):
        deadline = time.monotonic() + timeout
        with self.cond:
            while request_id not in self.results:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no result for %s within %.0fs" % (request_id, timeout))
                self.cond.wait(left)
            return self.results[request_id]

    def wait_init_error(self, timeout=WAIT):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not self.init_errors:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no /runtime/init/error within %.0fs" % timeout)
                self.cond.wait(left)
            return self.init_errors[0]

    def wait_next_calls(self, n, timeout=WAIT):
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.next_calls < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("fewer than %d /next calls within %.0fs" % (n, timeout))
                self.cond.wait(left)

    def invoke(self, event=None, **kw):
        return self.wait_result(self.enqueue(event, **kw))


# ---------------------------------------------------------------------------
# A shim subprocess with its stdout/stderr read line by line
# ---------------------------------------------------------------------------

class ShimProcess:
    def __init__(self, argv, task_root, api, extra_env=None):
        env = dict(os.environ)
        for key in ("_X_AMZN_TRACE_ID", "PYTHONUNBUFFERED", "NODE_OPTIONS"):
            env.pop(key, None)
        env.update({
            "AWS_LAMBDA_RUNTIME_API": api.address,
            "LAMBDA_TASK_ROOT": task_root,
            "_HANDLER": argv[-1],
            "AWS_LAMBDA_FUNCTION_NAME": FUNCTION_NAME,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/" + FUNCTION_NAME,
            "AWS_LAMBDA_LOG_STREAM_NAME": "2025/06/01/[$LATEST]0123456789abcdef",
            "AWS_REGION": "us-east-1",
            "TZ": ":UTC",
        })
        if extra_env:
            env.update(extra_env)
        self.lines = queue.Queue()          # (stream name, line)
        self.captured = {"stdout": [], "stderr": []}
        self.proc = subprocess.Popen(argv, cwd=task_root, env=env,
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.readers = [
            threading.Thread(target=self._read, args=("stdout", self.proc.stdout), daemon=True),
            threading.Thread(target=self._read, args=("stderr", self.proc.stderr), daemon=True),
        ]
        for t in self.readers:
            t.start()

    def _read(self, name, stream):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.captured[name].append(line)
            self.lines.put((name, line))

    def wait_line(self, needle, stream="stdout", timeout=WAIT):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("%r never appeared on %s; got %r"
                                     % (needle, stream, self.captured))
            try:
                name, line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if name == stream and needle in line:
                return line

    def wait_exit(self, timeout=WAIT):
        return self.proc.wait(timeout=timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for t in self.readers:
            t.join(timeout=5)
        self.proc.stdout.close()
        self.proc.stderr.close()

    def output(self):
        return "stdout:\n%s\nstderr:\n%s" % ("\n".join(self.captured["stdout"]),
                                             "\n".join(self.captured["stderr"]))


class ShimTestCase(unittest.TestCase):
    def setUp(self):
        self.task_root = tempfile.mkdtemp(prefix="sqsemu-runtime-test-")
        self.api = FakeRuntimeAPI()
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            p.stop()
        self.api.stop()
        shutil.rmtree(self.task_root, ignore_errors=True)

    def write(self, relpath, text):
        path = os.path.join(self.task_root, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text).lstrip("\n"))
        return path

    def start(self, argv, extra_env=None):
        p = ShimProcess(argv, self.task_root, self.api, extra_env)
        self.procs.append(p)
        return p

    def assert_init_error(self, proc, error_type, exit_nonzero=True, exit_code=None):
        posted = self.api.wait_init_error()
        self.assertEqual(posted.headers.get("lambda-runtime-function-error-type"), error_type,
                         proc.output())
        doc = posted.json()
        self.assertEqual(doc["errorType"], error_type)
        self.assertIsInstance(doc["errorMessage"], str)
        status = proc.wait_exit()
        if exit_code is not None:
            self.assertEqual(status, exit_code)
        elif exit_nonzero:
            self.assertNotEqual(status, 0)
        self.assertEqual(self.api.next_calls, 0, "an init failure must not poll /next")
        return doc


# ---------------------------------------------------------------------------
# Python shim
# ---------------------------------------------------------------------------

class PythonShimTest(ShimTestCase):
    def start_py(self, handler, extra_env=None):
        return self.start([sys.executable, PY_SHIM, handler], extra_env)

    def test_success_result(self):
        self.write("app.py", """
            def handler(event, context):
                return {"ok": True, "n": event["n"] * 2, "text": "h\\u00e9"}
        """)
        proc = self.start_py("app.handler")
        posted = self.api.invoke({"n": 21})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.json(), {"ok": True, "n": 42, "text": "h\u00e9"})
        self.assertEqual(posted.headers.get("content-type"), "application/json")
        self.assertEqual(int(posted.headers["content-length"]), len(posted.body))
        self.assertNotIn("transfer-encoding", posted.headers)

    def test_none_result_is_null(self):
        self.write("app.py", """
            def handler(event, context):
                pass
        """)
        proc = self.start_py("app.handler")
        posted = self.api.invoke({"Records": []})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.body, b"null")

    def test_handler_exception_error_document(self):
        self.write("lambda_handler_error.py", """
            def handler(event, context):
                raise ValueError("Handler fails")
        """)
        proc = self.start_py("lambda_handler_error.handler")
        rid = self.api.enqueue({})
        posted = self.api.wait_result(rid)
        self.assertEqual(posted.kind, "error", proc.output())
        doc = posted.json()
        self.assertEqual(set(doc), {"errorMessage", "errorType", "requestId", "stackTrace"})
        self.assertEqual(doc["errorMessage"], "Handler fails")
        self.assertEqual(doc["errorType"], "ValueError")
        self.assertEqual(doc["requestId"], rid)
        self.assertIsInstance(doc["stackTrace"], list)
        self.assertTrue(doc["stackTrace"])
        self.assertTrue(all(isinstance(s, str) for s in doc["stackTrace"]))
        self.assertIn('lambda_handler_error.py", line 2, in handler', doc["stackTrace"][0])
        self.assertIn('raise ValueError("Handler fails")', doc["stackTrace"][0])
        self.assertFalse(any("bootstrap.py" in s for s in doc["stackTrace"]), doc["stackTrace"])
        self.assertEqual(posted.headers.get("content-type"), "application/json")
        # The process survives a handler error and serves the next invocation.
        self.assertEqual(self.api.invoke({}).kind, "error")
        self.assertIsNone(proc.proc.poll())

    def test_import_error_missing_module(self):
        proc = self.start_py("nosuchmodule.handler")
        doc = self.assert_init_error(proc, "Runtime.ImportModuleError", exit_code=1)
        self.assertIn("Unable to import module 'nosuchmodule'", doc["errorMessage"])
        self.assertEqual(doc["requestId"], "")
        self.assertIsInstance(doc["stackTrace"], list)

    def test_import_error_missing_dependency(self):
        self.write("app.py", """
            import definitely_not_installed_xyz

            def handler(event, context):
                return 1
        """)
        proc = self.start_py("app.handler")
        doc = self.assert_init_error(proc, "Runtime.ImportModuleError", exit_code=1)
        self.assertIn("definitely_not_installed_xyz", doc["errorMessage"])

    def test_syntax_error(self):
        self.write("app.py", """
            def handler(event, context)
                return 1
        """)
        proc = self.start_py("app.handler")
        doc = self.assert_init_error(proc, "Runtime.UserCodeSyntaxError", exit_code=1)
        self.assertIn("Syntax error in module 'app'", doc["errorMessage"])

    def test_missing_handler_attribute(self):
        self.write("app.py", """
            def other(event, context):
                return 1
        """)
        proc = self.start_py("app.handler")
        doc = self.assert_init_error(proc, "Runtime.HandlerNotFound", exit_code=1)
        self.assertEqual(doc["errorMessage"], "Handler 'handler' missing on module 'app'")

    def test_malformed_handler_name(self):
        proc = self.start_py("nodot")
        doc = self.assert_init_error(proc, "Runtime.MalformedHandlerName", exit_code=1)
        self.assertIn("nodot", doc["errorMessage"])

    def test_exception_during_init(self):
        self.write("app.py", """
            raise Exception("Runtime startup fails")

            def handler(event, context):
                return 1
        """)
        proc = self.start_py("app.handler")
        doc = self.assert_init_error(proc, "Exception", exit_code=1)
        self.assertEqual(doc["errorMessage"], "Runtime startup fails")
        self.assertEqual(doc["requestId"], "")
        self.assertTrue(any("app.py" in s for s in doc["stackTrace"]), doc)

    def test_context_fields(self):
        self.write("app.py", """
            import os, time

            def handler(event, context):
                first = context.get_remaining_time_in_millis()
                time.sleep(0.05)
                second = context.get_remaining_time_in_millis()
                return {
                    "aws_request_id": context.aws_request_id,
                    "invoked_function_arn": context.invoked_function_arn,
                    "function_name": context.function_name,
                    "function_version": context.function_version,
                    "memory_limit_in_mb": context.memory_limit_in_mb,
                    "log_group_name": context.log_group_name,
                    "log_stream_name": context.log_stream_name,
                    "client_context": context.client_context,
                    "custom": getattr(context.client_context, "custom", None),
                    "identity": context.identity,
                    "remaining": [first, second],
                    "trace": os.environ.get("_X_AMZN_TRACE_ID"),
                }
        """)
        proc = self.start_py("app.handler")
        trace = "Root=1-683c2a42-6b1f0a9c3d2e4f5a6b7c8d9e;Parent=9a9197af755a6419;Sampled=0"
        cc = {"custom": {"k": "v"}, "env": {"platform": "test"}, "client": None}
        rid = self.api.enqueue({}, timeout_s=30, trace_id=trace, client_context=cc)
        posted = self.api.wait_result(rid)
        self.assertEqual(posted.kind, "response", proc.output())
        got = posted.json()
        self.assertEqual(got["aws_request_id"], rid)
        self.assertEqual(got["invoked_function_arn"], ARN)
        self.assertEqual(got["function_name"], FUNCTION_NAME)
        self.assertEqual(got["function_version"], "$LATEST")
        self.assertEqual(got["memory_limit_in_mb"], "256")
        self.assertEqual(got["log_group_name"], "/aws/lambda/" + FUNCTION_NAME)
        self.assertEqual(got["log_stream_name"], "2025/06/01/[$LATEST]0123456789abcdef")
        self.assertEqual(got["client_context"], cc)
        self.assertEqual(got["custom"], {"k": "v"})
        self.assertIsNone(got["identity"])
        first, second = got["remaining"]
        self.assertTrue(0 < second < first <= 30000, got["remaining"])
        self.assertGreaterEqual(first - second, 40)
        self.assertEqual(got["trace"], trace)

        # Second invocation: no trace header, no client context.
        got2 = self.api.invoke({}, timeout_s=5).json()
        self.assertIsNone(got2["trace"])
        self.assertIsNone(got2["client_context"])
        self.assertTrue(0 < got2["remaining"][0] <= 5000)

    def test_print_reaches_stdout_immediately(self):
        self.write("app.py", """
            import os, time

            def handler(event, context):
                print("MARK-" + context.aws_request_id)
                release = os.path.join(os.environ["LAMBDA_TASK_ROOT"], "release")
                deadline = time.time() + 10
                while not os.path.exists(release) and time.time() < deadline:
                    time.sleep(0.01)
                return os.path.exists(release)
        """)
        proc = self.start_py("app.handler")
        rid = self.api.enqueue({})
        line = proc.wait_line("MARK-" + rid)
        self.assertEqual(line, "MARK-" + rid)
        # The handler is still blocked: no result yet.
        self.assertNotIn(rid, self.api.results)
        open(os.path.join(self.task_root, "release"), "w").close()
        self.assertEqual(self.api.wait_result(rid).body, b"true")

    def test_logging_goes_to_stdout_with_request_id(self):
        self.write("app.py", """
            import logging
            logger = logging.getLogger()
            logger.setLevel(logging.INFO)

            def handler(event, context):
                logger.info("hello from logger")
                return 1
        """)
        proc = self.start_py("app.handler")
        rid = self.api.enqueue({})
        line = proc.wait_line("hello from logger")
        self.assertTrue(line.startswith("[INFO]\t"), line)
        self.assertIn("\t%s\t" % rid, line)
        self.assertEqual(self.api.wait_result(rid).body, b"1")

    def test_warm_process_keeps_module_state(self):
        self.write("app.py", """
            import os
            counter = 0

            def handler(event, context):
                global counter
                counter += 1
                return {"count": counter, "pid": os.getpid()}
        """)
        proc = self.start_py("app.handler")
        a = self.api.invoke({}).json()
        b = self.api.invoke({}).json()
        self.assertEqual(a["count"], 1)
        self.assertEqual(b["count"], 2)
        self.assertEqual(a["pid"], b["pid"])
        self.assertEqual(a["pid"], proc.proc.pid)
        self.api.wait_next_calls(3)
        # One keep-alive connection carries every request.
        self.assertEqual(len(self.api.connections), 1, self.api.connections)

    def test_chunked_event_and_closed_connection(self):
        self.write("app.py", """
            def handler(event, context):
                return {"n": event["n"], "id": context.aws_request_id}
        """)
        self.start_py("app.handler")
        first = self.api.enqueue({"n": 1, "pad": "x" * 3000}, framing="chunked-close")
        second = self.api.enqueue({"n": 2})
        self.assertEqual(self.api.wait_result(first).json(), {"n": 1, "id": first})
        self.assertEqual(self.api.wait_result(second).json(), {"n": 2, "id": second})
        # the server hung up after the first event: the rest came on a new connection
        self.assertGreaterEqual(len(self.api.connections), 2, self.api.connections)

    def test_marshal_error(self):
        self.write("app.py", """
            def handler(event, context):
                if event.get("bad"):
                    return {1, 2}
                return "fine"
        """)
        proc = self.start_py("app.handler")
        rid = self.api.enqueue({"bad": True})
        posted = self.api.wait_result(rid)
        self.assertEqual(posted.kind, "error", proc.output())
        doc = posted.json()
        self.assertEqual(doc["errorType"], "Runtime.MarshalError")
        self.assertIn("Unable to marshal response", doc["errorMessage"])
        self.assertEqual(doc["requestId"], rid)
        self.assertEqual(self.api.invoke({}).body, b'"fine"')

    def test_handler_in_subdirectory(self):
        self.write("src/app.py", """
            from src import helper

            def handler(event, context):
                return helper.shout(event["word"])
        """)
        self.write("src/helper.py", """
            def shout(word):
                return word.upper()
        """)
        proc = self.start_py("src/app.handler")
        posted = self.api.invoke({"word": "sqs"})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.json(), "SQS")

    def test_task_root_first_on_sys_path(self):
        # A task-root module named like the shim itself must win over the shim.
        self.write("bootstrap.py", """
            def handler(event, context):
                return "user bootstrap"
        """)
        proc = self.start_py("bootstrap.handler")
        posted = self.api.invoke({})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.json(), "user bootstrap")

    def test_decimal_result(self):
        self.write("app.py", """
            from decimal import Decimal

            def handler(event, context):
                return {"price": Decimal("1.5")}
        """)
        proc = self.start_py("app.handler")
        self.assertEqual(self.api.invoke({}).json(), {"price": 1.5})


# ---------------------------------------------------------------------------
# Node shim
# ---------------------------------------------------------------------------

@unittest.skipUnless(HAVE_NODE, "node >= 18 not installed")
class NodeShimTest(ShimTestCase):
    def start_node(self, handler, extra_env=None):
        return self.start([NODE, NODE_SHIM, handler], extra_env)

    def test_commonjs_async_handler(self):
        self.write("index.js", """
            exports.handler = async (event, context) => {
              return { ok: true, n: event.n * 2, text: "h\\u00e9" };
            };
        """)
        proc = self.start_node("index.handler")
        posted = self.api.invoke({"n": 21})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.json(), {"ok": True, "n": 42, "text": "h\u00e9"})
        self.assertEqual(posted.headers.get("content-type"), "application/json")
        self.assertEqual(int(posted.headers["content-length"]), len(posted.body))
        self.assertNotIn("transfer-encoding", posted.headers)

    def test_esm_mjs_handler(self):
        self.write("app.mjs", """
            import { createHash } from "node:crypto";
            export const handler = async (event) =>
              createHash("md5").update(event.body).digest("hex");
        """)
        proc = self.start_node("app.handler")
        posted = self.api.invoke({"body": "hello"})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.json(), "5d41402abc4b2a76b9719d911017c592")

    def test_esm_js_with_package_type_module(self):
        self.write("package.json", '{"name": "fn", "type": "module"}\n')
        self.write("index.js", """
            export async function handler(event) {
              return { esm: typeof require === "undefined", got: event.x };
            }
        """)
        proc = self.start_node("index.handler")
        posted = self.api.invoke({"x": 7})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.json(), {"esm": True, "got": 7})

    def test_cjs_extension(self):
        self.write("lib/worker.cjs", """
            module.exports.run = async () => ({ cjs: typeof require === "function" });
        """)
        proc = self.start_node("lib/worker.run")
        posted = self.api.invoke({})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.json(), {"cjs": True})

    def test_async_undefined_is_null(self):
        self.write("index.js", """
            exports.handler = async () => {};
        """)
        proc = self.start_node("index.handler")
        posted = self.api.invoke({})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.body, b"null")

    def test_callback_handler(self):
        self.write("index.js", """
            exports.handler = (event, context, callback) => {
              setTimeout(() => {
                if (event.fail) callback(new TypeError("bad input"));
                else callback(null, { via: "callback", n: event.n });
              }, 20);
            };
        """)
        proc = self.start_node("index.handler")
        posted = self.api.invoke({"n": 3})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.json(), {"via": "callback", "n": 3})
        posted = self.api.invoke({"fail": True})
        self.assertEqual(posted.kind, "error", proc.output())
        doc = posted.json()
        self.assertEqual(doc["errorType"], "TypeError")
        self.assertEqual(doc["errorMessage"], "bad input")

    def test_callback_waits_for_empty_event_loop(self):
        # Default (true): the callback's result is posted only once the pending
        # 300 ms timer has run. With false it is posted at once, long before a
        # pending 8 s timer would fire.
        self.write("index.js", """
            exports.handler = (event, context, callback) => {
              context.callbackWaitsForEmptyEventLoop = event.wait;
              setTimeout(() => {}, event.wait ? 300 : 8000);
              callback(null, { wait: event.wait });
            };
        """)
        proc = self.start_node("index.handler")
        t0 = time.monotonic()
        posted = self.api.invoke({"wait": True})
        waited = time.monotonic() - t0
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.json(), {"wait": True})
        self.assertGreaterEqual(waited, 0.28, "response posted before the event loop emptied")
        t0 = time.monotonic()
        posted = self.api.invoke({"wait": False})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.json(), {"wait": False})
        self.assertLess(time.monotonic() - t0, 6.0, "response waited for the event loop")

    def test_callback_handler_that_never_calls_back(self):
        # As on AWS: once the event loop is empty the invocation ends with null.
        self.write("index.js", """
            exports.handler = (event, context, callback) => {
              setTimeout(() => console.log("done without callback"), 20);
            };
        """)
        proc = self.start_node("index.handler")
        posted = self.api.invoke({})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.body, b"null")

    def test_sync_return_value(self):
        self.write("index.js", """
            exports.handler = (event) => ({ sync: true, echo: event });
        """)
        proc = self.start_node("index.handler")
        posted = self.api.invoke({"a": [1, 2]})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.json(), {"sync": True, "echo": {"a": [1, 2]}})

    def test_thrown_error_document(self):
        self.write("index.mjs", """
            class OrderRejected extends Error {
              constructor(msg) { super(msg); this.name = "OrderRejected"; }
            }
            export const handler = async (event) => {
              if (event.sync) throw new RangeError("sync failure");
              throw new OrderRejected("order 42 rejected");
            };
        """)
        proc = self.start_node("index.handler")
        rid = self.api.enqueue({})
        posted = self.api.wait_result(rid)
        self.assertEqual(posted.kind, "error", proc.output())
        doc = posted.json()
        self.assertEqual(set(doc), {"errorType", "errorMessage", "trace"})
        self.assertEqual(doc["errorType"], "OrderRejected")
        self.assertEqual(doc["errorMessage"], "order 42 rejected")
        self.assertIsInstance(doc["trace"], list)
        self.assertTrue(doc["trace"][0].startswith("OrderRejected: order 42 rejected"), doc)
        self.assertTrue(any("index.mjs" in line for line in doc["trace"]), doc)
        doc2 = self.api.invoke({"sync": True}).json()
        self.assertEqual(doc2["errorType"], "RangeError")
        self.assertIsNone(proc.proc.poll())

    def test_non_error_rejection(self):
        self.write("index.js", """
            exports.handler = (event, context, callback) => callback("plain string failure");
        """)
        proc = self.start_node("index.handler")
        posted = self.api.invoke({})
        self.assertEqual(posted.kind, "error", proc.output())
        self.assertEqual(posted.json(), {"errorType": "string",
                                         "errorMessage": "plain string failure", "trace": []})

    def test_import_error_missing_module(self):
        proc = self.start_node("nosuchmodule.handler")
        doc = self.assert_init_error(proc, "Runtime.ImportModuleError")
        self.assertIn("nosuchmodule", doc["errorMessage"])
        self.assertIsInstance(doc["trace"], list)

    def test_import_error_missing_dependency(self):
        self.write("index.js", """
            const dep = require("definitely-not-installed-xyz");
            exports.handler = async () => dep;
        """)
        proc = self.start_node("index.handler")
        doc = self.assert_init_error(proc, "Runtime.ImportModuleError")
        self.assertIn("definitely-not-installed-xyz", doc["errorMessage"])

    def test_missing_handler(self):
        self.write("index.js", """
            exports.other = async () => 1;
        """)
        proc = self.start_node("index.handler")
        doc = self.assert_init_error(proc, "Runtime.HandlerNotFound")
        self.assertEqual(doc["errorMessage"], "index.handler is undefined or not exported")

    def test_malformed_handler_name(self):
        proc = self.start_node("")
        self.assert_init_error(proc, "Runtime.MalformedHandlerName")

    def test_syntax_error(self):
        self.write("index.mjs", """
            export const handler = async (event) => {
              return { oops: ;
            };
        """)
        proc = self.start_node("index.handler")
        doc = self.assert_init_error(proc, "Runtime.UserCodeSyntaxError")
        self.assertTrue(doc["errorMessage"].startswith("SyntaxError"), doc)

    def test_context_fields(self):
        self.write("index.js", """
            exports.handler = async (event, context) => {
              const first = context.getRemainingTimeInMillis();
              await new Promise((r) => setTimeout(r, 50));
              const second = context.getRemainingTimeInMillis();
              return {
                awsRequestId: context.awsRequestId,
                invokedFunctionArn: context.invokedFunctionArn,
                functionName: context.functionName,
                functionVersion: context.functionVersion,
                memoryLimitInMB: context.memoryLimitInMB,
                logGroupName: context.logGroupName,
                logStreamName: context.logStreamName,
                clientContext: context.clientContext ?? "absent",
                identity: context.identity ?? "absent",
                callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
                remaining: [first, second],
                trace: process.env._X_AMZN_TRACE_ID ?? "absent",
              };
            };
        """)
        proc = self.start_node("index.handler")
        trace = "Root=1-683c2a42-6b1f0a9c3d2e4f5a6b7c8d9e;Parent=9a9197af755a6419;Sampled=1"
        cc = {"custom": {"k": "v"}, "env": {"platform": "test"}}
        rid = self.api.enqueue({}, timeout_s=30, trace_id=trace, client_context=cc)
        posted = self.api.wait_result(rid)
        self.assertEqual(posted.kind, "response", proc.output())
        got = posted.json()
        self.assertEqual(got["awsRequestId"], rid)
        self.assertEqual(got["invokedFunctionArn"], ARN)
        self.assertEqual(got["functionName"], FUNCTION_NAME)
        self.assertEqual(got["functionVersion"], "$LATEST")
        self.assertEqual(got["memoryLimitInMB"], "256")
        self.assertEqual(got["logGroupName"], "/aws/lambda/" + FUNCTION_NAME)
        self.assertEqual(got["logStreamName"], "2025/06/01/[$LATEST]0123456789abcdef")
        self.assertEqual(got["clientContext"], cc)
        self.assertEqual(got["identity"], "absent")
        self.assertIs(got["callbackWaitsForEmptyEventLoop"], True)
        first, second = got["remaining"]
        self.assertTrue(0 < second < first <= 30000, got["remaining"])
        self.assertGreaterEqual(first - second, 40)
        self.assertEqual(got["trace"], trace)

        got2 = self.api.invoke({}, timeout_s=5).json()
        self.assertEqual(got2["trace"], "absent")
        self.assertEqual(got2["clientContext"], "absent")
        self.assertTrue(0 < got2["remaining"][0] <= 5000)

    def test_console_log_reaches_stdout_immediately(self):
        self.write("index.js", """
            const fs = require("fs");
            const path = require("path");
            exports.handler = async (event, context) => {
              console.log("MARK-" + context.awsRequestId);
              const release = path.join(process.env.LAMBDA_TASK_ROOT, "release");
              const deadline = Date.now() + 10000;
              while (!fs.existsSync(release) && Date.now() < deadline) {
                await new Promise((r) => setTimeout(r, 10));
              }
              return fs.existsSync(release);
            };
        """)
        proc = self.start_node("index.handler")
        rid = self.api.enqueue({})
        line = proc.wait_line("MARK-" + rid)
        self.assertEqual(line, "MARK-" + rid)
        self.assertNotIn(rid, self.api.results)
        open(os.path.join(self.task_root, "release"), "w").close()
        self.assertEqual(self.api.wait_result(rid).body, b"true")

    def test_warm_process_keeps_module_state(self):
        self.write("index.mjs", """
            let counter = 0;
            export const handler = async () => ({ count: ++counter, pid: process.pid });
        """)
        proc = self.start_node("index.handler")
        a = self.api.invoke({}).json()
        b = self.api.invoke({}).json()
        self.assertEqual(a["count"], 1)
        self.assertEqual(b["count"], 2)
        self.assertEqual(a["pid"], b["pid"])
        self.assertEqual(a["pid"], proc.proc.pid)
        self.api.wait_next_calls(3)
        # One keep-alive connection carries every request.
        self.assertEqual(len(self.api.connections), 1, self.api.connections)

    def test_handler_in_subdirectory_and_nested_export(self):
        self.write("src/app.js", """
            const helper = require("./helper");
            module.exports = { handlers: { main: async (e) => helper.shout(e.word) } };
        """)
        self.write("src/helper.js", """
            exports.shout = (w) => w.toUpperCase();
        """)
        proc = self.start_node("src/app.handlers.main")
        posted = self.api.invoke({"word": "sqs"})
        self.assertEqual(posted.kind, "response", proc.output())
        self.assertEqual(posted.json(), "SQS")

    def test_marshal_error(self):
        self.write("index.js", """
            exports.handler = async (event) => {
              if (!event.bad) return "fine";
              const a = {}; a.self = a; return a;
            };
        """)
        proc = self.start_node("index.handler")
        posted = self.api.invoke({"bad": True})
        self.assertEqual(posted.kind, "error", proc.output())
        self.assertEqual(posted.json()["errorType"], "Runtime.MarshalError")
        self.assertEqual(self.api.invoke({}).body, b'"fine"')

    def test_uncaught_exception_fails_invocation_and_exits(self):
        self.write("index.js", """
            exports.handler = (event, context, callback) => {
              setTimeout(() => { throw new Error("boom later"); }, 10);
            };
        """)
        proc = self.start_node("index.handler")
        posted = self.api.invoke({})
        self.assertEqual(posted.kind, "error", proc.output())
        self.assertEqual(posted.json()["errorMessage"], "boom later")
        self.assertEqual(proc.wait_exit(), 129)


if __name__ == "__main__":
    unittest.main(verbosity=2)
