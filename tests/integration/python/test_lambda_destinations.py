"""Asynchronous-invocation configuration and destinations (docs/lambda-destinations.md):
Put/Update/Get/Delete/ListFunctionEventInvokeConfigs and their errors, and what an Event
invocation does with them: MaximumRetryAttempts (retries one and two minutes later in the
test clock, which the tests advance), MaximumEventAgeInSeconds, AWS's invocation record
sent to an SQS queue or a Lambda function on success or failure, the DeadLetterConfig
queue when there is no OnFailure destination, and configurations kept across a restart.

Handlers are the python recorder fixture: each attempt writes one file into OUT_DIR, so
the tests count attempts. The server's invocation history (GET /_sqsemu/invocations) says
when an attempt has ended and its retry is scheduled; every wait is bounded."""
import datetime
import json
import re
import unittest

from admin_util import advance, clock, invocations, reset
from botocore.exceptions import ClientError
from harness import wait_until
from lambda_util import (ACCOUNT, AWS_CLI, REGION, LambdaTestCase, cli_env, function_arn, read_records, run_cli,
                         wait_records)

ISO_MS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
FAIL_MESSAGE = "failing on purpose (FAIL=always)"


def config_path(name, suffix=""):
    return "/2019-09-25/functions/%s/event-invoke-config%s" % (name, suffix)


class EventInvokeConfigTestCase(LambdaTestCase):
    def recorder(self, fail=False, **extra):
        """A recorder function; returns (name, its OUT_DIR)."""
        out = self.out_dir()
        env = {"OUT_DIR": out}
        if fail:
            env["FAIL"] = "always"
        return self.create_function(env=env, **extra)["FunctionName"], out

    def receive_one(self, url, timeout=10):
        """The one message the queue receives within timeout (fails otherwise)."""
        got = []
        wait_until(lambda: got.extend(self.sqs.receive_message(
            QueueUrl=url, MessageAttributeNames=["All"], WaitTimeSeconds=1).get("Messages", [])) or got,
            timeout=timeout)
        self.assertEqual(len(got), 1, "one message in %s: %r" % (url, got))
        return got[0]

    def assertQueueEmpty(self, url):
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
        self.assertEqual(resp.get("Messages", []), [])

    def wait_attempts(self, name, n, timeout=10):
        """Waits until the server has finished n invocations of the function."""
        self.assertTrue(wait_until(lambda: len(invocations(self.server, name)) >= n, timeout=timeout),
                        "%d invocations of %s" % (n, name))
        self.assertEqual(len(invocations(self.server, name)), n)

    def assertRecord(self, record, request_id, name, condition, count, payload, response, failed):
        """Every member of AWS's invocation record."""
        self.assertEqual(set(record), {"version", "timestamp", "requestContext", "requestPayload",
                                       "responseContext", "responsePayload"})
        self.assertEqual(record["version"], "1.0")
        self.assertRegex(record["timestamp"], ISO_MS_RE)
        self.assertEqual(record["requestContext"], {
            "requestId": request_id, "functionArn": function_arn(name, "$LATEST"), "condition": condition,
            "approximateInvokeCount": count})
        self.assertEqual(record["requestPayload"], payload)
        context = {"statusCode": 200, "executedVersion": "$LATEST"}
        if failed:
            context["functionError"] = "Unhandled"
        self.assertEqual(record["responseContext"], context)
        if failed:
            self.assertEqual(record["responsePayload"]["errorMessage"], FAIL_MESSAGE)
            self.assertEqual(record["responsePayload"]["errorType"], "RuntimeError")
        else:
            self.assertEqual(record["responsePayload"], response)

    def invoke_event(self, name, payload):
        resp = self.lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(payload))
        self.assertEqual(resp["StatusCode"], 202)
        return resp["ResponseMetadata"]["RequestId"]


class ConfigOperationTests(EventInvokeConfigTestCase):
    def test_put_get_update_list_delete(self):
        name, _ = self.recorder()
        _, queue = self.queue("eic-dest")
        arn = function_arn(name, "$LATEST")
        put = self.lam.put_function_event_invoke_config(
            FunctionName=name, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=120,
            DestinationConfig={"OnFailure": {"Destination": queue}})
        put.pop("ResponseMetadata")
        put_modified = put.pop("LastModified")
        self.assertIsInstance(put_modified, datetime.datetime)
        self.assertEqual(put, {"FunctionArn": arn, "MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 120,
                               "DestinationConfig": {"OnSuccess": {}, "OnFailure": {"Destination": queue}}})
        # LastModified is epoch seconds on the wire (a number, with milliseconds)
        status, _, raw = self.raw_json("GET", config_path(name))
        self.assertEqual(status, 200)
        self.assertIsInstance(raw["LastModified"], float)
        self.assertLess(abs(raw["LastModified"] - clock(self.server)["now_ms"] / 1000.0), 30,
                        "LastModified is the emulated clock's time")
        # Update merges: the members it is given change, the others stay
        upd = self.lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
        self.assertEqual((upd["MaximumRetryAttempts"], upd["MaximumEventAgeInSeconds"]), (0, 120))
        self.assertEqual(upd["DestinationConfig"]["OnFailure"], {"Destination": queue})
        upd = self.lam.update_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queue}})
        self.assertEqual(upd["DestinationConfig"], {"OnSuccess": {"Destination": queue},
                                                    "OnFailure": {"Destination": queue}})
        got = self.lam.get_function_event_invoke_config(FunctionName=name)
        self.assertEqual(got["MaximumRetryAttempts"], 0)
        self.assertGreaterEqual(got["LastModified"], put_modified)
        # Put replaces the whole configuration
        put2 = self.lam.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=60)
        self.assertNotIn("MaximumRetryAttempts", put2)
        self.assertEqual(put2["DestinationConfig"], {"OnSuccess": {}, "OnFailure": {}})
        listed = self.lam.list_function_event_invoke_configs(FunctionName=name)
        self.assertNotIn("NextMarker", listed)
        [entry] = listed["FunctionEventInvokeConfigs"]
        self.assertEqual((entry["FunctionArn"], entry["MaximumEventAgeInSeconds"]), (arn, 60))
        one = self.lam.list_function_event_invoke_configs(FunctionName=function_arn(name), MaxItems=1)
        self.assertEqual(len(one["FunctionEventInvokeConfigs"]), 1)
        self.assertNotIn("NextMarker", one)
        self.lam.delete_function_event_invoke_config(FunctionName=name)
        self.assertEqual(self.lam.list_function_event_invoke_configs(FunctionName=name)
                         ["FunctionEventInvokeConfigs"], [])
        self.assertLambdaError(lambda: self.lam.get_function_event_invoke_config(FunctionName=name),
                               "ResourceNotFoundException", 404,
                               "The function %s doesn't have an EventInvokeConfig" % arn)

    def test_qualifier_latest(self):
        name, _ = self.recorder()
        arn = function_arn(name, "$LATEST")
        self.lam.put_function_event_invoke_config(FunctionName=name, Qualifier="$LATEST", MaximumRetryAttempts=2)
        for kwargs in ({"FunctionName": name}, {"FunctionName": name, "Qualifier": "$LATEST"},
                       {"FunctionName": name + ":$LATEST"}, {"FunctionName": arn}):
            got = self.lam.get_function_event_invoke_config(**kwargs)
            self.assertEqual((got["FunctionArn"], got["MaximumRetryAttempts"]), (arn, 2), kwargs)
        # a qualifier that names no version or alias of the function
        self.assertLambdaError(lambda: self.lam.put_function_event_invoke_config(
            FunctionName=name, Qualifier="7", MaximumRetryAttempts=1), "ResourceNotFoundException", 404)
        self.assertLambdaError(lambda: self.lam.get_function_event_invoke_config(
            FunctionName=name, Qualifier="7"), "ResourceNotFoundException", 404)
        # a name's qualifier and ?Qualifier must agree
        self.assertLambdaError(lambda: self.lam.get_function_event_invoke_config(
            FunctionName=name + ":$LATEST", Qualifier="7"), "InvalidParameterValueException", 400)

    def test_missing_function_and_config(self):
        ghost = self.unique("ghost")
        missing_fn = "Function not found: %s" % function_arn(ghost, "$LATEST")
        calls = [
            lambda: self.lam.put_function_event_invoke_config(FunctionName=ghost, MaximumRetryAttempts=1),
            lambda: self.lam.update_function_event_invoke_config(FunctionName=ghost, MaximumRetryAttempts=1),
            lambda: self.lam.get_function_event_invoke_config(FunctionName=ghost),
            lambda: self.lam.delete_function_event_invoke_config(FunctionName=ghost),
            lambda: self.lam.list_function_event_invoke_configs(FunctionName=ghost),
        ]
        for call in calls:
            self.assertLambdaError(call, "ResourceNotFoundException", 404, missing_fn)
        name, _ = self.recorder()
        no_config = "The function %s doesn't have an EventInvokeConfig" % function_arn(name, "$LATEST")
        for call in (lambda: self.lam.get_function_event_invoke_config(FunctionName=name),
                     lambda: self.lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1),
                     lambda: self.lam.delete_function_event_invoke_config(FunctionName=name)):
            self.assertLambdaError(call, "ResourceNotFoundException", 404, no_config)

    def test_out_of_range_values_change_nothing(self):
        name, _ = self.recorder()
        self.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
        cases = [({"MaximumRetryAttempts": 3}, "maximumRetryAttempts", "less than or equal to 2"),
                 ({"MaximumRetryAttempts": -1}, "maximumRetryAttempts", "greater than or equal to 0"),
                 ({"MaximumEventAgeInSeconds": 59}, "maximumEventAgeInSeconds", "greater than or equal to 60"),
                 ({"MaximumEventAgeInSeconds": 21601}, "maximumEventAgeInSeconds", "less than or equal to 21600")]
        for method in ("PUT", "POST"):
            for body, member, constraint in cases:
                status, hdrs, doc = self.raw_json(method, config_path(name), body)
                self.assertEqual((status, hdrs.get("x-amzn-errortype")), (400, "ValidationException"), body)
                self.assertIn("at '%s' failed to satisfy constraint: Member must have value %s"
                              % (member, constraint), doc["message"])
            status, hdrs, doc = self.raw_json(method, config_path(name), {"MaximumRetryAttempts": "two"})
            self.assertEqual(status, 400)
        # nothing to set
        self.assertLambdaError(lambda: self.lam.put_function_event_invoke_config(FunctionName=name),
                               "InvalidParameterValueException", 400,
                               "You must specify at least one of error handling or destination setting.")
        self.assertLambdaError(lambda: self.lam.update_function_event_invoke_config(FunctionName=name),
                               "InvalidParameterValueException", 400)
        self.assertEqual(self.lam.get_function_event_invoke_config(FunctionName=name)["MaximumRetryAttempts"], 1)
        for max_items in ("0", "51", "x"):
            status, hdrs, _ = self.raw_json("GET", config_path(name, "/list") + "?MaxItems=" + max_items)
            self.assertEqual((status, hdrs.get("x-amzn-errortype")), (400, "ValidationException"), max_items)

    def test_unsupported_destinations(self):
        name, _ = self.recorder()
        unsupported = ["arn:aws:sns:%s:%s:topic" % (REGION, ACCOUNT),
                       "arn:aws:events:%s:%s:event-bus/default" % (REGION, ACCOUNT),
                       "arn:aws:s3:::bucket"]
        for arn in unsupported:
            for which in ("OnSuccess", "OnFailure"):
                self.assertLambdaError(lambda: self.lam.put_function_event_invoke_config(
                    FunctionName=name, DestinationConfig={which: {"Destination": arn}}),
                    "InvalidParameterValueException", 400,
                    message_contains="sqsemu only delivers asynchronous invocation records to SQS queues and "
                                     "Lambda functions")
        self.assertLambdaError(lambda: self.lam.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnFailure": {"Destination": function_arn(name)}}),
            "InvalidParameterValueException", 400, "You can't specify the function as a destination for itself.")
        self.assertLambdaError(lambda: self.lam.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnFailure": {"Destination": "arn:aws:dynamodb:%s:%s:table/t"
                                                                               % (REGION, ACCOUNT)}}),
            "InvalidParameterValueException", 400, message_prefix="The provided destination config")
        self.assertLambdaError(lambda: self.lam.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnFailure": {"Destination": "not-an-arn"}}),
            "ValidationException", 400, message_contains="destinationConfig.onFailure.destination")
        self.assertLambdaError(lambda: self.lam.get_function_event_invoke_config(FunctionName=name),
                               "ResourceNotFoundException", 404)

    def test_deleting_or_resetting_the_function_removes_its_config(self):
        name, _ = self.recorder()
        self.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
        self.lam.delete_function(FunctionName=name)
        self.recorder(name=name)
        self.assertLambdaError(lambda: self.lam.get_function_event_invoke_config(FunctionName=name),
                               "ResourceNotFoundException", 404)
        self.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
        reset(self.server, function=name)
        self.recorder(name=name)
        self.assertLambdaError(lambda: self.lam.get_function_event_invoke_config(FunctionName=name),
                               "ResourceNotFoundException", 404)

    @unittest.skipUnless(AWS_CLI, "the aws CLI is not installed")
    def test_cli(self):
        name, _ = self.recorder()
        _, queue = self.queue("eic-cli")
        env = cli_env(self.tmpdir("sqsemu-cli-home-"))
        put, _ = run_cli(self.server, env, "lambda", "put-function-event-invoke-config", "--function-name", name,
                         "--maximum-retry-attempts", "0", "--destination-config",
                         json.dumps({"OnFailure": {"Destination": queue}}))
        self.assertEqual(put["MaximumRetryAttempts"], 0)
        got, _ = run_cli(self.server, env, "lambda", "get-function-event-invoke-config", "--function-name", name)
        self.assertEqual(got["DestinationConfig"]["OnFailure"], {"Destination": queue})
        self.assertEqual(got["FunctionArn"], function_arn(name, "$LATEST"))
        listed, _ = run_cli(self.server, env, "lambda", "list-function-event-invoke-configs", "--function-name", name)
        self.assertEqual(len(listed["FunctionEventInvokeConfigs"]), 1)
        run_cli(self.server, env, "lambda", "delete-function-event-invoke-config", "--function-name", name)
        _, proc = run_cli(self.server, env, "lambda", "get-function-event-invoke-config", "--function-name", name,
                          check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("ResourceNotFoundException", proc.stderr)


class DestinationDeliveryTests(EventInvokeConfigTestCase):
    def test_on_failure_queue_without_retries(self):
        name, out = self.recorder(fail=True)
        url, queue = self.queue("eic-failure")
        self.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                                  DestinationConfig={"OnFailure": {"Destination": queue}})
        request_id = self.invoke_event(name, {"n": 1})
        msg = self.receive_one(url)
        self.assertRecord(json.loads(msg["Body"]), request_id, name, "RetriesExhausted", 1, {"n": 1}, None, True)
        self.assertEqual(len(read_records(out)), 1)
        # no retry comes later either
        advance(self.server, 200000)
        self.assertFalse(wait_until(lambda: len(read_records(out)) > 1, timeout=1.0))
        self.wait_attempts(name, 1)

    def test_on_success_queue(self):
        name, out = self.recorder()
        url, queue = self.queue("eic-success")
        self.lam.put_function_event_invoke_config(FunctionName=name,
                                                  DestinationConfig={"OnSuccess": {"Destination": queue}})
        payload = {"action": "return", "value": {"ok": True, "items": [1, 2]}}
        request_id = self.invoke_event(name, payload)
        msg = self.receive_one(url)
        self.assertRecord(json.loads(msg["Body"]), request_id, name, "Success", 1, payload,
                          {"ok": True, "items": [1, 2]}, False)
        self.assertEqual(len(read_records(out)), 1)

    def test_one_retry_follows_the_test_clock(self):
        name, out = self.recorder(fail=True)
        url, queue = self.queue("eic-retry")
        self.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1,
                                                  DestinationConfig={"OnFailure": {"Destination": queue}})
        request_id = self.invoke_event(name, {"n": 2})
        self.wait_attempts(name, 1)
        self.assertFalse(wait_until(lambda: len(read_records(out)) > 1, timeout=0.5), "no retry at once")
        self.assertQueueEmpty(url)
        advance(self.server, 60000)
        msg = self.receive_one(url)
        self.assertRecord(json.loads(msg["Body"]), request_id, name, "RetriesExhausted", 2, {"n": 2}, None, True)
        docs = read_records(out)
        self.assertEqual(len(docs), 2)
        self.assertEqual({d["context"]["aws_request_id"] for d in docs}, {request_id})

    def test_event_older_than_its_maximum_age_is_discarded(self):
        name, out = self.recorder(fail=True)
        url, queue = self.queue("eic-age")
        self.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=2,
                                                  MaximumEventAgeInSeconds=60,
                                                  DestinationConfig={"OnFailure": {"Destination": queue}})
        request_id = self.invoke_event(name, {"n": 3})
        self.wait_attempts(name, 1)
        advance(self.server, 61000)  # the retry is due, but the event is now older than 60 s
        msg = self.receive_one(url)
        self.assertRecord(json.loads(msg["Body"]), request_id, name, "EventAgeExceeded", 1, {"n": 3}, None, True)
        self.assertEqual(len(read_records(out)), 1)

    def test_lambda_function_destination(self):
        target, target_out = self.recorder()
        name, _ = self.recorder(fail=True)
        self.lam.put_function_event_invoke_config(
            FunctionName=name, MaximumRetryAttempts=0,
            DestinationConfig={"OnFailure": {"Destination": function_arn(target)}})
        request_id = self.invoke_event(name, {"n": 4})
        [doc] = wait_records(target_out, 1)
        self.assertRecord(doc["event"], request_id, name, "RetriesExhausted", 1, {"n": 4}, None, True)
        self.assertEqual(doc["context"]["invoked_function_arn"], function_arn(target))
        self.assertNotEqual(doc["context"]["aws_request_id"], request_id, "the destination's own invocation")
        [hist] = invocations(self.server, target)
        self.assertEqual(hist["Trigger"], "Event")

    def test_dead_letter_queue_without_on_failure(self):
        dlq_url, dlq = self.queue("eic-dlq")
        success_url, success = self.queue("eic-dlq-success")
        name, out = self.recorder(fail=True, DeadLetterConfig={"TargetArn": dlq})
        self.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                                  DestinationConfig={"OnSuccess": {"Destination": success}})
        request_id = self.invoke_event(name, {"n": 5})
        msg = self.receive_one(dlq_url)
        self.assertEqual(json.loads(msg["Body"]), {"n": 5}, "a dead-letter queue gets the event itself")
        self.assertEqual(msg["MessageAttributes"]["RequestID"]["StringValue"], request_id)
        self.assertEqual(msg["MessageAttributes"]["ErrorMessage"]["StringValue"], FAIL_MESSAGE)
        self.assertQueueEmpty(success_url)
        self.assertEqual(len(read_records(out)), 1)

    def test_on_failure_destination_wins_over_the_dead_letter_queue(self):
        dlq_url, dlq = self.queue("eic-dlq2")
        url, queue = self.queue("eic-failure2")
        name, _ = self.recorder(fail=True, DeadLetterConfig={"TargetArn": dlq})
        self.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                                  DestinationConfig={"OnFailure": {"Destination": queue}})
        request_id = self.invoke_event(name, {"n": 6})
        record = json.loads(self.receive_one(url)["Body"])
        self.assertEqual(record["requestContext"]["requestId"], request_id)
        self.assertQueueEmpty(dlq_url)

    def test_missing_destination_is_logged(self):
        name, _ = self.recorder(fail=True)
        gone = "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, self.unique("no-such-queue"))
        self.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                                  DestinationConfig={"OnFailure": {"Destination": gone}})
        request_id = self.invoke_event(name, {"n": 7})
        self.assertTrue(wait_until(lambda: gone in self.server.log(), timeout=10))
        line = [ln for ln in self.server.log().splitlines() if gone in ln][0]
        self.assertIn(name, line)
        self.assertIn(request_id, line)


class RestartTests(EventInvokeConfigTestCase):
    def test_restart_keeps_configs(self):
        name, _ = self.recorder()
        _, queue = self.queue("eic-restart")
        before = self.lam.put_function_event_invoke_config(
            FunctionName=name, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=300,
            DestinationConfig={"OnSuccess": {"Destination": queue}})
        self.server.stop()
        self.server.restart()
        after = self.lam.get_function_event_invoke_config(FunctionName=name)
        for member in ("FunctionArn", "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig",
                       "LastModified"):
            self.assertEqual(after[member], before[member], member)


if __name__ == "__main__":
    unittest.main()
