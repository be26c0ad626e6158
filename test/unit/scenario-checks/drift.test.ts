import assert from "node:assert/strict";
import { test } from "node:test";
import { firstSentence } from "../../../src/cli/scenarios-command.js";
import { ConfigError } from "../../../src/config/errors.js";
import { createCheck } from "../../../src/scenario-checks/index.js";
import { median, slopePerMinute } from "../../../src/scenario-checks/trend.js";
import { testRunConfig } from "../../helpers/run-config.js";

test("slopePerMinute is the least-squares slope per minute", () => {
  const points = [0, 10, 20, 30].map((tS) => ({ tS, value: 5 + tS * 0.5 }));
  assert.equal(slopePerMinute(points), 30);
  assert.equal(slopePerMinute(points.slice(0, 2)), undefined, "fewer than 3 points: no slope");
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(median([]), undefined);
});

test("check: every problem at once, unknown kind or options named with what is allowed", () => {
  assert.throws(
    () => createCheck(testRunConfig({ check: { kind: "nope" } })),
    (error: unknown) => error instanceof ConfigError && error.problems[0].field === "check.kind",
  );
  assert.throws(
    () =>
      createCheck(
        testRunConfig({ check: { kind: "drift", clientRssMbPerMin: -1, minDuration: "soon", wat: 1 } }),
      ),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems.map((p) => p.field).sort(), [
        "check.clientRssMbPerMin",
        "check.minDuration",
        "check.wat",
      ]);
      return true;
    },
  );
  assert.equal(createCheck(testRunConfig()), undefined, "no check: section, no check");
  assert.equal(createCheck(testRunConfig({ check: { kind: "drift" } }))?.kind, "drift");
});

test("the scenario list shows the first sentence of a folded description", () => {
  assert.equal(firstSentence("One thing. Another."), "One thing");
  assert.equal(firstSentence("Costs 1.5 s per\n  step. More"), "Costs 1.5 s per step");
  assert.equal(firstSentence("x".repeat(200)).length, 110);
});
