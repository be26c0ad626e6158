import { parseArgs } from "node:util";
import { azureTierRule, maxMonthlyCostRule } from "./cost-rules.js";
import { type ConfigProblem, didYouMean } from "./errors.js";
import {
  allowedFor,
  commandFlagRule,
  type RunInput,
  redactUrl,
  rules,
  type ValueRule,
} from "./field-rules.js";
import { type PublishFlags, publishRules } from "./publish-rules.js";
import { restartCommandRule, warmTopRule } from "./row-flags.js";
import { shardRule } from "./shard-rule.js";
import { STAGE_FIELDS, STAGE_KINDS, type StageKind, type StageValues } from "./stage-rules.js";
import type { CommandWeight } from "./types.js";
import { type ZoneBand, type ZoneMetric, zoneFlagRule } from "./zone-rules.js";

/**
 * `cachestress run [scenario-name-or-file] [flags]`: turns the words after `run` into RunFlags.
 * Only what the user typed is set, so that a default never overrides a scenario file's value;
 * resolveRunConfig applies RUN_DEFAULTS afterwards. Every problem is collected, never just the first.
 */

export interface ProfileFlags {
  kind?: StageKind;
  /** Stage fields from the profile-specific flags, by their scenario-file names (durations in ms). */
  values: StageValues;
}

export interface RunFlags extends RunInput {
  profile: ProfileFlags;
  /** --command, in order: command templates with their weights, added to --ratio's SET/GET if given. */
  templateCommands?: CommandWeight[];
  json: boolean;
  /** --events: where the run's events go as NDJSON ("-" = stdout). */
  events?: string;
  /** --publish and its settings (src/config/publish-rules.ts); absent when none was given. */
  publish?: PublishFlags;
  debug: boolean;
  help: boolean;
}

export interface ParsedRunArgs {
  scenarioArg?: string;
  /** Where scenarioArg is in argv (`cachestress k8s` swaps a local file for its mounted copy). */
  scenarioIndex?: number;
  flags: RunFlags;
  problems: ConfigProblem[];
}

/** The values a run gets when neither a flag nor the scenario file sets them. */
export const RUN_DEFAULTS = {
  env: "local",
  outDir: "Reports",
  durationMs: 30_000,
  warmupMs: 0,
  connections: 50,
  pipeline: 1,
  /** Open loop: the per-connection in-flight cap, high enough not to throttle the schedule. */
  openLoopPipeline: 64,
  threads: 1,
  ratio: "1:10",
  keyPattern: "uniform",
  keyMax: 100_000,
  dataSizeBytes: 32,
  timeoutMs: 1_000,
} as const;

interface FlagSpec {
  name: string;
  short?: string;
  /** Placeholder for the value in help; absent for on/off flags. */
  value?: string;
  help: string;
  default?: string;
  rule?: ValueRule<unknown>;
  /** The RunFlags field the parsed value goes to (on/off flags set it to true)... */
  key?: keyof RunFlags;
  /** ...or, for values that fill more than one field, what to do with it. */
  set?: (flags: RunFlags, value: unknown) => void;
  /** Profile-specific flags fill this stage field when --profile is this kind. */
  stage?: { kind: StageKind; key: string };
}

/** A flag that takes a value, stored in RunFlags[key] or handed to set(). */
function valued(
  name: string,
  value: string,
  rule: ValueRule<unknown>,
  target: keyof RunFlags | ((flags: RunFlags, parsed: unknown) => void),
  help: string,
  dflt?: string,
): FlagSpec {
  const where = typeof target === "function" ? { set: target } : { key: target };
  return { name, value, rule, help, default: dflt, ...where };
}

function onOff(name: string, key: keyof RunFlags, help: string, short?: string): FlagSpec {
  return { name, key, help, short };
}

function stageFlag(
  name: string,
  kind: StageKind,
  key: string,
  value: string,
  help: string,
  dflt?: string,
): FlagSpec {
  const rule = STAGE_FIELDS[kind].find((f) => f.key === key)!.rule;
  return { name, value, help, default: dflt, rule, stage: { kind, key } };
}

const D = RUN_DEFAULTS;
const FLAGS: readonly FlagSpec[] = [
  valued(
    "url",
    "URL",
    rules.url,
    "url",
    "server to load: redis://, rediss://, redis+sentinel://host:port/name, or any node of a cluster; user and password from the URL or REDIS_USERNAME, REDIS_PASSWORD",
    "a local redis-server",
  ),
  valued(
    "tls-ca",
    "FILE",
    rules.tlsFile,
    "tlsCaFile",
    "rediss://: PEM CA certificate(s) to verify the server with",
    "the system CAs",
  ),
  valued(
    "tls-cert",
    "FILE",
    rules.tlsFile,
    "tlsCertFile",
    "rediss://: PEM client certificate for mutual TLS (with --tls-key)",
  ),
  valued("tls-key", "FILE", rules.tlsFile, "tlsKeyFile", "rediss://: PEM private key of --tls-cert"),
  valued(
    "tls-servername",
    "NAME",
    rules.tlsServername,
    "tlsServername",
    "rediss://: host name for SNI and the certificate check",
    "the URL's host",
  ),
  onOff(
    "tls-insecure",
    "tlsInsecure",
    "rediss://: do not verify the server's certificate (prints a warning)",
  ),
  valued(
    "auth-token-command",
    "CMD",
    rules.authTokenCommand,
    "authTokenCommand",
    "shell command printing a token used as password (user from the URL or REDIS_USERNAME)",
  ),
  valued(
    "auth-token-refresh",
    "DUR",
    rules.authTokenRefresh,
    "authTokenRefreshMs",
    "run the token command again this often and re-AUTH live connections",
    "80% of the token's lifetime, else 45m",
  ),
  valued("env", "NAME", rules.env, "env", "environment label, part of the report file name", D.env),
  valued("out", "DIR", rules.outDir, "outDir", "directory for the report files", D.outDir),
  valued(
    "duration",
    "DUR",
    rules.duration,
    "durationMs",
    "measured run time",
    "30s if nothing else ends the run",
  ),
  valued("requests", "N", rules.requests, "requests", "end after N measured operations instead"),
  valued("warmup", "DUR", rules.warmup, "warmupMs", "unmeasured load before the measured part", "0"),
  onOff("prefill", "prefill", "write every key in [0, --key-max) once before the run"),
  {
    ...valued("connections", "N", rules.connections, "connections", "connections", String(D.connections)),
    short: "c",
  },
  valued(
    "pipeline",
    "N",
    rules.pipeline,
    "pipeline",
    "requests in flight per connection",
    "1; 64 in open loop",
  ),
  valued("threads", "N", rules.threads, "threads", "worker threads, at most 64 and --connections", "1"),
  valued("rate", "OPS", rules.rate, "rate", "open loop: total target ops/s (without it: closed loop)"),
  valued("profile", "KIND", profileKindRule(), setProfileKind, `open-loop profile: ${STAGE_KINDS.join("|")}`),
  stageFlag("ramp-to", "ramp", "toRate", "OPS", "ramp: from --rate to this rate (required)"),
  stageFlag("step-rate", "step", "stepRate", "OPS", "step: ops/s added at each step", "--rate"),
  stageFlag("step-every", "step", "stepEvery", "DUR", "step: time between steps", "10s"),
  stageFlag("step-max", "step", "maxRate", "OPS", "step: the rate never goes above this", "no limit"),
  stageFlag("burst-multiplier", "burst", "multiplier", "N", "burst: burst rate = --rate × N", "5"),
  stageFlag(
    "burst-every",
    "burst",
    "burstEvery",
    "DUR",
    "burst: each period this long ends in a burst",
    "10s",
  ),
  stageFlag("burst-duration", "burst", "burstDuration", "DUR", "burst: how long each burst lasts", "2s"),
  stageFlag(
    "wave-amplitude",
    "wave",
    "amplitude",
    "OPS",
    "wave: rate = --rate ± this, as a sine",
    "--rate / 2",
  ),
  stageFlag("wave-period", "wave", "period", "DUR", "wave: length of one full wave", "10s"),
  stageFlag("chaos-min", "chaos", "minRate", "OPS", "chaos: lowest random rate", "--rate / 2"),
  stageFlag("chaos-max", "chaos", "maxRate", "OPS", "chaos: highest random rate", "--rate × 1.5"),
  stageFlag("chaos-every", "chaos", "changeEvery", "DUR", "chaos: a new random rate this often", "1s"),
  valued("ratio", "SET:GET", rules.ratio, "commands", "write:read mix, e.g. 1:10, 1:0 or 0:1", D.ratio),
  valued(
    "command",
    "'CMD:W'",
    commandFlagRule,
    addCommand,
    "repeatable: a command template, a colon, its weight: 'HSET {key} f {value}:1'; replaces the file's commands (SET/GET stay only with --ratio)",
    "none",
  ),
  valued(
    "key-pattern",
    "P",
    rules.keyPattern,
    "keyPattern",
    "sequential|uniform|gaussian|zipf",
    D.keyPattern,
  ),
  valued("key-max", "N", rules.keyMax, "keyMax", "keys are numbered 0 .. N-1", String(D.keyMax)),
  valued("data-size", "BYTES", rules.dataSize, setDataSize, "value size", String(D.dataSizeBytes)),
  valued(
    "data-size-range",
    "MIN-MAX",
    rules.dataSizeRange,
    setDataSizeRange,
    "random value sizes, MIN to MAX bytes",
  ),
  valued(
    "dataset",
    "NAME",
    rules.dataset,
    "dataset",
    "firehose|payments|market: SET values are realistic JSON records (--data-size is then ignored)",
    "random bytes",
  ),
  valued("ttl", "S", rules.ttl, "ttlS", "expire written keys after S seconds", "no expiry"),
  valued("prefix", "P", rules.prefix, "prefix", "every key starts with this", "cachestress:<8 random hex>:"),
  onOff("keep-keys", "keepKeys", "leave the run's keys in place instead of deleting them"),
  onOff(
    "reuse-prefix",
    "reusePrefix",
    "run even though keys already exist under --prefix (the cleanup deletes them too); refused otherwise",
  ),
  onOff(
    "allow-unchecked-keys",
    "allowUncheckedKeys",
    "run templates/scripts whose keys cannot be proven under the prefix when no ACL user enforces it (recorded in the result)",
  ),
  // Deployment-validation rows (docs/restart-command.md, docs/warm-top.md).
  valued(
    "restart-command",
    "CMD",
    restartCommandRule,
    "restartCommand",
    "shell command that restarts a --url server the tool did not start (persistence-recovery, restart faults); never printed",
  ),
  valued("warm-top", "N", warmTopRule, "warmTop", "write the N most popular keys before the measured part"),
  valued("timeout", "DUR", rules.timeout, "timeoutMs", "no reply after this long = a timeout", "1s"),
  valued(
    "threshold",
    "EXPR",
    rules.threshold,
    addThreshold,
    "pass/fail rule, repeatable: 'p(99)<500ms'",
    "none",
  ),
  // Risk zones (docs/zones.md): each --zone sets one zone's band, over the scenario file's zones:.
  valued(
    "zone",
    "NAME=A/B",
    zoneFlagRule,
    (flags, parsed) => {
      const [metric, band] = parsed as [ZoneMetric, ZoneBand];
      flags.zones = { ...flags.zones, [metric]: band };
    },
    "repeatable: risk-zone band, stable below A, failure above B: 'p99=50ms/200ms', 'cpu=60%/85%' (names in docs/zones.md)",
    "the built-in bands",
  ),
  valued("seed", "N", rules.seed, "seed", "seed for keys, sizes and chaos, to repeat a run", "random"),
  valued(
    "use-case",
    "KIND",
    rules.useCase,
    "useCase",
    "cache|buffer|session: default alerts, audit and advice",
    "none",
  ),
  valued(
    "probe-interval",
    "DUR",
    rules.probeInterval,
    "probeIntervalMs",
    "how often the server is sampled",
    "1s",
  ),
  valued(
    "read-from",
    "WHERE",
    rules.readFrom,
    "readFrom",
    "primary|replicas: where reads (GET) go; writes always go to primaries",
    "primary",
  ),
  onOff("audit", "audit", "audit the server's configuration for --use-case and add it to the report"),
  onOff("alerts-dry-run", "alertsDryRun", "print the notifications alerts would send, send nothing"),
  valued(
    "price-file",
    "PATH",
    rules.priceFile,
    "priceFile",
    "price table for the cost estimate",
    "data/elasticache-serverless-prices.json",
  ),
  // Budget: the run stops itself past either (src/run/budget-watch.ts).
  budgetFlag(
    "max-cost",
    "USD",
    "maxCostUsd",
    "the measured part's estimated ElastiCache Serverless cost passes USD",
  ),
  budgetFlag("max-ops", "N", "maxOps", "the measured part has done N operations"),
  // Cost (docs/cost.md): Azure in the estimate, and a budget that turns the estimate into an alert.
  valued(
    "azure-tier",
    "TIER[:SIZE]",
    azureTierRule,
    "azureTier",
    "also price the run on Azure Cache for Redis",
  ),
  valued(
    "max-monthly-cost",
    "USD",
    maxMonthlyCostRule,
    "maxMonthlyCostUsd",
    "alert when the cost estimate is above",
  ),
  valued(
    "template",
    "FILE",
    rules.reportFile,
    "templateFile",
    "Markdown template for the report (docs/reports.md)",
    "built in",
  ),
  valued(
    "hdr-log",
    "FILE",
    rules.reportFile,
    "hdrLogFile",
    "also write per-command HDR interval histograms to FILE (HdrHistogram log format)",
  ),
  valued(
    "shard",
    "I/N",
    shardRule,
    "shard",
    "run share I of N (0-based) of the scenario; needs --url, --prefix, --seed (docs/sharding.md)",
    "$CACHESTRESS_SHARD, else the whole run",
  ),
  valued(
    "time-scale",
    "F",
    rules.timeScale,
    "timeScale",
    "multiply the scenario file's durations (run, warmup, stages, fault times) by F; 0.01 runs 1h in 36s",
    "1",
  ),
  onOff(
    "via-proxy",
    "viaProxy",
    "send the load through a fault proxy on 127.0.0.1 (for the scenario's faults:)",
  ),
  onOff(
    "allow-server-faults",
    "allowServerFaults",
    "allow CLIENT PAUSE, DEBUG SLEEP and CLIENT KILL of others on a server the tool did not start",
  ),
  onOff("json", "json", "print the result as JSON on stdout"),
  valued(
    "events",
    "FILE",
    rules.outDir,
    "events",
    "write every event of the run as one JSON line to FILE, or to stdout with - (docs/events.md)",
  ),
  ...publishFlags(),
  onOff("debug", "debug", "show stack traces and internal details"),
  onOff("help", "help", "show this help", "h"),
];

/** --publish and its settings; each value lands in RunFlags.publish (docs/publishers.md). */
function publishFlags(): FlagSpec[] {
  const to =
    (key: keyof PublishFlags) =>
    (flags: RunFlags, value: unknown): void => {
      flags.publish = { ...flags.publish, [key]: value };
    };
  const r = publishRules;
  return [
    valued(
      "publish",
      "WHERE",
      r.target,
      (flags, value) => {
        flags.publish = { ...flags.publish, targets: [...(flags.publish?.targets ?? []), value as never] };
      },
      "repeatable: prometheus|pushgateway|otlp|cloudwatch|azure|none: publish metrics while the run runs",
      "cloudwatch with --env aws, azure with --env azure, else none",
    ),
    valued("publish-interval", "DUR", r.interval, to("intervalMs"), "how often publishers push", "5s"),
    {
      name: "publish-dry-run",
      help: "print the exact payloads publishers would send (checked), send nothing",
      set: to("dryRun"),
    },
    valued("metrics-port", "PORT", r.port, to("metricsPort"), "prometheus: port of /metrics", "9464"),
    valued(
      "metrics-host",
      "HOST",
      r.host,
      to("metricsHost"),
      "prometheus: address /metrics listens on",
      "127.0.0.1",
    ),
    valued(
      "pushgateway-url",
      "URL",
      r.pushgatewayUrl,
      to("pushgatewayUrl"),
      "pushgateway: the Pushgateway's URL",
    ),
    valued(
      "otlp-url",
      "URL",
      r.otlpUrl,
      to("otlpUrl"),
      "otlp: OTLP/HTTP metrics endpoint",
      "http://127.0.0.1:4318/v1/metrics",
    ),
    valued(
      "cloudwatch-namespace",
      "NS",
      r.namespace,
      to("cloudwatchNamespace"),
      "cloudwatch: metric namespace",
      "CacheStress",
    ),
    valued(
      "publish-resolution",
      "S",
      r.resolution,
      to("resolutionS"),
      "cloudwatch: StorageResolution 1 (high) or 60",
      "60",
    ),
    valued(
      "azure-resource-id",
      "ID",
      r.azureResourceId,
      to("azureResourceId"),
      "azure: resource ID the metrics are attached to",
    ),
    valued(
      "azure-region",
      "REGION",
      r.azureRegion,
      to("azureRegion"),
      "azure: region of that resource, e.g. westeurope",
    ),
  ];
}

function budgetFlag(name: string, value: string, key: "maxCostUsd" | "maxOps", when: string): FlagSpec {
  const set = (flags: RunFlags, parsed: unknown) => {
    flags.budget = { ...flags.budget, [key]: parsed as number };
  };
  return valued(name, value, rules[key], set, `stop once ${when}`);
}

function setProfileKind(flags: RunFlags, kind: unknown): void {
  flags.profile.kind = kind as StageKind;
}

function setDataSize(flags: RunFlags, bytes: unknown): void {
  flags.dataSizeMin = bytes as number;
  flags.dataSizeMax = bytes as number;
}

function setDataSizeRange(flags: RunFlags, range: unknown): void {
  [flags.dataSizeMin, flags.dataSizeMax] = range as [number, number];
}

function addCommand(flags: RunFlags, command: unknown): void {
  flags.templateCommands = [...(flags.templateCommands ?? []), command as CommandWeight];
}

function addThreshold(flags: RunFlags, expr: unknown): void {
  flags.thresholds = [...(flags.thresholds ?? []), expr as string];
}

function profileKindRule(): ValueRule<StageKind> {
  return {
    allowed: `one of ${STAGE_KINDS.join(", ")}`,
    parse: (raw) => ((STAGE_KINDS as readonly unknown[]).includes(raw) ? (raw as StageKind) : undefined),
    explain(raw) {
      const guess = typeof raw === "string" ? didYouMean(raw, STAGE_KINDS) : undefined;
      return guess && `one of ${STAGE_KINDS.join(", ")} (did you mean ${guess}?)`;
    },
  };
}

const BY_NAME = new Map(FLAGS.map((spec) => [spec.name, spec]));
const FLAG_NAMES = FLAGS.map((spec) => `--${spec.name}`);
const PARSE_OPTIONS = Object.fromEntries(
  FLAGS.map((spec) => {
    const type = spec.value === undefined ? ("boolean" as const) : ("string" as const);
    return [spec.name, spec.short === undefined ? { type } : { type, short: spec.short }];
  }),
);

/** Which flag fills each stage field for a profile kind, for naming the flag in a problem. */
export function profileFlagFor(kind: StageKind, key: string): string {
  const spec = FLAGS.find((s) => s.stage?.kind === kind && s.stage.key === key);
  if (spec !== undefined) return `--${spec.name}`;
  return key === "duration" ? "--duration" : "--rate";
}

/** The body of `cachestress run --help`: one line per flag with its default, built from the same table the parser uses. */
export const RUN_FLAGS_HELP = renderHelp();

function renderHelp(): string {
  const left = FLAGS.map(
    (s) => `  --${s.name}${s.short ? `, -${s.short}` : ""}${s.value ? ` ${s.value}` : ""}`,
  );
  const width = Math.max(...left.map((l) => l.length)) + 2;
  const lines = FLAGS.map(
    (s, i) => `${left[i].padEnd(width)}${s.help}${s.default ? ` (default: ${s.default})` : ""}`,
  );
  // The CLI prints the usage line above this; these lines are the flags and how to read them.
  return [
    "Flags override the scenario file. A duration is like 500ms, 30s, 5m or 1h; a bare number is seconds.",
    "",
    ...lines,
  ].join("\n");
}

/** A value that is really the next flag means the flag before it was given no value. */
function looksLikeFlag(value: string): boolean {
  return value.startsWith("-") && value !== "-" && !/^-\d/.test(value);
}

export function parseRunArgs(argv: string[]): ParsedRunArgs {
  const flags: RunFlags = { profile: { values: {} }, json: false, debug: false, help: false };
  const problems: ConfigProblem[] = [];
  const given = new Set<string>();
  const positionals: string[] = [];
  const positionalIndexes: number[] = [];
  let offset = 0;
  // Profile flags are kept apart until the end: --step-max and --chaos-max fill the same stage field.
  const stageFlagValues = new Map<FlagSpec, number>();
  let rest = argv;
  // parseArgs takes `--connections --ratio` as connections="--ratio"; when that happens, report the
  // missing value and parse again from the swallowed flag.
  for (;;) {
    const { tokens } = parseArgs({
      args: rest,
      options: PARSE_OPTIONS,
      strict: false,
      allowPositionals: true,
      tokens: true,
    });
    let restartAt = -1;
    for (let i = 0; i < tokens.length && restartAt < 0; i++) {
      const token = tokens[i];
      if (token.kind === "positional") {
        positionals.push(token.value);
        positionalIndexes.push(offset + token.index);
      }
      if (token.kind !== "option") continue;
      const spec = BY_NAME.get(token.name);
      if (spec === undefined) {
        const guess = didYouMean(token.rawName.replace(/^-+/, "--"), FLAG_NAMES);
        problems.push({
          field: token.rawName,
          value: token.value === undefined ? token.rawName : `${token.rawName}=${token.value}`,
          allowed: guess
            ? `a known flag (did you mean ${guess}?)`
            : "a known flag (see cachestress run --help)",
        });
        // `--conections 10`: the 10 belongs to the misspelt flag, not to the scenario name.
        const next = tokens[i + 1];
        if (
          token.value === undefined &&
          guess &&
          BY_NAME.get(guess.slice(2))?.value &&
          next?.kind === "positional" &&
          next.index === token.index + 1
        )
          i++;
        continue;
      }
      const field = `--${spec.name}`;
      given.add(spec.name);
      if (spec.value === undefined) {
        if (token.value !== undefined)
          problems.push({ field, value: token.value, allowed: "no value: it is an on/off flag" });
        else assign(flags, spec, true);
        continue;
      }
      if (token.value === undefined || (!token.inlineValue && looksLikeFlag(token.value))) {
        problems.push({ field, value: undefined, allowed: allowedFor(spec.rule!, undefined) });
        if (token.value !== undefined) restartAt = token.index + 1;
        continue;
      }
      const parsed = spec.rule!.parse(token.value);
      if (parsed === undefined) {
        const shown = spec.name === "url" ? redactUrl(token.value) : token.value;
        problems.push({ field, value: shown, allowed: allowedFor(spec.rule!, token.value) });
      } else if (spec.stage) stageFlagValues.set(spec, parsed as number);
      else assign(flags, spec, parsed);
    }
    if (restartAt < 0) break;
    rest = rest.slice(restartAt);
    offset += restartAt;
  }
  for (const [spec, value] of stageFlagValues) {
    if (spec.stage!.kind === flags.profile.kind) flags.profile.values[spec.stage!.key] = value;
  }
  problems.push(...crossFlagProblems(flags, given, stageFlagValues));
  if (positionals.length > 1) {
    problems.push({
      field: "scenario",
      value: positionals.slice(1).join(" "),
      allowed: "one scenario name or file before the flags",
    });
  }
  return positionals.length > 0
    ? { scenarioArg: positionals[0], scenarioIndex: positionalIndexes[0], flags, problems }
    : { flags, problems };
}

function assign(flags: RunFlags, spec: FlagSpec, value: unknown): void {
  if (spec.set !== undefined) spec.set(flags, value);
  else (flags as unknown as Record<string, unknown>)[spec.key!] = value;
}

function crossFlagProblems(
  flags: RunFlags,
  given: Set<string>,
  stageFlagValues: Map<FlagSpec, number>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (field: string, value: unknown, allowed: string) => problems.push({ field, value, allowed });
  if (given.has("duration") && given.has("requests")) {
    add("--requests", flags.requests, "either --duration or --requests, not both");
  }
  if (given.has("data-size") && given.has("data-size-range")) {
    const range = `${flags.dataSizeMin}-${flags.dataSizeMax}`;
    add("--data-size-range", range, "either --data-size or --data-size-range, not both");
  }
  const kind = flags.profile.kind;
  if (kind !== undefined && given.has("requests")) {
    add("--requests", flags.requests, "not with --profile, which runs for --duration");
  }
  for (const spec of FLAGS) {
    if (spec.stage === undefined || !given.has(spec.name) || spec.stage.kind === kind) continue;
    add(`--${spec.name}`, stageFlagValues.get(spec), `only with --profile ${spec.stage.kind}`);
  }
  if (kind === "ramp" && !given.has("ramp-to")) {
    add("--ramp-to", undefined, "the rate to ramp to, which --profile ramp needs");
  }
  return problems;
}
