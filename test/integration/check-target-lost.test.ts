import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { runScenario } from "../../src/run/run-scenario.js";
import { startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

describe("a scenario check when the target dies mid-run", () => {
  it("the run still writes what it measured, and the check says it could not finish", async () => {
    const redis = await startRedis();
    try {
      const config = testRunConfig({
        url: redis.url,
        prefill: true,
        keyMax: 2000,
        durationMs: 8000,
        connections: 4,
        check: { kind: "integrity", readEvery: "50ms", readKeys: 20 },
      });
      // SIGKILL once the measured part is under way: a crash, not a clean shutdown.
      const kill = setTimeout(() => process.kill(redis.pid, "SIGKILL"), 1500);
      const started = Date.now();
      const { result, jsonPath, markdownPath } = await runScenario(config);
      clearTimeout(kill);
      assert.ok(Date.now() - started < 30_000, "it gave up on the dead target in time");
      assert.ok(existsSync(jsonPath) && existsSync(markdownPath), "the report files were written");
      assert.notEqual(result.status, "completed");
      assert.ok(result.totals.ops > 0, "what was measured before the crash is kept");
      const check = result.check!;
      assert.equal(check.ok, false);
      assert.ok(
        check.problems.some((p) => /could not finish/.test(p)),
        JSON.stringify(check.problems),
      );
      assert.equal(result.verdict, "fail");
    } finally {
      await redis.stop();
    }
  });
});
