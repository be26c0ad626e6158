import { AdminClient } from "../core/admin-client.js";
import type { ConnectionTarget } from "../engine/load-connection.js";
import {
  nodeName,
  sameTopology,
  standaloneTopology,
  type Topology,
  topologyFromClusterSlots,
} from "../engine/topology.js";
import type { ServerCommandCounts } from "../result/count-check.js";

/**
 * What the target is made of, read with the admin client before the run: a Redis Cluster (INFO
 * cluster says cluster_enabled:1; CLUSTER SLOTS gives the slot map), or a standalone primary whose
 * replicas serve reads with --read-from replicas (INFO replication lists them). Undefined for a
 * plain standalone run, which keeps the engine's simplest path.
 */
export async function discoverTopology(
  admin: AdminClient,
  seed: ConnectionTarget,
  readFrom: "primary" | "replicas",
): Promise<Topology | undefined> {
  const cluster = parseFields(String(await admin.sendCommand(["INFO", "cluster"]).catch(() => "")));
  if (cluster.cluster_enabled === "1") {
    return topologyFromClusterSlots(await admin.sendCommand(["CLUSTER", "SLOTS"]), seed.host);
  }
  if (readFrom !== "replicas") return undefined;
  const replication = parseFields(String(await admin.sendCommand(["INFO", "replication"])));
  const replicas: { host: string; port: number }[] = [];
  for (const [field, value] of Object.entries(replication)) {
    if (!/^slave\d+$/.test(field)) continue;
    const parts = Object.fromEntries(value.split(",").map((kv) => kv.split("=") as [string, string]));
    if (parts.state === "online" && parts.ip !== undefined)
      replicas.push({ host: parts.ip, port: Number(parts.port) });
  }
  return standaloneTopology(seed.host, seed.port, replicas);
}

function parseFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/**
 * An admin connection to every node, for what must be read or done per server: INFO
 * commandstats summed over the nodes the run's commands go to, key cleanup on every primary, and
 * the slot map read again during the run (a migration or failover changes it).
 */
export class NodeAdmins {
  private constructor(
    private topology: Topology,
    private readonly admins: Map<string, AdminClient>,
    private readonly seed: AdminClient,
    private readonly seedTarget: ConnectionTarget,
    private readonly readFrom: "primary" | "replicas",
  ) {}

  static async connect(
    topology: Topology,
    seed: AdminClient,
    seedTarget: ConnectionTarget,
    readFrom: "primary" | "replicas",
  ): Promise<NodeAdmins> {
    const admins = new Map<string, AdminClient>();
    try {
      for (const node of topology.nodes) {
        const name = nodeName(node);
        const target = { ...seedTarget, host: node.host, port: node.port };
        admins.set(name, await AdminClient.connect(target, name));
      }
    } catch (error) {
      await Promise.all([...admins.values()].map((a) => a.close()));
      throw error;
    }
    return new NodeAdmins(topology, admins, seed, seedTarget, readFrom);
  }

  get current(): Topology {
    return this.topology;
  }

  /** `host:port` of every node, primaries first. */
  get nodeNames(): string[] {
    return this.topology.nodes.map(nodeName);
  }

  /**
   * The run's commands as the servers counted them. A replica also executes its primary's writes
   * (they reach it through replication), so writes are counted on primaries only; reads on the
   * replicas too when they serve reads.
   */
  async commandCounts(writes: ReadonlySet<string>): Promise<ServerCommandCounts | undefined> {
    const total: ServerCommandCounts = {};
    for (const node of this.topology.nodes) {
      const admin = this.admins.get(nodeName(node));
      const counts = await admin?.commandCounts();
      if (counts === undefined) return undefined;
      for (const [command, n] of Object.entries(counts)) {
        if (node.role === "replica" && (writes.has(command) || this.readFrom !== "replicas")) continue;
        total[command] = (total[command] ?? 0) + n;
      }
    }
    return total;
  }

  /** The admin connection of every primary (scripts are loaded on each). */
  primaryAdmins(): AdminClient[] {
    return this.topology.nodes.flatMap((node) => {
      const admin = node.role === "primary" ? this.admins.get(nodeName(node)) : undefined;
      return admin !== undefined ? [admin] : [];
    });
  }

  async deleteKeys(prefix: string): Promise<number> {
    let deleted = 0;
    for (const node of this.topology.nodes) {
      if (node.role !== "primary") continue;
      deleted +=
        (await this.admins.get(nodeName(node))?.deleteKeys(prefix, this.topology.kind === "cluster")) ?? 0;
    }
    return deleted;
  }

  /** Reads the slot map again; the new topology when it changed, else undefined. */
  async refresh(): Promise<Topology | undefined> {
    if (this.topology.kind !== "cluster") return undefined;
    let next: Topology;
    try {
      next = topologyFromClusterSlots(
        await this.seed.sendCommand(["CLUSTER", "SLOTS"]),
        this.seedTarget.host,
      );
    } catch {
      // The seed node is gone (failover): ask any node that still answers.
      next = await this.fromAnyNode();
    }
    if (sameTopology(this.topology, next)) return undefined;
    this.topology = next;
    for (const node of next.nodes) {
      const name = nodeName(node);
      if (this.admins.has(name)) continue;
      try {
        this.admins.set(
          name,
          await AdminClient.connect({ ...this.seedTarget, host: node.host, port: node.port }, name),
        );
      } catch {
        // A node that cannot be reached yet is read again at the next refresh.
      }
    }
    return next;
  }

  private async fromAnyNode(): Promise<Topology> {
    for (const admin of this.admins.values()) {
      try {
        return topologyFromClusterSlots(await admin.sendCommand(["CLUSTER", "SLOTS"]), this.seedTarget.host);
      } catch {
        // try the next node
      }
    }
    return this.topology;
  }

  async close(): Promise<void> {
    await Promise.all([...this.admins.values()].map((a) => a.close()));
  }
}
