import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { runScenario } from "../../src/run/run-scenario.js";
import {
  clusterCommandCalls,
  nodeId,
  startCluster,
  type TestCluster,
  withNode,
} from "../helpers/redis-cluster.js";
import { testRunConfig } from "../helpers/run-config.js";

const run = promisify(execFile);

async function keysUnder(cluster: TestCluster, prefix: string): Promise<number> {
  let total = 0;
  for (const node of cluster.nodes) {
    total += await withNode(node.url, async (c) => {
      let n = 0;
      for await (const keys of c.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) n += keys.length;
      return n;
    });
  }
  return total;
}

describe("Redis Cluster: 3 primaries on 127.0.0.1", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster(3, 0);
  });
  after(async () => {
    await cluster?.stop();
  });

  it("routes every key to its slot's primary: exact counts, per-node figures, keys cleaned up on every node", async () => {
    const setsBefore = await clusterCommandCalls(cluster.nodes, "set");
    const getsBefore = await clusterCommandCalls(cluster.nodes, "get");
    const { result } = await runScenario(
      testRunConfig({
        url: cluster.url,
        durationMs: undefined,
        requests: 20_000,
        connections: 4,
        pipeline: 8,
        keyMax: 5000,
        commands: [
          { name: "SET", weight: 1 },
          { name: "GET", weight: 3 },
        ],
      }),
    );
    assert.equal(result.status, "completed");
    assert.equal(result.target.topology, "cluster");
    assert.equal(result.totals.ops, 20_000);
    assert.equal(result.totals.errors, 0, JSON.stringify(result.totals.errorsByKind));
    assert.equal(result.countCheck.checked, true);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    const sets = (await clusterCommandCalls(cluster.nodes, "set")) - setsBefore;
    const gets = (await clusterCommandCalls(cluster.nodes, "get")) - getsBefore;
    assert.equal(sets, result.totals.sent > 0 ? result.countCheck.byCommand.SET.sent : -1);
    assert.equal(sets + gets, 20_000);
    const nodes = Object.values(result.nodes ?? {});
    assert.equal(nodes.length, 3, JSON.stringify(result.nodes));
    assert.equal(
      nodes.reduce((sum, n) => sum + n.ops, 0),
      20_000,
    );
    // Uniform keys spread over the slots: every primary gets a fair share.
    for (const n of nodes) assert.ok(n.ops > 20_000 * 0.2, `node ops ${n.ops}`);
    assert.equal(result.routing?.redirects.MOVED ?? 0, 0);
    // Every primary is probed, not just the seed.
    const probed = Object.values(result.serverByNode ?? {});
    assert.equal(probed.length, 3, JSON.stringify(Object.keys(result.serverByNode ?? {})));
    assert.ok(probed.every((s) => (s.usedMemoryBytesMax ?? 0) > 0));
    assert.equal(await keysUnder(cluster, result.cleanup.prefix), 0);
    assert.ok(result.cleanup.keysDeleted > 0);
  });

  it("a hash tag in the prefix pins every key to one slot, so one node takes all the load", async () => {
    const { result } = await runScenario(
      testRunConfig({
        url: cluster.url,
        durationMs: undefined,
        requests: 3000,
        prefix: `cs:{pin${process.pid}}:`,
      }),
    );
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    const busy = Object.values(result.nodes ?? {}).filter((n) => n.ops > 0);
    assert.equal(busy.length, 1, JSON.stringify(result.nodes));
    assert.equal(busy[0].ops, 3000);
  });

  it("a slot migration during the run is followed (MOVED/ASK) with no failed operation and exact counts", async () => {
    const fromId = await nodeId(cluster.nodes[0].url);
    const toId = await nodeId(cluster.nodes[1].url);
    const reshard = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        run(
          "redis-cli",
          [
            "--cluster",
            "reshard",
            `127.0.0.1:${cluster.nodes[0].port}`,
            "--cluster-from",
            fromId,
            "--cluster-to",
            toId,
            "--cluster-slots",
            "400",
            "--cluster-yes",
          ],
          { timeout: 30_000 },
        ).then(() => resolve(), reject);
      }, 800);
    });
    const { result } = await runScenario(
      testRunConfig({
        url: cluster.url,
        durationMs: 5000,
        rate: 3000,
        pipeline: 64,
        keyMax: 20_000,
        prefill: true,
        timeoutMs: 2000,
      }),
    );
    await reshard;
    assert.equal(result.status, "completed");
    assert.equal(result.totals.errors, 0, JSON.stringify(result.totals.errorsByKind));
    const redirects = (result.routing?.redirects.MOVED ?? 0) + (result.routing?.redirects.ASK ?? 0);
    assert.ok(redirects > 0, JSON.stringify(result.routing));
    assert.ok((result.routing?.topologyChanges.length ?? 0) >= 1, JSON.stringify(result.routing));
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
  });
});

describe("Redis Cluster with replicas: reads from replicas, a failover during the run", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster(3, 1);
  });
  after(async () => {
    await cluster?.stop();
  });

  it("--read-from replicas sends every GET to a replica and every SET to a primary, counts exact", async () => {
    const { result } = await runScenario(
      testRunConfig({
        url: cluster.url,
        durationMs: undefined,
        requests: 8000,
        readFrom: "replicas",
        commands: [
          { name: "SET", weight: 1 },
          { name: "GET", weight: 3 },
        ],
      }),
    );
    assert.equal(result.totals.errors, 0, JSON.stringify(result.totals.errorsByKind));
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    const byRole = (role: string) =>
      Object.values(result.nodes ?? {})
        .filter((n) => n.role === role)
        .reduce((sum, n) => sum + n.ops, 0);
    assert.equal(byRole("primary"), result.perCommand.SET.ops);
    assert.equal(byRole("replica"), result.perCommand.GET.ops);
  });

  it("a manual failover mid-run is followed: the run completes, the topology change and the unavailability window are reported", async () => {
    // The replica of the first primary takes over 1.5 s into the run.
    const primaryId = await nodeId(cluster.nodes[0].url);
    let replicaUrl: string | undefined;
    for (const node of cluster.nodes.slice(1)) {
      const role = await withNode(node.url, (c) => c.info("replication"));
      if (role.includes("role:slave") && role.includes(`master_port:${cluster.nodes[0].port}`))
        replicaUrl = node.url;
    }
    assert.ok(replicaUrl, `no replica of ${primaryId}`);
    const failover = new Promise<void>((resolve, reject) =>
      setTimeout(() => {
        withNode(replicaUrl!, (c) => c.sendCommand(["CLUSTER", "FAILOVER"])).then(() => resolve(), reject);
      }, 1500),
    );
    const { result } = await runScenario(
      testRunConfig({
        url: cluster.url,
        durationMs: 5000,
        rate: 2000,
        pipeline: 64,
        keyMax: 5000,
        timeoutMs: 2000,
      }),
    );
    await failover;
    assert.equal(result.status, "completed");
    const changes = result.routing?.topologyChanges ?? [];
    assert.ok(changes.length >= 1, JSON.stringify(result.routing));
    // Operations of the moving slots wait or are redirected, not lost: at most a sliver fail.
    assert.ok(result.totals.errors <= result.totals.ops * 0.01, JSON.stringify(result.totals));
    assert.ok(result.availability !== undefined && result.availability.longestGapMs >= 0);
    assert.equal(result.countCheck.checked, false);
    assert.match(result.countCheck.note, /failover/);
  });
});
