import type { DatasetName } from "../config/types.js";
import { buildDatasetPool } from "../workload/datasets/dataset-pool.js";
import type { ValuePool } from "../workload/datasets/value-pool.js";

/** What a read of one key found, against what the run wrote there. */
export type KeyVerdict = "ok" | "lost" | "corrupt";

/**
 * The value every key of a run must hold. With a dataset, the engine writes record `key mod pool
 * size` of the pool it builds from the run's seed (src/engine/command-writer.ts), so building the
 * same pool here gives the exact bytes of every key without remembering anything the load did.
 * Every write of a key writes the same bytes: one value is legitimate per key, and anything else is
 * corrupt.
 */
export class ExpectedValues {
  private readonly pool: ValuePool;
  private readonly keyDigits: number;

  constructor(
    dataset: DatasetName,
    seed: number,
    private readonly prefix: string,
    keyMax: number,
  ) {
    this.pool = buildDatasetPool(dataset, seed);
    // The same zero-padded width the engine writes.
    this.keyDigits = String(Math.max(0, keyMax - 1)).length;
  }

  /** The key's name on the server: the run's prefix and the zero-padded key number. */
  keyName(key: number): string {
    return this.prefix + String(key).padStart(this.keyDigits, "0");
  }

  /** The record the key must hold (a view into the pool, not a copy). */
  expected(key: number): Buffer {
    return this.pool.value(key % this.pool.count);
  }

  judge(key: number, value: Buffer | null): KeyVerdict {
    if (value === null) return "lost";
    return value.equals(this.expected(key)) ? "ok" : "corrupt";
  }

  /** One line about a corrupt value, for the report: what was expected and what came back. */
  describeCorrupt(key: number, value: Buffer): string {
    const expected = this.expected(key);
    let firstDiff = 0;
    while (
      firstDiff < expected.length &&
      firstDiff < value.length &&
      expected[firstDiff] === value[firstDiff]
    )
      firstDiff++;
    const got = value.subarray(firstDiff, firstDiff + 24).toString("utf8");
    return (
      `${this.keyName(key)} holds ${value.length} bytes, expected ${expected.length} (record ${key % this.pool.count}); ` +
      `first difference at byte ${firstDiff}: ${JSON.stringify(got)}`
    );
  }
}
