import type { RunConfig } from "../config/types.js";
import type { RunOutput } from "./run-event-bus.js";
import type { RunEvent } from "./run-events.js";
import { type RunHooks, type RunOutcome, runScenario } from "./run-scenario.js";

/** A run under way, for a library caller's own tests and tools. */
export interface StartedRun {
  /** Every event of the run, in order; the iteration ends after `run-ended` (or when the run fails). */
  events: AsyncIterable<RunEvent>;
  /** Stops the load early; the run still measures, cleans up and writes its report. */
  stop(): void;
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
  return { events: events(), stop: () => stopper.abort(), result };
}
