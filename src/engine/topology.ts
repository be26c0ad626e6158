import { SLOT_COUNT } from "./key-slot.js";

/** One server of a cluster (or of a replicated standalone setup), as clients reach it. */
export interface TopologyNode {
  host: string;
  port: number;
  role: "primary" | "replica";
  /** Replicas: the index of their primary in `nodes`. */
  primary?: number;
}

/**
 * Who serves which key. A cluster maps each of the 16384 slots to a primary; a standalone server
 * (with or without replicas) is one primary that owns every slot. Plain data: it crosses
 * postMessage to the engine threads as is.
 */
export interface Topology {
  kind: "cluster" | "standalone";
  nodes: TopologyNode[];
  /** slotOwner[slot] = index of the primary in `nodes` (-1: no owner, CLUSTERDOWN). */
  slotOwner: number[];
}

export function standaloneTopology(
  host: string,
  port: number,
  replicas: { host: string; port: number }[] = [],
): Topology {
  return {
    kind: "standalone",
    nodes: [
      { host, port, role: "primary" },
      ...replicas.map((r) => ({ host: r.host, port: r.port, role: "replica" as const, primary: 0 })),
    ],
    slotOwner: new Array<number>(SLOT_COUNT).fill(0),
  };
}

/**
 * CLUSTER SLOTS → Topology. The reply is [[start, end, [host, port, id], [replica...]...], ...]
 * (RESP2 arrays; node-redis may hand numbers or strings). An empty host means "the address you
 * reached me on", which only the caller knows: `seedHost`.
 */
export function topologyFromClusterSlots(reply: unknown, seedHost: string): Topology {
  const nodes: TopologyNode[] = [];
  const indexOf = new Map<string, number>();
  const nodeIndex = (entry: unknown, role: TopologyNode["role"], primary?: number): number => {
    const [rawHost, rawPort] = entry as [unknown, unknown];
    const host = String(rawHost) === "" || rawHost === null ? seedHost : String(rawHost);
    const port = Number(rawPort);
    const key = `${host}:${port}`;
    let index = indexOf.get(key);
    if (index === undefined) {
      index = nodes.length;
      nodes.push(role === "primary" ? { host, port, role } : { host, port, role, primary });
      indexOf.set(key, index);
    }
    return index;
  };
  const slotOwner = new Array<number>(SLOT_COUNT).fill(-1);
  for (const range of (reply as unknown[][]) ?? []) {
    const start = Number(range[0]);
    const end = Number(range[1]);
    const primary = nodeIndex(range[2], "primary");
    for (const replica of range.slice(3)) nodeIndex(replica, "replica", primary);
    for (let slot = start; slot <= end; slot++) slotOwner[slot] = primary;
  }
  return { kind: "cluster", nodes, slotOwner };
}

/** Same nodes in the same order and the same slot owners (a reordering counts as a change: harmless). */
export function sameTopology(a: Topology, b: Topology): boolean {
  if (a.nodes.length !== b.nodes.length) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    if (a.nodes[i].host !== b.nodes[i].host || a.nodes[i].port !== b.nodes[i].port) return false;
    if (a.nodes[i].role !== b.nodes[i].role) return false;
  }
  for (let s = 0; s < SLOT_COUNT; s++) if (a.slotOwner[s] !== b.slotOwner[s]) return false;
  return true;
}

export function nodeName(node: { host: string; port: number }): string {
  return node.host.includes(":") ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`;
}
