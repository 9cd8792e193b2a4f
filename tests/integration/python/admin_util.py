"""Helpers shared by the admin API suites (test_admin_api, test_admin_lambda).

The admin routes are plain HTTP under /_sqsemu/ (JSON answers; the metrics in Prometheus
text). Everything here talks to a real server with http.client; nothing is mocked.
"""
import json
import re
import urllib.parse

from botocore.exceptions import ClientError

import harness

ADMIN = "/_sqsemu/"
JSON = {"Content-Type": "application/json"}


def admin(server, method, route, params=None, body=None, headers=None, timeout=30):
    """One admin request. route is the part after /_sqsemu/ (or a full path starting with
    "/"); params a dict or a list of pairs (encoded), or an already encoded str.
    Returns (status, lower-cased headers, the parsed JSON document or the raw bytes)."""
    path = route if route.startswith("/") else ADMIN + route
    if params:
        query = params if isinstance(params, str) else urllib.parse.urlencode(params)
        path += "?" + query
    h = dict(JSON) if body is not None else {}
    h.update(headers or {})
    if body is None:
        data = b""
    elif isinstance(body, (bytes, str)):
        data = body
    else:
        data = json.dumps(body)
    status, hdrs, raw = server.raw(method, path, data, h, timeout=timeout)
    if hdrs.get("content-type", "").startswith("application/json"):
        return status, hdrs, json.loads(raw)
    return status, hdrs, raw


def ok(server, method, route, params=None, body=None):
    """An admin request that must answer 200 with JSON; returns the document."""
    status, hdrs, doc = admin(server, method, route, params, body)
    if status != 200:
        raise AssertionError("%s %s answered %d: %r" % (method, route, status, doc))
    if not hdrs.get("content-type", "").startswith("application/json"):
        raise AssertionError("%s %s answered %r, not JSON" % (method, route, hdrs.get("content-type")))
    return doc


def clock(server):
    return ok(server, "GET", "clock")


def move_clock(server, **members):
    """POST /_sqsemu/clock with these members (advance_ms, set_ms, freeze)."""
    return ok(server, "POST", "clock", body=members)


def advance(server, ms):
    return move_clock(server, advance_ms=ms)


def peek(server, queue, **params):
    """GET /_sqsemu/messages for a queue URL (or a name, given as QueueName=...)."""
    query = dict(params)
    if queue is not None:
        query["QueueUrl"] = queue
    return ok(server, "GET", "messages", query)


def peek_all(server, queue, limit=None):
    """Every message, following NextToken (bounded by a page count)."""
    out, token = [], None
    for _ in range(1000):
        params = {}
        if limit is not None:
            params["Limit"] = str(limit)
        if token is not None:
            params["NextToken"] = token
        doc = peek(server, queue, **params)
        out.extend(doc["Messages"])
        token = doc.get("NextToken")
        if token is None:
            return out
    raise AssertionError("NextToken never ran out")


def reset(server, **params):
    """POST /_sqsemu/reset (queue=..., function=...); returns the counts."""
    return ok(server, "POST", "reset", params or None)


def invocations(server, function=None, limit=None):
    params = {}
    if function is not None:
        params["function"] = function
    if limit is not None:
        params["limit"] = str(limit)
    return ok(server, "GET", "invocations", params or None)["Invocations"]


# ---- Prometheus text exposition (version 0.0.4) ----

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL_VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
_LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*=" + _LABEL_VALUE
_SAMPLE = re.compile(r"^(%s)(?:\{(%s(?:,%s)*)?\})? (\S+)$" % (_NAME, _LABEL, _LABEL))
_LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
_VALUE = re.compile(r"^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$")


def _unescape(value):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


def parse_prometheus(text):
    """Parses the exposition strictly: every line is a HELP or TYPE comment or a sample
    `name{label="value",...} value`; each family's HELP and TYPE come before its samples and
    a family's samples are not interleaved with another's. Returns ({family: type},
    [(name, {labels}, float value)]). Raises AssertionError on anything else."""
    types, helps, samples = {}, set(), []
    seen_done = set()
    current = None
    if text and not text.endswith("\n"):
        raise AssertionError("the exposition does not end with a newline")
    for number, line in enumerate(text.split("\n")[:-1] if text else [], 1):
        if line.startswith("# HELP "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not re.match("^%s$" % _NAME, parts[2]):
                raise AssertionError("line %d: bad HELP: %r" % (number, line))
            helps.add(parts[2])
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4 or parts[3] not in ("counter", "gauge", "untyped", "summary", "histogram"):
                raise AssertionError("line %d: bad TYPE: %r" % (number, line))
            if parts[2] in types:
                raise AssertionError("line %d: a second TYPE for %s" % (number, parts[2]))
            if parts[2] not in helps:
                raise AssertionError("line %d: TYPE before HELP for %s" % (number, parts[2]))
            if current is not None:
                seen_done.add(current)
            types[parts[2]] = parts[3]
            current = parts[2]
            continue
        if line.startswith("#") or not line:
            raise AssertionError("line %d: not a sample or a HELP/TYPE comment: %r" % (number, line))
        m = _SAMPLE.match(line)
        if not m:
            raise AssertionError("line %d: not `name{labels} value`: %r" % (number, line))
        name, labels_text, value = m.group(1), m.group(2) or "", m.group(3)
        if not _VALUE.match(value):
            raise AssertionError("line %d: bad value %r" % (number, value))
        if name != current or name in seen_done:
            raise AssertionError("line %d: sample of %s outside its family's block" % (number, name))
        labels = {k: _unescape(v) for k, v in _LABEL_RE.findall(labels_text)}
        if len(labels) != labels_text.count('="') or len(labels) != len(_LABEL_RE.findall(labels_text)):
            raise AssertionError("line %d: repeated or unreadable labels: %r" % (number, line))
        samples.append((name, labels, float(value)))
    return types, samples


def metrics(server):
    """GET /_sqsemu/metrics, parsed: ({family: type}, [(name, labels, value)])."""
    status, hdrs, raw = server.raw("GET", ADMIN + "metrics")
    if status != 200:
        raise AssertionError("metrics answered %d: %r" % (status, raw[:300]))
    if not hdrs.get("content-type", "").startswith("text/plain; version=0.0.4"):
        raise AssertionError("metrics content type %r" % hdrs.get("content-type"))
    return parse_prometheus(raw.decode("utf-8"))


def metric(samples, name, **labels):
    """The value of the one sample of `name` whose labels include these; None if absent."""
    found = [v for n, l, v in samples if n == name and all(l.get(k) == val for k, val in labels.items())]
    if len(found) > 1:
        raise AssertionError("%d samples of %s match %r" % (len(found), name, labels))
    return found[0] if found else None


# ---- assertions ----

class AdminAsserts:
    """Mixed into a unittest.TestCase."""

    def assertAdminError(self, answer, status, code=None):
        """answer: (status, headers, doc) from admin(); a JSON {"error", "message"} with this
        status (and code)."""
        got_status, hdrs, doc = answer
        self.assertEqual(got_status, status, doc)
        self.assertTrue(hdrs.get("content-type", "").startswith("application/json"), hdrs)
        self.assertIsInstance(doc, dict, doc)
        self.assertEqual(set(doc), {"error", "message"}, doc)
        self.assertIsInstance(doc["error"], str)
        self.assertIsInstance(doc["message"], str)
        self.assertTrue(doc["message"], doc)
        if code is not None:
            self.assertEqual(doc["error"], code, doc)
        return doc

    def assertClientError(self, fn, code, *args, **kwargs):
        try:
            result = fn(*args, **kwargs)
        except ClientError as exc:
            self.assertEqual(exc.response["Error"]["Code"], code, exc.response)
            return exc
        self.fail("expected %s, the call succeeded: %r" % (code, result))


SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")


def stop_and_check(server):
    """Stops the server (SIGTERM, bounded) and fails if it did not exit 0 or its log holds a
    sanitizer report (a build with -Db_sanitize). Then removes its files."""
    try:
        code = server.stop()
        log = server.log()
        for marker in SANITIZER_MARKERS:
            at = log.find(marker)
            if at >= 0:
                raise AssertionError("the server log has a sanitizer report:\n%s" % log[max(0, at - 300):at + 3000])
        if code not in (0, None):
            raise AssertionError("the server exited %s on SIGTERM: %s" % (code, log[-2000:]))
    finally:
        server.cleanup()


def queue_url(server, name):
    return "%s/%s/%s" % (server.endpoint, harness.ACCOUNT, name)
