import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluateThresholds, type ThresholdSource } from "../../../src/result/thresholds.js";

/** 1000 operations: 900 GET (5 errors), 100 SET (5 errors); 10 timeouts; 20 s run. */
const source: ThresholdSource = {
  percentileMs: (p, cmd) => (cmd === "SET" ? 2 : cmd === "GET" ? 1 : 0) * (p >= 99 ? 10 : p >= 50 ? 1 : 0.5),
  meanMs: (cmd) => (cmd === "SET" ? 3 : 1.5),
  maxMs: () => 250,
  minMs: () => 0.1,
  ops: (cmd) => (cmd === undefined ? 1000 : cmd === "GET" ? 900 : cmd === "SET" ? 100 : 0),
  errors: (cmd) => (cmd === undefined ? 10 : cmd === "GET" || cmd === "SET" ? 5 : 0),
  timeouts: () => 10,
  opsPerSec: (cmd) => (cmd === undefined ? 50 : cmd === "GET" ? 45 : 5),
  availabilityPercent: () => 99.5,
};

test("each expression is compared in its own unit", () => {
  const cases: [string, number, boolean][] = [
    ["p(99)<500ms", 0, true],
    ["p(99){cmd:GET}<500ms", 10, true],
    ["p(99){cmd:SET}<15", 20, false],
    ["p(99){cmd:SET}<0.5s", 0.02, true],
    ["p(99.9){cmd:get}<=20000us", 10_000, true],
    ["med{cmd:GET}==1", 1, true],
    ["avg<2", 1.5, true],
    ["avg{cmd:SET}<2", 3, false],
    ["max<=250", 250, true],
    ["max<0.2s", 0.25, false],
    ["min>=0.1ms", 0.1, true],
    ["errors<1%", 1, false],
    ["errors<=1%", 1, true],
    ["errors{cmd:SET}<1%", 5, false],
    ["errors{cmd:GET}<1%", (5 / 900) * 100, true],
    ["errors<20", 10, true],
    ["timeouts<5%", 1, true],
    ["timeouts==10", 10, true],
    ["ops>=1000", 1000, true],
    ["ops{cmd:SET}>100", 100, false],
    ["rps>40", 50, true],
    ["opsPerSec{cmd:SET}>=10", 5, false],
    ["p(99){cmd:DEL}<500", 0, false],
    ["errors{cmd:DEL}<1", 0, false],
    ["availability>99.9%", 99.5, false],
    ["availability>=99%", 99.5, true],
  ];
  const outcomes = evaluateThresholds(
    cases.map(([expr]) => expr),
    source,
  );
  for (const [i, [expression, actual, ok]] of cases.entries()) {
    assert.equal(outcomes[i].expression, expression);
    if (expression !== "p(99)<500ms")
      assert.ok(Math.abs(outcomes[i].actual - actual) < 1e-9, `${expression}: ${outcomes[i].actual}`);
    assert.equal(outcomes[i].ok, ok, expression);
  }
});

test("no operations: latency fails, error rate is 0 %, counts are 0", () => {
  const empty: ThresholdSource = {
    percentileMs: () => 0,
    meanMs: () => 0,
    maxMs: () => 0,
    minMs: () => 0,
    ops: () => 0,
    errors: () => 0,
    timeouts: () => 0,
    opsPerSec: () => 0,
    availabilityPercent: () => 0,
  };
  assert.deepEqual(
    evaluateThresholds(["p(99)<500ms", "errors<1%", "timeouts<5%", "ops>0", "nonsense"], empty),
    [
      { expression: "p(99)<500ms", actual: 0, ok: false },
      { expression: "errors<1%", actual: 0, ok: true },
      { expression: "timeouts<5%", actual: 0, ok: true },
      { expression: "ops>0", actual: 0, ok: false },
      { expression: "nonsense", actual: Number.NaN, ok: false },
    ],
  );
});
