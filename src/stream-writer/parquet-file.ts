import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { type ColumnSource, parquetWriteBuffer } from "hyparquet-writer";
import { schemaColumns } from "./event-schema.js";
import type { PartitionBatch } from "./partitioner.js";
import { partFileName } from "./stream-ids.js";

/**
 * Writes one partition's rows as a Parquet file that is either whole or absent: the bytes go to a
 * temp name in the same directory, are fsynced, renamed to `part-<firstId>-<lastId>.parquet`, and
 * the directory is fsynced so the rename itself survives a power cut. Only after this returns may
 * the entries be acknowledged. Temp names start with a dot and end in `.tmp`, so readers skip them.
 */

export interface WrittenFile {
  path: string;
  bytes: number;
  rows: number;
}

/** Rows per row group: one group per file for a normal batch, so a reader does one seek per column. */
const ROW_GROUP_ROWS = 100_000;
/** Min/max statistics only where queries filter (time) and where recovery looks (IDs); the rest cost time. */
const STATISTICS_COLUMNS = new Set(["stream_id", "time_us"]);

export async function writePartitionFile(
  outDir: string,
  partition: PartitionBatch,
  tempTag: string,
): Promise<WrittenFile> {
  const dir = join(outDir, partition.dir);
  await mkdirDurable(outDir, dir);
  const name = partFileName(partition.ids[0], partition.ids[partition.ids.length - 1]);
  const finalPath = join(dir, name);
  const tempPath = join(dir, `.${name}.${tempTag}.tmp`);
  const columns = schemaColumns(partition.type);
  const columnData: ColumnSource[] = columns.map((spec, c) => ({
    name: spec.name,
    data: partition.columns[c],
    type: spec.type,
    nullable: spec.name !== "stream" && spec.name !== "stream_id" && spec.name !== "time_us",
    statistics: STATISTICS_COLUMNS.has(spec.name),
    encoding: spec.dictionary ? undefined : "PLAIN",
  }));
  const buffer = parquetWriteBuffer({
    columnData,
    statistics: false,
    rowGroupSize: ROW_GROUP_ROWS,
    createdBy: "cachestress stream-writer",
  });
  try {
    const file = await open(tempPath, "w");
    try {
      await file.writeFile(new Uint8Array(buffer));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tempPath, finalPath);
  } catch (error) {
    await rm(tempPath, { force: true }).catch(() => {});
    throw error;
  }
  await fsyncDir(dir);
  return { path: finalPath, bytes: buffer.byteLength, rows: partition.ids.length };
}

/** mkdir -p, then fsync every directory whose entry list changed, so a new partition survives a crash. */
async function mkdirDurable(outDir: string, dir: string): Promise<void> {
  const exists = await stat(dir).then(
    () => true,
    () => false,
  );
  if (exists) return;
  await mkdir(dir, { recursive: true });
  const parts = relative(outDir, dir).split(sep);
  // Each created directory is an entry of its parent; fsync from the deepest parent up to outDir's parent.
  for (let depth = parts.length - 1; depth >= 0; depth--) {
    await fsyncDir(join(outDir, ...parts.slice(0, depth)));
  }
  await fsyncDir(dirname(outDir)).catch(() => {});
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
