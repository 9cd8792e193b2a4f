// sqsemu's Node.js runtime shim: a small Lambda Runtime API client.
//
// Usage (cwd = $LAMBDA_TASK_ROOT):  node bootstrap.mjs <path/module.function>
//
// Node >= 18 built-ins only. It loads the handler once (CommonJS through
// createRequire, ES modules through import()), then loops forever:
// GET /runtime/invocation/next, call handler(event, context[, callback]),
// POST the result to /runtime/invocation/<id>/response or an error document to
// .../error. Load failures go to /runtime/init/error and the process exits 129.
// Error documents and context properties follow the official aws-lambda-ric.

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const API_VERSION = "2018-06-01";
const INIT_ERROR_EXIT = 129;
const UNCAUGHT_EXIT = 129;

// ---------------------------------------------------------------------------
// Runtime API client: one keep-alive connection, explicit Content-Length.
// ---------------------------------------------------------------------------

function parseAddress(address) {
  const colon = address.lastIndexOf(":");
  let host = address;
  let port = 80;
  if (colon > 0 && /^\d+$/.test(address.slice(colon + 1))) {
    host = address.slice(0, colon);
    port = Number(address.slice(colon + 1));
  }
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { host, port };
}

class RuntimeClient {
  constructor(address) {
    const { host, port } = parseAddress(address);
    this.host = host;
    this.port = port;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.userAgent = `sqsemu-node-shim/${process.version}`;
  }

  request(method, urlPath, body, headers) {
    const allHeaders = { "User-Agent": this.userAgent, ...(headers || {}) };
    if (body !== undefined) allHeaders["Content-Length"] = Buffer.byteLength(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          method,
          path: `/${API_VERSION}${urlPath}`,
          headers: allHeaders,
          agent: this.agent,
        },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      // No timeout: /next blocks until an invocation is assigned.
      if (body !== undefined) req.end(body);
      else req.end();
    });
  }

  async requestWithRetry(method, urlPath, body, headers) {
    try {
      return await this.request(method, urlPath, body, headers);
    } catch (err) {
      // A kept-alive socket the server closed meanwhile: try once more.
      if (err && (err.code === "ECONNRESET" || err.code === "EPIPE")) {
        return this.request(method, urlPath, body, headers);
      }
      throw err;
    }
  }

  async nextInvocation() {
    const res = await this.requestWithRetry("GET", "/runtime/invocation/next");
    if (res.status !== 200) {
      throw new Error(
        `GET /runtime/invocation/next answered ${res.status}: ${res.body.toString("utf8", 0, 200)}`,
      );
    }
    return res;
  }

  async post(urlPath, payload, extraHeaders) {
    const headers = { "Content-Type": "application/json", ...(extraHeaders || {}) };
    const res = await this.requestWithRetry("POST", urlPath, payload, headers);
    if (res.status !== 202) {
      process.stderr.write(
        `sqsemu runtime shim: POST ${urlPath} answered ${res.status}: ${res.body.toString("utf8", 0, 500)}\n`,
      );
    }
    return res.status;
  }

  postResponse(requestId, payload) {
    return this.post(`/runtime/invocation/${encodeURIComponent(requestId)}/response`, payload);
  }

  postError(requestId, doc) {
    return this.post(`/runtime/invocation/${encodeURIComponent(requestId)}/error`, JSON.stringify(doc), {
      "Lambda-Runtime-Function-Error-Type": headerSafe(doc.errorType),
    });
  }

  postInitError(doc) {
    return this.post("/runtime/init/error", JSON.stringify(doc), {
      "Lambda-Runtime-Function-Error-Type": headerSafe(doc.errorType),
    });
  }
}

function headerSafe(value) {
  const text = String(value ?? "").replace(/[^\x20-\x7e]/g, "?");
  return text || "Runtime.Unknown";
}

// ---------------------------------------------------------------------------
// Error documents: {"errorType", "errorMessage", "trace"}
// ---------------------------------------------------------------------------

function errorDocument(err) {
  if (err instanceof Error || (err && typeof err === "object" && "message" in err && "name" in err)) {
    let trace = [];
    if (typeof err.stack === "string") trace = err.stack.split("\n");
    return {
      errorType: String(err.name),
      errorMessage: String(err.message),
      trace,
    };
  }
  let message;
  try {
    message = typeof err === "string" ? err : JSON.stringify(err) ?? String(err);
  } catch {
    message = String(err);
  }
  return { errorType: typeof err, errorMessage: message, trace: [] };
}

function runtimeError(errorType, message, cause) {
  const doc = { errorType, errorMessage: message, trace: [] };
  if (cause && typeof cause.stack === "string") doc.trace = cause.stack.split("\n");
  return doc;
}

function logErrorDocument(doc, requestId) {
  const lines = [`${new Date().toISOString()}\t${requestId || "undefined"}\tERROR\t${doc.errorType}: ${doc.errorMessage}`];
  if (doc.trace && doc.trace.length) lines.push(...doc.trace.slice(doc.trace[0].startsWith(doc.errorType) ? 1 : 0));
  process.stderr.write(lines.join("\n") + "\n");
}

// ---------------------------------------------------------------------------
// Handler loading
// ---------------------------------------------------------------------------

class InitError extends Error {
  constructor(doc) {
    super(doc.errorMessage);
    this.doc = doc;
  }
}

function splitHandler(spec) {
  const slash = spec.lastIndexOf("/");
  const dir = slash >= 0 ? spec.slice(0, slash) : "";
  const base = slash >= 0 ? spec.slice(slash + 1) : spec;
  const dot = base.indexOf(".");
  if (dot <= 0 || dot === base.length - 1) return null;
  return {
    modulePath: dir ? `${dir}/${base.slice(0, dot)}` : base.slice(0, dot),
    functionPath: base.slice(dot + 1),
  };
}

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

// Nearest package.json up the directory tree decides what a .js file is.
function packageTypeIsModule(file) {
  let dir = path.dirname(file);
  for (;;) {
    const candidate = path.join(dir, "package.json");
    if (isFile(candidate)) {
      try {
        return JSON.parse(fs.readFileSync(candidate, "utf8")).type === "module";
      } catch {
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

async function loadFile(file) {
  const ext = path.extname(file);
  const useImport = ext === ".mjs" || (ext === ".js" && packageTypeIsModule(file));
  if (useImport) return import(pathToFileURL(file).href);
  const req = createRequire(file);
  try {
    return req(file);
  } catch (err) {
    if (err && err.code === "ERR_REQUIRE_ESM") return import(pathToFileURL(file).href);
    throw err;
  }
}

function classifyLoadError(err) {
  if (err instanceof SyntaxError) {
    return new InitError(runtimeError("Runtime.UserCodeSyntaxError", `${err.name}: ${err.message}`, err));
  }
  if (
    err &&
    (err.code === "MODULE_NOT_FOUND" ||
      err.code === "ERR_MODULE_NOT_FOUND" ||
      err.code === "ERR_UNSUPPORTED_DIR_IMPORT" ||
      err.code === "ERR_PACKAGE_PATH_NOT_EXPORTED")
  ) {
    return new InitError(runtimeError("Runtime.ImportModuleError", `${err.name}: ${err.message}`, err));
  }
  return new InitError(errorDocument(err));
}

async function loadHandler(spec, taskRoot) {
  const parts = splitHandler(spec);
  if (!parts) {
    throw new InitError(runtimeError("Runtime.MalformedHandlerName", `Bad handler ${spec}`));
  }
  const base = path.resolve(taskRoot, parts.modulePath);
  let module;
  try {
    const file = [".js", ".mjs", ".cjs"].map((ext) => base + ext).find(isFile);
    if (file) {
      module = await loadFile(file);
    } else {
      // Not a file next to the task root: maybe a package (node_modules) or a
      // directory with an index file, resolved the way require() would.
      const req = createRequire(path.join(taskRoot, "noop.js"));
      let resolved;
      for (const request of [base, parts.modulePath]) {
        try {
          resolved = req.resolve(request, { paths: [taskRoot] });
          break;
        } catch {
          // try the next form
        }
      }
      if (!resolved) {
        throw new InitError(
          runtimeError("Runtime.ImportModuleError", `Error: Cannot find module '${parts.modulePath}'`),
        );
      }
      module = await loadFile(resolved);
    }
  } catch (err) {
    if (err instanceof InitError) throw err;
    throw classifyLoadError(err);
  }

  let handler = module;
  for (const key of parts.functionPath.split(".")) {
    handler = handler == null ? undefined : handler[key];
  }
  // An ES module importing CommonJS exposes module.exports as `default`.
  if (handler === undefined && module && module.default && typeof module.default === "object") {
    handler = module.default;
    for (const key of parts.functionPath.split(".")) {
      handler = handler == null ? undefined : handler[key];
    }
  }
  const name = `${path.basename(parts.modulePath)}.${parts.functionPath}`;
  if (handler === undefined) {
    throw new InitError(runtimeError("Runtime.HandlerNotFound", `${name} is undefined or not exported`));
  }
  if (typeof handler !== "function") {
    throw new InitError(runtimeError("Runtime.HandlerNotFound", `${name} is not a function`));
  }
  return handler;
}

// ---------------------------------------------------------------------------
// One invocation
// ---------------------------------------------------------------------------

function parseJsonHeader(value) {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

let currentRequestId = null; // set while an invocation is outstanding
let client;

// What the environment says about the function does not change while the process lives:
// read once, not per invocation (each process.env read is a lookup in the C environment).
const functionEnv = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
};

function makeContext(headers, complete) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  const context = {
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    functionName: functionEnv.functionName,
    functionVersion: functionEnv.functionVersion,
    memoryLimitInMB: functionEnv.memoryLimitInMB,
    logGroupName: functionEnv.logGroupName,
    logStreamName: functionEnv.logStreamName,
    clientContext: parseJsonHeader(headers["lambda-runtime-client-context"]),
    identity: parseJsonHeader(headers["lambda-runtime-cognito-identity"]),
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis() {
      return Math.max(deadline - Date.now(), 0);
    },
  };
  if (headers["lambda-runtime-aws-tenant-id"]) context.tenantId = headers["lambda-runtime-aws-tenant-id"];
  // Legacy completion methods; they do not wait for the event loop.
  Object.defineProperties(context, {
    succeed: { value: (result) => complete(null, result, false), enumerable: false },
    fail: { value: (err) => complete(err ?? "handled", undefined, false), enumerable: false },
    done: { value: (err, result) => complete(err, result, false), enumerable: false },
  });
  return context;
}

async function postResult(requestId, err, result) {
  if (err !== null && err !== undefined) {
    const doc = errorDocument(err);
    logErrorDocument(doc, requestId);
    await client.postError(requestId, doc);
    return;
  }
  let payload;
  try {
    payload = JSON.stringify(result === undefined ? null : result);
    if (payload === undefined) payload = "null"; // functions, symbols
  } catch (e) {
    const doc = runtimeError("Runtime.MarshalError", `Unable to stringify response body: ${e.message}`, e);
    logErrorDocument(doc, requestId);
    await client.postError(requestId, doc);
    return;
  }
  await client.postResponse(requestId, payload);
}

// Resolves when the invocation's outcome has been posted.
function invoke(handler, res) {
  const headers = res.headers;
  const requestId = headers["lambda-runtime-aws-request-id"];
  if (!requestId) throw new Error("/next response has no Lambda-Runtime-Aws-Request-Id");
  currentRequestId = requestId;

  const traceId = headers["lambda-runtime-trace-id"];
  if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
  else delete process.env._X_AMZN_TRACE_ID;

  return new Promise((resolveInvocation) => {
    let finished = false;
    let usesPromise = false;
    let callbackOutcome = null; // [err, result] given to callback / context.done
    let waitingForEmptyLoop = false;

    // Node emits 'beforeExit' when the event loop has nothing left to do.
    const onLoopEmpty = () => {
      if (callbackOutcome) finish(callbackOutcome[0], callbackOutcome[1]);
      else finish(null, undefined); // callback handler that never called back
    };
    const waitForEmptyLoop = () => {
      if (!waitingForEmptyLoop) {
        waitingForEmptyLoop = true;
        process.on("beforeExit", onLoopEmpty);
      }
    };

    const finish = (err, result) => {
      if (finished) return;
      finished = true;
      if (waitingForEmptyLoop) process.removeListener("beforeExit", onLoopEmpty);
      postResult(requestId, err, result).then(
        () => {
          currentRequestId = null;
          resolveInvocation();
        },
        (postErr) => fatal(postErr),
      );
    };

    // Callback completion: with callbackWaitsForEmptyEventLoop (the default)
    // the outcome is posted only once the event loop is empty, as on AWS.
    const complete = (err, result, viaCallback) => {
      if (finished || usesPromise || callbackOutcome) return;
      callbackOutcome = [err, result];
      if (viaCallback && context.callbackWaitsForEmptyEventLoop) waitForEmptyLoop();
      else finish(err, result);
    };
    const callback = (err, result) => complete(err, result, true);
    const context = makeContext(headers, complete);

    let event;
    try {
      const text = res.body.toString("utf8");
      event = text.length ? JSON.parse(text) : null;
    } catch (e) {
      finish(runtimeErrorObject("Runtime.UnmarshalError", `Unable to parse event: ${e.message}`));
      return;
    }

    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (e) {
      finish(e ?? new Error("handler threw " + String(e)));
      return;
    }
    if (returned && typeof returned.then === "function") {
      // Async handler: the promise decides; callback calls are ignored.
      usesPromise = true;
      returned.then(
        (value) => finish(null, value),
        (e) => finish(e ?? new Error("handler rejected with " + String(e))),
      );
    } else if (handler.length < 3) {
      finish(null, returned); // plain synchronous return value
    } else if (!finished) {
      waitForEmptyLoop(); // callback style: wait for callback / context.done
    }
  });
}

function runtimeErrorObject(name, message) {
  const e = new Error(message);
  e.name = name;
  return e;
}

// ---------------------------------------------------------------------------
// Failures outside a handler's control flow
// ---------------------------------------------------------------------------

let dying = false;
function fatal(err) {
  if (dying) return;
  dying = true;
  process.stderr.write(`sqsemu runtime shim: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
}

async function reportUncaught(err) {
  if (dying) return;
  dying = true;
  const doc = errorDocument(err);
  const requestId = currentRequestId;
  logErrorDocument(doc, requestId);
  if (requestId && client) {
    try {
      await client.postError(requestId, doc);
    } catch {
      // the process is going away anyway
    }
  }
  process.exit(UNCAUGHT_EXIT);
}

process.on("uncaughtException", (err) => {
  reportUncaught(err);
});
process.on("unhandledRejection", (reason) => {
  const err = runtimeErrorObject(
    "Runtime.UnhandledPromiseRejection",
    reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason),
  );
  if (reason instanceof Error && reason.stack) err.stack = reason.stack;
  reportUncaught(err);
});

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

async function main() {
  const spec = process.argv[2] || process.env._HANDLER || "";
  const api = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!api) {
    process.stderr.write("sqsemu runtime shim: AWS_LAMBDA_RUNTIME_API is not set\n");
    process.exit(1);
  }
  const taskRoot = path.resolve(process.env.LAMBDA_TASK_ROOT || process.cwd());
  client = new RuntimeClient(api);

  let handler;
  try {
    handler = await loadHandler(spec, taskRoot);
  } catch (err) {
    const doc = err instanceof InitError ? err.doc : errorDocument(err);
    logErrorDocument(doc, null);
    dying = true;
    try {
      await client.postInitError(doc);
    } catch (postErr) {
      process.stderr.write(`sqsemu runtime shim: ${postErr.message}\n`);
    }
    process.exit(INIT_ERROR_EXIT);
  }

  for (;;) {
    let res;
    try {
      res = await client.nextInvocation();
    } catch (err) {
      fatal(err);
      return;
    }
    try {
      await invoke(handler, res);
    } catch (err) {
      fatal(err);
      return;
    }
  }
}

main();
