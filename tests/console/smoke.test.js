// The harness itself, against what sqsemu serves without the console: chromium starts with
// the flags, reaches the server started by run.sh on 127.0.0.1, shows the health
// document, a screenshot is written, and the console-error collector sees nothing.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { BASE, launch, screenshot, withPage } from "./harness.js";

// A JSON document has no <link rel="icon">, so chromium asks for /favicon.ico, which sqsemu
// does not serve. The console's pages must name their icon (or none): there it is an error.
const FAVICON_404 = /status of 404 .*\/favicon\.ico\)$/;

describe("harness smoke test", () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  it("shows GET /_sqsemu/health in the browser", async () => {
    await withPage(browser, "smoke-health", async ({ page }) => {
      const res = await page.goto(`${BASE}/_sqsemu/health`, { waitUntil: "load" });
      assert.equal(res.status(), 200);
      assert.match(res.headers()["content-type"] || "", /json/);
      const doc = JSON.parse(await page.locator("body").innerText());
      assert.equal(doc.status, "running");
      assert.equal(typeof doc.parked_requests, "number");
      await screenshot(page, "smoke-health");
    }, { allow: [FAVICON_404] });
  });

  it("collects an error the page logs (the collector works)", async () => {
    await withPage(browser, "smoke-collector", async (session) => {
      await session.page.goto(`${BASE}/_sqsemu/health`, { waitUntil: "load" });
      await session.page.evaluate(() => console.error("provoked"));
      await session.page.evaluate(() => { setTimeout(() => { throw new Error("thrown"); }, 0); });
      await session.page.waitForFunction(() => true);
      // Bounded: both events arrive within a round trip of the protocol.
      for (let i = 0; i < 50 && session.errors.length < 2; i++) await session.page.evaluate(() => new Promise(requestAnimationFrame));
      assert.ok(session.errors.some((e) => e.includes("provoked")), session.errors.join("; "));
      assert.ok(session.errors.some((e) => e.includes("thrown")), session.errors.join("; "));
      session.errors.length = 0;
    });
  });
});
