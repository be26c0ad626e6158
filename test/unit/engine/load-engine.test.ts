import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CommandWeight } from "../../../src/config/types.js";
import { LoadEngine } from "../../../src/engine/load-engine.js";
import type { PhasePlan, ThreadPlan } from "../../../src/engine/thread-plan.js";
import { PhaseTotals } from "../../../src/measure/phase-totals.js";
import type { IntervalReport } from "../../../src/measure/thread-recorder.js";
import { fakeThreadPlan, redisLike, useFakes } from "../../helpers/fake-redis.js";

/*
 * The load engine of one thread against an in-memory server (test/helpers/fake-redis.ts) and a
 * clock that moves only when the test moves it. Every expectation is read from what the fake
 * server received, or worked out by hand in the test, never from the engine's own counters.
 * The same engine runs against a real redis-server in test/integration.
 */

const fakes = useFakes();

/** Delivers replies until nothing more comes back (bounded), as a server that answers at once. */
function answerEverything(): void {
  for (let round = 0; round < 100_000 && fakes.server.deliverAll() > 0; round++);
}

/** Connects, runs one closed-loop phase of `requests` to its end, and returns its report. */
async function closedLoop(
  plan: ThreadPlan,
  requests: number,
  between: () => void = answerEverything,
): Promise<{ engine: LoadEngine; report: IntervalReport; totals: PhaseTotals }> {
  const engine = new LoadEngine(plan);
  await engine.connect(1000);
  const phase: PhasePlan = { name: "measure", startEpochMs: fakes.clock.epochMs(), requests };
  let finished = false;
  const done = engine.runPhase(phase).then((r) => {
    finished = true;
    return r;
  });
  // Ten fake seconds at most; each step lets microtasks (socket closes, the phase's end) run.
  for (let step = 0; step < 10_000 && !finished; step++) {
    fakes.clock.advance(1, between);
    await Promise.resolve();
  }
  assert.ok(finished, "the phase did not end within 10 fake seconds");
  const { recorder } = await done;
  const report = engine.reportFrom(recorder);
  engine.close();
  const totals = new PhaseTotals(plan.workload.commands.map((c) => c.name));
  totals.add(report);
  return { engine, report, totals };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe("LoadEngine, closed loop, against a fake server", () => {
  it("splits the requests over the connections and sends exactly that many", async () => {
    const { report } = await closedLoop(fakeThreadPlan({ connections: 3, pipeline: 2 }), 10);
    // 10 over 3 connections: floor(10/3) = 3 each, the remainder 1 to the first.
    const perSocket = [0, 1, 2].map((s) => fakes.server.received.filter((c) => c.socket === s).length);
    assert.deepEqual(perSocket, [4, 3, 3]);
    assert.equal(fakes.server.received.length, 10);
    assert.equal(sum(report.sent), 10);
    assert.equal(sum(report.ops), 10);
  });

  it("never has more than `pipeline` commands in flight on a connection, and keeps it full", async () => {
    await closedLoop(fakeThreadPlan({ connections: 2, pipeline: 4 }), 40);
    for (const s of fakes.server.sockets) assert.equal(s.maxOutstanding, 4, `socket ${s.index}`);
  });

  it("pipelines: the first write of a connection carries `pipeline` commands at once", async () => {
    await closedLoop(fakeThreadPlan({ connections: 1, pipeline: 5 }), 12);
    const firstWrite = fakes.server.received.filter((c) => c.write === fakes.server.received[0].write);
    assert.equal(firstWrite.length, 5);
  });

  it("counts nils and the mix exactly as the server saw them", async () => {
    const commands: CommandWeight[] = [
      { name: "SET", weight: 1 },
      { name: "GET", weight: 2 },
    ];
    const { report } = await closedLoop(fakeThreadPlan({ commands, keyMax: 7 }), 30);
    // Replay the server's log: a GET is a nil when its key was not SET before it.
    const set = new Set<string>();
    let nils = 0;
    let gets = 0;
    for (const { args } of fakes.server.received) {
      if (args[0] === "SET") set.add(args[1]);
      else {
        gets++;
        if (!set.has(args[1])) nils++;
      }
    }
    assert.equal(gets, 20, "weights 1:2 over 30 operations");
    assert.deepEqual(report.sent, [10, 20]);
    assert.deepEqual(report.nils, [0, nils]);
    assert.ok(nils > 0, "the fixture should produce some nils");
    // Keys are the prefix and the key number zero padded to the width of keyMax - 1 (one digit).
    for (const { args } of fakes.server.received) assert.match(args[1], /^t:[0-6]$/);
  });

  it("SET carries a value of the configured size", async () => {
    await closedLoop(fakeThreadPlan({ dataSize: 13 }), 3);
    for (const { args } of fakes.server.received) {
      assert.equal(args.length, 3);
      assert.equal(args[2].length, 13);
    }
  });

  it("counts error replies per command and by their first word", async () => {
    fakes.server.answer = (args, s) =>
      args[0] === "GET" ? "-NOPERM this user has no permissions\r\n" : redisLike(args, s);
    const commands: CommandWeight[] = [
      { name: "SET", weight: 1 },
      { name: "GET", weight: 1 },
    ];
    const { report } = await closedLoop(fakeThreadPlan({ commands }), 8);
    assert.deepEqual(report.errorReplies, [0, 4]);
    assert.deepEqual(report.errorsByKind, { NOPERM: 4 });
    // An error reply is still a reply: ops counts it.
    assert.deepEqual(report.ops, [4, 4]);
  });

  it("a large pipeline of large values crosses output slabs without losing or tearing a byte", async () => {
    // 3,000-byte values, 8 in flight: the 64 KiB output slab is replaced about every 21 commands.
    const requests = 200;
    const { report } = await closedLoop(
      fakeThreadPlan({ pipeline: 8, dataSize: 3000, keyMax: 100 }),
      requests,
    );
    assert.equal(fakes.server.received.length, requests);
    fakes.server.received.forEach(({ args }, i) => {
      assert.equal(args[0], "SET");
      // Sequential keys from 0, wrapping at keyMax, two digits wide.
      assert.equal(args[1], `t:${String(i % 100).padStart(2, "0")}`);
      assert.equal(args[2].length, 3000);
      assert.match(args[2], /^[A-Za-z0-9]+$/);
    });
    assert.equal(sum(report.ops), requests);
  });

  it("a connection the server closes: its commands in flight are aborted, it reconnects, the rest is sent", async () => {
    let closedWithInFlight = -1;
    // One round of replies per step, so the pipeline is full between rounds.
    const between = () => {
      // Once the 6th command is in, the server drops the first socket with what it has not answered.
      if (closedWithInFlight < 0 && fakes.server.received.length >= 6) {
        const s = fakes.server.sockets[0];
        closedWithInFlight = s.outstanding;
        s.serverClose();
      }
      fakes.server.deliverAll();
    };
    const { report } = await closedLoop(fakeThreadPlan({ pipeline: 3 }), 20, between);
    assert.equal(closedWithInFlight, 3, "the pipeline was full when the server closed");
    assert.equal(report.aborted, 3);
    assert.equal(report.errorsByKind["connection-closed"], 3);
    assert.equal(report.reconnects, 1);
    assert.equal(fakes.server.sockets.length, 2);
    // The quota is spent at the send: lost operations are not sent again.
    assert.equal(fakes.server.received.length, 20);
    assert.equal(sum(report.ops), 20 - 3);
  });

  it("replies that never come are timeouts after timeoutMs, and the connection starts over", async () => {
    let silent = true;
    fakes.server.answer = (args, s) => (silent ? undefined : redisLike(args, s));
    const engine = new LoadEngine(fakeThreadPlan({ pipeline: 4, timeoutMs: 200 }));
    await engine.connect(1000);
    const startMs = fakes.clock.epochMs();
    let finished = false;
    const done = engine.runPhase({ name: "measure", startEpochMs: startMs, requests: 10 }).then((r) => {
      finished = true;
      return r;
    });
    // The first 4 go out at 0 ms and are never answered.
    fakes.clock.advance(190, answerEverything);
    assert.equal(fakes.server.received.length, 4);
    assert.equal(fakes.server.sockets.length, 1);
    // From now on the server answers. The timeout check runs every 50 ms: at 200 ms the 4 sent at
    // 0 ms are 200 ms old and timed out; the connection reconnects after its first backoff (25 ms)
    // and sends the other 6 on the new socket.
    silent = false;
    for (let step = 0; step < 1000 && !finished; step++) {
      fakes.clock.advance(5, answerEverything);
      await Promise.resolve();
    }
    const { recorder } = await done;
    const report = engine.reportFrom(recorder);
    engine.close();
    assert.equal(report.timeouts, 4);
    assert.equal(report.errorsByKind.timeout, 4);
    assert.equal(fakes.server.sockets.length, 2);
    assert.equal(fakes.server.received.filter((c) => c.socket === 1).length, 6);
    assert.equal(sum(report.ops), 6);
  });

  it("stopIssuing ends an unlimited phase once what is in flight has come back", async () => {
    const engine = new LoadEngine(fakeThreadPlan({ pipeline: 2 }));
    await engine.connect(1000);
    let finished = false;
    const done = engine.runPhase({ name: "measure", startEpochMs: fakes.clock.epochMs() }).then((r) => {
      finished = true;
      return r;
    });
    fakes.clock.advance(1);
    assert.equal(fakes.server.received.length, 2, "the pipeline filled");
    engine.stopIssuing();
    await Promise.resolve();
    assert.equal(finished, false, "two replies are still owed");
    fakes.server.deliverAll();
    await Promise.resolve();
    assert.equal(finished, true);
    const report = engine.reportFrom((await done).recorder);
    engine.close();
    assert.equal(fakes.server.received.length, 2, "nothing sent after the stop");
    assert.deepEqual(report.ops, [2]);
  });

  it("latency in closed loop counts from the send: a server that answers after 7 ms gives 7 ms", async () => {
    const engine = new LoadEngine(fakeThreadPlan({ pipeline: 1 }));
    await engine.connect(1000);
    let finished = false;
    const done = engine
      .runPhase({ name: "measure", startEpochMs: fakes.clock.epochMs(), requests: 5 })
      .then((r) => {
        finished = true;
        return r;
      });
    for (let step = 0; step < 100 && !finished; step++) {
      fakes.clock.advance(7);
      fakes.server.deliverAll();
      await Promise.resolve();
    }
    const report = engine.reportFrom((await done).recorder);
    engine.close();
    const totals = new PhaseTotals(["SET"]);
    totals.add(report);
    const h = totals.latency[0];
    assert.equal(h.totalCount, 5);
    // HDR buckets: within 0.1 % of 7,000 µs.
    assert.ok(Math.abs(h.minNonZeroValue - 7000) <= 7, `min ${h.minNonZeroValue} µs`);
    assert.ok(Math.abs(h.maxValue - 7000) <= 7, `max ${h.maxValue} µs`);
  });
});
