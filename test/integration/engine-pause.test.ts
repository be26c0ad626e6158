import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { RunConfig } from "../../src/config/types.js";
import type { RunEvent } from "../../src/run/run-events.js";
import { type StartedRun, startRun } from "../../src/run/start-run.js";
import { commandStats, type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

/**
 * Pause, resume and rate change of a running load (docs/engine.md), against a real redis-server:
 * the server's own command counts show that nothing is sent while paused, and the result's count
 * check still matches INFO commandstats exactly.
 */

/** Reads a run's events in the background; `until` resolves when one matches (bounded in time). */
function follow(run: StartedRun) {
  const seen: RunEvent[] = [];
  const waiters: { match: (e: RunEvent) => boolean; resolve: () => void }[] = [];
  void (async () => {
    for await (const event of run.events) {
      seen.push(event);
      for (const w of waiters.filter((w) => w.match(event))) w.resolve();
    }
  })();
  return {
    seen,
    until(match: (e: RunEvent) => boolean, timeoutMs = 15_000): Promise<void> {
      if (seen.some(match)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no such event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          match,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

const measureStarted = (e: RunEvent) => e.type === "phase-started" && e.phase === "measure";

/** GET and SET calls the server counted: what the load sends (the tool's INFO probes are apart). */
async function loadCalls(url: string): Promise<number> {
  const stats = await commandStats(url);
  return (stats.get?.calls ?? 0) + (stats.set?.calls ?? 0);
}

describe("pause, resume and rate change against a real redis-server", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  const config = (overrides: Partial<RunConfig>) => testRunConfig({ url: redis.url, ...overrides });

  it("closed loop: nothing is sent while paused, the load goes on after resume, counts match", async () => {
    const run = startRun(config({ durationMs: 3000, connections: 4, pipeline: 4 }));
    const events = follow(run);
    await events.until(measureStarted);
    await sleep(300);
    assert.equal(run.state, "running");
    run.pause();
    assert.equal(run.state, "paused");
    // Replies in flight when the pause came are still read: give them a moment to arrive.
    await sleep(200);
    const first = await loadCalls(redis.url);
    await sleep(500);
    const second = await loadCalls(redis.url);
    assert.equal(second, first, "the server counted no GET/SET while the load was paused");
    run.resume();
    await sleep(300);
    const third = await loadCalls(redis.url);
    assert.ok(third > second, `the load went on after resume: ${second} → ${third}`);
    assert.throws(
      () => run.setRate(1000),
      (e: Error & { code?: string }) => e.code === "E_RUN_CONTROL" && /closed loop/.test(e.message),
    );
    const { result } = await run.result;
    assert.equal(result.countCheck.ok, true, JSON.stringify(result.countCheck));
    assert.equal(result.status, "completed");
    const pausedMs = result.control?.pausedMs ?? 0;
    assert.ok(pausedMs >= 600, `paused ${pausedMs} ms`);
    // Paused time is not run time: the 3 s of load come on top of the pause.
    assert.ok(result.durationMs >= 3000 + pausedMs - 300, `duration ${result.durationMs} ms`);
    assert.ok(
      result.series.some((p) => (p.pausedMs ?? 0) > 0),
      "the series marks the pause",
    );
    const types = events.seen.map((e) => e.type);
    assert.ok(types.indexOf("paused") < types.indexOf("resumed"), types.join(","));
    assert.equal(run.state, "ended");
  });

  it("open loop: after a 1 s pause there is no catch-up burst", async () => {
    const run = startRun(config({ durationMs: 3000, rate: 2000, connections: 4, pipeline: 16 }));
    const events = follow(run);
    await events.until(measureStarted);
    await sleep(800);
    run.pause();
    await sleep(200);
    const first = await loadCalls(redis.url);
    await sleep(800);
    assert.equal(await loadCalls(redis.url), first, "no GET/SET while paused");
    run.resume();
    const { result } = await run.result;
    assert.equal(result.countCheck.ok, true, JSON.stringify(result.countCheck));
    const pause = result.control?.pauses[0];
    assert.ok(pause !== undefined && pause.toS - pause.fromS >= 0.9, JSON.stringify(result.control));
    // With a catch-up burst, the operations due during the pause would leave at resume with about
    // a second of latency from their intended start; shifted, they keep the usual sub-ms figures.
    const after = result.series.filter((p) => p.tS > pause.fromS);
    assert.ok(after.length >= 2, JSON.stringify(result.series.map((p) => p.tS)));
    const worstMs = Math.max(...after.map((p) => p.maxMs));
    assert.ok(worstMs < 500, `worst intended-start latency after the pause: ${worstMs} ms`);
    // Sends held back by the pause would show as a schedule lag of about the pause's length.
    const lagMs = result.openLoop?.scheduleLagMs.max ?? 0;
    assert.ok(lagMs < 500, `worst schedule lag ${lagMs} ms`);
    const resumed = events.seen.find((e) => e.type === "resumed");
    assert.ok(resumed?.type === "resumed" && resumed.pausedMs >= 900, JSON.stringify(resumed));
  });

  it("open loop: setRate doubles the throughput from the moment of the change", async () => {
    const run = startRun(config({ durationMs: 5000, rate: 1000, connections: 4, pipeline: 16 }));
    const events = follow(run);
    await events.until(measureStarted);
    await events.until((e) => e.type === "interval" && e.phase === "measure" && e.tS >= 2);
    run.setRate(2000);
    assert.throws(
      () => run.setRate(-5),
      (e: Error & { code?: string }) => e.code === "E_RUN_CONTROL" && /positive/.test(e.message),
    );
    const { result } = await run.result;
    assert.equal(result.countCheck.ok, true, JSON.stringify(result.countCheck));
    const change = result.control?.rateChanges[0];
    assert.ok(change !== undefined && change.opsPerSecond === 2000, JSON.stringify(result.control));
    // Whole intervals only: before the change, and from a second after it to the last full one.
    const before = result.series.filter((p) => p.tS <= change.tS && p.tS >= 1);
    const later = result.series.filter((p) => p.tS - 1 >= change.tS && p.tS <= 4.9);
    assert.ok(before.length >= 1 && later.length >= 1, JSON.stringify(result.series.map((p) => p.tS)));
    const mean = (points: typeof before) => points.reduce((s, p) => s + p.opsPerSec, 0) / points.length;
    assert.ok(
      mean(later) >= 1.5 * mean(before),
      `ops/s before ${mean(before)}, after ${mean(later)} (series ${JSON.stringify(result.series.map((p) => p.opsPerSec))})`,
    );
    assert.ok(
      later.every((p) => p.targetRate === 2000),
      JSON.stringify(later.map((p) => p.targetRate)),
    );
    assert.ok(events.seen.some((e) => e.type === "rate-changed" && e.opsPerSecond === 2000));
  });
});
