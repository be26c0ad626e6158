/**
 * Redis stream IDs (`<ms>-<seq>`) and the Parquet file names built from them. A file is named from
 * the first and last stream IDs it holds, as Kafka Connect's S3 sink names objects by offsets, so
 * the name alone says which entries a file may contain and a crashed writer's files can be found
 * again by the range they cover.
 */

export interface StreamId {
  ms: number;
  seq: number;
}

const ID = /^(\d+)-(\d+)$/;
const FILE_NAME = /^part-(\d+-\d+)-(\d+-\d+)\.parquet$/;

export function parseStreamId(text: string): StreamId | undefined {
  const match = ID.exec(text);
  if (match === null) return undefined;
  return { ms: Number(match[1]), seq: Number(match[2]) };
}

/** Negative, zero or positive as `a` sorts before, with or after `b` in the stream. */
export function compareStreamIds(a: string, b: string): number {
  if (a === b) return 0;
  const x = parseStreamId(a);
  const y = parseStreamId(b);
  if (x === undefined || y === undefined) throw new Error(`not a stream ID: "${x === undefined ? a : b}"`);
  return x.ms !== y.ms ? x.ms - y.ms : x.seq - y.seq;
}

/** `part-<firstId>-<lastId>.parquet`. */
export function partFileName(firstId: string, lastId: string): string {
  return `part-${firstId}-${lastId}.parquet`;
}

/** The ID range of a part file's name, or undefined for any other name (temp files included). */
export function parsePartFileName(name: string): { firstId: string; lastId: string } | undefined {
  const match = FILE_NAME.exec(name);
  if (match === null) return undefined;
  return { firstId: match[1], lastId: match[2] };
}

/** Whether the inclusive ranges [aFirst, aLast] and [bFirst, bLast] share at least one ID. */
export function rangesOverlap(aFirst: string, aLast: string, bFirst: string, bLast: string): boolean {
  return compareStreamIds(aFirst, bLast) <= 0 && compareStreamIds(bFirst, aLast) <= 0;
}
