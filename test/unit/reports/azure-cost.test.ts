import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { azureTierRule, maxMonthlyCostRule } from "../../../src/config/cost-rules.js";
import { packageRoot } from "../../../src/config/scenario-file.js";
import { estimateAzureCost, loadAzurePriceTable, looksLikeAzure } from "../../../src/result/azure-cost.js";
import { judgeBudget } from "../../../src/result/cost-budget.js";

const table = () => loadAzurePriceTable(join(packageRoot(), "data", "azure-cache-prices.json"));

test("the shipped Azure table is dated, cites its source, and never guesses a price", async () => {
  const t = await table();
  assert.match(t.readOn, /^\d{4}-\d{2}-\d{2}$/);
  assert.match(t.source, /infracost/);
  assert.deepEqual(Object.keys(t.tiers.Basic), ["C0", "C1", "C2", "C3", "C4", "C5", "C6"]);
  assert.deepEqual(Object.keys(t.tiers.Premium), ["P1", "P2", "P3", "P4", "P5"]);
  const priced = Object.entries(t.tiers).flatMap(([tier, sizes]) =>
    Object.entries(sizes)
      .filter(([, s]) => s.hourly !== null)
      .map(([size, s]) => `${tier} ${size} ${s.hourly}`),
  );
  assert.deepEqual(priced, [
    "Basic C1 0.055",
    "Basic C4 0.21",
    "Standard C3 0.45",
    "Premium P1 0.554",
    "Premium P2 1.11",
    "Premium P3 2.218",
  ]);
});

test("sizing: the smallest size the data fills to at most 75 %, per tier or the chosen one", async () => {
  const t = await table();
  const rows = (bytes: number) =>
    estimateAzureCost(bytes, t).map((e) => [e.tier, e.size, e.fits, e.totalPerMonth]);
  // 4 GB needs 5.33 GB: C3 (6 GB) in Basic and Standard, P1 (6 GB) in Premium.
  assert.deepEqual(rows(4e9), [
    ["Basic", "C3", true, undefined],
    ["Standard", "C3", true, 328.5],
    ["Premium", "P1", true, 404.42],
  ]);
  // 10 GB needs 13.3 GB: C5/P3 (26 GB).
  assert.deepEqual(rows(10e9)[2], ["Premium", "P3", true, 1619.14]);
  // More than the largest size: the largest, marked as too small.
  assert.deepEqual(rows(200e9)[2], ["Premium", "P5", false, undefined]);
  const [basic] = estimateAzureCost(4e9, t, { tier: "Basic" });
  assert.deepEqual(basic.pricedAlternative, { size: "C4", memoryGb: 13, hourly: 0.21, totalPerMonth: 153.3 });
  const [chosen] = estimateAzureCost(1e9, t, { tier: "Premium", size: "P2" });
  assert.deepEqual([chosen.size, chosen.totalPerMonth, chosen.fits], ["P2", 810.3, true]);
});

test("the budget judges Azure's cheapest priced tier, else ElastiCache's redis engine", async () => {
  const t = await table();
  const azure = estimateAzureCost(4e9, t);
  assert.deepEqual(judgeBudget(300, undefined, azure), {
    maxMonthlyUsd: 300,
    judged: "Azure Basic C4",
    monthly: 153.3,
    currency: "USD",
    exceeded: false,
  });
  assert.equal(judgeBudget(100, undefined, azure).exceeded, true);
  assert.equal(
    judgeBudget(100, undefined, undefined).note,
    "no cost estimate: the server could not be sampled",
  );
});

test("flags: --azure-tier and --max-monthly-cost accept and refuse", () => {
  const cases: [string, unknown][] = [
    ["premium", { tier: "Premium" }],
    ["Standard:c3", { tier: "Standard" as const, size: "C3" }],
    ["basic/C0", { tier: "Basic", size: "C0" }],
    ["premium:C1", undefined],
    ["standard:P1", undefined],
    ["premium:P6", undefined],
    ["enterprise", undefined],
  ];
  for (const [raw, expected] of cases) assert.deepEqual(azureTierRule.parse(raw), expected, raw);
  assert.equal(maxMonthlyCostRule.parse("$500"), 500);
  assert.equal(maxMonthlyCostRule.parse("0"), undefined);
  assert.equal(maxMonthlyCostRule.parse("abc"), undefined);
  assert.equal(looksLikeAzure("mycache.redis.cache.windows.net"), true);
  assert.equal(looksLikeAzure("127.0.0.1"), false);
});
