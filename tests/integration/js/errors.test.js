// Error responses as @aws-sdk/client-sqs sees them (docs/sqs-semantics.md, The two wire
// protocols): modeled errors carry the
// shape name as e.name and the Query-era code (x-amzn-query-error header) as e.Code;
// unmodeled ones are named after the header code.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";

import { ACCOUNT, expectError, unique } from "./server.js";
import { assertClientError as assertSqsClientError, sqsSuite } from "./sqs_util.js";

describe("errors (JS SDK v3)", () => {
  let server;
  let sqs;
  let url; // a live standard queue shared by the tests that need one
  const { newQueue } = sqsSuite(async (env) => {
    ({ server, sqs } = env);
    url = await newQueue("errs");
  });

  // What every SQS client error has, plus the Query-era Type and a request id.
  const assertClientError = (err, name, code, status = 400) => {
    assertSqsClientError(err, name, code, status);
    assert.equal(err.Type, "Sender");
    assert.equal(typeof err.$metadata.requestId, "string");
    assert.ok(err.$metadata.requestId.length > 0, "x-amzn-RequestId on errors too");
  };

  const assertNonExistent = (err) => {
    assert.ok(err instanceof QueueDoesNotExist, "modeled QueueDoesNotExist class");
    assertClientError(err, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue");
    assert.equal(err.message, "The specified queue does not exist.");
  };

  describe("QueueDoesNotExist", () => {
    const missingUrl = () => `${server.endpoint}/${ACCOUNT}/${unique("missing")}`;

    it("GetQueueUrl of an unknown name", async () => {
      assertNonExistent(await expectError(() => sqs.send(new GetQueueUrlCommand({ QueueName: unique("missing") }))));
    });

    it("SendMessage, ReceiveMessage, GetQueueAttributes, PurgeQueue, DeleteQueue on an unknown URL", async () => {
      const u = missingUrl();
      assertNonExistent(await expectError(() => sqs.send(new SendMessageCommand({ QueueUrl: u, MessageBody: "x" }))));
      assertNonExistent(await expectError(() => sqs.send(new ReceiveMessageCommand({ QueueUrl: u }))));
      assertNonExistent(await expectError(() => sqs.send(new GetQueueAttributesCommand({ QueueUrl: u, AttributeNames: ["All"] }))));
      assertNonExistent(await expectError(() => sqs.send(new PurgeQueueCommand({ QueueUrl: u }))));
      assertNonExistent(await expectError(() => sqs.send(new DeleteQueueCommand({ QueueUrl: u }))));
    });

    it("batch actions on an unknown URL fail as a whole", async () => {
      const u = missingUrl();
      assertNonExistent(await expectError(() => sqs.send(new SendMessageBatchCommand({
        QueueUrl: u, Entries: [{ Id: "a", MessageBody: "x" }],
      }))));
      assertNonExistent(await expectError(() => sqs.send(new DeleteMessageBatchCommand({
        QueueUrl: u, Entries: [{ Id: "a", ReceiptHandle: "h" }],
      }))));
    });

    it("after DeleteQueue", async () => {
      const name = unique("gone");
      const u = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl;
      await sqs.send(new DeleteQueueCommand({ QueueUrl: u }));
      assertNonExistent(await expectError(() => sqs.send(new SendMessageCommand({ QueueUrl: u, MessageBody: "x" }))));
    });

    it("queue names are case-sensitive", async () => {
      const name = unique("CaseQ");
      await sqs.send(new CreateQueueCommand({ QueueName: name }));
      assertNonExistent(await expectError(() => sqs.send(new GetQueueUrlCommand({ QueueName: name.toLowerCase() }))));
    });
  });

  describe("unmodeled InvalidParameterValue / MissingParameter", () => {
    it("MaxNumberOfMessages 11", async () => {
      const err = await expectError(() => sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
      assert.equal(err.message, "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
    });

    it("MaxNumberOfMessages 0", async () => {
      const err = await expectError(() => sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 0 })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
      assert.equal(err.message, "Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
    });

    it("WaitTimeSeconds 21", async () => {
      const err = await expectError(() => sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
      assert.equal(err.message, "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.");
    });

    it("DelaySeconds 901 and ReceiveMessage VisibilityTimeout 43201", async () => {
      let err = await expectError(() => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", DelaySeconds: 901 })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
      err = await expectError(() => sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 43201 })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
    });

    it("a message attribute without a value", async () => {
      const err = await expectError(() => sqs.send(new SendMessageCommand({
        QueueUrl: url, MessageBody: "x", MessageAttributes: { empty: { DataType: "String", StringValue: "" } },
      })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
      assert.equal(err.message, "Message (user) attribute 'empty' must contain a non-empty value of type 'String'.");
    });

    it("a message attribute with a reserved name or a bad DataType", async () => {
      let err = await expectError(() => sqs.send(new SendMessageCommand({
        QueueUrl: url, MessageBody: "x", MessageAttributes: { "AWS.reserved": { DataType: "String", StringValue: "v" } },
      })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
      err = await expectError(() => sqs.send(new SendMessageCommand({
        QueueUrl: url, MessageBody: "x", MessageAttributes: { a: { DataType: "Integer", StringValue: "1" } },
      })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
    });

    it("more than 10 message attributes", async () => {
      const attrs = {};
      for (let i = 0; i < 11; i++) attrs[`a${i}`] = { DataType: "String", StringValue: "v" };
      const err = await expectError(() => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageAttributes: attrs })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
    });

    it("an empty MessageBody is MissingParameter", async () => {
      const err = await expectError(() => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "" })));
      assertClientError(err, "MissingParameter", "MissingParameter");
      assert.equal(err.message, "The request must contain the parameter MessageBody.");
    });

    it("ListQueues MaxResults out of range", async () => {
      const err = await expectError(() => sqs.send(new ListQueuesCommand({ MaxResults: 1001 })));
      assertClientError(err, "InvalidParameterValue", "InvalidParameterValue");
    });
  });

  describe("message contents and receipt handles", () => {
    it("a body with a disallowed character is InvalidMessageContents", async () => {
      const q = await newQueue("contents");
      for (const body of ["nul\u0000inside", "bell\u0007", "nonchar\uffff"]) {
        const err = await expectError(() => sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: body })));
        assertClientError(err, "InvalidMessageContents", "InvalidMessageContents");
      }
      const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q, MaxNumberOfMessages: 10 }));
      assert.equal(res.Messages, undefined, "rejected bodies were not enqueued (not even truncated)");
    });

    it("DeleteMessage with a handle sqsemu never issued is ReceiptHandleIsInvalid", async () => {
      const err = await expectError(() => sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "garbage" })));
      // HTTP status: 404 per the Smithy model, 400 in older reports of AWS; not asserted.
      assertClientError(err, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", null);
      assert.equal(err.message, 'The input receipt handle "garbage" is not a valid receipt handle.');
    });
  });

  describe("batch request errors", () => {
    const tooMany = (n, make) => Array.from({ length: n }, (_, i) => make(`e${i}`));
    const actions = {
      SendMessageBatch: (Entries) => new SendMessageBatchCommand({ QueueUrl: url, Entries }),
      DeleteMessageBatch: (Entries) => new DeleteMessageBatchCommand({ QueueUrl: url, Entries }),
      ChangeMessageVisibilityBatch: (Entries) => new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries }),
    };
    const entryFor = {
      SendMessageBatch: (Id) => ({ Id, MessageBody: "x" }),
      DeleteMessageBatch: (Id) => ({ Id, ReceiptHandle: "h" }),
      ChangeMessageVisibilityBatch: (Id) => ({ Id, ReceiptHandle: "h", VisibilityTimeout: 0 }),
    };

    for (const action of Object.keys(actions)) {
      it(`${action}: EmptyBatchRequest`, async () => {
        const err = await expectError(() => sqs.send(actions[action]([])));
        assertClientError(err, "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest");
      });

      it(`${action}: TooManyEntriesInBatchRequest`, async () => {
        const err = await expectError(() => sqs.send(actions[action](tooMany(11, entryFor[action]))));
        assertClientError(err, "TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest");
        assert.equal(err.message, "Maximum number of entries per request are 10. You have sent 11.");
      });

      it(`${action}: BatchEntryIdsNotDistinct`, async () => {
        const err = await expectError(() => sqs.send(actions[action]([entryFor[action]("dup"), entryFor[action]("dup")])));
        assertClientError(err, "BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct");
      });

      it(`${action}: InvalidBatchEntryId`, async () => {
        for (const id of ["has space", "dot.ted", "x".repeat(81)]) {
          const err = await expectError(() => sqs.send(actions[action]([entryFor[action](id)])));
          assertClientError(err, "InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId");
          assert.equal(err.message,
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
        }
      });
    }

    it("SendMessageBatch: exactly 10 entries and an 80-character Id are fine", async () => {
      const q = await newQueue("ten");
      const entries = tooMany(9, (Id) => ({ Id, MessageBody: "x" }));
      entries.push({ Id: "A".repeat(40) + "z_-9".repeat(10), MessageBody: "x" });
      const res = await sqs.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: entries }));
      assert.equal(res.Successful.length, 10);
      assert.equal(res.Failed, undefined);
    });

    it("SendMessageBatch: BatchRequestTooLong when the entries add up to more than 1 MiB", async () => {
      const body = "b".repeat(600_000);
      const err = await expectError(() => sqs.send(new SendMessageBatchCommand({
        QueueUrl: url, Entries: [{ Id: "one", MessageBody: body }, { Id: "two", MessageBody: body }],
      })));
      assertClientError(err, "BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong");
      assert.equal(err.message, "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.");
    });
  });
});
