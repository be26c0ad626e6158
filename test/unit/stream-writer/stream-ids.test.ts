import assert from "node:assert/strict";
import { test } from "node:test";
import {
  compareStreamIds,
  parsePartFileName,
  partFileName,
  rangesOverlap,
} from "../../../src/stream-writer/stream-ids.js";

test("stream IDs compare by milliseconds, then sequence, as numbers (not text)", () => {
  const cases: [string, string, number][] = [
    ["1-0", "1-0", 0],
    ["1-0", "1-1", -1],
    ["1-10", "1-9", 1],
    ["9-0", "10-0", -1],
    ["1733500000000-5", "1733500000001-0", -1],
  ];
  for (const [a, b, sign] of cases) assert.equal(Math.sign(compareStreamIds(a, b)), sign, `${a} vs ${b}`);
  assert.throws(() => compareStreamIds("x", "1-0"), /not a stream ID: "x"/);
});

test("part file names carry the first and last ID and parse back; other names do not parse", () => {
  assert.equal(partFileName("1-0", "25-3"), "part-1-0-25-3.parquet");
  assert.deepEqual(parsePartFileName("part-1733500000000-0-1733500000123-5.parquet"), {
    firstId: "1733500000000-0",
    lastId: "1733500000123-5",
  });
  for (const name of [".part-1-0-2-0.parquet.c1-9.tmp", "part-1-0.parquet", "part-1-0-2-0.csv", "x.parquet"])
    assert.equal(parsePartFileName(name), undefined, name);
});

test("inclusive ID ranges overlap when they share an ID", () => {
  const cases: [string, string, string, string, boolean][] = [
    ["1-0", "5-0", "5-0", "9-0", true],
    ["1-0", "5-0", "5-1", "9-0", false],
    ["3-0", "4-0", "1-0", "9-0", true],
    ["10-0", "20-0", "2-0", "9-9", false],
  ];
  for (const [a, b, c, d, want] of cases)
    assert.equal(rangesOverlap(a, b, c, d), want, `${a}..${b} / ${c}..${d}`);
});
