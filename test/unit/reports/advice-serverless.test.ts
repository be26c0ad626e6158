import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recommend } from "../../../src/result/recommendations.js";
import type { SeriesPoint } from "../../../src/result/result-types.js";
import { serverlessScalingLag } from "../../../src/result/serverless-lag.js";
import { makeRunResult } from "./fixture.js";

/**
 * The "consider the managed (node-based) mode" advice on fabricated series (unit level: no
 * Serverless cache runs here): a ramp whose p99 climbs with ECPU/s, one whose p99 stays flat, and
 * one whose lateness is the load generator's own.
 */

const point = (tS: number, opsPerSec: number, p99Ms: number): SeriesPoint => ({
  tS,
  ops: opsPerSec,
  opsPerSec,
  errors: 0,
  timeouts: 0,
  p50Ms: p99Ms / 4,
  p99Ms,
  maxMs: p99Ms * 2,
  perCommand: {},
});

/** 40 s: 10 s flat at 20k ops/s and 1 ms, then a ramp to 80k ops/s with p99 climbing to 40 ms. */
function laggingRamp(): SeriesPoint[] {
  return Array.from({ length: 40 }, (_, i) => {
    const t = i + 1;
    if (t <= 10) return point(t, 20_000, 1);
    const k = (t - 10) / 30;
    return point(t, 20_000 + 60_000 * k, 1 + 39 * k);
  });
}

const serverlessResult = (series: SeriesPoint[], lateStarts = 0) =>
  makeRunResult({
    env: "staging",
    target: {
      url: "rediss://orders-abc123.serverless.use1.cache.amazonaws.com:6379",
      host: "orders-abc123.serverless.use1.cache.amazonaws.com",
      port: 6379,
      db: 0,
      tls: true,
      topology: "standalone",
      managed: false,
    },
    mode: "open-loop",
    openLoop: {
      targetRate: 50_000,
      lateStarts,
      scheduleLagMs: { p50: 0.1, p99: 0.5, max: 2 },
      eventLoopDelayMs: { p50: 0.1, p99: 1, max: 3 },
    },
    series,
  });

describe("Serverless scaling lag", () => {
  it("finds the stretch where p99 climbed with ECPU/s and quotes it", () => {
    const lag = serverlessScalingLag(laggingRamp(), 1);
    assert.ok(lag !== undefined);
    // The whole ramp, each end the mean of 3 seconds: t=1..3 (1 ms) and t=38..40 (37.4, 38.7, 40 ms).
    assert.deepEqual(lag, {
      fromS: 1,
      toS: 40,
      p99FromMs: 1,
      p99ToMs: 38.7,
      ecpuFromPerSec: 20_000,
      ecpuToPerSec: 78_000,
    });
  });

  it("recommends the managed mode on a Serverless target, with the evidence in numbers", () => {
    const recs = recommend({ result: serverlessResult(laggingRamp()), server: {}, ecpuPerOp: 1 });
    const rec = recs.find((r) => r.id === "serverless-scaling-lag");
    assert.ok(rec, JSON.stringify(recs.map((r) => r.id)));
    assert.match(rec.title, /consider the managed \(node-based\) mode/);
    assert.equal(
      rec.evidence[0],
      "over 39 s (t=1→40 s) p99 rose from 1 ms to 38.7 ms while ECPU/s rose from 20,000 to 78,000",
    );
    assert.match(rec.advice, /100,000/); // peak 80,000 ops/s × 1 ECPU × 1.25 headroom
  });

  it("stays quiet when p99 is flat, when the target is not Serverless, and when the generator fell behind", () => {
    const flat = laggingRamp().map((p) => ({ ...p, p99Ms: 1.2 }));
    assert.equal(serverlessScalingLag(flat, 1), undefined);
    const ids = (result: ReturnType<typeof serverlessResult>) =>
      recommend({ result, server: {}, ecpuPerOp: 1 }).map((r) => r.id);
    assert.ok(!ids(serverlessResult(flat)).includes("serverless-scaling-lag"));
    const local = { ...serverlessResult(laggingRamp()), env: "local" };
    local.target = { ...local.target, host: "127.0.0.1" };
    assert.ok(!ids(local).includes("serverless-scaling-lag"));
    // 5 % of sends late: the climb may be the tool's own lateness, so no server advice.
    const late = serverlessResult(laggingRamp(), Math.round(makeRunResult().totals.sent * 0.05));
    const lateIds = ids(late);
    assert.ok(lateIds.includes("load-generator-behind"));
    assert.ok(!lateIds.includes("serverless-scaling-lag"));
  });

  it("a climb shorter than 10 s is not judged", () => {
    const short = laggingRamp().slice(25, 33);
    assert.equal(serverlessScalingLag(short, 1), undefined);
  });
});
