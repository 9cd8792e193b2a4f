"""Configuration of a real sqsemu process: flag errors, SQSEMU_* environment variables and
their precedence, --help, a relative --data-dir, the start-up lines, --log-format json,
--clock-offset and --clock-frozen.

Every server listens on 127.0.0.1; every wait is bounded.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import harness
from lambda_util import PY_RUNTIME, ROLE, lambda_client, zip_bytes, zip_fixture

CALL_TIMEOUT = 60
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def clean_env(**extra):
    """Our environment without any SQSEMU_* setting, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SQSEMU_")}
    env.update(extra)
    return env


def run_bin(*args, env=None):
    return subprocess.run([harness.BIN] + list(args), capture_output=True, text=True, timeout=CALL_TIMEOUT,
                          env=env if env is not None else clean_env())


def wait_log(server, text, timeout=10.0):
    return harness.wait_until(lambda: text in server.log(), timeout=timeout)


def sqs_client(endpoint, key="AKIDEXAMPLE", secret="secret"):
    return boto3.client("sqs", endpoint_url=endpoint, region_name=harness.REGION, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


class FlagErrorTest(unittest.TestCase):
    """A bad value names the flag and what it accepts; the exit status is 2."""

    BAD_VALUES = [
        ("--port", "abc", "an integer from 0 to 65535"),
        ("--port", "65536", "an integer from 0 to 65535"),
        ("--port", "", "an integer from 0 to 65535"),
        ("--host", "", "a non-empty value of at most 255 bytes"),
        ("--data-dir", "", "a non-empty value of at most 4095 bytes"),
        ("--region", "../x", "a region name such as us-east-1"),
        ("--account-id", "123", "12 digits"),
        ("--log-level", "loud", "one of debug, info, warn, error"),
        ("--log-format", "xml", "one of text, json"),
        ("--lambda-idle-timeout", "0", "an integer from 1 to 86400"),
        ("--lambda-concurrency", "1001", "an integer from 1 to 1000"),
        ("--max-connections", "many", "an integer from 1 to 1000000"),
        ("--max-connections-per-ip", "-1", "an integer from 1 to 1000000"),
        ("--max-body-memory", "8", "an integer from 16 to 65536"),
        ("--request-timeout", " 5", "an integer from 1 to 3600"),
        ("--idle-timeout", "5s", "an integer from 1 to 86400"),
        ("--clock-offset", "1.5", "an integer of milliseconds from -315576000000 to 315576000000"),
        ("--clock-offset", "99999999999999999999", "an integer of milliseconds"),
        ("--clock-offset", "315576000001", "an integer of milliseconds"),
    ]

    def test_bad_values(self):
        for flag, value, expected in self.BAD_VALUES:
            with self.subTest(flag=flag, value=value):
                proc = run_bin("--in-memory", flag, value)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn("sqsemu: invalid value '%s' for %s: expected %s" % (value, flag, expected),
                              proc.stderr)

    def test_long_values_are_cut_in_the_message(self):
        proc = run_bin("--in-memory", "--port", "9" * 5000)
        self.assertEqual(proc.returncode, 2)
        self.assertLess(len(proc.stderr), 600)
        self.assertIn("...' for --port", proc.stderr)

    def test_missing_value(self):
        proc = run_bin("--in-memory", "--port")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("sqsemu: --port needs a value: expected an integer from 0 to 65535", proc.stderr)
        self.assertIn("sqsemu --help", proc.stderr)

    def test_unknown_option_points_to_help(self):
        for arg, shown in (("--bogus", "'--bogus'"), ("--bogus=1", "'--bogus=1'"), ("-x", "'-x'")):
            with self.subTest(arg=arg):
                proc = run_bin("--in-memory", arg)
                self.assertEqual(proc.returncode, 2)
                self.assertIn("unknown", proc.stderr)
                self.assertIn(shown, proc.stderr)
                self.assertIn("see sqsemu --help", proc.stderr)
                self.assertEqual(proc.stderr.count("\n"), 1, "one line, not the whole help")

    def test_switch_given_a_value(self):
        proc = run_bin("--in-memory", "--strict=yes")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("sqsemu: --strict takes no value", proc.stderr)

    def test_positional_argument(self):
        proc = run_bin("--in-memory", "serve")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("unexpected argument 'serve'", proc.stderr)

    def test_auth_key_secret_is_never_echoed(self):
        proc = run_bin("--in-memory", "--port", "0", "--auth-key", "onlyonefieldsecretvalue")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--auth-key (key number 1)", proc.stderr)
        self.assertNotIn("onlyonefieldsecretvalue", proc.stderr)


class HelpTest(unittest.TestCase):
    def test_help_tells_what_is_emulated_and_the_environment_rule(self):
        proc = run_bin("--help")
        self.assertEqual(proc.returncode, 0)
        text = " ".join(proc.stdout.split())
        for words in ("Amazon SQS", "AWS Lambda", "event-source mappings", "CloudWatch Logs", "/_sqsemu/",
                      "--log-format", "--clock-offset", "--clock-frozen", "SQSEMU_DATA_DIR",
                      "upper-cased with '-' as '_'", "command line wins", "1, true or yes",
                      "SQSEMU_AUTH_KEY holds one or more comma-separated"):
            self.assertIn(words, text)


class EnvironmentErrorTest(unittest.TestCase):
    """A bad SQSEMU_* value gets the flag's message, naming the variable."""

    def test_bad_values_name_the_variable(self):
        cases = [
            ({"SQSEMU_PORT": "abc"}, "invalid value 'abc' for SQSEMU_PORT: expected an integer from 0 to 65535"),
            ({"SQSEMU_LOG_LEVEL": "loud"}, "invalid value 'loud' for SQSEMU_LOG_LEVEL: expected one of debug"),
            ({"SQSEMU_IN_MEMORY": "maybe"},
             "invalid value 'maybe' for SQSEMU_IN_MEMORY: expected 1, true, yes, 0, false or no"),
            ({"SQSEMU_CLOCK_OFFSET": "soon"}, "invalid value 'soon' for SQSEMU_CLOCK_OFFSET: expected an integer"),
            ({"SQSEMU_AUTH_KEY": "k1:s1,,k2:s2"}, "invalid value for SQSEMU_AUTH_KEY: expected KEY:SECRET[:ACCOUNT]"),
        ]
        for env, message in cases:
            with self.subTest(env=env):
                settings = {"SQSEMU_IN_MEMORY": "1", "SQSEMU_PORT": "0"}  # were the bad one fine
                settings.update(env)
                proc = run_bin(env=clean_env(**settings))
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn("sqsemu: " + message, proc.stderr)

    def test_bad_auth_key_names_the_variable_and_hides_the_secret(self):
        proc = run_bin("--in-memory", "--port", "0",
                       env=clean_env(SQSEMU_AUTH_KEY="good:secretvalue1,badsecretvalue2"))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("SQSEMU_AUTH_KEY (key number 2)", proc.stderr)
        self.assertNotIn("secretvalue", proc.stderr)

    def test_empty_variable_counts_as_unset(self):
        proc = run_bin("--version", env=clean_env(SQSEMU_PORT="", SQSEMU_IN_MEMORY=""))
        self.assertEqual(proc.returncode, 0, proc.stderr)


class EnvironmentTest(unittest.TestCase):
    def server(self, env, **kwargs):
        server = harness.Server(env=clean_env(**env), **kwargs)
        self.addCleanup(server.cleanup)
        return server.start()

    def test_variables_alone_configure_the_server(self):
        port = harness.free_port()
        data = tempfile.mkdtemp(prefix="sqsemu-env-data-")
        self.addCleanup(shutil.rmtree, data, True)
        fd, log_path = tempfile.mkstemp(prefix="sqsemu-env-log-")
        self.addCleanup(os.unlink, log_path)
        env = clean_env(SQSEMU_HOST="127.0.0.1", SQSEMU_PORT=str(port), SQSEMU_DATA_DIR=data,
                        SQSEMU_ACCOUNT_ID="111122223333", SQSEMU_LOG_LEVEL="info", SQSEMU_STRICT="yes")
        with os.fdopen(fd, "w") as log:
            proc = subprocess.Popen([harness.BIN], stdout=log, stderr=subprocess.STDOUT, env=env)
        self.addCleanup(self._stop, proc)

        def log_text():
            with open(log_path) as f:
                return f.read()

        self.assertTrue(harness.wait_until(lambda: "Ready." in log_text() or proc.poll() is not None, 10.0))
        self.assertIsNone(proc.poll(), log_text())
        self.assertIn("listening on http://127.0.0.1:%d" % port, log_text())
        self.assertIn("data in %s/sqsemu.db" % os.path.realpath(data), log_text())
        sqs = sqs_client("http://127.0.0.1:%d" % port)
        url = sqs.create_queue(QueueName="env-queue")["QueueUrl"]
        self.assertIn("/111122223333/env-queue", url)
        sqs.purge_queue(QueueUrl=url)
        with self.assertRaises(ClientError) as ctx:  # SQSEMU_STRICT=yes: one purge per 60 s
            sqs.purge_queue(QueueUrl=url)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "AWS.SimpleQueueService.PurgeQueueInProgress")

    @staticmethod
    def _stop(proc):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def test_flags_win_over_variables(self):
        # harness passes --port, --host and --data-dir: the variables must lose to them
        server = self.server({"SQSEMU_PORT": str(harness.free_port()), "SQSEMU_ACCOUNT_ID": "111111111111",
                              "SQSEMU_LOG_LEVEL": "debug"},
                             extra_args=["--account-id", "222222222222"])
        url = server.client().create_queue(QueueName="flag-wins")["QueueUrl"]
        self.assertIn("/222222222222/", url)
        self.assertNotIn(" debug ", server.log(), "--log-level warn from the command line wins")

    def test_a_given_flag_makes_its_variable_ignored(self):
        server = self.server({"SQSEMU_PORT": "abc", "SQSEMU_AUTH_KEY": "no-colon"}, extra_args=["--auth-key", "k:s"])
        sqs_client(server.endpoint, "k", "s").list_queues()

    def test_switch_variable_false(self):
        server = self.server({"SQSEMU_STRICT": "false"})
        sqs = server.client()
        url = sqs.create_queue(QueueName="not-strict")["QueueUrl"]
        sqs.purge_queue(QueueUrl=url)
        sqs.purge_queue(QueueUrl=url)

    def test_auth_key_variable_holds_several_keys_and_a_flag_replaces_them(self):
        server = self.server({"SQSEMU_AUTH_KEY": "envkey1:envsecret1,envkey2:envsecret2:444455556666"})
        self.assertTrue(sqs_client(server.endpoint, "envkey1", "envsecret1").list_queues() is not None)
        url = sqs_client(server.endpoint, "envkey2", "envsecret2").create_queue(QueueName="acct")["QueueUrl"]
        self.assertIn("/444455556666/", url)
        with self.assertRaises(ClientError):
            sqs_client(server.endpoint, "envkey1", "wrong").list_queues()
        server.stop()
        flagged = self.server({"SQSEMU_AUTH_KEY": "envkey1:envsecret1"}, extra_args=["--auth-key", "flagkey:flagsecret"])
        sqs_client(flagged.endpoint, "flagkey", "flagsecret").list_queues()
        with self.assertRaises(ClientError) as ctx:
            sqs_client(flagged.endpoint, "envkey1", "envsecret1").list_queues()
        self.assertEqual(ctx.exception.response["Error"]["Code"], "InvalidClientTokenId")

    def test_repeated_flag_last_wins(self):
        server = self.server({}, extra_args=["--log-level", "info"])  # after the harness's --log-level warn
        self.assertTrue(wait_log(server, "Ready."), server.log())


class StartupLinesTest(unittest.TestCase):
    def test_restored_counts_then_ready(self):
        server = harness.Server(extra_args=["--log-level", "info"])
        self.addCleanup(server.cleanup)
        server.start()
        self.assertTrue(wait_log(server, "Ready."), server.log())
        self.assertIn("restored 0 queues, 0 functions, 0 enabled event-source mappings (of 0)", server.log())
        sqs, lam = server.client(), lambda_client(server)
        urls = [sqs.create_queue(QueueName=n)["QueueUrl"] for n in ("one", "two", "three")]
        lam.create_function(FunctionName="counted", Runtime=PY_RUNTIME, Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": zip_fixture("py_version")})
        for name, enabled in (("one", True), ("two", False)):
            lam.create_event_source_mapping(FunctionName="counted", Enabled=enabled,
                                            EventSourceArn="arn:aws:sqs:%s:%s:%s" % (harness.REGION, harness.ACCOUNT,
                                                                                     name))
        self.assertEqual(len(urls), 3)
        server.stop()
        server.start()
        self.assertTrue(wait_log(server, "Ready."), server.log())
        log = server.log()
        self.assertIn("restored 3 queues, 1 function, 1 enabled event-source mapping (of 2)", log)
        lines = log.splitlines()
        ready = [i for i, l in enumerate(lines) if l.endswith(" Ready.")]
        restored = [i for i, l in enumerate(lines) if "restored 3 queues" in l]
        self.assertEqual(len(ready), 1, log)
        self.assertLess(restored[0], ready[0])
        self.assertRegex(lines[ready[0]], r"^\S+Z info  Ready\.$")


class RelativeDataDirTest(unittest.TestCase):
    def test_relative_data_dir_is_taken_from_the_starting_directory(self):
        cwd = tempfile.mkdtemp(prefix="sqsemu-cwd-")
        self.addCleanup(shutil.rmtree, cwd, True)
        server = harness.Server(data_dir="rel", cwd=cwd, extra_args=["--log-level", "info"])
        self.addCleanup(server.cleanup)
        server.start()
        self.assertTrue(wait_log(server, "Ready."), server.log())
        self.assertIn("data in %s/rel/sqsemu.db" % os.path.realpath(cwd), server.log())
        sqs, lam = server.client(), lambda_client(server)
        url = sqs.create_queue(QueueName="kept")["QueueUrl"]
        lam.create_function(FunctionName="kept-fn", Runtime=PY_RUNTIME, Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": zip_fixture("py_version")})
        server.stop()
        self.assertTrue(os.path.isfile(os.path.join(cwd, "rel", "sqsemu.db")))
        server.start()
        sqs, lam = server.client(), lambda_client(server)
        self.assertIn(url, sqs.list_queues().get("QueueUrls", []))
        resp = lam.invoke(FunctionName="kept-fn", Payload=b"{}")
        doc = json.loads(resp["Payload"].read())
        self.assertNotIn("FunctionError", resp, "%r\n%s" % (doc, server.log()))
        self.assertEqual(doc["version"], "v1")
        self.assertTrue(doc["task_root"].startswith(os.path.realpath(cwd) + "/rel/"), doc["task_root"])


# Prints bytes that are not UTF-8, control characters, quotes and backslashes.
NASTY_APP = r'''import sys


def handler(event, context):
    sys.stdout.buffer.write(b"bad \xff\xfe bytes \xc3 cut \xe2\x82 \x01\x1b[31m \"q\" \\ tab\t end\n")
    sys.stdout.buffer.write("ok \u00e9\u20ac\U0001F600\n".encode("utf-8"))
    sys.stdout.flush()
    return {"ok": True}
'''


class JsonLogTest(unittest.TestCase):
    def test_every_line_is_a_json_object(self):
        server = harness.Server(extra_args=["--log-format", "json", "--log-level", "info"])
        self.addCleanup(server.cleanup)
        server.start()
        lam = lambda_client(server)
        lam.create_function(FunctionName="nasty", Runtime=PY_RUNTIME, Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": zip_bytes({"app.py": NASTY_APP})})
        resp = lam.invoke(FunctionName="nasty", Payload=b"{}")
        self.assertNotIn("FunctionError", resp, server.log())
        self.assertTrue(wait_log(server, "REPORT RequestId"), server.log())
        self.assertEqual(server.stop(), 0)
        with open(server.log_path, "rb") as f:
            raw = f.read()
        docs = []
        for line in raw.split(b"\n")[:-1]:
            doc = json.loads(line.decode("utf-8"))  # strict: valid UTF-8 and valid JSON
            self.assertEqual(set(doc) >= {"time", "level", "msg"}, True, doc)
            self.assertRegex(doc["time"], TIME_RE)
            self.assertIn(doc["level"], ("debug", "info", "warn", "error"))
            docs.append(doc)
        msgs = [d["msg"] for d in docs]
        self.assertIn("Ready.", msgs)
        bad = [m for m in msgs if "bad " in m and "bytes" in m]
        self.assertEqual(len(bad), 1, msgs)
        self.assertIn("bad \ufffd\ufffd bytes \ufffd cut \ufffd\ufffd \x01\x1b[31m \"q\" \\ tab\t end", bad[0])
        self.assertTrue(any("ok \u00e9\u20ac\U0001F600" in m for m in msgs), msgs)
        self.assertEqual(msgs[-1], "stopped")


class ClockFlagsTest(unittest.TestCase):
    def sent_timestamp(self, sqs, url, body):
        sqs.send_message(QueueUrl=url, MessageBody=body)
        msgs = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"], MaxNumberOfMessages=1,
                                   WaitTimeSeconds=5).get("Messages", [])
        self.assertEqual(len(msgs), 1)
        sqs.delete_message(QueueUrl=url, ReceiptHandle=msgs[0]["ReceiptHandle"])
        return int(msgs[0]["Attributes"]["SentTimestamp"])

    def test_clock_offset(self):
        server = harness.Server(in_memory=True, extra_args=["--clock-offset", "3600000"])
        self.addCleanup(server.cleanup)
        sqs = server.start().client()
        url = sqs.create_queue(QueueName="ahead")["QueueUrl"]
        sent = self.sent_timestamp(sqs, url, "x")
        self.assertAlmostEqual(sent, time.time() * 1000 + 3600000, delta=60000)

    def test_negative_clock_offset(self):
        server = harness.Server(in_memory=True, extra_args=["--clock-offset=-86400000"])
        self.addCleanup(server.cleanup)
        sqs = server.start().client()
        url = sqs.create_queue(QueueName="behind")["QueueUrl"]
        self.assertAlmostEqual(self.sent_timestamp(sqs, url, "x"), time.time() * 1000 - 86400000, delta=60000)

    def test_clock_frozen(self):
        server = harness.Server(in_memory=True, extra_args=["--clock-frozen"])
        self.addCleanup(server.cleanup)
        sqs = server.start().client()
        url = sqs.create_queue(QueueName="frozen")["QueueUrl"]
        first = self.sent_timestamp(sqs, url, "a")
        t0 = time.monotonic()
        self.assertTrue(harness.wait_until(lambda: time.monotonic() - t0 >= 1.1, timeout=5.0))
        second = self.sent_timestamp(sqs, url, "b")
        self.assertEqual(first, second)
        self.assertAlmostEqual(first, time.time() * 1000, delta=60000)


if __name__ == "__main__":
    unittest.main()
