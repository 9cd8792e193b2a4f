"""Asynchronous (Event) invocations: a failing event is retried twice, one and then two
minutes later in the test clock, and then sent to the function's DeadLetterConfig queue
with AWS's RequestID / ErrorCode / ErrorMessage attributes (docs/lambda-semantics.md,
Asynchronous invocations); a succeeding one runs once."""
import json

from admin_util import advance, invocations
from harness import wait_until
from lambda_util import LambdaTestCase, read_records, wait_records


class AsyncInvokeTests(LambdaTestCase):
    def test_failing_event_is_retried_then_dead_lettered(self):
        out = self.out_dir()
        dlq_url, dlq_arn = self.queue("async-dlq")
        name = self.create_function(env={"OUT_DIR": out, "FAIL": "always"}, Timeout=3,
                                    DeadLetterConfig={"TargetArn": dlq_arn})["FunctionName"]
        resp = self.lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"n": 7}))
        self.assertEqual(resp["StatusCode"], 202)
        request_id = resp["ResponseMetadata"]["RequestId"]
        # three attempts: the first at once, the retries 60 s and 120 s (test clock) after
        # each failure; the server's invocation history says when a failure was handled
        for attempts, delay_ms in ((1, 60000), (2, 120000)):
            self.assertTrue(wait_until(lambda: len(invocations(self.server, name)) == attempts, timeout=10))
            self.assertFalse(wait_until(lambda: len(read_records(out)) > attempts, timeout=0.5),
                             "no retry before the clock moves")
            advance(self.server, delay_ms - 10000)
            self.assertFalse(wait_until(lambda: len(read_records(out)) > attempts, timeout=0.5),
                             "no retry 10 s before its time")
            advance(self.server, 10000)
        docs = wait_records(out, 3, timeout=15)
        self.assertEqual(len(docs), 3)
        self.assertEqual({d["context"]["aws_request_id"] for d in docs}, {request_id},
                         "every attempt keeps the request id of the Invoke")
        msgs = []
        self.assertTrue(wait_until(lambda: msgs.extend(self.sqs.receive_message(
            QueueUrl=dlq_url, MessageAttributeNames=["All"], WaitTimeSeconds=1).get("Messages", [])) or msgs,
            timeout=10))
        [msg] = msgs
        self.assertEqual(json.loads(msg["Body"]), {"n": 7})
        attrs = msg["MessageAttributes"]
        self.assertEqual(attrs["RequestID"], {"StringValue": request_id, "DataType": "String"})
        self.assertEqual(attrs["ErrorCode"], {"StringValue": "200", "DataType": "Number"})
        self.assertEqual(attrs["ErrorMessage"]["DataType"], "String")
        self.assertTrue(attrs["ErrorMessage"]["StringValue"])
        self.assertEqual(len(read_records(out)), 3, "no attempt after the event went to the dead-letter queue")

    def test_successful_event_runs_once(self):
        out = self.out_dir()
        name = self.create_function(env={"OUT_DIR": out})["FunctionName"]
        resp = self.lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"ok": 1}))
        self.assertEqual(resp["StatusCode"], 202)
        docs = wait_records(out, 1, timeout=10)
        self.assertEqual(docs[0]["event"], {"ok": 1})
        self.assertFalse(wait_until(lambda: len(read_records(out)) > 1, timeout=1.5), "a success is not retried")
