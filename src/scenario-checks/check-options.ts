import type { ConfigProblem } from "../config/errors.js";
import type { ValueRule } from "../config/field-rules.js";

/**
 * Reads a `check:` section's options against their rules and collects every problem (unknown
 * names included) instead of stopping at the first, so one ConfigError lists them all. Fields are
 * named as the user wrote them: `check.sample`.
 */
export class CheckOptions {
  readonly problems: ConfigProblem[] = [];

  constructor(
    private readonly section: Record<string, unknown>,
    kind: string,
    known: readonly string[],
  ) {
    for (const name of Object.keys(section)) {
      if (!known.includes(name))
        this.problems.push({
          field: `check.${name}`,
          value: section[name],
          allowed: `an option of check kind ${kind}: ${known.join(", ")}`,
        });
    }
  }

  /** The option's value in canonical units, or `fallback` when absent (or invalid: then a problem). */
  read<T>(name: string, rule: ValueRule<T>, fallback: T): T {
    const raw = this.section[name];
    if (raw === undefined) return fallback;
    const value = rule.parse(raw);
    if (value !== undefined) return value;
    this.problems.push({ field: `check.${name}`, value: raw, allowed: rule.explain?.(raw) ?? rule.allowed });
    return fallback;
  }

  /** A problem with the run's own settings that this check cannot work with. */
  reject(field: string, value: unknown, allowed: string): void {
    this.problems.push({ field, value, allowed });
  }
}

/** A whole number, or the word `all` (undefined = all). */
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

/** A redis-server memory size: bytes, or a number with kb, mb or gb (as redis.conf writes them). */
export const memorySizeRule: ValueRule<string> = {
  allowed: "a memory size such as 512mb, 4gb or 1073741824 (bytes), above 0",
  parse(raw) {
    const text = typeof raw === "number" ? String(raw) : raw;
    if (typeof text !== "string") return undefined;
    const match = /^\s*(\d+)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
    if (match === null || Number(match[1]) === 0) return undefined;
    return `${match[1]}${(match[2] ?? "").toLowerCase()}`;
  },
};
