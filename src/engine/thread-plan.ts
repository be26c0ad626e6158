import type { CommandWeight, KeyPattern, Stage } from "../config/types.js";
import type { ConnectionTarget } from "./load-connection.js";

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
  workload: WorkloadPlan;
  seed: number;
  /**
   * With `--shard i/N`: i. Mixed into the random stream so shards running the same seed do not all
   * pick the same keys at the same moments; the schedule (and a chaos profile) still uses `seed`.
   */
  shardIndex?: number;
}

/** Key numbers [first, first + count) out of the run's [0, keyMax). */
export interface KeyRange {
  first: number;
  count: number;
}

export interface WorkloadPlan {
  commands: CommandWeight[];
  keyPattern: KeyPattern;
  keyMax: number;
  prefix: string;
  dataSizeMin: number;
  dataSizeMax: number;
  ttlS?: number;
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
  | { type: "close" };

/** Worker → main thread. */
export type FromWorker =
  | { type: "ready" }
  | { type: "connect-failed"; cause: string }
  | { type: "snapshot"; id: number; report: import("../measure/thread-recorder.js").IntervalReport }
  | {
      type: "phase-done";
      name: PhasePlan["name"];
      report: import("../measure/thread-recorder.js").IntervalReport;
      targetLost: boolean;
      /** Event-loop delay during the phase, ms. */
      eventLoopDelayMs: { p50: number; p99: number; max: number };
    }
  | { type: "fatal"; message: string };
