import type { AlertsOutcome } from "../alerts/alerts-outcome.js";
import type { AuditReport } from "../checks/config-audit.js";
import type { RunConfig } from "../config/types.js";
import type { FaultReport } from "../faults/fault-report.js";
import type { HitGroups } from "../measure/hit-groups.js";
import type { LatencySummaryMs } from "../measure/phase-totals.js";
import type { ServerSummary } from "../probes/sample-series.js";
import type { ServerSample } from "../probes/types.js";
import type { AzureCostEstimate } from "./azure-cost.js";
import type { CheckReport } from "./check-report.js";
import type { ChecklistTick } from "./checklist.js";
import type { CostBudget } from "./cost-budget.js";
import type { CostEstimate } from "./cost-estimate.js";
import type { Recommendation } from "./recommendations.js";
import type { ResourceReport } from "./resource-types.js";
import type { ZoneVerdict } from "./zones.js";

export type { LatencySummaryMs };

/** How an output fared over the run: kept in the result so a broken publisher is not silent. */
export interface OutputHealth {
  name: string;
  events: number;
  failures: number;
  /** The first line of the last failure. */
  lastError?: string;
}

/**
 * The result file (`Reports/result_{env}_{timestamp}.json`). Scripts read `totals.*` and
 * `latency.*` at these paths, so renaming a field is a schema change: bump RESULT_SCHEMA_VERSION and
 * document it in docs/result-schema.md.
 */
export const RESULT_SCHEMA_VERSION = 1;

export interface CommandResult {
  ops: number;
  opsPerSec: number;
  errors: number;
  /** Closed loop: from send to reply. Open loop: from the intended start time to reply. */
  latency: LatencySummaryMs;
  /** Open loop only: from the actual send to reply. */
  serviceTime?: LatencySummaryMs;
}

/** One point of the per-second series. */
export interface SeriesPoint {
  /** Seconds since the measured part started (end of this interval). */
  tS: number;
  ops: number;
  opsPerSec: number;
  errors: number;
  timeouts: number;
  /** Open loop: the rate the profile asked for at this point, ops/s. */
  targetRate?: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Per command: ops and p99 in this interval (open loop: service time p99 too). */
  perCommand: Record<string, { ops: number; p50Ms: number; p99Ms: number; serviceP99Ms?: number }>;
  /** Error replies among `ops` (absent = 0), so successes = ops − errorReplies. */
  errorReplies?: number;
  /** `errors` by kind, as in totals.errorsByKind (absent = none). */
  errorsByKind?: Record<string, number>;
  /** Connections that came back in this interval (absent = 0). */
  reconnects?: number;
  /** Failed connect attempts and broken connections in this interval (absent = 0). */
  connectionErrors?: number;
  /** Connections up at the end of an interval with no reply or with connection errors. */
  connectionsUp?: number;
  /** Connection-pool view at the end of this interval (docs/connection-pool.md). */
  pool?: PoolPoint;
  /** Open loop: service time (from the actual send) p50 and p99 in this interval, ms. */
  serviceP50Ms?: number;
  serviceP99Ms?: number;
  /** The load was paused for this long within the interval, ms (absent = not paused). */
  pausedMs?: number;
}

/** Pauses and rate changes of a run steered while it ran (StartedRun.pause/resume/setRate). */
export interface RunControlRecord {
  /** Time the measured part spent paused, ms: `durationMs` includes it, the ops/s figures do not. */
  pausedMs: number;
  /** Each pause within the measured part, in seconds since it started (clipped to it). */
  pauses: { fromS: number; toS: number }[];
  /** Each rate change (open loop), seconds since the measured part started (negative = before it). */
  rateChanges: { tS: number; opsPerSecond: number }[];
}

/** The load's connections at the end of one interval, as a pool (docs/connection-pool.md). */
export interface PoolPoint {
  /** Connections connected. */
  open: number;
  /** Connections with a command sent and not yet answered. */
  inUse: number;
  /** Operations due but not sent for want of a free connection or pipeline slot (0 in the closed loop). */
  waiting: number;
  /** Connections that came back after breaking, per second over the interval. */
  reconnectsPerSec: number;
}

export interface ThresholdOutcome {
  expression: string;
  /** What the expression was compared against, in the expression's unit (ms, %, count, ops/s). */
  actual: number;
  ok: boolean;
}

export interface CountCheck {
  /** False when the server's INFO commandstats could not be read. */
  checked: boolean;
  ok: boolean;
  /** Per command: what the tool sent, what got a reply, what the server counted over the run. */
  byCommand: Record<string, { sent: number; completed: number; server: number }>;
  note: string;
}

/** With --shard: which share of the scenario this run was (docs/sharding.md). */
export interface ShardInfo {
  index: number;
  count: number;
  /** This shard's connections, out of config.connections. */
  connections: number;
  /** This shard's measured operations, out of config.requests. */
  requests?: number;
  /** Every rate of the scenario was multiplied by this (1/count). */
  rateFactor: number;
  /** The key numbers this shard prefilled: [first, first + count). */
  prefillKeys: { first: number; count: number };
  /** The keys the measured phase drew from; absent = the whole keyspace, shared with the other shards. */
  measureKeys?: { first: number; count: number };
  /** When the measured phase started, epoch ms; `cachestress merge` aligns the series by it. */
  measureStartEpochMs?: number;
  /** INFO commandstats before and after this shard, for the count check over all shards at merge. */
  serverCounts?: { before: Record<string, number>; after: Record<string, number> };
}

/** In a merged result: what each shard contributed. */
export interface ShardSummary {
  index: number;
  count: number;
  /** The file the shard's result was read from. */
  file: string;
  status: RunResult["status"];
  startedAt: string;
  endedAt: string;
  durationMs: number;
  connections: number;
  sent: number;
  ops: number;
  opsPerSec: number;
  errors: number;
  p99Ms: number;
}

export interface RunResult {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  tool: { name: "cachestress"; version: string };
  scenario: string;
  env: string;
  /** completed: ran to its end. stopped: Ctrl-C/SIGTERM, partial. failed: the target went away. */
  status: "completed" | "stopped" | "failed";
  stopReason?: string;
  startedAt: string;
  endedAt: string;
  /** Length of the measured part, ms (pauses included: see `control.pausedMs`). */
  durationMs: number;
  /** Present when the run was paused or its rate changed while it ran. */
  control?: RunControlRecord;
  mode: "closed-loop" | "open-loop";
  target: {
    /** The URL with any password replaced by `***`. */
    url: string;
    host: string;
    port: number;
    db: number;
    tls: boolean;
    topology: "standalone" | "cluster";
    /** True when cachestress started this redis-server itself. */
    managed: boolean;
    serverVersion?: string;
  };
  /** The configuration the run used, with secrets redacted. */
  config: RunConfig;
  totals: {
    /** Operations that got a reply (success or error reply) in the measured part. */
    ops: number;
    opsPerSec: number;
    /** Error replies + timeouts + operations lost to a broken connection. */
    errors: number;
    errorsByKind: Record<string, number>;
    timeouts: number;
    reconnects: number;
    /** Operations written to the socket in the measured part. */
    sent: number;
  };
  /** Overall latency (all commands), ms. Open loop: from the intended start time. */
  latency: LatencySummaryMs;
  /** Open loop only: overall time from the actual send, ms. */
  serviceTime?: LatencySummaryMs;
  perCommand: Record<string, CommandResult>;
  openLoop?: {
    /** Mean target rate over the measured part, ops/s. */
    targetRate: number;
    /** Operations sent 1 ms or more after their intended start time. */
    lateStarts: number;
    /** How far behind the schedule sends happened, ms. */
    scheduleLagMs: { p50: number; p99: number; max: number };
    /** Node event-loop delay during the run, ms: high values mean the tool itself was the bottleneck. */
    eventLoopDelayMs: { p50: number; p99: number; max: number };
  };
  /**
   * Garbage collections of the engine threads during the measured part (src/measure/gc-counter.ts):
   * the load path allocates nothing per operation, so young collections per million operations
   * stay low; a long pause here is time no send could leave and no reply was read.
   */
  engineGc?: {
    youngCollections: number;
    fullCollections: number;
    /** Longest single pause, ms. */
    maxPauseMs: number;
    /** All pauses together, ms. */
    totalPauseMs: number;
    /** Young collections per million operations sent. */
    youngPerMillionOps: number;
  };
  phases: {
    warmup?: { ops: number; durationMs: number };
    prefill?: { ops: number; durationMs: number };
  };
  series: SeriesPoint[];
  thresholds: ThresholdOutcome[];
  /** pass when every threshold holds (or there are none) and nothing in `verdictReasons` failed it. */
  verdict: "pass" | "fail";
  /** What failed the run whatever its thresholds: a lost target, no operation that succeeded. */
  verdictReasons?: string[];
  countCheck: CountCheck;
  /** HDR histograms (microseconds), compressed base64, so runs can be merged exactly later. */
  histograms: {
    latencyUs: Record<string, string>;
    serviceTimeUs?: Record<string, string>;
  };
  /** `note` says why keys were kept when it was not --keep-keys (a shard run leaves cleanup to merge). */
  cleanup: { prefix: string; keysDeleted: number; kept: boolean; error?: string; note?: string };
  warnings: string[];
  /** The server's side of the run, from INFO samples (absent when INFO could not be read). */
  server?: ServerSummary;
  /** A cluster: the server summary of every primary (`host:port`), the seed's included. */
  serverByNode?: Record<string, ServerSummary>;
  /** One server sample per probe interval (tS: seconds since the measured part started). */
  serverSeries?: ServerSample[];
  /** Stable / risk / failure per key metric; leads the report. */
  zones?: ZoneVerdict[];
  /** Open files, disk, persistence files, stream depth and the tool's own use (docs/zones.md). */
  resources?: ResourceReport;
  recommendations?: Recommendation[];
  /** A month of this load on ElastiCache Serverless, per engine in the price table. */
  costEstimate?: CostEstimate[];
  /** The run stopped itself: --max-cost or --max-ops was passed (src/run/budget-watch.ts). */
  stoppedBy?: {
    reason: "budget";
    limit: "max-cost" | "max-ops";
    /** The limit as set: USD for max-cost, operations for max-ops. */
    budget: number;
    /** When it was passed, s since the measured part started. */
    atS: number;
    /** What the measured part had spent then: operations, estimated USD (the dearest engine). */
    ops: number;
    costUsd: number;
    engine: string;
  };
  /** Azure Cache for Redis (--env azure, an Azure host or --azure-tier): per tier, the size that holds the data. */
  azureCostEstimate?: AzureCostEstimate[];
  /** --max-monthly-cost: the estimate judged against the budget (docs/cost.md). */
  costBudget?: CostBudget;
  /** Cluster or replicas: per node (`host:port`) figures of the measured part. */
  nodes?: Record<
    string,
    {
      role: "primary" | "replica" | "unknown";
      ops: number;
      opsPerSec: number;
      errors: number;
      errorsByKind: Record<string, number>;
      latency: LatencySummaryMs;
    }
  >;
  /** Cluster or replicas: redirections followed (MOVED, ASK, TRYAGAIN, CLUSTERDOWN) and slot map changes seen. */
  routing?: {
    kind: "cluster" | "standalone";
    redirects: Record<string, number>;
    topologyChanges: { tS: number; primaries: string[]; slotsMoved: number }[];
  };
  /** Sentinel targets: each switch of the primary seen during the run (tS: s since the measured part started). */
  failovers?: { tS: number; from: string; to: string }[];
  /**
   * The measured part without a successful reply (a failover, a fault, a server that died), s since
   * its start: the longest gap, the time unavailable in all and each outage (no thread got a
   * successful reply for `outageMinMs` or more). See docs/safety.md.
   */
  availability?: {
    longestGapMs: number;
    fromS: number;
    toS: number;
    unavailableMs?: number;
    /** 100 × (1 − unavailableMs / measured time). */
    availabilityPercent?: number;
    outages?: { fromS: number; toS: number; durationMs: number }[];
    outageMinMs?: number;
  };
  /** Live alert rules, their firing/resolved events and the notifications sent. */
  alerts?: AlertsOutcome;
  /** With --audit: the server's configuration judged for the use case. */
  audit?: AuditReport;
  /** The scenario's `faults:`: when each really happened, what it did and what the clients saw. */
  faults?: FaultReport[];
  /** The scenario's `check:` (integrity, memory-pressure, ...): what it verified and found. */
  check?: CheckReport;
  /** How the run authenticated, and the token refreshes it did; never a secret. */
  auth?: AuthOutcome;
  /** How the run was kept to its own keys (docs/safety.md, "Key isolation"). */
  keyIsolation?: KeyIsolationReport;
  /** With outputs attached (`--events`, publishers): how each fared; a failing output never fails the run. */
  outputs?: OutputHealth[];
  /** With --shard: which share of the scenario this run was. */
  shard?: ShardInfo;
  /** A result made by `cachestress merge`: one entry per shard, by index. */
  shards?: ShardSummary[];
  /** The scenario's deployment-validation checklist, ticked from this run (docs/checklist.md). */
  checklist?: ChecklistTick[];
  /** --warm-top: the popular keys written before the measured part (docs/warm-top.md). */
  warm?: WarmOutcome;
  /** Hit ratio of the read commands per key namespace and per popularity group (docs/hit-groups.md). */
  hitGroups?: HitGroups;
}

export interface AuthOutcome {
  /** password: AUTH pass; acl-user: AUTH user pass; token-command: the password is a refreshed token. */
  method: "password" | "acl-user" | "token-command";
  /** Tokens fetched again after the first and handed to every connection. */
  refreshes: number;
  /** Token fetches that failed; the previous token stayed in use. */
  refreshFailures: number;
  /** AUTHs sent in-band on live load connections with a refreshed token and accepted. */
  reauths: number;
  /** Such AUTHs the server refused (the connection kept its previous identity). */
  reauthFailures: number;
}

export interface KeyIsolationReport {
  /**
   * acl-user: the load ran as a temporary ACL user limited to the prefix, so the server enforced it;
   * checked: every template and script was proven to keep to the prefix before the load;
   * unchecked: --allow-unchecked-keys ran some that could not be proven (listed in `unchecked`).
   */
  enforcement: "acl-user" | "checked" | "unchecked";
  /** The temporary ACL user: its name (never its password), how many servers had it, whether it was deleted. */
  loadUser?: { name: string; nodes: number; removed: boolean };
  /** Why no ACL user was made, when none was. */
  noAclUser?: string;
  unchecked?: string[];
  /** Keys found under the prefix before the run (undefined: SCAN not allowed, or a shard of several). */
  prefixKeysBefore?: number;
  /** --reuse-prefix was given. */
  prefixReused: boolean;
  /** How the load user's permissions were checked before the load. */
  permissionCheck?: "acl-dryrun" | "multi" | "executed";
  /** Nodes that restarted during the run, forgot the temporary ACL user and were given it again. */
  loadUserRestored?: string[];
}

export interface WarmOutcome {
  /** Keys written. */
  keys: number;
  /** The key numbers written: [first, first + keys) (the top N by rank always form one range). */
  firstKey: number;
  /** The distribution the ranks came from. */
  keyPattern: RunConfig["keyPattern"];
  durationMs: number;
  /** Set when the distribution has no popular keys (uniform, sequential): then these are just the first keys. */
  note?: string;
}
