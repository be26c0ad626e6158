import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { parsePartFileName, rangesOverlap } from "./stream-ids.js";

/**
 * Reading part files back: for crash recovery (which of these pending IDs are already in a file?)
 * and for `stream-writer verify`. Temp files (`.part-….tmp`) are never read: they were not renamed,
 * so nothing was acknowledged for them.
 */

export interface PartFile {
  path: string;
  firstId: string;
  lastId: string;
}

/** The part files of one partition directory; an absent directory has none. */
export async function partFilesIn(dir: string): Promise<PartFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files: PartFile[] = [];
  for (const name of names) {
    const range = parsePartFileName(name);
    if (range !== undefined) files.push({ path: join(dir, name), ...range });
  }
  return files;
}

/** Every part file under `outDir`, at any depth. */
export async function allPartFiles(outDir: string): Promise<PartFile[]> {
  return (await scanOutDir(outDir)).files;
}

/**
 * Part files and the temp files a killed writer left behind (never renamed, so nothing was
 * acknowledged for them; safe to delete).
 */
export async function scanOutDir(outDir: string): Promise<{ files: PartFile[]; tempFiles: string[] }> {
  const files: PartFile[] = [];
  const tempFiles: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const range = parsePartFileName(entry.name);
        if (range !== undefined) files.push({ path, ...range });
        else if (entry.name.startsWith(".part-") && entry.name.endsWith(".tmp")) tempFiles.push(path);
      }
    }
  };
  await walk(outDir);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, tempFiles };
}

/** Selected columns of a part file, as row objects. */
export async function readPartColumns(path: string, columns: string[]): Promise<Record<string, unknown>[]> {
  const file = await asyncBufferFromFile(path);
  return parquetReadObjects({ file, columns });
}

/**
 * The stream IDs already written to files of `dir` whose name range overlaps [firstId, lastId]: the
 * entries of a re-read pending batch that a crashed writer made durable but did not acknowledge.
 */
export async function writtenIdsInRange(dir: string, firstId: string, lastId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const file of await partFilesIn(dir)) {
    if (!rangesOverlap(file.firstId, file.lastId, firstId, lastId)) continue;
    for (const row of await readPartColumns(file.path, ["stream_id"])) ids.add(String(row["stream_id"]));
  }
  return ids;
}
