import { formatCount, formatDurationMs, formatMs, formatRate, NO_VALUE } from "./format.js";

/**
 * What the live progress line shows, sampled once per interval by the runner. Latencies are for
 * the last interval only (not cumulative), so a slowdown shows up at once instead of being
 * averaged away by the healthy seconds before it.
 */
export interface ProgressSnapshot {
  /** Time since the current phase started, ms. */
  elapsedMs: number;
  /** Planned length of the current phase, ms; undefined when it ends on a request count or a prefill. */
  totalMs?: number;
  /** Throughput over the last interval, ops/s. */
  opsPerSec: number;
  /** Last interval's median latency, ms. */
  p50Ms: number;
  /** Last interval's p99 latency, ms. */
  p99Ms: number;
  /** Cumulative over the phase. */
  errors: number;
  /** Cumulative over the phase. */
  timeouts: number;
  /** Open loop: the rate the profile asks for right now, ops/s. */
  targetRate?: number;
  phase: "warmup" | "prefill" | "measure" | "drain";
  /** From the latest server sample: used memory as % of maxmemory (absent without a limit). */
  memoryUsedPercent?: number;
  /** From the latest server sample: keyspace hit ratio over its interval, 0..1. */
  hitRatio?: number;
}

/**
 * A one-line status such as
 * `[measure] 12s/30s  52,310 ops/s  p50 0.91ms  p99 2.40ms  errors 0  timeouts 0  (18s left)`.
 * It has no trailing newline and no colour: the CLI decides how to redraw it (`\r` on a TTY,
 * nothing at all when stderr is a file).
 */
export function renderProgressLine(p: ProgressSnapshot): string {
  const parts: string[] = [`[${p.phase}] ${progressClock(p.elapsedMs, p.totalMs)}`];

  // In open loop, showing the achieved rate beside the asked one makes falling behind obvious.
  const rate =
    p.targetRate === undefined
      ? `${formatRate(p.opsPerSec)} ops/s`
      : `${formatRate(p.opsPerSec)}/${formatRate(p.targetRate)} ops/s`;
  parts.push(rate);
  parts.push(`p50 ${progressMs(p.p50Ms)}`);
  parts.push(`p99 ${progressMs(p.p99Ms)}`);
  parts.push(`errors ${formatCount(p.errors)}`);
  parts.push(`timeouts ${formatCount(p.timeouts)}`);
  if (p.memoryUsedPercent !== undefined) parts.push(`mem ${p.memoryUsedPercent.toFixed(0)}%`);
  if (p.hitRatio !== undefined) parts.push(`hit ${(p.hitRatio * 100).toFixed(0)}%`);

  if (p.totalMs !== undefined && Number.isFinite(p.totalMs)) {
    const leftMs = Math.max(0, p.totalMs - p.elapsedMs);
    parts.push(`(${wholeSeconds(leftMs, "ceil")} left)`);
  }
  return parts.join("  ");
}

/** `12s/30s` with a known length, `12s` without one. */
function progressClock(elapsedMs: number, totalMs: number | undefined): string {
  const elapsed = wholeSeconds(elapsedMs, "floor");
  if (totalMs === undefined || !Number.isFinite(totalMs)) return elapsed;
  return `${elapsed}/${wholeSeconds(totalMs, "ceil")}`;
}

/**
 * Whole seconds only: a tenth-of-a-second digit would change on every redraw and make the line
 * jitter. Elapsed rounds down and remaining rounds up, so the two never claim a second twice.
 */
function wholeSeconds(ms: number, rounding: "floor" | "ceil"): string {
  if (!Number.isFinite(ms) || ms < 0) return NO_VALUE;
  const s = rounding === "floor" ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
  return s < 60 ? `${s}s` : formatDurationMs(s * 1000);
}

/**
 * Two decimals below 100 ms (`0.91ms`, `2.40ms`) keep the width of the field steady from one
 * second to the next; larger values fall back to the report format.
 */
function progressMs(ms: number): string {
  if (!Number.isFinite(ms)) return NO_VALUE;
  return Math.abs(ms) < 100 ? `${ms.toFixed(2)}ms` : `${formatMs(ms)}ms`;
}
