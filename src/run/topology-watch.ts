import type { EngineThreads } from "../engine/engine-threads.js";
import { epochNowMs } from "../engine/load-connection.js";
import { nodeName, type Topology } from "../engine/topology.js";
import type { NodeAdmins } from "./target-topology.js";

/** How often the slot map is read again during a cluster run, ms. */
const REFRESH_EVERY_MS = 1000;
/** A thread's MOVED asks for a refresh; several in a row make one. */
const STALE_DEBOUNCE_MS = 50;

export interface TopologyChange {
  /** Seconds since the measured part started (negative before it). */
  tS: number;
  primaries: string[];
  /** Slots whose primary changed. */
  slotsMoved: number;
}

/**
 * Keeps the engine threads' slot map current during a cluster run: reads CLUSTER SLOTS every
 * second and whenever a thread saw a MOVED, and hands a changed map to every thread. Each change
 * is recorded for the report (a slot migration, a failover).
 */
export class TopologyWatch {
  readonly changes: TopologyChange[] = [];
  private originMs = epochNowMs();
  private timer: NodeJS.Timeout | undefined;
  private staleTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly nodes: NodeAdmins,
    private readonly engine: EngineThreads,
    private readonly say: (line: string) => void,
  ) {
    if (nodes.current.kind !== "cluster") return;
    this.timer = setInterval(() => this.refresh(), REFRESH_EVERY_MS);
    engine.onTopologyStale = () => {
      if (this.staleTimer !== undefined || this.stopped) return;
      this.staleTimer = setTimeout(() => {
        this.staleTimer = undefined;
        this.refresh();
      }, STALE_DEBOUNCE_MS);
    };
  }

  setOrigin(epochMs: number): void {
    this.originMs = epochMs;
  }

  private refresh(): void {
    // One read at a time; a slow node must not pile up refreshes.
    this.running = this.running.then(async () => {
      if (this.stopped) return;
      const before = this.nodes.current;
      const next = await this.nodes.refresh().catch(() => undefined);
      if (next === undefined || this.stopped) return;
      this.engine.setTopology(next);
      const change = {
        tS: Math.round((epochNowMs() - this.originMs) / 100) / 10,
        primaries: primaries(next),
        slotsMoved: slotsMoved(before, next),
      };
      this.changes.push(change);
      this.say(
        `cluster topology changed at ${change.tS}s: ${change.slotsMoved} slots moved; primaries ${change.primaries.join(", ")}`,
      );
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.staleTimer !== undefined) clearTimeout(this.staleTimer);
    this.engine.onTopologyStale = undefined;
    await this.running;
  }
}

/** The set of primaries differs (a failover), as opposed to slots moving between the same primaries. */
export function primariesChanged(before: Topology, after: Topology): boolean {
  const a = primaries(before).sort().join(" ");
  const b = primaries(after).sort().join(" ");
  return a !== b;
}

function primaries(topology: Topology): string[] {
  return topology.nodes.filter((n) => n.role === "primary").map(nodeName);
}

function slotsMoved(before: Topology, after: Topology): number {
  let moved = 0;
  for (let slot = 0; slot < after.slotOwner.length; slot++) {
    const a = before.slotOwner[slot];
    const b = after.slotOwner[slot];
    const nameA = a >= 0 ? nodeName(before.nodes[a]) : "";
    const nameB = b >= 0 ? nodeName(after.nodes[b]) : "";
    if (nameA !== nameB) moved++;
  }
  return moved;
}

/** One line for the start of the run: what the tool found and where reads go. */
export function describeTopology(topology: Topology, readFrom: "primary" | "replicas"): string {
  const primaryCount = topology.nodes.filter((n) => n.role === "primary").length;
  const replicaCount = topology.nodes.length - primaryCount;
  const what =
    topology.kind === "cluster"
      ? `Redis Cluster: ${primaryCount} primaries, ${replicaCount} replicas`
      : `standalone primary with ${replicaCount} replicas`;
  return `${what}; reads go to ${readFrom === "replicas" && replicaCount > 0 ? "replicas" : "primaries"}`;
}
