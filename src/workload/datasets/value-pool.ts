/**
 * N pre-encoded values in one Buffer, found by offset. The engine copies value i straight into its
 * output buffer, so a realistic payload costs the hot path no more than a random one: no object, no
 * JSON.stringify, no allocation per operation.
 */
export class ValuePool {
  /** Number of values in the pool. */
  readonly count: number;
  /** The longest value, bytes: sizes the engine's per-command buffer room. */
  readonly maxValueBytes: number;
  /** The shortest value, bytes. */
  readonly minValueBytes: number;

  constructor(
    /** Every value, back to back. */
    readonly bytes: Buffer,
    /** count + 1 offsets into `bytes`: value i is bytes[offsets[i], offsets[i + 1]). */
    readonly offsets: Uint32Array,
  ) {
    if (offsets.length < 2) throw new Error("a value pool needs at least one value");
    this.count = offsets.length - 1;
    let max = 0;
    let min = Number.MAX_SAFE_INTEGER;
    for (let i = 0; i < this.count; i++) {
      const length = offsets[i + 1] - offsets[i];
      if (length > max) max = length;
      if (length < min) min = length;
    }
    this.maxValueBytes = max;
    this.minValueBytes = min;
  }

  /** Packs encoded values into one pool. Off the hot path: runs once per worker before the load. */
  static fromValues(values: readonly Buffer[]): ValuePool {
    const offsets = new Uint32Array(values.length + 1);
    let total = 0;
    for (let i = 0; i < values.length; i++) {
      offsets[i] = total;
      total += values[i].length;
    }
    offsets[values.length] = total;
    const bytes = Buffer.allocUnsafe(total);
    for (let i = 0; i < values.length; i++) values[i].copy(bytes, offsets[i]);
    return new ValuePool(bytes, offsets);
  }

  /** Bytes of value i. */
  valueBytes(i: number): number {
    return this.offsets[i + 1] - this.offsets[i];
  }

  /** Copies value i into `out` at `pos`; returns its length. The caller guarantees room. */
  copyValue(i: number, out: Buffer, pos: number): number {
    const start = this.offsets[i];
    const end = this.offsets[i + 1];
    this.bytes.copy(out, pos, start, end);
    return end - start;
  }

  /** Value i as a view (no copy), for checks and tests. */
  value(i: number): Buffer {
    return this.bytes.subarray(this.offsets[i], this.offsets[i + 1]);
  }

  /** Total bytes of all values. */
  get totalBytes(): number {
    return this.bytes.length;
  }
}
