import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runScenario } from "../../src/run/run-scenario.js";
import { commandStats, type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

describe("runScenario against a real redis-server", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("closed loop: counts match INFO commandstats exactly and keys are cleaned up", async () => {
    const statsBefore = await commandStats(redis.url);
    const { result } = await runScenario(testRunConfig({ url: redis.url, durationMs: 1500, connections: 8, pipeline: 4 }));
    const statsAfter = await commandStats(redis.url);
    const serverSets = (statsAfter.set?.calls ?? 0) - (statsBefore.set?.calls ?? 0);
    const serverGets = (statsAfter.get?.calls ?? 0) - (statsBefore.get?.calls ?? 0);
    assert.equal(result.status, "completed");
    assert.ok(result.totals.ops > 1000, `ops ${result.totals.ops}`);
    assert.equal(result.totals.errors, 0);
    assert.equal(result.perCommand.SET.ops, serverSets);
    assert.equal(result.perCommand.GET.ops, serverGets);
    assert.equal(result.totals.ops, serverSets + serverGets);
    assert.equal(result.countCheck.checked, true);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    // 1:10 mix, exact by construction of the weighted cycle (within one cycle per connection).
    assert.ok(Math.abs(result.perCommand.GET.ops - 10 * result.perCommand.SET.ops) <= 11 * 8);
    assert.ok(result.latency.p50 > 0 && result.latency.p50 <= result.latency.p99);
    assert.ok(result.series.length >= 1);
    assert.equal(result.cleanup.keysDeleted > 0, true);
  });
});
