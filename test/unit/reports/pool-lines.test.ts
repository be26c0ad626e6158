import assert from "node:assert/strict";
import { test } from "node:test";
import { poolRows, poolSummary } from "../../../src/reports/pool-lines.js";
import type { SeriesPoint } from "../../../src/result/result-types.js";

const point = (tS: number, open: number, inUse: number, waiting: number, reconnects = 0): SeriesPoint => ({
  tS,
  ops: 100,
  opsPerSec: 100,
  errors: 0,
  timeouts: 0,
  p50Ms: 1,
  p99Ms: 2,
  maxMs: 3,
  perCommand: {},
  ...(reconnects > 0 && { reconnects }),
  pool: { open, inUse, waiting, reconnectsPerSec: reconnects },
});

test("the pool summary: fewest/most open, peaks, seconds with waiting, reconnects from the series", () => {
  const series = [point(1, 4, 4, 0), point(2, 1, 1, 30, 0), point(3, 4, 2, 5, 3), point(4, 4, 3, 0)];
  assert.deepEqual(poolSummary(series), {
    openMin: 1,
    openMax: 4,
    inUsePeak: 4,
    inUseMean: 2.5,
    waitingPeak: 30,
    secondsWaiting: 2,
    reconnects: 3,
    reconnectsPeakPerSec: 3,
  });
  assert.equal(
    poolSummary([{ ...point(1, 1, 1, 0), pool: undefined }]),
    undefined,
    "no pool view: no summary",
  );
});

test("a long series is shortened to at most 30 rows, each the worst of its seconds (open: the fewest)", () => {
  const series = Array.from({ length: 90 }, (_, i) =>
    point(i + 1, i === 40 ? 2 : 8, i % 8, i === 41 ? 99 : 0),
  );
  const { rows, bucketSize } = poolRows(series);
  assert.equal(bucketSize, 3);
  assert.equal(rows.length, 30);
  assert.deepEqual(rows[13], [42, 2, 7, 99, 0]);
  assert.deepEqual(poolRows(series.slice(0, 5)).rows[0], [1, 8, 0, 0, 0]);
});
