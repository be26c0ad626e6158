import { shareOf } from "../config/shard-share.js";
import type { RunConfig } from "../config/types.js";
import type { WarmOutcome } from "../result/result-types.js";
import { keyName } from "../scenario-checks/check-options.js";
import { buildDatasetPool } from "../workload/datasets/dataset-pool.js";
import type { ValuePool } from "../workload/datasets/value-pool.js";
import { KeyPopularity } from "../workload/key-popularity.js";
import { Rng } from "../workload/random.js";
import type { Participant, RunContext } from "./participant.js";

/**
 * --warm-top N: before the measured part, SET the N most popular keys of the run's key
 * distribution (key-popularity.ts: zipf keys 0..N-1, gaussian the N keys around the centre),
 * under the run's prefix only, with the values and TTL the load writes. It runs in beforeLoad,
 * before the server's command counts are first read, so the warming SETs are never part of the
 * count check. docs/warm-top.md.
 */

/** SETs in flight at once (node-redis pipelines concurrent commands on its one connection). */
const BATCH = 500;
/** Printable bytes for values without a dataset, as the engine writes. */
const VALUE_BYTES = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export class WarmTop implements Participant {
  readonly name = "warm-top";
  private outcome: WarmOutcome | undefined;

  constructor(private readonly config: RunConfig & { warmTop: number }) {}

  async beforeLoad(run: RunContext): Promise<void> {
    const c = this.config;
    // The keys the measured phase draws from: a shard of a sequential run has its own range.
    const range = shareOf(c).measureKeys ?? { first: 0, count: c.keyMax };
    const popularity = new KeyPopularity(c.keyPattern, range.count);
    const count = Math.min(c.warmTop, range.count);
    let lowest = Number.POSITIVE_INFINITY;
    for (const rank of [0, count - 1, count - 2]) {
      if (rank >= 0) lowest = Math.min(lowest, popularity.keyAt(rank));
    }
    const first = range.first + lowest;
    const pool: ValuePool | undefined =
      c.dataset !== undefined ? buildDatasetPool(c.dataset, c.seed) : undefined;
    const random = new Rng(c.seed ^ 0x5eed);
    const started = performance.now();
    for (let from = 0; from < count; from += BATCH) {
      const sets: Promise<unknown>[] = [];
      for (let i = from; i < Math.min(count, from + BATCH); i++) {
        const key = first + i;
        const value =
          pool !== undefined ? pool.value(key % pool.count).toString("utf8") : randomValue(c, random);
        const args = ["SET", keyName(c.prefix, c.keyMax, key), value];
        if (c.ttlS !== undefined) args.push("EX", String(c.ttlS));
        sets.push(run.admin.sendCommand(args));
      }
      await Promise.all(sets);
    }
    const durationMs = Math.round(performance.now() - started);
    this.outcome = {
      keys: count,
      firstKey: first,
      keyPattern: c.keyPattern,
      durationMs,
      ...(!popularity.skewed && {
        note: `${c.keyPattern} keys have no popular ones: the first ${count} keys were written`,
      }),
    };
    run.say(
      `warm-top: wrote the ${count} most popular ${c.keyPattern} keys (${keyName(c.prefix, c.keyMax, first)} .. ${keyName(c.prefix, c.keyMax, first + count - 1)}) in ${durationMs} ms, before the first count`,
    );
  }

  contribute(result: { warm?: WarmOutcome }): void {
    if (this.outcome !== undefined) result.warm = this.outcome;
  }
}

function randomValue(c: RunConfig, random: Rng): string {
  const size = c.dataSizeMin + random.int(c.dataSizeMax - c.dataSizeMin + 1);
  let text = "";
  for (let i = 0; i < size; i++) text += VALUE_BYTES[random.int(VALUE_BYTES.length)];
  return text;
}

/** The participant when --warm-top is given. */
export function warmTopParticipant(config: RunConfig): Participant[] {
  return config.warmTop !== undefined ? [new WarmTop({ ...config, warmTop: config.warmTop })] : [];
}

export type { WarmOutcome };
