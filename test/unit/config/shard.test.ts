import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../../src/config/errors.js";
import { shardRule } from "../../../src/config/shard-rule.js";
import { resolveRunConfig } from "../../../src/run/resolve-config.js";

const SHARED = ["--url", "redis://10.0.0.5:6379", "--prefix", "run42:", "--seed", "42"];

async function problems(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  try {
    await resolveRunConfig(argv, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map(
      (p) => `${p.source ? `${p.source}:` : ""}${p.field}=${JSON.stringify(p.value)}`,
    );
  }
  assert.fail(`expected a ConfigError for ${argv.join(" ")}`);
}

test("shardRule: i/N with whole numbers, 0 <= i < N", () => {
  const cases: [unknown, unknown][] = [
    ["0/3", { index: 0, count: 3 }],
    ["2/3", { index: 2, count: 3 }],
    [" 1 / 2 ", { index: 1, count: 2 }],
    ["0/1", { index: 0, count: 1 }],
    ["3/3", undefined],
    ["0/0", undefined],
    ["1/3.5", undefined],
    ["-1/3", undefined],
    ["1", undefined],
    ["a/b", undefined],
    [3, undefined],
    ["0/10001", undefined],
  ];
  for (const [raw, expected] of cases) assert.deepEqual(shardRule.parse(raw), expected, String(raw));
  assert.match(shardRule.explain!("3/3")!, /the shards of 3 are 0\/3 to 2\/3/);
  assert.match(shardRule.explain!("0/0")!, /at least 1/);
});

test("--shard, CACHESTRESS_SHARD and the file's shard: field, in that order of precedence", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cachestress-shard-"));
  const file = join(dir, "s.yaml");
  await writeFile(file, 'shard: "1/4"\nurl: redis://10.0.0.5:6379\nprefix: "f:"\nseed: 1\n');
  const shard = async (argv: string[], env: NodeJS.ProcessEnv = {}) =>
    (await resolveRunConfig(argv, env)).config.shard;
  assert.deepEqual(await shard([file]), { index: 1, count: 4 });
  assert.deepEqual(await shard([file], { CACHESTRESS_SHARD: "2/4" }), { index: 2, count: 4 });
  assert.deepEqual(await shard([file, "--shard", "3/4"], { CACHESTRESS_SHARD: "2/4" }), {
    index: 3,
    count: 4,
  });
  assert.equal(await shard(SHARED), undefined);
  assert.equal(await shard(SHARED, { CACHESTRESS_SHARD: "" }), undefined);
});

test("bad shard values are problems, wherever they come from", async () => {
  assert.deepEqual(await problems([...SHARED, "--shard", "3/3"]), ['--shard="3/3"']);
  assert.deepEqual(await problems(SHARED, { CACHESTRESS_SHARD: "one of three" }), [
    'CACHESTRESS_SHARD="one of three"',
  ]);
  const dir = await mkdtemp(join(tmpdir(), "cachestress-shard-"));
  const file = join(dir, "bad.yaml");
  await writeFile(file, "shard: 2\n");
  const [fromFile] = await problems([file, ...SHARED]);
  assert.match(fromFile, /bad\.yaml:shard=2$/);
});

test("one shard of several needs the same url, prefix and seed on every shard, and a share of everything", async () => {
  assert.deepEqual(
    await problems([
      "--shard",
      "0/4",
      "-c",
      "3",
      "--requests",
      "2",
      "--key-pattern",
      "sequential",
      "--key-max",
      "3",
      "--threads",
      "1",
    ]),
    [
      "--url=undefined",
      "--prefix=undefined",
      "--seed=undefined",
      "--connections=3",
      "--requests=2",
      "--key-max=3",
    ],
  );
  assert.deepEqual(await problems([...SHARED, "--shard", "1/3", "-c", "10", "--threads", "4"]), [
    "--threads=4",
  ]);
  // One shard of one is a whole run: nothing extra is needed.
  const whole = await resolveRunConfig(["--shard", "0/1"], {});
  assert.deepEqual(whole.config.shard, { index: 0, count: 1 });
  const ok = await resolveRunConfig([...SHARED, "--shard", "2/3", "-c", "3", "--requests", "3"], {});
  assert.deepEqual(ok.config.shard, { index: 2, count: 3 });
});
