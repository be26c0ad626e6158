import { join } from "node:path";
import { ackAndDelete } from "./ack-trim.js";
import { moveToDeadLetter } from "./dead-letter.js";
import type { RedisClient, StreamSpec } from "./group-reader.js";
import { writePartitionFile } from "./parquet-file.js";
import { writtenIdsInRange } from "./parquet-read.js";
import { partitionBatch, type StreamEntry, withoutIds } from "./partitioner.js";
import { type RetryPolicy, withRetries } from "./retry.js";
import type { BatchRecord } from "./writer-metrics.js";

/**
 * One batch of one stream, in the order that makes it safe to crash anywhere: dead letters moved
 * (atomically with their acknowledgement), then every partition's file made durable, and only
 * then the written entries acknowledged and deleted. A crash before the acknowledgement leaves the
 * entries pending; the next run re-reads them as a "recovered" batch, finds the IDs that already
 * sit in a file of their partition, and acknowledges those without writing them again.
 */

export interface BatchContext {
  client: RedisClient;
  group: string;
  outDir: string;
  /** Unique per writer process, so two writers never share a temp file name. */
  tempTag: string;
  retry: RetryPolicy;
  useXackdel: boolean;
  onRetry: (what: string, attempt: number, error: unknown, delayMs: number) => void;
}

export async function writeBatch(
  ctx: BatchContext,
  stream: StreamSpec,
  entries: StreamEntry[],
  recovered: boolean,
): Promise<BatchRecord> {
  const startMs = performance.now();
  const retry = <T>(what: string, operation: () => Promise<T>) =>
    withRetries(`${what} (${stream.key})`, ctx.retry, operation, (attempt, error, delayMs) =>
      ctx.onRetry(`${what} (${stream.key})`, attempt, error, delayMs),
    );
  const { partitions, dead, vanished } = partitionBatch(stream.key, stream.type, entries);
  await retry("dead-letter", () => moveToDeadLetter(ctx.client, stream.key, ctx.group, dead));

  const fileBytes: number[] = [];
  let written = 0;
  let alreadyWritten = 0;
  const ackIds: string[] = [...vanished];
  for (const partition of partitions) {
    let toWrite = partition;
    if (recovered) {
      const first = partition.ids[0];
      const last = partition.ids[partition.ids.length - 1];
      const existing = await retry("read existing files", () =>
        writtenIdsInRange(join(ctx.outDir, partition.dir), first, last),
      );
      if (existing.size > 0) toWrite = withoutIds(partition, existing);
      alreadyWritten += partition.ids.length - toWrite.ids.length;
    }
    if (toWrite.ids.length > 0) {
      const file = await retry("write parquet", () => writePartitionFile(ctx.outDir, toWrite, ctx.tempTag));
      fileBytes.push(file.bytes);
      written += file.rows;
    }
    for (const id of partition.ids) ackIds.push(id);
  }
  await retry("acknowledge", () => ackAndDelete(ctx.client, stream.key, ctx.group, ackIds, ctx.useXackdel));
  return {
    stream: stream.key,
    entries: entries.length,
    written,
    alreadyWritten,
    deadLetters: dead.length,
    files: fileBytes.length,
    fileBytes,
    durationMs: performance.now() - startMs,
    recovered,
  };
}
