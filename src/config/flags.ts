import type { ConfigProblem } from "./errors.js";
import type { RunInput } from "./field-rules.js";
import { flagHelpLines, parseFlags, rowDefault } from "./flag-parser.js";
import type { PublishFlags } from "./publish-rules.js";
import { SETTINGS, type Setting } from "./settings.js";
import type { StageKind, StageValues } from "./stage-rules.js";
import type { CommandWeight, KeyPattern, ReadFrom } from "./types.js";

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

/** A row of the settings table that has a flag. */
type FlagSpec = Setting & { flag: string };

const FLAGS: readonly FlagSpec[] = SETTINGS.filter((s): s is FlagSpec => s.flag !== undefined);

/** The value of a setting nobody set: its row's default (src/config/settings.ts), parsed by its rule. */
const defaultOf = <T>(flag: string): T => rowDefault<T>(FLAGS, flag);

/** The values a run gets when neither a flag nor the scenario file sets them, from the settings table. */
export const RUN_DEFAULTS = {
  env: defaultOf<string>("env"),
  outDir: defaultOf<string>("out"),
  durationMs: defaultOf<number>("duration"),
  warmupMs: defaultOf<number>("warmup"),
  connections: defaultOf<number>("connections"),
  pipeline: defaultOf<number>("pipeline"),
  /** Open loop: the per-connection in-flight cap, high enough not to throttle the schedule. */
  openLoopPipeline: 64,
  threads: defaultOf<number>("threads"),
  commands: defaultOf<CommandWeight[]>("ratio"),
  keyPattern: defaultOf<KeyPattern>("key-pattern"),
  keyMax: defaultOf<number>("key-max"),
  dataSizeBytes: defaultOf<number>("data-size"),
  timeoutMs: defaultOf<number>("timeout"),
  probeIntervalMs: defaultOf<number>("probe-interval"),
  readFrom: defaultOf<ReadFrom>("read-from"),
};

/** Which flag fills each stage field for a profile kind, for naming the flag in a problem. */
export function profileFlagFor(kind: StageKind, key: string): string {
  const spec = FLAGS.find((s) => s.stage?.kind === kind && s.stage.key === key);
  if (spec !== undefined) return `--${spec.flag}`;
  return key === "duration" ? "--duration" : "--rate";
}

/** The body of `cachestress run --help`: one line per flag with its default, built from the same table the parser uses. */
export const RUN_FLAGS_HELP = renderHelp();

function renderHelp(): string {
  // The CLI prints the usage line above this; these lines are the flags and how to read them.
  return [
    "Flags override the scenario file. A duration is like 500ms, 30s, 5m or 1h; a bare number is seconds.",
    "",
    ...flagHelpLines(FLAGS),
  ].join("\n");
}

export function parseRunArgs(argv: string[]): ParsedRunArgs {
  const flags: RunFlags = { profile: { values: {} }, json: false, debug: false, help: false };
  const { values, positionals, given, problems } = parseFlags(argv, FLAGS, "run");
  // Profile flags are kept apart until the end: --step-max and --chaos-max fill the same stage field.
  const stageFlagValues = new Map<FlagSpec, number>();
  for (const [spec, value] of values) {
    if (spec.stage) stageFlagValues.set(spec, value as number);
    else assign(flags, spec, value);
  }
  for (const [spec, value] of stageFlagValues) {
    if (spec.stage!.kind === flags.profile.kind) flags.profile.values[spec.stage!.key] = value;
  }
  problems.push(...crossFlagProblems(flags, given, stageFlagValues));
  if (positionals.length > 1) {
    problems.push({
      field: "scenario",
      value: positionals
        .slice(1)
        .map((p) => p.value)
        .join(" "),
      allowed: "one scenario name or file before the flags",
    });
  }
  return positionals.length > 0
    ? { scenarioArg: positionals[0].value, scenarioIndex: positionals[0].index, flags, problems }
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
    if (spec.stage === undefined || !given.has(spec.flag) || spec.stage.kind === kind) continue;
    add(`--${spec.flag}`, stageFlagValues.get(spec), `only with --profile ${spec.stage.kind}`);
  }
  if (kind === "ramp" && !given.has("ramp-to")) {
    add("--ramp-to", undefined, "the rate to ramp to, which --profile ramp needs");
  }
  return problems;
}
