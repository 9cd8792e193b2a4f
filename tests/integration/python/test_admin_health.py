"""GET /_sqsemu/health: the document container and test harnesses poll, and the two counts
the tests wait on instead of sleeping (harness.Server.wait_parked, wait_waiting_receives):

  parked_requests   HTTP requests parked right now (long polls, synchronous invocations)
  waiting_receives  receives parked on queues (long polls, idle pollers of enabled mappings)

With --auth the health route alone answers unsigned; every other /_sqsemu/ route is signed
like the SQS API (docs/security.md, Signatures). Every wait is bounded.
"""
import json
import subprocess
import threading
import unittest

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import harness
from lambda_util import LambdaTestCase
from semantics_util import join_all, receive, start_worker

HEALTH = "/_sqsemu/health"
AUTH_KEY = ("AKIDHEALTHTEST", "health-secret")


def binary_version():
    """The version `sqsemu --version` prints ("sqsemu 0.1.0")."""
    out = subprocess.run([harness.BIN, "--version"], capture_output=True, text=True, timeout=10).stdout
    return out.split()[-1]


class HealthDocumentTests(LambdaTestCase):

    def counts(self):
        doc = self.server.health()
        return doc["parked_requests"], doc["waiting_receives"]

    def test_shape(self):
        status, headers, body = self.server.raw("GET", HEALTH)
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["content-type"], "application/json")
        doc = json.loads(body)
        self.assertEqual(set(doc), {"status", "version", "services", "parked_requests", "waiting_receives"})
        self.assertEqual(doc["status"], "running")
        self.assertEqual(doc["version"], binary_version())
        self.assertEqual(doc["services"], {"sqs": "running", "lambda": "running"})
        for key in ("parked_requests", "waiting_receives"):
            self.assertIsInstance(doc[key], int, key)
            self.assertNotIsInstance(doc[key], bool, key)
            self.assertGreaterEqual(doc[key], 0, key)

    def test_long_poll_counts_while_parked_and_not_after_its_answer(self):
        url, _ = self.queue("health-lp")
        parked, waiting = self.counts()
        w = start_worker(receive, self.server.client(read_timeout=40), url, wait=10)
        doc = self.server.wait_waiting_receives(waiting + 1)
        self.assertEqual(doc["parked_requests"], parked + 1, "the long poll is also a parked request")
        self.assertFalse(w.done, "the long poll returned with nothing to receive")
        mid = self.sqs.send_message(QueueUrl=url, MessageBody="wake")["MessageId"]
        join_all(self, [w], 12)
        self.assertEqual([m["MessageId"] for m in w.result], [mid])
        # The server lets go of the poll before it answers, so no wait is needed here.
        self.assertEqual(self.counts(), (parked, waiting), "the answered poll is still counted")

    def test_long_poll_that_runs_out_is_no_longer_counted(self):
        url, _ = self.queue("health-lpout")
        parked, waiting = self.counts()
        w = start_worker(receive, self.server.client(read_timeout=40), url, wait=1)
        doc = self.server.wait_waiting_receives(waiting + 1)
        self.assertEqual(doc["parked_requests"], parked + 1)
        join_all(self, [w], 6)
        self.assertEqual(w.result, [])
        self.assertEqual(self.counts(), (parked, waiting), "the expired poll is still counted")

    def test_short_poll_is_never_parked(self):
        url, _ = self.queue("health-short")
        before = self.counts()
        self.assertEqual(receive(self.sqs, url, wait=0), [])
        self.assertEqual(self.counts(), before)

    def test_synchronous_invocation_is_a_parked_request_only(self):
        out = self.out_dir()
        name = self.create_function(env={"OUT_DIR": out})["FunctionName"]
        parked, waiting = self.counts()
        result = {}

        def invoke():
            result["r"] = self.invoke(name, {"action": "sleep", "seconds": 1})

        t = threading.Thread(target=invoke, daemon=True)
        t.start()
        doc = self.server.wait_parked(parked + 1)
        self.assertEqual(doc["waiting_receives"], waiting, "an invocation waits on no queue")
        t.join(20)
        self.assertFalse(t.is_alive(), "the invocation never returned")
        resp, _, body = result["r"]
        self.assertNotIn("FunctionError", resp, body)
        self.assertEqual(self.counts(), (parked, waiting), "the answered invocation is still counted")

    def test_enabled_mapping_poller_waits_on_its_queue(self):
        out = self.out_dir()
        fn = self.create_function(env={"OUT_DIR": out})["FunctionName"]
        _, arn = self.queue("health-esm")
        parked, waiting = self.counts()
        uuid = self.create_mapping(fn, arn)["UUID"]
        doc = self.server.wait_waiting_receives(waiting + 1)
        self.assertEqual(doc["parked_requests"], parked, "the poller is no HTTP request")
        self.lam.update_event_source_mapping(UUID=uuid, Enabled=False)
        self.wait_mapping_state(uuid, "Disabled")
        self.server.wait_waiting_receives(waiting)


class HealthWithAuthTests(harness.ServerTestCase):
    server_args = ("--auth-key", "%s:%s" % AUTH_KEY)

    def signed(self, method, path):
        """A request signed with the server's key (service "sqsemu", as for its own routes)."""
        request = AWSRequest(method=method, url=self.server.endpoint + path,
                             headers={"Host": "127.0.0.1:%d" % self.server.port})
        SigV4Auth(Credentials(*AUTH_KEY), "sqsemu", harness.REGION).add_auth(request)
        return self.server.raw(method, path, headers=dict(request.headers.items()))

    def test_health_answers_unsigned(self):
        status, _, body = self.server.raw("GET", HEALTH)
        self.assertEqual(status, 200, body)
        doc = json.loads(body)
        self.assertEqual(doc["status"], "running")
        self.assertEqual(self.server.health()["services"], {"sqs": "running", "lambda": "running"})

    def test_other_admin_routes_are_refused_unsigned(self):
        for method, path in (("GET", "/_sqsemu/"), ("GET", "/_sqsemu/nothing"), ("GET", HEALTH + "/more"),
                             ("POST", HEALTH), ("GET", "/_sqsemu/lambda/code/nothing.zip")):
            with self.subTest(method=method, path=path):
                status, _, body = self.server.raw(method, path)
                self.assertEqual(status, 403, body)

    def test_signed_admin_route_gets_past_the_check(self):
        status, _, body = self.signed("GET", "/_sqsemu/nothing")
        self.assertEqual(status, 404, body)
        self.assertEqual(json.loads(body)["error"], "NotFound")
        status, _, body = self.signed("GET", HEALTH)
        self.assertEqual(status, 200, body)


if __name__ == "__main__":
    unittest.main()
