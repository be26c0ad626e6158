import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import { FaultProxy } from "../../src/faults/fault-proxy.js";
import { commandStats, dbsize, type ManagedRedis, startRedis } from "../helpers/redis.js";

/** A raw connection that collects everything the server (through the proxy) sends back. */
async function rawConnection(port: number): Promise<{
  socket: net.Socket;
  received: () => string;
  waitFor: (text: string, timeoutMs: number) => Promise<boolean>;
  closed: Promise<string>;
}> {
  const socket = net.connect({ host: "127.0.0.1", port });
  let data = "";
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    data += chunk;
  });
  const closed = new Promise<string>((resolve) => {
    let code = "closed";
    socket.on("error", (e: NodeJS.ErrnoException) => {
      code = e.code ?? "error";
    });
    socket.on("close", () => resolve(code));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const waitFor = async (text: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (data.includes(text)) return true;
      await sleep(10);
    }
    return data.includes(text);
  };
  return { socket, received: () => data, waitFor, closed };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function resp(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
}

async function client(port: number) {
  const c = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false } });
  c.on("error", () => {});
  await c.connect();
  return c;
}

async function timedPingMs(c: Awaited<ReturnType<typeof client>>): Promise<number> {
  const started = performance.now();
  await c.ping();
  return performance.now() - started;
}

describe("FaultProxy against a real redis-server", () => {
  let redis: ManagedRedis;
  let proxy: FaultProxy;
  before(async () => {
    redis = await startRedis();
    proxy = await FaultProxy.start({ targetHost: redis.host, targetPort: redis.port, seed: 7 });
  });
  after(async () => {
    await proxy.close();
    await redis.stop();
  });

  it("forwards both ways unchanged, big values included, and counts the bytes", async () => {
    const c = await client(proxy.port);
    const big = "x".repeat(3 * 1024 * 1024);
    await c.set("proxy:big", big);
    assert.equal(await c.get("proxy:big"), big);
    const replies = await Promise.all(Array.from({ length: 500 }, (_, i) => c.set(`proxy:k${i}`, String(i))));
    assert.equal(replies.filter((r) => r === "OK").length, 500);
    assert.equal(await c.get("proxy:k499"), "499");
    await c.del("proxy:big");
    c.destroy();
    assert.ok(proxy.stats.bytesToServer > big.length);
    assert.ok(proxy.stats.bytesToClient > big.length);
    assert.ok(proxy.stats.connectionsAccepted >= 1);
  });

  it("latency adds its delay per direction, jitter stays within bounds, and clearing removes it", async () => {
    const c = await client(proxy.port);
    const before = await timedPingMs(c);
    proxy.setLatency({ latencyMs: 60, jitterMs: 0, direction: "to-client" });
    const oneWay = await timedPingMs(c);
    proxy.setLatency({ latencyMs: 40, jitterMs: 0, direction: "both" });
    const bothWays = await timedPingMs(c);
    proxy.setLatency({ latencyMs: 50, jitterMs: 20, direction: "to-server" });
    const jittered: number[] = [];
    for (let i = 0; i < 10; i++) jittered.push(await timedPingMs(c));
    proxy.setLatency(undefined);
    const after = await timedPingMs(c);
    c.destroy();
    assert.ok(oneWay >= 60, `one way ${oneWay} ms`);
    assert.ok(bothWays >= 80, `both ways ${bothWays} ms`);
    assert.ok(Math.min(...jittered) >= 30, `jittered ${jittered}`);
    // Order is kept whatever the jitter: every reply came back (node-redis would fail otherwise).
    assert.equal(jittered.length, 10);
    assert.ok(after < 40 && before < 40, `before ${before} after ${after}`);
  });

  it("jitter never reorders bytes: pipelined replies come back in order", async () => {
    const c = await client(proxy.port);
    proxy.setLatency({ latencyMs: 5, jitterMs: 5, direction: "both" });
    const values = await Promise.all(
      Array.from({ length: 200 }, (_, i) => c.set(`proxy:o${i}`, String(i)).then(() => c.get(`proxy:o${i}`))),
    );
    proxy.setLatency(undefined);
    c.destroy();
    assert.deepEqual(
      values,
      Array.from({ length: 200 }, (_, i) => String(i)),
    );
  });

  it("a bandwidth cap limits throughput roughly to the cap", async () => {
    const c = await client(proxy.port);
    const value = "y".repeat(256 * 1024);
    await c.set("proxy:bw", value);
    let started = performance.now();
    await c.get("proxy:bw");
    const uncappedMs = performance.now() - started;
    proxy.setBandwidth({ bytesPerSec: 256 * 1024, direction: "to-client" });
    started = performance.now();
    // 2 × 256 KiB at 256 KiB/s: about 2 s.
    await Promise.all([c.get("proxy:bw"), c.get("proxy:bw")]);
    const cappedMs = performance.now() - started;
    proxy.setBandwidth(undefined);
    await c.del("proxy:bw");
    c.destroy();
    assert.ok(uncappedMs < 300, `uncapped ${uncappedMs} ms`);
    assert.ok(cappedMs >= 1700 && cappedMs < 4000, `capped ${cappedMs} ms`);
  });

  it("drop discards whole commands: the server never sees them, the rest of the stream stays valid", async () => {
    const statsBefore = await commandStats(redis.url);
    const keysBefore = await dbsize(redis.url);
    const dropsBefore = proxy.stats.commandsDropped;
    proxy.setDrop({ probability: 0.5, granularity: "command", commands: ["SET"] });
    const conn = await rawConnection(proxy.port);
    const sets = 400;
    // Pipelined in uneven writes so commands straddle chunk boundaries.
    let batch = "";
    for (let i = 0; i < sets; i++) {
      batch += resp("SET", `proxy:drop:${i}`, "v".repeat(i % 50));
      if (batch.length > 333) {
        conn.socket.write(batch);
        batch = "";
      }
    }
    conn.socket.write(`${batch}${resp("PING")}`);
    assert.ok(await conn.waitFor("+PONG\r\n", 3000), "PONG after the SETs");
    proxy.setDrop(undefined);
    const oks = conn.received().split("+OK\r\n").length - 1;
    conn.socket.destroy();
    const dropped = proxy.stats.commandsDropped - dropsBefore;
    const statsAfter = await commandStats(redis.url);
    const setCalls = (statsAfter.set?.calls ?? 0) - (statsBefore.set?.calls ?? 0);
    assert.ok(dropped > 100 && dropped < 300, `dropped ${dropped}`);
    assert.equal(setCalls, sets - dropped, "the server counted exactly the SETs not dropped");
    assert.equal(oks, setCalls, "one +OK per SET that arrived");
    assert.equal((await dbsize(redis.url)) - keysBefore, setCalls);
    assert.equal(statsAfter.ping?.calls, (statsBefore.ping?.calls ?? 0) + 1, "PING was never dropped");
  });

  it("reset breaks every open connection with RST and can refuse new ones for a while", async () => {
    const c = await client(proxy.port);
    const broken = new Promise<string>((resolve) =>
      c.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message)),
    );
    const raw = await rawConnection(proxy.port);
    const resetsBefore = proxy.stats.connectionsReset;
    const n = proxy.resetConnections();
    assert.ok(n >= 2, `reset ${n}`);
    assert.equal(await broken, "ECONNRESET");
    assert.equal(await raw.closed, "ECONNRESET");
    assert.equal(proxy.stats.connectionsReset - resetsBefore, n);

    proxy.refuseNew(true);
    // The RST may arrive before or after the client saw its connect complete.
    const refused = await rawConnection(proxy.port).then(
      (r) => r.closed,
      (e: NodeJS.ErrnoException) => e.code,
    );
    assert.equal(refused, "ECONNRESET");
    proxy.refuseNew(false);
    const again = await client(proxy.port);
    assert.equal(await again.ping(), "PONG");
    again.destroy();
  });

  it("blackhole answers nothing, in either direction, until cleared; then the broken connections are reset", async () => {
    const conn = await rawConnection(proxy.port);
    proxy.setBlackhole(true);
    conn.socket.write(resp("PING"));
    const fresh = await rawConnection(proxy.port);
    fresh.socket.write(resp("PING"));
    assert.equal(await conn.waitFor("PONG", 400), false);
    assert.equal(await fresh.waitFor("PONG", 10), false);
    const reset = proxy.setBlackhole(false);
    assert.equal(reset, 2);
    assert.equal(await conn.closed, "ECONNRESET");
    assert.equal(await fresh.closed, "ECONNRESET");
    assert.ok(proxy.stats.bytesBlackholed >= 2 * resp("PING").length);
    const after = await client(proxy.port);
    assert.equal(await after.ping(), "PONG");
    after.destroy();
  });

  it("lists the proxy's own connections to the server as the server sees them", async () => {
    const c = await client(proxy.port);
    await c.ping();
    const addresses = proxy.upstreamAddresses();
    const list = String(await c.sendCommand(["CLIENT", "LIST"]));
    c.destroy();
    assert.ok(addresses.length >= 1);
    for (const a of addresses) assert.match(list, new RegExp(`addr=${a.replace(/\./g, "\\.")} `));
  });
});
