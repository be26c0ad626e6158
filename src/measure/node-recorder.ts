import { histogramCounts, type LatencyHistogram, newLatencyHistogram } from "./histogram.js";
import type { NodeIntervalReport } from "./thread-recorder.js";

/**
 * Per-node figures of a routed engine (cluster nodes, replicas): operations, errors by kind and
 * latency for each server, so a hot or slow shard stands out. Nodes are numbered by the engine
 * thread as it learns them; the report names them by address, which is what threads share.
 */
export class NodeRecorder {
  private readonly ops: number[] = [];
  private readonly errors: number[] = [];
  private readonly errorsByKind: Map<string, number>[] = [];
  private readonly latency: LatencyHistogram[] = [];

  constructor(private readonly nameOf: (node: number) => string) {}

  private ensure(node: number): void {
    while (this.ops.length <= node) {
      this.ops.push(0);
      this.errors.push(0);
      this.errorsByKind.push(new Map());
      this.latency.push(newLatencyHistogram());
    }
  }

  recordReply(node: number, latencyMs: number, errorKind: string | undefined): void {
    this.ensure(node);
    this.ops[node]++;
    this.latency[node].recordValue(Math.max(Math.round(latencyMs * 1000), 1));
    if (errorKind !== undefined) this.countError(node, errorKind, 1);
  }

  countError(node: number, kind: string, count: number): void {
    this.ensure(node);
    this.errors[node] += count;
    const byKind = this.errorsByKind[node];
    byKind.set(kind, (byKind.get(kind) ?? 0) + count);
  }

  takeReport(): Record<string, NodeIntervalReport> {
    const report: Record<string, NodeIntervalReport> = {};
    for (let node = 0; node < this.ops.length; node++) {
      if (this.ops[node] === 0 && this.errors[node] === 0) continue;
      const latency = this.latency[node];
      report[this.nameOf(node)] = {
        ops: this.ops[node],
        errors: this.errors[node],
        errorsByKind: Object.fromEntries(this.errorsByKind[node]),
        latencyUs: histogramCounts(latency),
      };
      this.ops[node] = 0;
      this.errors[node] = 0;
      this.errorsByKind[node] = new Map();
      latency.reset();
    }
    return report;
  }
}
