import { formatDurationMs } from "./duration.js";
import { durationRule, rateRule, type ValueRule } from "./field-rules.js";
import type { Stage } from "./types.js";

/**
 * The fields of each load-profile stage kind, their defaults and the checks between them. Scenario
 * files name these fields directly (`burstEvery: 10s`); the `--profile` flags fill the same fields,
 * so a profile from flags and one from a file are built and checked by the same code.
 */

export type StageKind = Stage["kind"];
export const STAGE_KINDS: readonly StageKind[] = ["constant", "ramp", "step", "burst", "wave", "chaos"];

export interface StageFieldSpec {
  /** The field name in a scenario file. Duration fields hold milliseconds once parsed. */
  key: string;
  rule: ValueRule<number>;
  required: boolean;
  /** What an absent optional field becomes, in words (for docs and help). */
  defaultText?: string;
}

const multiplierRule: ValueRule<number> = {
  allowed: "a number above 0 and at most 1000, e.g. 5 for five times the base rate",
  parse(raw) {
    const value =
      typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
    return Number.isFinite(value) && value > 0 && value <= 1000 ? value : undefined;
  },
};

const stageRate = rateRule(true);
const positiveRate = rateRule(false);
const period = durationRule(false);

export const STAGE_DURATION_RULE = durationRule(false);

export const STAGE_FIELDS: Record<StageKind, readonly StageFieldSpec[]> = {
  constant: [{ key: "rate", rule: stageRate, required: true }],
  ramp: [
    { key: "fromRate", rule: stageRate, required: true },
    { key: "toRate", rule: stageRate, required: true },
  ],
  step: [
    { key: "startRate", rule: stageRate, required: true },
    { key: "stepRate", rule: positiveRate, required: false, defaultText: "startRate" },
    { key: "stepEvery", rule: period, required: false, defaultText: "10s" },
    { key: "maxRate", rule: positiveRate, required: false, defaultText: "no limit" },
  ],
  burst: [
    { key: "baseRate", rule: stageRate, required: true },
    { key: "multiplier", rule: multiplierRule, required: false, defaultText: "5" },
    { key: "burstEvery", rule: period, required: false, defaultText: "10s" },
    { key: "burstDuration", rule: period, required: false, defaultText: "2s" },
  ],
  wave: [
    { key: "baseRate", rule: stageRate, required: true },
    { key: "amplitude", rule: stageRate, required: false, defaultText: "baseRate / 2" },
    { key: "period", rule: period, required: false, defaultText: "10s" },
  ],
  chaos: [
    { key: "minRate", rule: stageRate, required: true },
    { key: "maxRate", rule: stageRate, required: true },
    { key: "changeEvery", rule: period, required: false, defaultText: "1s" },
  ],
};

/** Parsed stage fields by file name; durations in ms. Required fields must be present. */
export type StageValues = Record<string, number | undefined>;

export function buildStage(kind: StageKind, durationMs: number, v: StageValues): Stage {
  const get = (key: string, fallback: number): number => v[key] ?? fallback;
  switch (kind) {
    case "constant":
      return { kind, durationMs, rate: get("rate", 0) };
    case "ramp":
      return { kind, durationMs, fromRate: get("fromRate", 0), toRate: get("toRate", 0) };
    case "step": {
      const startRate = get("startRate", 0);
      const stage: Stage = {
        kind,
        durationMs,
        startRate,
        stepRate: get("stepRate", startRate),
        stepEveryMs: get("stepEvery", 10_000),
      };
      if (v["maxRate"] !== undefined) stage.maxRate = v["maxRate"];
      return stage;
    }
    case "burst":
      return {
        kind,
        durationMs,
        baseRate: get("baseRate", 0),
        multiplier: get("multiplier", 5),
        burstEveryMs: get("burstEvery", 10_000),
        burstMs: get("burstDuration", 2_000),
      };
    case "wave": {
      const baseRate = get("baseRate", 0);
      return {
        kind,
        durationMs,
        baseRate,
        amplitude: get("amplitude", baseRate / 2),
        periodMs: get("period", 10_000),
      };
    }
    case "chaos":
      return {
        kind,
        durationMs,
        minRate: get("minRate", 0),
        maxRate: get("maxRate", 0),
        changeEveryMs: get("changeEvery", 1_000),
      };
  }
}

export interface StageProblem {
  /** The file field at fault. */
  key: string;
  value: unknown;
  allowed: string;
}

/** Checks between the fields of one stage, after each field passed its own rule. */
export function stageProblems(stage: Stage): StageProblem[] {
  const problems: StageProblem[] = [];
  switch (stage.kind) {
    case "step":
      if (stage.stepRate <= 0) {
        problems.push({
          key: "stepRate",
          value: stage.stepRate,
          allowed: "a rate above 0 (it defaults to startRate)",
        });
      }
      if (stage.maxRate !== undefined && stage.maxRate < stage.startRate) {
        problems.push({
          key: "maxRate",
          value: stage.maxRate,
          allowed: `at least startRate (${stage.startRate})`,
        });
      }
      break;
    case "burst":
      if (stage.burstMs >= stage.burstEveryMs) {
        problems.push({
          key: "burstDuration",
          value: formatDurationMs(stage.burstMs),
          allowed: `shorter than burstEvery (${formatDurationMs(stage.burstEveryMs)})`,
        });
      }
      break;
    case "chaos":
      if (stage.maxRate < stage.minRate) {
        problems.push({
          key: "maxRate",
          value: stage.maxRate,
          allowed: `at least minRate (${stage.minRate})`,
        });
      }
      break;
    default:
      break;
  }
  return problems;
}
