import { commandIsWrite, parseCommandTemplate } from "../config/command-template.js";
import type { CommandWeight, KeyPattern } from "../config/types.js";

/**
 * The popularity order of a key distribution (key-chooser.ts): rank 0 is the key drawn most often.
 * zipf: key 0 is the hottest, so rank = key. gaussian: the centre of the keyspace is the hottest and
 * popularity falls with the distance from it, so ranks alternate around the centre (below first on
 * a tie). uniform and sequential have no popular keys; rank = key there, for a stable order only.
 * --warm-top writes the keys of ranks 0 .. N-1, and the popularity groups of docs/hit-groups.md are
 * rank ranges, so both use this one order. Called once per read reply: no allocation.
 */

/** The popularity groups: the top 1 % of keys by rank, the next 9 %, the rest. */
export const POPULARITY_GROUPS = ["top 1%", "next 9%", "rest"] as const;

export class KeyPopularity {
  /** First rank of the "next 9 %" group and of the "rest" group. */
  private readonly nextFrom: number;
  private readonly restFrom: number;
  /** gaussian, an odd keyspace: the centre key; an even one: the lower of the two middle keys. */
  private readonly low: number;
  private readonly even: boolean;

  constructor(
    readonly pattern: KeyPattern,
    /** Keys in the distribution: 0 .. keyCount-1. */
    readonly keyCount: number,
  ) {
    this.nextFrom = Math.max(1, Math.ceil(keyCount * 0.01));
    this.restFrom = Math.max(this.nextFrom, Math.ceil(keyCount * 0.1));
    this.even = keyCount % 2 === 0;
    this.low = this.even ? keyCount / 2 - 1 : (keyCount - 1) / 2;
  }

  /** True when some keys are drawn more often than others (zipf, gaussian). */
  get skewed(): boolean {
    return this.pattern === "zipf" || this.pattern === "gaussian";
  }

  /** The rank of key `key` (0 = the most popular). */
  rankOf(key: number): number {
    if (this.pattern !== "gaussian") return key;
    if (this.even) return key <= this.low ? 2 * (this.low - key) : 2 * (key - this.low - 1) + 1;
    if (key === this.low) return 0;
    return key < this.low ? 2 * (this.low - key) - 1 : 2 * (key - this.low);
  }

  /** The key of rank `rank`: the inverse of rankOf. */
  keyAt(rank: number): number {
    if (this.pattern !== "gaussian") return rank;
    if (this.even) return rank % 2 === 0 ? this.low - rank / 2 : this.low + 1 + (rank - 1) / 2;
    if (rank === 0) return this.low;
    return rank % 2 === 1 ? this.low - (rank + 1) / 2 : this.low + rank / 2;
  }

  /** 0: top 1 %, 1: next 9 %, 2: the rest (POPULARITY_GROUPS). */
  groupOf(key: number): number {
    const rank = this.rankOf(key);
    return rank < this.nextFrom ? 0 : rank < this.restFrom ? 1 : 2;
  }

  /** How many keys each group holds. */
  groupSizes(): [number, number, number] {
    const n = this.keyCount;
    return [
      Math.min(n, this.nextFrom),
      Math.max(0, Math.min(n, this.restFrom) - this.nextFrom),
      Math.max(0, n - this.restFrom),
    ];
  }
}

/** Reads by popularity group are counted only for these commands: a read command of a {key} key. */
export function readsKeyNumber(c: CommandWeight): boolean {
  if (commandIsWrite(c)) return false;
  if (c.template === undefined) return c.name === "GET";
  const parsed = parseCommandTemplate(c.template);
  return parsed.template !== undefined && parsed.template.uses.has("key");
}
