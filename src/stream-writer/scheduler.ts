import { CronExpressionParser } from "cron-parser";

/**
 * When the writer runs: once (for cron and Kubernetes CronJobs), every fixed interval, or on a cron
 * expression (UTC). Runs happen one after another in one loop, so a run never overlaps the one
 * before it: a tick that falls while a run is still going is skipped and counted, not queued.
 */

export type Schedule =
  | { kind: "once" }
  | { kind: "every"; everyMs: number }
  | { kind: "cron"; expression: string };

/** A cron expression's problem in words, or undefined when it parses. */
export function cronProblem(expression: string): string | undefined {
  try {
    CronExpressionParser.parse(expression, { tz: "UTC" });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The first tick strictly after `afterMs`. `every` ticks count from `originMs` (the first run), so
 * a slow run shifts no later tick; `cron` ticks are the expression's.
 */
export function nextTickMs(schedule: Schedule, originMs: number, afterMs: number): number {
  switch (schedule.kind) {
    case "once":
      return Number.POSITIVE_INFINITY;
    case "every": {
      const ticks = Math.floor((afterMs - originMs) / schedule.everyMs) + 1;
      return originMs + Math.max(1, ticks) * schedule.everyMs;
    }
    case "cron":
      return CronExpressionParser.parse(schedule.expression, { currentDate: new Date(afterMs), tz: "UTC" })
        .next()
        .getTime();
  }
}

/** Ticks in (fromMs, toMs]: the ones a run that lasted from fromMs to toMs made the writer skip. */
export function ticksBetween(schedule: Schedule, originMs: number, fromMs: number, toMs: number): number {
  let count = 0;
  // Bounded: a run is far shorter than 10,000 ticks of any sensible schedule.
  for (let tick = nextTickMs(schedule, originMs, fromMs); tick <= toMs && count < 10_000; count++) {
    tick = nextTickMs(schedule, originMs, tick);
  }
  return count;
}

export interface ScheduleOptions {
  /** Stop after this many runs (tests, `--runs`); unbounded when undefined. */
  maxRuns?: number;
  signal?: AbortSignal;
  onSkipped?: (ticks: number) => void;
  now?: () => number;
}

/**
 * Calls `run` on the schedule until the signal stops it or `maxRuns` runs have happened. `every`
 * runs at once and then on its ticks; `cron` waits for its first tick.
 */
export async function runOnSchedule(
  schedule: Schedule,
  run: (runNumber: number) => Promise<void>,
  opts: ScheduleOptions = {},
): Promise<number> {
  const now = opts.now ?? Date.now;
  const originMs = now();
  let runs = 0;
  let dueMs = schedule.kind === "cron" ? nextTickMs(schedule, originMs, originMs) : originMs;
  while (opts.signal?.aborted !== true && (opts.maxRuns === undefined || runs < opts.maxRuns)) {
    // A timer may fire a millisecond early by the wall clock: wait out what is left (a few times at most).
    let stopped = false;
    for (let tries = 0; tries < 3 && dueMs - now() > 0 && !stopped; tries++)
      stopped = !(await sleep(dueMs - now(), opts.signal));
    if (stopped) break;
    const startMs = now();
    runs++;
    await run(runs);
    if (schedule.kind === "once") break;
    const endMs = now();
    const skipped = ticksBetween(schedule, originMs, dueMs, endMs);
    if (skipped > 0) opts.onSkipped?.(skipped);
    dueMs = nextTickMs(schedule, originMs, Math.max(endMs, startMs));
  }
  return runs;
}

/** Resolves true after `ms`, or false as soon as the signal aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
