import { partOf, shareOf } from "../config/shard-share.js";
import type { RunConfig } from "../config/types.js";
import type { KeyRange } from "../engine/thread-plan.js";
import type { Rng } from "../workload/random.js";

/**
 * Which keys a run must hold when its load is done, worked out from the config alone: the load
 * engine reports counts, not keys, so a check can only know a key was written when the plan says
 * so. Two plans say so exactly:
 *
 * - `prefill: true` writes every key of the run's range before the measured part (each thread its
 *   own consecutive slice, one SET per key);
 * - a measured part of SETs only, over the sequential pattern, ending on `requests`, without warmup
 *   or shards: thread t walks keys from floor(keyMax × its first connection / connections), one
 *   key per request, for its share of the requests (the same arithmetic as src/run/run-scenario.ts
 *   and src/engine/load-engine.ts).
 */
export interface ExpectedKeys {
  /** Disjoint, sorted ranges of key numbers. */
  ranges: KeyRange[];
  /** How many keys the ranges hold. */
  count: number;
  /**
   * True when every key was written before the measured part (prefill): a key missing during the
   * load is lost. False when the measured part writes them: during the load a missing key may not
   * be written yet, so only after the load does missing mean lost.
   */
  writtenBeforeMeasure: boolean;
}

/** The plan's keys, or a sentence saying why the config does not tell which keys were written. */
export function expectedKeysFor(config: RunConfig): ExpectedKeys | string {
  if (config.prefill) {
    return {
      ranges: [shareOf(config).prefillKeys],
      count: shareOf(config).prefillKeys.count,
      writtenBeforeMeasure: true,
    };
  }
  const why: string[] = [];
  if (config.commands.some((c) => c.name !== "SET")) why.push("ratio 1:0 (SETs only)");
  if (config.keyPattern !== "sequential") why.push("keyPattern sequential");
  if (config.requests === undefined) why.push("the run ending on requests (not a duration or stages)");
  if (config.warmupMs > 0) why.push("no warmup");
  if (config.shard !== undefined && config.shard.count > 1) why.push("no shards");
  if (why.length > 0) return `prefill: true, or a load that says which keys it writes: ${why.join(", ")}`;
  return { ...sequentialWrites(config, config.requests!), writtenBeforeMeasure: false };
}

/** The keys a SET-only sequential measured part of `requests` operations writes, thread by thread. */
function sequentialWrites(config: RunConfig, requests: number): { ranges: KeyRange[]; count: number } {
  const pieces: KeyRange[] = [];
  let firstConnection = 0;
  for (let t = 0; t < config.threads; t++) {
    const start = Math.floor((config.keyMax * firstConnection) / config.connections);
    const count = Math.min(partOf(requests, config.threads, t), config.keyMax);
    // The walk wraps at keyMax back to key 0.
    const head = Math.min(count, config.keyMax - start);
    pieces.push({ first: start, count: head });
    if (count > head) pieces.push({ first: 0, count: count - head });
    firstConnection += partOf(config.connections, config.threads, t);
  }
  return mergeRanges(pieces);
}

/** Sorts and joins overlapping or touching ranges. */
export function mergeRanges(pieces: KeyRange[]): { ranges: KeyRange[]; count: number } {
  const sorted = pieces.filter((r) => r.count > 0).sort((a, b) => a.first - b.first);
  const ranges: KeyRange[] = [];
  for (const r of sorted) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && r.first <= last.first + last.count) {
      last.count = Math.max(last.count, r.first + r.count - last.first);
    } else {
      ranges.push({ ...r });
    }
  }
  return { ranges, count: ranges.reduce((sum, r) => sum + r.count, 0) };
}

/** The key at position `index` of the expected keys, counting through the ranges in order. */
export function keyAt(keys: ExpectedKeys, index: number): number {
  let rest = index;
  for (const r of keys.ranges) {
    if (rest < r.count) return r.first + rest;
    rest -= r.count;
  }
  throw new RangeError(`key index ${index} is past the ${keys.count} expected keys`);
}

/**
 * `size` distinct expected keys drawn uniformly (Floyd's algorithm: exactly `size` draws, no
 * retries), in ascending order; every key when `size` is at least the count.
 */
export function sampleKeys(keys: ExpectedKeys, size: number, random: Rng): number[] {
  if (size >= keys.count) return Array.from({ length: keys.count }, (_, i) => keyAt(keys, i));
  const chosen = new Set<number>();
  for (let j = keys.count - size; j < keys.count; j++) {
    const pick = random.int(j + 1);
    chosen.add(chosen.has(pick) ? j : pick);
  }
  return [...chosen].sort((a, b) => a - b).map((i) => keyAt(keys, i));
}
