import { azureCostLines } from "../result/azure-cost.js";
import { budgetLines } from "../result/cost-budget.js";
import type { RunResult } from "../result/result-types.js";
import { bandText } from "../result/zones.js";
import { checkLines } from "./check-lines.js";
import { faultLines } from "./fault-lines.js";
import { resourceLines } from "./resource-lines.js";

/**
 * The analysis part of a report (risk zones, recommendations, cost, audit) as plain lines, shared
 * by the terminal summary and the Markdown file so both say the same thing.
 */

const ZONE_MARK = { stable: "stable", risk: "RISK", failure: "FAILURE" } as const;

export function zoneLines(result: RunResult): string[] {
  if (result.zones === undefined) return [];
  const width = Math.max(...result.zones.map((z) => z.label.length));
  return [
    "risk zones (stable / risk / failure):",
    ...result.zones.map((z) => {
      const label = z.label.padEnd(width);
      if (z.value === undefined || z.zone === undefined) return `  ${label}  -        ${z.note ?? ""}`;
      return `  ${label}  ${ZONE_MARK[z.zone].padEnd(7)}  ${z.value} (${bandText(z)})${z.note ? `: ${z.note}` : ""}`;
    }),
  ];
}

export function recommendationLines(result: RunResult): string[] {
  const recs = result.recommendations ?? [];
  if (recs.length === 0) return result.recommendations === undefined ? [] : ["recommendations: none"];
  return [
    "recommendations:",
    ...recs.flatMap((r) => [
      `  [${r.severity}] ${r.title}`,
      `    ${r.advice}`,
      ...r.evidence.map((e) => `    evidence: ${e}`),
    ]),
  ];
}

export function costLines(result: RunResult): string[] {
  const estimates = result.costEstimate ?? [];
  // Azure and the budget (docs/cost.md) follow the ElastiCache estimate.
  const more = [...azureCostLines(result.azureCostEstimate), ...budgetLines(result.costBudget)];
  if (estimates.length === 0) return more;
  return [
    "cost of this load for a month on ElastiCache Serverless (estimate):",
    ...estimates.map(
      (e) =>
        `  ${e.engine}: ${e.currency} ${e.totalPerMonth.toFixed(2)}/month ` +
        `(${e.ecpuPerSec} ECPU/s → ${e.currency} ${e.ecpuCostPerMonth.toFixed(2)}, ${e.dataGb} GB → ${e.currency} ${e.dataCostPerMonth.toFixed(2)})`,
    ),
    `  prices: ${estimates[0].priceSource}, read ${estimates[0].priceReadOn}`,
    ...more,
  ];
}

export function auditLines(result: RunResult): string[] {
  const audit = result.audit;
  if (audit === undefined) return [];
  const failed = audit.findings.filter((f) => !f.ok && f.severity !== "info");
  return [
    `configuration audit (${audit.profile}): ${audit.ok ? "PASS" : "FAIL"}`,
    ...failed.map(
      (f) =>
        `  ${f.severity.padEnd(6)} ${f.setting} = ${f.value ?? "?"} (recommended ${f.recommended}): ${f.why}`,
    ),
    ...audit.couldNotRead.map((line) => `  could not read: ${line}`),
  ];
}

export function alertLines(result: RunResult): string[] {
  const alerts = result.alerts;
  if (alerts === undefined) return [];
  const failed = alerts.deliveries.filter((d) => !d.ok && d.dryRun === undefined);
  return [
    `alerts: ${alerts.rules.length} rules, ${alerts.events.length} events, ${alerts.firingAtEnd.length} firing at the end`,
    ...alerts.events.map((e) => `  ${e.tS.toFixed(1)}s ${e.message}`),
    ...(alerts.followUps ?? []).map(
      (f) =>
        `  ${f.tS.toFixed(1)}s ${f.rule} ${f.kind === "reminder" ? "reminder sent" : f.kind === "escalation" ? `escalated to notifier ${f.notifier}` : `acknowledged${f.by !== undefined ? ` by ${f.by}` : ""}`}`,
    ),
    ...failed.map(
      (d) =>
        `  notification NOT delivered: ${d.notifier} (${d.eventRule} ${d.eventType}): ${d.error ?? "unknown"}`,
    ),
  ];
}

/** Everything above, in report order, blocks separated by an empty line. */
export function analysisLines(result: RunResult): string[] {
  const blocks = [
    zoneLines(result),
    resourceLines(result),
    checkLines(result),
    faultLines(result),
    alertLines(result),
    recommendationLines(result),
    costLines(result),
    auditLines(result),
  ].filter((b) => b.length > 0);
  return blocks.flatMap((b, i) => (i === 0 ? b : ["", ...b]));
}
