import type { ServerSample } from "../probes/types.js";

/**
 * Alert rules: a metric compared with a limit, true for at least `forMs` before it fires. The metric
 * names are snake_case with the unit last (`p99_ms`, `memory_used_percent`) so that the same rule
 * reads the same way in a scenario file, in the generated Prometheus rules and in a Slack message.
 */

export const ALERT_METRICS = [
  "memory_used_percent",
  "p99_ms",
  "timeout_percent",
  "error_percent",
  "hit_ratio_percent",
  "evicted_keys_per_sec",
  "rejected_connections",
  "connected_clients_percent",
  "ops_per_sec",
  "process_cpu_percent",
  "fragmentation_ratio",
  "connections_in_use_percent",
  "connections_waiting",
  "monthly_cost_usd",
] as const;

export type AlertMetric = (typeof ALERT_METRICS)[number];

export const ALERT_OPS = [">", ">=", "<", "<="] as const;
export type AlertOp = (typeof ALERT_OPS)[number];

export const ALERT_SEVERITIES = ["critical", "warning", "info"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export interface AlertRule {
  /** Unique; a user rule with the name of a default rule replaces or amends it. */
  name: string;
  metric: AlertMetric;
  op: AlertOp;
  /** The limit, in the metric's unit (see METRIC_INFO). */
  value: number;
  /** How long the condition must hold before the rule fires, ms; 0 fires on the first sample. */
  forMs: number;
  severity: AlertSeverity;
  description?: string;
  /** Remind of this rule while it fires, every so often, ms (overrides the section's `repeatEvery`). */
  repeatEveryMs?: number;
}

/** What the unit of a metric is, how to print it, and whether its limit is a share (0..100). */
export interface MetricInfo {
  unit: "%" | "ms" | "/s" | "" | "count";
  /** True for shares of something that cannot exceed the whole (hit ratio, timeouts of ops). */
  boundedPercent: boolean;
  /** One line for docs and error messages. */
  meaning: string;
}

export const METRIC_INFO: Record<AlertMetric, MetricInfo> = {
  memory_used_percent: {
    unit: "%",
    boundedPercent: false,
    meaning: "used_memory / maxmemory × 100 (no data when maxmemory is 0)",
  },
  p99_ms: { unit: "ms", boundedPercent: false, meaning: "client-side p99 latency over the interval" },
  timeout_percent: {
    unit: "%",
    boundedPercent: true,
    meaning: "timeouts / (replies + timeouts) × 100 over the interval",
  },
  error_percent: {
    unit: "%",
    boundedPercent: true,
    meaning: "errors (error replies, timeouts, lost ops) / (replies + timeouts) × 100 over the interval",
  },
  hit_ratio_percent: {
    unit: "%",
    boundedPercent: true,
    meaning: "keyspace hits / (hits + misses) × 100 over the interval",
  },
  evicted_keys_per_sec: { unit: "/s", boundedPercent: false, meaning: "keys evicted per second" },
  rejected_connections: {
    unit: "count",
    boundedPercent: false,
    meaning: "connections the server rejected since the previous sample",
  },
  connected_clients_percent: {
    unit: "%",
    boundedPercent: true,
    meaning: "connected_clients / maxclients × 100",
  },
  ops_per_sec: { unit: "/s", boundedPercent: false, meaning: "client-side operations per second" },
  process_cpu_percent: {
    unit: "%",
    boundedPercent: false,
    meaning: "server process CPU, 100 = one core (local servers only)",
  },
  fragmentation_ratio: { unit: "", boundedPercent: false, meaning: "used_memory_rss / used_memory" },
  connections_in_use_percent: {
    unit: "%",
    boundedPercent: true,
    meaning: "load connections with a command outstanding / connections open × 100 (open loop only)",
  },
  connections_waiting: {
    unit: "count",
    boundedPercent: false,
    meaning: "operations due but not sent for want of a free connection or pipeline slot",
  },
  monthly_cost_usd: {
    unit: "",
    boundedPercent: false,
    meaning: "the run's monthly cost estimate, USD; judged once, at the end of the run (--max-monthly-cost)",
  },
};

/** The client's view of one interval, taken from the run's per-second series point. */
export interface AlertClientInterval {
  opsPerSec: number;
  /** p99 latency of the interval, ms. */
  p99Ms: number;
  /** Error replies + timeouts + operations lost to a broken connection. */
  errors: number;
  timeouts: number;
  /** Operations that got a reply (success or error reply); timeouts are not in it. */
  ops: number;
  /** The load's connection pool at the end of the interval (docs/connection-pool.md). */
  pool?: { open: number; inUse: number; waiting: number };
  /** Open loop: the closed loop keeps every connection busy by design, so its in-use share says nothing. */
  openLoop?: boolean;
}

/** Everything a rule may look at for one interval. `server` is absent when the probe had nothing. */
export interface AlertInput {
  /** Seconds since the measured part started, at the end of the interval. */
  tS: number;
  client: AlertClientInterval;
  server?: ServerSample;
}

export interface AlertEvent {
  type: "firing" | "resolved";
  rule: string;
  metric: AlertMetric;
  op: AlertOp;
  severity: AlertSeverity;
  /** Seconds since the measured part started. */
  tS: number;
  /** The metric's value at that sample, in the metric's unit. */
  value: number;
  /** The rule's limit, in the metric's unit. */
  threshold: number;
  /** One line for humans: `memory_high firing: memory_used_percent 75.2 % > 70 % for 5s`. */
  message: string;
  /** A reminder of a rule still firing: the n-th (alerts.repeatEvery). */
  repeat?: number;
  /** Sent to an escalation notifier (notify[].escalateAfter). */
  escalated?: boolean;
}

export function compareAlert(op: AlertOp, actual: number, limit: number): boolean {
  switch (op) {
    case ">":
      return actual > limit;
    case ">=":
      return actual >= limit;
    case "<":
      return actual < limit;
    case "<=":
      return actual <= limit;
  }
}

/** A metric value with its unit, rounded for reading: `75.2 %`, `612 ms`, `1.62`, `3`. */
export function formatMetricValue(metric: AlertMetric, value: number): string {
  const unit = METRIC_INFO[metric].unit;
  const rounded = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
  if (unit === "" || unit === "count") return String(rounded);
  if (unit === "/s") return `${rounded}/s`;
  return `${rounded} ${unit}`;
}
