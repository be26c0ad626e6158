import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, describe, it } from "node:test";
import type { RunConfig } from "../../../src/config/types.js";
import { PhaseTotals } from "../../../src/measure/phase-totals.js";
import {
  buildResult,
  type MeasuredRun,
  type ResultInputs,
  seriesPoint,
} from "../../../src/run/build-result.js";
import { testRunConfig } from "../../helpers/run-config.js";

/*
 * buildResult from fabricated measurements: totals, rates, percentiles, the count check, the
 * verdict and thresholds. The fixture's numbers are chosen so every expectation can be worked out
 * by hand (written beside each assertion); nothing is read back from the code under test.
 *
 * The fixture, over a 2 s measured part:
 *   SET: 100 replies with latencies 1, 2 ... 100 ms (one each)
 *   GET: 900 replies at 2 ms, 9 of them error replies (NOPERM); 5 more timed out, 1 was aborted
 */

const configs: RunConfig[] = [];
after(() => {
  for (const c of configs) rmSync(c.outDir, { recursive: true, force: true });
});

function config(overrides: Partial<RunConfig> = {}): RunConfig {
  const c = testRunConfig(overrides);
  configs.push(c);
  return c;
}

const NAMES = ["SET", "GET"];

function fixtureTotals(): PhaseTotals {
  const t = new PhaseTotals(NAMES);
  for (let ms = 1; ms <= 100; ms++) t.latency[0].recordValue(ms * 1000);
  t.latency[1].recordValueWithCount(2000, 900);
  t.ops[0] = 100;
  t.ops[1] = 900;
  t.sent[0] = 100;
  t.sent[1] = 906;
  t.errorReplies[1] = 9;
  t.timeouts = 5;
  t.aborted = 1;
  t.errorsByKind.NOPERM = 9;
  t.errorsByKind.timeout = 5;
  t.errorsByKind["connection-closed"] = 1;
  return t;
}

function measured(overrides: Partial<MeasuredRun> = {}): MeasuredRun {
  return {
    stages: undefined,
    commandNames: NAMES,
    totals: fixtureTotals(),
    series: [],
    durationMs: 2000,
    stopped: false,
    targetLost: false,
    measureStartEpochMs: 1_700_000_000_000,
    eventLoopDelayMs: { p50: 0.1, p99: 0.5, max: 1 },
    phases: {},
    ...overrides,
  };
}

function inputs(overrides: Partial<ResultInputs> = {}): ResultInputs {
  return {
    config: config(),
    measured: measured(),
    startedAt: new Date("2026-01-02T03:04:05.000Z"),
    endedAt: new Date("2026-01-02T03:04:08.500Z"),
    target: {
      displayUrl: "redis://127.0.0.1:6379",
      connection: { host: "127.0.0.1", port: 6379, tls: false, rejectUnauthorized: true, db: 0 },
      managed: false,
    },
    cleanup: { prefix: "t:", keysDeleted: 0, kept: false },
    ...overrides,
  };
}

/** HDR keeps 3 significant digits: a recorded value comes back within 0.1 %. */
function assertMs(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= expected * 0.001 + 1e-9,
    `${what}: ${actual} ms is not within 0.1 % of ${expected} ms`,
  );
}

describe("buildResult: totals and rates", () => {
  const r = buildResult(inputs());

  it("counts replies, sends, errors of every kind", () => {
    assert.equal(r.totals.ops, 1000);
    assert.equal(r.totals.sent, 1006);
    // 9 error replies + 5 timeouts + 1 aborted.
    assert.equal(r.totals.errors, 15);
    assert.equal(r.totals.timeouts, 5);
    assert.deepEqual(r.totals.errorsByKind, { NOPERM: 9, timeout: 5, "connection-closed": 1 });
  });

  it("rates are per second of the measured part (2 s), to one decimal", () => {
    assert.equal(r.totals.opsPerSec, 500);
    assert.equal(r.perCommand.SET.opsPerSec, 50);
    assert.equal(r.perCommand.GET.opsPerSec, 450);
    assert.equal(r.perCommand.GET.errors, 9);
  });

  it("a closed-loop run has no service time and no open-loop block", () => {
    assert.equal(r.mode, "closed-loop");
    assert.equal(r.serviceTime, undefined);
    assert.equal(r.openLoop, undefined);
    assert.equal(r.histograms.serviceTimeUs, undefined);
  });

  it("status, times and duration come from the inputs", () => {
    assert.equal(r.status, "completed");
    assert.equal(r.startedAt, "2026-01-02T03:04:05.000Z");
    assert.equal(r.durationMs, 2000);
  });
});

describe("buildResult: percentiles", () => {
  const r = buildResult(inputs());

  it("per command: SET's 1..100 ms give p50 50, p99 99, p99.9 and max 100, mean 50.5", () => {
    const s = r.perCommand.SET.latency;
    assertMs(s.p50, 50, "p50");
    assertMs(s.p90, 90, "p90");
    assertMs(s.p99, 99, "p99");
    assertMs(s.p999, 100, "p99.9");
    assertMs(s.max, 100, "max");
    assertMs(s.mean, 50.5, "mean");
    assert.equal(s.count, 100);
  });

  it("overall, all 1000 values: ranks 2-902 are 2 ms, rank 990 is 90 ms, rank 999 is 99 ms", () => {
    // Sorted: 1 ms (SET), then 2 ms (900 GETs and one SET), then SET's 3 ... 100 ms at ranks 903 ... 1000.
    assertMs(r.latency.p50, 2, "p50");
    assertMs(r.latency.p90, 2, "p90");
    assertMs(r.latency.p99, 90, "p99");
    assertMs(r.latency.p999, 99, "p99.9");
    assertMs(r.latency.max, 100, "max");
    // (5050 + 1800) / 1000 values.
    assertMs(r.latency.mean, 6.85, "mean");
    assert.equal(r.latency.count, 1000);
  });
});

describe("buildResult: the count check", () => {
  it("exact counts match: every command the server counted is one the tool sent and read", () => {
    const t = new PhaseTotals(NAMES);
    t.ops[0] = 3;
    t.sent[0] = 3;
    t.ops[1] = 4;
    t.sent[1] = 4;
    const r = buildResult(
      inputs({
        measured: measured({ totals: t }),
        countsBefore: { SET: 10, GET: 20 },
        countsAfter: { SET: 13, GET: 24 },
      }),
    );
    assert.equal(r.countCheck.checked, true);
    assert.equal(r.countCheck.ok, true);
    assert.deepEqual(r.countCheck.byCommand.SET, { sent: 3, completed: 3, server: 3 });
  });

  it("with operations lost, the server's count may lie between replies read and commands sent", () => {
    // GET: 906 sent, 900 read; the server counted 903.
    const r = buildResult(inputs({ countsBefore: { SET: 0, GET: 20 }, countsAfter: { SET: 100, GET: 923 } }));
    assert.equal(r.countCheck.ok, true);
    assert.deepEqual(r.countCheck.byCommand.GET, { sent: 906, completed: 900, server: 903 });
  });

  it("one command more on the server than the tool sent is a mismatch", () => {
    const r = buildResult(inputs({ countsBefore: { SET: 0, GET: 0 }, countsAfter: { SET: 101, GET: 903 } }));
    assert.equal(r.countCheck.ok, false);
    assert.match(r.countCheck.note ?? "", /SET: tool sent 100, server counted 101/);
  });

  it("prefill and warm-up commands are counted too, since the server counts them", () => {
    const prefill = new PhaseTotals(["SET"]);
    prefill.ops[0] = 50;
    prefill.sent[0] = 50;
    const warmup = new PhaseTotals(NAMES);
    warmup.ops[1] = 7;
    warmup.sent[1] = 7;
    const m = measured({
      phases: {
        prefill: { ops: 50, durationMs: 10, totals: prefill },
        warmup: { ops: 7, durationMs: 10, totals: warmup },
      },
    });
    const r = buildResult(inputs({ measured: m, countsBefore: {}, countsAfter: { SET: 150, GET: 910 } }));
    assert.deepEqual(r.countCheck.byCommand.SET, { sent: 150, completed: 150, server: 150 });
    assert.deepEqual(r.countCheck.byCommand.GET, { sent: 913, completed: 907, server: 910 });
    assert.equal(r.countCheck.ok, true);
    assert.deepEqual(r.phases.prefill, { ops: 50, durationMs: 10 });
  });

  it("without commandstats the counts are not checked (and do not fail the run)", () => {
    const r = buildResult(inputs());
    assert.equal(r.countCheck.checked, false);
    assert.equal(r.countCheck.byCommand.SET.server, -1);
  });
});

describe("buildResult: thresholds and verdict", () => {
  const judged = (thresholds: string[]) =>
    buildResult(inputs({ config: config({ thresholds }) })).thresholds.map((t) => [
      t.expression,
      t.actual,
      t.ok,
    ]);

  it("latency thresholds read the overall or one command's histogram", () => {
    const [p99, getP50, setMax] = judged(["p(99)<95", "p(50){cmd:GET}<1ms", "max{cmd:SET}<=0.1s"]);
    assert.equal(p99[2], true);
    assertMs(p99[1] as number, 90, "p(99)");
    assert.equal(getP50[2], false, "GET's median is 2 ms");
    assertMs(getP50[1] as number, 2, "p(50) GET");
    assertMs((setMax[1] as number) * 1000, 100, "max SET, in s");
  });

  it("errors as a share of every operation completed or failed: 15 of 1006", () => {
    const [[, actual, ok]] = judged(["errors<1%"]);
    assert.ok(Math.abs((actual as number) - (15 / 1006) * 100) < 0.01, `${actual} %`);
    assert.equal(ok, false);
  });

  it("counts and rates: ops over 2 s", () => {
    const rows = judged(["ops{cmd:GET}==900", "rps>=500", "timeouts<=5"]);
    assert.deepEqual(
      rows.map(([, actual, ok]) => [actual, ok]),
      [
        [900, true],
        // 1000 replies + 5 timeouts + 1 aborted over 2 s.
        [503, true],
        [5, true],
      ],
    );
  });

  it("the verdict fails when one threshold fails, and passes when all hold", () => {
    assert.equal(
      buildResult(inputs({ config: config({ thresholds: ["p(99)<95", "errors<1%"] }) })).verdict,
      "fail",
    );
    assert.equal(
      buildResult(inputs({ config: config({ thresholds: ["p(99)<95", "errors<2%"] }) })).verdict,
      "pass",
    );
  });

  it("errors with no threshold on them are named in a warning with their share and kinds", () => {
    const r = buildResult(inputs());
    const warning = r.warnings.find((w) => w.includes("operations failed"));
    // 15 / 1006 = 1.49 %.
    assert.equal(
      warning,
      "15 operations failed (1.49 %: NOPERM 9, timeout 5, connection-closed 1) and no threshold judges errors; " +
        "add --threshold 'errors<1%' to fail the run on them",
    );
  });

  it("a run in which no operation succeeded fails whatever its thresholds say", () => {
    const t = new PhaseTotals(NAMES);
    t.ops[1] = 4;
    t.sent[1] = 4;
    t.errorReplies[1] = 4;
    t.errorsByKind.NOPERM = 4;
    t.latency[1].recordValueWithCount(500, 4);
    const r = buildResult(inputs({ measured: measured({ totals: t }) }));
    assert.equal(r.verdict, "fail");
    assert.deepEqual(r.verdictReasons, ["no operation succeeded: all 4 failed (NOPERM 4)"]);
  });

  it("a lost target: status failed, a reason, a warning", () => {
    const r = buildResult(inputs({ measured: measured({ targetLost: true }) }));
    assert.equal(r.status, "failed");
    assert.equal(r.stopReason, "target lost");
    assert.equal(r.verdict, "fail");
    assert.equal(r.verdictReasons?.length, 1);
    assert.match(r.verdictReasons?.[0] ?? "", /target was lost/);
  });

  it("a stopped run is stopped, and its verdict still follows the thresholds", () => {
    const r = buildResult(inputs({ measured: measured({ stopped: true }) }));
    assert.equal(r.status, "stopped");
    assert.equal(r.stopReason, "interrupted (signal)");
    assert.equal(r.verdict, "pass");
  });
});

describe("buildResult: open loop and the series", () => {
  it("open loop: target rate from the stages, late starts, lag and service time", () => {
    const t = fixtureTotals();
    t.serviceTime[0].recordValueWithCount(800, 100);
    t.serviceTime[1].recordValueWithCount(800, 900);
    t.scheduleLag.recordValue(300);
    t.scheduleLag.recordValue(4000);
    t.lateStarts = 1;
    const stages = [
      { kind: "constant" as const, durationMs: 1000, rate: 400 },
      { kind: "constant" as const, durationMs: 1000, rate: 600 },
    ];
    const r = buildResult(inputs({ measured: measured({ totals: t, stages }) }));
    assert.equal(r.mode, "open-loop");
    // Mean over the profile: (400 + 600) / 2.
    assert.equal(r.openLoop?.targetRate, 500);
    assert.equal(r.openLoop?.lateStarts, 1);
    assertMs(r.openLoop?.scheduleLagMs.max ?? 0, 4, "largest lag");
    assertMs(r.serviceTime?.p99 ?? 0, 0.8, "service p99");
    assertMs(r.perCommand.GET.serviceTime?.p50 ?? 0, 0.8, "GET service p50");
    assert.deepEqual(r.openLoop?.eventLoopDelayMs, { p50: 0.1, p99: 0.5, max: 1 });
  });

  it("series points: ops per second of their span, errors, and the target rate to one decimal", () => {
    const interval = new PhaseTotals(NAMES);
    interval.ops[0] = 30;
    interval.ops[1] = 270;
    interval.errorReplies[1] = 3;
    interval.timeouts = 2;
    interval.latency[1].recordValueWithCount(2000, 270);
    interval.latency[0].recordValueWithCount(1000, 30);
    const r = buildResult(
      inputs({ measured: measured({ series: [seriesPoint(interval, 1.5, 0.5, 333.333)] }) }),
    );
    const [point] = r.series;
    assert.equal(point.tS, 1.5);
    assert.equal(point.ops, 300);
    assert.equal(point.opsPerSec, 600);
    // 3 error replies + 2 timeouts.
    assert.equal(point.errors, 5);
    assert.equal(point.errorReplies, 3);
    assert.equal(point.targetRate, 333.3);
    assert.equal(point.perCommand.SET.ops, 30);
    // Overall p50: 270 of 300 values are 2 ms.
    assertMs(point.p50Ms, 2, "p50");
  });
});
