import { parseDurationMs } from "./duration.js";
import { didYouMean } from "./errors.js";
import type { ValueRule } from "./field-rules.js";

/**
 * Risk-zone bands as a user sets them: `zones: { p99: "50ms/200ms", cpu: "60%/85%" }` in a scenario
 * file or `--zone p99=50ms/200ms` on the command line. `A/B` reads "stable below A, failure above B"
 * (between them: risk), in the zone's own unit. The bands themselves are judged in
 * src/reports/zones.ts; this file only knows their names, units and grammar (docs/zones.md).
 */

export type ZoneMetric =
  | "serverCpuPercent"
  | "memoryUsedPercent"
  | "p99Ms"
  | "errorPercent"
  | "unavailablePercent"
  | "serverFdPercent"
  | "clientFdPercent"
  | "diskUsedPercent"
  | "streamLengthEntries"
  | "pendingEntries"
  | "serverGone";

/** Upper edges: value < stableBelow is stable, value ≤ failureAbove is risk, above that failure. */
export interface ZoneBand {
  stableBelow: number;
  failureAbove: number;
}

/** The bands a run set, by metric; a metric left out keeps its default. */
export type ZoneBands = Partial<Record<ZoneMetric, ZoneBand>>;

type ZoneUnit = "percent" | "ms" | "count";

/** The names users write, in the order docs and help list them. */
export const ZONE_NAMES = {
  cpu: { metric: "serverCpuPercent", unit: "percent" },
  memory: { metric: "memoryUsedPercent", unit: "percent" },
  p99: { metric: "p99Ms", unit: "ms" },
  errors: { metric: "errorPercent", unit: "percent" },
  unavailable: { metric: "unavailablePercent", unit: "percent" },
  serverFds: { metric: "serverFdPercent", unit: "percent" },
  clientFds: { metric: "clientFdPercent", unit: "percent" },
  disk: { metric: "diskUsedPercent", unit: "percent" },
  streamLength: { metric: "streamLengthEntries", unit: "count" },
  pending: { metric: "pendingEntries", unit: "count" },
} as const satisfies Record<string, { metric: ZoneMetric; unit: ZoneUnit }>;

export type ZoneName = keyof typeof ZONE_NAMES;
const NAMES = Object.keys(ZONE_NAMES) as ZoneName[];

/** The crash zone has no bands: a server that goes away is a failure, whatever anyone sets. */
export const CRASH_ZONE_NAME = "crash";
const CRASH_ALLOWED = "no bands: a server that went away during the run is always a failure";

const EXAMPLE: Record<ZoneUnit, string> = {
  percent: "60%/85% (percent; the % may be left out)",
  ms: "50ms/200ms (a duration such as 500us, 50ms or 1s; a bare number means ms)",
  count: "10000/100000 or 10k/100k (entries)",
};

/** One edge in the zone's unit, or undefined when the text is not one. */
function parseEdge(text: string, unit: ZoneUnit): number | undefined {
  const t = text.trim();
  if (unit === "ms") {
    if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
    return /[a-z]$/.test(t) ? parseDurationMs(t) : undefined;
  }
  if (unit === "percent") {
    const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(t);
    return m === null ? undefined : Number(m[1]);
  }
  const m = /^(\d+(?:\.\d+)?)\s*([km]?)$/i.exec(t);
  if (m === null) return undefined;
  const factor = { "": 1, k: 1_000, m: 1_000_000 }[m[2].toLowerCase() as "" | "k" | "m"];
  return Number(m[1]) * factor;
}

/** `A/B` in the unit of `name`: both edges 0 or more, A at most B, percentages at most 100 × cores. */
export function zoneBandRule(name: ZoneName): ValueRule<ZoneBand> {
  const unit: ZoneUnit = ZONE_NAMES[name].unit;
  const allowed = `STABLE/FAILURE: stable below the first, failure above the second, the first at most the second, e.g. ${EXAMPLE[unit]}`;
  return {
    allowed,
    parse(raw) {
      if (typeof raw !== "string" && typeof raw !== "number") return undefined;
      const parts = String(raw).split("/");
      if (parts.length !== 2) return undefined;
      const stableBelow = parseEdge(parts[0], unit);
      const failureAbove = parseEdge(parts[1], unit);
      if (stableBelow === undefined || failureAbove === undefined) return undefined;
      if (!Number.isFinite(stableBelow) || !Number.isFinite(failureAbove)) return undefined;
      if (stableBelow > failureAbove) return undefined;
      // CPU may pass 100 (100 = one core); every other percentage is a share of a whole.
      if (unit === "percent" && name !== "cpu" && failureAbove > 100) return undefined;
      return { stableBelow, failureAbove };
    },
    explain(raw) {
      const parts = typeof raw === "string" ? raw.split("/") : [];
      if (parts.length !== 2) return undefined;
      const [a, b] = parts.map((p) => parseEdge(p, unit));
      if (a !== undefined && b !== undefined && a > b)
        return `the stable edge (${a}) at most the failure edge (${b}); ${allowed}`;
      if (unit === "percent" && name !== "cpu" && b !== undefined && b > 100)
        return `percentages from 0 to 100; ${allowed}`;
      return undefined;
    },
  };
}

/** `--zone NAME=A/B`: which zone and its band. */
export const zoneFlagRule: ValueRule<[ZoneMetric, ZoneBand]> = {
  allowed: `NAME=STABLE/FAILURE with NAME one of ${NAMES.join(", ")}, e.g. p99=50ms/200ms or cpu=60%/85% (docs/zones.md)`,
  parse(raw) {
    const match = typeof raw === "string" ? /^\s*([A-Za-z][A-Za-z0-9]*)\s*=(.*)$/s.exec(raw) : null;
    if (match === null || !(match[1] in ZONE_NAMES)) return undefined;
    const name = match[1] as ZoneName;
    const band = zoneBandRule(name).parse(match[2]);
    return band === undefined ? undefined : [ZONE_NAMES[name].metric, band];
  },
  explain(raw) {
    const match = typeof raw === "string" ? /^\s*([A-Za-z][A-Za-z0-9]*)\s*=(.*)$/s.exec(raw) : null;
    if (match === null) return undefined;
    if (match[1] === CRASH_ZONE_NAME) return `crash: ${CRASH_ALLOWED}`;
    if (!(match[1] in ZONE_NAMES)) {
      const guess = didYouMean(match[1], NAMES);
      return `a zone name: one of ${NAMES.join(", ")}${guess !== undefined ? ` (did you mean ${guess}?)` : ""}`;
    }
    const rule = zoneBandRule(match[1] as ZoneName);
    return `${match[1]}=${rule.explain?.(match[2]) ?? rule.allowed}`;
  },
};

/** The `crash:` key of a file's `zones:` is refused with the reason. */
export const crashZoneRule: ValueRule<never> = { allowed: CRASH_ALLOWED, parse: () => undefined };

/** A file's `zones:` as parsed (by user name) → bands by metric. */
export function zoneBandsByMetric(byName: Partial<Record<string, ZoneBand | undefined>>): ZoneBands {
  const bands: ZoneBands = {};
  for (const name of NAMES) {
    const band = byName[name];
    if (band !== undefined) bands[ZONE_NAMES[name].metric] = band;
  }
  return bands;
}

/** The user's name for a metric (`p99Ms` → `p99`), for reports. */
export function zoneNameOf(metric: ZoneMetric): string {
  if (metric === "serverGone") return CRASH_ZONE_NAME;
  return NAMES.find((n) => ZONE_NAMES[n].metric === metric) ?? metric;
}
