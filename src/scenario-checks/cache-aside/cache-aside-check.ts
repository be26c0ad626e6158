import type { RunConfig } from "../../config/types.js";
import { epochNowMs } from "../../engine/load-connection.js";
import {
  type CheckContext,
  type CheckFactory,
  type CheckReport,
  checkReport,
  type ScenarioCheck,
} from "../check.js";
import { refuseCluster } from "../server-reads.js";
import { CommandTally } from "../side-load/command-tally.js";
import {
  describeLatency,
  latencyFiguresMs,
  newLatencyHistogram,
  round2,
  round3,
} from "../side-load/latency.js";
import { LoopDelay } from "../side-load/loop-delay.js";
import { MeasuredSubscriber } from "../side-load/measured-subscriber.js";
import { plannedMeasureMs, sideSeed } from "../side-load/run-window.js";
import { connectSideClients, type SideClient } from "../side-load/side-client.js";
import { settleWithin, waitUntil } from "../side-load/wait.js";
import { BackingStore } from "./backing-store.js";
import { type CacheAsideOptions, parseCacheAsideOptions } from "./cache-aside-options.js";
import { FlagInvalidator } from "./flag-invalidator.js";
import { FlagReader, type ReaderShared } from "./flag-reader.js";
import { HitRatioTimeline } from "./hit-ratio-timeline.js";
import { WarmArms, writeWarmFlags } from "./warm-arms.js";

/** How long stopLoad waits for the loops to finish their last read, beyond one backing-store call, ms. */
const STOP_GRACE_MS = 2000;
/** How long invalidations already published get to reach the subscribers, ms. */
const DRAIN_TIMEOUT_MS = 2000;
/** Seed slices: readers, the invalidator and the store's values draw from different streams. */
const SEED_READERS = 1;
const SEED_INVALIDATOR = 2;
const SEED_STORE = 3;

export const createCacheAsideCheck: CheckFactory = (section, config) => {
  const parsed = parseCacheAsideOptions(section);
  if (!parsed.ok) return parsed;
  return { ok: true, check: new CacheAsideCheck(parsed.options, config) };
};

/**
 * Feature flags read the cache-aside way beside the load: `readers` connections GET flags under
 * `<prefix>flag:`, go to a slow simulated backing store on a miss and SET the answer with a TTL.
 * It measures the hit ratio over time and per popularity group, the warm-up time, and hit and miss
 * latency. With `invalidateEvery`, a writer changes a flag, DELs it and PUBLISHes the change; each
 * of `subscribers` connections measures how long the message took and whether it arrived. A lost
 * invalidation fails the check, as does a hit ratio below `minHitRatio`.
 */
export class CacheAsideCheck implements ScenarioCheck {
  readonly kind = "cache-aside";
  private readonly tally = new CommandTally();
  private readonly store: BackingStore;
  private readonly channel: string;
  private readonly hitLatency = newLatencyHistogram();
  private readonly missLatency = newLatencyHistogram();
  private readerClients: SideClient[] = [];
  private writerClient: SideClient | undefined;
  private subscribers: MeasuredSubscriber[] = [];
  private readers: FlagReader[] = [];
  private invalidator: FlagInvalidator | undefined;
  private timeline: HitRatioTimeline | undefined;
  private arms: WarmArms | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private readonly subscribeFailures: string[] = [];
  private readonly loopDelay = new LoopDelay();
  private window: { fromEpochMs: number; toEpochMs?: number } | undefined;

  constructor(
    private readonly options: CacheAsideOptions,
    private readonly config: RunConfig,
  ) {
    this.store = new BackingStore(
      options.flags,
      options.backingLatencyMs,
      options.backingJitterMs,
      sideSeed(config.seed, SEED_STORE, 0),
    );
    this.channel = `${config.prefix}flags:invalidate`;
  }

  managedServerArgs(): string[] {
    return [];
  }

  async beforeLoad(context: CheckContext): Promise<void> {
    // Its readers GET and SET flags on one connection each: on a cluster most flags live elsewhere.
    await refuseCluster(context, this.kind, "reads and fills its flags through connections to one server");
    const o = this.options;
    const invalidating = o.invalidateEveryMs !== undefined;
    // Connected before the server's counts are first read: only the check's own reads and writes
    // fall in the counted window.
    const clients = await connectSideClients(
      context.server,
      o.readers + (invalidating ? 1 + o.subscribers : 0),
    );
    this.readerClients = clients.slice(0, o.readers);
    if (invalidating) {
      this.writerClient = clients[o.readers];
      this.subscribers = clients
        .slice(o.readers + 1)
        .map((side, j) => new MeasuredSubscriber(j, side, [this.channel]));
    }
    // --warm-top: before the first count, so these SETs are outside the count check.
    if (this.config.warmTop !== undefined) {
      const written = await writeWarmFlags(
        context.admin,
        this.config.prefix,
        this.config.warmTop,
        o,
        this.store,
      );
      context.say(
        `cache-aside check: --warm-top wrote the ${written} most read flags of a warmed copy (${this.config.prefix}flag:w:); reads alternate between it and a cold copy`,
      );
    }
    const rate = o.readRatePerS !== undefined ? `${o.readRatePerS} GETs/s` : "as fast as they can";
    const invalidation = invalidating
      ? `; a flag changes every ${o.invalidateEveryMs} ms, invalidated by DEL + PUBLISH to ${o.subscribers} subscriber(s)`
      : "";
    context.say(
      `cache-aside check: ${o.readers} reader(s) over ${o.flags} flags under ${this.config.prefix}flag: (${rate}), ` +
        `backing store ${o.backingLatencyMs}±${o.backingJitterMs} ms, TTL ${o.ttlMs} ms${invalidation}`,
    );
  }

  onMeasureStart(startEpochMs: number): void {
    const o = this.options;
    this.timeline = new HitRatioTimeline(startEpochMs, o.flags, o.groups);
    if (this.config.warmTop !== undefined)
      this.arms = new WarmArms(this.config.prefix, this.config.warmTop, startEpochMs, o.flags);
    this.window = { fromEpochMs: startEpochMs };
    this.loopDelay.start();
    this.running = this.runAll(startEpochMs, this.timeline);
  }

  private async runAll(startEpochMs: number, timeline: HitRatioTimeline): Promise<void> {
    const o = this.options;
    const plannedMs = plannedMeasureMs(this.config);
    const endEpochMs = plannedMs !== undefined ? startEpochMs + plannedMs : undefined;
    const stopped = () => this.stopping;
    const shared: ReaderShared = {
      store: this.store,
      timeline,
      tally: this.tally,
      hitLatency: this.hitLatency,
      missLatency: this.missLatency,
      keyOf: this.keyOf,
      ttlMs: o.ttlMs,
      fillsInFlight: new Uint16Array(o.flags),
      ...(this.arms !== undefined && { arms: this.arms }),
      stopped,
    };
    this.readers = this.readerClients.map(
      (side, r) => new FlagReader(side, shared, o.flags, sideSeed(this.config.seed, SEED_READERS, r)),
    );
    const intervalMs = o.readRatePerS !== undefined ? (1000 * o.readers) / o.readRatePerS : undefined;
    const loops: Promise<void>[] = this.readers.map((reader, r) =>
      // Paced readers are staggered over one interval, so together they read evenly.
      reader.run(
        startEpochMs + (intervalMs !== undefined ? (r * intervalMs) / o.readers : 0),
        endEpochMs,
        intervalMs,
      ),
    );
    if (this.writerClient !== undefined && o.invalidateEveryMs !== undefined) {
      loops.push(this.invalidate(startEpochMs, o.invalidateEveryMs, endEpochMs, timeline));
    }
    await Promise.all(loops);
  }

  private async invalidate(
    startEpochMs: number,
    everyMs: number,
    endEpochMs: number | undefined,
    timeline: HitRatioTimeline,
  ): Promise<void> {
    // Every subscription is confirmed before the first change, so each subscriber is owed every message.
    const subscribed = await Promise.allSettled(this.subscribers.map((s) => s.subscribe(this.tally)));
    subscribed.forEach((s, j) => {
      if (s.status === "rejected")
        this.subscribeFailures.push(`subscriber ${j + 1}: ${(s.reason as Error).message.split("\n")[0]}`);
    });
    this.invalidator = new FlagInvalidator(
      this.writerClient!,
      this.store,
      this.tally,
      this.channel,
      this.arms !== undefined ? (flag) => [this.keyOf(flag), this.arms!.keyOf(flag, 1)] : this.keyOf,
      this.options.flags,
      sideSeed(this.config.seed, SEED_INVALIDATOR, 0),
      (epochMs) => timeline.invalidated(epochMs),
    );
    await this.invalidator.run(
      Math.max(startEpochMs, epochNowMs()),
      everyMs,
      endEpochMs,
      () => this.stopping,
    );
  }

  async stopLoad(): Promise<void> {
    this.stopping = true;
    const o = this.options;
    if (this.running !== undefined) {
      await settleWithin(this.running, o.backingLatencyMs + o.backingJitterMs + STOP_GRACE_MS);
    }
    if (this.window !== undefined) this.window.toEpochMs ??= epochNowMs();
    this.loopDelay.stop();
    const published = this.invalidator?.published ?? 0;
    await waitUntil(
      () => this.subscribers.every((s) => s.brokenBy !== undefined || s.received >= published),
      DRAIN_TIMEOUT_MS,
    );
  }

  sentCommands(): Record<string, { sent: number; completed: number }> {
    return this.tally.snapshot();
  }

  async afterLoad(): Promise<void> {
    // Everything was measured while the load ran.
  }

  report(): CheckReport {
    const o = this.options;
    const t = this.timeline ?? new HitRatioTimeline(0, o.flags, o.groups);
    const reads = t.totalHits + t.totalMisses;
    const hitRatio = t.hitRatio;
    const warmUpMs = t.warmUpMs(o.warmHitRatio);
    const hit = latencyFiguresMs(this.hitLatency);
    const miss = latencyFiguresMs(this.missLatency);
    const readErrors = this.readers.reduce((sum, r) => sum + r.errors, 0);
    const problems: string[] = [...this.subscribeFailures.map((f) => `could not subscribe: ${f}`)];
    if (reads === 0) {
      const why = this.readers.find((r) => r.lastError)?.lastError;
      problems.push(`no flag was read${why !== undefined ? ` (${readErrors} reads failed: ${why})` : ""}`);
    }
    // The cache starts empty on purpose; what minHitRatio judges is the cache once warm (the whole
    // run when it never warmed up, which is then judged cold and all).
    const afterWarmUp = warmUpMs !== null ? t.hitRatioFrom(warmUpMs) : null;
    const judged = afterWarmUp ?? hitRatio;
    if (o.minHitRatio !== undefined && judged !== null && judged < o.minHitRatio) {
      const over = afterWarmUp !== null ? "after warm-up" : "over the run (it never warmed up)";
      problems.push(`hit ratio ${round3(judged)} ${over} is below minHitRatio ${o.minHitRatio}`);
    }
    const windowMs = this.window ? (this.window.toEpochMs ?? epochNowMs()) - this.window.fromEpochMs : 0;
    const figures: CheckReport["figures"] = {
      readers: o.readers,
      flags: o.flags,
      targetReadRatePerS: o.readRatePerS ?? null,
      readRatePerS: windowMs > 0 ? round3(reads / (windowMs / 1000)) : null,
      reads,
      hits: t.totalHits,
      misses: t.totalMisses,
      stampedeMisses: this.readers.reduce((sum, r) => sum + r.stampedeMisses, 0),
      hitRatio: hitRatio !== null ? round3(hitRatio) : null,
      warmHitRatio: o.warmHitRatio,
      warmUpMs,
      hitRatioAfterWarmUp: nullableRound3(afterWarmUp),
      hitP50Ms: hit.p50Ms,
      hitP99Ms: hit.p99Ms,
      missP50Ms: miss.p50Ms,
      missP99Ms: miss.p99Ms,
      backingLatencyMs: o.backingLatencyMs,
      readErrors,
      ...this.loopDelay.figures(),
    };
    t.groupHitRatios().forEach((ratio, g) => {
      figures[`hitRatioGroup${g + 1}`] = ratio !== null ? round3(ratio) : null;
    });
    let invalidationSummary = "";
    if (o.invalidateEveryMs !== undefined) {
      invalidationSummary = this.reportInvalidation(figures, problems);
    }
    const armsSummary = this.arms?.report(figures, o.warmHitRatio) ?? "";
    const warm =
      warmUpMs !== null
        ? `warm (hit ratio ≥ ${o.warmHitRatio}) after ${round2(warmUpMs / 1000)} s`
        : `never reached hit ratio ${o.warmHitRatio}`;
    const summary =
      `${reads} flag reads by ${o.readers} reader(s), hit ratio ${hitRatio !== null ? round3(hitRatio) : "n/a"}, ${warm}; ` +
      `hit ${describeLatency(hit)}; miss (GET + ${o.backingLatencyMs} ms store + SET) ${describeLatency(miss)}${invalidationSummary}${armsSummary}${this.loopDelay.note()}`;
    return checkReport(this.kind, problems, summary, figures, t.perSecond());
  }

  /** Invalidation figures into `figures`, a lost message into `problems`; returns the summary's part. */
  private reportInvalidation(figures: CheckReport["figures"], problems: string[]): string {
    const published = this.invalidator?.published ?? 0;
    const all = newLatencyHistogram();
    let received = 0;
    let lost = 0;
    const lossy: string[] = [];
    for (const s of this.subscribers) {
      const missing = Math.max(0, published - s.received);
      received += s.received;
      lost += missing;
      all.add(s.latency);
      const broken = s.brokenBy !== undefined ? `; connection closed: ${s.brokenBy}` : "";
      figures[`subscriber${s.index + 1}`] =
        `${s.received} of ${published} received, ${missing} lost; propagation ${describeLatency(s.figures())}${broken}`;
      if (missing > 0)
        lossy.push(`subscriber ${s.index + 1} received ${s.received} of ${published}${broken}`);
    }
    const propagation = latencyFiguresMs(all);
    const errors = this.invalidator?.errors ?? 0;
    Object.assign(figures, {
      invalidationsPublished: published,
      invalidationErrors: errors,
      invalidationsReceived: received,
      invalidationsLost: lost,
      propagationP50Ms: propagation.p50Ms,
      propagationP99Ms: propagation.p99Ms,
      propagationMaxMs: propagation.maxMs,
      staleReads: this.readers.reduce((sum, r) => sum + r.staleReads, 0),
    });
    if (lost > 0) problems.push(`${lost} invalidation message(s) lost: ${lossy.join("; ")}`);
    if (errors > 0) problems.push(`${errors} invalidation(s) failed: ${this.invalidator?.lastError}`);
    return `; ${published} invalidations to ${this.subscribers.length} subscriber(s), ${lost} lost, propagation ${describeLatency(propagation)}`;
  }

  async close(): Promise<void> {
    this.stopping = true;
    this.loopDelay.stop();
    for (const side of this.readerClients) side.close();
    this.writerClient?.close();
    for (const s of this.subscribers) s.side.close();
  }

  private readonly keyOf = (flag: number): string => `${this.config.prefix}flag:${flag}`;
}

function nullableRound3(x: number | null): number | null {
  return x !== null ? round3(x) : null;
}
