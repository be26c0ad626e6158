import { nodeName, type Topology } from "../engine/topology.js";
import { type PhaseTotals, summarizeMs } from "../measure/phase-totals.js";
import type { RunResult } from "../result/result-types.js";
import type { TopologyChange } from "./topology-watch.js";

/**
 * The parts of a result that describe where operations went: per node figures and redirections
 * for a cluster or replicas, and for every run the longest time the target gave no successful
 * reply (what a failover or a fault cost the application).
 */
export function routingResult(
  totals: PhaseTotals,
  seconds: number,
  measureStartEpochMs: number | undefined,
  topology: Topology | undefined,
  topologyChanges: TopologyChange[],
): Pick<RunResult, "nodes" | "routing" | "availability"> {
  const out: Pick<RunResult, "nodes" | "routing" | "availability"> = {};
  if (topology !== undefined) {
    const roles = new Map(topology.nodes.map((n) => [nodeName(n), n.role]));
    const nodes: NonNullable<RunResult["nodes"]> = {};
    for (const [name, node] of [...totals.byNode.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      nodes[name] = {
        role: roles.get(name) ?? "unknown",
        ops: node.ops,
        opsPerSec: seconds > 0 ? Math.round((node.ops / seconds) * 10) / 10 : 0,
        errors: node.errors,
        errorsByKind: node.errorsByKind,
        latency: summarizeMs(node.latency),
      };
    }
    out.nodes = nodes;
    out.routing = {
      kind: topology.kind,
      redirects: totals.redirects,
      topologyChanges,
    };
  }
  const gap = totals.longestGap;
  if (gap !== undefined && measureStartEpochMs !== undefined) {
    out.availability = {
      longestGapMs: Math.round(gap.toMs - gap.fromMs),
      fromS: Math.round((gap.fromMs - measureStartEpochMs) / 100) / 10,
      toS: Math.round((gap.toMs - measureStartEpochMs) / 100) / 10,
    };
  }
  return out;
}
