import type { Stage } from "../config/types.js";
import { rateAt } from "../workload/load-profile.js";

/** Samples per interval: enough that a step inside an interval moves the mean by its share. */
const SAMPLES = 50;

/**
 * The profile's mean target rate over one series interval [fromMs, toMs) of the measured phase,
 * ops/s, clipped to the planned end (a final interval that includes the drain after the last send
 * asks for nothing past it). Read at the interval's end, a step profile showed the next step's
 * rate one second early; sampled at the midpoints of equal slices, a step that changes on an
 * interval boundary reads exactly its own rate, and one inside an interval its time-weighted mean.
 */
export function intervalTargetRate(
  stages: readonly Stage[],
  fromMs: number,
  toMs: number,
  seed: number,
  plannedEndMs = Number.POSITIVE_INFINITY,
): number {
  const end = Math.min(toMs, plannedEndMs);
  if (!(end > fromMs)) return rateAt(stages, Math.max(0, fromMs), seed);
  const sliceMs = (end - fromMs) / SAMPLES;
  let sum = 0;
  for (let i = 0; i < SAMPLES; i++) sum += rateAt(stages, fromMs + (i + 0.5) * sliceMs, seed);
  return sum / SAMPLES;
}
