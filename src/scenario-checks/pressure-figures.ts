import type { SeriesPoint } from "../result/result-types.js";
import type { MemorySample } from "./memory-sampler.js";

/** What the clients saw before the server was full and while it was (evicting or refusing writes). */
export interface PressureFigures {
  /** Seconds into the measured part when the first second under pressure began; null if none was. */
  pressureStartS: number | null;
  /** Seconds of the run's series with evictions or OOM error replies. */
  secondsUnderPressure: number;
  /** Median of the per-second p99 before pressure began, ms; null without such seconds. */
  p99BeforePressureMs: number | null;
  /** Median of the per-second p99 under pressure, ms. */
  p99UnderPressureMs: number | null;
  /** The slowest reply in a second under pressure, ms. */
  maxLatencyUnderPressureMs: number | null;
  /** Mean ops/s before pressure and under it. */
  opsPerSecBeforePressure: number | null;
  opsPerSecUnderPressure: number | null;
  /** Errors of every kind (OOM, timeouts, ...) in seconds under pressure. */
  errorsUnderPressure: number;
}

/**
 * Lines the run's per-second client series up with the check's own memory samples by time. A second
 * is "under pressure" when keys were evicted during it (by the samples) or the clients got OOM
 * replies in it: the two ways a full server shows, whatever its policy.
 */
export function pressureFigures(
  series: readonly SeriesPoint[],
  samples: readonly MemorySample[],
): PressureFigures {
  const before: SeriesPoint[] = [];
  const under: SeriesPoint[] = [];
  let pressureStartS: number | null = null;
  // Each point covers the time since the previous one (the first, since the measured part began).
  let fromS = 0;
  for (const point of series) {
    const evicted = evictedBy(samples, point.tS) - evictedBy(samples, fromS);
    const oom = point.errorsByKind?.OOM ?? 0;
    if (evicted > 0 || oom > 0) {
      pressureStartS ??= Math.max(0, Math.round(fromS * 1000) / 1000);
      under.push(point);
    } else if (pressureStartS === null) {
      before.push(point);
    }
    fromS = point.tS;
  }
  return {
    pressureStartS,
    secondsUnderPressure: under.length,
    p99BeforePressureMs: median(before.map((p) => p.p99Ms)),
    p99UnderPressureMs: median(under.map((p) => p.p99Ms)),
    maxLatencyUnderPressureMs: under.length > 0 ? Math.max(...under.map((p) => p.maxMs)) : null,
    opsPerSecBeforePressure: mean(before.map((p) => p.opsPerSec)),
    opsPerSecUnderPressure: mean(under.map((p) => p.opsPerSec)),
    errorsUnderPressure: under.reduce((sum, p) => sum + p.errors, 0),
  };
}

/** Keys evicted by time `tS`: the last sample at or before it (0 before the first). */
function evictedBy(samples: readonly MemorySample[], tS: number): number {
  let evicted = 0;
  for (const s of samples) {
    if (s.tS > tS) break;
    evicted = s.evictedKeys;
  }
  return evicted;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.round(m * 1000) / 1000;
}

function mean(values: number[]): number | null {
  if (values.length === 0) return null;
  return Math.round(values.reduce((a, b) => a + b, 0) / values.length);
}
