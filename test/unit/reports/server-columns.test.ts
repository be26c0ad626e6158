import assert from "node:assert/strict";
import { test } from "node:test";
import type { ServerSample } from "../../../src/probes/types.js";
import { serverColumns } from "../../../src/reports/server-columns.js";

const sample = (tS: number, more: Partial<ServerSample>): ServerSample => ({
  tS,
  atMs: 1e12 + tS * 1000,
  ...more,
});

test("server columns: only fields some sample has, worst CPU/memory and mean hit ratio per row", () => {
  const columns = serverColumns([
    sample(-0.5, { processCpuPercent: 99 }), // warmup: not in the measured table
    sample(0.5, { processCpuPercent: 20, usedMemoryBytes: 1024 * 1024, hitRatio: 0.5 }),
    sample(1.0, { processCpuPercent: 40, usedMemoryBytes: 2 * 1024 * 1024, hitRatio: 0.9 }),
    sample(2.0, { processCpuPercent: 10, usedMemoryBytes: 3 * 1024 * 1024 }),
  ]);
  assert.deepEqual(columns.headers, ["server CPU %", "used MB", "hit %"]);
  assert.deepEqual(columns.cells(0, 1), ["40", "2.0", "70.0"]);
  assert.deepEqual(columns.cells(1, 2), ["10", "3.0", "-"]);
  // A row with no sample in it shows no value rather than a made-up one.
  assert.deepEqual(columns.cells(2, 3), ["-", "-", "-"]);
});

test("no server series (or a target that hides everything): no server columns", () => {
  assert.deepEqual(serverColumns(undefined).headers, []);
  assert.deepEqual(serverColumns([sample(1, {})]).headers, []);
  assert.deepEqual(serverColumns([sample(1, {})]).cells(0, 1), []);
});
