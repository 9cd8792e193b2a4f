// Starts the real sqsemu binary for the JS integration tests and builds SDK clients for it;
// also the describe() hooks and bounded waits every suite uses.
//
// Nothing here mocks HTTP or storage: every test talks to a live sqsemu process on a free
// 127.0.0.1 port with its own temporary --data-dir. Every wait is bounded.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, beforeEach } from "node:test";
import { fileURLToPath } from "node:url";

import { SQSClient } from "@aws-sdk/client-sqs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "..", "..", "..");
export const BIN = process.env.SQSEMU_BIN || path.join(ROOT, "build", "sqsemu");
export const REGION = "us-east-1";
// An explicit, non-default account id: the tests check that --account-id reaches URLs and ARNs.
export const ACCOUNT = "123456789012";

const LOG_LIMIT = 64 * 1024;
const HEALTH_PATH = "/_sqsemu/health";

/** A lower-case RFC 4122 UUID, as in MessageId, RevisionId and request ids. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Servers still running in this process. If the test runner ends this process (a file-level
// timeout sends SIGTERM), they are sent SIGTERM by PID too, so no sqsemu outlives its test file.
const live = new Map(); // child process -> its temporary data directory (or null)
function stopAllSync() {
  for (const [proc, dataDir] of live) {
    try { process.kill(proc.pid, "SIGTERM"); } catch { /* already gone */ }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  live.clear();
}
process.once("exit", stopAllSync);
for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) {
  process.once(sig, () => {
    stopAllSync();
    process.exit(128 + os.constants.signals[sig]);
  });
}

/** A free TCP port on 127.0.0.1 (bound once by us, then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tryConnect(port, timeoutMs) {
  return new Promise((resolve) => {
    const sock = net.createConnection({ host: "127.0.0.1", port });
    const done = (ok) => {
      clearTimeout(timer);
      sock.removeAllListeners();
      sock.on("error", () => {});
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves to p's value, or to onTimeout after ms; the timer never outlives the race. */
async function raceTimeout(p, ms, onTimeout) {
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(onTimeout), ms); });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One sqsemu process. Use startServer(); stop() ends it by its PID. */
export class Server {
  constructor({ extraArgs = [], inMemory = false } = {}) {
    this.extraArgs = extraArgs;
    this.inMemory = inMemory;
    this.proc = null;
    this.port = null;
    this.dataDir = null;
    this.output = "";
    this.exited = null; // promise resolving to {code, signal}
  }

  get endpoint() {
    return `http://127.0.0.1:${this.port}`;
  }

  log() {
    return this.output;
  }

  async start(timeoutMs = 10_000) {
    this.port = await freePort();
    const args = ["--host", "127.0.0.1", "--port", String(this.port), "--log-level", "warn",
      "--region", REGION, "--account-id", ACCOUNT];
    if (this.inMemory) {
      args.push("--in-memory");
    } else {
      this.dataDir = mkdtempSync(path.join(os.tmpdir(), "sqsemu-js-"));
      args.push("--data-dir", this.dataDir);
    }
    args.push(...this.extraArgs);

    this.proc = spawn(BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
    const started = this.proc;
    live.set(started, this.dataDir);
    const collect = (chunk) => {
      if (this.output.length < LOG_LIMIT) this.output += chunk.toString("utf8");
    };
    this.proc.stdout.on("data", collect);
    this.proc.stderr.on("data", collect);
    let spawnError = null;
    this.exited = new Promise((resolve) => {
      this.proc.once("error", (err) => {
        spawnError = err;
        resolve({ code: null, signal: null, error: err });
      });
      this.proc.once("exit", (code, signal) => {
        live.delete(started);
        resolve({ code, signal });
      });
    });
    let exitedEarly = false;
    this.exited.then(() => { exitedEarly = true; });

    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exitedEarly || spawnError) {
        const info = await this.exited;
        this.proc = null;
        this.#removeDataDir();
        throw new Error(`sqsemu (${BIN}) exited before listening: ` +
          `${spawnError ? spawnError.message : `code ${info.code} signal ${info.signal}`}\n${this.output}`);
      }
      if (await tryConnect(this.port, 500)) return this;
      await delay(20); // the poll interval of this bounded wait for the listener
    }
    await this.stop();
    throw new Error(`sqsemu did not accept connections on port ${this.port} within ${timeoutMs} ms\n${this.output}`);
  }

  /** SIGTERM by PID and wait (bounded); SIGKILL by PID if it does not exit. Returns {code, signal}. */
  async stop(timeoutMs = 10_000) {
    const proc = this.proc;
    if (!proc) return null;
    this.proc = null;
    let result;
    if (proc.exitCode === null && proc.signalCode === null) {
      try { process.kill(proc.pid, "SIGTERM"); } catch { /* already gone */ }
      // The pending timer of a plain delay() would keep node alive for timeoutMs after the exit.
      result = await raceTimeout(this.exited, timeoutMs, null);
      if (result === null) {
        try { process.kill(proc.pid, "SIGKILL"); } catch { /* already gone */ }
        result = await raceTimeout(this.exited, 5_000, { code: null, signal: "timeout" });
        result = { ...result, killed: true };
      }
    } else {
      result = await this.exited;
    }
    this.#removeDataDir();
    return result;
  }

  #removeDataDir() {
    if (this.dataDir) {
      rmSync(this.dataDir, { recursive: true, force: true });
      this.dataDir = null;
    }
  }

  /**
   * The configuration of an AWS SDK client for this server: endpoint, us-east-1, dummy static
   * keys, no retries, a 5 s connection timeout and requests bounded by requestTimeoutMs.
   */
  clientConfig(requestTimeoutMs, overrides = {}) {
    return {
      endpoint: this.endpoint,
      region: REGION,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
      ...overrides,
    };
  }

  /** An SQS client for this server (see clientConfig). */
  client(overrides = {}) {
    // Above the longest WaitTimeSeconds the tests use (10 s), so only a hung request trips it.
    return new SQSClient(this.clientConfig(15_000, overrides));
  }

  /**
   * The health document (GET /_sqsemu/health, never signed), over a connection of its own:
   * status, version, services, and the counts tests wait on instead of sleeping:
   * parked_requests (HTTP requests parked: long polls and synchronous Lambda invocations) and
   * waiting_receives (receives parked on queues: client long polls and the idle pollers of
   * enabled event-source mappings).
   */
  health(timeoutMs = 5_000) {
    return new Promise((resolve, reject) => {
      const req = http.get({
        host: "127.0.0.1", port: this.port, path: HEALTH_PATH, agent: false, timeout: timeoutMs,
      }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => { body += chunk; });
        res.on("end", () => {
          if (res.statusCode !== 200) {
            reject(new Error(`GET ${HEALTH_PATH} answered ${res.statusCode}: ${body.slice(0, 200)}`));
            return;
          }
          try {
            resolve(JSON.parse(body));
          } catch (err) {
            reject(err);
          }
        });
      });
      req.on("timeout", () => req.destroy(new Error(`GET ${HEALTH_PATH} took over ${timeoutMs} ms`)));
      req.on("error", reject);
    });
  }

  /**
   * Polls the health document every intervalMs until its `key` count equals n, at most
   * timeoutMs; resolves to the document, or fails with the last one seen.
   */
  async waitHealth(key, n, { timeoutMs = 5_000, intervalMs = 10 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const doc = await this.health();
      if (doc[key] === n) return doc;
      assert.ok(Date.now() < deadline,
        `${key} stayed ${doc[key]} (waited ${timeoutMs} ms for ${n}): ${JSON.stringify(doc)}`);
      await delay(intervalMs); // the poll interval of this bounded wait
    }
  }

  async parkedRequests() {
    return (await this.health()).parked_requests;
  }

  async waitingReceives() {
    return (await this.health()).waiting_receives;
  }

  /** Waits (bounded) until exactly n HTTP requests are parked on the server. */
  waitParked(n, options) {
    return this.waitHealth("parked_requests", n, options);
  }

  /** Waits (bounded) until exactly n receives are parked on queues. */
  waitWaitingReceives(n, options) {
    return this.waitHealth("waiting_receives", n, options);
  }

  queueUrl(name) {
    return `${this.endpoint}/${ACCOUNT}/${name}`;
  }

  queueArn(name) {
    return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
  }
}

export async function startServer(options = {}) {
  return new Server(options).start();
}

let counter = 0;
/** A queue name unique within this test run. */
export function unique(prefix = "q") {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

export function md5Hex(data) {
  return createHash("md5").update(data).digest("hex");
}

/**
 * MD5OfMessageAttributes as SQS computes it (docs/sqs-semantics.md, Digests, identifiers,
 * timestamps), written independently of the server:
 * names sorted by UTF-8 bytes; length-prefixed name, DataType, transport byte, value.
 * attrs: { name: { DataType, StringValue } | { DataType, BinaryValue: Uint8Array|Buffer|base64 string } }
 */
export function md5OfAttributes(attrs) {
  const u32 = (n) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n, 0);
    return b;
  };
  const field = (buf) => Buffer.concat([u32(buf.length), buf]);
  const names = Object.keys(attrs).sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
  const parts = [];
  for (const name of names) {
    const v = attrs[name];
    parts.push(field(Buffer.from(name, "utf8")), field(Buffer.from(v.DataType, "utf8")));
    if (v.StringValue !== undefined) {
      parts.push(Buffer.from([1]), field(Buffer.from(v.StringValue, "utf8")));
    } else {
      const raw = typeof v.BinaryValue === "string" ? Buffer.from(v.BinaryValue, "base64") : Buffer.from(v.BinaryValue);
      parts.push(Buffer.from([2]), field(raw));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

/** Runs fn and returns the error it throws; fails if it does not throw. */
export async function expectError(fn) {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/**
 * Calls check() every intervalMs until it returns a value other than undefined/false/null,
 * and returns that value; after timeoutMs it returns the last result (so the caller's
 * assertion reports what was seen). Errors thrown by check() propagate.
 */
export async function waitFor(check, { timeoutMs = 10_000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() >= deadline) return value;
    await delay(intervalMs); // the poll interval of this bounded wait
  }
}

/**
 * Polls read() (through waitFor, so bounded by timeoutMs) until accept(value) holds and
 * returns that value; otherwise fails with message(last value read).
 */
export async function waitUntil(read, accept, message, { timeoutMs = 10_000, intervalMs = 100 } = {}) {
  let last;
  const got = await waitFor(async () => {
    last = await read();
    return accept(last) ? last : undefined;
  }, { timeoutMs, intervalMs });
  assert.ok(got, message(last));
  return got;
}

/**
 * Registers the hooks of a describe() block that needs servers: before() runs start(), after()
 * runs stop(). A failed start fails every test of the block (beforeEach throws its error)
 * rather than cancelling them, so the TAP summary counts them. Call it inside describe().
 */
export function suiteHooks(start, stop) {
  let startError;
  before(async () => {
    try {
      await start();
    } catch (err) {
      startError = err;
    }
  });
  beforeEach(() => {
    if (startError) throw startError;
  });
  after(stop);
}

/**
 * Stops a server and throws if it did not exit cleanly: a non-zero exit, a kill after the
 * SIGTERM grace period, or a sanitizer report (AddressSanitizer / UBSan) in its output.
 * Meant for after() hooks, so such a failure is reported against the suite.
 */
export async function stopChecked(server) {
  if (!server) return;
  const result = await server.stop();
  if (result === null) return; // never started or already stopped
  const log = server.log();
  const sanitizer = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(log);
  if (result.killed || result.code !== 0 || sanitizer) {
    throw new Error(`sqsemu did not exit cleanly (${JSON.stringify(result)})\n${log.slice(-8_000)}`);
  }
}
