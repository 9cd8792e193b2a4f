"""Forces boto3 onto the AWS Query protocol for SQS.

botocore 1.43 only ships SQS's JSON-protocol model. The query wire format is
fully described by the same shapes plus a handful of serialization traits
(flattened lists/maps, per-member XML/query names, result wrappers, the Query
error codes), so this module takes botocore's own model at runtime, adds those
traits (docs/sqs-semantics.md, The two wire protocols), writes the result to a private data
directory as ``sqs/2012-11-05/service-2.json`` and returns sessions whose data
loader searches that directory before botocore's bundled data.

    from query_model import query_session
    client = query_session().client("sqs", endpoint_url=...)

``record_requests(client)`` attaches a before-send hook and returns the list the
outgoing requests are appended to, so tests can prove what went on the wire.
"""
import atexit
import copy
import json
import os
import shutil
import tempfile
import threading

import boto3
import botocore.session

API_VERSION = "2012-11-05"
XML_NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/"

# Element name used for one item of each flattened list shape.
LIST_MEMBER_NAMES = {
    "QueueUrlList": "QueueUrl",
    "AttributeNameList": "AttributeName",
    "MessageSystemAttributeList": "AttributeName",  # the model gives it the wire name of AttributeNames
    "MessageAttributeNameList": "MessageAttributeName",
    "TagKeyList": "TagKey",
    "AWSAccountIdList": "AWSAccountId",
    "ActionNameList": "ActionName",
    "MessageList": "Message",
    "SendMessageBatchRequestEntryList": "SendMessageBatchRequestEntry",
    "DeleteMessageBatchRequestEntryList": "DeleteMessageBatchRequestEntry",
    "ChangeMessageVisibilityBatchRequestEntryList": "ChangeMessageVisibilityBatchRequestEntry",
    "SendMessageBatchResultEntryList": "SendMessageBatchResultEntry",
    "DeleteMessageBatchResultEntryList": "DeleteMessageBatchResultEntry",
    "ChangeMessageVisibilityBatchResultEntryList": "ChangeMessageVisibilityBatchResultEntry",
    "BatchResultErrorEntryList": "BatchResultErrorEntry",
    "ListMessageMoveTasksResultEntryList": "ListMessageMoveTasksResultEntry",
    # Reserved list-valued message attributes (never sent); not flattened.
    "StringList": "StringListValue",
    "BinaryList": "BinaryListValue",
}
NOT_FLATTENED = {"StringList", "BinaryList"}

# (key element, value element) of each map shape.
MAP_ENTRY_NAMES = {
    "QueueAttributeMap": ("Name", "Value"),
    "MessageSystemAttributeMap": ("Name", "Value"),
    "MessageBodyAttributeMap": ("Name", "Value"),
    "MessageBodySystemAttributeMap": ("Name", "Value"),
    "TagMap": ("Key", "Value"),
}

# Element/parameter prefix used by a structure member that refers to a map.
MAP_MEMBER_NAMES = {
    "QueueAttributeMap": "Attribute",
    "MessageSystemAttributeMap": "Attribute",
    "MessageBodyAttributeMap": "MessageAttribute",
    "MessageBodySystemAttributeMap": "MessageSystemAttribute",
    "TagMap": "Tag",
}

# Modeled error shape -> (Query error code, HTTP status), as the JSON protocol's
# x-amzn-query-error header carries them.
ERROR_CODES = {
    "QueueDoesNotExist": ("AWS.SimpleQueueService.NonExistentQueue", 400),
    "QueueNameExists": ("QueueAlreadyExists", 400),
    "QueueDeletedRecently": ("AWS.SimpleQueueService.QueueDeletedRecently", 400),
    "PurgeQueueInProgress": ("AWS.SimpleQueueService.PurgeQueueInProgress", 403),
    "MessageNotInflight": ("AWS.SimpleQueueService.MessageNotInflight", 400),
    "ReceiptHandleIsInvalid": ("ReceiptHandleIsInvalid", 404),
    "InvalidIdFormat": ("InvalidIdFormat", 400),
    "TooManyEntriesInBatchRequest": ("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400),
    "EmptyBatchRequest": ("AWS.SimpleQueueService.EmptyBatchRequest", 400),
    "BatchEntryIdsNotDistinct": ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400),
    "InvalidBatchEntryId": ("AWS.SimpleQueueService.InvalidBatchEntryId", 400),
    "BatchRequestTooLong": ("AWS.SimpleQueueService.BatchRequestTooLong", 400),
    "UnsupportedOperation": ("AWS.SimpleQueueService.UnsupportedOperation", 400),
    "InvalidAttributeName": ("InvalidAttributeName", 400),
    "InvalidAttributeValue": ("InvalidAttributeValue", 400),
    "InvalidMessageContents": ("InvalidMessageContents", 400),
    "OverLimit": ("OverLimit", 403),
    "InvalidAddress": ("InvalidAddress", 404),
    "InvalidSecurity": ("InvalidSecurity", 403),
    "RequestThrottled": ("RequestThrottled", 403),
    "ResourceNotFoundException": ("ResourceNotFoundException", 404),
    "KmsAccessDenied": ("KMS.AccessDeniedException", 400),
    "KmsDisabled": ("KMS.DisabledException", 400),
    "KmsInvalidKeyUsage": ("KMS.InvalidKeyUsageException", 400),
    "KmsInvalidState": ("KMS.InvalidStateException", 400),
    "KmsNotFound": ("KMS.NotFoundException", 400),
    "KmsOptInRequired": ("KMS.OptInRequired", 403),
    "KmsThrottled": ("KMS.ThrottlingException", 400),
}


class PatchError(RuntimeError):
    pass


def patch_model(model):
    """Returns a copy of the JSON-protocol SQS model turned into a Query model."""
    model = copy.deepcopy(model)
    shapes = model["shapes"]

    meta = model["metadata"]
    meta["protocol"] = "query"
    meta["protocols"] = ["query"]
    meta["xmlNamespace"] = XML_NAMESPACE
    for key in ("jsonVersion", "targetPrefix", "awsQueryCompatible"):
        meta.pop(key, None)

    for op_name, op in model["operations"].items():
        if "output" in op:
            op["output"]["resultWrapper"] = op_name + "Result"

    for shape_name, member_name in LIST_MEMBER_NAMES.items():
        shape = shapes.get(shape_name)
        if shape is None:
            continue
        if shape["type"] != "list":
            raise PatchError("%s is not a list" % shape_name)
        if shape_name not in NOT_FLATTENED:
            shape["flattened"] = True
        shape["member"]["locationName"] = member_name

    for shape_name, (key_name, value_name) in MAP_ENTRY_NAMES.items():
        shape = shapes.get(shape_name)
        if shape is None:
            continue
        if shape["type"] != "map":
            raise PatchError("%s is not a map" % shape_name)
        shape["flattened"] = True
        shape["key"]["locationName"] = key_name
        shape["value"]["locationName"] = value_name

    # Structure members referring to maps carry the element/parameter prefix.
    for shape in shapes.values():
        if shape["type"] != "structure":
            continue
        for member in shape.get("members", {}).values():
            target = member["shape"]
            if target in MAP_MEMBER_NAMES:
                member["locationName"] = MAP_MEMBER_NAMES[target]

    for shape_name, (code, status) in ERROR_CODES.items():
        shape = shapes.get(shape_name)
        if shape is None:
            continue
        shape["error"] = {"code": code, "httpStatusCode": status, "senderFault": True}

    # Sanity: every list/map the operations use must now have wire names.
    for shape_name, shape in shapes.items():
        if shape["type"] == "list" and "locationName" not in shape["member"]:
            raise PatchError("list shape %s has no member name" % shape_name)
        if shape["type"] == "map" and shape_name not in MAP_ENTRY_NAMES:
            raise PatchError("map shape %s is not covered" % shape_name)
    return model


_lock = threading.Lock()
_data_dir = None


def _cleanup(path):
    shutil.rmtree(path, ignore_errors=True)


def query_data_dir():
    """The directory holding the patched model (built once per process)."""
    global _data_dir
    with _lock:
        if _data_dir is None:
            loader = botocore.session.Session().get_component("data_loader")
            original = loader.load_service_model("sqs", "service-2", api_version=API_VERSION)
            patched = patch_model(original)
            path = tempfile.mkdtemp(prefix="sqsemu-query-model-")
            atexit.register(_cleanup, path)
            target = os.path.join(path, "sqs", API_VERSION)
            os.makedirs(target)
            with open(os.path.join(target, "service-2.json"), "w") as f:
                json.dump(patched, f)
            _data_dir = path
        return _data_dir


def query_botocore_session():
    session = botocore.session.Session()
    loader = session.get_component("data_loader")
    loader.search_paths.insert(0, query_data_dir())
    model = session.get_service_model("sqs")
    if model.protocol != "query":
        raise PatchError("patched SQS model was not picked up (protocol %r)" % model.protocol)
    return session


def query_session():
    """A boto3 Session whose SQS clients speak the Query protocol."""
    return boto3.session.Session(botocore_session=query_botocore_session())


def record_requests(client):
    """Records every request the client sends: list of dicts with method, url,
    headers (lower-case names) and body (bytes)."""
    seen = []

    def hook(request, **kwargs):
        body = request.body
        if body is None:
            body = b""
        elif hasattr(body, "read"):
            body = b"<stream>"
        elif isinstance(body, str):
            body = body.encode("utf-8")
        seen.append({
            "method": request.method,
            "url": request.url,
            "headers": {k.lower(): (v.decode() if isinstance(v, bytes) else v)
                        for k, v in request.headers.items()},
            "body": bytes(body),
        })

    client.meta.events.register("before-send.sqs", hook)
    return seen


if __name__ == "__main__":
    # Self-check without any server: show how a batch call is serialized.
    s = query_session()
    c = s.client("sqs", endpoint_url="http://127.0.0.1:9", region_name="us-east-1",
                 aws_access_key_id="a", aws_secret_access_key="b")
    print("protocol:", c.meta.service_model.protocol)
    ser = c._serializer
    op = c.meta.service_model.operation_model("SendMessageBatch")
    print(ser.serialize_to_request({"QueueUrl": "u", "Entries": [
        {"Id": "a", "MessageBody": "x", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}]},
        op)["body"])
