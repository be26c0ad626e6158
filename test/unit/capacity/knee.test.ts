import assert from "node:assert/strict";
import { test } from "node:test";
import { type CurvePoint, findKnee } from "../../../src/capacity/knee.js";

const curve = (pairs: [number, number][]): CurvePoint[] =>
  pairs.map(([askedRate, p99Ms]) => ({ askedRate, achievedRate: askedRate, p99Ms }));

test("the knee is the lowest rate from which p99 stays above max(2× low-load p99, +0.5 ms)", () => {
  const cases: { name: string; points: [number, number][]; knee?: { rate: number; limitMs: number } }[] = [
    {
      name: "flat then rising",
      points: [
        [1000, 1],
        [2000, 1.1],
        [4000, 1.4],
        [8000, 2.5],
        [16000, 40],
      ],
      knee: { rate: 8000, limitMs: 2 },
    },
    {
      name: "order of the steps does not matter (bisection runs rates out of order)",
      points: [
        [16000, 40],
        [1000, 1],
        [12000, 9],
        [8000, 1.5],
        [10000, 3],
      ],
      knee: { rate: 10000, limitMs: 2 },
    },
    {
      name: "a noisy step that recovers at a higher rate is not the knee",
      points: [
        [1000, 1],
        [2000, 3],
        [4000, 1.2],
        [8000, 5],
      ],
      knee: { rate: 8000, limitMs: 2 },
    },
    {
      name: "sub-millisecond latencies need a rise of 0.5 ms, not just a doubling",
      points: [
        [1000, 0.2],
        [2000, 0.45],
        [4000, 0.65],
        [8000, 0.9],
      ],
      knee: { rate: 8000, limitMs: 0.7 },
    },
    {
      name: "flat to the end: no knee",
      points: [
        [1000, 1],
        [2000, 1.2],
        [4000, 1.9],
      ],
    },
    { name: "one step: no curve", points: [[1000, 5]] },
    { name: "no steps", points: [] },
  ];
  for (const c of cases) {
    const knee = findKnee(curve(c.points));
    if (c.knee === undefined) {
      assert.equal(knee, undefined, c.name);
      continue;
    }
    assert.ok(knee !== undefined, c.name);
    assert.equal(knee.rate, c.knee.rate, c.name);
    assert.ok(Math.abs(knee.limitMs - c.knee.limitMs) < 1e-9, `${c.name}: limit ${knee.limitMs}`);
    assert.ok(knee.p99Ms > knee.limitMs, c.name);
  }
});
