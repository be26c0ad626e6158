import { type AzureCostEstimate, azureMonthly } from "./azure-cost.js";
import type { CostEstimate } from "./cost-estimate.js";

/**
 * `--max-monthly-cost` (docs/cost.md): which estimate is the run's cost, and whether it is above the
 * budget. The estimate judged is the target platform's: on Azure (--env azure, an Azure host or
 * --azure-tier) the chosen tier, else the cheapest priced tier; otherwise ElastiCache Serverless
 * with the `redis` engine (the price table's first engine when it has no `redis`).
 */
export interface CostBudget {
  maxMonthlyUsd: number;
  /** What was judged: `ElastiCache Serverless redis`, `Azure Standard C3`. */
  judged?: string;
  /** That estimate's month, in its currency (USD in the shipped tables). */
  monthly?: number;
  currency?: string;
  exceeded: boolean;
  /** Why nothing was judged (no server samples, no priced size). */
  note?: string;
}

export function judgeBudget(
  maxMonthlyUsd: number,
  serverless: readonly CostEstimate[] | undefined,
  azure: readonly AzureCostEstimate[] | undefined,
): CostBudget {
  if (azure !== undefined && azure.length > 0) {
    const priced = azure
      .map((e) => ({ e, monthly: azureMonthly(e) }))
      .filter((x): x is { e: AzureCostEstimate; monthly: number } => x.monthly !== undefined)
      .sort((a, b) => a.monthly - b.monthly);
    if (priced.length === 0)
      return {
        maxMonthlyUsd,
        exceeded: false,
        note: "no priced Azure size holds the data in the price table",
      };
    const { e, monthly } = priced[0];
    const size = e.totalPerMonth !== undefined ? e.size : e.pricedAlternative!.size;
    return {
      maxMonthlyUsd,
      judged: `Azure ${e.tier} ${size}`,
      monthly,
      currency: e.currency,
      exceeded: monthly > maxMonthlyUsd,
    };
  }
  const engine = serverless?.find((e) => e.engine === "redis") ?? serverless?.[0];
  if (engine === undefined)
    return { maxMonthlyUsd, exceeded: false, note: "no cost estimate: the server could not be sampled" };
  return {
    maxMonthlyUsd,
    judged: `ElastiCache Serverless ${engine.engine}`,
    monthly: engine.totalPerMonth,
    currency: engine.currency,
    exceeded: engine.totalPerMonth > maxMonthlyUsd,
  };
}

export function budgetLines(budget: CostBudget | undefined): string[] {
  if (budget === undefined) return [];
  if (budget.monthly === undefined)
    return [`budget: USD ${budget.maxMonthlyUsd}/month, not judged: ${budget.note}`];
  const verdict = budget.exceeded ? "EXCEEDED" : "within";
  return [
    `budget: ${verdict}: ${budget.judged} ${budget.currency} ${budget.monthly.toFixed(2)}/month against a maximum of USD ${budget.maxMonthlyUsd}`,
  ];
}
