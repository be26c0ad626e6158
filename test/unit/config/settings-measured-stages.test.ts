import assert from "node:assert/strict";
import { test } from "node:test";
import { measuredLengthMs, measuredStages, UNTIL_REQUESTS_MS } from "../../../src/config/measured-stages.js";
import { shardRunConfig, shareOf } from "../../../src/config/shard-share.js";
import type { RunConfig } from "../../../src/config/types.js";
import { resolveRunConfig } from "../../../src/run/resolve-config.js";
import { testRunConfig } from "../../helpers/run-config.js";

async function config(argv: string[]): Promise<RunConfig> {
  return (await resolveRunConfig(argv)).config;
}

test("the resolved config carries the measured phase's stages: --rate becomes one constant stage", async () => {
  const c = await config(["--rate", "500", "--duration", "10s"]);
  assert.equal(c.rate, 500, "the rate as typed stays, for reports");
  assert.equal(c.stages, undefined);
  assert.deepEqual(c.measuredStages, [{ kind: "constant", durationMs: 10_000, rate: 500 }]);
  assert.deepEqual((await config(["--rate", "500"])).measuredStages, [
    { kind: "constant", durationMs: 30_000, rate: 500 },
  ]);
  const byCount = await config(["--rate", "500", "--requests", "1000"]);
  assert.deepEqual(byCount.measuredStages, [{ kind: "constant", durationMs: UNTIL_REQUESTS_MS, rate: 500 }]);
  assert.equal(measuredLengthMs(byCount), undefined, "the request count ends it");
});

test("a profile or a file's stages are the measured stages as they are; closed loop has none", async () => {
  const ramp = await config(["--profile", "ramp", "--rate", "10", "--ramp-to", "20", "--duration", "4s"]);
  assert.deepEqual(ramp.measuredStages, [{ kind: "ramp", durationMs: 4_000, fromRate: 10, toRate: 20 }]);
  assert.deepEqual(ramp.measuredStages, ramp.stages);
  const demo = await config(["demo"]);
  assert.deepEqual(demo.measuredStages, demo.stages);
  assert.equal(
    measuredLengthMs(demo),
    demo.stages!.reduce((sum, s) => sum + s.durationMs, 0),
  );
  const closed = await config([]);
  assert.equal(closed.measuredStages, undefined);
  assert.equal(measuredStages(closed), undefined);
});

test("a config built by hand with only a rate gets its stages computed the same way", () => {
  const c = testRunConfig({ rate: 200, durationMs: 3_000 });
  assert.deepEqual(measuredStages(c), [{ kind: "constant", durationMs: 3_000, rate: 200 }]);
  assert.equal(measuredLengthMs(c), 3_000);
});

test("a shard's config divides the measured stages, in one place", async () => {
  const whole = await config([
    "--rate",
    "900",
    "--duration",
    "5s",
    "--shard",
    "1/3",
    "--url",
    "redis://127.0.0.1:6379",
    "--prefix",
    "p:",
    "--seed",
    "1",
  ]);
  const load = shardRunConfig(whole, shareOf(whole));
  assert.deepEqual(load.measuredStages, [{ kind: "constant", durationMs: 5_000, rate: 300 }]);
  assert.deepEqual(measuredStages(load), load.measuredStages);
  // The whole config (what the result reports) keeps the scenario's rate.
  assert.deepEqual(whole.measuredStages, [{ kind: "constant", durationMs: 5_000, rate: 900 }]);
});
