import type { ShardSpec } from "./shard-rule.js";
import type { ZoneBands } from "./zone-rules.js";

/**
 * The validated shape of one run. Everything downstream (workload, engine, reports) reads this and
 * nothing else, so a scenario file and command-line flags end up as exactly the same object.
 * Times are milliseconds, rates are operations per second, sizes are bytes.
 */

export type KeyPattern = "sequential" | "uniform" | "gaussian" | "zipf";

/** One stage of an open-loop load profile. Stages run one after another. */
export type Stage =
  | { kind: "constant"; durationMs: number; rate: number }
  | { kind: "ramp"; durationMs: number; fromRate: number; toRate: number }
  /** Starts at startRate and adds stepRate every stepEveryMs, never above maxRate when set. */
  | {
      kind: "step";
      durationMs: number;
      startRate: number;
      stepRate: number;
      stepEveryMs: number;
      maxRate?: number;
    }
  /** Runs at baseRate; every burstEveryMs the rate is baseRate × multiplier for burstMs. */
  | {
      kind: "burst";
      durationMs: number;
      baseRate: number;
      multiplier: number;
      burstEveryMs: number;
      burstMs: number;
    }
  /** baseRate + amplitude × sin(2π t / periodMs), never below 0. */
  | { kind: "wave"; durationMs: number; baseRate: number; amplitude: number; periodMs: number }
  /** A new random rate in [minRate, maxRate] every changeEveryMs, drawn from a seeded generator. */
  | { kind: "chaos"; durationMs: number; minRate: number; maxRate: number; changeEveryMs: number };

export interface CommandWeight {
  /**
   * Upper-case command name as the server counts it in INFO commandstats: `SET`, `GET`, or a
   * template's command (`HSET`, `EVALSHA`, `XGROUP|CREATE` for a subcommand).
   */
  name: string;
  weight: number;
  /**
   * A command template (src/config/command-template.ts), e.g. `HSET {key} f {value}`. Absent for the
   * built-in SET and GET, whose values, TTL and dataset records the engine writes itself.
   */
  template?: string;
  /** Its name in reports and thresholds; default: `name`, with `-2`, `-3` ... when several share it. */
  label?: string;
}

export interface RunConfig extends TargetSecurity {
  /** Scenario name, for reports (`adhoc` when the run came from flags only). */
  scenario: string;
  /** Target URL; undefined means a local redis-server that the tool starts and stops itself. */
  url?: string;
  /** Environment label used in the report file name (`local`, `staging`, `aws`...). */
  env: string;
  /** Directory the report files go to. */
  outDir: string;

  /** Measured duration; exactly one of durationMs / requests / stages decides when the run ends. */
  durationMs?: number;
  /** Total measured operations over all connections and threads. */
  requests?: number;
  /** Not-measured load before the measured part. 0 = none. */
  warmupMs: number;
  /** Write every key in [0, keyMax) once before the measured load. */
  prefill: boolean;

  connections: number;
  /** Closed loop: requests in flight per connection. Open loop: the most in flight per connection. */
  pipeline: number;
  threads: number;

  /** Open loop: the total target rate, ops/s. Undefined with no stages = closed loop. */
  rate?: number;
  /** Open loop: a load profile. When set, the run lasts the sum of the stage durations. */
  stages?: Stage[];
  /**
   * Open loop: what the measured phase offers, computed once from `stages` or `rate` when the config
   * is resolved (src/config/measured-stages.ts): `stages`, or one constant stage at `rate` for
   * `durationMs` (for a length no run reaches when `requests` ends it). A shard's config holds its
   * share (src/shard/share.ts). Absent = closed loop; `measuredStages(config)` computes it for a
   * config built by hand.
   */
  measuredStages?: Stage[];

  commands: CommandWeight[];
  keyPattern: KeyPattern;
  /** Keys are numbered 0 .. keyMax-1 under the prefix. */
  keyMax: number;
  dataSizeMin: number;
  dataSizeMax: number;
  /**
   * SET values come from this dataset's pool of JSON records (key k holds record k mod pool size)
   * instead of random bytes; dataSizeMin/dataSizeMax are then not used.
   */
  dataset?: DatasetName;
  /**
   * Lua scripts by name, loaded with SCRIPT LOAD on every primary before the load, for templates
   * such as `EVALSHA {script:NAME} 1 {key} {value}`.
   */
  scripts?: Record<string, string>;
  /** TTL for written keys, seconds; undefined = no TTL. */
  ttlS?: number;
  /** Every key the run touches starts with this. */
  prefix: string;
  keepKeys: boolean;
  /** An operation with no reply after this long counts as a timeout. */
  timeoutMs: number;

  /** k6-style expressions, e.g. `p(99)<500ms`, `errors<1%`. */
  thresholds: string[];
  seed: number;

  /** What the cache is used for: picks the default alert rules, the audit profile and advice. */
  useCase?: UseCase;
  /** How often the server is sampled (INFO, SLOWLOG, LATENCY, /proc) during the run, ms. */
  probeIntervalMs: number;
  /** Run the configuration audit for useCase (default cache) and put it in the report. */
  audit: boolean;
  /** The scenario file's `alerts:` section as written (validated by src/alerts). */
  alerts?: unknown;
  /** Print what notifications would send instead of sending them. */
  alertsDryRun: boolean;
  /** A price table to use for the cost estimate instead of the shipped one. */
  priceFile?: string;
  /** `--azure-tier`: price the run on this Azure Cache for Redis tier (and size) (docs/cost.md). */
  azureTier?: { tier: "Basic" | "Standard" | "Premium"; size?: string };
  /** `--max-monthly-cost`: an alert fires when the run's monthly cost estimate is above this, USD. */
  maxMonthlyCostUsd?: number;
  /** `--template`: a Markdown template for the report instead of the default (docs/reports.md). */
  templateFile?: string;
  /** `--hdr-log`: write per-command HDR histograms per interval to this file (HdrHistogram log format). */
  hdrLogFile?: string;
  /** `replicas`: reads go to replicas (cluster replicas, or a standalone primary's); writes to primaries. */
  readFrom: ReadFrom;
  /**
   * This process runs share `index` of the scenario split over `count` shards (docs/sharding.md).
   * The rest of the config still describes the whole scenario; src/config/shard-share.ts computes the share.
   */
  shard?: ShardSpec;
  /** The scenario file's `faults:` section as written (validated by src/faults). */
  faults?: unknown;
  /** Send the load through the fault proxy (needed by proxy faults). */
  viaProxy?: boolean;
  /**
   * Every duration that came from the scenario file (duration, warmup, stages and their periods,
   * fault times) was multiplied by this; rates, timeouts, TTLs and latencies are not. 1 = as written.
   */
  timeScale?: number;
  /** The scenario file's `check:` section as written (validated by src/scenario-checks). */
  check?: unknown;
  /** Allow faults that disrupt every client of a server the tool did not start. */
  allowServerFaults?: boolean;
  /** Run even though keys already exist under the prefix (they are deleted with the run's at cleanup). */
  reusePrefix?: boolean;
  /** Run templates and scripts whose keys cannot be proven under the prefix (recorded in the result). */
  allowUncheckedKeys?: boolean;
  /** --max-cost / --max-ops: the run stops itself past either (src/run/budget-watch.ts). */
  budget?: RunBudget;
  /** Shell command that restarts a server the tool did not start (docs/restart-command.md); redacted in reports. */
  restartCommand?: string;
  /** Write the N most popular keys of the key distribution before the measured part (docs/warm-top.md). */
  warmTop?: number;
  /** Risk-zone bands set for this run (`zones:`, `--zone`); the rest keep their defaults (docs/zones.md). */
  zones?: ZoneBands;
}

/** Realistic record sets a run can write as values (src/workload/datasets). */
export type DatasetName = "firehose" | "payments" | "market";

export type UseCase = "cache" | "buffer" | "session";

export type ReadFrom = "primary" | "replicas";
/**
 * How to reach a target that needs more than a URL: TLS files and options for a rediss:// URL, and a
 * command that prints a short-lived token used as the password (Azure Entra ID). Secrets never sit
 * here: files are paths, read once before the run, and the token exists only in memory.
 */
export interface TargetSecurity {
  /** PEM file with the CA certificate(s) that signed the server's certificate. */
  tlsCaFile?: string;
  /** PEM client certificate for mutual TLS; needs tlsKeyFile. */
  tlsCertFile?: string;
  /** PEM private key of tlsCertFile. */
  tlsKeyFile?: string;
  /** The name sent in SNI and checked against the certificate, when it is not the URL's host. */
  tlsServername?: string;
  /** Skip certificate verification (only when asked; a warning is printed). */
  tlsInsecure?: boolean;
  /** A shell command whose stdout is the password: a token, or JSON {"token", "expiresOnMs"}. */
  authTokenCommand?: string;
  /** How often the token is fetched again and sent with AUTH on live connections, ms. */
  authTokenRefreshMs?: number;
}

/** Limits on the measured part: its estimated ElastiCache Serverless cost, its operation count. */
export interface RunBudget {
  /** US dollars (the price table's currency), the dearest engine in the table. */
  maxCostUsd?: number;
  /** Operations that got a reply. */
  maxOps?: number;
}

/** Key numbers [first, first + count) out of the run's [0, keyMax). */
export interface KeyRange {
  first: number;
  count: number;
}
