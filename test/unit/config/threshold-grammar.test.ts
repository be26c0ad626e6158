import assert from "node:assert/strict";
import { test } from "node:test";
import { isThresholdProblem, parseThreshold } from "../../../src/config/threshold-grammar.js";

test("valid threshold expressions parse to metric, command, operator, value and unit", () => {
  const cases: [string, object][] = [
    ["p(99)<500ms", { metric: "percentile", percentile: 99, op: "<", value: 500, unit: "ms" }],
    ["p(99.9) <= 1s", { metric: "percentile", percentile: 99.9, op: "<=", value: 1, unit: "s" }],
    ["p(100)<250us", { metric: "percentile", percentile: 100, op: "<", value: 250, unit: "us" }],
    ["p(50)<2", { metric: "percentile", percentile: 50, op: "<", value: 2, unit: "ms" }],
    ["med<1", { metric: "med", percentile: 50, op: "<", value: 1, unit: "ms" }],
    ["avg{cmd:get}<2ms", { metric: "avg", cmd: "GET", op: "<", value: 2, unit: "ms" }],
    ["  max { cmd : SET } < 0.5s ", { metric: "max", cmd: "SET", op: "<", value: 0.5, unit: "s" }],
    ["min>=0", { metric: "min", op: ">=", value: 0, unit: "ms" }],
    ["errors<1%", { metric: "errors", op: "<", value: 1, unit: "%" }],
    ["errors==0", { metric: "errors", op: "==", value: 0, unit: "count" }],
    ["errors{cmd:GET}<0.5%", { metric: "errors", cmd: "GET", op: "<", value: 0.5, unit: "%" }],
    ["timeouts<5%", { metric: "timeouts", op: "<", value: 5, unit: "%" }],
    ["timeouts!=3", { metric: "timeouts", op: "!=", value: 3, unit: "count" }],
    ["ops>1000", { metric: "ops", op: ">", value: 1000, unit: "count" }],
    ["rps>=10000", { metric: "rps", op: ">=", value: 10000, unit: "ops/s" }],
    ["opsPerSec{cmd:SET}>100", { metric: "rps", cmd: "SET", op: ">", value: 100, unit: "ops/s" }],
    ["availability>99.9%", { metric: "availability", op: ">", value: 99.9, unit: "%" }],
  ];
  for (const [expr, expected] of cases) {
    const parsed = parseThreshold(expr);
    assert.ok(!isThresholdProblem(parsed), `${expr}: ${JSON.stringify(parsed)}`);
    assert.deepEqual(parsed, { expression: expr, ...expected }, expr);
  }
});

test("invalid threshold expressions give a problem that names the field and says what is allowed", () => {
  const cases: [string, RegExp][] = [
    ["", /metric\[\{cmd:NAME\}\] op value/],
    ["p99<500", /metric\[\{cmd:NAME\}\] op value/],
    ["p(0)<5", /N above 0 and at most 100/],
    ["p(101)<5", /N above 0 and at most 100/],
    ["p(x)<5", /N above 0/],
    ["p95<5", /metric/],
    ["latency<5", /metrics p\(N\)/],
    ["p(99)<500 ms hello", /metric/],
    ["p(99)=500", /operators/],
    ["p(99)<-5", /metric/],
    ["p(99)<5%", /us, ms or s/],
    ["errors<5ms", /percentage .* or a count/],
    ["ops>5s", /plain number without a unit/],
    ["rps>5%", /plain number/],
    ["errors<101%", /0 to 100/],
    ["timeouts{cmd:GET}<1%", /whole run/],
    ["avg{command:GET}<5", /\{cmd:NAME\}/],
    ["avg(5)<5", /metric/],
    ["availability>99.9", /percentage of the measured time/],
    ["availability{cmd:GET}>99%", /whole run/],
    ["availability>101%", /0 to 100/],
  ];
  for (const [expr, allowed] of cases) {
    const parsed = parseThreshold(expr);
    assert.ok(isThresholdProblem(parsed), `${expr} should be rejected`);
    assert.equal(parsed.field, "threshold");
    assert.equal(parsed.value, expr);
    assert.match(parsed.allowed, allowed, expr);
  }
});
