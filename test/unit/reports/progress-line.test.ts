import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ProgressSnapshot, renderProgressLine } from "../../../src/reports/progress-line.js";

const base: ProgressSnapshot = {
  phase: "measure",
  elapsedMs: 12_300,
  totalMs: 30_000,
  opsPerSec: 52_310,
  p50Ms: 0.91,
  p99Ms: 2.4,
  errors: 0,
  timeouts: 0,
};

const CASES: Array<[name: string, snapshot: ProgressSnapshot, expected: string]> = [
  [
    "closed loop with a known length",
    base,
    "[measure] 12s/30s  52,310 ops/s  p50 0.91ms  p99 2.40ms  errors 0  timeouts 0  (18s left)",
  ],
  [
    "open loop shows the achieved and the target rate",
    { ...base, targetRate: 60_000 },
    "[measure] 12s/30s  52,310/60,000 ops/s  p50 0.91ms  p99 2.40ms  errors 0  timeouts 0  (18s left)",
  ],
  [
    "no known length: no total and no time left",
    { ...base, phase: "prefill", totalMs: undefined, elapsedMs: 3_999 },
    "[prefill] 3s  52,310 ops/s  p50 0.91ms  p99 2.40ms  errors 0  timeouts 0",
  ],
  [
    "minutes, slow latencies and errors",
    { ...base, elapsedMs: 65_000, totalMs: 300_000, p50Ms: 120, p99Ms: 1534.2, errors: 1234, timeouts: 5 },
    "[measure] 1m05s/5m00s  52,310 ops/s  p50 120.0ms  p99 1,534ms  errors 1,234  timeouts 5  (3m55s left)",
  ],
  [
    "past the planned end never shows negative time",
    { ...base, phase: "drain", elapsedMs: 31_000 },
    "[drain] 31s/30s  52,310 ops/s  p50 0.91ms  p99 2.40ms  errors 0  timeouts 0  (0s left)",
  ],
  [
    "nothing measured yet",
    { ...base, phase: "warmup", elapsedMs: 0, opsPerSec: 0, p50Ms: Number.NaN, p99Ms: Number.NaN },
    "[warmup] 0s/30s  0.0 ops/s  p50 -  p99 -  errors 0  timeouts 0  (30s left)",
  ],
];

describe("renderProgressLine", () => {
  for (const [name, snapshot, expected] of CASES) {
    it(name, () => assert.equal(renderProgressLine(snapshot), expected));
  }
});
