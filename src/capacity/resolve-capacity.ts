import { ConfigError, type ConfigProblem } from "../config/errors.js";
import { parseRunArgs } from "../config/flags.js";
import type { ScenarioFile } from "../config/scenario-file.js";
import { displayPath, resolveScenarioPath } from "../config/scenario-paths.js";
import type { RunConfig } from "../config/types.js";
import { resolveRunConfig } from "../run/resolve-config.js";
import {
  buildSearchOptions,
  CAPACITY_DEFAULTS,
  CAPACITY_SETTINGS,
  type CapacitySearchOptions,
  readCapacityFlags,
  readCapacitySection,
} from "./search-options.js";

/**
 * `cachestress capacity [scenario|file.yaml] [run flags] [capacity flags]` → a RunConfig shared by
 * every step and the search options. The capacity flags are taken out first; the rest are ordinary
 * `run` flags, resolved by resolveRunConfig exactly as for `cachestress run` (with `--rate` set to
 * the start rate, so the open-loop defaults apply). Every problem, from either side, is reported
 * in one ConfigError before any load starts.
 */

export interface ResolvedCapacity {
  config: RunConfig;
  search: CapacitySearchOptions;
  json: boolean;
  debug: boolean;
  help: boolean;
}

/** Capacity flags that take a value; `--slo` may repeat. */
export const CAPACITY_FLAGS = [...CAPACITY_SETTINGS.map((s) => s.flag), "--slo"];

/** Run flags the search itself sets for every step, with what to use instead. */
const SET_BY_SEARCH: Record<string, string> = {
  "--rate": "not with capacity: each step's rate is chosen by the search (use --start-rate)",
  "--duration": "not with capacity: use --step-duration",
  "--requests": "not with capacity: each step lasts --step-duration",
  "--profile": "not with capacity: each step runs at a constant rate",
  "--shard": "not with capacity: the search runs from one machine",
};

/** A value that is really the next flag means the flag before it was given no value. */
function looksLikeFlag(value: string): boolean {
  return value.startsWith("-") && value !== "-" && !/^-\d/.test(value);
}

/** Takes the capacity flags out of argv (`--slo X` and `--slo=X`); the rest are run flags. */
export function splitCapacityArgs(argv: readonly string[]): {
  flags: Map<string, string[]>;
  rest: string[];
  problems: ConfigProblem[];
} {
  const flags = new Map<string, string[]>();
  const rest: string[] = [];
  const problems: ConfigProblem[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (!CAPACITY_FLAGS.includes(name)) {
      rest.push(arg);
      continue;
    }
    let value: string | undefined;
    if (name !== arg) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !looksLikeFlag(argv[i + 1])) value = argv[++i];
    if (value === undefined) {
      problems.push({ field: name, value: undefined, allowed: "a value after the flag" });
      continue;
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, rest, problems };
}

/** The scenario file named in the run flags, when there is one and it loads; its problems come later. */
async function scenarioFileOf(runArgs: string[]): Promise<ScenarioFile | undefined> {
  const { scenarioArg } = parseRunArgs(runArgs);
  if (scenarioArg === undefined) return undefined;
  try {
    // Loaded only for a scenario file: it brings the YAML reader and the schema library (start-up).
    const { loadScenarioFile } = await import("../config/scenario-file.js");
    return await loadScenarioFile(await resolveScenarioPath(scenarioArg));
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
}

/** True when `cachestress run ARGS` names a scenario file with a `capacity:` section. */
export async function isCapacityRun(argv: readonly string[]): Promise<boolean> {
  const file = await scenarioFileOf(splitCapacityArgs(argv).rest);
  return file?.capacity !== undefined;
}

export async function resolveCapacity(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedCapacity> {
  const split = splitCapacityArgs(argv);
  const { flags, problems } = split;
  // Run flags the search sets itself are reported, and left out (with their value) of what is resolved.
  const rest: string[] = [];
  for (let i = 0; i < split.rest.length; i++) {
    const arg = split.rest[i];
    const name = arg.split("=")[0];
    if (SET_BY_SEARCH[name] === undefined) {
      rest.push(arg);
      continue;
    }
    const next = split.rest[i + 1];
    const value =
      name !== arg
        ? arg.slice(name.length + 1)
        : next !== undefined && !looksLikeFlag(next)
          ? next
          : undefined;
    if (name === arg && value !== undefined) i++;
    problems.push({ field: name, value, allowed: SET_BY_SEARCH[name] });
  }
  const flagInput = readCapacityFlags(flags, problems);
  const file = await scenarioFileOf(rest);
  const source = file !== undefined ? displayPath(file.path) : "";
  const fileInput =
    file?.capacity !== undefined ? readCapacitySection(file.capacity, source, problems) : undefined;
  const startRate = flagInput.values.startRate ?? fileInput?.values.startRate ?? CAPACITY_DEFAULTS.startRate;

  let config: RunConfig | undefined;
  let json = false;
  let debug = false;
  try {
    const resolved = await resolveRunConfig([...rest, "--rate", String(startRate)], env);
    if (resolved.help)
      return { config: resolved.config, search: defaultSearch(), json: false, debug: false, help: true };
    ({ config, json, debug } = resolved);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (config?.faults !== undefined)
    problems.push({
      field: "faults",
      value: "(a faults: section)",
      allowed: "not with capacity: faults would repeat in every step",
    });
  if (config?.check !== undefined)
    problems.push({
      field: "check",
      value: "(a check: section)",
      allowed: "not with capacity: run the check with cachestress run",
    });
  // --time-scale shortens the file's step duration like every other duration of the file (a flag's stays as typed).
  const timeScale = config?.timeScale ?? 1;
  const fileStepMs = fileInput?.values.stepDuration;
  if (fileStepMs !== undefined && timeScale !== 1) {
    fileInput!.values.stepDuration = Math.max(1, Math.round(fileStepMs * timeScale));
  }
  const sent = config?.commands.map((c) => c.name) ?? ["SET", "GET"];
  const search = buildSearchOptions(
    fileInput !== undefined ? { input: fileInput, source } : undefined,
    flagInput,
    sent,
    problems,
  );
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
  return { config, search, json, debug, help: false };
}

function defaultSearch(): CapacitySearchOptions {
  return buildSearchOptions(undefined, { values: {} }, ["SET", "GET"], []);
}
