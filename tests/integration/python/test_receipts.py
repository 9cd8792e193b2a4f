"""Receipt handles are authenticated: an edited or made-up handle is ReceiptHandleIsInvalid.

Handles used to be a readable record a client could edit: moving the recorded receive time
forward bypassed the 12-hour visibility cap, and a receive time near INT64_MAX overflowed the
cap check (a crash of the sanitizer build). Now every handle carries an HMAC with a key kept
in the data directory: handles stay valid across restarts of that directory and mean nothing
to another server. Both protocols are covered.
"""
import base64
import struct
import time

import harness
from sqs_asserts import SqsCase

RECEIVE_MS_OFFSET = 28  # where the delivery time sits in the decoded record


def edit_receive_ms(handle, new_ms):
    raw = bytearray(base64.b64decode(handle))
    raw[RECEIVE_MS_OFFSET:RECEIVE_MS_OFFSET + 8] = struct.pack(">q", new_ms)
    return base64.b64encode(bytes(raw)).decode()


def flip(handle, index):
    raw = bytearray(base64.b64decode(handle))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


class ReceiptAuthBase(SqsCase):
    def assertInvalidHandle(self, fn):
        with self.assertRaises(Exception) as ctx:
            fn()
        self.assertError(ctx, "ReceiptHandleIsInvalid")

    def received(self, client):
        url = client.create_queue(QueueName=self.unique("rh"))["QueueUrl"]
        client.send_message(QueueUrl=url, MessageBody="m")
        msgs = client.receive_message(QueueUrl=url, VisibilityTimeout=30, WaitTimeSeconds=1)["Messages"]
        return url, msgs[0]["ReceiptHandle"]

    def test_edited_receive_time_cannot_bypass_the_cap(self):
        client = self.sqs
        url, handle = self.received(client)
        later = int(time.time() * 1000) + 11 * 3600 * 1000
        forged = edit_receive_ms(handle, later)
        self.assertInvalidHandle(lambda: client.change_message_visibility(
            QueueUrl=url, ReceiptHandle=forged, VisibilityTimeout=43200))
        # The genuine handle still works within the cap measured from the real receive.
        client.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=43000)

    def test_overflowing_receive_time_is_rejected_not_a_crash(self):
        client = self.sqs
        url, handle = self.received(client)
        for value in (2 ** 63 - 1, 2 ** 63 - 43200000, -(2 ** 63), -1):
            forged = edit_receive_ms(handle, value)
            self.assertInvalidHandle(lambda: client.change_message_visibility(
                QueueUrl=url, ReceiptHandle=forged, VisibilityTimeout=43200))
            self.assertInvalidHandle(lambda: client.delete_message(QueueUrl=url, ReceiptHandle=forged))
        self.assertIsNone(self.server.proc.poll(), "the server is still running")

    def test_any_flipped_byte_is_rejected_and_changes_nothing(self):
        client = self.sqs
        url, handle = self.received(client)
        size = len(base64.b64decode(handle))
        for index in range(0, size, 7):
            self.assertInvalidHandle(lambda: client.delete_message(QueueUrl=url, ReceiptHandle=flip(handle, index)))
        attrs = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "1")
        client.delete_message(QueueUrl=url, ReceiptHandle=handle)

    def test_handle_of_another_data_directory_is_invalid(self):
        other = harness.Server().start()
        self.addCleanup(other.cleanup)
        theirs = other.client("sqs")
        name = self.unique("same")
        their_url = theirs.create_queue(QueueName=name)["QueueUrl"]
        theirs.send_message(QueueUrl=their_url, MessageBody="x")
        their_handle = theirs.receive_message(QueueUrl=their_url)["Messages"][0]["ReceiptHandle"]
        # Same queue name (same queue and row ids in a fresh store) on this server.
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="y")
        self.sqs.receive_message(QueueUrl=url)
        self.assertInvalidHandle(lambda: self.sqs.delete_message(QueueUrl=url, ReceiptHandle=their_handle))


class ReceiptAuthJson(ReceiptAuthBase, harness.ServerTestCase):
    protocol = "json"


class ReceiptAuthQuery(ReceiptAuthBase, harness.ServerTestCase):
    protocol = "query"


class ReceiptRestartTest(SqsCase, harness.ServerTestCase):
    protocol = "json"

    def test_handles_stay_valid_across_a_restart(self):
        url = self.sqs.create_queue(QueueName=self.unique("restart"))["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="survives")
        handle = self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)["Messages"][0]["ReceiptHandle"]
        self.server.kill9()
        self.server.start()
        sqs = self.server.client("sqs")
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=120)
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "0")


if __name__ == "__main__":
    import unittest
    unittest.main()
