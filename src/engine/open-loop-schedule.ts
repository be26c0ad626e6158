import type { Stage } from "../config/types.js";
import { nextIntendedStartMs } from "../workload/load-profile.js";

/**
 * Intended start times for open-loop operations, in epoch ms. Connection g of N takes operations
 * g, g+N, g+2N... of the profile's schedule, so the run's sends are spread evenly over time instead
 * of leaving N at a time. The profile is read relative to the phase start.
 *
 * A pause moves the whole profile later by its length (`shift`), so paused time is not run time;
 * a rate change (`setRate`) replaces what is left of the profile by one constant rate that starts
 * at the moment of the change. Neither allocates on the hot path: they only change numbers that
 * `nextIntendedMs` reads. Docs: docs/engine.md, "Pause, resume and rate changes".
 */
export class OpenLoopSchedule {
  /** For a single constant stage the gap never changes; skip the integration. */
  private constantIntervalMs: number;
  private stages: Stage[];
  /** Where the profile's time 0 is, epoch ms: the phase start, moved by pauses and rate changes. */
  private startEpochMs: number;

  constructor(
    stages: Stage[],
    private readonly seed: number,
    private readonly totalConnections: number,
    startEpochMs: number,
  ) {
    this.stages = stages;
    this.startEpochMs = startEpochMs;
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

  /**
   * A pause of `pausedMs` ended: the profile resumes where it stopped. Callers move each
   * connection's next intended start by the same amount, so nothing is due at once (no burst).
   */
  shift(pausedMs: number): void {
    this.startEpochMs += pausedMs;
  }

  /**
   * From `atEpochMs` on, one constant rate (ops/s over all connections of the run) for the rest of
   * the phase. Callers restart each connection at `firstIntendedMs`: what was late is not sent in
   * a burst, the new rate starts from the moment of the change.
   */
  setRate(opsPerSecond: number, atEpochMs: number): void {
    // The phase's end (PhaseState.endEpochMs) bounds it; the stage itself never ends first.
    this.stages = [{ kind: "constant", durationMs: Number.MAX_SAFE_INTEGER / 4, rate: opsPerSecond }];
    this.startEpochMs = atEpochMs;
    this.constantIntervalMs = (this.totalConnections * 1000) / opsPerSecond;
  }
}
