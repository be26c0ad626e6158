import type { ServerSample } from "../probes/types.js";
import type { AlertInput, AlertMetric } from "./rule-types.js";

/**
 * The value of one alert metric for one interval, or undefined for "no data". No data is kept
 * apart from 0 on purpose: a managed service that hides `maxclients`, or a server with no
 * `maxmemory`, must not make a rule look healthy (and resolve) or unhealthy (and fire).
 *
 * `previous` is the server sample of the interval before, needed for metrics that are deltas of
 * counters (`rejected_connections`).
 */
export function alertMetricValue(
  metric: AlertMetric,
  input: AlertInput,
  previous: ServerSample | undefined,
): number | undefined {
  const { client, server } = input;
  // Operations that finished in the interval one way or the other; timeouts never got a reply,
  // so they are not in `ops` and are added back, which keeps the share at most 100 %.
  const finished = client.ops + client.timeouts;
  switch (metric) {
    case "p99_ms":
      // An interval without a reply has no latency distribution; 0 would wrongly resolve a p99 alert.
      return client.ops > 0 ? client.p99Ms : undefined;
    case "timeout_percent":
      return finished > 0 ? (client.timeouts / finished) * 100 : undefined;
    case "error_percent":
      // `errors` also counts operations lost to a broken connection, which are in neither
      // `ops` nor `timeouts`; capping keeps the share a share.
      return finished > 0 ? Math.min(100, (client.errors / finished) * 100) : undefined;
    case "ops_per_sec":
      // Zero throughput is data: it is exactly what an `ops_per_sec < N` rule is for.
      return client.opsPerSec;
    case "memory_used_percent":
      return server?.memoryUsedPercent;
    case "hit_ratio_percent":
      return server?.hitRatio === undefined ? undefined : server.hitRatio * 100;
    case "evicted_keys_per_sec":
      return server?.evictedKeysPerSec;
    case "rejected_connections":
      return counterIncrease(server?.rejectedConnectionsTotal, previous?.rejectedConnectionsTotal);
    case "connected_clients_percent":
      if (server?.connectedClients === undefined || !server.maxclients) return undefined;
      return (server.connectedClients / server.maxclients) * 100;
    case "process_cpu_percent":
      return server?.processCpuPercent;
    case "fragmentation_ratio":
      return server?.memFragmentationRatio;
    case "connections_in_use_percent":
      // The closed loop refills a slot as soon as a reply frees it: 100 % in use is its design.
      if (client.pool === undefined || client.pool.open === 0 || client.openLoop !== true) return undefined;
      return (client.pool.inUse / client.pool.open) * 100;
    case "connections_waiting":
      return client.pool?.waiting;
    case "monthly_cost_usd":
      // Not an interval figure: judged once from the finished run's estimate (src/run/cost-participant.ts).
      return undefined;
  }
}

/**
 * How much a counter grew since the previous sample. The first sample has no baseline and is no
 * data. A counter that went down means the server restarted and counts from 0 again, so its
 * current value is the increase (the same reading as Prometheus's `increase()`).
 */
function counterIncrease(current: number | undefined, previous: number | undefined): number | undefined {
  if (current === undefined || previous === undefined) return undefined;
  return current >= previous ? current - previous : current;
}
