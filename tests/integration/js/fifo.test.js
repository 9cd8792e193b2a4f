// FIFO queues through @aws-sdk/client-sqs: ordering within a message group, SequenceNumber on
// send / batch send / receive, deduplication (explicit id, content-based, scopes),
// MessageGroupId errors, ReceiveRequestAttemptId retries and the DeduplicationScope /
// FifoThroughputLimit attributes (docs/sqs-semantics.md, FIFO queues).

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";

import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";

import { UUID, expectError, md5Hex, stopChecked } from "./server.js";
import { assertClientError, sqsSuite } from "./sqs_util.js";

const DIGITS = /^[0-9]+$/;
const sha256Hex = (s) => createHash("sha256").update(s, "utf8").digest("hex");

describe("FIFO queues (JS SDK v3)", () => {
  let server;
  let sqs;
  const { newQueue, newFifoQueue: fifo, attributes } = sqsSuite((env) => ({ server, sqs } = env));

  const send = (QueueUrl, MessageBody, MessageGroupId, MessageDeduplicationId) =>
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody, MessageGroupId, MessageDeduplicationId }));
  const receiveAll = async (QueueUrl, extra = {}) =>
    (await sqs.send(new ReceiveMessageCommand({
      QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ["All"], ...extra,
    }))).Messages ?? [];
  const visibleCount = async (QueueUrl) =>
    Number((await attributes(QueueUrl, ["ApproximateNumberOfMessages"])).ApproximateNumberOfMessages);

  describe("ordering and sequence numbers", () => {
    it("messages of interleaved groups come back in send order within each group", async () => {
      const url = await fifo("order");
      const plan = [["a", 1], ["b", 1], ["a", 2], ["c", 1], ["b", 2], ["a", 3], ["c", 2], ["b", 3]];
      const sent = new Map(); // body -> SendMessage result
      for (const [g, n] of plan) {
        const body = `${g}${n}`;
        sent.set(body, await send(url, body, g, `dedup-${body}`));
      }
      for (const r of sent.values()) {
        assert.match(r.MessageId, UUID);
        assert.match(r.SequenceNumber, DIGITS);
      }
      // Sequence numbers grow within a group (AWS: "continues to increase for a particular MessageGroupId").
      for (const g of ["a", "b", "c"]) {
        const seqs = plan.filter(([gg]) => gg === g).map(([, n]) => BigInt(sent.get(`${g}${n}`).SequenceNumber));
        for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i - 1] < seqs[i], `group ${g}: ${seqs}`);
      }
      assert.equal(new Set([...sent.values()].map((r) => r.SequenceNumber)).size, plan.length, "unique");

      const got = await receiveAll(url);
      assert.equal(got.length, plan.length, "all groups are unlocked: everything in one receive");
      for (const g of ["a", "b", "c"]) {
        const bodies = got.filter((m) => m.Attributes.MessageGroupId === g).map((m) => m.Body);
        const expected = plan.filter(([gg]) => gg === g).map(([, n]) => `${g}${n}`);
        assert.deepEqual(bodies, expected, `group ${g} in order`);
      }
      for (const m of got) {
        const s = sent.get(m.Body);
        assert.equal(m.MessageId, s.MessageId);
        assert.equal(m.Attributes.SequenceNumber, s.SequenceNumber, "receive reports the send's SequenceNumber");
        assert.equal(m.Attributes.MessageDeduplicationId, `dedup-${m.Body}`);
        assert.equal(m.Attributes.ApproximateReceiveCount, "1");
      }
    });

    it("a received message locks the rest of its group; other groups stay available", async () => {
      const url = await fifo("lock");
      await send(url, "x1", "x", "x1");
      await send(url, "x2", "x", "x2");
      await send(url, "y1", "y", "y1");
      const first = await receiveAll(url, { MaxNumberOfMessages: 1 });
      assert.equal(first.length, 1);
      assert.equal(first[0].Body, "x1", "the oldest message first");
      const second = await receiveAll(url);
      assert.deepEqual(second.map((m) => m.Body), ["y1"], "group x is locked while x1 is in flight");
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[0].ReceiptHandle }));
      assert.deepEqual((await receiveAll(url)).map((m) => m.Body), ["x2"]);
    });

    it("a message whose visibility is reset is delivered again before the later ones of its group", async () => {
      const url = await fifo("again");
      await send(url, "p1", "p", "p1");
      await send(url, "p2", "p", "p2");
      const r1 = await receiveAll(url, { MaxNumberOfMessages: 1, VisibilityTimeout: 0 });
      assert.equal(r1[0].Body, "p1");
      const r2 = await receiveAll(url, { MaxNumberOfMessages: 1 });
      assert.equal(r2[0].Body, "p1", "p1 again, not p2");
      assert.equal(r2[0].Attributes.ApproximateReceiveCount, "2");
    });

    it("SendMessageBatch returns a SequenceNumber per entry and receive reports the same values", async () => {
      const url = await fifo("batch");
      const entries = [
        { Id: "e1", MessageBody: "b-1", MessageGroupId: "g1", MessageDeduplicationId: "b1" },
        { Id: "e2", MessageBody: "b-2", MessageGroupId: "g2", MessageDeduplicationId: "b2" },
        { Id: "e3", MessageBody: "b-3", MessageGroupId: "g1", MessageDeduplicationId: "b3" },
      ];
      const res = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
      assert.equal(res.Failed, undefined);
      assert.equal(res.Successful.length, 3);
      const byId = new Map(res.Successful.map((e) => [e.Id, e]));
      for (const e of entries) {
        const ok = byId.get(e.Id);
        assert.ok(ok, `entry ${e.Id} succeeded`);
        assert.match(ok.MessageId, UUID);
        assert.match(ok.SequenceNumber, DIGITS);
        assert.equal(ok.MD5OfMessageBody, md5Hex(e.MessageBody));
      }
      assert.ok(BigInt(byId.get("e1").SequenceNumber) < BigInt(byId.get("e3").SequenceNumber), "g1 in entry order");

      const got = await receiveAll(url);
      assert.equal(got.length, 3);
      assert.deepEqual(got.filter((m) => m.Attributes.MessageGroupId === "g1").map((m) => m.Body), ["b-1", "b-3"]);
      for (const m of got) {
        const e = entries.find((x) => x.MessageBody === m.Body);
        assert.equal(m.MessageId, byId.get(e.Id).MessageId);
        assert.equal(m.Attributes.SequenceNumber, byId.get(e.Id).SequenceNumber);
      }
    });
  });

  describe("deduplication", () => {
    it("an explicit MessageDeduplicationId repeated in the window is not enqueued and returns the original MessageId", async () => {
      const url = await fifo("dedupx");
      const a = await send(url, "first", "g", "same-id");
      const b = await send(url, "first", "g", "same-id");
      assert.equal(b.MessageId, a.MessageId);
      // A different body under the same id is a duplicate too. The SDK checks
      // MD5OfMessageBody against the body it sent, so with MD5 checks on (the default)
      // this call only succeeds when the answer's digest is that of this request's body.
      const c = await send(url, "second body", "g", "same-id");
      assert.equal(c.MessageId, a.MessageId);
      assert.equal(c.MD5OfMessageBody, md5Hex("second body"));
      assert.equal(await visibleCount(url), 1);

      const got = await receiveAll(url);
      assert.deepEqual(got.map((m) => m.Body), ["first"]);
      assert.equal(got[0].Attributes.MessageDeduplicationId, "same-id");
      // Deleting the message does not end the 5-minute deduplication window.
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got[0].ReceiptHandle }));
      const d = await send(url, "first", "g", "same-id");
      assert.equal(d.MessageId, a.MessageId);
      assert.deepEqual(await receiveAll(url), []);
      // Another id is a new message.
      const e = await send(url, "first", "g", "other-id");
      assert.notEqual(e.MessageId, a.MessageId);
      assert.deepEqual((await receiveAll(url)).map((m) => m.MessageId), [e.MessageId]);
    });

    it("content-based deduplication uses the SHA-256 of the body; an explicit id overrides it", async () => {
      const url = await fifo("dedupc", { ContentBasedDeduplication: "true" });
      const a = await send(url, "payload", "g");
      const b = await send(url, "payload", "g");
      assert.equal(b.MessageId, a.MessageId, "the duplicate returns the original MessageId");
      assert.equal(b.SequenceNumber === undefined || b.SequenceNumber === a.SequenceNumber, true,
        "a duplicate does not get a new sequence number");
      const explicit = await send(url, "payload", "g", "explicit");
      assert.notEqual(explicit.MessageId, a.MessageId, "an explicit id overrides the content hash");
      const other = await send(url, "other payload", "g");
      assert.notEqual(other.MessageId, a.MessageId);

      const got = await receiveAll(url);
      assert.deepEqual(got.map((m) => m.Body), ["payload", "payload", "other payload"]);
      assert.equal(got[0].Attributes.MessageDeduplicationId, sha256Hex("payload"));
      assert.equal(got[1].Attributes.MessageDeduplicationId, "explicit");
      assert.equal(got[2].Attributes.MessageDeduplicationId, sha256Hex("other payload"));
    });

    it("DeduplicationScope queue (default): the same id in another group is a duplicate", async () => {
      const url = await fifo("scopeq");
      const a = await send(url, "one", "g1", "shared");
      const b = await send(url, "two", "g2", "shared");
      assert.equal(b.MessageId, a.MessageId);
      assert.deepEqual((await receiveAll(url)).map((m) => m.Body), ["one"]);
    });

    it("DeduplicationScope messageGroup: the same id in another group is a new message", async () => {
      const url = await fifo("scopeg", { DeduplicationScope: "messageGroup", FifoThroughputLimit: "perMessageGroupId" });
      const a = await send(url, "one", "g1", "shared");
      const b = await send(url, "two", "g2", "shared");
      assert.notEqual(b.MessageId, a.MessageId);
      const c = await send(url, "three", "g1", "shared");
      assert.equal(c.MessageId, a.MessageId, "same group and id: duplicate");
      const got = await receiveAll(url);
      assert.deepEqual(got.map((m) => m.Body).sort(), ["one", "two"]);
    });

    it("SendMessageBatch deduplicates against earlier sends and reports the original MessageId", async () => {
      const url = await fifo("dedupb");
      const a = await send(url, "orig", "g", "dup");
      const res = await sqs.send(new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "x", MessageBody: "orig", MessageGroupId: "g", MessageDeduplicationId: "dup" },
          { Id: "y", MessageBody: "fresh", MessageGroupId: "g", MessageDeduplicationId: "new" },
        ],
      }));
      assert.equal(res.Failed, undefined);
      const byId = new Map(res.Successful.map((e) => [e.Id, e]));
      assert.equal(byId.get("x").MessageId, a.MessageId);
      assert.notEqual(byId.get("y").MessageId, a.MessageId);
      assert.deepEqual((await receiveAll(url)).map((m) => m.Body), ["orig", "fresh"]);
    });
  });

  describe("required parameters", () => {
    it("SendMessage without MessageGroupId is MissingParameter", async () => {
      const url = await fifo("nogroup", { ContentBasedDeduplication: "true" });
      const err = await expectError(() => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" })));
      assertClientError(err, "MissingParameter", "MissingParameter");
      assert.equal(err.message, "The request must contain the parameter MessageGroupId.");
      assert.equal(await visibleCount(url), 0);
    });

    it("SendMessageBatch with an entry lacking MessageGroupId fails as a whole with InvalidParameterValue", async () => {
      const url = await fifo("nogroupb", { ContentBasedDeduplication: "true" });
      const err = await expectError(() => sqs.send(new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "ok", MessageBody: "fine", MessageGroupId: "g" },
          { Id: "bad", MessageBody: "no group" },
        ],
      })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
      assert.equal(err.message, "The request must contain the parameter MessageGroupId.");
      assert.equal(await visibleCount(url), 0, "no entry was sent");
    });

    it("no deduplication id and no content-based deduplication is InvalidParameterValue", async () => {
      const url = await fifo("nodedup");
      const err = await expectError(() => send(url, "x", "g"));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
      assert.equal(err.message,
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    });

    it("a MessageGroupId with a disallowed character or over 128 characters is InvalidParameterValue", async () => {
      const url = await fifo("badgroup", { ContentBasedDeduplication: "true" });
      for (const group of ["has space", "x".repeat(129), "caf\u00e9"]) {
        const err = await expectError(() => send(url, "x", group));
        assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
      }
      const ok = await send(url, "x", "a".repeat(128));
      assert.match(ok.MessageId, UUID);
      const punct = await send(url, "y", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
      assert.match(punct.MessageId, UUID);
    });

    it("DelaySeconds on a FIFO message is InvalidParameterValue", async () => {
      const url = await fifo("delay", { ContentBasedDeduplication: "true" });
      const err = await expectError(() => sqs.send(new SendMessageCommand({
        QueueUrl: url, MessageBody: "x", MessageGroupId: "g", DelaySeconds: 5,
      })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
      assert.equal(err.message, "Value 5 for parameter DelaySeconds is invalid. " +
        "Reason: The request include parameter that is not valid for this queue type.");
    });
  });

  describe("ReceiveRequestAttemptId", () => {
    it("a retried receive with the same attempt id returns the same messages and receipt handles", async () => {
      const url = await fifo("attempt");
      for (const n of [1, 2, 3]) await send(url, `r${n}`, "g", `r${n}`);
      const first = await receiveAll(url, { ReceiveRequestAttemptId: "attempt-1", VisibilityTimeout: 60 });
      assert.deepEqual(first.map((m) => m.Body), ["r1", "r2", "r3"]);
      const retry = await receiveAll(url, { ReceiveRequestAttemptId: "attempt-1", VisibilityTimeout: 60 });
      assert.deepEqual(retry.map((m) => m.MessageId), first.map((m) => m.MessageId));
      assert.deepEqual(retry.map((m) => m.ReceiptHandle), first.map((m) => m.ReceiptHandle), "same handles");
      // Another attempt id is a new receive: group g is locked by the in-flight messages.
      assert.deepEqual(await receiveAll(url, { ReceiveRequestAttemptId: "attempt-2" }), []);
      // The handles work.
      for (const m of retry) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      const counts = await attributes(url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
      assert.equal(counts.ApproximateNumberOfMessages, "0");
      assert.equal(counts.ApproximateNumberOfMessagesNotVisible, "0");
    });

    it("a retry after one of the messages was deleted performs a normal receive", async () => {
      const url = await fifo("attempt2");
      await send(url, "s1", "g1", "s1");
      await send(url, "t1", "g2", "t1");
      const first = await receiveAll(url, { ReceiveRequestAttemptId: "once", VisibilityTimeout: 60 });
      assert.equal(first.length, 2);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[0].ReceiptHandle }));
      const retry = await receiveAll(url, { ReceiveRequestAttemptId: "once" });
      assert.ok(!retry.some((m) => m.MessageId === first[0].MessageId), "the deleted message is not handed out again");
    });

    it("on a standard queue the attempt id is ignored", async () => {
      const url = await newQueue("std");
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m1" }));
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m2" }));
      const a = await receiveAll(url, { MaxNumberOfMessages: 1, ReceiveRequestAttemptId: "same" });
      const b = await receiveAll(url, { MaxNumberOfMessages: 1, ReceiveRequestAttemptId: "same" });
      assert.equal(a.length, 1);
      assert.equal(b.length, 1);
      assert.notEqual(a[0].MessageId, b[0].MessageId, "a normal receive: the other message");
    });
  });

  describe("DeduplicationScope and FifoThroughputLimit", () => {
    it("defaults, values given at creation, and SetQueueAttributes changes", async () => {
      const plain = await fifo("defaults");
      let attrs = await attributes(plain);
      assert.equal(attrs.FifoQueue, "true");
      assert.equal(attrs.ContentBasedDeduplication, "false");
      assert.equal(attrs.DeduplicationScope, "queue");
      assert.equal(attrs.FifoThroughputLimit, "perQueue");

      const high = await fifo("high", { DeduplicationScope: "messageGroup", FifoThroughputLimit: "perMessageGroupId" });
      attrs = await attributes(high, ["DeduplicationScope", "FifoThroughputLimit"]);
      assert.deepEqual(attrs, { DeduplicationScope: "messageGroup", FifoThroughputLimit: "perMessageGroupId" });

      await sqs.send(new SetQueueAttributesCommand({
        QueueUrl: high, Attributes: { FifoThroughputLimit: "perQueue", DeduplicationScope: "queue" },
      }));
      attrs = await attributes(high, ["DeduplicationScope", "FifoThroughputLimit"]);
      assert.deepEqual(attrs, { DeduplicationScope: "queue", FifoThroughputLimit: "perQueue" });

      await sqs.send(new SetQueueAttributesCommand({
        QueueUrl: plain, Attributes: { DeduplicationScope: "messageGroup", ContentBasedDeduplication: "true" },
      }));
      attrs = await attributes(plain, ["DeduplicationScope", "ContentBasedDeduplication"]);
      assert.deepEqual(attrs, { DeduplicationScope: "messageGroup", ContentBasedDeduplication: "true" });
    });

    it("unknown values are InvalidAttributeValue", async () => {
      const url = await fifo("badvals");
      for (const Attributes of [{ DeduplicationScope: "everything" }, { FifoThroughputLimit: "perTenant" }]) {
        const err = await expectError(() => sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes })));
        assertClientError(err, "InvalidAttributeValue", "InvalidAttributeValue");
      }
      const attrs = await attributes(url, ["DeduplicationScope", "FifoThroughputLimit"]);
      assert.deepEqual(attrs, { DeduplicationScope: "queue", FifoThroughputLimit: "perQueue" }, "unchanged");
    });

    it("on a standard queue they are InvalidAttributeName", async () => {
      for (const [name, value] of [["DeduplicationScope", "queue"], ["FifoThroughputLimit", "perQueue"]]) {
        const err = await expectError(() => newQueue("stdattr", { [name]: value }));
        assertClientError(err, "InvalidAttributeName", "InvalidAttributeName");
        assert.equal(err.message, `You can specify the ${name} only when FifoQueue is set to true.`);
      }
      const url = await newQueue("stdset");
      const err = await expectError(() => sqs.send(new SetQueueAttributesCommand({
        QueueUrl: url, Attributes: { DeduplicationScope: "messageGroup" },
      })));
      assertClientError(err, "InvalidAttributeName", "InvalidAttributeName");
    });
  });

  // Last in this suite: stopping the server is checked, so a crash on shutdown or a
  // sanitizer report (the ASan/UBSan build runs these suites) fails a counted test.
  it("the server exits cleanly on SIGTERM", async () => {
    await stopChecked(server);
  });
});
