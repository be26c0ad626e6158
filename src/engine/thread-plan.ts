import type { CommandWeight, DatasetName, KeyPattern, Stage } from "../config/types.js";
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
}

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
  /** Prefill only: this thread writes keys [keyStart, keyStart + requests) with SET. */
  keyStart?: number;
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
  | { type: "fatal"; message: string }
  /** A MOVED reply showed the slot map is out of date: the main thread should read it again. */
  | { type: "topology-stale" };
