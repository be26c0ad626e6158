import type { AlertRule } from "./rule-types.js";

/**
 * The rules every run gets unless the scenario file overrides them by name (docs/alerts.md).
 *
 * The limits come from the product requirements (memory > 70 % of maxmemory, p99 > 500 ms,
 * timeouts > 5 % of operations) and the community rules in REFERENCE-metrics.md. The `for:`
 * durations are much shorter than the 2–15 minutes of production rules because a stress run lasts
 * minutes, not days; each one is the shortest that filters the noise its metric has:
 *
 * - 5 s for memory, latency, timeouts and clients: one slow second (a fork for a background save,
 *   a GC pause in the client) must not page, five in a row is a trend;
 * - 30 s for the hit ratio, because every cache starts cold and warming up is not a fault;
 * - 0 s for evictions in a buffer and rejected connections: each one is data lost or a client
 *   refused, so the first one is already the incident.
 */

export type AlertProfile = "cache" | "buffer" | "session";

const COMMON: readonly AlertRule[] = [
  {
    name: "memory_high",
    metric: "memory_used_percent",
    op: ">",
    value: 70,
    forMs: 5_000,
    severity: "warning",
    description:
      "used memory above 70 % of maxmemory: headroom for growth and fork copy-on-write is shrinking",
  },
  {
    name: "p99_high",
    metric: "p99_ms",
    op: ">",
    value: 500,
    forMs: 5_000,
    severity: "critical",
    description: "p99 latency above 500 ms: callers are timing out or about to",
  },
  {
    name: "timeouts_high",
    metric: "timeout_percent",
    op: ">",
    value: 5,
    forMs: 5_000,
    severity: "critical",
    description: "more than 5 % of operations timed out",
  },
  {
    name: "rejected_connections",
    metric: "rejected_connections",
    op: ">",
    value: 0,
    forMs: 0,
    severity: "critical",
    description: "the server refused new connections (maxclients reached)",
  },
  {
    name: "clients_near_max",
    metric: "connected_clients_percent",
    op: ">",
    value: 90,
    forMs: 5_000,
    severity: "warning",
    description: "connected clients above 90 % of maxclients",
  },
  {
    // Open loop only (no data in the closed loop). 10 s: a burst of the profile may fill the pool
    // for a moment; staying full means the next burst queues (connections_waiting).
    name: "connections_in_use_high",
    metric: "connections_in_use_percent",
    op: ">",
    value: 90,
    forMs: 10_000,
    severity: "warning",
    description:
      "more than 90 % of the load's connections have a command outstanding: the pool is nearly exhausted",
  },
];

const CACHE_ONLY: readonly AlertRule[] = [
  {
    name: "hit_ratio_low",
    metric: "hit_ratio_percent",
    op: "<",
    value: 80,
    forMs: 30_000,
    severity: "warning",
    description: "hit ratio below 80 %: TTLs too short, keyspace too large for memory, or a cold cache",
  },
];

const BUFFER_ONLY: readonly AlertRule[] = [
  {
    name: "evictions",
    metric: "evicted_keys_per_sec",
    op: ">",
    value: 0,
    forMs: 0,
    severity: "critical",
    description: "a buffer evicted keys: those events are lost (set maxmemory-policy noeviction, add memory)",
  },
];

/**
 * The default rules for a use-case profile; without a profile only the rules that hold for every
 * use (memory, latency, timeouts, connections). Returns fresh copies, so a caller may change them.
 */
export function defaultRules(profile: AlertProfile | undefined): AlertRule[] {
  const rules = [...COMMON];
  if (profile === "cache") rules.push(...CACHE_ONLY);
  if (profile === "buffer") rules.push(...BUFFER_ONLY);
  return rules.map((rule) => ({ ...rule }));
}

/**
 * Every default rule of every profile. A scenario file may amend any of them by name, even one its
 * profile does not use (a user can switch the hit-ratio rule on for a session store that way).
 */
export function allDefaultRules(): AlertRule[] {
  return [...COMMON, ...CACHE_ONLY, ...BUFFER_ONLY].map((rule) => ({ ...rule }));
}
