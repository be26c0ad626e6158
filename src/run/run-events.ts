import type { AlertEvent } from "../alerts/rule-types.js";
import type { RunConfig } from "../config/types.js";
import type { FaultRecord } from "../faults/fault-runner.js";
import type { ServerSample } from "../probes/types.js";
import type { RunResult, SeriesPoint } from "../result/result-types.js";

/**
 * The run as a stream of events: what every output (progress line, report files, `--events`
 * NDJSON, publishers, the dashboard) attaches to. Events are plain JSON-serialisable objects, so
 * the same stream can go to a file, a socket or another thread. Documented in docs/events.md;
 * bump the version when a field changes meaning or goes away (adding a field does not).
 */
export const EVENTS_SCHEMA_VERSION = 1;
/** Additions that keep version 1 readable (1.1: paused, resumed, rate-changed). Docs: docs/events.md. */
export const EVENTS_SCHEMA_REVISION = "1.1";

export type RunPhase = "prefill" | "warmup" | "measure";

interface EventBase {
  /** When the event was emitted, epoch ms. */
  timeMs: number;
}

export interface RunStartedEvent extends EventBase {
  type: "run-started";
  schemaVersion: number;
  toolVersion: string;
  nodeVersion: string;
  scenario: string;
  env: string;
  /** The target with its secrets redacted. */
  target: string;
  serverVersion?: string;
  /** The resolved configuration, secrets redacted. */
  config: RunConfig;
}

export interface PhaseStartedEvent extends EventBase {
  type: "phase-started";
  phase: RunPhase;
  /** When the phase's first operation is scheduled, epoch ms. */
  startEpochMs: number;
  /** Planned length, ms; absent when a count ends the phase. */
  plannedMs?: number;
}

export interface PhaseEndedEvent extends EventBase {
  type: "phase-ended";
  phase: RunPhase;
  ops: number;
  durationMs: number;
  targetLost: boolean;
}

/** One command's figures over one interval. */
export interface IntervalCommand {
  name: string;
  ops: number;
  sent: number;
  errors: number;
  nils: number;
  /** HDR histogram (µs, compressed base64) of latency from the intended start. */
  latencyUs: string;
  /** HDR histogram (µs, compressed base64) of service time from the actual send. */
  serviceTimeUs: string;
}

export interface IntervalEvent extends EventBase {
  type: "interval";
  phase: RunPhase;
  /** Seconds since the phase started, at the end of this interval. */
  tS: number;
  /** Length of this interval, s. */
  spanS: number;
  /** The interval's headline figures, as in the result's `series`. */
  point: SeriesPoint;
  commands: IntervalCommand[];
  errorsByKind: Record<string, number>;
  /** Open loop: HDR histogram (µs) of how late each send started; "" when empty. */
  scheduleLagUs: string;
}

export interface ServerSampleEvent extends EventBase {
  type: "server-sample";
  /** `host:port` of the node sampled. */
  node: string;
  sample: ServerSample;
}

export interface AlertChangedEvent extends EventBase {
  type: "alert";
  alert: AlertEvent;
}

export interface FaultChangedEvent extends EventBase {
  type: "fault-started" | "fault-ended";
  fault: FaultRecord;
}

export interface NoticeEvent extends EventBase {
  type: "notice";
  message: string;
}

/** The load was paused: connections stay open, no new command is sent (docs/engine.md). */
export interface PausedEvent extends EventBase {
  type: "paused";
}

export interface ResumedEvent extends EventBase {
  type: "resumed";
  /** How long the load was paused, ms. */
  pausedMs: number;
}

/** Open loop: from now on one constant rate for the rest of the run. */
export interface RateChangedEvent extends EventBase {
  type: "rate-changed";
  /** The new rate over the whole run (this shard's share with --shard), ops/s. */
  opsPerSecond: number;
}

export interface RunEndedEvent extends EventBase {
  type: "run-ended";
  result: RunResult;
}

export type RunEvent =
  | RunStartedEvent
  | PhaseStartedEvent
  | PhaseEndedEvent
  | IntervalEvent
  | ServerSampleEvent
  | AlertChangedEvent
  | FaultChangedEvent
  | NoticeEvent
  | PausedEvent
  | ResumedEvent
  | RateChangedEvent
  | RunEndedEvent;

export type RunEventType = RunEvent["type"];

/** Distributes an event without its timestamp: the bus stamps it. */
export type RunEventInput = RunEvent extends infer E
  ? E extends RunEvent
    ? Omit<E, "timeMs">
    : never
  : never;
