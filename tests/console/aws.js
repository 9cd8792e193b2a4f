// The AWS side of the console tests, from node: the function the trigger invokes (created
// with @aws-sdk/client-lambda before the page is used, as the flow assumes), and a
// few unsigned SQS JSON 1.0 calls to check that what the page did reached the service.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

import {
  CreateFunctionCommand, DeleteFunctionCommand, GetFunctionConfigurationCommand, LambdaClient,
  ListEventSourceMappingsCommand,
} from "@aws-sdk/client-lambda";

import { ACCOUNT, BASE, REGION } from "./harness.js";

// Fails a batch whose body contains "fail" (the record goes back to the queue, and after
// maxReceiveCount receives to its DLQ); succeeds otherwise. It prints each body, so the
// invocation's log shows which message it handled.
const HANDLER_PY = `def handler(event, context):
    for record in event["Records"]:
        body = record["body"]
        print("handling %s" % body)
        if "fail" in body:
            raise ValueError("failing on purpose: %s" % body)
    return {"handled": len(event["Records"])}
`;

/** A zip holding app.py, written by python3's zipfile (node has no zip writer). */
function handlerZip() {
  const script = "import io, sys, zipfile\n" +
    "buf = io.BytesIO()\n" +
    "with zipfile.ZipFile(buf, 'w') as z:\n" +
    "    z.writestr('app.py', sys.stdin.read())\n" +
    "sys.stdout.buffer.write(buf.getvalue())\n";
  return execFileSync("python3", ["-c", script], { input: HANDLER_PY, timeout: 30_000 });
}

/** "python3.N" for this machine's python3, within the runtimes Lambda lists (3.9 to 3.14). */
function pythonRuntime() {
  const minor = Number.parseInt(execFileSync("python3", ["-c", "import sys; print(sys.version_info[1])"],
    { encoding: "utf8", timeout: 30_000 }).trim(), 10);
  return `python3.${Math.min(Math.max(Number.isInteger(minor) ? minor : 12, 9), 14)}`;
}

export function lambdaClient() {
  return new LambdaClient({
    endpoint: BASE,
    region: REGION,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
  });
}

/** Creates the handler function NAME and waits (bounded) until it is Active. */
export async function createFunction(client, name) {
  await client.send(new CreateFunctionCommand({
    FunctionName: name,
    Runtime: pythonRuntime(),
    Role: `arn:aws:iam::${ACCOUNT}:role/console-tests`,
    Handler: "app.handler",
    Code: { ZipFile: handlerZip() },
    Timeout: 3, // at most the queue's visibility timeout (5 s in the flow), as Lambda requires
  }));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const cfg = await client.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    if (cfg.State === "Active") return cfg;
    assert.ok(Date.now() < deadline, `function ${name} stayed ${cfg.State}`);
    await new Promise((r) => setTimeout(r, 50)); // the poll interval of this bounded wait
  }
}

export async function deleteFunction(client, name) {
  await client.send(new DeleteFunctionCommand({ FunctionName: name })).catch(() => {});
}

export async function mappingsOf(client, functionName) {
  const out = await client.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
  return out.EventSourceMappings || [];
}

/** An unsigned SQS JSON 1.0 call in the server's default account; resolves to its JSON answer. */
export async function sqs(action, input) {
  const res = await fetch(`${BASE}/`, {
    method: "POST",
    headers: { "X-Amz-Target": `AmazonSQS.${action}`, "Content-Type": "application/x-amz-json-1.0" },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(10_000),
  });
  const doc = await res.json();
  assert.equal(res.status, 200, `${action} answered ${res.status}: ${JSON.stringify(doc)}`);
  return doc;
}

export const sqsQueueUrl = (name) => `${BASE}/${ACCOUNT}/${name}`;

export async function queueAttributes(name) {
  const doc = await sqs("GetQueueAttributes", { QueueUrl: sqsQueueUrl(name), AttributeNames: ["All"] });
  return doc.Attributes;
}

/** The queue's messages without receiving them (GET /_sqsemu/messages). */
export async function peek(name) {
  const res = await fetch(`${BASE}/_sqsemu/messages?QueueUrl=${encodeURIComponent(sqsQueueUrl(name))}`,
    { signal: AbortSignal.timeout(5_000) });
  assert.equal(res.status, 200);
  return (await res.json()).Messages || [];
}
