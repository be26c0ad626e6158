import type { CheckReport } from "../check.js";
import {
  type LatencyHistogram,
  latencyFiguresMs,
  newLatencyHistogram,
  recordMs,
  round2,
  round3,
} from "../side-load/latency.js";
import { HitRatioTimeline } from "./hit-ratio-timeline.js";

/**
 * The cache-aside check with --warm-top N: the same flags in two copies, read side by side. The
 * "warmed" copy (`<prefix>flag:w:<n>`) has its N most read flags (zipf ranks 0..N-1) written before
 * the measured part; the "cold" copy (`<prefix>flag:<n>`) starts empty. Readers alternate between the
 * copies read by read, so both see the same flags, the same popularity, the same server and the same
 * moment of the run, each at half the read rate; an invalidation deletes a flag from both copies.
 * The difference between the two is what warming did. docs/warm-top.md.
 */

export const ARMS = ["cold", "warmed"] as const;
/** Hit ratio "at the start" is read over this first part of the measured part, s. */
export const START_WINDOW_S = 5;

export class WarmArms {
  private turn = 0;
  private readonly timelines: HitRatioTimeline[];
  private readonly latency: LatencyHistogram[] = [newLatencyHistogram(), newLatencyHistogram()];

  constructor(
    private readonly prefix: string,
    /** How many of the warmed copy's most read flags are written before the load. */
    readonly warmTop: number,
    originEpochMs: number,
    flags: number,
  ) {
    this.timelines = [0, 1].map(() => new HitRatioTimeline(originEpochMs, flags, 1));
  }

  /** The copy the next read goes to: 0 cold, 1 warmed, in turn. */
  nextArm(): number {
    this.turn ^= 1;
    return this.turn;
  }

  keyOf(flag: number, arm: number): string {
    return arm === 1 ? `${this.prefix}flag:w:${flag}` : `${this.prefix}flag:${flag}`;
  }

  /** A read of the copy `arm` finished: what the application waited for the flag (GET, or GET + store + SET). */
  read(arm: number, epochMs: number, flag: number, hit: boolean, waitedMs: number): void {
    this.timelines[arm].read(epochMs, flag, hit);
    recordMs(this.latency[arm], waitedMs);
  }

  /** Figures per copy into `figures`; returns the summary's part. */
  report(figures: CheckReport["figures"], warmHitRatio: number): string {
    const parts: string[] = [];
    figures.warmTop = this.warmTop;
    ARMS.forEach((name, arm) => {
      const t = this.timelines[arm];
      const start = t.perSecond().slice(0, START_WINDOW_S);
      const startReads = start.reduce((sum, p) => sum + (p.reads ?? 0), 0);
      const startHits = start.reduce((sum, p) => sum + (p.hits ?? 0), 0);
      const lat = latencyFiguresMs(this.latency[arm]);
      const ratio = t.hitRatio;
      const startRatio = startReads > 0 ? startHits / startReads : null;
      figures[`${name}Reads`] = t.totalHits + t.totalMisses;
      figures[`${name}HitRatio`] = ratio !== null ? round3(ratio) : null;
      figures[`${name}HitRatioFirst${START_WINDOW_S}s`] = startRatio !== null ? round3(startRatio) : null;
      figures[`${name}WarmUpMs`] = t.warmUpMs(warmHitRatio);
      figures[`${name}ReadP50Ms`] = lat.p50Ms;
      figures[`${name}ReadP99Ms`] = lat.p99Ms;
      parts.push(
        `${name}: hit ratio ${startRatio !== null ? round3(startRatio) : "n/a"} in the first ${START_WINDOW_S} s, ` +
          `${ratio !== null ? round3(ratio) : "n/a"} over the run, read p99 ${lat.p99Ms !== null ? round2(lat.p99Ms) : "n/a"} ms`,
      );
    });
    return `; with --warm-top ${this.warmTop} (flags read alternately from a warmed and a cold copy): ${parts.join("; ")}`;
  }
}

/** SETs in flight at once while warming. */
const WARM_BATCH = 500;

/**
 * Writes the warmed copy's `warmTop` most read flags (zipf ranks 0..N-1) with the store's values and
 * the cache TTL; returns how many. Called in beforeLoad, before the server's counts are first read.
 */
export async function writeWarmFlags(
  admin: { sendCommand(args: string[]): Promise<unknown> },
  prefix: string,
  warmTop: number,
  options: { flags: number; ttlMs: number },
  store: { valueOf(flag: number): string },
): Promise<number> {
  const count = Math.min(warmTop, options.flags);
  for (let from = 0; from < count; from += WARM_BATCH) {
    const sets: Promise<unknown>[] = [];
    for (let flag = from; flag < Math.min(count, from + WARM_BATCH); flag++)
      sets.push(
        admin.sendCommand([
          "SET",
          `${prefix}flag:w:${flag}`,
          store.valueOf(flag),
          "PX",
          String(options.ttlMs),
        ]),
      );
    await Promise.all(sets);
  }
  return count;
}
