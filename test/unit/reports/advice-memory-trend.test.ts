import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { groupRuns, leastSquaresSlope, memoryTrend } from "../../../src/reports/memory-trend.js";
import type { RunResult } from "../../../src/result/result-types.js";
import { makeRunResult } from "./fixture.js";

/** The trend math of `cachestress advise` on fabricated results (unit level: dates made up). */

const run = (startedAt: string, usedMb: number, maxmemoryMb?: number): RunResult =>
  makeRunResult({
    startedAt,
    env: "staging",
    server: {
      usedMemoryBytesMax: usedMb * 1e6,
      ...(maxmemoryMb !== undefined && { maxmemoryBytes: maxmemoryMb * 1e6 }),
    } as RunResult["server"],
  });

describe("memory trend across runs", () => {
  it("least squares: a straight line is found exactly", () => {
    assert.equal(leastSquaresSlope([0, 1, 2, 3], [10, 12, 14, 16]), 2);
    assert.equal(leastSquaresSlope([5, 5], [1, 9]), 0, "no spread in time: no slope");
  });

  it("growth per day, the day maxmemory is reached, and an upsize suggestion", () => {
    const runs = [
      run("2026-11-01T10:00:00Z", 100, 400),
      run("2026-11-11T10:00:00Z", 200, 400),
      run("2026-11-21T10:00:00Z", 300, 400),
    ];
    const t = memoryTrend("staging", runs, 30);
    assert.equal(t.growthBytesPerDay, 10e6);
    assert.equal(t.spanDays, 20);
    assert.equal(t.daysToMaxmemory, 10);
    assert.equal(t.reachesMaxmemoryAt, "2026-12-01");
    // 300 MB + 30 days × 10 MB = 600 MB, at most 75 % full: 800 MB.
    assert.equal(t.suggestedBytes, 800e6);
    assert.equal(
      t.advice,
      "upsize before 2026-12-01: maxmemory 400.0 MB is below 800.0 MB (the peak 30 days on, at most 75 % full)",
    );
  });

  it("flat memory with a large maxmemory suggests a smaller size; one run says so; runs are sorted by time", () => {
    const flat = memoryTrend(
      "x",
      [run("2026-11-03T00:00:00Z", 100, 1000), run("2026-11-01T00:00:00Z", 100, 1000)],
      90,
    );
    assert.deepEqual(
      flat.runs.map((r) => r.startedAt),
      ["2026-11-01T00:00:00Z", "2026-11-03T00:00:00Z"],
    );
    assert.equal(flat.growthBytesPerDay, 0);
    assert.match(flat.advice, /a smaller size would do/);
    const single = memoryTrend("x", [run("2026-11-01T00:00:00Z", 75)], 90);
    assert.equal(single.growthBytesPerDay, undefined);
    assert.equal(single.suggestedBytes, 100e6);
    assert.match(single.advice, /one point in time only/);
  });

  it("groups by environment and target, skipping runs without server samples", () => {
    const a = run("2026-11-01T00:00:00Z", 1);
    const b = { ...run("2026-11-02T00:00:00Z", 2), env: "prod" };
    const none = { ...run("2026-11-02T00:00:00Z", 2), server: undefined };
    const groups = groupRuns([a, b, none]);
    assert.deepEqual(
      [...groups.keys()].sort(),
      [`prod (${a.target.host}:${a.target.port})`, `staging (${a.target.host}:${a.target.port})`].sort(),
    );
  });
});
