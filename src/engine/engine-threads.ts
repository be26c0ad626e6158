import { Worker } from "node:worker_threads";
import { addGc, type GcFigures } from "../measure/gc-counter.js";
import type { IntervalReport, SuccessTimeline } from "../measure/thread-recorder.js";
import { epochNowMs } from "./load-connection.js";
import type { FromWorker, PhasePlan, ReauthStats, ThreadPlan, ToWorker } from "./thread-plan.js";
import type { Topology } from "./topology.js";
import { sizeEngineYoungGeneration } from "./young-generation.js";

/** The end of one phase over all threads. */
export interface PhaseOutcome {
  /** Each thread's measurements since its last snapshot. */
  reports: IntervalReport[];
  /** Every connection was down for too long: the target went away. */
  targetLost: boolean;
  /** Each thread's successful replies over the phase (src/measure/availability.ts). */
  successTimelines: SuccessTimeline[];
  /** The worst event-loop delay among the threads, ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Every thread's garbage collections during the phase, together. */
  gc: GcFigures;
  /**
   * Set when the phase ended because the engine failed: a thread crashed (its last interval is
   * lost), or a thread did not drain within the grace after `stop()`. The run then ends as failed.
   */
  failure?: string;
}

/**
 * How long a stopped phase may take to drain before the threads are given up on, ms: at least
 * this, and always a second more than the per-operation timeout, after which every reply still
 * awaited counts as a timeout and the phase ends by itself.
 */
const STOP_GRACE_MS = 5000;

export class EngineStartError extends Error {
  readonly code = "E_TARGET_UNREACHABLE";
}

/** A control the running load cannot take: a rate change on a closed-loop run, a rate that is not one. */
export class RunControlError extends Error {
  readonly code = "E_RUN_CONTROL";
}

/**
 * The main thread's handle on the engine threads. The engine always runs in worker threads (one
 * or more), so the main thread stays free for progress, probes and signals and never delays a send.
 */
export class EngineThreads {
  private snapshotId = 0;
  private readonly pendingSnapshots = new Map<
    number,
    { reports: IntervalReport[]; resolve: (r: IntervalReport[]) => void }
  >();
  private phaseWaiter: { outcomes: FromWorker[]; resolve: (o: PhaseOutcome) => void } | undefined;
  /** Called when a thread saw a MOVED: the slot map should be read again. */
  onTopologyStale: (() => void) | undefined;
  private readonly pendingReauthStats = new Map<
    number,
    { stats: ReauthStats[]; resolve: (s: ReauthStats) => void }
  >();

  /** Why the engine is no longer usable (a thread crashed or hung); undefined while it is healthy. */
  private failed: string | undefined;
  private closing = false;
  private readonly exited = new Set<Worker>();
  /** Threads that crashed: the phase waits only for the others. */
  private readonly dead = new Set<Worker>();
  private stopTimer: NodeJS.Timeout | undefined;
  /** Since when the load is paused, epoch ms; undefined while it runs. */
  private pausedSinceMs: number | undefined;
  /**
   * Whether the phases after prefill run open loop (they all share one mode); undefined until
   * the first of them starts. Prefill always runs closed loop, so it does not tell.
   */
  private openLoop: boolean | undefined;

  private constructor(
    private readonly workers: Worker[],
    private readonly stopGraceMs: number,
  ) {
    for (const [index, worker] of workers.entries()) {
      worker.on("message", (m: FromWorker) => this.onMessage(m, index));
      // A thread that throws, or exits while the run still needs it, would otherwise leave every
      // pending phase and snapshot waiting for an answer that never comes.
      worker.on("error", (error) => this.fail(`engine thread ${index} crashed: ${error.message}`, worker));
      worker.on("exit", (code) => {
        this.exited.add(worker);
        if (!this.closing) this.fail(`engine thread ${index} exited unexpectedly (code ${code})`, worker);
      });
    }
  }

  /** Why the engine failed, or undefined. */
  get failure(): string | undefined {
    return this.failed;
  }

  /** Starts one worker per plan and waits until every connection is up. */
  static async start(plans: ThreadPlan[]): Promise<EngineThreads> {
    const url = new URL("./worker.js", import.meta.url);
    sizeEngineYoungGeneration();
    const workers = plans.map((plan) => new Worker(url, { workerData: plan }));
    const ready = workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const onMessage = (m: FromWorker) => {
            if (m.type === "ready") resolve();
            else if (m.type === "connect-failed") reject(new EngineStartError(m.cause));
            else return;
            worker.off("message", onMessage);
          };
          worker.on("message", onMessage);
          worker.once("error", reject);
        }),
    );
    try {
      await Promise.all(ready);
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    return new EngineThreads(workers, Math.max(STOP_GRACE_MS, ...plans.map((p) => p.timeoutMs + 1000)));
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Runs a phase on every thread (one plan per thread) and resolves when all have drained. */
  runPhase(plans: PhasePlan[]): Promise<PhaseOutcome> {
    if (plans[0] !== undefined && plans[0].name !== "prefill") this.openLoop = plans[0].stages !== undefined;
    return new Promise((resolve) => {
      this.phaseWaiter = { outcomes: [], resolve };
      if (this.failed !== undefined) return this.settlePhase();
      for (const [i, worker] of this.workers.entries()) this.post(worker, { type: "phase", phase: plans[i] });
    });
  }

  /** What every thread measured since the last snapshot. */
  snapshot(): Promise<IntervalReport[]> {
    const id = ++this.snapshotId;
    return new Promise((resolve) => {
      if (this.failed !== undefined) return resolve([]);
      this.pendingSnapshots.set(id, { reports: [], resolve });
      for (const worker of this.workers) this.post(worker, { type: "snapshot", id });
    });
  }

  /** The primary moved: every thread reconnects to it. */
  retarget(host: string, port: number): void {
    for (const worker of this.workers) this.post(worker, { type: "retarget", host, port });
  }

  /** Hands a new slot map (migration, failover) to every thread. */
  setTopology(topology: Topology): void {
    for (const worker of this.workers) this.post(worker, { type: "topology", topology });
  }

  /** Stops issuing new operations in the current phase; the phase then drains and ends. */
  stop(): void {
    for (const worker of this.workers) this.post(worker, { type: "stop" });
    // A thread stuck in a loop never answers: past the grace the phase ends with what arrived.
    if (this.phaseWaiter !== undefined && this.stopTimer === undefined) {
      this.stopTimer = setTimeout(() => {
        this.stopTimer = undefined;
        if (this.phaseWaiter === undefined) return;
        const hung = `an engine thread did not stop within ${this.stopGraceMs / 1000} s of being asked to`;
        if (this.failed === undefined) this.fail(hung);
        else this.settlePhase();
      }, this.stopGraceMs);
      this.stopTimer.unref();
    }
  }

  /** True between pause() and resume(). */
  get paused(): boolean {
    return this.pausedSinceMs !== undefined;
  }

  /**
   * Holds every new send on every thread until resume(): connections stay open, replies in flight
   * are read and recorded. Returns false when the load was already paused. Docs: docs/engine.md.
   */
  pause(): boolean {
    if (this.pausedSinceMs !== undefined) return false;
    const atEpochMs = epochNowMs();
    this.pausedSinceMs = atEpochMs;
    for (const worker of this.workers) this.post(worker, { type: "pause", atEpochMs });
    return true;
  }

  /**
   * Sends again; open-loop intended starts and the phase's end move later by the pause's length.
   * Returns how long the load was paused, ms (0 when it was not paused).
   */
  resume(): number {
    const since = this.pausedSinceMs;
    if (since === undefined) return 0;
    this.pausedSinceMs = undefined;
    const atEpochMs = Math.max(epochNowMs(), since);
    for (const worker of this.workers) this.post(worker, { type: "resume", atEpochMs });
    return atEpochMs - since;
  }

  /**
   * Open loop: from now on, one constant rate (ops/s over all threads) for the rest of the phase;
   * during a pause it starts at resume. Throws RunControlError on a closed-loop run or a rate that
   * is not a positive finite number.
   */
  setRate(opsPerSecond: number): void {
    if (this.openLoop === false)
      throw new RunControlError(
        "setRate: this run is closed loop (no --rate or stages), so it has no rate to change; start it with --rate to steer its rate",
      );
    if (typeof opsPerSecond !== "number" || !Number.isFinite(opsPerSecond) || opsPerSecond <= 0)
      throw new RunControlError(`setRate: ${opsPerSecond} is not a rate; give a positive number of ops/s`);
    const atEpochMs = epochNowMs();
    for (const worker of this.workers) this.post(worker, { type: "rate", opsPerSecond, atEpochMs });
  }

  /** Hands refreshed credentials to every thread; each re-AUTHs its live connections in-band. */
  updateCredentials(username: string | undefined, password: string): void {
    for (const worker of this.workers) this.post(worker, { type: "credentials", username, password });
  }

  /** Re-AUTHs answered so far, over every thread. */
  reauthStats(): Promise<ReauthStats> {
    const id = ++this.snapshotId;
    return new Promise((resolve) => {
      if (this.failed !== undefined) return resolve({ ok: 0, failed: 0, lastFailure: "" });
      this.pendingReauthStats.set(id, { stats: [], resolve });
      for (const worker of this.workers) this.post(worker, { type: "reauth-stats", id });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.stopTimer);
    for (const worker of this.workers) this.post(worker, { type: "close" });
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (this.exited.has(w)) return resolve();
            const timer = setTimeout(() => w.terminate().then(() => resolve()), 2000);
            w.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
  }

  private post(worker: Worker, message: ToWorker): void {
    worker.postMessage(message);
  }

  /**
   * The engine can no longer run. A crashed thread's unreported interval is lost; the others are
   * stopped and their phase ends as usual (bounded by the stop grace), so what they measured is
   * kept. Pending snapshots are answered with what arrived and later calls answer at once; the
   * phase's outcome carries the reason.
   */
  private fail(reason: string, crashed?: Worker): void {
    if (this.closing) return;
    if (crashed !== undefined) this.dead.add(crashed);
    if (this.failed !== undefined) return;
    this.failed = reason;
    for (const [id, pending] of this.pendingSnapshots) {
      this.pendingSnapshots.delete(id);
      pending.resolve(pending.reports);
    }
    for (const [id, pending] of this.pendingReauthStats) {
      this.pendingReauthStats.delete(id);
      pending.resolve({ ok: 0, failed: 0, lastFailure: "" });
    }
    if (crashed === undefined) this.settlePhase();
    else if (this.phaseWaiter !== undefined) {
      if (this.phaseWaiter.outcomes.length >= this.liveThreads) this.settlePhase();
      else this.stop();
    }
  }

  private get liveThreads(): number {
    return this.workers.length - this.dead.size;
  }

  /** Resolves the current phase with every thread's phase-done so far. */
  private settlePhase(): void {
    const waiter = this.phaseWaiter;
    if (waiter === undefined) return;
    this.phaseWaiter = undefined;
    clearTimeout(this.stopTimer);
    this.stopTimer = undefined;
    const done = waiter.outcomes.filter((m) => m.type === "phase-done");
    const worst = (pick: (m: (typeof done)[number]) => number) => Math.max(0, ...done.map(pick));
    waiter.resolve({
      reports: done.map((m) => m.report),
      targetLost: done.length > 0 && done.every((m) => m.targetLost),
      successTimelines: done.map((m) => m.successTimeline),
      eventLoopDelayMs: {
        p50: worst((m) => m.eventLoopDelayMs.p50),
        p99: worst((m) => m.eventLoopDelayMs.p99),
        max: worst((m) => m.eventLoopDelayMs.max),
      },
      gc: addGc(done.map((m) => m.gc)),
      ...(this.failed !== undefined && { failure: this.failed }),
    });
  }

  private onMessage(message: FromWorker, index: number): void {
    if (message.type === "fatal") {
      this.fail(`engine thread ${index} failed: ${message.message}`);
    } else if (message.type === "topology-stale") {
      this.onTopologyStale?.();
    } else if (message.type === "snapshot") {
      const pending = this.pendingSnapshots.get(message.id);
      if (pending === undefined) return;
      pending.reports.push(message.report);
      if (pending.reports.length === this.workers.length) {
        this.pendingSnapshots.delete(message.id);
        pending.resolve(pending.reports);
      }
    } else if (message.type === "reauth-stats") {
      const pending = this.pendingReauthStats.get(message.id);
      if (pending === undefined) return;
      pending.stats.push(message.stats);
      if (pending.stats.length < this.workers.length) return;
      this.pendingReauthStats.delete(message.id);
      pending.resolve({
        ok: pending.stats.reduce((sum, s) => sum + s.ok, 0),
        failed: pending.stats.reduce((sum, s) => sum + s.failed, 0),
        lastFailure: pending.stats.find((s) => s.lastFailure !== "")?.lastFailure ?? "",
      });
    } else if (message.type === "phase-done") {
      const waiter = this.phaseWaiter;
      if (waiter === undefined) return;
      waiter.outcomes.push(message);
      if (waiter.outcomes.length < this.liveThreads) return;
      this.settlePhase();
    }
  }
}
