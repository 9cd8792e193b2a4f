"""CloudWatch Logs against a real sqsemu: what Lambda handlers print (fixtures/handlers/
py_logger) read back with boto3's `logs` client and the `aws` CLI, on the server's one port.

Every read sees every line printed before it (the server writes its buffer first), so no
test waits for a log line except `aws logs tail --follow`, which polls on its own clock and
is waited on with a bound. Caps are covered by the unit tests (tests/unit/test_logs.c).
"""
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from botocore.exceptions import ClientError

import boto3
from botocore import UNSIGNED
from botocore.config import Config

import harness
from lambda_util import ACCOUNT, PY_RUNTIME, REGION, ROLE, LambdaTestCase, cli_env, lambda_client, zip_fixture

STREAM_RE = re.compile(r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
CLI_TIMEOUT = 60
TAIL_WAIT = 40  # seconds: `aws logs tail --follow` polls every 5 s


def logs_target(action):
    return {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Logs_20140328." + action}


def cli_v2():
    """An aws CLI of major version 2 (which has `aws logs tail`), or None."""
    for candidate in (shutil.which("aws"), "/usr/bin/aws", "/usr/local/bin/aws"):
        if not candidate or not os.path.exists(candidate):
            continue
        try:
            out = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=CLI_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            continue
        m = re.search(r"aws-cli/(\d+)\.", out.stdout + out.stderr)
        if m and int(m.group(1)) >= 2:
            return candidate
    return None


AWS_ANY = shutil.which("aws")
AWS_V2 = cli_v2()


class LogsCase(LambdaTestCase):
    """A function per test that prints what it is told to."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logs = cls.server.client("logs")

    def logger(self):
        name = self.unique("logger")
        self.create_function(name=name, fixture="py_logger", Timeout=30)
        return name, "/aws/lambda/" + name

    def run_lines(self, name, lines=(), errors=(), sleep=0):
        resp, _, body = self.invoke(name, {"lines": list(lines), "errors": list(errors), "sleep": sleep})
        self.assertNotIn("FunctionError", resp, body)
        return body

    def all_events(self, group, **kwargs):
        events = []
        for page in self.logs.get_paginator("filter_log_events").paginate(logGroupName=group, **kwargs):
            events += page["events"]
        return events

    def messages(self, group, **kwargs):
        return [e["message"] for e in self.all_events(group, **kwargs)]

    def assertLogsError(self, fn, code, message=None):
        with self.assertRaises(ClientError) as caught:
            fn()
        err = caught.exception.response["Error"]
        self.assertEqual(err["Code"], code, err)
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        if message is not None:
            self.assertEqual(err["Message"], message)

    def raw(self, action, body):
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        status, headers, raw = self.server.raw("POST", "/", data, logs_target(action))
        return status, headers, json.loads(raw)


class HandlerOutputTests(LogsCase):
    """A function's lines land in /aws/lambda/<name>, one stream per execution environment."""

    def test_lines_start_end_and_report_reach_the_group(self):
        name, group = self.logger()
        body = self.run_lines(name, ["hello world", "second line"], errors=["to stderr"])
        self.assertEqual(body["log_group_name"], group)
        groups = self.logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        self.assertEqual([g["logGroupName"] for g in groups], [group])
        self.assertEqual(groups[0]["arn"], "arn:aws:logs:%s:%s:log-group:%s:*" % (REGION, ACCOUNT, group))
        self.assertEqual(groups[0]["logGroupArn"], "arn:aws:logs:%s:%s:log-group:%s" % (REGION, ACCOUNT, group))
        self.assertGreater(groups[0]["storedBytes"], 0)
        streams = self.logs.describe_log_streams(logGroupName=group)["logStreams"]
        self.assertEqual([s["logStreamName"] for s in streams], [body["log_stream_name"]])
        self.assertRegex(streams[0]["logStreamName"], STREAM_RE)
        resp = self.logs.get_log_events(logGroupName=group, logStreamName=streams[0]["logStreamName"],
                                        startFromHead=True)
        messages = [e["message"] for e in resp["events"]]
        self.assertTrue(messages[0].startswith("START RequestId: "), messages)
        self.assertIn("hello world", messages)
        self.assertIn("to stderr", messages)
        self.assertLess(messages.index("hello world"), messages.index("second line"))
        self.assertTrue(messages[-2].startswith("END RequestId: "), messages)
        self.assertTrue(messages[-1].startswith("REPORT RequestId: "), messages)
        self.assertIn("Duration: ", messages[-1])
        times = [e["timestamp"] for e in resp["events"]]
        self.assertEqual(times, sorted(times))
        self.assertLessEqual(abs(times[0] - time.time() * 1000), 60000)
        self.assertLessEqual(streams[0]["firstEventTimestamp"], streams[0]["lastEventTimestamp"])

    def test_a_warm_environment_keeps_its_stream(self):
        name, group = self.logger()
        first = self.run_lines(name, ["one"])
        second = self.run_lines(name, ["two"])
        self.assertEqual(first["log_stream_name"], second["log_stream_name"])
        self.assertEqual(len(self.logs.describe_log_streams(logGroupName=group)["logStreams"]), 1)
        self.assertEqual(sum(m.startswith("START ") for m in self.messages(group)), 2)

    def test_two_concurrent_invocations_write_two_streams(self):
        name, group = self.logger()
        results = [None, None]

        def call(i):
            results[i] = self.run_lines(name, ["concurrent %d" % i], sleep=1.0)

        threads = [threading.Thread(target=call, args=(i,), daemon=True) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertTrue(all(results), "an invocation never returned")
        names = {r["log_stream_name"] for r in results}
        self.assertEqual(len(names), 2, "one stream per execution environment")
        streams = self.logs.describe_log_streams(logGroupName=group)["logStreams"]
        self.assertEqual({s["logStreamName"] for s in streams}, names)
        for i, result in enumerate(results):
            events = self.logs.get_log_events(logGroupName=group, logStreamName=result["log_stream_name"],
                                              startFromHead=True)["events"]
            messages = [e["message"] for e in events]
            self.assertIn("concurrent %d" % i, messages)
            self.assertNotIn("concurrent %d" % (1 - i), messages)
            self.assertEqual(sum(m.startswith("START ") for m in messages), 1)


class ReadingTests(LogsCase):
    """GetLogEvents' tokens, FilterLogEvents' patterns and paging, DescribeLogStreams."""

    def test_get_log_events_tokens_forward_and_backward(self):
        name, group = self.logger()
        stream = self.run_lines(name, ["line %d" % i for i in range(6)])["log_stream_name"]
        seen, token = [], None
        for _ in range(50):
            kwargs = {"nextToken": token} if token else {}
            page = self.logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True,
                                            limit=2, **kwargs)
            self.assertLessEqual(len(page["events"]), 2)
            seen += [e["message"] for e in page["events"]]
            if page["nextForwardToken"] == token:
                break
            token = page["nextForwardToken"]
        else:
            self.fail("the forward token never repeated")
        self.assertEqual([m for m in seen if m.startswith("line ")], ["line %d" % i for i in range(6)])
        self.assertEqual(len(seen), len(set(seen)), "every event once")
        # The repeated token picks up what comes later.
        self.run_lines(name, ["after the end"])
        later = self.logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True,
                                         nextToken=token)
        self.assertIn("after the end", [e["message"] for e in later["events"]])
        # Default: the newest events; the backward token reads what came before.
        tail = self.logs.get_log_events(logGroupName=group, logStreamName=stream, limit=3)
        self.assertTrue(tail["events"][-1]["message"].startswith("REPORT "))
        before = self.logs.get_log_events(logGroupName=group, logStreamName=stream, limit=3,
                                          nextToken=tail["nextBackwardToken"])
        self.assertLess(before["events"][-1]["timestamp"], tail["events"][0]["timestamp"] + 1)
        self.assertNotIn(tail["events"][0]["message"], [e["message"] for e in before["events"]])

    def test_get_log_events_by_identifier_and_time_range(self):
        name, group = self.logger()
        stream = self.run_lines(name, ["ranged"])["log_stream_name"]
        arn = "arn:aws:logs:%s:%s:log-group:%s" % (REGION, ACCOUNT, group)
        events = self.logs.get_log_events(logGroupIdentifier=arn, logStreamName=stream, startFromHead=True)["events"]
        self.assertIn("ranged", [e["message"] for e in events])
        t = events[1]["timestamp"]
        inside = self.logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True,
                                          startTime=t, endTime=t + 1)["events"]
        self.assertTrue(inside and all(e["timestamp"] == t for e in inside))
        self.assertEqual(self.logs.get_log_events(logGroupName=group, logStreamName=stream, startTime=t,
                                                  endTime=t)["events"], [], "endTime is exclusive")

    def test_filter_patterns(self):
        name, group = self.logger()
        self.run_lines(name, ["ERROR disk full", "WARN disk slow", "INFO all good", "Task timed out early"])
        self.assertEqual(self.messages(group, filterPattern="ERROR"), ["ERROR disk full"])
        self.assertEqual(self.messages(group, filterPattern="disk slow"), ["WARN disk slow"])
        self.assertEqual(self.messages(group, filterPattern="?ERROR ?WARN"), ["ERROR disk full", "WARN disk slow"])
        self.assertEqual(self.messages(group, filterPattern='"Task timed out"'), ["Task timed out early"])
        self.assertEqual(self.messages(group, filterPattern="disk -ERROR"), ["WARN disk slow"])
        self.assertEqual(self.messages(group, filterPattern="%^[EW][A-Z]+ disk%"),
                         ["ERROR disk full", "WARN disk slow"])
        self.assertEqual(self.messages(group, filterPattern="error"), [], "patterns are case-sensitive")
        everything = self.all_events(group)
        self.assertEqual(len(everything), 7)  # START, 4 lines, END, REPORT
        self.assertEqual(len({e["eventId"] for e in everything}), 7)
        self.assertLogsError(lambda: self.logs.filter_log_events(logGroupName=group, filterPattern="{ $.a = 1 }"),
                             "InvalidParameterException")

    def test_costly_regex_scan_pages_instead_of_holding_the_server(self):
        # A regex costs time per byte scanned (glibc: ~1 s per 256 KB for a{1,254}b): a
        # scan stops after about a second and hands back a nextToken that goes on.
        name, group = self.logger()
        self.run_lines(name, ["a" * 60000] * 40 + ["aab"])
        pattern = "%a{1,254}b%"
        started = time.monotonic()
        first = self.logs.filter_log_events(logGroupName=group, filterPattern=pattern)
        self.assertLess(time.monotonic() - started, 5)
        self.assertIn("nextToken", first)
        self.assertEqual(self.messages(group, filterPattern=pattern), ["aab"])
        self.assertLogsError(lambda: self.logs.filter_log_events(logGroupName=group, filterPattern="%a{255}{255}%"),
                             "InvalidParameterException")

    def test_filter_paging_and_stream_selection(self):
        name, group = self.logger()
        results = [None, None]

        def call(i):
            results[i] = self.run_lines(name, ["from %d line %d" % (i, k) for k in range(5)], sleep=0.5)

        threads = [threading.Thread(target=call, args=(i,), daemon=True) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertTrue(all(results))
        whole = self.all_events(group)
        paged = self.all_events(group, limit=3)
        self.assertEqual([e["eventId"] for e in paged], [e["eventId"] for e in whole])
        self.assertEqual(len(whole), 2 * (5 + 3))
        times = [e["timestamp"] for e in whole]
        self.assertEqual(times, sorted(times), "streams interleaved by time")
        one = results[0]["log_stream_name"]
        self.assertEqual({e["logStreamName"] for e in self.all_events(group, logStreamNames=[one])}, {one})
        self.assertEqual({e["logStreamName"] for e in self.all_events(group, logStreamNamePrefix=one)}, {one})
        first = self.logs.filter_log_events(logGroupName=group, limit=4)
        self.assertEqual(len(first["events"]), 4)
        self.assertIn("nextToken", first)

    def test_describe_log_streams_orders_and_pages(self):
        name, group = self.logger()
        results = [None, None, None]

        def call(i):
            results[i] = self.run_lines(name, ["stream %d" % i], sleep=0.8)

        threads = [threading.Thread(target=call, args=(i,), daemon=True) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        names = sorted(r["log_stream_name"] for r in results)
        pages = list(self.logs.get_paginator("describe_log_streams").paginate(logGroupName=group,
                                                                               PaginationConfig={"PageSize": 2}))
        self.assertEqual(len(pages), 2)
        self.assertEqual([s["logStreamName"] for p in pages for s in p["logStreams"]], names)
        desc = self.logs.describe_log_streams(logGroupName=group, descending=True)["logStreams"]
        self.assertEqual([s["logStreamName"] for s in desc], names[::-1])
        by_time = self.logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime")["logStreams"]
        last = [s["lastEventTimestamp"] for s in by_time]
        self.assertEqual(last, sorted(last))
        prefixed = self.logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=names[1])["logStreams"]
        self.assertEqual([s["logStreamName"] for s in prefixed], [names[1]])
        self.assertLogsError(lambda: self.logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime",
                                                                    logStreamNamePrefix="2"),
                             "InvalidParameterException",
                             "Cannot order by LastEventTime with a logStreamNamePrefix.")

    def test_describe_log_groups_prefix_pattern_and_pages(self):
        names = [self.logger() for _ in range(3)]
        for name, _ in names:
            self.run_lines(name, ["x"])
        groups = [g for _, g in names]
        prefix = os.path.commonprefix(groups)
        listed = []
        for page in self.logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix,
                                                                             PaginationConfig={"PageSize": 2}):
            self.assertLessEqual(len(page["logGroups"]), 2)
            listed += [g["logGroupName"] for g in page["logGroups"]]
        self.assertEqual(listed, sorted(listed))
        self.assertTrue(set(groups) <= set(listed))
        by_pattern = self.logs.describe_log_groups(logGroupNamePattern=names[1][0])["logGroups"]
        self.assertIn(groups[1], [g["logGroupName"] for g in by_pattern])
        self.assertTrue(all(names[1][0] in g["logGroupName"] for g in by_pattern))
        self.assertTrue(all(set(g) == {"logGroupName", "creationTime", "arn"} for g in by_pattern))
        self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/none-such")["logGroups"], [])


class BadInputTests(LogsCase):
    """AWS-shaped 4xx errors, and nothing changes."""

    def snapshot(self):
        return self.logs.describe_log_groups()["logGroups"]

    def test_missing_groups_and_streams(self):
        name, group = self.logger()
        stream = self.run_lines(name, ["present"])["log_stream_name"]
        before = self.snapshot()
        gone = "The specified log group does not exist."
        self.assertLogsError(lambda: self.logs.describe_log_streams(logGroupName="/aws/lambda/missing"),
                             "ResourceNotFoundException", gone)
        self.assertLogsError(lambda: self.logs.filter_log_events(logGroupName="/aws/lambda/missing"),
                             "ResourceNotFoundException", gone)
        self.assertLogsError(lambda: self.logs.get_log_events(logGroupName="/aws/lambda/missing",
                                                              logStreamName=stream),
                             "ResourceNotFoundException", gone)
        self.assertLogsError(lambda: self.logs.get_log_events(logGroupName=group, logStreamName="nope"),
                             "ResourceNotFoundException", "The specified log stream does not exist.")
        self.assertLogsError(lambda: self.logs.get_log_events(logGroupName=group, logStreamName=stream,
                                                              nextToken="f/garbage"),
                             "InvalidParameterException", "The specified nextToken is invalid.")
        self.assertLogsError(lambda: self.logs.filter_log_events(logGroupName=group, logGroupIdentifier=group),
                             "InvalidParameterException")
        self.assertLogsError(lambda: self.logs.filter_log_events(), "InvalidParameterException")
        self.assertEqual(self.snapshot(), before)

    def test_constraint_violations_over_the_wire(self):
        before = self.snapshot()
        status, headers, body = self.raw("DescribeLogGroups", {"limit": 0})
        self.assertEqual((status, body["__type"]), (400, "InvalidParameterException"))
        self.assertEqual(body["message"], "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                                          "constraint: Member must have value greater than or equal to 1")
        self.assertEqual(headers["content-type"], "application/x-amz-json-1.1")
        status, _, body = self.raw("DescribeLogStreams", {"logGroupName": "has space"})
        self.assertEqual((status, body["__type"]), (400, "InvalidParameterException"))
        self.assertIn("Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", body["message"])
        status, _, body = self.raw("GetLogEvents", {"logGroupName": "/g"})
        self.assertIn("Value null at 'logStreamName' failed to satisfy constraint: Member must not be null",
                      body["message"])
        self.assertEqual(self.snapshot(), before)

    def test_wrong_types_and_bodies(self):
        before = self.snapshot()
        for action, payload in [("DescribeLogGroups", '{"limit": "5"}'), ("GetLogEvents", '{"startFromHead": 1}'),
                                ("FilterLogEvents", '{"logStreamNames": "one"}'), ("FilterLogEvents", "[1, 2]"),
                                ("DescribeLogGroups", '{"limit": 5'), ("DescribeLogGroups", '{"a": "\x01"}')]:
            status, _, body = self.raw(action, payload)
            self.assertEqual(status, 400, (action, payload))
            self.assertEqual(body["__type"].split("#")[-1], "SerializationException", (action, payload, body))
        status, _, body = self.raw("PutLogEvents", {})
        self.assertEqual((status, body["__type"].split("#")[-1]), (400, "UnknownOperationException"))
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            conn.putrequest("POST", "/")
            for key, value in logs_target("DescribeLogGroups").items():
                conn.putheader(key, value)
            conn.putheader("Content-Length", str(1024 * 1024 + 1))  # declared; never sent
            conn.endheaders()
            resp = conn.getresponse()
            status, body = resp.status, json.loads(resp.read())
        finally:
            conn.close()
        self.assertEqual(status, 413)
        self.assertEqual(body["__type"].split("#")[-1], "RequestEntityTooLargeException")
        self.assertEqual(self.snapshot(), before)


class PersistenceTests(LogsCase):
    """Events live in the data directory: they survive a restart, and a kill -9 after a read."""

    def own_server(self):
        server = harness.Server().start()
        self.addCleanup(server.cleanup)
        return server

    def create_logger(self, lam, name):
        lam.create_function(FunctionName=name, Runtime=PY_RUNTIME, Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": zip_fixture("py_logger")})
        resp = lam.invoke(FunctionName=name, Payload=json.dumps({"lines": ["kept across restarts"]}))
        return json.loads(resp["Payload"].read())

    def test_events_survive_a_restart(self):
        server = self.own_server()
        body = self.create_logger(lambda_client(server), "persist")
        self.assertEqual(server.stop(), 0)  # the buffer is written at shutdown
        server.start()
        logs = server.client("logs")
        events = logs.get_log_events(logGroupName="/aws/lambda/persist", logStreamName=body["log_stream_name"],
                                     startFromHead=True)["events"]
        self.assertIn("kept across restarts", [e["message"] for e in events])

    def test_a_read_makes_events_durable(self):
        server = self.own_server()
        self.create_logger(lambda_client(server), "durable")
        logs = server.client("logs")
        self.assertTrue(logs.filter_log_events(logGroupName="/aws/lambda/durable")["events"])
        server.kill9()
        server.start()
        messages = [e["message"] for e in server.client("logs").filter_log_events(
            logGroupName="/aws/lambda/durable")["events"]]
        self.assertIn("kept across restarts", messages)

    def test_in_memory_server_reads_logs_too(self):
        server = harness.Server(in_memory=True).start()
        self.addCleanup(server.cleanup)
        self.create_logger(lambda_client(server), "memory")
        groups = server.client("logs").describe_log_groups()["logGroups"]
        self.assertEqual([g["logGroupName"] for g in groups], ["/aws/lambda/memory"])


class AuthTests(LogsCase):
    """With --auth-key, Logs requests are SigV4 for the service "logs", refused in JSON 1.1's shape."""

    KEY = ("AKIDLOGSTEST", "logs-secret", "111122223333")
    server_args = ("--auth-key", ":".join(KEY))

    @classmethod
    def signed(cls, service, key, secret, **config):
        cfg = Config(retries={"total_max_attempts": 1}, read_timeout=30, connect_timeout=5, **config)
        return boto3.session.Session().client(service, endpoint_url=cls.server.endpoint, region_name=REGION,
                                              aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lam = cls.signed("lambda", cls.KEY[0], cls.KEY[1])
        cls.logs = cls.signed("logs", cls.KEY[0], cls.KEY[1])

    def refused(self, client, code, status):
        with self.assertRaises(ClientError) as caught:
            client.describe_log_groups()
        self.assertEqual(caught.exception.response["Error"]["Code"], code)
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)

    def test_signed_reads_and_refusals(self):
        name, group = self.logger()
        self.run_lines(name, ["signed"])
        groups = self.logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        self.assertEqual(groups[0]["arn"], "arn:aws:logs:%s:%s:log-group:%s:*" % (REGION, self.KEY[2], group))
        self.assertIn("signed", self.messages(group))
        self.refused(self.signed("logs", self.KEY[0], "wrong"), "InvalidSignatureException", 400)
        self.refused(self.signed("logs", "AKIDNOSUCHKEY", "x"), "UnrecognizedClientException", 400)
        self.refused(self.signed("logs", "x", "x", signature_version=UNSIGNED), "MissingAuthenticationTokenException",
                     403)


@unittest.skipIf(AWS_ANY is None, "the aws CLI is not installed")
class CliTests(LogsCase):
    """The aws CLI: filter-log-events (any version) and `aws logs tail` (version 2)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._home = tempfile.TemporaryDirectory(prefix="sqsemu-cli-home-")
        cls.env = cli_env(cls._home.name)
        cls.env["PYTHONUNBUFFERED"] = "1"  # `tail --follow` prints as it goes, even into a pipe

    @classmethod
    def tearDownClass(cls):
        cls._home.cleanup()
        super().tearDownClass()

    def argv(self, cli, *args):
        return [cli, "--endpoint-url", self.server.endpoint, "--region", REGION, "--cli-connect-timeout", "5",
                "--cli-read-timeout", "30"] + list(args)

    def cli(self, cli, *args):
        proc = subprocess.run(self.argv(cli, *args), capture_output=True, text=True, env=self.env,
                              timeout=CLI_TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout

    def test_filter_log_events(self):
        name, group = self.logger()
        self.run_lines(name, ["ERROR from the cli test", "fine"])
        out = json.loads(self.cli(AWS_ANY, "--output", "json", "logs", "filter-log-events", "--log-group-name",
                                  group, "--filter-pattern", "ERROR"))
        self.assertEqual([e["message"] for e in out["events"]], ["ERROR from the cli test"])
        proc = subprocess.run(self.argv(AWS_ANY, "logs", "filter-log-events", "--log-group-name", "/aws/lambda/no"),
                              capture_output=True, text=True, env=self.env, timeout=CLI_TIMEOUT)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("ResourceNotFoundException", proc.stderr)

    @unittest.skipIf(AWS_V2 is None, "`aws logs tail` needs the aws CLI version 2")
    def test_tail_prints_the_events(self):
        name, group = self.logger()
        self.run_lines(name, ["tail me please"])
        out = self.cli(AWS_V2, "logs", "tail", group, "--since", "1h", "--format", "short")
        lines = out.splitlines()
        self.assertTrue(any(line.endswith(" tail me please") for line in lines), out)
        self.assertTrue(any(" START RequestId: " in line for line in lines), out)
        self.assertTrue(any(" REPORT RequestId: " in line for line in lines), out)

    @unittest.skipIf(AWS_V2 is None, "`aws logs tail` needs the aws CLI version 2")
    def test_tail_follow_shows_new_lines(self):
        name, group = self.logger()
        self.run_lines(name, ["before following"])
        proc = subprocess.Popen(self.argv(AWS_V2, "logs", "tail", group, "--follow", "--since", "1h", "--format",
                                          "short"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)
        self.addCleanup(self.stop_process, proc)
        lines = []

        def read():
            for line in iter(proc.stdout.readline, ""):
                lines.append(line)

        threading.Thread(target=read, daemon=True).start()
        seen = harness.wait_until(lambda: any("before following" in l for l in lines), timeout=TAIL_WAIT,
                                  interval=0.1)
        self.assertTrue(seen, "tail --follow never printed the first line (exit %s): %s"
                        % (proc.poll(), "".join(lines)))
        marker = "followed %d" % time.time_ns()
        self.run_lines(name, [marker])
        seen = harness.wait_until(lambda: any(marker in l for l in lines), timeout=TAIL_WAIT, interval=0.1)
        self.assertTrue(seen, "tail --follow never printed the new line: %s" % "".join(lines))
        self.assertEqual(sum("before following" in l for l in lines), 1, "no line twice")
        self.assertIsNone(proc.poll(), "still following")

    def stop_process(self, proc):
        if proc.poll() is None:
            proc.kill()  # by its PID: only the process this test started
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


if __name__ == "__main__":
    unittest.main()
