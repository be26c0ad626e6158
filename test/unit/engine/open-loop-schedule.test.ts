import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Stage } from "../../../src/config/types.js";
import { LoadEngine, SEND_HOLD_MS } from "../../../src/engine/load-engine.js";
import { OpenLoopSchedule } from "../../../src/engine/open-loop-schedule.js";
import type { ThreadPlan } from "../../../src/engine/thread-plan.js";
import { PhaseTotals } from "../../../src/measure/phase-totals.js";
import type { IntervalReport } from "../../../src/measure/thread-recorder.js";
import { fakeThreadPlan, useFakes } from "../../helpers/fake-redis.js";

/*
 * Open loop: the intended start of every operation (OpenLoopSchedule, pure), and how the engine
 * keeps that schedule on a fake clock: sends at their intended start, everything due sent in one
 * write per wake-up, and sends held back by a full pipeline counted late by exactly how late.
 * Expectations are worked out by hand from the rates, never read back from the code under test.
 */

const START_MS = 50_000;

/** Every intended start of the schedule before `untilMs`, over all connections, sorted. */
function allIntendedStarts(
  stages: Stage[],
  connections: number,
  untilMs = Number.POSITIVE_INFINITY,
): number[] {
  const schedule = new OpenLoopSchedule(stages, 7, connections, START_MS);
  const times: number[] = [];
  for (let g = 0; g < connections; g++) {
    let t = schedule.firstIntendedMs(g);
    for (let n = 0; n < 1_000_000 && t < untilMs && Number.isFinite(t); n++) {
      times.push(t - START_MS);
      t = schedule.nextIntendedMs(t);
    }
  }
  return times.sort((a, b) => a - b);
}

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
}

describe("OpenLoopSchedule: intended start times", () => {
  it("constant 1000 ops/s over 4 connections: one start every 1 ms, each connection every 4 ms", () => {
    const stages: Stage[] = [{ kind: "constant", durationMs: 1000, rate: 1000 }];
    const schedule = new OpenLoopSchedule(stages, 7, 4, START_MS);
    assert.deepEqual(
      [0, 1, 2, 3].map((g) => schedule.firstIntendedMs(g) - START_MS),
      [0, 1, 2, 3],
    );
    assert.equal(schedule.nextIntendedMs(START_MS + 2) - START_MS, 6);
    const times = allIntendedStarts(stages, 4, START_MS + 1000);
    assert.equal(times.length, 1000);
    times.forEach((t, k) => {
      assertClose(t, k, 1e-6, `start ${k}`);
    });
  });

  it("two constant stages: 500 ops/s for 1 s then 2000 ops/s for 1 s, then no more starts", () => {
    const stages: Stage[] = [
      { kind: "constant", durationMs: 1000, rate: 500 },
      { kind: "constant", durationMs: 1000, rate: 2000 },
    ];
    const times = allIntendedStarts(stages, 2);
    // The profile ends by itself (nextIntendedMs returns Infinity): 500 + 2000 starts.
    assert.equal(times.length, 2500);
    for (let k = 0; k < 500; k++) assertClose(times[k], 2 * k, 1e-6, `start ${k}`);
    for (let j = 0; j < 2000; j++) assertClose(times[500 + j], 1000 + 0.5 * j, 1e-6, `start ${500 + j}`);
  });

  it("a ramp 0 → 1000 ops/s over 2 s: start k at sqrt(2 k D / R), as many as the area", () => {
    const stages: Stage[] = [{ kind: "ramp", durationMs: 2000, fromRate: 0, toRate: 1000 }];
    const times = allIntendedStarts(stages, 3);
    // rate(t) = R t / D, so the ops up to t are R t² / 2D; the k-th op is where that reaches k.
    // 1000 starts in [0, 2 s); the 1001st is due at exactly 2 s, where float rounding of the
    // integration may land it a few µs inside the stage.
    assert.ok(times.length === 1000 || times.length === 1001, `${times.length} starts`);
    // With D = 2 s and R = 1000 ops/s: t_k = sqrt(2 k × 2 / 1000) s.
    times.forEach((t, k) => {
      assertClose(t, 1000 * Math.sqrt((2 * k * 2) / 1000), 0.05, `start ${k}`);
    });
  });

  it("a ramp down 1000 → 0 ops/s over 1 s: as many starts as the area, 500, all inside the stage", () => {
    const stages: Stage[] = [{ kind: "ramp", durationMs: 1000, fromRate: 1000, toRate: 0 }];
    const times = allIntendedStarts(stages, 5);
    assertClose(times.length, 500, 1, "starts");
    assert.ok(times.every((t) => t >= 0 && t < 1000));
    // Half the area of the triangle lies in its first 29.3 % (1 - 1/√2): 250 starts there.
    const firstPart = times.filter((t) => t < 1000 * (1 - Math.SQRT1_2)).length;
    assertClose(firstPart, 250, 1, "starts in the first part");
  });
});

// The engine keeping the schedule, on the fake clock -------------------------------------------------

const fakes = useFakes();

function threadPlan(connections: number, pipeline: number): ThreadPlan {
  return fakeThreadPlan({
    connections,
    pipeline,
    commands: [{ name: "GET", weight: 1 }],
    keyMax: 100,
    timeoutMs: 10_000,
    seed: 7,
  });
}

/**
 * Runs one open-loop phase of `durationMs` at a constant `rate`, calling `between` after every
 * timer and every fake millisecond; returns the report and the phase start (epoch ms).
 */
async function openLoop(
  plan: ThreadPlan,
  rate: number,
  durationMs: number,
  between: () => void,
): Promise<{ report: IntervalReport; totals: PhaseTotals; startMs: number }> {
  const engine = new LoadEngine(plan);
  await engine.connect(1000);
  const startMs = fakes.clock.epochMs();
  let finished = false;
  const done = engine
    .runPhase({
      name: "measure",
      startEpochMs: startMs,
      endEpochMs: startMs + durationMs,
      stages: [{ kind: "constant", durationMs, rate }],
    })
    .then((r) => {
      finished = true;
      return r;
    });
  for (let step = 0; step < durationMs + 1000 && !finished; step++) {
    fakes.clock.advance(1, between);
    await Promise.resolve();
  }
  assert.ok(finished, "the phase did not end");
  const report = engine.reportFrom((await done).recorder);
  engine.close();
  const totals = new PhaseTotals(["GET"]);
  totals.add(report);
  return { report, totals, startMs };
}

describe("LoadEngine keeps the open-loop schedule (fake clock)", () => {
  it("200 ops/s over 2 connections for 100 ms: 20 sends, each at its intended start to the µs", async () => {
    const { report, totals, startMs } = await openLoop(threadPlan(2, 1), 200, 100, () =>
      fakes.server.deliverAll(),
    );
    // One start every 5 ms, alternating between the connections: 0, 5, 10 ... 95 ms.
    assert.equal(fakes.server.received.length, 20);
    fakes.server.received.forEach((c, k) => {
      assertClose(c.atMs - startMs, 5 * k, 1e-6, `send ${k}`);
      assert.equal(c.socket, k % 2);
    });
    assert.equal(report.lateStarts, 0);
    // The lag histogram records at least 1 µs per send.
    assert.equal(totals.scheduleLag.totalCount, 20);
    assert.ok(totals.scheduleLag.maxValue <= 1, `max lag ${totals.scheduleLag.maxValue} µs`);
  });

  it("~10,000 ops/s on one connection: starts closer than SEND_HOLD_MS share a write, none early or late", async () => {
    // 9,973 ops/s: a start every ~0.1 ms on one connection, closer than SEND_HOLD_MS (0.5 ms), so
    // the first due start waits for the next ones and they leave in one write. Replies are held
    // until the end, so something is always in flight and the engine waits on its 1 ms timer
    // (after the very first send, when nothing is in flight yet and it sleeps to the release).
    const rate = 9973;
    const endMs = fakes.clock.epochMs() + 20;
    const { report, startMs } = await openLoop(threadPlan(1, 1000), rate, 20, () => {
      if (fakes.clock.epochMs() >= endMs) fakes.server.deliverAll();
    });
    const dueMs = (k: number) => (k * 1000) / rate;
    // Every start due before the phase's end is sent: the end releases what is still held.
    let expected = 0;
    while (dueMs(expected) < 20) expected++;
    assert.equal(expected, 200);
    assert.equal(fakes.server.received.length, expected);
    const writes = new Map<number, number[]>();
    fakes.server.received.forEach((c, k) => {
      const lagMs = c.atMs - startMs - dueMs(k);
      assert.ok(lagMs >= -1e-6, `send ${k} never leaves before its start (${lagMs} ms)`);
      assert.ok(lagMs < 1, `send ${k} is less than 1 ms behind its start (${lagMs} ms)`);
      writes.set(c.write, [...(writes.get(c.write) ?? []), k]);
    });
    // The first write waits the hold (0.5 ms, five starts), the others a timer's 1 ms (ten).
    const first = [...writes.values()][0];
    assert.deepEqual(first, [0, 1, 2, 3, 4]);
    assert.equal(fakes.server.received[0].atMs - startMs, SEND_HOLD_MS);
    assert.ok(writes.size <= 21, `${writes.size} writes for 200 sends`);
    const lastWrite = Math.max(...writes.keys());
    for (const [write, ks] of writes) {
      // Each write carries consecutive starts, and (but for the end's release) several of them.
      for (const [i, k] of ks.entries())
        assert.equal(k, ks[0] + i, `write ${write} holds consecutive starts`);
      if (write !== lastWrite) assert.ok(ks.length >= 5, `write ${write} carries ${ks.length} starts`);
    }
    assert.equal(report.lateStarts, 0);
  });

  it("a connection whose starts are further apart than SEND_HOLD_MS sends each on its own start", async () => {
    // 1,000 ops/s on one connection: a start every 1 ms, nothing to share a write with.
    const { report, startMs } = await openLoop(threadPlan(1, 1000), 1000, 10, () =>
      fakes.server.deliverAll(),
    );
    assert.equal(fakes.server.received.length, 10);
    fakes.server.received.forEach((c, k) => {
      assertClose(c.atMs - startMs, k, 1e-6, `send ${k} leaves on its start`);
    });
    assert.equal(new Set(fakes.server.received.map((c) => c.write)).size, 10, "one write each");
    assert.equal(report.lateStarts, 0);
  });

  it("a full pipeline holds sends back: each is counted late by exactly how late it left", async () => {
    // 1000 ops/s (a start every 1 ms) on one connection with pipeline 1; the server answers each
    // command 5 ms after it came. Send k then leaves at 5k ms, 4k ms after its start at k ms.
    const between = () => {
      const last = fakes.server.received.at(-1);
      if (last !== undefined && fakes.server.undelivered > 0 && fakes.clock.epochMs() >= last.atMs + 5)
        fakes.server.deliverAll();
    };
    const { report, totals, startMs } = await openLoop(threadPlan(1, 1), 1000, 48, between);
    // Sends at 0, 5 ... 45 ms (the next would be at 50, after the 48 ms phase).
    assert.equal(fakes.server.received.length, 10);
    fakes.server.received.forEach((c, k) => {
      assertClose(c.atMs - startMs, 5 * k, 1e-6, `send ${k}`);
    });
    assert.equal(report.lateStarts, 9, "every send but the first is 4 ms or more behind");
    // Latency counts from the intended start (k ms) to the reply (5k + 5 ms): 4k + 5 ms, at most
    // 41 ms; service time from the send is 5 ms for each.
    const latency = totals.latency[0];
    const service = totals.serviceTime[0];
    assert.equal(latency.totalCount, 10);
    assertClose(latency.minNonZeroValue, 5000, 5, "lowest latency, µs");
    assertClose(latency.maxValue, 41_000, 41, "highest latency, µs");
    assertClose(service.minNonZeroValue, 5000, 5, "lowest service time, µs");
    assertClose(service.maxValue, 5000, 5, "highest service time, µs");
    // Schedule lag: 0, 4, 8 ... 36 ms.
    assertClose(totals.scheduleLag.maxValue, 36_000, 36, "largest lag, µs");
  });
});
