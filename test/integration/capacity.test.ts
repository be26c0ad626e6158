import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { CapacityResult } from "../../src/capacity/capacity-result.js";
import { runCapacity } from "../../src/capacity/run-capacity.js";
import type { CapacitySearchOptions } from "../../src/capacity/search-options.js";
import { type JudgedRate, nextStep } from "../../src/capacity/search-plan.js";
import { runCli } from "../helpers/cli.js";
import { commandStats, dbsize, type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

/** SET + GET calls the server counted. */
async function setGetCalls(url: string): Promise<number> {
  const stats = await commandStats(url);
  return (stats.set?.calls ?? 0) + (stats.get?.calls ?? 0);
}

/** The one capacity_{env}_*.json in `dir`. */
function capacityFile(dir: string, env: string): CapacityResult {
  const files = readdirSync(dir).filter((f) => f.startsWith(`capacity_${env}_`) && f.endsWith(".json"));
  assert.equal(files.length, 1, `files in ${dir}: ${readdirSync(dir).join(", ")}`);
  assert.ok(readdirSync(dir).includes(files[0].replace(/\.json$/, ".md")));
  return JSON.parse(readFileSync(join(dir, files[0]), "utf8")) as CapacityResult;
}

/** The pid of the redis-server the CLI said it started. */
function managedPid(stderr: string): number {
  const pid = /started a throwaway redis-server on \S+ \(pid (\d+)\)/.exec(stderr)?.[1];
  assert.ok(pid !== undefined, stderr);
  return Number(pid);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("capacity search against a real redis-server", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("grows then bisects, every step's ops counted by the server, within 20 s", async () => {
    // rps<2500 breaks at a known place: a step passes only when it achieved under 2,500 ops/s and at
    // least 95 % of what it asked, so no asked rate of 2,632 ops/s or more can pass, and 4,000 fails.
    const search: CapacitySearchOptions = {
      startRate: 500,
      growth: { kind: "factor", factor: 2 },
      stepDurationMs: 1000,
      maxSteps: 5,
      precisionPercent: 5,
      slo: ["rps<2500", "errors<1%"],
    };
    const config = testRunConfig({ url: redis.url, connections: 4, pipeline: 64 });
    const callsBefore = await setGetCalls(redis.url);
    const started = performance.now();
    const result = await runCapacity(config, search);
    const elapsedMs = performance.now() - started;
    const callsAfter = await setGetCalls(redis.url);

    assert.ok(elapsedMs < 20_000, `took ${elapsedMs} ms`);
    assert.equal(result.status, "completed");
    assert.ok(result.steps.length >= 1 && result.steps.length <= 5);
    // The rates asked are the plan's, given the verdicts the steps got.
    const judged: JudgedRate[] = [];
    for (const step of result.steps) {
      const next = nextStep(judged, search);
      assert.ok(!("end" in next), `step ${step.index} ran after the plan ended`);
      assert.equal(step.askedRate, next.rate);
      judged.push({ askedRate: step.askedRate, passed: step.verdict === "pass" });
    }
    assert.ok("end" in nextStep(judged, search));

    const { lastGoodRate, firstBadRate } = result.capacity;
    if (lastGoodRate !== null) assert.ok(lastGoodRate < 2632, `last good ${lastGoodRate}`);
    if (lastGoodRate !== null && firstBadRate !== null) assert.ok(lastGoodRate < firstBadRate);
    const at4000 = result.steps.find((s) => s.askedRate === 4000);
    if (at4000 !== undefined) {
      assert.equal(at4000.verdict, "fail");
      assert.ok(
        at4000.reasons.length > 0 &&
          /rps<2500|could not keep up|did not keep up/.test(at4000.reasons.join(";")),
      );
    }
    for (const step of result.steps) {
      if (step.verdict === "pass") {
        assert.ok(Math.abs(step.achievedRate - step.askedRate) <= step.askedRate * 0.1, JSON.stringify(step));
        assert.ok(step.sloOk && step.achievedPercent >= 95);
      } else assert.ok(step.reasons.length > 0);
      assert.equal(step.countCheck.ok, true, step.countCheck.note);
    }
    // The server's count of SET + GET over the whole search is exactly what the steps did.
    const server = callsAfter - callsBefore;
    assert.equal(result.countCheck.server, server);
    assert.equal(
      result.steps.reduce((sum, s) => sum + s.countCheck.completed, 0),
      server,
    );
    if (result.steps.every((s) => s.errors === 0)) {
      assert.equal(
        result.steps.reduce((sum, s) => sum + s.ops, 0),
        server,
      );
    }
    assert.equal(result.countCheck.ok, true);
    assert.equal(result.target.managed, false);
    assert.equal(result.curve.length, result.steps.length);
    assert.ok(result.knee === null || result.steps.some((s) => s.askedRate === result.knee!.rate));
    assert.equal(await dbsize(redis.url), 0, "every step cleaned up its keys");
  });

  it("an impossible SLO: no capacity, a clear message, exit 1, and the managed server stopped", async () => {
    const out = mkdtempSync(join(tmpdir(), "cachestress-capacity-"));
    const run = await runCli(
      [
        "capacity",
        "--start-rate",
        "500",
        "--step-duration",
        "1s",
        "--max-steps",
        "3",
        "--slo",
        "p(99)<0.001ms",
        "--connections",
        "4",
        "--out",
        out,
        "--env",
        "ci",
      ],
      { timeoutMs: 30_000 },
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /No capacity found: the start rate 500 ops\/s already failed \(SLO p\(99\)<0\.001ms broken/,
    );
    assert.equal(isRunning(managedPid(run.stderr)), false);
    const result = capacityFile(out, "ci");
    assert.equal(result.capacity.lastGoodRate, null);
    assert.equal(result.capacity.end, "failed-at-start");
    assert.equal(result.steps.length, 1);
    assert.equal(result.steps[0].sloOk, false);
    assert.deepEqual(result.search.slo, ["p(99)<0.001ms"]);
    assert.equal(result.target.managed, true);
    assert.equal(result.countCheck.ok, true);
  });

  it("`run capacity` delegates to the search, with capacity flags over the file's capacity: section", async () => {
    const out = mkdtempSync(join(tmpdir(), "cachestress-capacity-"));
    const run = await runCli(
      [
        "run",
        "capacity",
        "--start-rate",
        "300",
        "--max-rate",
        "600",
        "--step-duration",
        "1s",
        "--max-steps",
        "3",
        "--slo",
        "errors<1%",
        "-c",
        "4",
        "--url",
        redis.url,
        "--out",
        out,
        "--env",
        "ci",
        "--json",
      ],
      { timeoutMs: 30_000 },
    );
    const result = JSON.parse(run.stdout) as CapacityResult;
    assert.equal(result.scenario, "capacity");
    assert.equal(result.search.maxRate, 600);
    assert.equal(result.search.stepDurationMs, 1000);
    assert.deepEqual(result.search.slo, ["errors<1%"]);
    assert.deepEqual(result.search.growth, { kind: "factor", factor: 2 });
    assert.equal(result.config.connections, 4);
    assert.ok(result.steps.every((s) => s.askedRate >= 300 && s.askedRate <= 600));
    assert.equal(result.steps[0].askedRate, 300);
    assert.equal(run.code, result.capacity.lastGoodRate !== null ? 0 : 1, run.stderr);
    // The capacity is at least --max-rate when every step passed.
    if (result.steps.every((s) => s.verdict === "pass")) assert.equal(result.capacity.end, "max-rate");
    assert.deepEqual(capacityFile(out, "ci").steps, result.steps);
    assert.match(run.stderr, /asked ops\/s +achieved ops\/s/);
  });

  it("Ctrl-C stops the search, writes what was measured and stops the managed server", async () => {
    const out = mkdtempSync(join(tmpdir(), "cachestress-capacity-"));
    // The signal lands inside the first 6 s step, whatever that step's verdict would have been.
    const run = await runCli(
      [
        "capacity",
        "--start-rate",
        "200",
        "--step-duration",
        "6s",
        "--max-steps",
        "3",
        "-c",
        "2",
        "--out",
        out,
        "--env",
        "ci",
      ],
      { timeoutMs: 30_000, signalAfterMs: { signal: "SIGINT", afterMs: 2500 } },
    );
    assert.match(run.stderr, /SIGINT: stopping the search/);
    // Stopped by a signal: exit 4, never read as a result (src/cli/exit-codes.ts).
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /No capacity found: the search was stopped before any step passed/);
    const result = capacityFile(out, "ci");
    assert.equal(result.status, "stopped");
    assert.equal(result.capacity.end, "stopped");
    assert.equal(result.steps.length, 1);
    assert.equal(result.steps[0].verdict, "stopped");
    assert.ok(result.steps[0].ops > 0 && result.steps[0].durationMs < 6000);
    assert.equal(result.steps[0].countCheck.ok, true, result.steps[0].countCheck.note);
    assert.equal(isRunning(managedPid(run.stderr)), false);
  });

  it("usage errors exit 2 before any load; an unreachable target exits 3", async () => {
    const usage = await runCli(["capacity", "--rate", "5000", "--step-factor", "0.5", "--url", redis.url]);
    assert.equal(usage.code, 2, usage.stderr);
    assert.match(usage.stderr, /--rate: got "5000"; allowed: not with capacity/);
    assert.match(usage.stderr, /--step-factor: got "0.5"/);
    const unreachable = await runCli(
      ["capacity", "--url", "redis://127.0.0.1:1", "--step-duration", "1s", "--max-steps", "1"],
      { timeoutMs: 30_000 },
    );
    assert.equal(unreachable.code, 3, unreachable.stderr);
  });
});
