// SigV4 verification (--auth-key) as the JS SDK v3 signer sees it: @aws-sdk/client-sqs (AWS
// JSON 1.0) and @aws-sdk/client-lambda (REST, paths the signer encodes twice) work with the
// right key, and a wrong secret or an unknown key fail with AWS's error names.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { CreateQueueCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";

import { ROLE, lambdaClient, makeZip, pythonRuntime } from "./lambda_util.js";
import { ACCOUNT, REGION, expectError, startServer, stopChecked, suiteHooks, unique } from "./server.js";

// The clients of server.js sign with AKIDEXAMPLE / "secret".
const KEY_ACCOUNT = "444455556666";
const HANDLER = 'def handler(event, context):\n    return {"echo": event}\n';

describe("SigV4 verification (JS SDK v3)", () => {
  let server;
  let sqs;
  let lambda;
  suiteHooks(async () => {
    server = await startServer({ extraArgs: ["--auth-key", `AKIDEXAMPLE:secret:${KEY_ACCOUNT}`], inMemory: true });
    sqs = server.client();
    lambda = lambdaClient(server);
  }, async () => {
    sqs?.destroy();
    lambda?.destroy();
    await stopChecked(server);
  });

  it("accepts the right key and takes the account from it", async () => {
    const name = unique("auth");
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    assert.equal(QueueUrl, `${server.endpoint}/${KEY_ACCOUNT}/${name}`);
    assert.notEqual(KEY_ACCOUNT, ACCOUNT);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "signed" }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    assert.equal(got.Messages[0].Body, "signed");
  });

  it("rejects a wrong secret and an unknown key (SQS)", async () => {
    const wrong = server.client({ credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wrong" } });
    const unknown = server.client({ credentials: { accessKeyId: "AKIDUNKNOWN", secretAccessKey: "secret" } });
    try {
      let err = await expectError(() => wrong.send(new ListQueuesCommand({})));
      assert.equal(err.$metadata.httpStatusCode, 403);
      assert.equal(err.Code, "SignatureDoesNotMatch");
      assert.match(err.message, /^The request signature we calculated does not match/);
      err = await expectError(() => unknown.send(new ListQueuesCommand({})));
      assert.equal(err.$metadata.httpStatusCode, 403);
      assert.equal(err.Code, "InvalidClientTokenId");
      assert.equal(err.message, "The security token included in the request is invalid.");
    } finally {
      wrong.destroy();
      unknown.destroy();
    }
  });

  it("verifies Lambda's double-encoded paths (a qualified ARN) and rejects a wrong secret", async () => {
    const name = unique("fn");
    const created = await lambda.send(new CreateFunctionCommand({
      FunctionName: name, Runtime: pythonRuntime(), Role: ROLE, Handler: "app.handler",
      Code: { ZipFile: makeZip({ "app.py": HANDLER }) },
    }));
    try {
      assert.equal(created.FunctionArn, `arn:aws:lambda:${REGION}:${KEY_ACCOUNT}:function:${name}`);
      const out = await lambda.send(new InvokeCommand({
        FunctionName: `${created.FunctionArn}:$LATEST`, Payload: Buffer.from('{"n": 1}'),
      }));
      assert.deepEqual(JSON.parse(Buffer.from(out.Payload).toString("utf8")), { echo: { n: 1 } });
      const wrong = lambdaClient(server, { credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wrong" } });
      try {
        const err = await expectError(() => wrong.send(new ListFunctionsCommand({})));
        assert.equal(err.name, "InvalidSignatureException");
        assert.equal(err.$metadata.httpStatusCode, 403);
      } finally {
        wrong.destroy();
      }
    } finally {
      await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    }
  });
});
