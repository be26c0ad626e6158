import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { round3 } from "./latency.js";

/**
 * The delay of this process's event loop while a check's clients ran. Their latencies are taken
 * on this loop, so a stall here (the run's own per-second bookkeeping, a busy machine) shows up in
 * them; this figure says how much of a tail may be the tool's rather than the server's.
 */
export class LoopDelay {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private running = false;

  start(): void {
    this.histogram.enable();
    this.running = true;
  }

  stop(): void {
    if (this.running) this.histogram.disable();
    this.running = false;
  }

  /** p99 and max of the event-loop delay in ms, or nulls when it never ran. */
  figures(): { toolLoopDelayP99Ms: number | null; toolLoopDelayMaxMs: number | null } {
    if (this.histogram.count === 0) return { toolLoopDelayP99Ms: null, toolLoopDelayMaxMs: null };
    return {
      toolLoopDelayP99Ms: round3(this.histogram.percentile(99) / 1e6),
      toolLoopDelayMaxMs: round3(this.histogram.max / 1e6),
    };
  }
}
