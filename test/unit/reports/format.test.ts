import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  displayWidth,
  formatBytes,
  formatCount,
  formatDurationMs,
  formatMs,
  formatPercent,
  formatRate,
  formatThresholdActual,
  padEndWidth,
  padStartWidth,
  percentOf,
} from "../../../src/reports/format.js";

function table<T>(name: string, fn: (input: T) => string, cases: Array<[T, string]>): void {
  describe(name, () => {
    for (const [input, expected] of cases) {
      it(`${String(input)} → ${expected}`, () => assert.equal(fn(input), expected));
    }
  });
}

table("formatMs", formatMs, [
  [0, "0.000"],
  [0.412, "0.412"],
  [0.0004, "0.000"],
  [-0.0001, "0.000"],
  [0.9996, "1.000"],
  [3.25, "3.25"],
  [12.34, "12.3"],
  [999.9, "999.9"],
  [1234, "1,234"],
  [1234.5, "1,235"],
  [61_000, "61,000"],
  [Number.NaN, "-"],
  [Number.POSITIVE_INFINITY, "-"],
]);

table("formatCount", formatCount, [
  [0, "0"],
  [7, "7"],
  [999, "999"],
  [1000, "1,000"],
  [52_310, "52,310"],
  [1_234_567, "1,234,567"],
  [1_000_000_000, "1,000,000,000"],
  [-1234, "-1,234"],
  [1234.6, "1,235"],
  [Number.NaN, "-"],
]);

table("formatRate", formatRate, [
  [0, "0.0"],
  [0.5, "0.5"],
  [9.94, "9.9"],
  [10, "10"],
  [52_310.4, "52,310"],
  [1_500_000, "1,500,000"],
  [Number.NaN, "-"],
]);

table("formatBytes", formatBytes, [
  [0, "0 B"],
  [512, "512 B"],
  [1023, "1023 B"],
  [1024, "1.00 KiB"],
  [1536, "1.50 KiB"],
  [12 * 1024 * 1024, "12.0 MiB"],
  [3.5 * 1024 ** 3, "3.50 GiB"],
  [-2048, "-2.00 KiB"],
  [Number.NaN, "-"],
]);

table("formatPercent", formatPercent, [
  [0, "0 %"],
  [0.24, "0.24 %"],
  [0.000167, "<0.01 %"],
  [12.5, "12.5 %"],
  [100, "100 %"],
  [250, "250 %"],
]);

table("formatDurationMs", formatDurationMs, [
  [0, "0ms"],
  [850, "850ms"],
  [1000, "1s"],
  [12_500, "12.5s"],
  [30_000, "30s"],
  [59_990, "1m00s"],
  [245_000, "4m05s"],
  [3_720_000, "1h02m"],
  [-1, "-"],
]);

table("formatThresholdActual", formatThresholdActual, [
  [3, "3"],
  [12_000, "12,000"],
  [2.4, "2.40"],
  [0.000167, "0.00017"],
  [-0.5, "-0.500"],
  [Number.NaN, "-"],
  [null as unknown as number, "-"],
]);

describe("percentOf", () => {
  it("divides", () => assert.equal(percentOf(1, 4), 25));
  it("is 0 for an empty whole", () => assert.equal(percentOf(5, 0), 0));
});

describe("display width and padding", () => {
  const cases: Array<[string, number]> = [
    ["abc", 3],
    ["✓", 1],
    ["✗ p(99)", 7],
    ["\u001b[32mPASS\u001b[0m", 4],
    ["", 0],
  ];
  for (const [text, width] of cases) {
    it(`${JSON.stringify(text)} is ${width} wide`, () => assert.equal(displayWidth(text), width));
  }
  it("pads by display width, not by UTF-16 length", () => {
    assert.equal(padEndWidth("✓", 3), "✓  ");
    assert.equal(padStartWidth("\u001b[31m1\u001b[0m", 3), "  \u001b[31m1\u001b[0m");
    assert.equal(padStartWidth("toolong", 3), "toolong");
  });
});
