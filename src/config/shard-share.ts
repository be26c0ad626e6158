import type { KeyRange, RunConfig, Stage } from "./types.js";

/**
 * What one shard of `--shard i/N` runs: its part of the connections, requests and rate, and the
 * keys it writes. Whole things (connections, requests, prefill keys) are split so the shares add up
 * to exactly the whole, the remainder going one each to the first shards; rates are divided by N,
 * which adds up exactly too. Without --shard the share is the whole run.
 */
export interface ShardShare {
  index: number;
  count: number;
  connections: number;
  /** This shard's measured operations, when the run ends after a number of requests. */
  requests?: number;
  /** Every rate of the scenario (--rate and each stage's rates) is multiplied by this: 1/N. */
  rateFactor: number;
  /** The keys this shard writes in the prefill phase: its own range, disjoint from every other shard's. */
  prefillKeys: KeyRange;
  /**
   * The keys the measured phase draws from: the shard's own range for the sequential pattern, so
   * shards do not write the same keys; undefined for uniform, gaussian and zipf, which draw from the
   * whole keyspace on every shard (splitting would change the distribution: zipf's hottest keys
   * would all land on shard 0).
   */
  measureKeys?: KeyRange;
}

/** Part `index` of `total` split `count` ways: floor(total/count), plus one for the first total%count parts. */
export function partOf(total: number, count: number, index: number): number {
  return Math.floor(total / count) + (index < total % count ? 1 : 0);
}

/** Where part `index` starts and how long it is, when [0, total) is cut into `count` consecutive parts. */
export function rangeOf(total: number, count: number, index: number): KeyRange {
  const base = Math.floor(total / count);
  const extra = total % count;
  return { first: index * base + Math.min(index, extra), count: partOf(total, count, index) };
}

export function shareOf(config: RunConfig): ShardShare {
  const { index, count } = config.shard ?? { index: 0, count: 1 };
  const keys = rangeOf(config.keyMax, count, index);
  const share: ShardShare = {
    index,
    count,
    // Config validation asks for at least one connection per shard; the floor of 1 is a safety net.
    connections: Math.max(1, partOf(config.connections, count, index)),
    rateFactor: 1 / count,
    prefillKeys: keys,
  };
  if (config.requests !== undefined) share.requests = partOf(config.requests, count, index);
  if (config.keyPattern === "sequential" && count > 1) share.measureKeys = keys;
  return share;
}

/**
 * The RunConfig this shard's engine runs: the scenario with this shard's connections, requests and
 * rates. Everything else (seed, prefix, keyMax, thresholds) stays the scenario's.
 */
export function shardRunConfig(config: RunConfig, share: ShardShare): RunConfig {
  if (share.count === 1) return config;
  const run: RunConfig = { ...config, connections: share.connections };
  if (share.requests !== undefined) run.requests = share.requests;
  if (config.rate !== undefined) run.rate = config.rate * share.rateFactor;
  if (config.stages !== undefined) run.stages = config.stages.map((s) => scaleStage(s, share.rateFactor));
  return run;
}

/** Every rate of a stage times `factor`; durations, periods and the burst multiplier stay. */
export function scaleStage(stage: Stage, factor: number): Stage {
  switch (stage.kind) {
    case "constant":
      return { ...stage, rate: stage.rate * factor };
    case "ramp":
      return { ...stage, fromRate: stage.fromRate * factor, toRate: stage.toRate * factor };
    case "step": {
      const scaled: Stage = {
        ...stage,
        startRate: stage.startRate * factor,
        stepRate: stage.stepRate * factor,
      };
      if (stage.maxRate !== undefined) scaled.maxRate = stage.maxRate * factor;
      return scaled;
    }
    case "burst":
      return { ...stage, baseRate: stage.baseRate * factor };
    case "wave":
      return { ...stage, baseRate: stage.baseRate * factor, amplitude: stage.amplitude * factor };
    case "chaos":
      // Every shard has the scenario's seed, so each draws the same random rate at the same time:
      // the shares of a chaos profile add up to the unsharded profile.
      return { ...stage, minRate: stage.minRate * factor, maxRate: stage.maxRate * factor };
  }
}
