import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import type { ConnectionTarget } from "../../src/engine/load-connection.js";
import { ServerProber } from "../../src/probes/server-prober.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";

const targetOf = (redis: ManagedRedis): ConnectionTarget => ({
  host: redis.host,
  port: redis.port,
  tls: false,
  rejectUnauthorized: true,
  db: 0,
});

async function connectClient(redis: ManagedRedis) {
  const client = createClient({ url: redis.url });
  client.on("error", () => {
    // Reported through the rejected command instead.
  });
  await client.connect();
  return client;
}

describe("ServerProber against a real redis-server", () => {
  let redis: ManagedRedis;
  let prober: ServerProber;
  let client: Awaited<ReturnType<typeof connectClient>>;

  before(async () => {
    redis = await startRedis();
    prober = await ServerProber.connect(targetOf(redis), { pid: redis.pid });
    client = await connectClient(redis);
  });
  after(async () => {
    client?.destroy();
    await prober?.close();
    await redis?.stop();
  });

  it("takes plausible samples, with CPU and RSS of the managed process", async () => {
    const first = await prober.sample(0);
    assert.equal(first.tS, 0);
    assert.ok(
      first.usedMemoryBytes !== undefined && first.usedMemoryBytes > 0,
      `used ${first.usedMemoryBytes}`,
    );
    assert.ok(first.connectedClients !== undefined && first.connectedClients >= 1);
    assert.ok((first.commandCalls?.INFO ?? 0) >= 1, JSON.stringify(first.commandCalls));
    assert.equal(first.maxclients, 10000);
    assert.equal(first.maxmemoryBytes, 0);
    assert.equal(first.role, "master");
    assert.ok(first.processRssBytes !== undefined && first.processRssBytes > 1_000_000);
    assert.equal(first.processCpuPercent, undefined, "CPU % needs two readings");
    assert.deepEqual(prober.unavailable, []);

    const second = await prober.sample(1);
    assert.ok(second.processCpuPercent !== undefined && second.processCpuPercent >= 0);
    // Our own INFO between the two samples is counted by the server.
    assert.ok(second.commandCalls!.INFO > first.commandCalls!.INFO);
  });

  it("sees memory grow after ~20 MB of writes", async () => {
    const beforeWrites = await prober.sample(2);
    const value = "x".repeat(100 * 1024);
    await Promise.all(Array.from({ length: 200 }, (_, i) => client.set(`probe:mem:${i}`, value)));
    const afterWrites = await prober.sample(3);
    const grownBytes = afterWrites.usedMemoryBytes! - beforeWrites.usedMemoryBytes!;
    assert.ok(grownBytes >= 19 * 1024 * 1024, `grew ${grownBytes} bytes`);
    assert.ok(afterWrites.usedMemoryPeakBytes! >= afterWrites.usedMemoryBytes!);
  });

  it("computes the interval's hit ratio from the GETs it saw", async () => {
    await client.set("probe:hit", "1");
    const start = await prober.sample(4);
    await Promise.all(Array.from({ length: 30 }, () => client.get("probe:hit")));
    await Promise.all(Array.from({ length: 10 }, (_, i) => client.get(`probe:missing:${i}`)));
    const end = await prober.sample(5);
    assert.equal(end.keyspaceHitsTotal! - start.keyspaceHitsTotal!, 30);
    assert.equal(end.keyspaceMissesTotal! - start.keyspaceMissesTotal!, 10);
    assert.equal(end.hitRatio, 0.75);
  });

  it("reports only SLOWLOG entries that are new since the last sample, never its own", async () => {
    await prober.sample(6);
    await client.configSet("slowlog-log-slower-than", "0");
    await client.set("probe:slow", "v");
    const withEntries = await prober.sample(7);
    const commands = (withEntries.slowlog ?? []).map((e) => e.command);
    assert.deepEqual(commands, ["CONFIG SET slowlog-log-slower-than 0", "SET probe:slow v"]);
    for (const e of withEntries.slowlog!) {
      assert.ok(e.durationUs >= 0 && Math.abs(e.atS - Date.now() / 1000) < 60);
    }
    // The prober's own INFO/SLOWLOG/LATENCY are logged too now, but filtered by its client name.
    const next = await prober.sample(8);
    assert.equal(next.slowlog, undefined, JSON.stringify(next.slowlog));
    await client.get("probe:slow");
    const third = await prober.sample(9);
    assert.deepEqual(
      third.slowlog?.map((e) => e.command),
      ["GET probe:slow"],
    );
    assert.ok(third.slowlog![0].id > withEntries.slowlog![1].id);
    await client.configSet("slowlog-log-slower-than", "10000");
  });

  it("reads LATENCY LATEST once the monitor is on", async () => {
    await client.configSet("latency-monitor-threshold", "1");
    // A Lua busy loop of a few tens of ms: a "command" latency event, without DEBUG.
    await client.eval("local i = 0 while i < 3000000 do i = i + 1 end return i");
    const sample = await prober.sample(10);
    const event = sample.latencyEvents?.command;
    assert.ok(event !== undefined, JSON.stringify(sample.latencyEvents));
    assert.ok(event.latestMs >= 1 && event.maxMs >= event.latestMs);
    await client.configSet("latency-monitor-threshold", "0");
  });
});

describe("ServerProber on a local server it was not told the PID of", () => {
  it("finds the PID from INFO server and /proc", async () => {
    const redis = await startRedis();
    try {
      const prober = await ServerProber.connect(targetOf(redis), { intervalMs: 200 });
      assert.equal(prober.pid, redis.pid);
      await prober.sample(0);
      const sample = await prober.sample(0.2);
      assert.ok(sample.processCpuPercent !== undefined && sample.processRssBytes !== undefined);
      await prober.close();
    } finally {
      await redis.stop();
    }
  });
});

describe("ServerProber on a server with CONFIG disabled", () => {
  it("samples without CONFIG and notes it once", async () => {
    // An empty argv element is the config file's `rename-command CONFIG ""` (redis-server quotes
    // each argument); a literal `"\"\""` would rename CONFIG to a command named "".
    const redis = await startRedis(["--rename-command", "CONFIG", ""]);
    try {
      const prober = await ServerProber.connect(targetOf(redis), { pid: redis.pid });
      for (let i = 0; i < 4; i++) {
        const sample = await prober.sample(i);
        assert.ok(sample.usedMemoryBytes! > 0);
        assert.equal(sample.maxclients, 10000, "INFO clients has it on 7.x");
      }
      assert.deepEqual(prober.unavailable, [
        "CONFIG: not available on this target (ERR unknown command 'CONFIG')",
      ]);
      await prober.close();
    } finally {
      await redis.stop();
    }
  });
});

describe("ServerProber as an ACL user without CONFIG, SLOWLOG and LATENCY", () => {
  it("notes each refused command once and still samples INFO", async () => {
    const redis = await startRedis();
    const admin = await connectClient(redis);
    try {
      await admin.sendCommand([
        "ACL",
        "SETUSER",
        "watcher",
        "on",
        "nopass",
        "+@all",
        "-config",
        "-slowlog",
        "-latency",
      ]);
      const target = { ...targetOf(redis), username: "watcher", password: "unused" };
      const prober = await ServerProber.connect(target, { pid: redis.pid });
      for (let i = 0; i < 3; i++) assert.ok((await prober.sample(i)).usedMemoryBytes! > 0);
      assert.deepEqual(prober.unavailable.sort(), [
        "CONFIG: not available on this target (NOPERM this user has no permissions to run the 'config|get' command)",
        "LATENCY: not available on this target (NOPERM this user has no permissions to run the 'latency|latest' command)",
        "SLOWLOG: not available on this target (NOPERM this user has no permissions to run the 'slowlog|get' command)",
      ]);
      await prober.close();
    } finally {
      admin.destroy();
      await redis.stop();
    }
  });
});

describe("ServerProber on a paused server", () => {
  it("gives empty samples while paused without queueing a probe per interval, then recovers", async () => {
    const redis = await startRedis();
    const prober = await ServerProber.connect(targetOf(redis), { intervalMs: 300 });
    const client = await connectClient(redis);
    try {
      const before = await prober.sample(0);
      await client.sendCommand(["CLIENT", "PAUSE", "2000", "ALL"]);
      let empties = 0;
      for (let i = 1; i <= 5; i++) {
        const sample = await prober.sample(i);
        if (sample.usedMemoryBytes === undefined) empties++;
        await new Promise((r) => setTimeout(r, 300));
      }
      assert.ok(empties >= 3, `${empties} empty samples during a 2 s pause`);
      let after = await prober.sample(6);
      for (let i = 0; i < 10 && after.usedMemoryBytes === undefined; i++) {
        await new Promise((r) => setTimeout(r, 300));
        after = await prober.sample(7 + i);
      }
      // One INFO per sample that reached the server: the one stuck during the pause and this one.
      assert.equal(after.commandCalls!.INFO - before.commandCalls!.INFO, 2);
    } finally {
      client.destroy();
      await prober.close();
      await redis.stop();
    }
  });
});

describe("ServerProber when the server goes away", () => {
  it("resolves empty samples instead of throwing, and keeps doing so", async () => {
    const redis = await startRedis();
    const prober = await ServerProber.connect(targetOf(redis), { pid: redis.pid, intervalMs: 200 });
    try {
      assert.ok((await prober.sample(0)).usedMemoryBytes! > 0);
      await redis.stop();
      for (let i = 1; i <= 4; i++) {
        const startedMs = Date.now();
        const sample = await prober.sample(i);
        assert.deepEqual(Object.keys(sample).sort(), ["atMs", "tS"]);
        assert.ok(Date.now() - startedMs < 1500, "a sample never waits much longer than an interval");
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await prober.close();
      await redis.stop();
    }
  });
});
