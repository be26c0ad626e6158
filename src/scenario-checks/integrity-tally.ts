import type { ExpectedValues } from "./expected-values.js";
import type { KeyReader } from "./key-reader.js";

/** Keys per MGET: big enough to cost the server one call per thousand keys, small enough (~0.5 MB of firehose records) not to stall it. */
export const VERIFY_BATCH_KEYS = 1000;
/** MGETs in flight at once on the check's connection after the load. */
const VERIFY_IN_FLIGHT = 4;
/** Examples of lost and corrupt keys kept for the report. */
const EXAMPLES_KEPT = 3;

export type ReadPhase = "during" | "after";

/**
 * Counts what the reads of a run's keys found: distinct keys lost or corrupt (a key is counted once,
 * however often it was read wrong), and reads per phase. Distinct keys are remembered in bitsets
 * over [0, keyMax), allocated only when the first bad key shows, so a clean run of millions of keys
 * costs nothing.
 */
export class IntegrityTally {
  readonly reads = { during: 0, after: 0 };
  /** Reads that found a key missing or wrong, per phase (one key may count several times during the load). */
  readonly lostReads = { during: 0, after: 0 };
  readonly corruptReads = { during: 0, after: 0 };
  lostKeys = 0;
  corruptKeys = 0;
  readonly lostExamples: string[] = [];
  readonly corruptExamples: string[] = [];
  private lostBits: Uint8Array | undefined;
  private corruptBits: Uint8Array | undefined;

  constructor(
    private readonly values: ExpectedValues,
    private readonly keyMax: number,
  ) {}

  /**
   * One key's value as read. `missingIsLost` is false during a load that is still writing the
   * expected keys: a missing key may not have been written yet, so only a wrong value counts then.
   */
  record(key: number, value: Buffer | null, phase: ReadPhase, missingIsLost: boolean): void {
    this.reads[phase]++;
    const verdict = this.values.judge(key, value);
    if (verdict === "lost" && missingIsLost) {
      this.lostReads[phase]++;
      this.lostBits ??= new Uint8Array(Math.ceil(this.keyMax / 8));
      if (firstTime(this.lostBits, key)) {
        this.lostKeys++;
        if (this.lostExamples.length < EXAMPLES_KEPT)
          this.lostExamples.push(`${this.values.keyName(key)} missing ${phase} the load`);
      }
    } else if (verdict === "corrupt") {
      this.corruptReads[phase]++;
      this.corruptBits ??= new Uint8Array(Math.ceil(this.keyMax / 8));
      if (firstTime(this.corruptBits, key)) {
        this.corruptKeys++;
        if (this.corruptExamples.length < EXAMPLES_KEPT)
          this.corruptExamples.push(`${this.values.describeCorrupt(key, value!)} (${phase} the load)`);
      }
    }
  }
}

/** Sets the key's bit; true when it was not set before. */
function firstTime(bits: Uint8Array, key: number): boolean {
  const byte = key >>> 3;
  const mask = 1 << (key & 7);
  if ((bits[byte] & mask) !== 0) return false;
  bits[byte] |= mask;
  return true;
}

/**
 * Reads `keys` with MGET in batches of VERIFY_BATCH_KEYS, a few batches in flight, and records each
 * value in the tally as read after the load (a missing key as lost unless `missingIsLost` is false:
 * a load stopped early may not have written it). Stops early (between batches) when `signal`
 * aborts; returns how many keys were read.
 */
export async function verifyKeys(
  reader: KeyReader,
  values: ExpectedValues,
  keys: readonly number[],
  tally: IntegrityTally,
  options: { missingIsLost: boolean; signal?: AbortSignal },
): Promise<number> {
  const { missingIsLost, signal } = options;
  let next = 0;
  let read = 0;
  const worker = async () => {
    while (next < keys.length && signal?.aborted !== true) {
      const batch = keys.slice(next, next + VERIFY_BATCH_KEYS);
      next += batch.length;
      const found = await reader.mget(batch.map((k) => values.keyName(k)));
      for (let i = 0; i < batch.length; i++) tally.record(batch[i], found[i], "after", missingIsLost);
      read += batch.length;
    }
  };
  await Promise.all(Array.from({ length: VERIFY_IN_FLIGHT }, worker));
  return read;
}
