import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { OtlpOutput } from "../../src/publishers/otlp-output.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

/** OTLP/HTTP JSON as the OpenTelemetry exporter sends it, decoded by a loopback receiver. */

interface KeyValue {
  key: string;
  value: { stringValue?: string; intValue?: number | string };
}
interface ExpPoint {
  attributes: KeyValue[];
  count: number | string;
  sum: number;
  scale: number;
  positive: { offset: number; bucketCounts: (number | string)[] };
}
interface OtlpBody {
  resourceMetrics: {
    resource: { attributes: KeyValue[] };
    scopeMetrics: {
      metrics: {
        name: string;
        unit: string;
        exponentialHistogram?: { dataPoints: ExpPoint[]; aggregationTemporality: number };
      }[];
    }[];
  }[];
}

const attr = (list: KeyValue[], key: string) => list.find((a) => a.key === key)?.value.stringValue;

describe("publishing over OTLP/HTTP (real exporter, loopback receiver)", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("db.client.operation.duration in seconds as an exponential histogram whose counts are the run's", async () => {
    const bodies: { path: string; type: string; body: OtlpBody }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        bodies.push({
          path: req.url!,
          type: String(req.headers["content-type"]),
          body: JSON.parse(Buffer.concat(chunks).toString()) as OtlpBody,
        });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;
    try {
      const output = new OtlpOutput({ url, intervalMs: 1000, run: "otlptest" });
      const { result } = await runScenario(
        testRunConfig({ url: redis.url, durationMs: 3000, rate: 2000, connections: 4 }),
        { outputs: [output] },
      );
      assert.equal(result.outputs?.[0].failures, 0, JSON.stringify(result.outputs));
      assert.ok(bodies.length >= 2, `${bodies.length} export(s)`);
      const last = bodies.at(-1)!;
      assert.equal(last.path, "/v1/metrics");
      assert.match(last.type, /application\/json/);
      const rm = last.body.resourceMetrics[0];
      assert.equal(attr(rm.resource.attributes, "service.name"), "cachestress");
      assert.equal(attr(rm.resource.attributes, "cachestress.run"), "otlptest");
      const duration = rm.scopeMetrics[0].metrics.find((m) => m.name === "db.client.operation.duration");
      assert.equal(duration?.unit, "s");
      assert.equal(duration?.exponentialHistogram?.aggregationTemporality, 2, "cumulative");
      const points = duration!.exponentialHistogram!.dataPoints;
      for (const [command, c] of Object.entries(result.perCommand)) {
        const point = points.find((p) => attr(p.attributes, "db.operation.name") === command);
        assert.ok(point, command);
        assert.equal(attr(point.attributes, "db.system.name"), "redis");
        assert.equal(Number(point.count), c.ops, command);
        assert.equal(
          point.positive.bucketCounts.reduce<number>((a, b) => a + Number(b), 0),
          c.ops,
        );
        assert.ok(point.positive.bucketCounts.length <= 160);
        // The mean in seconds is the result's mean in ms / 1000 (within HDR's 0.1 %).
        const meanS = point.sum / Number(point.count);
        assert.ok(
          Math.abs(meanS * 1000 - c.latency.mean) <= c.latency.mean * 0.01 + 0.01,
          `${meanS} vs ${c.latency.mean}`,
        );
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
