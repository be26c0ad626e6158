import type { Rng } from "../random.js";

/**
 * Building blocks shared by the dataset generators: weighted picks, skewed sizes, identifiers and
 * timestamps. Everything draws from the caller's Rng, so a seed gives the same records every time,
 * and nothing reads the clock: timestamps count from DATASET_EPOCH_MS.
 */

/** Records' timestamps start here (2025-01-01T00:00:00Z), so the bytes depend on the seed alone. */
export const DATASET_EPOCH_MS = Date.UTC(2025, 0, 1);

/** One entry of `items`, chosen with the matching weights (they need not add up to 1). */
export function pickWeighted<T>(rng: Rng, items: readonly T[], weights: readonly number[]): T {
  let total = 0;
  for (const w of weights) total += w;
  let u = rng.next() * total;
  for (let i = 0; i < items.length; i++) {
    u -= weights[i];
    if (u < 0) return items[i];
  }
  return items[items.length - 1];
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/**
 * An index in [0, n) where low indices are much more likely (activity of users, popularity of
 * merchants and symbols follows a long tail, not a uniform spread).
 */
export function skewedIndex(rng: Rng, n: number, skew = 2.5): number {
  return Math.min(n - 1, Math.floor(rng.next() ** skew * n));
}

/** A log-normal whole number around `median`, clamped to [min, max]: text and amounts have long tails. */
export function logNormalInt(rng: Rng, median: number, sigma: number, min: number, max: number): number {
  const value = Math.round(median * Math.exp(sigma * rng.gaussian()));
  return Math.max(min, Math.min(max, value));
}

/** A log-normal real number around `median`, unclamped. */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * rng.gaussian());
}

/** Exponential waiting time with the given mean, for event gaps. */
export function exponential(rng: Rng, mean: number): number {
  return -mean * Math.log(1 - rng.next());
}

export function randomString(rng: Rng, alphabet: string, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[rng.int(alphabet.length)];
  return s;
}

export const BASE32_LOWER = "abcdefghijklmnopqrstuvwxyz234567";
export const HEX = "0123456789abcdef";
const BASE32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz";

/**
 * An AT Protocol TID: 13 sortable base32 characters of (microseconds << 10 | clock id), the record
 * key Bluesky uses for posts, likes and follows.
 */
export function tid(timeUs: number, clockId: number): string {
  let v = (BigInt(Math.floor(timeUs)) << 10n) | BigInt(clockId & 1023);
  let s = "";
  for (let i = 0; i < 13; i++) {
    s = BASE32_SORTABLE[Number(v & 31n)] + s;
    v >>= 5n;
  }
  return s;
}

/** ISO-8601 with milliseconds, UTC, as APIs write it. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Rounds to `decimals` places, for money and prices written as JSON numbers. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  // `|| 0` turns -0 into 0, which JSON writes the same but deepEqual does not.
  return Math.round(value * factor) / factor || 0;
}
