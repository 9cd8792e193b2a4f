// The console's pages one by one (issue 12, and the contract the page and these tests share):
// how it is served (one index.html for every console path, its assets, a Content-Security-
// Policy without inline script), deep links that survive a reload, navigation by
// history.pushState, a failed request shown in role="alert" with the service's error code
// and message, and the Clock page's advance and freeze controls. Each test ends asserting
// that the page logged no errors (other than the one request a test makes fail on purpose).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { sqs, sqsQueueUrl } from "./aws.js";
import {
  consoleUrl, getJson, gotoConsole, launch, queueUrlPath, screenshot, unfreezeClock, unique,
  waitTime, withPage,
} from "./harness.js";

const exact = (name) => ({ name, exact: true });
const h1 = (page, name) => page.getByRole("heading", { level: 1, ...exact(name) });
// The one console error a request that fails on purpose leaves in chromium's console.
const FAILED_400 = /Failed to load resource: the server responded with a status of 400/;

describe("the console's pages", () => {
  let browser;
  const queue = unique("deeplink");

  before(async () => {
    browser = await launch();
    await sqs("CreateQueue", { QueueName: queue });
  });
  after(async () => {
    await unfreezeClock();
    await browser?.close();
  });

  it("is served as one page with its assets and a strict Content-Security-Policy", async () => {
    for (const suffix of ["", "/clock", "/functions", `/queues/any/where/${queue}`]) {
      const res = await fetch(consoleUrl(suffix), { signal: AbortSignal.timeout(5_000) });
      assert.equal(res.status, 200, `GET /_sqsemu/console${suffix}`);
      assert.match(res.headers.get("content-type") || "", /^text\/html/);
      assert.match(res.headers.get("content-security-policy") || "", /default-src 'self'/);
    }
    for (const [asset, type] of [["app.js", /^text\/javascript/], ["app.css", /^text\/css/]]) {
      const res = await fetch(consoleUrl(`/assets/${asset}`), { signal: AbortSignal.timeout(5_000) });
      assert.equal(res.status, 200, asset);
      assert.match(res.headers.get("content-type") || "", type, asset);
      assert.match(res.headers.get("cache-control") || "", /no-cache/, asset);
    }
  });

  it("loads each deep link, and again on reload", async () => {
    await withPage(browser, "deep-links", async ({ page }) => {
      const pages = [
        [consoleUrl(), "Queues"],
        [queueUrlPath(queue), queue],
        [consoleUrl("/functions"), "Functions"],
        [consoleUrl("/clock"), null],
      ];
      for (const [url, heading] of pages) {
        await gotoConsole(page, url);
        const title = heading ? h1(page, heading) : page.getByRole("heading", { level: 1 });
        await title.waitFor();
        await page.reload({ waitUntil: "domcontentloaded" });
        await title.waitFor();
        assert.equal(page.url(), url);
      }
    });
  });

  it("navigates with the Sections links without reloading, and the address reloads", async () => {
    await withPage(browser, "navigation", async ({ page }) => {
      await gotoConsole(page, consoleUrl());
      await h1(page, "Queues").waitFor();
      const nav = page.getByRole("navigation", exact("Sections"));
      // Each click must route in place (history.pushState): a full load drops the marker.
      const click = async (link, arrived) => {
        await page.evaluate(() => { window.__stillHere = true; });
        await link.click();
        await arrived.waitFor();
        assert.equal(await page.evaluate(() => window.__stillHere), true, `following ${link} reloaded the page`);
      };
      await click(nav.getByRole("link", exact("Functions")), h1(page, "Functions"));
      assert.equal(new URL(page.url()).pathname, "/_sqsemu/console/functions");
      await click(nav.getByRole("link", exact("Clock")), page.getByLabel("Emulated time", { exact: true }));
      assert.equal(new URL(page.url()).pathname, "/_sqsemu/console/clock");
      await click(nav.getByRole("link", exact("Queues")), h1(page, "Queues"));
      await click(page.getByRole("table", exact("Queues")).getByRole("link", exact(queue)).first(), h1(page, queue));
      await page.goBack();
      await h1(page, "Queues").waitFor();
      await page.reload({ waitUntil: "domcontentloaded" });
      await h1(page, "Queues").waitFor();
    });
  });

  it("shows a failed request in role=alert with the error code and message", async () => {
    const bad = "not a valid name!";
    await withPage(browser, "alert", async ({ page }) => {
      await gotoConsole(page, consoleUrl());
      const form = page.getByRole("form", exact("Create queue"));
      await form.getByLabel("Queue name", { exact: true }).fill(bad);
      await form.getByRole("button", exact("Create queue")).click();
      const alert = page.getByRole("alert").filter({ hasText: /InvalidParameterValue/ });
      await alert.waitFor();
      assert.match(await alert.innerText(), /alphanumeric/i, "the alert shows the service's message");
      await screenshot(page, "alert");
      const listed = await sqs("ListQueues", { QueueNamePrefix: "not" });
      assert.deepEqual(listed.QueueUrls || [], [], "nothing was created");
    }, { allow: [FAILED_400] });
  });

  it("advances, freezes and unfreezes the clock from the Clock page", async () => {
    await withPage(browser, "clock", async ({ page }) => {
      await gotoConsole(page, consoleUrl("/clock"));
      const shown = page.getByLabel("Emulated time", { exact: true });
      const start = await waitTime(shown, Number.isFinite);
      assert.match((await shown.innerText()).trim(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$/);
      const server = await getJson("/_sqsemu/clock");
      assert.ok(Math.abs(server.now_ms - start) < 120_000, "the page shows the server's time");

      await page.getByLabel("Advance by (seconds)", { exact: true }).fill("3600");
      await page.getByRole("button", exact("Advance")).click();
      await waitTime(shown, (t) => t >= start + 3_600_000);
      assert.ok((await getJson("/_sqsemu/clock")).now_ms >= server.now_ms + 3_600_000);

      await page.getByRole("button", exact("Freeze")).click();
      await page.getByRole("button", exact("Unfreeze")).waitFor();
      assert.equal((await getJson("/_sqsemu/clock")).frozen, true);
      await screenshot(page, "clock-frozen");
      await page.getByRole("button", exact("Unfreeze")).click();
      await page.getByRole("button", exact("Freeze")).waitFor();
      assert.equal((await getJson("/_sqsemu/clock")).frozen, false);
    });
  });

  it("lists the queue with its counts on the Queues page", async () => {
    await withPage(browser, "queues-counts", async ({ page }) => {
      await gotoConsole(page, consoleUrl());
      const row = page.getByRole("table", exact("Queues")).getByRole("row")
        .filter({ has: page.getByRole("link", exact(queue)) });
      await row.waitFor();
      // Live: the count the page shows follows a send made elsewhere, without a reload.
      await page.evaluate(() => { window.__stillHere = true; });
      await sqs("SendMessage", { QueueUrl: sqsQueueUrl(queue), MessageBody: "x" });
      await row.getByRole("cell").filter({ hasText: /^\s*1\s*$/ }).first().waitFor();
      assert.equal(await page.evaluate(() => window.__stillHere), true, "the page reloaded");
      await screenshot(page, "queues-list");
    });
  });
});
