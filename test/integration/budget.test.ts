import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunResult } from "../../src/result/result-types.js";
import { runCli } from "../helpers/cli.js";
import { runCalls } from "../helpers/dashboard.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";

/**
 * --max-ops / --max-cost against a real redis-server: the run stops itself long before its planned
 * end, the server's INFO commandstats agree with the operations the result reports, and the
 * Markdown and HTML reports say the budget stopped it.
 */

describe("a run budget", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  it("--max-ops 5000 at 20,000 ops/s stops near 5,000 operations, counted by the server too", async () => {
    const out = mkdtempSync(join(tmpdir(), "cachestress-budget-"));
    const before = await runCalls(redis.url);
    const run = await runCli(
      ["run", "--url", redis.url, "--rate", "20000", "--duration", "30s", "--connections", "8"].concat([
        "--max-ops",
        "5000",
        "--out",
        out,
        "--json",
      ]),
      { timeoutMs: 60_000 },
    );
    assert.equal(run.code, 4, `a budget stop is a partial run (exit 4): ${run.stderr}`);
    const result = JSON.parse(run.stdout) as RunResult;
    const server = (await runCalls(redis.url)) - before;
    assert.equal(result.status, "stopped");
    assert.equal(result.stoppedBy?.reason, "budget");
    assert.equal(result.stoppedBy?.limit, "max-ops");
    assert.equal(result.stoppedBy?.budget, 5000);
    assert.equal(result.stoppedBy?.ops, result.totals.ops);
    assert.ok(result.stoppedBy.costUsd > 0, "what the run cost is recorded");
    // 30 s at 20,000 ops/s would be 600,000: the budget ended it within about a second's load.
    assert.ok(result.totals.ops > 0 && result.totals.ops < 20_000, `${result.totals.ops} operations`);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    assert.equal(server, result.totals.sent, "INFO commandstats counted every operation sent");
    assert.equal(result.totals.ops, result.totals.sent, "every operation sent got its reply");
    const md = readFileSync(join(out, `${reportStem(run.stderr)}.md`), "utf8");
    assert.match(md, /\*\*Budget reached\*\*: --max-ops 5000 passed at/);
    assert.match(md, /Partial run\*\* \(stopped: budget reached/);
    const html = readFileSync(join(out, `${reportStem(run.stderr)}.html`), "utf8");
    assert.match(html, /budget reached: --max-ops 5000 passed at/);
    process.stderr.write(
      `budget: --max-ops 5000 at 20000 ops/s → ${result.totals.ops} ops in ${result.durationMs} ms, server counted ${server}\n`,
    );
  });

  it("a scenario file's budget.maxCostUsd stops a closed-loop run by its estimated cost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cachestress-budget-"));
    const file = join(dir, "budget.yaml");
    // Data stored is billed at least 1 GB at USD 0.125 an hour on the dearest engine: USD 0.00005
    // is passed about 1.4 s in, whatever the operations add.
    writeFileSync(file, "name: budgeted\nduration: 30s\nconnections: 4\nbudget:\n  maxCostUsd: 0.00005\n");
    const run = await runCli(["run", file, "--url", redis.url, "--out", dir, "--json"], {
      timeoutMs: 60_000,
    });
    assert.equal(run.code, 4, run.stderr);
    const result = JSON.parse(run.stdout) as RunResult;
    assert.equal(result.stoppedBy?.limit, "max-cost");
    assert.equal(result.stoppedBy?.budget, 0.00005);
    assert.ok(result.stoppedBy.costUsd >= 0.00004, `cost ${result.stoppedBy.costUsd}`);
    assert.ok(result.durationMs < 10_000, `stopped after ${result.durationMs} ms of a planned 30 s`);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
  });

  it("bad budgets are usage errors naming the flag and the file field, all at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cachestress-budget-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "budget:\n  maxOps: -3\n  maxCost: 1\n");
    const run = await runCli(["run", file, "--max-cost", "free", "--max-ops", "1.5"]);
    assert.equal(run.code, 2, run.stderr);
    for (const field of ["--max-cost", "--max-ops", "budget.maxOps", "budget.maxCost"])
      assert.ok(run.stderr.includes(field), `${field} in: ${run.stderr}`);
    assert.match(run.stderr, /did you mean maxCostUsd/);
  });
});

/** The report files' stem, from the CLI's `report: …/result_….json` line. */
function reportStem(stderr: string): string {
  const match = /report: .*\/(result_[^/\s]+)\.json/.exec(stderr);
  assert.ok(match, `a report line in: ${stderr}`);
  return match[1];
}
