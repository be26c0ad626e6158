import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunResult } from "../../src/result/result-types.js";
import { runCli } from "../helpers/cli.js";
import { httpReceiver } from "../helpers/local-receivers.js";
import { promtool } from "../helpers/prometheus-processes.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";

/** The publish flags and `cachestress export` through the real CLI. */

describe("cachestress run --publish … and cachestress export", () => {
  let redis: ManagedRedis;
  const out = mkdtempSync(join(tmpdir(), "cachestress-publish-cli-"));
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("lists every publish problem at once and exits 2", async () => {
    const r = await runCli([
      "run",
      "--publish",
      "pushgateway",
      "--publish",
      "promethus",
      "--metrics-port",
      "9000",
      "--publish-resolution",
      "5",
      "--env",
      "azure",
    ]);
    assert.equal(r.code, 2, r.stderr);
    for (const expected of [
      /--publish: got "promethus"; allowed: .*did you mean prometheus/,
      /--publish-resolution: got "5"; allowed: 1 \(high resolution, per second\) or 60/,
      /--metrics-port: got 9000; allowed: only with --publish prometheus/,
      /--pushgateway-url: got nothing; allowed: the Pushgateway's URL/,
    ])
      assert.match(r.stderr, expected);
  });

  it("--publish-dry-run prints every publisher's payload and sends nothing", async () => {
    const r = await runCli(
      [
        "run",
        "--url",
        redis.url,
        "--duration",
        "2s",
        "--rate",
        "500",
        "--connections",
        "2",
        "--publish",
        "cloudwatch",
        "--publish",
        "otlp",
        "--publish",
        "pushgateway",
        "--pushgateway-url",
        "http://127.0.0.1:9",
        "--publish",
        "azure",
        "--publish-interval",
        "1s",
        "--publish-dry-run",
        "--json",
        "--out",
        out,
      ],
      // No region or credentials: a real send would fail and be counted.
      { env: { AWS_REGION: "", AWS_ACCESS_KEY_ID: "", AWS_PROFILE: "cachestress-none" } },
    );
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as RunResult;
    assert.deepEqual(
      result.outputs?.map((o) => [o.name, o.failures]),
      [
        ["cloudwatch", 0],
        ["otlp", 0],
        ["pushgateway", 0],
        ["azure-monitor", 0],
      ],
    );
    assert.match(r.stderr, /--- cloudwatch \(dry run, not sent\) ---\n\{\n "Namespace": "CacheStress"/);
    assert.match(r.stderr, /"MetricName": "LatencyP99Ms"/);
    assert.match(
      r.stderr,
      /--- otlp \(dry run, not sent\) ---\nPOST http:\/\/127\.0\.0\.1:4318\/v1\/metrics\n\{"resourceMetrics"/,
    );
    assert.match(r.stderr, /"name":"db\.client\.operation\.duration"/);
    assert.match(
      r.stderr,
      /PUT http:\/\/127\.0\.0\.1:9\/metrics\/job\/cachestress\/run\/[0-9a-f]{8}\n# HELP/,
    );
    assert.match(r.stderr, /DELETE http:\/\/127\.0\.0\.1:9\/metrics\/job\/cachestress\/run\//);
    assert.match(
      r.stderr,
      /POST https:\/\/westeurope\.monitoring\.azure\.com\/subscriptions\/DRY-RUN\/.*\/metrics\n\{"time"/,
    );
  });

  it("export prometheus-rules passes promtool; grafana and azure-alerts are JSON", async () => {
    const rules = await runCli([
      "export",
      "prometheus-rules",
      "--use-case",
      "cache",
      "--threshold",
      "p(99)<5ms",
      "--threshold",
      "errors<1%",
    ]);
    assert.equal(rules.code, 0, rules.stderr);
    const file = join(out, "rules.yml");
    writeFileSync(file, rules.stdout);
    const checked = promtool(["check", "rules", file]);
    assert.equal(checked.status, 0, checked.output);
    assert.match(checked.output, /SUCCESS: 8 rules found/);
    assert.match(
      rules.stdout,
      /alert: cachestress_threshold_p_99_5ms\n\s+expr: 1000 \* histogram_quantile\(0\.99, .*\) >= 5\n/,
    );

    const grafana = await runCli(["export", "grafana"]);
    const dashboard = JSON.parse(grafana.stdout) as { panels: { targets: { expr: string }[] }[] };
    assert.ok(
      dashboard.panels.some((p) =>
        p.targets.some((t) => t.expr.includes("cachestress_latency_seconds_bucket")),
      ),
    );
    assert.ok(
      dashboard.panels.some((p) => p.targets.some((t) => t.expr.includes("redis_memory_used_bytes"))),
    );

    const azure = await runCli(["export", "azure-alerts", "--use-case", "buffer"]);
    const template = JSON.parse(azure.stdout) as {
      resources: { properties: { criteria: { allOf: { metricName: string }[] } } }[];
    };
    const names = template.resources.map((r) => r.properties.criteria.allOf[0].metricName);
    assert.ok(
      names.includes("MemoryUsedPercent") && names.includes("TimeoutRate") && names.includes("Evictions"),
      names.join(),
    );

    const alertmanager = await runCli(["export", "alertmanager"]);
    assert.match(alertmanager.stdout, /slack_configs:/);
    assert.doesNotMatch(alertmanager.stdout, /hooks\.slack\.com/);
  });

  it("export cloudwatch-alarms --apply creates each alarm through the real SDK", async () => {
    const cw = await httpReceiver(() => [200, "{}", "application/x-amz-json-1.0"]);
    try {
      const r = await runCli(
        [
          "export",
          "cloudwatch-alarms",
          "--use-case",
          "cache",
          "--url",
          "redis://cache.example:6379",
          "--apply",
        ],
        {
          env: {
            AWS_ENDPOINT_URL_CLOUDWATCH: cw.url,
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: "AKIDCACHESTRESSTEST",
            AWS_SECRET_ACCESS_KEY: "dummy-secret-for-loopback-tests",
            AWS_EC2_METADATA_DISABLED: "true",
          },
        },
      );
      assert.equal(r.code, 0, r.stderr);
      const alarms = JSON.parse(r.stdout) as { AlarmName: string; MetricName: string }[];
      assert.equal(cw.requests.length, alarms.length);
      for (const [i, request] of cw.requests.entries()) {
        assert.equal(request.headers["x-amz-target"], "GraniteServiceVersion20100801.PutMetricAlarm");
        assert.equal((JSON.parse(request.body) as { AlarmName: string }).AlarmName, alarms[i].AlarmName);
      }
      assert.deepEqual(
        alarms.map((a) => a.MetricName),
        ["MemoryUsedPercent", "Latency", "TimeoutRate", "HitRatio"],
      );
    } finally {
      await cw.close();
    }
  });
});
