import type { RedisClient } from "./group-reader.js";

/**
 * Acknowledging and removing entries once their file is durable. XACK and XDEL go in one MULTI, so
 * an entry is never acknowledged but left in the stream, or deleted but left pending; on servers
 * with XACKDEL (Redis 8.2+, found at run time with COMMAND INFO) one command does both.
 *
 * Deleting by ID rather than XTRIM MINID: with several writers in the group, entries below any one
 * writer's last ID may still be pending in another writer, and MINID would delete them unwritten.
 */

/** Whether the server knows XACKDEL. */
export async function serverHasXackdel(client: RedisClient): Promise<boolean> {
  const reply = (await client.sendCommand(["COMMAND", "INFO", "XACKDEL"])) as unknown[];
  return Array.isArray(reply) && reply.length > 0 && reply[0] !== null;
}

/** IDs per command: large enough to be cheap, small enough that no reply blocks the server long. */
const IDS_PER_COMMAND = 10_000;

export async function ackAndDelete(
  client: RedisClient,
  stream: string,
  group: string,
  ids: string[],
  useXackdel: boolean,
): Promise<void> {
  for (let start = 0; start < ids.length; start += IDS_PER_COMMAND) {
    const chunk = ids.slice(start, start + IDS_PER_COMMAND);
    if (useXackdel) {
      await client.sendCommand(["XACKDEL", stream, group, "IDS", String(chunk.length), ...chunk]);
      continue;
    }
    await client
      .multi()
      .addCommand(["XACK", stream, group, ...chunk])
      .addCommand(["XDEL", stream, ...chunk])
      .exec();
  }
}
