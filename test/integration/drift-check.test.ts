import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runScenario } from "../../src/run/run-scenario.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

describe("drift check (the sustained scenario) against a real redis-server", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  test("a steady run over a prefilled keyspace shows no server-memory drift and passes", async () => {
    const { result } = await runScenario(
      testRunConfig({
        url: redis.url,
        keyMax: 2000,
        prefill: true,
        rate: 2000,
        durationMs: 4000,
        check: { kind: "drift", minDuration: "0s", clientRssMbPerMin: 10_000, p99GrowthPercent: 10_000 },
      }),
    );
    const check = result.check!;
    assert.equal(check.kind, "drift");
    assert.equal(typeof check.figures.serverMemoryMbPerMin, "number", "server memory slope from the probes");
    assert.equal(typeof check.figures.clientRssMbPerMin, "number", "client RSS slope from its own samples");
    assert.ok(Math.abs(check.figures.serverMemoryMbPerMin as number) < 1, JSON.stringify(check.figures));
    assert.deepEqual(check.problems, []);
    assert.equal(result.verdict, "pass");
    assert.ok(result.countCheck.ok, result.countCheck.note);
  });

  test("a run that keeps adding keys grows server memory, and the check says so and fails the run", async () => {
    const { result } = await runScenario(
      testRunConfig({
        url: redis.url,
        keyMax: 10_000_000,
        keyPattern: "sequential",
        commands: [{ name: "SET", weight: 1 }],
        dataSizeMin: 1024,
        dataSizeMax: 1024,
        rate: 4000,
        durationMs: 4000,
        probeIntervalMs: 250,
        check: { kind: "drift", minDuration: "0s", clientRssMbPerMin: 10_000, p99GrowthPercent: 10_000 },
      }),
    );
    const check = result.check!;
    // 4000 new 1 KiB keys a second is ~250 MB/min of growth; the limit is 1 MB/min.
    assert.ok((check.figures.serverMemoryMbPerMin as number) > 50, JSON.stringify(check.figures));
    assert.ok(
      check.problems.some((p) => p.startsWith("server memory grew")),
      check.problems.join("; "),
    );
    assert.equal(check.ok, false);
    assert.equal(result.verdict, "fail");
    assert.equal(result.thresholds.length, 0, "the failure is the check's, not a threshold's");
  });

  test("a run shorter than minDuration reports the slopes but judges nothing", async () => {
    const { result } = await runScenario(
      testRunConfig({ url: redis.url, rate: 1000, durationMs: 1500, check: { kind: "drift" } }),
    );
    assert.match(result.check!.summary, /not judged/);
    assert.equal(result.check!.ok, true);
  });
});
