"""Bad input gets a clear AWS-shaped error and changes nothing.

One table of hostile or malformed requests (ROWS below). Each row is sent as raw bytes
(http.client or a plain socket: an SDK would refuse to send most of them, and nothing is
signed) and must get exactly its HTTP status and error code:

  SQS JSON protocol  the shape name after '#' in the body's __type
  SQS query protocol <Error><Code> of the ErrorResponse
  Lambda REST        the x-amzn-ErrorType header up to its first ':'
  malformed HTTP     the status only

Around every row the test checks that nothing happened besides the answer: the server
process still runs and answers ListQueues, and a snapshot of its state is unchanged
(queues with all attributes and tags, functions with their configurations, event-source
mappings, every file and directory under the data directory except the SQLite files),
and no file outside the data directory changed (a sentinel directory, and the directories
that hot-reload functions point at).

The fixture is one server per class in a scratch directory laid out as
    <scratch>/data/        the server's --data-dir
    <scratch>/sentinel/    must never change
    <scratch>/victim-*/    hot-reload code directories outside the data dir
    <scratch>/other-code/  a second hot-reload directory
    <scratch>/data/inside-victim/  a directory inside the data dir
with a standard queue holding messages and tags, a FIFO queue with messages, a queue of
ten messages for the huge-list receives, a sink queue for sends that should fail, a queue
for receipt handles, a python function and a disabled event-source mapping from the
standard queue to it. Rows that need something to destroy (a queue, a function, a message
in flight) create it in their prepare step, before the snapshot they are compared with.

Every row is its own test method (test_row_NNN_<id>), so the runner's count reflects rows,
and test_table goes over the whole table with subTest(id). Each row runs once per process:
test_table (which sorts after the row methods) only reports the rows that no row method
reported, so a failing row is counted once, whether the whole class runs or test_table
alone. Rows whose note says "sqsemu's rule" expect what the project decided where AWS
documents nothing (docs/security.md, docs/aws-fidelity.md).

BADINPUT_TABLE=1 in the environment prints every row's actual status and code at the end.
"""
import base64
import hashlib
import http.client
import io
import json
import os
import random
import resource
import select
import shutil
import socket
import tempfile
import threading
import time
import traceback
import unittest
import xml.etree.ElementTree as ET
import zipfile
from urllib.parse import quote

import harness
from lambda_util import PY_RUNTIME, ROLE, zip_fixture

JSON_CT = "application/x-amz-json-1.0"
FORM_CT = "application/x-www-form-urlencoded"
SQS_BODY_LIMIT = 8 * 1024 * 1024
LAMBDA_BODY_LIMIT = 70167211
API = "/2015-03-31"
FUNCTION = "badin-fn"
SQLITE_FILES = {"sqsemu.db", "sqsemu.db-wal", "sqsemu.db-shm", "sqsemu.db-journal"}
CLOSED = "closed"      # a status meaning: the server closed the connection without an answer
RAW_TIMEOUT = 5.0      # a malformed-HTTP row must be answered within this
HTTP_TIMEOUT = 20.0    # any other request


# ---------------------------------------------------------------------------------------
# requests


class Http:
    """One request through http.client (sends Content-Length for the body as given)."""

    def __init__(self, method, path, headers=None, body=b""):
        self.method, self.path, self.headers = method, path, dict(headers or {})
        self.body = body.encode("utf-8") if isinstance(body, str) else body


class Declared:
    """Headers declaring a Content-Length; the body is never sent."""

    def __init__(self, method, path, headers, length):
        self.method, self.path, self.headers, self.length = method, path, headers, length


class Streamed:
    """A request head, then body_len bytes of `chunk`, then `tail`, while the response is
    read concurrently (the server may answer before the upload ends)."""

    def __init__(self, head, body_len, chunk, tail=b""):
        self.head, self.body_len, self.chunk, self.tail = head, body_len, chunk, tail


class RawBytes:
    """Bytes written to a plain socket; the reply is read for at most RAW_TIMEOUT."""

    def __init__(self, data):
        self.data = data


class Custom:
    """fn(ctx) -> Answer, for rows that are more than one request."""

    def __init__(self, fn):
        self.fn = fn


class Answer:
    def __init__(self, status=None, headers=None, body=b"", elapsed=0.0, error=None):
        self.status, self.headers, self.body = status, headers or {}, body
        self.elapsed, self.error = elapsed, error

    def text(self):
        return self.body.decode("utf-8", "replace") if isinstance(self.body, bytes) else str(self.body)

    def json(self):
        try:
            return json.loads(self.body)
        except (ValueError, TypeError):
            return None


def parse_http_response(data):
    """(status, headers, body) of raw response bytes; status None when there is no status line."""
    if not data.startswith(b"HTTP/1."):
        return None, {}, data
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split(b" ", 2)[1])
    except (IndexError, ValueError):
        status = None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return status, headers, body


def response_complete(data):
    if b"\r\n\r\n" not in data:
        return False
    _, headers, body = parse_http_response(data)
    length = headers.get("content-length")
    return length is not None and length.isdigit() and len(body) >= int(length)


def send_http(port, req):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT)
    t0 = time.monotonic()
    try:
        conn.request(req.method, req.path, body=req.body, headers=req.headers)
        resp = conn.getresponse()
        body = resp.read()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body, time.monotonic() - t0)
    finally:
        conn.close()


def send_declared(port, req):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT)
    t0 = time.monotonic()
    try:
        conn.putrequest(req.method, req.path)
        for name, value in req.headers.items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(req.length))
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body, time.monotonic() - t0)
    finally:
        conn.close()


def send_streamed(port, req):
    sock = socket.create_connection(("127.0.0.1", port), timeout=HTTP_TIMEOUT)
    received = bytearray()
    done = threading.Event()

    def reader():
        try:
            while not response_complete(bytes(received)):
                data = sock.recv(65536)
                if not data:
                    return
                received.extend(data)
        except OSError:
            return
        finally:
            done.set()

    t0 = time.monotonic()
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    error = None
    try:
        sock.sendall(req.head)
        sent = 0
        while sent < req.body_len and not done.is_set():
            piece = req.chunk[:req.body_len - sent]
            sock.sendall(piece)
            sent += len(piece)
        if not done.is_set():
            sock.sendall(req.tail)
    except OSError as exc:
        error = "send stopped: %s" % exc
    thread.join(HTTP_TIMEOUT)
    elapsed = time.monotonic() - t0
    sock.close()
    status, headers, body = parse_http_response(bytes(received))
    return Answer(status, headers, body, elapsed, error)


def send_raw(port, data, timeout=RAW_TIMEOUT):
    """Writes data, then reads until the server closes or a whole response arrived."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    t0 = time.monotonic()
    received = b""
    error = None
    try:
        try:
            sock.sendall(data)
        except OSError as exc:
            error = "send stopped: %s" % exc
        deadline = t0 + timeout
        closed = False
        while not response_complete(received):
            left = deadline - time.monotonic()
            if left <= 0:
                error = "no complete answer within %.0f s" % timeout
                break
            sock.settimeout(left)
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                continue
            except OSError as exc:
                error = "recv: %s" % exc
                closed = True
                break
            if not chunk:
                closed = True
                break
            received += chunk
    finally:
        sock.close()
    status, headers, body = parse_http_response(received)
    if status is None and closed and not received:
        status = CLOSED
    return Answer(status, headers, body, time.monotonic() - t0, error)


def perform(ctx, req):
    port = ctx.server.port
    if isinstance(req, Http):
        return send_http(port, req)
    if isinstance(req, Declared):
        return send_declared(port, req)
    if isinstance(req, Streamed):
        return send_streamed(port, req)
    if isinstance(req, RawBytes):
        return send_raw(port, req.data)
    if isinstance(req, Custom):
        return req.fn(ctx)
    raise TypeError("not a request: %r" % (req,))


# ---- request builders ---------------------------------------------------------------

def sqs_json(action, payload, headers=None, target=None):
    h = {"Content-Type": JSON_CT, "X-Amz-Target": target or "AmazonSQS." + action}
    h.update(headers or {})
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return Http("POST", "/", h, body)


def form(params):
    """A form body from pairs (repeats kept, order kept); values are quoted unless bytes-like
    raw strings are wanted, in which case pass a str already encoded."""
    items = params.items() if isinstance(params, dict) else params
    return "&".join("%s=%s" % (quote(k, safe=".~-_"), quote(v, safe="~-_.")) for k, v in items)


def query_post(body, path="/", headers=None):
    h = {"Content-Type": FORM_CT}
    h.update(headers or {})
    return Http("POST", path, h, body if isinstance(body, (bytes, str)) else form(body))


def lam(method, path, body=None, headers=None):
    h = {}
    if body is not None:
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    data = b"" if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
    return Http(method, API + path, h, data)


def function_body(name, code, **extra):
    body = {"FunctionName": name, "Runtime": PY_RUNTIME, "Role": ROLE, "Handler": "app.handler", "Code": code}
    body.update(extra)
    return body


def zip_code(data):
    return {"ZipFile": base64.b64encode(data).decode("ascii")}


def hot_reload(path):
    return {"S3Bucket": "hot-reload", "S3Key": path}


def zip_entries(entries):
    """A zip from (name, data, st_mode) triples, names exactly as given."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = mode << 16
            zf.writestr(info, data)
    return out.getvalue()


APP_PY = (b"def handler(event, context):\n    return event\n", 0o100644)


def app_zip_with(name, data, mode):
    return zip_entries([("app.py",) + APP_PY, (name, data, mode)])


def sigv4(region_field, key="AKIDEXAMPLE", service="sqs", date="20240101"):
    return ("AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=host;x-amz-date, "
            "Signature=%s" % (key, date, region_field, service, "0" * 64))


def hostile_credential(scope):
    return ("AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=host;x-amz-date, Signature=%s" % (scope, "0" * 64))


# ---- receipt handles --------------------------------------------------------------------

def handle_bytes(handle):
    return bytearray(base64.b64decode(handle))


def encode_handle(raw):
    return base64.b64encode(bytes(raw)).decode("ascii")


def flip_last_byte(handle):
    raw = handle_bytes(handle)
    raw[-1] ^= 0x01
    return encode_handle(raw)


def edit_middle(handle, value=None):
    """Adds a day to the 8 bytes in the middle of the decoded handle (today: the receive
    time in ms), or sets them to value."""
    raw = handle_bytes(handle)
    mid = len(raw) // 2 + 4
    if value is None:
        value = int.from_bytes(raw[mid:mid + 8], "big") + 86400 * 1000
    raw[mid:mid + 8] = (value % (1 << 64)).to_bytes(8, "big")
    return encode_handle(raw)


def flip_secret(handle):
    """Flips one bit in the bytes before the middle (today: the message's secret)."""
    raw = handle_bytes(handle)
    raw[len(raw) // 2 - 2] ^= 0x10
    return encode_handle(raw)


def random_handle():
    rnd = random.Random(7)
    raw = bytes([0]) + bytes(rnd.randrange(256) for _ in range(47))
    return encode_handle(raw)


# ---- big bodies (built once) ------------------------------------------------------------

_CACHE = {}


def cached(key, build):
    if key not in _CACHE:
        _CACHE[key] = build()
    return _CACHE[key]


def names_list(n):
    return ["a%d" % i for i in range(n)]


# ---------------------------------------------------------------------------------------
# the fixture's state


def walk_listing(root, skip_dir=None, hashes=False):
    """{relative path: description} of everything under root (directories included)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if skip_dir is not None:
            dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) != skip_dir]
        for d in dirnames:
            full = os.path.join(dirpath, d)
            rel = os.path.relpath(full, root)
            out[rel] = ("link", os.readlink(full)) if os.path.islink(full) else ("dir",)
        for f in filenames:
            full = os.path.join(dirpath, f)
            rel = os.path.relpath(full, root)
            if skip_dir is None and dirpath == root and f in SQLITE_FILES:
                continue
            st = os.lstat(full)
            if os.path.islink(full):
                out[rel] = ("link", os.readlink(full))
                continue
            desc = ("file", st.st_size, st.st_mtime_ns, oct(st.st_mode))
            if hashes:
                with open(full, "rb") as fh:
                    desc += (hashlib.sha256(fh.read()).hexdigest(),)
            out[rel] = desc
    return out


def api_json(port, method, path, headers=None, body=b""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, json.loads(data) if data else {}
    finally:
        conn.close()


def sqs_call(port, action, payload):
    status, doc = api_json(port, "POST", "/", {"Content-Type": JSON_CT, "X-Amz-Target": "AmazonSQS." + action},
                           json.dumps(payload))
    if status != 200:
        raise AssertionError("%s failed: %s %r" % (action, status, doc))
    return doc


def lambda_call(port, method, path, body=None, expect=(200,)):
    status, doc = api_json(port, method, API + path, {"Content-Type": "application/json"} if body else {},
                           json.dumps(body) if body is not None else b"")
    if status not in expect:
        raise AssertionError("%s %s failed: %s %r" % (method, path, status, doc))
    return doc


def state_snapshot(ctx):
    port = ctx.server.port
    queues = {}
    for url in sorted(sqs_call(port, "ListQueues", {}).get("QueueUrls", [])):
        attrs = sqs_call(port, "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["All"]})
        tags = sqs_call(port, "ListQueueTags", {"QueueUrl": url})
        queues[url.rsplit("/", 1)[1]] = {"attributes": attrs.get("Attributes", {}), "tags": tags.get("Tags", {})}
    functions = {}
    for f in lambda_call(port, "GET", "/functions/?MaxItems=10000").get("Functions", []):
        config = lambda_call(port, "GET", "/functions/%s/configuration" % quote(f["FunctionName"], safe=""))
        functions[f["FunctionName"]] = {"listed": f, "configuration": config}
    mappings = {m["UUID"]: m for m in
                lambda_call(port, "GET", "/event-source-mappings/?MaxItems=10000").get("EventSourceMappings", [])}
    return {"queues": queues, "functions": functions, "mappings": mappings,
            "files": walk_listing(ctx.data_dir)}


def outside_snapshot(ctx):
    return walk_listing(ctx.scratch, skip_dir=ctx.data_dir, hashes=True)


def describe_diff(before, after, limit=6):
    lines = []
    for key in sorted(set(before) | set(after), key=str):
        b, a = before.get(key, "<absent>"), after.get(key, "<absent>")
        if b != a:
            if isinstance(b, dict) and isinstance(a, dict):
                inner = describe_diff(b, a, limit)
                lines.append("%s: {%s}" % (key, "; ".join(inner)))
            else:
                lines.append("%s: %s -> %s" % (key, short(b), short(a)))
        if len(lines) >= limit:
            lines.append("...")
            break
    return lines


def short(value, n=160):
    text = repr(value)
    return text if len(text) <= n else text[:n] + "..."


# ---------------------------------------------------------------------------------------
# the table


class Row:
    """One bad request and what must come of it.

    req: a request object, or fn(ctx) -> request (ctx.row holds what prepare returned)
    proto: "json", "query", "lambda" or "http" (where the error code is read from)
    status: expected HTTP status (an int, or a tuple of acceptable ones; CLOSED allowed)
    code: expected error code (str, tuple of acceptable ones, or None for no check)
    message: a substring the response body must contain
    max_seconds: the answer must come within this many seconds (measured around the request)
    prepare(ctx) -> value stored as ctx.row before the request (state it creates is part of
      the baseline unless baseline="before_prepare")
    cleanup(ctx, answer): after the checks' snapshots, always
    compare: which snapshot parts must be unchanged
    check(ctx, answer) -> list of problems, for rows with more to verify
    """

    def __init__(self, id, req, status, code=None, proto="json", message=None, max_seconds=None, prepare=None,
                 cleanup=None, compare=("queues", "functions", "mappings", "files"), baseline="after_prepare",
                 check=None, note=None):
        self.id, self.req, self.status, self.code, self.proto = id, req, status, code, proto
        self.message, self.max_seconds, self.prepare, self.cleanup = message, max_seconds, prepare, cleanup
        self.compare, self.baseline, self.check, self.note = compare, baseline, check, note


def error_code(proto, answer):
    if proto == "json":
        doc = answer.json()
        if isinstance(doc, dict) and isinstance(doc.get("__type"), str):
            return doc["__type"].rsplit("#", 1)[-1]
        return None
    if proto == "query":
        try:
            root = ET.fromstring(answer.body)
        except (ET.ParseError, TypeError):
            return None
        for elem in root.iter():
            if elem.tag.rsplit("}", 1)[-1] == "Code":
                return elem.text
        return None
    if proto == "lambda":
        value = answer.headers.get("x-amzn-errortype")
        return value.split(":", 1)[0] if value else None
    return None


# ---- prepare / cleanup helpers ----------------------------------------------------------

def drop_queues(*names):
    def cleanup(ctx, answer):
        for name in names:
            name = name(ctx) if callable(name) else name
            status, doc = api_json(ctx.server.port, "POST", "/",
                                   {"Content-Type": JSON_CT, "X-Amz-Target": "AmazonSQS.GetQueueUrl"},
                                   json.dumps({"QueueName": name}))
            if status == 200:
                sqs_call(ctx.server.port, "DeleteQueue", {"QueueUrl": doc["QueueUrl"]})
    return cleanup


def purge_sink(ctx, answer):
    sqs_call(ctx.server.port, "PurgeQueue", {"QueueUrl": ctx.sink})


def drop_functions(*names):
    """Deletes functions a row created by mistake. Only for zip-code functions: deleting a
    function whose code directory is inside the data dir would remove that directory today."""
    def cleanup(ctx, answer):
        for name in names:
            lambda_call(ctx.server.port, "DELETE", "/functions/%s" % quote(name, safe=""), expect=(204, 404))
    return cleanup


def fresh_handle(queue_attr):
    """prepare: one message sent to and received from the queue (in flight for an hour)."""
    def prepare(ctx):
        url = getattr(ctx, queue_attr)
        sqs_call(ctx.server.port, "SendMessage", {"QueueUrl": url, "MessageBody": "handle-%d" % time.monotonic_ns()})
        got = sqs_call(ctx.server.port, "ReceiveMessage",
                       {"QueueUrl": url, "MaxNumberOfMessages": 1, "VisibilityTimeout": 3600})["Messages"]
        return {"url": url, "handle": got[0]["ReceiptHandle"]}
    return prepare


def delete_fresh_handle(ctx, answer):
    """cleanup of fresh_handle: the genuine handle deletes the message (whatever the row did)."""
    sqs_call(ctx.server.port, "DeleteMessage", {"QueueUrl": ctx.row["url"], "ReceiptHandle": ctx.row["handle"]})


def sacrificial_queue(ctx):
    name = "badin-sac-%d" % time.monotonic_ns()
    return {"name": name, "url": sqs_call(ctx.server.port, "CreateQueue", {"QueueName": name})["QueueUrl"]}


def drop_sacrificial_queue(ctx, answer):
    drop_queues(ctx.row["name"])(ctx, answer)


def sacrificial_function(ctx):
    name = "badin-sacfn-%d" % (time.monotonic_ns() % 10 ** 9)
    lambda_call(ctx.server.port, "POST", "/functions", function_body(name, zip_code(ctx.app_zip)), expect=(201,))
    return {"name": name}


def drop_sacrificial_function(ctx, answer):
    drop_functions(ctx.row["name"])(ctx, answer)


def hot_reload_function(victim, via="/lambda/../../"):
    """prepare: a function whose hot-reload S3Key is <data><via><victim>, a sibling of the
    data dir (outside it, so creating it must succeed)."""
    def prepare(ctx):
        name = "badin-hr-%s" % victim
        key = ctx.data_dir + via + victim
        lambda_call(ctx.server.port, "POST", "/functions", function_body(name, hot_reload(key)), expect=(201,))
        return {"name": name}
    return prepare


def victim_intact(victim):
    def check(ctx, answer):
        path = os.path.join(ctx.scratch, victim, "keep.txt")
        return [] if os.path.isfile(path) else ["%s was removed" % os.path.join("<scratch>", victim, "keep.txt")]
    return check


def batch_failed_code(code):
    def check(ctx, answer):
        doc = answer.json() or {}
        failed = doc.get("Failed") or []
        if answer.status != 200 or not failed or failed[0].get("Code") != code:
            return ["expected one Failed entry with Code %s, got %s %s" % (code, answer.status, short(doc))]
        return []
    return check


# ---- custom rows ------------------------------------------------------------------------

def trickled_header(ctx, limit=10.0, interval=0.3):
    """A header sent one byte per 0.3 s: the server must end the connection (or answer)
    within `limit` seconds, and keep answering others meanwhile."""
    sock = socket.create_connection(("127.0.0.1", ctx.server.port), timeout=5)
    t0 = time.monotonic()
    problems = []
    try:
        sock.sendall(b"GET /?Action=ListQueues HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trickle: ")
        probed = False
        while time.monotonic() - t0 < limit:
            readable, _, _ = select.select([sock], [], [], interval)
            if readable:
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                status = parse_http_response(data)[0] if data else CLOSED
                return Answer(status, {}, data, time.monotonic() - t0)
            if not probed and time.monotonic() - t0 > 1.0:
                probed = True
                try:
                    t1 = time.monotonic()
                    status, _ = api_json(ctx.server.port, "POST", "/", {"Content-Type": JSON_CT,
                                                                         "X-Amz-Target": "AmazonSQS.ListQueues"}, b"{}")
                    if status != 200 or time.monotonic() - t1 > 2.0:
                        problems.append("another client waited %.1f s (status %s) during the trickle"
                                        % (time.monotonic() - t1, status))
                except OSError as exc:
                    problems.append("another client got no answer during the trickle: %s" % exc)
            try:
                sock.send(b"a")
            except OSError:
                return Answer(CLOSED, {}, b"", time.monotonic() - t0)
        return Answer(None, {}, b"", time.monotonic() - t0,
                      "the connection was still open after %.0f s of trickling%s"
                      % (limit, ("; " + "; ".join(problems)) if problems else ""))
    finally:
        sock.close()


def many_connections(ctx, wanted=400):
    """Idle connections do not stop the server from answering a new one."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    count = max(0, min(wanted, soft - 64))
    socks = []
    try:
        for _ in range(count):
            socks.append(socket.create_connection(("127.0.0.1", ctx.server.port), timeout=5))
        t0 = time.monotonic()
        answer = send_http(ctx.server.port, sqs_json("ListQueues", {}))
        answer.elapsed = time.monotonic() - t0
        answer.error = None if count else "no file descriptors to spare"
        return answer
    finally:
        for s in socks:
            s.close()


def update_code_to_other_dir(ctx):
    return lam("PUT", "/functions/%s/code" % ctx.row["name"],
               {"S3Bucket": "hot-reload", "S3Key": os.path.join(ctx.scratch, "other-code")})


def streamed_json_over_limit(ctx):
    size = SQS_BODY_LIMIT + 1024
    prefix = ('{"QueueUrl": %s, "MessageBody": "' % json.dumps(ctx.sink)).encode()
    suffix = b'"}'
    head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: %s\r\nX-Amz-Target: AmazonSQS.SendMessage\r\n"
            "Content-Length: %d\r\nConnection: close\r\n\r\n"
            % (ctx.server.port, JSON_CT, len(prefix) + size + len(suffix))).encode() + prefix
    return Streamed(head, size, b"a" * 65536, suffix)


def streamed_query_over_limit(ctx):
    size = SQS_BODY_LIMIT + 1024
    prefix = ("Action=SendMessage&QueueUrl=%s&MessageBody=" % quote(ctx.sink, safe="")).encode()
    head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n" % (ctx.server.port, FORM_CT, len(prefix) + size)).encode() + prefix
    return Streamed(head, size, b"b" * 65536)


def receive_with_list(member, n):
    """ReceiveMessage on the lists queue (ten messages with an attribute each) asking for n
    names; VisibilityTimeout 0 so that an accepted receive leaves the counters alone."""
    def build(ctx):
        body = cached(("json", member, n), lambda: json.dumps({member: names_list(n)}).encode())
        head = json.dumps({"QueueUrl": ctx.lists, "MaxNumberOfMessages": 10, "VisibilityTimeout": 0})
        return sqs_json("ReceiveMessage", head[:-1].encode() + b", " + body[1:])
    return build


def query_receive_with_list(n):
    def build(ctx):
        tail = cached(("query", n), lambda: "&".join("MessageAttributeName.%d=a%d" % (i + 1, i)
                                                     for i in range(n)).encode())
        return query_post(("Action=ReceiveMessage&QueueUrl=%s&MaxNumberOfMessages=10&VisibilityTimeout=0&"
                           % quote(ctx.lists, safe="")).encode() + tail)
    return build


def sqs_rows():
    J = sqs_json
    rows = [
        # ---- malformed JSON documents
        Row("json-malformed", J("CreateQueue", '{"QueueName": "badin-malformed",'), 400, "SerializationException"),
        Row("json-truncated", J("CreateQueue", '{"QueueName":"badin-trunc'), 400, "SerializationException"),
        Row("json-array", J("CreateQueue", '[{"QueueName":"badin-array"}]'), 400, "SerializationException"),
        Row("json-string", J("CreateQueue", '"badin-string"'), 400, "SerializationException"),
        Row("json-number", J("CreateQueue", "42"), 400, "SerializationException"),
        Row("json-trailing-garbage", J("CreateQueue", '{"QueueName":"badin-trail"} x'), 400,
            "SerializationException", cleanup=drop_queues("badin-trail")),
        Row("json-two-objects", J("CreateQueue", '{"QueueName":"badin-two"}{"QueueName":"badin-two-b"}'), 400,
            "SerializationException", cleanup=drop_queues("badin-two", "badin-two-b")),
        Row("json-utf8-bom", J("CreateQueue", b'\xef\xbb\xbf{"QueueName":"badin-bom"}'), 400,
            "SerializationException", cleanup=drop_queues("badin-bom"), note="sqsemu's rule: a BOM is malformed"),
        # ---- raw control bytes inside strings (RFC 8259 requires them escaped)
        Row("json-raw-nul-queue-name", J("CreateQueue", b'{"QueueName":"badin-nul\x00;../../x"}'), 400,
            "SerializationException", cleanup=drop_queues("badin-nul"), note="sqsemu's rule"),
        Row("json-raw-nul-message-body",
            lambda c: J("SendMessage", b'{"QueueUrl":%s,"MessageBody":"hello\x00world"}' % json.dumps(c.sink).encode()),
            400, "SerializationException", cleanup=purge_sink, note="sqsemu's rule"),
        Row("json-raw-0x01-message-body",
            lambda c: J("SendMessage", b'{"QueueUrl":%s,"MessageBody":"a\x01b"}' % json.dumps(c.sink).encode()),
            400, "SerializationException", cleanup=purge_sink, note="sqsemu's rule"),
        Row("json-raw-0x1f-queue-name", J("CreateQueue", b'{"QueueName":"badin-\x1fx"}'), 400,
            "SerializationException", note="sqsemu's rule"),
        Row("json-raw-tab-message-body",
            lambda c: J("SendMessage", b'{"QueueUrl":%s,"MessageBody":"a\tb"}' % json.dumps(c.sink).encode()),
            400, "SerializationException", cleanup=purge_sink, note="sqsemu's rule"),
        Row("json-raw-newline-message-body",
            lambda c: J("SendMessage", b'{"QueueUrl":%s,"MessageBody":"a\nb"}' % json.dumps(c.sink).encode()),
            400, "SerializationException", cleanup=purge_sink, note="sqsemu's rule"),
        # ---- escaped U+0000
        Row("json-escaped-nul-message-body",
            lambda c: J("SendMessage", '{"QueueUrl":%s,"MessageBody":"a\\u0000b"}' % json.dumps(c.sink)),
            400, "InvalidMessageContents", cleanup=purge_sink),
        Row("json-escaped-nul-queue-name", J("CreateQueue", '{"QueueName":"badin\\u0000x"}'), 400,
            "InvalidParameterValueException", cleanup=drop_queues("badin")),
        # ---- wrong member types
        Row("json-queue-name-number", J("CreateQueue", {"QueueName": 123}), 400, "SerializationException"),
        Row("json-max-messages-string", lambda c: J("ReceiveMessage", {"QueueUrl": c.std, "MaxNumberOfMessages": "5"}),
            400, "SerializationException"),
        Row("json-entries-object",
            lambda c: J("SendMessageBatch", {"QueueUrl": c.sink, "Entries": {"Id": "a", "MessageBody": "x"}}),
            400, "SerializationException", cleanup=purge_sink),
        Row("json-attributes-array",
            J("CreateQueue", {"QueueName": "badin-attrs", "Attributes": ["VisibilityTimeout"]}),
            400, "SerializationException", cleanup=drop_queues("badin-attrs")),
        # ---- targets
        Row("json-unknown-target", J("CreateQueue", {"QueueName": "badin-t1"}, target="AmazonSQS.Nope"), 400,
            "UnknownOperationException"),
        Row("json-target-without-prefix", J("CreateQueue", {"QueueName": "badin-t2"}, target="CreateQueue"), 400,
            "UnknownOperationException"),
        Row("json-missing-target", Http("POST", "/", {"Content-Type": JSON_CT}, '{"QueueName":"badin-t3"}'), 400,
            "UnknownOperationException"),
        # ---- forged receipt handles (the handles queue; the message is in flight for an hour)
        Row("dm-random-base64-handle",
            lambda c: J("DeleteMessage", {"QueueUrl": c.row["url"], "ReceiptHandle": random_handle()}),
            404, "ReceiptHandleIsInvalid", prepare=fresh_handle("handles"), cleanup=delete_fresh_handle),
        Row("cmv-random-base64-handle",
            lambda c: J("ChangeMessageVisibility", {"QueueUrl": c.row["url"], "ReceiptHandle": random_handle(),
                                                    "VisibilityTimeout": 0}),
            404, "ReceiptHandleIsInvalid", prepare=fresh_handle("handles"), cleanup=delete_fresh_handle),
        Row("dm-handle-last-byte-flipped",
            lambda c: J("DeleteMessage", {"QueueUrl": c.row["url"], "ReceiptHandle": flip_last_byte(c.row["handle"])}),
            404, "ReceiptHandleIsInvalid", prepare=fresh_handle("handles"), cleanup=delete_fresh_handle,
            note="needs the lead's handle MAC"),
        Row("cmv-handle-last-byte-flipped",
            lambda c: J("ChangeMessageVisibility", {"QueueUrl": c.row["url"], "VisibilityTimeout": 0,
                                                    "ReceiptHandle": flip_last_byte(c.row["handle"])}),
            404, "ReceiptHandleIsInvalid", prepare=fresh_handle("handles"), cleanup=delete_fresh_handle,
            note="needs the lead's handle MAC"),
        Row("dm-handle-receive-time-edited",
            lambda c: J("DeleteMessage", {"QueueUrl": c.row["url"], "ReceiptHandle": edit_middle(c.row["handle"])}),
            404, "ReceiptHandleIsInvalid", prepare=fresh_handle("handles"), cleanup=delete_fresh_handle,
            note="needs the lead's handle MAC"),
        Row("cmv-handle-receive-time-edited",
            lambda c: J("ChangeMessageVisibility", {"QueueUrl": c.row["url"], "VisibilityTimeout": 0,
                                                    "ReceiptHandle": edit_middle(c.row["handle"])}),
            404, "ReceiptHandleIsInvalid", prepare=fresh_handle("handles"), cleanup=delete_fresh_handle,
            note="needs the lead's handle MAC"),
        Row("cmv-handle-receive-time-maxed",
            lambda c: J("ChangeMessageVisibility", {"QueueUrl": c.row["url"], "VisibilityTimeout": 43200,
                                                    "ReceiptHandle": edit_middle(c.row["handle"], (1 << 63) - 1)}),
            404, "ReceiptHandleIsInvalid", prepare=fresh_handle("handles"), cleanup=delete_fresh_handle,
            note="needs the lead's handle MAC"),
        Row("dm-handle-secret-flipped",
            lambda c: J("DeleteMessage", {"QueueUrl": c.row["url"], "ReceiptHandle": flip_secret(c.row["handle"])}),
            404, "ReceiptHandleIsInvalid", prepare=fresh_handle("handles"), cleanup=delete_fresh_handle,
            note="needs the lead's handle MAC"),
        Row("cmv-handle-secret-flipped",
            lambda c: J("ChangeMessageVisibility", {"QueueUrl": c.row["url"], "VisibilityTimeout": 0,
                                                    "ReceiptHandle": flip_secret(c.row["handle"])}),
            404, "ReceiptHandleIsInvalid", prepare=fresh_handle("handles"), cleanup=delete_fresh_handle,
            note="needs the lead's handle MAC"),
        Row("dm-handle-of-another-queue",
            lambda c: J("DeleteMessage", {"QueueUrl": c.std, "ReceiptHandle": c.row["handle"]}),
            404, "ReceiptHandleIsInvalid", prepare=fresh_handle("handles"), cleanup=delete_fresh_handle),
        Row("cmv-handle-of-another-queue",
            lambda c: J("ChangeMessageVisibility", {"QueueUrl": c.std, "ReceiptHandle": c.row["handle"],
                                                    "VisibilityTimeout": 0}),
            404, "ReceiptHandleIsInvalid", prepare=fresh_handle("handles"), cleanup=delete_fresh_handle),
        Row("dmb-handle-last-byte-flipped",
            lambda c: J("DeleteMessageBatch", {"QueueUrl": c.row["url"], "Entries": [
                {"Id": "a", "ReceiptHandle": flip_last_byte(c.row["handle"])}]}),
            200, None, prepare=fresh_handle("handles"), cleanup=delete_fresh_handle,
            check=batch_failed_code("ReceiptHandleIsInvalid"), note="needs the lead's handle MAC"),
        Row("query-dm-handle-last-byte-flipped",
            lambda c: query_post({"Action": "DeleteMessage", "QueueUrl": c.row["url"],
                                  "ReceiptHandle": flip_last_byte(c.row["handle"])}),
            404, "ReceiptHandleIsInvalid", proto="query", prepare=fresh_handle("handles"),
            cleanup=delete_fresh_handle, note="needs the lead's handle MAC"),
        Row("cmv-visibility-43201",
            lambda c: J("ChangeMessageVisibility", {"QueueUrl": c.row["url"], "ReceiptHandle": c.row["handle"],
                                                    "VisibilityTimeout": 43201}),
            400, "InvalidParameterValueException", prepare=fresh_handle("handles"), cleanup=delete_fresh_handle),
        # ---- oversized bodies
        Row("json-declared-over-8mib",
            lambda c: Declared("POST", "/", {"Content-Type": JSON_CT, "X-Amz-Target": "AmazonSQS.SendMessage"},
                               SQS_BODY_LIMIT + 1),
            413, "RequestEntityTooLargeException"),
        Row("json-body-over-8mib", streamed_json_over_limit, 413, "RequestEntityTooLargeException",
            cleanup=purge_sink),
        Row("query-declared-over-8mib", Declared("POST", "/", {"Content-Type": FORM_CT}, SQS_BODY_LIMIT + 1),
            413, "RequestEntityTooLarge", proto="query"),
        Row("query-body-over-8mib", streamed_query_over_limit, 413, "RequestEntityTooLarge", proto="query",
            cleanup=purge_sink),
        # ---- huge lists: answered at once (lists AWS does not bound are read in linear time)
        Row("json-receive-600k-message-attribute-names", receive_with_list("MessageAttributeNames", 600000), 200,
            None, max_seconds=3.0, note="no AWS limit: answered, in time linear in the list"),
        Row("json-receive-600k-attribute-names", receive_with_list("AttributeNames", 600000), 200,
            None, max_seconds=3.0, note="no AWS limit: answered, in time linear in the list"),
        Row("json-receive-600k-message-system-attribute-names",
            receive_with_list("MessageSystemAttributeNames", 600000), 200,
            None, max_seconds=3.0, note="no AWS limit: answered, in time linear in the list"),
        Row("query-receive-200k-message-attribute-names", query_receive_with_list(200000), 200,
            None, proto="query", max_seconds=3.0,
            note="no AWS limit; 200k because 600k names do not fit in an 8 MiB form"),
        # ---- batches
        Row("json-batch-11-entries",
            lambda c: J("SendMessageBatch", {"QueueUrl": c.sink, "Entries": [
                {"Id": "e%d" % i, "MessageBody": "x"} for i in range(11)]}),
            400, "TooManyEntriesInBatchRequest", cleanup=purge_sink),
        Row("json-batch-duplicate-ids",
            lambda c: J("SendMessageBatch", {"QueueUrl": c.sink, "Entries": [
                {"Id": "same", "MessageBody": "x"}, {"Id": "same", "MessageBody": "y"}]}),
            400, "BatchEntryIdsNotDistinct", cleanup=purge_sink),
        Row("json-batch-empty", lambda c: J("SendMessageBatch", {"QueueUrl": c.sink, "Entries": []}),
            400, "EmptyBatchRequest"),
        Row("json-batch-bad-id",
            lambda c: J("SendMessageBatch", {"QueueUrl": c.sink, "Entries": [{"Id": "bad id!", "MessageBody": "x"}]}),
            400, "InvalidBatchEntryId", cleanup=purge_sink),
        Row("query-batch-11-entries",
            lambda c: query_post([("Action", "SendMessageBatch"), ("QueueUrl", c.sink)] + [
                kv for i in range(11) for kv in (("SendMessageBatchRequestEntry.%d.Id" % (i + 1), "e%d" % i),
                                                 ("SendMessageBatchRequestEntry.%d.MessageBody" % (i + 1), "x"))]),
            400, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", proto="query", cleanup=purge_sink),
        # ---- limits on tags, labels and attribute values
        Row("json-tag-queue-51-tags",
            lambda c: J("TagQueue", {"QueueUrl": c.std, "Tags": {"k%02d" % i: "v" for i in range(51)}}),
            400, "InvalidParameterValueException", message="Too many tags"),
        Row("json-tag-value-257-chars",
            lambda c: J("TagQueue", {"QueueUrl": c.std, "Tags": {"k": "v" * 257}}),
            400, "InvalidParameterValueException"),
        Row("json-tag-key-129-chars",
            lambda c: J("TagQueue", {"QueueUrl": c.std, "Tags": {"k" * 129: "v"}}),
            400, "InvalidParameterValueException"),
        Row("json-add-permission-bad-label",
            lambda c: J("AddPermission", {"QueueUrl": c.std, "Label": "bad label/../x",
                                          "AWSAccountIds": ["111122223333"], "Actions": ["SendMessage"]}),
            400, "InvalidParameterValueException"),
        Row("json-add-permission-81-char-label",
            lambda c: J("AddPermission", {"QueueUrl": c.std, "Label": "l" * 81,
                                          "AWSAccountIds": ["111122223333"], "Actions": ["SendMessage"]}),
            400, "InvalidParameterValueException"),
        Row("json-attribute-value-100k-digits",
            lambda c: J("SetQueueAttributes", {"QueueUrl": c.std, "Attributes": {"VisibilityTimeout": "9" * 100000}}),
            400, "InvalidAttributeValue"),
        Row("json-policy-1mib",
            lambda c: J("SetQueueAttributes", {"QueueUrl": c.std, "Attributes": {"Policy": json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Sid": "s%d" % i, "Effect": "Allow", "Principal": "*",
                                                          "Action": "sqs:SendMessage", "Resource": "*"}
                                                         for i in range(12000)]})}}),
            400, "InvalidAttributeValue"),
        Row("json-create-queue-huge-attribute",
            J("CreateQueue", {"QueueName": "badin-hugeattr", "Attributes": {"RedrivePolicy": "x" * 1000000}}),
            400, "InvalidParameterValueException", cleanup=drop_queues("badin-hugeattr"),
            note="today's answer, as AWS answers an unparsable RedrivePolicy"),
    ]
    return rows


def query_rows():
    Q = query_post
    return [
        Row("query-get-with-conflicting-form-body",
            lambda c: Http("GET", "/?Action=ListQueues", {"Content-Type": FORM_CT},
                           form({"Action": "DeleteQueue", "QueueUrl": c.row["url"]})),
            400, "InvalidParameterValue", proto="query", prepare=sacrificial_queue, cleanup=drop_sacrificial_queue,
            note="sqsemu's rule: a parameter in both places with different values"),
        Row("query-post-conflicting-action",
            lambda c: Http("POST", "/?Action=ListQueues", {"Content-Type": FORM_CT},
                           form({"Action": "DeleteQueue", "QueueUrl": c.row["url"]})),
            400, "InvalidParameterValue", proto="query", prepare=sacrificial_queue, cleanup=drop_sacrificial_queue,
            note="sqsemu's rule"),
        Row("query-post-conflicting-queue-name",
            Http("POST", "/?QueueName=badin-qs-a", {"Content-Type": FORM_CT},
                 form({"Action": "CreateQueue", "QueueName": "badin-qs-b"})),
            400, "InvalidParameterValue", proto="query", cleanup=drop_queues("badin-qs-a", "badin-qs-b"),
            note="sqsemu's rule"),
        Row("query-post-same-value-twice-accepted",
            lambda c: Http("POST", "/?Action=GetQueueUrl&QueueName=" + c.std_name, {"Content-Type": FORM_CT},
                           form({"Action": "GetQueueUrl", "QueueName": c.std_name})),
            200, None, proto="query"),
        Row("query-message-attribute-index-0",
            lambda c: Q({"Action": "SendMessage", "QueueUrl": c.sink, "MessageBody": "x",
                         "MessageAttribute.0.Name": "a", "MessageAttribute.0.Value.DataType": "String",
                         "MessageAttribute.0.Value.StringValue": "v"}),
            400, "MalformedInput", proto="query", cleanup=purge_sink, message="0 is not a valid index"),
        Row("query-message-attribute-value-without-name",
            lambda c: Q({"Action": "SendMessage", "QueueUrl": c.sink, "MessageBody": "x",
                         "MessageAttribute.1.Value.DataType": "String", "MessageAttribute.1.Value.StringValue": "v"}),
            400, "InvalidParameterValue", proto="query", cleanup=purge_sink,
            message="The request must contain non-empty message attribute name."),
        Row("query-message-attribute-name-without-value",
            lambda c: Q({"Action": "SendMessage", "QueueUrl": c.sink, "MessageBody": "x",
                         "MessageAttribute.1.Name": "a"}),
            400, ("MissingParameter", "InvalidParameterValue"), proto="query", cleanup=purge_sink),
        Row("query-nul-in-queue-name", Q("Action=CreateQueue&QueueName=badin%00x"), 400, "InvalidParameterValue",
            proto="query", cleanup=drop_queues("badin")),
        Row("query-nul-in-message-body",
            lambda c: Q("Action=SendMessage&QueueUrl=%s&MessageBody=a%%00b" % quote(c.sink, safe="")),
            400, "InvalidMessageContents", proto="query", cleanup=purge_sink),
        Row("query-malformed-escape", Q("Action=CreateQueue&QueueName=badin%zzx"), 400, "InvalidParameterValue",
            proto="query"),
        Row("query-unknown-action", Q("Action=Nope&QueueName=badin-nope"), 400, "InvalidAction", proto="query"),
        Row("query-post-without-action", Q("QueueName=badin-noaction"), 400, "MissingAction", proto="query"),
        # ---- hostile SigV4 credential scopes: SQS's answer to a scope that names no region
        Row("sigv4-region-dotdot",
            Q("Action=ListQueues", headers={"Authorization": hostile_credential(
                "AKIDEXAMPLE/20240101/../../etc/s3/aws4_request")}),
            403, "SignatureDoesNotMatch", proto="query", message="Credential should be scoped to a valid region"),
        Row("sigv4-region-percent-00",
            Q("Action=ListQueues", headers={"Authorization": sigv4("us-east-1%00")}),
            403, "SignatureDoesNotMatch", proto="query", message="Credential should be scoped to a valid region"),
        Row("sigv4-region-200-chars",
            Q("Action=ListQueues", headers={"Authorization": sigv4("r" * 200)}),
            403, "SignatureDoesNotMatch", proto="query", message="Credential should be scoped to a valid region"),
        Row("sigv4-presigned-region-nul",
            Http("GET", "/?Action=ListQueues&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                 "AKIDEXAMPLE%2F20240101%2Fus-east-1%00x%2Fsqs%2Faws4_request&X-Amz-Date=20240101T000000Z"
                 "&X-Amz-SignedHeaders=host&X-Amz-Signature=" + "0" * 64),
            403, "SignatureDoesNotMatch", proto="query", message="Credential should be scoped to a valid region"),
        Row("sigv4-json-region-dotdot",
            sqs_json("ListQueues", {}, headers={"Authorization": hostile_credential(
                "AKIDEXAMPLE/20240101/../../etc/s3/aws4_request")}),
            403, "InvalidSignatureException", message="Credential should be scoped to a valid region"),
    ]


def http_rows():
    return [
        Row("http-garbage-request-line", RawBytes(b"GARBAGE\r\n\r\n"), 400, proto="http"),
        Row("http-method-only", RawBytes(b"GET\r\n\r\n"), 400, proto="http"),
        Row("http-20kb-request-line", RawBytes(b"A" * 20480 + b"\r\n\r\n"), (414, 400), proto="http"),
        Row("http-nul-in-header", RawBytes(b"GET /?Action=ListQueues HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                          b"X-Bad: a\x00b\r\n\r\n"), 400, proto="http"),
        Row("http-transfer-encoding-gzip",
            RawBytes(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Transfer-Encoding: gzip\r\nConnection: close\r\n\r\nAction=CreateQueue&QueueName=badin-gz"),
            (501, 400), proto="http", cleanup=drop_queues("badin-gz")),
        Row("http-header-trickled", Custom(trickled_header), (408, 400, CLOSED), proto="http", max_seconds=10.0,
            note="the server of this test runs with --request-timeout 5"),
        Row("http-400-idle-connections", Custom(many_connections), 200, proto="http", max_seconds=2.0),
    ]


def lambda_rows():
    L = lam

    def create(name, code, **extra):
        return lambda c: L("POST", "/functions", function_body(name, code(c) if callable(code) else code, **extra))

    return [
        Row("lambda-nul-in-function-name", L("GET", "/functions/%s%%00x" % FUNCTION), 400, "ValidationException",
            proto="lambda"),
        Row("lambda-nul-in-function-name-delete",
            lambda c: L("DELETE", "/functions/%s%%00x" % c.row["name"]), 400, "ValidationException", proto="lambda",
            prepare=sacrificial_function, cleanup=drop_sacrificial_function),
        Row("lambda-encoded-dotdot-name", L("GET", "/functions/..%2F..%2Fetc/configuration"), 400,
            "ValidationException", proto="lambda"),
        Row("lambda-raw-dotdot-path", L("GET", "/functions/../../../etc/passwd"), (400, 404),
            ("ValidationException", "UnknownOperationException", "ResourceNotFoundException"), proto="lambda"),
        Row("lambda-dotdot-function-name-in-body",
            lambda c: L("POST", "/functions", function_body("../../evil", zip_code(c.app_zip))), 400,
            "ValidationException", proto="lambda"),
        Row("lambda-create-invalid-json", L("POST", "/functions", b'{"FunctionName": "badin-j1",'), 400,
            "InvalidRequestContentException", proto="lambda"),
        Row("lambda-create-trailing-garbage",
            lambda c: L("POST", "/functions", json.dumps(function_body("badin-j2", zip_code(c.app_zip))) + " x"),
            400, "InvalidRequestContentException", proto="lambda", cleanup=drop_functions("badin-j2")),
        Row("lambda-create-raw-nul-in-string",
            lambda c: L("POST", "/functions", json.dumps(function_body("badin-j3NUL", zip_code(c.app_zip)))
                        .encode().replace(b"NUL", b"\x00evil")),
            400, "InvalidRequestContentException", proto="lambda", cleanup=drop_functions("badin-j3")),
        Row("lambda-zip-not-a-zip", create("badin-z1", zip_code(b"this is not a zip archive at all" * 4)), 400,
            "InvalidParameterValueException", proto="lambda", note="no directory may be left (D7)"),
        Row("lambda-zip-dotdot-entry",
            create("badin-z2", zip_code(app_zip_with("../evil", b"x", 0o100644))), 400,
            "InvalidParameterValueException", proto="lambda", note="no directory may be left (D7)"),
        Row("lambda-zip-absolute-entry",
            create("badin-z3", zip_code(app_zip_with("/tmp/badin-evil", b"x", 0o100644))), 400,
            "InvalidParameterValueException", proto="lambda", note="no directory may be left (D7)"),
        Row("lambda-zip-symlink-leaving-the-tree",
            create("badin-z4", zip_code(app_zip_with("link", b"../../../../../../sentinel", 0o120777))), 400,
            "InvalidParameterValueException", proto="lambda", note="no directory may be left (D7)"),
        Row("lambda-zip-absolute-symlink",
            create("badin-z5", zip_code(app_zip_with("link", b"/etc/passwd", 0o120777))), 400,
            "InvalidParameterValueException", proto="lambda", note="no directory may be left (D7)"),
        # hot-reload code inside sqsemu's own data dir (sqsemu's rule: refused). A function
        # created by mistake is left alone: deleting it today would delete its code directory.
        Row("lambda-hot-reload-data-dir", create("badin-h1", lambda c: hot_reload(c.data_dir)), 400,
            "InvalidParameterValueException", proto="lambda", note="sqsemu's rule"),
        Row("lambda-hot-reload-data-dir-lambda", create("badin-h2", lambda c: hot_reload(c.data_dir + "/lambda")),
            400, "InvalidParameterValueException", proto="lambda", note="sqsemu's rule"),
        Row("lambda-hot-reload-own-code-root",
            create("badin-h3", lambda c: hot_reload(c.data_dir + "/lambda/000000000000/us-east-1/" + FUNCTION)),
            400, "InvalidParameterValueException", proto="lambda", note="sqsemu's rule"),
        Row("lambda-hot-reload-dotdot-inside-data-dir",
            create("badin-h4", lambda c: hot_reload(c.data_dir + "/lambda/../inside-victim")), 400,
            "InvalidParameterValueException", proto="lambda", note="sqsemu's rule"),
        # hot-reload code outside the data dir, named through <data>/lambda/../..: never removed (D1)
        Row("lambda-hot-reload-outside-delete-keeps-it",
            lambda c: L("DELETE", "/functions/%s" % c.row["name"]), 204, None, proto="lambda",
            prepare=hot_reload_function("victim-delete"), baseline="before_prepare",
            check=victim_intact("victim-delete"), note="D1"),
        Row("lambda-hot-reload-sibling-delete-keeps-it",
            lambda c: L("DELETE", "/functions/%s" % c.row["name"]), 204, None, proto="lambda",
            prepare=hot_reload_function("victim-sibling", via="/../"), baseline="before_prepare",
            check=victim_intact("victim-sibling")),
        Row("lambda-hot-reload-outside-update-code-keeps-it", update_code_to_other_dir, 200, None, proto="lambda",
            prepare=hot_reload_function("victim-update"), cleanup=drop_sacrificial_function,
            compare=("queues", "mappings", "files"), check=victim_intact("victim-update"), note="D1"),
        Row("lambda-declared-over-limit",
            Declared("POST", API + "/functions", {"Content-Type": "application/json"}, LAMBDA_BODY_LIMIT + 1),
            413, "RequestEntityTooLargeException", proto="lambda"),
        Row("lambda-invoke-non-json", L("POST", "/functions/%s/invocations" % FUNCTION, b"not json"), 400,
            "InvalidRequestContentException", proto="lambda"),
        Row("lambda-unknown-route", L("GET", "/nope"), 404, "UnknownOperationException", proto="lambda"),
        Row("sigv4-lambda-region-dotdot",
            lambda c: L("POST", "/functions", function_body("badin-region", zip_code(c.app_zip)),
                        headers={"Authorization": hostile_credential(
                            "AKIDEXAMPLE/20240101/../../etc/lambda/aws4_request")}),
            403, "InvalidSignatureException", proto="lambda",
            cleanup=lambda c, a: api_json(c.server.port, "DELETE", API + "/functions/badin-region", {
                "Authorization": hostile_credential("AKIDEXAMPLE/20240101/../../etc/lambda/aws4_request")}),
            note="Lambda's code for a bad credential scope"),
    ]


ROWS = sqs_rows() + query_rows() + http_rows() + lambda_rows()


# ---------------------------------------------------------------------------------------
# the test case


class Context:
    pass


class BadInputTests(unittest.TestCase):
    results = {}

    @classmethod
    def setUpClass(cls):
        ctx = cls.ctx = Context()
        ctx.scratch = os.path.realpath(tempfile.mkdtemp(prefix="sqsemu-badinput-"))
        ctx.data_dir = os.path.join(ctx.scratch, "data")
        for sub, content in (("sentinel", "do not touch"), ("victim-delete", "victim"),
                             ("victim-update", "victim"), ("victim-sibling", "victim"),
                             ("data/inside-victim", "inside")):
            os.makedirs(os.path.join(ctx.scratch, sub))
            with open(os.path.join(ctx.scratch, sub, "keep.txt"), "w") as f:
                f.write(content)
        os.makedirs(os.path.join(ctx.scratch, "other-code"))
        with open(os.path.join(ctx.scratch, "other-code", "app.py"), "w") as f:
            f.write("def handler(event, context):\n    return event\n")
        ctx.server = harness.Server(data_dir=ctx.data_dir, extra_args=("--request-timeout", "5"))
        try:
            ctx.server.start()
            cls.build_fixture(ctx)
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def build_fixture(cls, ctx):
        port = ctx.server.port
        ctx.std_name = "badin-std"
        ctx.std = sqs_call(port, "CreateQueue", {"QueueName": ctx.std_name, "tags": {"team": "badin"}})["QueueUrl"]
        sqs_call(port, "SendMessageBatch", {"QueueUrl": ctx.std, "Entries": [
            {"Id": str(i), "MessageBody": "standard-%d" % i} for i in range(3)]})
        ctx.fifo = sqs_call(port, "CreateQueue", {"QueueName": "badin-fifo.fifo", "Attributes": {
            "FifoQueue": "true", "ContentBasedDeduplication": "true"}})["QueueUrl"]
        for i in range(2):
            sqs_call(port, "SendMessage", {"QueueUrl": ctx.fifo, "MessageBody": "fifo-%d" % i, "MessageGroupId": "g"})
        ctx.sink = sqs_call(port, "CreateQueue", {"QueueName": "badin-sink"})["QueueUrl"]
        ctx.handles = sqs_call(port, "CreateQueue", {"QueueName": "badin-handles"})["QueueUrl"]
        ctx.lists = sqs_call(port, "CreateQueue", {"QueueName": "badin-lists"})["QueueUrl"]
        sqs_call(port, "SendMessageBatch", {"QueueUrl": ctx.lists, "Entries": [
            {"Id": str(i), "MessageBody": "lists-%d" % i,
             "MessageAttributes": {"a%d" % i: {"DataType": "String", "StringValue": "v"}}} for i in range(10)]})
        ctx.app_zip = zip_fixture("py_recorder")
        lambda_call(port, "POST", "/functions", function_body(FUNCTION, zip_code(ctx.app_zip)), expect=(201,))
        arn = "arn:aws:sqs:%s:%s:%s" % (harness.REGION, harness.ACCOUNT, ctx.std_name)
        mapping = lambda_call(port, "POST", "/event-source-mappings/", {
            "FunctionName": FUNCTION, "EventSourceArn": arn, "BatchSize": 10, "Enabled": False}, expect=(202,))

        def disabled():
            return lambda_call(port, "GET", "/event-source-mappings/" + mapping["UUID"])["State"] == "Disabled"

        if not harness.wait_until(disabled, timeout=5.0, interval=0.05):
            raise AssertionError("the fixture's mapping did not settle as Disabled")

    @classmethod
    def tearDownClass(cls):
        ctx = cls.ctx
        try:
            ctx.server.cleanup()
        finally:
            shutil.rmtree(ctx.scratch, ignore_errors=True)
        if os.environ.get("BADINPUT_TABLE"):
            print("\n%-52s %-8s %-44s %s" % ("row", "status", "code", "seconds"))
            for row in ROWS:
                r = cls.results.get(row.id)
                if r:
                    print("%-52s %-8s %-44s %.2f%s" % (row.id, r["status"], r["code"], r["elapsed"],
                                                      "" if not r["problems"] else "  FAIL"))

    # ---- one row

    def ensure_server(self, problems):
        server = self.ctx.server
        if server.proc is not None and server.proc.poll() is None:
            return
        code = server.proc.returncode if server.proc is not None else None
        problems.append("the server exited (status %s); log tail:\n%s" % (code, server.log()[-3000:]))
        try:
            server._log.close()
        except (AttributeError, OSError):
            pass
        server.proc = None
        server.start()

    def run_row(self, row):
        ctx = self.ctx
        problems = []
        answer = Answer(error="not sent")
        ctx.row = None
        self.ensure_server([])
        log_start = len(ctx.server.log())
        try:
            outside_before = outside_snapshot(ctx)
            before = state_snapshot(ctx) if row.baseline == "before_prepare" else None
            if row.prepare:
                ctx.row = row.prepare(ctx)
            if before is None:
                before = state_snapshot(ctx)
            req = row.req(ctx) if callable(row.req) else row.req
            try:
                answer = perform(ctx, req)
            except (OSError, http.client.HTTPException) as exc:
                answer = Answer(error="%s: %s" % (type(exc).__name__, exc))
            self.check_answer(row, answer, problems)
            if row.check:
                problems.extend(row.check(ctx, answer))
            alive = self.check_alive(problems)
            if alive:
                after = state_snapshot(ctx)
                for part in row.compare:
                    diff = describe_diff(before[part], after[part])
                    if diff:
                        problems.append("%s changed: %s" % (part, "; ".join(diff)))
            diff = describe_diff(outside_before, outside_snapshot(ctx))
            if diff:
                problems.append("files outside the data dir changed: %s" % "; ".join(diff))
            try:
                if row.cleanup and alive:
                    row.cleanup(ctx, answer)
            finally:
                diff = describe_diff(outside_before, outside_snapshot(ctx))
                if diff:
                    problems.append("after clean-up, files outside the data dir changed: %s" % "; ".join(diff))
        except Exception:  # noqa: BLE001 - a broken row is reported as that row's failure
            problems.append("the row could not run: %s" % traceback.format_exc(limit=4))
        log = ctx.server.log()[log_start:]
        for marker in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
            at = log.find(marker)
            if at >= 0:
                problems.append("the server log has a sanitizer report:\n%s" % log[max(0, at - 200):at + 1500])
                break
        self.ensure_server(problems)
        self.results[row.id] = {"status": answer.status, "code": error_code(row.proto, answer),
                                "elapsed": answer.elapsed, "problems": problems}
        return self.results[row.id]

    def check_answer(self, row, answer, problems):
        statuses = row.status if isinstance(row.status, tuple) else (row.status,)
        got_code = error_code(row.proto, answer)
        summary = "got %s %s%s: %s" % (answer.status, got_code, " (%s)" % answer.error if answer.error else "",
                                       short(answer.text(), 300))
        if answer.status not in statuses:
            problems.append("HTTP status %s, expected %s; %s" % (answer.status, " or ".join(map(str, statuses)),
                                                                 summary))
        if row.code is not None:
            codes = row.code if isinstance(row.code, tuple) else (row.code,)
            if got_code not in codes:
                problems.append("error code %s, expected %s; %s" % (got_code, " or ".join(codes), summary))
        if row.message is not None and row.message not in answer.text():
            problems.append("the answer does not contain %r; %s" % (row.message, summary))
        if row.max_seconds is not None and answer.elapsed > row.max_seconds:
            problems.append("answered after %.2f s, more than %.1f s" % (answer.elapsed, row.max_seconds))

    def check_alive(self, problems):
        server = self.ctx.server
        if server.proc is None or server.proc.poll() is not None:
            problems.append("the server is not running")
            return False
        try:
            answer = send_http(server.port, sqs_json("ListQueues", {}))
        except (OSError, http.client.HTTPException) as exc:
            problems.append("ListQueues after the row failed: %s" % exc)
            return False
        if answer.status != 200:
            problems.append("ListQueues after the row answered %s" % answer.status)
            return False
        return True

    def row_result(self, row):
        return self.results.get(row.id) or self.run_row(row)

    def assert_row(self, row):
        result = self.row_result(row)
        result["reported"] = True
        if result["problems"]:
            self.fail("%s%s:\n  - %s" % (row.id, " [%s]" % row.note if row.note else "",
                                         "\n  - ".join(result["problems"])))

    def test_table(self):
        """Every row as a subTest; rows whose own method already reported are not counted again."""
        for row in ROWS:
            if self.results.get(row.id, {}).get("reported"):
                continue
            with self.subTest(row.id):
                self.assert_row(row)


def _add_row_methods():
    seen = set()
    for index, row in enumerate(ROWS):
        if row.id in seen:
            raise ValueError("duplicate row id %s" % row.id)
        seen.add(row.id)

        def method(self, row=row):
            self.assert_row(row)

        method.__name__ = "test_row_%03d_%s" % (index, row.id.replace("-", "_"))
        method.__doc__ = None
        setattr(BadInputTests, method.__name__, method)


_add_row_methods()
