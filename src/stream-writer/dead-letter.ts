import type { RedisClient } from "./group-reader.js";
import type { DeadEntry } from "./partitioner.js";

/**
 * Entries that cannot be parsed go to `<stream>:dead` with the reason, and are acknowledged and
 * deleted from the source in the same MULTI, so a crash cannot leave one both dead-lettered and
 * pending (which would dead-letter it twice) and a poison entry never blocks the entries after it.
 *
 * A dead-letter entry holds `reason`, `source_stream`, `source_id`, `group` and the original fields
 * as `field.<name>`, so it can be repaired and XADDed back by hand.
 */

export function deadLetterStream(stream: string): string {
  return `${stream}:dead`;
}

export async function moveToDeadLetter(
  client: RedisClient,
  stream: string,
  group: string,
  dead: DeadEntry[],
): Promise<void> {
  if (dead.length === 0) return;
  const multi = client.multi();
  for (const entry of dead) {
    const fields: string[] = [];
    for (let i = 0; i + 1 < entry.fields.length; i += 2)
      fields.push(`field.${entry.fields[i]}`, entry.fields[i + 1]);
    multi.addCommand([
      "XADD",
      deadLetterStream(stream),
      "*",
      "reason",
      entry.reason,
      "source_stream",
      stream,
      "source_id",
      entry.id,
      "group",
      group,
      ...fields,
    ]);
  }
  const ids = dead.map((entry) => entry.id);
  multi.addCommand(["XACK", stream, group, ...ids]);
  multi.addCommand(["XDEL", stream, ...ids]);
  await multi.exec();
}
