/** Below this many bytes a loop beats Buffer#copy, which allocates a view of the source per call. */
const COPY_LOOP_MAX_BYTES = 256;

/**
 * Copies `length` bytes of `source` from `start` to `out` at `pos`. Buffer#copy of part of a
 * buffer allocates a Uint8Array view each time (Node 20): once per operation, that was the
 * largest source of garbage on the send path, so short values are copied byte by byte.
 */
export function copyBytes(
  source: Uint8Array,
  start: number,
  out: Uint8Array,
  pos: number,
  length: number,
): void {
  if (length > COPY_LOOP_MAX_BYTES) {
    Buffer.prototype.copy.call(source, out, pos, start, start + length);
    return;
  }
  for (let i = 0; i < length; i++) out[pos + i] = source[start + i];
}
