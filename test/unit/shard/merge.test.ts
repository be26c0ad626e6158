import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeHistogram } from "../../../src/measure/histogram.js";
import { summarizeMs } from "../../../src/measure/phase-totals.js";
import { checkShardSet } from "../../../src/shard/check-shards.js";
import { MergeInputError } from "../../../src/shard/merge-error.js";
import { mergeShardResults } from "../../../src/shard/merge-results.js";
import { mergeSeries } from "../../../src/shard/merge-series.js";
import { mergeHistograms } from "../../../src/shard/merged-histograms.js";
import { encodedHistogram } from "../reports/fixture.js";
import { input, latenciesUs, shardResult } from "./shard-fixture.js";

const PERCENTILES = [0, 10, 50, 90, 99, 99.9, 99.99, 100];

test("two real histograms merged give the counts and percentiles of one histogram fed every value", () => {
  const a = latenciesUs(5000, 1);
  const b = latenciesUs(3000, 2).map((v) => v * 3);
  const merged = mergeHistograms([
    { histograms: { latencyUs: { all: encodedHistogram(a) } } },
    { histograms: { latencyUs: { all: encodedHistogram(b) } } },
  ] as never).latency.all;
  // A single run's histogram also travels encoded (thread → main thread → result file), so the
  // reference is one histogram of every value, encoded and decoded once.
  const one = decodeHistogram(encodedHistogram([...a, ...b]));
  assert.equal(merged.totalCount, 8000);
  assert.equal(merged.totalCount, one.totalCount);
  for (const p of PERCENTILES) {
    assert.equal(merged.getValueAtPercentile(p), one.getValueAtPercentile(p), `p${p}`);
  }
  assert.equal(merged.maxValue, one.maxValue);
  assert.equal(merged.minNonZeroValue, one.minNonZeroValue);
  assert.equal(merged.mean, one.mean);
  // Within HDR's 3 significant digits of the largest value recorded.
  const largest = Math.max(...a, ...b);
  assert.ok(Math.abs(merged.maxValue - largest) <= largest / 1000, `${merged.maxValue} vs ${largest}`);
});

function threeShards(thresholds: string[] = []) {
  const values = [0, 1, 2].map((i) => ({
    set: latenciesUs(300 + i, 10 + i),
    get: latenciesUs(900 + i, 20 + i),
  }));
  const results = values.map((v, index) =>
    shardResult({
      index,
      count: 3,
      setUs: v.set,
      getUs: v.get,
      durationMs: 2000 + index * 500,
      measureStartEpochMs: 1_000_000 + index * 300,
      // Counters only grow: shard 1 read its "before" first, shard 2 its "after" last.
      server: {
        before: { SET: [50, 40, 60][index], GET: [500, 400, 600][index] },
        after: { SET: [700, 800, 943][index], GET: [2000, 2100, 3103][index] },
      },
      config: { thresholds },
    }),
  );
  return { values, results };
}

test("merge: counts and rates add, latency is the merged histogram's, the count check spans every shard", () => {
  const { values, results } = threeShards();
  const merged = mergeShardResults(
    results.map((r) => input(r)),
    "9.9.9",
  );
  const allSet = values.flatMap((v) => v.set);
  const allGet = values.flatMap((v) => v.get);
  const one = decodeHistogram(encodedHistogram([...allSet, ...allGet]));

  assert.equal(merged.totals.ops, allSet.length + allGet.length);
  assert.equal(merged.totals.sent, allSet.length + allGet.length);
  assert.equal(merged.perCommand.SET.ops, allSet.length);
  assert.equal(merged.perCommand.GET.ops, allGet.length);
  assert.deepEqual(merged.latency, summarizeMs(one));
  assert.equal(decodeHistogram(merged.histograms.latencyUs.all).totalCount, one.totalCount);
  const rate = results.reduce((sum, r) => sum + r.totals.ops / (r.durationMs / 1000), 0);
  assert.equal(merged.totals.opsPerSec, Math.round(rate * 10) / 10);
  // From the earliest measured start (shard 0) to the latest end (shard 2: 600 ms later + 3000 ms).
  assert.equal(merged.durationMs, 3600);
  // SET: 943 - 40 = 903 = 300 + 301 + 302; GET: 3103 - 400 = 2703 = 900 + 901 + 902.
  assert.equal(merged.countCheck.checked, true);
  assert.equal(merged.countCheck.ok, true, merged.countCheck.note);
  assert.deepEqual(merged.countCheck.byCommand.SET, { sent: 903, completed: 903, server: 903 });
  assert.deepEqual(
    merged.shards?.map((s) => [s.index, s.file]),
    [
      [0, "shard-0.json"],
      [1, "shard-1.json"],
      [2, "shard-2.json"],
    ],
  );
  assert.equal(merged.shard, undefined);
  assert.equal(merged.config.shard, undefined);
  assert.equal(merged.tool.version, "9.9.9");
  assert.equal(merged.cleanup.kept, true);
});

test("merge: a server count that differs from what the shards sent is a mismatch", () => {
  const { results } = threeShards();
  results[2].shard!.serverCounts!.after.SET += 5;
  const merged = mergeShardResults(
    results.map((r) => input(r)),
    "1",
  );
  assert.equal(merged.countCheck.ok, false);
  assert.match(merged.countCheck.note, /SET: tool sent 903, server counted 908/);
});

test("merge: thresholds are judged on the merged numbers, not on any one shard", () => {
  const total = 300 + 301 + 302 + 900 + 901 + 902;
  const pass = mergeShardResults(
    threeShards([`ops>=${total}`, "p(99)<1s", "errors<1%"]).results.map((r) => input(r)),
    "1",
  );
  assert.deepEqual(
    pass.thresholds.map((t) => [t.expression, t.ok]),
    [
      [`ops>=${total}`, true],
      ["p(99)<1s", true],
      ["errors<1%", true],
    ],
  );
  assert.equal(pass.thresholds[0].actual, total);
  assert.equal(pass.verdict, "pass");

  const fail = mergeShardResults(
    threeShards(["p(50)<0.001ms", "rps>0"]).results.map((r) => input(r)),
    "1",
  );
  assert.deepEqual(
    fail.thresholds.map((t) => t.ok),
    [false, true],
  );
  assert.equal(fail.verdict, "fail");
});

test("checkShardSet lists every problem at once: duplicates, missing shards, other runs, non-shards", () => {
  const { results } = threeShards();
  const other = shardResult({ index: 0, count: 2, setUs: [1], getUs: [1] });
  const elsewhere = shardResult({ index: 2, count: 3, setUs: [1], getUs: [1], config: { connections: 12 } });
  elsewhere.target = { ...elsewhere.target, port: 6380 };
  const notShard = { ...results[0] };
  delete notShard.shard;
  const problems = checkShardSet([
    input(results[0], "a.json"),
    input(results[0], "b.json"),
    input(elsewhere, "c.json"),
    input(notShard, "d.json"),
  ]);
  const lines = problems.map((p) => `${p.field}: ${String(p.value)} | ${p.allowed}`);
  assert.deepEqual(lines, [
    "d.json: a run without --shard | the result of 'cachestress run --shard i/N'",
    "b.json: shard 0/3 | each shard once: shard 0/3 is also in a.json",
    "files: no result for 1/3 | one result for each of the 3 shards",
    'c.json: target "10.0.0.5:6380/0" | the same run as a.json, which has target "10.0.0.5:6379/0"',
    "c.json: config.connections 12 | the same run as a.json, which has config.connections 50",
  ]);
  const counts = checkShardSet([input(results[0], "a.json"), input(other, "e.json")]);
  assert.equal(counts[0].field, "e.json");
  assert.match(counts[0].allowed, /the same shard count as a\.json \(shard 0\/3\)/);

  assert.throws(
    () => mergeShardResults([input(results[0]), input(results[0], "again.json")], "1"),
    (error: unknown) => error instanceof MergeInputError && /2 problems/.test(error.message),
  );
});

test("mergeSeries: points aligned by wall-clock second, counts and rates summed, percentiles the highest", () => {
  const point = (tS: number, ops: number, p99Ms: number) => ({
    tS,
    ops,
    opsPerSec: ops,
    errors: 0,
    timeouts: 0,
    targetRate: 100,
    p50Ms: p99Ms / 2,
    p99Ms,
    maxMs: p99Ms * 2,
    perCommand: { GET: { ops, p50Ms: p99Ms / 2, p99Ms } },
  });
  const merged = mergeSeries([
    { series: [point(1, 100, 1), point(2, 110, 2)], measureStartEpochMs: 10_000 },
    // Started 1 s later: its first second is the merged second 2. Its last interval was 20 ms
    // long (1 op at 50 ops/s) and joins second 3: that shard's rate there is 61 ops over 1.02 s.
    {
      series: [point(1, 50, 3), point(2, 60, 1), { ...point(2.02, 1, 1), opsPerSec: 50 }],
      measureStartEpochMs: 11_000,
    },
  ]);
  assert.deepEqual(
    merged.map((p) => [p.tS, p.ops, p.opsPerSec, p.targetRate, p.p99Ms, p.perCommand.GET.ops]),
    [
      [1, 100, 100, 100, 1, 100],
      [2, 160, 160, 200, 3, 160],
      [3, 61, 59.8, 100, 1, 61],
    ],
  );
});

test("engine collections of the shards add up; per million over the sends of the shards that counted them", () => {
  const a = shardResult({ index: 0, count: 3, setUs: latenciesUs(100, 1), getUs: latenciesUs(900, 2) });
  const b = shardResult({ index: 1, count: 3, setUs: latenciesUs(100, 3), getUs: latenciesUs(900, 4) });
  const c = shardResult({ index: 2, count: 3, setUs: latenciesUs(100, 5), getUs: latenciesUs(900, 6) });
  const gc = (young: number, full: number, maxPauseMs: number, totalPauseMs: number) => ({
    youngCollections: young,
    fullCollections: full,
    maxPauseMs,
    totalPauseMs,
    youngPerMillionOps: 0,
  });
  a.engineGc = gc(3, 0, 1.5, 3.2);
  b.engineGc = gc(5, 1, 6.25, 9.5);
  // c was written by a build that did not count collections: neither its counts nor its sends are in.
  const merged = mergeShardResults([input(a), input(b), input(c)], "test").engineGc;
  const sentOf = (r: typeof a) => (r.totals.sent > 0 ? r.totals.sent : r.totals.ops);
  const sent = sentOf(a) + sentOf(b);
  assert.deepEqual(merged, {
    youngCollections: 8,
    fullCollections: 1,
    maxPauseMs: 6.25,
    totalPauseMs: 12.7,
    youngPerMillionOps: Math.round((8 / sent) * 1e8) / 100,
  });
});
