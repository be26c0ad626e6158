import assert from "node:assert/strict";
import { test } from "node:test";
import { AlertEvaluator } from "../../../src/alerts/alert-evaluator.js";
import { alertMetricValue } from "../../../src/alerts/alert-metrics.js";
import { defaultRules } from "../../../src/alerts/default-rules.js";
import type { AlertInput, AlertMetric, AlertRule } from "../../../src/alerts/rule-types.js";
import type { ServerSample } from "../../../src/probes/types.js";

const p99Rule: AlertRule = {
  name: "p99_high",
  metric: "p99_ms",
  op: ">",
  value: 500,
  forMs: 5000,
  severity: "critical",
};
const memRule: AlertRule = {
  name: "memory_high",
  metric: "memory_used_percent",
  op: ">",
  value: 70,
  forMs: 2000,
  severity: "warning",
};

/** One interval: client p99 (ms, `undefined` = no replies) and optional server fields. */
function input(tS: number, p99Ms: number | undefined, server?: Partial<ServerSample>): AlertInput {
  const ops = p99Ms === undefined ? 0 : 1000;
  return {
    tS,
    client: { opsPerSec: ops, p99Ms: p99Ms ?? 0, errors: 0, timeouts: 0, ops },
    server: server === undefined ? undefined : { tS, atMs: tS * 1000, ...server },
  };
}

/** Runs the inputs and returns the events as `tS type rule` strings, the shape the tables use. */
function run(rules: AlertRule[], inputs: AlertInput[]): string[] {
  const evaluator = new AlertEvaluator(rules);
  const seen = inputs.flatMap((i) => evaluator.evaluate(i)).map((e) => `${e.tS} ${e.type} ${e.rule}`);
  assert.deepEqual(
    evaluator.events.map((e) => `${e.tS} ${e.type} ${e.rule}`),
    seen,
    "the log holds exactly the events returned",
  );
  return seen;
}

const series = (values: (number | undefined)[]) => values.map((v, i) => input(i + 1, v));

test("state machine: pending → firing after `for`, resolved when the condition stops holding", () => {
  const cases: { name: string; rules: AlertRule[]; inputs: AlertInput[]; expected: string[] }[] = [
    {
      name: "fires on the first sample at least `for` after the first true one, resolves on the first false one",
      rules: [p99Rule],
      inputs: series([100, 600, 600, 600, 600, 600, 600, 600, 100, 100]),
      expected: ["7 firing p99_high", "9 resolved p99_high"],
    },
    {
      name: "for: 0 fires on the first true sample",
      rules: [{ ...p99Rule, forMs: 0 }],
      inputs: series([600, 600, 100]),
      expected: ["1 firing p99_high", "3 resolved p99_high"],
    },
    {
      name: "flapping shorter than `for` never fires and the timer restarts each time",
      rules: [p99Rule],
      inputs: series([600, 600, 600, 600, 100, 600, 600, 600, 600, 100, 600]),
      expected: [],
    },
    {
      name: "an interval without replies is no data: it neither resets nor promotes the pending timer",
      rules: [p99Rule],
      inputs: series([600, 600, undefined, undefined, undefined, undefined, 600]),
      expected: ["7 firing p99_high"],
    },
    {
      name: "no data while firing keeps it firing",
      rules: [{ ...p99Rule, forMs: 0 }],
      inputs: series([600, undefined, undefined, 100]),
      expected: ["1 firing p99_high", "4 resolved p99_high"],
    },
    {
      name: "after a resolve, firing again needs the full `for` again",
      rules: [{ ...p99Rule, forMs: 2000 }],
      inputs: series([600, 600, 600, 100, 600, 600, 600]),
      expected: ["3 firing p99_high", "4 resolved p99_high", "7 firing p99_high"],
    },
    {
      name: "the limit itself does not fire a strict > rule, but fires >=",
      rules: [
        { ...p99Rule, forMs: 0 },
        { ...p99Rule, name: "p99_at_least", op: ">=", forMs: 0 },
      ],
      inputs: series([500]),
      expected: ["1 firing p99_at_least"],
    },
    {
      name: "a server metric without a server sample is no data",
      rules: [memRule],
      inputs: [
        input(1, 1, { memoryUsedPercent: 80 }),
        input(2, 1),
        input(3, 1, { memoryUsedPercent: 80 }),
        input(4, 1),
        input(5, 1, { memoryUsedPercent: 60 }),
      ],
      expected: ["3 firing memory_high", "5 resolved memory_high"],
    },
    {
      name: "fractional sample times add up to `for` exactly",
      rules: [{ ...p99Rule, forMs: 300 }],
      inputs: [0.1, 0.2, 0.3, 0.4].map((t) => input(t, 600)),
      expected: ["0.4 firing p99_high"],
    },
  ];
  for (const c of cases) assert.deepEqual(run(c.rules, c.inputs), c.expected, c.name);
});

test("rules are independent: each has its own state", () => {
  const inputs = [
    input(1, 600, { memoryUsedPercent: 75 }),
    input(2, 600, { memoryUsedPercent: 75 }),
    input(3, 600, { memoryUsedPercent: 75 }),
    input(4, 100, { memoryUsedPercent: 75 }),
  ];
  assert.deepEqual(run([{ ...p99Rule, forMs: 1000 }, memRule], inputs), [
    "2 firing p99_high",
    "3 firing memory_high",
    "4 resolved p99_high",
  ]);
});

test("events carry value, threshold, severity and a readable message", () => {
  const evaluator = new AlertEvaluator([{ ...memRule, description: "headroom shrinking" }]);
  evaluator.evaluate(input(1, 1, { memoryUsedPercent: 71.234 }));
  const [firing] = evaluator.evaluate(input(3, 1, { memoryUsedPercent: 75.5 }));
  assert.deepEqual(firing, {
    type: "firing",
    rule: "memory_high",
    metric: "memory_used_percent",
    op: ">",
    severity: "warning",
    tS: 3,
    value: 75.5,
    threshold: 70,
    message: "memory_high firing: memory_used_percent 75.5 % > 70 % for 2s — headroom shrinking",
  });
  assert.deepEqual(evaluator.firing(), [{ rule: "memory_high", severity: "warning", firedAtS: 3 }]);
  const [resolved] = evaluator.evaluate(input(4, 1, { memoryUsedPercent: 42 }));
  assert.equal(resolved.message, "memory_high resolved: memory_used_percent 42 % (alert when > 70 %)");
  assert.deepEqual(evaluator.firing(), []);
});

test("metric values per interval, with no data where an input is missing", () => {
  const client = { opsPerSec: 900, p99Ms: 12, errors: 30, timeouts: 10, ops: 90 };
  const pool = { open: 8, inUse: 6, waiting: 12 };
  const server: ServerSample = {
    tS: 2,
    atMs: 2000,
    memoryUsedPercent: 55,
    hitRatio: 0.75,
    evictedKeysPerSec: 3,
    rejectedConnectionsTotal: 7,
    connectedClients: 45,
    maxclients: 50,
    processCpuPercent: 130,
    memFragmentationRatio: 1.4,
  };
  const previous: ServerSample = { tS: 1, atMs: 1000, rejectedConnectionsTotal: 4 };
  const cases: [AlertMetric, AlertInput, ServerSample | undefined, number | undefined][] = [
    ["p99_ms", { tS: 2, client, server }, previous, 12],
    ["timeout_percent", { tS: 2, client, server }, previous, 10],
    ["error_percent", { tS: 2, client, server }, previous, 30],
    ["ops_per_sec", { tS: 2, client, server }, previous, 900],
    ["memory_used_percent", { tS: 2, client, server }, previous, 55],
    ["hit_ratio_percent", { tS: 2, client, server }, previous, 75],
    ["evicted_keys_per_sec", { tS: 2, client, server }, previous, 3],
    ["rejected_connections", { tS: 2, client, server }, previous, 3],
    ["rejected_connections", { tS: 2, client, server }, undefined, undefined],
    // A counter that went down: the server restarted and counts from 0.
    ["rejected_connections", { tS: 2, client, server }, { ...previous, rejectedConnectionsTotal: 100 }, 7],
    ["connected_clients_percent", { tS: 2, client, server }, previous, 90],
    [
      "connected_clients_percent",
      { tS: 2, client, server: { ...server, maxclients: 0 } },
      previous,
      undefined,
    ],
    ["process_cpu_percent", { tS: 2, client, server }, previous, 130],
    ["fragmentation_ratio", { tS: 2, client, server }, previous, 1.4],
    // Pool view: open loop only (the closed loop keeps every connection busy by design).
    ["connections_in_use_percent", { tS: 2, client: { ...client, pool, openLoop: true } }, previous, 75],
    [
      "connections_in_use_percent",
      { tS: 2, client: { ...client, pool, openLoop: false } },
      previous,
      undefined,
    ],
    ["connections_in_use_percent", { tS: 2, client }, previous, undefined],
    [
      "connections_in_use_percent",
      { tS: 2, client: { ...client, pool: { ...pool, open: 0, inUse: 0 }, openLoop: true } },
      previous,
      undefined,
    ],
    ["connections_waiting", { tS: 2, client: { ...client, pool } }, previous, 12],
    ["memory_used_percent", { tS: 2, client }, previous, undefined],
    ["hit_ratio_percent", { tS: 2, client, server: { tS: 2, atMs: 2000 } }, previous, undefined],
    // Nothing finished in the interval: no latency, no shares; zero throughput is still data.
    ["p99_ms", { tS: 2, client: { ...client, ops: 0, timeouts: 0 } }, previous, undefined],
    ["timeout_percent", { tS: 2, client: { ...client, ops: 0, timeouts: 0 } }, previous, undefined],
    ["ops_per_sec", { tS: 2, client: { ...client, opsPerSec: 0, ops: 0 } }, previous, 0],
    // Every operation timed out: 100 %, not infinity.
    ["timeout_percent", { tS: 2, client: { ...client, ops: 0, timeouts: 5, errors: 5 } }, previous, 100],
  ];
  for (const [metric, given, before, expected] of cases) {
    assert.equal(
      alertMetricValue(metric, given, before),
      expected,
      `${metric} ${JSON.stringify(given.client)}`,
    );
  }
});

test("rejected_connections compares against the last server sample, across a sample gap", () => {
  const rule: AlertRule = {
    ...memRule,
    name: "rejected",
    metric: "rejected_connections",
    op: ">",
    value: 0,
    forMs: 0,
  };
  const inputs = [
    input(1, 1, { rejectedConnectionsTotal: 2 }),
    input(2, 1, { rejectedConnectionsTotal: 2 }),
    input(3, 1),
    input(4, 1, { rejectedConnectionsTotal: 5 }),
    input(5, 1, { rejectedConnectionsTotal: 5 }),
  ];
  assert.deepEqual(run([rule], inputs), ["4 firing rejected", "5 resolved rejected"]);
});

test("default rules per profile, and a rule name may appear once", () => {
  const names = (p: Parameters<typeof defaultRules>[0]) => defaultRules(p).map((r) => r.name);
  const common = [
    "memory_high",
    "p99_high",
    "timeouts_high",
    "rejected_connections",
    "clients_near_max",
    "connections_in_use_high",
  ];
  assert.deepEqual(names(undefined), common);
  assert.deepEqual(names("session"), common);
  assert.deepEqual(names("cache"), [...common, "hit_ratio_low"]);
  assert.deepEqual(names("buffer"), [...common, "evictions"]);
  const memory = defaultRules(undefined)[0];
  assert.deepEqual([memory.metric, memory.op, memory.value], ["memory_used_percent", ">", 70]);
  defaultRules(undefined)[0].value = 1;
  assert.equal(defaultRules(undefined)[0].value, 70, "callers get copies");
  assert.throws(() => new AlertEvaluator([p99Rule, p99Rule]), /defined twice/);
});
