import assert from "node:assert/strict";
import { test } from "node:test";
import type { Stage } from "../../../src/config/types.js";
import {
  describeStages,
  meanRate,
  nextIntendedStartMs,
  opsBetween,
  profileDurationMs,
  rateAt,
} from "../../../src/workload/load-profile.js";

const SEED = 12345;
const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );

// One stage of each kind, back to back: starts at 0, 1000, 2000, 5000, 7000, 8000; ends at 10000.
const ALL_KINDS: Stage[] = [
  { kind: "constant", durationMs: 1000, rate: 100 },
  { kind: "ramp", durationMs: 1000, fromRate: 0, toRate: 1000 },
  { kind: "step", durationMs: 3000, startRate: 100, stepRate: 50, stepEveryMs: 1000, maxRate: 180 },
  { kind: "burst", durationMs: 2000, baseRate: 100, multiplier: 4, burstEveryMs: 1000, burstMs: 250 },
  { kind: "wave", durationMs: 1000, baseRate: 100, amplitude: 50, periodMs: 1000 },
  { kind: "chaos", durationMs: 2000, minRate: 10, maxRate: 20, changeEveryMs: 500 },
];

test("rateAt for each stage kind at several times", () => {
  const cases: [number, number][] = [
    [-1, 0],
    [0, 100],
    [999, 100],
    [1000, 0],
    [1500, 500],
    [1999, 999],
    [2000, 100],
    [3000, 150],
    [4000, 180],
    [4999, 180],
    [5000, 100],
    [5749, 100],
    [5750, 400],
    [5999, 400],
    [6000, 100],
    [6800, 400],
    [7000, 100],
    [7250, 150],
    [7500, 100],
    [7750, 50],
    [10_000, 0],
    [1e9, 0],
  ];
  for (const [tMs, expected] of cases) close(rateAt(ALL_KINDS, tMs, SEED), expected, 1e-9, `t=${tMs}`);
});

test("a wave never goes below 0", () => {
  const wave: Stage[] = [{ kind: "wave", durationMs: 1000, baseRate: 10, amplitude: 50, periodMs: 1000 }];
  assert.equal(rateAt(wave, 750, SEED), 0);
  close(rateAt(wave, 250, SEED), 60, 1e-9, "crest");
});

test("chaos: bounded, constant within a segment, repeatable from the seed", () => {
  const rates = (seed: number) =>
    Array.from({ length: 20 }, (_, i) => rateAt(ALL_KINDS, 8000 + i * 100, seed));
  const a = rates(SEED);
  assert.deepEqual(rates(SEED), a);
  assert.notDeepEqual(rates(SEED + 1), a);
  for (const rate of a) assert.ok(rate >= 10 && rate <= 20, String(rate));
  for (let segment = 0; segment < 4; segment++) {
    assert.equal(new Set(a.slice(segment * 5, segment * 5 + 5)).size, 1, `segment ${segment} holds one rate`);
  }
  assert.ok(new Set(a).size > 1, "segments differ");
});

test("profileDurationMs and meanRate", () => {
  const cases: [Stage[], number, number][] = [
    [[], 0, 0],
    [[ALL_KINDS[0]], 1000, 100],
    [[ALL_KINDS[1]], 1000, 500],
    [[ALL_KINDS[2]], 3000, (100 + 150 + 180) / 3],
    [[ALL_KINDS[3]], 2000, 100 * 0.75 + 400 * 0.25],
    [[ALL_KINDS[4]], 1000, 100],
    [[ALL_KINDS[0], ALL_KINDS[1]], 2000, 300],
  ];
  for (const [stages, durationMs, mean] of cases) {
    const what = stages.map((s) => s.kind).join("+") || "none";
    assert.equal(profileDurationMs(stages), durationMs, what);
    close(meanRate(stages, SEED), mean, 0.01, what);
  }
  assert.equal(profileDurationMs(ALL_KINDS), 10_000);
});

test("nextIntendedStartMs", () => {
  const constant: Stage[] = [{ kind: "constant", durationMs: 1000, rate: 1000 }];
  const gap: Stage[] = [
    { kind: "constant", durationMs: 1000, rate: 100 },
    { kind: "constant", durationMs: 1000, rate: 0 },
    { kind: "constant", durationMs: 1000, rate: 100 },
  ];
  const ramp: Stage[] = [{ kind: "ramp", durationMs: 1000, fromRate: 0, toRate: 1000 }];
  const cases: [string, Stage[], number, number, number][] = [
    ["steady: connections × 1000 / rate", constant, 0, 10, 10],
    ["steady, one connection", constant, 500, 1, 501],
    ["skips a stage at rate 0", gap, 995, 1, 2005],
    ["from inside a stage at rate 0", gap, 1500, 1, 2010],
    ["due after the end", constant, 995, 10, Number.POSITIVE_INFINITY],
    ["starting after the end", constant, 1000, 1, Number.POSITIVE_INFINITY],
    // A ramp 0 → 1000 ops/s over 1 s has scheduled 500 T² operations by T seconds: 1 op at T = √(1/500).
    ["ramp from 0 does not stall", ramp, 0, 1, Math.sqrt(1 / 500) * 1000],
  ];
  for (const [what, stages, tMs, connections, expected] of cases) {
    const actual = nextIntendedStartMs(stages, SEED, tMs, connections);
    if (expected === Number.POSITIVE_INFINITY) assert.equal(actual, expected, what);
    else close(actual, expected, 0.05, what);
  }
});

test("connections following nextIntendedStartMs send what the profile asks for", () => {
  const connections = 7;
  let scheduled = 0;
  for (let i = 0; i < connections; i++) {
    // Connection i starts once the schedule has advanced i operations, so the connections interleave.
    let t = nextIntendedStartMs(ALL_KINDS, SEED, 0, i);
    while (t < Number.POSITIVE_INFINITY) {
      scheduled++;
      t = nextIntendedStartMs(ALL_KINDS, SEED, t, connections);
    }
  }
  const expected = opsBetween(ALL_KINDS, SEED, 0, profileDurationMs(ALL_KINDS));
  close(scheduled, expected, connections, "total operations");
});

test("describeStages", () => {
  assert.equal(
    describeStages(ALL_KINDS),
    "1s at 100 ops/s, then 1s ramp 0 → 1000 ops/s, then 3s steps from 100 ops/s, +50 every 1s up to 180, " +
      "then 2s at 100 ops/s with bursts ×4 for 250ms every 1s, then 1s wave 100 ± 50 ops/s, period 1s, " +
      "then 2s chaos 10–20 ops/s, new rate every 500ms",
  );
  assert.equal(describeStages([]), "no stages");
});
