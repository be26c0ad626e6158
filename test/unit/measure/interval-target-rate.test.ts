import assert from "node:assert/strict";
import { test } from "node:test";
import type { Stage } from "../../../src/config/types.js";
import { intervalTargetRate } from "../../../src/measure/interval-target-rate.js";

/** 200 ops/s, +200 every second, three seconds: 200, 400, 600. */
const STEPS: Stage[] = [{ kind: "step", durationMs: 3000, startRate: 200, stepRate: 200, stepEveryMs: 1000 }];

test("each one-second interval of a step profile reads its own step, not the next one", () => {
  const cases: [from: number, to: number, expected: number][] = [
    [0, 1000, 200],
    [1000, 2000, 400],
    [2000, 3000, 600],
    // A tick a few ms late still reads the interval's step.
    [0, 1004, 200],
    [1004, 2001, 400],
  ];
  for (const [from, to, expected] of cases) {
    assert.equal(intervalTargetRate(STEPS, from, to, 1, 3000), expected, `[${from}, ${to})`);
  }
});

test("the final interval, drain included, asks for nothing past the planned end", () => {
  // Ticks at 2.000 and the end at 3.003: the drain's 3 ms are not a 0 ops/s part of the mean.
  assert.equal(intervalTargetRate(STEPS, 2000, 3003, 1, 3000), 600);
});

test("a step inside an interval gives its time-weighted mean", () => {
  assert.equal(intervalTargetRate(STEPS, 500, 1500, 1, 3000), 300);
});

test("a constant rate reads the same over any interval, even an empty one", () => {
  const constant: Stage[] = [{ kind: "constant", durationMs: 5000, rate: 1234 }];
  assert.equal(intervalTargetRate(constant, 0, 1000, 1), 1234);
  assert.equal(intervalTargetRate(constant, 4000, 4000, 1), 1234);
});
