import type { ConfigProblem } from "../config/errors.js";
import { didYouMean } from "../config/errors.js";
import { allowedFor, durationRule, rateRule, type ValueRule, wholeNumber } from "../config/field-rules.js";
import { DEFAULT_SLO, sloProblems } from "./slo.js";

/**
 * How the capacity search is driven: where it starts, how it grows, how long each step lasts, when
 * it stops, and the SLO a step must meet. The same settings come from `--start-rate`-style flags or
 * from a scenario file's `capacity:` section (`startRate:`); a flag replaces the file's value.
 */
export interface CapacitySearchOptions {
  /** The first step's rate, ops/s. */
  startRate: number;
  /** Until the first failure each step multiplies the rate by `factor`, or adds `stepRate` ops/s. */
  growth: { kind: "factor"; factor: number } | { kind: "add"; stepRate: number };
  /** Measured length of each step, ms. */
  stepDurationMs: number;
  /** The rate is never raised above this, ops/s. */
  maxRate?: number;
  /** Steps in all (growing and bisecting): bounds the search's time. */
  maxSteps: number;
  /** Bisecting stops once (first bad − last good) ≤ this percentage of the last good rate. */
  precisionPercent: number;
  /** Threshold expressions (docs/thresholds.md) every passing step meets. */
  slo: string[];
}

export const CAPACITY_DEFAULTS = {
  startRate: 1000,
  stepFactor: 2,
  stepDurationMs: 10_000,
  maxSteps: 12,
  precisionPercent: 5,
} as const;

/** Above this a factor skips so much that bisecting does all the work; below 1 it would shrink. */
const MAX_FACTOR = 100;

const factorRule: ValueRule<number> = {
  allowed: `a number above 1 and at most ${MAX_FACTOR}, e.g. 2 or 1.5`,
  parse(raw) {
    const value = typeof raw === "string" && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : raw;
    return typeof value === "number" && value > 1 && value <= MAX_FACTOR ? value : undefined;
  },
};

const precisionRule: ValueRule<number> = {
  allowed: "a percentage above 0 and below 100, e.g. 5% (a bare number is a percentage too)",
  parse(raw) {
    const text = typeof raw === "number" ? String(raw) : raw;
    const match = typeof text === "string" ? /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%?\s*$/.exec(text) : null;
    const value = match === null ? Number.NaN : Number(match[1]);
    return value > 0 && value < 100 ? value : undefined;
  },
};

/** One setting: its file key, its flag, and the rule both are judged by. */
interface SettingSpec {
  key: "startRate" | "stepFactor" | "stepRate" | "stepDuration" | "maxRate" | "maxSteps" | "precision";
  flag: string;
  /** Placeholder for the value in help. */
  value: string;
  rule: ValueRule<number>;
  help: string;
  default?: string;
}

export const CAPACITY_SETTINGS: readonly SettingSpec[] = [
  {
    key: "startRate",
    flag: "--start-rate",
    value: "OPS",
    rule: rateRule(false),
    help: "rate of the first step, ops/s",
    default: String(CAPACITY_DEFAULTS.startRate),
  },
  {
    key: "stepFactor",
    flag: "--step-factor",
    value: "N",
    rule: factorRule,
    help: "until the first failure, multiply the rate by N each step",
    default: String(CAPACITY_DEFAULTS.stepFactor),
  },
  {
    key: "stepRate",
    flag: "--step-rate",
    value: "OPS",
    rule: rateRule(false),
    help: "until the first failure, add OPS each step instead of multiplying",
  },
  {
    key: "stepDuration",
    flag: "--step-duration",
    value: "DUR",
    rule: durationRule(false),
    help: "measured length of each step",
    default: "10s",
  },
  {
    key: "maxRate",
    flag: "--max-rate",
    value: "OPS",
    rule: rateRule(false),
    help: "never ask for more than this, ops/s",
  },
  {
    key: "maxSteps",
    flag: "--max-steps",
    value: "N",
    rule: wholeNumber(1, 100),
    help: "steps in all, growing and bisecting",
    default: String(CAPACITY_DEFAULTS.maxSteps),
  },
  {
    key: "precision",
    flag: "--precision",
    value: "PCT",
    rule: precisionRule,
    help: "stop bisecting once the bracket is within this % of the last good rate",
    default: `${CAPACITY_DEFAULTS.precisionPercent}%`,
  },
];

/** The file keys of a `capacity:` section. */
export const CAPACITY_FILE_KEYS = [...CAPACITY_SETTINGS.map((s) => s.key), "slo"];

/** What one source said: settings already parsed, SLO expressions as written. */
export interface CapacityInput {
  values: Partial<Record<SettingSpec["key"], number>>;
  slo?: string[];
}

/**
 * A scenario file's `capacity:` section → CapacityInput, with every problem named by its path
 * (`capacity.stepFactor`) and the file it came from.
 */
export function readCapacitySection(
  section: Record<string, unknown>,
  source: string,
  problems: ConfigProblem[],
): CapacityInput {
  const input: CapacityInput = { values: {} };
  for (const [key, raw] of Object.entries(section)) {
    const field = `capacity.${key}`;
    if (key === "slo") {
      if (!Array.isArray(raw) || raw.some((e) => typeof e !== "string")) {
        problems.push({
          field,
          value: raw,
          allowed: 'a list of expressions, e.g. ["p(99)<10ms", "errors<1%"]',
          source,
        });
      } else input.slo = raw as string[];
      continue;
    }
    const spec = CAPACITY_SETTINGS.find((s) => s.key === key);
    if (spec === undefined) {
      const guess = didYouMean(key, CAPACITY_FILE_KEYS);
      const allowed = guess
        ? `a known field (did you mean ${guess}?)`
        : `a known field: ${CAPACITY_FILE_KEYS.join(", ")}`;
      problems.push({ field, value: raw, allowed, source });
      continue;
    }
    const value = spec.rule.parse(raw);
    if (value === undefined)
      problems.push({ field, value: raw, allowed: allowedFor(spec.rule, raw), source });
    else input.values[spec.key] = value;
  }
  return input;
}

/** Flags as strings (`--start-rate` → ["500"]) → CapacityInput; a repeated setting keeps its last value. */
export function readCapacityFlags(
  flags: ReadonlyMap<string, string[]>,
  problems: ConfigProblem[],
): CapacityInput {
  const input: CapacityInput = { values: {} };
  for (const spec of CAPACITY_SETTINGS) {
    const given = flags.get(spec.flag);
    if (given === undefined) continue;
    const raw = given[given.length - 1];
    const value = spec.rule.parse(raw);
    if (value === undefined)
      problems.push({ field: spec.flag, value: raw, allowed: allowedFor(spec.rule, raw) });
    else input.values[spec.key] = value;
  }
  const slo = flags.get("--slo");
  if (slo !== undefined) input.slo = slo;
  return input;
}

/**
 * The search options from the file's section and the flags (flags win, setting by setting; `--slo`
 * replaces the file's whole list; `--step-rate` or `--step-factor` replaces the file's way of
 * growing), with the defaults for the rest. `sent` names the commands the run sends, for `{cmd:X}`.
 */
export function buildSearchOptions(
  file: { input: CapacityInput; source: string } | undefined,
  flags: CapacityInput,
  sent: readonly string[],
  problems: ConfigProblem[],
): CapacitySearchOptions {
  const fromFile = { ...file?.input.values };
  const where = (key: SettingSpec["key"]): Pick<ConfigProblem, "field" | "source"> =>
    key in flags.values || file === undefined
      ? { field: CAPACITY_SETTINGS.find((s) => s.key === key)!.flag }
      : { field: `capacity.${key}`, source: file.source };
  if (fromFile.stepFactor !== undefined && fromFile.stepRate !== undefined) {
    problems.push({
      field: "capacity.stepRate",
      value: fromFile.stepRate,
      allowed: "either stepFactor or stepRate, not both",
      source: file!.source,
    });
  }
  if (flags.values.stepFactor !== undefined && flags.values.stepRate !== undefined) {
    problems.push({
      field: "--step-rate",
      value: flags.values.stepRate,
      allowed: "either --step-factor or --step-rate, not both",
    });
  }
  if (flags.values.stepFactor !== undefined || flags.values.stepRate !== undefined) {
    delete fromFile.stepFactor;
    delete fromFile.stepRate;
  }
  const v = { ...fromFile, ...flags.values };
  const startRate = v.startRate ?? CAPACITY_DEFAULTS.startRate;
  if (v.maxRate !== undefined && v.maxRate < startRate) {
    problems.push({
      ...where("maxRate"),
      value: v.maxRate,
      allowed: `at least the start rate (${startRate} ops/s)`,
    });
  }
  const slo = flags.slo ?? file?.input.slo ?? [...DEFAULT_SLO];
  const sloField = flags.slo !== undefined || file?.input.slo === undefined ? "--slo" : "capacity.slo";
  const sloSource = sloField === "--slo" ? undefined : file?.source;
  for (const p of sloProblems(slo, sent, sloField))
    problems.push(sloSource ? { ...p, source: sloSource } : p);
  const options: CapacitySearchOptions = {
    startRate,
    growth:
      v.stepRate !== undefined
        ? { kind: "add", stepRate: v.stepRate }
        : { kind: "factor", factor: v.stepFactor ?? CAPACITY_DEFAULTS.stepFactor },
    stepDurationMs: v.stepDuration ?? CAPACITY_DEFAULTS.stepDurationMs,
    maxSteps: v.maxSteps ?? CAPACITY_DEFAULTS.maxSteps,
    precisionPercent: v.precision ?? CAPACITY_DEFAULTS.precisionPercent,
    slo,
  };
  if (v.maxRate !== undefined) options.maxRate = v.maxRate;
  return options;
}
