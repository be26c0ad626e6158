import type { ConfigProblem } from "../config/errors.js";
import {
  compareThreshold,
  isLatencyMetric,
  isThresholdProblem,
  type ParsedThreshold,
  parseThreshold,
} from "../config/threshold-grammar.js";
import type { ThresholdOutcome } from "./result-types.js";

/**
 * What a threshold can ask about a finished (or running) measurement. Latencies are milliseconds;
 * `ops` counts every operation that completed or failed, so it already includes `errors`.
 * A command that ran nothing answers 0 everywhere.
 */
export interface ThresholdSource {
  percentileMs(p: number, cmd?: string): number;
  meanMs(cmd?: string): number;
  maxMs(cmd?: string): number;
  minMs(cmd?: string): number;
  ops(cmd?: string): number;
  errors(cmd?: string): number;
  timeouts(): number;
  opsPerSec(cmd?: string): number;
  /** Percent of the measured time with successful replies (src/measure/availability.ts). */
  availabilityPercent(): number;
}

const MS_TO_UNIT = { us: 1000, ms: 1, s: 0.001 } as const;

/**
 * Evaluates each expression against the source. `actual` is in the expression's own unit (`0.5s`
 * → seconds, `500ms` → ms, `%` → percent), so a report can print it beside the limit unchanged.
 *
 * Two cases fail on purpose rather than pass vacuously:
 * - a latency threshold over no operations (a run that did nothing has no latency to be proud of),
 *   and any threshold with `{cmd:X}` where X ran no operations (most likely a misspelt command):
 *   ok = false, actual = 0;
 * - an expression that does not parse (config validation should have caught it): ok = false,
 *   actual = NaN.
 */
export function evaluateThresholds(exprs: readonly string[], source: ThresholdSource): ThresholdOutcome[] {
  return exprs.map((expression) => {
    const parsed = parseThresholdForEval(expression);
    if (parsed === undefined) return { expression, actual: Number.NaN, ok: false };
    const ops = source.ops(parsed.cmd);
    if (ops === 0 && (parsed.cmd !== undefined || isLatencyMetric(parsed.metric))) {
      return { expression, actual: 0, ok: false };
    }
    const actual = actualValue(parsed, source, ops);
    return {
      expression,
      actual,
      ok: !Number.isNaN(actual) && compareThreshold(actual, parsed.op, parsed.value),
    };
  });
}

function parseThresholdForEval(expression: string): ParsedThreshold | undefined {
  const parsed = parseThresholdCached(expression);
  return isThresholdProblem(parsed) ? undefined : parsed;
}

// Live alerting evaluates the same few expressions every second; parse each once.
const parsedCache = new Map<string, ParsedThreshold | ConfigProblem>();

function parseThresholdCached(expression: string): ParsedThreshold | ConfigProblem {
  let parsed = parsedCache.get(expression);
  if (parsed === undefined) {
    parsed = parseThreshold(expression);
    parsedCache.set(expression, parsed);
  }
  return parsed;
}

function actualValue(t: ParsedThreshold, source: ThresholdSource, ops: number): number {
  switch (t.metric) {
    case "percentile":
    case "med":
      return latencyIn(t, source.percentileMs(t.percentile!, t.cmd));
    case "avg":
      return latencyIn(t, source.meanMs(t.cmd));
    case "min":
      return latencyIn(t, source.minMs(t.cmd));
    case "max":
      return latencyIn(t, source.maxMs(t.cmd));
    case "errors":
      return countOrPercent(t, source.errors(t.cmd), ops);
    case "timeouts":
      return countOrPercent(t, source.timeouts(), ops);
    case "ops":
      return ops;
    case "rps":
      return source.opsPerSec(t.cmd);
    case "availability":
      return source.availabilityPercent();
  }
}

function latencyIn(t: ParsedThreshold, ms: number): number {
  return ms * MS_TO_UNIT[t.unit as keyof typeof MS_TO_UNIT];
}

/** With no operations the error rate is 0 %: nothing failed. */
function countOrPercent(t: ParsedThreshold, count: number, ops: number): number {
  if (t.unit !== "%") return count;
  return ops === 0 ? 0 : (count / ops) * 100;
}
