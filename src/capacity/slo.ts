import type { ConfigProblem } from "../config/errors.js";
import { isThresholdProblem, parseThreshold } from "../config/threshold-grammar.js";

/**
 * The service-level objective a capacity step must meet, written in the threshold grammar of
 * docs/thresholds.md (`p(99)<10ms`, `errors<1%`). Each step is a normal run whose thresholds are the
 * SLO, so a step is judged by exactly the evaluator that judges `cachestress run`.
 */

/** p99 under 10 ms and fewer than 1 % errors: what "this cache is fine" means for most apps. */
export const DEFAULT_SLO: readonly string[] = ["p(99)<10ms", "errors<1%"];

/**
 * Every problem with a list of SLO expressions, named `field[i]` (`--slo[1]`, `capacity.slo[0]`):
 * an empty list, an expression outside the grammar, or `{cmd:X}` for a command the run never sends.
 */
export function sloProblems(slo: readonly string[], sent: readonly string[], field: string): ConfigProblem[] {
  if (slo.length === 0) {
    return [{ field, value: [], allowed: "at least one expression, e.g. p(99)<10ms" }];
  }
  const problems: ConfigProblem[] = [];
  for (const [i, expr] of slo.entries()) {
    const name = slo.length === 1 && field === "--slo" ? field : `${field}[${i}]`;
    const parsed = parseThreshold(expr);
    if (isThresholdProblem(parsed)) {
      problems.push({ field: name, value: expr, allowed: parsed.allowed });
    } else if (parsed.cmd !== undefined && !sent.includes(parsed.cmd)) {
      problems.push({ field: name, value: expr, allowed: `a command this run sends: ${sent.join(", ")}` });
    }
  }
  return problems;
}

/** The SLO plus any run thresholds (`--threshold`, a file's `thresholds:`) it does not already hold. */
export function stepThresholds(slo: readonly string[], runThresholds: readonly string[]): string[] {
  return [...slo, ...runThresholds.filter((t) => !slo.includes(t))];
}
