import type { CapacitySearchOptions } from "./search-options.js";

/**
 * The search strategy, as a pure function of the steps so far: grow the rate (×factor or +stepRate)
 * from the start rate until a step fails, then bisect between the last good and the first bad rate
 * until the bracket is within the precision. Every call ends in a rate to run next or a reason to
 * stop; `maxSteps` bounds the whole search, growing and bisecting together.
 *
 * It assumes what a capacity search has to assume: a server that meets the SLO at some rate also
 * meets it at every lower rate. Bisecting only ever asks for rates strictly between the two bounds,
 * so a noisy step moves a bound but can never make the bracket inconsistent.
 */

export type StepPhase = "grow" | "bisect";

/** What the plan needs from a finished step. */
export interface JudgedRate {
  askedRate: number;
  passed: boolean;
}

export type SearchEnd =
  /** The start rate already broke the SLO: no capacity can be reported. */
  | "failed-at-start"
  /** Bracketed: last good and first bad are within the precision (or adjacent rates). */
  | "bracketed"
  /** Every step up to --max-rate passed: the capacity is at least --max-rate. */
  | "max-rate"
  /** The step budget ran out first. */
  | "max-steps";

export type NextStep = { rate: number; phase: StepPhase } | { end: SearchEnd };

/** Last good and first bad rate of the steps so far (undefined when there is none yet). */
export function bracketOf(steps: readonly JudgedRate[]): { lastGood?: number; firstBad?: number } {
  let lastGood: number | undefined;
  let firstBad: number | undefined;
  for (const s of steps) {
    if (s.passed) lastGood = Math.max(lastGood ?? s.askedRate, s.askedRate);
    else firstBad = Math.min(firstBad ?? s.askedRate, s.askedRate);
  }
  return { lastGood, firstBad };
}

export function nextStep(steps: readonly JudgedRate[], options: CapacitySearchOptions): NextStep {
  if (steps.length === 0) return { rate: options.startRate, phase: "grow" };
  const { lastGood, firstBad } = bracketOf(steps);
  if (lastGood === undefined) return { end: "failed-at-start" };
  if (firstBad === undefined) {
    if (options.maxRate !== undefined && lastGood >= options.maxRate) return { end: "max-rate" };
    if (steps.length >= options.maxSteps) return { end: "max-steps" };
    const grown = roundRate(
      options.growth.kind === "factor"
        ? lastGood * options.growth.factor
        : lastGood + options.growth.stepRate,
    );
    const rate = options.maxRate !== undefined ? Math.min(grown, options.maxRate) : grown;
    // A rate that rounding cannot raise any further (a tiny rate and factor): nothing more to learn.
    return rate > lastGood ? { rate, phase: "grow" } : { end: "max-steps" };
  }
  if (withinPrecision(lastGood, firstBad, options.precisionPercent)) return { end: "bracketed" };
  if (steps.length >= options.maxSteps) return { end: "max-steps" };
  const middle = roundRate((lastGood + firstBad) / 2);
  if (middle <= lastGood || middle >= firstBad) return { end: "bracketed" };
  return { rate: middle, phase: "bisect" };
}

/** True when the first bad rate is at most `precisionPercent` % above the last good one. */
export function withinPrecision(lastGood: number, firstBad: number, precisionPercent: number): boolean {
  return firstBad - lastGood <= (lastGood * precisionPercent) / 100;
}

/**
 * Rates in whole ops/s, so steps read well in a report (`3000`, not `2999.9999`); below 10 ops/s a
 * tenth is kept, since the rate grammar accepts slow rates such as 0.5 ops/s.
 */
export function roundRate(rate: number): number {
  return rate >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10;
}
