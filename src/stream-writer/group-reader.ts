import type { createClient } from "@redis/client";
import type { StreamEntry } from "./partitioner.js";

/**
 * The consumer-group side of the reader: every stream has one group shared by all writers (Redis
 * hands each entry to one consumer of the group, so several writer processes split the work without
 * talking to each other). A writer first takes over the entries a dead consumer left pending
 * (XAUTOCLAIM), then re-reads its own pending entries (ID 0) — they may already be in a file — and
 * only then asks for new ones (ID `>`).
 */

export type RedisClient = ReturnType<typeof createClient>;

/** A stream to drain and the event type its entries carry (the `type=` partition). */
export interface StreamSpec {
  key: string;
  type: string;
}

/**
 * XGROUP CREATE … 0 MKSTREAM, unless the group exists. A new group starts at the stream's
 * beginning, so events produced before the first writer ran are written too.
 */
export async function ensureGroup(client: RedisClient, stream: string, group: string): Promise<boolean> {
  try {
    await client.sendCommand(["XGROUP", "CREATE", stream, group, "0", "MKSTREAM"]);
    return true;
  } catch (error) {
    if (/BUSYGROUP/.test((error as Error).message)) return false;
    throw error;
  }
}

/**
 * XAUTOCLAIM every entry pending longer than `minIdleMs` in any consumer of the group into
 * `consumer`, `count` at a time, at most `maxRounds` calls. Returns how many were claimed; they are
 * then read back with readPending. JUSTID keeps the delivery counter as it is.
 */
export async function claimIdlePending(
  client: RedisClient,
  stream: string,
  group: string,
  consumer: string,
  minIdleMs: number,
  count: number,
  maxRounds: number,
): Promise<number> {
  let cursor = "0-0";
  let claimed = 0;
  for (let round = 0; round < maxRounds; round++) {
    const reply = (await client.sendCommand([
      "XAUTOCLAIM",
      stream,
      group,
      consumer,
      String(Math.round(minIdleMs)),
      cursor,
      "COUNT",
      String(count),
      "JUSTID",
    ])) as [string, string[], string[]?];
    claimed += reply[1].length;
    cursor = reply[0];
    if (cursor === "0-0") break;
  }
  return claimed;
}

/** Up to `count` of this consumer's own pending entries with IDs after `afterId` (`0` = from the start). */
export async function readPending(
  client: RedisClient,
  stream: string,
  group: string,
  consumer: string,
  afterId: string,
  count: number,
): Promise<StreamEntry[]> {
  const reply = await readGroup(client, group, consumer, count, [stream], [afterId]);
  return reply?.[0]?.[1] ?? [];
}

/** Up to `count` new entries per stream, never delivered to any consumer of the group before. */
export async function readNew(
  client: RedisClient,
  streams: string[],
  group: string,
  consumer: string,
  count: number,
): Promise<Map<string, StreamEntry[]>> {
  const reply = await readGroup(
    client,
    group,
    consumer,
    count,
    streams,
    streams.map(() => ">"),
  );
  const byStream = new Map<string, StreamEntry[]>();
  for (const [stream, entries] of reply ?? []) if (entries.length > 0) byStream.set(stream, entries);
  return byStream;
}

function readGroup(
  client: RedisClient,
  group: string,
  consumer: string,
  count: number,
  streams: string[],
  ids: string[],
): Promise<[string, StreamEntry[]][] | null> {
  return client.sendCommand([
    "XREADGROUP",
    "GROUP",
    group,
    consumer,
    "COUNT",
    String(count),
    "STREAMS",
    ...streams,
    ...ids,
  ]) as Promise<[string, StreamEntry[]][] | null>;
}

export interface GroupState {
  /**
   * Entries not yet delivered to the group: XINFO GROUPS `lag`, or, when the server cannot tell (it
   * reports null after deletions inside the range), the stream's length minus the pending entries —
   * the same number here, since the writer deletes every entry it has written.
   */
  lag: number;
  /** Delivered, not yet acknowledged. */
  pending: number;
  /** XLEN: entries in the stream, pending ones included. */
  length: number;
}

/** The group's lag and pending count from XINFO GROUPS; undefined when the group does not exist. */
export async function groupState(
  client: RedisClient,
  stream: string,
  group: string,
): Promise<GroupState | undefined> {
  const groups = (await client.sendCommand(["XINFO", "GROUPS", stream])) as unknown[][];
  for (const flat of groups) {
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), flat[i + 1]);
    if (fields.get("name") !== group) continue;
    const lag = fields.get("lag");
    const pending = Number(fields.get("pending") ?? 0);
    const length = Number(await client.sendCommand(["XLEN", stream]));
    return { lag: typeof lag === "number" ? lag : Math.max(0, length - pending), pending, length };
  }
  return undefined;
}
