/**
 * Risk zones: each key metric of a run is stable, at risk, or a hard failure, by bands a team can
 * read at a glance and override. The defaults come from the product requirements and the managed
 * services' own guidance (ElastiCache/Azure: keep server CPU under ~80-90 %, memory alerts at
 * 80-90 % of maxmemory; p99 above 500 ms and more than 5 % errors are failures).
 */

export type Zone = "stable" | "risk" | "failure";

export type ZoneMetric =
  | "serverCpuPercent"
  | "memoryUsedPercent"
  | "p99Ms"
  | "errorPercent"
  | "unavailablePercent";

/** Upper edges: value < stableBelow is stable, value ≤ failureAbove is risk, above that failure. */
export interface ZoneBand {
  stableBelow: number;
  failureAbove: number;
}

export const DEFAULT_ZONE_BANDS: Record<ZoneMetric, ZoneBand> = {
  serverCpuPercent: { stableBelow: 70, failureAbove: 90 },
  memoryUsedPercent: { stableBelow: 80, failureAbove: 90 },
  p99Ms: { stableBelow: 100, failureAbove: 500 },
  errorPercent: { stableBelow: 1, failureAbove: 5 },
  // Three nines of the measured time is stable; more than 1 % without any reply is an outage.
  unavailablePercent: { stableBelow: 0.1, failureAbove: 1 },
};

const LABELS: Record<ZoneMetric, string> = {
  serverCpuPercent: "server CPU % (peak, 100 = one core)",
  memoryUsedPercent: "memory % of maxmemory (peak)",
  p99Ms: "p99 latency, ms",
  errorPercent: "errors + timeouts, % of operations",
  unavailablePercent: "time without any reply, %",
};

export interface ZoneVerdict {
  metric: ZoneMetric;
  label: string;
  /** Undefined when the run could not measure it (no maxmemory, no access to the process). */
  value?: number;
  zone?: Zone;
  band: ZoneBand;
  note?: string;
}

export interface ZoneInputs {
  serverCpuPercent?: number;
  memoryUsedPercent?: number;
  p99Ms?: number;
  errorPercent?: number;
  /** Share of the measured time in outages (src/measure/availability.ts). */
  unavailablePercent?: number;
  /** The target went away for good: the availability zone is a failure whatever the share. */
  targetLost?: boolean;
  /** Set when the load generator fell behind: p99 is shown with this note but not judged. */
  p99NotJudged?: string;
}

export function zoneOf(value: number, band: ZoneBand): Zone {
  if (value < band.stableBelow) return "stable";
  return value <= band.failureAbove ? "risk" : "failure";
}

/** One verdict per metric, in a fixed order so reports always show the same table. */
export function computeZones(
  inputs: ZoneInputs,
  overrides: Partial<Record<ZoneMetric, ZoneBand>> = {},
): ZoneVerdict[] {
  const metrics: ZoneMetric[] = [
    "serverCpuPercent",
    "memoryUsedPercent",
    "p99Ms",
    "errorPercent",
    "unavailablePercent",
  ];
  return metrics.map((metric) => {
    const band = overrides[metric] ?? DEFAULT_ZONE_BANDS[metric];
    const value = inputs[metric];
    if (metric === "unavailablePercent" && inputs.targetLost === true) {
      const shown = value !== undefined && !Number.isNaN(value) ? round2(value) : 100;
      return {
        metric,
        label: LABELS[metric],
        value: shown,
        zone: "failure",
        band,
        note: "the target was lost",
      };
    }
    if (value === undefined || Number.isNaN(value)) {
      return { metric, label: LABELS[metric], band, note: missingNote(metric) };
    }
    if (metric === "p99Ms" && inputs.p99NotJudged !== undefined) {
      return { metric, label: LABELS[metric], value: round2(value), band, note: inputs.p99NotJudged };
    }
    return { metric, label: LABELS[metric], value: round2(value), zone: zoneOf(value, band), band };
  });
}

/** The worst zone among the measured metrics; undefined when nothing was measured. */
export function worstZone(verdicts: readonly ZoneVerdict[]): Zone | undefined {
  const order: Zone[] = ["stable", "risk", "failure"];
  let worst = -1;
  for (const v of verdicts) if (v.zone !== undefined) worst = Math.max(worst, order.indexOf(v.zone));
  return worst < 0 ? undefined : order[worst];
}

function missingNote(metric: ZoneMetric): string {
  switch (metric) {
    case "serverCpuPercent":
      return "not measured: the server process is not on this host";
    case "memoryUsedPercent":
      return "not measured: the server has no maxmemory limit or INFO memory is not readable";
    case "unavailablePercent":
      return "not measured: the measured part did not start";
    default:
      return "not measured: no operations completed";
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
