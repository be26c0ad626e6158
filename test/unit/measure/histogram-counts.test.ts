import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addCounts,
  addEncoded,
  encodeHistogram,
  histogramCounts,
  NO_COUNTS,
  newLatencyHistogram,
} from "../../../src/measure/histogram.js";

/** Values spread over many buckets, including one far past the initial range (auto-resize). */
const CASES: { name: string; values: number[] }[] = [
  { name: "one value", values: [1] },
  { name: "sub-ms values", values: [1, 2, 3, 17, 250, 999, 999, 1000] },
  { name: "a wide spread", values: [5, 1234, 98_765, 4_321_098, 59_999_999] },
  { name: "an outlier past the initial range", values: [40, 41, 42, 120_000_000] },
];

describe("histogram counts shipped by engine threads", () => {
  for (const { name, values } of CASES) {
    it(`add up exactly like the encoded histogram (${name})`, () => {
      const source = newLatencyHistogram();
      for (const [i, v] of values.entries()) source.recordValueWithCount(v, i + 1);
      const viaCounts = newLatencyHistogram();
      addCounts(viaCounts, histogramCounts(source));
      const viaEncoded = newLatencyHistogram();
      addEncoded(viaEncoded, encodeHistogram(source));
      assert.equal(viaCounts.totalCount, source.totalCount);
      assert.equal(viaCounts.maxValue, viaEncoded.maxValue);
      assert.equal(viaCounts.minNonZeroValue, viaEncoded.minNonZeroValue);
      assert.equal(viaCounts.mean, viaEncoded.mean);
      for (const p of [0, 50, 90, 99, 99.9, 100]) {
        assert.equal(viaCounts.getValueAtPercentile(p), viaEncoded.getValueAtPercentile(p), `p${p}`);
      }
    });
  }

  it("ship nothing for an empty histogram, and adding nothing changes nothing", () => {
    const empty = newLatencyHistogram();
    assert.equal(histogramCounts(empty), NO_COUNTS);
    const into = newLatencyHistogram();
    into.recordValue(7);
    addCounts(into, NO_COUNTS);
    assert.equal(into.totalCount, 1);
    assert.equal(into.maxValue, 7);
  });

  it("one pair per non-empty bucket", () => {
    const h = newLatencyHistogram();
    h.recordValueWithCount(10, 3);
    h.recordValueWithCount(10, 2);
    h.recordValueWithCount(5000, 1);
    assert.deepEqual(Array.from(histogramCounts(h)), [10, 5, 5000, 1]);
  });
});
