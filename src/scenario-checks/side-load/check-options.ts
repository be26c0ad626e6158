import { formatDurationMs, parseDurationMs } from "../../config/duration.js";
import { type ConfigProblem, didYouMean } from "../../config/errors.js";

/**
 * Reads a check's options (`check: { kind: ..., readers: 8, ttl: 30s }`) and collects every problem
 * instead of stopping at the first, so a scenario file is fixed in one pass. Fields are named as the
 * user wrote them (`check.readers`); a misspelt option is a problem too, with the likely intent.
 */
export class CheckOptions {
  readonly problems: ConfigProblem[] = [];
  private readonly read = new Set<string>();

  constructor(private readonly section: Record<string, unknown>) {}

  /** A whole number in [min, max]; `fallback` when absent. */
  count(name: string, fallback: number, min: number, max: number): number {
    const value = this.take(name);
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.problem(name, value, `a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  /** A number that `fits` accepts (`allowed` says which in words); `fallback` when absent. */
  number(name: string, fallback: number, fits: (value: number) => boolean, allowed: string): number;
  number(
    name: string,
    fallback: undefined,
    fits: (value: number) => boolean,
    allowed: string,
  ): number | undefined;
  number(name: string, fallback: number | undefined, fits: (value: number) => boolean, allowed: string) {
    const value = this.take(name);
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || !fits(value)) {
      this.problem(name, value, allowed);
      return fallback;
    }
    return value;
  }

  /** A duration (`20ms`, `1.5s`, a bare number of seconds) in [minMs, maxMs], in ms. */
  durationMs(name: string, fallbackMs: number, minMs: number, maxMs: number): number;
  durationMs(name: string, fallbackMs: undefined, minMs: number, maxMs: number): number | undefined;
  durationMs(name: string, fallbackMs: number | undefined, minMs: number, maxMs: number) {
    const value = this.take(name);
    if (value === undefined) return fallbackMs;
    const ms =
      typeof value === "number"
        ? value * 1000
        : typeof value === "string"
          ? parseDurationMs(value)
          : undefined;
    if (ms === undefined || !Number.isFinite(ms) || ms < minMs || ms > maxMs) {
      this.problem(
        name,
        value,
        `a duration from ${formatDurationMs(minMs)} to ${formatDurationMs(maxMs)}, e.g. 20ms or 1.5s`,
      );
      return fallbackMs;
    }
    return ms;
  }

  /** Records a problem the caller found by relating two options. */
  problem(name: string, value: unknown, allowed: string): void {
    this.problems.push({ field: `check.${name}`, value, allowed });
  }

  /** Was the option written at all. */
  has(name: string): boolean {
    return this.section[name] !== undefined;
  }

  /** Every option that no reader asked for is a problem: a typo would otherwise be ignored silently. */
  finish(): ConfigProblem[] {
    const known = [...this.read];
    for (const name of Object.keys(this.section)) {
      if (this.read.has(name)) continue;
      const guess = didYouMean(name, known);
      this.problem(
        name,
        this.section[name],
        `one of the options ${known.join(", ")}${guess !== undefined ? ` (did you mean ${guess}?)` : ""}`,
      );
    }
    return this.problems;
  }

  private take(name: string): unknown {
    this.read.add(name);
    const value = this.section[name];
    return value === null ? undefined : value;
  }
}
