import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { freePort } from "../../src/core/managed-redis.js";
import { PrometheusOutput } from "../../src/publishers/prometheus-output.js";
import { PushgatewayOutput } from "../../src/publishers/pushgateway-output.js";
import type { RunResult } from "../../src/result/result-types.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { runCli } from "../helpers/cli.js";
import {
  promtool,
  type StartedProcess,
  startPrometheus,
  startPushgateway,
  waitFor,
} from "../helpers/prometheus-processes.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

/** `name{labels} value` lines of a /metrics text whose name and labels match. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.split(" ").at(-1));
  }
  return undefined;
}

interface QueryResult {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(prometheus: StartedProcess, expr: string): Promise<QueryResult[]> {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { status: string; data: { result: QueryResult[] } };
  return body.data.result;
}

describe("publishing to Prometheus: /metrics, a real Prometheus, a real Pushgateway", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("the /metrics totals are the result's: ops and latency counts per command, from the HDR counts", async () => {
    const output = new PrometheusOutput("exact", "127.0.0.1", 0);
    const { result } = await runScenario(
      testRunConfig({ url: redis.url, durationMs: 2000, rate: 2000, connections: 4, pipeline: 16 }),
      { outputs: [output] },
    );
    const text = await output.registry.metrics();
    for (const [command, c] of Object.entries(result.perCommand)) {
      const labels = { run: "exact", command };
      assert.equal(sample(text, "cachestress_operations_total", labels), c.ops, command);
      assert.equal(sample(text, "cachestress_latency_seconds_count", labels), c.ops, command);
      assert.equal(sample(text, "cachestress_latency_seconds_bucket", { ...labels, le: "+Inf" }), c.ops);
    }
    assert.equal(sample(text, "redis_up", { run: "exact" }), 1);
    assert.ok((sample(text, "redis_memory_used_bytes", { run: "exact" }) ?? 0) > 0);
    assert.equal(sample(text, "cachestress_passed", { run: "exact" }), 1);
    const checked = promtool(["check", "metrics"], text);
    assert.equal(checked.status, 0, checked.output);
    assert.deepEqual(result.outputs, [
      { name: "prometheus", events: result.outputs![0].events, failures: 0 },
    ]);
  });

  it("a real Prometheus scrapes a live run and finds its series through the query API", async () => {
    const metricsPort = await freePort();
    const prometheus = await startPrometheus([`127.0.0.1:${metricsPort}`]);
    try {
      const cli = runCli(
        [
          "run",
          "--url",
          redis.url,
          "--duration",
          "10s",
          "--rate",
          "1000",
          "--connections",
          "4",
          "--publish",
          "prometheus",
          "--metrics-port",
          String(metricsPort),
          "--json",
          "--out",
          testRunConfig().outDir,
        ],
        { timeoutMs: 60_000 },
      );
      const found = await waitFor(async () => {
        const rows = await query(prometheus, 'cachestress_operations_total{command="GET"} > 0');
        return rows.length > 0 ? rows : undefined;
      }, 25_000);
      assert.ok(found, "Prometheus found cachestress_operations_total");
      assert.equal(found[0].metric.scenario, "adhoc");
      assert.equal(found[0].metric.env, "local");
      assert.match(found[0].metric.run, /^[0-9a-f]{8}$/);
      const memory = await query(prometheus, "redis_memory_used_bytes");
      assert.ok(memory.length > 0 && Number(memory[0].value[1]) > 0, JSON.stringify(memory));
      const buckets = await query(
        prometheus,
        'cachestress_latency_seconds_bucket{command="GET",le="0.0001"}',
      );
      assert.equal(buckets.length, 1, "a sub-millisecond bucket exists");
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const checked = promtool(["check", "metrics"], text);
      assert.equal(checked.status, 0, checked.output);
      const done = await cli;
      assert.equal(done.code, 0, done.stderr);
      const result = JSON.parse(done.stdout) as RunResult;
      assert.deepEqual(
        result.outputs?.map((o) => [o.name, o.failures]),
        [["prometheus", 0]],
      );
    } finally {
      await prometheus.stop();
    }
  });

  it("pushes to a real Pushgateway while the run runs and deletes the group at the end", async () => {
    const gateway = await startPushgateway();
    try {
      const groups = async () => {
        const body = (await (await fetch(`${gateway.url}/api/v1/metrics`)).json()) as {
          data: { labels: Record<string, string>; cachestress_operations_total?: unknown }[];
        };
        return body.data.filter((g) => g.labels.job === "cachestress");
      };
      const output = new PushgatewayOutput("pushtest", gateway.url, 1000);
      let seenDuringRun = 0;
      const watcher = setInterval(() => {
        groups().then(
          (g) => {
            if (g.some((x) => x.labels.run === "pushtest" && x.cachestress_operations_total !== undefined))
              seenDuringRun++;
          },
          () => undefined,
        );
      }, 300);
      let result: RunResult;
      try {
        ({ result } = await runScenario(
          testRunConfig({ url: redis.url, durationMs: 3000, rate: 1000, connections: 4 }),
          { outputs: [output] },
        ));
      } finally {
        clearInterval(watcher);
      }
      assert.ok(seenDuringRun > 0, "the group was on the gateway during the run");
      assert.ok(output.loop.stats.pushes >= 2, output.loop.summary());
      assert.deepEqual(await groups(), [], "the group is gone after the run");
      assert.equal(result.outputs?.[0].failures, 0, JSON.stringify(result.outputs));
      assert.equal(result.verdict, "pass");
    } finally {
      await gateway.stop();
    }
  });
});
