import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../../src/config/errors.js";
import type { RunConfig } from "../../../src/config/types.js";
import { resolveRunConfig } from "../../../src/run/resolve-config.js";

async function scenario(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cachestress-resolve-"));
  const path = join(dir, "mine.yaml");
  await writeFile(path, text);
  return path;
}

async function config(argv: string[]): Promise<RunConfig> {
  return (await resolveRunConfig(argv)).config;
}

async function problemFields(argv: string[]): Promise<string[]> {
  try {
    await resolveRunConfig(argv);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((p) => (p.source ? `${p.source}:${p.field}` : p.field));
  }
  assert.fail(`expected a ConfigError for ${argv.join(" ")}`);
}

test("no arguments: an adhoc closed-loop run with every default", async () => {
  const c = await config(["--seed", "7", "--prefix", "p:"]);
  assert.deepEqual(c, {
    scenario: "adhoc",
    env: "local",
    outDir: "Reports",
    durationMs: 30_000,
    warmupMs: 0,
    prefill: false,
    connections: 50,
    pipeline: 1,
    threads: 1,
    commands: [
      { name: "SET", weight: 1 },
      { name: "GET", weight: 10 },
    ],
    keyPattern: "uniform",
    keyMax: 100_000,
    dataSizeMin: 32,
    dataSizeMax: 32,
    prefix: "p:",
    keepKeys: false,
    timeoutMs: 1_000,
    thresholds: [],
    seed: 7,
    probeIntervalMs: 1000,
    audit: false,
    alertsDryRun: false,
    readFrom: "primary",
  });
});

test("prefix and seed are generated per run when not given", async () => {
  const a = await config([]);
  const b = await config([]);
  assert.match(a.prefix, /^cachestress:[0-9a-f]{8}:$/);
  assert.notEqual(a.prefix, b.prefix);
  assert.ok(Number.isInteger(a.seed) && a.seed >= 0 && a.seed <= 0xffffffff);
});

test("flags override the file; flag defaults do not", async () => {
  const path = await scenario(
    "name: mine\nconnections: 8\nduration: 5s\nkeyMax: 10\nratio: '1:1'\nthresholds: ['ops>1']\n",
  );
  const fromFile = await config([path]);
  assert.equal(fromFile.scenario, "mine");
  assert.equal(fromFile.connections, 8);
  assert.equal(fromFile.durationMs, 5_000);
  assert.equal(fromFile.keyMax, 10);
  assert.equal(fromFile.pipeline, 1);
  assert.deepEqual(fromFile.thresholds, ["ops>1"]);

  const overridden = await config([
    path,
    "-c",
    "2",
    "--requests",
    "100",
    "--ratio",
    "0:1",
    "--threshold",
    "ops>5",
  ]);
  assert.equal(overridden.connections, 2);
  assert.equal(overridden.requests, 100);
  assert.equal(overridden.durationMs, undefined, "--requests replaces the file's duration");
  assert.equal(overridden.keyMax, 10);
  assert.deepEqual(overridden.commands, [{ name: "GET", weight: 1 }]);
  assert.deepEqual(overridden.thresholds, ["ops>5"]);
});

test("open loop: stages from a shipped scenario, pipeline defaults to 64 unless set", async () => {
  const demo = await config(["demo"]);
  assert.equal(demo.scenario, "demo");
  assert.equal(demo.stages?.length, 4);
  assert.equal(demo.durationMs, undefined);
  assert.equal(demo.rate, undefined);
  assert.equal(demo.pipeline, 64);
  assert.equal((await config(["demo", "--pipeline", "2"])).pipeline, 2);
  assert.equal((await config(["--rate", "100"])).pipeline, 64);
  assert.equal((await config(["--rate", "100"])).durationMs, 30_000);
  const rateOverStages = await config(["demo", "--rate", "500"]);
  assert.equal(rateOverStages.stages, undefined, "--rate replaces the file's stages");
  assert.equal(rateOverStages.rate, 500);
});

test("--profile builds one stage from --rate and --duration", async () => {
  const cases: [string[], object][] = [
    [["--profile", "constant", "--rate", "100"], { kind: "constant", durationMs: 30_000, rate: 100 }],
    [
      ["--profile", "ramp", "--rate", "100", "--ramp-to", "900", "--duration", "10s"],
      { kind: "ramp", durationMs: 10_000, fromRate: 100, toRate: 900 },
    ],
    [
      ["--profile", "step", "--rate", "100", "--duration", "20s", "--step-max", "300"],
      { kind: "step", durationMs: 20_000, startRate: 100, stepRate: 100, stepEveryMs: 10_000, maxRate: 300 },
    ],
    [
      ["--profile", "burst", "--rate", "100", "--duration", "20s"],
      {
        kind: "burst",
        durationMs: 20_000,
        baseRate: 100,
        multiplier: 5,
        burstEveryMs: 10_000,
        burstMs: 2_000,
      },
    ],
    [
      ["--profile", "wave", "--rate", "100", "--duration", "20s", "--wave-period", "4s"],
      { kind: "wave", durationMs: 20_000, baseRate: 100, amplitude: 50, periodMs: 4_000 },
    ],
    [
      ["--profile", "chaos", "--rate", "100", "--duration", "5s"],
      { kind: "chaos", durationMs: 5_000, minRate: 50, maxRate: 150, changeEveryMs: 1_000 },
    ],
    [
      ["--profile", "chaos", "--chaos-min", "1", "--chaos-max", "2", "--duration", "5s"],
      { kind: "chaos", durationMs: 5_000, minRate: 1, maxRate: 2, changeEveryMs: 1_000 },
    ],
  ];
  for (const [argv, stage] of cases) {
    const c = await config(argv);
    assert.deepEqual(c.stages, [stage], argv.join(" "));
    assert.equal(c.durationMs, undefined, argv.join(" "));
    assert.equal(c.rate, undefined, argv.join(" "));
  }
  const fromFileRate = await config([await scenario("rate: 700\n"), "--profile", "wave"]);
  assert.equal(fromFileRate.stages?.[0].kind, "wave");
});

test("checks across fields and sources, all reported together", async () => {
  const stagesFile = await scenario("stages: [{kind: constant, duration: 5s, rate: 10}]\n");
  const cases: [string[], string[]][] = [
    [["--threads", "8", "-c", "4"], ["--threads"]],
    [["--profile", "ramp", "--ramp-to", "5"], ["--rate"]],
    [["--profile", "burst", "--rate", "5", "--burst-duration", "20s"], ["--burst-duration"]],
    [["--profile", "chaos", "--rate", "5", "--chaos-min", "9", "--chaos-max", "2"], ["--chaos-max"]],
    [["--threshold", "p(99){cmd:INCR}<5"], ["--threshold"]],
    [["--ratio", "1:0", "--threshold", "avg{cmd:GET}<5"], ["--threshold"]],
    [[stagesFile, "--duration", "10s"], ["--duration"]],
    [[stagesFile, "--requests", "10"], ["--requests"]],
    [
      ["nosuchscenario", "--connections", "x"],
      ["--connections", "scenario"],
    ],
  ];
  for (const [argv, expected] of cases) assert.deepEqual(await problemFields(argv), expected, argv.join(" "));

  const threadsFile = await scenario("threads: 8\nconnections: 4\nthresholds: ['ops>1', 'max{cmd:DEL}<5']\n");
  const fields = await problemFields([threadsFile, "--bogus"]);
  assert.equal(fields.length, 3);
  assert.equal(fields[0], "--bogus");
  assert.match(fields[1], /mine\.yaml:threads$/);
  assert.match(fields[2], /mine\.yaml:thresholds\[1\]$/);
});

test("--help returns without validating", async () => {
  const resolved = await resolveRunConfig(["--help", "--connections", "abc"]);
  assert.equal(resolved.help, true);
  assert.equal(resolved.config.scenario, "adhoc");
});

test("--dataset and the file's dataset: field pick a record set; a typo is named with a guess", async () => {
  assert.equal((await config(["--dataset", "firehose"])).dataset, "firehose");
  assert.equal((await config([])).dataset, undefined);
  const path = await scenario("dataset: payments\nrequests: 100\n");
  assert.equal((await config([path])).dataset, "payments");
  assert.equal((await config([path, "--dataset", "market"])).dataset, "market");
  try {
    await resolveRunConfig(["--dataset", "firehos"]);
    assert.fail("expected a ConfigError");
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems[0].field, "--dataset");
    assert.match(error.problems[0].allowed, /did you mean firehose/);
  }
  const fields = await problemFields([await scenario("dataset: tweets\n")]);
  assert.equal(fields.length, 1);
  assert.match(fields[0], /mine\.yaml:dataset$/);
});

test("the alerts section is judged with the config: its problems and a bad flag's are listed together", async () => {
  const path = await scenario("name: mine\nalerts:\n  rules: { name: x }\n");
  const fields = await problemFields([path, "--connections", "0"]);
  assert.ok(fields.includes("--connections"), fields.join(", "));
  assert.ok(
    fields.some((f) => f.endsWith("alerts.rules")),
    `the alerts problem is listed beside the flag's: ${fields.join(", ")}`,
  );
});
