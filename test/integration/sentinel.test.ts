import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runScenario } from "../../src/run/run-scenario.js";
import { parseSentinelUrl } from "../../src/run/sentinel.js";
import { forceFailover, startSentinelSetup, type TestSentinelSetup } from "../helpers/redis-sentinel.js";
import { testRunConfig } from "../helpers/run-config.js";

describe("Sentinel: primary discovery and a failover during the run", () => {
  let setup: TestSentinelSetup;
  before(async () => {
    setup = await startSentinelSetup();
  });
  after(async () => {
    await setup?.stop();
  });

  it("finds the primary through the sentinel, follows the failover, reports it and the unavailability window", async () => {
    const notices: string[] = [];
    const failover = new Promise<void>((resolve, reject) =>
      setTimeout(() => {
        forceFailover(setup).then(() => resolve(), reject);
      }, 1500),
    );
    const { result } = await runScenario(
      testRunConfig({ url: setup.url, durationMs: 6000, rate: 1000, pipeline: 32, timeoutMs: 1000 }),
      { onNotice: (line) => notices.push(line) },
    );
    await failover;
    assert.ok(
      notices.some((l) => l.includes(`is 127.0.0.1:${setup.primary.port}`)),
      notices.join("\n"),
    );
    assert.equal(result.status, "completed");
    assert.deepEqual(
      (result.failovers ?? []).map((f) => [f.from, f.to]),
      [[`127.0.0.1:${setup.primary.port}`, `127.0.0.1:${setup.replica.port}`]],
      JSON.stringify(result.failovers),
    );
    // Load reached the new primary: the last seconds succeed.
    const last = result.series.slice(-2);
    assert.ok(
      last.every((p) => p.ops > 0 && p.errors === 0),
      JSON.stringify(last),
    );
    assert.ok(result.availability !== undefined, "the unavailability window is reported");
    assert.ok(result.availability.longestGapMs > 0);
    assert.equal(result.countCheck.checked, false);
    assert.match(result.countCheck.note, /failover/);
    assert.equal(result.cleanup.error, undefined);
  });

  it("sentinel URLs: several sentinels, credentials for the data nodes, clear errors", () => {
    const parsed = parseSentinelUrl("redis+sentinel://app:s3cret@10.0.0.1:26379,10.0.0.2/mymaster");
    assert.deepEqual(parsed?.sentinel, {
      sentinels: [
        { host: "10.0.0.1", port: 26379 },
        { host: "10.0.0.2", port: 26379 },
      ],
      masterName: "mymaster",
    });
    assert.equal(parsed?.dataUrl("10.0.0.9", 6379), "redis://app:s3cret@10.0.0.9:6379");
    assert.equal(parseSentinelUrl("redis://127.0.0.1:6379"), undefined);
    assert.throws(() => parseSentinelUrl("redis+sentinel://10.0.0.1:26379"), /mastername/);
  });
});
