import { addGc, engineGcFigures } from "../measure/gc-counter.js";
import type { LatencyHistogram } from "../measure/histogram.js";
import { summarizeMs } from "../measure/phase-totals.js";
import { RESULT_SCHEMA_VERSION, type RunResult, type ShardSummary } from "../result/result-types.js";
import { evaluateThresholds, type ThresholdSource } from "../result/thresholds.js";
import { checkShardSet } from "./check-shards.js";
import { mergedCountCheck } from "./merge-counts.js";
import { MergeInputError } from "./merge-error.js";
import { mergeSeries } from "./merge-series.js";
import { encodeAll, mergeHistograms } from "./merged-histograms.js";
import type { ShardInput } from "./read-results.js";

/** Shards whose measured parts started further apart than this get a warning in the merged result, ms. */
const START_SPREAD_WARN_MS = 1000;

/**
 * One result from the results of all shards of a run (docs/sharding.md): histograms and counts add
 * exactly, rates add (each shard's own ops/s, so shards that started a little apart are not
 * averaged over each other's idle time), the series is aligned by wall-clock second, thresholds are
 * evaluated on the merged numbers, and the count check covers every shard against the server.
 * Throws MergeInputError listing every reason the set is not one complete run.
 */
export function mergeShardResults(inputs: readonly ShardInput[], toolVersion: string): RunResult {
  const problems = checkShardSet(inputs);
  if (problems.length > 0) throw new MergeInputError(problems);
  const sorted = [...inputs].sort((a, b) => a.result.shard!.index - b.result.shard!.index);
  const shards = sorted.map((s) => s.result);
  const first = shards[0];
  const openLoop = first.mode === "open-loop";

  const histograms = mergeHistograms(shards);
  const names = Object.keys(first.perCommand);
  const sum = (f: (r: RunResult) => number) => shards.reduce((total, r) => total + f(r), 0);
  const max = (f: (r: RunResult) => number) => Math.max(...shards.map(f));
  const rate = (f: (r: RunResult) => number) => round1(sum((r) => perSecond(f(r), r.durationMs)));

  const perCommand: RunResult["perCommand"] = {};
  for (const name of names) {
    const latency = histograms.latency[name];
    const service = histograms.serviceTime?.[name];
    perCommand[name] = {
      ops: sum((r) => r.perCommand[name]?.ops ?? 0),
      opsPerSec: rate((r) => r.perCommand[name]?.ops ?? 0),
      errors: sum((r) => r.perCommand[name]?.errors ?? 0),
      latency: summarizeMs(latency),
      serviceTime: openLoop && service !== undefined ? summarizeMs(service) : undefined,
    };
  }
  const errorsByKind: Record<string, number> = {};
  for (const r of shards) {
    for (const [kind, n] of Object.entries(r.totals.errorsByKind))
      errorsByKind[kind] = (errorsByKind[kind] ?? 0) + n;
  }
  const totals: RunResult["totals"] = {
    ops: sum((r) => r.totals.ops),
    opsPerSec: rate((r) => r.totals.ops),
    errors: sum((r) => r.totals.errors),
    errorsByKind,
    timeouts: sum((r) => r.totals.timeouts),
    reconnects: sum((r) => r.totals.reconnects),
    sent: sum((r) => r.totals.sent),
  };

  const starts = shards.map((r) => r.shard!.measureStartEpochMs);
  const known = starts.every((s) => s !== undefined);
  const originMs = known ? Math.min(...(starts as number[])) : 0;
  const durationMs = known
    ? Math.round(max((r) => r.shard!.measureStartEpochMs! + r.durationMs) - originMs)
    : max((r) => r.durationMs);

  const config = structuredClone(first.config);
  delete config.shard;
  const thresholds = evaluateThresholds(config.thresholds, mergedSource(shards, histograms.latency));
  const failed = shards.find((r) => r.status === "failed");
  const stopped = shards.find((r) => r.status === "stopped");
  const reasons = shards.filter((r) => r.stopReason).map((r) => `shard ${r.shard!.index}: ${r.stopReason}`);
  const warnings = shards.flatMap((r) =>
    r.warnings.map((w) => `shard ${r.shard!.index}/${r.shard!.count}: ${w}`),
  );
  if (known) {
    const spreadMs = Math.max(...(starts as number[])) - originMs;
    if (spreadMs > START_SPREAD_WARN_MS) {
      warnings.push(
        `the shards' measured parts started up to ${(spreadMs / 1000).toFixed(1)} s apart, so they did not all run at once the whole time; ops/s adds each shard's own rate`,
      );
    }
  }
  const withServer = shards.find((r) => r.serverSeries !== undefined && r.serverSeries.length > 0);
  const withAudit = shards.find((r) => r.audit !== undefined);

  const merged: RunResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: "cachestress", version: toolVersion },
    scenario: first.scenario,
    env: first.env,
    status: failed ? "failed" : stopped ? "stopped" : "completed",
    stopReason: reasons.length > 0 ? reasons.join("; ") : undefined,
    startedAt: new Date(Math.min(...shards.map((r) => Date.parse(r.startedAt)))).toISOString(),
    endedAt: new Date(Math.max(...shards.map((r) => Date.parse(r.endedAt)))).toISOString(),
    durationMs,
    mode: first.mode,
    target: first.target,
    config,
    totals,
    latency: summarizeMs(histograms.latency.all),
    serviceTime:
      openLoop && histograms.serviceTime?.all ? summarizeMs(histograms.serviceTime.all) : undefined,
    perCommand,
    openLoop: openLoop ? mergeOpenLoop(shards) : undefined,
    engineGc: mergeEngineGc(shards),
    phases: {
      warmup: mergePhase(shards.map((r) => r.phases.warmup)),
      prefill: mergePhase(shards.map((r) => r.phases.prefill)),
    },
    series: mergeSeries(
      shards.map((r) => ({ series: r.series, measureStartEpochMs: r.shard!.measureStartEpochMs })),
    ),
    thresholds,
    verdict: thresholds.every((t) => t.ok) ? "pass" : "fail",
    countCheck: mergedCountCheck(shards),
    histograms: {
      latencyUs: encodeAll(histograms.latency),
      serviceTimeUs: openLoop && histograms.serviceTime ? encodeAll(histograms.serviceTime) : undefined,
    },
    cleanup: {
      prefix: config.prefix,
      keysDeleted: 0,
      kept: true,
      note: config.keepKeys
        ? "--keep-keys"
        : "not deleted yet: `cachestress merge ... --cleanup-url URL` deletes them",
    },
    warnings,
    shards: sorted.map((s) => shardSummary(s)),
  };
  // Every shard sampled the same server; the lowest-numbered shard's samples stand for it.
  if (withServer !== undefined) merged.serverSeries = withServer.serverSeries;
  if (withAudit !== undefined) merged.audit = withAudit.audit;
  return merged;
}

function shardSummary({ file, result: r }: ShardInput): ShardSummary {
  return {
    index: r.shard!.index,
    count: r.shard!.count,
    file,
    status: r.status,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: r.durationMs,
    connections: r.shard!.connections,
    sent: r.totals.sent,
    ops: r.totals.ops,
    opsPerSec: r.totals.opsPerSec,
    errors: r.totals.errors,
    p99Ms: r.latency.p99,
  };
}

/** Schedule lag and event-loop delay are the worst shard's: no histogram of them is in the result. */
function mergeOpenLoop(shards: readonly RunResult[]): RunResult["openLoop"] {
  const loops = shards.map((r) => r.openLoop).filter((o) => o !== undefined);
  const worst = (f: (o: NonNullable<RunResult["openLoop"]>) => number) => Math.max(...loops.map(f));
  return {
    targetRate: round1(loops.reduce((total, o) => total + o.targetRate, 0)),
    lateStarts: loops.reduce((total, o) => total + o.lateStarts, 0),
    scheduleLagMs: {
      p50: worst((o) => o.scheduleLagMs.p50),
      p99: worst((o) => o.scheduleLagMs.p99),
      max: worst((o) => o.scheduleLagMs.max),
    },
    eventLoopDelayMs: {
      p50: worst((o) => o.eventLoopDelayMs.p50),
      p99: worst((o) => o.eventLoopDelayMs.p99),
      max: worst((o) => o.eventLoopDelayMs.max),
    },
  };
}

function mergePhase(
  phases: ({ ops: number; durationMs: number } | undefined)[],
): { ops: number; durationMs: number } | undefined {
  const present = phases.filter((p) => p !== undefined);
  if (present.length === 0) return undefined;
  return {
    ops: present.reduce((total, p) => total + p.ops, 0),
    durationMs: Math.max(...present.map((p) => p.durationMs)),
  };
}

/**
 * Thresholds read the merged histograms and summed counts, as a single run's read its own. `ops`
 * for the whole run counts replies, timeouts and operations lost with a connection, like a single
 * run; a rate is the sum of the shards' own rates.
 */
function mergedSource(
  shards: readonly RunResult[],
  latency: Record<string, LatencyHistogram>,
): ThresholdSource {
  const histogram = (cmd?: string) => latency[cmd === undefined ? "all" : cmd.toUpperCase()];
  const ms = (f: (h: LatencyHistogram) => number) => (cmd?: string) => {
    const h = histogram(cmd);
    return h === undefined || h.totalCount === 0 ? 0 : f(h) / 1000;
  };
  const opsOf = (r: RunResult, cmd?: string): number => {
    if (cmd !== undefined) return r.perCommand[cmd.toUpperCase()]?.ops ?? 0;
    const errorReplies = Object.values(r.perCommand).reduce((total, c) => total + c.errors, 0);
    // totals.errors = error replies + timeouts + lost operations, and those two latter got no reply.
    return r.totals.ops + r.totals.errors - errorReplies;
  };
  const sum = (f: (r: RunResult) => number) => shards.reduce((total, r) => total + f(r), 0);
  return {
    percentileMs: (p, cmd) => ms((h) => h.getValueAtPercentile(p))(cmd),
    meanMs: ms((h) => h.mean),
    maxMs: ms((h) => h.maxValue),
    minMs: ms((h) => h.minNonZeroValue),
    ops: (cmd) => sum((r) => opsOf(r, cmd)),
    errors: (cmd) =>
      sum((r) => (cmd === undefined ? r.totals.errors : (r.perCommand[cmd.toUpperCase()]?.errors ?? 0))),
    timeouts: () => sum((r) => r.totals.timeouts),
    opsPerSec: (cmd) => sum((r) => perSecond(opsOf(r, cmd), r.durationMs)),
    // The shards measured the same server: the worst shard's figure, never a better one than seen.
    availabilityPercent: () =>
      Math.min(100, ...shards.map((r) => r.availability?.availabilityPercent ?? 100)),
  };
}

function perSecond(count: number, durationMs: number): number {
  return durationMs > 0 ? count / (durationMs / 1000) : 0;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The shards' engine collections together, per million of the sends of the shards that counted them. */
function mergeEngineGc(shards: readonly RunResult[]): RunResult["engineGc"] {
  const counted = shards.filter((r) => r.engineGc !== undefined);
  if (counted.length === 0) return undefined;
  const sent = counted.reduce((total, r) => total + (r.totals.sent > 0 ? r.totals.sent : r.totals.ops), 0);
  return engineGcFigures(addGc(counted.map((r) => r.engineGc!)), sent);
}
