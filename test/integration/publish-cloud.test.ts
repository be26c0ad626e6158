import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import type { CommandWeight } from "../../src/config/types.js";
import { type AzureMetricBody, AzureMonitorOutput } from "../../src/publishers/azure-monitor-output.js";
import { CLOUDWATCH_LIMITS } from "../../src/publishers/cloudwatch-datums.js";
import { CloudWatchOutput } from "../../src/publishers/cloudwatch-output.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { useDummyAwsCredentials } from "../helpers/local-receivers.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

/**
 * The real AWS SDK (CloudWatch) and the Azure Monitor publisher pointed at loopback receivers that
 * record every request: names, dimensions, limits, retries of a 500 and of a throttling reply.
 */

interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

async function receiver(reply: (n: number) => [number, string, string]) {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const n = requests.length;
      const raw = Buffer.concat(chunks);
      // The SDK gzips PutMetricData bodies of 10 KB or more.
      const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      const [status, text, type] = reply(n);
      res.writeHead(status, { "content-type": type }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const AWS_JSON = "application/x-amz-json-1.0";
const DOCUMENTED = new Set([
  "UsedMemoryMB",
  "MemoryUsedPercent",
  "HitRatio",
  "ConnectedClients",
  "OpsPerSec",
  "LatencyP50Ms",
  "LatencyP99Ms",
  "TimeoutRate",
  "ErrorRate",
  "Evictions",
  "Latency",
]);

interface Datum {
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Value?: number;
  Values?: number[];
  Counts?: number[];
  StorageResolution: number;
}

describe("publishing to CloudWatch and Azure Monitor (loopback receivers)", () => {
  let redis: ManagedRedis;
  const saved = { ...process.env };
  before(async () => {
    redis = await startRedis();
    useDummyAwsCredentials();
    process.env.AWS_REGION = "us-east-1";
  });
  after(async () => {
    await redis.stop();
    for (const key of [
      "AWS_ENDPOINT_URL_CLOUDWATCH",
      "AWS_REGION",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
    ])
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
  });

  it("40 commands: the SDK's PutMetricData requests stay within 1,000 datums and 1 MB, with the documented names", async () => {
    const cw = await receiver(() => [200, "{}", AWS_JSON]);
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH = cw.url;
    try {
      const commands: CommandWeight[] = Array.from({ length: 40 }, (_, i) => ({
        name: "SET",
        weight: 1,
        template: `SET {key}:${i} {value}`,
      }));
      // One push at the end holds the whole run, ~200 datums per measured second: it must be split.
      const output = new CloudWatchOutput({ namespace: "CacheStress", resolutionS: 1, intervalMs: 600_000 });
      const { result } = await runScenario(
        testRunConfig({ url: redis.url, durationMs: 12_000, rate: 4000, connections: 4, commands }),
        { outputs: [output] },
      );
      assert.equal(result.verdict, "pass");
      assert.ok(
        cw.requests.length >= 2,
        `${cw.requests.length} request(s); ${output.loop.summary()}; ${JSON.stringify(output.sent)} ${JSON.stringify(result.outputs)}`,
      );
      let datums: Datum[] = [];
      const sizes = cw.requests.map(
        (r) => (JSON.parse(r.body.toString()) as { MetricData: Datum[] }).MetricData.length,
      );
      assert.ok(sizes.includes(1000), `a push was split at 1,000 datums: ${sizes.join(", ")}`);
      for (const request of cw.requests) {
        assert.equal(request.headers["x-amz-target"], "GraniteServiceVersion20100801.PutMetricData");
        assert.match(
          String(request.headers.authorization),
          /^AWS4-HMAC-SHA256 Credential=AKIDCACHESTRESSTEST\/\d{8}\/us-east-1\/monitoring\/aws4_request/,
        );
        assert.ok(request.body.length <= CLOUDWATCH_LIMITS.bytesPerRequest, `${request.body.length} bytes`);
        const input = JSON.parse(request.body.toString()) as { Namespace: string; MetricData: Datum[] };
        assert.equal(input.Namespace, "CacheStress");
        assert.ok(input.MetricData.length <= 1000, `${input.MetricData.length} datums`);
        datums = datums.concat(input.MetricData);
      }
      assert.equal(datums.length, output.sent.datums);
      for (const d of datums) {
        assert.ok(DOCUMENTED.has(d.MetricName), d.MetricName);
        assert.deepEqual(
          d.Dimensions.slice(0, 3).map((x) => x.Name),
          ["env", "scenario", "target"],
        );
        assert.equal(d.StorageResolution, 1);
        if (d.Values !== undefined) {
          assert.ok(d.Values.length <= 150 && d.Values.length === d.Counts?.length);
        }
      }
      // Latency as Values/Counts: per command and in all, the counts add up to the run's operations.
      const latencyCount = (command: string | undefined) =>
        datums
          .filter(
            (d) =>
              d.MetricName === "Latency" && d.Dimensions.find((x) => x.Name === "command")?.Value === command,
          )
          .reduce((sum, d) => sum + d.Counts!.reduce((a, b) => a + b, 0), 0);
      assert.equal(latencyCount(undefined), result.totals.ops);
      for (const [label, c] of Object.entries(result.perCommand))
        assert.equal(latencyCount(label), c.ops, label);
      assert.equal(Object.keys(result.perCommand).length, 40);
      assert.ok(datums.some((d) => d.MetricName === "UsedMemoryMB" && (d.Value ?? 0) > 0));
      assert.deepEqual(
        result.outputs?.map((o) => [o.name, o.failures]),
        [["cloudwatch", 0]],
      );
    } finally {
      await cw.close();
    }
  });

  it("a 500 and a throttling reply are retried and counted; the run still passes", async () => {
    const replies: [number, string, string][] = [
      [500, '{"__type":"InternalServiceError","message":"try later"}', AWS_JSON],
      [400, '{"__type":"Throttling","message":"Rate exceeded"}', AWS_JSON],
    ];
    const cw = await receiver((n) => replies[n] ?? [200, "{}", AWS_JSON]);
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH = cw.url;
    try {
      const output = new CloudWatchOutput({ namespace: "CacheStress", resolutionS: 60, intervalMs: 1000 });
      const { result, markdownPath } = await runScenario(
        testRunConfig({ url: redis.url, durationMs: 4000, rate: 1000, connections: 4 }),
        { outputs: [output] },
      );
      assert.match(
        readFileSync(markdownPath, "utf8"),
        /## Outputs that failed\n\n- cloudwatch: 2 failure\(s\)/,
      );
      assert.equal(result.verdict, "pass");
      assert.equal(output.loop.stats.failedAttempts, 2, output.loop.summary());
      assert.equal(output.loop.stats.lostPushes, 0, output.loop.summary());
      const health = result.outputs?.[0];
      assert.equal(health?.name, "cloudwatch");
      assert.equal(health?.failures, 2, JSON.stringify(health));
      assert.match(health?.lastError ?? "", /Throttling: Rate exceeded/);
      // Nothing was lost: every measured operation reached CloudWatch in a Latency datum.
      const accepted = cw.requests
        .slice(2)
        .flatMap((r) => (JSON.parse(r.body.toString()) as { MetricData: Datum[] }).MetricData);
      const counted = accepted
        .filter((d) => d.MetricName === "Latency" && d.Dimensions.length === 3)
        .reduce((sum, d) => sum + d.Counts!.reduce((a, b) => a + b, 0), 0);
      assert.equal(counted, result.totals.ops);
    } finally {
      await cw.close();
    }
  });

  it("Azure Monitor: per-minute min/max/sum/count bodies with a bearer token, a 500 retried", async () => {
    const az = await receiver((n) =>
      n === 0 ? [500, "busy", "text/plain"] : [200, "{}", "application/json"],
    );
    const tokens: string[] = [];
    // A stand-in for @azure/identity's credential: the token endpoint is not reachable from here.
    const credential = {
      getToken: async (scope: string | string[]) => {
        tokens.push(String(scope));
        return { token: "test-token", expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const resourceId = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Cache/redis/my-cache";
    try {
      const output = new AzureMonitorOutput({
        resourceId,
        region: "westeurope",
        intervalMs: 1000,
        endpoint: az.url,
        credential,
      });
      const { result } = await runScenario(
        testRunConfig({ url: redis.url, durationMs: 3000, rate: 1000, connections: 4 }),
        { outputs: [output] },
      );
      assert.equal(result.verdict, "pass");
      assert.equal(result.outputs?.[0].failures, 1, JSON.stringify(result.outputs));
      assert.ok(tokens.every((s) => s === "https://monitoring.azure.com/.default"));
      const bodies = az.requests.slice(1).map((r) => {
        assert.equal(r.path, `${resourceId}/metrics`);
        assert.equal(r.headers.authorization, "Bearer test-token");
        return JSON.parse(r.body.toString()) as AzureMetricBody;
      });
      for (const b of bodies) {
        assert.match(b.time, /:00\.000Z$/, "aggregated per minute");
        assert.equal(b.data.baseData.namespace, "CacheStress");
        assert.ok(b.data.baseData.dimNames.length <= 10);
        for (const s of b.data.baseData.series) assert.ok(s.min <= s.max && s.count > 0);
      }
      const latencyOps = bodies
        .filter((b) => b.data.baseData.metric === "LatencyMs")
        .flatMap((b) => b.data.baseData.series)
        .reduce((sum, s) => sum + s.count, 0);
      assert.equal(latencyOps, result.totals.ops);
    } finally {
      await az.close();
    }
  });
});
