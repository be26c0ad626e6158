import type { ConfigProblem } from "../config/errors.js";
import type { RunConfig } from "../config/types.js";
import type { AdminClient } from "../core/admin-client.js";
import type { ManagedRedis } from "../core/managed-redis.js";
import type { ConnectionTarget } from "../engine/load-connection.js";
import type { CheckReport } from "../result/check-report.js";
import type { RunResult } from "../result/result-types.js";

/**
 * A scenario check: work a catalogue scenario does around (or beside) the standard SET/GET load,
 * and a verdict of its own. Integrity reads back what the load wrote; memory-pressure fills a
 * server past maxmemory; persistence-recovery restarts a server and counts what came back;
 * cache-aside and pubsub drive their own clients during the measured part. The scenario file
 * chooses one with `check: { kind: ..., ...options }`; run-scenario calls the hooks in order:
 *
 *   adjustConfig → managedServerArgs → beforeLoad → onMeasureStart → (load runs) → stopLoad
 *     → afterLoad → onResult → report → close
 *
 * afterLoad runs after the server's command counts were read for the count check and before the
 * run's keys are cleaned up, so reads it makes do not disturb the count check. Commands a check
 * sends during the load must be returned by sentCommands() so the count check still adds up.
 */
export interface ScenarioCheck {
  readonly kind: string;
  /**
   * True when this check expects the server to refuse the load's operations (noeviction past
   * maxmemory answers every write with OOM): then the check, not "no operation succeeded", judges.
   */
  readonly expectsRefusals?: boolean;
  /**
   * The run this check needs, from the one the scenario asked for (buffer-capacity sets keyMax and
   * prefill from its `events`; integrity picks a dataset so every value can be verified). Called
   * once, before anything starts; everything after it, the result's `config` included, sees the
   * returned config. Optional: most checks take the run as it is.
   */
  adjustConfig?(config: RunConfig): RunConfig;
  /** Extra redis-server arguments when the tool starts the server itself (maxmemory, appendonly...). */
  managedServerArgs(): string[];
  /** After the target is known and reachable, before any load (set CONFIG, subscribe...). */
  beforeLoad(context: CheckContext): Promise<void>;
  /** The measured part starts now (epoch ms): start loops that run beside the load. */
  onMeasureStart(startEpochMs: number): void;
  /** The load has stopped: stop loops that ran beside it (before the server's counts are read). */
  stopLoad(): Promise<void>;
  /** Commands this check itself sent while the load ran, by upper-case name: sent and replied. */
  sentCommands(): Record<string, { sent: number; completed: number }>;
  /** Verification after the load: read back, restart, delete and watch recovery. */
  afterLoad(context: CheckContext): Promise<void>;
  /**
   * The run's result, just before report(): for checks that judge what the clients saw (error replies
   * by kind, the per-second series). Optional; the result must not be changed here.
   */
  onResult?(result: RunResult): void;
  /** What the check found; ok false makes the run's verdict fail. */
  report(): CheckReport;
  /** Releases connections and timers; safe to call more than once and after a failure. */
  close(): Promise<void>;
}

export interface CheckContext {
  config: RunConfig;
  /** The server itself (never the fault proxy): for the check's own clients. */
  server: ConnectionTarget;
  /** `host:port` of the server, for messages. */
  where: string;
  /** The server the tool started, when it did: restart and reconfigure are allowed only then. */
  managed: ManagedRedis | undefined;
  /** The run's admin connection (node-redis): CONFIG, INFO, reads. */
  admin: AdminClient;
  say(line: string): void;
  signal?: AbortSignal;
}

/** The parse result of a kind's options: the check, or every problem found. */
export type CheckParse = { ok: true; check: ScenarioCheck } | { ok: false; problems: ConfigProblem[] };

/** What each kind registers: its options parser. `section` is `check:` as written, kind excluded. */
export type CheckFactory = (section: Record<string, unknown>, config: RunConfig) => CheckParse;

/** A report helper for the common shape. */
export function checkReport(
  kind: string,
  problems: string[],
  summary: string,
  figures: CheckReport["figures"],
  series?: CheckReport["series"],
): CheckReport {
  return { kind, ok: problems.length === 0, summary, figures, problems, ...(series && { series }) };
}

export type { CheckReport };
