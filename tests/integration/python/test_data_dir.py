"""The data directory: one process owns it (an exclusive lock), and it is private.

A second server on the same directory must refuse to start (two servers would diverge and
lose acknowledged messages); the lock goes away with the process, also after kill -9 while
handler processes it started may still be running. The directory is 0700 and the database
files 0600.
"""
import os
import stat
import subprocess
import tempfile
import unittest

import harness
from lambda_util import lambda_client, zip_fixture, PY_RUNTIME, ROLE


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class DataDirLockTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="sqsemu-lock-")
        self.addCleanup(self.tmp.cleanup)
        self.data_dir = os.path.join(self.tmp.name, "data")

    def second_server(self):
        """Starts another server on the same directory; returns (exit code, output)."""
        port = harness.free_port()
        proc = subprocess.run([harness.BIN, "--host", "127.0.0.1", "--port", str(port), "--data-dir", self.data_dir],
                              capture_output=True, text=True, timeout=30)
        return proc.returncode, proc.stdout + proc.stderr

    def test_second_server_is_refused_and_changes_nothing(self):
        first = harness.Server(data_dir=self.data_dir).start()
        self.addCleanup(first.cleanup)
        sqs = first.client("sqs")
        url = sqs.create_queue(QueueName="owned")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="kept")
        code, output = self.second_server()
        self.assertEqual(code, 1, output)
        self.assertIn("in use by another sqsemu process", output)
        self.assertIn("(pid %d)" % first.proc.pid, output)
        self.assertIn("--data-dir", output, "the message says what to do")
        # The first server is unaffected and still owns its messages.
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
        self.assertEqual([m["Body"] for m in got], ["kept"])

    def test_lock_is_released_by_kill9_even_with_handlers_running(self):
        server = harness.Server(data_dir=self.data_dir).start()
        self.addCleanup(server.cleanup)
        lam = lambda_client(server)
        lam.create_function(FunctionName="warm", Runtime=PY_RUNTIME, Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": zip_fixture("py_recorder")})
        lam.invoke(FunctionName="warm", Payload=b"{}")  # leaves a warm handler process
        server.kill9()
        server.start()  # the same directory, at once: must not be refused
        lam = lambda_client(server)
        self.assertEqual(lam.get_function(FunctionName="warm")["Configuration"]["FunctionName"], "warm")

    def test_directory_and_database_are_private(self):
        server = harness.Server(data_dir=self.data_dir).start()
        self.addCleanup(server.cleanup)
        server.client("sqs").create_queue(QueueName="private")
        self.assertEqual(mode(self.data_dir), 0o700)
        for name in os.listdir(self.data_dir):
            path = os.path.join(self.data_dir, name)
            if os.path.isfile(path):
                self.assertEqual(mode(path) & 0o077, 0, "%s is %o" % (name, mode(path)))

    def test_existing_world_readable_database_is_tightened(self):
        os.makedirs(self.data_dir)
        db = os.path.join(self.data_dir, "sqsemu.db")
        server = harness.Server(data_dir=self.data_dir).start()
        server.client("sqs").create_queue(QueueName="old")
        server.stop()
        os.chmod(db, 0o644)
        server.start()
        self.addCleanup(server.cleanup)
        self.assertEqual(mode(db) & 0o077, 0)
        self.assertEqual(len(server.client("sqs").list_queues()["QueueUrls"]), 1)


if __name__ == "__main__":
    unittest.main()
