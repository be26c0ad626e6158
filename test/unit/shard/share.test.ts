import assert from "node:assert/strict";
import { test } from "node:test";
import { partOf, rangeOf, scaleStage, shardRunConfig, shareOf } from "../../../src/config/shard-share.js";
import type { Stage } from "../../../src/config/types.js";
import { meanRate, rateAt } from "../../../src/workload/load-profile.js";
import { makeConfig } from "../reports/fixture.js";

test("partOf: the parts add up to the whole, the remainder one each to the first parts", () => {
  const cases: [number, number, number[]][] = [
    [10, 3, [4, 3, 3]],
    [9, 3, [3, 3, 3]],
    [11, 3, [4, 4, 3]],
    [3, 3, [1, 1, 1]],
    [7, 1, [7]],
    [100_001, 4, [25_001, 25_000, 25_000, 25_000]],
  ];
  for (const [total, count, expected] of cases) {
    const parts = Array.from({ length: count }, (_, i) => partOf(total, count, i));
    assert.deepEqual(parts, expected, `${total} in ${count}`);
    assert.equal(
      parts.reduce((a, b) => a + b, 0),
      total,
    );
  }
});

test("rangeOf: consecutive, disjoint ranges that cover [0, total) exactly", () => {
  for (const [total, count] of [
    [10, 3],
    [3000, 3],
    [5, 5],
    [100_003, 7],
  ]) {
    let next = 0;
    for (let i = 0; i < count; i++) {
      const range = rangeOf(total, count, i);
      assert.equal(range.first, next, `range ${i} of ${total}/${count} starts where the last ended`);
      assert.equal(range.count, partOf(total, count, i));
      next += range.count;
    }
    assert.equal(next, total);
  }
  assert.deepEqual(rangeOf(10, 3, 1), { first: 4, count: 3 });
});

test("shareOf: connections, requests and keys of one shard; no shard = the whole run", () => {
  const config = makeConfig({ connections: 10, requests: 1000, keyMax: 3000, keyPattern: "sequential" });
  assert.deepEqual(shareOf(config), {
    index: 0,
    count: 1,
    connections: 10,
    requests: 1000,
    rateFactor: 1,
    prefillKeys: { first: 0, count: 3000 },
  });
  const second = shareOf({ ...config, shard: { index: 1, count: 3 } });
  assert.deepEqual(second, {
    index: 1,
    count: 3,
    connections: 3,
    requests: 333,
    rateFactor: 1 / 3,
    prefillKeys: { first: 1000, count: 1000 },
    measureKeys: { first: 1000, count: 1000 },
  });
  // Random patterns share the keyspace in the measured phase; prefill is still split.
  const uniform = shareOf({ ...config, keyPattern: "zipf", shard: { index: 2, count: 3 } });
  assert.equal(uniform.measureKeys, undefined);
  assert.deepEqual(uniform.prefillKeys, { first: 2000, count: 1000 });
});

test("shardRunConfig: the rate and every stage rate divided by N, the rest unchanged", () => {
  const config = makeConfig({ rate: 900, connections: 10, shard: { index: 0, count: 3 } });
  const run = shardRunConfig(config, shareOf(config));
  assert.equal(run.rate, 300);
  assert.equal(run.connections, 4);
  assert.equal(run.seed, config.seed);
  assert.equal(run.prefix, config.prefix);
  assert.equal(run.keyMax, config.keyMax);
  const whole = makeConfig({ rate: 900 });
  assert.equal(shardRunConfig(whole, shareOf(whole)), whole);
});

// One stage of each kind; a step with a cap and a chaos stage drawn from the seed.
const STAGES: Stage[] = [
  { kind: "constant", durationMs: 1000, rate: 900 },
  { kind: "ramp", durationMs: 1000, fromRate: 0, toRate: 3000 },
  { kind: "step", durationMs: 3000, startRate: 300, stepRate: 150, stepEveryMs: 1000, maxRate: 540 },
  { kind: "burst", durationMs: 2000, baseRate: 300, multiplier: 4, burstEveryMs: 1000, burstMs: 250 },
  { kind: "wave", durationMs: 1000, baseRate: 300, amplitude: 150, periodMs: 1000 },
  { kind: "chaos", durationMs: 2000, minRate: 30, maxRate: 60, changeEveryMs: 500 },
];

test("scaleStage: the shards' rates add up to the scenario's rate at every moment, for every kind", () => {
  const seed = 99;
  for (const count of [1, 2, 3, 7]) {
    const scaled = STAGES.map((s) => scaleStage(s, 1 / count));
    for (let t = 0; t < 10_000; t += 125) {
      const whole = rateAt(STAGES, t, seed);
      const sum = rateAt(scaled, t, seed) * count;
      assert.ok(Math.abs(sum - whole) < 1e-6, `t=${t} ms, ${count} shards: ${sum} vs ${whole}`);
    }
    assert.ok(Math.abs(meanRate(scaled, seed) * count - meanRate(STAGES, seed)) < 1e-6);
  }
  assert.deepEqual(scaleStage(STAGES[3], 0.5), { ...STAGES[3], baseRate: 150 });
  assert.deepEqual(scaleStage(STAGES[2], 0.5), { ...STAGES[2], startRate: 150, stepRate: 75, maxRate: 270 });
});
