import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeAvailability, outageThresholdMs } from "../../../src/measure/availability.js";

const START = 1_000_000;
const END = START + 10_000;

describe("availability from the threads' success timelines", () => {
  const cases: {
    name: string;
    timelines: { firstMs: number; lastMs: number; gaps: { fromMs: number; toMs: number }[] }[];
    unavailableMs: number;
    percent: number;
    outages: [number, number][];
  }[] = [
    {
      name: "steady service: no outage",
      timelines: [{ firstMs: START + 1, lastMs: END - 1, gaps: [] }],
      unavailableMs: 0,
      percent: 100,
      outages: [],
    },
    {
      name: "a server that died at 2 s and never came back: the gap reaches the end",
      timelines: [{ firstMs: START + 1, lastMs: START + 2000, gaps: [] }],
      unavailableMs: 8000,
      percent: 20,
      outages: [[2000, 10_000]],
    },
    {
      name: "a restart between 3 s and 5 s on two threads: only the common part counts",
      timelines: [
        { firstMs: START + 1, lastMs: END - 1, gaps: [{ fromMs: START + 3000, toMs: START + 5000 }] },
        { firstMs: START + 2, lastMs: END - 1, gaps: [{ fromMs: START + 3100, toMs: START + 5200 }] },
      ],
      unavailableMs: 1900,
      percent: 81,
      outages: [[3100, 5000]],
    },
    {
      name: "one thread stalled while the other kept succeeding: the target was available",
      timelines: [
        { firstMs: START + 1, lastMs: END - 1, gaps: [{ fromMs: START + 3000, toMs: START + 6000 }] },
        { firstMs: START + 1, lastMs: END - 1, gaps: [] },
      ],
      unavailableMs: 0,
      percent: 100,
      outages: [],
    },
    {
      name: "no success at all (every operation failed): unavailable the whole time",
      timelines: [{ firstMs: 0, lastMs: 0, gaps: [] }],
      unavailableMs: 10_000,
      percent: 0,
      outages: [[0, 10_000]],
    },
    {
      name: "a late first success counts from the start",
      timelines: [{ firstMs: START + 1500, lastMs: END - 1, gaps: [] }],
      unavailableMs: 1500,
      percent: 85,
      outages: [[0, 1500]],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = computeAvailability(c.timelines, START, END);
      assert.equal(a.unavailableMs, c.unavailableMs);
      assert.equal(a.availabilityPercent, c.percent);
      assert.deepEqual(
        a.outages.map((o) => [o.fromMs - START, o.toMs - START]),
        c.outages,
      );
    });
  }

  it("a slow open-loop profile raises the outage threshold above its own spacing", () => {
    assert.equal(outageThresholdMs(undefined), 1000);
    assert.equal(outageThresholdMs(10_000), 1000);
    assert.equal(outageThresholdMs(1), 3000);
    const slow = computeAvailability(
      [{ firstMs: START + 1, lastMs: END - 1, gaps: [{ fromMs: START + 1000, toMs: START + 2200 }] }],
      START,
      END,
      outageThresholdMs(1),
    );
    assert.equal(slow.unavailableMs, 0);
  });
});
