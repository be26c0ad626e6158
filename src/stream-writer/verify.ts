import { deadLetterStream } from "./dead-letter.js";
import type { RedisClient, StreamSpec } from "./group-reader.js";
import { readPartColumns, scanOutDir } from "./parquet-read.js";
import { compareStreamIds } from "./stream-ids.js";

/**
 * `stream-writer verify`: reads every part file back and accounts for every entry each stream ever
 * received. The server's own count is the ground truth: XINFO STREAM `entries-added` counts every
 * XADD since the stream was created, and neither XDEL nor trimming lowers it. Each of those
 * entries must be in exactly one place — a Parquet file (once), the dead-letter stream, or still in
 * the stream waiting for the writer. An entry in none of them is lost (including entries a
 * producer's MAXLEN trimmed before they were written); an ID in two files is a duplicate.
 *
 * With `seqField`, the producer's own sequence numbers are checked too: every value 0..N−1 once.
 */

export interface VerifyOptions {
  client: RedisClient;
  outDir: string;
  streams: StreamSpec[];
  /** Entry field with the producer's sequence number (in Parquet: `extra` → `entry.<field>`). */
  seqField?: string;
  /** Events the producer says it wrote, over all streams; checked against every count. */
  expectedEvents?: number;
}

export interface StreamVerdict {
  stream: string;
  /** XINFO STREAM entries-added: every entry the stream ever received. */
  entriesAdded: number;
  /** Distinct IDs in Parquet files. */
  inFiles: number;
  /** IDs found in more than one file (each extra copy counted). */
  duplicates: number;
  /** Entries still in the stream and not in any file: not written yet. */
  waiting: number;
  /** In a file and still in the stream: written, not yet acknowledged (the next run acknowledges them). */
  writtenNotAcknowledged: number;
  deadLetters: number;
  /** entriesAdded minus everything accounted for. */
  lost: number;
}

export interface VerifyResult {
  ok: boolean;
  files: number;
  rows: number;
  streams: StreamVerdict[];
  seq?: { expected: number; seen: number; missing: number; duplicates: number };
  /** Temp files of killed writers: never renamed, nothing acknowledged for them; safe to delete. */
  tempFiles: number;
  problems: string[];
}

const RANGE_COUNT = 10_000;

export async function verifyOutput(opts: VerifyOptions): Promise<VerifyResult> {
  const problems: string[] = [];
  const idsByStream = new Map<string, Map<string, number>>();
  const seqCounts = new Map<number, number>();
  const seqKey = opts.seqField === undefined ? undefined : `entry.${opts.seqField}`;
  const noteSeq = (value: unknown, where: string) => {
    const seq = Number(value);
    if (value === undefined || value === null || !Number.isSafeInteger(seq)) {
      problems.push(`${where}: no sequence number in ${opts.seqField}`);
      return;
    }
    seqCounts.set(seq, (seqCounts.get(seq) ?? 0) + 1);
  };
  const typeOf = new Map(opts.streams.map((s) => [s.key, s.type]));

  const { files, tempFiles } = await scanOutDir(opts.outDir);
  let rows = 0;
  for (const file of files) {
    const columns = seqKey === undefined ? ["stream", "stream_id"] : ["stream", "stream_id", "extra"];
    const records = await readPartColumns(file.path, columns);
    rows += records.length;
    let min: string | undefined;
    let max: string | undefined;
    for (const record of records) {
      const stream = String(record["stream"]);
      const id = String(record["stream_id"]);
      if (min === undefined || compareStreamIds(id, min) < 0) min = id;
      if (max === undefined || compareStreamIds(id, max) > 0) max = id;
      const type = typeOf.get(stream);
      if (type !== undefined && !file.path.includes(`/type=${type}/`))
        problems.push(`${file.path}: holds an entry of ${stream} (type ${type}) in another type's partition`);
      let ids = idsByStream.get(stream);
      if (ids === undefined) {
        ids = new Map();
        idsByStream.set(stream, ids);
      }
      ids.set(id, (ids.get(id) ?? 0) + 1);
      if (seqKey !== undefined) {
        const extra = typeof record["extra"] === "string" ? JSON.parse(record["extra"]) : record["extra"];
        noteSeq(extra?.[seqKey], `${file.path} ${id}`);
      }
    }
    if (records.length > 0 && (min !== file.firstId || max !== file.lastId))
      problems.push(`${file.path}: holds IDs ${min}..${max}, its name says ${file.firstId}..${file.lastId}`);
  }

  const streams: StreamVerdict[] = [];
  for (const spec of opts.streams) {
    const ids = idsByStream.get(spec.key) ?? new Map<string, number>();
    idsByStream.delete(spec.key);
    let duplicates = 0;
    for (const count of ids.values()) if (count > 1) duplicates += count - 1;
    const entriesAdded = await entriesAddedOf(opts.client, spec.key);
    let waiting = 0;
    let writtenNotAcknowledged = 0;
    for await (const [id, fields] of scanStream(opts.client, spec.key)) {
      if (ids.has(id)) writtenNotAcknowledged++;
      else {
        waiting++;
        if (opts.seqField !== undefined) noteSeq(fieldOf(fields, opts.seqField), `${spec.key} ${id}`);
      }
    }
    let deadLetters = 0;
    for await (const [id, fields] of scanStream(opts.client, deadLetterStream(spec.key))) {
      const source = fieldOf(fields, "source_id");
      if (source !== undefined && ids.has(source)) {
        problems.push(`${spec.key} ${source}: both in a file and dead-lettered (${id})`);
        continue;
      }
      deadLetters++;
      if (opts.seqField !== undefined)
        noteSeq(fieldOf(fields, `field.${opts.seqField}`), `dead letter ${id}`);
    }
    const lost = entriesAdded - ids.size - waiting - deadLetters;
    if (duplicates > 0) problems.push(`${spec.key}: ${duplicates} duplicate row(s) across files`);
    if (lost > 0) problems.push(`${spec.key}: ${lost} of ${entriesAdded} entries are nowhere (lost)`);
    if (lost < 0)
      problems.push(
        `${spec.key}: ${-lost} more entries found than the stream ever received (${entriesAdded})`,
      );
    streams.push({
      stream: spec.key,
      entriesAdded,
      inFiles: ids.size,
      duplicates,
      waiting,
      writtenNotAcknowledged,
      deadLetters,
      lost,
    });
  }
  for (const stream of idsByStream.keys())
    problems.push(`files hold entries of ${stream}, not a --streams stream`);

  const totalAdded = streams.reduce((sum, s) => sum + s.entriesAdded, 0);
  if (opts.expectedEvents !== undefined && opts.expectedEvents !== totalAdded)
    problems.push(`the streams received ${totalAdded} entries; the producer reported ${opts.expectedEvents}`);
  let seq: VerifyResult["seq"];
  if (opts.seqField !== undefined) {
    const expected = opts.expectedEvents ?? totalAdded;
    let missing = 0;
    let seqDuplicates = 0;
    for (let n = 0; n < expected; n++) {
      const count = seqCounts.get(n) ?? 0;
      if (count === 0) missing++;
      else seqDuplicates += count - 1;
    }
    const outside = [...seqCounts.keys()].filter((n) => n < 0 || n >= expected).length;
    seq = { expected, seen: seqCounts.size, missing, duplicates: seqDuplicates };
    if (missing > 0) problems.push(`${missing} of sequence numbers 0..${expected - 1} are missing`);
    if (seqDuplicates > 0) problems.push(`${seqDuplicates} sequence numbers appear more than once`);
    if (outside > 0) problems.push(`${outside} sequence numbers are outside 0..${expected - 1}`);
  }
  return {
    ok: problems.length === 0,
    files: files.length,
    rows,
    streams,
    seq,
    tempFiles: tempFiles.length,
    problems,
  };
}

async function entriesAddedOf(client: RedisClient, stream: string): Promise<number> {
  try {
    const flat = (await client.sendCommand(["XINFO", "STREAM", stream])) as unknown[];
    for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i] === "entries-added") return Number(flat[i + 1]);
    throw new Error(`XINFO STREAM ${stream} has no entries-added (Redis 7.0 or later is needed to verify)`);
  } catch (error) {
    if (/no such key/i.test((error as Error).message)) return 0;
    throw error;
  }
}

/** Every entry of a stream, RANGE_COUNT per XRANGE call. */
async function* scanStream(client: RedisClient, stream: string): AsyncGenerator<[string, string[]]> {
  let start = "-";
  // Bounded by the stream's length: every call moves `start` past the last ID it returned.
  for (;;) {
    const entries = (await client.sendCommand([
      "XRANGE",
      stream,
      start,
      "+",
      "COUNT",
      String(RANGE_COUNT),
    ])) as [string, string[]][];
    for (const entry of entries) yield entry;
    if (entries.length < RANGE_COUNT) return;
    start = `(${entries[entries.length - 1][0]}`;
  }
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
