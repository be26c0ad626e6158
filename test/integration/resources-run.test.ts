import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import { runScenario } from "../../src/run/run-scenario.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

/**
 * Resource metrics and resource zones against real redis-servers started here and given to the
 * tool as --url (so the tool must find the PID through INFO server itself): open files, the
 * persistence files, the depth of a stream with a consumer group, and a server killed mid-run.
 */
describe("resources of a server on this host", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis(["--appendonly", "yes"]);
  });
  after(async () => {
    await redis.stop();
  });

  it("stream length and pending entries match the server; fds, AOF and disk are measured; zones use the run's bands", async () => {
    const prefix = `cstest:${Math.random().toString(16).slice(2, 10)}:`;
    const stream = `${prefix}events`;
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      // A consumer group that read 3 of 5 entries without acknowledging them: 3 pending.
      for (let i = 0; i < 5; i++) await client.xAdd(stream, "*", { n: String(i) });
      await client.xGroupCreate(stream, "writers", "0");
      await client.xReadGroup("writers", "w1", { key: stream, id: ">" }, { COUNT: 3 });
    } finally {
      await client.quit();
    }
    const { result } = await runScenario(
      testRunConfig({
        url: redis.url,
        prefix,
        reusePrefix: true,
        durationMs: 2000,
        connections: 4,
        commands: [{ name: "XADD", weight: 1, template: "XADD {prefix}events * v {value}" }],
        zones: {
          pendingEntries: { stableBelow: 1, failureAbove: 2 },
          streamLengthEntries: { stableBelow: 1e12, failureAbove: 1e13 },
        },
      }),
    );
    const xadds = result.perCommand.XADD;
    assert.ok(xadds !== undefined && xadds.ops > 0);
    const buffer = result.resources?.buffer;
    assert.ok(buffer !== undefined, JSON.stringify(result.resources));
    assert.equal(buffer.streams, 1);
    // Every XADD that got a reply is an entry, besides the 5 written before the run.
    assert.equal(buffer.streamLengthEntriesMax, 5 + xadds.ops - (xadds.errors ?? 0));
    assert.equal(buffer.pendingEntriesMax, 3);
    const zone = (m: string) => result.zones?.find((z) => z.metric === m);
    assert.equal(zone("pendingEntries")?.zone, "failure");
    assert.equal(zone("pendingEntries")?.configured, true);
    assert.equal(zone("streamLengthEntries")?.zone, "stable");

    const server = result.resources?.server;
    assert.ok(server !== undefined);
    assert.equal(server.pid, redis.pid);
    // The run's 4 load connections, the probe and the admin connection are each a descriptor.
    assert.ok((server.openFdsMax ?? 0) >= 6, `server fds ${server.openFdsMax}`);
    assert.ok((server.fdLimit ?? 0) > 0);
    assert.equal(server.persistenceDir, redis.dir);
    assert.ok((server.aofFileBytes ?? 0) > 0, `aof ${server.aofFileBytes}`);
    assert.ok((server.aofCurrentSizeBytesMax ?? 0) > 0);
    assert.ok(server.diskUsedPercentMax !== undefined && server.diskUsedPercentMax > 0);
    assert.equal(server.gone, 0);
    assert.equal(zone("serverGone")?.zone, "stable");
    assert.ok((result.serverSeries ?? []).some((s) => s.processOpenFds !== undefined));

    const tool = result.resources?.tool;
    assert.ok(tool !== undefined && (tool.rssBytesMax ?? 0) > 0 && (tool.heapUsedBytesMax ?? 0) > 0);
    assert.ok((tool.socketsMax ?? 0) >= 4, `tool sockets ${tool.socketsMax}`);
    assert.ok(zone("clientFdPercent")?.zone !== undefined);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
  });
});

describe("a server that goes away", () => {
  it("killed mid-run: counted once as gone, the crash zone is a failure", async () => {
    const redis = await startRedis();
    const kill = setTimeout(() => process.kill(redis.pid, "SIGKILL"), 1200);
    try {
      const { result } = await runScenario(
        testRunConfig({ url: redis.url, durationMs: 3000, timeoutMs: 300 }),
      );
      const server = result.resources?.server;
      assert.ok(server !== undefined);
      assert.equal(server.gone, 1, JSON.stringify(server));
      const crash = result.zones?.find((z) => z.metric === "serverGone");
      assert.equal(crash?.zone, "failure");
      assert.equal(crash?.value, 1);
    } finally {
      clearTimeout(kill);
      await redis.stop();
    }
  });
});
