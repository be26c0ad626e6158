import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runScenario } from "../../src/run/run-scenario.js";
import { commandStats, type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

describe("open-loop series against a real redis-server", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("a step profile: each point shows its own step's target, and the drain is no point of its own", async () => {
    const statsBefore = await commandStats(redis.url);
    const { result } = await runScenario(
      testRunConfig({
        url: redis.url,
        durationMs: undefined,
        stages: [{ kind: "step", durationMs: 3000, startRate: 200, stepRate: 400, stepEveryMs: 1000 }],
      }),
    );
    const statsAfter = await commandStats(redis.url);
    const server =
      (statsAfter.set?.calls ?? 0) -
      (statsBefore.set?.calls ?? 0) +
      (statsAfter.get?.calls ?? 0) -
      (statsBefore.get?.calls ?? 0);
    assert.equal(result.totals.ops, server);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    const series = result.series;
    const described = JSON.stringify(series.map((p) => [p.tS, p.opsPerSec, p.targetRate]));
    // Steps 200, 600, 1000: read at each interval's end, the first point used to show 600 and the
    // last one 0; a 3 ms drain used to follow as a point of its own.
    assert.ok(series.length >= 2, described);
    assert.ok((series[0].targetRate ?? 0) < 400, described);
    assert.ok((series.at(-1)?.targetRate ?? 0) > 800, described);
    assert.ok(
      series.every((p, i) => i === 0 || p.tS - series[i - 1].tS > 0.25),
      described,
    );
  });
});
