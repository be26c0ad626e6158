import type { RunConfig } from "../config/types.js";
import type { AdminClient } from "../core/admin-client.js";
import type { ManagedRedis } from "../core/managed-redis.js";
import type { EngineThreads } from "../engine/engine-threads.js";
import type { ConnectionTarget } from "../engine/load-connection.js";
import type { Topology } from "../engine/topology.js";
import type { ServerSample } from "../probes/types.js";
import type { RunResult, SeriesPoint } from "../result/result-types.js";
import type { RunEventInput } from "./run-events.js";
import type { PreparedTarget } from "./secure-target.js";
import type { NodeAdmins } from "./target-topology.js";

/** What a participant may use of the run once its target is reachable. */
export interface RunContext {
  /** The run as it will be carried out (after a scenario check adjusted it). */
  config: RunConfig;
  /** The server itself (never the fault proxy): for a participant's own clients. */
  server: ConnectionTarget;
  /** `host:port` of the server, for messages. */
  where: string;
  /** The URL as it may be shown (no password). */
  displayUrl: string;
  /** The server the tool started, when it did: restart and reconfigure are allowed only then. */
  managed: ManagedRedis | undefined;
  /**
   * The run's admin connection (node-redis): CONFIG, INFO, reads. It reconnects by itself; a
   * participant that moves the run to another server (a sentinel failover) replaces it in stopLoad.
   */
  admin: AdminClient;
  /** The target as prepared: its TLS files read, the auth method and the first token. */
  target: PreparedTarget;
  /** The primary came from a sentinel. */
  viaSentinel: boolean;
  /** A cluster's or a primary-with-replicas' layout, when the target has one. */
  topology: Topology | undefined;
  /** Admin connections to every node of that layout. */
  nodes: NodeAdmins | undefined;
  /** The newest server sample of the run's server watch, if any. */
  latestSample(): ServerSample | undefined;
  /** A plain-language line for the user (progress output and the `notice` event). */
  say(line: string): void;
  /** Adds an event to the run's stream (docs/events.md). */
  emit(event: RunEventInput): void;
  /** Aborted when the user stops the run. */
  signal?: AbortSignal;
}

/**
 * Anything that takes part in a run beside the load: a scenario check, the fault schedule, the
 * server/topology/sentinel watches, the token refresher, key isolation, zones and resource
 * watches. The orchestrator (run-scenario.ts) calls every participant's hooks in this order, each
 * one optional:
 *
 *   managedServerArgs → beforeLoad → onLoadStart → onMeasureStart → onInterval… → stopLoad
 *     → afterLoad → contribute → close
 *
 * beforeLoad runs before the server's command counts are read and afterLoad after, so commands a
 * participant sends there never disturb the count check; commands it sends while the load runs must
 * be counted by a scenario check's sentCommands(). A hook that throws in beforeLoad stops the run
 * (the target cannot be used); elsewhere its error becomes a warning in the result. close() must be
 * safe to call more than once and after a failure.
 */
export interface Participant {
  /** For warnings: `participant "zones" failed in afterLoad: …`. */
  readonly name: string;
  /** Extra redis-server arguments when the tool starts the server itself (maxmemory, appendonly...). */
  managedServerArgs?(): string[];
  /** The target is reachable; no load yet (set CONFIG, open connections, take a baseline). */
  beforeLoad?(run: RunContext): Promise<void>;
  /** The engine's threads are connected (prefill and warm-up may follow): act on the engine. */
  onLoadStart?(engine: EngineThreads): void;
  /** The measured part starts now (epoch ms); series times count from here. */
  onMeasureStart?(startEpochMs: number): void;
  /** Each measured interval (about once a second), with the server's newest sample. */
  onInterval?(point: SeriesPoint, server: ServerSample | undefined): void;
  /** The load has stopped: stop loops that ran beside it (before the server's counts are read). */
  stopLoad?(): Promise<void>;
  /** After the counts were read and before the run's keys are cleaned up. */
  afterLoad?(run: RunContext): Promise<void>;
  /** Commands it sent while the load ran, by upper-case name, so the count check still adds up. */
  sentCommands?(): Record<string, { sent: number; completed: number }>;
  /** Adds what it found to the result (sections, warnings); the verdict is judged after this. */
  contribute?(result: RunResult): void | Promise<void>;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}
