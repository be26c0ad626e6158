import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import { ConfigError } from "../../src/config/errors.js";
import type { RunResult } from "../../src/result/result-types.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { buildDatasetPool } from "../../src/workload/datasets/dataset-pool.js";
import { type ManagedRedis, scanCount, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

/** The check's figures, for assertion messages. */
function show(result: RunResult): string {
  return JSON.stringify({ check: result.check, countCheck: result.countCheck, faults: result.faults });
}

describe("integrity check against a real redis-server", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  it("a clean run under load: every key verified, 0 lost, 0 corrupt, pass, and its MGETs in the exact count check", async () => {
    const { result } = await runScenario(
      testRunConfig({
        url: redis.url,
        prefill: true,
        keyMax: 3000,
        durationMs: 1500,
        connections: 4,
        pipeline: 4,
        check: { kind: "integrity", readEvery: "50ms", readKeys: 50 },
      }),
    );
    const check = result.check!;
    assert.equal(result.config.dataset, "firehose", "the check picks a dataset when the run has none");
    assert.equal(check.ok, true, show(result));
    assert.equal(check.figures.expectedKeys, 3000);
    assert.equal(check.figures.keysCheckedAfterLoad, 3000, show(result));
    assert.equal(check.figures.lostKeys, 0, show(result));
    assert.equal(check.figures.corruptKeys, 0, show(result));
    assert.equal(check.figures.staleKeys, null);
    assert.ok((check.figures.keyReadsDuringLoad as number) > 0, show(result));
    assert.equal(result.verdict, "pass", show(result));
    // The reads during the load went to the server and were counted there exactly, MGET by MGET.
    assert.equal(result.countCheck.checked, true, show(result));
    assert.equal(result.countCheck.ok, true, show(result));
    const mget = result.countCheck.byCommand.MGET;
    assert.ok(mget !== undefined && mget.sent > 0 && mget.server === mget.sent, show(result));
    assert.equal((check.figures.keyReadsDuringLoad as number) / 50, mget.sent, "50 keys per MGET");
  });

  it("a SET-only sequential load split unevenly over threads: the check knows exactly which keys were written", async () => {
    // 3 connections over 2 threads: thread 1 starts its walk at key 2000 and wraps, so the keys
    // written are [0, 1500) and [2000, 3000), 2,500 of them; the check must expect exactly those.
    const config = testRunConfig({
      url: redis.url,
      prefill: false,
      commands: [{ name: "SET", weight: 1 }],
      keyPattern: "sequential",
      keyMax: 3000,
      durationMs: undefined,
      requests: 3000,
      threads: 2,
      connections: 3,
      pipeline: 8,
      keepKeys: true,
      check: { kind: "integrity" },
    });
    const { result } = await runScenario(config);
    const written = await scanCount(redis.url, `${config.prefix}*`);
    await deleteKeys(redis.url, config.prefix);
    assert.equal(written, 2500, "keys on the server");
    assert.equal(result.check?.figures.expectedKeys, 2500, show(result));
    assert.equal(result.check?.figures.lostKeys, 0, show(result));
    assert.equal(result.check?.ok, true, show(result));
  });

  it("SETs dropped by the fault proxy are lost keys, and the run fails", async () => {
    const { result } = await runScenario(
      testRunConfig({
        url: redis.url,
        viaProxy: true,
        prefill: false,
        commands: [{ name: "SET", weight: 1 }],
        keyPattern: "sequential",
        keyMax: 4000,
        durationMs: undefined,
        requests: 4000,
        connections: 4,
        pipeline: 16,
        timeoutMs: 200,
        faults: [{ at: "0s", for: "400ms", kind: "drop", probability: 0.3, commands: ["SET"] }],
        check: { kind: "integrity" },
      }),
    );
    const check = result.check!;
    const dropped = result.faults?.[0]?.effects.commandsDropped ?? 0;
    assert.ok(dropped > 0, `the proxy dropped SETs: ${show(result)}`);
    // Each key is sent one SET, so every dropped SET is a distinct key that never reached the server;
    // every other SET was forwarded (only replies went missing), so nothing else is lost.
    assert.equal(check.figures.lostKeys, dropped, show(result));
    assert.equal(check.figures.corruptKeys, 0, show(result));
    assert.equal(check.ok, false, show(result));
    assert.ok(
      check.problems.some((p) => /key\(s\) lost/.test(p)),
      show(result),
    );
    assert.equal(result.verdict, "fail");
  });

  it("a key overwritten behind the run's back is counted as corrupt", async () => {
    const config = testRunConfig({
      url: redis.url,
      prefill: true,
      keyMax: 2000,
      commands: [{ name: "GET", weight: 1 }],
      durationMs: 1800,
      connections: 2,
      check: { kind: "integrity", readEvery: "50ms" },
    });
    const victim = `${config.prefix}0777`;
    const client = createClient({ url: redis.url });
    client.on("error", () => {});
    await client.connect();
    let corrupted: Promise<unknown> | undefined;
    try {
      const { result } = await runScenario(config, {
        // The first progress tick of the measured part: the prefill has written every key by then.
        onProgress: (p) => {
          if (p.phase === "measure" && corrupted === undefined)
            corrupted = client.sendCommand(["SETRANGE", victim, "10", "GARBAGE"]);
        },
      });
      assert.ok(corrupted !== undefined, "the run reached its measured part");
      assert.equal(await corrupted, buildDatasetPool("firehose", config.seed).valueBytes(777));
      const check = result.check!;
      assert.equal(check.figures.corruptKeys, 1, show(result));
      assert.equal(check.figures.lostKeys, 0, show(result));
      assert.ok(
        check.problems.some((p) => p.includes(victim) && p.includes("GARBAGE")),
        show(result),
      );
      assert.equal(result.verdict, "fail");
      // SETRANGE is not a command the load counts, so the count check stays exact.
      assert.equal(result.countCheck.ok, true, show(result));
    } finally {
      client.destroy();
    }
  });

  it("rejects what it cannot verify, every problem at once, before any load", async () => {
    const rejected = await runScenario(
      testRunConfig({
        url: redis.url,
        ttlS: 60,
        prefill: false,
        keyPattern: "uniform",
        check: { kind: "integrity", sample: 0, readEvery: "fast", colour: "red" },
      }),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(rejected instanceof ConfigError, String(rejected));
    const fields = rejected.problems.map((p) => p.field).sort();
    assert.deepEqual(fields, ["check.colour", "check.readEvery", "check.sample", "prefill", "ttl"]);
  });
});

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 }))
      if (keys.length > 0) await client.unlink(keys);
  } finally {
    client.destroy();
  }
}
