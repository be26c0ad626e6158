import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EngineThreads } from "../../src/engine/engine-threads.js";
import type { ConnectionTarget } from "../../src/engine/load-connection.js";
import { epochNowMs } from "../../src/engine/load-connection.js";
import type { ThreadPlan } from "../../src/engine/thread-plan.js";
import { aclSetUser, commandStats, type ManagedRedis, startRedis } from "../helpers/redis.js";

const THREADS = 2;
const CONNECTIONS_PER_THREAD = 3;
/** Long enough for dozens of pushes, whatever the machine's speed, ms. */
const LOAD_MS = 1000;
/** How often new credentials are pushed while the load runs, ms: far more often than any real token. */
const PUSH_EVERY_MS = 15;
/** The push that carries a wrong password, to see refusals counted and the load unharmed. */
const WRONG_PUSH = 4;

function plans(target: ConnectionTarget, prefix: string): ThreadPlan[] {
  return Array.from({ length: THREADS }, (_, t) => ({
    threadIndex: t,
    target,
    connections: CONNECTIONS_PER_THREAD,
    firstConnection: t * CONNECTIONS_PER_THREAD,
    totalConnections: THREADS * CONNECTIONS_PER_THREAD,
    pipeline: 16,
    timeoutMs: 2000,
    readFrom: "primary" as const,
    seed: 11,
    workload: {
      commands: [
        { name: "SET" as const, weight: 1 },
        { name: "GET" as const, weight: 3 },
      ],
      keyPattern: "uniform" as const,
      keyMax: 1000,
      prefix,
      dataSizeMin: 16,
      dataSizeMax: 16,
    },
  }));
}

describe("re-AUTH in the middle of pipelined load (engine threads, real redis-server)", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
    await aclSetUser(redis.url, "rotating", "on", ">pw-a", ">pw-b", "~csre:*", "+@all");
  });
  after(async () => {
    await redis.stop();
  });

  it("every AUTH reply is told apart from the operations' replies: exact counts, every re-AUTH answered", async () => {
    const target: ConnectionTarget = {
      host: redis.host,
      port: redis.port,
      tls: false,
      rejectUnauthorized: true,
      username: "rotating",
      password: "pw-a",
      db: 0,
    };
    const statsBefore = await commandStats(redis.url);
    const engine = await EngineThreads.start(plans(target, "csre:"));
    let pushes = 0;
    try {
      const timer = setInterval(() => {
        pushes++;
        const password = pushes === WRONG_PUSH ? "not-the-password" : pushes % 2 === 0 ? "pw-a" : "pw-b";
        engine.updateCredentials("rotating", password);
      }, PUSH_EVERY_MS);
      const startEpochMs = epochNowMs() + 30;
      const outcome = await engine.runPhase(
        Array.from({ length: THREADS }, () => ({
          name: "measure" as const,
          startEpochMs,
          endEpochMs: startEpochMs + LOAD_MS,
        })),
      );
      clearInterval(timer);
      const sum = (pick: (r: (typeof outcome.reports)[number]) => number[]) =>
        outcome.reports.reduce((total, r) => total + pick(r).reduce((a, b) => a + b, 0), 0);
      const ops = sum((r) => r.ops);
      assert.ok(ops > 1000, `ops ${ops}`);
      assert.equal(
        sum((r) => r.sent),
        ops,
      );
      assert.equal(
        sum((r) => r.errorReplies),
        0,
      );
      assert.equal(
        outcome.reports.reduce((n, r) => n + r.reconnects + r.timeouts + r.aborted, 0),
        0,
      );

      // Every push reached every connection (all stay up), and each AUTH got exactly one reply.
      const expected = pushes * THREADS * CONNECTIONS_PER_THREAD;
      let stats = await engine.reauthStats();
      for (let i = 0; i < 50 && stats.ok + stats.failed < expected; i++) {
        await new Promise((r) => setTimeout(r, 20));
        stats = await engine.reauthStats();
      }
      assert.ok(pushes >= WRONG_PUSH, `only ${pushes} pushes during the run`);
      assert.equal(stats.ok + stats.failed, expected);
      assert.equal(stats.failed, THREADS * CONNECTIONS_PER_THREAD);
      assert.equal(stats.lastFailure, "WRONGPASS");

      const statsAfter = await commandStats(redis.url);
      const calls = (name: string) => (statsAfter[name]?.calls ?? 0) - (statsBefore[name]?.calls ?? 0);
      assert.equal(calls("set") + calls("get"), ops);
      assert.equal(
        sum((r) => r.ops.slice(0, 1)),
        calls("set"),
      );
      // The handshake AUTHs of the connections, plus every re-AUTH.
      assert.equal(calls("auth"), THREADS * CONNECTIONS_PER_THREAD + expected);
    } finally {
      await engine.close();
    }
  });
});
