import { stringify } from "yaml";
import type { RunConfig } from "../../config/types.js";
import { type ExportCondition, exportConditions, promDuration } from "./export-rules.js";

/**
 * `cachestress export prometheus-rules`: the run's alert rules and thresholds as a Prometheus rule
 * file over the metrics /metrics and the Pushgateway publish (redis_exporter's names for the server,
 * cachestress_ for the client), so the same limits watch production once the test is over.
 * Rates are over 1 minute: short enough for a test, long enough for two scrapes at 15-30 s.
 */

const RATE = "[1m]";

function commandSelector(c: ExportCondition): string {
  return c.command === undefined ? "" : `{command="${c.command}"}`;
}

/** The PromQL value of a condition's metric, per run; undefined when /metrics has nothing for it. */
export function promqlFor(c: ExportCondition): string | undefined {
  const sel = commandSelector(c);
  const perRun = (metric: string) => `sum by (run) (rate(${metric}${sel}${RATE}))`;
  switch (c.metric) {
    case "memory_used_percent":
      return "100 * redis_memory_used_bytes / (redis_memory_max_bytes > 0)";
    case "p99_ms":
      return `1000 * histogram_quantile(0.99, sum by (run, le) (rate(cachestress_latency_seconds_bucket${RATE})))`;
    case "latency_ms":
      return c.stat === "avg"
        ? `1000 * ${perRun("cachestress_latency_seconds_sum")} / ${perRun("cachestress_latency_seconds_count")}`
        : `1000 * histogram_quantile(${(c.stat as number) / 100}, sum by (run, le) (rate(cachestress_latency_seconds_bucket${sel}${RATE})))`;
    case "timeout_percent":
      return `100 * sum by (run) (rate(cachestress_timeouts_total${RATE})) / ${perRun("cachestress_operations_total")}`;
    case "error_percent":
      return `100 * sum by (run) (rate(cachestress_errors_total${RATE})) / ${perRun("cachestress_operations_total")}`;
    case "error_count":
      return "sum by (run) (cachestress_errors_total)";
    case "timeout_count":
      return "sum by (run) (cachestress_timeouts_total)";
    case "ops_count":
      return `sum by (run) (cachestress_operations_total${sel})`;
    case "ops_per_sec":
      return perRun("cachestress_operations_total");
    case "hit_ratio_percent":
      return `100 * rate(redis_keyspace_hits_total${RATE}) / (rate(redis_keyspace_hits_total${RATE}) + rate(redis_keyspace_misses_total${RATE}) > 0)`;
    case "evicted_keys_per_sec":
      return `rate(redis_evicted_keys_total${RATE})`;
    case "rejected_connections":
      return `increase(redis_rejected_connections_total${RATE})`;
    case "connected_clients_percent":
      return "100 * redis_connected_clients / (redis_config_maxclients > 0)";
    case "fragmentation_ratio":
      return "redis_mem_fragmentation_ratio";
    default:
      return undefined;
  }
}

export function prometheusRules(config: RunConfig): string {
  const { conditions, skipped } = exportConditions(config);
  const rules: Record<string, unknown>[] = [];
  for (const c of conditions) {
    const query = promqlFor(c);
    if (query === undefined) {
      skipped.push(`${c.name}: ${c.metric} is not among the published metrics`);
      continue;
    }
    rules.push({
      alert: `cachestress_${c.name}`,
      expr: `${query} ${c.op} ${c.value}`,
      ...(c.forMs > 0 && { for: promDuration(c.forMs) }),
      labels: { severity: c.severity, scenario: config.scenario },
      annotations: {
        summary: c.description,
        description: `${c.metric} ${c.op} ${c.value} (value {{ $value }}, run {{ $labels.run }})`,
      },
    });
  }
  const header = [
    `# Prometheus alerting rules for cachestress scenario "${config.scenario}" (cachestress export prometheus-rules).`,
    "# Check with: promtool check rules FILE",
    ...skipped.map((s) => `# not exported: ${s}`),
  ].join("\n");
  return `${header}\n${stringify({ groups: [{ name: `cachestress-${config.scenario}`, rules }] }, { lineWidth: 0 })}`;
}
