// Messages through @aws-sdk/client-sqs: send (with attributes and digests), batches,
// receive with attribute filters, delete, visibility, purge.
//
// The SDK itself checks MD5OfMessageBody on SendMessage, SendMessageBatch and ReceiveMessage
// (a wrong digest throws); these tests also check every digest against known-answer vectors
// and against an independent implementation of the attribute digest (docs/sqs-semantics.md,
// Digests, identifiers, timestamps).

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";

import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";

import { ACCOUNT, UUID, expectError, md5Hex, md5OfAttributes } from "./server.js";
import { sqsSuite } from "./sqs_util.js";

// Known-answer vector V4 (the tests/integration/python suites use the same ones).
const V4 = {
  body: "hello world",
  attrs: {
    city: { DataType: "String", StringValue: "Any City" },
    count: { DataType: "Number", StringValue: "42" },
    blob: { DataType: "Binary", BinaryValue: Uint8Array.from([0, 1, 2]) },
  },
  md5Body: "5eb63bbbe01eeed093cb22bb8f5acdc3",
  md5Attrs: "3111639560468ffc249c542b8dc29bd7",
};
// Known-answer vector V5 (non-ASCII body and value, custom type labels).
const V5 = {
  body: "caf\u00e9 \u2603",
  attrs: {
    "note.custom": { DataType: "String.utf8", StringValue: "\u00fcber" },
    price: { DataType: "Number.float", StringValue: "3.14" },
  },
  md5Body: "77b9ce57ca402c5d097c95bf21734337",
  md5Attrs: "ff5d6169c77117fb1c3e367dbb20c8aa",
};
const TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793";
const TRACE_MD5 = "62a56dd927315f2b2e12832b84617ea5";

describe("messages (JS SDK v3)", () => {
  let server;
  let sqs;
  const { newQueue, newFifoQueue, attributes } = sqsSuite((env) => ({ server, sqs } = env));

  const receive = (QueueUrl, extra = {}) =>
    sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0, ...extra }));
  const counts = async (QueueUrl) => {
    const Attributes = await attributes(QueueUrl,
      ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]);
    return [
      Number(Attributes.ApproximateNumberOfMessages),
      Number(Attributes.ApproximateNumberOfMessagesNotVisible),
      Number(Attributes.ApproximateNumberOfMessagesDelayed),
    ];
  };

  it("the local digest implementation reproduces the known-answer vectors", () => {
    assert.equal(md5Hex(Buffer.from(V4.body, "utf8")), V4.md5Body);
    assert.equal(md5OfAttributes(V4.attrs), V4.md5Attrs);
    assert.equal(md5Hex(Buffer.from(V5.body, "utf8")), V5.md5Body);
    assert.equal(md5OfAttributes(V5.attrs), V5.md5Attrs);
    assert.equal(md5OfAttributes({ AWSTraceHeader: { DataType: "String", StringValue: TRACE } }), TRACE_MD5);
  });

  it("SendMessage with String/Number/Binary attributes returns the V4 digests; receive returns them intact", async () => {
    const url = await newQueue("v4");
    const sentAt = Date.now();
    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl: url,
      MessageBody: V4.body,
      MessageAttributes: V4.attrs,
      MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: TRACE } },
    }));
    assert.equal(sent.MD5OfMessageBody, V4.md5Body);
    assert.equal(sent.MD5OfMessageAttributes, V4.md5Attrs);
    assert.equal(sent.MD5OfMessageSystemAttributes, TRACE_MD5);
    assert.match(sent.MessageId, UUID);
    assert.equal(sent.SequenceNumber, undefined, "standard queues have no SequenceNumber");

    const res = await receive(url, {
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"],
    });
    assert.equal(res.Messages.length, 1);
    const m = res.Messages[0];
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.Body, V4.body);
    assert.equal(m.MD5OfBody, V4.md5Body);
    assert.equal(m.MD5OfMessageAttributes, V4.md5Attrs);
    assert.equal(typeof m.ReceiptHandle, "string");
    assert.ok(m.ReceiptHandle.length > 0);

    assert.deepEqual(Object.keys(m.MessageAttributes).sort(), ["blob", "city", "count"]);
    assert.equal(m.MessageAttributes.city.DataType, "String");
    assert.equal(m.MessageAttributes.city.StringValue, "Any City");
    assert.equal(m.MessageAttributes.count.DataType, "Number");
    assert.equal(m.MessageAttributes.count.StringValue, "42");
    assert.equal(m.MessageAttributes.blob.DataType, "Binary");
    assert.deepEqual(Buffer.from(m.MessageAttributes.blob.BinaryValue), Buffer.from([0, 1, 2]));
    assert.equal(m.MessageAttributes.blob.StringValue, undefined);
    assert.equal(m.MessageAttributes.city.BinaryValue, undefined);
    assert.equal(md5OfAttributes(m.MessageAttributes), m.MD5OfMessageAttributes);

    const a = m.Attributes;
    assert.deepEqual(Object.keys(a).sort(),
      ["AWSTraceHeader", "ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount", "SenderId", "SentTimestamp"]);
    assert.equal(a.AWSTraceHeader, TRACE);
    assert.equal(a.ApproximateReceiveCount, "1");
    assert.equal(typeof a.SenderId, "string");
    assert.ok(a.SenderId.length > 0);
    assert.match(a.SentTimestamp, /^\d{13}$/, "SentTimestamp is epoch milliseconds");
    assert.ok(Math.abs(Number(a.SentTimestamp) - sentAt) < 60_000);
    assert.match(a.ApproximateFirstReceiveTimestamp, /^\d{13}$/);
    assert.ok(Number(a.ApproximateFirstReceiveTimestamp) >= Number(a.SentTimestamp));
  });

  it("SendMessage with a non-ASCII body and custom type labels returns the V5 digests", async () => {
    const url = await newQueue("v5");
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: V5.body, MessageAttributes: V5.attrs }));
    assert.equal(sent.MD5OfMessageBody, V5.md5Body);
    assert.equal(sent.MD5OfMessageAttributes, V5.md5Attrs);
    assert.equal(sent.MD5OfMessageSystemAttributes, undefined);

    const res = await receive(url, { MessageAttributeNames: ["All"] });
    const m = res.Messages[0];
    assert.equal(m.Body, V5.body);
    assert.equal(m.MD5OfBody, V5.md5Body);
    assert.equal(m.MD5OfMessageAttributes, V5.md5Attrs);
    assert.deepEqual(m.MessageAttributes, V5.attrs);
  });

  it("a message without attributes has no attribute digest, and a body with CR/LF/tab/astral chars round-trips", async () => {
    const url = await newQueue("plain");
    const body = "line1\r\nline2\ttab \"quoted\" <xml> & \ud83d\ude00 end\r";
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    assert.equal(sent.MD5OfMessageBody, md5Hex(Buffer.from(body, "utf8")));
    assert.equal(sent.MD5OfMessageAttributes, undefined);
    const m = (await receive(url, { MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] })).Messages[0];
    assert.equal(m.Body, body);
    assert.equal(m.MessageAttributes, undefined);
    assert.equal(m.MD5OfMessageAttributes, undefined);
    assert.equal(m.Attributes.AWSTraceHeader, undefined);
  });

  it("ReceiveMessage filters message attributes by name and prefix; the digest covers the returned subset", async () => {
    const url = await newQueue("filter");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: V4.body, MessageAttributes: V4.attrs }));
    const get = async (names) => {
      const res = await receive(url, { MessageAttributeNames: names, VisibilityTimeout: 0 });
      assert.equal(res.Messages.length, 1);
      return res.Messages[0];
    };

    let m = await get(["city"]);
    assert.deepEqual(Object.keys(m.MessageAttributes), ["city"]);
    assert.equal(m.MD5OfMessageAttributes, "a6ffb68ea212e1f864e24e589a1bda87");

    m = await get(["c.*"]);
    assert.deepEqual(Object.keys(m.MessageAttributes).sort(), ["city", "count"]);
    assert.equal(m.MD5OfMessageAttributes, md5OfAttributes({ city: V4.attrs.city, count: V4.attrs.count }));

    m = await get([".*"]);
    assert.equal(m.MD5OfMessageAttributes, V4.md5Attrs);

    m = await get(["blob", "does-not-exist"]);
    assert.deepEqual(Object.keys(m.MessageAttributes), ["blob"]);
    assert.equal(m.MD5OfMessageAttributes, md5OfAttributes({ blob: V4.attrs.blob }));

    m = await get(["does-not-exist"]);
    assert.equal(m.MessageAttributes, undefined);
    assert.equal(m.MD5OfMessageAttributes, undefined);

    m = await get([]);
    assert.equal(m.MessageAttributes, undefined);
    assert.equal(m.MD5OfMessageAttributes, undefined);
    // System attributes were not requested in any of these receives.
    assert.equal(m.Attributes, undefined);
  });

  it("ReceiveMessage returns only the requested system attributes (union of both lists)", async () => {
    const url = await newQueue("sysattrs");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" }));
    let m = (await receive(url, { MessageSystemAttributeNames: ["SentTimestamp"], VisibilityTimeout: 0 })).Messages[0];
    assert.deepEqual(Object.keys(m.Attributes), ["SentTimestamp"]);
    m = (await receive(url, {
      AttributeNames: ["ApproximateReceiveCount"], MessageSystemAttributeNames: ["SenderId"], VisibilityTimeout: 0,
    })).Messages[0];
    assert.deepEqual(Object.keys(m.Attributes).sort(), ["ApproximateReceiveCount", "SenderId"]);
    assert.equal(m.Attributes.ApproximateReceiveCount, "2");
  });

  it("an empty queue answers ReceiveMessage with no Messages member", async () => {
    const url = await newQueue("empty");
    const res = await receive(url, { MaxNumberOfMessages: 10 });
    assert.equal(res.Messages, undefined);
  });

  it("SendMessageBatch reports Successful entries with digests and omits Failed when all succeed", async () => {
    const url = await newQueue("batch");
    const entries = [
      { Id: "a", MessageBody: V4.body, MessageAttributes: V4.attrs },
      { Id: "b-2", MessageBody: V5.body, MessageAttributes: V5.attrs },
      { Id: "c_3", MessageBody: "plain" },
    ];
    const res = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    assert.equal(res.Failed, undefined, "an empty Failed list is omitted");
    assert.equal(res.Successful.length, 3);
    const byId = Object.fromEntries(res.Successful.map((e) => [e.Id, e]));
    assert.deepEqual(Object.keys(byId).sort(), ["a", "b-2", "c_3"]);
    assert.equal(byId.a.MD5OfMessageBody, V4.md5Body);
    assert.equal(byId.a.MD5OfMessageAttributes, V4.md5Attrs);
    assert.equal(byId["b-2"].MD5OfMessageBody, V5.md5Body);
    assert.equal(byId["b-2"].MD5OfMessageAttributes, V5.md5Attrs);
    assert.equal(byId.c_3.MD5OfMessageBody, md5Hex("plain"));
    assert.equal(byId.c_3.MD5OfMessageAttributes, undefined);
    for (const e of res.Successful) assert.match(e.MessageId, UUID);
    assert.equal(new Set(res.Successful.map((e) => e.MessageId)).size, 3);

    const got = await receive(url, { MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] });
    assert.equal(got.Messages.length, 3);
    const bodies = Object.fromEntries(got.Messages.map((m) => [m.MessageId, m.Body]));
    assert.equal(bodies[byId.a.MessageId], V4.body);
    assert.equal(bodies[byId["b-2"].MessageId], V5.body);
    assert.equal(bodies[byId.c_3.MessageId], "plain");
  });

  it("SendMessageBatch reports an oversized entry in Failed and sends the others", async () => {
    const url = await newQueue("batchfail", { MaximumMessageSize: "1024" });
    const res = await sqs.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: "ok1", MessageBody: "first" },
        { Id: "big", MessageBody: "x".repeat(1025) },
        { Id: "ok2", MessageBody: "y".repeat(1024) },
      ],
    }));
    assert.deepEqual(res.Successful.map((e) => e.Id).sort(), ["ok1", "ok2"]);
    assert.equal(res.Failed.length, 1);
    const f = res.Failed[0];
    assert.equal(f.Id, "big");
    assert.equal(f.SenderFault, true);
    assert.equal(f.Code, "InvalidParameterValue");
    assert.equal(typeof f.Message, "string");
    const [visible] = await counts(url);
    assert.equal(visible, 2);
  });

  it("DeleteMessage removes a received message; repeating it is a no-op success", async () => {
    const url = await newQueue("delete");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "to delete" }));
    const m = (await receive(url)).Messages[0];
    assert.deepEqual(await counts(url), [0, 1, 0]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    assert.deepEqual(await counts(url), [0, 0, 0]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    assert.equal((await receive(url)).Messages, undefined);
  });

  it("DeleteMessage with a stale handle whose visibility expired still deletes (standard queue)", async () => {
    const url = await newQueue("stale");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "stale" }));
    const m = (await receive(url, { VisibilityTimeout: 0 })).Messages[0];
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    assert.equal((await receive(url)).Messages, undefined);
  });

  it("every receive of the same message yields a new receipt handle and a higher receive count", async () => {
    const url = await newQueue("handles");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "again" }));
    const r1 = (await receive(url, { VisibilityTimeout: 0, MessageSystemAttributeNames: ["All"] })).Messages[0];
    const r2 = (await receive(url, { VisibilityTimeout: 0, MessageSystemAttributeNames: ["All"] })).Messages[0];
    assert.equal(r1.MessageId, r2.MessageId);
    assert.notEqual(r1.ReceiptHandle, r2.ReceiptHandle);
    assert.equal(r1.Attributes.ApproximateReceiveCount, "1");
    assert.equal(r2.Attributes.ApproximateReceiveCount, "2");
    assert.equal(r2.Attributes.ApproximateFirstReceiveTimestamp, r1.Attributes.ApproximateFirstReceiveTimestamp);
  });

  it("DeleteMessageBatch deletes good handles and reports a bad one as ReceiptHandleIsInvalid", async () => {
    const url = await newQueue("delbatch");
    await sqs.send(new SendMessageBatchCommand({
      QueueUrl: url, Entries: [{ Id: "1", MessageBody: "one" }, { Id: "2", MessageBody: "two" }],
    }));
    const msgs = (await receive(url, { MaxNumberOfMessages: 10 })).Messages;
    assert.equal(msgs.length, 2);
    const res = await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: "d0", ReceiptHandle: msgs[0].ReceiptHandle },
        { Id: "d1", ReceiptHandle: msgs[1].ReceiptHandle },
        { Id: "bad", ReceiptHandle: "not-a-receipt-handle" },
      ],
    }));
    assert.deepEqual(res.Successful.map((e) => e.Id).sort(), ["d0", "d1"]);
    assert.equal(res.Failed.length, 1);
    assert.equal(res.Failed[0].Id, "bad");
    assert.equal(res.Failed[0].Code, "ReceiptHandleIsInvalid");
    assert.equal(res.Failed[0].SenderFault, true);
    assert.deepEqual(await counts(url), [0, 0, 0]);

    const allGood = await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: url, Entries: [{ Id: "again", ReceiptHandle: msgs[0].ReceiptHandle }],
    }));
    assert.deepEqual(allGood.Successful.map((e) => e.Id), ["again"]);
    assert.equal(allGood.Failed, undefined);
  });

  it("ChangeMessageVisibility hides a message, and 0 makes it visible at once", async () => {
    const url = await newQueue("vis");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "vis" }));
    const m = (await receive(url, { VisibilityTimeout: 30 })).Messages[0];
    assert.equal((await receive(url)).Messages, undefined, "in flight: not receivable");
    assert.deepEqual(await counts(url), [0, 1, 0]);

    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    assert.deepEqual(await counts(url), [1, 0, 0]);
    const again = (await receive(url, { MessageSystemAttributeNames: ["ApproximateReceiveCount"] })).Messages[0];
    assert.equal(again.MessageId, m.MessageId);
    assert.equal(again.Attributes.ApproximateReceiveCount, "2");

    // Extending the timeout keeps it hidden.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 600 }));
    assert.equal((await receive(url)).Messages, undefined);

    // Out of range.
    const err = await expectError(() => sqs.send(new ChangeMessageVisibilityCommand({
      QueueUrl: url, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 43201,
    })));
    assert.equal(err.name, "InvalidParameterValue");

    // On a deleted message.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.ReceiptHandle }));
    const gone = await expectError(() => sqs.send(new ChangeMessageVisibilityCommand({
      QueueUrl: url, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 10,
    })));
    assert.equal(gone.name, "InvalidParameterValue");
    assert.equal(gone.Code, "InvalidParameterValue");
    assert.equal(gone.message,
      `Value ${again.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`);

    // A handle sqsemu never issued.
    const bad = await expectError(() => sqs.send(new ChangeMessageVisibilityCommand({
      QueueUrl: url, ReceiptHandle: "garbage", VisibilityTimeout: 10,
    })));
    assert.equal(bad.name, "ReceiptHandleIsInvalid");
    assert.equal(bad.Code, "ReceiptHandleIsInvalid");
  });

  it("ChangeMessageVisibilityBatch changes several messages and reports a bad handle", async () => {
    const url = await newQueue("visbatch");
    await sqs.send(new SendMessageBatchCommand({
      QueueUrl: url, Entries: [{ Id: "1", MessageBody: "one" }, { Id: "2", MessageBody: "two" }],
    }));
    const msgs = (await receive(url, { MaxNumberOfMessages: 10, VisibilityTimeout: 60 })).Messages;
    assert.equal(msgs.length, 2);
    assert.deepEqual(await counts(url), [0, 2, 0]);
    const res = await sqs.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: "v0", ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 0 },
        { Id: "v1", ReceiptHandle: msgs[1].ReceiptHandle, VisibilityTimeout: 0 },
        { Id: "bad", ReceiptHandle: "garbage", VisibilityTimeout: 0 },
      ],
    }));
    assert.deepEqual(res.Successful.map((e) => e.Id).sort(), ["v0", "v1"]);
    assert.equal(res.Failed.length, 1);
    assert.equal(res.Failed[0].Id, "bad");
    assert.equal(res.Failed[0].Code, "ReceiptHandleIsInvalid");
    assert.equal(res.Failed[0].SenderFault, true);
    assert.deepEqual(await counts(url), [2, 0, 0]);
    const again = (await receive(url, { MaxNumberOfMessages: 10 })).Messages;
    assert.deepEqual(again.map((m) => m.MessageId).sort(), msgs.map((m) => m.MessageId).sort());

    const hide = await sqs.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: url,
      Entries: again.map((m, i) => ({ Id: `h${i}`, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 300 })),
    }));
    assert.equal(hide.Successful.length, 2);
    assert.equal(hide.Failed, undefined);
    assert.deepEqual(await counts(url), [0, 2, 0]);
  });

  it("DelaySeconds keeps a message out of reach and counts it as delayed", async () => {
    const url = await newQueue("delay");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "later", DelaySeconds: 1 }));
    assert.deepEqual(await counts(url), [0, 0, 1]);
    assert.equal((await receive(url)).Messages, undefined);
    const t0 = Date.now();
    const res = await receive(url, { WaitTimeSeconds: 5 });
    const waited = Date.now() - t0;
    assert.equal(res.Messages?.length, 1, "the delayed message arrives within the long poll");
    assert.equal(res.Messages[0].Body, "later");
    assert.ok(waited < 4_500, `delivered once the delay ended (waited ${waited} ms)`);
  });

  it("PurgeQueue deletes visible, in-flight and delayed messages", async () => {
    const url = await newQueue("purge");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "visible" }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "inflight" }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "delayed", DelaySeconds: 600 }));
    const inflight = (await receive(url, { VisibilityTimeout: 600 })).Messages;
    assert.equal(inflight.length, 1);
    assert.deepEqual(await counts(url), [1, 1, 1]);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    assert.deepEqual(await counts(url), [0, 0, 0]);
    assert.equal((await receive(url, { MaxNumberOfMessages: 10 })).Messages, undefined);
    // The queue keeps working after a purge.
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "after" }));
    assert.equal((await receive(url)).Messages[0].Body, "after");
  });

  it("a message exactly at MaximumMessageSize (body + attributes) is accepted; one byte more is rejected", async () => {
    const url = await newQueue("size", { MaximumMessageSize: "1024" });
    // Attribute size = name (1) + DataType (6) + value (3) = 10 bytes.
    const attrs = { k: { DataType: "String", StringValue: "abc" } };
    const ok = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "z".repeat(1014), MessageAttributes: attrs }));
    assert.match(ok.MessageId, UUID);
    const err = await expectError(() => sqs.send(new SendMessageCommand({
      QueueUrl: url, MessageBody: "z".repeat(1015), MessageAttributes: attrs,
    })));
    assert.equal(err.name, "InvalidParameterValue");
    assert.equal(err.message, "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.");
  });

  it("FIFO: order within a group, sequence numbers, system attributes and group locking", async () => {
    const url = await newFifoQueue("order");
    const seqs = [];
    const rawSeqs = [];
    for (const n of [1, 2, 3]) {
      const r = await sqs.send(new SendMessageCommand({
        QueueUrl: url, MessageBody: `m${n}`, MessageGroupId: "g1", MessageDeduplicationId: `d${n}`,
      }));
      assert.match(r.SequenceNumber, /^\d+$/);
      rawSeqs.push(r.SequenceNumber);
      seqs.push(BigInt(r.SequenceNumber));
    }
    assert.ok(seqs[0] < seqs[1] && seqs[1] < seqs[2], "sequence numbers increase");

    const first = (await receive(url, { MaxNumberOfMessages: 1, MessageSystemAttributeNames: ["All"] })).Messages;
    assert.equal(first.length, 1);
    assert.equal(first[0].Body, "m1");
    assert.equal(first[0].Attributes.MessageGroupId, "g1");
    assert.equal(first[0].Attributes.MessageDeduplicationId, "d1");
    assert.equal(first[0].Attributes.SequenceNumber, rawSeqs[0], "the same string SendMessage returned");
    // m1 is in flight: the rest of group g1 is locked.
    assert.equal((await receive(url, { MaxNumberOfMessages: 10 })).Messages, undefined);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[0].ReceiptHandle }));
    const rest = (await receive(url, { MaxNumberOfMessages: 10 })).Messages;
    assert.deepEqual(rest.map((m) => m.Body), ["m2", "m3"]);
  });

  it("FIFO: content-based deduplication drops a repeated body; a missing MessageGroupId is MissingParameter", async () => {
    const url = await newFifoQueue("dedup", { ContentBasedDeduplication: "true" });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "same", MessageGroupId: "g" }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "same", MessageGroupId: "g" }));
    const got = (await receive(url, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["MessageDeduplicationId"] })).Messages;
    assert.equal(got.length, 1, "the duplicate was not enqueued");
    assert.equal(got[0].Attributes.MessageDeduplicationId, createHash("sha256").update("same").digest("hex"));

    const err = await expectError(() => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" })));
    assert.equal(err.name, "MissingParameter");
    assert.equal(err.message, "The request must contain the parameter MessageGroupId.");

    const plain = await newFifoQueue("nodedup");
    const noDedup = await expectError(() => sqs.send(new SendMessageCommand({ QueueUrl: plain, MessageBody: "x", MessageGroupId: "g" })));
    assert.equal(noDedup.name, "InvalidParameterValue");
    assert.equal(noDedup.message,
      "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
  });

  it("queue URLs handed out use the configured account", async () => {
    const url = await newQueue("acct");
    assert.ok(url.startsWith(`${server.endpoint}/${ACCOUNT}/`));
  });
});
