import { commandLabels } from "../config/command-template.js";
import { measuredLengthMs, measuredStages } from "../config/measured-stages.js";
import type { RunConfig, Stage } from "../config/types.js";
import type { EngineThreads, PhaseOutcome } from "../engine/engine-threads.js";
import { epochNowMs } from "../engine/load-connection.js";
import type { KeyRange, PhasePlan } from "../engine/thread-plan.js";
import { intervalTargetRate } from "../measure/interval-target-rate.js";
import { PhaseTotals } from "../measure/phase-totals.js";
import type { SeriesPoint } from "../result/result-types.js";
import { rateAt } from "../workload/load-profile.js";
import { type MeasuredRun, seriesPoint } from "./build-result.js";
import { intervalEvent } from "./interval-event.js";
import type { RunEventBus } from "./run-event-bus.js";
import type { RunPhase } from "./run-events.js";
import type { RunHooks } from "./run-scenario.js";

/** Time between the main thread's snapshots, ms: the resolution of the per-second series. */
const INTERVAL_MS = 1000;
/** How long the tick at the planned end waits for the in-flight replies to drain, ms. */
const DRAIN_GRACE_MS = 250;
/** Threads get this long to receive a phase before it starts, so they all start together, ms. */
const PHASE_START_DELAY_MS = 30;

/** What the phases need of the hooks: the caller's, plus the run's event bus. */
type PhaseHooks = RunHooks & {
  bus?: RunEventBus;
  /** The target rate during the interval that ends at tS and lasted spanS, ops/s (open loop). */
  intervalRate?: (tS: number, spanS: number) => number | undefined;
};

/**
 * Prefill, warm-up and the measured part, one after the other on running engine threads; a stop
 * (the signal) or a lost target ends the sequence. What the measured part saw, for buildResult.
 */
export async function runPhases(
  config: RunConfig,
  engine: EngineThreads,
  hooks: PhaseHooks,
  keys: { prefillKeys: KeyRange; measureKeys?: KeyRange },
  measureHooks: { onMeasureStart(startEpochMs: number): void; onMeasuredPoint(point: SeriesPoint): void },
): Promise<MeasuredRun> {
  const stages = measuredStages(config);
  // Reports and thresholds know each entry by its label; the count check adds labels up per command.
  const names = commandLabels(config.commands);
  const threads = engine.threads;
  const share = (total: number, t: number) => Math.floor(total / threads) + (t < total % threads ? 1 : 0);
  const measured: MeasuredRun = {
    stages,
    commandNames: names,
    totals: new PhaseTotals(names),
    series: [],
    durationMs: 0,
    stopped: false,
    targetLost: false,
    eventLoopDelayMs: { p50: 0, p99: 0, max: 0 },
    phases: {},
  };
  const stopped = () => hooks.signal?.aborted === true;
  const onAbort = () => engine.stop();
  hooks.signal?.addEventListener("abort", onAbort);
  try {
    if (config.prefill && !stopped()) {
      const started = epochNowMs() + PHASE_START_DELAY_MS;
      let keyStart = 0;
      const plans = Array.from({ length: threads }, (_, t): PhasePlan => {
        const requests = share(keys.prefillKeys.count, t);
        const plan: PhasePlan = {
          name: "prefill",
          startEpochMs: started,
          requests,
          keyStart,
          keys: keys.prefillKeys,
        };
        keyStart += requests;
        return plan;
      });
      const totals = await runWithProgress(
        engine,
        plans,
        new PhaseTotals(["SET"]),
        "prefill",
        undefined,
        hooks,
      );
      measured.phases.prefill = {
        ops: totals.totals.totalOps,
        durationMs: totals.durationMs,
        totals: totals.totals,
      };
      measured.targetLost ||= totals.outcome.targetLost;
    }
    if (config.warmupMs > 0 && !stopped() && !measured.targetLost) {
      const started = epochNowMs() + PHASE_START_DELAY_MS;
      const warmupRate = stages !== undefined ? rateAt(stages, 0, config.seed) : undefined;
      const warmupStages: Stage[] | undefined =
        warmupRate !== undefined
          ? [{ kind: "constant", durationMs: config.warmupMs, rate: warmupRate }]
          : undefined;
      const plans = Array.from(
        { length: threads },
        (): PhasePlan => ({
          name: "warmup",
          startEpochMs: started,
          endEpochMs: started + config.warmupMs,
          stages: warmupStages,
          keys: keys.measureKeys,
        }),
      );
      const totals = await runWithProgress(
        engine,
        plans,
        new PhaseTotals(names),
        "warmup",
        config.warmupMs,
        hooks,
      );
      measured.phases.warmup = {
        ops: totals.totals.totalOps,
        durationMs: totals.durationMs,
        totals: totals.totals,
      };
      measured.targetLost ||= totals.outcome.targetLost;
    }
    if (!stopped() && !measured.targetLost) {
      const started = epochNowMs() + PHASE_START_DELAY_MS;
      measureHooks.onMeasureStart(started);
      measured.measureStartEpochMs = started;
      const durationMs = measuredLengthMs(config);
      const plans = Array.from(
        { length: threads },
        (_, t): PhasePlan => ({
          name: "measure",
          startEpochMs: started,
          endEpochMs: durationMs !== undefined ? started + durationMs : undefined,
          requests: config.requests !== undefined ? share(config.requests, t) : undefined,
          stages,
          keys: keys.measureKeys,
        }),
      );
      // The rate during the interval (not at its end), up to the planned end of the phase: the same
      // figure for the series and for the interval events.
      const intervalRate = (tS: number, spanS: number) =>
        stages !== undefined
          ? intervalTargetRate(stages, (tS - spanS) * 1000, tS * 1000, config.seed, durationMs)
          : undefined;
      const run = await runWithProgress(
        engine,
        plans,
        measured.totals,
        "measure",
        durationMs,
        { ...hooks, intervalRate },
        (interval, tS, spanS) => {
          const targetRate = intervalRate(tS, spanS);
          const point = seriesPoint(interval, tS, spanS, targetRate);
          measureHooks.onMeasuredPoint(point);
          measured.series.push(point);
          hooks.onMeasuredInterval?.(interval, tS, spanS);
        },
      );
      measured.durationMs = run.durationMs;
      measured.successTimelines = run.outcome.successTimelines;
      measured.targetLost ||= run.outcome.targetLost;
      measured.eventLoopDelayMs = run.outcome.eventLoopDelayMs;
      measured.engineGc = run.outcome.gc;
    }
  } finally {
    hooks.signal?.removeEventListener("abort", onAbort);
  }
  measured.stopped = stopped();
  return measured;
}

/**
 * Runs one phase, taking a snapshot of every thread once per interval (progress, and the series
 * for the measured phase), and adds everything into `totals`.
 */
async function runWithProgress(
  engine: EngineThreads,
  plans: PhasePlan[],
  totals: PhaseTotals,
  phase: RunPhase,
  plannedMs: number | undefined,
  hooks: PhaseHooks,
  onInterval?: (interval: PhaseTotals, tS: number, spanS: number) => void,
): Promise<{ totals: PhaseTotals; outcome: PhaseOutcome; durationMs: number }> {
  const startMs = plans[0].startEpochMs;
  const bus = hooks.bus;
  bus?.emit({ type: "phase-started", phase: phase, startEpochMs: startMs, plannedMs });
  let outcome: PhaseOutcome | undefined;
  const finished = engine.runPhase(plans).then((o) => {
    outcome = o;
  });
  const names = totals.commandNames;
  let previousTickMs = startMs;
  const takeInterval = (reports: PhaseOutcome["reports"], nowMs: number) => {
    const interval = new PhaseTotals(names);
    for (const r of reports) interval.add(r);
    totals.addTotals(interval);
    const elapsedMs = nowMs - startMs;
    const spanS = Math.max(0.001, (nowMs - previousTickMs) / 1000);
    previousTickMs = nowMs;
    if (bus?.active === true) {
      const tS = Math.round(elapsedMs) / 1000;
      const rate = hooks.intervalRate?.(tS, spanS);
      bus.emit(intervalEvent(phase, interval, tS, spanS, rate));
    }
    // An outage has its points too (no reply, connection errors): the series never stops early.
    // Only a last sliver of an interval with nothing in it is left out.
    if (interval.totalSent > 0 || interval.totalOps > 0 || interval.totalErrors > 0 || spanS >= 0.5)
      onInterval?.(interval, Math.round(elapsedMs) / 1000, spanS);
  };
  let nextTickMs = startMs + INTERVAL_MS;
  // A snapshot answered after a thread already sent its phase-done is empty for that thread (its
  // last report went with phase-done): such a snapshot joins the final interval, instead of being a
  // tick of its own that would leave the final interval a few ms long and its ops/s absurd.
  let lateReports: PhaseOutcome["reports"] = [];
  while (outcome === undefined) {
    const wait = Math.max(0, nextTickMs - epochNowMs());
    await Promise.race([finished, new Promise((r) => setTimeout(r, wait))]);
    if (outcome !== undefined) break;
    // The tick at the planned end comes while the last replies drain (a few ms): give the phase a
    // moment to finish, so the drain joins the final interval rather than being a point of its own.
    if (plannedMs !== undefined && nextTickMs >= startMs + plannedMs) {
      await Promise.race([finished, new Promise((r) => setTimeout(r, DRAIN_GRACE_MS))]);
      if (outcome !== undefined) break;
    }
    const reports = await engine.snapshot();
    if (outcome !== undefined) {
      lateReports = reports;
      break;
    }
    takeInterval(reports, epochNowMs());
    nextTickMs += INTERVAL_MS;
  }
  const endMs = epochNowMs();
  const done = outcome as PhaseOutcome;
  // A failed engine ends the run as a lost target would: no further phase (src/run/engine-failure.ts).
  if (done.failure !== undefined) done.targetLost = true;
  takeInterval([...lateReports, ...done.reports], endMs);
  bus?.emit({
    type: "phase-ended",
    phase: phase,
    ops: totals.totalOps,
    durationMs: Math.max(0, endMs - startMs),
    targetLost: done.targetLost,
  });
  return { totals, outcome: done, durationMs: Math.max(0, endMs - startMs) };
}
