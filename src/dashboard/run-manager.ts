import { randomBytes } from "node:crypto";
import type { RunConfig } from "../config/types.js";
import { redactUrl } from "../core/redact.js";
import type { FaultRecord } from "../faults/fault-runner.js";
import { type FaultEntry, type FaultMenuItem, faultMenu } from "../run/fault-inject.js";
import { FaultUnavailableError, RunFaults } from "../run/run-faults.js";
import type { RunOutcome } from "../run/run-scenario.js";
import { type StartedRun, startRun } from "../run/start-run.js";
import { type LiveEvent, liveEvent, type RunSummary } from "./live-event.js";

/** A run the dashboard started: its state, the recent live events for late viewers, the outcome. */
export interface DashboardRun {
  id: string;
  scenario: string;
  /** The target with secrets redacted; "a throwaway local redis-server" without a URL. */
  target: string;
  startedBy: string;
  startedAt: string;
  state: "running" | "paused" | "stopping" | "ended" | "failed";
  /** Open loop: the rate last set from the dashboard, ops/s. */
  rate?: number;
  stopReason?: "stop" | "emergency-stop";
  summary?: RunSummary;
  reportPath?: string;
  error?: string;
}

/** How many live events a run keeps for a viewer who opens the page mid-run: 10 minutes of intervals and samples. */
const REPLAY_EVENTS = 1500;
/** Ended runs listed beside the live ones, newest first. */
const KEEP_ENDED = 20;

export type RunMessage = { run: string; event: LiveEvent } | { run: string; state: DashboardRun };

export class RunConflictError extends Error {
  readonly code = "E_RUN_CONFLICT";
}

/** Pause, resume or a rate change that this run cannot take (it is not running, closed loop...). */
export class SteerError extends Error {
  readonly code = "E_RUN_STEER";
}

/** What a started run offers to steer it (src/run/start-run.ts); absent where the engine cannot. */
interface Steerable {
  pause?(): void;
  resume?(): void;
  setRate?(opsPerSecond: number): void;
}

/**
 * The runs of one dashboard: starts them through the library API (the same code path as the CLI),
 * refuses a second run on a target that already has one, stops them (an emergency stop is the same
 * abort, logged apart), and fans every event out to the page's streams.
 */
export class RunManager {
  private readonly runs = new Map<
    string,
    {
      info: DashboardRun;
      config: RunConfig;
      handle: StartedRun;
      recent: LiveEvent[];
      lock?: string;
      done: Promise<void>;
    }
  >();
  private readonly listeners = new Set<(message: RunMessage) => void>();

  list(): DashboardRun[] {
    return [...this.runs.values()].map((r) => ({ ...r.info })).reverse();
  }

  get(id: string): DashboardRun | undefined {
    const run = this.runs.get(id);
    return run === undefined ? undefined : { ...run.info };
  }

  /** The events kept for replay, oldest first. */
  recent(id: string): LiveEvent[] {
    return [...(this.runs.get(id)?.recent ?? [])];
  }

  subscribe(listener: (message: RunMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts a run; throws RunConflictError when its target is busy and `concurrent` was not asked for. */
  start(config: RunConfig, startedBy: string, concurrent = false): DashboardRun {
    const lock = config.url !== undefined ? targetKey(config.url) : undefined;
    if (lock !== undefined && !concurrent) {
      for (const r of this.runs.values())
        if (
          r.lock === lock &&
          (r.info.state === "running" || r.info.state === "paused" || r.info.state === "stopping")
        )
          throw new RunConflictError(
            `run ${r.info.id} is already loading ${redactUrl(config.url!)}; stop it first, or ask for a concurrent run`,
          );
    }
    const id = randomBytes(4).toString("hex");
    const info: DashboardRun = {
      id,
      scenario: config.scenario,
      target: config.url !== undefined ? redactUrl(config.url) : "a throwaway local redis-server",
      startedBy,
      startedAt: new Date().toISOString(),
      state: "running",
    };
    const recent: LiveEvent[] = [];
    const handle = startRun(config, { onNotice: () => {} });
    const entry = { info, config, handle, recent, lock, done: Promise.resolve() };
    this.runs.set(id, entry);
    entry.done = this.follow(id, handle, recent, info);
    this.trim();
    this.broadcast({ run: id, state: { ...info } });
    return { ...info };
  }

  /** Stops the load; the run still cleans up its keys and writes its report. */
  stop(id: string, reason: "stop" | "emergency-stop"): DashboardRun | undefined {
    const run = this.runs.get(id);
    if (run === undefined) return undefined;
    if (run.info.state === "running" || run.info.state === "paused") {
      run.info.state = "stopping";
      run.info.stopReason = reason;
      run.handle.stop();
      this.broadcast({ run: id, state: { ...run.info } });
    }
    return { ...run.info };
  }

  /**
   * Pauses, resumes or sets the rate of a live run. Undefined: no such run. Throws SteerError when
   * the run cannot (it has ended, or the engine does not offer it), with the reason.
   */
  steer(id: string, action: "pause" | "resume" | "rate", opsPerSecond?: number): DashboardRun | undefined {
    const run = this.runs.get(id);
    if (run === undefined) return undefined;
    const { state } = run.info;
    if (state !== "running" && state !== "paused")
      throw new SteerError(
        `run ${id} is ${state}: only a running or paused run can be paused, resumed or given a rate`,
      );
    const handle = run.handle as StartedRun & Steerable;
    const method = action === "pause" ? handle.pause : action === "resume" ? handle.resume : handle.setRate;
    if (typeof method !== "function")
      throw new SteerError(
        `this run cannot ${action === "rate" ? "change its rate" : action}: the engine of this version does not support it`,
      );
    try {
      method.call(handle, opsPerSecond as number);
    } catch (error) {
      // The engine's own refusal (a closed-loop run has no rate to change) is the reason to give.
      throw new SteerError((error instanceof Error ? error.message : String(error)).split("\n")[0]);
    }
    if (action === "pause") run.info.state = "paused";
    else if (action === "resume") run.info.state = "running";
    else run.info.rate = opsPerSecond;
    this.broadcast({ run: id, state: { ...run.info } });
    return { ...run.info };
  }

  /** The faults this run can carry out now, with their forms, and the scenario's own as presets. */
  faultMenu(id: string): { kinds: FaultMenuItem[]; presets: unknown[] } | undefined {
    const run = this.runs.get(id);
    if (run === undefined) return undefined;
    const presets = Array.isArray(run.config.faults) ? run.config.faults : [];
    return { kinds: faultMenu(run.config), presets };
  }

  /**
   * Starts a fault on a running run now. Undefined: no such run. Throws ConfigError (a bad fault,
   * every problem) or FaultUnavailableError (the run is not in its measured part).
   */
  injectFault(id: string, entry: FaultEntry): FaultRecord | undefined {
    const run = this.runs.get(id);
    if (run === undefined) return undefined;
    const faults = run.info.state === "running" ? RunFaults.running(run.config.prefix) : undefined;
    if (faults === undefined)
      throw new FaultUnavailableError(
        `run ${id} is ${run.info.state === "running" ? "not loading yet" : run.info.state}: faults go only into a running run's measured part`,
      );
    return { ...faults.inject(entry) };
  }

  /** Resolves when the run has ended (report written, keys cleaned up). */
  async finished(id: string): Promise<DashboardRun | undefined> {
    await this.runs.get(id)?.done;
    return this.get(id);
  }

  /** Stops every live run and waits for them: the dashboard is shutting down. */
  async stopAll(): Promise<void> {
    for (const id of this.runs.keys()) this.stop(id, "stop");
    await Promise.all([...this.runs.values()].map((r) => r.done));
  }

  private async follow(
    id: string,
    handle: StartedRun,
    recent: LiveEvent[],
    info: DashboardRun,
  ): Promise<void> {
    const consume = (async () => {
      for await (const event of handle.events) {
        const live = liveEvent(event);
        if (live === undefined) continue;
        recent.push(live);
        if (recent.length > REPLAY_EVENTS) recent.splice(0, recent.length - REPLAY_EVENTS);
        this.broadcast({ run: id, event: live });
        // The run's own word on pause and resume, whoever asked (a library caller, a second page).
        const paused =
          live.type === "control" && live.action !== "rate-changed" ? live.action === "paused" : undefined;
        if (paused !== undefined && (info.state === "running" || info.state === "paused")) {
          info.state = paused ? "paused" : "running";
          this.broadcast({ run: id, state: { ...info } });
        }
      }
    })();
    let outcome: RunOutcome | undefined;
    try {
      outcome = await handle.result;
      info.state = "ended";
      info.summary = liveSummary(recent);
      info.reportPath = outcome.jsonPath;
    } catch (error) {
      info.state = "failed";
      info.error = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    }
    await consume.catch(() => {});
    this.broadcast({ run: id, state: { ...info } });
  }

  private broadcast(message: RunMessage): void {
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch {
        // A broken socket is the stream's to close; the run goes on.
      }
    }
  }

  private trim(): void {
    const ended = [...this.runs.values()].filter(
      (r) => r.info.state === "ended" || r.info.state === "failed",
    );
    for (const r of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) this.runs.delete(r.info.id);
  }
}

function liveSummary(recent: LiveEvent[]): RunSummary | undefined {
  for (let i = recent.length - 1; i >= 0; i--) {
    const e = recent[i];
    if (e.type === "run-ended") return e.summary;
  }
  return undefined;
}

/** Runs on the same host:port (any user, any database) share a target. */
function targetKey(url: string): string {
  const match = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?#]+)/i.exec(url);
  return (match?.[1] ?? url).toLowerCase();
}
