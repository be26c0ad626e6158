import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import { resolveRunConfig } from "../../src/run/resolve-config.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { commandStats, type ManagedRedis, scanCount, startRedis } from "../helpers/redis.js";
import { clusterCommandCalls, startCluster, type TestCluster, withNode } from "../helpers/redis-cluster.js";
import { testRunConfig } from "../helpers/run-config.js";

/** Server-side calls + failed calls per command between two INFO commandstats readings. */
function delta(
  before: Record<string, { calls: number }>,
  after: Record<string, { calls: number }>,
  command: string,
): number {
  return (after[command]?.calls ?? 0) - (before[command]?.calls ?? 0);
}

async function withClient<T>(
  url: string,
  use: (c: ReturnType<typeof createClient>) => Promise<T>,
): Promise<T> {
  // Typed with the default (module-less) client type that `use` takes, as src/core/target-client.ts does.
  const client: ReturnType<typeof createClient> = createClient({ url } as never);
  await client.connect();
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

describe("command templates against a real redis-server", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("a mixed run: per-command counts equal INFO commandstats exactly; every key type is cleaned up", async () => {
    const prefix = `cstpl:${Math.random().toString(16).slice(2, 10)}:`;
    // XREADGROUP needs its group; the stream is under the run's prefix, so the run's cleanup removes it.
    await withClient(redis.url, (c) =>
      c.sendCommand(["XGROUP", "CREATE", `${prefix}s`, "g", "$", "MKSTREAM"]),
    );
    const commands = [
      { name: "HSET", weight: 3, template: "HSET {key} f {value}" },
      { name: "ZADD", weight: 2, template: "ZADD {key}:z {rand} m{seq}" },
      { name: "LPUSH", weight: 2, template: "LPUSH {key}:l {value}" },
      { name: "BRPOP", weight: 1, template: "BRPOP {key}:l 0.01" },
      { name: "XADD", weight: 2, template: "XADD {prefix}s MAXLEN ~ 1000 * v {value}" },
      { name: "XADD", weight: 1, template: "XADD {key}:x * v {value}" },
      { name: "XREADGROUP", weight: 1, template: "XREADGROUP GROUP g c COUNT 5 STREAMS {prefix}s >" },
      { name: "EVALSHA", weight: 2, template: "EVALSHA {script:visit} 1 {key}:n" },
      { name: "GET", weight: 2, template: "GET {key}:n" },
      { name: "HGETALL", weight: 1, template: "HGETALL {key}" },
    ];
    const config = testRunConfig({
      url: redis.url,
      prefix,
      durationMs: undefined,
      requests: 4000,
      connections: 4,
      pipeline: 4,
      keyMax: 200,
      timeoutMs: 5000,
      commands,
      scripts: { visit: "return redis.call('INCR', KEYS[1])" },
      keepKeys: true,
      // The stream made above is under the prefix on purpose: the run may load over it.
      reusePrefix: true,
    });
    const statsBefore = await commandStats(redis.url);
    const { result } = await runScenario(config);
    const statsAfter = await commandStats(redis.url);

    assert.equal(result.status, "completed");
    assert.equal(result.totals.ops, 4000);
    assert.equal(result.totals.errors, 0, JSON.stringify(result.totals.errorsByKind));
    assert.equal(result.countCheck.checked, true);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    // Two XADD templates: two labels in the report, one command for the server.
    assert.ok(result.perCommand.XADD.ops > 0 && result.perCommand["XADD-2"].ops > 0);
    const byName = new Map<string, number>();
    commands.forEach((c, i) => {
      const label = i === 5 ? "XADD-2" : c.name;
      byName.set(c.name, (byName.get(c.name) ?? 0) + result.perCommand[label].ops);
    });
    for (const [name, ops] of byName) {
      const server = delta(statsBefore, statsAfter, name.toLowerCase());
      assert.equal(server, ops, `${name}: server counted ${server}, the tool replied ${ops}`);
      assert.equal(result.countCheck.byCommand[name].server, server);
      assert.equal(result.countCheck.byCommand[name].sent, ops);
    }
    // The script's INCRs are counted by the server under INCR, a command the run does not send.
    assert.equal(delta(statsBefore, statsAfter, "incr"), byName.get("EVALSHA"));
    // SCRIPT LOAD ran once, before the load, and is not one of the run's commands.
    assert.equal(delta(statsBefore, statsAfter, "script|load"), 1);
    assert.equal(result.countCheck.byCommand.SCRIPT, undefined);

    const types = await withClient(redis.url, async (c) => {
      const seen = new Set<string>();
      for await (const keys of c.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 }))
        for (const key of keys) seen.add(await c.type(key));
      return [...seen].sort();
    });
    assert.deepEqual(
      types,
      ["hash", "list", "stream", "string", "zset"].filter((t) => types.includes(t)),
    );
    for (const t of ["hash", "stream", "string", "zset"])
      assert.ok(types.includes(t), `no ${t} key: ${types}`);

    // A second run on the same prefix deletes everything under it, the first run's keys included.
    const { result: second } = await runScenario({ ...config, requests: 100, keepKeys: false });
    assert.equal(second.countCheck.ok, true, second.countCheck.note);
    assert.ok(second.cleanup.keysDeleted > 200, `deleted ${second.cleanup.keysDeleted}`);
    assert.equal(await scanCount(redis.url, `${prefix}*`), 0);
  });

  it("stream-pipeline: each firehose event lands in the stream of its own type, every XADD counted", async () => {
    const prefix = `cstpl:${Math.random().toString(16).slice(2, 10)}:`;
    const { config } = await resolveRunConfig([
      "stream-pipeline",
      "--url",
      redis.url,
      "--prefix",
      prefix,
      "--requests",
      "5000",
      "--connections",
      "2",
      "--pipeline",
      "100",
      "--keep-keys",
    ]);
    const statsBefore = await commandStats(redis.url);
    const { result } = await runScenario(config);
    const statsAfter = await commandStats(redis.url);
    try {
      assert.equal(result.totals.errors, 0, JSON.stringify(result.totals.errorsByKind));
      assert.equal(result.countCheck.ok, true, result.countCheck.note);
      assert.equal(delta(statsBefore, statsAfter, "xadd"), 5000);
      const streams = await withClient(redis.url, async (c) => {
        const out: Record<string, { length: number; wrongType: number }> = {};
        for (const type of ["post", "like", "repost", "follow", "block"]) {
          const key = `${prefix}events:${type}`;
          const entries = (await c.sendCommand(["XRANGE", key, "-", "+"])) as [string, string[]][];
          let wrongType = 0;
          for (const [, fields] of entries) {
            const event = JSON.parse(fields[3]) as { commit: { collection: string } };
            if (fields[0] !== "type" || fields[1] !== type || fields[2] !== "event") wrongType++;
            else if (!event.commit.collection.endsWith(`.${type}`)) wrongType++;
          }
          out[type] = { length: entries.length, wrongType };
        }
        return out;
      });
      const total = Object.values(streams).reduce((sum, s) => sum + s.length, 0);
      assert.equal(total, 5000, JSON.stringify(streams));
      for (const [type, s] of Object.entries(streams))
        assert.equal(s.wrongType, 0, `${type}: ${JSON.stringify(s)}`);
      // Likes dominate a firehose; every type shows up in 5000 events.
      assert.ok(
        streams.like.length > streams.block.length && streams.block.length > 0,
        JSON.stringify(streams),
      );
    } finally {
      await withClient(redis.url, async (c) => {
        for (const type of ["post", "like", "repost", "follow", "block"])
          await c.unlink(`${prefix}events:${type}`);
      });
    }
  });
});

describe("command templates on a Redis Cluster: routed by their key argument", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster(3, 0);
  });
  after(async () => {
    await cluster?.stop();
  });

  it("named stream keys, {key} keys and EVALSHA go to their slot's primary: no MOVED, exact counts, no keys left", async () => {
    const prefix = `cstpl:${Math.random().toString(16).slice(2, 10)}:`;
    const before = {
      xadd: await clusterCommandCalls(cluster.nodes, "xadd"),
      hset: await clusterCommandCalls(cluster.nodes, "hset"),
      evalsha: await clusterCommandCalls(cluster.nodes, "evalsha"),
    };
    const { result } = await runScenario(
      testRunConfig({
        url: cluster.url,
        prefix,
        durationMs: undefined,
        requests: 6000,
        connections: 2,
        pipeline: 8,
        keyMax: 2000,
        dataset: "firehose",
        commands: [
          { name: "XADD", weight: 2, template: "XADD {prefix}events:{type} * event {value}" },
          { name: "HSET", weight: 2, template: "HSET {key} type {type} event {value}" },
          { name: "EVALSHA", weight: 1, template: "EVALSHA {script:visit} 1 {key}:n" },
        ],
        scripts: { visit: "return redis.call('INCR', KEYS[1])" },
      }),
    );
    assert.equal(result.target.topology, "cluster");
    assert.equal(result.totals.ops, 6000);
    assert.equal(result.totals.errors, 0, JSON.stringify(result.totals.errorsByKind));
    assert.deepEqual(result.routing?.redirects ?? {}, {}, "every operation went to its slot's owner first");
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    assert.equal(
      (await clusterCommandCalls(cluster.nodes, "xadd")) - before.xadd,
      result.perCommand.XADD.ops,
    );
    assert.equal(
      (await clusterCommandCalls(cluster.nodes, "hset")) - before.hset,
      result.perCommand.HSET.ops,
    );
    assert.equal(
      (await clusterCommandCalls(cluster.nodes, "evalsha")) - before.evalsha,
      result.perCommand.EVALSHA.ops,
    );
    // The five streams hash to different slots; more than one primary served XADDs.
    const nodesWithOps = Object.values(result.nodes ?? {}).filter((n) => n.ops > 0).length;
    assert.equal(nodesWithOps, 3);
    let left = 0;
    for (const node of cluster.nodes) {
      left += await withNode(node.url, async (c) => {
        let n = 0;
        for await (const keys of c.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) n += keys.length;
        return n;
      });
    }
    assert.equal(left, 0);
    assert.ok(result.cleanup.keysDeleted > 5);
  });
});
