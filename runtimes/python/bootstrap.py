"""sqsemu's Python runtime shim: a small Lambda Runtime API client.

Usage (cwd = $LAMBDA_TASK_ROOT):  python3 bootstrap.py <module.function>

Standard library only. It imports the handler once, then loops forever:
GET /runtime/invocation/next, call handler(event, context), POST the result to
/runtime/invocation/<id>/response (or an error document to .../error). An import
failure is reported to /runtime/init/error and the process exits with status 1.
The error documents and context attributes follow the official awslambdaric client.
"""

import decimal
import importlib
import io
import json
import logging
import os
import socket
import sys
import time
import traceback

API_VERSION = "2018-06-01"
THIS_FILE = os.path.abspath(__file__)


def _unbuffered_stream(fd):
    """A text stream whose every write reaches the file descriptor at once."""
    raw = io.FileIO(fd, "w", closefd=False)
    return io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace",
                            line_buffering=True, write_through=True)


def _setup_streams():
    for name, fd in (("stdout", 1), ("stderr", 2)):
        try:
            os.fstat(fd)
        except OSError:
            continue
        try:
            getattr(sys, name).flush()
        except Exception:
            pass
        setattr(sys, name, _unbuffered_stream(fd))


# --------------------------------------------------------------------------
# Runtime API client: one keep-alive HTTP/1.1 connection on a plain socket.
# http.client builds an email.message object per response, which cost more
# than the rest of an invocation; here a response is split by hand: the status
# line, "name: value" lines (names lower-cased) and a Content-Length body (or
# chunked, or up to the close, so any HTTP/1.x server will do).
# --------------------------------------------------------------------------

class RuntimeAPIError(Exception):
    pass


class _Closed(Exception):
    """The server closed the kept-alive connection before answering."""


class RuntimeClient:
    def __init__(self, address):
        host, sep, port = address.rpartition(":")
        if not sep or not port.isdigit():
            host, port = address, "80"
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        self.host = host
        self.port = int(port)
        self.sock = None
        self.buf = b""
        self.user_agent = "sqsemu-python-shim/%d.%d.%d" % sys.version_info[:3]
        self.host_header = "%s:%d" % (host, self.port)
        self.next_request = self._head("GET", "/runtime/invocation/next", None) + b"\r\n"

    def _head(self, method, path, headers):
        lines = ["%s /%s%s HTTP/1.1" % (method, API_VERSION, path),
                 "Host: " + self.host_header, "User-Agent: " + self.user_agent]
        for name, value in (headers or {}).items():
            lines.append("%s: %s" % (name, value))
        return ("\r\n".join(lines) + "\r\n").encode("latin-1")

    def _connect(self):
        if self.sock is None:
            # No timeout: /next blocks until an invocation is assigned.
            self.sock = socket.create_connection((self.host, self.port))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buf = b""
        return self.sock

    def _drop(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buf = b""

    def _fill(self, sock):
        data = sock.recv(65536)
        if not data:
            raise _Closed()
        self.buf += data

    def _read_head(self, sock):
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            self._fill(sock)
        head = self.buf[:end].decode("latin-1")
        self.buf = self.buf[end + 4:]
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise RuntimeAPIError("bad status line %r" % lines[0][:100])
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        return parts[0], int(parts[1]), headers

    def _read_exact(self, sock, n):
        have = len(self.buf)
        if have >= n:
            data, self.buf = self.buf[:n], self.buf[n:]
            return data
        # A large event: received straight into its own buffer, without joining pieces.
        data = bytearray(n)
        view = memoryview(data)
        view[:have] = self.buf
        self.buf = b""
        while have < n:
            got = sock.recv_into(view[have:])
            if not got:
                raise _Closed()
            have += got
        return data

    def _read_line(self, sock):
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                line, self.buf = self.buf[:end], self.buf[end + 2:]
                return line
            self._fill(sock)

    def _read_chunked(self, sock):
        parts = []
        while True:
            size = int(self._read_line(sock).split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self._read_line(sock):
                    pass  # trailers
                return b"".join(parts)
            parts.append(self._read_exact(sock, size))
            self._read_line(sock)

    def _read_to_close(self, sock):
        parts = [self.buf]
        while True:
            data = sock.recv(65536)
            if not data:
                break
            parts.append(data)
        self.buf = b""
        return b"".join(parts)

    def _exchange(self, data, method):
        sock = self._connect()
        sock.sendall(data)
        version, status, headers = self._read_head(sock)
        connection = headers.get("connection", "").lower()
        will_close = connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._read_chunked(sock)
        elif "content-length" in headers:
            body = self._read_exact(sock, int(headers["content-length"]))
        elif method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        else:
            body = self._read_to_close(sock)
            will_close = True
        if will_close:
            self._drop()
        return status, headers, body

    def request(self, method, path, body=None, headers=None, prepared=None):
        """Returns (status, headers dict with lower-case names, body bytes). Retries once
        on a fresh connection when the kept-alive one turns out to be closed."""
        if prepared is not None:
            data = prepared
        else:
            all_headers = dict(headers or {})
            if body is not None:
                all_headers["Content-Length"] = str(len(body))
            data = self._head(method, path, all_headers) + b"\r\n" + (body or b"")
        last_error = None
        for attempt in range(2):
            try:
                return self._exchange(data, method)
            except (_Closed, ConnectionResetError, BrokenPipeError, ConnectionAbortedError) as e:
                last_error = e if not isinstance(e, _Closed) else "connection closed"
                self._drop()
                if attempt == 0:
                    continue
            except (OSError, ValueError) as e:
                last_error = e
                self._drop()
                break
        raise RuntimeAPIError("%s %s failed: %s" % (method, path, last_error))

    def next_invocation(self):
        status, headers, body = self.request("GET", "/runtime/invocation/next",
                                             prepared=self.next_request)
        if status != 200:
            raise RuntimeAPIError("GET /runtime/invocation/next answered %d: %r"
                                  % (status, body[:200]))
        return headers, body

    def _post(self, path, payload, extra_headers=None):
        headers = {"Content-Type": "application/json"}
        if extra_headers:
            headers.update(extra_headers)
        status, _, body = self.request("POST", path, body=payload, headers=headers)
        if status != 202:
            _log_stderr("sqsemu runtime shim: POST %s answered %d: %s"
                        % (path, status, body[:500].decode("utf-8", "replace")))
        return status

    def post_response(self, request_id, payload):
        return self._post("/runtime/invocation/%s/response" % request_id, payload)

    def post_error(self, request_id, document):
        payload = json.dumps(document).encode("utf-8")
        headers = {"Lambda-Runtime-Function-Error-Type": _header_safe(document["errorType"])}
        return self._post("/runtime/invocation/%s/error" % request_id, payload, headers)

    def post_init_error(self, document):
        payload = json.dumps(document).encode("utf-8")
        headers = {"Lambda-Runtime-Function-Error-Type": _header_safe(document["errorType"])}
        return self._post("/runtime/init/error", payload, headers)


def _header_safe(value):
    text = str(value)
    return "".join(c if 0x20 <= ord(c) < 0x7F else "?" for c in text) or "Runtime.Unknown"


def _log_stderr(text):
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except Exception:
        pass


# --------------------------------------------------------------------------
# Error documents
# --------------------------------------------------------------------------

def _user_frames(tb):
    """Traceback frames with this shim's own frames and importlib's machinery
    removed, formatted like traceback.format_list (the official client's shape)."""
    frames = traceback.extract_tb(tb)
    kept = [f for f in frames
            if os.path.abspath(f.filename) != THIS_FILE
            and not f.filename.startswith("<frozen importlib")]
    return traceback.format_list(kept)


def error_document(message, error_type, stack_trace, request_id):
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": list(stack_trace) if stack_trace else [],
    }


def exception_document(exc, request_id, message=None, error_type=None):
    return error_document(message if message is not None else str(exc),
                          error_type if error_type is not None else type(exc).__name__,
                          _user_frames(exc.__traceback__), request_id)


def log_error_document(doc):
    lines = ["[ERROR] %s: %s" % (doc["errorType"], doc["errorMessage"])]
    if doc["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.append("".join(doc["stackTrace"]).rstrip("\n"))
    _log_stderr("\n".join(lines))


# --------------------------------------------------------------------------
# Context object
# --------------------------------------------------------------------------

class _AttrDict(dict):
    """A dict that also answers attribute access with None for missing keys, so
    both context.client_context["custom"] and context.client_context.custom work."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self.get(name)


def _json_header(text):
    """A header carrying JSON, parsed; None when it is absent or not JSON."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _client_context(text):
    parsed = _json_header(text)
    if not isinstance(parsed, dict):
        return parsed
    ctx = _AttrDict(parsed)
    if isinstance(ctx.get("client"), dict):
        ctx["client"] = _AttrDict(ctx["client"])
    return ctx


def _identity(text):
    parsed = _json_header(text)
    if not isinstance(parsed, dict):
        return None
    ident = _AttrDict(parsed)
    ident["cognito_identity_id"] = parsed.get("cognitoIdentityId")
    ident["cognito_identity_pool_id"] = parsed.get("cognitoIdentityPoolId")
    return ident


class LambdaContext:
    # What the environment says about the function does not change while the process
    # lives: read once (main), not per invocation.
    log_group_name = None
    log_stream_name = None
    function_name = None
    function_version = None
    memory_limit_in_mb = None

    @classmethod
    def read_environment(cls):
        env = os.environ
        cls.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        cls.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        cls.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        cls.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        cls.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")

    def __init__(self, request_id, invoked_function_arn, deadline_ms,
                 client_context, identity, tenant_id=None):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.client_context = client_context
        self.identity = identity
        self.tenant_id = tenant_id
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        now_ms = int(round(time.time() * 1000))
        return max(self._deadline_ms - now_ms, 0)

    def __repr__(self):
        return ("%s([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,"
                "function_name=%s,memory_limit_in_mb=%s,function_version=%s,"
                "invoked_function_arn=%s,client_context=%s,identity=%s])"
                % (type(self).__name__, self.aws_request_id, self.log_group_name,
                   self.log_stream_name, self.function_name, self.memory_limit_in_mb,
                   self.function_version, self.invoked_function_arn,
                   self.client_context, self.identity))


# --------------------------------------------------------------------------
# Logging: like the official client, the root logger gets a handler that
# prints "[LEVEL]\t<UTC time>\t<request id>\t<message>" on stdout.
# --------------------------------------------------------------------------

_current_request_id = ""


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _current_request_id
        return True


def _setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter())
    logging.getLogger().addHandler(handler)


# --------------------------------------------------------------------------
# Handler loading
# --------------------------------------------------------------------------

class InitError(Exception):
    def __init__(self, document):
        Exception.__init__(self, document["errorMessage"])
        self.document = document


def load_handler(spec):
    module_part, dot, function_name = spec.rpartition(".")
    if not dot or not module_part or not function_name:
        raise InitError(error_document(
            "Bad handler '%s': expected <module>.<function>" % spec,
            "Runtime.MalformedHandlerName", [], ""))
    module_name = module_part.replace("/", ".")
    if module_name.startswith(".") or ".." in module_name:
        raise InitError(error_document(
            "Bad handler '%s': module name '%s' is not importable" % (spec, module_name),
            "Runtime.MalformedHandlerName", [], ""))
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise InitError(error_document(
            "Unable to import module '%s': %s" % (module_name, e),
            "Runtime.ImportModuleError", [], ""))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno,
                                                   (e.text or "").rstrip("\n"))]
        raise InitError(error_document(
            "Syntax error in module '%s': %s" % (module_name, e),
            "Runtime.UserCodeSyntaxError", trace, ""))
    except Exception as e:
        raise InitError(exception_document(e, ""))
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise InitError(error_document(
            "Handler '%s' missing on module '%s'" % (function_name, module_name),
            "Runtime.HandlerNotFound", [], ""))


# --------------------------------------------------------------------------
# The invocation loop
# --------------------------------------------------------------------------

def _json_default(obj):
    if isinstance(obj, decimal.Decimal):
        return float(obj)
    raise TypeError("Object of type %s is not JSON serializable" % type(obj).__name__)


def handle_one(client, handler, headers, body):
    """One invocation; headers has lower-case names (RuntimeClient)."""
    global _current_request_id
    request_id = headers.get("lambda-runtime-aws-request-id")
    if not request_id:
        raise RuntimeAPIError("/next response has no Lambda-Runtime-Aws-Request-Id")
    _current_request_id = request_id

    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)

    try:
        deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))
    except ValueError:
        deadline_ms = 0

    context = LambdaContext(
        request_id,
        headers.get("lambda-runtime-invoked-function-arn"),
        deadline_ms,
        _client_context(headers.get("lambda-runtime-client-context")),
        _identity(headers.get("lambda-runtime-cognito-identity")),
        headers.get("lambda-runtime-aws-tenant-id"))

    try:
        event = json.loads(body) if body else None
    except ValueError as e:
        doc = error_document("Unable to unmarshal input: %s" % e,
                             "Runtime.UnmarshalError", [], request_id)
        log_error_document(doc)
        client.post_error(request_id, doc)
        return

    try:
        result = handler(event, context)
    except Exception as e:
        doc = exception_document(e, request_id)
        log_error_document(doc)
        client.post_error(request_id, doc)
        return

    try:
        payload = json.dumps(result, default=_json_default).encode("utf-8")
    except (TypeError, ValueError, OverflowError, RecursionError) as e:
        doc = error_document("Unable to marshal response: %s" % e,
                             "Runtime.MarshalError", [], request_id)
        log_error_document(doc)
        client.post_error(request_id, doc)
        return
    client.post_response(request_id, payload)


def main(argv):
    _setup_streams()
    if len(argv) < 2 or not argv[1]:
        handler_spec = os.environ.get("_HANDLER", "")
    else:
        handler_spec = argv[1]
    api = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not api:
        _log_stderr("sqsemu runtime shim: AWS_LAMBDA_RUNTIME_API is not set")
        return 1

    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    task_root = os.path.abspath(task_root)
    # The shim's own directory must not shadow user modules.
    shim_dir = os.path.dirname(THIS_FILE)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != shim_dir
                   or p == task_root]
    if task_root in sys.path:
        sys.path.remove(task_root)
    sys.path.insert(0, task_root)

    _setup_logging()
    LambdaContext.read_environment()
    client = RuntimeClient(api)

    try:
        handler = load_handler(handler_spec)
    except InitError as e:
        log_error_document(e.document)
        try:
            client.post_init_error(e.document)
        except RuntimeAPIError as post_error:
            _log_stderr("sqsemu runtime shim: %s" % post_error)
        return 1

    while True:
        try:
            headers, body = client.next_invocation()
            handle_one(client, handler, headers, body)
        except RuntimeAPIError as e:
            _log_stderr("sqsemu runtime shim: %s" % e)
            return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
