import { ErrorReply, RESP_TYPES } from "@redis/client";
import { createTargetClient, type TargetClient } from "../core/target-client.js";
import { keySlot } from "../engine/key-slot.js";
import type { ConnectionTarget } from "../engine/load-connection.js";
import { type Topology, topologyFromClusterSlots } from "../engine/topology.js";

/** The check cannot work against this target (a refused MGET...); found before any load. */
export class CheckUnavailableError extends Error {
  readonly code = "E_CHECK_UNAVAILABLE";
}

/** Values come back as Buffers, so a comparison with the written record is byte for byte. */
const AS_BUFFERS = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };

/**
 * A check's own connections to the server (never through the fault proxy): MGET of a batch of keys
 * with the values as raw bytes. On a cluster it holds one connection per primary and splits each
 * batch by slot (an MGET may only name keys of one slot), sending each part to the slot's owner as
 * the slot map read at open time says. It counts the MGETs it sent and the replies it read, so the
 * reads a check makes while the load runs can be added to the run's count check.
 */
export class KeyReader {
  /** MGET commands written to the sockets, and those answered (with values or an error reply). */
  readonly counts = { sent: 0, completed: 0 };

  private constructor(
    /** The first is the server the run was pointed at; on a cluster, one per primary in topology order. */
    private readonly clients: TargetClient[],
    /** A cluster's slot map, undefined for one server. */
    private readonly cluster: { topology: Topology; clientOfNode: Map<number, TargetClient> } | undefined,
  ) {}

  static async open(target: ConnectionTarget, where: string): Promise<KeyReader> {
    const first = await connect(target, where);
    const info = await first.info("cluster").catch(() => "");
    if (!/cluster_enabled:1/.test(info)) return new KeyReader([first], undefined);
    const clients = [first];
    try {
      const topology = topologyFromClusterSlots(await first.sendCommand(["CLUSTER", "SLOTS"]), target.host);
      const clientOfNode = new Map<number, TargetClient>();
      for (const [index, node] of topology.nodes.entries()) {
        if (node.role !== "primary") continue;
        const same = node.host === target.host && node.port === target.port;
        const client = same ? first : await connect({ ...target, host: node.host, port: node.port }, where);
        if (!same) clients.push(client);
        clientOfNode.set(index, client);
      }
      return new KeyReader(clients, { topology, clientOfNode });
    } catch (error) {
      for (const client of clients) destroy(client);
      throw error instanceof CheckUnavailableError
        ? error
        : new CheckUnavailableError(
            `the check cannot read the cluster's slot map from ${where}: ${(error as Error).message}`,
          );
    }
  }

  /** The values of `names` in order; null for a key that does not exist. */
  async mget(names: string[]): Promise<(Buffer | null)[]> {
    if (this.cluster === undefined) return this.send(this.clients[0], names);
    const { topology, clientOfNode } = this.cluster;
    const bySlot = new Map<number, number[]>();
    names.forEach((name, i) => {
      const slot = keySlot(name);
      const positions = bySlot.get(slot);
      if (positions === undefined) bySlot.set(slot, [i]);
      else positions.push(i);
    });
    const values = new Array<Buffer | null>(names.length).fill(null);
    await Promise.all(
      [...bySlot].map(async ([slot, positions]) => {
        const client = clientOfNode.get(topology.slotOwner[slot]) ?? this.clients[0];
        const found = await this.send(
          client,
          positions.map((i) => names[i]),
        );
        positions.forEach((position, j) => {
          values[position] = found[j];
        });
      }),
    );
    return values;
  }

  /** `INFO <section>` of the server the run was pointed at, as text. */
  info(section: string): Promise<string> {
    return this.clients[0].info(section);
  }

  get isOpen(): boolean {
    return this.clients.every((c) => c.isOpen);
  }

  close(): void {
    for (const client of this.clients) destroy(client);
  }

  private async send(client: TargetClient, names: string[]): Promise<(Buffer | null)[]> {
    this.counts.sent++;
    try {
      const reply = await client.sendCommand<(Buffer | null)[]>(["MGET", ...names], AS_BUFFERS);
      this.counts.completed++;
      return reply;
    } catch (error) {
      // An error reply was read (the server counts it as a rejected call); a broken connection answered nothing.
      if (error instanceof ErrorReply) this.counts.completed++;
      throw error;
    }
  }
}

async function connect(target: ConnectionTarget, where: string): Promise<TargetClient> {
  const client = createTargetClient(target);
  client.on("error", () => {
    // A broken connection rejects the commands in flight; that rejection is what gets reported.
  });
  try {
    await client.connect();
    return client;
  } catch (error) {
    destroy(client);
    throw new CheckUnavailableError(
      `the check cannot open its own connection to ${where}: ${(error as Error).message}`,
    );
  }
}

function destroy(client: TargetClient): void {
  try {
    client.destroy();
  } catch {
    // Already closed; nothing left to release.
  }
}
