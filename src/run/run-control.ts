import { stagesOf } from "../config/measured-stages.js";
import type { RunConfig } from "../config/types.js";
import { type EngineThreads, RunControlError } from "../engine/engine-threads.js";
import { epochNowMs } from "../engine/load-connection.js";
import type { RunResult } from "../result/result-types.js";
import type { Participant, RunContext } from "./participant.js";
import type { RunEvent, RunEventInput } from "./run-events.js";

export type RunControlState = "starting" | "running" | "paused" | "ended";

/** A pause, epoch ms; `toEpochMs` undefined while it lasts. */
interface PauseSpan {
  fromEpochMs: number;
  toEpochMs: number | undefined;
}

/**
 * Pause, resume and rate change of a running load, for the library API (StartedRun) and the
 * dashboard. A participant of the run: the orchestrator hands it the engine when the threads are
 * connected (onLoadStart), and it adds the pauses and rate changes to the result (contribute).
 * Calls before the engine is up are remembered and carried out as soon as it is. Docs:
 * docs/engine.md, "Pause, resume and rate changes".
 */
export class RunControl implements Participant {
  readonly name = "run-control";
  private engine: EngineThreads | undefined;
  private ended = false;
  private openLoop: boolean;
  private emitEvent: ((event: RunEvent) => void) | undefined;
  private measureStartEpochMs: number | undefined;
  private readonly pauses: PauseSpan[] = [];
  private readonly rateChanges: { atEpochMs: number; opsPerSecond: number }[] = [];
  /** Asked for before the engine was up: carried out at attach. */
  private wantPaused = false;
  private wantRate: number | undefined;

  constructor(config: Pick<RunConfig, "rate" | "stages" | "durationMs">) {
    this.openLoop = isOpenLoop(config);
  }

  get state(): RunControlState {
    if (this.ended) return "ended";
    if (this.engine === undefined) return this.wantPaused ? "paused" : "starting";
    return this.engine.paused ? "paused" : "running";
  }

  /** Holds every new send; connections stay open and replies in flight are still recorded. */
  pause(): void {
    if (this.ended) return;
    if (this.engine === undefined) {
      this.wantPaused = true;
      return;
    }
    if (!this.engine.pause()) return;
    this.pauses.push({ fromEpochMs: epochNowMs(), toEpochMs: undefined });
    this.emit({ type: "paused" });
  }

  /** Sends again; an open loop's schedule and the phase's end move later by the pause. */
  resume(): void {
    if (this.ended) return;
    if (this.engine === undefined) {
      this.wantPaused = false;
      return;
    }
    const pausedMs = this.engine.resume();
    const open = this.pauses.at(-1);
    if (open === undefined || open.toEpochMs !== undefined) return;
    open.toEpochMs = open.fromEpochMs + pausedMs;
    this.emit({ type: "resumed", pausedMs: Math.round(pausedMs) });
  }

  /**
   * Open loop: one constant rate (ops/s) from now on. Throws RunControlError on a closed-loop run
   * or when the rate is not a positive number.
   */
  setRate(opsPerSecond: number): void {
    if (!this.openLoop)
      throw new RunControlError(
        "setRate: this run is closed loop (no --rate or stages), so it has no rate to change; start it with --rate to steer its rate",
      );
    if (typeof opsPerSecond !== "number" || !Number.isFinite(opsPerSecond) || opsPerSecond <= 0)
      throw new RunControlError(`setRate: ${opsPerSecond} is not a rate; give a positive number of ops/s`);
    if (this.ended) return;
    if (this.engine === undefined) {
      this.wantRate = opsPerSecond;
      return;
    }
    this.engine.setRate(opsPerSecond);
    this.rateChanges.push({ atEpochMs: epochNowMs(), opsPerSecond });
    this.emit({ type: "rate-changed", opsPerSecond });
  }

  /** The engine is up: what was asked for before now is carried out. */
  attach(engine: EngineThreads): void {
    this.engine = engine;
    if (this.wantRate !== undefined) this.setRate(this.wantRate);
    if (this.wantPaused) this.pause();
    this.wantRate = undefined;
    this.wantPaused = false;
  }

  // Participant --------------------------------------------------------------------------------

  async beforeLoad(run: RunContext): Promise<void> {
    this.emitEvent = run.emit;
    this.openLoop = isOpenLoop(run.config);
  }

  onLoadStart(engine: EngineThreads): void {
    this.attach(engine);
  }

  onMeasureStart(startEpochMs: number): void {
    this.measureStartEpochMs = startEpochMs;
  }

  /** A run stopped while paused ends its last pause here. */
  async stopLoad(): Promise<void> {
    this.closeOpenPause();
    this.ended = true;
  }

  contribute(result: RunResult): void {
    this.closeOpenPause();
    this.ended = true;
    if (this.pauses.length === 0 && this.rateChanges.length === 0) return;
    const origin = this.measureStartEpochMs ?? Number.POSITIVE_INFINITY;
    const endMs = origin + result.durationMs;
    const toS = (epochMs: number) => Math.round(epochMs - origin) / 1000;
    // Only the part of each pause within the measured phase.
    const spans = this.pauses
      .map((p) => ({ from: Math.max(p.fromEpochMs, origin), to: Math.min(p.toEpochMs ?? endMs, endMs) }))
      .filter((p) => p.to > p.from);
    const pausedMs = spans.reduce((sum, p) => sum + (p.to - p.from), 0);
    result.control = {
      pausedMs: Math.round(pausedMs),
      pauses: spans.map((p) => ({ fromS: toS(p.from), toS: toS(p.to) })),
      rateChanges: this.rateChanges.map((r) => ({
        tS: Number.isFinite(origin) ? toS(r.atEpochMs) : 0,
        opsPerSecond: r.opsPerSecond,
      })),
    };
    let previousS = 0;
    for (const point of result.series) {
      const to = origin + point.tS * 1000;
      const from = origin + previousS * 1000;
      previousS = point.tS;
      let inside = 0;
      for (const p of spans) inside += Math.max(0, Math.min(to, p.to) - Math.max(from, p.from));
      if (inside > 0) point.pausedMs = Math.round(inside);
      const rate = rateDuring(this.rateChanges, from, to, point.targetRate);
      if (rate !== undefined) point.targetRate = round1(rate);
    }
    // Throughput over the time the load ran: a pause does not dilute ops/s.
    const runS = (result.durationMs - pausedMs) / 1000;
    if (pausedMs > 0 && runS > 0) {
      result.totals.opsPerSec = round1(result.totals.ops / runS);
      for (const c of Object.values(result.perCommand)) c.opsPerSec = round1(c.ops / runS);
    }
    if (result.openLoop !== undefined && this.rateChanges.length > 0)
      result.openLoop.targetRate = round1(meanTargetRate(result));
  }

  /** The bus stamps the time again; the stamp here only satisfies RunContext.emit's type. */
  private emit(event: RunEventInput): void {
    this.emitEvent?.({ ...event, timeMs: Date.now() } as RunEvent);
  }

  private closeOpenPause(): void {
    const open = this.pauses.at(-1);
    if (open !== undefined && open.toEpochMs === undefined) open.toEpochMs = epochNowMs();
  }
}

/** Open loop when the config has a rate profile: the one place a rate becomes stages says so. */
function isOpenLoop(config: Pick<RunConfig, "rate" | "stages" | "durationMs">): boolean {
  return stagesOf(config) !== undefined;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * The target rate over [from, to) once rate changes apply: each change holds until the next; the
 * part before the first change keeps the profile's figure. Undefined when no change touches it.
 */
function rateDuring(
  changes: readonly { atEpochMs: number; opsPerSecond: number }[],
  fromMs: number,
  toMs: number,
  plannedRate: number | undefined,
): number | undefined {
  if (changes.length === 0 || toMs <= fromMs || changes[0].atEpochMs >= toMs) return undefined;
  let weighted = 0;
  let cursor = fromMs;
  let rate = plannedRate ?? 0;
  for (const change of changes) {
    if (change.atEpochMs > cursor) {
      const until = Math.min(change.atEpochMs, toMs);
      weighted += rate * (until - cursor);
      cursor = until;
    }
    rate = change.opsPerSecond;
    if (cursor >= toMs) break;
  }
  weighted += rate * Math.max(0, toMs - cursor);
  return weighted / (toMs - fromMs);
}

/** The mean target rate over the series, weighted by each interval's unpaused time. */
function meanTargetRate(result: RunResult): number {
  let ops = 0;
  let ms = 0;
  let previousS = 0;
  for (const point of result.series) {
    const span = (point.tS - previousS) * 1000 - (point.pausedMs ?? 0);
    previousS = point.tS;
    if (span <= 0 || point.targetRate === undefined) continue;
    ops += point.targetRate * span;
    ms += span;
  }
  return ms > 0 ? ops / ms : (result.openLoop?.targetRate ?? 0);
}
