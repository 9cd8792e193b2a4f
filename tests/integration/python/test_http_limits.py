"""The API port against misbehaving and greedy clients: malformed request lines and header
fields are answered (not dropped, not left hanging), trickled requests and idle connections
meet deadlines a trickle cannot stretch, connections are bounded in all and per client
address, and request bodies share a bounded memory budget. libmicrohttpd's per-connection
messages follow --log-level.

Servers here run with small limits (--request-timeout 2, --max-connections-per-ip ...), so
every wait is short and bounded.
"""
import http.client
import socket
import threading
import time
import unittest

import harness


def exchange(port, data, timeout=5.0):
    """Sends raw bytes, returns everything the server sent until it closed (or timeout)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        s.close()


def status_of(reply):
    line = reply.split(b"\r\n", 1)[0]
    parts = line.split(b" ")
    return int(parts[1]) if len(parts) > 1 and parts[0].startswith(b"HTTP/") else None


class MalformedRequestsTest(harness.ServerTestCase):
    server_args = ("--request-timeout", "2")

    def assertAnswered(self, data, status):
        started = time.monotonic()
        reply = exchange(self.server.port, data)
        self.assertEqual(status_of(reply), status, reply[:200])
        self.assertLess(time.monotonic() - started, 4.5, "answered, not left to time out")
        self.assertIn(b"Connection: close", reply)

    def test_garbage_request_lines_get_400(self):
        for data in (b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET /\r\n\r\n", b"GET / HTTP/1.1 extra\r\n\r\n",
                     b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n", b"G\x00T / HTTP/1.1\r\n\r\n",
                     b"GET noslash HTTP/1.1\r\n\r\n", b"GET / FTP/1.0\r\n\r\n"):
            with self.subTest(data=data[:24]):
                self.assertAnswered(data, 400)

    def test_other_http_versions_get_505(self):
        self.assertAnswered(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505)
        self.assertAnswered(b"GET / HTTP/3\r\n\r\n", 505)

    def test_a_very_long_request_line_gets_414(self):
        self.assertAnswered(b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414)

    def test_control_characters_in_header_fields_get_400(self):
        for field in (b"X: a\x00b", b"X: a\x01b", b"X\x7f: v"):
            with self.subTest(field=field):
                self.assertAnswered(b"GET / HTTP/1.1\r\nHost: x\r\n" + field + b"\r\n\r\n", 400)

    def test_unknown_transfer_coding_gets_501(self):
        for coding in (b"gzip", b"gzip, chunked", b"identity"):
            with self.subTest(coding=coding):
                self.assertAnswered(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding +
                                    b"\r\n\r\nabc", 501)

    def test_a_head_that_never_ends_gets_408(self):
        self.assertAnswered(b"GET / HTTP/1.1\r\nHost: x\r\n", 408)
        self.assertAnswered(b"GET /no-newline-ever", 408)

    def test_the_server_still_serves(self):
        self.assertIn("QueueUrls", self.server.client("sqs").list_queues() | {"QueueUrls": []})


class TrickleTest(harness.ServerTestCase):
    server_args = ("--request-timeout", "2", "--idle-timeout", "3")

    def trickle(self, head, body=b""):
        """Sends head then body one byte every 0.2 s; returns (bytes the server sent, seconds)."""
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=1)
        started = time.monotonic()
        received = b""
        try:
            for i, byte in enumerate(head + body):
                if time.monotonic() - started > 8:
                    break
                try:
                    s.send(bytes([byte]))
                except OSError:
                    break
                try:
                    s.settimeout(0.2)
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    received += chunk
                except socket.timeout:
                    pass
        finally:
            s.close()
        return received, time.monotonic() - started

    def test_trickled_first_request_is_cut_off(self):
        head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n" + b"X: " + b"y" * 60
        received, elapsed = self.trickle(head)
        self.assertLess(elapsed, 4.0, "closed near the 2 s deadline however often a byte arrives")
        self.assertEqual(status_of(received), 408, received[:100])

    def test_trickled_body_is_cut_off(self):
        head = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 100\r\n\r\n")
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=1)
        s.sendall(head)
        started = time.monotonic()
        try:
            closed = False
            while time.monotonic() - started < 8 and not closed:
                try:
                    s.send(b"A")
                    s.settimeout(0.2)
                    closed = s.recv(4096) == b""
                except socket.timeout:
                    pass
                except OSError:
                    closed = True
        finally:
            s.close()
        self.assertTrue(closed)
        self.assertLess(time.monotonic() - started, 4.0)

    def test_trickled_later_request_is_cut_off(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        conn.request("POST", "/", body=b"Action=ListQueues", headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(conn.getresponse().read()[:5], b"<?xml")
        sock = conn.sock
        started = time.monotonic()
        closed = False
        for byte in b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"z" * 200:
            if time.monotonic() - started > 8:
                break
            try:
                sock.send(bytes([byte]))
                sock.settimeout(0.2)
                if sock.recv(4096) == b"":
                    closed = True
                    break
            except socket.timeout:
                pass
            except OSError:
                closed = True
                break
        conn.close()
        self.assertTrue(closed)
        self.assertLess(time.monotonic() - started, 4.0)

    def test_idle_keep_alive_connection_is_closed(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("POST", "/", body=b"Action=ListQueues", headers={"Content-Type": "application/x-www-form-urlencoded"})
        conn.getresponse().read()
        started = time.monotonic()
        conn.sock.settimeout(8)
        self.assertEqual(conn.sock.recv(10), b"", "the server closes the idle connection")
        self.assertGreater(time.monotonic() - started, 2.0)
        conn.close()

    def test_a_parked_long_poll_is_not_cut_off(self):
        sqs = self.server.client("sqs", read_timeout=15)
        url = sqs.create_queue(QueueName="patient")["QueueUrl"]
        started = time.monotonic()
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5).get("Messages", [])
        self.assertEqual(got, [])
        self.assertGreater(time.monotonic() - started, 4.5, "the long poll ran its full 5 s")


class ConnectionLimitTest(harness.ServerTestCase):
    server_args = ("--max-connections-per-ip", "4", "--max-connections", "6")

    def open_idle(self, n):
        socks = []
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
            socks.append(s)
        return socks

    def wait_refused(self):
        """A new connection is answered 503 (bounded wait for the server to count the others)."""
        deadline = time.monotonic() + 5
        reply = b""
        while time.monotonic() < deadline:
            reply = exchange(self.server.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", timeout=2)
            if status_of(reply) == 503:
                return reply
            # The poll interval of this bounded wait.
            time.sleep(0.05)
        return reply

    def test_per_address_limit_answers_503_and_frees_up(self):
        held = self.open_idle(4)
        try:
            reply = self.wait_refused()
            self.assertEqual(status_of(reply), 503, reply[:120])
            self.assertIn(b"--max-connections", reply)
        finally:
            for s in held:
                s.close()
        sqs = self.server.client("sqs")
        self.assertTrue(harness.wait_until(lambda: self._lists(sqs), timeout=5))

    def _lists(self, sqs):
        try:
            sqs.list_queues()
            return True
        except Exception:
            return False


class BodyBudgetTest(harness.ServerTestCase):
    server_args = ("--max-body-memory", "16")

    def declare(self, length):
        """Opens a connection that declares a Lambda upload of length bytes and sends 1 KB."""
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        s.sendall(b"POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % length + b"{" * 1024)
        return s

    def reply_of(self, s, timeout=2.0):
        s.settimeout(timeout)
        try:
            return s.recv(4096)
        except socket.timeout:
            return b""

    def test_bodies_beyond_the_budget_get_503(self):
        # One upload declares 12 MB and stays unfinished; another 12 MB does not fit in 16 MB.
        first = self.declare(12000000)
        try:
            self.assertEqual(self.reply_of(first, 0.3), b"", "the first upload is being received")
            second = self.declare(12000000)
            reply = self.reply_of(second)
            second.close()
            self.assertEqual(status_of(reply), 503, reply[:200])
            self.assertIn(b"Retry-After: 1", reply)
            self.assertIn(b"x-amzn-ErrorType: ServiceException", reply)
            small = self.declare(3000000)
            self.assertEqual(self.reply_of(small, 0.3), b"", "a body that fits is received")
            small.close()
        finally:
            first.close()
        # Once the held body is gone, a large body fits again.
        def fits():
            s = self.declare(12000000)
            try:
                return self.reply_of(s, 0.3) == b""
            finally:
                s.close()
        self.assertTrue(harness.wait_until(fits, timeout=5))


class QuietLibraryTest(unittest.TestCase):
    def test_library_messages_follow_log_level(self):
        server = harness.Server(in_memory=True, extra_args=("--request-timeout", "1")).start()
        try:
            for _ in range(3):
                s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nabc")
                s.close()
            exchange(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n", timeout=3)
            self.assertIn("QueueUrls", server.client("sqs").list_queues() | {"QueueUrls": []})
        finally:
            server.stop()
        log = server.log()
        server.cleanup()
        self.assertNotIn("closed by remote side", log)
        self.assertEqual([l for l in log.splitlines() if l.strip() and " warn " not in l and " error " not in l], [],
                         "at --log-level warn nothing but warnings and errors is printed")


if __name__ == "__main__":
    unittest.main()
