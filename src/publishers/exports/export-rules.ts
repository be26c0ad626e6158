import { defaultRules } from "../../alerts/default-rules.js";
import { parseAlertsSection } from "../../alerts/rule-parse.js";
import type { AlertMetric, AlertOp, AlertRule } from "../../alerts/rule-types.js";
import { isThresholdProblem, type ParsedThreshold, parseThreshold } from "../../config/threshold-grammar.js";
import type { RunConfig } from "../../config/types.js";

/**
 * What `cachestress export` turns into another system's alerts: the run's alert rules (the defaults
 * of its use case, amended by the scenario's `alerts:`) and its thresholds, each as a condition that
 * is true when something is wrong. A threshold says what must hold, so its alert is the negation.
 */

export interface ExportCondition {
  /** snake_case, unique: `memory_high`, `threshold_p99_lt_500ms`. */
  name: string;
  severity: "critical" | "warning" | "info";
  description: string;
  /** Alert when (metric op value) holds for forMs. */
  metric: AlertMetric | "latency_ms" | "error_count" | "timeout_count" | "ops_count";
  /** For latency_ms: the percentile (50 for the median) or `avg`. */
  stat?: number | "avg";
  /** The command a threshold is limited to. */
  command?: string;
  op: AlertOp | "==" | "!=";
  value: number;
  forMs: number;
}

const NEGATE: Record<string, ExportCondition["op"]> = {
  "<": ">=",
  "<=": ">",
  ">": "<=",
  ">=": "<",
  "==": "!=",
  "!=": "==",
};

export function exportConditions(config: RunConfig): { conditions: ExportCondition[]; skipped: string[] } {
  const parsed = parseAlertsSection(config.alerts, { defaults: defaultRules(config.useCase) });
  const rules: AlertRule[] = parsed.ok ? parsed.value.rules : defaultRules(config.useCase);
  const conditions: ExportCondition[] = rules.map((r) => ({
    name: r.name,
    severity: r.severity,
    description: r.description ?? `${r.metric} ${r.op} ${r.value}`,
    metric: r.metric,
    op: r.op,
    value: r.value,
    forMs: r.forMs,
  }));
  const skipped: string[] = [];
  for (const expr of config.thresholds) {
    const t = parseThreshold(expr);
    if (isThresholdProblem(t)) continue;
    const c = thresholdCondition(t);
    if (c === undefined)
      skipped.push(`${expr}: min and max need every value, which a histogram does not keep`);
    else conditions.push(c);
  }
  return { conditions, skipped };
}

function thresholdCondition(t: ParsedThreshold): ExportCondition | undefined {
  const base = {
    name: `threshold_${t.expression
      .replace(/[^A-Za-z0-9]+/g, "_")
      .replace(/^_|_$/g, "")
      .toLowerCase()}`,
    severity: "critical" as const,
    description: `threshold ${t.expression} broken`,
    op: NEGATE[t.op],
    forMs: 0,
    ...(t.cmd !== undefined && { command: t.cmd }),
  };
  const ms = t.unit === "us" ? t.value / 1000 : t.unit === "s" ? t.value * 1000 : t.value;
  switch (t.metric) {
    case "percentile":
    case "med":
      return { ...base, metric: "latency_ms", stat: t.percentile ?? 50, value: ms };
    case "avg":
      return { ...base, metric: "latency_ms", stat: "avg", value: ms };
    case "errors":
      return t.unit === "%"
        ? { ...base, metric: "error_percent", value: t.value }
        : { ...base, metric: "error_count", value: t.value };
    case "timeouts":
      return t.unit === "%"
        ? { ...base, metric: "timeout_percent", value: t.value }
        : { ...base, metric: "timeout_count", value: t.value };
    case "ops":
      return { ...base, metric: "ops_count", value: t.value };
    case "rps":
      return { ...base, metric: "ops_per_sec", value: t.value };
    default:
      return undefined;
  }
}

/** `5s`, `2m`: Prometheus and ISO-free duration text. */
export function promDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
