import type { ZoneBand, ZoneBands, ZoneMetric } from "../config/zone-rules.js";

export type { ZoneBand, ZoneBands, ZoneMetric } from "../config/zone-rules.js";

/**
 * Risk zones: each key metric of a run is stable, at risk, or a hard failure, by bands a team can
 * read at a glance and set per run (`zones:` in a scenario file, `--zone`; docs/zones.md). The
 * defaults come from the product requirements and the managed services' own guidance
 * (ElastiCache/Azure: keep server CPU under ~80-90 %, memory alerts at 80-90 % of maxmemory; p99
 * above 500 ms and more than 5 % errors are failures).
 */

export type Zone = "stable" | "risk" | "failure";

export const DEFAULT_ZONE_BANDS: Record<ZoneMetric, ZoneBand> = {
  serverCpuPercent: { stableBelow: 70, failureAbove: 90 },
  memoryUsedPercent: { stableBelow: 80, failureAbove: 90 },
  p99Ms: { stableBelow: 100, failureAbove: 500 },
  errorPercent: { stableBelow: 1, failureAbove: 5 },
  // Three nines of the measured time is stable; more than 1 % without any reply is an outage.
  unavailablePercent: { stableBelow: 0.1, failureAbove: 1 },
  // The Prometheus community rule pages at 90 % of maxclients; file descriptors run out the same way.
  serverFdPercent: { stableBelow: 70, failureAbove: 90 },
  clientFdPercent: { stableBelow: 70, failureAbove: 90 },
  // A fork for BGSAVE or an AOF rewrite writes a second copy beside the first: leave it room.
  diskUsedPercent: { stableBelow: 70, failureAbove: 90 },
  // Starting points for a durable buffer; its own drain rate decides the right numbers.
  streamLengthEntries: { stableBelow: 1_000_000, failureAbove: 10_000_000 },
  pendingEntries: { stableBelow: 10_000, failureAbove: 100_000 },
  // 0 times gone is stable, once is a failure: this band is not configurable.
  serverGone: { stableBelow: 1, failureAbove: 0 },
};

const LABELS: Record<ZoneMetric, string> = {
  serverCpuPercent: "server CPU % (peak, 100 = one core)",
  memoryUsedPercent: "memory % of maxmemory (peak)",
  p99Ms: "p99 latency, ms",
  errorPercent: "errors + timeouts, % of operations",
  unavailablePercent: "time without any reply, %",
  serverFdPercent: "server open files, % of its limit (peak)",
  clientFdPercent: "cachestress open files, % of its limit (peak)",
  diskUsedPercent: "disk used where the server persists, % (peak)",
  streamLengthEntries: "stream length, entries (peak, all streams)",
  pendingEntries: "pending entries of consumer groups (peak)",
  serverGone: "server went away (crash), times",
};

/** Always in the table, measured or not. */
const CORE_METRICS: ZoneMetric[] = [
  "serverCpuPercent",
  "memoryUsedPercent",
  "p99Ms",
  "errorPercent",
  "unavailablePercent",
];
/** In the table when measured or when the run set a band for them. */
const EXTRA_METRICS: ZoneMetric[] = [
  "serverFdPercent",
  "clientFdPercent",
  "diskUsedPercent",
  "streamLengthEntries",
  "pendingEntries",
  "serverGone",
];

export interface ZoneVerdict {
  metric: ZoneMetric;
  label: string;
  /** Undefined when the run could not measure it (no maxmemory, no access to the process). */
  value?: number;
  zone?: Zone;
  band: ZoneBand;
  /** True when the band was set for this run (`zones:` or `--zone`) rather than the default. */
  configured?: boolean;
  note?: string;
}

export interface ZoneInputs {
  serverCpuPercent?: number;
  memoryUsedPercent?: number;
  p99Ms?: number;
  errorPercent?: number;
  /** Share of the measured time in outages (src/measure/availability.ts). */
  unavailablePercent?: number;
  serverFdPercent?: number;
  clientFdPercent?: number;
  diskUsedPercent?: number;
  streamLengthEntries?: number;
  pendingEntries?: number;
  /** Times the server process was found gone (0 = it stayed up); undefined when it could not be watched. */
  serverGone?: number;
  /** The target went away for good: the availability zone is a failure whatever the share. */
  targetLost?: boolean;
  /** Set when the load generator fell behind: p99 is shown with this note but not judged. */
  p99NotJudged?: string;
}

export function zoneOf(value: number, band: ZoneBand): Zone {
  if (value < band.stableBelow) return "stable";
  return value <= band.failureAbove ? "risk" : "failure";
}

/**
 * One verdict per metric, in a fixed order so reports always show the same table: the five core
 * metrics always, the resource zones when measured or when the run set a band for them.
 */
export function computeZones(inputs: ZoneInputs, overrides: ZoneBands = {}): ZoneVerdict[] {
  const extra = EXTRA_METRICS.filter((m) => inputs[m] !== undefined || overrides[m] !== undefined);
  return [...CORE_METRICS, ...extra].map((metric) => verdictFor(metric, inputs, overrides));
}

/** True for the zones resourceZones() judges (they replace any of theirs computed before). */
export function isResourceZone(metric: ZoneMetric): boolean {
  return EXTRA_METRICS.includes(metric);
}

/** The resource zones only (for a participant that adds them to zones computed elsewhere). */
export function resourceZones(inputs: ZoneInputs, overrides: ZoneBands = {}): ZoneVerdict[] {
  return EXTRA_METRICS.filter((m) => inputs[m] !== undefined || overrides[m] !== undefined).map((m) =>
    verdictFor(m, inputs, overrides),
  );
}

function verdictFor(metric: ZoneMetric, inputs: ZoneInputs, overrides: ZoneBands): ZoneVerdict {
  const set = metric !== "serverGone" ? overrides[metric] : undefined;
  const band = set ?? DEFAULT_ZONE_BANDS[metric];
  const base = {
    metric,
    label: LABELS[metric],
    band,
    ...(set !== undefined && { configured: true as const }),
  };
  const value = inputs[metric];
  if (metric === "unavailablePercent" && inputs.targetLost === true) {
    const shown = value !== undefined && !Number.isNaN(value) ? round2(value) : 100;
    return { ...base, value: shown, zone: "failure", note: "the target was lost" };
  }
  if (value === undefined || Number.isNaN(value)) return { ...base, note: missingNote(metric) };
  if (metric === "p99Ms" && inputs.p99NotJudged !== undefined) {
    return { ...base, value: round2(value), note: inputs.p99NotJudged };
  }
  return { ...base, value: round2(value), zone: zoneOf(value, band) };
}

/** The worst zone among the measured metrics; undefined when nothing was measured. */
export function worstZone(verdicts: readonly ZoneVerdict[]): Zone | undefined {
  const order: Zone[] = ["stable", "risk", "failure"];
  let worst = -1;
  for (const v of verdicts) if (v.zone !== undefined) worst = Math.max(worst, order.indexOf(v.zone));
  return worst < 0 ? undefined : order[worst];
}

/** `stable < 50, failure > 200`, or the crash zone's fixed rule. */
export function bandText(verdict: ZoneVerdict): string {
  if (verdict.metric === "serverGone") return "stable 0, failure 1 or more";
  const text = `stable < ${verdict.band.stableBelow}, failure > ${verdict.band.failureAbove}`;
  return verdict.configured === true ? `${text}, set for this run` : text;
}

function missingNote(metric: ZoneMetric): string {
  switch (metric) {
    case "serverCpuPercent":
      return "not measured: the server process is not on this host";
    case "memoryUsedPercent":
      return "not measured: the server has no maxmemory limit or INFO memory is not readable";
    case "unavailablePercent":
      return "not measured: the measured part did not start";
    case "serverFdPercent":
    case "serverGone":
      return "not measured: the server process is not on this host";
    case "clientFdPercent":
      return "not measured: /proc/self is not readable (not Linux)";
    case "diskUsedPercent":
      return "not measured: the persistence directory is not on this host";
    case "streamLengthEntries":
    case "pendingEntries":
      return "not measured: the run wrote no stream";
    default:
      return "not measured: no operations completed";
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
