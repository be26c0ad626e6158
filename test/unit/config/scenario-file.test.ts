import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../../src/config/errors.js";
import {
  listScenarioNames,
  loadScenarioFile,
  resolveScenarioPath,
  scenariosDir,
} from "../../../src/config/scenario-file.js";

async function writeTemp(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cachestress-scenario-"));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function problemsOf(path: string): Promise<[string, unknown, string][]> {
  try {
    await loadScenarioFile(path);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.code, "E_CONFIG");
    return error.problems.map((p) => [p.field, p.value, p.allowed]);
  }
  assert.fail("expected a ConfigError");
}

test("every shipped scenario file validates and says what it does", async () => {
  const names = await listScenarioNames();
  for (const expected of ["baseline", "demo", "ramp", "burst", "wave", "step", "chaos"]) {
    assert.ok(names.includes(expected), expected);
  }
  for (const name of names) {
    const file = await loadScenarioFile(await resolveScenarioPath(name));
    assert.equal(file.name, name);
    assert.ok((file.description ?? "").length > 20, `${name} has a description`);
    assert.ok((file.input.thresholds ?? []).length > 0, `${name} has thresholds`);
  }
});

test("a YAML file becomes RunInput in canonical units", async () => {
  const path = await writeTemp(
    "mine.yaml",
    [
      "description: mine",
      "duration: 90",
      "warmup: 2s",
      "connections: 8",
      "ratio: '1:3'",
      "dataSizeRange: 16-64",
      "ttl: 10m",
      "timeout: 250ms",
      "keepKeys: true",
      "thresholds: ['p(99)<5ms']",
    ].join("\n"),
  );
  const file = await loadScenarioFile(path);
  assert.equal(file.name, "mine");
  assert.deepEqual(file.input, {
    durationMs: 90_000,
    warmupMs: 2_000,
    connections: 8,
    commands: [
      { name: "SET", weight: 1 },
      { name: "GET", weight: 3 },
    ],
    dataSizeMin: 16,
    dataSizeMax: 64,
    ttlS: 600,
    timeoutMs: 250,
    keepKeys: true,
    thresholds: ["p(99)<5ms"],
  });
  assert.equal(file.fields.dataSizeMin, "dataSizeRange");
});

test("JSON files and stage defaults", async () => {
  const path = await writeTemp(
    "s.json",
    JSON.stringify({
      name: "json-one",
      commands: [
        { name: "set", weight: 1 },
        { name: "GET", weight: 0 },
      ],
      stages: [
        { kind: "burst", duration: "10s", baseRate: 100 },
        { kind: "wave", duration: 5, baseRate: 1000 },
        { kind: "step", duration: "20s", startRate: 10 },
        { kind: "chaos", duration: "3s", minRate: 0, maxRate: 10 },
      ],
    }),
  );
  const file = await loadScenarioFile(path);
  assert.equal(file.name, "json-one");
  assert.deepEqual(file.input.commands, [{ name: "SET", weight: 1 }]);
  assert.deepEqual(file.input.stages, [
    { kind: "burst", durationMs: 10_000, baseRate: 100, multiplier: 5, burstEveryMs: 10_000, burstMs: 2_000 },
    { kind: "wave", durationMs: 5_000, baseRate: 1000, amplitude: 500, periodMs: 10_000 },
    { kind: "step", durationMs: 20_000, startRate: 10, stepRate: 10, stepEveryMs: 10_000 },
    { kind: "chaos", durationMs: 3_000, minRate: 0, maxRate: 10, changeEveryMs: 1_000 },
  ]);
});

test("a file with several mistakes lists them all, with paths", async () => {
  const path = await writeTemp(
    "broken.yaml",
    [
      "conections: 50",
      "duration: 10x",
      "keyPattern: zipfian",
      "pipeline: 0",
      "url: http://me:hunter2@host",
      "stages:",
      "  - kind: constant",
      "    duration: 5s",
      "    rate: fast",
      "  - kind: rmap",
      "    duration: 5s",
      "  - kind: ramp",
      "    duration: 5s",
      "    fromRate: 1",
      "    torate: 5",
      "  - kind: chaos",
      "    duration: 5s",
      "    minRate: 10",
      "    maxRate: 5",
      "ratio: '1:1'",
      "commands: [{name: SET, weight: 1}]",
      "thresholds: ['p(99)<5', 'p99<5']",
    ].join("\n"),
  );
  const problems = await problemsOf(path);
  const byField = new Map(problems.map(([field, value, allowed]) => [field, { value, allowed }]));
  assert.match(byField.get("conections")!.allowed, /did you mean connections\?/);
  assert.equal(byField.get("conections")!.value, 50);
  assert.match(byField.get("keyPattern")!.allowed, /did you mean zipf\?/);
  assert.match(byField.get("pipeline")!.allowed, /from 1/);
  assert.equal(byField.get("url")!.value, "http://me:***@host");
  assert.match(byField.get("stages[0].rate")!.allowed, /rate in ops\/s/);
  assert.match(byField.get("stages[1].kind")!.allowed, /did you mean ramp\?/);
  assert.match(byField.get("stages[2].torate")!.allowed, /did you mean toRate\?/);
  assert.match(byField.get("stages[2].toRate")!.allowed, /required/);
  assert.match(byField.get("stages[3].maxRate")!.allowed, /at least minRate \(10\)/);
  assert.match(byField.get("thresholds[1]")!.allowed, /metric/);
  assert.match(byField.get("commands")!.allowed, /either ratio or commands/);
  const durationProblems = problems.filter(([field]) => field === "duration").map(([, , allowed]) => allowed);
  assert.equal(durationProblems.length, 2);
  assert.match(durationProblems[0], /a duration above 0/);
  assert.match(durationProblems[1], /not with stages/);
  assert.equal(problems.length, 13, JSON.stringify(problems, null, 1));
});

test("files that are not scenario mappings", async () => {
  const cases: [string, string, RegExp][] = [
    ["list.yaml", "- a\n- b\n", /a mapping of fields/],
    ["bad.yaml", "name: [unclosed\n", /valid YAML or JSON/],
    ["dup.yaml", "name: a\nname: b\n", /valid YAML or JSON/],
  ];
  for (const [name, text, allowed] of cases) {
    const problems = await problemsOf(await writeTemp(name, text));
    assert.ok(problems.length >= 1, name);
    assert.match(problems[0][2], allowed, name);
  }
  const missing = await problemsOf("/nonexistent/cachestress.yaml");
  assert.match(missing[0][2], /readable .*ENOENT/);
});

test("the message names the file beside each field", async () => {
  const path = await writeTemp("one.yaml", "connections: lots\n");
  await assert.rejects(loadScenarioFile(path), (error: Error) => {
    assert.match(error.message, /^ {2}connections in .*one\.yaml: got "lots"; allowed: a whole number/m);
    return true;
  });
});

test("resolveScenarioPath finds files, shipped names, and lists names otherwise", async () => {
  const path = await writeTemp("x.yaml", "name: x\n");
  assert.equal(await resolveScenarioPath(path), path);
  assert.equal(await resolveScenarioPath("baseline"), join(scenariosDir(), "baseline.yaml"));
  assert.equal(await resolveScenarioPath("baseline.yaml"), join(scenariosDir(), "baseline.yaml"));
  await assert.rejects(resolveScenarioPath("baseln"), (error: ConfigError) => {
    assert.equal(error.problems[0].field, "scenario");
    assert.match(
      error.problems[0].allowed,
      /shipped scenario: baseline, (.*, )?burst, (.*, )?capacity, (.*, )?chaos/,
    );
    assert.match(error.problems[0].allowed, /did you mean baseline\?/);
    return true;
  });
});

/** Billion laughs: each level doubles nine times the one before; expanded it would be 9^8 strings. */
export const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...["b", "c", "d", "e", "f", "g", "h", "i"].map((name, i) => {
    const prev = "abcdefghi"[i];
    return `${name}: &${name} [${Array.from({ length: 9 }, () => `*${prev}`).join(",")}]`;
  }),
  "name: bomb",
  "",
].join("\n");

test("a YAML alias bomb is refused as a config error naming the file, without expanding it", async () => {
  const path = await writeTemp("bomb.yaml", ALIAS_BOMB);
  try {
    await loadScenarioFile(path);
    assert.fail("expected a ConfigError");
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.problems.length, 1);
    assert.match(error.problems[0].source ?? "", /bomb\.yaml$/);
    assert.match(error.problems[0].allowed, /excessive aliases/i);
  }
});
