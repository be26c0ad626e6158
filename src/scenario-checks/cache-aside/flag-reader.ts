import { epochNowMs } from "../../engine/load-connection.js";
import { KeyChooser } from "../../workload/key-chooser.js";
import { Rng } from "../../workload/random.js";
import type { CommandTally } from "../side-load/command-tally.js";
import type { LatencyHistogram } from "../side-load/latency.js";
import { recordMs } from "../side-load/latency.js";
import type { SideClient } from "../side-load/side-client.js";
import { sleep } from "../side-load/wait.js";
import { type BackingStore, cachedVersion } from "./backing-store.js";
import type { HitRatioTimeline } from "./hit-ratio-timeline.js";
import type { WarmArms } from "./warm-arms.js";

export interface ReaderShared {
  store: BackingStore;
  timeline: HitRatioTimeline;
  tally: CommandTally;
  hitLatency: LatencyHistogram;
  missLatency: LatencyHistogram;
  /** The flag's key: `<prefix>flag:<n>`. */
  keyOf(flag: number): string;
  ttlMs: number;
  /** With --warm-top: reads alternate between a warmed and a cold copy of the flags (warm-arms.ts). */
  arms?: WarmArms;
  /** Per flag: readers between their miss and their SET's reply (filling the cache). */
  fillsInFlight: Uint16Array;
  stopped(): boolean;
}

/** A reader that fell this far behind its pace starts afresh instead of bursting to catch up, ms. */
const MAX_CATCH_UP_MS = 1000;

/**
 * One application instance reading feature flags the cache-aside way: GET the flag; on a miss,
 * ask the backing store (slow) and SET the answer with a TTL. Flags are picked by zipf (flag 0 the
 * hottest), seeded, so a run repeats. A hit's latency is the GET; a miss's is GET + store + SET,
 * what the application waited for the flag.
 */
export class FlagReader {
  errors = 0;
  lastError: string | undefined;
  /** Hits whose value was older than the store's version when the reply came (after an invalidation race). */
  staleReads = 0;
  /** Misses on a flag another reader was already fetching: the stampede cache-aside is known for. */
  stampedeMisses = 0;
  private readonly chooser: KeyChooser;
  private readonly random: Rng;

  constructor(
    private readonly side: SideClient,
    private readonly shared: ReaderShared,
    flags: number,
    seed: number,
  ) {
    this.random = new Rng(seed);
    this.chooser = new KeyChooser("zipf", flags, new Rng(seed ^ 0x2545f491));
  }

  /**
   * Reads until stopped or `endEpochMs`; with `intervalMs` paced to one GET per interval, otherwise
   * as fast as the replies come.
   */
  async run(
    startEpochMs: number,
    endEpochMs: number | undefined,
    intervalMs: number | undefined,
  ): Promise<void> {
    const s = this.shared;
    let nextMs = startEpochMs;
    while (!s.stopped() && this.side.isOpen) {
      let nowMs = epochNowMs();
      if (endEpochMs !== undefined && nowMs >= endEpochMs) break;
      if (intervalMs !== undefined) {
        if (nextMs - nowMs >= 1) {
          await sleep(nextMs - nowMs);
          if (s.stopped()) break;
          nowMs = epochNowMs();
        }
        nextMs = Math.max(nextMs + intervalMs, nowMs - MAX_CATCH_UP_MS);
      }
      await this.readOnce();
    }
  }

  private async readOnce(): Promise<void> {
    const s = this.shared;
    const flag = this.chooser.nextKey();
    const arm = s.arms?.nextArm() ?? 0;
    const key = s.arms !== undefined ? s.arms.keyOf(flag, arm) : s.keyOf(flag);
    const startMs = epochNowMs();
    let cached: string | null;
    try {
      cached = await s.tally.track("GET", this.side.client.get(key));
    } catch (error) {
      this.failed(error);
      return;
    }
    const repliedMs = epochNowMs();
    if (cached !== null) {
      s.timeline.read(repliedMs, flag, true);
      recordMs(s.hitLatency, repliedMs - startMs);
      s.arms?.read(arm, repliedMs, flag, true, repliedMs - startMs);
      if (cachedVersion(cached) < s.store.version(flag)) this.staleReads++;
      return;
    }
    s.timeline.read(repliedMs, flag, false);
    if (s.fillsInFlight[flag] > 0) this.stampedeMisses++;
    s.fillsInFlight[flag]++;
    try {
      const fresh = await s.store.read(flag, this.random);
      await s.tally.track(
        "SET",
        this.side.client.set(key, fresh, { expiration: { type: "PX", value: s.ttlMs } }),
      );
    } catch (error) {
      this.failed(error);
      return;
    } finally {
      s.fillsInFlight[flag]--;
    }
    recordMs(s.missLatency, epochNowMs() - startMs);
    s.arms?.read(arm, repliedMs, flag, false, epochNowMs() - startMs);
  }

  private failed(error: unknown): void {
    this.errors++;
    this.lastError = (error as Error).message.split("\n")[0];
  }
}
