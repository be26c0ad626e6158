import { round3 } from "../side-load/latency.js";

/** Hits and misses are counted per bucket of this many ms; the per-second series adds 10 of them. */
export const BUCKET_MS = 100;
/** Warm-up is judged on the hit ratio of the last this-many buckets (0.5 s)... */
const WARM_WINDOW_BUCKETS = 5;
/** ...and only once that window holds this many reads, so a few lucky hits do not count as warm. */
const WARM_MIN_READS = 20;
/** The most buckets kept (a day): a runaway clock cannot grow the arrays without bound. */
const MAX_BUCKETS = 864_000;

/**
 * The flag readers' hits and misses over time (by reply time, from the start of the measured part)
 * and by popularity group: flag numbers are popularity ranks (flag 0 is read most), and group g
 * holds ranks [g·flags/groups, (g+1)·flags/groups).
 */
export class HitRatioTimeline {
  private readonly hits: number[] = [];
  private readonly misses: number[] = [];
  private readonly invalidations: number[] = [];
  readonly groupHits: Float64Array;
  readonly groupReads: Float64Array;
  totalHits = 0;
  totalMisses = 0;

  constructor(
    private readonly originEpochMs: number,
    private readonly flags: number,
    private readonly groups: number,
  ) {
    this.groupHits = new Float64Array(groups);
    this.groupReads = new Float64Array(groups);
  }

  read(epochMs: number, flag: number, hit: boolean): void {
    const group = Math.floor((flag * this.groups) / this.flags);
    this.groupReads[group]++;
    if (hit) this.groupHits[group]++;
    if (hit) this.totalHits++;
    else this.totalMisses++;
    const b = this.bucket(epochMs);
    if (b < 0) return;
    const into = hit ? this.hits : this.misses;
    into[b] = (into[b] ?? 0) + 1;
  }

  invalidated(epochMs: number): void {
    const b = this.bucket(epochMs);
    if (b >= 0) this.invalidations[b] = (this.invalidations[b] ?? 0) + 1;
  }

  get hitRatio(): number | null {
    const reads = this.totalHits + this.totalMisses;
    return reads > 0 ? this.totalHits / reads : null;
  }

  /** Hit ratio of each popularity group, most popular first; null for a group never read. */
  groupHitRatios(): (number | null)[] {
    return Array.from(this.groupReads, (reads, g) => (reads > 0 ? this.groupHits[g] / reads : null));
  }

  /**
   * Time from the start of the measured part until the hit ratio of the last 0.5 s first reached
   * `target` (checked every 0.1 s, once the window holds at least 20 reads), ms; null if it never did.
   */
  warmUpMs(target: number): number | null {
    const buckets = Math.max(this.hits.length, this.misses.length);
    let windowHits = 0;
    let windowReads = 0;
    for (let b = 0; b < buckets; b++) {
      windowHits += this.hits[b] ?? 0;
      windowReads += (this.hits[b] ?? 0) + (this.misses[b] ?? 0);
      const leaving = b - WARM_WINDOW_BUCKETS;
      if (leaving >= 0) {
        windowHits -= this.hits[leaving] ?? 0;
        windowReads -= (this.hits[leaving] ?? 0) + (this.misses[leaving] ?? 0);
      }
      if (windowReads >= WARM_MIN_READS && windowHits / windowReads >= target) return (b + 1) * BUCKET_MS;
    }
    return null;
  }

  /** Hit ratio of the reads from `fromMs` (since the start) on: the cache's steady state once warm. */
  hitRatioFrom(fromMs: number): number | null {
    let hits = 0;
    let reads = 0;
    const buckets = Math.max(this.hits.length, this.misses.length);
    for (let b = Math.ceil(fromMs / BUCKET_MS); b < buckets; b++) {
      hits += this.hits[b] ?? 0;
      reads += (this.hits[b] ?? 0) + (this.misses[b] ?? 0);
    }
    return reads > 0 ? hits / reads : null;
  }

  /** One point per second (`tS` = the end of the second, as in the run's series). */
  perSecond(): Record<string, number | null>[] {
    const perSecond = 1000 / BUCKET_MS;
    const buckets = Math.max(this.hits.length, this.misses.length, this.invalidations.length);
    const seconds = Math.ceil(buckets / perSecond);
    return Array.from({ length: seconds }, (_, s) => {
      let hits = 0;
      let misses = 0;
      let invalidations = 0;
      for (let b = s * perSecond; b < (s + 1) * perSecond; b++) {
        hits += this.hits[b] ?? 0;
        misses += this.misses[b] ?? 0;
        invalidations += this.invalidations[b] ?? 0;
      }
      const reads = hits + misses;
      return {
        tS: s + 1,
        reads,
        hits,
        misses,
        hitRatio: reads > 0 ? round3(hits / reads) : null,
        invalidations,
      };
    });
  }

  private bucket(epochMs: number): number {
    const b = Math.floor((epochMs - this.originEpochMs) / BUCKET_MS);
    return b >= 0 && b < MAX_BUCKETS ? b : -1;
  }
}
