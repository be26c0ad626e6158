import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decodeHistogram } from "../../src/measure/histogram.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { commandStats, type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

describe("several engine threads", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("--requests over 3 threads: exact total, exact server counts, histograms merged exactly", async () => {
    const before = await commandStats(redis.url);
    const { result } = await runScenario(
      testRunConfig({
        url: redis.url,
        requests: 30_001,
        durationMs: undefined,
        threads: 3,
        connections: 7,
        pipeline: 8,
      }),
    );
    const afterStats = await commandStats(redis.url);
    assert.equal(result.totals.ops, 30_001);
    assert.equal(result.totals.sent, 30_001);
    const server =
      afterStats.set.calls - (before.set?.calls ?? 0) + (afterStats.get.calls - (before.get?.calls ?? 0));
    assert.equal(server, 30_001);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    // The merged histogram holds every operation of every thread.
    assert.equal(decodeHistogram(result.histograms.latencyUs.all).totalCount, 30_001);
    assert.equal(result.latency.count, 30_001);
    const perCommandTotal = Object.values(result.perCommand).reduce((sum, c) => sum + c.ops, 0);
    assert.equal(perCommandTotal, 30_001);
  });

  it("prefill writes every key once and is reported apart from the measured load", async () => {
    const before = await commandStats(redis.url);
    const { result } = await runScenario(
      testRunConfig({
        url: redis.url,
        prefill: true,
        keyMax: 5000,
        requests: 1000,
        durationMs: undefined,
        threads: 2,
        keepKeys: true,
      }),
    );
    const afterStats = await commandStats(redis.url);
    assert.equal(result.phases.prefill?.ops, 5000);
    assert.equal(result.totals.ops, 1000);
    const sets = afterStats.set.calls - (before.set?.calls ?? 0);
    assert.equal(sets, 5000 + result.perCommand.SET.ops);
    // Every GET after the prefill finds its key.
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
  });
});
