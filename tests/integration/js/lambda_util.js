// Helpers for the @aws-sdk/client-lambda suite: a Lambda client for a running sqsemu, a
// small store-only zip writer (node has no zip library) and the python runtime name that
// matches this machine's python3. Kept apart from server.js so the SQS-only suites load
// without @aws-sdk/client-lambda.

import { execFileSync } from "node:child_process";
import zlib from "node:zlib";

import { LambdaClient } from "@aws-sdk/client-lambda";

import { ACCOUNT, REGION } from "./server.js";

export const ROLE = `arn:aws:iam::${ACCOUNT}:role/lambda-role`;

/** A Lambda client for a Server, configured as its SQS clients are (Server.clientConfig). */
export function lambdaClient(server, overrides = {}) {
  // A synchronous Invoke includes a cold start of a python process.
  return new LambdaClient(server.clientConfig(30_000, overrides));
}

export function functionArn(name, qualifier) {
  const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
  return qualifier ? `${arn}:${qualifier}` : arn;
}

export function mappingArn(uuid) {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${uuid}`;
}

/** "python3.N" for the python3 on PATH, clamped to the runtimes Lambda knows (3.9..3.14). */
export function pythonRuntime() {
  let minor = 12;
  try {
    const out = execFileSync("python3", ["-c", "import sys; print(sys.version_info[1])"], {
      encoding: "utf8", timeout: 30_000,
    });
    const n = Number.parseInt(out.trim(), 10);
    if (Number.isInteger(n)) minor = n;
  } catch {
    // keep the default; the server reports a missing python3 when it runs the handler
  }
  return `python3.${Math.min(Math.max(minor, 9), 14)}`;
}

// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320). zlib.crc32 exists from node
// 20.15 / 22.2; the table version covers older 20.x releases.
let crcTable = null;
function crc32(buf) {
  if (typeof zlib.crc32 === "function") return zlib.crc32(buf) >>> 0;
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of buf) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A zip archive (method 0, "stored") of files: { "name": string | Buffer }. Entries are
 * regular files with mode 0644 made on "unix", dated 1980-01-01, in sorted order, so the
 * same files always give the same bytes.
 */
export function makeZip(files) {
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  const DOS_TIME = 0;
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const name of Object.keys(files).sort()) {
    const data = Buffer.isBuffer(files[name]) ? files[name] : Buffer.from(files[name], "utf8");
    const nameBytes = Buffer.from(name, "utf8");
    const crc = crc32(data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header signature
    local.writeUInt16LE(20, 4);         // version needed to extract (2.0)
    local.writeUInt16LE(0x0800, 6);     // flags: names are UTF-8
    local.writeUInt16LE(0, 8);          // method: stored
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18); // compressed size
    local.writeUInt32LE(data.length, 22); // uncompressed size
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);         // extra field length
    locals.push(local, nameBytes, data);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); // central directory header signature
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt16LE(0, 30);       // extra
    central.writeUInt16LE(0, 32);       // comment
    central.writeUInt16LE(0, 34);       // disk number
    central.writeUInt16LE(0, 36);       // internal attributes
    central.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // external: regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);  // offset of the local header
    centrals.push(central, nameBytes);

    offset += local.length + nameBytes.length + data.length;
  }
  const cdSize = centrals.reduce((n, b) => n + b.length, 0);
  const count = Object.keys(files).length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);     // end of central directory signature
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([...locals, ...centrals, end]);
}
