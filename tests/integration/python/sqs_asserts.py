"""Shared assertions and helpers for the SQS integration tests (both protocols)."""
import base64
import hashlib
import re
import struct
import time

from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
REGION = "us-east-1"

# Query error code -> (shape name botocore reports, HTTP status or None when AWS's
# documentation leaves the status open); the SQS service model's error shapes.
ERRORS = {
    "AWS.SimpleQueueService.NonExistentQueue": ("QueueDoesNotExist", 400),
    "QueueAlreadyExists": ("QueueNameExists", 400),
    "AWS.SimpleQueueService.QueueDeletedRecently": ("QueueDeletedRecently", 400),
    "AWS.SimpleQueueService.PurgeQueueInProgress": ("PurgeQueueInProgress", 403),
    "ReceiptHandleIsInvalid": ("ReceiptHandleIsInvalid", None),
    "AWS.SimpleQueueService.TooManyEntriesInBatchRequest": ("TooManyEntriesInBatchRequest", 400),
    "AWS.SimpleQueueService.EmptyBatchRequest": ("EmptyBatchRequest", 400),
    "AWS.SimpleQueueService.BatchEntryIdsNotDistinct": ("BatchEntryIdsNotDistinct", 400),
    "AWS.SimpleQueueService.InvalidBatchEntryId": ("InvalidBatchEntryId", 400),
    "AWS.SimpleQueueService.BatchRequestTooLong": ("BatchRequestTooLong", 400),
    "AWS.SimpleQueueService.UnsupportedOperation": ("UnsupportedOperation", 400),
    "InvalidAttributeName": ("InvalidAttributeName", 400),
    "InvalidAttributeValue": ("InvalidAttributeValue", 400),
    "InvalidMessageContents": ("InvalidMessageContents", 400),
    "OverLimit": ("OverLimit", 403),
    "InvalidParameterValue": ("InvalidParameterValueException", 400),
    "MissingParameter": ("MissingRequiredParameterException", 400),
}

# Shapes botocore raises a dedicated exception class for (modeled errors).
UNMODELED = {"InvalidParameterValueException", "MissingRequiredParameterException"}

QUEUE_DOES_NOT_EXIST_MESSAGE = {
    "json": "The specified queue does not exist.",
    "query": "The specified queue does not exist for this wsdl version.",
}


def _exception(ctx):
    return getattr(ctx, "exception", ctx)


def assert_client_error(ctx, code, message=None, protocol=None, status=None, shape=None):
    """Checks a botocore ClientError (or an assertRaises context holding one).

    code: the Query-era code, i.e. e.response["Error"]["Code"] on both protocols.
    message: exact text (str) or a compiled regex that must match fully.
    protocol: "json" or "query"; enables the per-protocol checks (the JSON
      shape name in Error.QueryErrorCode, the modeled exception class).
    status/shape default to the values in ERRORS for the code.
    """
    e = _exception(ctx)
    if not isinstance(e, ClientError):
        raise AssertionError("expected ClientError %s, got %r" % (code, e))
    err = e.response.get("Error", {})
    meta = e.response.get("ResponseMetadata", {})
    summary = "Error=%r HTTP=%r" % (err, meta.get("HTTPStatusCode"))
    if err.get("Code") != code:
        raise AssertionError("error code %r != %r (%s)" % (err.get("Code"), code, summary))
    if message is not None:
        got = err.get("Message")
        if hasattr(message, "fullmatch"):
            if got is None or not message.fullmatch(got):
                raise AssertionError("error message %r does not match /%s/ (%s)"
                                     % (got, message.pattern, summary))
        elif got != message:
            raise AssertionError("error message %r != %r (%s)" % (got, message, summary))
    if err.get("Type") != "Sender":
        raise AssertionError("error Type %r != 'Sender' (%s)" % (err.get("Type"), summary))
    known_shape, known_status = ERRORS.get(code, (None, None))
    shape = shape or known_shape
    status = status if status is not None else known_status
    if status is not None and meta.get("HTTPStatusCode") != status:
        raise AssertionError("HTTP status %r != %r (%s)" % (meta.get("HTTPStatusCode"), status, summary))
    if shape is not None and protocol == "json":
        if err.get("QueryErrorCode") != shape:
            raise AssertionError("JSON __type shape %r != %r (%s)"
                                 % (err.get("QueryErrorCode"), shape, summary))
    if shape is not None and shape not in UNMODELED and protocol is not None:
        if type(e).__name__ != shape:
            raise AssertionError("exception class %s != %s (%s)" % (type(e).__name__, shape, summary))
    return e


def assert_batch_failure(entry, entry_id, code, message=None, sender_fault=True):
    """Checks one BatchResultErrorEntry."""
    if entry.get("Id") != entry_id:
        raise AssertionError("failed entry id %r != %r (%r)" % (entry.get("Id"), entry_id, entry))
    if entry.get("Code") != code:
        raise AssertionError("failed entry code %r != %r (%r)" % (entry.get("Code"), code, entry))
    if entry.get("SenderFault") is not sender_fault:
        raise AssertionError("failed entry SenderFault %r != %r (%r)"
                             % (entry.get("SenderFault"), sender_fault, entry))
    if message is not None and entry.get("Message") != message:
        raise AssertionError("failed entry message %r != %r" % (entry.get("Message"), message))


def md5_hex(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.md5(data).hexdigest()


def _raw_binary(value):
    if isinstance(value, str):
        return base64.b64decode(value)
    return bytes(value)


def md5_of_attributes(attributes):
    """MD5OfMessageAttributes / MD5OfMessageSystemAttributes as SQS computes them
    (docs/sqs-semantics.md, Digests, identifiers, timestamps).

    attributes: {name: {"DataType": ..., "StringValue": ...}} or with
    "BinaryValue" (bytes, or a base64 string)."""
    buf = bytearray()
    for name in sorted(attributes, key=lambda n: n.encode("utf-8")):
        value = attributes[name]
        for part in (name, value["DataType"]):
            raw = part.encode("utf-8")
            buf += struct.pack(">I", len(raw)) + raw
        if "StringValue" in value:
            raw = value["StringValue"].encode("utf-8")
            buf += b"\x01" + struct.pack(">I", len(raw)) + raw
        else:
            raw = _raw_binary(value["BinaryValue"])
            buf += b"\x02" + struct.pack(">I", len(raw)) + raw
    return hashlib.md5(bytes(buf)).hexdigest()


UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def queue_url(endpoint, name, account=ACCOUNT):
    return "%s/%s/%s" % (endpoint, account, name)


def queue_arn(name, account=ACCOUNT, region=REGION):
    return "arn:aws:sqs:%s:%s:%s" % (region, account, name)


def now_ms():
    return int(time.time() * 1000)


class SqsCase(object):
    """Mixin for the protocol-parameterised test bases. Concrete classes derive
    from (<Base>, harness.ServerTestCase) and set protocol = "json" / "query"."""

    protocol = None
    read_timeout = 25

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.sqs = cls.server.client(protocol=cls.protocol, read_timeout=cls.read_timeout)
        except Exception:
            cls.server.cleanup()
            raise

    # -- assertions ---------------------------------------------------------
    def assertError(self, ctx, code, message=None, **kwargs):
        return assert_client_error(ctx, code, message, protocol=self.protocol, **kwargs)

    def assertQueueDoesNotExist(self, ctx):
        return self.assertError(ctx, "AWS.SimpleQueueService.NonExistentQueue",
                                QUEUE_DOES_NOT_EXIST_MESSAGE[self.protocol])

    def assertInvalidParameter(self, ctx, message=None):
        return self.assertError(ctx, "InvalidParameterValue", message)

    # -- helpers ------------------------------------------------------------
    def url_for(self, name):
        return queue_url(self.server.endpoint, name)

    def create_queue(self, name=None, attributes=None, tags=None, prefix="q"):
        name = name or self.unique(prefix)
        kwargs = {"QueueName": name}
        if attributes is not None:
            kwargs["Attributes"] = attributes
        if tags is not None:
            kwargs["tags"] = tags
        return self.sqs.create_queue(**kwargs)["QueueUrl"]

    def queue_attributes(self, url, names=("All",)):
        resp = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(names))
        return resp.get("Attributes", {})

    def receive(self, url, **kwargs):
        kwargs.setdefault("WaitTimeSeconds", 0)
        return self.sqs.receive_message(QueueUrl=url, **kwargs).get("Messages", [])
