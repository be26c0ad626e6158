import type { PutMetricAlarmCommandInput } from "@aws-sdk/client-cloudwatch";
import type { RunConfig } from "../../config/types.js";
import { AZURE_NAMESPACE } from "../azure-monitor-output.js";
import { hostPort } from "../metric-feed.js";
import { type ExportCondition, exportConditions } from "./export-rules.js";

/**
 * `cachestress export cloudwatch-alarms` and `azure-alerts`: the run's alert rules and thresholds as
 * alarms on the metrics the CloudWatch and Azure Monitor publishers send (docs/publishers.md). A
 * condition with no published counterpart is left out and named.
 */

interface Mapped {
  metric: string;
  /** CloudWatch statistic, or an extended one (p99). */
  statistic: string;
  /** The condition's value in the published metric's unit. */
  scale: number;
  command?: string;
}

function mapCondition(c: ExportCondition): Mapped | undefined {
  const command = c.command;
  switch (c.metric) {
    case "memory_used_percent":
      return { metric: "MemoryUsedPercent", statistic: "Maximum", scale: 1 };
    case "p99_ms":
      return { metric: "Latency", statistic: "p99", scale: 1 };
    case "latency_ms":
      return { metric: "Latency", statistic: c.stat === "avg" ? "Average" : `p${c.stat}`, scale: 1, command };
    case "timeout_percent":
      return { metric: "TimeoutRate", statistic: "Average", scale: 1 };
    case "error_percent":
      return { metric: "ErrorRate", statistic: "Average", scale: 1 };
    case "hit_ratio_percent":
      return { metric: "HitRatio", statistic: "Average", scale: 0.01 };
    case "evicted_keys_per_sec":
      return { metric: "Evictions", statistic: "Sum", scale: 1 };
    case "ops_per_sec":
      return { metric: "OpsPerSec", statistic: "Average", scale: 1, command };
    default:
      return undefined;
  }
}

const CW_OPERATOR: Record<string, PutMetricAlarmCommandInput["ComparisonOperator"]> = {
  ">": "GreaterThanThreshold",
  ">=": "GreaterThanOrEqualToThreshold",
  "<": "LessThanThreshold",
  "<=": "LessThanOrEqualToThreshold",
};

export interface CloudWatchAlarmOptions {
  namespace: string;
  resolutionS: 1 | 60;
}

export function cloudWatchAlarms(
  config: RunConfig,
  options: CloudWatchAlarmOptions,
): { alarms: PutMetricAlarmCommandInput[]; skipped: string[] } {
  const { conditions, skipped } = exportConditions(config);
  const target = config.url === undefined ? "HOST:PORT" : hostPort(config.url);
  // High-resolution alarms may use 10 s periods; standard ones a multiple of 60 s.
  const periodS = options.resolutionS === 1 ? 10 : 60;
  const alarms: PutMetricAlarmCommandInput[] = [];
  for (const c of conditions) {
    const m = mapCondition(c);
    const operator = CW_OPERATOR[c.op];
    if (m === undefined || operator === undefined) {
      skipped.push(`${c.name}: no CloudWatch counterpart for ${c.metric} ${c.op}`);
      continue;
    }
    const periods = Math.max(1, Math.ceil(c.forMs / 1000 / periodS));
    const extended = /^p\d/.test(m.statistic);
    alarms.push({
      AlarmName: `cachestress-${config.env}-${config.scenario}-${c.name}`,
      AlarmDescription: c.description,
      Namespace: options.namespace,
      MetricName: m.metric,
      Dimensions: [
        { Name: "env", Value: config.env },
        { Name: "scenario", Value: config.scenario },
        { Name: "target", Value: target },
        ...(m.command === undefined ? [] : [{ Name: "command", Value: m.command }]),
      ],
      ...(extended ? { ExtendedStatistic: m.statistic } : { Statistic: m.statistic as "Average" }),
      Period: periodS,
      EvaluationPeriods: periods,
      DatapointsToAlarm: periods,
      Threshold: c.value * m.scale,
      ComparisonOperator: operator,
      TreatMissingData: "notBreaching",
    });
  }
  return { alarms, skipped };
}

const AZURE_OPERATOR: Record<string, string> = {
  ">": "GreaterThan",
  ">=": "GreaterThanOrEqual",
  "<": "LessThan",
  "<=": "LessThanOrEqual",
};
const AZURE_SEVERITY = { critical: 0, warning: 2, info: 3 } as const;
const AZURE_METRIC: Record<string, string> = { Latency: "LatencyMs" };

/** Metric alert rules (Microsoft.Insights/metricAlerts) as an ARM template with the cache as a parameter. */
export function azureAlerts(config: RunConfig): string {
  const { conditions, skipped } = exportConditions(config);
  const resources: unknown[] = [];
  for (const c of conditions) {
    const m = mapCondition(c);
    const operator = AZURE_OPERATOR[c.op];
    // Azure's custom metrics keep min/max/sum/count per minute, not percentiles.
    if (m === undefined || operator === undefined || /^p\d/.test(m.statistic)) {
      skipped.push(`${c.name}: no Azure Monitor counterpart for ${c.metric} ${c.op}`);
      continue;
    }
    resources.push({
      type: "Microsoft.Insights/metricAlerts",
      apiVersion: "2018-03-01",
      name: `cachestress-${config.scenario}-${c.name}`,
      location: "global",
      properties: {
        description: c.description,
        severity: AZURE_SEVERITY[c.severity],
        enabled: true,
        scopes: ["[parameters('resourceId')]"],
        evaluationFrequency: "PT1M",
        windowSize: c.forMs > 300_000 ? "PT15M" : "PT5M",
        criteria: {
          "odata.type": "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
          allOf: [
            {
              criterionType: "StaticThresholdCriterion",
              name: c.name,
              metricNamespace: AZURE_NAMESPACE,
              metricName: AZURE_METRIC[m.metric] ?? m.metric,
              dimensions:
                m.command === undefined
                  ? []
                  : [{ name: "command", operator: "Include", values: [m.command] }],
              operator,
              threshold: c.value * m.scale,
              timeAggregation: m.statistic === "Sum" ? "Total" : m.statistic,
              skipMetricValidation: true,
            },
          ],
        },
        actions: [{ actionGroupId: "[parameters('actionGroupId')]" }],
      },
    });
  }
  return JSON.stringify(
    {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      metadata: { generator: "cachestress export azure-alerts", notExported: skipped },
      parameters: {
        resourceId: {
          type: "string",
          metadata: { description: "resource ID of the cache the metrics are published on" },
        },
        actionGroupId: { type: "string", metadata: { description: "action group to notify" } },
      },
      resources,
    },
    null,
    2,
  );
}
