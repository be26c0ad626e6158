import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDurationMs, parseDurationMs } from "../../../src/config/duration.js";

test("parseDurationMs reads units, fractions, compounds and bare seconds", () => {
  const cases: [string, number | undefined][] = [
    ["30s", 30_000],
    ["500ms", 500],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["1.5s", 1_500],
    ["1.1s", 1_100],
    ["250us", 0.25],
    ["1m30s", 90_000],
    ["1h2m3s", 3_723_000],
    [" 10s ", 10_000],
    ["250", 250_000],
    ["0", 0],
    ["0.5", 500],
    [".5s", 500],
    ["", undefined],
    ["s", undefined],
    ["10", 10_000],
    ["-5s", undefined],
    ["5 s", undefined],
    ["5sec", undefined],
    ["1d", undefined],
    ["abc", undefined],
    ["1e3", undefined],
    ["10s5", undefined],
  ];
  for (const [text, expected] of cases) assert.equal(parseDurationMs(text), expected, text);
});

test("formatDurationMs writes the shortest exact text", () => {
  const cases: [number, string][] = [
    [0, "0ms"],
    [500, "500ms"],
    [1_000, "1s"],
    [1_500, "1.5s"],
    [30_000, "30s"],
    [60_000, "1m"],
    [90_000, "1m30s"],
    [3_600_000, "1h"],
    [3_723_000, "1h2m3s"],
    [61_500, "1m1.5s"],
  ];
  for (const [ms, expected] of cases) {
    assert.equal(formatDurationMs(ms), expected, String(ms));
    assert.equal(parseDurationMs(expected), ms, `round trip ${expected}`);
  }
});
