import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { runCli } from "../helpers/cli.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";

/**
 * The HTML reports of a real run, a real capacity search and a comparison, opened from disk in
 * headless Chromium (Debian's package, driven by playwright-core): every chart has points, nothing
 * is logged as an error, nothing but file: and data: is requested, and screenshots in light and
 * dark land in test-artifacts/ for a person to look at.
 */

const CHROMIUM = process.env.CACHESTRESS_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/", import.meta.url));
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `cachestress-e2e-${name}-`));
const only = (dir: string, ext: string) => {
  const files = readdirSync(dir).filter((f) => f.endsWith(ext));
  assert.equal(files.length, 1, `${ext} in ${dir}: ${readdirSync(dir).join(", ")}`);
  return join(dir, files[0]);
};

const MARKED_SCENARIO = `name: marked
viaProxy: true
rate: 1000
duration: 4s
faults:
  - { at: 1s, for: 1s, kind: latency, latencyMs: 20 }
alerts:
  rules:
    - { name: any_latency, metric: p99_ms, op: ">", value: 0, for: 0s, severity: warning }
`;

interface PageCheck {
  charts: { id: string; points: number; markers: number }[];
  problems: string[];
}

async function openReport(
  browser: Browser,
  file: string,
  scheme: "light" | "dark",
  shot: string,
): Promise<PageCheck> {
  const page: Page = await browser.newPage({ viewport: { width: 1200, height: 900 }, colorScheme: scheme });
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("request", (r) => {
    if (!/^(file|data|about):/.test(r.url())) problems.push(`network request: ${r.url()}`);
  });
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("html[data-charts-ready]", { timeout: 15_000 });
    const charts = await page.$$eval("figure.chart", (els) =>
      els.map((e) => ({
        id: e.getAttribute("data-chart") ?? "",
        points: Number(e.getAttribute("data-points")),
        markers: Number(e.getAttribute("data-markers") ?? 0),
      })),
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, `${shot}-${scheme}.png`), fullPage: true });
    return { charts, problems };
  } finally {
    await page.close();
  }
}

describe("HTML reports in headless Chromium", () => {
  let redis: ManagedRedis;
  let browser: Browser;
  const runDir = tmp("run");
  const runDir2 = tmp("run2");
  const capacityDir = tmp("capacity");
  const compareDir = tmp("compare");

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `Chromium not found at ${CHROMIUM}: install Debian's package ('apt-get install -y chromium'; .ci/run and scripts/setup.mjs do) or set CACHESTRESS_CHROMIUM`,
    );
    redis = await startRedis();
    const common = ["--url", redis.url, "-c", "4", "--key-max", "2000", "--prefill"];
    // The first run has a fault and an alert that fires at once, so every time chart has markers.
    const marked = join(runDir, "..", "marked.yaml");
    writeFileSync(marked, MARKED_SCENARIO);
    const first = await runCli(["run", marked, ...common, "--out", runDir]);
    assert.equal(first.code, 0, first.stderr);
    const second = await runCli(["run", ...common, "--duration", "3s", "--rate", "1000", "--out", runDir2]);
    assert.equal(second.code, 0, second.stderr);
    const c = await runCli([
      "capacity",
      ...common,
      "--start-rate",
      "500",
      "--max-rate",
      "2000",
      "--step-duration",
      "1s",
      "--max-steps",
      "3",
      "--out",
      capacityDir,
    ]);
    // On a busy machine the first step may already fail (exit 1); the report is written either way.
    assert.ok(c.code === 0 || c.code === 1, c.stderr);
    const cmp = await runCli(["compare", only(runDir, ".json"), only(runDir2, ".json"), "--out", compareDir]);
    assert.equal(cmp.code, 0, cmp.stderr);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  after(async () => {
    await browser?.close();
    await redis?.stop();
  });

  const cases: [name: string, dir: () => string, expected: string[]][] = [
    ["run", () => runDir, ["throughput", "latency", "distribution", "server-memory", "server-clients"]],
    ["capacity", () => capacityDir, ["capacity-curve", "capacity-achieved"]],
    ["compare", () => compareDir, ["compare-throughput", "compare-p99", "compare-distribution"]],
  ];
  for (const [name, dir, expected] of cases) {
    for (const scheme of ["light", "dark"] as const) {
      it(`${name} report (${scheme}): every chart has points, no console error, no network request`, async () => {
        const check = await openReport(browser, only(dir(), ".html"), scheme, `${name}-report`);
        assert.deepEqual(check.problems, []);
        const ids = check.charts.map((c) => c.id);
        for (const id of expected) assert.ok(ids.includes(id), `${id} in ${ids.join(", ")}`);
        for (const c of check.charts) assert.ok(c.points > 0, `${c.id} has ${c.points} points`);
        if (name === "run") {
          // The fault and the alert, on every chart with a time axis.
          const timed = check.charts.filter((c) => c.id !== "distribution");
          for (const c of timed) assert.equal(c.markers, 2, `${c.id} markers`);
        }
      });
    }
  }

  it("the per-command view of the latency chart has points too, the theme toggles, print is light", async () => {
    const page = await browser.newPage({ colorScheme: "light" });
    try {
      await page.goto(pathToFileURL(only(runDir, ".html")).href);
      await page.waitForSelector("html[data-charts-ready]");
      await page.selectOption('figure[data-chart="latency"] select', "GET");
      const view = await page.$eval(
        'figure[data-chart="latency"]',
        (e) => [e.getAttribute("data-variant"), Number(e.getAttribute("data-points"))] as const,
      );
      assert.equal(view[0], "GET");
      assert.ok(view[1] > 0, `GET view has ${view[1]} points`);
      await page.click("#theme-toggle");
      assert.equal(await page.getAttribute("html", "data-theme"), "dark");
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, "rgb(15, 23, 42)");
      // Printed, it is black on white whatever the theme, without the controls.
      await page.emulateMedia({ media: "print" });
      assert.equal(
        await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
        "rgb(255, 255, 255)",
      );
      assert.equal(
        await page.$eval("#theme-toggle", (e) => getComputedStyle(e.parentElement!).display),
        "none",
      );
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.pdf({ path: join(ARTIFACTS, "run-report.pdf"), format: "A4" });
    } finally {
      await page.close();
    }
  });
});
