import { encodeHistogram } from "../measure/histogram.js";
import type { PhaseTotals } from "../measure/phase-totals.js";
import { seriesPoint } from "./build-result.js";
import type { IntervalEvent, RunPhase } from "./run-events.js";

/**
 * One interval as an event: the headline point plus each command's raw HDR histograms, so a
 * consumer (a replay, a publisher feeding Prometheus buckets) adds intervals up exactly instead of
 * averaging percentiles. Encoded at level 1 deflate: this runs on the main thread once a second.
 */
export function intervalEvent(
  phase: RunPhase,
  interval: PhaseTotals,
  tS: number,
  spanS: number,
  targetRate: number | undefined,
): Omit<IntervalEvent, "timeMs"> {
  const encode = (h: PhaseTotals["scheduleLag"]) => (h.totalCount > 0 ? encodeHistogram(h, true) : "");
  return {
    type: "interval",
    phase,
    tS,
    spanS,
    point: seriesPoint(interval, tS, spanS, targetRate),
    commands: interval.commandNames.map((name, c) => ({
      name,
      ops: interval.ops[c],
      sent: interval.sent[c],
      errors: interval.errorReplies[c],
      nils: interval.nils[c],
      latencyUs: encode(interval.latency[c]),
      serviceTimeUs: encode(interval.serviceTime[c]),
    })),
    errorsByKind: { ...interval.errorsByKind },
    scheduleLagUs: encode(interval.scheduleLag),
  };
}
