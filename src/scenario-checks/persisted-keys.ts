import type { AdminClient } from "../core/admin-client.js";
import type { ValuePool } from "../workload/datasets/value-pool.js";
import { keyName } from "./check-options.js";
import { command } from "./server-reads.js";

/** What came back of the keys that were checked. */
export interface KeyVerdict {
  checked: number;
  /** Keys with no value at all. */
  missing: number;
  /** Keys whose value is not the record the load wrote there. */
  corrupt: number;
  /** The first few of each, for the problem text. */
  firstMissing: string[];
  firstCorrupt: string[];
}

/** Keys per MGET: large enough to be quick, small enough to keep one reply a few hundred KB. */
const BATCH_KEYS = 500;
const EXAMPLES = 3;

/**
 * Key numbers to check: every key in [0, keyMax), or `limit` of them spread evenly over the range
 * (the first and the last included), so a loss at either end or in the middle shows.
 */
export function keysToCheck(keyMax: number, limit: number | "all"): number[] {
  if (limit === "all" || limit >= keyMax) return Array.from({ length: keyMax }, (_, k) => k);
  if (limit === 1) return [0];
  return Array.from({ length: limit }, (_, i) => Math.round((i * (keyMax - 1)) / (limit - 1)));
}

/**
 * Reads the keys back with MGET and compares each value with the record the load wrote: key k holds
 * record k mod pool size of the run's dataset (src/engine/command-writer.ts), byte for byte.
 */
export async function verifyKeys(
  admin: AdminClient,
  run: { prefix: string; keyMax: number },
  keys: readonly number[],
  pool: ValuePool,
): Promise<KeyVerdict> {
  const verdict: KeyVerdict = { checked: 0, missing: 0, corrupt: 0, firstMissing: [], firstCorrupt: [] };
  const expected = Array.from({ length: pool.count }, (_, i) => pool.value(i).toString("utf8"));
  for (let from = 0; from < keys.length; from += BATCH_KEYS) {
    const batch = keys.slice(from, from + BATCH_KEYS);
    const names = batch.map((k) => keyName(run.prefix, run.keyMax, k));
    const values = (await command(admin, ["MGET", ...names])) as (string | null)[];
    batch.forEach((k, i) => {
      verdict.checked++;
      const value = values[i];
      if (value === null || value === undefined) {
        verdict.missing++;
        if (verdict.firstMissing.length < EXAMPLES) verdict.firstMissing.push(names[i]);
      } else if (value !== expected[k % pool.count]) {
        verdict.corrupt++;
        if (verdict.firstCorrupt.length < EXAMPLES) verdict.firstCorrupt.push(names[i]);
      }
    });
  }
  return verdict;
}
