import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelayMs } from "../../../src/stream-writer/retry.js";
import {
  cronProblem,
  nextTickMs,
  runOnSchedule,
  ticksBetween,
} from "../../../src/stream-writer/scheduler.js";

test("every: ticks count from the first run; a slow run skips ticks instead of queueing them", () => {
  const every = { kind: "every" as const, everyMs: 100 };
  assert.equal(nextTickMs(every, 0, 0), 100);
  assert.equal(nextTickMs(every, 0, 99), 100);
  assert.equal(nextTickMs(every, 0, 100), 200);
  assert.equal(nextTickMs(every, 0, 250), 300);
  assert.equal(ticksBetween(every, 0, 0, 250), 2);
  assert.equal(ticksBetween(every, 0, 0, 99), 0);
});

test("cron: the next tick of the expression, in UTC", () => {
  const cron = { kind: "cron" as const, expression: "*/5 * * * *" };
  const t = Date.parse("2026-01-01T10:02:30Z");
  assert.equal(new Date(nextTickMs(cron, t, t)).toISOString(), "2026-01-01T10:05:00.000Z");
  const hourly = { kind: "cron" as const, expression: "0 * * * *" };
  assert.equal(new Date(nextTickMs(hourly, t, t)).toISOString(), "2026-01-01T11:00:00.000Z");
  assert.equal(cronProblem("*/5 * * * *"), undefined);
  assert.notEqual(cronProblem("every five minutes"), undefined);
});

test("runOnSchedule never starts a run before the previous one ended, and counts skipped ticks", async () => {
  const spans: [number, number][] = [];
  let skipped = 0;
  const runs = await runOnSchedule(
    { kind: "every", everyMs: 20 },
    async () => {
      const start = performance.now();
      // Longer than the interval: at least two ticks pass during every run.
      await new Promise((resolve) => setTimeout(resolve, 50));
      spans.push([start, performance.now()]);
    },
    { maxRuns: 4, onSkipped: (n) => (skipped += n) },
  );
  assert.equal(runs, 4);
  assert.equal(spans.length, 4);
  for (let i = 1; i < spans.length; i++)
    assert.ok(spans[i][0] >= spans[i - 1][1], `run ${i + 1} overlapped run ${i}`);
  assert.ok(skipped >= 2 * 4 - 2, `skipped ${skipped}`);
});

test("once runs exactly once; an aborted schedule stops waiting", async () => {
  let calls = 0;
  assert.equal(await runOnSchedule({ kind: "once" }, async () => void calls++), 1);
  assert.equal(calls, 1);
  const stop = new AbortController();
  const pending = runOnSchedule({ kind: "every", everyMs: 60_000 }, async () => void calls++, {
    signal: stop.signal,
  });
  setTimeout(() => stop.abort(), 20);
  assert.equal(await pending, 1);
});

test("backoff doubles from the base, is capped, and jitters only its upper half", () => {
  const policy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 1000 };
  const cases: [number, number, number][] = [
    [1, 0, 50],
    [1, 1, 100],
    [2, 0, 100],
    [3, 1, 400],
    [5, 1, 1000],
    [9, 0, 500],
  ];
  for (const [attempt, random, want] of cases)
    assert.equal(
      backoffDelayMs(attempt, policy, () => random),
      want,
    );
});
