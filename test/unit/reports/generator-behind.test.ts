import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { judgeStep } from "../../../src/capacity/judge-step.js";
import { keepUpAdvice, lateSendPercent } from "../../../src/result/generator-behind.js";
import { recommend } from "../../../src/result/recommendations.js";
import type { RunResult, SeriesPoint } from "../../../src/result/result-types.js";
import { computeZones } from "../../../src/result/zones.js";
import { makeConfig, makeOpenLoopResult } from "./fixture.js";

/** p99 rising with load, which alone triggers the "raise min ECPU" capacity advice. */
function risingSeries(): SeriesPoint[] {
  const points: [number, number][] = [
    [1000, 1],
    [1200, 1.1],
    [2000, 1.5],
    [3000, 2],
    [5000, 6],
    [6000, 9],
  ];
  return points.map(([opsPerSec, p99Ms], i) => ({
    tS: i + 1,
    ops: opsPerSec,
    opsPerSec,
    errors: 0,
    timeouts: 0,
    p50Ms: p99Ms / 3,
    p99Ms,
    maxMs: p99Ms * 2,
    perCommand: {},
  }));
}

/** An open-loop run whose sends were `latePercent` % late, with `threads` engine threads. */
function openLoop(latePercent: number, threads = 1): RunResult {
  const base = makeOpenLoopResult();
  return {
    ...base,
    config: makeConfig({ ...base.config, threads }),
    series: risingSeries(),
    openLoop: { ...base.openLoop!, lateStarts: Math.round((base.totals.sent * latePercent) / 100) },
  };
}

describe("when the load generator fell behind", () => {
  it("says so first and holds back server advice built on the latency", () => {
    const late = recommend({ result: openLoop(22.7), server: {}, ecpuPerOp: 1 });
    assert.equal(late[0].id, "load-generator-behind");
    assert.match(late[0].evidence[0], /22\.7 % of sends/);
    assert.equal(
      late.some((r) => r.id === "latency-rises-with-load"),
      false,
    );
    // The same latency with the schedule kept is the server's, and gets the capacity advice.
    const kept = recommend({ result: openLoop(0.1), server: {}, ecpuPerOp: 1 });
    assert.equal(
      kept.some((r) => r.id === "load-generator-behind"),
      false,
    );
    assert.ok(kept.some((r) => r.id === "latency-rises-with-load"));
  });

  it("does not put p99 in a zone, but still judges the server's own metrics", () => {
    const zones = computeZones({
      p99Ms: 900,
      errorPercent: 0.5,
      p99NotJudged: "900 ms, not judged: late sends",
    });
    const p99 = zones.find((z) => z.metric === "p99Ms")!;
    assert.equal(p99.zone, undefined);
    assert.equal(p99.note, "900 ms, not judged: late sends");
    assert.equal(zones.find((z) => z.metric === "errorPercent")?.zone, "stable");
    assert.equal(computeZones({ p99Ms: 900 }).find((z) => z.metric === "p99Ms")?.zone, "failure");
  });

  it("a failed capacity step names the client, with advice for this machine", () => {
    const result = openLoop(38.9, 4);
    result.thresholds = [{ expression: "p(99)<5ms", actual: 40, ok: false }];
    result.config = makeConfig({ ...result.config, threads: 4, connections: 50, pipeline: 1 });
    // Pipelines far from full (rate × service time ≪ slots): the sends were late on the client.
    result.serviceTime = { ...result.serviceTime!, p99: 0.2 };
    const step = judgeStep(result, 0, "grow", result.openLoop!.targetRate);
    assert.equal(step.verdict, "fail");
    assert.equal(step.clientKeptUp, false);
    const client = step.reasons.find((r) => r.startsWith("client could not keep up"));
    assert.match(client ?? "", /not a measured server limit.*--shard/);
  });
});

describe("keepUpAdvice", () => {
  const cases: [threads: number, cores: number, expected: RegExp, not?: RegExp][] = [
    [1, 4, /more threads \(--threads up to 4/],
    [2, 2, /already uses every core.*more machines with --shard i\/N, or a lower rate/, /more threads/],
    [4, 2, /fewer threads \(--threads 1\)/, /more threads/],
    [1, 1, /already uses every core/, /fewer threads/],
  ];
  for (const [threads, cores, expected, not] of cases) {
    it(`${threads} thread(s) on ${cores} core(s)`, () => {
      const advice = keepUpAdvice(threads, cores);
      assert.match(advice, expected);
      if (not !== undefined) assert.doesNotMatch(advice, not);
    });
  }

  it("late share is counted against sends", () => {
    assert.equal(lateSendPercent(openLoop(2.5)), 2.5);
  });
});
