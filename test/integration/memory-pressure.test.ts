import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createClient } from "@redis/client";
import { runScenario } from "../../src/run/run-scenario.js";
import { startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

/**
 * memory-pressure against real redis-servers: the tool's own managed server with 8 MB of maxmemory,
 * filled with 1 KB SETs over 20000 keys (20 MB, 2.5× the limit). The prefill alone writes all of
 * them, so the server is full however slowly this machine runs. The server's INFO is the ground
 * truth: evicted_keys and errorstat_OOM as the check read them, and the run's count check.
 */
function pressureRun(policy: string, extra: Record<string, unknown> = {}) {
  return testRunConfig({
    durationMs: 1500,
    prefill: true,
    connections: 4,
    pipeline: 8,
    commands: [{ name: "SET", weight: 1 }],
    keyMax: 20_000,
    dataSizeMin: 1024,
    dataSizeMax: 1024,
    check: { kind: "memory-pressure", maxmemory: "8mb", policy, sampleEvery: "200ms", ...extra },
  });
}

describe("memory-pressure check", () => {
  it("allkeys-lru: keys are evicted, no write is refused, the verdict passes and recovery is timed", async () => {
    const { result } = await runScenario(pressureRun("allkeys-lru"));
    const check = result.check;
    assert.ok(check !== undefined);
    const f = check.figures;
    assert.equal(check.ok, true, check.problems.join("; "));
    assert.equal(result.verdict, "pass");
    assert.ok((f.evictedKeys as number) > 0, `evictedKeys ${f.evictedKeys}`);
    assert.equal(f.oomErrors, 0);
    assert.equal(f.oomErrorsServer, 0);
    assert.equal(result.totals.errors, 0);
    assert.equal(f.policyBehavedAsConfigured, true);
    assert.match(check.summary, /behaved as configured/);
    // The sampled series shows memory at the limit and evictions happening.
    assert.ok((check.series ?? []).some((s) => (s.evictionsPerSec as number) > 0));
    assert.ok((f.peakUsedMemoryBytes as number) > 0.9 * 8 * 1024 ** 2);
    assert.ok((f.secondsUnderPressure as number) >= 1);
    // Recovery: the run's keys were deleted by the check (so the run's cleanup found none left).
    assert.ok((f.keysDeleted as number) > 0);
    assert.equal(result.cleanup.keysDeleted, 0);
    assert.ok(typeof f.recoveryMs === "number" && f.recoveryMs >= (f.deleteMs as number) && f.recoveryMs > 0);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
  });

  it("noeviction: writes past maxmemory get OOM replies the server counted too, nothing is evicted", async () => {
    const { result } = await runScenario(pressureRun("noeviction"));
    const check = result.check;
    assert.ok(check !== undefined);
    const f = check.figures;
    assert.equal(check.ok, true, check.problems.join("; "));
    assert.equal(result.verdict, "pass");
    assert.ok((result.totals.errorsByKind.OOM ?? 0) > 0);
    assert.equal(f.oomErrors, result.totals.errorsByKind.OOM);
    // The server's own errorstat_OOM over the measured part is the same number.
    assert.equal(f.oomErrorsServer, f.oomErrors);
    assert.equal(f.evictedKeys, 0);
    assert.equal(f.policyBehavedAsConfigured, true);
    assert.match(
      check.summary,
      /noeviction .*the policy behaved as configured \(noeviction refuses writes with OOM/,
    );
    assert.ok((f.errorsUnderPressure as number) > 0);
    // OOM-rejected SETs are still counted by the server (rejected_calls): the count check holds.
    assert.equal(result.countCheck.checked, true);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    assert.ok(typeof f.recoveryMs === "number" && f.recoveryMs > 0);
  });

  it("volatile-lru on keys without a TTL has nothing to evict: OOM replies are what is expected", async () => {
    const { result } = await runScenario(pressureRun("volatile-lru"));
    const check = result.check;
    assert.ok(check !== undefined);
    assert.equal(check.ok, true, check.problems.join("; "));
    assert.ok((check.figures.oomErrors as number) > 0);
    assert.equal(check.figures.evictedKeys, 0);
    assert.match(check.summary, /has nothing to evict/);
  });

  it("a load that never reaches maxmemory fails the check instead of passing it silently", async () => {
    const config = { ...pressureRun("allkeys-lru"), prefill: false, durationMs: undefined, requests: 200 };
    const { result } = await runScenario(config);
    const check = result.check;
    assert.ok(check !== undefined);
    assert.equal(check.ok, false);
    assert.equal(result.verdict, "fail");
    assert.equal(check.figures.policyBehavedAsConfigured, false);
    assert.ok(
      check.problems.some((p) => /never filled the server/.test(p)),
      check.problems.join("; "),
    );
  });

  it("on a --url server only with reconfigure: true, and maxmemory and the policy are put back", async () => {
    const redis = await startRedis();
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      const config = { ...pressureRun("allkeys-lru"), url: redis.url, durationMs: 1000 };
      config.check = { ...(config.check as object), reconfigure: true };
      const { result } = await runScenario(config);
      assert.equal(result.check?.ok, true, result.check?.problems.join("; "));
      assert.equal(result.check?.figures.reconfigured, true);
      assert.equal(result.check?.figures.restored, true);
      assert.ok((result.check?.figures.evictedKeys as number) > 0);
      assert.deepEqual({ ...(await admin.configGet("maxmemory")) }, { maxmemory: "0" });
      assert.deepEqual(
        { ...(await admin.configGet("maxmemory-policy")) },
        { "maxmemory-policy": "noeviction" },
      );
    } finally {
      await admin.quit();
      await redis.stop();
    }
  });
});
