import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { runScenario } from "../../src/run/run-scenario.js";
import { httpReceiver } from "../helpers/local-receivers.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

/**
 * Azure in the cost estimate and --max-monthly-cost against a real redis-server: the server's used
 * memory decides the size, the shipped dated table the price, and a budget below the estimate
 * fires monthly_cost_high through the scenario's webhook notifier (a local receiver).
 */
describe("Azure cost estimate and the monthly budget alert", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("--env azure with --azure-tier standard and a USD 100 budget: Standard C3 is the priced size, the alert fires and is delivered", async () => {
    const hook = await httpReceiver();
    try {
      const { result, markdownPath, htmlPath } = await runScenario(
        testRunConfig({
          url: redis.url,
          env: "azure",
          durationMs: 1500,
          azureTier: { tier: "Standard" },
          maxMonthlyCostUsd: 100,
          alerts: { notify: [{ kind: "webhook", url: `${hook.url}/hook` }] },
        }),
      );
      const used = result.server?.usedMemoryBytesMax ?? 0;
      assert.ok(used > 0 && used < 0.25e9 * 0.75, `a small test server: ${used} bytes`);
      const [standard] = result.azureCostEstimate ?? [];
      // The data fits C0 (250 MB); the table has no C0-C2 Standard price, so C3 is the priced figure.
      assert.deepEqual(
        [standard.tier, standard.size, standard.fits, standard.totalPerMonth],
        ["Standard", "C0", true, undefined],
      );
      assert.deepEqual(standard.pricedAlternative, {
        size: "C3",
        memoryGb: 6,
        hourly: 0.45,
        totalPerMonth: 328.5,
      });
      assert.deepEqual(result.costBudget, {
        maxMonthlyUsd: 100,
        judged: "Azure Standard C3",
        monthly: 328.5,
        currency: "USD",
        exceeded: true,
      });
      const fired = result.alerts?.events.filter((e) => e.rule === "monthly_cost_high") ?? [];
      assert.equal(fired.length, 1);
      assert.equal(fired[0].value, 328.5);
      const delivered = result.alerts?.deliveries.filter((d) => d.eventRule === "monthly_cost_high") ?? [];
      assert.deepEqual(
        delivered.map((d) => d.ok),
        [true],
      );
      assert.equal(hook.requests.filter((r) => r.body.includes("monthly_cost_high")).length, 1);

      const markdown = readFileSync(markdownPath, "utf8");
      assert.match(markdown, /cost on Azure Cache for Redis for a month/);
      assert.match(
        markdown,
        /budget: EXCEEDED: Azure Standard C3 USD 328\.50\/month against a maximum of USD 100/,
      );
      assert.match(markdown, /monthly_cost_high firing/);
      assert.match(readFileSync(htmlPath, "utf8"), /budget: EXCEEDED/);
    } finally {
      await hook.close();
    }
  });

  it("no Azure hint and a generous budget: only the ElastiCache estimate, judged within budget, no alert", async () => {
    const { result } = await runScenario(
      testRunConfig({ url: redis.url, durationMs: 1000, maxMonthlyCostUsd: 1_000_000 }),
    );
    assert.equal(result.azureCostEstimate, undefined);
    const redisEngine = result.costEstimate?.find((e) => e.engine === "redis");
    assert.ok(redisEngine !== undefined);
    assert.deepEqual(result.costBudget, {
      maxMonthlyUsd: 1_000_000,
      judged: "ElastiCache Serverless redis",
      monthly: redisEngine.totalPerMonth,
      currency: "USD",
      exceeded: false,
    });
    assert.equal(
      result.alerts?.events.some((e) => e.rule === "monthly_cost_high"),
      false,
    );
  });
});
