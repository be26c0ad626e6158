import type { RunConfig } from "../config/types.js";
import { RunControl, type RunControlState } from "./run-control.js";
import type { RunOutput } from "./run-event-bus.js";
import type { RunEvent } from "./run-events.js";
import { type RunHooks, type RunOutcome, runScenario } from "./run-scenario.js";

/** A run under way, for a library caller's own tests and tools. */
export interface StartedRun {
  /** Every event of the run, in order; the iteration ends after `run-ended` (or when the run fails). */
  events: AsyncIterable<RunEvent>;
  /** Stops the load early; the run still measures, cleans up and writes its report. */
  stop(): void;
  /**
   * Holds every new command until resume(): connections stay open, replies in flight are still
   * read and recorded, paused time is not run time (docs/engine.md). Before the load starts, the
   * load starts paused. Does nothing when already paused or ended.
   */
  pause(): void;
  /** Sends again; an open loop goes on where it stopped, with no catch-up burst. */
  resume(): void;
  /**
   * Open loop: one constant rate (ops/s) from now for the rest of the run. Throws an error with
   * code `E_RUN_CONTROL` on a closed-loop run or when the rate is not a positive number.
   */
  setRate(opsPerSecond: number): void;
  /** `starting` (engine not up yet), `running`, `paused` or `ended`. */
  readonly state: RunControlState;
  /** The result and the report files' paths; rejects when the run could not run. */
  result: Promise<RunOutcome>;
}

export interface StartRunOptions {
  outputs?: RunOutput[];
  onNotice?: RunHooks["onNotice"];
}

/**
 * `const run = startRun(config); for await (const event of run.events) …; run.stop(); await run.result`.
 * Events are queued for the iterator, so a consumer that reads slowly misses nothing; one that never
 * reads only costs memory until the run ends.
 */
export function startRun(config: RunConfig, options: StartRunOptions = {}): StartedRun {
  const stopper = new AbortController();
  const control = new RunControl(config);
  const queue: RunEvent[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const push = (event: RunEvent) => {
    queue.push(event);
    wake?.();
  };
  const result = runScenario(config, {
    signal: stopper.signal,
    onEvent: push,
    outputs: options.outputs,
    onNotice: options.onNotice,
    control,
  }).finally(() => {
    ended = true;
    wake?.();
  });
  // The caller may only await `result`; its rejection is theirs, but it must not also surface here.
  result.catch(() => {});
  async function* events(): AsyncGenerator<RunEvent> {
    for (;;) {
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  }
  return {
    events: events(),
    stop: () => stopper.abort(),
    pause: () => control.pause(),
    resume: () => control.resume(),
    setRate: (opsPerSecond) => control.setRate(opsPerSecond),
    get state() {
      return ended ? "ended" : control.state;
    },
    result,
  };
}
