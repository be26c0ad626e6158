import assert from "node:assert/strict";
import { test } from "node:test";
import type { CapacitySearchOptions } from "../../../src/capacity/search-options.js";
import { type JudgedRate, nextStep, roundRate, withinPrecision } from "../../../src/capacity/search-plan.js";

function options(overrides: Partial<CapacitySearchOptions> = {}): CapacitySearchOptions {
  return {
    startRate: 1000,
    growth: { kind: "factor", factor: 2 },
    stepDurationMs: 10_000,
    maxSteps: 12,
    precisionPercent: 5,
    slo: ["p(99)<10ms"],
    ...overrides,
  };
}

/** Runs the plan against a server that meets the SLO exactly up to `capacity` ops/s. */
function search(capacity: number, opts: CapacitySearchOptions): { rates: number[]; end: string } {
  const steps: JudgedRate[] = [];
  for (let i = 0; i < 200; i++) {
    const next = nextStep(steps, opts);
    if ("end" in next) return { rates: steps.map((s) => s.askedRate), end: next.end };
    steps.push({ askedRate: next.rate, passed: next.rate <= capacity });
  }
  throw new Error("the plan did not end within 200 steps");
}

test("grows ×2 until the first failure, then bisects until the bracket is within the precision", () => {
  const cases: { capacity: number; opts?: Partial<CapacitySearchOptions>; rates: number[]; end: string }[] = [
    // 8000 passes, 16000 fails; bisecting ends at 8000..8250, 250 ops/s ≤ 5 % of 8000.
    {
      capacity: 8100,
      rates: [1000, 2000, 4000, 8000, 16000, 12000, 10000, 9000, 8500, 8250],
      end: "bracketed",
    },
    { capacity: 11000, rates: [1000, 2000, 4000, 8000, 16000, 12000, 10000, 11000, 11500], end: "bracketed" },
    { capacity: 500, rates: [1000], end: "failed-at-start" },
    // Never fails: the step budget ends it.
    { capacity: 1e9, opts: { maxSteps: 4 }, rates: [1000, 2000, 4000, 8000], end: "max-steps" },
    // --max-rate clamps the last growing step to exactly the maximum.
    { capacity: 1e9, opts: { maxRate: 5000 }, rates: [1000, 2000, 4000, 5000], end: "max-rate" },
    {
      capacity: 4500,
      opts: { maxRate: 5000 },
      rates: [1000, 2000, 4000, 5000, 4500, 4750, 4625],
      end: "bracketed",
    },
    // Additive growth.
    {
      capacity: 3500,
      opts: { growth: { kind: "add", stepRate: 1000 } },
      rates: [1000, 2000, 3000, 4000, 3500, 3750, 3625],
      end: "bracketed",
    },
    // The step budget also bounds bisecting.
    {
      capacity: 8100,
      opts: { maxSteps: 6 },
      rates: [1000, 2000, 4000, 8000, 16000, 12000],
      end: "max-steps",
    },
    // A coarse precision stops after one bisection: 3000..4000 is within 99 % of 3000.
    { capacity: 3000, opts: { precisionPercent: 99 }, rates: [1000, 2000, 4000, 3000], end: "bracketed" },
  ];
  for (const c of cases) {
    const got = search(c.capacity, options(c.opts));
    assert.deepEqual(got, { rates: c.rates, end: c.end }, `capacity ${c.capacity} ${JSON.stringify(c.opts)}`);
  }
});

test("the bracket always holds the capacity, and the last good rate is within the precision when bracketed", () => {
  for (const capacity of [1000, 1234, 5999, 6000, 6001, 77_777, 1_000_000]) {
    const opts = options({ maxSteps: 100 });
    const steps: JudgedRate[] = [];
    let end = "";
    while (end === "") {
      const next = nextStep(steps, opts);
      if ("end" in next) end = next.end;
      else steps.push({ askedRate: next.rate, passed: next.rate <= capacity });
    }
    const good = Math.max(...steps.filter((s) => s.passed).map((s) => s.askedRate));
    const bad = Math.min(...steps.filter((s) => !s.passed).map((s) => s.askedRate));
    assert.equal(end, "bracketed", `capacity ${capacity}`);
    assert.ok(good <= capacity && capacity < bad, `capacity ${capacity}: ${good}..${bad}`);
    assert.ok(withinPrecision(good, bad, 5) || bad - good <= 1, `capacity ${capacity}: ${good}..${bad}`);
  }
});

test("rates are whole ops/s, with a tenth kept below 10 ops/s", () => {
  const cases: [number, number][] = [
    [2999.6, 3000],
    [1500.4, 1500],
    [7.25, 7.3],
    [0.55, 0.6],
  ];
  for (const [raw, rounded] of cases) assert.equal(roundRate(raw), rounded, String(raw));
  assert.deepEqual(
    nextStep(
      [{ askedRate: 1, passed: true }],
      options({ startRate: 1, growth: { kind: "factor", factor: 1.5 } }),
    ),
    {
      rate: 1.5,
      phase: "grow",
    },
  );
});
