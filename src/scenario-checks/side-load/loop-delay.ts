import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { round3 } from "./latency.js";

/**
 * The delay of this process's event loop while a check's clients ran. Their latencies are taken
 * on this loop, so a stall here (the run's own per-second bookkeeping, a busy machine) shows up in
 * them; this figure says how much of a tail may be the tool's rather than the server's.
 */
/** Event-loop delay p99 above which a check's summary says its latencies include the tool's own, ms. */
const NOTE_ABOVE_MS = 20;

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

  /**
   * A note for the check's summary when the loop was delayed enough to matter (p99 above 20 ms):
   * the latencies then say more about this process than about the server.
   */
  note(): string {
    const { toolLoopDelayP99Ms } = this.figures();
    if (toolLoopDelayP99Ms === null || toolLoopDelayP99Ms <= NOTE_ABOVE_MS) return "";
    return ` (note: this process's event loop was delayed up to ${toolLoopDelayP99Ms} ms at p99, which is in these latencies; fewer clients or a lower rate measure the server better)`;
  }
}
