import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import { AdminClient } from "../../src/core/admin-client.js";
import { type ManagedRedis, startManagedRedis } from "../../src/core/managed-redis.js";
import { epochNowMs } from "../../src/engine/load-connection.js";
import { type FaultRecord, FaultRunner } from "../../src/faults/fault-runner.js";
import { parseFaultSchedule, type ScheduledFault } from "../../src/faults/fault-schedule.js";
import { info } from "../helpers/redis.js";

function schedule(section: unknown[]): ScheduledFault[] {
  const outcome = parseFaultSchedule(section);
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.faults;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("FaultRunner and restarts against a real redis-server", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startManagedRedis();
  });
  after(async () => {
    await redis.stop();
  });

  const openAdmin = () =>
    AdminClient.connect(
      { host: redis.host, port: redis.port, tls: false, rejectUnauthorized: true, db: 0 },
      "redis",
    );

  it("applies each fault on time, records failures and faults never reached, and calls the hooks", async (t) => {
    // A client that does not reconnect, so the kill shows as a closed connection.
    const other = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
    other.on("error", () => {});
    await other.connect();
    t.after(() => {
      if (other.isOpen) other.destroy();
    });
    const started: string[] = [];
    const ended: FaultRecord[] = [];
    const lines: string[] = [];
    const runner = new FaultRunner({
      faults: schedule([
        { at: "200ms", kind: "client-kill", clients: "all" },
        { at: "300ms", kind: "debug-sleep", seconds: 0.2 },
        { at: "400ms", for: "300ms", kind: "client-pause", mode: "write" },
        { at: "30s", kind: "client-kill", clients: "all" },
      ]),
      openAdmin,
      say: (line) => lines.push(line),
      onFaultStart: (r) => started.push(r.name),
      onFaultEnd: (r) => ended.push(r),
    });
    runner.start(epochNowMs());
    await sleep(1000);
    const records = await runner.finish();
    const [kill, debugSleep, pause, never] = records;

    assert.equal(kill.status, "done", JSON.stringify(kill));
    assert.ok(Math.abs(kill.startS! - 0.2) < 0.1, JSON.stringify(kill));
    assert.ok(kill.effects.clientsKilled! >= 1, "the other client was killed");
    assert.equal(other.isOpen, false, "the other client's connection is gone");

    // DEBUG is refused by default since Redis 7: recorded as failed, the run goes on.
    assert.equal(debugSleep.status, "failed");
    assert.match(debugSleep.error!, /DEBUG command not allowed/);

    assert.equal(pause.status, "done", JSON.stringify(pause));
    assert.ok(pause.endS! - pause.startS! >= 0.28, JSON.stringify(pause));

    assert.equal(never.status, "not-reached");
    assert.equal(never.startS, undefined);

    assert.deepEqual(started, [kill.name, debugSleep.name, pause.name]);
    assert.deepEqual(
      ended.map((r) => r.index),
      [0, 1, 2],
    );
    assert.ok(lines.includes(`FAULT ${pause.name}: on at ${pause.startS}s`), lines.join("\n"));
    assert.ok(lines.some((l) => l.startsWith(`FAULT ${debugSleep.name}: failed:`)));
  });

  it("finish() cuts a long fault short and clears it", async () => {
    const runner = new FaultRunner({
      faults: schedule([{ at: "0s", for: "30s", kind: "client-pause", mode: "write" }]),
      openAdmin,
    });
    runner.start(epochNowMs());
    await sleep(200);
    const [pause] = await runner.finish();
    assert.ok(pause.endS! < 1, JSON.stringify(pause));
    // WRITE pauses can be lifted: a write goes through at once.
    const c = createClient({ url: redis.url });
    await c.connect();
    const t0 = performance.now();
    await c.set("fault-runner:after", "1");
    assert.ok(performance.now() - t0 < 500);
    await c.del("fault-runner:after");
    c.destroy();
  });

  it("restarts the managed server on the same port after the downtime, with a new pid and no data", async () => {
    const c = createClient({ url: redis.url });
    c.on("error", () => {});
    await c.connect();
    await c.set("fault-runner:restart", "1");
    c.destroy();
    const pidBefore = redis.pid;
    const runner = new FaultRunner({
      faults: schedule([{ at: "0s", for: "300ms", kind: "restart", signal: "SIGKILL" }]),
      server: redis,
    });
    runner.start(epochNowMs());
    await sleep(50);
    const [restart] = await runner.finish();
    assert.equal(restart.status, "done", JSON.stringify(restart));
    assert.ok(restart.endS! - restart.startS! >= 0.3, JSON.stringify(restart));
    assert.equal(runner.serverRestarted, true);
    assert.notEqual(redis.pid, pidBefore);
    assert.equal((await info(redis.url, "server")).process_id, String(redis.pid));
    assert.equal((await info(redis.url, "keyspace")).db0, undefined, "nothing persisted");
  });
});
