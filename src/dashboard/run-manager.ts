import { randomBytes } from "node:crypto";
import type { RunConfig } from "../config/types.js";
import { redactUrl } from "../core/redact.js";
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
  state: "running" | "stopping" | "ended" | "failed";
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

/**
 * The runs of one dashboard: starts them through the library API (the same code path as the CLI),
 * refuses a second run on a target that already has one, stops them (an emergency stop is the same
 * abort, logged apart), and fans every event out to the page's streams.
 */
export class RunManager {
  private readonly runs = new Map<
    string,
    { info: DashboardRun; handle: StartedRun; recent: LiveEvent[]; lock?: string; done: Promise<void> }
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
        if (r.lock === lock && (r.info.state === "running" || r.info.state === "stopping"))
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
    const entry = { info, handle, recent, lock, done: Promise.resolve() };
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
    if (run.info.state === "running") {
      run.info.state = "stopping";
      run.info.stopReason = reason;
      run.handle.stop();
      this.broadcast({ run: id, state: { ...run.info } });
    }
    return { ...run.info };
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
