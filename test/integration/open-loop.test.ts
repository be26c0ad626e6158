import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import type { Stage } from "../../src/config/types.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { meanRate } from "../../src/workload/load-profile.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

describe("open loop against a real redis-server", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis(["--enable-debug-command", "local"]);
  });
  after(async () => {
    await redis.stop();
  });

  it("holds a constant rate and reports service time beside latency", async () => {
    const { result } = await runScenario(
      testRunConfig({ url: redis.url, rate: 2000, durationMs: 2000, pipeline: 64 }),
    );
    assert.equal(result.mode, "open-loop");
    // 2,000 ops/s for 2 s: the schedule asks for 4,000 operations.
    assert.ok(Math.abs(result.totals.ops - 4000) <= 40, `ops ${result.totals.ops}`);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    assert.ok(result.serviceTime !== undefined && result.serviceTime.count === result.totals.ops);
    assert.ok(result.openLoop !== undefined && Math.abs(result.openLoop.targetRate - 2000) < 1);
    // Latency from the intended start can never be below the service time from the actual send.
    assert.ok(result.latency.p50 >= result.serviceTime!.p50);
    const middle = result.series.filter((p) => p.tS >= 1 && p.tS < 2);
    for (const point of middle) assert.equal(point.targetRate, 2000);
  });

  it("corrects for coordinated omission: a 500 ms server stall shows in latency from the intended start", async () => {
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      const run = runScenario(
        testRunConfig({
          url: redis.url,
          rate: 1000,
          durationMs: 2500,
          connections: 4,
          pipeline: 16,
          timeoutMs: 5000,
        }),
      );
      await new Promise((r) => setTimeout(r, 1000));
      await admin.sendCommand(["DEBUG", "SLEEP", "0.5"]);
      const { result } = await run;
      // About 500 operations were due during the stall; each waited up to 500 ms from its intended
      // start, so well over 1 % of the ~2,500 operations are slower than 100 ms.
      assert.ok(result.latency.max >= 400, `max ${result.latency.max}`);
      assert.ok(result.latency.p99 >= 100, `p99 ${result.latency.p99}`);
      // Operations held back by the full pipeline were sent late: service time misses that wait.
      assert.ok(result.openLoop!.lateStarts > 0);
      assert.ok(result.serviceTime!.p50 <= result.latency.p50);
      assert.equal(result.countCheck.ok, true, result.countCheck.note);
    } finally {
      await admin.quit();
    }
  });

  const profiles: { name: string; stages: Stage[] }[] = [
    { name: "ramp", stages: [{ kind: "ramp", durationMs: 2000, fromRate: 500, toRate: 2500 }] },
    {
      name: "step",
      stages: [
        { kind: "step", durationMs: 2000, startRate: 500, stepRate: 1000, stepEveryMs: 500, maxRate: 2500 },
      ],
    },
    {
      name: "burst",
      stages: [
        { kind: "burst", durationMs: 2000, baseRate: 500, multiplier: 4, burstEveryMs: 1000, burstMs: 250 },
      ],
    },
    {
      name: "wave",
      stages: [{ kind: "wave", durationMs: 2000, baseRate: 1500, amplitude: 1000, periodMs: 1000 }],
    },
    {
      name: "chaos",
      stages: [{ kind: "chaos", durationMs: 2000, minRate: 500, maxRate: 2500, changeEveryMs: 250 }],
    },
    {
      name: "composed stages",
      stages: [
        { kind: "constant", durationMs: 1000, rate: 1000 },
        { kind: "ramp", durationMs: 1000, fromRate: 1000, toRate: 3000 },
      ],
    },
  ];
  for (const { name, stages } of profiles) {
    it(`${name} profile: the operations sent follow the profile's integral`, async () => {
      const config = testRunConfig({ url: redis.url, stages, durationMs: undefined, pipeline: 64 });
      const { result } = await runScenario(config);
      const expected = (meanRate(stages, config.seed) * 2000) / 1000;
      assert.ok(
        Math.abs(result.totals.ops - expected) <= expected * 0.02 + 10,
        `ops ${result.totals.ops}, expected ${expected}`,
      );
      assert.equal(result.countCheck.ok, true, result.countCheck.note);
      assert.ok(result.series.every((p) => p.targetRate !== undefined));
    });
  }
});
