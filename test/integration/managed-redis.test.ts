import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { after, describe, it } from "node:test";
import { createClient } from "@redis/client";
import {
  findRedisServer,
  type ManagedRedis,
  ManagedRedisError,
  startManagedRedis,
} from "../../src/core/managed-redis.js";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function ping(url: string): Promise<string> {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    return await client.ping();
  } finally {
    client.destroy();
  }
}

describe("managed redis-server", () => {
  const started: ManagedRedis[] = [];
  after(async () => {
    await Promise.all(started.map((r) => r.stop()));
  });

  it("runs two servers at once on distinct ports, and stop() ends each one and removes its dir", async () => {
    const [a, b] = await Promise.all([startManagedRedis(), startManagedRedis()]);
    started.push(a, b);
    assert.notEqual(a.port, b.port);
    assert.notEqual(a.pid, b.pid);
    assert.equal(a.url, `redis://127.0.0.1:${a.port}`);
    assert.equal(await ping(a.url), "PONG");
    assert.equal(await ping(b.url), "PONG");
    assert.ok(existsSync(a.dir));

    await a.stop();
    assert.equal(isAlive(a.pid), false);
    assert.equal(existsSync(a.dir), false);
    assert.equal(await ping(b.url), "PONG", "stopping one server leaves the other running");

    await b.stop();
    await b.stop(); // idempotent
    assert.equal(isAlive(b.pid), false);
    assert.equal(existsSync(b.dir), false);
  });

  it("passes extra arguments to the server", async () => {
    const r = await startManagedRedis({ extraArgs: ["--maxmemory", "16mb"] });
    started.push(r);
    const client = createClient({ url: r.url });
    client.on("error", () => {});
    await client.connect();
    try {
      assert.equal((await client.configGet("maxmemory")).maxmemory, String(16 * 1024 * 1024));
    } finally {
      client.destroy();
    }
    await r.stop();
  });

  it("moves to another port when the one it was asked to try is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const takenPort = (blocker.address() as { port: number }).port;
    try {
      const r = await startManagedRedis({ port: takenPort });
      started.push(r);
      assert.notEqual(r.port, takenPort);
      assert.equal(await ping(r.url), "PONG");
      await r.stop();
    } finally {
      blocker.close();
    }
  });

  it("reports a missing binary as E_REDIS_SERVER_MISSING with how to install it", async () => {
    assert.equal(findRedisServer({ pathEnv: "", fallbackDirs: [] }), undefined);
    await assert.rejects(startManagedRedis({ redisServerPath: "/nonexistent/bin/redis-server" }), (err) => {
      assert.ok(err instanceof ManagedRedisError);
      assert.equal(err.code, "E_REDIS_SERVER_MISSING");
      assert.match(err.message, /apt-get install redis-server/);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  });

  it("reports a server that cannot start as E_REDIS_SERVER_START with its own error", async () => {
    await assert.rejects(startManagedRedis({ extraArgs: ["--no-such-directive", "1"] }), (err) => {
      assert.ok(err instanceof ManagedRedisError);
      assert.equal(err.code, "E_REDIS_SERVER_START");
      assert.match(err.message, /no-such-directive|Bad directive/i);
      return true;
    });
  });
});
