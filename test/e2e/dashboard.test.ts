import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { KEYS, runCalls, startTestDashboard, type TestDashboard } from "../helpers/dashboard.js";
import { commandStats, type ManagedRedis, scanCount, startRedis } from "../helpers/redis.js";

/**
 * The dashboard as a person uses it, in headless Chromium (Debian's package, driven by
 * playwright-core): log in, start a run from the page against a real local redis-server, watch the
 * charts fill, open the presentation view, pause (the server's counts stop), resume, change the
 * rate, stop the run, inject a fault, compare two runs; screenshots in test-artifacts/.
 */

const CHROMIUM = process.env.CACHESTRESS_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/", import.meta.url));

async function points(page: Page, id: string): Promise<number> {
  return Number(await page.getAttribute(`#${id}`, "data-points"));
}

describe("the dashboard in a real browser", () => {
  let redis: ManagedRedis;
  let dash: TestDashboard;
  let browser: Browser;
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    redis = await startRedis();
    dash = await startTestDashboard();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  after(async () => {
    await browser?.close();
    await dash?.close();
    await redis?.stop();
  });

  for (const scheme of ["light", "dark"] as const) {
    it(`logs in, starts a run, sees the charts update, presents, pauses, resumes, sets the rate, stops (${scheme})`, async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 950 }, colorScheme: scheme });
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("console", (m) => {
        // 401 (the page asks whether a session exists before the login) and 400 (the bad value
        // below, on purpose) are answers the page expects; anything else is a problem.
        if (m.type() === "error" && !/status of (401|400)\b/.test(m.text()))
          problems.push(`console: ${m.text()}`);
      });
      page.on("request", (r) => {
        if (!r.url().startsWith(dash.url) && !r.url().startsWith(dash.url.replace("http", "ws")))
          problems.push(`request outside the dashboard: ${r.url()}`);
      });
      try {
        await page.goto(`${dash.url}/`);
        await page.fill("#key", KEYS.operator);
        await page.click("#loginForm button");
        await page.waitForSelector("#app:not(.hidden)");
        assert.match((await page.textContent("#who")) ?? "", /ops \(operator\)/);

        // A bad value is refused with the CLI's words, and nothing starts.
        await page.fill("#url", redis.url);
        await page.fill("#connections", "lots");
        await page.click("#startBtn");
        await page.waitForFunction(
          () => (document.getElementById("startProblems")?.textContent ?? "") !== "",
        );
        assert.match((await page.textContent("#startProblems")) ?? "", /--connections/);

        await page.fill("#connections", "8");
        await page.fill("#duration", "60s");
        await page.fill("#rate", "2000");
        await page.fill("#thresholds", "p(99)<250ms, errors<1%");
        const before = await commandStats(redis.url);
        await page.click("#startBtn");
        // The page opens on the newest run, which may be an earlier test's: wait for this one.
        await page.waitForFunction(() =>
          /\(running\)/.test(document.getElementById("runTitle")?.textContent ?? ""),
        );
        await page.waitForFunction(
          () => Number(document.getElementById("chartThroughput")?.dataset.points) >= 3,
          undefined,
          { timeout: 20_000 },
        );
        for (const id of ["chartThroughput", "chartLatency", "chartErrors"])
          assert.ok((await points(page, id)) >= 3, id);
        await page.waitForFunction(
          () => Number(document.getElementById("chartServer")?.dataset.points) >= 2,
          undefined,
          { timeout: 10_000 },
        );
        const grown = await commandStats(redis.url);
        assert.ok((grown.get?.calls ?? 0) > (before.get?.calls ?? 0), "the server counts the run's commands");
        await page.screenshot({ path: `${ARTIFACTS}dashboard-live-${scheme}.png`, fullPage: true });

        await page.click("#presentBtn");
        await page.waitForSelector("#present:not(.hidden)");
        await page.waitForFunction(() => (document.getElementById("pOps")?.textContent ?? "–") !== "–");
        await page.screenshot({ path: `${ARTIFACTS}dashboard-presentation-${scheme}.png` });
        await page.click("#presentClose");

        // Pause: the server's own counts stop growing (two reads 500 ms apart agree).
        await page.click("#pauseBtn");
        await page.waitForFunction(() =>
          /\(paused\)/.test(document.getElementById("runTitle")?.textContent ?? ""),
        );
        await new Promise((r) => setTimeout(r, 300));
        const pausedAt = await runCalls(redis.url);
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(await runCalls(redis.url), pausedAt, "no command reaches the server while paused");
        await page.screenshot({ path: `${ARTIFACTS}dashboard-paused-${scheme}.png`, fullPage: true });
        await page.click("#presentBtn");
        await page.waitForFunction(() =>
          /paused/.test(document.getElementById("presentTitle")?.textContent ?? ""),
        );
        await page.screenshot({ path: `${ARTIFACTS}dashboard-presentation-paused-${scheme}.png` });
        await page.click("#presentClose");
        // Resume: it grows again.
        await page.click("#resumeBtn");
        await page.waitForFunction(() =>
          /\(running\)/.test(document.getElementById("runTitle")?.textContent ?? ""),
        );
        await new Promise((r) => setTimeout(r, 500));
        assert.ok((await runCalls(redis.url)) > pausedAt, "the load goes on after resume");
        // A new rate for the open loop, confirmed by the run's own event.
        await page.fill("#rateInput", "3000");
        await page.click("#rateBtn");
        await page.waitForFunction(
          () => /rate set to 3000 ops\/s/.test(document.getElementById("events")?.textContent ?? ""),
          undefined,
          { timeout: 10_000 },
        );
        assert.equal(await page.textContent("#controlProblems"), "");

        await page.click("#stopBtn");
        await page.waitForFunction(
          () => /\(ended\)/.test(document.getElementById("runTitle")?.textContent ?? ""),
          undefined,
          { timeout: 20_000 },
        );
        assert.match((await page.textContent("#verdict")) ?? "", /PASS|FAIL/);
        assert.equal(await scanCount(redis.url, "cachestress:*"), 0, "the run's keys are cleaned up");
        await page.waitForFunction(
          () => (document.querySelector("#history tbody")?.children.length ?? 0) > 0,
        );
        await page.screenshot({ path: `${ARTIFACTS}dashboard-ended-${scheme}.png`, fullPage: true });
        assert.deepEqual(problems, []);
      } finally {
        await page.close();
      }
    });
  }

  it("injects a fault from the page's menu, shows one command's latency, compares two past runs", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    try {
      await page.goto(`${dash.url}/`);
      await page.fill("#key", KEYS.operator);
      await page.click("#loginForm button");
      await page.waitForSelector("#app:not(.hidden)");
      // No URL: a throwaway redis-server the run starts, so server faults are on the menu.
      await page.fill("#url", "");
      await page.fill("#connections", "4");
      await page.fill("#duration", "60s");
      await page.fill("#rate", "1000");
      await page.fill("#thresholds", "");
      await page.click("#startBtn");
      await page.waitForFunction(() =>
        /\(running\)/.test(document.getElementById("runTitle")?.textContent ?? ""),
      );
      await page.waitForSelector("#faultSection:not(.hidden)", { timeout: 20_000 });
      const kinds = await page.$$eval("#faultKind option", (os) =>
        os.map((o) => (o as HTMLOptionElement).value),
      );
      assert.ok(kinds.includes("debug-sleep"), kinds.join(", "));
      assert.ok(!kinds.includes("latency"), "no proxy faults without --via-proxy");
      await page.waitForFunction(
        () => Number(document.getElementById("chartThroughput")?.dataset.points) >= 2,
        undefined,
        { timeout: 20_000 },
      );
      await page.selectOption("#faultKind", "debug-sleep");
      await page.fill("#faultField", "0.4");
      await page.click("#faultBtn");
      await page.waitForFunction(
        () => /fault debug-sleep 0.4s started/.test(document.getElementById("events")?.textContent ?? ""),
        undefined,
        { timeout: 10_000 },
      );
      assert.equal(await page.textContent("#faultProblems"), "");
      // One command's latency instead of all together.
      await page.waitForFunction(
        () => (document.getElementById("latencyCommand") as HTMLSelectElement).options.length >= 3,
      );
      await page.selectOption("#latencyCommand", "GET");
      assert.ok((await points(page, "chartLatency")) >= 2);
      await page.screenshot({ path: `${ARTIFACTS}dashboard-fault.png`, fullPage: true });
      await page.click("#stopBtn");
      await page.waitForFunction(
        () => /\(ended\)/.test(document.getElementById("runTitle")?.textContent ?? ""),
        undefined,
        { timeout: 20_000 },
      );

      // Two past runs ticked: the compare view opens with both.
      await page.waitForFunction(() => document.querySelectorAll("#history input.cmp").length >= 2);
      // Locators, not element handles: the list may be drawn again (the run that just ended joins it).
      const boxes = page.locator("#history input.cmp");
      await boxes.nth(0).check();
      await boxes.nth(1).check();
      const href = await page.getAttribute("#compareLink", "href");
      assert.ok(href?.startsWith("/api/compare?base="), String(href));
      // The same tab (the session cookie goes along); the page itself opens it in a new one.
      const response = await page.goto(`${dash.url}${href}`);
      assert.equal(response?.status(), 200);
      assert.match(await page.content(), /p99/);
      await page.screenshot({ path: `${ARTIFACTS}dashboard-compare.png`, fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  it("a viewer sees the runs but no controls", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${dash.url}/`);
      await page.fill("#key", KEYS.viewer);
      await page.click("#loginForm button");
      await page.waitForSelector("#app:not(.hidden)");
      assert.equal(await page.isVisible("#startSection"), false);
      assert.equal(await page.isVisible("#emergencyBtn"), false);
    } finally {
      await page.close();
    }
  });
});
