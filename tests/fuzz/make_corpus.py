#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer targets: tests/fuzz/corpus/<target>/<name>.

The seeds are small hand-made inputs: real SDK request bodies, query bodies, filter
patterns, handler responses, raw Runtime API requests and zip archives (with ../ entries,
symbolic links and odd modes). Deterministic: running it again rewrites the same files.
Usage: python3 tests/fuzz/make_corpus.py [corpus-dir]
"""
import base64
import hashlib
import hmac
import io
import json
import os
import shutil
import stat
import sys
import zipfile

ACTIONS = [
    "AddPermission", "CancelMessageMoveTask", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch",
    "CreateQueue", "DeleteMessage", "DeleteMessageBatch", "DeleteQueue", "GetQueueAttributes", "GetQueueUrl",
    "ListDeadLetterSourceQueues", "ListMessageMoveTasks", "ListQueueTags", "ListQueues", "PurgeQueue",
    "ReceiveMessage", "RemovePermission", "SendMessage", "SendMessageBatch", "SetQueueAttributes",
    "StartMessageMoveTask", "TagQueue", "UntagQueue",
]
UNKNOWN_ACTION = len(ACTIONS)     # fuzz_sqs_json: an unknown action name
ACTION_FROM_PARAM = len(ACTIONS)  # fuzz_sqs_query: the Action parameter decides

URL = "http://localhost:9324/000000000000/orders"
FIFO_URL = "http://localhost:9324/000000000000/orders.fifo"
HANDLE = ("AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq/9gEeWwQjtYOhMF0ySpyITFp9GHY8Ftc1kSJKlQNsp1kHwGs"
          "KLXRDsSmjDjAzNvl7GqSxFs1kUSfHvcJ4k/CV1KXTLdx9Sf0bGiLG3m+R5hE3Vp8Q1v5GdIeI6w==")
RECORD_ID = "059f36b4-87a3-44ab-83d2-66197583000%d"
REQUEST_ID = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"


def compact(doc):
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


def sqs_json_seeds():
    def seed(action, body):
        raw = body if isinstance(body, bytes) else compact(body)
        return bytes([ACTIONS.index(action) if action else UNKNOWN_ACTION]) + raw

    attrs = {"color": {"DataType": "String", "StringValue": "red"},
             "count": {"DataType": "Number", "StringValue": "42"},
             "blob": {"DataType": "Binary", "BinaryValue": base64.b64encode(b"\x00\x01\xfe").decode()}}
    return {
        "create-queue": seed("CreateQueue", {"QueueName": "orders.fifo", "Attributes": {
            "FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "60",
            "RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\","
                             "\"maxReceiveCount\":\"5\"}"}, "tags": {"team": "payments"}}),
        "send-message": seed("SendMessage", {"QueueUrl": URL, "MessageBody": "{\"order\":17}", "DelaySeconds": 5,
                                             "MessageAttributes": attrs, "MessageSystemAttributes": {
                                                 "AWSTraceHeader": {"DataType": "String", "StringValue":
                                                                    "Root=1-5759e988-bd862e3fe1be46a994272793"}}}),
        "send-message-batch": seed("SendMessageBatch", {"QueueUrl": FIFO_URL, "Entries": [
            {"Id": "m1", "MessageBody": "one", "MessageGroupId": "g", "MessageDeduplicationId": "d1"},
            {"Id": "m2", "MessageBody": "two", "MessageGroupId": "g", "MessageAttributes": attrs}]}),
        "receive-message": seed("ReceiveMessage", {"QueueUrl": URL, "AttributeNames": ["All"],
                                                   "MessageSystemAttributeNames": ["SentTimestamp"],
                                                   "MessageAttributeNames": ["All"], "MaxNumberOfMessages": 10,
                                                   "VisibilityTimeout": 30, "WaitTimeSeconds": 20,
                                                   "ReceiveRequestAttemptId": "attempt-1"}),
        "delete-message-batch": seed("DeleteMessageBatch", {"QueueUrl": URL, "Entries": [
            {"Id": "a", "ReceiptHandle": HANDLE}, {"Id": "b", "ReceiptHandle": HANDLE}]}),
        "change-visibility-batch": seed("ChangeMessageVisibilityBatch", {"QueueUrl": URL, "Entries": [
            {"Id": "a", "ReceiptHandle": HANDLE, "VisibilityTimeout": 0}]}),
        "set-queue-attributes": seed("SetQueueAttributes", {"QueueUrl": URL, "Attributes": {
            "RedriveAllowPolicy": "{\"redrivePermission\":\"byQueue\",\"sourceQueueArns\":[]}",
            "Policy": "{\"Version\":\"2012-10-17\"}"}}),
        "tag-queue": seed("TagQueue", {"QueueUrl": URL, "Tags": {"k\u00e9y": "v\U0001F600"}}),
        "list-queues": seed("ListQueues", {"QueueNamePrefix": "ord", "MaxResults": 1000, "NextToken": "abc"}),
        "start-move-task": seed("StartMessageMoveTask", {"SourceArn": "arn:aws:sqs:us-east-1:000000000000:dlq",
                                                          "MaxNumberOfMessagesPerSecond": 50}),
        "escapes": seed("SendMessage", b'{"QueueUrl":"q","MessageBody":"\\ud83d\\ude00 \\u00e9 \\"\\\\\\/\\b\\f\\n\\r\\t"}'),
        "lone-surrogate": seed("SendMessage", b'{"QueueUrl":"q","MessageBody":"\\ud800x"}'),
        "escaped-nul": seed("GetQueueUrl", b'{"QueueName":"a\\u0000b"}'),
        "wrong-type": seed("ChangeMessageVisibility", b'{"QueueUrl":"q","ReceiptHandle":"h","VisibilityTimeout":"30"}'),
        "huge-number": seed("ListQueues", b'{"MaxResults":1e400,"Other":-0.0}'),
        "not-an-object": seed("PurgeQueue", b'["QueueUrl"]'),
        "empty-body": seed("DeleteQueue", b""),
        "unknown-action": seed(None, {"QueueUrl": URL}),
    }


def sqs_query_seeds():
    def seed(action, body, query=b""):
        pick = ACTIONS.index(action) if action else ACTION_FROM_PARAM
        return bytes([pick]) + (query + b"\n" if query else b"") + body

    return {
        "send-message": seed(None, b"Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A9324"
                                   b"%2F000000000000%2Forders&MessageBody=hello+world%21&DelaySeconds=0"
                                   b"&MessageAttribute.1.Name=color&MessageAttribute.1.Value.DataType=String"
                                   b"&MessageAttribute.1.Value.StringValue=red&MessageAttribute.2.Name=blob"
                                   b"&MessageAttribute.2.Value.DataType=Binary"
                                   b"&MessageAttribute.2.Value.BinaryValue=AAH%2B"),
        "create-queue": seed(None, b"Action=CreateQueue&QueueName=orders.fifo&Attribute.1.Name=FifoQueue"
                                   b"&Attribute.1.Value=true&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=45"
                                   b"&DefaultVisibilityTimeout=30&Tag.1.Key=team&Tag.1.Value=payments"),
        "send-message-batch": seed("SendMessageBatch", b"QueueUrl=q&SendMessageBatchRequestEntry.1.Id=m1"
                                                       b"&SendMessageBatchRequestEntry.1.MessageBody=one"
                                                       b"&SendMessageBatchRequestEntry.2.Id=m2"
                                                       b"&SendMessageBatchRequestEntry.2.MessageBody=two"
                                                       b"&SendMessageBatchRequestEntry.2.DelaySeconds=5"
                                                       b"&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=a"
                                                       b"&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value"
                                                       b".DataType=Number"
                                                       b"&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value"
                                                       b".StringValue=1"),
        "receive-message": seed(None, b"Action=ReceiveMessage&QueueUrl=q&AttributeName.1=All"
                                      b"&MessageSystemAttributeName.1=SentTimestamp&MessageAttributeName.1=All"
                                      b"&MaxNumberOfMessages=10&WaitTimeSeconds=20&VisibilityTimeout=-1"),
        "delete-message-batch": seed(None, b"Action=DeleteMessageBatch&QueueUrl=q"
                                           b"&DeleteMessageBatchRequestEntry.1.Id=a"
                                           b"&DeleteMessageBatchRequestEntry.1.ReceiptHandle=" +
                                     HANDLE.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D").encode()),
        "change-visibility-batch": seed("ChangeMessageVisibilityBatch",
                                        b"ChangeMessageVisibilityBatchRequestEntry.1.Id=a"
                                        b"&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=h"
                                        b"&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=0"),
        "query-string-and-body": seed(None, b"QueueNamePrefix=ord&MaxResults=5", b"Action=ListQueues&Version=2012-11-05"),
        "get-queue-url": seed(None, b"", b"Action=GetQueueUrl&QueueName=orders&QueueOwnerAWSAccountId=000000000000"),
        "empty-list-marker": seed("GetQueueAttributes", b"QueueUrl=q&AttributeName="),
        "untag": seed("UntagQueue", b"QueueUrl=q&TagKey.1=a&TagKey.2=b&TagKey.10=c&TagKey.01=d&TagKey.0=e"),
        "add-permission": seed("AddPermission", b"QueueUrl=q&Label=l&AWSAccountId.1=111122223333&ActionName.1=*"),
        "duplicates": seed(None, b"Action=TagQueue&Tag.1.Key=a&Tag.1.Value=x&Tag.2.Key=a&Tag.2.Value=y&Tag.1.Key=b"),
        "nul-byte": seed("SendMessage", b"QueueUrl=q&MessageBody=a%00b"),
        "bad-escape": seed("SendMessage", b"QueueUrl=q&MessageBody=100%"),
        "bad-integer": seed("ListQueues", b"MaxResults=99999999999999999999&Version"),
        "boolean-ish": seed("StartMessageMoveTask", b"SourceArn=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Adlq"
                                                    b"&MaxNumberOfMessagesPerSecond=+7"),
    }


# fuzz_receipt keys handles with 32 bytes of 0x5A, so that seeds can carry a valid MAC.
RECEIPT_KEY = b"\x5a" * 32


def receipt_seeds():
    def handle(fields, version=0x5B, nonce=b"\x11" * 11, key=RECEIPT_KEY):
        body = bytes([version]) + nonce[:3] + b"".join(v.to_bytes(8, "big", signed=True) for v in fields) + nonce[3:]
        return base64.b64encode(body + hmac.new(key, body, hashlib.sha256).digest())

    good = handle([1, 42, -7, 1700000000000, 3])
    return {
        "valid": good,
        "valid-extremes": handle([2 ** 63 - 1, 2 ** 63 - 1, -2 ** 63, 2 ** 50, 2 ** 63 - 1]),
        "out-of-range": handle([1, 42, -7, 2 ** 63 - 1, 3]),
        "zero-count": handle([1, 42, -7, 1700000000000, 0]),
        "wrong-version": handle([1, 42, -7, 1700000000000, 3], version=0x5A),
        "other-key": handle([1, 42, -7, 1700000000000, 3], key=b"\x00" * 32),
        "short": good[:-4],
        "long": good + b"AAAA",
        "padding": base64.b64encode(b"\x5b" * 83),
        "bad-char": good[:10] + b"*" + good[11:],
        "url-safe": good.replace(b"+", b"-").replace(b"/", b"_"),
        "whitespace": good[:32] + b"\n" + good[33:],
        "aws-style": HANDLE.encode(),
        "empty": b"",
        "only-padding": b"====",
    }


def queue_ref_seeds():
    texts = [
        URL, "https://sqs.eu-west-1.amazonaws.com/000000000000/orders",
        "http://eu-west-1.queue.localhost.localstack.cloud:4566/000000000000/orders",
        "http://localhost:4566/queue/us-east-1/000000000000/orders.fifo", "orders",
        "/000000000000/orders?Action=SendMessage", "http://host/123456789012/dlq/", "http:///",
        "arn:aws:sqs:us-east-1:000000000000:orders", "arn:aws:sqs:eu-west-1:000000000000:orders",
        "arn:aws:sqs:us-east-1:000000000000:", "arn:aws-cn:sqs:us-east-1:000000000000:orders.fifo",
        "my-function", "my-function:$LATEST", "my-function:prod", "000000000000:function:my-function",
        "000000000000:function:my-function:7",
        "arn:aws:lambda:us-east-1:000000000000:function:my-function",
        "arn:aws:lambda:us-east-1:000000000000:function:my-function:live",
        "arn:aws:lambda:eu-west-1:123456789012:function:other",
        "arn:aws:lambda:us-east-1:000000000000:function:a:b:c",
        "a" * 65, "f:" + "q" * 128,
    ]
    return {"%02d" % i: t.encode() for i, t in enumerate(texts)}


def filter_seeds():
    def seed(pattern, body=b"", attributes=None):
        p = pattern if isinstance(pattern, bytes) else compact(pattern)
        b = body if isinstance(body, bytes) else compact(body)
        out = p + b"\0" + b
        if attributes is not None:
            out += b"\0" + compact(attributes)
        return out

    color = {"color": {"DataType": "String", "StringValue": "red"},
             "n": {"DataType": "Number", "StringValue": "12"}}
    return {
        "body-equals": seed({"body": {"status": ["active"]}}, {"status": "active", "n": 5}),
        "numeric-range": seed({"body": {"price": [{"numeric": [">", 10, "<=", 100]}]}}, {"price": 50.5}),
        "numeric-eq": seed({"body": {"n": [{"numeric": ["=", 3e2]}, 300]}}, b'{"n":300.0}'),
        "prefix-suffix": seed({"body": {"name": [{"prefix": "ord"}, {"suffix": ".png"}]}}, {"name": ["x.png", 1]}),
        "anything-but": seed({"body": {"state": [{"anything-but": ["a", "b"]}],
                                       "n": [{"anything-but": 5}]}}, {"state": "c", "n": 6}),
        "exists": seed({"body": {"x": [{"exists": False}], "y": [{"exists": True}]}}, {"y": {"z": [None]}}),
        "ignore-case": seed({"body": {"c": [{"equals-ignore-case": "RED"}]}}, {"c": "rEd"}),
        "message-attributes": seed({"messageAttributes": {"color": {"stringValue": ["red"]}}}, "plain", color),
        "attributes": seed({"attributes": {"ApproximateReceiveCount": ["1"], "SenderId": [{"prefix": "AIDA"}]}},
                           "x"),
        "plain-body": seed({"body": ["plain text"]}, b"plain text"),
        "nested-arrays": seed({"body": {"a": {"b": [None, True, False, 1.5, "x"]}}}, {"a": [{"b": 1.5}, [{"b": "x"}]]}),
        "source-fields": seed({"eventSource": ["aws:sqs"], "awsRegion": [{"exists": False}]}, "{}"),
        "unicode": seed(b'{"body":{"k":["\\ud83d\\ude00","\\u00e9"]}}', "{\"k\":\"\U0001F600\"}"),
        "duplicate-keys": seed(b'{"body":{"k":["a"]},"body":{"k":["b"]}}', b'{"k":"b","k":"c"}'),
        "unsupported-wildcard": seed({"body": {"x": [{"wildcard": "*"}]}}, "{}"),
        "empty-leaf": seed(b'{"body":[]}', "{}"),
        "empty-object": seed(b"{}", "{}"),
        "deep": seed(b'{"a":' * 40 + b'["x"]' + b"}" * 40, b"[" * 40 + b"]" * 40),
    }


def batch_response_seeds():
    def seed(count, payload):
        return bytes([count]) + (payload if isinstance(payload, bytes) else compact(payload))

    one, two = RECORD_ID % 1, RECORD_ID % 2
    return {
        "one-failure": seed(3, {"batchItemFailures": [{"itemIdentifier": one}]}),
        "two-failures": seed(3, {"batchItemFailures": [{"itemIdentifier": two}, {"itemIdentifier": one}]}),
        "no-failures": seed(3, {"batchItemFailures": []}),
        "null-failures": seed(2, {"batchItemFailures": None}),
        "empty-object": seed(1, {}),
        "null": seed(1, b"null"),
        "empty": seed(3, b""),
        "empty-identifier": seed(3, {"batchItemFailures": [{"itemIdentifier": ""}]}),
        "null-identifier": seed(3, {"batchItemFailures": [{"itemIdentifier": None}]}),
        "unknown-identifier": seed(3, {"batchItemFailures": [{"itemIdentifier": "nope"}]}),
        "bad-key": seed(3, {"batchItemFailures": [{"itemidentifier": one}]}),
        "not-json": seed(3, b"OK"),
        "array": seed(3, b'[{"itemIdentifier":"x"}]'),
        "object-failures": seed(3, {"batchItemFailures": {"itemIdentifier": one}}),
        "trailing-bytes": seed(3, b'{"batchItemFailures":[]} trailing'),
        "other-members": seed(10, {"statusCode": 200, "batchItemFailures": [{"itemIdentifier": RECORD_ID % 9,
                                                                             "extra": 1}]}),
    }


def runtime_api_seeds():
    sep = b"\n~~~\n"
    prefix = b"/2018-06-01/runtime"
    base = prefix + b"/invocation/" + REQUEST_ID.encode()

    def get(path, extra=b""):
        return b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"\r\n"

    def post(path, body, extra=b""):
        return (b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + extra +
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)

    nxt = get(prefix + b"/invocation/next")
    err_body = b'{"errorMessage":"boom","errorType":"Handler.Error","stackTrace":[]}'
    return {
        "next-response": sep.join([nxt, post(base + b"/response", b'{"statusCode":200}')]),
        "next-error": sep.join([nxt, post(base + b"/error", err_body,
                                          b"Lambda-Runtime-Function-Error-Type: Unhandled\r\n")]),
        "next-empty-error": sep.join([nxt, post(base + b"/error", b"",
                                                b"Lambda-Runtime-Function-Error-Type: Runtime.Crash\r\n")]),
        "init-error": post(prefix + b"/init/error", err_body, b"Lambda-Runtime-Function-Error-Type: Init\r\n"),
        "init-error-late": sep.join([nxt, post(prefix + b"/init/error", b"{}")]),
        "next-twice": sep.join([nxt, nxt]),
        "response-first": sep.join([post(base + b"/response", b"early"), nxt]),
        "wrong-request-id": sep.join([nxt, post(prefix + b"/invocation/00000000-0000-0000-0000-000000000000/response",
                                                b"{}")]),
        "unknown-path": sep.join([get(prefix + b"/invocation"), post(prefix + b"/invocation/", b"x"),
                                  get(b"/2018-06-01/runtime/invocation/next/")]),
        "chunked": sep.join([nxt, b"POST " + base + b"/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"]),
        "expect-continue": sep.join([nxt, post(base + b"/response", b"{}", b"Expect: 100-continue\r\n")]),
        "pipelined": nxt + post(base + b"/response", b"[1,2,3]") + nxt,
        "short-body": sep.join([nxt, b"POST " + base + b"/response HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\n{}"]),
        "http10": sep.join([b"GET " + prefix + b"/invocation/next HTTP/1.0\r\n\r\n",
                            b"POST " + base + b"/response HTTP/1.0\r\nContent-Length: 2\r\n\r\nok"]),
        "garbage": b"GARBAGE\r\n\r\n" + sep + b"\x00\x01\x02 / HTTP/9.9\r\n\r\n",
    }


def make_zip(entries, compression=zipfile.ZIP_DEFLATED):
    """entries: (name, data, mode or None, system); mode None = DOS attributes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = compression
            if mode is None:
                info.create_system = 0
                info.external_attr = 0x10 if name.endswith("/") else 0
            else:
                info.create_system = 3
                info.external_attr = (mode & 0xFFFF) << 16
            z.writestr(info, data)
    return out.getvalue()


def zip_seeds():
    f, d, l = stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK
    return {
        "function": make_zip([("bootstrap", "#!/bin/sh\necho hi\n", f | 0o755),
                              ("handler.py", "def handler(e, c):\n    return e\n", f | 0o644)]),
        "dirs": make_zip([("lib/", b"", d | 0o755), ("lib/python/", b"", d | 0o700),
                          ("lib/python/mod.py", "x = 1\n", f | 0o600), ("empty/", b"", None)]),
        "inner-links": make_zip([("lib/libfoo.so.1", b"\x7fELF", f | 0o755), ("lib/libfoo.so", "libfoo.so.1", l | 0o777),
                                 ("a/b/up", "../../lib", l | 0o777), ("here", ".", l | 0o777)]),
        "escaping-link": make_zip([("evil", "../../../../sentinel", l | 0o777)]),
        "absolute-link": make_zip([("passwd", "/etc/passwd", l | 0o777)]),
        "link-then-write": make_zip([("sub/", b"", d | 0o755), ("link", "sub", l | 0o777),
                                     ("link/file", "through a link", f | 0o644)]),
        "dotdot-name": make_zip([("../escape.txt", "out", f | 0o644)]),
        "dotdot-inside": make_zip([("a/../../b.txt", "out", f | 0o644)]),
        "absolute-name": make_zip([("/tmp/abs.txt", "out", f | 0o644)]),
        "dot-entries": make_zip([("./", b"", d | 0o755), ("./x//y/./z.txt", "z", f | 0o644)]),
        "dos": make_zip([("README.TXT", "dos", None), ("DIR/", b"", None)]),
        "setuid": make_zip([("suid", "x", f | 0o6777), ("sticky/", b"", d | 0o1777)]),
        "fifo": make_zip([("pipe", b"", stat.S_IFIFO | 0o644)]),
        "stored": make_zip([("a.txt", "stored " * 20, f | 0o644)], zipfile.ZIP_STORED),
        "bzip2": make_zip([("b.txt", "b" * 5000, f | 0o644)], zipfile.ZIP_BZIP2),
        "lzma": make_zip([("c.txt", "c" * 5000, f | 0o644)], zipfile.ZIP_LZMA),
        "empty-archive": make_zip([]),
        "file-then-dir": make_zip([("x", "file", f | 0o644), ("x/", b"", d | 0o755)]),
    }


def cfn_yaml_seeds():
    """The SAM fixtures, and short templates with every short-form tag, block scalars,
    flow style, an alias and a duplicate key."""
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "sam")
    seeds = {}
    for name in sorted(os.listdir(fixtures)):
        with open(os.path.join(fixtures, name), "rb") as f:
            seeds["sam-" + name] = f.read()
    seeds["tags.yaml"] = (b"A: !GetAtt Q.Arn\nB: !Sub [x, {y: !Ref z}]\nC: !Join ['', [!If [c, a, b]]]\n"
                          b"D: !Select [0, !Split [',', !ImportValue e]]\nE: !FindInMap [M, k, v]\n"
                          b"F: !Base64 !Sub '${AWS::Region}'\nG: !Cidr [!GetAZs '', 2, 4]\n"
                          b"H: !And [!Equals [a, b], !Not [!Condition c], !Or [!Condition d]]\n")
    seeds["blocks.yaml"] = b"Code:\n  ZipFile: |\n    def h(e, c):\n        return 1\nDesc: >\n  folded\n  text\n"
    seeds["flow.yaml"] = b"{Resources: {Q: {Type: 'AWS::SQS::Queue', Properties: {DelaySeconds: 5}}}}"
    seeds["alias.yaml"] = b"A: &a [1, 2]\nB: *a\n"
    seeds["duplicate.yaml"] = b"A: 1\nA: 2\n"
    return seeds


TARGETS = {
    "fuzz_sqs_json": sqs_json_seeds,
    "fuzz_sqs_query": sqs_query_seeds,
    "fuzz_receipt": receipt_seeds,
    "fuzz_queue_ref": queue_ref_seeds,
    "fuzz_filter": filter_seeds,
    "fuzz_batch_response": batch_response_seeds,
    "fuzz_runtime_api": runtime_api_seeds,
    "fuzz_zip": zip_seeds,
    "fuzz_cfn_yaml": cfn_yaml_seeds,
}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    for target, make in TARGETS.items():
        out = os.path.join(root, target)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        for name, data in make().items():
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
        print("%-22s %3d seeds" % (target, len(os.listdir(out))))


if __name__ == "__main__":
    main()
