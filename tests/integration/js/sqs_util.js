// What the @aws-sdk/client-sqs suites share: one sqsemu and its clients for a describe()
// block, queue helpers that go through that block's client, and the check of a client error.

import assert from "node:assert/strict";

import { CreateQueueCommand, GetQueueAttributesCommand, SQSServiceException } from "@aws-sdk/client-sqs";

import { startServer, suiteHooks, unique } from "./server.js";

/**
 * For the calling describe(): before the tests, starts one sqsemu (startServer(options)) with
 * `clients` SQS clients for it and awaits use({ server, sqs, clients }), where sqs is
 * clients[0]; use() assigns what the tests need and may do more set-up (a failure there fails
 * every test, as a failed start does). After the tests, destroys the clients and stops the
 * server. Returns queue helpers bound to the first client.
 */
export function sqsSuite(use, { options = {}, clients: count = 1 } = {}) {
  let server;
  let clients = [];
  suiteHooks(async () => {
    server = await startServer(options);
    clients = Array.from({ length: count }, () => server.client());
    await use({ server, sqs: clients[0], clients });
  }, async () => {
    for (const c of clients) c.destroy();
    await server?.stop();
  });
  return queueHelpers(() => clients[0]);
}

/** Queue helpers over the SQS client that client() returns when they are called. */
export function queueHelpers(client) {
  /** Creates a standard queue named unique(prefix); resolves to its URL. */
  const newQueue = async (prefix, Attributes) =>
    (await client().send(new CreateQueueCommand({ QueueName: unique(prefix), Attributes }))).QueueUrl;
  /** Creates a FIFO queue named unique(prefix) + ".fifo"; resolves to its URL. */
  const newFifoQueue = async (prefix, Attributes = {}) =>
    (await client().send(new CreateQueueCommand({
      QueueName: unique(prefix) + ".fifo", Attributes: { FifoQueue: "true", ...Attributes },
    }))).QueueUrl;
  /** The queue's attributes (strings) for the given names. */
  const attributes = async (QueueUrl, AttributeNames = ["All"]) =>
    (await client().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames }))).Attributes;
  const arnOf = async (QueueUrl) => (await attributes(QueueUrl, ["QueueArn"])).QueueArn;
  return { newQueue, newFifoQueue, attributes, arnOf };
}

/**
 * An error that SQS puts down to the client: an SQSServiceException with this name (shape),
 * Code (Query-era code) and HTTP status (not checked when status is null).
 */
export function assertClientError(err, name, code, status = 400) {
  assert.ok(err instanceof SQSServiceException, `${err.name}: ${err.message} is an SQSServiceException`);
  assert.equal(err.name, name);
  assert.equal(err.Code, code);
  assert.equal(err.$fault, "client");
  if (status !== null) assert.equal(err.$metadata.httpStatusCode, status);
}
