// Long polling and dead-letter redrive through @aws-sdk/client-sqs.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  ListDeadLetterSourceQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";

import { sqsSuite } from "./sqs_util.js";

describe("long polling and redrive (JS SDK v3)", () => {
  let server;
  let sqs;
  let sqs2; // a second client: its own connection pool
  const { newQueue, attributes, arnOf } = sqsSuite((suite) => {
    server = suite.server;
    [sqs, sqs2] = suite.clients;
  }, { clients: 2 });

  /** Sends a ReceiveMessage and resolves, to the pending call, once the server reports it parked. */
  async function parkedReceive(client, input) {
    const before = await server.waitingReceives();
    const call = { settledAt: null };
    call.result = client.send(new ReceiveMessageCommand(input)).finally(() => { call.settledAt = Date.now(); });
    await server.waitWaitingReceives(before + 1);
    return call;
  }

  it("a long poll is woken by a send on another connection", async () => {
    const url = await newQueue("lp");
    const t0 = Date.now();
    const polling = await parkedReceive(sqs, { QueueUrl: url, WaitTimeSeconds: 10 });
    const tSend = Date.now();
    assert.equal(polling.settledAt, null, "the long poll returned before anything was sent");
    const sent = await sqs2.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "wake up" }));
    const sendDone = Date.now() - t0;
    assert.ok(sendDone < 5_000, `the server keeps serving while a long poll is parked (send took until ${sendDone} ms)`);
    const res = await polling.result;
    const elapsed = Date.now() - t0;
    assert.equal(res.Messages?.length, 1);
    assert.equal(res.Messages[0].MessageId, sent.MessageId);
    assert.equal(res.Messages[0].Body, "wake up");
    assert.ok(polling.settledAt >= tSend, `the poll waited for the send (${polling.settledAt - tSend} ms after it)`);
    assert.ok(elapsed < 5_000, `the poll returned right after the send, not at its timeout (${elapsed} ms)`);
  });

  it("a long poll with nothing to receive returns empty after WaitTimeSeconds", async () => {
    const url = await newQueue("lpempty");
    const t0 = Date.now();
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    const elapsed = Date.now() - t0;
    assert.equal(res.Messages, undefined);
    assert.ok(elapsed >= 900, `waited about a second (${elapsed} ms)`);
    assert.ok(elapsed < 4_000, `did not wait much longer than asked (${elapsed} ms)`);
  });

  it("the queue's ReceiveMessageWaitTimeSeconds applies when the request gives none", async () => {
    const url = await newQueue("lpqueue", { ReceiveMessageWaitTimeSeconds: "1" });
    const t0 = Date.now();
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const elapsed = Date.now() - t0;
    assert.equal(res.Messages, undefined);
    assert.ok(elapsed >= 900, `queue default long poll waited (${elapsed} ms)`);
    assert.ok(elapsed < 4_000, `(${elapsed} ms)`);
    // An explicit 0 overrides the queue default.
    const t1 = Date.now();
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));
    assert.ok(Date.now() - t1 < 800, "WaitTimeSeconds 0 is a short poll");
  });

  it("a long poll returns at once when a message is already there", async () => {
    const url = await newQueue("lpready");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "ready" }));
    const t0 = Date.now();
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    assert.equal(res.Messages?.length, 1);
    assert.ok(Date.now() - t0 < 2_000);
  });

  it("a long poll is woken when an in-flight message's visibility expires", async () => {
    const url = await newQueue("lpvis");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "comes back" }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1 }));
    assert.equal(first.Messages.length, 1);
    const t0 = Date.now();
    const res = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, WaitTimeSeconds: 5, MessageSystemAttributeNames: ["ApproximateReceiveCount"],
    }));
    const elapsed = Date.now() - t0;
    assert.equal(res.Messages?.length, 1);
    assert.equal(res.Messages[0].MessageId, first.Messages[0].MessageId);
    assert.equal(res.Messages[0].Attributes.ApproximateReceiveCount, "2");
    assert.ok(elapsed < 4_500, `returned soon after the visibility expired (${elapsed} ms)`);
  });

  it("a message received maxReceiveCount times moves to the DLQ on the next receive", async () => {
    const dlqUrl = await newQueue("dlq");
    const dlqArn = await arnOf(dlqUrl);
    const srcUrl = await newQueue("src", {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
    });
    const srcArn = await arnOf(srcUrl);
    const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    assert.deepEqual(sources.queueUrls, [srcUrl]);

    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl: srcUrl,
      MessageBody: "poison",
      MessageAttributes: { kind: { DataType: "String", StringValue: "bad" } },
    }));

    // First receive delivers it (count 1) and leaves it visible at once.
    const r1 = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: srcUrl, VisibilityTimeout: 0, MessageSystemAttributeNames: ["All"],
    }));
    assert.equal(r1.Messages?.length, 1);
    assert.equal(r1.Messages[0].Attributes.ApproximateReceiveCount, "1");

    // The next receive would make it 2 > maxReceiveCount: it is moved instead of returned.
    const r2 = await sqs.send(new ReceiveMessageCommand({ QueueUrl: srcUrl, VisibilityTimeout: 0 }));
    assert.equal(r2.Messages, undefined);

    const d = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: dlqUrl, WaitTimeSeconds: 2, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"],
    }));
    assert.equal(d.Messages?.length, 1);
    const m = d.Messages[0];
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.Body, "poison");
    assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
    assert.deepEqual(m.MessageAttributes, { kind: { DataType: "String", StringValue: "bad" } });
    assert.equal(m.Attributes.DeadLetterQueueSourceArn, srcArn);
    assert.equal(m.Attributes.ApproximateReceiveCount, "2", "the receive count carries over into the DLQ");
    assert.equal(m.Attributes.SentTimestamp, r1.Messages[0].Attributes.SentTimestamp, "original send time kept");

    const srcCounts = await attributes(srcUrl);
    assert.equal(srcCounts.ApproximateNumberOfMessages, "0");
    assert.equal(srcCounts.ApproximateNumberOfMessagesNotVisible, "0");
  });

  it("a redrive during a long poll does not return the moved message and keeps waiting for others", async () => {
    const dlqUrl = await newQueue("dlq2");
    const srcUrl = await newQueue("src2", {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(dlqUrl), maxReceiveCount: 2 }),
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: srcUrl, MessageBody: "poison" }));
    for (let i = 1; i <= 2; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: srcUrl, VisibilityTimeout: 0 }));
      assert.equal(r.Messages?.[0]?.Body, "poison", `receive ${i} delivers`);
    }
    const t0 = Date.now();
    const polling = await parkedReceive(sqs, { QueueUrl: srcUrl, WaitTimeSeconds: 5 });
    await sqs2.send(new SendMessageCommand({ QueueUrl: srcUrl, MessageBody: "good" }));
    const res = await polling.result;
    assert.equal(res.Messages?.length, 1);
    assert.equal(res.Messages[0].Body, "good");
    assert.ok(Date.now() - t0 < 4_500);
    const d = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    assert.equal(d.Messages?.[0]?.Body, "poison");
    assert.equal(d.Messages[0].Attributes.ApproximateReceiveCount, "3");
  });
});
