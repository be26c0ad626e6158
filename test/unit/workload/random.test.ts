import assert from "node:assert/strict";
import { test } from "node:test";
import { hashUnit, Rng } from "../../../src/workload/random.js";

test("the same seed gives the same sequence; reseed restarts it", () => {
  const a = new Rng(42);
  const first = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(
    Array.from({ length: 5 }, () => new Rng(42)).map((r) => r.nextUint32()),
    Array(5).fill(first[0]),
  );
  a.reseed(42);
  assert.deepEqual(
    Array.from({ length: 5 }, () => a.nextUint32()),
    first,
  );
  assert.notEqual(new Rng(43).nextUint32(), first[0]);
  assert.notEqual(new Rng(0).nextUint32(), new Rng(1).nextUint32());
});

test("next, int and gaussian stay in range with the right spread", () => {
  const rng = new Rng(7);
  const n = 100_000;
  let sum = 0;
  let sumSquares = 0;
  const buckets = new Array(10).fill(0);
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    assert.ok(u >= 0 && u < 1);
    const k = rng.int(10);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 10);
    buckets[k]++;
    const g = rng.gaussian();
    sum += g;
    sumSquares += g * g;
  }
  for (const count of buckets) assert.ok(Math.abs(count - n / 10) < n / 100, `bucket ${count}`);
  assert.ok(Math.abs(sum / n) < 0.02, `mean ${sum / n}`);
  assert.ok(Math.abs(Math.sqrt(sumSquares / n) - 1) < 0.02, `sd ${Math.sqrt(sumSquares / n)}`);
  const big = 1e12;
  for (let i = 0; i < 1000; i++) {
    const k = rng.int(big);
    assert.ok(Number.isInteger(k) && k >= 0 && k < big);
  }
});

test("hashUnit depends only on its inputs", () => {
  assert.equal(hashUnit(1, 2, 3), hashUnit(1, 2, 3));
  assert.notEqual(hashUnit(1, 2, 3), hashUnit(1, 2, 4));
  assert.notEqual(hashUnit(1, 2, 3), hashUnit(2, 2, 3));
  const u = hashUnit(99, 0, 0);
  assert.ok(u >= 0 && u < 1);
});
