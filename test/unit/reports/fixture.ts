/**
 * Complete, valid RunResult fixtures for report tests (and anyone else who needs a realistic
 * result: comparison, publishers, the dashboard). Numbers are self-consistent: per-command ops add
 * up to the totals, the count check agrees with them, and the histograms decode to real data.
 */
import * as hdr from "hdr-histogram-js";
import type { RunConfig } from "../../../src/config/types.js";
import type { LatencySummaryMs, RunResult, SeriesPoint } from "../../../src/result/result-types.js";
import { RESULT_SCHEMA_VERSION } from "../../../src/result/result-types.js";

/** A password that must never appear in any rendered report. */
export const FIXTURE_SECRET = "s3cr3t-Pa55w0rd";

export function latency(p50: number, scale = 1): LatencySummaryMs {
  return {
    p50,
    p90: p50 * 1.8 * scale,
    p95: p50 * 2.2 * scale,
    p99: p50 * 3.1 * scale,
    p999: p50 * 6.5 * scale,
    max: p50 * 14 * scale,
    mean: p50 * 1.1,
    count: 0,
  };
}

/** An HDR histogram of latencies in microseconds, encoded the way the engine ships it. */
export function encodedHistogram(valuesUs: number[]): string {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  for (const v of valuesUs) histogram.recordValue(v);
  const encoded = hdr.encodeIntoCompressedBase64(histogram);
  histogram.destroy();
  return encoded;
}

export function makeConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    scenario: "baseline",
    url: "redis://default:***@10.0.0.5:6379/0",
    env: "local",
    outDir: "Reports",
    durationMs: 30_000,
    warmupMs: 5_000,
    prefill: true,
    connections: 50,
    pipeline: 1,
    threads: 1,
    commands: [
      { name: "SET", weight: 1 },
      { name: "GET", weight: 3 },
    ],
    keyPattern: "uniform",
    keyMax: 100_000,
    dataSizeMin: 32,
    dataSizeMax: 32,
    prefix: "cs:test:",
    keepKeys: false,
    timeoutMs: 1_000,
    thresholds: ["p(99)<500ms", "errors<1%"],
    seed: 42,
    probeIntervalMs: 1000,
    audit: false,
    alertsDryRun: false,
    readFrom: "primary",
    ...overrides,
  };
}

function makeSeries(seconds: number, opsPerSec: number, targetRate?: number): SeriesPoint[] {
  const series: SeriesPoint[] = [];
  for (let t = 1; t <= seconds; t++) {
    const ops = opsPerSec + (t % 3) * 10;
    series.push({
      tS: t,
      ops,
      opsPerSec: ops,
      errors: t === 7 ? 2 : 0,
      timeouts: 0,
      ...(targetRate === undefined ? {} : { targetRate }),
      p50Ms: 0.41 + (t % 5) * 0.01,
      p99Ms: 1.2 + (t % 4) * 0.1,
      maxMs: 5 + t * 0.1,
      perCommand: {
        SET: { ops: Math.round(ops / 4), p50Ms: 0.45, p99Ms: 1.3 },
        GET: { ops: ops - Math.round(ops / 4), p50Ms: 0.4, p99Ms: 1.1 },
      },
    });
  }
  return series;
}

/** A completed closed-loop run of 30 s at ~40k ops/s that passes its thresholds. */
export function makeRunResult(overrides: Partial<RunResult> = {}): RunResult {
  const setOps = 300_000;
  const getOps = 900_000;
  const ops = setOps + getOps;
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: "cachestress", version: "0.1.0" },
    scenario: "baseline",
    env: "local",
    status: "completed",
    startedAt: "2026-11-25T09:15:00.123Z",
    endedAt: "2026-11-25T09:15:35.500Z",
    durationMs: 30_000,
    mode: "closed-loop",
    target: {
      url: "redis://default:***@10.0.0.5:6379/0",
      host: "10.0.0.5",
      port: 6379,
      db: 0,
      tls: false,
      topology: "standalone",
      managed: false,
      serverVersion: "7.2.4",
    },
    config: makeConfig(),
    totals: {
      ops,
      opsPerSec: ops / 30,
      errors: 2,
      errorsByKind: { ERR: 2 },
      timeouts: 0,
      reconnects: 0,
      sent: ops,
    },
    latency: { ...latency(0.412), count: ops },
    perCommand: {
      SET: { ops: setOps, opsPerSec: setOps / 30, errors: 2, latency: { ...latency(0.451), count: setOps } },
      GET: { ops: getOps, opsPerSec: getOps / 30, errors: 0, latency: { ...latency(0.398), count: getOps } },
    },
    phases: { warmup: { ops: 200_000, durationMs: 5_000 }, prefill: { ops: 100_000, durationMs: 2_400 } },
    series: makeSeries(30, 40_000),
    thresholds: [
      { expression: "p(99)<500ms", actual: 1.277, ok: true },
      { expression: "errors<1%", actual: 0.000167, ok: true },
    ],
    verdict: "pass",
    countCheck: {
      checked: true,
      ok: true,
      byCommand: {
        SET: { sent: setOps, completed: setOps, server: setOps },
        GET: { sent: getOps, completed: getOps, server: getOps },
      },
      note: "",
    },
    histograms: {
      latencyUs: {
        SET: encodedHistogram([380, 451, 460, 1_400]),
        GET: encodedHistogram([350, 398, 410, 1_200]),
      },
    },
    cleanup: { prefix: "cs:test:", keysDeleted: 100_000, kept: false },
    warnings: [],
    ...overrides,
  };
}

/** A completed open-loop run at a target of 50k ops/s, with service time and schedule statistics. */
export function makeOpenLoopResult(overrides: Partial<RunResult> = {}): RunResult {
  const base = makeRunResult();
  const service = (l: LatencySummaryMs): LatencySummaryMs => ({ ...l, p50: l.p50 * 0.8, p99: l.p99 * 0.7 });
  return {
    ...base,
    scenario: "ramp",
    mode: "open-loop",
    config: makeConfig({
      scenario: "ramp",
      rate: 50_000,
      durationMs: undefined,
      stages: [{ kind: "constant", durationMs: 30_000, rate: 50_000 }],
    }),
    serviceTime: service(base.latency),
    perCommand: {
      SET: { ...base.perCommand.SET, serviceTime: service(base.perCommand.SET.latency) },
      GET: { ...base.perCommand.GET, serviceTime: service(base.perCommand.GET.latency) },
    },
    openLoop: {
      targetRate: 50_000,
      lateStarts: 1_200,
      scheduleLagMs: { p50: 0.02, p99: 0.8, max: 3.1 },
      eventLoopDelayMs: { p50: 0.5, p99: 2.1, max: 5 },
    },
    series: makeSeries(30, 40_000, 50_000),
    histograms: { ...base.histograms, serviceTimeUs: base.histograms.latencyUs },
    ...overrides,
  };
}
