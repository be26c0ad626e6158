import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError, type ConfigProblem } from "../../../src/config/errors.js";
import { resolveRunConfig } from "../../../src/run/resolve-config.js";

async function scenario(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cachestress-templates-"));
  const path = join(dir, "mine.yaml");
  await writeFile(path, text);
  return path;
}

async function problems(argv: string[]): Promise<ConfigProblem[]> {
  try {
    await resolveRunConfig(argv);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail(`expected a ConfigError for ${argv.join(" ")}`);
}

test("a file's cmd entries, labels and scripts become the run's commands", async () => {
  const path = await scenario(
    [
      "commands:",
      "  - { name: GET, weight: 2 }",
      "  - { cmd: 'HSET {key} f {value}', weight: 1 }",
      "  - { cmd: 'XADD {prefix}a * v {value}', weight: 1 }",
      "  - { cmd: 'XADD {prefix}b * v {value}', weight: 1, label: second }",
      "  - { cmd: 'EVALSHA {script:bump} 1 {key}', weight: 1 }",
      "scripts:",
      "  bump: return redis.call('INCR', KEYS[1])",
      "thresholds: ['p(99){cmd:SECOND}<50ms', 'p(99){cmd:HSET}<50ms']",
    ].join("\n"),
  );
  const { config } = await resolveRunConfig([path]);
  assert.deepEqual(config.commands, [
    { name: "GET", weight: 2 },
    { name: "HSET", weight: 1, template: "HSET {key} f {value}" },
    { name: "XADD", weight: 1, template: "XADD {prefix}a * v {value}" },
    { name: "XADD", weight: 1, template: "XADD {prefix}b * v {value}", label: "second" },
    { name: "EVALSHA", weight: 1, template: "EVALSHA {script:bump} 1 {key}" },
  ]);
  assert.deepEqual(config.scripts, { bump: "return redis.call('INCR', KEYS[1])" });
});

test("--command replaces the file's commands; with --ratio, SET/GET join the mix", async () => {
  const path = await scenario("commands: [{ cmd: 'LPUSH {key} {value}', weight: 1 }]\n");
  const only = (await resolveRunConfig([path, "--command", "ZADD {key} {rand} m{seq}:3"])).config;
  assert.deepEqual(only.commands, [{ name: "ZADD", weight: 3, template: "ZADD {key} {rand} m{seq}" }]);
  const mixed = (
    await resolveRunConfig(["--ratio", "1:2", "--command", "HSET {key} f {value}:1", "--command", "PING:1"])
  ).config;
  assert.deepEqual(
    mixed.commands.map((c) => c.template ?? c.name),
    ["SET", "GET", "HSET {key} f {value}", "PING"],
  );
});

test("every template problem of a file is listed at once, by entry", async () => {
  const path = await scenario(
    [
      "commands:",
      "  - { cmd: 'FLUSHALL', weight: 1 }",
      "  - { cmd: 'HSET {key} f {val}', weight: 1 }",
      "  - { cmd: 'EVALSHA {script:nope} 1 {key}', weight: 1 }",
      "  - { cmd: 'HSET mine f {value}', weight: 1 }",
      "  - { cmd: '', weight: 1 }",
      "  - { name: SET, cmd: 'GET {key}', weight: 1 }",
      "  - { name: GET, weight: 1, label: x }",
    ].join("\n"),
  );
  const found = await problems([path]);
  const fields = found.map((p) => p.field);
  assert.ok(found.every((p) => p.source !== undefined));
  for (const f of [
    "commands[0].cmd",
    "commands[1].cmd",
    "commands[3].cmd",
    "commands[4].cmd",
    "commands[5]",
    "commands[6].label",
  ])
    assert.ok(fields.includes(f), `${f} not in ${fields.join(", ")}`);
  assert.match(found.find((p) => p.field === "commands[0].cmd")!.allowed, /not FLUSHALL/);
  assert.match(found.find((p) => p.field === "commands[1].cmd")!.allowed, /not \{val\}/);
  assert.match(found.find((p) => p.field === "commands[3].cmd")!.allowed, /is a key/);
  assert.match(found.find((p) => p.field === "commands[2].cmd")!.allowed, /naming a script .*no scripts/);
});

test("flag templates: problems name --command; {type} needs firehose; scripts must not call sent commands", async () => {
  const found = await problems([
    "--command",
    "KEYS *:1",
    "--command",
    "XADD {prefix}e:{type} * v {value}:1",
    "--command",
    "EVALSHA {script:x} 1 {key}:1",
    "--threshold",
    "p(99){cmd:NOPE}<5ms",
  ]);
  const text = found.map((p) => `${p.field}: ${p.allowed}`);
  assert.ok(
    text.some((t) => /^--command: .*not KEYS/.test(t)),
    text.join("\n"),
  );
  assert.ok(
    text.some((t) => /^--command: \{type\} with a dataset/.test(t)),
    text.join("\n"),
  );
  assert.ok(
    text.some((t) => /^--command: .*naming a script/.test(t)),
    text.join("\n"),
  );
  assert.ok(
    text.some((t) => /^--threshold: a command this run sends: XADD, EVALSHA/.test(t)),
    text.join("\n"),
  );

  const path = await scenario(
    ["ratio: '1:1'", "scripts:", "  put: return redis.call('SET', KEYS[1], ARGV[1])"].join("\n"),
  );
  const clash = await problems([
    path,
    "--ratio",
    "1:1",
    "--command",
    "EVALSHA {script:put} 1 {key} {value}:1",
  ]);
  assert.ok(
    clash.some((p) => p.field === "scripts" && /does not call SET/.test(p.allowed)),
    JSON.stringify(clash),
  );
});
