import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SeriesPoint } from "../../../src/result/result-types.js";
import type { MemorySample } from "../../../src/scenario-checks/memory-sampler.js";
import { pressureFigures } from "../../../src/scenario-checks/pressure-figures.js";

/** One client point per second: [opsPerSec, errors, p99Ms, maxMs, OOM replies]. */
function clientSeries(rows: [number, number, number, number, number][]): SeriesPoint[] {
  return rows.map(([opsPerSec, errors, p99Ms, maxMs, oom], i) => ({
    tS: i + 1,
    ops: opsPerSec,
    opsPerSec,
    errors,
    timeouts: 0,
    p50Ms: p99Ms / 2,
    p99Ms,
    maxMs,
    perCommand: {},
    ...(oom > 0 && { errorsByKind: { OOM: oom } }),
  }));
}

/** Memory samples every 0.5 s: evicted keys since the measured part started. */
function samples(evicted: number[]): MemorySample[] {
  return evicted.map((evictedKeys, i) => ({
    tS: (i + 1) / 2,
    usedMemoryBytes: 0,
    evictedKeys,
    evictionsPerSec: 0,
  }));
}

describe("pressureFigures", () => {
  it("splits the client series at the first second with evictions", () => {
    // Evictions start between 2.0 s and 2.5 s: the third second is the first under pressure.
    const figures = pressureFigures(
      clientSeries([
        [1000, 0, 1, 2, 0],
        [1000, 0, 3, 4, 0],
        [800, 0, 6, 20, 0],
        [700, 2, 8, 30, 0],
      ]),
      samples([0, 0, 0, 0, 50, 120, 300, 500]),
    );
    assert.deepEqual(figures, {
      pressureStartS: 2,
      secondsUnderPressure: 2,
      p99BeforePressureMs: 2,
      p99UnderPressureMs: 7,
      maxLatencyUnderPressureMs: 30,
      opsPerSecBeforePressure: 1000,
      opsPerSecUnderPressure: 750,
      errorsUnderPressure: 2,
    });
  });

  it("counts seconds with OOM replies as under pressure when nothing is evicted (noeviction)", () => {
    const figures = pressureFigures(
      clientSeries([
        [1000, 0, 1, 2, 0],
        [5000, 4000, 0.5, 3, 4000],
      ]),
      samples([0, 0, 0, 0]),
    );
    assert.equal(figures.pressureStartS, 1);
    assert.equal(figures.secondsUnderPressure, 1);
    assert.equal(figures.errorsUnderPressure, 4000);
  });

  it("leaves the under-pressure figures empty when the server never filled", () => {
    const figures = pressureFigures(clientSeries([[1000, 0, 1, 2, 0]]), samples([0, 0]));
    assert.equal(figures.pressureStartS, null);
    assert.equal(figures.p99UnderPressureMs, null);
    assert.equal(figures.maxLatencyUnderPressureMs, null);
    assert.equal(figures.secondsUnderPressure, 0);
  });
});
