"""The console's side of sqsemu's admin API: serving the page (GET /_sqsemu/console and
every path below it answer index.html; /_sqsemu/console/assets/<file> the embedded
files with their content types; a Content-Security-Policy on every answer; HEAD; 404 for
an unknown asset; 405 for other methods) and the routes the page reads: GET
/_sqsemu/queues (every queue of every account and region with its counts, dead-letter
queue and redrive sources), GET /_sqsemu/functions (every function with its runtime,
state and execution environments) and POST /_sqsemu/messages/delete (one visible
message). Unknown parameters are refused as on the other admin routes.

Everything talks to a real server; waits are bounded and read server-reported state.
"""
import json
import unittest

import boto3
from botocore.config import Config

import harness
from admin_util import AdminAsserts, admin, ok, peek, stop_and_check
from lambda_util import LambdaTestCase

CONSOLE = "/_sqsemu/console"
CSP = "default-src 'self'"


class ConsoleServingTests(harness.ServerTestCase, AdminAsserts):

    in_memory = True

    @classmethod
    def tearDownClass(cls):
        stop_and_check(cls.server)

    def get(self, path, method="GET"):
        return self.server.raw(method, path)

    def assertIndex(self, path):
        status, hdrs, body = self.get(path)
        self.assertEqual(status, 200, (path, body[:200]))
        self.assertTrue(hdrs["content-type"].startswith("text/html"), hdrs)
        self.assertIn(CSP, hdrs.get("content-security-policy", ""))
        self.assertEqual(hdrs.get("cache-control"), "no-cache")
        self.assertIn(b"<!DOCTYPE html>", body)
        self.assertIn(b'<nav aria-label="Sections">', body)
        self.assertIn(b'src="/_sqsemu/console/assets/app.js"', body)
        self.assertNotIn(b"<script>", body)  # no inline script: the policy forbids it
        return body

    def test_every_console_path_answers_the_page(self):
        first = self.assertIndex(CONSOLE)
        for path in (CONSOLE + "/", CONSOLE + "/queues/000000000000/us-east-1/orders",
                     CONSOLE + "/functions", CONSOLE + "/functions/000000000000/us-east-1/worker",
                     CONSOLE + "/clock", CONSOLE + "/anything/else"):
            self.assertEqual(self.assertIndex(path), first, path)

    def test_assets_have_their_content_types(self):
        for name, kind in (("app.js", "text/javascript"), ("app.css", "text/css"), ("queues.js", "text/javascript"),
                           ("icon.svg", "image/svg+xml")):
            status, hdrs, body = self.get(CONSOLE + "/assets/" + name)
            self.assertEqual(status, 200, name)
            self.assertTrue(hdrs["content-type"].startswith(kind), (name, hdrs))
            self.assertEqual(hdrs.get("cache-control"), "no-cache")
            self.assertIn(CSP, hdrs.get("content-security-policy", ""))
            self.assertEqual(hdrs.get("x-content-type-options"), "nosniff")
            self.assertEqual(int(hdrs["content-length"]), len(body))
            self.assertGreater(len(body), 100)

    def test_every_script_the_page_names_is_served(self):
        body = self.assertIndex(CONSOLE).decode()
        for part in body.split('src="')[1:] + body.split('href="')[1:]:
            url = part.split('"', 1)[0]
            if url.startswith(CONSOLE + "/assets/"):
                self.assertEqual(self.get(url)[0], 200, url)

    def test_unknown_assets_are_404(self):
        for name in ("nope.js", "", "app.js/x", "../index.html", "index.html", "APP.JS"):
            status, hdrs, _ = self.get(CONSOLE + "/assets/" + name)
            self.assertEqual(status, 404, name)
            self.assertIn(CSP, hdrs.get("content-security-policy", ""))

    def test_head_answers_headers_only(self):
        for path in (CONSOLE, CONSOLE + "/clock", CONSOLE + "/assets/app.js"):
            g_status, g_hdrs, g_body = self.get(path)
            status, hdrs, body = self.get(path, "HEAD")
            self.assertEqual(status, 200)
            self.assertEqual(body, b"")
            self.assertEqual(hdrs["content-type"], g_hdrs["content-type"])
            self.assertEqual(int(hdrs["content-length"]), len(g_body))

    def test_other_methods_are_405(self):
        for method in ("POST", "PUT", "DELETE"):
            status, hdrs, _ = self.get(CONSOLE, method)
            self.assertEqual(status, 405, method)
            self.assertEqual(hdrs.get("allow"), "GET, HEAD")

    def test_a_path_that_only_starts_alike_is_not_the_console(self):
        self.assertAdminError(admin(self.server, "GET", "/_sqsemu/consoles"), 404, "NotFound")


class ConsoleQueuesTests(harness.ServerTestCase, AdminAsserts):

    in_memory = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sqs = cls.server.client("sqs")

    @classmethod
    def tearDownClass(cls):
        stop_and_check(cls.server)

    def queues(self):
        return {(q["Region"], q["Name"]): q for q in ok(self.server, "GET", "queues")["Queues"]}

    def test_queues_with_counts_dlq_and_sources(self):
        dlq = self.unique("dlq")
        dlq_url = self.sqs.create_queue(QueueName=dlq)["QueueUrl"]
        dlq_arn = self.sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        src = self.unique("src")
        policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 4})
        src_url = self.sqs.create_queue(QueueName=src, Attributes={"RedrivePolicy": policy})["QueueUrl"]
        fifo = self.unique("f") + ".fifo"
        self.sqs.create_queue(QueueName=fifo, Attributes={"FifoQueue": "true"})
        self.sqs.send_message(QueueUrl=src_url, MessageBody="a")
        self.sqs.send_message(QueueUrl=src_url, MessageBody="b")
        self.sqs.send_message(QueueUrl=src_url, MessageBody="c", DelaySeconds=60)
        self.sqs.receive_message(QueueUrl=src_url, MaxNumberOfMessages=1, VisibilityTimeout=60)
        doc = ok(self.server, "GET", "queues")
        self.assertEqual(set(doc), {"Queues", "DefaultAccount", "DefaultRegion"})
        qs = self.queues()
        s, d, f = qs[(harness.REGION, src)], qs[(harness.REGION, dlq)], qs[(harness.REGION, fifo)]
        self.assertEqual(set(s), {"Name", "Account", "Region", "Arn", "Url", "Type", "Visible", "InFlight", "Delayed",
                                  "DeadLetterTargetArn", "MaxReceiveCount", "Default", "RedriveSources"})
        self.assertEqual((s["Visible"], s["InFlight"], s["Delayed"]), (1, 1, 1))
        self.assertEqual((s["Type"], f["Type"]), ("Standard", "FIFO"))
        self.assertEqual(s["DeadLetterTargetArn"], dlq_arn)
        self.assertEqual(s["MaxReceiveCount"], 4)
        self.assertEqual(s["RedriveSources"], [])
        self.assertEqual(d["RedriveSources"], [s["Arn"]])
        self.assertIsNone(d["DeadLetterTargetArn"])
        self.assertIsNone(d["MaxReceiveCount"])
        self.assertEqual(s["Url"].rsplit("/", 1)[1], src)
        self.assertTrue(s["Url"].startswith("http://"))

    def test_every_region_is_listed_and_only_the_default_one_is_default(self):
        other = boto3.session.Session().client(
            "sqs", endpoint_url=self.server.endpoint, region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="secret", config=Config(retries={"max_attempts": 1}))
        name = self.unique("eu")
        other.create_queue(QueueName=name)
        status, _, _ = self.server.raw_json("CreateQueue", {"QueueName": name})  # unsigned: the default region
        self.assertEqual(status, 200)
        doc = ok(self.server, "GET", "queues")
        mine = [q for q in doc["Queues"] if q["Name"] == name]
        self.assertEqual(sorted(q["Region"] for q in mine), sorted(["eu-west-1", doc["DefaultRegion"]]))
        for q in mine:
            self.assertEqual(q["Default"], q["Region"] == doc["DefaultRegion"] and q["Account"] == doc["DefaultAccount"])

    def test_unknown_parameters_and_methods_are_refused(self):
        self.assertAdminError(admin(self.server, "GET", "queues", {"account": "1"}), 400, "InvalidParameterValue")
        self.assertAdminError(admin(self.server, "POST", "queues"), 405, "MethodNotAllowed")
        self.assertAdminError(admin(self.server, "GET", "functions", {"x": "1"}), 400, "InvalidParameterValue")
        self.assertAdminError(admin(self.server, "DELETE", "functions"), 405, "MethodNotAllowed")

    def test_delete_one_visible_message(self):
        url = self.sqs.create_queue(QueueName=self.unique("del"))["QueueUrl"]
        keep = self.sqs.send_message(QueueUrl=url, MessageBody="keep")["MessageId"]
        gone = self.sqs.send_message(QueueUrl=url, MessageBody="gone")["MessageId"]
        self.assertEqual(ok(self.server, "POST", "messages/delete", {"QueueUrl": url, "MessageId": gone}),
                         {"MessageId": gone})
        left = peek(self.server, url)["Messages"]
        self.assertEqual([m["MessageId"] for m in left], [keep])
        self.assertEqual(left[0]["Attributes"]["ApproximateReceiveCount"], "0")  # nothing was received
        self.assertAdminError(admin(self.server, "POST", "messages/delete", {"QueueUrl": url, "MessageId": gone}),
                              400, "InvalidParameterValue")

    def test_delete_refuses_in_flight_delayed_and_bad_input(self):
        name = self.unique("del")
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        delayed = self.sqs.send_message(QueueUrl=url, MessageBody="d", DelaySeconds=30)["MessageId"]
        flying = self.sqs.send_message(QueueUrl=url, MessageBody="f")["MessageId"]
        self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)
        for mid in (delayed, flying):
            self.assertAdminError(admin(self.server, "POST", "messages/delete", {"QueueUrl": url, "MessageId": mid}),
                                  400, "InvalidParameterValue")
        self.assertEqual(len(peek(self.server, url)["Messages"]), 2)
        self.assertAdminError(admin(self.server, "POST", "messages/delete", {"QueueUrl": url}), 400, "MissingParameter")
        self.assertAdminError(admin(self.server, "POST", "messages/delete", {"MessageId": flying}), 400,
                              "MissingParameter")
        self.assertAdminError(admin(self.server, "POST", "messages/delete", {"QueueName": name, "MessageId": "x" * 101}),
                              400, "InvalidParameterValue")
        self.assertAdminError(admin(self.server, "POST", "messages/delete", {"QueueName": name + "-no", "MessageId": "x"}),
                              404, "AWS.SimpleQueueService.NonExistentQueue")
        self.assertAdminError(admin(self.server, "POST", "messages/delete",
                                    {"QueueName": name, "MessageId": "x", "Extra": "1"}), 400, "InvalidParameterValue")
        self.assertAdminError(admin(self.server, "GET", "messages/delete", {"QueueName": name, "MessageId": "x"}),
                              405, "MethodNotAllowed")


class ConsoleFunctionsTests(LambdaTestCase, AdminAsserts):

    @classmethod
    def tearDownClass(cls):
        stop_and_check(cls.server)

    def test_functions_with_runtime_state_and_environments(self):
        name = self.create_function(Timeout=10)["FunctionName"]
        doc = ok(self.server, "GET", "functions")
        self.assertEqual(set(doc), {"Functions", "DefaultAccount", "DefaultRegion"})
        f = [x for x in doc["Functions"] if x["FunctionName"] == name]
        self.assertEqual(len(f), 1, doc)
        f = f[0]
        self.assertEqual(set(f), {"FunctionName", "Account", "Region", "FunctionArn", "Runtime", "State",
                                  "Environments", "Running", "Invocations", "Errors", "Default"})
        self.assertEqual((f["State"], f["Environments"], f["Invocations"]), ("Active", 0, 0))
        self.assertTrue(f["Runtime"].startswith("python"))
        self.assertTrue(f["FunctionArn"].endswith(":function:" + name))
        self.lam.invoke(FunctionName=name, Payload=b"{}")
        f = [x for x in ok(self.server, "GET", "functions")["Functions"] if x["FunctionName"] == name][0]
        self.assertEqual(f["Invocations"], 1)
        self.assertEqual(f["Environments"], 1)  # the environment stays warm after the invocation
        self.assertEqual(f["Running"], 0)


if __name__ == "__main__":
    unittest.main()


class CrossSiteTests(harness.ServerTestCase):
    """A page of another site cannot change sqsemu through its visitor's browser: admin
    routes that change something refuse a request whose Origin or Sec-Fetch-Site says it is
    cross-site; reads, same-origin requests and clients that send neither still work."""

    def queue_count(self):
        return len(self.server.client("sqs").list_queues().get("QueueUrls", []))

    def test_cross_site_changes_are_refused(self):
        self.server.client("sqs").create_queue(QueueName=self.unique("keep"))
        before = self.queue_count()
        for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"},
                        {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}):
            status, _, body = self.server.raw("POST", "/_sqsemu/reset", b"", headers)
            self.assertEqual(status, 403, (headers, body))
            self.assertEqual(json.loads(body)["error"], "AccessDenied")
            status, _, _ = self.server.raw("POST", "/_sqsemu/clock", b'{"advance_ms": 1000}', headers)
            self.assertEqual(status, 403)
        self.assertEqual(self.queue_count(), before)

    def test_reads_and_same_origin_work(self):
        status, _, _ = self.server.raw("GET", "/_sqsemu/clock", b"", {"Origin": "http://evil.example",
                                                                       "Sec-Fetch-Site": "cross-site"})
        self.assertEqual(status, 200)
        host = "127.0.0.1:%d" % self.server.port
        status, _, body = self.server.raw("POST", "/_sqsemu/clock", b'{"advance_ms": 1}',
                                          {"Host": host, "Origin": "http://" + host, "Sec-Fetch-Site": "same-origin"})
        self.assertEqual(status, 200, body)
        status, _, body = self.server.raw("POST", "/_sqsemu/clock", b'{"advance_ms": 1}')
        self.assertEqual(status, 200, body)
