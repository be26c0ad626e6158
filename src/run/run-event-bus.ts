import type { OutputHealth, RunResult } from "../result/result-types.js";
import type { RunEvent, RunEventInput } from "./run-events.js";

/**
 * Something that consumes a run's events: the `--events` NDJSON writer today, publishers and the
 * dashboard feed next. `onEvent` must not block: an output that does I/O queues it and returns.
 */
export interface RunOutput {
  /** Short name for the result's `outputs` section and for error messages: `events-file`. */
  readonly name: string;
  /** Once, before the first event; a failure here is counted and the output still gets events. */
  start?(): void | Promise<void>;
  onEvent(event: RunEvent): void | Promise<void>;
  /** Once, after the last event, with the result (undefined when the run could not start). */
  stop?(result: RunResult | undefined): void | Promise<void>;
}

/** Longest a run waits for its outputs to finish at the end, ms: a stuck output never holds the exit. */
const OUTPUT_STOP_TIMEOUT_MS = 5_000;

/**
 * Stamps each event with its time and hands it to every output and listener. An output that throws
 * or rejects is counted, never propagated: outputs observe the run, they can neither stop nor slow it
 * (the load runs in engine threads; this runs on the main thread between snapshots).
 */
export class RunEventBus {
  private readonly health: OutputHealth[];
  private started = false;
  private stopped = false;

  constructor(
    private readonly outputs: readonly RunOutput[],
    private readonly listener?: (event: RunEvent) => void,
  ) {
    this.health = outputs.map((o) => ({ name: o.name, events: 0, failures: 0 }));
  }

  /** True when anything listens: callers skip building costly events (encoded histograms) otherwise. */
  get active(): boolean {
    return this.outputs.length > 0 || this.listener !== undefined;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await Promise.all(
      this.outputs.map(async (output, i) => {
        try {
          await output.start?.();
        } catch (error) {
          this.fail(i, error);
        }
      }),
    );
  }

  emit(input: RunEventInput): void {
    if (this.stopped || !this.active) return;
    const event = { timeMs: Date.now(), ...input } as RunEvent;
    try {
      this.listener?.(event);
    } catch {
      // A library caller's listener is theirs to debug; the run goes on.
    }
    for (let i = 0; i < this.outputs.length; i++) {
      this.health[i].events++;
      try {
        const pending = this.outputs[i].onEvent(event);
        if (pending !== undefined) pending.catch((error: unknown) => this.fail(i, error));
      } catch (error) {
        this.fail(i, error);
      }
    }
  }

  /** Stops every output, each bounded in time; returns how each fared. */
  async stop(result: RunResult | undefined): Promise<OutputHealth[]> {
    if (this.stopped) return this.report();
    this.stopped = true;
    await Promise.all(
      this.outputs.map(async (output, i) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            this.fail(
              i,
              new Error(`did not finish within ${OUTPUT_STOP_TIMEOUT_MS} ms at the end of the run`),
            );
            resolve();
          }, OUTPUT_STOP_TIMEOUT_MS);
          // Not unref'd: an output whose stop waits on an unref'd socket would otherwise let the
          // event loop drain and the process end mid-run, silently, with exit code 0.
        });
        try {
          await Promise.race([Promise.resolve(output.stop?.(result)), timeout]);
        } catch (error) {
          this.fail(i, error);
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return this.report();
  }

  report(): OutputHealth[] {
    return this.health.map((h) => ({ ...h }));
  }

  private fail(index: number, error: unknown): void {
    const h = this.health[index];
    h.failures++;
    h.lastError = (error instanceof Error ? error.message : String(error)).split("\n")[0];
  }
}

export type { OutputHealth };
