import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../../src/config/errors.js";
import { parseFaultSchedule } from "../../../src/faults/fault-schedule.js";
import { resolveRunConfig } from "../../../src/run/resolve-config.js";

async function scenario(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cachestress-timescale-"));
  const path = join(dir, "long.yaml");
  await writeFile(path, text);
  return path;
}

test("--time-scale multiplies the file's run, warmup and stage durations, periods included", async () => {
  const path = await scenario(
    [
      "name: long",
      "description: a long one",
      "warmup: 30s",
      "stages:",
      "  - { kind: constant, duration: 5m, rate: 1 }",
      "  - { kind: step, duration: 20m, startRate: 500, stepRate: 500, stepEvery: 1m }",
      "  - { kind: burst, duration: 10m, baseRate: 100, burstEvery: 1m, burstDuration: 10s }",
      "  - { kind: wave, duration: 10m, baseRate: 100, period: 2m }",
      "  - { kind: chaos, duration: 10m, minRate: 1, maxRate: 9, changeEvery: 30s }",
    ].join("\n"),
  );
  const { config } = await resolveRunConfig([path, "--time-scale", "0.01"]);
  assert.equal(config.timeScale, 0.01);
  assert.equal(config.warmupMs, 300);
  assert.deepEqual(
    config.stages?.map((s) => s.durationMs),
    [3000, 12_000, 6000, 6000, 6000],
  );
  const [, step, burst, wave, chaos] = config.stages!;
  assert.ok(
    step.kind === "step" && step.stepEveryMs === 600 && step.startRate === 500,
    "rates are not scaled",
  );
  assert.ok(burst.kind === "burst" && burst.burstEveryMs === 600 && burst.burstMs === 100);
  assert.ok(wave.kind === "wave" && wave.periodMs === 1200);
  assert.ok(chaos.kind === "chaos" && chaos.changeEveryMs === 300);
});

test("--time-scale leaves durations typed as flags alone, and 1 changes nothing", async () => {
  const path = await scenario("name: long\ndescription: d\nduration: 1h\nwarmup: 1m\n");
  const flagged = (await resolveRunConfig([path, "--time-scale", "0.001", "--duration", "2s"])).config;
  assert.equal(flagged.durationMs, 2000, "the --duration flag is taken as typed");
  assert.equal(flagged.warmupMs, 60, "the file's warmup is scaled");
  const same = (await resolveRunConfig([path, "--time-scale", "1"])).config;
  assert.equal(same.durationMs, 3_600_000);
  assert.equal(same.timeScale, undefined);
});

test("a bad --time-scale is a usage error naming the flag, the value and what is allowed", async () => {
  for (const bad of ["0", "-1", "abc", "1000"]) {
    await assert.rejects(resolveRunConfig(["--time-scale", bad]), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const problem = error.problems.find((p) => p.field === "--time-scale");
      assert.ok(problem, `a problem for --time-scale ${bad}`);
      assert.match(problem.allowed, /above 0 and at most 100/);
      return true;
    });
  }
});

test("fault times scale with --time-scale; DEBUG SLEEP keeps its seconds", () => {
  const outcome = parseFaultSchedule(
    [
      { at: "10s", for: "5s", kind: "latency", latencyMs: 50 },
      { at: "20s", kind: "debug-sleep", seconds: 0.5 },
    ],
    { timeScale: 0.1 },
  );
  assert.ok(outcome.ok);
  assert.deepEqual(
    outcome.faults.map((f) => [f.atMs, f.forMs]),
    [
      [1000, 500],
      [2000, 500],
    ],
  );
});

test("check: and faults: problems are listed with every other problem, each named where it came from", async () => {
  const path = await scenario(
    [
      "name: bad",
      "description: several problems at once",
      "faults:",
      "  - { at: 1s, for: 1s, kind: latency, latencyMs: 5 }",
      "check:",
      "  kind: integrity",
      "  sample: lots",
    ].join("\n"),
  );
  await assert.rejects(
    resolveRunConfig([path, "--connections", "0", "--ttl", "10", "--duration", "2s"]),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const fields = error.problems.map((p) => `${p.source === undefined ? "" : "file:"}${p.field}`);
      for (const expected of ["--connections", "file:faults[0].kind", "file:check.sample", "--ttl"])
        assert.ok(fields.includes(expected), `${expected} in ${fields.join(", ")}`);
      return true;
    },
  );
});
