import { Worker } from "node:worker_threads";
import type { IntervalReport } from "../measure/thread-recorder.js";
import type { FromWorker, PhasePlan, ReauthStats, ThreadPlan, ToWorker } from "./thread-plan.js";
import type { Topology } from "./topology.js";
import { sizeEngineYoungGeneration } from "./young-generation.js";

/** The end of one phase over all threads. */
export interface PhaseOutcome {
  /** Each thread's measurements since its last snapshot. */
  reports: IntervalReport[];
  /** Every connection was down for too long: the target went away. */
  targetLost: boolean;
  /** The worst event-loop delay among the threads, ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export class EngineStartError extends Error {
  readonly code = "E_TARGET_UNREACHABLE";
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

  private constructor(private readonly workers: Worker[]) {
    for (const worker of workers) worker.on("message", (m: FromWorker) => this.onMessage(m));
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
    return new EngineThreads(workers);
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Runs a phase on every thread (one plan per thread) and resolves when all have drained. */
  runPhase(plans: PhasePlan[]): Promise<PhaseOutcome> {
    return new Promise((resolve) => {
      this.phaseWaiter = { outcomes: [], resolve };
      for (const [i, worker] of this.workers.entries()) this.post(worker, { type: "phase", phase: plans[i] });
    });
  }

  /** What every thread measured since the last snapshot. */
  snapshot(): Promise<IntervalReport[]> {
    const id = ++this.snapshotId;
    return new Promise((resolve) => {
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
  }

  /** Hands refreshed credentials to every thread; each re-AUTHs its live connections in-band. */
  updateCredentials(username: string | undefined, password: string): void {
    for (const worker of this.workers) this.post(worker, { type: "credentials", username, password });
  }

  /** Re-AUTHs answered so far, over every thread. */
  reauthStats(): Promise<ReauthStats> {
    const id = ++this.snapshotId;
    return new Promise((resolve) => {
      this.pendingReauthStats.set(id, { stats: [], resolve });
      for (const worker of this.workers) this.post(worker, { type: "reauth-stats", id });
    });
  }

  async close(): Promise<void> {
    for (const worker of this.workers) this.post(worker, { type: "close" });
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
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

  private onMessage(message: FromWorker): void {
    if (message.type === "topology-stale") {
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
      if (waiter.outcomes.length < this.workers.length) return;
      this.phaseWaiter = undefined;
      const done = waiter.outcomes.filter((m) => m.type === "phase-done");
      waiter.resolve({
        reports: done.map((m) => m.report),
        targetLost: done.every((m) => m.targetLost),
        eventLoopDelayMs: {
          p50: Math.max(...done.map((m) => m.eventLoopDelayMs.p50)),
          p99: Math.max(...done.map((m) => m.eventLoopDelayMs.p99)),
          max: Math.max(...done.map((m) => m.eventLoopDelayMs.max)),
        },
      });
    }
  }
}
