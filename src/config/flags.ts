import { parseArgs } from "node:util";
import { type ConfigProblem, didYouMean } from "./errors.js";
import { allowedFor, type RunInput, redactUrl } from "./field-rules.js";
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

/** The value of a setting nobody set: its row's default (src/config/settings.ts), parsed by its rule. */
function defaultOf<T>(flag: string): T {
  const setting = SETTINGS.find((s) => s.flag === flag);
  const value = setting?.rule?.parse(setting.default);
  if (value === undefined) throw new Error(`settings: --${flag} has no default its rule accepts`);
  return value as T;
}

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

/** A row of the settings table that has a flag. */
type FlagSpec = Setting & { flag: string };

const FLAGS: readonly FlagSpec[] = SETTINGS.filter((s): s is FlagSpec => s.flag !== undefined);
const BY_NAME = new Map(FLAGS.map((spec) => [spec.flag, spec]));
const FLAG_NAMES = FLAGS.map((spec) => `--${spec.flag}`);
const PARSE_OPTIONS = Object.fromEntries(
  FLAGS.map((spec) => {
    const type = spec.value === undefined ? ("boolean" as const) : ("string" as const);
    return [spec.flag, spec.short === undefined ? { type } : { type, short: spec.short }];
  }),
);

/** Which flag fills each stage field for a profile kind, for naming the flag in a problem. */
export function profileFlagFor(kind: StageKind, key: string): string {
  const spec = FLAGS.find((s) => s.stage?.kind === kind && s.stage.key === key);
  if (spec !== undefined) return `--${spec.flag}`;
  return key === "duration" ? "--duration" : "--rate";
}

/** The body of `cachestress run --help`: one line per flag with its default, built from the same table the parser uses. */
export const RUN_FLAGS_HELP = renderHelp();

function renderHelp(): string {
  const left = FLAGS.map(
    (s) => `  --${s.flag}${s.short ? `, -${s.short}` : ""}${s.value ? ` ${s.value}` : ""}`,
  );
  const width = Math.max(...left.map((l) => l.length)) + 2;
  const lines = FLAGS.map((s, i) => {
    const dflt = s.defaultText ?? s.default;
    return `${left[i].padEnd(width)}${s.help}${dflt ? ` (default: ${dflt})` : ""}`;
  });
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
      const field = `--${spec.flag}`;
      given.add(spec.flag);
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
        const shown = spec.flag === "url" ? redactUrl(token.value) : token.value;
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
    if (spec.stage === undefined || !given.has(spec.flag) || spec.stage.kind === kind) continue;
    add(`--${spec.flag}`, stageFlagValues.get(spec), `only with --profile ${spec.stage.kind}`);
  }
  if (kind === "ramp" && !given.has("ramp-to")) {
    add("--ramp-to", undefined, "the rate to ramp to, which --profile ramp needs");
  }
  return problems;
}
