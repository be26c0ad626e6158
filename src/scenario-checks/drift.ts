import { durationRule, type ValueRule } from "../config/field-rules.js";
import type { RunResult } from "../result/result-types.js";
import { type CheckParse, type CheckReport, checkReport, type ScenarioCheck } from "./check.js";
import { CheckOptions } from "./check-options.js";
import { median, slopePerMinute } from "./trend.js";

/**
 * `check: { kind: drift }`, the heart of the sustained scenario: over a long steady run, does
 * anything creep? Server memory (INFO used_memory from the probes) and the client's own RSS should
 * level off once the keyspace is full, p99 should not climb and throughput should not sag. Slopes
 * are least-squares lines over the samples after the first fifth of the run (connection set-up, JIT
 * and the keyspace filling up are not drift); p99 and throughput compare the medians of the first
 * and last thirds. A run shorter than `minDuration` reports the figures but judges nothing: a few
 * seconds of RSS growth says nothing about a leak.
 */

export interface DriftOptions {
  serverMemoryMbPerMin: number;
  clientRssMbPerMin: number;
  p99GrowthPercent: number;
  throughputDropPercent: number;
  minDurationMs: number;
  sampleEveryMs: number;
}

const DEFAULTS: DriftOptions = {
  serverMemoryMbPerMin: 1,
  clientRssMbPerMin: 10,
  p99GrowthPercent: 50,
  throughputDropPercent: 20,
  minDurationMs: 60_000,
  sampleEveryMs: 1000,
};

const MB = 1024 * 1024;
/** The first part of the run that slopes ignore. */
const SETTLE_FRACTION = 0.2;

export function parseDrift(section: Record<string, unknown>): CheckParse {
  const limit: ValueRule<number> = {
    allowed: "a number 0 or more",
    parse: (raw) => (typeof raw === "number" && Number.isFinite(raw) && raw >= 0 ? raw : undefined),
  };
  const o = new CheckOptions("drift", section, [
    "serverMemoryMbPerMin",
    "clientRssMbPerMin",
    "p99GrowthPercent",
    "throughputDropPercent",
    "minDuration",
    "sampleEvery",
  ]);
  const options: DriftOptions = {
    serverMemoryMbPerMin: o.read("serverMemoryMbPerMin", limit, DEFAULTS.serverMemoryMbPerMin),
    clientRssMbPerMin: o.read("clientRssMbPerMin", limit, DEFAULTS.clientRssMbPerMin),
    p99GrowthPercent: o.read("p99GrowthPercent", limit, DEFAULTS.p99GrowthPercent),
    throughputDropPercent: o.read("throughputDropPercent", limit, DEFAULTS.throughputDropPercent),
    minDurationMs: o.read("minDuration", durationRule(true), DEFAULTS.minDurationMs),
    sampleEveryMs: o.read("sampleEvery", durationRule(false, 60_000), DEFAULTS.sampleEveryMs),
  };
  return o.problems.length > 0
    ? { ok: false, problems: o.problems }
    : { ok: true, check: new DriftCheck(options) };
}

export class DriftCheck implements ScenarioCheck {
  readonly kind = "drift";
  private timer: NodeJS.Timeout | undefined;
  private startMs = 0;
  /** Client RSS samples: seconds since the measured part started, bytes. */
  private readonly rss: { tS: number; bytes: number }[] = [];
  private result: RunResult | undefined;

  constructor(private readonly options: DriftOptions) {}

  managedServerArgs(): string[] {
    return [];
  }

  async beforeLoad(): Promise<void> {}

  onMeasureStart(startEpochMs: number): void {
    this.startMs = startEpochMs;
    const sample = () => {
      const tS = (Date.now() - this.startMs) / 1000;
      if (tS >= 0) this.rss.push({ tS, bytes: process.memoryUsage.rss() });
    };
    this.timer = setInterval(sample, this.options.sampleEveryMs);
    this.timer.unref();
  }

  async stopLoad(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  sentCommands(): Record<string, { sent: number; completed: number }> {
    return {};
  }

  async afterLoad(): Promise<void> {}

  onResult(result: RunResult): void {
    this.result = result;
  }

  report(): CheckReport {
    const result = this.result;
    const o = this.options;
    const durationS = (result?.durationMs ?? 0) / 1000;
    const settled = <T extends { tS: number }>(points: T[]) =>
      points.filter((p) => p.tS >= durationS * SETTLE_FRACTION);
    const server = settled(result?.serverSeries ?? []).flatMap((s) =>
      s.usedMemoryBytes !== undefined ? [{ tS: s.tS, value: s.usedMemoryBytes / MB }] : [],
    );
    const client = settled(this.rss).map((s) => ({ tS: s.tS, value: s.bytes / MB }));
    // The last point is the run's final, partial interval (often a fraction of a second): not a trend.
    const series = (result?.series ?? []).filter((p) => p.ops > 0).slice(0, -1);
    const third = Math.floor(series.length / 3);
    const first = series.slice(0, third);
    const last = series.slice(series.length - third);
    // In open loop the rate asked may change by design (stages): throughput is judged as the share
    // of the asked rate achieved, in closed loop as ops/s.
    const throughput = (p: (typeof series)[number]) =>
      p.targetRate !== undefined && p.targetRate > 0 ? (p.opsPerSec / p.targetRate) * 100 : p.opsPerSec;
    const p99First = third > 0 ? median(first.map((p) => p.p99Ms)) : undefined;
    const p99Last = third > 0 ? median(last.map((p) => p.p99Ms)) : undefined;
    const opsFirst = third > 0 ? median(first.map((p) => p.opsPerSec)) : undefined;
    const opsLast = third > 0 ? median(last.map((p) => p.opsPerSec)) : undefined;
    const shareFirst = third > 0 ? median(first.map(throughput)) : undefined;
    const shareLast = third > 0 ? median(last.map(throughput)) : undefined;
    const figures = {
      judgedOverS: round(durationS * (1 - SETTLE_FRACTION)),
      serverMemoryMbPerMin: roundOrNull(slopePerMinute(server)),
      clientRssMbPerMin: roundOrNull(slopePerMinute(client)),
      p99FirstThirdMs: roundOrNull(p99First),
      p99LastThirdMs: roundOrNull(p99Last),
      p99GrowthPercent: roundOrNull(percentChange(p99First, p99Last)),
      opsPerSecFirstThird: roundOrNull(opsFirst),
      opsPerSecLastThird: roundOrNull(opsLast),
      throughputDropPercent: roundOrNull(
        shareFirst !== undefined && shareLast !== undefined
          ? -percentChange(shareFirst, shareLast)!
          : undefined,
      ),
    };
    if (durationS * 1000 < o.minDurationMs) {
      return checkReport(
        this.kind,
        [],
        `not judged: the run lasted ${round(durationS)} s, drift is judged on runs of at least ${o.minDurationMs / 1000} s (check.minDuration)`,
        figures,
      );
    }
    const problems: string[] = [];
    const over = (value: number | null, limit: number, what: string, unit: string) => {
      if (value !== null && value > limit)
        problems.push(`${what} ${value} ${unit}, above the limit of ${limit}`);
    };
    over(figures.serverMemoryMbPerMin, o.serverMemoryMbPerMin, "server memory grew", "MB/min");
    over(figures.clientRssMbPerMin, o.clientRssMbPerMin, "client RSS grew", "MB/min");
    over(figures.p99GrowthPercent, o.p99GrowthPercent, "p99 rose", "% from the first to the last third");
    over(
      figures.throughputDropPercent,
      o.throughputDropPercent,
      "throughput fell",
      "% from the first to the last third",
    );
    const summary =
      problems.length === 0
        ? `no drift over ${figures.judgedOverS} s: memory, RSS, p99 and throughput within their limits`
        : `drift over ${figures.judgedOverS} s`;
    return checkReport(this.kind, problems, summary, figures);
  }

  async close(): Promise<void> {
    await this.stopLoad();
  }
}

function percentChange(from: number | undefined, to: number | undefined): number | undefined {
  if (from === undefined || to === undefined || from <= 0) return undefined;
  return ((to - from) / from) * 100;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function roundOrNull(n: number | undefined): number | null {
  return n === undefined || !Number.isFinite(n) ? null : round(n);
}
