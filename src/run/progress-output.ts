import type { ProgressSnapshot } from "../reports/progress-line.js";
import type { RunOutput } from "./run-event-bus.js";
import type { RunEvent, RunPhase } from "./run-events.js";

/**
 * The live progress line (`RunHooks.onProgress`) as an output of the event stream: each interval
 * event becomes one snapshot, with the phase's planned length, its errors so far and the target's
 * newest memory and hit ratio beside the client's figures.
 */
export class ProgressOutput implements RunOutput {
  readonly name = "progress-line";
  private phase: RunPhase = "prefill";
  private plannedMs: number | undefined;
  private errors = 0;
  private timeouts = 0;
  /** The target's own node: the first to send a sample (a cluster's other primaries come after). */
  private mainNode: string | undefined;
  private memoryUsedPercent: number | undefined;
  private hitRatio: number | undefined;

  constructor(private readonly show: (snapshot: ProgressSnapshot) => void) {}

  onEvent(event: RunEvent): void {
    switch (event.type) {
      case "phase-started":
        this.phase = event.phase;
        this.plannedMs = event.plannedMs;
        this.errors = 0;
        this.timeouts = 0;
        return;
      case "server-sample":
        this.mainNode ??= event.node;
        if (event.node !== this.mainNode) return;
        this.memoryUsedPercent = event.sample.memoryUsedPercent;
        this.hitRatio = event.sample.hitRatio;
        return;
      case "interval": {
        const point = event.point;
        this.errors += point.errors;
        this.timeouts += point.timeouts;
        this.show({
          phase: this.phase,
          elapsedMs: event.tS * 1000,
          totalMs: this.plannedMs,
          opsPerSec: point.opsPerSec,
          p50Ms: point.p50Ms,
          p99Ms: point.p99Ms,
          errors: this.errors,
          timeouts: this.timeouts,
          memoryUsedPercent: this.memoryUsedPercent,
          hitRatio: this.hitRatio,
        });
        return;
      }
    }
  }
}
