import { readFile } from "node:fs/promises";
import { basename, dirname, extname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { parseCommandTemplate } from "./command-template.js";
import { ConfigError, type ConfigProblem, didYouMean, formatPath } from "./errors.js";
import { allowedFor, booleanRule, type RunInput, redactUrl, rules, type ValueRule } from "./field-rules.js";
import { displayPath } from "./scenario-paths.js";
import { SETTINGS } from "./settings.js";
import { buildStage, STAGE_DURATION_RULE, STAGE_FIELDS, STAGE_KINDS, stageProblems } from "./stage-rules.js";
import type { CommandWeight, Stage } from "./types.js";
import {
  CRASH_ZONE_NAME,
  crashZoneRule,
  ZONE_NAMES,
  type ZoneBand,
  type ZoneName,
  zoneBandRule,
  zoneBandsByMetric,
} from "./zone-rules.js";

/**
 * Scenario files (YAML or JSON; the `yaml` package reads both). Every mistake in a file is reported
 * at once with its path (`stages[2].duration`), the value found and what is allowed. The format is
 * documented in docs/scenario-file.md.
 */

export interface ScenarioFile {
  /** The file as read. */
  path: string;
  /** `name` from the file, else the file name without its extension. */
  name: string;
  description?: string;
  /** The file's settings in RunConfig units (ms, bytes, ops/s). */
  input: RunInput;
  /** The file field each RunInput field came from (`durationMs` → `duration`), to name it in problems. */
  fields: Partial<Record<keyof RunInput, string>>;
  /** The `capacity:` section as written (validated by src/capacity); not part of one run's config. */
  capacity?: Record<string, unknown>;
}

/** A zod field judged by a shared ValueRule, so a file and a flag are explained in the same words. */
function field<T>(rule: ValueRule<T>, required = false) {
  return z
    .unknown()
    .optional()
    .transform((raw, ctx): T | undefined => {
      if (raw === undefined) {
        if (required) ctx.addIssue({ code: "custom", message: `${rule.allowed} (required)` });
        return undefined;
      }
      const value = rule.parse(raw);
      if (value === undefined) {
        ctx.addIssue({ code: "custom", message: allowedFor(rule, raw) });
        return z.NEVER;
      }
      return value;
    });
}

const STAGE_ALLOWED = `a stage: kind (${STAGE_KINDS.join(", ")}), duration and the kind's rate fields`;

const stageSchemas = STAGE_KINDS.map((kind) =>
  z
    .strictObject({
      kind: z.literal(kind),
      duration: field(STAGE_DURATION_RULE, true),
      ...Object.fromEntries(STAGE_FIELDS[kind].map((f) => [f.key, field(f.rule, f.required)])),
    })
    .transform((values, ctx): Stage => {
      const { duration, ...rest } = values as unknown as Record<string, number | undefined>;
      const stage = buildStage(kind, duration!, rest);
      for (const p of stageProblems(stage))
        ctx.addIssue({ code: "custom", path: [p.key], message: p.allowed, params: { value: p.value } });
      return stage;
    }),
);
type StageSchema = (typeof stageSchemas)[number];

const commandsSchema = z
  .array(
    z
      .strictObject({
        name: field(rules.commandName),
        cmd: field(rules.commandTemplate),
        weight: field(rules.commandWeight, true),
        label: field(rules.commandLabel),
      })
      // Per entry, so one entry's bad template does not hide another entry's mistake.
      .superRefine((c, ctx) => {
        if ((c.name === undefined) === (c.cmd === undefined))
          ctx.addIssue({
            code: "custom",
            message: "either name (SET or GET) or cmd (a template), one of them",
          });
        if (c.label !== undefined && c.cmd === undefined)
          ctx.addIssue({ code: "custom", path: ["label"], message: "a label only on a cmd entry" });
      }),
    { error: "a list of {name: SET|GET, weight: N} or {cmd: TEMPLATE, weight: N}" },
  )
  .min(1, { error: "at least one command" })
  .superRefine((commands, ctx) => {
    const names = commands.flatMap((c) => (c.name !== undefined ? [c.name] : []));
    if (new Set(names).size < names.length)
      ctx.addIssue({ code: "custom", message: "each of SET and GET once" });
    if (commands.every((c) => c.weight === 0)) ctx.addIssue({ code: "custom", message: "a weight above 0" });
  });

/** Script names are words; the sources are Lua text, loaded with SCRIPT LOAD before the run. */
const scriptsSchema = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), z.string().min(1).max(100_000), {
    error: "a mapping of script names (letters, digits, . _ -) to Lua source text",
  })
  .optional();

/** File fields validated by a schema of their own rather than by their row's rule alone. */
const SECTION_SCHEMAS: Record<string, z.ZodType> = {
  stages: z
    .array(
      z.discriminatedUnion("kind", stageSchemas as [StageSchema, ...StageSchema[]], { error: STAGE_ALLOWED }),
      {
        error: "a list of stages",
      },
    )
    .min(1, { error: "at least one stage" })
    .optional(),
  commands: commandsSchema.optional(),
  scripts: scriptsSchema,
  thresholds: z
    .array(field(rules.threshold, true), { error: 'a list of thresholds, e.g. ["p(99)<500ms", "errors<1%"]' })
    .optional(),
  // Validated in full by src/alerts when the run resolves; here only its shape.
  alerts: z.record(z.string(), z.unknown(), { error: "a mapping with rules: and notify:" }).optional(),
  // Validated in full by src/faults when the run resolves.
  faults: z.array(z.unknown(), { error: "a list of faults, e.g. - { at: 5s, kind: reset }" }).optional(),
  // Validated in full by src/scenario-checks when the run resolves.
  check: z.record(z.string(), z.unknown(), { error: "a mapping, e.g. { kind: integrity }" }).optional(),
  budget: z
    .strictObject(
      { maxCostUsd: field(rules.maxCostUsd), maxOps: field(rules.maxOps) },
      { error: "a mapping with maxCostUsd and/or maxOps" },
    )
    .optional(),
  // Risk-zone bands by zone name, each "STABLE/FAILURE" (docs/zones.md).
  zones: z
    .strictObject(
      {
        ...Object.fromEntries(
          (Object.keys(ZONE_NAMES) as ZoneName[]).map((name) => [name, field(zoneBandRule(name))]),
        ),
        [CRASH_ZONE_NAME]: field(crashZoneRule),
      },
      { error: 'a mapping of zone names to bands, e.g. { p99: "50ms/200ms", cpu: "60%/85%" }' },
    )
    .optional(),
  // Validated in full by src/capacity; `cachestress run` of a file with it runs the capacity search.
  capacity: z.record(z.string(), z.unknown(), { error: "a mapping, e.g. { startRate: 1000 }" }).optional(),
};

/** One field per settings row with a file key (src/config/settings.ts); on/off flags take true or false. */
const fileSchema = z.strictObject(
  Object.fromEntries(
    SETTINGS.flatMap((s) =>
      s.file === undefined ? [] : [[s.file, SECTION_SCHEMAS[s.file] ?? field(s.rule ?? booleanRule)]],
    ),
  ),
);

export const SCENARIO_FIELDS = Object.keys(fileSchema.shape);

/** Pairs that say the same thing twice; a file may hold one of each. */
const EXCLUSIVE: readonly [string, string, string][] = [
  ["duration", "stages", "not with stages: the run lasts as long as its stages"],
  ["requests", "stages", "not with stages: the run lasts as long as its stages"],
  ["requests", "duration", "either duration or requests, not both"],
  ["rate", "stages", "not with stages: give each stage its rate"],
  ["commands", "ratio", "either ratio or commands, not both"],
  ["dataSizeRange", "dataSize", "either dataSize or dataSizeRange, not both"],
];

export async function loadScenarioFile(path: string): Promise<ScenarioFile> {
  const source = displayPath(path);
  const fail = (problems: ConfigProblem[]) => new ConfigError(problems.map((p) => ({ ...p, source })));
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw fail([{ field: "file", value: path, allowed: `a readable YAML or JSON file (${reason})` }]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw fail(
      doc.errors.map((e) => ({
        field: e.linePos ? `line ${e.linePos[0].line}` : "file",
        value: e.linePos ? text.split("\n")[e.linePos[0].line - 1]?.trim() : undefined,
        allowed: `valid YAML or JSON (${e.message.split("\n")[0]})`,
      })),
    );
  }
  let raw: unknown;
  try {
    // An alias bomb (billion laughs) expands past maxAliasCount and throws: the file is refused.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw fail([
      {
        field: "file",
        value: path,
        allowed: `a YAML file without excessive aliases (${(error as Error).message.split("\n")[0]})`,
      },
    ]);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw fail([
      { field: "file", value: raw, allowed: "a mapping of fields such as name, duration, connections" },
    ]);
  }
  const data = raw as Record<string, unknown>;
  const parsed = fileSchema.safeParse(data);
  const problems = parsed.success ? [] : parsed.error.issues.flatMap((issue) => issueProblems(issue, data));
  for (const [a, b, allowed] of EXCLUSIVE) {
    if (data[a] !== undefined && data[b] !== undefined) problems.push({ field: a, value: data[a], allowed });
  }
  problems.push(...templateScriptProblems(data));
  if (problems.length > 0 || !parsed.success) throw fail(problems);
  return toScenarioFile(path, parsed.data as Record<string, unknown>);
}

/**
 * Each {script:NAME} of a cmd names one of the file's scripts. Read from the file as written, so it
 * is reported beside every other problem; a template with other mistakes is reported by its field.
 */
function templateScriptProblems(data: Record<string, unknown>): ConfigProblem[] {
  const scripts = data["scripts"];
  const names = typeof scripts === "object" && scripts !== null ? Object.keys(scripts) : [];
  const commands = Array.isArray(data["commands"]) ? (data["commands"] as unknown[]) : [];
  return commands.flatMap((c, i) => {
    const cmd = (c as { cmd?: unknown } | null)?.cmd;
    if (typeof cmd !== "string" || parseCommandTemplate(cmd).problems !== undefined) return [];
    const problems = parseCommandTemplate(cmd, names).problems ?? [];
    return problems.map((allowed) => ({ field: `commands[${i}].cmd`, value: cmd, allowed }));
  });
}

function toCommandWeight(c: { name?: string; cmd?: string; weight?: number; label?: string }): CommandWeight {
  if (c.cmd === undefined) return { name: c.name!, weight: c.weight! };
  const parsed = parseCommandTemplate(c.cmd);
  const name = parsed.problems === undefined ? parsed.template.name : c.cmd;
  return { name, weight: c.weight!, template: c.cmd, ...(c.label !== undefined && { label: c.label }) };
}

function issueProblems(issue: z.core.$ZodIssue, data: Record<string, unknown>): ConfigProblem[] {
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(issue.path, data);
    return issue.keys.map((key) => {
      const guess = didYouMean(key, known);
      const allowed = guess ? `a known field (did you mean ${guess}?)` : `a known field: ${known.join(", ")}`;
      return { field: formatPath([...issue.path, key]), value: valueAt(data, [...issue.path, key]), allowed };
    });
  }
  // A stage check may be about a default the file left out; then the default is the value to show.
  let value = valueAt(data, issue.path) ?? (issue.code === "custom" ? issue.params?.["value"] : undefined);
  let allowed = issue.message;
  if (issue.code === "invalid_union" && issue.path.at(-1) === "kind") {
    const guess = typeof value === "string" ? didYouMean(value, STAGE_KINDS) : undefined;
    allowed = `one of ${STAGE_KINDS.join(", ")}${guess ? ` (did you mean ${guess}?)` : ""}`;
  }
  if (issue.path[0] === "url") value = redactUrl(value);
  return [{ field: formatPath(issue.path), value, allowed }];
}

function knownKeysAt(path: readonly PropertyKey[], data: Record<string, unknown>): string[] {
  if (path.length === 0) return SCENARIO_FIELDS;
  if (path[0] === "commands") return ["name", "cmd", "weight", "label"];
  if (path[0] === "budget") return ["maxCostUsd", "maxOps"];
  if (path[0] === "zones") return Object.keys(ZONE_NAMES);
  const kind = valueAt(data, [...path, "kind"]) as (typeof STAGE_KINDS)[number];
  return ["kind", "duration", ...(STAGE_FIELDS[kind]?.map((f) => f.key) ?? [])];
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const part of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/** File fields that do not go to their row's key as they are. */
const OWN_MAPPING = new Set(["tlsCa", "tlsCert", "tlsKey", "tlsInsecure", "commands", "zones", "budget"]);

function toScenarioFile(path: string, f: Record<string, unknown>): ScenarioFile {
  const input: RunInput = {};
  const fields: ScenarioFile["fields"] = {};
  const put = <K extends keyof RunInput>(key: K, value: RunInput[K] | undefined, fileField: string) => {
    if (value === undefined) return;
    input[key] = value;
    fields[key] = fileField;
  };
  for (const s of SETTINGS) {
    if (s.file === undefined || OWN_MAPPING.has(s.file)) continue;
    if (s.key !== undefined) put(s.key as keyof RunInput, f[s.file] as never, s.file);
  }
  // A file's paths are relative to the file, so a scenario and its certificates can move together.
  const near = (file: unknown) => (typeof file === "string" ? resolve(dirname(path), file) : undefined);
  put("tlsCaFile", near(f["tlsCa"]), "tlsCa");
  put("tlsCertFile", near(f["tlsCert"]), "tlsCert");
  put("tlsKeyFile", near(f["tlsKey"]), "tlsKey");
  // Only `true` means anything; `tlsInsecure: false` is the default and stays out of the config.
  put("tlsInsecure", f["tlsInsecure"] === true ? true : undefined, "tlsInsecure");
  const commands = f["commands"] as Parameters<typeof toCommandWeight>[0][] | undefined;
  put("commands", commands?.filter((c) => c.weight! > 0).map(toCommandWeight), "commands");
  const range = f["dataSizeRange"] as [number, number] | undefined;
  const size = f["dataSize"] as number | undefined;
  const sizeField = range ? "dataSizeRange" : "dataSize";
  put("dataSizeMin", range?.[0] ?? size, sizeField);
  put("dataSizeMax", range?.[1] ?? size, sizeField);
  put("thresholds", f["thresholds"] as string[] | undefined, "thresholds");
  const zones = f["zones"] as Record<string, ZoneBand | undefined> | undefined;
  put("zones", zones && zoneBandsByMetric(zones), "zones");
  const budgetSection = f["budget"] as Record<string, number | undefined> | undefined;
  const budget =
    budgetSection && Object.fromEntries(Object.entries(budgetSection).filter(([, v]) => v !== undefined));
  put("budget", budget && Object.keys(budget).length > 0 ? budget : undefined, "budget");
  const name = (f["name"] as string | undefined) ?? basename(path, extname(path));
  const file: ScenarioFile = { path, name, input, fields };
  if (typeof f["description"] === "string") file.description = f["description"].trim();
  if (f["capacity"] !== undefined) file.capacity = f["capacity"] as Record<string, unknown>;
  return file;
}

// Moved to scenario-paths.ts (which loads neither yaml nor zod); re-exported for existing importers.
export {
  displayPath,
  listScenarioNames,
  packageRoot,
  resolveScenarioPath,
  scenariosDir,
} from "./scenario-paths.js";
