import assert from "node:assert/strict";
import { it } from "node:test";
import type { PriceTable } from "../../../src/result/cost-estimate.js";
import { runCostUsd } from "../../../src/run/budget-watch.js";

const PRICES: PriceTable = {
  source: "test",
  readOn: "2024-10-01",
  currency: "USD",
  region: "us-east-1",
  hoursPerMonth: 730,
  engines: {
    redis: { dataStoredPerGbHour: 0.125, perMillionEcpu: 0.0034, minimumDataGb: 1 },
    valkey: { dataStoredPerGbHour: 0.084, perMillionEcpu: 0.0023, minimumDataGb: 0.1 },
  },
  ecpu: { bytesPerEcpu: 1024 },
};

const rows: { name: string; usage: Parameters<typeof runCostUsd>[0]; costUsd: number; engine: string }[] = [
  {
    name: "nothing yet",
    usage: { ops: 0, elapsedS: 0, dataBytes: 0, bytesPerOp: 40 },
    costUsd: 0,
    engine: "redis",
  },
  {
    // 1 ECPU each: 1e6 × 0.0034 / 1e6; data: 1 GB minimum × 0.125 for 1 h.
    name: "a million small operations over an hour, little data",
    usage: { ops: 1_000_000, elapsedS: 3600, dataBytes: 1e6, bytesPerOp: 40 },
    costUsd: 0.0034 + 0.125,
    engine: "redis",
  },
  {
    // 4 KB moved per operation: 4 ECPU each.
    name: "large values cost ECPUs in proportion",
    usage: { ops: 1_000_000, elapsedS: 0, dataBytes: 0, bytesPerOp: 4096 },
    costUsd: 4 * 0.0034,
    engine: "redis",
  },
  {
    name: "data above the minimum is billed as held",
    usage: { ops: 0, elapsedS: 3600, dataBytes: 10e9, bytesPerOp: 40 },
    costUsd: 10 * 0.125,
    engine: "redis",
  },
];

for (const row of rows)
  it(`runCostUsd: ${row.name}`, () => {
    const cost = runCostUsd(row.usage, PRICES);
    assert.ok(Math.abs(cost.costUsd - row.costUsd) < 1e-12, `${cost.costUsd} vs ${row.costUsd}`);
    assert.equal(cost.engine, row.engine);
  });

it("runCostUsd takes the dearest engine, whichever it is", () => {
  const cheapRedis: PriceTable = {
    ...PRICES,
    engines: { ...PRICES.engines, redis: { ...PRICES.engines.redis, dataStoredPerGbHour: 0.001 } },
  };
  const cost = runCostUsd({ ops: 0, elapsedS: 3600, dataBytes: 0, bytesPerOp: 40 }, cheapRedis);
  assert.equal(cost.engine, "valkey");
  assert.ok(Math.abs(cost.costUsd - 0.1 * 0.084) < 1e-12);
});
