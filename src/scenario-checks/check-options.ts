import { parseMemoryBytes } from "../checks/audit-values.js";
import { formatDurationMs, parseDurationMs } from "../config/duration.js";
import { type ConfigProblem, didYouMean } from "../config/errors.js";
import { allowedFor, type ValueRule } from "../config/field-rules.js";
import type { RunConfig } from "../config/types.js";
import { buildDatasetPool } from "../workload/datasets/dataset-pool.js";

/**
 * Reads one kind's options from a `check:` section and collects every problem instead of stopping
 * at the first, so a user fixes the whole section in one pass. Fields are named as written in the
 * scenario file (`check.maxmemory`).
 */
export class CheckOptions {
  readonly problems: ConfigProblem[] = [];

  constructor(
    private readonly kind: string,
    private readonly section: Record<string, unknown>,
    known: readonly string[],
  ) {
    for (const [name, value] of Object.entries(section)) {
      if (known.includes(name)) continue;
      const guess = didYouMean(name, known);
      this.problems.push({
        field: `check.${name}`,
        value,
        allowed: `an option of ${kind}: ${known.join(", ")}${guess !== undefined ? ` (did you mean ${guess}?)` : ""}`,
      });
    }
  }

  /** The option in canonical units, `fallback` when absent; a bad value is a problem (and gives `fallback`). */
  read<T>(name: string, rule: ValueRule<T>, fallback: T): T {
    const raw = this.section[name];
    if (raw === undefined) return fallback;
    const value = rule.parse(raw);
    if (value !== undefined) return value;
    this.problems.push({ field: `check.${name}`, value: raw, allowed: allowedFor(rule, raw) });
    return fallback;
  }

  /** The value as written, for problems that quote it. */
  raw(name: string): unknown {
    return this.section[name];
  }

  /** True when the option was given but not acceptable: checks that build on it are then skipped. */
  invalid(name: string): boolean {
    return this.problems.some((p) => p.field === `check.${name}`);
  }

  problem(field: string, value: unknown, allowed: string): void {
    this.problems.push({ field, value, allowed });
  }

  /** A check runs as one process: a shard would verify or delete keys other shards still use. */
  rejectShard(config: RunConfig): void {
    if (config.shard !== undefined && config.shard.count > 1)
      this.problem(
        "shard",
        `${config.shard.index}/${config.shard.count}`,
        `no shard with check ${this.kind}`,
      );
  }
}

/** Sizes as Redis writes them (`32mb`, `512kb`, or bytes), within [min, max] bytes. */
export function memorySizeRule(minBytes: number, maxBytes: number): ValueRule<number> {
  return {
    allowed: `a memory size from ${minBytes / 1024 ** 2}mb to ${maxBytes / 1024 ** 3}gb, e.g. 16mb, 512mb or 2gb`,
    parse(raw) {
      const bytes =
        typeof raw === "number"
          ? Number.isSafeInteger(raw)
            ? raw
            : undefined
          : parseMemoryBytes(String(raw));
      return bytes !== undefined && bytes >= minBytes && bytes <= maxBytes ? bytes : undefined;
    },
  };
}

/** Durations (`500ms`, `10s`; a bare number is seconds) within [minMs, maxMs]. */
export function durationBetween(minMs: number, maxMs: number): ValueRule<number> {
  return {
    allowed: `a duration from ${formatDurationMs(minMs)} to ${formatDurationMs(maxMs)}, e.g. 500ms or 10s (a bare number means seconds)`,
    parse(raw) {
      const ms =
        typeof raw === "number"
          ? Number.isFinite(raw)
            ? raw * 1000
            : undefined
          : typeof raw === "string"
            ? parseDurationMs(raw)
            : undefined;
      return ms !== undefined && ms >= minMs && ms <= maxMs ? ms : undefined;
    },
  };
}

/** The mean SET value the run writes, bytes: the dataset pool's mean record, else the middle of the size range. */
export function meanValueBytes(config: RunConfig): number {
  if (config.dataset === undefined) return (config.dataSizeMin + config.dataSizeMax) / 2;
  const pool = buildDatasetPool(config.dataset, config.seed);
  return pool.totalBytes / pool.count;
}

/** The key the engine writes for key number `key`: prefix + zero-padded digits (src/engine/command-writer.ts). */
export function keyName(prefix: string, keyMax: number, key: number): string {
  const digits = String(Math.max(0, keyMax - 1)).length;
  return `${prefix}${String(key).padStart(digits, "0")}`;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A whole number, or the word `all`. */
export function countOrAllRule(min: number, max: number): ValueRule<number | "all"> {
  return {
    allowed: `all, or a whole number of keys from ${min} to ${max}`,
    parse(raw) {
      if (raw === "all") return "all";
      const value = typeof raw === "string" && /^\d+$/.test(raw.replaceAll("_", "")) ? Number(raw) : raw;
      return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max
        ? value
        : undefined;
    },
  };
}
