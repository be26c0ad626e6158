import { randomBytes } from "node:crypto";
import { commandLabels } from "./command-template.js";
import { formatDurationMs } from "./duration.js";
import { ConfigError, type ConfigProblem } from "./errors.js";
import { allowedFor, type RunInput } from "./field-rules.js";
import { parseRunArgs, profileFlagFor, RUN_DEFAULTS, type RunFlags } from "./flags.js";
import { stagesOf } from "./measured-stages.js";
import { preflightProblems } from "./preflight.js";
import { type PublishOptions, resolvePublishOptions } from "./publish-rules.js";
import { rowFlagProblems } from "./row-flags.js";
import type { ScenarioFile } from "./scenario-file.js";
import { displayPath, resolveScenarioPath } from "./scenario-paths.js";
import { SETTING_KEYS, settingName } from "./settings.js";
import { SHARD_ENV, type ShardProblemField, shardProblems, shardRule } from "./shard-rule.js";
import { buildStage, type StageKind, type StageValues, stageProblems } from "./stage-rules.js";
import { readTlsFiles, securityProblems } from "./target-security.js";
import { templateProblems } from "./template-rules.js";
import { isThresholdProblem, parseThreshold } from "./threshold-grammar.js";
import type { RunConfig, Stage } from "./types.js";

/**
 * `cachestress run [scenario] [flags]` → one validated RunConfig. The scenario file is read first and
 * flags override it field by field; defaults fill only what neither set. Problems from the flags,
 * the file and the checks between fields all end up in one ConfigError.
 */

export interface ResolvedRun {
  config: RunConfig;
  json: boolean;
  /** --events FILE|-: the run's events as NDJSON. */
  events?: string;
  /** --publish: where metrics go while the run runs (undefined: nowhere). */
  publish?: PublishOptions;
  debug: boolean;
  /** With --help nothing is validated and `config` holds the defaults; the caller prints RUN_FLAGS_HELP. */
  help: boolean;
}

/**
 * Judges one section that depends on the run around it (`faults:`, `check:`, `alerts:`) on the built
 * config. The sections belong to rooms above config, so they are handed in: src/run/resolve-config.ts.
 */
export type SectionCheck = (config: RunConfig) => ConfigProblem[];

/**
 * `argv` is what follows the word `run`; `env` supplies CACHESTRESS_SHARD when no --shard is given.
 * `checkFiles: false` skips the local file checks, for configs that run elsewhere (`k8s`).
 * Throws ConfigError listing every problem. Callers use resolveRunConfig (src/run/resolve-config.ts),
 * which passes every section check.
 */
export async function resolveSettings(
  argv: string[],
  env: NodeJS.ProcessEnv,
  options: { checkFiles?: boolean },
  sections: readonly SectionCheck[],
): Promise<ResolvedRun> {
  const { scenarioArg, flags, problems } = parseRunArgs(argv);
  const { json, debug, events } = flags;
  if (events === "-" && json)
    problems.push({
      field: "--events",
      value: "-",
      allowed: "a file path when --json also prints on stdout (one of them must go elsewhere)",
    });
  if (flags.help) return { config: buildConfig({}, undefined), json, debug, help: true };
  // The environment sits between the flag and the file: a pod's index outranks a file's `shard:`.
  const shardText = env[SHARD_ENV];
  if (flags.shard === undefined && shardText !== undefined && shardText !== "") {
    const shard = shardRule.parse(shardText);
    if (shard !== undefined) flags.shard = shard;
    else problems.push({ field: SHARD_ENV, value: shardText, allowed: allowedFor(shardRule, shardText) });
  }

  let file: ScenarioFile | undefined;
  if (scenarioArg !== undefined) {
    try {
      // Loaded only for a scenario file: it brings the YAML reader and the schema library (start-up).
      const { loadScenarioFile } = await import("./scenario-file.js");
      file = await loadScenarioFile(await resolveScenarioPath(scenarioArg));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  const merged = await merge(file, flags, problems);
  const config = buildConfig(merged, file);
  // The `alerts:`, `check:` and `faults:` sections depend on the run around them: judged on the built config,
  // so their problems are listed with every other one.
  problems.push(...sectionProblems(config, file, flags, sections));
  problems.push(...rowFlagProblems(config));
  // The report directory and the price table are checked now, not after a load whose numbers
  // would then be lost (src/config/preflight.ts).
  if (options.checkFiles !== false)
    problems.push(...(await preflightProblems({ outDir: config.outDir, priceFile: config.priceFile })));
  const publish = resolvePublishOptions(flags.publish ?? {}, config.env, problems, env);
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, json, debug, events, ...(publish !== undefined && { publish }), help: false };
}

async function merge(
  file: ScenarioFile | undefined,
  flags: RunFlags,
  problems: ConfigProblem[],
): Promise<RunInput> {
  const fromFile: RunInput = scaleTimes({ ...file?.input }, flags.timeScale ?? 1);
  const {
    profile,
    templateCommands,
    json: _json,
    events: _events,
    publish: _publish,
    debug: _debug,
    help: _help,
    ...flagInput
  } = flags;
  const fromFlags = Object.fromEntries(
    Object.entries(flagInput).filter(([, value]) => value !== undefined),
  ) as RunInput;

  // A flag replaces the file's whole answer to a question, not just the same-named field: --rate or
  // --profile replace the file's load shape, --duration or --requests replace how the run ends.
  if (profile.kind !== undefined || fromFlags.rate !== undefined) delete fromFile.stages;
  if (fromFlags.durationMs !== undefined || fromFlags.requests !== undefined) {
    delete fromFile.durationMs;
    delete fromFile.requests;
  }
  // --command replaces the file's whole mix; --ratio given beside it puts SET/GET in too.
  if (templateCommands !== undefined) {
    delete fromFile.commands;
    fromFlags.commands = [...(fromFlags.commands ?? []), ...templateCommands];
  }
  // --max-ops beside a file's budget.maxCostUsd keeps both limits.
  if (fromFile.budget && fromFlags.budget) fromFlags.budget = { ...fromFile.budget, ...fromFlags.budget };
  const merged: RunInput = { ...fromFile, ...fromFlags };
  // --zone sets one zone's band: the file's other zones stay.
  if (fromFile.zones !== undefined && fromFlags.zones !== undefined)
    merged.zones = { ...fromFile.zones, ...fromFlags.zones };
  const label = (key: keyof RunInput): Pick<ConfigProblem, "field" | "source"> =>
    key in fromFlags || file === undefined || file.fields[key] === undefined
      ? { field: settingName(key) }
      : { field: file.fields[key]!, source: displayPath(file.path) };
  const add = (key: keyof RunInput, value: unknown, allowed: string) =>
    problems.push({ ...label(key), value, allowed });

  if (profile.kind !== undefined) {
    const stage = profileStage(profile.kind, profile.values, merged, problems);
    if (stage !== undefined) merged.stages = [stage];
    delete merged.rate;
    delete merged.durationMs;
  }

  if (merged.stages !== undefined) {
    const total = formatDurationMs(merged.stages.reduce((sum, s) => sum + s.durationMs, 0));
    const why = `not with stages: the run lasts as long as they do (${total}); --rate or --profile replace a file's stages`;
    if (merged.durationMs !== undefined) add("durationMs", formatDurationMs(merged.durationMs), why);
    if (merged.requests !== undefined) add("requests", merged.requests, why);
  }
  const connections = merged.connections ?? RUN_DEFAULTS.connections;
  if (merged.threads !== undefined && merged.threads > connections) {
    add(
      "threads",
      merged.threads,
      `at most the number of connections (${connections}): each thread needs one`,
    );
  }
  const commands = merged.commands ?? defaultCommands();
  for (const p of templateProblems(commands, merged.scripts, merged.dataset)) {
    const where = label(p.key);
    // A flag's template is named by the flag that gave it.
    const field = p.key === "commands" && templateCommands !== undefined ? "--command" : where.field;
    problems.push({ ...where, field, value: p.value, allowed: p.allowed });
  }
  const sent = commandLabels(commands);
  for (const [i, expr] of (merged.thresholds ?? []).entries()) {
    const parsed = parseThreshold(expr);
    if (isThresholdProblem(parsed) || parsed.cmd === undefined || sent.includes(parsed.cmd as never))
      continue;
    const where = label("thresholds");
    const field = where.source === undefined ? where.field : `${where.field}[${i}]`;
    problems.push({ ...where, field, value: expr, allowed: `a command this run sends: ${sent.join(", ")}` });
  }
  // TLS files are read and checked now, so a missing one is reported with every other problem.
  for (const p of [...securityProblems(merged, merged.url), ...(await readTlsFiles(merged)).problems])
    add(p.key, p.value, p.allowed);
  if (merged.shard !== undefined) {
    shardProblems(
      {
        shard: merged.shard,
        url: merged.url,
        prefix: merged.prefix,
        seed: merged.seed,
        connections,
        threads: merged.threads ?? RUN_DEFAULTS.threads,
        requests: merged.requests,
        keyMax: merged.keyMax ?? RUN_DEFAULTS.keyMax,
        keyPattern: merged.keyPattern ?? RUN_DEFAULTS.keyPattern,
        prefill: merged.prefill ?? false,
      },
      (key: ShardProblemField, value, allowed) => add(key, value, allowed),
    );
  }
  return merged;
}

/** The single stage that `--profile KIND` describes, built from --rate, --duration and its own flags. */
function profileStage(
  kind: StageKind,
  flagValues: StageValues,
  merged: RunInput,
  problems: ConfigProblem[],
): ReturnType<typeof buildStage> | undefined {
  const rate = merged.rate;
  const values: StageValues = { ...flagValues };
  const needsRate = !(kind === "chaos" && values["minRate"] !== undefined && values["maxRate"] !== undefined);
  if (rate === undefined && needsRate) {
    problems.push({
      field: "--rate",
      value: undefined,
      allowed: `the base rate, which --profile ${kind} needs`,
    });
    return undefined;
  }
  const base = rate ?? 0;
  if (kind === "constant") values["rate"] = base;
  if (kind === "ramp") values["fromRate"] = base;
  if (kind === "step") values["startRate"] = base;
  if (kind === "burst" || kind === "wave") values["baseRate"] = base;
  if (kind === "chaos") {
    values["minRate"] ??= base / 2;
    values["maxRate"] ??= base * 1.5;
  }
  const stage = buildStage(kind, merged.durationMs ?? RUN_DEFAULTS.durationMs, values);
  for (const p of stageProblems(stage)) {
    problems.push({ field: profileFlagFor(kind, p.key), value: p.value, allowed: p.allowed });
  }
  return stage;
}

/** A fresh copy each time: a run's command list is its own. */
function defaultCommands() {
  return RUN_DEFAULTS.commands.map((command) => ({ ...command }));
}

/** RunConfig with every default applied, fields in the order of types.ts so result files read well. */
function buildConfig(m: RunInput, file: ScenarioFile | undefined): RunConfig {
  const openLoop = m.rate !== undefined || m.stages !== undefined;
  const endsOtherwise = m.requests !== undefined || m.stages !== undefined;
  const durationMs = m.durationMs ?? (endsOtherwise ? undefined : RUN_DEFAULTS.durationMs);
  const dataSizeMin = m.dataSizeMin ?? RUN_DEFAULTS.dataSizeBytes;
  return {
    scenario: file?.name ?? "adhoc",
    ...(m.url !== undefined && { url: m.url }),
    env: m.env ?? RUN_DEFAULTS.env,
    outDir: m.outDir ?? RUN_DEFAULTS.outDir,
    ...(durationMs !== undefined && { durationMs }),
    ...(m.requests !== undefined && { requests: m.requests }),
    warmupMs: m.warmupMs ?? RUN_DEFAULTS.warmupMs,
    prefill: m.prefill ?? false,
    connections: m.connections ?? RUN_DEFAULTS.connections,
    pipeline: m.pipeline ?? (openLoop ? RUN_DEFAULTS.openLoopPipeline : RUN_DEFAULTS.pipeline),
    threads: m.threads ?? RUN_DEFAULTS.threads,
    ...(m.rate !== undefined && { rate: m.rate }),
    ...(m.stages !== undefined && { stages: m.stages }),
    ...(openLoop && { measuredStages: stagesOf({ ...m, durationMs }) }),
    commands: m.commands ?? defaultCommands(),
    keyPattern: m.keyPattern ?? RUN_DEFAULTS.keyPattern,
    keyMax: m.keyMax ?? RUN_DEFAULTS.keyMax,
    dataSizeMin,
    dataSizeMax: m.dataSizeMax ?? dataSizeMin,
    ...(m.dataset !== undefined && { dataset: m.dataset }),
    ...(m.scripts !== undefined && { scripts: m.scripts }),
    ...(m.ttlS !== undefined && { ttlS: m.ttlS }),
    prefix: m.prefix ?? `cachestress:${randomBytes(4).toString("hex")}:`,
    keepKeys: m.keepKeys ?? false,
    timeoutMs: m.timeoutMs ?? RUN_DEFAULTS.timeoutMs,
    thresholds: m.thresholds ?? [],
    seed: m.seed ?? randomBytes(4).readUInt32LE(0),
    ...(m.useCase !== undefined && { useCase: m.useCase }),
    probeIntervalMs: m.probeIntervalMs ?? RUN_DEFAULTS.probeIntervalMs,
    audit: m.audit ?? false,
    ...(m.alerts !== undefined && { alerts: m.alerts }),
    alertsDryRun: m.alertsDryRun ?? false,
    ...(m.priceFile !== undefined && { priceFile: m.priceFile }),
    ...(m.azureTier !== undefined && { azureTier: m.azureTier }),
    ...(m.maxMonthlyCostUsd !== undefined && { maxMonthlyCostUsd: m.maxMonthlyCostUsd }),
    ...(m.templateFile !== undefined && { templateFile: m.templateFile }),
    ...(m.hdrLogFile !== undefined && { hdrLogFile: m.hdrLogFile }),
    readFrom: m.readFrom ?? RUN_DEFAULTS.readFrom,
    ...(m.tlsCaFile !== undefined && { tlsCaFile: m.tlsCaFile }),
    ...(m.tlsCertFile !== undefined && { tlsCertFile: m.tlsCertFile }),
    ...(m.tlsKeyFile !== undefined && { tlsKeyFile: m.tlsKeyFile }),
    ...(m.tlsServername !== undefined && { tlsServername: m.tlsServername }),
    ...(m.tlsInsecure === true && { tlsInsecure: true }),
    ...(m.authTokenCommand !== undefined && { authTokenCommand: m.authTokenCommand }),
    ...(m.authTokenRefreshMs !== undefined && { authTokenRefreshMs: m.authTokenRefreshMs }),
    ...(m.shard !== undefined && { shard: m.shard }),
    ...(m.faults !== undefined && { faults: m.faults }),
    ...(m.check !== undefined && { check: m.check }),
    ...(m.timeScale !== undefined && m.timeScale !== 1 && { timeScale: m.timeScale }),
    ...(m.viaProxy !== undefined && { viaProxy: m.viaProxy }),
    ...(m.allowServerFaults !== undefined && { allowServerFaults: m.allowServerFaults }),
    ...(m.reusePrefix === true && { reusePrefix: true }),
    ...(m.allowUncheckedKeys === true && { allowUncheckedKeys: true }),
    ...(m.budget !== undefined && { budget: m.budget }),
    ...(m.restartCommand !== undefined && { restartCommand: m.restartCommand }),
    ...(m.warmTop !== undefined && { warmTop: m.warmTop }),
    ...(m.zones !== undefined && Object.keys(m.zones).length > 0 && { zones: m.zones }),
  };
}

/**
 * --time-scale: the file's durations times `factor`, so a long scenario (the progressive set runs
 * 55 minutes) can run in seconds with the same shape. Flags are taken as typed: they are not scaled.
 */
function scaleTimes(input: RunInput, factor: number): RunInput {
  if (factor === 1) return input;
  const scale = (ms: number) => Math.max(1, Math.round(ms * factor));
  if (input.durationMs !== undefined) input.durationMs = scale(input.durationMs);
  if (input.warmupMs !== undefined && input.warmupMs > 0) input.warmupMs = scale(input.warmupMs);
  if (input.stages !== undefined) input.stages = input.stages.map((stage) => scaleStage(stage, scale));
  return input;
}

function scaleStage(stage: Stage, scale: (ms: number) => number): Stage {
  const durationMs = scale(stage.durationMs);
  switch (stage.kind) {
    case "step":
      return { ...stage, durationMs, stepEveryMs: scale(stage.stepEveryMs) };
    case "burst":
      return { ...stage, durationMs, burstEveryMs: scale(stage.burstEveryMs), burstMs: scale(stage.burstMs) };
    case "wave":
      return { ...stage, durationMs, periodMs: scale(stage.periodMs) };
    case "chaos":
      return { ...stage, durationMs, changeEveryMs: scale(stage.changeEveryMs) };
    default:
      return { ...stage, durationMs };
  }
}

function sectionProblems(
  config: RunConfig,
  file: ScenarioFile | undefined,
  flags: RunFlags,
  sections: readonly SectionCheck[],
): ConfigProblem[] {
  const found = sections.flatMap((check) => check(config));
  // A problem with the section itself is the file's; one with a run setting the section cannot
  // work with (`ttl`) is named where that setting came from: its flag or its line in the file.
  const keyFor = (field: string) => {
    const flag = `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    return SETTING_KEYS.find((k) => k === field || settingName(k) === flag);
  };
  return found.map((p) => {
    const key = keyFor(p.field) ?? (p.field as keyof RunInput);
    if (flags[key] !== undefined) return { ...p, field: settingName(key) };
    if (file === undefined) return p;
    const fileField = file.fields[key];
    return { ...p, field: fileField ?? p.field, source: displayPath(file.path) };
  });
}
