// The browser side of the console tests: Debian's chromium launched through playwright-core,
// one page per test that records console errors and uncaught page errors (each test ends by
// asserting there were none), screenshots into the artifacts directory, and the addresses of
// the console's pages (the console routes on location.pathname, as its contract says).
//
// run.sh starts the sqsemu these tests talk to and passes it in the environment:
// SQSEMU_URL, SQSEMU_ACCOUNT, SQSEMU_REGION, SQSEMU_CHROMIUM, SQSEMU_ARTIFACTS.
// Every wait is bounded: Playwright's timeouts are at most 15 s.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const BASE = process.env.SQSEMU_URL || "";
export const ACCOUNT = process.env.SQSEMU_ACCOUNT || "123456789012";
export const REGION = process.env.SQSEMU_REGION || "us-east-1";
const ARTIFACTS = process.env.SQSEMU_ARTIFACTS || path.join(HERE, "artifacts");
export const TIMEOUT_MS = 15_000;

// The flags the issue names for Debian's chromium.
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];

export const consoleUrl = (suffix = "") => `${BASE}/_sqsemu/console${suffix}`;
export const queueUrlPath = (name) => consoleUrl(`/queues/${ACCOUNT}/${REGION}/${encodeURIComponent(name)}`);
export const functionUrlPath = (name) => consoleUrl(`/functions/${ACCOUNT}/${REGION}/${encodeURIComponent(name)}`);

let counter = 0;
/** A name unique within this run (queue names allow letters, digits, - and _). */
export function unique(prefix) {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Launches chromium (SQSEMU_CHROMIUM or `chromium` on PATH) headless. */
export async function launch() {
  assert.ok(BASE, "SQSEMU_URL is not set: run these tests through tests/console/run.sh");
  const executablePath = process.env.SQSEMU_CHROMIUM || "/usr/bin/chromium";
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS, timeout: TIMEOUT_MS });
}

/**
 * A fresh context and page at 1280x800 that accepts every dialog (the console may confirm
 * deletes with window.confirm) and collects console errors and page errors. `allow` lists
 * patterns of console errors a test provokes on purpose (a request it makes fail).
 */
export async function openPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  const errors = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console.error: ${msg.text()} (${msg.location().url || "?"})`);
  });
  page.on("pageerror", (err) => errors.push(`page error: ${err.message}`));
  page.on("dialog", (dialog) => { dialog.accept().catch(() => {}); });
  return {
    page,
    context,
    errors,
    /** Fails if the page logged an error, other than those matching one of allow. */
    assertNoErrors(allow = []) {
      const unexpected = errors.filter((e) => !allow.some((re) => re.test(e)));
      assert.deepEqual(unexpected, [], "the page logged errors");
    },
    close: () => context.close(),
  };
}

/** A full-page screenshot into the artifacts directory as NAME.png. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name.replace(/[^A-Za-z0-9_.-]/g, "_")}.png`), fullPage: true });
}

/**
 * Runs body(session) on a fresh page; then asserts no console errors (except allow). On a
 * failure it saves a screenshot FAILED-<name>.png of where the page stood.
 */
export async function withPage(browser, name, body, { allow = [] } = {}) {
  const session = await openPage(browser);
  try {
    await body(session);
    session.assertNoErrors(allow);
  } catch (err) {
    await screenshot(session.page, `FAILED-${name}`).catch(() => {});
    if (session.errors.length) err.message += `\npage errors so far:\n  ${session.errors.join("\n  ")}`;
    throw err;
  } finally {
    await session.close().catch(() => {});
  }
}

/** Loads a console address and fails at once (not after timeouts) if it is not served. */
export async function gotoConsole(page, url) {
  const res = await page.goto(url, { waitUntil: "domcontentloaded" });
  assert.ok(res, `no response for ${url}`);
  assert.equal(res.status(), 200, `GET ${url} answered ${res.status()}: is the console served?`);
  return res;
}

/** Waits (bounded) until locator's text, trimmed, equals expected. */
export async function waitText(locator, expected, timeout = TIMEOUT_MS) {
  const re = expected instanceof RegExp ? expected : new RegExp(`^\\s*${escapeRe(String(expected))}\\s*$`);
  await locator.filter({ hasText: re }).first().waitFor({ state: "visible", timeout });
}

/** Waits (bounded, 15 s) until the time the element shows satisfies accept. */
export async function waitTime(locator, accept) {
  const deadline = Date.now() + 15_000;
  let text = "";
  while (Date.now() < deadline) {
    text = (await locator.innerText()).trim();
    if (accept(Date.parse(text))) return Date.parse(text);
    await locator.page().waitForTimeout(100); // the poll interval of this bounded wait on the page
  }
  assert.fail(`the page shows the time ${text}`);
}

export function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Same-origin JSON from the server, from node (for facts the page must agree with). */
export async function getJson(route) {
  const res = await fetch(`${BASE}${route}`, { signal: AbortSignal.timeout(5_000) });
  assert.equal(res.status, 200, `GET ${route} answered ${res.status}`);
  return res.json();
}

/** Sets the server's clock running again (POST /_sqsemu/clock), so a failed test leaves no frozen clock. */
export async function unfreezeClock() {
  await fetch(`${BASE}/_sqsemu/clock`, {
    method: "POST", body: JSON.stringify({ freeze: false }), signal: AbortSignal.timeout(5_000),
  }).catch(() => {});
}
