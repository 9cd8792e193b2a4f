// Dead-letter redrive controls through @aws-sdk/client-sqs: RedriveAllowPolicy
// enforcement, message move tasks and the AWS throttling errors that only `--strict` turns
// on (docs/sqs-semantics.md: RedriveAllowPolicy; Message move tasks; DeleteQueue,
// PurgeQueue and `--strict`).

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  ListMessageMoveTasksCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  ResourceNotFoundException,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSServiceException,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";

import { ACCOUNT, REGION, expectError, stopChecked, unique, waitFor, waitUntil } from "./server.js";
import { assertClientError, sqsSuite } from "./sqs_util.js";

const STATUSES = ["RUNNING", "COMPLETED", "CANCELLING", "CANCELLED", "FAILED"];

describe("RedriveAllowPolicy and message move tasks (JS SDK v3)", () => {
  let server;
  let sqs;
  const { newQueue, attributes, arnOf } = sqsSuite((env) => ({ server, sqs } = env));

  const counts = async (QueueUrl) => {
    const a = await attributes(QueueUrl, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
    return { visible: Number(a.ApproximateNumberOfMessages), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible) };
  };
  const redrive = (arn, maxReceiveCount = 1) => JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount });
  const drain = async (QueueUrl) => {
    const out = [];
    for (let i = 0; i < 20; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({
        QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ["All"],
      }));
      if (!r.Messages) break;
      out.push(...r.Messages);
    }
    return out;
  };
  const listTasks = async (SourceArn, MaxResults) =>
    (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn, MaxResults }))).Results ?? [];
  const waitStatus = (SourceArn, wanted, timeoutMs = 15_000) =>
    waitUntil(async () => (await listTasks(SourceArn))[0], (latest) => latest && wanted.includes(latest.Status),
      (latest) => `task reached one of ${wanted} within ${timeoutMs} ms (last seen ${latest?.Status})`,
      { timeoutMs, intervalMs: 100 });

  /**
   * A source queue (maxReceiveCount 1) and its DLQ holding `n` messages that went through
   * the source: each was received once and moved to the DLQ by the next receive.
   */
  const dlqWith = async (n, prefix = "mv") => {
    const dlqUrl = await newQueue(`${prefix}-dlq`);
    const dlqArn = await arnOf(dlqUrl);
    const srcUrl = await newQueue(`${prefix}-src`, { RedrivePolicy: redrive(dlqArn) });
    const srcArn = await arnOf(srcUrl);
    const sent = [];
    for (let i = 0; i < n; i++) {
      sent.push(await sqs.send(new SendMessageCommand({ QueueUrl: srcUrl, MessageBody: `${prefix}-body-${i}` })));
    }
    let delivered = 0;
    for (let i = 0; i < 20 && delivered < n; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: srcUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      delivered += r.Messages?.length ?? 0;
    }
    assert.equal(delivered, n, "every message received once");
    const moved = await sqs.send(new ReceiveMessageCommand({ QueueUrl: srcUrl, MaxNumberOfMessages: 10 }));
    assert.equal(moved.Messages, undefined, "the next receive moves them all to the DLQ");
    const c = await waitFor(async () => {
      const x = await counts(dlqUrl);
      return x.visible === n ? x : undefined;
    }, { timeoutMs: 5_000 });
    assert.deepEqual(c, { visible: n, inFlight: 0 }, "the DLQ holds them");
    return { dlqUrl, dlqArn, srcUrl, srcArn, sent };
  };

  describe("RedriveAllowPolicy", () => {
    it("denyAll rejects any RedrivePolicy naming the DLQ (create and set)", async () => {
      const dlqUrl = await newQueue("deny-dlq", {
        RedriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }),
      });
      const dlqArn = await arnOf(dlqUrl);
      let err = await expectError(() => newQueue("deny-src", { RedrivePolicy: redrive(dlqArn) }));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue", 400);

      const src = await newQueue("deny-src2");
      err = await expectError(() => sqs.send(new SetQueueAttributesCommand({
        QueueUrl: src, Attributes: { RedrivePolicy: redrive(dlqArn) },
      })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue", 400);
      const attrs = await attributes(src);
      assert.equal(attrs.RedrivePolicy, undefined, "the rejected policy was not stored");
    });

    it("byQueue admits only the listed sources", async () => {
      const allowedUrl = await newQueue("by-ok");
      const allowedArn = await arnOf(allowedUrl);
      const dlqUrl = await newQueue("by-dlq", {
        RedriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [allowedArn] }),
      });
      const dlqArn = await arnOf(dlqUrl);
      const stored = (await attributes(dlqUrl, ["RedriveAllowPolicy"])).RedriveAllowPolicy;
      assert.deepEqual(JSON.parse(stored), { redrivePermission: "byQueue", sourceQueueArns: [allowedArn] });

      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: allowedUrl, Attributes: { RedrivePolicy: redrive(dlqArn, 3) } }));
      const got = (await attributes(allowedUrl, ["RedrivePolicy"])).RedrivePolicy;
      assert.deepEqual(JSON.parse(got), { deadLetterTargetArn: dlqArn, maxReceiveCount: 3 });

      const other = await newQueue("by-other");
      const err = await expectError(() => sqs.send(new SetQueueAttributesCommand({
        QueueUrl: other, Attributes: { RedrivePolicy: redrive(dlqArn) },
      })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue", 400);
      const err2 = await expectError(() => newQueue("by-new", { RedrivePolicy: redrive(dlqArn) }));
      assertClientError(err2, "InvalidParameterValue", "InvalidParameterValue", 400);
    });

    it("allowAll (and no policy) admit any source", async () => {
      const dlqUrl = await newQueue("all-dlq", { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "allowAll" }) });
      const src = await newQueue("all-src", { RedrivePolicy: redrive(await arnOf(dlqUrl)) });
      assert.ok(src);
      const open = await newQueue("open-dlq");
      assert.ok(await newQueue("open-src", { RedrivePolicy: redrive(await arnOf(open)) }));
    });

    it("a malformed RedriveAllowPolicy is rejected", async () => {
      const cases = [
        "not json",
        JSON.stringify({ redrivePermission: "sometimes" }),
        JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: Array.from({ length: 11 }, (_, i) =>
          `arn:aws:sqs:${REGION}:${ACCOUNT}:q${i}`) }),
      ];
      const url = await newQueue("badrap");
      for (const value of cases) {
        const err = await expectError(() => sqs.send(new SetQueueAttributesCommand({
          QueueUrl: url, Attributes: { RedriveAllowPolicy: value },
        })));
        assert.ok(err instanceof SQSServiceException, `${value}: ${err.name}`);
        assert.ok(["InvalidParameterValue", "InvalidAttributeValue"].includes(err.name), `${value}: ${err.name}`);
        assert.equal(err.$metadata.httpStatusCode, 400);
      }
    });
  });

  describe("StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask", () => {
    it("without DestinationArn the messages go back to their original source as new messages", async () => {
      const t0 = Date.now();
      const { dlqUrl, dlqArn, srcUrl, sent } = await dlqWith(3, "back");
      const start = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
      assert.equal(typeof start.TaskHandle, "string");
      assert.ok(start.TaskHandle.length > 0);

      const done = await waitStatus(dlqArn, ["COMPLETED", "FAILED"]);
      assert.equal(done.Status, "COMPLETED");
      assert.equal(done.SourceArn, dlqArn);
      assert.equal(done.DestinationArn, undefined, "only when given at start");
      assert.equal(done.MaxNumberOfMessagesPerSecond, undefined, "only when given at start");
      assert.equal(done.TaskHandle, undefined, "TaskHandle only while RUNNING");
      assert.equal(done.FailureReason, undefined);
      assert.equal(done.ApproximateNumberOfMessagesMoved, 3);
      assert.equal(done.ApproximateNumberOfMessagesToMove, 3);
      assert.equal(typeof done.StartedTimestamp, "number", "epoch milliseconds");
      assert.ok(done.StartedTimestamp >= t0 - 2_000 && done.StartedTimestamp <= Date.now() + 2_000,
        `StartedTimestamp ${done.StartedTimestamp} is now, in ms`);

      assert.deepEqual(await counts(dlqUrl), { visible: 0, inFlight: 0 }, "the DLQ is empty");
      const back = await drain(srcUrl);
      assert.deepEqual(back.map((m) => m.Body).sort(), sent.map((_, i) => `back-body-${i}`));
      const oldIds = new Set(sent.map((s) => s.MessageId));
      for (const m of back) {
        assert.ok(!oldIds.has(m.MessageId), "redriven messages are new messages: new MessageId");
        assert.equal(m.Attributes.ApproximateReceiveCount, "1", "and a fresh receive count");
      }
    });

    it("with DestinationArn and a rate, the messages go to that queue and the entry echoes both", async () => {
      const { dlqUrl, dlqArn, srcUrl } = await dlqWith(2, "dest");
      const destUrl = await newQueue("dest-target");
      const destArn = await arnOf(destUrl);
      await sqs.send(new StartMessageMoveTaskCommand({
        SourceArn: dlqArn, DestinationArn: destArn, MaxNumberOfMessagesPerSecond: 50,
      }));
      const done = await waitStatus(dlqArn, ["COMPLETED", "FAILED"]);
      assert.equal(done.Status, "COMPLETED");
      assert.equal(done.DestinationArn, destArn);
      assert.equal(done.MaxNumberOfMessagesPerSecond, 50);
      assert.equal(done.ApproximateNumberOfMessagesMoved, 2);
      assert.deepEqual((await drain(destUrl)).map((m) => m.Body).sort(), ["dest-body-0", "dest-body-1"]);
      assert.deepEqual(await counts(dlqUrl), { visible: 0, inFlight: 0 });
      assert.deepEqual(await counts(srcUrl), { visible: 0, inFlight: 0 }, "nothing went to the original source");
    });

    it("a slow task is RUNNING with its TaskHandle, refuses a second task, and can be cancelled", async () => {
      const n = 6;
      const { dlqUrl, dlqArn, srcUrl } = await dlqWith(n, "slow");
      const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({
        SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 1,
      }));
      const [running] = await listTasks(dlqArn);
      assert.equal(running.Status, "RUNNING");
      assert.equal(running.TaskHandle, TaskHandle);
      assert.equal(running.ApproximateNumberOfMessagesToMove, n);
      assert.equal(running.MaxNumberOfMessagesPerSecond, 1);

      const err = await expectError(() => sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue", 400);
      assert.equal(err.message,
        "There is already a task running. Only one active task is allowed for a source queue arn at a given time.");

      const cancel = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
      assert.equal(typeof cancel.ApproximateNumberOfMessagesMoved, "number");
      assert.ok(cancel.ApproximateNumberOfMessagesMoved < n, `moved ${cancel.ApproximateNumberOfMessagesMoved} of ${n} at 1/s`);

      const [after1] = await listTasks(dlqArn);
      assert.ok(["CANCELLING", "CANCELLED"].includes(after1.Status), after1.Status);
      const cancelled = await waitStatus(dlqArn, ["CANCELLED"], 5_000);
      assert.equal(cancelled.TaskHandle, undefined);
      assert.ok(cancelled.ApproximateNumberOfMessagesMoved >= cancel.ApproximateNumberOfMessagesMoved);
      assert.ok(cancelled.ApproximateNumberOfMessagesMoved < n);

      // Already-moved messages stay moved; the rest stay in the DLQ; nothing is lost or doubled.
      const inDlq = (await counts(dlqUrl)).visible;
      const inSrc = (await counts(srcUrl)).visible;
      assert.equal(inSrc, cancelled.ApproximateNumberOfMessagesMoved);
      assert.equal(inDlq + inSrc, n);

      // Once the task is over, a new one may start, and the listing is newest first.
      await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
      await waitStatus(dlqArn, ["COMPLETED"]);
      const both = await listTasks(dlqArn, 10);
      assert.equal(both.length, 2);
      assert.deepEqual(both.map((t) => t.Status), ["COMPLETED", "CANCELLED"]);
      assert.ok(both[0].StartedTimestamp >= both[1].StartedTimestamp);
      assert.equal((await listTasks(dlqArn)).length, 1, "MaxResults defaults to 1");
      assert.deepEqual(await counts(dlqUrl), { visible: 0, inFlight: 0 });
      assert.equal((await counts(srcUrl)).visible, n);
    });

    it("every listed status is one of the five model values", async () => {
      const { dlqArn } = await dlqWith(1, "st");
      assert.deepEqual(await listTasks(dlqArn, 10), [], "no task yet");
      await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
      await waitStatus(dlqArn, ["COMPLETED"]);
      for (const t of await listTasks(dlqArn, 10)) assert.ok(STATUSES.includes(t.Status), t.Status);
    });

    it("errors: missing source or destination, a queue that is not a DLQ, a bad handle, a bad rate", async () => {
      const missingArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${unique("missing")}`;
      let err = await expectError(() => sqs.send(new StartMessageMoveTaskCommand({ SourceArn: missingArn })));
      assert.ok(err instanceof ResourceNotFoundException, "modeled ResourceNotFoundException class");
      assertClientError(err, "ResourceNotFoundException", "ResourceNotFoundException", 404);
      assert.equal(err.message, "The resource that you specified for the SourceArn parameter doesn't exist.");

      err = await expectError(() => sqs.send(new ListMessageMoveTasksCommand({ SourceArn: missingArn })));
      assertClientError(err, "ResourceNotFoundException", "ResourceNotFoundException", 404);

      const plainArn = await arnOf(await newQueue("notdlq"));
      err = await expectError(() => sqs.send(new StartMessageMoveTaskCommand({ SourceArn: plainArn })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue", 400);
      assert.equal(err.message, "Source queue must be configured as a Dead Letter Queue.");

      const { dlqUrl, dlqArn } = await dlqWith(1, "errs");
      err = await expectError(() => sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: missingArn })));
      assertClientError(err, "ResourceNotFoundException", "ResourceNotFoundException", 404);
      assert.equal(err.message, "The resource that you specified for the DestinationArn parameter doesn't exist.");

      for (const rate of [0, 501]) {
        err = await expectError(() => sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: rate })));
        assertClientError(err, "InvalidParameterValue", "InvalidParameterValue", 400);
      }
      assert.deepEqual(await listTasks(dlqArn, 10), [], "no task was created by the failed starts");
      assert.equal((await counts(dlqUrl)).visible, 1);

      err = await expectError(() => sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: "not-a-handle" })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue", 400);
      assert.equal(err.message, "Value for parameter TaskHandle is invalid.");
    });
  });

  // Last in this suite: stopping the server is checked, so a crash on shutdown or a
  // sanitizer report (the ASan/UBSan build runs these suites) fails a counted test.
  it("the server exits cleanly on SIGTERM", async () => {
    await stopChecked(server);
  });
});

describe("--strict: AWS's 60-second rules (JS SDK v3)", () => {
  let strict;
  let lax;
  let sqsStrict;
  let sqsLax;
  sqsSuite((env) => ({ server: strict, sqs: sqsStrict } = env), { options: { extraArgs: ["--strict"] } });
  sqsSuite((env) => ({ server: lax, sqs: sqsLax } = env));

  it("a second PurgeQueue within 60 s is PurgeQueueInProgress (403)", async () => {
    const name = unique("purge");
    const url = (await sqsStrict.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl;
    await sqsStrict.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" }));
    await sqsStrict.send(new PurgeQueueCommand({ QueueUrl: url }));
    const err = await expectError(() => sqsStrict.send(new PurgeQueueCommand({ QueueUrl: url })));
    assertClientError(err, "PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403);
    assert.equal(err.message, `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`);
    // Another queue is not affected.
    const other = (await sqsStrict.send(new CreateQueueCommand({ QueueName: unique("purge2") }))).QueueUrl;
    await sqsStrict.send(new PurgeQueueCommand({ QueueUrl: other }));
  });

  it("CreateQueue within 60 s of DeleteQueue of the same name is QueueDeletedRecently (400)", async () => {
    const name = unique("recent");
    const url = (await sqsStrict.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl;
    await sqsStrict.send(new DeleteQueueCommand({ QueueUrl: url }));
    const err = await expectError(() => sqsStrict.send(new CreateQueueCommand({ QueueName: name })));
    assertClientError(err, "QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently", 400);
    // Other names are fine.
    await sqsStrict.send(new CreateQueueCommand({ QueueName: unique("recent2") }));
  });

  it("without --strict both are allowed (the default is off)", async () => {
    const name = unique("lax");
    const url = (await sqsLax.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl;
    await sqsLax.send(new PurgeQueueCommand({ QueueUrl: url }));
    await sqsLax.send(new PurgeQueueCommand({ QueueUrl: url }));
    await sqsLax.send(new DeleteQueueCommand({ QueueUrl: url }));
    const again = (await sqsLax.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl;
    assert.equal(again, url);
  });

  // Last in this suite: stopping the server is checked, so a crash on shutdown or a
  // sanitizer report (the ASan/UBSan build runs these suites) fails a counted test.
  it("the server exits cleanly on SIGTERM", async () => {
    await Promise.all([stopChecked(strict), stopChecked(lax)]);
  });
});
