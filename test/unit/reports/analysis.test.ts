import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { packageRoot } from "../../../src/config/scenario-file.js";
import { estimateServerlessCost, loadPriceTable } from "../../../src/result/cost-estimate.js";
import { latencyTrend, recommend } from "../../../src/result/recommendations.js";
import type { SeriesPoint } from "../../../src/result/result-types.js";
import { computeZones, worstZone, zoneOf } from "../../../src/result/zones.js";
import { makeRunResult } from "./fixture.js";

describe("risk zones", () => {
  const table: [number, { stableBelow: number; failureAbove: number }, string][] = [
    [69.9, { stableBelow: 70, failureAbove: 90 }, "stable"],
    [70, { stableBelow: 70, failureAbove: 90 }, "risk"],
    [90, { stableBelow: 70, failureAbove: 90 }, "risk"],
    [90.1, { stableBelow: 70, failureAbove: 90 }, "failure"],
    [0.5, { stableBelow: 1, failureAbove: 5 }, "stable"],
    [600, { stableBelow: 100, failureAbove: 500 }, "failure"],
  ];
  for (const [value, band, zone] of table) {
    it(`${value} in ${band.stableBelow}/${band.failureAbove} is ${zone}`, () =>
      assert.equal(zoneOf(value, band), zone));
  }

  it("default bands, missing metrics explained, worst zone", () => {
    const zones = computeZones({ p99Ms: 150, errorPercent: 0.2, memoryUsedPercent: 95 });
    assert.deepEqual(
      zones.map((z) => [z.metric, z.zone]),
      [
        ["serverCpuPercent", undefined],
        ["memoryUsedPercent", "failure"],
        ["p99Ms", "risk"],
        ["errorPercent", "stable"],
        ["unavailablePercent", undefined],
      ],
    );
    assert.match(zones[0].note ?? "", /not measured/);
    assert.equal(worstZone(zones), "failure");
    assert.equal(worstZone(computeZones({})), undefined);
  });

  it("time without any reply: 0.05 % stable, 0.5 % risk, 60 % failure; a lost target is a failure", () => {
    const zone = (inputs: Parameters<typeof computeZones>[0]) =>
      computeZones(inputs).find((z) => z.metric === "unavailablePercent");
    assert.equal(zone({ unavailablePercent: 0.05 })?.zone, "stable");
    assert.equal(zone({ unavailablePercent: 0.5 })?.zone, "risk");
    assert.equal(zone({ unavailablePercent: 60 })?.zone, "failure");
    const lost = zone({ unavailablePercent: 0, targetLost: true });
    assert.equal(lost?.zone, "failure");
    assert.match(lost?.note ?? "", /target was lost/);
  });

  it("bands can be overridden", () => {
    const zones = computeZones({ p99Ms: 20 }, { p99Ms: { stableBelow: 10, failureAbove: 15 } });
    assert.equal(zones.find((z) => z.metric === "p99Ms")?.zone, "failure");
  });
});

describe("cost estimate from the shipped price table", () => {
  it("1 ECPU per op up to 1 KB, more for larger payloads; data billed at least the minimum", async () => {
    const prices = await loadPriceTable(join(packageRoot(), "data", "elasticache-serverless-prices.json"));
    const [redis] = estimateServerlessCost(
      { opsPerSec: 1000, bytesPerOp: 100, dataBytes: 50e6 },
      prices,
    ).filter((e) => e.engine === "redis");
    assert.equal(redis.ecpuPerOp, 1);
    assert.equal(redis.ecpuPerSec, 1000);
    // 1,000 ECPU/s × 730 h × 3600 s = 2,628 million ECPU; × $0.0034 per million.
    assert.equal(redis.ecpuPerMonthMillions, 2628);
    assert.equal(redis.ecpuCostPerMonth, Math.round(2628 * 0.0034 * 100) / 100);
    assert.equal(redis.dataGb, 1);
    assert.equal(redis.dataCostPerMonth, Math.round(1 * 0.125 * 730 * 100) / 100);
    const [big] = estimateServerlessCost({ opsPerSec: 1000, bytesPerOp: 4096, dataBytes: 5e9 }, prices);
    assert.equal(big.ecpuPerOp, 4);
    assert.equal(big.dataGb, 5);
  });
});

function series(points: [number, number][]): SeriesPoint[] {
  return points.map(([opsPerSec, p99Ms], i) => ({
    tS: i + 1,
    ops: opsPerSec,
    opsPerSec,
    errors: 0,
    timeouts: 0,
    p50Ms: p99Ms / 4,
    p99Ms,
    maxMs: p99Ms * 2,
    perCommand: {},
  }));
}

describe("recommendations", () => {
  it("latency rising with load → capacity advice with a minimum ECPU/s from the peak", () => {
    const result = makeRunResult({
      series: series([
        [1000, 1],
        [1200, 1.1],
        [2000, 1.5],
        [3000, 2],
        [5000, 6],
        [6000, 9],
      ]),
    });
    assert.ok(latencyTrend(result) !== undefined);
    const recs = recommend({ result, server: {}, ecpuPerOp: 1 });
    const rec = recs.find((r) => r.id === "latency-rises-with-load");
    assert.ok(rec);
    assert.match(rec.advice, /7,500/); // 6,000 ops/s × 1 ECPU × 1.25
  });

  it("flat latency under varying load gives no capacity advice", () => {
    const result = makeRunResult({
      series: series([
        [1000, 1],
        [2000, 1],
        [3000, 1.1],
        [4000, 1],
        [5000, 1.1],
        [6000, 1],
      ]),
    });
    assert.equal(latencyTrend(result), undefined);
  });

  it("memory, hit ratio, evictions in a buffer, connection errors, fragmentation, slowlog", () => {
    const result = makeRunResult({ series: [] });
    result.totals.errorsByKind = { ECONNRESET: 12 };
    const recs = recommend({
      result,
      profile: "buffer",
      ecpuPerOp: 1,
      server: {
        memoryUsedPercentMax: 85,
        maxmemoryBytes: 100e6,
        hitRatio: 0.5,
        evictedKeys: 40,
        rejectedConnections: 3,
        fragmentationMax: 1.8,
        usedMemoryBytesMax: 100e6,
        slowCommands: [{ command: "KEYS *", durationUs: 25_000 }],
        maxmemoryPolicy: "allkeys-lru",
      },
    });
    const ids = recs.map((r) => r.id);
    assert.deepEqual(ids, [
      "memory-upsize",
      "buffer-evicts",
      "connection-errors",
      "fragmentation",
      "slow-commands",
    ]);
    for (const r of recs) assert.ok(r.evidence.length > 0, r.id);
    // A buffer does not get cache hit-ratio advice.
    assert.ok(!ids.includes("low-hit-ratio"));
    const cache = recommend({
      result,
      profile: "cache",
      ecpuPerOp: 1,
      server: { hitRatio: 0.5, memoryUsedPercentMax: 10, maxmemoryBytes: 1e9 },
    });
    assert.deepEqual(cache.map((r) => r.id).slice(0, 2), ["memory-downsize", "low-hit-ratio"]);
  });
});
