import { readdirSync, statfsSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * The size of a local server's RDB and AOF files and how full the filesystem under them is. Redis 7
 * keeps its AOF as several files in `appenddirname` (a base RDB, incremental AOFs and a manifest);
 * older servers write one `appendfilename` in `dir`. A server that cannot persist refuses writes
 * (MISCONF), so a persistence directory at 90 % is as urgent as memory at 90 %.
 */

/** Where a server persists, from CONFIG GET dir / dbfilename / appendfilename / appenddirname. */
export interface PersistencePaths {
  dir: string;
  dbfilename?: string;
  appendfilename?: string;
  /** Redis 7+: the folder under `dir` that holds the AOF's files. */
  appenddirname?: string;
}

export interface PersistenceReading {
  /** undefined when the file does not exist (nothing saved yet reads as 0 only when the dir exists). */
  rdbFileBytes?: number;
  aofFileBytes?: number;
  diskTotalBytes?: number;
  /** Free for unprivileged writers (statfs bavail), as `df` shows it. */
  diskFreeBytes?: number;
  /** used / (used + available) × 100, as `df` computes Use%. */
  diskUsedPercent?: number;
}

function fileBytes(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/** Sum of the regular files directly in `dir`; undefined when it does not exist. */
function folderBytes(dir: string): number | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  let total = 0;
  for (const name of names.slice(0, 10_000)) total += fileBytes(join(dir, name)) ?? 0;
  return total;
}

/** df's Use%: blocks in use over blocks in use plus those an ordinary user may still take. */
export function diskUsedPercentOf(blocks: number, free: number, available: number): number | undefined {
  const used = blocks - free;
  const base = used + available;
  return base > 0 ? (used / base) * 100 : undefined;
}

export function readPersistence(paths: PersistencePaths): PersistenceReading {
  const reading: PersistenceReading = {};
  if (paths.dbfilename !== undefined) {
    const rdb = fileBytes(join(paths.dir, paths.dbfilename));
    if (rdb !== undefined) reading.rdbFileBytes = rdb;
  }
  const aof =
    paths.appenddirname !== undefined
      ? folderBytes(join(paths.dir, paths.appenddirname))
      : paths.appendfilename !== undefined
        ? fileBytes(join(paths.dir, paths.appendfilename))
        : undefined;
  if (aof !== undefined) reading.aofFileBytes = aof;
  try {
    const fs = statfsSync(paths.dir);
    reading.diskTotalBytes = fs.blocks * fs.bsize;
    reading.diskFreeBytes = fs.bavail * fs.bsize;
    const used = diskUsedPercentOf(fs.blocks, fs.bfree, fs.bavail);
    if (used !== undefined) reading.diskUsedPercent = Math.round(used * 100) / 100;
  } catch {
    // The directory is gone or not ours to see: no disk figures for this sample.
  }
  return reading;
}
