import { commandLabels } from "../config/command-template.js";
import { shareOf } from "../config/shard-share.js";
import type { RunConfig, Stage } from "../config/types.js";
import { redactConfig } from "../core/redact.js";
import type { ConnectionTarget } from "../engine/load-connection.js";
import type { Topology } from "../engine/topology.js";
import { computeAvailability, outageThresholdMs } from "../measure/availability.js";
import { engineGcFigures, type GcFigures } from "../measure/gc-counter.js";
import { encodeHistogram, type LatencyHistogram } from "../measure/histogram.js";
import { buildHitGroups } from "../measure/hit-groups.js";
import { type PhaseTotals, summarizeMs } from "../measure/phase-totals.js";
import type { SuccessTimeline } from "../measure/thread-recorder.js";
import { checkCounts, type ServerCommandCounts, type ToolCommandCounts } from "../result/count-check.js";
import { RESULT_SCHEMA_VERSION, type RunResult, type SeriesPoint } from "../result/result-types.js";
import { evaluateThresholds, type ThresholdSource } from "../result/thresholds.js";
import { meanRate } from "../workload/load-profile.js";
import { poolPoint } from "./pool-point.js";
import { routingResult } from "./routing-result.js";
import type { TopologyChange } from "./topology-watch.js";
import { TOOL_VERSION } from "./version.js";

/** Everything the phases measured, before it becomes a RunResult. */
export interface MeasuredRun {
  stages: Stage[] | undefined;
  commandNames: string[];
  /** The measured phase. */
  totals: PhaseTotals;
  /**
   * One point per interval, built when the interval ends. The interval's histograms are not kept:
   * at ~0.3 MB a second they were most of a long run's memory (an hour's run grew by 22 MB/min).
   */
  series: SeriesPoint[];
  /** Length of the measured phase, ms. */
  durationMs: number;
  stopped: boolean;
  targetLost: boolean;
  /** When the measured part started, epoch ms (undefined when it never started). */
  measureStartEpochMs?: number;
  /** Each engine thread's successful replies over the measured part (availability). */
  successTimelines?: SuccessTimeline[];
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** The engine threads' garbage collections during the measured part. */
  engineGc?: GcFigures;
  phases: {
    warmup?: { ops: number; durationMs: number; totals: PhaseTotals };
    prefill?: { ops: number; durationMs: number; totals: PhaseTotals };
  };
}

export interface ResultInputs {
  config: RunConfig;
  measured: MeasuredRun;
  startedAt: Date;
  endedAt: Date;
  target: { displayUrl: string; connection: ConnectionTarget; managed: boolean };
  serverVersion?: string;
  countsBefore?: ServerCommandCounts;
  countsAfter?: ServerCommandCounts;
  cleanup: RunResult["cleanup"];
  /** Cluster or replicas, as last read. */
  topology?: Topology;
  topologyChanges?: TopologyChange[];
  /** Commands a scenario check sent itself while the load ran (src/scenario-checks), for the count check. */
  checkSent?: ToolCommandCounts;
}

export function buildResult(inputs: ResultInputs): RunResult {
  const { config, measured } = inputs;
  const totals = measured.totals;
  const seconds = measured.durationMs / 1000;
  const perSecond = (n: number) => (seconds > 0 ? round1(n / seconds) : 0);
  const openLoop = measured.stages !== undefined;
  const overall = totals.overallLatency();
  const overallService = openLoop ? totals.overallServiceTime() : undefined;

  const perCommand: RunResult["perCommand"] = {};
  const latencyUs: Record<string, string> = { all: encodeHistogram(overall) };
  const serviceTimeUs: Record<string, string> = {};
  if (overallService !== undefined) serviceTimeUs.all = encodeHistogram(overallService);
  totals.commandNames.forEach((name, c) => {
    perCommand[name] = {
      ops: totals.ops[c],
      opsPerSec: perSecond(totals.ops[c]),
      errors: totals.errorReplies[c],
      latency: summarizeMs(totals.latency[c]),
      serviceTime: openLoop ? summarizeMs(totals.serviceTime[c]) : undefined,
    };
    latencyUs[name] = encodeHistogram(totals.latency[c]);
    if (openLoop) serviceTimeUs[name] = encodeHistogram(totals.serviceTime[c]);
  });

  const countCheck = checkCounts(
    inputs.countsBefore,
    inputs.countsAfter,
    addCounts(toolCounts(measured, config), inputs.checkSent),
  );
  // Warnings are for what has no field of its own: the count check, the cleanup error and late
  // starts are in countCheck, cleanup and openLoop, and every renderer shows them from there.
  const warnings: string[] = [];
  if (measured.targetLost)
    warnings.push("every connection to the target was down for more than 5 s; the run ended early");

  const availability = runAvailability(measured, totals);
  const thresholds = evaluateThresholds(
    config.thresholds,
    thresholdSource(totals, seconds, availability?.availabilityPercent),
  );
  const verdictReasons = failuresBeyondThresholds(measured, totals, availability);
  const errorNote = unjudgedErrors(config.thresholds, totals);
  if (errorNote !== undefined) warnings.push(errorNote);
  const series = measured.series;
  const lag = summarizeMs(totals.scheduleLag);
  const { connection } = inputs.target;

  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: "cachestress", version: TOOL_VERSION },
    scenario: config.scenario,
    env: config.env,
    status: measured.targetLost ? "failed" : measured.stopped ? "stopped" : "completed",
    stopReason: measured.targetLost ? "target lost" : measured.stopped ? "interrupted (signal)" : undefined,
    startedAt: inputs.startedAt.toISOString(),
    endedAt: inputs.endedAt.toISOString(),
    durationMs: Math.round(measured.durationMs),
    mode: openLoop ? "open-loop" : "closed-loop",
    target: {
      url: inputs.target.displayUrl,
      host: connection.host,
      port: connection.port,
      db: connection.db,
      tls: connection.tls,
      topology: inputs.topology?.kind === "cluster" ? "cluster" : "standalone",
      managed: inputs.target.managed,
      serverVersion: inputs.serverVersion,
    },
    config: redactConfig(config),
    totals: {
      ops: totals.totalOps,
      opsPerSec: perSecond(totals.totalOps),
      errors: totals.totalErrors,
      errorsByKind: totals.errorsByKind,
      timeouts: totals.timeouts,
      reconnects: totals.reconnects,
      sent: totals.totalSent,
    },
    latency: summarizeMs(overall),
    serviceTime: overallService !== undefined ? summarizeMs(overallService) : undefined,
    perCommand,
    openLoop: openLoop
      ? {
          targetRate: round1(meanRate(measured.stages!, config.seed)),
          lateStarts: totals.lateStarts,
          scheduleLagMs: { p50: lag.p50, p99: lag.p99, max: lag.max },
          eventLoopDelayMs: measured.eventLoopDelayMs,
        }
      : undefined,
    engineGc:
      measured.engineGc &&
      engineGcFigures(measured.engineGc, totals.totalSent > 0 ? totals.totalSent : totals.totalOps),
    phases: {
      warmup: measured.phases.warmup && {
        ops: measured.phases.warmup.ops,
        durationMs: Math.round(measured.phases.warmup.durationMs),
      },
      prefill: measured.phases.prefill && {
        ops: measured.phases.prefill.ops,
        durationMs: Math.round(measured.phases.prefill.durationMs),
      },
    },
    series,
    thresholds,
    verdict: thresholds.every((t) => t.ok) && verdictReasons.length === 0 ? "pass" : "fail",
    ...(verdictReasons.length > 0 && { verdictReasons }),
    countCheck,
    histograms: { latencyUs, serviceTimeUs: openLoop ? serviceTimeUs : undefined },
    cleanup: inputs.cleanup,
    warnings,
    ...routingResult(
      totals,
      seconds,
      measured.measureStartEpochMs,
      inputs.topology,
      inputs.topologyChanges ?? [],
    ),
    ...(availability !== undefined && { availability }),
    ...hitGroupsOf(config, totals),
  };
}

/** Hit ratio per key namespace and popularity group (src/measure/hit-groups.ts), when there are reads. */
function hitGroupsOf(config: RunConfig, totals: MeasuredRun["totals"]): Pick<RunResult, "hitGroups"> {
  const hitGroups = buildHitGroups(config, totals, shareOf(config).measureKeys?.count);
  return hitGroups !== undefined ? { hitGroups } : {};
}

/**
 * The measured part's availability: the outages when no thread got a successful reply (from each
 * thread's timeline), or, when there was none, the longest gap any one thread saw (under a second).
 */
function runAvailability(measured: MeasuredRun, totals: PhaseTotals): RunResult["availability"] {
  const start = measured.measureStartEpochMs;
  if (start === undefined || measured.successTimelines === undefined) return undefined;
  const end = start + measured.durationMs;
  const targetRate = measured.stages !== undefined ? meanRate(measured.stages, 0) : undefined;
  const figures = computeAvailability(measured.successTimelines, start, end, outageThresholdMs(targetRate));
  const toS = (ms: number) => Math.round((ms - start) / 100) / 10;
  const longest = figures.outages.reduce<{ fromMs: number; toMs: number } | undefined>(
    (best, o) => (best === undefined || o.toMs - o.fromMs > best.toMs - best.fromMs ? o : best),
    undefined,
  );
  const gap = longest ?? totals.longestGap ?? { fromMs: start, toMs: start };
  return {
    longestGapMs: Math.round(gap.toMs - gap.fromMs),
    fromS: toS(gap.fromMs),
    toS: toS(gap.toMs),
    unavailableMs: figures.unavailableMs,
    availabilityPercent: figures.availabilityPercent,
    outages: figures.outages.map((o) => ({
      fromS: toS(o.fromMs),
      toS: toS(o.toMs),
      durationMs: Math.round(o.toMs - o.fromMs),
    })),
    outageMinMs: figures.outageMinMs,
  };
}

/**
 * What fails a run whatever its thresholds say: a target lost for good, and a run in which no
 * operation succeeded (every reply an error, or no reply at all): such a run measured nothing a
 * threshold could pass on.
 */
function failuresBeyondThresholds(
  measured: MeasuredRun,
  totals: PhaseTotals,
  availability: RunResult["availability"],
): string[] {
  const reasons: string[] = [];
  if (measured.targetLost)
    reasons.push("the target was lost: every connection was down for more than 5 s and the run ended early");
  if (measured.measureStartEpochMs === undefined) return reasons;
  const attempted = totals.totalOps + totals.timeouts + totals.aborted;
  const succeeded = totals.totalOps - totals.totalErrorReplies;
  if (succeeded <= 0) {
    const kinds = topKinds(totals.errorsByKind);
    reasons.push(
      attempted > 0
        ? `no operation succeeded: all ${attempted} failed${kinds !== "" ? ` (${kinds})` : ""}`
        : "no operation succeeded: none got a reply",
    );
  } else if (!measured.targetLost && availability !== undefined) {
    // An outage that reached the end of the run: the target was gone when the run ended.
    const last = availability.outages?.at(-1);
    if (last !== undefined && Math.abs(last.toS - measured.durationMs / 1000) < 0.15)
      reasons.push(
        `the target stopped answering at ${last.fromS} s and had not come back when the run ended at ${last.toS} s`,
      );
  }
  return reasons;
}

/**
 * Errors stay visible without an `errors` threshold: a run with failed operations and no threshold
 * on them says how many failed and how to judge them.
 */
function unjudgedErrors(thresholds: readonly string[], totals: PhaseTotals): string | undefined {
  if (totals.totalErrors === 0) return undefined;
  if (thresholds.some((t) => /^\s*errors/i.test(t))) return undefined;
  const attempted = totals.totalOps + totals.timeouts + totals.aborted;
  const percent = attempted > 0 ? Math.round((totals.totalErrors / attempted) * 10000) / 100 : 0;
  const kinds = topKinds(totals.errorsByKind);
  return (
    `${totals.totalErrors} operations failed (${percent} %${kinds !== "" ? `: ${kinds}` : ""}) and no threshold ` +
    "judges errors; add --threshold 'errors<1%' to fail the run on them"
  );
}

/** The three most frequent error kinds, `NOPERM 120, timeout 3`. */
function topKinds(byKind: Record<string, number>): string {
  return Object.entries(byKind)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
}

/**
 * Sent and replied per command over every phase, since the server counts them all. Warmup and
 * measure know commands by their labels (two HSET templates are HSET and HSET-2): they are added up
 * under the command name the server counts them by. Prefill sends SET only.
 */
function toolCounts(measured: MeasuredRun, config: RunConfig): ToolCommandCounts {
  const labels = commandLabels(config.commands);
  const serverName = new Map(labels.map((label, i) => [label, config.commands[i].name]));
  const counts: ToolCommandCounts = {};
  const addPhase = (totals: PhaseTotals | undefined, byLabel = true) => {
    if (totals === undefined) return;
    totals.commandNames.forEach((label, c) => {
      const name = (byLabel ? serverName.get(label) : undefined) ?? label;
      const entry = counts[name] ?? { sent: 0, completed: 0 };
      entry.sent += totals.sent[c];
      // A redirected command (MOVED, ASK...) was answered and counted by the server as a rejected call.
      entry.completed += totals.ops[c] + totals.redirectReplies[c];
      counts[name] = entry;
    });
  };
  addPhase(measured.phases.prefill?.totals, false);
  addPhase(measured.phases.warmup?.totals);
  addPhase(measured.totals);
  return counts;
}

export function seriesPoint(
  interval: PhaseTotals,
  tS: number,
  spanS: number,
  targetRate: number | undefined,
): SeriesPoint {
  const overall = summarizeMs(interval.overallLatency());
  const perCommand: SeriesPoint["perCommand"] = {};
  interval.commandNames.forEach((name, c) => {
    const s = summarizeMs(interval.latency[c]);
    perCommand[name] = { ops: interval.ops[c], p50Ms: s.p50, p99Ms: s.p99 };
    if (interval.serviceTime[c].totalCount > 0)
      perCommand[name].serviceP99Ms = summarizeMs(interval.serviceTime[c]).p99;
  });
  const point: SeriesPoint = {
    tS,
    ops: interval.totalOps,
    opsPerSec: spanS > 0 ? round1(interval.totalOps / spanS) : 0,
    errors: interval.totalErrors,
    timeouts: interval.timeouts,
    targetRate: targetRate !== undefined ? round1(targetRate) : undefined,
    p50Ms: overall.p50,
    p99Ms: overall.p99,
    maxMs: overall.max,
    perCommand,
  };
  // Written only when there is something to say, so a quiet run's series stays small.
  if (interval.totalErrorReplies > 0) point.errorReplies = interval.totalErrorReplies;
  if (Object.keys(interval.errorsByKind).length > 0) point.errorsByKind = { ...interval.errorsByKind };
  if (interval.reconnects > 0) point.reconnects = interval.reconnects;
  if (interval.connectionErrors > 0) point.connectionErrors = interval.connectionErrors;
  if (interval.connectionErrors > 0 || interval.totalOps === 0) point.connectionsUp = interval.connectionsUp;
  point.pool = poolPoint(interval, spanS);
  // Open loop: service time (from the actual send) beside latency, for the HTML report's chart.
  const service = interval.overallServiceTime();
  if (service.totalCount > 0) {
    const s = summarizeMs(service);
    point.serviceP50Ms = s.p50;
    point.serviceP99Ms = s.p99;
  }
  return point;
}

/** Thresholds read the measured phase; `ops` counts every finished operation including failures. */
function thresholdSource(
  totals: PhaseTotals,
  seconds: number,
  availabilityPercent: number | undefined,
): ThresholdSource {
  const index = (cmd?: string) => (cmd === undefined ? -1 : totals.commandNames.indexOf(cmd.toUpperCase()));
  const histogram = (cmd?: string): LatencyHistogram | undefined => {
    if (cmd === undefined) return totals.overallLatency();
    const c = index(cmd);
    return c >= 0 ? totals.latency[c] : undefined;
  };
  const ms = (f: (h: LatencyHistogram) => number) => (cmd?: string) => {
    const h = histogram(cmd);
    return h === undefined || h.totalCount === 0 ? 0 : f(h) / 1000;
  };
  const ops = (cmd?: string) => {
    if (cmd === undefined) return totals.totalOps + totals.timeouts + totals.aborted;
    const c = index(cmd);
    return c >= 0 ? totals.ops[c] : 0;
  };
  return {
    percentileMs: (p, cmd) => ms((h) => h.getValueAtPercentile(p))(cmd),
    meanMs: ms((h) => h.mean),
    maxMs: ms((h) => h.maxValue),
    minMs: ms((h) => h.minNonZeroValue),
    ops,
    errors: (cmd) => {
      if (cmd === undefined) return totals.totalErrors;
      const c = index(cmd);
      return c >= 0 ? totals.errorReplies[c] : 0;
    },
    timeouts: () => totals.timeouts,
    availabilityPercent: () => availabilityPercent ?? 100,
    opsPerSec: (cmd) => (seconds > 0 ? ops(cmd) / seconds : 0),
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The load's counts plus a scenario check's own commands. */
function addCounts(tool: ToolCommandCounts, extra: ToolCommandCounts | undefined): ToolCommandCounts {
  if (extra === undefined) return tool;
  const sum: ToolCommandCounts = { ...tool };
  for (const [name, c] of Object.entries(extra)) {
    const t = sum[name] ?? { sent: 0, completed: 0 };
    sum[name] = { sent: t.sent + c.sent, completed: t.completed + c.completed };
  }
  return sum;
}
