import assert from "node:assert/strict";
import { test } from "node:test";
import type { Stage } from "../../../src/config/types.js";
import type { EngineThreads } from "../../../src/engine/engine-threads.js";
import { OpenLoopSchedule } from "../../../src/engine/open-loop-schedule.js";
import type { RunResult, SeriesPoint } from "../../../src/result/result-types.js";
import { RunControl } from "../../../src/run/run-control.js";

/**
 * The schedule's pause shift and rate change, with explicit times for a clock (epoch ms): the
 * engine (src/engine/load-engine.ts) moves each connection's next intended start by the same pause
 * and restarts them at firstIntendedMs after a rate change.
 */

const T0 = 1_000_000;
const realClock = {
  get nowMs() {
    return performance.timeOrigin + performance.now();
  },
};

/** Walks one connection's intended starts from `first` until `untilMs` (bounded). */
function walk(schedule: OpenLoopSchedule, first: number, untilMs: number): number[] {
  const starts: number[] = [];
  for (let t = first; t < untilMs && starts.length < 10_000; t = schedule.nextIntendedMs(t)) starts.push(t);
  return starts;
}

test("a pause moves a constant schedule later by its length: nothing is due at resume", () => {
  // 1000 ops/s over 2 connections: each connection every 2 ms.
  const schedule = new OpenLoopSchedule([{ kind: "constant", durationMs: 10_000, rate: 1000 }], 1, 2, T0);
  const next = schedule.nextIntendedMs(T0 + 100);
  assert.equal(next, T0 + 102);
  // Paused from T0+101 to T0+1101: the connection's next start moves by 1000 ms with the profile.
  schedule.shift(1000);
  const shifted = next + 1000;
  assert.equal(schedule.nextIntendedMs(shifted), T0 + 1104);
  // What was due at T0+102 is now due 1 ms after resume, not at once: no burst of 500 operations.
  assert.ok(shifted > T0 + 1101);
});

test("a pause moves a ramp's profile with it: the rate after resume is the rate at the pause", () => {
  const ramp: Stage[] = [{ kind: "ramp", durationMs: 10_000, fromRate: 100, toRate: 1100 }];
  const plain = new OpenLoopSchedule(ramp, 1, 1, T0);
  const paused = new OpenLoopSchedule(ramp, 1, 1, T0);
  paused.shift(2000);
  // The same step of the ramp, 2 s later: the gap between starts is the same.
  const gapPlain = plain.nextIntendedMs(T0 + 5000) - (T0 + 5000);
  const gapPaused = paused.nextIntendedMs(T0 + 7000) - (T0 + 7000);
  assert.ok(Math.abs(gapPlain - gapPaused) < 1e-6, `${gapPlain} vs ${gapPaused}`);
  // The profile ends 2 s later too: paused time is not run time.
  assert.equal(plain.nextIntendedMs(T0 + 9_999.9), Number.POSITIVE_INFINITY);
  assert.ok(Number.isFinite(paused.nextIntendedMs(T0 + 9_999.9)));
});

test("setRate restarts every connection at the moment of the change, spread at the new rate", () => {
  const connections = 4;
  const schedule = new OpenLoopSchedule(
    [{ kind: "constant", durationMs: 10_000, rate: 400 }],
    1,
    connections,
    T0,
  );
  const at = T0 + 3000.5;
  schedule.setRate(2000, at);
  const firsts = Array.from({ length: connections }, (_, g) => schedule.firstIntendedMs(g));
  // 2000 ops/s: one start every 0.5 ms over the run, connection g at at + g × 0.5.
  for (const [g, first] of firsts.entries())
    assert.ok(Math.abs(first - (at + g * 0.5)) < 1e-6, `connection ${g}: ${first}`);
  // Each connection every 4 × 0.5 = 2 ms; over one second that is 2000 starts in all.
  const starts = firsts.flatMap((first) => walk(schedule, first, at + 1000));
  assert.equal(starts.length, 2000);
  assert.ok(
    starts.every((t) => t >= at),
    "nothing before the change",
  );
});

test("a rate change then a pause: the new rate resumes where it stopped", () => {
  const schedule = new OpenLoopSchedule([{ kind: "constant", durationMs: 10_000, rate: 100 }], 1, 1, T0);
  schedule.setRate(1000, T0 + 500);
  assert.equal(schedule.nextIntendedMs(T0 + 600), T0 + 601);
  schedule.shift(250);
  assert.equal(schedule.nextIntendedMs(T0 + 851), T0 + 852);
});

/** A stand-in for the engine threads: RunControl only flips its state and reads the pause length. */
function fakeEngine(clock: { nowMs: number } = realClock) {
  let since: number | undefined;
  const calls: string[] = [];
  const engine = {
    get paused() {
      return since !== undefined;
    },
    pause() {
      if (since !== undefined) return false;
      since = clock.nowMs;
      calls.push("pause");
      return true;
    },
    resume() {
      if (since === undefined) return 0;
      const ms = clock.nowMs - since;
      since = undefined;
      calls.push("resume");
      return ms;
    },
    setRate(rate: number) {
      calls.push(`rate ${rate}`);
    },
  };
  return { engine: engine as unknown as EngineThreads, calls };
}

test("RunControl: calls before the engine is up are carried out at attach; closed loop refuses setRate", () => {
  const clock = { nowMs: 0 };
  const open = new RunControl({ rate: 1000 });
  open.pause();
  open.setRate(500);
  assert.equal(open.state, "paused");
  const { engine, calls } = fakeEngine(clock);
  open.attach(engine);
  assert.deepEqual(calls, ["rate 500", "pause"]);
  assert.equal(open.state, "paused");
  open.resume();
  assert.equal(open.state, "running");

  const closed = new RunControl({});
  assert.throws(() => closed.setRate(1000), { code: "E_RUN_CONTROL" });
  assert.throws(() => open.setRate(Number.NaN), /not a rate/);
  assert.throws(() => open.setRate(0), /positive/);
});

test("RunControl.contribute marks paused intervals and keeps ops/s undiluted", async () => {
  const control = new RunControl({});
  const { engine } = fakeEngine();
  control.attach(engine);
  const start = performance.timeOrigin + performance.now();
  control.onMeasureStart(start - 4000);
  control.pause();
  await new Promise((r) => setTimeout(r, 50));
  control.resume();
  const point = (tS: number): SeriesPoint => ({
    tS,
    ops: 1000,
    opsPerSec: 1000,
    errors: 0,
    timeouts: 0,
    p50Ms: 0,
    p99Ms: 0,
    maxMs: 0,
    perCommand: {},
  });
  const result = {
    durationMs: 5000,
    series: [1, 2, 3, 4, 5].map(point),
    totals: { ops: 4000, opsPerSec: 800 },
    perCommand: { GET: { ops: 4000, opsPerSec: 800 } },
  } as unknown as RunResult;
  control.contribute(result);
  const pausedMs = result.control?.pausedMs ?? 0;
  assert.ok(pausedMs >= 40 && pausedMs < 1000, `paused ${pausedMs} ms`);
  const marked = result.series.filter((p) => p.pausedMs !== undefined);
  assert.ok(marked.length >= 1 && marked.length <= 2, JSON.stringify(result.series));
  const markedMs = marked.reduce((s, p) => s + (p.pausedMs ?? 0), 0);
  assert.ok(Math.abs(markedMs - pausedMs) <= 1, `marks ${markedMs} ms, pause ${pausedMs} ms`);
  const runS = (5000 - pausedMs) / 1000;
  // pausedMs in the result is rounded to whole ms; the rate is worked out from the exact pause.
  const expected = 4000 / runS;
  assert.ok(Math.abs(result.totals.opsPerSec - expected) <= 0.2, `${result.totals.opsPerSec} vs ${expected}`);
  assert.equal(result.perCommand.GET.opsPerSec, result.totals.opsPerSec);
});
