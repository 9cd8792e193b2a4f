"""Group commit: requests that arrive together share one store transaction, each inside
its own savepoint, and none is answered before that transaction is committed.

Driven over raw keep-alive sockets so that many requests really are in flight at once;
what is checked does not depend on how the server happens to group them: every answered
send is stored, every refused one is not, a failed commit answers 500 and keeps nothing,
and --durability full syncs every commit to the disk.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import harness
from admin_util import metrics

CONNECTIONS = 32


def send_request(port, queue_url, body):
    payload = json.dumps({"QueueUrl": queue_url, "MessageBody": body}).encode()
    head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/x-amz-json-1.0\r\n"
            "X-Amz-Target: AmazonSQS.SendMessage\r\nContent-Length: %d\r\n\r\n" % (port, len(payload)))
    return head.encode() + payload


class Connection:
    """One keep-alive connection that reads exactly one HTTP response at a time."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.pending = b""

    def read_response(self):
        while b"\r\n\r\n" not in self.pending:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError("the server closed the connection")
            self.pending += chunk
        head, rest = self.pending.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError("the server closed the connection mid-body")
            rest += chunk
        self.pending = rest[length:]
        return status, json.loads(rest[:length] or b"{}")

    def close(self):
        self.sock.close()


def burst(port, conns, requests):
    """Writes one request on every connection before reading any answer; returns the
    (status, body) answers in connection order."""
    for c, req in zip(conns, requests):
        c.sock.sendall(req)
    return [c.read_response() for c in conns]


def store_counters(server):
    _, samples = metrics(server)
    values = {name: value for name, labels, value in samples if not labels}
    return values["sqsemu_store_commit_groups_total"], values["sqsemu_store_group_requests_total"]


class GroupCommitTests(unittest.TestCase):
    def start_server(self, **kw):
        s = harness.Server(**kw)
        self.addCleanup(s.cleanup)
        return s.start()

    def connections(self, server, n=CONNECTIONS):
        conns = [Connection(server.port) for _ in range(n)]
        for c in conns:
            self.addCleanup(c.close)
        return conns

    def test_concurrent_sends_share_commits_and_failures_stay_their_own(self):
        server = self.start_server()
        client = server.client()
        url = client.create_queue(QueueName="grouped")["QueueUrl"]
        missing = url.rsplit("/", 1)[0] + "/no-such-queue"
        conns = self.connections(server)
        accepted, refused = set(), 0
        groups0, grouped0 = store_counters(server)
        deadline = time.monotonic() + 30
        rounds = 0
        # Rounds until the server has answered several requests with one commit (bounded).
        while rounds < 10 or (store_counters(server)[1] - grouped0 <= store_counters(server)[0] - groups0
                              and time.monotonic() < deadline and rounds < 200):
            reqs, expect_ok = [], []
            for i in range(len(conns)):
                good = i % 4 != 3
                body = "r%d-c%d" % (rounds, i)
                reqs.append(send_request(server.port, url if good else missing, body))
                expect_ok.append((good, body))
            for (status, doc), (good, body) in zip(burst(server.port, conns, reqs), expect_ok):
                if good:
                    self.assertEqual(status, 200, doc)
                    self.assertIn("MessageId", doc)
                    accepted.add(body)
                else:
                    self.assertEqual(status, 400, doc)
                    self.assertIn("QueueDoesNotExist", doc.get("__type", ""))
                    refused += 1
            rounds += 1
        groups, grouped = store_counters(server)
        self.assertGreater(grouped - grouped0, groups - groups0,
                           "no commit ever answered more than one request (%d groups, %d requests)"
                           % (groups - groups0, grouped - grouped0))
        # Every answered send is stored, once; the refused ones changed nothing.
        bodies = set()
        while True:
            got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600)
            msgs = got.get("Messages", [])
            if not msgs:
                break
            for m in msgs:
                self.assertNotIn(m["Body"], bodies)
                bodies.add(m["Body"])
        self.assertEqual(bodies, accepted)
        self.assertGreater(refused, 0)

    def test_answers_wait_for_the_commit_across_a_kill9(self):
        server = self.start_server()
        client = server.client()
        url = client.create_queue(QueueName="acked")["QueueUrl"]
        conns = self.connections(server, 16)
        acked = set()
        for r in range(20):
            reqs = [send_request(server.port, url, "k%d-%d" % (r, i)) for i in range(len(conns))]
            for i, (status, doc) in enumerate(burst(server.port, conns, reqs)):
                self.assertEqual(status, 200, doc)
                acked.add("k%d-%d" % (r, i))
        # A burst that is written but never read, then kill -9 while it may be in flight.
        for i, c in enumerate(conns):
            c.sock.sendall(send_request(server.port, url, "late-%d" % i))
        server.kill9()
        again = self.start_server(data_dir=server.data_dir)
        c2 = again.client()
        bodies = set()
        while True:
            msgs = c2.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600).get("Messages", [])
            if not msgs:
                break
            bodies.update(m["Body"] for m in msgs)
        self.assertTrue(acked <= bodies, "answered sends were lost: %d of them" % len(acked - bodies))
        self.assertTrue(all(b.startswith("late-") for b in bodies - acked))


class CommitFailureTests(unittest.TestCase):
    """The data directory on a tiny tmpfs: a commit fails once the disk is full."""

    def setUp(self):
        self.mount = tempfile.mkdtemp(prefix="sqsemu-full-")
        self.addCleanup(shutil.rmtree, self.mount, True)
        try:
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=640k,mode=0700", "tmpfs", self.mount],
                           check=True, capture_output=True, timeout=10)
        except (OSError, subprocess.SubprocessError) as e:
            self.skipTest("cannot mount a small tmpfs here (needs root): %s" % e)
        self.addCleanup(subprocess.run, ["umount", "-l", self.mount], capture_output=True, timeout=10)

    def test_a_full_disk_answers_500_and_keeps_exactly_the_answered_sends(self):
        server = harness.Server(data_dir=os.path.join(self.mount, "data"))
        self.addCleanup(server.cleanup)
        server.start()
        client = server.client()
        url = client.create_queue(QueueName="full")["QueueUrl"]
        conns = [Connection(server.port) for _ in range(8)]
        for c in conns:
            self.addCleanup(c.close)
        acked, failures = set(), []
        for r in range(40):
            reqs = [send_request(server.port, url, ("b%d-%d:" % (r, i)).ljust(60000, "x")) for i in range(len(conns))]
            for i, (status, doc) in enumerate(burst(server.port, conns, reqs)):
                if status == 200:
                    acked.add("b%d-%d" % (r, i))
                else:
                    failures.append((status, doc))
            if failures:
                break
        self.assertTrue(failures, "the disk never filled up")
        for status, doc in failures:
            self.assertEqual(status, 500, doc)
            self.assertIn("InternalFailure", doc.get("__type", ""), doc)
        self.assertIsNone(server.proc.poll(), "sqsemu died on a full disk")
        # What the store holds, read by a server on a copy of the data directory (the full
        # disk would refuse the receives' own writes): after a kill -9, as after a crash.
        server.kill9()
        copy = tempfile.mkdtemp(prefix="sqsemu-full-copy-")
        self.addCleanup(shutil.rmtree, copy, True)
        shutil.copytree(server.data_dir, os.path.join(copy, "data"))
        again = harness.Server(data_dir=os.path.join(copy, "data"))
        self.addCleanup(again.cleanup)
        again.start()
        reader = again.client()
        bodies = set()
        while True:
            got = reader.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                         VisibilityTimeout=600).get("Messages", [])
            if not got:
                break
            bodies.update(m["Body"].split(":", 1)[0] for m in got)
        self.assertEqual(bodies, acked, "the store holds other messages than the answered sends")


class DurabilityFullTests(unittest.TestCase):
    """--durability full syncs each commit (fdatasync of the WAL); normal does not."""

    def syncs_during_sends(self, extra_args):
        if not shutil.which("strace"):
            self.skipTest("strace is not installed")
        server = harness.Server(extra_args=extra_args)
        self.addCleanup(server.cleanup)
        server.start()
        client = server.client()
        url = client.create_queue(QueueName="synced")["QueueUrl"]
        client.send_message(QueueUrl=url, MessageBody="warm-up")
        out = os.path.join(tempfile.mkdtemp(prefix="sqsemu-strace-"), "trace.txt")
        self.addCleanup(shutil.rmtree, os.path.dirname(out), True)
        tracer = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=fsync,fdatasync", "-o", out,
                                   "-p", str(server.proc.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(lambda: tracer.poll() is None and tracer.kill())
        deadline = time.monotonic() + 10
        while not self.traced(server.proc.pid):
            if tracer.poll() is not None or time.monotonic() > deadline:
                self.skipTest("strace cannot attach here: %r" % tracer.stderr.read()[:200])
            time.sleep(0.01)  # the poll interval of this bounded wait for the tracer
        for i in range(20):
            client.send_message(QueueUrl=url, MessageBody="m%d" % i)
        tracer.terminate()
        tracer.wait(10)
        with open(out) as f:
            return sum(1 for line in f if "sync(" in line)

    @staticmethod
    def traced(pid):
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("TracerPid:"):
                    return int(line.split()[1]) != 0
        return False

    def test_full_syncs_every_commit(self):
        self.assertGreaterEqual(self.syncs_during_sends(["--durability", "full"]), 20)

    def test_normal_leaves_syncing_to_checkpoints(self):
        self.assertEqual(self.syncs_during_sends([]), 0)

    def test_bad_value_is_refused(self):
        proc = subprocess.run([harness.BIN, "--in-memory", "--port", "0", "--durability", "sometimes"],
                              capture_output=True, text=True, timeout=10)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--durability", proc.stderr)
        self.assertIn("normal, full", proc.stderr)


if __name__ == "__main__":
    unittest.main()
