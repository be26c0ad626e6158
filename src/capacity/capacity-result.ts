import type { RunConfig } from "../config/types.js";
import type { ThresholdOutcome } from "../result/result-types.js";
import type { Knee } from "./knee.js";
import type { CapacitySearchOptions } from "./search-options.js";
import type { SearchEnd, StepPhase } from "./search-plan.js";

/**
 * The capacity result file (`Reports/capacity_{env}_{timestamp}.json`), documented in
 * docs/result-schema.md ("Capacity search"). Renaming a field is a schema change: bump the version.
 */
export const CAPACITY_SCHEMA_VERSION = 1;

/** One constant-rate open-loop run of the search. Latencies are ms, rates ops/s. */
export interface CapacityStep {
  /** 1-based, in the order the steps ran. */
  index: number;
  phase: StepPhase;
  askedRate: number;
  /** Replies per second over the measured part. */
  achievedRate: number;
  /** achievedRate as % of askedRate. */
  achievedPercent: number;
  durationMs: number;
  /** Replies in the measured part (success or error reply). */
  ops: number;
  /** Operations written in the measured part. */
  sent: number;
  errors: number;
  /** errors as % of sent. */
  errorPercent: number;
  timeouts: number;
  /** From each operation's intended start (open loop: coordinated omission corrected). */
  latencyMs: { p50: number; p99: number; p999: number; max: number };
  /** From the actual send: the server's share of the latency. */
  serviceTimeMs?: { p50: number; p99: number };
  /** Sends 1 ms or more behind schedule, and their % of sent. */
  lateStarts: number;
  lateStartPercent: number;
  /** The load generator's event-loop delay, p99, ms. */
  eventLoopDelayP99Ms: number;
  /** The redis-server process's highest CPU (100 = one core), when the server is on this host. */
  serverCpuPercentMax?: number;
  /** The SLO expressions judged on this step. */
  slo: ThresholdOutcome[];
  sloOk: boolean;
  /**
   * False when the client fell behind (< 95 % of the rate achieved or > 1 % of sends late) although
   * pipeline slots were free (rate × service time p99 under half of connections × pipeline): on a
   * failed step, the load generator's limit, not the server's; on a passed step, a note.
   */
  clientKeptUp: boolean;
  /**
   * pass: the SLO held and ≥ 95 % of the asked rate was achieved. fail: not (see reasons). stopped:
   * Ctrl-C cut the step short, so it is not judged. target-lost: the server went away.
   */
  verdict: "pass" | "fail" | "stopped" | "target-lost";
  /** Why the step failed, in words; empty for a pass. */
  reasons: string[];
  /** What a reader should know about a step that does not change its verdict (late sends on a pass). */
  notes: string[];
  /** This step's count check (INFO commandstats before and after it, prefill and warmup included). */
  countCheck: {
    checked: boolean;
    ok: boolean;
    sent: number;
    completed: number;
    server: number;
    note: string;
  };
}

export interface CapacityResult {
  schemaVersion: typeof CAPACITY_SCHEMA_VERSION;
  kind: "capacity";
  tool: { name: "cachestress"; version: string };
  scenario: string;
  env: string;
  /** completed: the search ended by its own rule. stopped: Ctrl-C/SIGTERM. failed: the target went away. */
  status: "completed" | "stopped" | "failed";
  startedAt: string;
  endedAt: string;
  target: { url: string; managed: boolean; serverVersion?: string };
  /** The run settings every step shared (rate and duration are the search's), secrets redacted. */
  config: RunConfig;
  search: CapacitySearchOptions;
  /** Every step, in the order it ran. */
  steps: CapacityStep[];
  /** The measured steps sorted by asked rate: the latency-versus-throughput curve. */
  curve: {
    askedRate: number;
    achievedRate: number;
    p50Ms: number;
    p99Ms: number;
    p999Ms: number;
    verdict: CapacityStep["verdict"];
  }[];
  capacity: {
    /** The highest asked rate that passed, ops/s; null when none did. */
    lastGoodRate: number | null;
    /** What that step achieved, ops/s. */
    lastGoodAchievedRate: number | null;
    /** The lowest asked rate that failed, ops/s; null when none did. */
    firstBadRate: number | null;
    /** Why the search ended (see SearchEnd), or stopped / target-lost. */
    end: SearchEnd | "stopped" | "target-lost";
    /**
     * What broke at firstBadRate: `server` = the SLO failed, or the server fell behind the rate,
     * while the client kept up (the server's limit); `client` = the load generator could not hold
     * the rate, so the server's limit was not measured there; null when nothing failed.
     */
    limitedBy: "server" | "client" | null;
    /** One or two sentences a person reads first. */
    message: string;
  };
  /** Where p99 leaves its low-load level (src/capacity/knee.ts); null when the curve stayed flat. */
  knee: Knee | null;
  /** The steps' count checks together: ok only when every checked step's was. */
  countCheck: { checked: boolean; ok: boolean; sent: number; completed: number; server: number };
  warnings: string[];
}
