import type { Stage } from "../config/types.js";
import { nextIntendedStartMs } from "../workload/load-profile.js";

/**
 * Intended start times for open-loop operations, in epoch ms. Connection g of N takes operations
 * g, g+N, g+2N... of the profile's schedule, so the run's sends are spread evenly over time instead
 * of leaving N at a time. The profile is read relative to the phase start.
 */
export class OpenLoopSchedule {
  /** For a single constant stage the gap never changes; skip the integration. */
  private readonly constantIntervalMs: number;

  constructor(
    private readonly stages: Stage[],
    private readonly seed: number,
    private readonly totalConnections: number,
    private readonly startEpochMs: number,
  ) {
    const only = stages.length === 1 ? stages[0] : undefined;
    this.constantIntervalMs =
      only !== undefined && only.kind === "constant" && only.rate > 0
        ? (totalConnections * 1000) / only.rate
        : 0;
  }

  /** The first intended start of connection `globalIndex` (0 .. totalConnections-1). */
  firstIntendedMs(globalIndex: number): number {
    if (globalIndex === 0) return this.startEpochMs;
    return this.startEpochMs + nextIntendedStartMs(this.stages, this.seed, 0, globalIndex);
  }

  /** The intended start that follows `previousMs` on one connection; Infinity after the profile. */
  nextIntendedMs(previousMs: number): number {
    if (this.constantIntervalMs > 0) return previousMs + this.constantIntervalMs;
    const relativeMs = previousMs - this.startEpochMs;
    return this.startEpochMs + nextIntendedStartMs(this.stages, this.seed, relativeMs, this.totalConnections);
  }
}
