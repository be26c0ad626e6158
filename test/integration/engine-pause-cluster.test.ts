import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startRun } from "../../src/run/start-run.js";
import { clusterCommandCalls, startCluster, type TestCluster } from "../helpers/redis-cluster.js";
import { testRunConfig } from "../helpers/run-config.js";

/**
 * Pause and resume through the routed engine (one lane per connection, a member per node): no node
 * counts a new GET or SET while the load is paused, and the count check stays exact afterwards.
 */
describe("pause and resume on a 3-primary Redis Cluster", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster(3, 0);
  });
  after(async () => {
    await cluster?.stop();
  });

  const calls = async () =>
    (await clusterCommandCalls(cluster.nodes, "get")) + (await clusterCommandCalls(cluster.nodes, "set"));

  it("open loop: nothing reaches any node while paused, the load goes on after resume", async () => {
    const run = startRun(
      testRunConfig({
        url: cluster.url,
        durationMs: 3000,
        rate: 2000,
        connections: 4,
        pipeline: 8,
        keyMax: 5000,
      }),
    );
    // Bounded: the run starts within a few seconds or the test fails on its own timeout below.
    for (let i = 0; i < 300 && run.state !== "running"; i++) await sleep(50);
    await sleep(1000);
    run.pause();
    await sleep(200);
    const first = await calls();
    await sleep(500);
    const second = await calls();
    assert.equal(second, first, "no node counted a GET/SET while the load was paused");
    run.resume();
    await sleep(300);
    const third = await calls();
    assert.ok(third > second, `the load went on after resume: ${second} → ${third}`);
    const { result } = await run.result;
    assert.equal(result.target.topology, "cluster");
    assert.equal(result.countCheck.ok, true, JSON.stringify(result.countCheck));
    assert.ok((result.control?.pausedMs ?? 0) >= 600, JSON.stringify(result.control));
  });
});
