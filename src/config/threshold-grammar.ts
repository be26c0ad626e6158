import type { ConfigProblem } from "./errors.js";

/*
 * Threshold expressions, k6 style. The grammar (also in docs/thresholds.md):
 *
 *   threshold := metric [ "{" "cmd" ":" NAME "}" ] op number [ unit ]      (spaces allowed between parts)
 *   metric    := "p(" number ")" | "med" | "avg" | "min" | "max"       latency; unit us | ms | s, default ms
 *              | "errors" | "timeouts"                                with "%": share of operations, else a count
 *              | "ops"                                                a count, no unit
 *              | "rps" | "opsPerSec"                                  operations per second, no unit
 *              | "availability"                                       % of the measured time with successful replies; "%" required
 *   op        := "<" | "<=" | ">" | ">=" | "==" | "!="
 *   number    := digits [ "." digits ]                                p(N) needs 0 < N <= 100
 *
 * `{cmd:GET}` restricts the metric to one command (any case; stored upper-case). `timeouts` are counted
 * for the whole run only, so they take no `{cmd:...}`.
 */

export type ThresholdMetric =
  | "percentile"
  | "med"
  | "avg"
  | "min"
  | "max"
  | "errors"
  | "timeouts"
  | "ops"
  | "rps"
  | "availability";
export type ThresholdOp = "<" | "<=" | ">" | ">=" | "==" | "!=";
/** `count` and `ops/s` are what a number without a unit means for the count and rate metrics. */
export type ThresholdUnit = "us" | "ms" | "s" | "%" | "count" | "ops/s";

export interface ParsedThreshold {
  expression: string;
  metric: ThresholdMetric;
  /** The N of p(N), 0 < N <= 100; med is stored as percentile 50 with metric `med`. */
  percentile?: number;
  /** Upper-case command name when the expression has `{cmd:NAME}`. */
  cmd?: string;
  op: ThresholdOp;
  /** The limit, in `unit`. */
  value: number;
  unit: ThresholdUnit;
}

export const THRESHOLD_GRAMMAR =
  "metric[{cmd:NAME}] op value[unit], e.g. p(99)<500ms, avg{cmd:GET}<2, errors<1%, rps>=10000; " +
  "metrics p(N) med avg min max (latency, units us ms s, default ms), errors timeouts (with % a share of " +
  "operations, without a count), ops (a count), rps (ops/s), availability (% of the measured time with " +
  "successful replies, e.g. availability>99.9%); operators < <= > >= == !=";

const SHAPE =
  /^\s*([A-Za-z]+)\s*(?:\(\s*([^)]*?)\s*\))?\s*(?:\{\s*([^}]*?)\s*\})?\s*(<=|>=|==|!=|<|>)\s*(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z%]*)\s*$/;
const NUMBER = /^(\d+(?:\.\d+)?|\.\d+)$/;
const CMD = /^cmd\s*:\s*([A-Za-z][A-Za-z0-9_.-]*)$/i;
const LATENCY_UNITS = ["us", "ms", "s"];
const NAMED_METRICS: Record<string, ThresholdMetric> = {
  med: "med",
  avg: "avg",
  min: "min",
  max: "max",
  errors: "errors",
  timeouts: "timeouts",
  ops: "ops",
  rps: "rps",
  opspersec: "rps",
  availability: "availability",
};

export function isLatencyMetric(metric: ThresholdMetric): boolean {
  return (
    metric === "percentile" || metric === "med" || metric === "avg" || metric === "min" || metric === "max"
  );
}

/** A parsed threshold, or the problem with it (field `threshold`; callers rename it to the flag or file path). */
export function parseThreshold(expr: string): ParsedThreshold | ConfigProblem {
  const bad = (allowed: string): ConfigProblem => ({ field: "threshold", value: expr, allowed });
  if (typeof expr !== "string") return bad(THRESHOLD_GRAMMAR);
  const match = SHAPE.exec(expr);
  if (match === null) return bad(THRESHOLD_GRAMMAR);
  const [, name, argText, braceText, op, numberText, unitText] = match;

  let metric: ThresholdMetric;
  let percentile: number | undefined;
  if (name.toLowerCase() === "p") {
    const n = argText !== undefined && NUMBER.test(argText) ? Number(argText) : Number.NaN;
    if (!(n > 0 && n <= 100)) return bad("p(N) with N above 0 and at most 100, e.g. p(99) or p(99.9)");
    metric = "percentile";
    percentile = n;
  } else {
    const named = NAMED_METRICS[name.toLowerCase()];
    if (named === undefined || argText !== undefined) return bad(THRESHOLD_GRAMMAR);
    metric = named;
    if (metric === "med") percentile = 50;
  }

  let cmd: string | undefined;
  if (braceText !== undefined) {
    const cmdMatch = CMD.exec(braceText);
    if (cmdMatch === null) return bad("a command filter written {cmd:NAME}, e.g. p(99){cmd:GET}<5ms");
    if (metric === "timeouts") return bad("timeouts for the whole run, without {cmd:...}");
    if (metric === "availability") return bad("availability for the whole run, without {cmd:...}");
    cmd = cmdMatch[1].toUpperCase();
  }

  const unitLower = unitText.toLowerCase();
  let unit: ThresholdUnit;
  if (isLatencyMetric(metric)) {
    if (unitLower !== "" && !LATENCY_UNITS.includes(unitLower)) {
      return bad(`a latency limit in us, ms or s (ms when no unit is given), e.g. ${name}<500ms`);
    }
    unit = (unitLower || "ms") as ThresholdUnit;
  } else if (metric === "errors" || metric === "timeouts") {
    if (unitLower !== "" && unitLower !== "%")
      return bad(`${metric} as a percentage (${metric}<1%) or a count (${metric}<10)`);
    unit = unitLower === "%" ? "%" : "count";
  } else if (metric === "availability") {
    if (unitLower !== "%")
      return bad("availability as a percentage of the measured time, e.g. availability>99.9%");
    unit = "%";
  } else {
    if (unitLower !== "") return bad(`${metric} as a plain number without a unit, e.g. ${metric}>1000`);
    unit = metric === "ops" ? "count" : "ops/s";
  }

  const value = Number(numberText);
  if (unit === "%" && value > 100) return bad("a percentage from 0 to 100");
  const parsed: ParsedThreshold = { expression: expr, metric, op: op as ThresholdOp, value, unit };
  if (percentile !== undefined) parsed.percentile = percentile;
  if (cmd !== undefined) parsed.cmd = cmd;
  return parsed;
}

export function isThresholdProblem(result: ParsedThreshold | ConfigProblem): result is ConfigProblem {
  return "allowed" in result;
}

export function compareThreshold(actual: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case "<":
      return actual < limit;
    case "<=":
      return actual <= limit;
    case ">":
      return actual > limit;
    case ">=":
      return actual >= limit;
    case "==":
      return actual === limit;
    case "!=":
      return actual !== limit;
  }
}
