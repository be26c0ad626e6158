/**
 * cachestress as a library: the CLI is a thin shell over these. A run is a RunConfig in and a
 * RunResult (plus the report files) out; `startRun` also streams the run's events as they happen.
 */

export { ConfigError } from "./config/errors.js";
export type { CommandWeight, KeyPattern, RunConfig, Stage } from "./config/types.js";
export { type ManagedRedis, startManagedRedis } from "./core/managed-redis.js";
export { RunControlError } from "./engine/engine-threads.js";
export { FaultProxy, type FaultReport, parseFaultSchedule } from "./faults/index.js";
export { decodeHistogram, encodeHistogram } from "./measure/histogram.js";
export { NdjsonOutput } from "./outputs/ndjson-output.js";
export { renderMarkdown } from "./reports/markdown.js";
export { renderSummary } from "./reports/summary-table.js";
export type {
  CountCheck,
  LatencySummaryMs,
  RunResult,
  SeriesPoint,
  ThresholdOutcome,
} from "./result/result-types.js";
export { resolveRunConfig } from "./run/resolve-config.js";
export type { RunControlState } from "./run/run-control.js";
export type { OutputHealth, RunOutput } from "./run/run-event-bus.js";
export { EVENTS_SCHEMA_VERSION, type RunEvent, type RunEventType } from "./run/run-events.js";
export { type RunHooks, type RunOutcome, runScenario } from "./run/run-scenario.js";
export { type StartedRun, type StartRunOptions, startRun } from "./run/start-run.js";
