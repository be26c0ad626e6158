import { measuredLengthMs } from "../../config/measured-stages.js";
import type { RunConfig } from "../../config/types.js";

/**
 * How long the measured part is planned to last, ms: the stages' sum or the duration; undefined
 * for a run ended by a request count, whose side loops then end when the load stops.
 */
export function plannedMeasureMs(config: RunConfig): number | undefined {
  return measuredLengthMs(config);
}

/** Slices of the run's seed for each side client, so the runs repeat and the clients differ. */
export function sideSeed(seed: number, kind: number, index: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 31) + kind * 10_007 + index * 7919) >>> 0;
}
