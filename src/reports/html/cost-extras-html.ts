import { azureCostLines } from "../../result/azure-cost.js";
import { budgetLines } from "../../result/cost-budget.js";
import type { RunResult } from "../../result/result-types.js";
import { escapeHtml } from "./escape.js";

/** Azure Cache for Redis and the --max-monthly-cost verdict, under the ElastiCache cost table. */
export function azureAndBudgetHtml(result: RunResult): string {
  const lines = [...azureCostLines(result.azureCostEstimate), ...budgetLines(result.costBudget)];
  if (lines.length === 0) return "";
  return `<pre class="muted">${escapeHtml(lines.join("\n"))}</pre>`;
}
