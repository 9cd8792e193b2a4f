// The flow, through the console only (issue 12; the accessible names are those of
// the console contract): create a DLQ and a queue that uses it, shorten the visibility
// timeout, configure a Lambda trigger for a function made beforehand with the AWS API, send
// a message and watch its invocation and log on the function page, send a failing message
// and advance the clock from the Clock page until it is in the DLQ, disable the trigger and
// redrive the DLQ back to its source, then delete the trigger.
// The console flow this follows is AWS's, in the Amazon SQS Developer Guide: "Configuring
// an Amazon SQS queue to trigger an AWS Lambda function" (sqs-configure-lambda-function-
// trigger.html), and the dead-letter queue redrive of the same guide.
//
// The steps run in order and share the queues and the function; each opens a fresh page
// (so each also loads its page from a deep link) and ends asserting no console errors.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { createFunction, deleteFunction, lambdaClient, mappingsOf, peek, queueAttributes } from "./aws.js";
import {
  consoleUrl, escapeRe, functionUrlPath, gotoConsole, launch, queueUrlPath, screenshot, unfreezeClock,
  unique, waitText, waitTime, withPage,
} from "./harness.js";

const exact = (name) => ({ name, exact: true });

/** The row of table `tableName` that contains text (a string or RegExp). */
function row(page, tableName, text) {
  return page.getByRole("table", exact(tableName)).getByRole("row").filter({ hasText: text });
}

/**
 * The Queues table's row of queue name: the one whose first cell links to it (a DLQ's row
 * also links to its source queues).
 */
function queueRow(page, name) {
  return page.getByRole("table", exact("Queues")).getByRole("row")
    .filter({ has: page.locator("td:first-child, th:first-child").getByRole("link", exact(name)) });
}

// A select's accessible name may include its selected option when its label wraps it, so
// selects are found by the start of their name.

async function openTab(page, name) {
  await page.getByRole("tab", exact(name)).click();
}

function countOf(page, label) {
  return page.getByLabel(label, { exact: true });
}

describe("the issue's flow: queue, DLQ, trigger, failure, redrive", () => {
  const source = unique("orders");
  const dlq = unique("orders-dlq");
  const fn = unique("console-fn");
  const lambda = lambdaClient();
  let browser;

  before(async () => {
    browser = await launch();
    await createFunction(lambda, fn);
  });
  after(async () => {
    await unfreezeClock();
    await browser?.close();
    await deleteFunction(lambda, fn);
  });

  it("creates the DLQ and then the queue that uses it from the Queues page", async () => {
    await withPage(browser, "flow-create", async ({ page }) => {
      await gotoConsole(page, consoleUrl());
      await page.getByRole("heading", { level: 1, ...exact("Queues") }).waitFor();
      const form = page.getByRole("form", exact("Create queue"));

      await form.getByLabel("Queue name", { exact: true }).fill(dlq);
      await form.getByRole("button", exact("Create queue")).click();
      await queueRow(page, dlq).waitFor();

      await form.getByLabel("Queue name", { exact: true }).fill(source);
      await form.getByLabel("Dead-letter queue", { exact: true }).fill(dlq);
      await form.getByLabel("Max receive count", { exact: true }).fill("1");
      await form.getByRole("button", exact("Create queue")).click();
      const sourceRow = queueRow(page, source);
      await sourceRow.waitFor();
      await sourceRow.getByRole("link", exact(dlq)).waitFor();
      await waitText(sourceRow.getByRole("cell"), "Standard");
      await screenshot(page, "queues");

      const attrs = await queueAttributes(source);
      const policy = JSON.parse(attrs.RedrivePolicy);
      assert.match(policy.deadLetterTargetArn, new RegExp(`:${escapeRe(dlq)}$`));
      assert.equal(Number(policy.maxReceiveCount), 1);
    });
  });

  it("shortens the visibility timeout on the Attributes tab", async () => {
    await withPage(browser, "flow-attributes", async ({ page }) => {
      await gotoConsole(page, queueUrlPath(source));
      await page.getByRole("heading", { level: 1, ...exact(source) }).waitFor();
      assert.equal(await page.getByRole("tab", exact("Dead-letter queue redrive")).count(), 0,
        "a queue that is no queue's DLQ has no redrive tab");
      await openTab(page, "Attributes");
      await page.getByLabel("Visibility timeout", { exact: true }).fill("5");
      await page.getByRole("button", exact("Save attributes")).click();
      const deadline = Date.now() + 10_000;
      let attrs;
      do {
        attrs = await queueAttributes(source);
        if (attrs.VisibilityTimeout === "5") break;
        await page.waitForTimeout(100); // the poll interval of this bounded wait on the server's state
      } while (Date.now() < deadline);
      assert.equal(attrs.VisibilityTimeout, "5");
      await screenshot(page, "queue-attributes");
    });
  });

  it("configures a Lambda trigger from the queue's Lambda triggers tab", async () => {
    await withPage(browser, "flow-trigger", async ({ page }) => {
      await gotoConsole(page, queueUrlPath(source));
      await openTab(page, "Lambda triggers");
      const form = page.getByRole("form", exact("Configure Lambda function trigger"));
      await form.getByRole("combobox", { name: /^Function\b/ }).selectOption({ label: fn });
      await form.getByLabel("Batch size", { exact: true }).fill("1");
      await form.getByRole("button", exact("Save trigger")).click();
      await row(page, "Lambda triggers", fn).filter({ hasText: /Enabled/ }).waitFor();
      await screenshot(page, "queue-triggers");
      const mappings = await mappingsOf(lambda, fn);
      assert.equal(mappings.length, 1);
      assert.match(mappings[0].EventSourceArn, new RegExp(`:${escapeRe(source)}$`));
      assert.equal(mappings[0].BatchSize, 1);
    });
  });

  it("sends a message and shows its invocation and log on the function page", async () => {
    const body = `hello from the console ${process.pid}`;
    await withPage(browser, "flow-invocation", async ({ page }) => {
      await gotoConsole(page, queueUrlPath(source));
      await openTab(page, "Messages");
      const form = page.getByRole("form", exact("Send message"));
      await form.getByLabel("Message body", { exact: true }).fill(body);
      await form.getByRole("button", exact("Send message")).click();
      await screenshot(page, "queue-messages");

      // To the function through the navigation, not a deep link.
      await page.getByRole("navigation", exact("Sections")).getByRole("link", exact("Functions")).click();
      await page.getByRole("heading", { level: 1, ...exact("Functions") }).waitFor();
      await page.getByRole("table", exact("Functions")).getByRole("link", exact(fn)).waitFor();
      await waitText(row(page, "Functions", fn).getByRole("cell"), /python3\.\d+/);
      await screenshot(page, "functions");
      await page.getByRole("table", exact("Functions")).getByRole("link", exact(fn)).click();
      await page.getByRole("heading", { level: 1, ...exact(fn) }).waitFor();
      assert.equal(new URL(page.url()).pathname, new URL(functionUrlPath(fn)).pathname);

      const invocation = row(page, "Invocations", /success/);
      await invocation.first().waitFor();
      await invocation.first().getByRole("button", { name: /^Show log / }).click();
      const log = page.getByRole("region", exact("Log"));
      await log.filter({ hasText: body }).waitFor();
      await log.filter({ hasText: /START/ }).waitFor();
      // The log shows the handler's lines as lines, START to REPORT.
      const lines = (await log.innerText()).split("\n").map((l) => l.trim());
      assert.ok(lines.includes(`handling ${body}`), `no line "handling ${body}" in the log:\n${lines.join("\n")}`);
      assert.ok(lines.some((l) => l.startsWith("START RequestId:")), lines.join("\n"));
      assert.ok(lines.some((l) => l.startsWith("REPORT RequestId:")), lines.join("\n"));
      // Its trigger is the mapping.
      const [mapping] = await mappingsOf(lambda, fn);
      await invocation.filter({ hasText: mapping.UUID }).first().waitFor();
      await screenshot(page, "function");
    });
  });

  it("fails a message into the DLQ by advancing the clock from the Clock page", async () => {
    const body = `please fail ${process.pid}`;
    await withPage(browser, "flow-dlq", async ({ page }) => {
      await gotoConsole(page, queueUrlPath(source));
      await openTab(page, "Messages");
      const form = page.getByRole("form", exact("Send message"));
      await form.getByLabel("Message body", { exact: true }).fill(body);
      await form.getByRole("button", exact("Send message")).click();

      await gotoConsole(page, functionUrlPath(fn));
      await row(page, "Invocations", /function[ _]error/i).first().waitFor();

      await gotoConsole(page, queueUrlPath(source));
      await openTab(page, "Lambda triggers");
      await row(page, "Lambda triggers", fn).filter({ hasText: /function[ _]error/i }).waitFor();

      // Each advance makes the failed message visible again; the trigger's next receive
      // finds it past maxReceiveCount and SQS moves it to the DLQ. Bounded: 8 advances.
      await gotoConsole(page, consoleUrl("/clock"));
      await page.getByRole("heading", { level: 1 }).waitFor();
      const shown = page.getByLabel("Emulated time", { exact: true });
      let moved = false;
      for (let i = 0; i < 8 && !moved; i++) {
        const before = Date.parse((await shown.innerText()).trim());
        assert.ok(Number.isFinite(before), "Emulated time is an ISO 8601 time");
        await page.getByLabel("Advance by (seconds)", { exact: true }).fill("10");
        await page.getByRole("button", exact("Advance")).click();
        await waitTime(shown, (t) => t >= before + 10_000);
        const deadline = Date.now() + 3_000;
        while (!moved && Date.now() < deadline) {
          moved = (await peek(dlq)).some((m) => m.Body === body);
          if (!moved) await page.waitForTimeout(100); // the poll interval of this bounded wait on the server
        }
      }
      await screenshot(page, "clock");
      assert.ok(moved, `the failing message did not reach ${dlq}`);

      await gotoConsole(page, queueUrlPath(dlq));
      await page.getByRole("heading", { level: 1, ...exact(dlq) }).waitFor();
      await waitText(countOf(page, "Visible count"), "1");
      await openTab(page, "Messages");
      await row(page, "Messages", body).waitFor();
      await screenshot(page, "dlq-messages");
    });
  });

  it("disables the trigger and redrives the DLQ to its source queue", async () => {
    await withPage(browser, "flow-redrive", async ({ page }) => {
      await gotoConsole(page, queueUrlPath(source));
      await openTab(page, "Lambda triggers");
      await page.getByRole("button", exact(`Disable trigger ${fn}`)).click();
      await row(page, "Lambda triggers", fn).filter({ hasText: /Disabled/ }).waitFor();
      await page.getByRole("button", exact(`Enable trigger ${fn}`)).waitFor();
      assert.equal((await mappingsOf(lambda, fn))[0].State, "Disabled");

      await gotoConsole(page, queueUrlPath(dlq));
      await openTab(page, "Dead-letter queue redrive");
      await page.getByRole("combobox", { name: /^Destination\b/ }).selectOption({ label: "Source queues" });
      await page.getByRole("button", exact("Start DLQ redrive")).click();
      await row(page, "Move tasks", /COMPLETED/).filter({ hasText: /(^|\D)1\s*\/\s*1(\D|$)/ }).waitFor();
      await waitText(countOf(page, "Visible count"), "0");
      await screenshot(page, "dlq-redrive");

      await gotoConsole(page, queueUrlPath(source));
      await waitText(countOf(page, "Visible count"), "1");
      assert.ok((await peek(source)).some((m) => m.Body.startsWith("please fail")));
    });
  });

  it("deletes the trigger", async () => {
    await withPage(browser, "flow-delete-trigger", async ({ page }) => {
      await gotoConsole(page, queueUrlPath(source));
      await openTab(page, "Lambda triggers");
      await row(page, "Lambda triggers", fn).waitFor();
      await page.getByRole("button", exact(`Delete trigger ${fn}`)).click();
      await row(page, "Lambda triggers", fn).waitFor({ state: "detached" });
      const deadline = Date.now() + 10_000;
      let left = await mappingsOf(lambda, fn);
      while (left.length && Date.now() < deadline) {
        await page.waitForTimeout(100); // the poll interval of this bounded wait on the server's state
        left = await mappingsOf(lambda, fn);
      }
      assert.deepEqual(left, []);
      await screenshot(page, "queue-triggers-deleted");
    });
  });
});
