"""Regression tests for the Lambda half's robustness fixes (from review): Runtime API misuse
by a custom runtime, code directories under running invocations, handler processes and
their environment, collected batches of changed or deleted mappings, chatty handlers, and
the Lambda REST edges (413, Invoke payloads, client context).

Handlers are fixtures/handlers/py_robustness (a python handler driven by the event's
"action") and fixtures/handlers/provided_quirky (a custom runtime that misuses or stalls the
Runtime API on purpose, as its Handler says). Tests that stop the server, measure its memory or
start it with a special signal disposition run their own server. Every wait is bounded.
"""
import base64
import glob
import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time

from botocore.exceptions import BotoCoreError, ReadTimeoutError

import harness
from lambda_util import (PROVIDED_RUNTIME, PY_RUNTIME, REGION, ROLE, LambdaTestCase, counters, lambda_client,
                         queue_arn_for, read_records, sqs_records, wait_file, wait_records, wait_sqs_records,
                         zip_fixture)

RESERVED_MESSAGE = ("Lambda was unable to configure your environment variables because the environment variables "
                    "you have provided contains reserved keys that are currently not supported for modification. "
                    "Reserved keys used in this request: ")


def process_state(pid):
    """The state letter of /proc/<pid>/stat (R, S, T, Z ...), or None when there is no such process."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def process_gone(pid):
    """True once pid has exited (a zombie waiting for its reaper counts as gone)."""
    return process_state(pid) in (None, "Z", "X")


def kill_if_sleep_helper(pid):
    """Cleanup for a helper the fixture started: SIGKILL it only if pid is still that
    `sleep 60` (never another process that reused the pid)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            if f.read().split(b"\0")[:2] != [b"sleep", b"60"]:
                return
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def proc_status(pid, key):
    """A field of /proc/<pid>/status (e.g. VmHWM -> kB as int, SigIgn -> hex mask as int)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            name, _, value = line.partition(":")
            if name == key:
                value = value.split()[0]
                return int(value, 16) if key.startswith("Sig") else int(value)
    raise KeyError(key)


def log_excerpt(log, size=3000):
    """A sanitizer report when there is one, else the end of the server's log."""
    at = log.find("ERROR: AddressSanitizer")
    if at < 0:
        at = log.find("runtime error:")
    return log[at:at + size] if at >= 0 else log[-size:]


def signal_bit(signum):
    return 1 << (signum - 1)


class OwnServerMixin:
    """Tests that need a server of their own (stopped, measured, or started differently)."""

    def own_server(self, *extra_args, read_timeout=30):
        server = harness.Server(extra_args=extra_args).start()
        self.addCleanup(server.cleanup)
        return server, lambda_client(server, read_timeout), server.client("sqs")

    def create_on(self, lam, name, zip_file, runtime=PY_RUNTIME, handler="app.handler", env=None, **extra):
        params = dict(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler, Code={"ZipFile": zip_file})
        if env:
            params["Environment"] = {"Variables": env}
        params.update(extra)
        return lam.create_function(**params)


class RuntimeApiMisuseTests(OwnServerMixin, LambdaTestCase):
    """A custom runtime that does not follow the GET /next, POST /response rhythm."""

    def test_second_next_while_one_is_parked_keeps_the_server_up(self):
        server, lam, sqs = self.own_server()
        out = self.out_dir()
        name = "double-next"
        self.create_on(lam, name, zip_fixture("provided_quirky"), runtime=PROVIDED_RUNTIME,
                       handler="double-next", env={"OUT_DIR": out})
        answers = []
        for n in (1, 2, 3):
            if n > 1:
                self.assertTrue(wait_file(os.path.join(out, "asked-%d" % (n - 1)), timeout=5),
                                "the runtime did not ask for invocation %d" % n)
            resp = lam.invoke(FunctionName=name, Payload=b"{}")
            answers.append((resp.get("FunctionError"), json.loads(resp["Payload"].read())))
        self.assertEqual(sqs.list_queues()["ResponseMetadata"]["HTTPStatusCode"], 200, "the server still answers")
        code = server.stop()
        log = server.log()
        self.assertEqual(code, 0, "SIGTERM must stop the server cleanly:\n%s" % log_excerpt(log))
        self.assertNotIn("AddressSanitizer", log, log_excerpt(log))
        self.assertEqual([err for err, _ in answers], [None, None, None], answers)
        self.assertEqual([doc["n"] for _, doc in answers], [1, 2, 3], "one warm environment served all three")
        self.assertEqual(len({doc["pid"] for _, doc in answers}), 1)
        self.assertEqual([doc["parked_status"] for _, doc in answers], [None, 410, 410],
                         "the replaced GET /next is answered 410 Gone, not left hanging")

    def test_invocation_given_to_a_runtime_that_never_asks_again_times_out(self):
        name = self.unique("no-next")
        self.create_function(name=name, zip_file=zip_fixture("provided_quirky"), runtime=PROVIDED_RUNTIME,
                             handler="no-next", Timeout=2)
        resp, _, first = self.invoke(name, {})
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(first["n"], 1)
        lam = lambda_client(self.server, read_timeout=10)
        t0 = time.monotonic()
        try:
            resp = lam.invoke(FunctionName=name, Payload=b"{}")
        except ReadTimeoutError:
            self.fail("an invocation given to an environment that never asks for work again hung "
                      "(no answer within 10 s; Timeout is 2 s)")
        elapsed = time.monotonic() - t0
        body = json.loads(resp["Payload"].read())
        self.assertEqual(resp.get("FunctionError"), "Unhandled")
        self.assertEqual(body["errorType"], "Sandbox.Timedout")
        self.assertIn("Task timed out after 2.00 seconds", body["errorMessage"])
        self.assertGreaterEqual(elapsed, 1.8, "the invocation gets its whole Timeout")
        self.assertLess(elapsed, 4.5, "the invocation ends at its deadline")
        resp, _, third = self.invoke(name, {})
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(third["n"], 1, "a fresh environment takes the next invocation")
        self.assertNotEqual(third["pid"], first["pid"])


class CodeDirectoryTests(LambdaTestCase):
    """The unpacked code stays while an environment runs from it, and goes afterwards."""

    def start_slow_read(self, name, out, seconds=1.5):
        """Invokes read_later in a thread; returns (thread, result dict) once the handler runs."""
        result = {}

        def call():
            try:
                result["r"] = self.invoke(name, {"action": "read_later", "seconds": seconds})
            except Exception as exc:  # reported by the test
                result["error"] = exc

        before = len(glob.glob(os.path.join(out, "started-*")))
        thread = threading.Thread(target=call, daemon=True)
        thread.start()
        started = harness.wait_until(lambda: len(glob.glob(os.path.join(out, "started-*"))) > before, timeout=10)
        self.assertTrue(started, "the handler did not start within 10 s")
        return thread, result

    def finish(self, thread, result):
        thread.join(15)
        self.assertFalse(thread.is_alive(), "the invocation did not end within 15 s")
        self.assertNotIn("error", result)
        resp, raw, body = result["r"]
        self.assertNotIn("FunctionError", resp, raw)
        return body

    def assert_released(self, code_dir):
        root = os.path.join(self.server.data_dir, "lambda") + os.sep
        self.assertTrue(code_dir.startswith(root), "%s is not under the data directory" % code_dir)
        gone = harness.wait_until(lambda: not os.path.exists(code_dir) and not os.path.exists(code_dir + ".zip"),
                                  timeout=3)
        self.assertTrue(gone, "%s (or its .zip) is still there after its last environment ended" % code_dir)

    def test_update_and_delete_leave_a_running_invocations_code_in_place(self):
        out = self.out_dir()
        name = self.unique("code")
        self.create_function(name=name, zip_file=zip_fixture("py_robustness", {"data.txt": "v1"}),
                             env={"OUT_DIR": out}, Timeout=10)

        thread, result = self.start_slow_read(name, out)
        self.lam.update_function_code(FunctionName=name, ZipFile=zip_fixture("py_robustness", {"data.txt": "v2"}))
        body = self.finish(thread, result)
        self.assertEqual(body["data"], "v1", "the running handler still reads its own code")
        old_dir = body["task_root"]
        self.assert_released(old_dir)

        thread, result = self.start_slow_read(name, out)
        self.lam.delete_function(FunctionName=name)
        body = self.finish(thread, result)
        self.assertEqual(body["data"], "v2", "the new code ran, and survived DeleteFunction while running")
        self.assertNotEqual(body["task_root"], old_dir)
        self.assert_released(body["task_root"])


class HandlerProcessTests(OwnServerMixin, LambdaTestCase):
    """What a handler process inherits, and what goes with it."""

    def test_processes_started_by_a_crashing_handler_are_killed(self):
        out = self.out_dir()
        name = self.unique("orphan")
        self.create_function(name=name, zip_file=zip_fixture("py_robustness"), env={"OUT_DIR": out})
        resp, _, body = self.invoke(name, {"action": "orphan"})
        self.assertEqual(resp.get("FunctionError"), "Unhandled")
        self.assertEqual(body["errorType"], "Runtime.ExitError")
        pid_file = os.path.join(out, "orphan.pid")
        self.assertTrue(os.path.exists(pid_file))
        with open(pid_file) as f:
            pid = int(f.read())
        self.addCleanup(kill_if_sleep_helper, pid)
        self.assertTrue(harness.wait_until(lambda: process_gone(pid), timeout=3),
                        "the handler's helper process %d outlived the handler" % pid)

    def test_user_variables_override_defaults_but_reserved_keys_are_rejected(self):
        name = self.unique("env")
        user = {"TZ": "Europe/Berlin", "PYTHONPATH": "/opt/extra", "LANG": "C.UTF-8",
                "AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
                "MY_SETTING": "42"}
        self.create_function(name=name, zip_file=zip_fixture("py_robustness"), env=user)
        resp, _, body = self.invoke(name, {"action": "env"})
        self.assertNotIn("FunctionError", resp)
        env = body["env"]
        for key, value in user.items():
            self.assertEqual(env.get(key), value, "%s from Environment.Variables" % key)
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], name)
        self.assertEqual(env["AWS_REGION"], REGION)
        self.assertTrue(env["LAMBDA_TASK_ROOT"].startswith(self.server.data_dir))

        for key in ("AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME", "LAMBDA_TASK_ROOT", "_HANDLER",
                    "AWS_LAMBDA_RUNTIME_API", "AWS_ACCESS_KEY_ID"):
            self.assertLambdaError(
                lambda: self.lam.create_function(FunctionName=self.unique("reserved"), Runtime=PY_RUNTIME, Role=ROLE,
                                                 Handler="app.handler",
                                                 Code={"ZipFile": zip_fixture("py_robustness")},
                                                 Environment={"Variables": {key: "x"}}),
                "InvalidParameterValueException", 400, message=RESERVED_MESSAGE + key)
            self.assertLambdaError(
                lambda: self.lam.update_function_configuration(FunctionName=name,
                                                               Environment={"Variables": {key: "x"}}),
                "InvalidParameterValueException", 400, message=RESERVED_MESSAGE + key)

    def test_signals_ignored_by_the_servers_parent_are_not_ignored_in_handlers(self):
        previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGHUP, signal.SIGUSR2)}
        try:  # as under nohup: the server inherits the ignored dispositions
            server, lam, _ = self.own_server()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        ignored = proc_status(server.proc.pid, "SigIgn")
        self.assertTrue(ignored & signal_bit(signal.SIGHUP), "precondition: the server ignores SIGHUP")
        self.create_on(lam, "signals", zip_fixture("py_robustness"))
        resp = lam.invoke(FunctionName="signals", Payload=json.dumps({"action": "env"}))
        body = json.loads(resp["Payload"].read())
        self.assertNotIn("FunctionError", resp, body)
        handler_ignored = int(body["signals"]["SigIgn"], 16)
        self.assertFalse(handler_ignored & signal_bit(signal.SIGHUP), "SIGHUP ignored in the handler")
        self.assertFalse(handler_ignored & signal_bit(signal.SIGUSR2), "SIGUSR2 ignored in the handler")
        self.assertEqual(int(body["signals"]["SigBlk"], 16), 0, "no signal blocked in the handler")


class CollectedBatchTests(LambdaTestCase):
    """Messages a poller holds (collected in a batching window, or in flight) when its
    mapping changes or goes away."""

    def pipeline(self, **mapping):
        out = self.out_dir()
        fn = self.unique("batch")
        self.create_function(name=fn, fixture="py_recorder", env={"OUT_DIR": out, **mapping.pop("env", {})})
        url, arn = self.queue(attributes={"VisibilityTimeout": 30})
        uuid = self.create_mapping(fn, arn, **mapping)["UUID"]
        return out, url, uuid

    def send(self, url, bodies):
        for start in range(0, len(bodies), 10):
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies[start:start + 10])])

    def wait_collected(self, url, count):
        """The poller has received `count` messages (nothing else receives from the queue)."""
        self.assertTrue(harness.wait_until(lambda: counters(self.sqs, url) == (0, count, 0), timeout=3,
                                           interval=0.05),
                        "the poller did not collect %d messages (counters %r)" % (count, counters(self.sqs, url)))

    def test_lowering_batch_size_below_a_collected_batch_delivers_it(self):
        out, url, uuid = self.pipeline(BatchSize=100, MaximumBatchingWindowInSeconds=4)
        bodies = ["shrink-%02d" % i for i in range(30)]
        self.send(url, bodies)
        self.wait_collected(url, 30)
        self.lam.update_event_source_mapping(UUID=uuid, BatchSize=20)
        pairs = wait_sqs_records(out, lambda p: len(p) >= 30, timeout=8)
        self.assertEqual(sorted(rec["body"] for _, rec in pairs), bodies, "every message delivered once")
        sizes = [len(doc["event"]["Records"]) for doc in read_records(out)]
        self.assertLessEqual(max(sizes), 20, "no invocation carries more than the new BatchSize (%r)" % sizes)
        self.assertTrue(harness.wait_until(lambda: counters(self.sqs, url) == (0, 0, 0), timeout=3),
                        "delivered messages are deleted (counters %r)" % (counters(self.sqs, url),))

    def test_disabling_a_mapping_releases_its_collected_batch(self):
        out, url, uuid = self.pipeline(BatchSize=100, MaximumBatchingWindowInSeconds=4)
        bodies = ["disable-%d" % i for i in range(3)]
        self.send(url, bodies)
        self.wait_collected(url, 3)
        self.lam.update_event_source_mapping(UUID=uuid, Enabled=False)
        self.assertTrue(harness.wait_until(lambda: counters(self.sqs, url) == (3, 0, 0), timeout=3),
                        "the collected messages are visible again at once (counters %r)"
                        % (counters(self.sqs, url),))
        self.assertEqual(read_records(out), [], "nothing is invoked while disabled")
        self.lam.update_event_source_mapping(UUID=uuid, Enabled=True, BatchSize=10, MaximumBatchingWindowInSeconds=0)
        pairs = wait_sqs_records(out, lambda p: len(p) >= 3, timeout=5)
        self.assertEqual(sorted(rec["body"] for _, rec in pairs), bodies)

    def test_deleting_a_mapping_with_a_batch_in_flight_still_deletes_its_messages(self):
        out, url, uuid = self.pipeline(BatchSize=1, env={"SLEEP_SECONDS": "1.5"})
        self.sqs.send_message(QueueUrl=url, MessageBody="in-flight")
        self.wait_collected(url, 1)  # with no batching window: received means invoked
        self.lam.delete_event_source_mapping(UUID=uuid)
        docs = wait_records(out, 1, timeout=8)
        self.assertEqual(len(docs), 1, "the in-flight invocation did not finish")
        self.assertEqual(docs[0]["outcome"], "returned")
        self.assertTrue(harness.wait_until(lambda: counters(self.sqs, url) == (0, 0, 0), timeout=3),
                        "a successful batch of a deleted mapping is deleted (counters %r)"
                        % (counters(self.sqs, url),))
        self.assertEqual(len(sqs_records(read_records(out))), 1, "no redelivery")


class MappingRaceTests(OwnServerMixin, LambdaTestCase):
    """A mapping updated, then deleted, while its last batch finishes, all within one pass
    of the server's event loop. The server is held with SIGSTOP while the three requests
    are sent, so that it reads them together and in this order on SIGCONT."""

    def raw_request(self, sock, method, path, body=b""):
        head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" \
               "Content-Length: %d\r\n\r\n" % (method, path, len(body))
        sock.sendall(head.encode() + body)

    def read_status(self, sock):
        sock.settimeout(10)
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        parts = data.split(b" ", 2)
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None

    def test_update_then_delete_while_the_last_batch_finishes(self):
        server, lam, sqs = self.own_server()
        pid = server.proc.pid
        out = self.out_dir()
        self.create_on(lam, "held", zip_fixture("provided_quirky"), runtime=PROVIDED_RUNTIME, handler="hold",
                       env={"OUT_DIR": out})
        url = sqs.create_queue(QueueName="race", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
        uuid = lam.create_event_source_mapping(FunctionName="held", EventSourceArn=queue_arn_for("race"),
                                               BatchSize=1)["UUID"]
        self.assertTrue(harness.wait_until(
            lambda: lam.get_event_source_mapping(UUID=uuid)["State"] == "Enabled", timeout=3))
        update, delete = (socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(2))
        self.addCleanup(update.close)
        self.addCleanup(delete.close)
        sqs.send_message(QueueUrl=url, MessageBody="last")
        self.assertTrue(wait_file(os.path.join(out, "holding-1"), timeout=10), "the batch was not invoked")

        os.kill(pid, signal.SIGSTOP)
        try:
            self.assertTrue(harness.wait_until(lambda: process_state(pid) == "T", timeout=3),
                            "SIGSTOP took no effect")
            path = "/2015-03-31/event-source-mappings/" + uuid
            self.raw_request(update, "PUT", path, b'{"BatchSize": 2}')
            self.raw_request(delete, "DELETE", path)
            open(os.path.join(out, "release-1"), "w").close()
            self.assertTrue(wait_file(os.path.join(out, "posted-1"), timeout=10), "the runtime did not answer")
        finally:
            os.kill(pid, signal.SIGCONT)

        statuses = (self.read_status(update), self.read_status(delete))
        try:
            drained = harness.wait_until(lambda: counters(sqs, url) == (0, 0, 0), timeout=3)
            mappings = lam.list_event_source_mappings()["EventSourceMappings"]
        except BotoCoreError as exc:
            try:
                server.proc.wait(timeout=10)  # an ASan report takes a moment to write
            except subprocess.TimeoutExpired:
                pass
            self.fail("the server stopped answering (%s, exit status %s):\n%s"
                      % (exc, server.proc.poll(), log_excerpt(server.log())))
        self.assertEqual(statuses, (202, 202), "UpdateEventSourceMapping, DeleteEventSourceMapping")
        self.assertTrue(drained, "the finished batch is deleted (counters %r)" % (counters(sqs, url),))
        self.assertEqual(mappings, [])
        code = server.stop()
        log = server.log()
        self.assertNotIn("AddressSanitizer", log, log_excerpt(log))
        self.assertEqual(code, 0, "SIGTERM must stop the server cleanly:\n%s" % log_excerpt(log))


class ChattyHandlerTests(OwnServerMixin, LambdaTestCase):
    """An invocation's log is only kept for its tail."""

    MEGABYTES = 120       # of 100-byte lines
    LONG_LINE = 40 << 20  # one line without a newline for this many bytes
    RSS_LIMIT_KB = 150 * 1024

    def test_a_chatty_handler_does_not_grow_the_server(self):
        server, lam, _ = self.own_server(read_timeout=60)
        self.create_on(lam, "chatty", zip_fixture("py_robustness"), Timeout=60)
        event = {"action": "chatty", "megabytes": self.MEGABYTES, "long_line": self.LONG_LINE,
                 "last": "chatty-last-line"}
        resp = lam.invoke(FunctionName="chatty", Payload=json.dumps(event), LogType="Tail")
        body = json.loads(resp["Payload"].read())
        self.assertNotIn("FunctionError", resp, body)
        peak_kb = proc_status(server.proc.pid, "VmHWM")
        self.assertLess(peak_kb, self.RSS_LIMIT_KB,
                        "server peak RSS %d kB after a handler wrote %d MB" % (peak_kb, self.MEGABYTES + 40))
        tail = base64.b64decode(resp["LogResult"])
        self.assertLessEqual(len(tail), 4096)
        text = tail.decode("utf-8", "replace")
        request_id = resp["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
        self.assertIn("\nchatty-last-line\n", text)
        self.assertIn("REPORT RequestId: " + request_id, text)
        self.assertIsNone(server.proc.poll(), "the server is still running")


class LambdaRequestEdgeTests(LambdaTestCase):
    """The Lambda REST front end: body limits, Invoke payloads, client context."""

    def test_oversized_lambda_request_gets_a_lambda_shaped_413(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            conn.putrequest("POST", "/2015-03-31/functions")
            conn.putheader("Content-Type", "application/json")
            conn.putheader("Content-Length", str(80 * 1000 * 1000))  # declared; never sent
            conn.endheaders()
            resp = conn.getresponse()
            status, headers, raw = resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()
        self.assertEqual(status, 413)
        self.assertEqual(headers.get("x-amzn-errortype", "").split(":")[0], "RequestEntityTooLargeException")
        self.assertTrue(headers.get("content-type", "").startswith("application/json"), headers)
        doc = json.loads(raw)
        self.assertIn("Request must be smaller than", doc.get("message", ""))

    def test_a_ten_megabyte_zip_is_accepted(self):
        zipped = zip_fixture("py_robustness", {"blob.bin": os.urandom(10 * 1000 * 1000)})
        self.assertGreater(len(zipped), 10 * 1000 * 1000)
        name = self.unique("bigzip")
        resp = self.create_function(name=name, zip_file=zipped)
        self.assertEqual(resp["CodeSize"], len(zipped))
        resp, _, body = self.invoke(name, {"hello": "big"})
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(body, {"event": {"hello": "big"}})

    def test_invoke_payload_must_be_exactly_one_json_document(self):
        name = self.unique("payload")
        self.create_function(name=name, zip_file=zip_fixture("py_robustness"))
        self.assertLambdaError(lambda: self.lam.invoke(FunctionName=name, Payload=b'{"a": 1} trailing garbage'),
                               "InvalidRequestContentException", 400)
        self.assertLambdaError(lambda: self.lam.invoke(FunctionName=name, Payload=b'{"a": 1}{"b": 2}'),
                               "InvalidRequestContentException", 400)
        resp, _, body = self.invoke(name, b'{"a": 1}\n  \t\n')
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(body, {"event": {"a": 1}}, "white space may follow the document")

    def test_pretty_printed_client_context_reaches_the_handler(self):
        name = self.unique("context")
        self.create_function(name=name, zip_file=zip_fixture("py_robustness"))
        context = {"client": {"installation_id": "inst-1", "app_title": "robust"},
                   "custom": {"k": "v", "nested": {"n": 1}}, "env": {"platform": "test"}}
        encoded = base64.b64encode(json.dumps(context, indent=2).encode()).decode()
        resp, raw, body = self.invoke(name, {"action": "context"}, ClientContext=encoded)
        self.assertNotIn("FunctionError", resp, raw)
        self.assertEqual(body["client_context"], context)

