import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createCluster } from "@redis/client";
import { runScenario } from "../../src/run/run-scenario.js";
import { clusterCommandCalls, startCluster, type TestCluster, withNode } from "../helpers/redis-cluster.js";
import { testRunConfig } from "../helpers/run-config.js";

describe("integrity check on a 3-primary Redis Cluster", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster(3, 0);
  });
  after(async () => {
    await cluster?.stop();
  });

  it("reads every key from its slot's primary: a key deleted behind the run's back is the one lost, counts exact", async () => {
    const config = testRunConfig({
      url: cluster.url,
      prefill: true,
      keyMax: 3000,
      durationMs: 2000,
      connections: 4,
      pipeline: 4,
      // Reads only after the prefill, so nothing writes the deleted key again.
      commands: [{ name: "GET", weight: 1 }],
      check: { kind: "integrity", readEvery: "100ms", readKeys: 20 },
    });
    const mgetBefore = await clusterCommandCalls(cluster.nodes, "mget");
    const victim = `${config.prefix}${String(1234).padStart(4, "0")}`;
    const client = createCluster({ rootNodes: [{ url: cluster.url }] });
    client.on("error", () => {});
    await client.connect();
    let deleted = 0;
    const remove = (async () => {
      // Once the prefill wrote the key, take it away.
      for (let tries = 0; tries < 100 && deleted === 0; tries++) {
        deleted = await client.del(victim);
        if (deleted === 0) await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      const { result } = await runScenario(config);
      await remove;
      const check = result.check!;
      const show = JSON.stringify({ check, countCheck: result.countCheck });
      assert.equal(deleted, 1, "the test deleted the key once the prefill had written it");
      assert.equal(result.target.topology, "cluster");
      assert.equal(check.figures.expectedKeys, 3000, show);
      assert.equal(check.figures.keysCheckedAfterLoad, 3000, show);
      assert.equal(check.figures.lostKeys, 1, show);
      assert.equal(check.figures.corruptKeys, 0, show);
      assert.match(check.problems.join("; "), /1234/, "the problem names the lost key");
      assert.equal(result.verdict, "fail");
      // Every MGET went to the primary that owns its keys' slot: no MOVED, all counted there.
      const mgets = (await clusterCommandCalls(cluster.nodes, "mget")) - mgetBefore;
      assert.ok(mgets > 0);
      assert.equal(result.countCheck.ok, true, show);
      assert.equal(result.countCheck.byCommand.MGET.server, result.countCheck.byCommand.MGET.sent, show);
      assert.equal(check.figures.readErrorsDuringLoad ?? 0, 0, show);
    } finally {
      await client.close();
    }
  });

  it("memory-pressure, buffer-capacity and cache-aside refuse a cluster before any load, and touch nothing", async () => {
    for (const check of [
      { kind: "memory-pressure", reconfigure: true, maxmemory: "16mb" },
      { kind: "buffer-capacity" },
      { kind: "cache-aside" },
    ]) {
      await assert.rejects(
        runScenario(
          testRunConfig({
            url: cluster.url,
            keyMax: 100_000,
            dataSizeMin: 512,
            dataSizeMax: 512,
            durationMs: 1000,
            check,
          }),
        ),
        (error: Error) => {
          assert.match(error.message, new RegExp(`check kind ${check.kind} .*cluster node`));
          return true;
        },
      );
    }
    for (const node of cluster.nodes) {
      const maxmemory = await withNode(node.url, (c) => c.configGet("maxmemory"));
      assert.equal(maxmemory.maxmemory, "0", "no node was reconfigured");
    }
  });
});
