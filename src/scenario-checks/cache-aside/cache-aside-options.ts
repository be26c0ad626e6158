import type { ConfigProblem } from "../../config/errors.js";
import { CheckOptions } from "../side-load/check-options.js";

export interface CacheAsideOptions {
  readers: number;
  flags: number;
  /** GETs per second over all readers together; undefined: each reader reads as fast as it can. */
  readRatePerS: number | undefined;
  backingLatencyMs: number;
  /** The backing store answers in backingLatency ± this, uniformly (never below 0). */
  backingJitterMs: number;
  ttlMs: number;
  warmHitRatio: number;
  /** Flags are split into this many groups by popularity rank (group 1 = the most read). */
  groups: number;
  /** Every this often a writer changes one flag, DELs its key and PUBLISHes the change; undefined: never. */
  invalidateEveryMs: number | undefined;
  subscribers: number;
  /** The check fails when the hit ratio over the run is below this. */
  minHitRatio: number | undefined;
}

export const CACHE_ASIDE_DEFAULTS = {
  readers: 8,
  flags: 1000,
  backingLatencyMs: 20,
  backingJitterMs: 0,
  ttlMs: 30_000,
  warmHitRatio: 0.9,
  groups: 4,
  subscribers: 4,
};

const HOUR_MS = 3_600_000;

/** The `check: { kind: cache-aside, ... }` options, or every problem in them. */
export function parseCacheAsideOptions(
  section: Record<string, unknown>,
): { ok: true; options: CacheAsideOptions } | { ok: false; problems: ConfigProblem[] } {
  const read = new CheckOptions(section);
  const d = CACHE_ASIDE_DEFAULTS;
  const ratio = (v: number) => v > 0 && v <= 1;
  const options: CacheAsideOptions = {
    readers: read.count("readers", d.readers, 1, 1000),
    flags: read.count("flags", d.flags, 1, 10_000_000),
    readRatePerS: read.number(
      "readRate",
      undefined,
      (v) => v > 0 && v <= 1_000_000,
      "GETs per second over all readers, above 0 and up to 1000000 (leave it out to read as fast as the readers can)",
    ),
    backingLatencyMs: read.durationMs("backingLatency", d.backingLatencyMs, 0, 60_000),
    backingJitterMs: read.durationMs("backingJitter", d.backingJitterMs, 0, 60_000),
    ttlMs: read.durationMs("ttl", d.ttlMs, 1, 365 * 24 * HOUR_MS),
    warmHitRatio: read.number(
      "warmHitRatio",
      d.warmHitRatio,
      ratio,
      "a hit ratio above 0 and up to 1, e.g. 0.9",
    ),
    groups: read.count("groups", d.groups, 1, 100),
    invalidateEveryMs: read.durationMs("invalidateEvery", undefined, 10, HOUR_MS),
    subscribers: read.count("subscribers", d.subscribers, 1, 1000),
    minHitRatio: read.number("minHitRatio", undefined, (v) => v >= 0 && v <= 1, "a hit ratio from 0 to 1"),
  };
  if (options.groups > options.flags) {
    read.problem("groups", options.groups, `at most the number of flags (${options.flags})`);
  }
  if (read.has("subscribers") && options.invalidateEveryMs === undefined) {
    // Subscribers only listen for invalidations; without a writer they would measure nothing.
    read.problem(
      "subscribers",
      section.subscribers,
      "only together with invalidateEvery (e.g. invalidateEvery: 1s)",
    );
  }
  if (!Number.isInteger(options.ttlMs)) {
    read.problem("ttl", section.ttl, "a whole number of milliseconds (SET ... PX takes ms)");
  }
  const problems = read.finish();
  return problems.length === 0 ? { ok: true, options } : { ok: false, problems };
}
