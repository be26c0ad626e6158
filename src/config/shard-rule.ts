import type { ValueRule } from "./field-rules.js";
import type { KeyPattern } from "./types.js";

/**
 * `--shard i/N`, the scenario-file field `shard: "i/N"` and the environment variable
 * CACHESTRESS_SHARD: this process runs share i of a scenario split over N processes or machines.
 * Shards are numbered from 0, as Kubernetes numbers the pods of an Indexed Job
 * (JOB_COMPLETION_INDEX), so `--shard $(JOB_COMPLETION_INDEX)/3` works as it is.
 */
export interface ShardSpec {
  /** 0 .. count-1. */
  index: number;
  count: number;
}

/** The environment variable that sets the shard when no --shard flag does. */
export const SHARD_ENV = "CACHESTRESS_SHARD";

/** More shards than this is surely a typo; each shard is a whole process with its own connections. */
export const MAX_SHARDS = 10_000;

const SHAPE = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/;
const ALLOWED = `i/N with whole numbers, N from 1 to ${MAX_SHARDS} and i from 0 to N-1, e.g. 0/3 (shards count from 0, like Kubernetes' JOB_COMPLETION_INDEX)`;

export const shardRule: ValueRule<ShardSpec> = {
  allowed: ALLOWED,
  parse(raw) {
    const match = typeof raw === "string" ? SHAPE.exec(raw) : null;
    if (match === null) return undefined;
    const index = Number(match[1]);
    const count = Number(match[2]);
    return count >= 1 && count <= MAX_SHARDS && index < count ? { index, count } : undefined;
  },
  explain(raw) {
    const match = typeof raw === "string" ? SHAPE.exec(raw) : null;
    if (match === null) return undefined;
    const index = Number(match[1]);
    const count = Number(match[2]);
    if (count === 0) return `${ALLOWED}; N is the number of shards, at least 1`;
    if (index >= count && count <= MAX_SHARDS) {
      return `${ALLOWED}; the shards of ${count} are 0/${count} to ${count - 1}/${count}`;
    }
    return undefined;
  },
};

/** The settings the shard checks look at, with defaults already applied. */
export interface ShardedRun {
  shard: ShardSpec;
  url?: string;
  prefix?: string;
  seed?: number;
  connections: number;
  threads: number;
  requests?: number;
  keyMax: number;
  keyPattern: KeyPattern;
  prefill: boolean;
}

/** Which setting a problem is about, as a RunInput field name, so the caller can name the flag or file field. */
export type ShardProblemField = "url" | "prefix" | "seed" | "connections" | "threads" | "requests" | "keyMax";

/**
 * Checks between `shard` and the rest of the run. One shard of several needs what only the user can
 * give every shard alike: the server they share, a key prefix and a seed (a random default would
 * differ per process, so keys and cleanup would not line up, and a chaos profile would not add up).
 * Each shard also needs a non-empty share of connections, requests and, where keys are split, keys.
 */
export function shardProblems(
  run: ShardedRun,
  add: (field: ShardProblemField, value: unknown, allowed: string) => void,
): void {
  const n = run.shard.count;
  if (n === 1) return;
  const of = `with --shard ${run.shard.index}/${n}`;
  if (run.url === undefined) {
    add(
      "url",
      undefined,
      `the server every shard loads (${of}); a throwaway local server per shard is not one target`,
    );
  }
  if (run.prefix === undefined) {
    add("prefix", undefined, `the same key prefix on every shard (${of}), e.g. loadtest-42:`);
  }
  if (run.seed === undefined) {
    add("seed", undefined, `the same seed on every shard (${of}), e.g. 42`);
  }
  if (run.connections < n) {
    add(
      "connections",
      run.connections,
      `at least the number of shards (${n}): each shard needs a connection`,
    );
  } else {
    const fewest = Math.floor(run.connections / n);
    if (run.threads > fewest) {
      add(
        "threads",
        run.threads,
        `at most ${fewest}: a shard gets ${fewest} of the ${run.connections} connections, and each thread needs one`,
      );
    }
  }
  if (run.requests !== undefined && run.requests < n) {
    add("requests", run.requests, `at least the number of shards (${n}): each shard sends a share`);
  }
  if ((run.prefill || run.keyPattern === "sequential") && run.keyMax < n) {
    add(
      "keyMax",
      run.keyMax,
      `at least the number of shards (${n}): with prefill or sequential keys each shard gets its own range`,
    );
  }
}
