import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type FaultSeriesPoint, faultReports } from "../../../src/faults/fault-report.js";
import type { FaultRecord } from "../../../src/faults/fault-runner.js";

/** One point per second: [ops, errors, timeouts, p99Ms, extra]. */
function series(rows: [number, number, number, number, Partial<FaultSeriesPoint>?][]): FaultSeriesPoint[] {
  return rows.map(([ops, errors, timeouts, p99Ms, extra], i) => ({
    tS: i + 1,
    ops,
    errors,
    timeouts,
    p99Ms,
    ...extra,
  }));
}

function record(overrides: Partial<FaultRecord>): FaultRecord {
  return {
    index: 0,
    kind: "blackhole",
    name: "blackhole",
    atS: 6,
    forS: 2,
    status: "done",
    startS: 6,
    endS: 8,
    effects: {},
    ...overrides,
  };
}

// Six quiet seconds with p99 of 1–2 ms, a blackhole from 6 s to 8 s (timeouts detected up to 1 s
// later), the first successes in the interval ending at 10 s, p99 back to normal at 11 s. The
// baseline is the median p99 of the intervals ending at 2..6 s: 2 ms.
const BLACKHOLE_RUN = series([
  [1000, 0, 0, 1],
  [1000, 0, 0, 2],
  [1000, 0, 0, 1],
  [1000, 0, 0, 2],
  [1000, 0, 0, 1],
  [1000, 0, 0, 2],
  [0, 0, 0, 0],
  [0, 50, 50, 0, { errorsByKind: { timeout: 50 } }],
  [0, 54, 50, 0, { errorsByKind: { timeout: 50, aborted: 4 }, reconnects: 4 }],
  [300, 0, 0, 900, { reconnects: 50 }],
  [1000, 0, 0, 2],
  [1000, 0, 0, 1],
]);

describe("faultReports", () => {
  it("counts errors by kind, timeouts and reconnects from the fault's start to its end plus the timeout", () => {
    const [report] = faultReports(BLACKHOLE_RUN, [record({})], { timeoutMs: 1000 });
    assert.deepEqual(report.during, {
      fromS: 6,
      toS: 9,
      ops: 0,
      errors: 104,
      errorsByKind: { timeout: 100, aborted: 4 },
      timeouts: 100,
      reconnects: 4,
      worstP99Ms: 0,
    });
  });

  it("time to the first success and back to the baseline p99, from the fault's end", () => {
    const cases: {
      name: string;
      record: Partial<FaultRecord>;
      firstSuccess: number | null;
      backToP99: number | null | undefined;
      baseline?: number;
    }[] = [
      { name: "blackhole 6–8 s", record: {}, firstSuccess: 2, backToP99: 3, baseline: 2 },
      // Baseline: median of 1, 2, 1; the interval ending at 4 s has p99 2 > 1.5 × 1.
      {
        name: "one-off reset at 3.5 s",
        record: { kind: "reset", startS: 3.5, endS: 3.5 },
        firstSuccess: 0.5,
        backToP99: 1.5,
        baseline: 1,
      },
      {
        name: "fault in the first second: no baseline",
        record: { startS: 0.2, endS: 0.4 },
        firstSuccess: 0.6,
        backToP99: undefined,
      },
      {
        name: "a one-off at the very end",
        record: { kind: "reset", startS: 12, endS: 12 },
        firstSuccess: null,
        backToP99: null,
        baseline: 2,
      },
    ];
    for (const c of cases) {
      const [report] = faultReports(BLACKHOLE_RUN, [record(c.record)], { timeoutMs: 1000 });
      assert.equal(report.timeToFirstSuccessS, c.firstSuccess, c.name);
      assert.equal(report.timeToBaselineP99S, c.backToP99, c.name);
      assert.equal(report.baselineP99Ms, c.baseline, c.name);
    }
  });

  it("error replies are not successes", () => {
    const run = series([
      [100, 0, 0, 1],
      [100, 100, 0, 1, { errorReplies: 100, errorsByKind: { LOADING: 100 } }],
      [100, 40, 0, 1, { errorReplies: 40, errorsByKind: { LOADING: 40 } }],
    ]);
    const [report] = faultReports(run, [record({ kind: "restart", startS: 1, endS: 1.2 })], { timeoutMs: 0 });
    assert.equal(report.timeToFirstSuccessS, 1.8);
    assert.deepEqual(report.during?.errorsByKind, { LOADING: 100 });
  });

  it("a fault that never started gets no figures; effects and errors are carried over", () => {
    const [notReached, failed] = faultReports(
      BLACKHOLE_RUN,
      [
        record({ status: "not-reached", startS: undefined, endS: undefined }),
        record({ status: "failed", error: "ERR DEBUG command not allowed", effects: { clientsKilled: 3 } }),
      ],
      { timeoutMs: 1000 },
    );
    assert.equal(notReached.during, undefined);
    assert.equal(notReached.timeToFirstSuccessS, undefined);
    assert.equal(failed.error, "ERR DEBUG command not allowed");
    assert.deepEqual(failed.effects, { clientsKilled: 3 });
  });
});
