import { azureTierRule, maxMonthlyCostRule } from "./cost-rules.js";
import { didYouMean } from "./errors.js";
import { commandFlagRule, type RunInput, rules, type ValueRule } from "./field-rules.js";
import type { RunFlags } from "./flags.js";
import { PUBLISH_SETTINGS } from "./publish-rules.js";
import { restartCommandRule, warmTopRule } from "./row-flags.js";
import { shardRule } from "./shard-rule.js";
import { STAGE_FIELDS, STAGE_KINDS, type StageKind } from "./stage-rules.js";
import type { CommandWeight } from "./types.js";
import { type ZoneBand, type ZoneMetric, zoneFlagRule } from "./zone-rules.js";

/**
 * Every setting of `cachestress run`, one row each: its flag, its scenario-file key, the rule that
 * parses and explains its values, its default, its help line and its section in docs/settings.md.
 * The flag parser (flags.ts), the scenario-file schema (scenario-file.ts), the defaults and the
 * names in problems (resolve.ts), `--help` and docs/settings.md are all read from this table, so a
 * setting is added by adding one row (docs/settings.md says how).
 */

/** Where a setting is listed in docs/settings.md, in this order. */
export const SETTING_SECTIONS = {
  target: "Target",
  load: "Load",
  profile: "Load profile (--profile)",
  workload: "Commands, keys and values",
  judging: "Pass/fail, alerts and audit",
  reports: "Reports and output",
  scale: "Sharding and time",
  faults: "Faults and checks",
  publish: "Publishing metrics (docs/publishers.md)",
  cli: "Command line",
} as const;
export type SettingSection = keyof typeof SETTING_SECTIONS;

/** What a flag fills: the parsed flags of `run` (every RunInput field and a few of its own). */
export type SettingTarget = RunFlags;

export interface Setting {
  /** The flag without its dashes (`connections` is `--connections`); absent for a file-only setting. */
  flag?: string;
  /** One-letter alias (`-c`). */
  short?: string;
  /** Placeholder for the flag's value in help (`N`, `DUR`); absent for an on/off flag. */
  value?: string;
  /** The scenario-file key; absent for a command-line-only setting. */
  file?: string;
  /** The field the value goes to, for flags and the file alike... */
  key?: keyof SettingTarget;
  /** ...or, for a flag that fills more than one field or repeats, what to do with its value. */
  set?: (flags: SettingTarget, value: unknown) => void;
  /** The RunInput fields `set` fills, to name this setting in a problem about one of them. */
  fills?: (keyof RunInput)[];
  /** Parses and explains a value; absent for on/off flags (a file gives true or false). */
  rule?: ValueRule<unknown>;
  /** The default as a user would type it; `rule` turns it into the config's value. */
  default?: string;
  /** The default in words, when it is not one fixed value ("1; 64 in open loop"). */
  defaultText?: string;
  /** What is allowed, for docs, when there is no rule (a section the file validates itself). */
  allowed?: string;
  help: string;
  section: SettingSection;
  /** A --profile flag: it fills this field of the stage when --profile is this kind. */
  stage?: { kind: StageKind; key: string };
}

const stageRule = (kind: StageKind, key: string) => STAGE_FIELDS[kind].find((f) => f.key === key)!.rule;

const profileKindRule: ValueRule<StageKind> = {
  allowed: `one of ${STAGE_KINDS.join(", ")}`,
  parse: (raw) => ((STAGE_KINDS as readonly unknown[]).includes(raw) ? (raw as StageKind) : undefined),
  explain(raw) {
    const guess = typeof raw === "string" ? didYouMean(raw, STAGE_KINDS) : undefined;
    return guess && `one of ${STAGE_KINDS.join(", ")} (did you mean ${guess}?)`;
  },
};

/** A --profile flag for one field of one stage kind. */
function stage(
  flag: string,
  kind: StageKind,
  key: string,
  value: string,
  help: string,
  defaultText?: string,
): Setting {
  return {
    flag,
    value,
    rule: stageRule(kind, key),
    help,
    defaultText,
    section: "profile",
    stage: { kind, key },
  };
}

export const SETTINGS: readonly Setting[] = [
  {
    file: "name",
    rule: rules.name,
    defaultText: "the file name",
    help: "the scenario's name in reports",
    section: "reports",
  },
  {
    file: "description",
    rule: rules.description,
    help: "what the scenario does and what to look at",
    section: "reports",
  },
  {
    flag: "url",
    value: "URL",
    file: "url",
    key: "url",
    rule: rules.url,
    help: "server to load: redis://, rediss://, redis+sentinel://host:port/name, or any node of a cluster; user and password from the URL or REDIS_USERNAME, REDIS_PASSWORD",
    defaultText: "a local redis-server",
    section: "target",
  },
  {
    flag: "tls-ca",
    value: "FILE",
    file: "tlsCa",
    key: "tlsCaFile",
    rule: rules.tlsFile,
    help: "rediss://: PEM CA certificate(s) to verify the server with",
    defaultText: "the system CAs",
    section: "target",
  },
  {
    flag: "tls-cert",
    value: "FILE",
    file: "tlsCert",
    key: "tlsCertFile",
    rule: rules.tlsFile,
    help: "rediss://: PEM client certificate for mutual TLS (with --tls-key)",
    section: "target",
  },
  {
    flag: "tls-key",
    value: "FILE",
    file: "tlsKey",
    key: "tlsKeyFile",
    rule: rules.tlsFile,
    help: "rediss://: PEM private key of --tls-cert",
    section: "target",
  },
  {
    flag: "tls-servername",
    value: "NAME",
    file: "tlsServername",
    key: "tlsServername",
    rule: rules.tlsServername,
    help: "rediss://: host name for SNI and the certificate check",
    defaultText: "the URL's host",
    section: "target",
  },
  {
    flag: "tls-insecure",
    file: "tlsInsecure",
    key: "tlsInsecure",
    help: "rediss://: do not verify the server's certificate (prints a warning)",
    section: "target",
  },
  {
    flag: "auth-token-command",
    value: "CMD",
    file: "authTokenCommand",
    key: "authTokenCommand",
    rule: rules.authTokenCommand,
    help: "shell command printing a token used as password (user from the URL or REDIS_USERNAME)",
    section: "target",
  },
  {
    flag: "auth-token-refresh",
    value: "DUR",
    file: "authTokenRefresh",
    key: "authTokenRefreshMs",
    rule: rules.authTokenRefresh,
    help: "run the token command again this often and re-AUTH live connections",
    defaultText: "80% of the token's lifetime, else 45m",
    section: "target",
  },
  {
    flag: "env",
    value: "NAME",
    file: "env",
    key: "env",
    rule: rules.env,
    default: "local",
    help: "environment label, part of the report file name",
    section: "reports",
  },
  {
    flag: "out",
    value: "DIR",
    key: "outDir",
    rule: rules.outDir,
    default: "Reports",
    help: "directory for the report files",
    section: "reports",
  },
  {
    flag: "duration",
    value: "DUR",
    file: "duration",
    key: "durationMs",
    rule: rules.duration,
    default: "30s",
    defaultText: "30s if nothing else ends the run",
    help: "measured run time",
    section: "load",
  },
  {
    flag: "requests",
    value: "N",
    file: "requests",
    key: "requests",
    rule: rules.requests,
    help: "end after N measured operations instead",
    section: "load",
  },
  {
    flag: "warmup",
    value: "DUR",
    file: "warmup",
    key: "warmupMs",
    rule: rules.warmup,
    default: "0",
    help: "unmeasured load before the measured part",
    section: "load",
  },
  {
    flag: "prefill",
    file: "prefill",
    key: "prefill",
    help: "write every key in [0, --key-max) once before the run",
    section: "load",
  },
  {
    flag: "connections",
    short: "c",
    value: "N",
    file: "connections",
    key: "connections",
    rule: rules.connections,
    default: "50",
    help: "connections",
    section: "load",
  },
  {
    flag: "pipeline",
    value: "N",
    file: "pipeline",
    key: "pipeline",
    rule: rules.pipeline,
    default: "1",
    defaultText: "1; 64 in open loop",
    help: "requests in flight per connection",
    section: "load",
  },
  {
    flag: "threads",
    value: "N",
    file: "threads",
    key: "threads",
    rule: rules.threads,
    default: "1",
    help: "worker threads, at most 64 and --connections",
    section: "load",
  },
  {
    flag: "rate",
    value: "OPS",
    file: "rate",
    key: "rate",
    rule: rules.rate,
    help: "open loop: total target ops/s (without it: closed loop)",
    section: "load",
  },
  {
    file: "stages",
    key: "stages",
    allowed: `a list of stages, each with kind (${STAGE_KINDS.join(", ")}), duration and the kind's rate fields`,
    help: "open loop with a load profile (docs/scenario-file.md, Stages)",
    section: "load",
  },
  {
    flag: "profile",
    value: "KIND",
    rule: profileKindRule,
    set: (flags, kind) => {
      flags.profile.kind = kind as StageKind;
    },
    fills: ["stages"],
    help: `open-loop profile: ${STAGE_KINDS.join("|")}`,
    section: "profile",
  },
  stage("ramp-to", "ramp", "toRate", "OPS", "ramp: from --rate to this rate (required)"),
  stage("step-rate", "step", "stepRate", "OPS", "step: ops/s added at each step", "--rate"),
  stage("step-every", "step", "stepEvery", "DUR", "step: time between steps", "10s"),
  stage("step-max", "step", "maxRate", "OPS", "step: the rate never goes above this", "no limit"),
  stage("burst-multiplier", "burst", "multiplier", "N", "burst: burst rate = --rate × N", "5"),
  stage("burst-every", "burst", "burstEvery", "DUR", "burst: each period this long ends in a burst", "10s"),
  stage("burst-duration", "burst", "burstDuration", "DUR", "burst: how long each burst lasts", "2s"),
  stage("wave-amplitude", "wave", "amplitude", "OPS", "wave: rate = --rate ± this, as a sine", "--rate / 2"),
  stage("wave-period", "wave", "period", "DUR", "wave: length of one full wave", "10s"),
  stage("chaos-min", "chaos", "minRate", "OPS", "chaos: lowest random rate", "--rate / 2"),
  stage("chaos-max", "chaos", "maxRate", "OPS", "chaos: highest random rate", "--rate × 1.5"),
  stage("chaos-every", "chaos", "changeEvery", "DUR", "chaos: a new random rate this often", "1s"),
  {
    flag: "ratio",
    value: "SET:GET",
    file: "ratio",
    key: "commands",
    rule: rules.ratio,
    default: "1:10",
    help: "write:read mix, e.g. 1:10, 1:0 or 0:1",
    section: "workload",
  },
  {
    flag: "command",
    value: "'CMD:W'",
    rule: commandFlagRule,
    set: (flags, command) => {
      flags.templateCommands = [...(flags.templateCommands ?? []), command as CommandWeight];
    },
    help: "repeatable: a command template, a colon, its weight: 'HSET {key} f {value}:1'; replaces the file's commands (SET/GET stay only with --ratio)",
    defaultText: "none",
    section: "workload",
  },
  {
    file: "commands",
    key: "commands",
    allowed:
      "a list of {name: SET|GET, weight: N} or {cmd: TEMPLATE, weight: N, label?}; weights 0 or more, not all 0",
    help: "the command mix as a list, with command templates (docs/scenario-file.md, Command templates)",
    section: "workload",
  },
  {
    file: "scripts",
    key: "scripts",
    allowed: "a mapping of script names (letters, digits, . _ -) to Lua source text",
    help: "Lua scripts by name for EVALSHA {script:NAME} templates, loaded on every primary before the load",
    section: "workload",
  },
  {
    flag: "key-pattern",
    value: "P",
    file: "keyPattern",
    key: "keyPattern",
    rule: rules.keyPattern,
    default: "uniform",
    help: "sequential|uniform|gaussian|zipf",
    section: "workload",
  },
  {
    flag: "key-max",
    value: "N",
    file: "keyMax",
    key: "keyMax",
    rule: rules.keyMax,
    default: "100000",
    help: "keys are numbered 0 .. N-1",
    section: "workload",
  },
  {
    flag: "data-size",
    value: "BYTES",
    file: "dataSize",
    rule: rules.dataSize,
    set: (flags, bytes) => {
      flags.dataSizeMin = bytes as number;
      flags.dataSizeMax = bytes as number;
    },
    fills: ["dataSizeMin", "dataSizeMax"],
    default: "32",
    help: "value size",
    section: "workload",
  },
  {
    flag: "data-size-range",
    value: "MIN-MAX",
    file: "dataSizeRange",
    rule: rules.dataSizeRange,
    set: (flags, range) => {
      [flags.dataSizeMin, flags.dataSizeMax] = range as [number, number];
    },
    fills: ["dataSizeMin", "dataSizeMax"],
    help: "random value sizes, MIN to MAX bytes",
    section: "workload",
  },
  {
    flag: "dataset",
    value: "NAME",
    file: "dataset",
    key: "dataset",
    rule: rules.dataset,
    help: "firehose|payments|market: SET values are realistic JSON records (--data-size is then ignored)",
    defaultText: "random bytes",
    section: "workload",
  },
  {
    flag: "ttl",
    value: "S",
    file: "ttl",
    key: "ttlS",
    rule: rules.ttl,
    help: "expire written keys after S seconds",
    defaultText: "no expiry",
    section: "workload",
  },
  {
    flag: "prefix",
    value: "P",
    file: "prefix",
    key: "prefix",
    rule: rules.prefix,
    help: "every key starts with this",
    defaultText: "cachestress:<8 random hex>:",
    section: "workload",
  },
  {
    flag: "keep-keys",
    file: "keepKeys",
    key: "keepKeys",
    help: "leave the run's keys in place instead of deleting them",
    section: "workload",
  },
  {
    flag: "reuse-prefix",
    key: "reusePrefix",
    help: "run even though keys already exist under --prefix (the cleanup deletes them too); refused otherwise",
    section: "workload",
  },
  {
    flag: "allow-unchecked-keys",
    key: "allowUncheckedKeys",
    help: "run templates/scripts whose keys cannot be proven under the prefix when no ACL user enforces it (recorded in the result)",
    section: "workload",
  },
  // Deployment-validation rows (docs/restart-command.md, docs/warm-top.md).
  {
    flag: "restart-command",
    value: "CMD",
    key: "restartCommand",
    rule: restartCommandRule,
    help: "shell command that restarts a --url server the tool did not start (persistence-recovery, restart faults); never printed",
    section: "faults",
  },
  {
    flag: "warm-top",
    value: "N",
    key: "warmTop",
    rule: warmTopRule,
    help: "write the N most popular keys before the measured part",
    section: "load",
  },
  {
    flag: "timeout",
    value: "DUR",
    file: "timeout",
    key: "timeoutMs",
    rule: rules.timeout,
    default: "1s",
    help: "no reply after this long = a timeout",
    section: "load",
  },
  {
    flag: "threshold",
    value: "EXPR",
    file: "thresholds",
    rule: rules.threshold,
    set: (flags, expr) => {
      flags.thresholds = [...(flags.thresholds ?? []), expr as string];
    },
    fills: ["thresholds"],
    help: "pass/fail rule, repeatable: 'p(99)<500ms'",
    defaultText: "none",
    allowed: "a threshold expression (docs/thresholds.md); in a file, a list of them",
    section: "judging",
  },
  {
    flag: "seed",
    value: "N",
    file: "seed",
    key: "seed",
    rule: rules.seed,
    help: "seed for keys, sizes and chaos, to repeat a run",
    defaultText: "random",
    section: "workload",
  },
  {
    flag: "use-case",
    value: "KIND",
    file: "useCase",
    key: "useCase",
    rule: rules.useCase,
    help: "cache|buffer|session: default alerts, audit and advice",
    defaultText: "none",
    section: "judging",
  },
  {
    flag: "probe-interval",
    value: "DUR",
    file: "probeInterval",
    key: "probeIntervalMs",
    rule: rules.probeInterval,
    default: "1s",
    help: "how often the server is sampled",
    section: "judging",
  },
  {
    flag: "read-from",
    value: "WHERE",
    file: "readFrom",
    key: "readFrom",
    rule: rules.readFrom,
    default: "primary",
    help: "primary|replicas: where reads (GET) go; writes always go to primaries",
    section: "target",
  },
  {
    flag: "audit",
    file: "audit",
    key: "audit",
    help: "audit the server's configuration for --use-case and add it to the report",
    section: "judging",
  },
  {
    file: "alerts",
    key: "alerts",
    allowed: "a mapping with rules: and notify: (docs/alerts.md)",
    help: "alert rules on live figures and where notifications go",
    section: "judging",
  },
  {
    flag: "alerts-dry-run",
    key: "alertsDryRun",
    help: "print the notifications alerts would send, send nothing",
    section: "judging",
  },
  {
    flag: "price-file",
    value: "PATH",
    key: "priceFile",
    rule: rules.priceFile,
    help: "price table for the cost estimate",
    defaultText: "data/elasticache-serverless-prices.json",
    section: "reports",
  },
  // Cost (docs/cost.md): Azure in the estimate, and a budget that turns the estimate into an alert.
  {
    flag: "azure-tier",
    value: "TIER[:SIZE]",
    key: "azureTier",
    rule: azureTierRule,
    help: "also price the run on Azure Cache for Redis",
    section: "reports",
  },
  {
    flag: "max-monthly-cost",
    value: "USD",
    key: "maxMonthlyCostUsd",
    rule: maxMonthlyCostRule,
    help: "alert when the cost estimate is above",
    section: "judging",
  },
  // Budget (docs/dashboard.md#budget): the run stops itself past either limit (src/run/budget-watch.ts).
  {
    flag: "max-cost",
    value: "USD",
    file: "budget",
    rule: rules.maxCostUsd,
    set: (flags, usd) => {
      flags.budget = { ...flags.budget, maxCostUsd: usd as number };
    },
    fills: ["budget"],
    help: "stop once the measured part's estimated ElastiCache Serverless cost passes USD",
    defaultText: "none",
    allowed: "in a file, budget: { maxCostUsd, maxOps }",
    section: "judging",
  },
  {
    flag: "max-ops",
    value: "N",
    rule: rules.maxOps,
    set: (flags, ops) => {
      flags.budget = { ...flags.budget, maxOps: ops as number };
    },
    fills: ["budget"],
    help: "stop once the measured part has done N operations",
    defaultText: "none",
    section: "judging",
  },
  // Risk zones (docs/zones.md): each --zone sets one zone's band, over the scenario file's zones:.
  {
    flag: "zone",
    value: "NAME=A/B",
    file: "zones",
    rule: zoneFlagRule,
    set: (flags, parsed) => {
      const [metric, band] = parsed as [ZoneMetric, ZoneBand];
      flags.zones = { ...flags.zones, [metric]: band };
    },
    fills: ["zones"],
    help: "repeatable: risk-zone band, stable below A, failure above B: 'p99=50ms/200ms', 'cpu=60%/85%' (names in docs/zones.md)",
    defaultText: "the built-in bands",
    allowed: 'a mapping of zone names to bands, e.g. { p99: "50ms/200ms" } (docs/zones.md)',
    section: "judging",
  },
  {
    flag: "template",
    value: "FILE",
    key: "templateFile",
    rule: rules.reportFile,
    help: "Markdown template for the report (docs/reports.md)",
    defaultText: "built in",
    section: "reports",
  },
  {
    flag: "hdr-log",
    value: "FILE",
    key: "hdrLogFile",
    rule: rules.reportFile,
    help: "also write per-command HDR interval histograms to FILE (HdrHistogram log format)",
    section: "reports",
  },
  {
    flag: "shard",
    value: "I/N",
    file: "shard",
    key: "shard",
    rule: shardRule,
    help: "run share I of N (0-based) of the scenario; needs --url, --prefix, --seed (docs/sharding.md)",
    defaultText: "$CACHESTRESS_SHARD, else the whole run",
    section: "scale",
  },
  {
    flag: "time-scale",
    value: "F",
    key: "timeScale",
    rule: rules.timeScale,
    default: "1",
    help: "multiply the scenario file's durations (run, warmup, stages, fault times) by F; 0.01 runs 1h in 36s",
    section: "scale",
  },
  {
    file: "faults",
    key: "faults",
    allowed: "a list of faults, e.g. - { at: 5s, kind: reset } (docs/faults.md)",
    help: "faults scheduled during the run",
    section: "faults",
  },
  {
    flag: "via-proxy",
    file: "viaProxy",
    key: "viaProxy",
    help: "send the load through a fault proxy on 127.0.0.1 (for the scenario's faults:)",
    section: "faults",
  },
  {
    flag: "allow-server-faults",
    key: "allowServerFaults",
    help: "allow CLIENT PAUSE, DEBUG SLEEP and CLIENT KILL of others on a server the tool did not start",
    section: "faults",
  },
  {
    file: "check",
    key: "check",
    allowed: "a mapping with kind and the kind's options, e.g. { kind: integrity } (docs/catalogue.md)",
    help: "a check beside or after the load with a verdict of its own",
    section: "faults",
  },
  {
    file: "capacity",
    allowed: "a mapping: startRate, stepFactor/stepRate, ... (docs/catalogue.md, capacity)",
    help: "makes `cachestress run` of this file a capacity search",
    section: "faults",
  },
  { flag: "json", key: "json", help: "print the result as JSON on stdout", section: "reports" },
  {
    flag: "events",
    value: "FILE",
    key: "events",
    rule: rules.outDir,
    help: "write every event of the run as one JSON line to FILE, or to stdout with - (docs/events.md)",
    section: "reports",
  },
  ...PUBLISH_SETTINGS,
  { flag: "debug", key: "debug", help: "show stack traces and internal details", section: "cli" },
  { flag: "help", short: "h", key: "help", help: "show this help", section: "cli" },
];

/**
 * How a problem names the setting behind a RunInput field: its flag (`--connections`), else its
 * file key. The first row that fills the field wins, a row with a flag before one without.
 */
export function settingName(key: keyof RunInput): string {
  const fills = (s: Setting) => s.key === key || s.fills?.includes(key) === true;
  const row = SETTINGS.find((s) => s.flag !== undefined && fills(s)) ?? SETTINGS.find(fills);
  if (row === undefined) return key;
  return row.flag !== undefined ? `--${row.flag}` : `${row.file} (scenario file)`;
}

/** Every RunInput field some setting fills. */
export const SETTING_KEYS: readonly (keyof RunInput)[] = [
  ...new Set(SETTINGS.flatMap((s) => [...(s.key !== undefined ? [s.key] : []), ...(s.fills ?? [])])),
] as (keyof RunInput)[];

/** The rows of these flags, for a subcommand that shares them with `run` (same rule, same help). */
export function flagRows(...flags: string[]): (Setting & { flag: string })[] {
  return flags.map((flag) => {
    const row = SETTINGS.find((s) => s.flag === flag);
    if (row === undefined) throw new Error(`settings: no row for --${flag}`);
    return row as Setting & { flag: string };
  });
}
