import { eventRow, schemaColumns } from "./event-schema.js";

/**
 * Splits one batch of a stream into hour partitions by each event's own time (`time_us`), the
 * layout `year=YYYY/month=MM/day=DD/hour=HH/type=T/` that Hive, Spark, DuckDB and Athena read as
 * partition columns. Entries that cannot be parsed are set aside for the dead-letter stream with
 * their reason; they never hold back the rest of the batch.
 */

/** A stream entry as XREADGROUP returns it: the ID and flat field/value pairs (null once deleted). */
export type StreamEntry = [id: string, fields: string[] | null];

export interface PartitionBatch {
  /** Relative directory, `year=2025/month=01/day=01/hour=00/type=post`. */
  dir: string;
  type: string;
  /** Stream IDs of the rows, in stream order. */
  ids: string[];
  /** Column-major values, in schemaColumns(type) order. */
  columns: unknown[][];
}

export interface DeadEntry {
  id: string;
  fields: string[];
  reason: string;
}

export interface PartitionedBatch {
  partitions: PartitionBatch[];
  dead: DeadEntry[];
  /** Entries still pending but already deleted from the stream: nothing left to write. */
  vanished: string[];
}

const US_PER_HOUR = 3_600_000_000;

export function partitionBatch(stream: string, type: string, entries: StreamEntry[]): PartitionedBatch {
  const byHour = new Map<number, PartitionBatch>();
  const dead: DeadEntry[] = [];
  const vanished: string[] = [];
  const columnCount = schemaColumns(type).length;
  for (const [id, fields] of entries) {
    if (fields === null) {
      vanished.push(id);
      continue;
    }
    const row = eventRow(type, stream, id, fields);
    if (typeof row === "string") {
      dead.push({ id, fields, reason: row });
      continue;
    }
    const hour = Math.floor(row.timeUs / US_PER_HOUR);
    let partition = byHour.get(hour);
    if (partition === undefined) {
      partition = { dir: partitionDir(hour, type), type, ids: [], columns: [] };
      for (let c = 0; c < columnCount; c++) partition.columns.push([]);
      byHour.set(hour, partition);
    }
    partition.ids.push(id);
    for (let c = 0; c < columnCount; c++) partition.columns[c].push(row.values[c]);
  }
  return { partitions: [...byHour.values()], dead, vanished };
}

/** The partition directory of an hour (counted from 1970, UTC) and a type. */
export function partitionDir(hourSinceEpoch: number, type: string): string {
  const date = new Date(hourSinceEpoch * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `year=${date.getUTCFullYear()}/month=${pad(date.getUTCMonth() + 1)}/day=${pad(date.getUTCDate())}` +
    `/hour=${pad(date.getUTCHours())}/type=${type}`
  );
}

/** The same partition without the rows whose IDs are in `skip` (already in a file). */
export function withoutIds(partition: PartitionBatch, skip: Set<string>): PartitionBatch {
  const keep: number[] = [];
  for (let i = 0; i < partition.ids.length; i++) if (!skip.has(partition.ids[i])) keep.push(i);
  return {
    ...partition,
    ids: keep.map((i) => partition.ids[i]),
    columns: partition.columns.map((column) => keep.map((i) => column[i])),
  };
}
