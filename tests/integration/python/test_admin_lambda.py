"""The Lambda half of sqsemu's admin API: the invocation history (GET /_sqsemu/invocations),
resetting functions and their event-source mappings (POST /_sqsemu/reset, also with
?function=), and the function and mapping metrics (GET /_sqsemu/metrics).

Functions are the python recorder fixture (fixtures/handlers/py_recorder); boto3's Lambda
client creates and invokes them; the admin routes are plain HTTP. Every wait is bounded and
waits on state the server reports.
"""
import json
import os
import threading
import time
import unittest

import harness
from admin_util import AdminAsserts, admin, invocations, metric, metrics, reset, stop_and_check
from lambda_util import LambdaTestCase, function_arn, zip_bytes

RECORDER_LINE = "recorder handling %s"


def wait_for(predicate, timeout=15.0, interval=0.05, what="the condition"):
    """Polls predicate until it returns something truthy (returned); fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("%s did not hold within %.1fs (last %r)" % (what, timeout, value))
        time.sleep(interval)  # the poll interval of this bounded wait


class AdminLambdaCase(LambdaTestCase, AdminAsserts):

    @classmethod
    def tearDownClass(cls):
        stop_and_check(cls.server)

    def recorder(self, **kwargs):
        """A recorder function; returns its name."""
        env = kwargs.pop("env", {})
        return self.create_function(env=env, Timeout=kwargs.pop("Timeout", 10), **kwargs)["FunctionName"]

    def history(self, name, count, timeout=15.0, **kwargs):
        """Waits until the function's history holds at least `count` entries; returns them."""
        return wait_for(lambda: (lambda h: h if len(h) >= count else None)(invocations(self.server, name, **kwargs)),
                        timeout, what="%d invocations of %s" % (count, name))

    def server_children(self):
        """The pids of the server's child processes (the handlers' runtimes)."""
        pid = self.server.proc.pid
        children = set()
        for task in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                    children.update(int(x) for x in f.read().split())
            except OSError:
                pass
        return children


# ---------------------------------------------------------------------------------------
# 5. the invocation history
# ---------------------------------------------------------------------------------------

class InvocationHistoryTests(AdminLambdaCase):

    def assertLogOf(self, entry, printed=True):
        rid = entry["RequestId"]
        log = entry["Log"]
        self.assertIsInstance(log, list)
        for line in log:
            self.assertIsInstance(line, str)
            self.assertNotIn("\n", line)
        self.assertIn("START RequestId: %s Version: $LATEST" % rid, log)
        self.assertIn("END RequestId: %s" % rid, log)
        reports = [line for line in log if line.startswith("REPORT RequestId: %s\t" % rid)]
        self.assertEqual(len(reports), 1, log)
        self.assertIn("Duration: ", reports[0])
        self.assertLess(log.index("START RequestId: %s Version: $LATEST" % rid), log.index("END RequestId: %s" % rid))
        self.assertLess(log.index("END RequestId: %s" % rid), log.index(reports[0]))
        if printed:
            self.assertIn(RECORDER_LINE % rid, log)
            self.assertLess(log.index(RECORDER_LINE % rid), log.index("END RequestId: %s" % rid))

    def test_request_response_success(self):
        name = self.recorder()
        before = time.time() * 1000
        resp, _, body = self.invoke(name, {"action": "echo", "n": 1})
        self.assertNotIn("FunctionError", resp, body)
        rid = resp["ResponseMetadata"]["RequestId"]
        [entry] = invocations(self.server, name)
        self.assertEqual(set(entry), {"RequestId", "FunctionName", "FunctionArn", "Trigger", "StartTimeMs",
                                      "DurationMs", "Outcome", "Log"})
        self.assertEqual((entry["RequestId"], entry["FunctionName"], entry["FunctionArn"], entry["Trigger"],
                          entry["Outcome"]), (rid, name, function_arn(name), "Invoke", "success"))
        self.assertIsInstance(entry["StartTimeMs"], int)
        offset = json.loads(self.server.raw("GET", "/_sqsemu/clock")[2])["offset_ms"]
        self.assertLess(abs(entry["StartTimeMs"] - offset - before), 30000)
        self.assertGreater(entry["DurationMs"], 0)
        self.assertLess(entry["DurationMs"], 30000)
        self.assertLogOf(entry)

    def test_function_error(self):
        name = self.recorder()
        resp, _, body = self.invoke(name, {"action": "raise", "message": "kaboom"})
        self.assertEqual(resp.get("FunctionError"), "Unhandled")
        [entry] = invocations(self.server, name)
        self.assertEqual((entry["Outcome"], entry["ErrorType"], entry["ErrorMessage"]),
                         ("function_error", "ValueError", "kaboom"))
        self.assertEqual(entry["RequestId"], resp["ResponseMetadata"]["RequestId"])
        self.assertTrue(any("kaboom" in line for line in entry["Log"]), entry["Log"])
        self.assertLogOf(entry)

    def test_bytes_that_are_not_utf8_keep_the_answer_json(self):
        """A handler prints bytes that are not UTF-8: the history still answers valid JSON,
        with each bad byte as U+FFFD."""
        source = ("import sys\n"
                  "def handler(event, context):\n"
                  "    sys.stdout.buffer.write(b'bad \\xff\\xfe bytes \\xe2\\x82 cut\\n')\n"
                  "    sys.stdout.flush()\n"
                  "    return 1\n")
        name = self.create_function(zip_file=zip_bytes({"app.py": source}))["FunctionName"]
        resp, _, _ = self.invoke(name, {})
        self.assertNotIn("FunctionError", resp)
        [entry] = invocations(self.server, name)  # parsed as JSON, which fails on bad UTF-8
        self.assertIn("bad \ufffd\ufffd bytes \ufffd\ufffd cut", entry["Log"])

    def test_handler_that_exits(self):
        name = self.recorder()
        resp, _, body = self.invoke(name, {"action": "exit", "code": 3})
        self.assertEqual(resp.get("FunctionError"), "Unhandled", body)
        [entry] = invocations(self.server, name)
        self.assertEqual((entry["Outcome"], entry["ErrorType"]), ("exit_error", "Runtime.ExitError"))
        self.assertLogOf(entry, printed=True)

    def test_event_invocation(self):
        name = self.recorder()
        resp = self.lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"action": "echo"}))
        self.assertEqual(resp["StatusCode"], 202)
        [entry] = self.history(name, 1)
        self.assertEqual((entry["Trigger"], entry["Outcome"]), ("Event", "success"))
        self.assertEqual(entry["RequestId"], resp["ResponseMetadata"]["RequestId"])
        self.assertLogOf(entry)

    def test_timeout(self):
        name = self.recorder(Timeout=1)
        resp, _, body = self.invoke(name, {"action": "sleep", "seconds": 30})
        self.assertEqual(resp.get("FunctionError"), "Unhandled", body)
        [entry] = invocations(self.server, name)
        self.assertEqual(entry["Outcome"], "timeout", entry)
        self.assertEqual(entry["ErrorType"], "Sandbox.Timedout")
        self.assertGreaterEqual(entry["DurationMs"], 900)
        self.assertLess(entry["DurationMs"], 10000)
        self.assertLogOf(entry)

    def test_mapping_batch(self):
        out = self.out_dir()
        name = self.recorder(env={"OUT_DIR": out})
        url, arn = self.queue("hist-esm")
        sent = [self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)["MessageId"] for i in range(3)]
        uuid = self.create_mapping(name, arn, BatchSize=10)["UUID"]

        def covered():
            entries = [e for e in invocations(self.server, name) if e["Trigger"] == uuid]
            ids = [i for e in entries for i in e["MessageIds"]]
            return entries if sorted(ids) == sorted(sent) else None

        entries = wait_for(covered, what="batches covering every message")
        for entry in entries:
            self.assertEqual((entry["Outcome"], entry["FailedMessageIds"]), ("success", []), entry)
            self.assertLogOf(entry)
        self.assertEqual(entries, [e for e in invocations(self.server) if e["Trigger"] == uuid])

    def test_partial_batch(self):
        name = self.recorder(env={"FAIL_BODY_PREFIX": "bad"})
        url, arn = self.queue("hist-partial", attributes={"VisibilityTimeout": 60})
        good = self.sqs.send_message(QueueUrl=url, MessageBody="good")["MessageId"]
        bad = self.sqs.send_message(QueueUrl=url, MessageBody="bad one")["MessageId"]
        uuid = self.create_mapping(name, arn, BatchSize=10, FunctionResponseTypes=["ReportBatchItemFailures"],
                                   MaximumBatchingWindowInSeconds=1)["UUID"]

        def with_bad():
            return [e for e in invocations(self.server, name) if e["Trigger"] == uuid and bad in e["MessageIds"]]

        [entry] = wait_for(with_bad, what="the batch holding the failing message")
        self.assertEqual(entry["Outcome"], "partial", entry)
        self.assertEqual(entry["FailedMessageIds"], [bad])
        if good in entry["MessageIds"]:
            self.assertEqual(sorted(entry["MessageIds"]), sorted([good, bad]))
        self.assertLogOf(entry)

    def test_function_error_in_a_batch_fails_every_message_but_is_a_function_error(self):
        name = self.recorder(env={"FAIL": "always"})
        url, arn = self.queue("hist-esm-fail", attributes={"VisibilityTimeout": 60})
        mid = self.sqs.send_message(QueueUrl=url, MessageBody="x")["MessageId"]
        uuid = self.create_mapping(name, arn, FunctionResponseTypes=["ReportBatchItemFailures"])["UUID"]
        entry = self.history(name, 1)[0]
        self.assertEqual((entry["Trigger"], entry["MessageIds"], entry["Outcome"], entry["ErrorType"]),
                         (uuid, [mid], "function_error", "RuntimeError"))
        self.lam.update_event_source_mapping(UUID=uuid, Enabled=False)

    def test_newest_first_and_limit(self):
        a = self.recorder()
        b = self.recorder()
        rids = []
        for i, name in enumerate((a, b, a, a, b)):
            resp, _, _ = self.invoke(name, {"action": "echo", "i": i})
            rids.append((name, resp["ResponseMetadata"]["RequestId"]))
        got = [e["RequestId"] for e in invocations(self.server, a)]
        self.assertEqual(got, [r for n, r in reversed(rids) if n == a])
        self.assertEqual([e["RequestId"] for e in invocations(self.server, a, limit=2)], got[:2])
        self.assertEqual([e["RequestId"] for e in invocations(self.server, a, limit=1)], got[:1])
        # every function together, newest first
        everything = [e["RequestId"] for e in invocations(self.server, limit=100)]
        mine = [r for r in everything if r in {r for _, r in rids}]
        self.assertEqual(mine, [r for _, r in reversed(rids)])
        starts = [e["StartTimeMs"] for e in invocations(self.server, limit=100)]
        self.assertEqual(starts, sorted(starts, reverse=True))
        # by ARN
        self.assertEqual([e["RequestId"] for e in invocations(self.server, function_arn(a))], got)

    def test_default_limit_is_20_and_100_are_kept(self):
        name = self.recorder()
        rids = []
        for i in range(105):
            resp, _, _ = self.invoke(name, {"action": "return", "value": i})
            rids.append(resp["ResponseMetadata"]["RequestId"])
        self.assertEqual([e["RequestId"] for e in invocations(self.server, name)], rids[::-1][:20])
        self.assertEqual([e["RequestId"] for e in invocations(self.server, name, limit=100)], rids[::-1][:100])

    def test_unknown_function_and_bad_limit(self):
        for value in ("no-such-function", function_arn("no-such-function")):
            with self.subTest(function=value):
                doc = self.assertAdminError(admin(self.server, "GET", "invocations", {"function": value}), 404)
                self.assertEqual(doc["error"], "ResourceNotFoundException")
        for value in ("0", "101", "x", "-5"):
            with self.subTest(limit=value):
                self.assertAdminError(admin(self.server, "GET", "invocations", {"limit": value}), 400)

    def test_history_leaves_with_its_function(self):
        name = self.recorder(cleanup=False)
        self.invoke(name, {"action": "echo"})
        self.assertEqual(len(invocations(self.server, name)), 1)
        self.lam.delete_function(FunctionName=name)
        self.assertAdminError(admin(self.server, "GET", "invocations", {"function": name}), 404)
        self.create_function(name=name)
        self.assertEqual(invocations(self.server, name), [], "a new function of the same name starts empty")


# ---------------------------------------------------------------------------------------
# 4. reset: functions and mappings, running handlers
# ---------------------------------------------------------------------------------------

class LambdaResetTests(AdminLambdaCase):
    read_timeout = 60

    def setUp(self):
        reset(self.server)

    def assertEmpty(self):
        self.assertEqual(self.lam.list_functions()["Functions"], [])
        self.assertEqual(self.lam.list_event_source_mappings()["EventSourceMappings"], [])
        self.assertEqual(self.sqs.list_queues().get("QueueUrls", []), [])

    def function_names(self):
        return sorted(f["FunctionName"] for f in self.lam.list_functions()["Functions"])

    def mapping_uuids(self):
        return sorted(m["UUID"] for m in self.lam.list_event_source_mappings()["EventSourceMappings"])

    def test_reset_removes_functions_mappings_and_queues(self):
        names = [self.recorder() for _ in range(2)]
        _, arn = self.queue("lrst")
        self.create_mapping(names[0], arn)
        self.create_mapping(names[1], arn)
        waiting = self.server.waiting_receives()
        self.assertGreaterEqual(waiting, 2)
        doc = reset(self.server)
        self.assertEqual(doc, {"FunctionsRemoved": 2, "MappingsRemoved": 2, "QueuesRemoved": 1})
        self.assertEmpty()
        self.server.wait_waiting_receives(0)
        for name in names:
            self.assertLambdaError(lambda: self.lam.get_function(FunctionName=name), "ResourceNotFoundException", 404)
        # the same names again, at once
        self.create_function(name=names[0])
        resp, _, _ = self.invoke(names[0], {"action": "return", "value": "again"})
        self.assertNotIn("FunctionError", resp)

    def log_groups(self):
        logs = self.server.client("logs")  # a read writes out buffered lines first
        return sorted(g["logGroupName"] for g in logs.describe_log_groups()["logGroups"])

    def test_reset_removes_log_groups(self):
        a, b = self.recorder(), self.recorder()
        self.invoke(a, {"action": "echo"})
        self.invoke(b, {"action": "echo"})
        self.assertEqual(self.log_groups(), sorted(["/aws/lambda/" + a, "/aws/lambda/" + b]))
        reset(self.server, function=a)
        self.assertEqual(self.log_groups(), ["/aws/lambda/" + b])
        reset(self.server)
        self.assertEqual(self.log_groups(), [])

    def test_function_parameter_removes_that_function_and_its_mappings(self):
        a, b = self.recorder(), self.recorder()
        _, qa = self.queue("lrst-a")
        url_b, qb = self.queue("lrst-b")
        ma = self.create_mapping(a, qa)["UUID"]
        mb1 = self.create_mapping(b, qb)["UUID"]
        mb2 = self.create_mapping(b, qa)["UUID"]
        self.invoke(b, {"action": "echo"})
        doc = reset(self.server, function=a)
        self.assertEqual(doc, {"FunctionsRemoved": 1, "MappingsRemoved": 1})
        self.assertEqual(self.function_names(), [b])
        self.assertEqual(self.mapping_uuids(), sorted([mb1, mb2]))
        self.assertLambdaError(lambda: self.lam.get_event_source_mapping(UUID=ma), "ResourceNotFoundException", 404)
        self.assertEqual(len(self.sqs.list_queues()["QueueUrls"]), 2, "the queues stay")
        self.assertEqual(len(invocations(self.server, b)), 1, "the other function's history stays")
        self.assertAdminError(admin(self.server, "GET", "invocations", {"function": a}), 404)
        # b's mapping still delivers
        self.sqs.send_message(QueueUrl=url_b, MessageBody="still delivered")
        wait_for(lambda: [e for e in invocations(self.server, b) if e["Trigger"] == mb1], what="a batch for b")
        # by ARN
        self.assertEqual(reset(self.server, function=function_arn(b)), {"FunctionsRemoved": 1, "MappingsRemoved": 2})
        self.assertEqual(self.lam.list_event_source_mappings()["EventSourceMappings"], [])

    def test_function_parameter_removes_a_mapping_that_names_latest(self):
        name = self.recorder()
        _, arn = self.queue("lrst-latest")
        uuid = self.create_mapping(name + ":$LATEST", arn)["UUID"]
        doc = reset(self.server, function=name)
        self.assertEqual(self.mapping_uuids(), [], "the mapping of %s:$LATEST outlived its function" % name)
        self.assertEqual(doc, {"FunctionsRemoved": 1, "MappingsRemoved": 1})
        self.assertLambdaError(lambda: self.lam.get_event_source_mapping(UUID=uuid), "ResourceNotFoundException", 404)

    def test_unknown_function_is_404_and_removes_nothing(self):
        name = self.recorder()
        _, arn = self.queue("lrst-404")
        uuid = self.create_mapping(name, arn)["UUID"]
        for value in ("no-such-function", function_arn("no-such-function"), name + "x"):
            with self.subTest(function=value):
                doc = self.assertAdminError(admin(self.server, "POST", "reset", {"function": value}), 404)
                self.assertEqual(doc["error"], "ResourceNotFoundException")
        self.assertAdminError(admin(self.server, "POST", "reset", {"function": "bad name!"}), 400)
        self.assertEqual((self.function_names(), self.mapping_uuids()), ([name], [uuid]))

    def test_function_and_an_unknown_queue_remove_nothing(self):
        """A reset naming a function and a queue that does not exist is refused as a whole."""
        name = self.recorder()
        status, _, doc = admin(self.server, "POST", "reset", {"function": name, "queue": "no-such-queue"})
        self.assertEqual(self.function_names(), [name], "answered %d %r and removed the function" % (status, doc))
        self.assertEqual(status, 404, doc)

    def test_function_and_queue_together(self):
        name = self.recorder()
        url, arn = self.queue("lrst-both")
        keep, _ = self.queue("lrst-keep")
        self.create_mapping(name, arn)
        doc = reset(self.server, function=name, queue=url)
        self.assertEqual(doc, {"FunctionsRemoved": 1, "MappingsRemoved": 1, "QueuesRemoved": 1})
        self.assertEqual(self.sqs.list_queues()["QueueUrls"], [keep])
        self.assertEqual(self.function_names(), [])

    def test_running_handler_is_stopped_and_the_invoke_answers(self):
        for how in ("all", "function"):
            with self.subTest(how=how):
                name = self.recorder(Timeout=60)
                other = self.recorder()
                self.invoke(name, {"action": "echo"})  # warm: the environment runs
                self.assertTrue(self.server_children(), "no handler process")
                parked = self.server.parked_requests()
                result = {}

                def call():
                    try:
                        result["r"] = self.invoke(name, {"action": "sleep", "seconds": 50})
                    except Exception as exc:  # reported below
                        result["e"] = exc

                t = threading.Thread(target=call, daemon=True)
                t.start()
                self.server.wait_parked(parked + 1)
                started = time.monotonic()
                reset(self.server, **({"function": name} if how == "function" else {}))
                t.join(10)
                self.assertFalse(t.is_alive(), "the Invoke in flight never answered")
                self.assertLess(time.monotonic() - started, 10)
                self.assertNotIn("e", result, result.get("e"))
                resp, raw, body = result["r"]
                self.assertEqual(resp["StatusCode"], 200)
                self.assertEqual(resp.get("FunctionError"), "Unhandled", raw)
                self.assertEqual(body.get("errorType"), "Sandbox.Stopped", raw)
                self.server.wait_parked(parked)
                if how == "all":
                    wait_for(lambda: not self.server_children(), 10, what="every handler process gone")
                else:
                    self.assertEqual(self.function_names(), [other])
                    reset(self.server)

    def test_reset_stops_a_mapping_poller(self):
        name = self.recorder()
        url, arn = self.queue("lrst-poller")
        before = self.server.waiting_receives()
        self.create_mapping(name, arn)
        self.server.wait_waiting_receives(before + 1)
        reset(self.server, function=name)
        self.server.wait_waiting_receives(before)
        self.sqs.send_message(QueueUrl=url, MessageBody="nobody reads this")
        [m] = self.sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"]
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1", "the removed mapping took the message")


# ---------------------------------------------------------------------------------------
# 6. function and mapping metrics
# ---------------------------------------------------------------------------------------

class LambdaMetricsTests(AdminLambdaCase):

    def function_numbers(self, name):
        _, samples = metrics(self.server)
        labels = dict(function=name, account=harness.ACCOUNT, region=harness.REGION)
        return {key: metric(samples, "sqsemu_function_%s" % key, **labels)
                for key in ("invocations_total", "errors_total", "throttles_total", "duration_seconds_total")}

    def mapping_numbers(self, uuid):
        _, samples = metrics(self.server)
        return {key: metric(samples, "sqsemu_mapping_%s_events_total" % key, uuid=uuid)
                for key in ("polled", "filtered_out", "invoked", "failed_invoke", "deleted")}

    def test_function_counters(self):
        name = self.recorder()
        self.assertEqual(self.function_numbers(name), {"invocations_total": 0, "errors_total": 0,
                                                       "throttles_total": 0, "duration_seconds_total": 0})
        self.invoke(name, {"action": "echo"})
        self.invoke(name, {"action": "echo"})
        self.invoke(name, {"action": "raise"})
        got = self.function_numbers(name)
        self.assertEqual((got["invocations_total"], got["errors_total"], got["throttles_total"]), (3, 1, 0))
        durations = sum(e["DurationMs"] for e in invocations(self.server, name))
        self.assertAlmostEqual(got["duration_seconds_total"] * 1000, durations, delta=0.01)

    def test_mapping_counters_with_a_filter(self):
        name = self.recorder()
        url, arn = self.queue("met-filter")
        uuid = self.create_mapping(name, arn, BatchSize=10, Enabled=False,
                                   FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"keep": [True]}})}]}
                                   )["UUID"]
        self.assertEqual(self.mapping_numbers(uuid), dict(polled=0, filtered_out=0, invoked=0, failed_invoke=0,
                                                          deleted=0))
        _, samples = metrics(self.server)
        [labels] = [s[1] for s in samples if s[0] == "sqsemu_mapping_polled_events_total" and s[1]["uuid"] == uuid]
        self.assertEqual(labels, {"uuid": uuid, "function_arn": function_arn(name), "event_source_arn": arn})
        for body in ({"keep": True}, {"keep": False}, {"keep": True}, "not json"):
            self.sqs.send_message(QueueUrl=url, MessageBody=body if isinstance(body, str) else json.dumps(body))
        self.lam.update_event_source_mapping(UUID=uuid, Enabled=True)
        expected = dict(polled=4, filtered_out=2, invoked=2, failed_invoke=0, deleted=2)
        wait_for(lambda: self.mapping_numbers(uuid) == expected, what="the mapping counters %r" % expected)
        self.assertEqual(self.function_numbers(name)["invocations_total"],
                         len([e for e in invocations(self.server, name) if e["Trigger"] == uuid]))
        self.assertEqual(self.sqs.receive_message(QueueUrl=url).get("Messages", []), [],
                         "filtered-out messages are deleted")

    def test_mapping_counters_with_failures(self):
        name = self.recorder(env={"FAIL_BODY_PREFIX": "bad"})
        url, arn = self.queue("met-fail", attributes={"VisibilityTimeout": 60})
        for body in ("ok1", "bad1", "ok2"):
            self.sqs.send_message(QueueUrl=url, MessageBody=body)
        uuid = self.create_mapping(name, arn, BatchSize=10, FunctionResponseTypes=["ReportBatchItemFailures"],
                                   MaximumBatchingWindowInSeconds=1)["UUID"]
        expected = dict(polled=3, filtered_out=0, invoked=3, failed_invoke=1, deleted=2)
        wait_for(lambda: self.mapping_numbers(uuid) == expected, what="the mapping counters %r" % expected)
        got = self.function_numbers(name)
        self.assertEqual(got["errors_total"], 0, "a partial batch response is no function error")

    def test_reset_function_removes_its_samples(self):
        name = self.recorder()
        _, arn = self.queue("met-reset")
        uuid = self.create_mapping(name, arn)["UUID"]
        self.invoke(name, {"action": "echo"})
        reset(self.server, function=name)
        _, samples = metrics(self.server)
        self.assertEqual([s for s in samples if s[1].get("function") == name or s[1].get("uuid") == uuid], [])


if __name__ == "__main__":
    unittest.main()
