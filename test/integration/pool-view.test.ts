import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import type { IntervalEvent, RunEvent } from "../../src/run/run-events.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

/**
 * The connection-pool view against a real redis-server: the load's own connections are killed with
 * CLIENT KILL mid-run and the series must show them coming back; a server blocked by DEBUG SLEEP
 * makes an open-loop load queue behind its busy connections.
 */

/** Kills every client whose last command was one of `commands` (the load's), except our own; returns how many. */
async function killClients(url: string, commands: string[]): Promise<number> {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    const own = String(await client.sendCommand(["CLIENT", "ID"]));
    const list = String(await client.sendCommand(["CLIENT", "LIST"]));
    const ids = list
      .split("\n")
      .map((line) => Object.fromEntries(line.split(" ").map((kv) => kv.split("=") as [string, string])))
      .filter((c) => c.id !== undefined && c.id !== own && commands.includes(c.cmd))
      .map((c) => c.id as string);
    for (const id of ids) await client.sendCommand(["CLIENT", "KILL", "ID", id]);
    return ids.length;
  } finally {
    await client.quit();
  }
}

async function debugSleep(url: string, seconds: number): Promise<void> {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.sendCommand(["DEBUG", "SLEEP", String(seconds)]);
  } finally {
    await client.quit();
  }
}

describe("connection-pool view", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis(["--enable-debug-command", "yes"]);
  });
  after(async () => {
    await redis.stop();
  });

  it("closed loop: open equals --connections at steady state; CLIENT KILL mid-run shows as reconnects per second", async () => {
    const events: RunEvent[] = [];
    let killed: Promise<number> | undefined;
    const { result, markdownPath, htmlPath } = await runScenario(
      testRunConfig({ url: redis.url, durationMs: 4000, connections: 6, pipeline: 4 }),
      {
        onEvent: (event) => {
          events.push(event);
          // Once, after a second of measured load: kill every load connection (they send GET/SET).
          if (killed === undefined && event.type === "interval" && event.phase === "measure" && event.tS >= 1)
            killed = killClients(redis.url, ["get", "set"]);
        },
      },
    );
    const killedCount = await killed;
    assert.equal(killedCount, 6, "all six load connections were found and killed");

    const points = result.series;
    assert.ok(points.length >= 3, `series of ${points.length}`);
    for (const p of points) {
      assert.ok(p.pool !== undefined, `point ${p.tS} has a pool view`);
      assert.ok(p.pool.inUse <= p.pool.open, JSON.stringify(p.pool));
      assert.equal(p.pool.waiting, 0, "the closed loop never queues");
    }
    // Steady state, before the kill: every configured connection is open and busy.
    const first = points[0].pool!;
    assert.equal(first.open, 6);
    assert.ok(first.inUse > 0);
    const lastFull = points.at(-2)!.pool!;
    assert.equal(
      lastFull.open,
      6,
      `back to 6 open after the kill: ${JSON.stringify(points.map((p) => p.pool))}`,
    );

    // Every killed connection came back once, in the seconds after the kill.
    const reconnects = points.reduce((sum, p) => sum + (p.reconnects ?? 0), 0);
    assert.equal(reconnects, killedCount);
    assert.equal(result.totals.reconnects, killedCount);
    assert.ok(points.some((p) => p.pool!.reconnectsPerSec > 0));

    // The interval events carry the same pool view as the series.
    const intervals = events.filter(
      (e): e is IntervalEvent => e.type === "interval" && e.phase === "measure",
    );
    assert.deepEqual(
      intervals.map((e) => e.point.pool),
      points.slice(0, intervals.length).map((p) => p.pool),
    );

    const markdown = readFileSync(markdownPath!, "utf8");
    assert.match(markdown, /## Connection pool/);
    assert.match(markdown, new RegExp(`reconnects: ${killedCount} \\(worst second`));
    assert.match(readFileSync(htmlPath!, "utf8"), /<h2[^>]*>Connection pool<\/h2>/);
  });

  it("open loop behind a server blocked by DEBUG SLEEP: operations wait, connections in use hit 100 %, the alert fires", async () => {
    let slept: Promise<void> | undefined;
    const { result } = await runScenario(
      testRunConfig({
        url: redis.url,
        durationMs: undefined,
        stages: [{ kind: "constant", durationMs: 4000, rate: 1000 }],
        connections: 2,
        pipeline: 4,
        timeoutMs: 5000,
        alerts: {
          rules: [{ name: "connections_in_use_high", for: "0s" }],
        },
      }),
      {
        onEvent: (event) => {
          if (slept === undefined && event.type === "interval" && event.phase === "measure" && event.tS >= 1)
            slept = debugSleep(redis.url, 1.5);
        },
      },
    );
    await slept;
    const pools = result.series.map((p) => p.pool!);
    // 1000 ops/s over 2 connections of 4 slots: a 1.5 s stall leaves ~1,500 due, at most 8 in flight.
    const peakWaiting = Math.max(...pools.map((p) => p.waiting));
    assert.ok(peakWaiting > 100, `waiting peaked at ${peakWaiting}: ${JSON.stringify(pools)}`);
    assert.ok(pools.some((p) => p.inUse === 2 && p.waiting > 0));
    const fired = (result.alerts?.events ?? []).filter((e) => e.rule === "connections_in_use_high");
    assert.ok(
      fired.some((e) => e.type === "firing" && e.value === 100),
      JSON.stringify(result.alerts?.events),
    );
  });
});
