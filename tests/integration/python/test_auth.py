"""SigV4 verification (--auth FILE, --auth-key) against the real binary.

boto3 over both SQS protocols and Lambda's REST API, the `aws` CLI, presigned URLs,
aws-chunked payloads and hand-made requests: a right key works and names the account,
and wrong secrets, unknown keys, stale or future dates, missing signatures and tampered
bodies get AWS's codes in each protocol's shape. Every wait is bounded.
"""
import datetime
import hashlib
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from unittest import mock

import boto3
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import harness
import lambda_util
from harness import BIN, REGION, ServerTestCase, wait_until

KEY1 = ("AKIDAUTHTEST1", "auth-secret-1", "111122223333")  # explicit account
KEY2 = ("222233334444", "auth-secret-2")                    # a 12-digit key id names the account
KEY3 = ("plainkey", "auth-secret-3")                        # neither: the default --account-id
DEFAULT_ACCOUNT = "000000000000"
STREAMING = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
CALL_TIMEOUT = 60

MISMATCH_MESSAGE = ("The request signature we calculated does not match the signature you provided. Check your "
                    "AWS Secret Access Key and signing method. Consult the service documentation for details.")
TOKEN_MESSAGE = "The security token included in the request is invalid."
EXPIRED_RE = re.compile(r"Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - (\d+) min\.\)")
FUTURE_RE = re.compile(r"Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z "
                       r"\(\d{8}T\d{6}Z \+ (\d+) min\.\)")


def key_args(*keys):
    args = []
    for k in keys:
        args += ["--auth-key", ":".join(k)]
    return args


def shifted_clock(minutes):
    """Makes botocore sign as if its clock were `minutes` off."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(minutes=minutes)
    return mock.patch("botocore.auth.get_current_datetime", lambda *args, **kwargs: now)


def client_for(server, service, key, secret, protocol="json", **config):
    cfg = Config(retries={"total_max_attempts": 1}, read_timeout=30, connect_timeout=5, **config)
    if protocol == "query":
        from query_model import query_session
        session = query_session()
    else:
        session = boto3.session.Session()
    return session.client(service, endpoint_url=server.endpoint, region_name=REGION, aws_access_key_id=key,
                          aws_secret_access_key=secret, config=cfg)


def fetch(url, method="GET", data=None, headers=None):
    """urllib exchange; returns (status, headers dict, body bytes) also for HTTP errors."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=CALL_TIMEOUT) as resp:
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def xml_field(body, name):
    m = re.search(r"<%s>(.*?)</%s>" % (name, name), body.decode("utf-8"), re.S)
    return m.group(1) if m else None


class SignedChunks:
    """An aws-chunked request: the seed signature from botocore's own signer, then one
    signature per chunk chained off it (AWS's STREAMING-AWS4-HMAC-SHA256-PAYLOAD)."""

    def __init__(self, server, service, key, secret, method, path, payload, content_type, extra_headers=None,
                 chunk_size=17, final_chunk=True):
        self.chunks = [payload[i:i + chunk_size] for i in range(0, len(payload), chunk_size)]
        if final_chunk:
            self.chunks.append(b"")
        encoded_len = sum(len("%x;chunk-signature=" % len(c)) + 64 + 2 + len(c) + 2 for c in self.chunks)
        headers = {"Content-Type": content_type, "Content-Encoding": "aws-chunked",
                   "X-Amz-Content-SHA256": STREAMING, "X-Amz-Decoded-Content-Length": str(len(payload)),
                   "Content-Length": str(encoded_len), "Host": "127.0.0.1:%d" % server.port}
        headers.update(extra_headers or {})
        self.request = AWSRequest(method=method, url=server.endpoint + path, headers=headers, data=b"")
        self.auth = SigV4Auth(Credentials(key, secret), service, REGION)
        self.auth.add_auth(self.request)
        self.server = server
        self.path = path
        seed = self.request.headers["Authorization"].rsplit("Signature=", 1)[1]
        timestamp = self.request.context["timestamp"]
        scope = "%s/%s/%s/aws4_request" % (timestamp[:8], REGION, service)
        body, previous = b"", seed
        for chunk in self.chunks:
            sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", timestamp, scope, previous, EMPTY_SHA256,
                             hashlib.sha256(chunk).hexdigest()])
            previous = self.auth.signature(sts, self.request)
            body += b"%x;chunk-signature=%s\r\n%s\r\n" % (len(chunk), previous.encode(), chunk)
        assert len(body) == encoded_len
        self.body = body

    def send(self, body=None, method=None):
        headers = {k: v for k, v in self.request.headers.items()}
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=CALL_TIMEOUT)
        try:
            conn.request(method or self.request.method, self.path, body=self.body if body is None else body,
                         headers=headers)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()


class AuthCase(ServerTestCase):
    server_args = key_args(KEY1, KEY2, KEY3)

    def sqs(self, key=KEY1, protocol="json", secret=None):
        return client_for(self.server, "sqs", key[0], secret or key[1], protocol)

    def assertSqsError(self, ctx, code, status, protocol, message=None, query_error_code=None):
        err = ctx.exception.response["Error"]
        meta = ctx.exception.response["ResponseMetadata"]
        self.assertEqual(err.get("Code"), code, err)
        self.assertEqual(meta["HTTPStatusCode"], status, err)
        self.assertEqual(err.get("Type"), "Sender", err)
        if protocol == "json":
            self.assertEqual(err.get("QueryErrorCode"), query_error_code, err)
            self.assertEqual(meta["HTTPHeaders"].get("x-amzn-query-error"), "%s;Sender" % code)
        if message is not None:
            if hasattr(message, "fullmatch"):
                self.assertRegex(err.get("Message", ""), message)
            else:
                self.assertEqual(err.get("Message"), message)
        return err


class TestSqsAuth(AuthCase):
    """Both SQS protocols with --auth-key."""

    def test_right_key_works_and_names_the_account(self):
        for protocol in ("json", "query"):
            with self.subTest(protocol=protocol):
                for key, account in ((KEY1, KEY1[2]), (KEY2, KEY2[0]), (KEY3, DEFAULT_ACCOUNT)):
                    sqs = self.sqs(key, protocol)
                    name = self.unique("auth")
                    url = sqs.create_queue(QueueName=name)["QueueUrl"]
                    self.assertEqual(url, "%s/%s/%s" % (self.server.endpoint, account, name))
                    sqs.send_message(QueueUrl=url, MessageBody="hello")
                    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
                    self.assertEqual(got[0]["Body"], "hello")
                    self.assertIn(url, sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []))
                    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
                    self.assertEqual(arn["QueueArn"], "arn:aws:sqs:%s:%s:%s" % (REGION, account, name))

    def test_region_comes_from_the_credential_scope(self):
        sqs = client_for(self.server, "sqs", KEY1[0], KEY1[1])
        eu = boto3.session.Session().client("sqs", endpoint_url=self.server.endpoint, region_name="eu-west-1",
                                            aws_access_key_id=KEY1[0], aws_secret_access_key=KEY1[1],
                                            config=Config(retries={"total_max_attempts": 1}))
        name = self.unique("region")
        url = eu.create_queue(QueueName=name)["QueueUrl"]
        arn = eu.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.assertEqual(arn, "arn:aws:sqs:eu-west-1:%s:%s" % (KEY1[2], name))
        self.assertNotIn(url, sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []))

    def test_wrong_secret_is_signature_does_not_match(self):
        for protocol in ("json", "query"):
            with self.subTest(protocol=protocol):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs(KEY1, protocol, secret="not-the-secret").list_queues()
                err = self.assertSqsError(ctx, "SignatureDoesNotMatch", 403, protocol,
                                          query_error_code="InvalidSignatureException")
                message = err["Message"]
                self.assertTrue(message.startswith(MISMATCH_MESSAGE + "\n\nThe Canonical String for this request "
                                                   "should have been\n'POST\n/\n"), message)
                self.assertIn("\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n", message)

    def test_unknown_key_is_invalid_client_token_id(self):
        for protocol in ("json", "query"):
            with self.subTest(protocol=protocol):
                with self.assertRaises(ClientError) as ctx:
                    self.sqs(("AKIDNOSUCHKEY", "whatever"), protocol).list_queues()
                self.assertSqsError(ctx, "InvalidClientTokenId", 403, protocol, TOKEN_MESSAGE,
                                    query_error_code="UnrecognizedClientException")

    def test_stale_and_future_dates(self):
        for protocol in ("json", "query"):
            sqs = self.sqs(KEY1, protocol)
            with self.subTest(protocol=protocol, when="20 minutes ago"):
                with shifted_clock(-20), self.assertRaises(ClientError) as ctx:
                    sqs.list_queues()
                err = self.assertSqsError(ctx, "SignatureDoesNotMatch", 403, protocol, EXPIRED_RE,
                                          query_error_code="InvalidSignatureException")
                self.assertEqual(EXPIRED_RE.fullmatch(err["Message"]).group(1), "15")
            with self.subTest(protocol=protocol, when="20 minutes ahead"):
                with shifted_clock(20), self.assertRaises(ClientError) as ctx:
                    sqs.list_queues()
                self.assertSqsError(ctx, "SignatureDoesNotMatch", 403, protocol, FUTURE_RE,
                                    query_error_code="InvalidSignatureException")
            with self.subTest(protocol=protocol, when="10 minutes off, within the 15"):
                with shifted_clock(-10):
                    sqs.list_queues()
                with shifted_clock(10):
                    sqs.list_queues()

    def test_missing_authentication(self):
        for protocol in ("json", "query"):
            with self.subTest(protocol=protocol):
                sqs = client_for(self.server, "sqs", "x", "x", protocol, signature_version=UNSIGNED)
                with self.assertRaises(ClientError) as ctx:
                    sqs.list_queues()
                self.assertSqsError(ctx, "MissingAuthenticationToken", 403, protocol,
                                    "Request is missing Authentication Token",
                                    query_error_code="MissingAuthenticationTokenException")
        # Raw: a form POST, a JSON POST and a bare GET.
        status, _, body = self.server.raw("POST", "/", b"Action=ListQueues",
                                          {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 403)
        self.assertEqual(xml_field(body, "Code"), "MissingAuthenticationToken")
        self.assertEqual(xml_field(body, "Type"), "Sender")
        self.assertIsNotNone(xml_field(body, "RequestId"))
        status, headers, doc = self.server.raw_json("ListQueues", {})
        self.assertEqual(status, 403)
        self.assertEqual(doc["__type"], "com.amazon.coral.service#MissingAuthenticationTokenException")
        self.assertEqual(headers["x-amzn-query-error"], "MissingAuthenticationToken;Sender")
        status, _, body = self.server.raw("GET", "/?Action=ListQueues")
        self.assertEqual((status, xml_field(body, "Code")), (403, "MissingAuthenticationToken"))

    def test_malformed_authorization_is_incomplete_signature(self):
        status, headers, doc = self.server.raw_json("ListQueues", {}, {
            "Authorization": "AWS4-HMAC-SHA256 Credential=%s/20240101/us-east-1/sqs/aws4_request" % KEY1[0],
            "X-Amz-Date": "20240101T000000Z"})
        self.assertEqual(status, 400)
        self.assertEqual(doc["__type"], "com.amazon.coral.service#IncompleteSignatureException")
        self.assertEqual(headers["x-amzn-query-error"], "IncompleteSignature;Sender")
        self.assertTrue(doc["message"].startswith("Authorization header requires 'Signature' parameter. "
                                                  "Authorization header requires 'SignedHeaders' parameter. "),
                        doc["message"])

    def test_wrong_service_in_scope(self):
        request = AWSRequest(method="POST", url=self.server.endpoint + "/", data=b"{}",
                             headers={"Content-Type": "application/x-amz-json-1.0",
                                      "X-Amz-Target": "AmazonSQS.ListQueues"})
        SigV4Auth(Credentials(KEY1[0], KEY1[1]), "lambda", REGION).add_auth(request)
        status, headers, doc = self.server.raw_json("ListQueues", {}, dict(request.headers.items()))
        self.assertEqual(status, 403)
        self.assertEqual(doc["__type"], "com.amazon.coral.service#InvalidSignatureException")
        self.assertEqual(doc["message"], "Credential should be scoped to correct service: 'sqs'.")
        self.assertEqual(headers["x-amzn-query-error"], "SignatureDoesNotMatch;Sender")

    def test_tampered_body_is_signature_does_not_match(self):
        for protocol in ("json", "query"):
            with self.subTest(protocol=protocol):
                sqs = self.sqs(KEY1, protocol)
                url = sqs.create_queue(QueueName=self.unique("tamper"))["QueueUrl"]

                def tamper(request, **kwargs):
                    body = request.body
                    request.body = body.replace(b"hello", b"jello") if isinstance(body, bytes) \
                        else body.replace("hello", "jello")

                sqs.meta.events.register("before-send.sqs.SendMessage", tamper)
                with self.assertRaises(ClientError) as ctx:
                    sqs.send_message(QueueUrl=url, MessageBody="hello")
                self.assertSqsError(ctx, "SignatureDoesNotMatch", 403, protocol,
                                    query_error_code="InvalidSignatureException")
                sqs.meta.events.unregister("before-send.sqs.SendMessage", tamper)
                self.assertNotIn("Messages", sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0))

    def test_presigned_url(self):
        sqs = self.sqs(KEY1, "query")
        name = self.unique("presigned")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        presigned = sqs.generate_presigned_url("list_queues", Params={"QueueNamePrefix": name}, ExpiresIn=60,
                                               HttpMethod="GET")
        self.assertIn("X-Amz-Signature=", presigned)
        status, _, body = fetch(presigned)
        self.assertEqual(status, 200, body)
        self.assertEqual(xml_field(body, "QueueUrl"), url)
        # Signed two hours ago for one hour: expired.
        with shifted_clock(-120):
            old = sqs.generate_presigned_url("list_queues", Params={}, ExpiresIn=3600, HttpMethod="GET")
        status, _, body = fetch(old)
        self.assertEqual((status, xml_field(body, "Code")), (400, "RequestExpired"), body)
        self.assertTrue(xml_field(body, "Message").startswith("Request has expired"), body)
        # A parameter changed after signing.
        status, _, body = fetch(presigned.replace("QueueNamePrefix=" + name, "QueueNamePrefix=x"))
        self.assertEqual((status, xml_field(body, "Code")), (403, "SignatureDoesNotMatch"), body)
        # Signed by an unknown key.
        other = client_for(self.server, "sqs", "AKIDNOSUCHKEY", "x", "query")
        status, _, body = fetch(other.generate_presigned_url("list_queues", Params={}, ExpiresIn=60,
                                                             HttpMethod="GET"))
        self.assertEqual((status, xml_field(body, "Code")), (403, "InvalidClientTokenId"), body)

    def test_chunked_payload(self):
        sqs = self.sqs(KEY1, "query")
        url = sqs.create_queue(QueueName=self.unique("chunked"))["QueueUrl"]
        text = "a message sent in aws-chunked framing, several chunks long"
        form = urllib.parse.urlencode({"Action": "SendMessage", "Version": "2012-11-05", "QueueUrl": url,
                                       "MessageBody": text}).encode()
        req = SignedChunks(self.server, "sqs", KEY1[0], KEY1[1], "POST", "/", form,
                           "application/x-www-form-urlencoded")
        self.assertGreater(len(req.chunks), 3)
        status, _, body = req.send()
        self.assertEqual(status, 200, body)
        self.assertEqual(xml_field(body, "MD5OfMessageBody"), hashlib.md5(text.encode()).hexdigest())
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
        self.assertEqual(got[0]["Body"], text)

        # One byte of one chunk changed: that chunk's signature fails.
        first = req.body.index(b"\r\n") + 2  # the first data byte: the "A" of "Action="
        self.assertEqual(req.body[first:first + 1], b"A")
        tampered = req.body[:first] + b"B" + req.body[first + 1:]
        status, _, body = req.send(tampered)
        self.assertEqual((status, xml_field(body, "Code")), (403, "SignatureDoesNotMatch"), body)
        self.assertIn("a chunk signature does not match", xml_field(body, "Message"))
        # Without the final empty chunk.
        req = SignedChunks(self.server, "sqs", KEY1[0], KEY1[1], "POST", "/", form,
                           "application/x-www-form-urlencoded", final_chunk=False)
        status, _, body = req.send()
        self.assertEqual((status, xml_field(body, "Code")), (400, "IncompleteSignature"), body)

        # The JSON protocol too.
        payload = json.dumps({"QueueUrl": url, "MessageBody": text}).encode()
        req = SignedChunks(self.server, "sqs", KEY1[0], KEY1[1], "POST", "/", payload, "application/x-amz-json-1.0",
                           {"X-Amz-Target": "AmazonSQS.SendMessage"})
        status, _, body = req.send()
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["MD5OfMessageBody"], hashlib.md5(text.encode()).hexdigest())

    def test_health_path_is_exempt(self):
        status, _, _ = self.server.raw("GET", "/_sqsemu/health")
        self.assertNotEqual(status, 403)
        status, headers, _ = self.server.raw("GET", "/_sqsemu/lambda/code/nothing.zip")
        self.assertEqual(status, 403)
        self.assertEqual(headers["x-amzn-errortype"], "MissingAuthenticationTokenException")


@unittest.skipUnless(lambda_util.AWS_CLI, "the aws CLI is not installed")
class TestCliAuth(AuthCase):
    def cli(self, key, secret, *args, extra=()):
        home = tempfile.mkdtemp(prefix="sqsemu-cli-")
        self.addCleanup(shutil.rmtree, home, True)
        env = lambda_util.cli_env(home)
        env.update({"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret})
        argv = [lambda_util.AWS_CLI, "--endpoint-url", self.server.endpoint, "--region", REGION, "--output", "json",
                "--cli-connect-timeout", "5", "--cli-read-timeout", "30"] + list(extra) + list(args)
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=CALL_TIMEOUT)

    def test_cli(self):
        name = self.unique("cli")
        ok = self.cli(KEY1[0], KEY1[1], "sqs", "create-queue", "--queue-name", name)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertEqual(json.loads(ok.stdout)["QueueUrl"], "%s/%s/%s" % (self.server.endpoint, KEY1[2], name))
        bad = self.cli(KEY1[0], "wrong", "sqs", "list-queues")
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("(SignatureDoesNotMatch)", bad.stderr)
        unknown = self.cli("AKIDNOSUCHKEY", "x", "sqs", "list-queues")
        self.assertIn("(InvalidClientTokenId)", unknown.stderr)
        unsigned = self.cli("x", "x", "sqs", "list-queues", extra=["--no-sign-request"])
        self.assertIn("(MissingAuthenticationToken)", unsigned.stderr)
        lam = self.cli(KEY1[0], KEY1[1], "lambda", "list-functions")
        self.assertEqual(lam.returncode, 0, lam.stderr)
        lam_bad = self.cli(KEY1[0], "wrong", "lambda", "list-functions")
        self.assertIn("(InvalidSignatureException)", lam_bad.stderr)
        self.assertIn(MISMATCH_MESSAGE, lam_bad.stderr)


class TestLambdaAuth(lambda_util.LambdaTestCase):
    server_args = key_args(KEY1, KEY2, KEY3)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lam = client_for(cls.server, "lambda", KEY1[0], KEY1[1])
        cls.sqs = client_for(cls.server, "sqs", KEY1[0], KEY1[1])

    def lambda_error(self, fn):
        with self.assertRaises(ClientError) as ctx:
            fn()
        err = ctx.exception.response["Error"]
        meta = ctx.exception.response["ResponseMetadata"]
        return err.get("Code"), meta["HTTPStatusCode"], err.get("Message")

    def test_create_and_invoke_with_the_right_key(self):
        created = self.create_function(fixture="py_version")
        self.assertEqual(created["FunctionArn"],
                         "arn:aws:lambda:%s:%s:function:%s" % (REGION, KEY1[2], created["FunctionName"]))
        _, _, doc = self.invoke(created["FunctionName"], {})
        self.assertEqual(doc["version"], "v1")
        # Another account's key sees nothing of it.
        other = client_for(self.server, "lambda", KEY2[0], KEY2[1])
        code, status, _ = self.lambda_error(lambda: other.get_function(FunctionName=created["FunctionName"]))
        self.assertEqual((code, status), ("ResourceNotFoundException", 404))

    def test_errors(self):
        wrong = client_for(self.server, "lambda", KEY1[0], "wrong")
        self.assertEqual(self.lambda_error(wrong.list_functions), ("InvalidSignatureException", 403, MISMATCH_MESSAGE))
        unknown = client_for(self.server, "lambda", "AKIDNOSUCHKEY", "x")
        self.assertEqual(self.lambda_error(unknown.list_functions),
                         ("UnrecognizedClientException", 403, TOKEN_MESSAGE))
        unsigned = client_for(self.server, "lambda", "x", "x", signature_version=UNSIGNED)
        self.assertEqual(self.lambda_error(unsigned.list_functions),
                         ("MissingAuthenticationTokenException", 403, "Missing Authentication Token"))
        # Lambda allows 5 minutes of skew ("... - 5 min."), SQS 15.
        with shifted_clock(-10):
            code, status, message = self.lambda_error(self.lam.list_functions)
        self.assertEqual((code, status), ("InvalidSignatureException", 403))
        self.assertEqual(EXPIRED_RE.fullmatch(message).group(1), "5", message)
        with shifted_clock(20):
            code, status, message = self.lambda_error(self.lam.list_functions)
        self.assertEqual((code, status), ("InvalidSignatureException", 403))
        self.assertRegex(message, FUTURE_RE)
        with shifted_clock(-4):
            self.lam.list_functions()
        # Raw: the REST shape is x-amzn-ErrorType plus {"message": ...}.
        status, headers, body = self.server.raw("GET", "/2015-03-31/functions/")
        self.assertEqual(status, 403)
        self.assertEqual(headers["x-amzn-errortype"], "MissingAuthenticationTokenException")
        self.assertEqual(json.loads(body), {"message": "Missing Authentication Token"})

    def test_tampered_invoke_payload(self):
        name = self.create_function(fixture="py_version")["FunctionName"]

        def tamper(request, **kwargs):
            request.body = request.body.replace(b"1", b"2")

        self.lam.meta.events.register("before-send.lambda.Invoke", tamper)
        try:
            code, status, _ = self.lambda_error(lambda: self.lam.invoke(FunctionName=name, Payload=b'{"n": 1}'))
        finally:
            self.lam.meta.events.unregister("before-send.lambda.Invoke", tamper)
        self.assertEqual((code, status), ("InvalidSignatureException", 403))

    def test_qualified_arn_path_is_double_encoded(self):
        created = self.create_function(fixture="py_version")
        _, _, doc = self.invoke(created["FunctionArn"] + ":$LATEST", {})
        self.assertEqual(doc["version"], "v1")

    def test_code_location_is_presigned(self):
        name = self.create_function(fixture="py_version")["FunctionName"]
        location = self.lam.get_function(FunctionName=name)["Code"]["Location"]
        parsed = urllib.parse.urlsplit(location)
        params = urllib.parse.parse_qs(parsed.query)
        self.assertEqual(parsed.path, "/_sqsemu/lambda/code/%s.zip" % name)
        self.assertEqual(params["X-Amz-Expires"], ["600"])
        self.assertTrue(params["X-Amz-Credential"][0].startswith(KEY1[0] + "/"))
        status, headers, body = fetch(location)
        self.assertEqual(status, 200)
        self.assertTrue(body.startswith(b"PK"))
        status, headers, body = fetch(location[:-1] + ("0" if location[-1] != "0" else "1"))
        self.assertEqual((status, headers.get("x-amzn-errortype")), (403, "InvalidSignatureException"))
        status, headers, _ = fetch(location.split("?")[0])
        self.assertEqual((status, headers.get("x-amzn-errortype")), (403, "MissingAuthenticationTokenException"))

    def test_presigned_lambda_url(self):
        url = self.lam.generate_presigned_url("list_functions", ExpiresIn=60)
        status, _, body = fetch(url)
        self.assertEqual(status, 200, body)
        self.assertIn("Functions", json.loads(body))

    def test_chunked_invoke(self):
        name = self.create_function(fixture="py_version")["FunctionName"]
        req = SignedChunks(self.server, "lambda", KEY1[0], KEY1[1], "POST",
                           "/2015-03-31/functions/%s/invocations" % name, b'{"some": "payload", "n": 12345}',
                           "application/json")
        status, _, body = req.send()
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["version"], "v1")

    def test_handlers_get_a_key_of_their_account(self):
        url = self.sqs.create_queue(QueueName=self.unique("from-handler"))["QueueUrl"]
        self.addCleanup(self.sqs.delete_queue, QueueUrl=url)
        name = self.create_function(fixture="py_sqs_sender")["FunctionName"]
        _, _, doc = self.invoke(name, {"queue_url": url, "body": "sent by the handler"})
        self.assertIn("MessageId", doc or {}, doc)
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
        self.assertEqual(got[0]["Body"], "sent by the handler")


class TestAuthFile(ServerTestCase):
    """--auth FILE: lines of KEY SECRET [ACCOUNT]."""

    @classmethod
    def setUpClass(cls):
        cls.key_dir = tempfile.mkdtemp(prefix="sqsemu-keys-")
        cls.key_file = os.path.join(cls.key_dir, "keys")
        with open(cls.key_file, "w") as f:
            f.write("# sqsemu access keys\n\nfilekey1  file-secret-1  333344445555\n"
                    "   # a comment line\nfilekey2\tfile-secret-2\n")
        os.chmod(cls.key_file, 0o600)
        cls.server_args = ["--auth", cls.key_file]
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.key_dir, True)

    def test_keys_from_the_file(self):
        one = client_for(self.server, "sqs", "filekey1", "file-secret-1")
        name = self.unique("file")
        self.assertIn("/333344445555/", one.create_queue(QueueName=name)["QueueUrl"])
        two = client_for(self.server, "sqs", "filekey2", "file-secret-2", "query")
        self.assertIn("/%s/" % DEFAULT_ACCOUNT, two.create_queue(QueueName=name)["QueueUrl"])
        with self.assertRaises(ClientError) as ctx:
            client_for(self.server, "sqs", "filekey2", "file-secret-1").list_queues()
        self.assertEqual(ctx.exception.response["Error"]["Code"], "SignatureDoesNotMatch")
        self.assertNotIn("readable", self.server.log())
        self.assertNotIn("without --auth", self.server.log())


class TestAuthStartup(unittest.TestCase):
    """Key problems stop the server before it listens; a readable key file is warned about."""

    def run_bin(self, *args):
        return subprocess.run([BIN, "--in-memory", "--host", "127.0.0.1", "--port", "0"] + list(args),
                              capture_output=True, text=True, timeout=CALL_TIMEOUT)

    def key_file(self, text, mode=0o600):
        d = tempfile.mkdtemp(prefix="sqsemu-keys-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "keys")
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def test_malformed_file_names_the_line(self):
        path = self.key_file("good secret\nbad-line-without-secret\n")
        proc = self.run_bin("--auth", path)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("%s:2: expected KEY SECRET [ACCOUNT], found 1 field" % path, proc.stderr)
        path = self.key_file("k s 1234\n")
        proc = self.run_bin("--auth", path)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("%s:1: the account of k must be 12 digits" % path, proc.stderr)
        proc = self.run_bin("--auth", "/nonexistent/keys")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("cannot read /nonexistent/keys", proc.stderr)

    def test_bad_auth_key_is_not_echoed(self):
        proc = self.run_bin("--auth-key", "key-without-secret")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("expected KEY:SECRET or KEY:SECRET:ACCOUNT", proc.stderr)
        proc = self.run_bin("--auth-key", "k:topsecretvalue:12")
        self.assertEqual(proc.returncode, 2)
        self.assertNotIn("topsecretvalue", proc.stderr)

    def test_readable_key_file_is_warned_about(self):
        path = self.key_file("k s\n", 0o644)
        server = harness.Server(in_memory=True, extra_args=["--auth", path]).start()
        try:
            self.assertTrue(wait_until(lambda: "chmod 600" in server.log(), timeout=5), server.log())
        finally:
            server.cleanup()


class TestOpenByDefault(ServerTestCase):
    """Without --auth nothing is verified (and 127.0.0.1 is not warned about)."""

    def test_unsigned_requests_are_accepted(self):
        for protocol in ("json", "query"):
            sqs = client_for(self.server, "sqs", "x", "x", protocol, signature_version=UNSIGNED)
            name = self.unique("open")
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
            self.assertIn("/%s/" % DEFAULT_ACCOUNT, url)
        lam = client_for(self.server, "lambda", "x", "x", signature_version=UNSIGNED)
        self.assertIn("Functions", lam.list_functions())
        # Any signature at all, right or wrong, is not checked either.
        self.server.client("sqs").list_queues()

    def test_chunked_body_is_still_decoded(self):
        sqs = self.server.client("sqs", protocol="query")
        url = sqs.create_queue(QueueName=self.unique("open-chunked"))["QueueUrl"]
        form = urllib.parse.urlencode({"Action": "SendMessage", "QueueUrl": url, "MessageBody": "unverified"}).encode()
        req = SignedChunks(self.server, "sqs", "any", "thing", "POST", "/", form, "application/x-www-form-urlencoded")
        status, _, body = req.send()
        self.assertEqual(status, 200, body)
        self.assertEqual(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"][0]["Body"], "unverified")

    def test_no_warning_on_loopback(self):
        # Time passing, not server state: the server reports nothing about its log, so output
        # written at start-up is given 0.1 s to reach the log file.
        time.sleep(0.1)
        self.assertNotIn("without --auth", self.server.log())


if __name__ == "__main__":
    unittest.main()
