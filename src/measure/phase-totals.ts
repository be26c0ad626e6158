import { addCounts, type HistogramCounts, type LatencyHistogram, newLatencyHistogram } from "./histogram.js";
import type { IntervalReport } from "./thread-recorder.js";

/** What a set of thread reports adds up to; used both for one interval and for a whole phase. */
export class PhaseTotals {
  readonly ops: number[];
  readonly errorReplies: number[];
  readonly nils: number[];
  readonly sent: number[];
  /** Reads by popularity group (top 1 %, next 9 %, rest), src/measure/hit-groups.ts. */
  readonly groupHits = [0, 0, 0];
  readonly groupMisses = [0, 0, 0];
  timeouts = 0;
  aborted = 0;
  reconnects = 0;
  /** Failed connect attempts and broken connections. */
  connectionErrors = 0;
  lateStarts = 0;
  connectionsUp = 0;
  /** Pool view (src/engine/pool-view.ts), summed over threads: meaningful for one interval only. */
  connectionsInUse = 0;
  waitingOps = 0;
  readonly errorsByKind: Record<string, number> = {};
  readonly latency: LatencyHistogram[];
  readonly serviceTime: LatencyHistogram[];
  readonly scheduleLag: LatencyHistogram;
  /** Routed engines: redirections followed by kind, and per command the replies that were redirections. */
  readonly redirects: Record<string, number> = {};
  readonly redirectReplies: number[];
  /** Routed engines: per node (`host:port`). */
  readonly byNode = new Map<string, NodeTotals>();
  /** The longest time without a successful reply on any thread, epoch ms. */
  longestGap: { fromMs: number; toMs: number } | undefined;

  constructor(readonly commandNames: string[]) {
    this.ops = commandNames.map(() => 0);
    this.errorReplies = commandNames.map(() => 0);
    this.nils = commandNames.map(() => 0);
    this.sent = commandNames.map(() => 0);
    this.latency = commandNames.map(newLatencyHistogram);
    this.serviceTime = commandNames.map(newLatencyHistogram);
    this.scheduleLag = newLatencyHistogram();
    this.redirectReplies = commandNames.map(() => 0);
  }

  private addRouting(
    redirects: Record<string, number> | undefined,
    redirectReplies: number[] | undefined,
    byNode: Iterable<[string, NodeLike]>,
    gap: { fromMs: number; toMs: number } | undefined,
  ): void {
    for (const [kind, n] of Object.entries(redirects ?? {}))
      this.redirects[kind] = (this.redirects[kind] ?? 0) + n;
    redirectReplies?.forEach((n, c) => {
      this.redirectReplies[c] += n;
    });
    for (const [name, node] of byNode) {
      let into = this.byNode.get(name);
      if (into === undefined) {
        into = { ops: 0, errors: 0, errorsByKind: {}, latency: newLatencyHistogram() };
        this.byNode.set(name, into);
      }
      into.ops += node.ops;
      into.errors += node.errors;
      for (const [kind, n] of Object.entries(node.errorsByKind))
        into.errorsByKind[kind] = (into.errorsByKind[kind] ?? 0) + n;
      if (node.latency instanceof Float64Array) addCounts(into.latency, node.latency);
      else into.latency.add(node.latency);
    }
    if (
      gap !== undefined &&
      (this.longestGap === undefined || gap.toMs - gap.fromMs > this.longestGap.toMs - this.longestGap.fromMs)
    ) {
      this.longestGap = { ...gap };
    }
  }

  add(report: IntervalReport): void {
    for (let c = 0; c < this.commandNames.length; c++) {
      this.ops[c] += report.ops[c];
      this.errorReplies[c] += report.errorReplies[c];
      this.nils[c] += report.nils[c];
      this.sent[c] += report.sent[c];
      const latency = report.latencyUs[c];
      if (latency !== undefined) addCounts(this.latency[c], latency);
      const service = report.serviceTimeUs[c];
      if (service !== undefined) addCounts(this.serviceTime[c], service);
    }
    for (let g = 0; g < 3; g++) {
      this.groupHits[g] += report.groupHits?.[g] ?? 0;
      this.groupMisses[g] += report.groupMisses?.[g] ?? 0;
    }
    addCounts(this.scheduleLag, report.scheduleLagUs);
    this.timeouts += report.timeouts;
    this.aborted += report.aborted;
    this.reconnects += report.reconnects;
    this.connectionErrors += report.connectionErrors ?? 0;
    this.lateStarts += report.lateStarts;
    this.connectionsUp += report.connectionsUp;
    this.connectionsInUse += report.connectionsInUse ?? 0;
    this.waitingOps += report.waitingOps ?? 0;
    for (const [kind, n] of Object.entries(report.errorsByKind)) {
      this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + n;
    }
    const nodes = Object.entries(report.byNode ?? {}).map(
      ([name, n]) => [name, { ...n, latency: n.latencyUs }] as [string, NodeLike],
    );
    this.addRouting(report.redirects, report.redirectReplies, nodes, report.longestGap);
  }

  addTotals(other: PhaseTotals): void {
    for (let c = 0; c < this.commandNames.length; c++) {
      this.ops[c] += other.ops[c];
      this.errorReplies[c] += other.errorReplies[c];
      this.nils[c] += other.nils[c];
      this.sent[c] += other.sent[c];
      this.latency[c].add(other.latency[c]);
      this.serviceTime[c].add(other.serviceTime[c]);
    }
    for (let g = 0; g < 3; g++) {
      this.groupHits[g] += other.groupHits[g];
      this.groupMisses[g] += other.groupMisses[g];
    }
    this.scheduleLag.add(other.scheduleLag);
    this.timeouts += other.timeouts;
    this.aborted += other.aborted;
    this.reconnects += other.reconnects;
    this.connectionErrors += other.connectionErrors;
    this.lateStarts += other.lateStarts;
    for (const [kind, n] of Object.entries(other.errorsByKind)) {
      this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + n;
    }
    this.addRouting(other.redirects, other.redirectReplies, other.byNode, other.longestGap);
  }

  get totalOps(): number {
    return sum(this.ops);
  }

  get totalSent(): number {
    return sum(this.sent);
  }

  get totalErrorReplies(): number {
    return sum(this.errorReplies);
  }

  /** Error replies, timeouts and operations lost with a broken connection. */
  get totalErrors(): number {
    return this.totalErrorReplies + this.timeouts + this.aborted;
  }

  /** All commands in one histogram. */
  overallLatency(): LatencyHistogram {
    const all = newLatencyHistogram();
    for (const h of this.latency) all.add(h);
    return all;
  }

  overallServiceTime(): LatencyHistogram {
    const all = newLatencyHistogram();
    for (const h of this.serviceTime) all.add(h);
    return all;
  }
}

/** One node's figures over a phase. */
export interface NodeTotals {
  ops: number;
  errors: number;
  errorsByKind: Record<string, number>;
  latency: LatencyHistogram;
}

type NodeLike = Omit<NodeTotals, "latency"> & { latency: LatencyHistogram | HistogramCounts };

const US_PER_MS = 1000;

export function summarizeMs(histogram: LatencyHistogram): LatencySummaryMs {
  if (histogram.totalCount === 0)
    return { p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 };
  const at = (p: number) => histogram.getValueAtPercentile(p) / US_PER_MS;
  return {
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    max: histogram.maxValue / US_PER_MS,
    mean: round3(histogram.mean / US_PER_MS),
    count: histogram.totalCount,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function sum(values: number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/** Latency percentiles in milliseconds. */
export interface LatencySummaryMs {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** Number of recorded values. */
  count: number;
}
