import { Registry } from "prom-client";
import type { ServerSample } from "../probes/types.js";
import { TOOL_VERSION } from "../run/version.js";
import { cumulativeBuckets, LATENCY_BUCKETS_US } from "./hdr-buckets.js";
import type { MetricFeed } from "./metric-feed.js";

/**
 * The run as Prometheus metrics (prom-client's registry and text format), read from the MetricFeed
 * at scrape time. Server figures carry redis_exporter's names so its dashboards and rules work on
 * them; the client's own carry `cachestress_` and base units. Every metric is a snapshot of totals
 * the feed already holds, so a metric is computed when scraped rather than kept up to date per event.
 */

type Labels = Record<string, string | number>;
interface Value {
  labels: Labels;
  value: number;
  metricName?: string;
}
type MetricType = "gauge" | "counter" | "histogram";

/** A metric whose values are computed when the registry is read (prom-client's custom-metric shape). */
class SnapshotMetric {
  readonly aggregator = "sum";
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    private readonly values: () => Value[],
  ) {}
  get() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.values(),
    };
  }
  reset(): void {}
}

/** redis_exporter's names for the INFO figures a server sample holds; counters end in _total. */
const SERVER_METRICS: [string, MetricType, string, (s: ServerSample) => number | undefined][] = [
  ["redis_memory_used_bytes", "gauge", "used_memory", (s) => s.usedMemoryBytes],
  ["redis_memory_max_bytes", "gauge", "maxmemory (0 = no limit)", (s) => s.maxmemoryBytes],
  ["redis_memory_used_rss_bytes", "gauge", "used_memory_rss", (s) => s.usedMemoryRssBytes],
  ["redis_memory_used_peak_bytes", "gauge", "used_memory_peak", (s) => s.usedMemoryPeakBytes],
  ["redis_mem_fragmentation_ratio", "gauge", "mem_fragmentation_ratio", (s) => s.memFragmentationRatio],
  ["redis_connected_clients", "gauge", "connected_clients", (s) => s.connectedClients],
  ["redis_blocked_clients", "gauge", "blocked_clients", (s) => s.blockedClients],
  ["redis_config_maxclients", "gauge", "maxclients", (s) => s.maxclients],
  ["redis_rejected_connections_total", "counter", "rejected_connections", (s) => s.rejectedConnectionsTotal],
  ["redis_keyspace_hits_total", "counter", "keyspace_hits", (s) => s.keyspaceHitsTotal],
  ["redis_keyspace_misses_total", "counter", "keyspace_misses", (s) => s.keyspaceMissesTotal],
  ["redis_evicted_keys_total", "counter", "evicted_keys", (s) => s.evictedKeysTotal],
  ["redis_expired_keys_total", "counter", "expired_keys", (s) => s.expiredKeysTotal],
  ["redis_commands_processed_total", "counter", "total_commands_processed", (s) => s.totalCommandsProcessed],
  ["redis_net_input_bytes_total", "counter", "total_net_input_bytes", (s) => s.netInputBytesTotal],
  ["redis_net_output_bytes_total", "counter", "total_net_output_bytes", (s) => s.netOutputBytesTotal],
  ["redis_rdb_last_save_timestamp_seconds", "gauge", "rdb_last_save_time", (s) => s.rdbLastSaveTimeS],
];

export function prometheusRegistry(feed: MetricFeed): Registry {
  const registry = new Registry();
  const add = (name: string, type: MetricType, help: string, values: () => Value[]) =>
    registry.registerMetric(new SnapshotMetric(name, help, type, values) as never);
  const run = () => ({ run: feed.labels.run, scenario: feed.labels.scenario, env: feed.labels.env });
  const perNode = (pick: (s: ServerSample) => number | undefined) => (): Value[] =>
    [...feed.servers].flatMap(([node, sample]) => {
      const value = pick(sample);
      return value === undefined ? [] : [{ labels: { ...run(), node }, value }];
    });

  add(
    "redis_up",
    "gauge",
    "1 while the server answers the tool's probe",
    perNode(() => 1),
  );
  for (const [name, type, field, pick] of SERVER_METRICS)
    add(name, type, `INFO ${field}, sampled by cachestress`, perNode(pick));
  add("redis_commands_total", "counter", "INFO commandstats calls per command", () =>
    [...feed.servers].flatMap(([node, s]) =>
      Object.entries(s.commandCalls ?? {}).map(([cmd, value]) => ({
        labels: { ...run(), node, cmd: cmd.toLowerCase() },
        value,
      })),
    ),
  );
  add("redis_errors_total", "counter", "INFO errorstats per error prefix", () =>
    [...feed.servers].flatMap(([node, s]) =>
      Object.entries(s.errorCounts ?? {}).map(([err, value]) => ({ labels: { ...run(), node, err }, value })),
    ),
  );

  const perCommand = (pick: (c: { ops: number; sent: number; errors: number }) => number) => (): Value[] =>
    [...feed.commands].map(([command, c]) => ({ labels: { ...run(), command }, value: pick(c) }));
  add("cachestress_run_info", "gauge", "the run's labels; value 1", () => [
    { labels: { ...run(), target: feed.labels.target, version: TOOL_VERSION }, value: 1 },
  ]);
  add(
    "cachestress_operations_total",
    "counter",
    "operations that got a reply, measured part",
    perCommand((c) => c.ops),
  );
  add(
    "cachestress_operations_sent_total",
    "counter",
    "operations written to the socket",
    perCommand((c) => c.sent),
  );
  add(
    "cachestress_error_replies_total",
    "counter",
    "error replies",
    perCommand((c) => c.errors),
  );
  add("cachestress_errors_total", "counter", "error replies, timeouts and lost operations", () => [
    { labels: run(), value: feed.totals.errors },
  ]);
  add("cachestress_timeouts_total", "counter", "operations with no reply within --timeout", () => [
    { labels: run(), value: feed.totals.timeouts },
  ]);
  add("cachestress_latency_seconds", "histogram", "latency from the intended start (HDR counts)", () =>
    [...feed.commands].flatMap(([command, c]) =>
      histogramValues("cachestress_latency_seconds", { ...run(), command }, c.latencyUs),
    ),
  );
  add("cachestress_finished", "gauge", "1 once the run has ended", () => [
    { labels: run(), value: feed.result === undefined ? 0 : 1 },
  ]);
  add("cachestress_passed", "gauge", "1 when the ended run passed its thresholds, 0 when not", () =>
    feed.result === undefined ? [] : [{ labels: run(), value: feed.result.verdict === "pass" ? 1 : 0 }],
  );
  return registry;
}

function histogramValues(
  name: string,
  labels: Labels,
  latencyUs: Parameters<typeof cumulativeBuckets>[0],
): Value[] {
  const { cumulative, count, sumUs } = cumulativeBuckets(latencyUs);
  const values: Value[] = LATENCY_BUCKETS_US.map((boundUs, i) => ({
    labels: { ...labels, le: boundUs / 1e6 },
    value: cumulative[i],
    metricName: `${name}_bucket`,
  }));
  values.push({ labels: { ...labels, le: "+Inf" }, value: count, metricName: `${name}_bucket` });
  values.push({ labels, value: sumUs / 1e6, metricName: `${name}_sum` });
  values.push({ labels, value: count, metricName: `${name}_count` });
  return values;
}
