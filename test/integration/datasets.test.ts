import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import { runScenario } from "../../src/run/run-scenario.js";
import { buildDatasetPool } from "../../src/workload/datasets/dataset-pool.js";
import { firehoseEventType } from "../../src/workload/datasets/firehose.js";
import { commandStats, type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

describe("a run with a dataset writes its records as values", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("firehose: every key holds JSON event k mod pool size, counts exact", async () => {
    const keyMax = 6000;
    const config = testRunConfig({
      url: redis.url,
      durationMs: undefined,
      requests: keyMax,
      connections: 4,
      pipeline: 32,
      commands: [{ name: "SET", weight: 1 }],
      keyPattern: "sequential",
      keyMax,
      // Ignored with a dataset: values are whole records, not 32 random bytes.
      dataSizeMin: 32,
      dataSizeMax: 32,
      dataset: "firehose",
      keepKeys: true,
      seed: 1234,
    });
    const statsBefore = await commandStats(redis.url);
    const { result } = await runScenario(config);
    const statsAfter = await commandStats(redis.url);
    assert.equal(result.status, "completed");
    assert.equal(result.totals.errors, 0);
    assert.equal(result.perCommand.SET.ops, keyMax);
    assert.equal((statsAfter.set?.calls ?? 0) - (statsBefore.set?.calls ?? 0), keyMax);
    assert.equal(result.countCheck.checked, true);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);

    const pool = buildDatasetPool("firehose", 1234);
    // The cost estimate prices the records the run wrote, not the ignored 32-byte dataSize.
    const meanRecordBytes = (pool.offsets[pool.count] - pool.offsets[0]) / pool.count;
    const moved = /([\d.]+) bytes moved per operation/.exec(result.costEstimate?.[0]?.assumptions[1] ?? "");
    assert.ok(moved !== null, JSON.stringify(result.costEstimate?.[0]));
    assert.ok(
      Math.abs(Number(moved[1]) - meanRecordBytes) < 50,
      `${moved[1]} vs records of ${meanRecordBytes}`,
    );
    const client = createClient({ url: redis.url });
    client.on("error", () => {});
    await client.connect();
    try {
      assert.equal(await client.dbSize(), keyMax, "a sequential walk writes every key once");
      const width = String(keyMax - 1).length;
      // Keys past the pool size wrap around to record 0 again.
      for (const key of [0, 1, 17, 4095, 4096, 5999]) {
        const value = await client.get(`${config.prefix}${String(key).padStart(width, "0")}`);
        assert.ok(value !== null, `key ${key}`);
        const event = JSON.parse(value) as { did: string; commit: { collection: string } };
        assert.ok(firehoseEventType(event) !== undefined, value);
        assert.match(event.did, /^did:plc:/);
        assert.equal(value, pool.value(key % pool.count).toString("utf8"));
      }
    } finally {
      client.destroy();
    }
  });
});
