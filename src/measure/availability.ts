import { OUTAGE_MIN_MS, type SuccessTimeline } from "./thread-recorder.js";

/** A span of epoch ms. */
interface Span {
  fromMs: number;
  toMs: number;
}

/** When the target gave no successful reply at all, over the measured part of a run. */
export interface AvailabilityFigures {
  /** Time without any successful reply, summed over every outage, ms. */
  unavailableMs: number;
  /** 100 × (1 − unavailable / measured time); 100 when nothing was unavailable. */
  availabilityPercent: number;
  /** Each outage, epoch ms, in time order. */
  outages: Span[];
  /** A gap shorter than this between two successful replies is not an outage, ms. */
  outageMinMs: number;
}

/**
 * A gap counts as an outage from one second on, or from three times the mean spacing of the
 * operations a slow open-loop profile asks for (at 1 op/s a 1.2 s gap is the schedule, not an outage).
 */
export function outageThresholdMs(targetRate: number | undefined): number {
  if (targetRate === undefined || targetRate <= 0) return OUTAGE_MIN_MS;
  return Math.max(OUTAGE_MIN_MS, Math.ceil(3000 / targetRate));
}

/**
 * Intersects the threads' gaps in service: the target was unavailable only while no thread got a
 * successful reply. A thread's gaps include the start of the phase up to its first success and its
 * last success up to the end (a server that died and never came back), or the whole phase when it
 * never succeeded. Gaps under `outageMinMs` are dropped.
 */
export function computeAvailability(
  timelines: readonly SuccessTimeline[],
  startMs: number,
  endMs: number,
  outageMinMs: number = OUTAGE_MIN_MS,
): AvailabilityFigures {
  const spanMs = Math.max(0, endMs - startMs);
  let common: Span[] | undefined;
  for (const timeline of timelines) {
    const gaps = threadGaps(timeline, startMs, endMs, outageMinMs);
    common = common === undefined ? gaps : intersect(common, gaps);
    if (common.length === 0) break;
  }
  const outages = (common ?? []).filter((g) => g.toMs - g.fromMs >= outageMinMs);
  const unavailableMs = outages.reduce((sum, g) => sum + (g.toMs - g.fromMs), 0);
  const availabilityPercent = spanMs > 0 ? round3(100 * (1 - unavailableMs / spanMs)) : 100;
  return { unavailableMs: Math.round(unavailableMs), availabilityPercent, outages, outageMinMs };
}

function threadGaps(timeline: SuccessTimeline, startMs: number, endMs: number, minMs: number): Span[] {
  if (endMs <= startMs) return [];
  if (timeline.firstMs === 0) return [{ fromMs: startMs, toMs: endMs }];
  const gaps: Span[] = [];
  const push = (fromMs: number, toMs: number) => {
    const from = Math.max(fromMs, startMs);
    const to = Math.min(toMs, endMs);
    if (to - from >= minMs) gaps.push({ fromMs: from, toMs: to });
  };
  push(startMs, timeline.firstMs);
  for (const g of timeline.gaps) push(g.fromMs, g.toMs);
  push(timeline.lastMs, endMs);
  return gaps.sort((a, b) => a.fromMs - b.fromMs);
}

/** The overlap of two sorted lists of disjoint spans. */
function intersect(a: readonly Span[], b: readonly Span[]): Span[] {
  const out: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const fromMs = Math.max(a[i].fromMs, b[j].fromMs);
    const toMs = Math.min(a[i].toMs, b[j].toMs);
    if (toMs > fromMs) out.push({ fromMs, toMs });
    if (a[i].toMs < b[j].toMs) i++;
    else j++;
  }
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
