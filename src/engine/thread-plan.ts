import type { CommandWeight, DatasetName, KeyPattern, KeyRange, Stage } from "../config/types.js";
import type { ConnectionTarget } from "./load-connection.js";
import type { Topology } from "./topology.js";

/**
 * What one engine thread is asked to do: computed by the main thread before the run, so a worker
 * never reads the config or decides anything on its own.
 */
export interface ThreadPlan {
  threadIndex: number;
  target: ConnectionTarget;
  /** Connections of this thread. */
  connections: number;
  /** Index of this thread's first connection among all connections of the run. */
  firstConnection: number;
  /** All connections of the run, over every thread (the open-loop rate is split by it). */
  totalConnections: number;
  /** Most operations in flight per connection. */
  pipeline: number;
  timeoutMs: number;
  /**
   * Cluster, or a standalone primary whose replicas serve reads: where each key goes. Undefined =
   * one standalone server at `target`, every operation on it.
   */
  topology?: Topology;
  /** `replicas`: reads (GET) go to a replica of the key's primary; writes always to the primary. */
  readFrom: "primary" | "replicas";
  workload: WorkloadPlan;
  seed: number;
  /**
   * With `--shard i/N`: i. Mixed into the random stream so shards running the same seed do not all
   * pick the same keys at the same moments; the schedule (and a chaos profile) still uses `seed`.
   */
  shardIndex?: number;
}

// Key ranges are the run's (shards divide them in config): defined with the config.
export type { KeyRange };

export interface WorkloadPlan {
  commands: CommandWeight[];
  keyPattern: KeyPattern;
  keyMax: number;
  prefix: string;
  dataSizeMin: number;
  dataSizeMax: number;
  /** SET values come from this dataset's pool, which each worker builds from `seed`. */
  dataset?: DatasetName;
  ttlS?: number;
  /** Lua sources by name, for {script:NAME} in command templates (loaded on the servers beforehand). */
  scripts?: Record<string, string>;
}

/** One phase (prefill, warmup, measure) for one thread. */
export interface PhasePlan {
  name: "prefill" | "warmup" | "measure";
  /** When the phase starts, epoch ms, the same for every thread. */
  startEpochMs: number;
  /** Stop issuing at this time, epoch ms; undefined = when the quota is used up. */
  endEpochMs?: number;
  /** Operations this thread may send; undefined = no limit (time decides). */
  requests?: number;
  /** Open loop: the load profile; undefined = closed loop. */
  stages?: Stage[];
  /** Prefill only: this thread writes keys [keyStart, keyStart + requests) of `keys` with SET. */
  keyStart?: number;
  /** The keys this phase draws from (a shard's own range); undefined = all of [0, keyMax). */
  keys?: KeyRange;
}

/** Main thread → worker. */
export type ToWorker =
  | { type: "phase"; phase: PhasePlan }
  | { type: "snapshot"; id: number }
  | { type: "stop" }
  /** The primary moved (sentinel failover): reconnect there. */
  | { type: "retarget"; host: string; port: number }
  /** The main thread read a new topology (slot migration, failover). */
  | { type: "topology"; topology: Topology }
  /** A refreshed token: re-AUTH every live connection, and use it for every new one. */
  | { type: "credentials"; username?: string; password: string }
  | { type: "reauth-stats"; id: number }
  /**
   * Pause, resume and rate change (docs/engine.md). Times are the main thread's, so every thread
   * moves its schedule by the same pause length and starts a new rate at the same moment.
   */
  | { type: "pause"; atEpochMs: number }
  | { type: "resume"; atEpochMs: number }
  /** Open loop: one constant rate over all connections of the run, from `atEpochMs` on. */
  | { type: "rate"; opsPerSecond: number; atEpochMs: number }
  | { type: "close" };

/** Re-AUTHs on live connections (token refresh), over one thread or all of them. */
export interface ReauthStats {
  ok: number;
  failed: number;
  /** The error kind of the last refusal (`WRONGPASS`), "" when none. */
  lastFailure: string;
}

/** Worker → main thread. */
export type FromWorker =
  | { type: "ready" }
  | { type: "connect-failed"; cause: string }
  | { type: "snapshot"; id: number; report: import("../measure/thread-recorder.js").IntervalReport }
  | {
      type: "phase-done";
      name: PhasePlan["name"];
      report: import("../measure/thread-recorder.js").IntervalReport;
      /** The phase's successful replies on this thread, for availability. */
      successTimeline: import("../measure/thread-recorder.js").SuccessTimeline;
      targetLost: boolean;
      /** Event-loop delay during the phase, ms. */
      eventLoopDelayMs: { p50: number; p99: number; max: number };
      /** This thread's garbage collections during the phase. */
      gc: import("../measure/gc-counter.js").GcFigures;
    }
  | { type: "fatal"; message: string }
  /** A MOVED reply showed the slot map is out of date: the main thread should read it again. */
  | { type: "topology-stale" }
  | { type: "reauth-stats"; id: number; stats: ReauthStats };
