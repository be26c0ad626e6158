import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countOrAllRule, memorySizeRule } from "../../../src/scenario-checks/check-options.js";
import {
  expectedKeysFor,
  keyAt,
  mergeRanges,
  sampleKeys,
} from "../../../src/scenario-checks/expected-keys.js";
import { Rng } from "../../../src/workload/random.js";
import { testRunConfig } from "../../helpers/run-config.js";

const setOnly = {
  commands: [{ name: "SET" as const, weight: 1 }],
  keyPattern: "sequential" as const,
  durationMs: undefined,
};

describe("expectedKeysFor: which keys a run's plan writes", () => {
  const cases = [
    {
      name: "prefill: every key",
      config: { prefill: true, keyMax: 500 },
      ranges: [{ first: 0, count: 500 }],
      before: true,
    },
    {
      name: "prefill, shard 1 of 3: its own slice",
      config: { prefill: true, keyMax: 10, shard: { index: 1, count: 3 } },
      ranges: [{ first: 4, count: 3 }],
      before: true,
    },
    {
      name: "SET-only sequential, one thread",
      config: { ...setOnly, requests: 300, keyMax: 1000 },
      ranges: [{ first: 0, count: 300 }],
      before: false,
    },
    {
      name: "two threads, even split",
      config: { ...setOnly, requests: 1000, keyMax: 1000, threads: 2, connections: 4 },
      ranges: [{ first: 0, count: 1000 }],
      before: false,
    },
    {
      name: "two threads, 3 connections: thread 1 starts at 2000 and wraps",
      config: { ...setOnly, requests: 3000, keyMax: 3000, threads: 2, connections: 3 },
      ranges: [
        { first: 0, count: 1500 },
        { first: 2000, count: 1000 },
      ],
      before: false,
    },
    {
      name: "more requests than keys: every key",
      config: { ...setOnly, requests: 5000, keyMax: 1000 },
      ranges: [{ first: 0, count: 1000 }],
      before: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const keys = expectedKeysFor(testRunConfig(c.config));
      assert.ok(typeof keys !== "string", String(keys));
      assert.deepEqual(keys.ranges, c.ranges);
      assert.equal(
        keys.count,
        c.ranges.reduce((s, r) => s + r.count, 0),
      );
      assert.equal(keys.writtenBeforeMeasure, c.before);
    });
  }

  it("a plan that does not say which keys it writes: every missing condition named", () => {
    const why = expectedKeysFor(testRunConfig({ prefill: false, keyPattern: "uniform", warmupMs: 1000 }));
    assert.equal(typeof why, "string");
    for (const part of ["ratio 1:0", "keyPattern sequential", "requests", "no warmup"])
      assert.ok((why as string).includes(part), `${why} names ${part}`);
  });
});

describe("ranges and samples", () => {
  it("mergeRanges joins overlapping and touching ranges", () => {
    assert.deepEqual(
      mergeRanges([
        { first: 10, count: 5 },
        { first: 0, count: 3 },
        { first: 3, count: 2 },
        { first: 12, count: 10 },
        { first: 40, count: 0 },
      ]),
      {
        ranges: [
          { first: 0, count: 5 },
          { first: 10, count: 12 },
        ],
        count: 17,
      },
    );
  });

  it("keyAt counts through the ranges; sampleKeys draws distinct keys inside them", () => {
    const keys = {
      ranges: [
        { first: 0, count: 5 },
        { first: 100, count: 5 },
      ],
      count: 10,
      writtenBeforeMeasure: true,
    };
    assert.deepEqual(
      Array.from({ length: 10 }, (_, i) => keyAt(keys, i)),
      [0, 1, 2, 3, 4, 100, 101, 102, 103, 104],
    );
    assert.throws(() => keyAt(keys, 10), RangeError);
    const sample = sampleKeys(keys, 6, new Rng(7));
    assert.equal(new Set(sample).size, 6);
    assert.deepEqual(
      [...sample].sort((a, b) => a - b),
      sample,
    );
    for (const k of sample) assert.ok(k < 5 || (k >= 100 && k < 105), String(k));
    assert.deepEqual(sampleKeys(keys, 50, new Rng(7)), [0, 1, 2, 3, 4, 100, 101, 102, 103, 104]);
  });
});

describe("check option rules", () => {
  const sample = countOrAllRule(1, 100);
  const table: [unknown, unknown][] = [
    ["all", "all"],
    [10, 10],
    ["10", 10],
    [0, undefined],
    [101, undefined],
    [1.5, undefined],
    ["ten", undefined],
  ];
  for (const [raw, expected] of table)
    it(`sample ${JSON.stringify(raw)} → ${expected}`, () => assert.equal(sample.parse(raw), expected));
  const sizes: [unknown, unknown][] = [
    ["64mb", 64 * 1024 ** 2],
    ["4GB", 4 * 1024 ** 3],
    [1048576, 1048576],
    ["0", undefined],
    ["lots", undefined],
    ["2tb", undefined],
  ];
  const size = memorySizeRule(1024 * 1024, 1024 ** 4);
  for (const [raw, expected] of sizes)
    it(`maxmemory ${JSON.stringify(raw)} → ${expected}`, () => assert.equal(size.parse(raw), expected));
});
