"""Reserved concurrency, GetAccountSettings and the 2025 event-source-mapping settings
(ProvisionedPollerConfig, MetricsConfig), against a real server with boto3 and the aws CLI.

Handlers that must stay busy wait for a gate file the test creates (fixtures/handlers/
py_gate, bounded in the handler too); every wait is bounded and watches server-side or
handler-written state, never a bare sleep."""
import glob
import json
import os
import threading
import unittest

from botocore.exceptions import ClientError

import admin_util
import harness
from lambda_util import (AWS_CLI, LambdaTestCase, cli_env, error_of, function_arn, read_records, run_cli,
                         wait_records, zip_fixture)

RESERVED_MIN_MESSAGE = ("Specified ReservedConcurrentExecutions for function decreases account's "
                        "UnreservedConcurrentExecution below its minimum value of [100].")


def started(out_dir):
    return glob.glob(os.path.join(out_dir, "*.start"))


class ConcurrencyTestCase(LambdaTestCase):
    def gate_function(self, out_dir, gate=None, lock=None, hold=None, **extra):
        env = {"OUT_DIR": out_dir}
        if gate:
            env["GATE_FILE"] = gate
        if lock:
            env["LOCK_FILE"] = lock
        if hold:
            env["HOLD_SECONDS"] = hold
        name = self.unique("gate")
        self.create_function(name=name, zip_file=zip_fixture("py_gate"), env=env, Timeout=30, **extra)
        return name

    def release(self, gate):
        with open(gate, "w") as f:
            f.write("go")

    def raw_invoke(self, name, invocation_type=None):
        headers = {"X-Amz-Invocation-Type": invocation_type} if invocation_type else {}
        return self.raw_json("POST", "/2015-03-31/functions/%s/invocations" % name, b"{}", headers)

    def throttles(self, name):
        _, samples = admin_util.metrics(self.server)
        return admin_util.metric(samples, "sqsemu_function_throttles_total", function=name) or 0


class ReservedConcurrencyApiTests(ConcurrencyTestCase):
    def test_put_get_delete_round_trip(self):
        name = self.create_function()["FunctionName"]
        self.assertEqual(self.lam.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions"),
                         None)
        self.assertNotIn("Concurrency", self.lam.get_function(FunctionName=name))
        resp = self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=7)
        self.assertEqual(resp["ReservedConcurrentExecutions"], 7)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(self.lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"], 7)
        self.assertEqual(self.lam.get_function(FunctionName=function_arn(name))["Concurrency"],
                         {"ReservedConcurrentExecutions": 7})
        self.assertNotIn("ReservedConcurrentExecutions", self.lam.get_function_configuration(FunctionName=name))
        self.lam.put_function_concurrency(FunctionName=function_arn(name), ReservedConcurrentExecutions=0)
        self.assertEqual(self.lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"], 0)
        resp = self.lam.delete_function_concurrency(FunctionName=name)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertNotIn("ReservedConcurrentExecutions", self.lam.get_function_concurrency(FunctionName=name))
        self.assertNotIn("Concurrency", self.lam.get_function(FunctionName=name))
        self.lam.delete_function_concurrency(FunctionName=name)  # none: still 204

    def test_errors_change_nothing(self):
        name = self.create_function()["FunctionName"]
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
        missing = self.unique("missing")
        for call in (lambda: self.lam.put_function_concurrency(FunctionName=missing, ReservedConcurrentExecutions=1),
                     lambda: self.lam.get_function_concurrency(FunctionName=missing),
                     lambda: self.lam.delete_function_concurrency(FunctionName=missing)):
            self.assertLambdaError(call, "ResourceNotFoundException", 404, message_contains=missing)
        self.assertLambdaError(lambda: self.lam.put_function_concurrency(FunctionName=name + ":1",
                                                                        ReservedConcurrentExecutions=1),
                               "InvalidParameterValueException", 400, message_contains="unqualified")
        self.assertLambdaError(lambda: self.lam.get_function_concurrency(FunctionName=name + ":$LATEST"),
                               "InvalidParameterValueException", 400)
        self.assertLambdaError(lambda: self.lam.put_function_concurrency(FunctionName=name,
                                                                        ReservedConcurrentExecutions=901),
                               "InvalidParameterValueException", 400, message=RESERVED_MIN_MESSAGE)
        path = "/2017-10-31/functions/%s/concurrency" % name
        status, hdrs, doc = self.raw_json("PUT", path, {"ReservedConcurrentExecutions": -1})
        self.assertEqual((status, hdrs.get("x-amzn-errortype")), (400, "ValidationException"), doc)
        self.assertIn("greater than or equal to 0", doc["message"])
        status, hdrs, doc = self.raw_json("PUT", path, {})
        self.assertEqual((status, hdrs.get("x-amzn-errortype")), (400, "ValidationException"), doc)
        status, hdrs, doc = self.raw_json("PUT", path, {"ReservedConcurrentExecutions": "two"})
        self.assertEqual((status, hdrs.get("x-amzn-errortype")), (400, "InvalidRequestContentException"), doc)
        status, _, _ = self.raw_json("GET", "/2017-10-31/functions/%s/concurrency" % name)
        self.assertEqual(status, 404)  # GetFunctionConcurrency lives under 2019-09-30 only
        self.assertEqual(self.lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"], 3)

    def test_unreserved_minimum_counts_every_function(self):
        first = self.create_function()["FunctionName"]
        second = self.create_function()["FunctionName"]
        before = self.lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
        room = before - 100
        self.lam.put_function_concurrency(FunctionName=first, ReservedConcurrentExecutions=room - 10)
        self.assertLambdaError(lambda: self.lam.put_function_concurrency(FunctionName=second,
                                                                        ReservedConcurrentExecutions=11),
                               "InvalidParameterValueException", 400, message=RESERVED_MIN_MESSAGE)
        self.lam.put_function_concurrency(FunctionName=second, ReservedConcurrentExecutions=10)
        limit = self.lam.get_account_settings()["AccountLimit"]
        self.assertEqual(limit["UnreservedConcurrentExecutions"], 100)
        # lowering or re-putting an existing reservation stays allowed at the minimum
        self.lam.put_function_concurrency(FunctionName=first, ReservedConcurrentExecutions=room - 10)
        self.lam.delete_function_concurrency(FunctionName=first)
        self.lam.delete_function_concurrency(FunctionName=second)
        self.assertEqual(self.lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"], before)

    def test_account_settings(self):
        name = self.create_function()["FunctionName"]
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=25)
        settings = self.lam.get_account_settings()
        functions = self.lam.list_functions(MaxItems=50)["Functions"]
        reserved = 0
        for f in functions:
            reserved += self.lam.get_function_concurrency(FunctionName=f["FunctionName"]).get(
                "ReservedConcurrentExecutions", 0)
        self.assertEqual(settings["AccountLimit"], {
            "TotalCodeSize": 80530636800, "CodeSizeUnzipped": 262144000, "CodeSizeZipped": 52428800,
            "ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 1000 - reserved})
        self.assertEqual(settings["AccountUsage"], {
            "TotalCodeSize": sum(f["CodeSize"] for f in functions), "FunctionCount": len(functions)})
        status, _, doc = self.raw_json("GET", "/2016-08-19/account-settings/")
        self.assertEqual(status, 200)
        self.assertEqual(doc["AccountUsage"]["FunctionCount"], len(functions))
        self.lam.delete_function(FunctionName=name)
        after = self.lam.get_account_settings()
        self.assertEqual(after["AccountUsage"]["FunctionCount"], len(functions) - 1)
        self.assertEqual(after["AccountLimit"]["UnreservedConcurrentExecutions"], 1000 - reserved + 25)

    @unittest.skipUnless(AWS_CLI, "no aws CLI")
    def test_aws_cli(self):
        name = self.create_function()["FunctionName"]
        env = cli_env(self.tmpdir("sqsemu-cli-home-"))
        out, _ = run_cli(self.server, env, "lambda", "put-function-concurrency", "--function-name", name,
                         "--reserved-concurrent-executions", "4")
        self.assertEqual(out, {"ReservedConcurrentExecutions": 4})
        out, _ = run_cli(self.server, env, "lambda", "get-function-concurrency", "--function-name", name)
        self.assertEqual(out, {"ReservedConcurrentExecutions": 4})
        out, _ = run_cli(self.server, env, "lambda", "get-account-settings")
        self.assertEqual(out["AccountLimit"]["ConcurrentExecutions"], 1000)
        run_cli(self.server, env, "lambda", "delete-function-concurrency", "--function-name", name)
        out, _ = run_cli(self.server, env, "lambda", "get-function-concurrency", "--function-name", name)
        self.assertEqual(out, {})


class ReservedConcurrencyPersistenceTests(ConcurrencyTestCase):
    def test_survives_restart(self):
        name = self.create_function(cleanup=False)["FunctionName"]
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
        self.server.stop()
        self.server.restart()
        self.assertEqual(self.lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"], 2)
        self.assertEqual(self.lam.get_function(FunctionName=name)["Concurrency"], {"ReservedConcurrentExecutions": 2})
        self.lam.delete_function_concurrency(FunctionName=name)
        self.server.kill9()
        self.server.restart()
        self.assertNotIn("ReservedConcurrentExecutions", self.lam.get_function_concurrency(FunctionName=name))
        self.lam.delete_function(FunctionName=name)


class InvokeThrottleTests(ConcurrencyTestCase):
    def test_sync_invoke_beyond_limit_is_429(self):
        out = self.out_dir()
        gate = os.path.join(self.tmpdir(), "gate")
        name = self.gate_function(out, gate=gate)
        self.addCleanup(self.release, gate)
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
        first = {}
        worker = threading.Thread(target=lambda: first.update(r=self.invoke(name, {"n": 1})))
        worker.start()
        try:
            self.assertTrue(harness.wait_until(lambda: started(out), timeout=15), "the first invocation never began")
            status, hdrs, doc = self.raw_invoke(name)
            self.assertEqual(status, 429, doc)
            self.assertEqual(hdrs.get("x-amzn-errortype"), "TooManyRequestsException")
            self.assertEqual(doc, {"Type": "User", "message": "Rate Exceeded.",
                                   "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"})
            try:
                self.lam.invoke(FunctionName=name, Payload=b"{}")
                self.fail("the second invocation was not throttled")
            except ClientError as exc:
                self.assertEqual(error_of(exc)[0::2], ("TooManyRequestsException", 429))
                self.assertEqual(exc.response.get("Reason"),
                                 "ReservedFunctionConcurrentInvocationLimitExceeded")
            status, _, _ = self.raw_invoke(name, "DryRun")
            self.assertEqual(status, 204)
        finally:
            self.release(gate)
            worker.join(timeout=30)
        resp, _, parsed = first["r"]
        self.assertEqual((resp["StatusCode"], parsed), (200, {"ok": True}))
        self.assertGreaterEqual(self.throttles(name), 2)
        self.assertEqual(self.invoke(name, {"n": 3})[2], {"ok": True})  # the slot is free again

    def test_reserved_zero_throttles_everything(self):
        out = self.out_dir()
        name = self.gate_function(out)
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
        for _ in range(3):
            status, _, doc = self.raw_invoke(name)
            self.assertEqual((status, doc.get("Reason")), (429, "ReservedFunctionConcurrentInvocationLimitExceeded"))
        self.assertEqual(self.throttles(name), 3)
        self.assertEqual(started(out), [])
        self.lam.delete_function_concurrency(FunctionName=name)
        self.assertEqual(self.invoke(name, {})[2], {"ok": True})

    def test_async_invoke_waits_until_the_limit_is_lifted(self):
        out = self.out_dir()
        name = self.gate_function(out)
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
        resp = self.lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"async": 1}))
        self.assertEqual(resp["StatusCode"], 202)
        self.assertTrue(harness.wait_until(lambda: self.throttles(name) >= 1, timeout=10), "never throttled")
        self.assertEqual(started(out), [])
        self.assertEqual(admin_util.invocations(self.server, function=name), [])
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
        docs = wait_records(out, 1, timeout=15)
        self.assertEqual([d["event"] for d in docs], [{"async": 1}])


class MappingConcurrencyTests(ConcurrencyTestCase):
    def send(self, url, count):
        for start in range(0, count, 10):
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": "m%d" % i} for i in range(start, min(count, start + 10))])

    def bodies(self, out):
        return sorted(r["body"] for d in read_records(out) for r in d["event"].get("Records", []))

    def test_reserved_one_caps_a_mapping_of_five(self):
        out = self.out_dir()
        lock = os.path.join(self.tmpdir(), "lock")
        name = self.gate_function(out, lock=lock, hold="0.05")
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
        url, arn = self.queue(attributes={"VisibilityTimeout": 60})
        self.create_mapping(name, arn, BatchSize=1, ScalingConfig={"MaximumConcurrency": 5})
        self.send(url, 20)
        expected = sorted("m%d" % i for i in range(20))
        self.assertTrue(harness.wait_until(lambda: self.bodies(out) == expected, timeout=40),
                        "processed %r" % self.bodies(out))
        docs = read_records(out)
        self.assertEqual(len(docs), 20)
        self.assertFalse([d for d in docs if d["overlap"]], "two handlers ran at once")
        spans = sorted((d["start"], d["end"]) for d in docs)
        for (_, end), (start, _) in zip(spans, spans[1:]):
            self.assertLessEqual(end, start + 0.01)
        self.assertEqual(self.throttles(name), 0)  # the poller held back instead of being throttled

    def test_mapping_waits_while_reserved_zero(self):
        out = self.out_dir()
        name = self.gate_function(out)
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
        url, arn = self.queue(attributes={"VisibilityTimeout": 60})
        self.create_mapping(name, arn, BatchSize=5)
        self.send(url, 3)
        self.assertTrue(harness.wait_until(
            lambda: self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
            ["Attributes"]["ApproximateNumberOfMessages"] == "3", timeout=5))
        self.assertEqual(started(out), [])  # nothing was received or invoked
        self.lam.delete_function_concurrency(FunctionName=name)
        self.assertTrue(harness.wait_until(lambda: self.bodies(out) == ["m0", "m1", "m2"], timeout=15))

    def test_sync_invoke_is_throttled_while_a_batch_holds_the_slot(self):
        out = self.out_dir()
        gate = os.path.join(self.tmpdir(), "gate")
        name = self.gate_function(out, gate=gate)
        self.addCleanup(self.release, gate)
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
        url, arn = self.queue(attributes={"VisibilityTimeout": 60})
        self.create_mapping(name, arn, BatchSize=1)
        self.send(url, 2)
        self.assertTrue(harness.wait_until(lambda: started(out), timeout=15))
        status, _, doc = self.raw_invoke(name)
        self.assertEqual((status, doc.get("Reason")), (429, "ReservedFunctionConcurrentInvocationLimitExceeded"))
        self.assertEqual(len(started(out)), 1)
        self.release(gate)
        self.assertTrue(harness.wait_until(lambda: self.bodies(out) == ["m0", "m1"], timeout=15))


class MappingSettingsTests(ConcurrencyTestCase):
    def test_provisioned_poller_config_validation(self):
        name = self.create_function()["FunctionName"]
        _, arn = self.queue()
        bad = [
            ({"MinimumPollers": 1}, "InvalidParameterValueException"),
            ({"MaximumPollers": 1}, "InvalidParameterValueException"),
            ({"MinimumPollers": 201}, "ValidationException"),
            ({"MaximumPollers": 10001}, "ValidationException"),
            ({"MinimumPollers": 50, "MaximumPollers": 10}, "InvalidParameterValueException"),
            ({"MinimumPollers": 2, "PollerGroupName": "g"}, "InvalidParameterValueException"),
        ]
        for config, code in bad:
            self.assertLambdaError(lambda: self.lam.create_event_source_mapping(
                FunctionName=name, EventSourceArn=arn, ProvisionedPollerConfig=config), code, 400)
        # below the model's minimum: botocore refuses it client-side, so it goes raw
        status, hdrs, doc = self.raw_json("POST", "/2015-03-31/event-source-mappings/", {
            "FunctionName": name, "EventSourceArn": arn, "ProvisionedPollerConfig": {"MinimumPollers": 0}})
        self.assertEqual((status, hdrs.get("x-amzn-errortype")), (400, "ValidationException"), doc)
        self.assertIn("provisionedPollerConfig.minimumPollers", doc["message"])
        self.assertLambdaError(lambda: self.lam.create_event_source_mapping(
            FunctionName=name, EventSourceArn=arn, ProvisionedPollerConfig={"MinimumPollers": 2},
            ScalingConfig={"MaximumConcurrency": 5}), "InvalidParameterValueException", 400,
            message_contains="mutually exclusive")
        self.assertEqual([m for m in self.lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]],
                         [])
        m = self.create_mapping(name, arn, ScalingConfig={"MaximumConcurrency": 5})
        self.assertLambdaError(lambda: self.lam.update_event_source_mapping(
            UUID=m["UUID"], ProvisionedPollerConfig={"MinimumPollers": 3, "MaximumPollers": 4}),
            "InvalidParameterValueException", 400, message_contains="mutually exclusive")
        self.assertNotIn("ProvisionedPollerConfig", self.lam.get_event_source_mapping(UUID=m["UUID"]))
        resp = self.lam.update_event_source_mapping(UUID=m["UUID"], ScalingConfig={},
                                                    ProvisionedPollerConfig={"MinimumPollers": 3, "MaximumPollers": 4})
        self.assertEqual(resp["ProvisionedPollerConfig"], {"MinimumPollers": 3, "MaximumPollers": 4})
        got = self.lam.get_event_source_mapping(UUID=m["UUID"])
        self.assertEqual(got["ProvisionedPollerConfig"], {"MinimumPollers": 3, "MaximumPollers": 4})
        self.assertNotIn("ScalingConfig", got)
        listed = self.lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]
        self.assertEqual(listed[0]["ProvisionedPollerConfig"], {"MinimumPollers": 3, "MaximumPollers": 4})
        self.assertLambdaError(lambda: self.lam.update_event_source_mapping(
            UUID=m["UUID"], ProvisionedPollerConfig={"MinimumPollers": 5, "MaximumPollers": 4}),
            "InvalidParameterValueException", 400)
        # the object is replaced as a whole (MaximumPollers falls back to its default, 200)
        resp = self.lam.update_event_source_mapping(UUID=m["UUID"], ProvisionedPollerConfig={"MinimumPollers": 5})
        self.assertEqual(resp["ProvisionedPollerConfig"], {"MinimumPollers": 5})
        resp = self.lam.update_event_source_mapping(UUID=m["UUID"], ProvisionedPollerConfig={"MaximumPollers": 5000})
        self.assertEqual(resp["ProvisionedPollerConfig"], {"MaximumPollers": 5000})  # SQS accepts up to 10000
        self.lam.update_event_source_mapping(UUID=m["UUID"], ProvisionedPollerConfig={})
        self.assertNotIn("ProvisionedPollerConfig", self.lam.get_event_source_mapping(UUID=m["UUID"]))

    def test_provisioned_mode_processes_messages(self):
        out = self.out_dir()
        name = self.gate_function(out)
        url, arn = self.queue(attributes={"VisibilityTimeout": 60})
        m = self.create_mapping(name, arn, BatchSize=1,
                                ProvisionedPollerConfig={"MinimumPollers": 2, "MaximumPollers": 2})
        self.assertEqual(m["ProvisionedPollerConfig"], {"MinimumPollers": 2, "MaximumPollers": 2})
        for i in range(25):
            self.sqs.send_message(QueueUrl=url, MessageBody="p%d" % i)
        expected = sorted("p%d" % i for i in range(25))
        self.assertTrue(harness.wait_until(
            lambda: sorted(r["body"] for d in read_records(out) for r in d["event"]["Records"]) == expected,
            timeout=40))

    def test_provisioned_mode_caps_batches_at_pollers_times_ten(self):
        out = self.out_dir()
        gate = os.path.join(self.tmpdir(), "gate")
        name = self.gate_function(out, gate=gate)
        self.addCleanup(self.release, gate)
        url, arn = self.queue(attributes={"VisibilityTimeout": 60})
        self.create_mapping(name, arn, BatchSize=1, ProvisionedPollerConfig={"MinimumPollers": 2, "MaximumPollers": 2})
        for start in range(0, 30, 10):
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": "c%d" % i} for i in range(start, start + 10)])
        self.assertTrue(harness.wait_until(lambda: len(started(out)) >= 20, timeout=40), len(started(out)))
        attrs = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        self.assertTrue(harness.wait_until(lambda: self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=attrs)["Attributes"] == {attrs[0]: "10", attrs[1]: "20"}, timeout=5))
        self.assertEqual(len(started(out)), 20)
        self.release(gate)
        self.assertTrue(harness.wait_until(lambda: len(read_records(out)) == 30, timeout=40))

    def test_metrics_config(self):
        out = self.out_dir()
        name = self.gate_function(out)
        url, arn = self.queue(attributes={"VisibilityTimeout": 60})
        for metrics, code in (([], None), (["Bogus"], "ValidationException"),
                              (["ErrorCount"], "InvalidParameterValueException"),
                              (["KafkaMetrics"], "InvalidParameterValueException")):
            if code:
                self.assertLambdaError(lambda: self.lam.create_event_source_mapping(
                    FunctionName=name, EventSourceArn=arn, MetricsConfig={"Metrics": metrics}), code, 400)
        status, hdrs, doc = self.raw_json("POST", "/2015-03-31/event-source-mappings/", {
            "FunctionName": name, "EventSourceArn": arn, "MetricsConfig": {"Metrics": "EventCount"}})
        self.assertEqual((status, hdrs.get("x-amzn-errortype")), (400, "ValidationException"), doc)
        m = self.create_mapping(name, arn, BatchSize=10, MetricsConfig={"Metrics": ["EventCount"]},
                                FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": [{"prefix": "keep"}]})}]})
        self.assertEqual(m["MetricsConfig"], {"Metrics": ["EventCount"]})
        self.assertEqual(self.lam.get_event_source_mapping(UUID=m["UUID"])["MetricsConfig"],
                         {"Metrics": ["EventCount"]})
        self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "keep-1"}, {"Id": "b", "MessageBody": "drop-1"},
            {"Id": "c", "MessageBody": "keep-2"}])

        def counts():
            _, samples = admin_util.metrics(self.server)
            return {k: admin_util.metric(samples, "sqsemu_mapping_%s_events_total" % k, uuid=m["UUID"])
                    for k in ("polled", "filtered_out", "invoked", "failed_invoke", "deleted")}

        want = {"polled": 3, "filtered_out": 1, "invoked": 2, "failed_invoke": 0, "deleted": 2}
        self.assertTrue(harness.wait_until(lambda: counts() == want, timeout=15), counts())
        self.assertLambdaError(lambda: self.lam.update_event_source_mapping(
            UUID=m["UUID"], MetricsConfig={"Metrics": ["EventCount", "Nope"]}), "ValidationException", 400)
        self.lam.update_event_source_mapping(UUID=m["UUID"], MetricsConfig={})
        self.assertNotIn("MetricsConfig", self.lam.get_event_source_mapping(UUID=m["UUID"]))


if __name__ == "__main__":
    unittest.main()
