import {
  type HistogramCounts,
  histogramCounts,
  type LatencyHistogram,
  NO_COUNTS,
  newLatencyHistogram,
} from "./histogram.js";

/**
 * What one engine thread measured since its last report. Plain data (numbers, strings, arrays), so
 * it crosses `postMessage` as is; histograms travel as bucket counts and are added exactly on the
 * other side (encoding them is left to the main thread).
 * Arrays are indexed by command index (the order of RunConfig.commands).
 */
export interface IntervalReport {
  /** Replies received (values, nils and error replies). */
  ops: number[];
  /** Error replies. */
  errorReplies: number[];
  /** Nil replies (GET of a missing key). */
  nils: number[];
  /** Commands written to the socket. */
  sent: number[];
  /** Operations with no reply within the timeout. */
  timeouts: number;
  /** Operations in flight on a connection that broke (reset, closed); their fate is unknown. */
  aborted: number;
  reconnects: number;
  /** Connect attempts that failed and connections that broke in this interval (absent = 0). */
  connectionErrors?: number;
  /** Error replies by first word (`ERR`, `OOM`...), plus `timeout` and connection error codes. */
  errorsByKind: Record<string, number>;
  /** Per command, µs: from intended start (open loop) or send (closed loop) to reply. */
  latencyUs: HistogramCounts[];
  /** Per command, µs, open loop only: from the actual send to reply. */
  serviceTimeUs: HistogramCounts[];
  /** Open loop: how late sends were against their intended start, µs. */
  scheduleLagUs: HistogramCounts;
  /** Open loop: sends 1 ms or more behind schedule. */
  lateStarts: number;
  /** Connections that are connected at the time of the report. */
  connectionsUp: number;
  /** Pool view at the time of the report (src/engine/pool-view.ts): connections with a command in flight. */
  connectionsInUse?: number;
  /** Pool view: operations due but not yet sent for want of a free connection or pipeline slot. */
  waitingOps?: number;
  /**
   * The longest time without a successful reply that ended in this interval (epoch ms): how long
   * the target was unavailable during a failover or a fault. Absent when there was no success.
   */
  longestGap?: { fromMs: number; toMs: number };
  /** Reads of a {key} key by popularity group (top 1 %, next 9 %, rest): hits and misses (absent = none). */
  groupHits?: number[];
  groupMisses?: number[];
  /** Routed engines (cluster, replicas): redirections followed, by kind (MOVED, ASK, TRYAGAIN, CLUSTERDOWN). */
  redirects?: Record<string, number>;
  /** Routed engines: per command, replies that were redirections (the server counted them as rejected calls). */
  redirectReplies?: number[];
  /** Routed engines: per node (`host:port`), what its operations did. */
  byNode?: Record<string, NodeIntervalReport>;
}

/**
 * One thread's successful replies over a whole phase: the first and the last (epoch ms, 0 = none)
 * and every gap of at least OUTAGE_MIN_MS between two of them. The main thread intersects the
 * threads' gaps to find when the target gave no successful reply at all (src/measure/availability.ts).
 */
export interface SuccessTimeline {
  firstMs: number;
  lastMs: number;
  gaps: { fromMs: number; toMs: number }[];
}

/** Gaps between successful replies shorter than this are service, not an outage, ms. */
export const OUTAGE_MIN_MS = 1000;

export interface NodeIntervalReport {
  ops: number;
  errors: number;
  errorsByKind: Record<string, number>;
  latencyUs: HistogramCounts;
}

/** 1 ms, in µs: a send this far behind its intended start counts as a late start. */
const LATE_START_US = 1000;

/**
 * Collects one thread's measurements on the hot path (plain counters and histograms, no allocation
 * per operation) and turns them into an IntervalReport once per interval.
 */
export class ThreadRecorder {
  readonly ops: Float64Array;
  readonly errorReplies: Float64Array;
  readonly nils: Float64Array;
  readonly sent: Float64Array;
  /** Hit ratio per popularity group (src/measure/hit-groups.ts): three fixed counters each. */
  readonly groupHits = new Float64Array(3);
  readonly groupMisses = new Float64Array(3);
  timeouts = 0;
  aborted = 0;
  reconnects = 0;
  connectionErrors = 0;
  lateStarts = 0;
  /** Epoch ms of the last successful reply (0: none yet); kept across intervals. */
  private lastSuccessMs = 0;
  /** The phase's first successful reply and its gaps of OUTAGE_MIN_MS or more; kept across intervals. */
  private firstSuccessMs = 0;
  private readonly outageGaps: { fromMs: number; toMs: number }[] = [];
  private gapFromMs = 0;
  private gapToMs = 0;
  private errorsByKind = new Map<string, number>();
  private readonly latency: LatencyHistogram[];
  private readonly serviceTime: LatencyHistogram[];
  private readonly scheduleLag: LatencyHistogram;

  constructor(
    private readonly commandCount: number,
    private readonly openLoop: boolean,
  ) {
    this.ops = new Float64Array(commandCount);
    this.errorReplies = new Float64Array(commandCount);
    this.nils = new Float64Array(commandCount);
    this.sent = new Float64Array(commandCount);
    this.latency = Array.from({ length: commandCount }, newLatencyHistogram);
    this.serviceTime = openLoop ? Array.from({ length: commandCount }, newLatencyHistogram) : [];
    this.scheduleLag = newLatencyHistogram();
  }

  /** A reply arrived. Times are ms on the shared epoch clock. */
  recordReply(command: number, intendedMs: number, sentMs: number, receivedMs: number): void {
    this.ops[command]++;
    const latencyUs = Math.round((receivedMs - intendedMs) * 1000);
    this.latency[command].recordValue(Math.max(latencyUs, 1));
    if (this.openLoop) {
      const serviceUs = Math.round((receivedMs - sentMs) * 1000);
      this.serviceTime[command].recordValue(Math.max(serviceUs, 1));
    }
  }

  /** A successful (non-error) reply at `nowMs`: ends any gap in service. */
  recordSuccess(nowMs: number): void {
    const last = this.lastSuccessMs;
    if (last > 0 && nowMs - last > this.gapToMs - this.gapFromMs) {
      this.gapFromMs = last;
      this.gapToMs = nowMs;
    }
    // Allocates only once per outage of a second or more, never per operation.
    if (last > 0 && nowMs - last >= OUTAGE_MIN_MS) this.outageGaps.push({ fromMs: last, toMs: nowMs });
    if (last === 0) this.firstSuccessMs = nowMs;
    this.lastSuccessMs = nowMs;
  }

  /** The phase's successful replies as a timeline; read once, when the phase ends. */
  successTimeline(): SuccessTimeline {
    return { firstMs: this.firstSuccessMs, lastMs: this.lastSuccessMs, gaps: [...this.outageGaps] };
  }

  /** An open-loop operation was sent `lagMs` after its intended start. */
  recordSend(lagMs: number): void {
    const lagUs = Math.round(lagMs * 1000);
    if (lagUs >= LATE_START_US) this.lateStarts++;
    this.scheduleLag.recordValue(Math.max(lagUs, 1));
  }

  recordErrorReply(command: number, kind: string): void {
    this.errorReplies[command]++;
    this.countError(kind, 1);
  }

  countError(kind: string, count: number): void {
    this.errorsByKind.set(kind, (this.errorsByKind.get(kind) ?? 0) + count);
  }

  /** Everything since the last call, then starts a fresh interval. */
  takeReport(connectionsUp: number): IntervalReport {
    const report: IntervalReport = {
      ops: Array.from(this.ops),
      errorReplies: Array.from(this.errorReplies),
      nils: Array.from(this.nils),
      sent: Array.from(this.sent),
      timeouts: this.timeouts,
      aborted: this.aborted,
      reconnects: this.reconnects,
      ...(this.connectionErrors > 0 ? { connectionErrors: this.connectionErrors } : {}),
      errorsByKind: Object.fromEntries(this.errorsByKind),
      latencyUs: this.latency.map(histogramCounts),
      serviceTimeUs: this.serviceTime.map(histogramCounts),
      scheduleLagUs: this.openLoop ? histogramCounts(this.scheduleLag) : NO_COUNTS,
      lateStarts: this.lateStarts,
      connectionsUp,
      ...(this.gapToMs > 0 ? { longestGap: { fromMs: this.gapFromMs, toMs: this.gapToMs } } : {}),
    };
    if (
      this.groupHits[0] +
        this.groupHits[1] +
        this.groupHits[2] +
        this.groupMisses[0] +
        this.groupMisses[1] +
        this.groupMisses[2] >
      0
    ) {
      report.groupHits = Array.from(this.groupHits);
      report.groupMisses = Array.from(this.groupMisses);
      this.groupHits.fill(0);
      this.groupMisses.fill(0);
    }
    this.gapFromMs = 0;
    this.gapToMs = 0;
    this.ops.fill(0);
    this.errorReplies.fill(0);
    this.nils.fill(0);
    this.sent.fill(0);
    this.timeouts = 0;
    this.aborted = 0;
    this.reconnects = 0;
    this.connectionErrors = 0;
    this.lateStarts = 0;
    this.errorsByKind = new Map();
    for (const h of this.latency) h.reset();
    for (const h of this.serviceTime) h.reset();
    this.scheduleLag.reset();
    return report;
  }

  get commands(): number {
    return this.commandCount;
  }
}
