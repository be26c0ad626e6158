import { join } from "node:path";
import { defaultRules, NotificationDispatcher, parseAlertsSection } from "../alerts/index.js";
import type { AlertEvent } from "../alerts/rule-types.js";
import { packageRoot } from "../config/scenario-paths.js";
import type { RunConfig } from "../config/types.js";
import { estimateAzureCost, loadAzurePriceTable, looksLikeAzure } from "../result/azure-cost.js";
import { judgeBudget } from "../result/cost-budget.js";
import type { RunResult } from "../result/result-types.js";
import type { Participant } from "./participant.js";
import { TOOL_VERSION } from "./version.js";

/** Longest the end of a run waits for the budget notification, ms (as the live alerts do). */
const FLUSH_TIMEOUT_MS = 15_000;

export const BUDGET_RULE = "monthly_cost_high";

/**
 * The cost part of a run beyond the ElastiCache Serverless estimate (docs/cost.md): Azure Cache for
 * Redis when the run targets Azure (--env azure, a `*.redis.cache.windows.net` host, --azure-tier),
 * and --max-monthly-cost, which judges the estimate once the run is over and, when it is above
 * the budget, fires `monthly_cost_high` through the scenario's alert notifiers.
 */
export function costParticipant(config: RunConfig): Participant | undefined {
  const forAzure =
    config.env.toLowerCase() === "azure" ||
    config.azureTier !== undefined ||
    (config.url !== undefined && looksLikeAzure(hostOf(config.url)));
  if (!forAzure && config.maxMonthlyCostUsd === undefined) return undefined;
  let say: (line: string) => void = () => {};
  return {
    name: "cost",
    async beforeLoad(run) {
      say = run.say;
    },
    async contribute(result) {
      if ((forAzure || looksLikeAzure(result.target.host)) && result.server !== undefined) {
        const table = await loadAzurePriceTable(join(packageRoot(), "data", "azure-cache-prices.json"));
        result.azureCostEstimate = estimateAzureCost(
          result.server.usedMemoryBytesMax ?? 0,
          table,
          config.azureTier,
        );
      }
      if (config.maxMonthlyCostUsd === undefined) return;
      const budget = judgeBudget(config.maxMonthlyCostUsd, result.costEstimate, result.azureCostEstimate);
      result.costBudget = budget;
      if (budget.exceeded) await fireBudgetAlert(config, result, say);
    },
  };
}

async function fireBudgetAlert(
  config: RunConfig,
  result: RunResult,
  say: (line: string) => void,
): Promise<void> {
  const budget = result.costBudget!;
  const monthly = budget.monthly!;
  const description = `the cost estimate (${budget.judged}) is above the monthly budget`;
  const event: AlertEvent = {
    type: "firing",
    rule: BUDGET_RULE,
    metric: "monthly_cost_usd",
    op: ">",
    severity: "warning",
    tS: result.durationMs / 1000,
    value: monthly,
    threshold: budget.maxMonthlyUsd,
    message: `${BUDGET_RULE} firing: monthly_cost_usd ${monthly.toFixed(2)} > ${budget.maxMonthlyUsd} — ${description}`,
  };
  say(`ALERT ${event.message}`);
  // The scenario's notifiers, already validated when the run started; none means report only.
  const parsed = parseAlertsSection(config.alerts, { defaults: defaultRules(config.useCase) });
  const notifiers = parsed.ok ? parsed.value.notifiers : [];
  const dispatcher = new NotificationDispatcher(notifiers, {
    context: {
      scenario: config.scenario,
      env: config.env,
      target: result.target.url,
      toolVersion: TOOL_VERSION,
    },
    dryRun: config.alertsDryRun,
    log: say,
  });
  dispatcher.notify(event);
  const deliveries = await dispatcher.flush(FLUSH_TIMEOUT_MS);
  const alerts = result.alerts ?? { rules: [], events: [], firingAtEnd: [], deliveries: [] };
  alerts.rules.push({
    name: BUDGET_RULE,
    metric: "monthly_cost_usd",
    op: ">",
    value: budget.maxMonthlyUsd,
    forMs: 0,
    severity: "warning",
    description,
  });
  alerts.events.push(event);
  alerts.firingAtEnd.push({ rule: BUDGET_RULE, severity: "warning", firedAtS: event.tS });
  alerts.deliveries.push(...deliveries);
  result.alerts = alerts;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}
