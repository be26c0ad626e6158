import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { resolveCapacity, splitCapacityArgs } from "../../../src/capacity/resolve-capacity.js";
import { ConfigError } from "../../../src/config/errors.js";

async function problemsOf(argv: string[]): Promise<{ field: string; allowed: string; source?: string }[]> {
  try {
    await resolveCapacity(argv, {});
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail(`no ConfigError for ${argv.join(" ")}`);
}

test("capacity flags are taken out of argv; the rest are run flags", () => {
  const split = splitCapacityArgs([
    "baseline",
    "--start-rate",
    "500",
    "--slo=p(99)<5ms",
    "-c",
    "10",
    "--slo",
    "errors<1%",
    "--max-rate",
  ]);
  assert.deepEqual(split.rest, ["baseline", "-c", "10"]);
  assert.deepEqual(split.flags.get("--start-rate"), ["500"]);
  assert.deepEqual(split.flags.get("--slo"), ["p(99)<5ms", "errors<1%"]);
  assert.deepEqual(
    split.problems.map((p) => p.field),
    ["--max-rate"],
  );
});

test("defaults: start 1000 ops/s, ×2, 10 s steps, 12 steps, 5 %, p(99)<10ms and errors<1%, open-loop pipeline", async () => {
  const { config, search } = await resolveCapacity(["--connections", "8"], {});
  assert.deepEqual(search, {
    startRate: 1000,
    growth: { kind: "factor", factor: 2 },
    stepDurationMs: 10_000,
    maxSteps: 12,
    precisionPercent: 5,
    slo: ["p(99)<10ms", "errors<1%"],
  });
  assert.equal(config.connections, 8);
  // Every step is open loop, so the open-loop pipeline default applies, not closed loop's 1.
  assert.equal(config.pipeline, 64);
});

test("every problem of the capacity flags and the run flags is reported at once", async () => {
  const problems = await problemsOf([
    "--start-rate",
    "0",
    "--step-factor",
    "1",
    "--step-rate",
    "100",
    "--max-steps",
    "1000",
    "--precision",
    "150%",
    "--slo",
    "p99<5",
    "--slo",
    "p(99){cmd:DEL}<5ms",
    "--rate",
    "5000",
    "--duration",
    "5s",
    "--connections",
    "abc",
  ]);
  const fields = problems.map((p) => p.field).sort();
  assert.deepEqual(
    fields,
    [
      "--connections",
      "--duration",
      "--max-steps",
      "--precision",
      "--rate",
      "--slo[0]",
      "--slo[1]",
      "--start-rate",
      "--step-factor",
    ].sort(),
  );
  const rate = problems.find((p) => p.field === "--rate")!;
  assert.match(rate.allowed, /--start-rate/);
  const both = await problemsOf(["--step-factor", "3", "--step-rate", "100"]);
  assert.deepEqual(
    both.map((p) => [p.field, p.allowed]),
    [["--step-rate", "either --step-factor or --step-rate, not both"]],
  );
});

test("a scenario file's capacity: section is read, named by its path, and flags override it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cachestress-capacity-"));
  const good = join(dir, "good.yaml");
  writeFileSync(
    good,
    'name: mine\ndescription: test\nconnections: 7\ncapacity:\n  startRate: 200\n  stepRate: 300\n  stepDuration: 2s\n  slo: ["p(99.9)<20ms"]\n',
  );
  const { config, search } = await resolveCapacity([good, "--max-steps", "3"], {});
  assert.equal(config.scenario, "mine");
  assert.equal(config.connections, 7);
  assert.deepEqual(search.growth, { kind: "add", stepRate: 300 });
  assert.equal(search.startRate, 200);
  assert.equal(search.stepDurationMs, 2000);
  assert.equal(search.maxSteps, 3);
  assert.deepEqual(search.slo, ["p(99.9)<20ms"]);
  // --step-factor replaces the file's way of growing.
  const flagged = await resolveCapacity([good, "--step-factor", "3"], {});
  assert.deepEqual(flagged.search.growth, { kind: "factor", factor: 3 });

  const bad = join(dir, "bad.yaml");
  writeFileSync(bad, "name: bad\ncapacity:\n  startRate: fast\n  stepFactr: 2\n  maxRate: 100\n  slo: []\n");
  const problems = await problemsOf([bad]);
  assert.deepEqual(problems.map((p) => p.field).sort(), [
    "capacity.maxRate",
    "capacity.slo",
    "capacity.startRate",
    "capacity.stepFactr",
  ]);
  assert.ok(problems.every((p) => p.source?.endsWith("bad.yaml")));
  assert.match(problems.find((p) => p.field === "capacity.stepFactr")!.allowed, /did you mean stepFactor/);
});
