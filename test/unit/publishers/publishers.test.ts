import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MetricDatum } from "@aws-sdk/client-cloudwatch";
import type { JsHistogram } from "hdr-histogram-js";
import type { ConfigProblem } from "../../../src/config/errors.js";
import { resolvePublishOptions } from "../../../src/config/publish-rules.js";
import { newLatencyHistogram } from "../../../src/measure/histogram.js";
import { datumProblems, splitRequests } from "../../../src/publishers/cloudwatch-datums.js";
import {
  cumulativeBuckets,
  exponentialBuckets,
  LATENCY_BUCKETS_US,
  valuesAndCounts,
} from "../../../src/publishers/hdr-buckets.js";
import { hostPort } from "../../../src/publishers/metric-feed.js";
import { PushError, PushLoop } from "../../../src/publishers/push-loop.js";

function histogramOf(values: [number, number][]) {
  const h = newLatencyHistogram();
  for (const [valueUs, count] of values) h.recordValueWithCount(valueUs, count);
  return h;
}

describe("HDR counts → backend buckets", () => {
  it("Prometheus buckets count the values at or below each bound, sub-millisecond included", () => {
    const h = histogramOf([
      [40, 3],
      [50, 2],
      [120, 5],
      [900, 1],
      [20_000_000, 1],
    ]);
    const { cumulative, count, sumUs } = cumulativeBuckets(h);
    const at = (boundUs: number) => cumulative[LATENCY_BUCKETS_US.indexOf(boundUs as never)];
    assert.equal(at(50), 5);
    assert.equal(at(100), 5);
    assert.equal(at(200), 10);
    assert.equal(at(1_000), 11);
    assert.equal(at(10_000_000), 11, "20 s is above the last bound: only in +Inf");
    assert.equal(count, 12);
    assert.ok(Math.abs(sumUs - (40 * 3 + 50 * 2 + 120 * 5 + 900 + 20_000_000)) / sumUs < 0.001);
  });

  it("CloudWatch Values/Counts: at most 150 pairs, every operation counted", () => {
    const values: [number, number][] = Array.from({ length: 1000 }, (_, i) => [100 + i * 7, (i % 5) + 1]);
    const h = histogramOf(values);
    const pairs = valuesAndCounts(h);
    assert.ok(pairs.values.length <= 150 && pairs.values.length === pairs.counts.length);
    assert.equal(
      pairs.counts.reduce((a, b) => a + b, 0),
      values.reduce((a, [, n]) => a + n, 0),
    );
    const few = valuesAndCounts(
      histogramOf([
        [250, 4],
        [1_500, 1],
      ]),
    );
    assert.deepEqual(few, { values: [0.25, 1.5], counts: [4, 1] });
  });

  it("OpenTelemetry exponential buckets: each value in (base^i, base^(i+1)], at most 160 buckets", () => {
    const h = histogramOf([
      [80, 10],
      [1_000, 5],
      [2_000_000, 1],
    ]);
    const b = exponentialBuckets(h)!;
    assert.equal(b.count, 16);
    assert.ok(b.counts.length <= 160);
    assert.equal(
      b.counts.reduce((a, c) => a + c, 0),
      16,
    );
    const base = 2 ** (2 ** -b.scale);
    for (const [valueUs] of [[80], [1_000], [2_000_000]]) {
      const v = (h as unknown as JsHistogram).highestEquivalentValue(valueUs) / 1e6;
      const i = Math.ceil(Math.log2(v) * 2 ** b.scale) - 1;
      assert.ok(base ** i < v && v <= base ** (i + 1) * (1 + 1e-9), `${v}`);
      assert.ok(b.counts[i - b.offset] > 0);
    }
    assert.equal(exponentialBuckets(newLatencyHistogram()), undefined);
  });
});

describe("CloudWatch limits", () => {
  const datum = (i: number): MetricDatum => ({
    MetricName: "OpsPerSec",
    Dimensions: [{ Name: "env", Value: "e" }],
    Value: i,
    Timestamp: new Date(0),
  });
  it("splits at 1,000 datums a request", () => {
    const requests = splitRequests(
      Array.from({ length: 2_345 }, (_, i) => datum(i)),
      "CacheStress",
    );
    assert.deepEqual(
      requests.map((r) => r.length),
      [1000, 1000, 345],
    );
  });
  it("splits at 1 MB a request", () => {
    const big: MetricDatum = {
      ...datum(0),
      Values: Array.from({ length: 150 }, (_, i) => i * 1.123456),
      Counts: Array(150).fill(99999),
    };
    const size = JSON.stringify(big).length;
    const requests = splitRequests(Array(900).fill(big), "CacheStress");
    assert.ok(requests.length >= 2, `${size} bytes a datum`);
    for (const r of requests) assert.ok(JSON.stringify(r).length <= 1_000_000);
  });
  it("names what CloudWatch would reject", () => {
    assert.deepEqual(datumProblems(datum(1)), []);
    assert.match(datumProblems({ ...datum(Number.NaN) }).join(), /not finite/);
    assert.match(
      datumProblems({ ...datum(1), Values: Array(151).fill(1), Counts: Array(151).fill(1) }).join(),
      /151 values/,
    );
  });
});

describe("--publish flags", () => {
  const resolve = (
    flags: Parameters<typeof resolvePublishOptions>[0],
    env = "local",
    processEnv: NodeJS.ProcessEnv = { AWS_REGION: "us-east-1" },
  ) => {
    const problems: ConfigProblem[] = [];
    return { options: resolvePublishOptions(flags, env, problems, processEnv), problems };
  };
  it("--env aws picks CloudWatch (with a region set) and --env azure Azure Monitor (with a resource ID) unless --publish says otherwise", () => {
    assert.deepEqual(resolve({}, "aws").options?.targets, ["cloudwatch"]);
    assert.deepEqual(resolve({ targets: ["prometheus"] }, "aws").options?.targets, ["prometheus"]);
    assert.equal(resolve({ targets: ["none"] }, "aws").options, undefined);
    assert.equal(resolve({}, "local").options, undefined);
    // Without a region --env aws is a label only: nothing is sent, no credential lookup starts.
    assert.equal(resolve({}, "aws", {}).options, undefined);
    assert.equal(resolve({}, "azure").options, undefined);
    const azure = resolve(
      { azureResourceId: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Cache/redis/z" },
      "azure",
    );
    assert.deepEqual(
      azure.problems.map((p) => p.field),
      ["--azure-region"],
    );
    assert.match(azure.problems[0].allowed, /picked by --env azure/);
  });
  it("lists every problem: a setting without its publisher, a publisher without its setting", () => {
    const { problems } = resolve({ targets: ["pushgateway"], metricsPort: 9000, otlpUrl: "http://x:4318" });
    assert.deepEqual(problems.map((p) => p.field).sort(), [
      "--metrics-port",
      "--otlp-url",
      "--pushgateway-url",
    ]);
  });
  it("defaults: 5 s interval, 127.0.0.1, namespace CacheStress, standard resolution", () => {
    const { options } = resolve({ targets: ["prometheus", "cloudwatch"] });
    assert.deepEqual(
      [options?.intervalMs, options?.metricsHost, options?.cloudwatchNamespace, options?.resolutionS],
      [5000, "127.0.0.1", "CacheStress", 60],
    );
  });
});

describe("push loop", () => {
  it("retries a retryable failure with backoff, counts every failed attempt, gives up on a permanent one", async () => {
    let calls = 0;
    const loop = new PushLoop(
      "t",
      async () => {
        calls++;
        if (calls === 1) throw new PushError("HTTP 500", true);
      },
      { intervalMs: 60_000, backoffMs: 1 },
    );
    // The failure came after the last event: stop() hands it to the bus, which counts it.
    await assert.rejects(loop.stop(), /t: HTTP 500 \(1 failed attempt\(s\) not counted before the end/);
    assert.deepEqual(
      [calls, loop.stats.pushes, loop.stats.failedAttempts, loop.stats.lostPushes],
      [2, 1, 1, 0],
    );

    let permanent = 0;
    const bad = new PushLoop(
      "bad",
      async () => {
        permanent++;
        throw new PushError("HTTP 403 bad credentials", false);
      },
      { intervalMs: 60_000, backoffMs: 1 },
    );
    await assert.rejects(bad.stop(), /bad: HTTP 403 bad credentials/);
    assert.deepEqual([permanent, bad.stats.lostPushes], [1, 1]);
  });
  it("a target's password never becomes a label", () => {
    assert.equal(hostPort("redis://user:secret@cache.example:6380/0"), "cache.example:6380");
    assert.equal(hostPort("redis://***@h:1"), "h:1");
  });
});
