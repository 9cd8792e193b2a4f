// Functions and SQS triggers through @aws-sdk/client-lambda against the same sqsemu port
// as SQS (docs/lambda-semantics.md): CreateFunction from a zip built here, GetFunction,
// Invoke (RequestResponse, log tail, function errors), ListFunctions, the event-source
// mapping life cycle with a real delivery to a python handler, and the error shapes the
// JS SDK depends on (error names from x-amzn-ErrorType, strict JSON types such as the
// mapping's numeric LastModified).

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";

import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaServiceException,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";

import { ROLE, functionArn, lambdaClient, makeZip, mappingArn, pythonRuntime } from "./lambda_util.js";
import {
  ACCOUNT, REGION, UUID, expectError, md5Hex, md5OfAttributes, startServer, stopChecked, suiteHooks, unique, waitFor, waitUntil,
} from "./server.js";
import { queueHelpers } from "./sqs_util.js";
const FN_LAST_MODIFIED = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;

// One module, three handlers. `record` writes each event into $OUT_DIR (atomically, by
// rename) so the test sees deliveries from the mapping without any mock.
const APP_PY = `import json
import os
import time


def echo(event, context):
    print("echo handling %s" % context.aws_request_id)
    return {
        "event": event,
        "function_name": context.function_name,
        "request_id": context.aws_request_id,
        "greeting": os.environ.get("GREETING"),
    }


def fail(event, context):
    raise ValueError("boom: %s" % event.get("why"))


def record(event, context):
    out = os.environ["OUT_DIR"]
    final = os.path.join(out, "%d-%s.json" % (time.time_ns(), context.aws_request_id))
    tmp = os.path.join(out, ".%s.tmp" % context.aws_request_id)
    with open(tmp, "w") as f:
        json.dump({"event": event, "request_id": context.aws_request_id}, f)
    os.rename(tmp, final)
    return {"ok": True}
`;

const ZIP = makeZip({ "app.py": APP_PY });
const RUNTIME = pythonRuntime();
const decoder = new TextDecoder("utf-8");
const encoder = new TextEncoder();

describe("Lambda functions and SQS triggers (JS SDK v3 client-lambda)", () => {
  let server;
  let lambda;
  let sqs;
  let outDir;
  let echoFn;
  let failFn;

  suiteHooks(async () => {
    outDir = mkdtempSync(path.join(os.tmpdir(), "sqsemu-js-lambda-"));
    server = await startServer({ extraArgs: ["--lambda-idle-timeout", "60"] });
    lambda = lambdaClient(server);
    sqs = server.client();
    echoFn = unique("echo");
    failFn = unique("fail");
    await create(echoFn, "app.echo", { Environment: { Variables: { GREETING: "hi" } } });
    await create(failFn, "app.fail");
  }, async () => {
    lambda?.destroy();
    sqs?.destroy();
    try {
      await server?.stop();
    } finally {
      if (outDir) rmSync(outDir, { recursive: true, force: true });
    }
  });

  function create(FunctionName, Handler, extra = {}) {
    return lambda.send(new CreateFunctionCommand({
      FunctionName, Runtime: RUNTIME, Role: ROLE, Handler, Code: { ZipFile: ZIP }, ...extra,
    }));
  }
  const invoke = (FunctionName, payload, extra = {}) =>
    lambda.send(new InvokeCommand({
      FunctionName, Payload: payload === undefined ? undefined : encoder.encode(JSON.stringify(payload)), ...extra,
    }));
  const decode = (res) => {
    assert.ok(res.Payload instanceof Uint8Array, "Payload is a Uint8Array");
    return JSON.parse(decoder.decode(res.Payload));
  };
  const assertLambdaError = (err, Class, name, status, message) => {
    assert.ok(err instanceof LambdaServiceException, `${err.name}: ${err.message} is a LambdaServiceException`);
    assert.ok(err instanceof Class, `${err.name} is the modeled ${Class.name} class`);
    assert.equal(err.name, name);
    assert.equal(err.$fault, "client");
    assert.equal(err.$metadata.httpStatusCode, status);
    if (message !== undefined) assert.equal(err.message, message);
  };
  const { attributes } = queueHelpers(() => sqs);
  const queueCounts = async (QueueUrl) => {
    const a = await attributes(QueueUrl, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
    return [Number(a.ApproximateNumberOfMessages), Number(a.ApproximateNumberOfMessagesNotVisible)];
  };
  const readRecords = (dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort((a, b) => (BigInt(a.split("-")[0]) < BigInt(b.split("-")[0]) ? -1 : 1))
      .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")));
  const waitMappingState = (UUID, state, timeoutMs = 5_000) =>
    waitUntil(() => lambda.send(new GetEventSourceMappingCommand({ UUID })), (m) => m.State === state,
      (last) => `mapping ${UUID} reached ${state} within ${timeoutMs} ms (last ${last.State})`,
      { timeoutMs, intervalMs: 100 });

  describe("functions", () => {
    it("CreateFunction answers 201 with the configuration", async () => {
      const name = unique("created");
      const t0 = Date.now();
      const res = await create(name, "app.echo", {
        Description: "made by the JS suite", Timeout: 10, MemorySize: 256,
        Environment: { Variables: { GREETING: "hello", OTHER_KEY: "x" } },
        Tags: { team: "js" },
      });
      assert.equal(res.$metadata.httpStatusCode, 201);
      assert.equal(res.FunctionName, name);
      assert.equal(res.FunctionArn, functionArn(name));
      assert.equal(res.Runtime, RUNTIME);
      assert.equal(res.Role, ROLE);
      assert.equal(res.Handler, "app.echo");
      assert.equal(res.Description, "made by the JS suite");
      assert.equal(res.Timeout, 10);
      assert.equal(res.MemorySize, 256);
      assert.equal(res.Version, "$LATEST");
      assert.equal(res.PackageType, "Zip");
      assert.deepEqual(res.Architectures, ["x86_64"]);
      assert.equal(res.CodeSize, ZIP.length);
      assert.equal(res.CodeSha256, createHash("sha256").update(ZIP).digest("base64"));
      assert.deepEqual(res.Environment, { Variables: { GREETING: "hello", OTHER_KEY: "x" } });
      assert.match(res.LastModified, FN_LAST_MODIFIED, "function LastModified is a string");
      const modified = Date.parse(res.LastModified.replace("+0000", "Z"));
      assert.ok(Math.abs(modified - t0) < 60_000, `LastModified ${res.LastModified} is now`);
      assert.match(res.RevisionId, UUID);
      assert.ok(["Pending", "Active"].includes(res.State), `State ${res.State}`);
    });

    it("GetFunction and GetFunctionConfiguration report State Active and LastUpdateStatus Successful", async () => {
      const got = await lambda.send(new GetFunctionCommand({ FunctionName: echoFn }));
      assert.equal(got.$metadata.httpStatusCode, 200);
      assert.equal(got.Configuration.FunctionName, echoFn);
      assert.equal(got.Configuration.FunctionArn, functionArn(echoFn));
      assert.equal(got.Configuration.State, "Active");
      assert.equal(got.Configuration.LastUpdateStatus, "Successful");
      assert.equal(got.Configuration.StateReason, undefined);
      assert.equal(got.Configuration.CodeSize, ZIP.length);
      assert.equal(typeof got.Code?.Location, "string");
      assert.equal(got.Tags, undefined, "no Tags member when the function has none");

      const byArn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionArn(echoFn) }));
      assert.equal(byArn.FunctionName, echoFn);
      assert.equal(byArn.State, "Active");
      assert.equal(byArn.LastUpdateStatus, "Successful");
      assert.equal(byArn.Timeout, 3, "default Timeout");
      assert.equal(byArn.MemorySize, 128, "default MemorySize");
    });

    it("Invoke RequestResponse returns the handler's result as a Uint8Array", async () => {
      const payload = { n: 1, text: "h\u00e9llo \u2603", list: [1, 2, 3], nested: { ok: true } };
      const res = await invoke(echoFn, payload);
      assert.equal(res.StatusCode, 200);
      assert.equal(res.FunctionError, undefined);
      assert.equal(res.ExecutedVersion, "$LATEST");
      assert.equal(res.LogResult, undefined, "no log unless asked for");
      const body = decode(res);
      assert.deepEqual(body.event, payload);
      assert.equal(body.function_name, echoFn);
      assert.equal(body.greeting, "hi", "Environment.Variables reach the handler");
      assert.match(body.request_id, UUID);
      assert.equal(res.$metadata.requestId, body.request_id, "x-amzn-RequestId is the invocation's request id");

      // A second call reuses the warm environment and still answers correctly.
      const again = decode(await invoke(echoFn, { n: 2 }));
      assert.deepEqual(again.event, { n: 2 });
      assert.notEqual(again.request_id, body.request_id);
    });

    it("Invoke with LogType Tail returns the invocation's log, base64-encoded", async () => {
      const res = await invoke(echoFn, { tail: true }, { LogType: "Tail" });
      assert.equal(res.StatusCode, 200);
      assert.equal(typeof res.LogResult, "string");
      const raw = Buffer.from(res.LogResult, "base64");
      assert.ok(raw.length <= 4096, "at most the last 4 KB");
      const log = raw.toString("utf8");
      const id = decode(res).request_id;
      assert.match(log, new RegExp(`START RequestId: ${id} Version: \\$LATEST`));
      assert.ok(log.includes(`echo handling ${id}`), `the handler's print is in the tail:\n${log}`);
      assert.ok(log.includes(`END RequestId: ${id}`), log);
      assert.match(log, new RegExp(`REPORT RequestId: ${id}\\tDuration: [0-9.]+ ms`));
    });

    it("a raising handler is StatusCode 200 with FunctionError Unhandled and the error document", async () => {
      const res = await invoke(failFn, { why: "testing" });
      assert.equal(res.StatusCode, 200);
      assert.equal(res.FunctionError, "Unhandled");
      const err = decode(res);
      assert.equal(err.errorType, "ValueError");
      assert.equal(err.errorMessage, "boom: testing");
      assert.ok(Array.isArray(err.stackTrace), "python runtime's stackTrace list");
      assert.ok(err.stackTrace.some((line) => line.includes("app.py")), JSON.stringify(err.stackTrace));
    });

    it("ListFunctions lists the functions", async () => {
      const names = [];
      let Marker;
      for (let page = 0; page < 20; page++) {
        const res = await lambda.send(new ListFunctionsCommand({ Marker, MaxItems: 2 }));
        assert.ok(res.Functions.length <= 2, "MaxItems honoured");
        names.push(...res.Functions.map((f) => f.FunctionName));
        for (const f of res.Functions) {
          assert.equal(f.FunctionArn, functionArn(f.FunctionName));
          assert.equal(f.Runtime, RUNTIME);
          assert.match(f.LastModified, FN_LAST_MODIFIED);
        }
        Marker = res.NextMarker;
        if (!Marker) break;
      }
      assert.ok(names.includes(echoFn) && names.includes(failFn), names.join(", "));
      assert.equal(new Set(names).size, names.length, "no function listed twice across pages");
    });

    it("DeleteFunction answers 204; the function is then not found", async () => {
      const name = unique("doomed");
      await create(name, "app.echo");
      const res = await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
      assert.ok([200, 204].includes(res.$metadata.httpStatusCode));
      assert.equal(res.$metadata.httpStatusCode, 204, "AWS answers 204");
      const err = await expectError(() => lambda.send(new GetFunctionCommand({ FunctionName: name })));
      assertLambdaError(err, ResourceNotFoundException, "ResourceNotFoundException", 404,
        `Function not found: ${functionArn(name)}`);
      const again = await expectError(() => lambda.send(new DeleteFunctionCommand({ FunctionName: name })));
      assertLambdaError(again, ResourceNotFoundException, "ResourceNotFoundException", 404);
    });
  });

  describe("event-source mappings", () => {
    it("a message sent with the SQS client reaches the handler; the queue ends empty", async () => {
      const dir = mkdtempSync(path.join(outDir, "deliveries-"));
      const fn = unique("recorder");
      await create(fn, "app.record", { Environment: { Variables: { OUT_DIR: dir } } });
      const qname = unique("trigger");
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: qname }))).QueueUrl;
      const qarn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${qname}`;

      const t0 = Date.now();
      const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: qarn }));
      assert.equal(created.$metadata.httpStatusCode, 202);
      assert.match(created.UUID, UUID);
      assert.equal(created.EventSourceMappingArn, mappingArn(created.UUID));
      assert.equal(created.EventSourceArn, qarn);
      assert.equal(created.FunctionArn, functionArn(fn));
      assert.equal(created.State, "Creating");
      assert.equal(created.StateTransitionReason, "USER_INITIATED");
      assert.equal(created.BatchSize, 10);
      assert.equal(created.MaximumBatchingWindowInSeconds, 0);
      assert.deepEqual(created.FunctionResponseTypes, []);
      assert.equal(created.FilterCriteria, undefined);
      // The SDK parses LastModified with parseEpochTimestamp(expectNumber(...)): a string
      // (or anything but a JSON number) would have thrown before we got here.
      assert.ok(created.LastModified instanceof Date, "LastModified parsed as a Date");
      assert.ok(Math.abs(created.LastModified.getTime() - t0) < 60_000, `${created.LastModified.toISOString()} is now`);
      const uuid = created.UUID;

      const enabled = await waitMappingState(uuid, "Enabled");
      assert.ok(enabled.LastModified instanceof Date);
      assert.equal(enabled.BatchSize, 10);

      const attrs = { kind: { DataType: "String", StringValue: "order" }, qty: { DataType: "Number", StringValue: "6" } };
      const body = JSON.stringify({ orderId: 1234, status: "NEW" });
      const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: attrs }));

      const docs = await waitFor(() => {
        const d = readRecords(dir);
        return d.length >= 1 ? d : undefined;
      }, { timeoutMs: 20_000, intervalMs: 50 });
      assert.ok(docs, "the handler was invoked within 20 s");
      assert.equal(docs.length, 1);
      const { event } = docs[0];
      assert.deepEqual(Object.keys(event), ["Records"]);
      assert.equal(event.Records.length, 1);
      const rec = event.Records[0];
      assert.equal(rec.messageId, sent.MessageId);
      assert.equal(typeof rec.receiptHandle, "string");
      assert.equal(rec.body, body, "the body stays a string");
      assert.equal(rec.md5OfBody, md5Hex(body));
      assert.equal(rec.md5OfMessageAttributes, md5OfAttributes(attrs));
      assert.equal(rec.eventSource, "aws:sqs");
      assert.equal(rec.eventSourceARN, qarn);
      assert.equal(rec.awsRegion, REGION);
      assert.equal(rec.attributes.ApproximateReceiveCount, "1");
      for (const k of ["SentTimestamp", "ApproximateFirstReceiveTimestamp"]) {
        assert.match(rec.attributes[k], /^\d{13}$/, `${k} is epoch ms as a string`);
      }
      assert.equal(typeof rec.attributes.SenderId, "string");
      assert.deepEqual(rec.messageAttributes, {
        kind: { stringValue: "order", stringListValues: [], binaryListValues: [], dataType: "String" },
        qty: { stringValue: "6", stringListValues: [], binaryListValues: [], dataType: "Number" },
      });

      const empty = await waitFor(async () => {
        const c = await queueCounts(url);
        return c[0] === 0 && c[1] === 0 ? c : undefined;
      }, { timeoutMs: 10_000, intervalMs: 100 });
      assert.deepEqual(empty, [0, 0], "the successful batch was deleted from the queue");

      const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn }));
      assert.deepEqual(listed.EventSourceMappings.map((m) => m.UUID), [uuid]);
      assert.ok(listed.EventSourceMappings[0].LastModified instanceof Date);

      // Disable: 202 with Disabling, then Disabled; a new message stays in the queue.
      const upd = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
      assert.equal(upd.$metadata.httpStatusCode, 202);
      assert.equal(upd.State, "Disabling");
      assert.equal(upd.BatchSize, 10, "unspecified members keep their values");
      assert.ok(upd.LastModified instanceof Date);
      await waitMappingState(uuid, "Disabled");
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "while disabled" }));
      // Time passing, not a wait on server state: nothing reports "will not deliver", so the
      // test gives a wrongly running poller 2.5 s to deliver the message.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      assert.equal(readRecords(dir).length, 1, "no delivery while disabled");
      assert.deepEqual(await queueCounts(url), [1, 0], "the message waits in the queue");

      // Delete: 202 with Deleting; then the mapping is gone.
      const del = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
      assert.equal(del.$metadata.httpStatusCode, 202);
      assert.equal(del.State, "Deleting");
      assert.equal(del.UUID, uuid);
      const gone = await waitFor(async () => {
        try {
          await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
          return undefined;
        } catch (err) {
          return err;
        }
      }, { timeoutMs: 5_000, intervalMs: 100 });
      assert.ok(gone, "the mapping disappears within 5 s");
      assertLambdaError(gone, ResourceNotFoundException, "ResourceNotFoundException", 404,
        "The resource you requested does not exist.");
      assert.equal(readRecords(dir).length, 1);

      const fnDel = await lambda.send(new DeleteFunctionCommand({ FunctionName: fn }));
      assert.equal(fnDel.$metadata.httpStatusCode, 204);
    });

    it("a mapping created with Enabled false starts Disabled and options are echoed", async () => {
      const qname = unique("opts");
      await sqs.send(new CreateQueueCommand({ QueueName: qname }));
      const qarn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${qname}`;
      const pattern = JSON.stringify({ body: { status: ["NEW"] } });
      const m = await lambda.send(new CreateEventSourceMappingCommand({
        FunctionName: echoFn, EventSourceArn: qarn, Enabled: false, BatchSize: 50,
        MaximumBatchingWindowInSeconds: 2, FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: 3 }, FilterCriteria: { Filters: [{ Pattern: pattern }] },
      }));
      assert.equal(m.$metadata.httpStatusCode, 202);
      assert.equal(m.State, "Disabled");
      assert.equal(m.BatchSize, 50);
      assert.equal(m.MaximumBatchingWindowInSeconds, 2);
      assert.deepEqual(m.FunctionResponseTypes, ["ReportBatchItemFailures"]);
      assert.deepEqual(m.ScalingConfig, { MaximumConcurrency: 3 });
      assert.equal(typeof m.FilterCriteria.Filters[0].Pattern, "string", "Pattern stays a string");
      assert.deepEqual(JSON.parse(m.FilterCriteria.Filters[0].Pattern), JSON.parse(pattern));

      const dup = await expectError(() => lambda.send(new CreateEventSourceMappingCommand({
        FunctionName: echoFn, EventSourceArn: qarn,
      })));
      assertLambdaError(dup, ResourceConflictException, "ResourceConflictException", 409);

      const del = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
      assert.equal(del.State, "Deleting");
    });
  });

  describe("errors", () => {
    it("GetFunction, GetFunctionConfiguration and Invoke of a missing function are ResourceNotFoundException", async () => {
      const name = unique("nosuchfn");
      let err = await expectError(() => lambda.send(new GetFunctionCommand({ FunctionName: name })));
      assertLambdaError(err, ResourceNotFoundException, "ResourceNotFoundException", 404,
        `Function not found: ${functionArn(name)}`);
      assert.equal(err.Type, "User");
      assert.equal(typeof err.$metadata.requestId, "string");

      err = await expectError(() => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })));
      assertLambdaError(err, ResourceNotFoundException, "ResourceNotFoundException", 404);

      err = await expectError(() => invoke(name, { x: 1 }));
      assertLambdaError(err, ResourceNotFoundException, "ResourceNotFoundException", 404,
        `Function not found: ${functionArn(name, "$LATEST")}`);
    });

    it("CreateEventSourceMapping for a missing function is InvalidParameterValueException (400)", async () => {
      const qname = unique("orphan");
      await sqs.send(new CreateQueueCommand({ QueueName: qname }));
      const err = await expectError(() => lambda.send(new CreateEventSourceMappingCommand({
        FunctionName: unique("nosuchfn"), EventSourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${qname}`,
      })));
      assertLambdaError(err, InvalidParameterValueException, "InvalidParameterValueException", 400,
        "Function does not exist");
      assert.equal(err.Type, "User");
    });

    it("CreateEventSourceMapping for a missing queue is InvalidParameterValueException", async () => {
      const err = await expectError(() => lambda.send(new CreateEventSourceMappingCommand({
        FunctionName: echoFn, EventSourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${unique("noq")}`,
      })));
      assertLambdaError(err, InvalidParameterValueException, "InvalidParameterValueException", 400,
        "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. " +
        "SQS Error Message: The specified queue does not exist.");
    });

    it("unknown mapping UUIDs are ResourceNotFoundException for get, update and delete", async () => {
      const UUIDv = "00000000-0000-4000-8000-000000000000";
      for (const cmd of [
        new GetEventSourceMappingCommand({ UUID: UUIDv }),
        new UpdateEventSourceMappingCommand({ UUID: UUIDv, Enabled: false }),
        new DeleteEventSourceMappingCommand({ UUID: UUIDv }),
      ]) {
        const err = await expectError(() => lambda.send(cmd));
        assertLambdaError(err, ResourceNotFoundException, "ResourceNotFoundException", 404,
          "The resource you requested does not exist.");
      }
    });

    it("CreateFunction with bytes that are not a zip, or with a taken name, fails", async () => {
      let err = await expectError(() => lambda.send(new CreateFunctionCommand({
        FunctionName: unique("badzip"), Runtime: RUNTIME, Role: ROLE, Handler: "app.echo",
        Code: { ZipFile: encoder.encode("this is not a zip archive") },
      })));
      assertLambdaError(err, InvalidParameterValueException, "InvalidParameterValueException", 400,
        "Could not unzip uploaded file. Please check your file, then try to upload again.");

      err = await expectError(() => create(echoFn, "app.echo"));
      assertLambdaError(err, ResourceConflictException, "ResourceConflictException", 409);
    });
  });

  // Last in this suite: stopping the server is checked, so a crash on shutdown or a
  // sanitizer report (the ASan/UBSan build runs these suites) fails a counted test.
  it("the server exits cleanly on SIGTERM", async () => {
    await stopChecked(server);
  });
});
