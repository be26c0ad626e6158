import assert from "node:assert/strict";
import { test } from "node:test";
import type { CapacityStep } from "../../../src/capacity/capacity-result.js";
import { judgeStep } from "../../../src/capacity/judge-step.js";
import { renderCapacityMarkdown, renderCapacityTable } from "../../../src/capacity/render-report.js";
import type { CapacitySearchOptions } from "../../../src/capacity/search-options.js";
import type { StepPhase } from "../../../src/capacity/search-plan.js";
import { buildCapacityResult } from "../../../src/capacity/summarize.js";
import { capacityReportBaseName } from "../../../src/capacity/write-capacity-report.js";
import { FIXTURE_SECRET, latency, makeConfig, makeOpenLoopResult } from "../reports/fixture.js";

const SEARCH: CapacitySearchOptions = {
  startRate: 1000,
  growth: { kind: "factor", factor: 2 },
  stepDurationMs: 10_000,
  maxSteps: 12,
  precisionPercent: 5,
  slo: ["p(99)<10ms", "errors<1%"],
};

/** A judged step from an open-loop result: asked, achieved, p99 and late-start share as given. */
function step(
  index: number,
  phase: StepPhase,
  asked: number,
  achieved: number,
  p99Ms: number,
  latePercent = 0,
  broken: { reconnects: number; errorsByKind: Record<string, number> } = { reconnects: 0, errorsByKind: {} },
): CapacityStep {
  const sent = achieved * 10;
  const errors = Object.values(broken.errorsByKind).reduce((a, b) => a + b, 0);
  const result = makeOpenLoopResult({
    durationMs: 10_000,
    totals: { ops: sent, opsPerSec: achieved, errors, timeouts: 0, sent, ...broken },
    // 4 connections × pipeline 8 = 32 slots; service time as long as latency, for Little's law.
    config: makeConfig({ connections: 4, pipeline: 8, rate: asked }),
    latency: { ...latency(p99Ms / 3.1), count: sent },
    serviceTime: { ...latency(p99Ms / 3.1), count: sent },
    thresholds: [
      { expression: "p(99)<10ms", actual: p99Ms, ok: p99Ms < 10 },
      { expression: "errors<1%", actual: 0, ok: true },
    ],
    openLoop: {
      targetRate: asked,
      lateStarts: Math.round((sent * latePercent) / 100),
      scheduleLagMs: { p50: 0, p99: 1, max: 2 },
      eventLoopDelayMs: { p50: 0.1, p99: 2, max: 4 },
    },
    countCheck: {
      checked: true,
      ok: true,
      byCommand: { GET: { sent, completed: sent, server: sent } },
      note: "",
    },
  });
  return judgeStep(result, index, phase, asked);
}

function resultOf(steps: CapacityStep[], end: "bracketed" | "failed-at-start" | "max-rate") {
  return buildCapacityResult({
    config: makeConfig({ url: `redis://default:${FIXTURE_SECRET}@10.0.0.5:6379` }),
    search: SEARCH,
    steps,
    status: "completed",
    end,
    startedAt: new Date("2026-11-25T09:15:00Z"),
    endedAt: new Date("2026-11-25T09:17:00Z"),
    target: { url: `redis://default:${FIXTURE_SECRET}@10.0.0.5:6379`, managed: false },
    warnings: [],
  });
}

test("a step passes when its SLO held at 95 % of the asked rate; late sends say whose failure a failure was", () => {
  const cases: [CapacityStep, CapacityStep["verdict"], boolean][] = [
    [step(1, "grow", 1000, 999, 1), "pass", true],
    [step(1, "grow", 1000, 999, 12), "fail", true],
    // The SLO held, but only 90 % of the asked rate went out while about 1 of 32 pipeline slots
    // was in use: the client's failure, not the server's.
    [step(1, "grow", 1000, 900, 1), "fail", false],
    // 3 % of sends late with free slots, and p99 over the SLO: the client's failure too.
    [step(1, "grow", 1000, 1000, 12, 3), "fail", false],
    // 3 % late, but the SLO held with the lag counted in: a conservative pass, with a note.
    [step(1, "grow", 1000, 1000, 1, 3), "pass", false],
    // 3 % late with 1000 ops/s × 20 ms = 20 of 32 slots in flight: backpressure, the server's.
    [step(1, "grow", 1000, 1000, 20, 3), "fail", true],
  ];
  for (const [s, verdict, keptUp] of cases) {
    assert.equal(s.verdict, verdict, JSON.stringify(s));
    assert.equal(s.clientKeptUp, keptUp);
    if (!keptUp && verdict === "fail")
      assert.match(s.reasons.join(";"), /client could not keep up.*not a measured server limit/);
  }
  assert.deepEqual(cases[4][0].reasons, []);
  assert.match(cases[4][0].notes.join(";"), /3\.00 % of sends went out 1 ms or more late.*conservative/);
  assert.match(cases[5][0].reasons.join(";"), /the server did not keep up/);
});

test("a step whose connections broke is failed as the server's, never the load generator's", () => {
  // The target went down mid-step: 5 % of the rate went out, with resets and reconnects.
  const lost = step(3, "grow", 4000, 200, 4, 7, {
    reconnects: 12,
    errorsByKind: { ECONNRESET: 30, "connection-closed": 4 },
  });
  assert.equal(lost.verdict, "fail");
  assert.equal(lost.clientKeptUp, true);
  assert.match(
    lost.reasons.join(";"),
    /connections to the server broke: 12 reconnects, ECONNRESET 30, connection-closed 4/,
  );
  assert.doesNotMatch(lost.reasons.join(";"), /client could not keep up/);
  // Error replies (OOM, ERR) are the server answering, not a broken connection.
  const refused = step(3, "grow", 4000, 200, 4, 7, { reconnects: 0, errorsByKind: { OOM: 30, ERR: 2 } });
  assert.equal(refused.clientKeptUp, false);
});

test("capacity, first bad rate, knee and what limited it, in the JSON, the table and the Markdown", () => {
  const steps = [
    step(1, "grow", 1000, 1000, 0.8),
    step(2, "grow", 2000, 2000, 0.9),
    step(3, "grow", 4000, 3999, 2.5),
    step(4, "grow", 8000, 7990, 25),
    step(5, "bisect", 6000, 5995, 8),
    step(6, "bisect", 7000, 6990, 14),
    step(7, "bisect", 6500, 6497, 9),
    step(8, "bisect", 6750, 6740, 11),
  ];
  const result = resultOf(steps, "bracketed");
  assert.equal(result.capacity.lastGoodRate, 6500);
  assert.equal(result.capacity.firstBadRate, 6750);
  assert.equal(result.capacity.limitedBy, "server");
  assert.equal(result.knee?.rate, 4000);
  assert.deepEqual(
    result.curve.map((p) => p.askedRate),
    [1000, 2000, 4000, 6000, 6500, 6750, 7000, 8000],
  );
  assert.match(
    result.capacity.message,
    /^Capacity: 6,500 ops\/s .* 6,750 ops\/s did not: SLO p\(99\)<10ms broken: actual 11/,
  );
  assert.equal(capacityReportBaseName(result), "capacity_local_20261125T091500Z");

  const table = renderCapacityTable(result);
  const lines = table.split("\n");
  const row = (asked: string) => lines.find((l) => new RegExp(`^\\s*\\d+\\s+${asked}\\s`).test(l)) ?? "";
  assert.match(row("6,500"), /PASS\s+◀ capacity$/);
  assert.match(row("4,000"), /PASS\s+◀ knee$/);
  assert.match(row("6,750"), /FAIL \(SLO\)/);
  // Rows run by asked rate (the curve), whatever order the steps ran in.
  const order = lines.filter((l) => /^\s*\d+\s+[\d,]+\s/.test(l)).map((l) => l.trim().split(/\s+/)[1]);
  assert.deepEqual(order, ["1,000", "2,000", "4,000", "6,000", "6,500", "6,750", "7,000", "8,000"]);

  const markdown = renderCapacityMarkdown(result);
  assert.match(markdown, /^# cachestress capacity: baseline \(local\), 6,500 ops\/s/);
  assert.match(markdown, /\| 7 \| 6,500 \| .* \| PASS \| \*\*capacity\*\* \|/);
  assert.match(markdown, /## Why steps failed/);
  for (const text of [table, markdown, JSON.stringify(result)]) assert.ok(!text.includes(FIXTURE_SECRET));
});

test("a client that cannot hold the rate is named as the limit, not the server", () => {
  const result = resultOf([step(1, "grow", 1000, 1000, 1), step(2, "grow", 2000, 1700, 4)], "bracketed");
  assert.equal(result.capacity.limitedBy, "client");
  assert.match(result.capacity.message, /load generator's, not the server's/);
  assert.match(renderCapacityTable(result), /FAIL \(client\)/);

  const none = resultOf([step(1, "grow", 1000, 999, 30)], "failed-at-start");
  assert.equal(none.capacity.lastGoodRate, null);
  assert.equal(none.knee, null);
  assert.match(none.capacity.message, /^No capacity found: the start rate 1,000 ops\/s already failed/);
});
