import { ValueType } from "@opentelemetry/api";
import type { PushMetricExporter, ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { AggregationTemporality, DataPointType } from "@opentelemetry/sdk-metrics";
import type { RunEvent } from "../run/run-events.js";
import { TOOL_VERSION } from "../run/version.js";
import { exponentialBuckets } from "./hdr-buckets.js";
import { MetricFeed } from "./metric-feed.js";
import { PushError } from "./push-loop.js";
import { PushOutput } from "./push-output.js";

/**
 * `--publish otlp`: OpenTelemetry metrics over OTLP/HTTP (JSON) with the database-client semantic
 * conventions: `db.client.operation.duration` in seconds with `db.system.name` = redis and
 * `db.operation.name` = the command, as a base-2 exponential histogram (the advised explicit buckets
 * start at 1 ms, too coarse for a cache). The histogram is built from the run's HDR counts, once per
 * push, rather than by recording every operation into an SDK instrument: a run of 200,000 ops/s would
 * otherwise cost the main thread as much as the load. The SDK's exporter sends it.
 * Temporality is cumulative since the measured part started, as Prometheus' OTLP receiver needs.
 */

export interface OtlpOptions {
  url: string;
  intervalMs: number;
  run: string;
}

export class OtlpOutput extends PushOutput {
  private exporter: PushMetricExporter | undefined;
  private startedAtMs = Date.now();

  constructor(
    private readonly options: OtlpOptions,
    private readonly dryRun?: (payload: string) => void,
  ) {
    super("otlp", new MetricFeed(options.run, false), options.intervalMs);
  }

  protected override async open(): Promise<void> {
    if (this.dryRun !== undefined) return;
    const { OTLPMetricExporter } = await import("@opentelemetry/exporter-metrics-otlp-http");
    this.exporter = new OTLPMetricExporter({ url: this.options.url, timeoutMillis: 10_000 });
  }

  override onEvent(event: RunEvent): void {
    if (event.type === "phase-started" && event.phase === "measure") this.startedAtMs = event.startEpochMs;
    super.onEvent(event);
  }

  protected override async close(): Promise<void> {
    await this.exporter?.shutdown();
  }

  /** The run's metrics as the SDK's ResourceMetrics, ready for any exporter. */
  async resourceMetrics(nowMs = Date.now()): Promise<ResourceMetrics> {
    const { resourceFromAttributes } = await import("@opentelemetry/resources");
    const { labels } = this.feed;
    const startTime = hrTime(this.startedAtMs);
    const endTime = hrTime(nowMs);
    const [host, port] = splitHostPort(labels.target);
    const durationPoints = [...this.feed.commands].flatMap(([command, totals]) => {
      const b = exponentialBuckets(totals.latencyUs);
      if (b === undefined) return [];
      return [
        {
          attributes: {
            "db.system.name": "redis",
            "db.operation.name": command,
            ...(host !== "" && { "server.address": host }),
            ...(port !== undefined && { "server.port": port }),
          },
          startTime,
          endTime,
          value: {
            count: b.count,
            sum: b.sum,
            scale: b.scale,
            zeroCount: 0,
            positive: { offset: b.offset, bucketCounts: b.counts },
            negative: { offset: 0, bucketCounts: [] },
            min: b.min,
            max: b.max,
          },
        },
      ];
    });
    const operations = [...this.feed.commands].map(([command, totals]) => ({
      attributes: { "db.system.name": "redis", "db.operation.name": command },
      startTime,
      endTime,
      value: totals.ops,
    }));
    return {
      resource: resourceFromAttributes({
        "service.name": "cachestress",
        "service.version": TOOL_VERSION,
        "cachestress.run": labels.run,
        "cachestress.scenario": labels.scenario,
        "deployment.environment.name": labels.env,
      }),
      scopeMetrics: [
        {
          scope: { name: "cachestress", version: TOOL_VERSION },
          metrics: [
            {
              descriptor: {
                name: "db.client.operation.duration",
                description: "Duration of database client operations (from the intended start in open loop).",
                unit: "s",
                valueType: ValueType.DOUBLE,
              },
              aggregationTemporality: AggregationTemporality.CUMULATIVE,
              dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
              dataPoints: durationPoints,
            },
            {
              descriptor: {
                name: "cachestress.operations",
                description: "Operations that got a reply in the measured part.",
                unit: "{operation}",
                valueType: ValueType.INT,
              },
              aggregationTemporality: AggregationTemporality.CUMULATIVE,
              dataPointType: DataPointType.SUM,
              isMonotonic: true,
              dataPoints: operations,
            },
          ],
        },
      ],
    };
  }

  protected async push(): Promise<void> {
    if (this.feed.commands.size === 0) return;
    const metrics = await this.resourceMetrics();
    if (this.dryRun !== undefined) {
      const { JsonMetricsSerializer } = await import("@opentelemetry/otlp-transformer");
      const body = new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(metrics));
      this.dryRun(`POST ${this.options.url}\n${body}`);
      return;
    }
    const exporter = this.exporter!;
    await new Promise<void>((resolve, reject) => {
      exporter.export(metrics, (result) => {
        if (result.code === 0) resolve();
        else
          reject(
            new PushError(
              `OTLP export to ${this.options.url} failed: ${result.error?.message ?? "unknown error"}`,
              true,
            ),
          );
      });
    });
  }
}

function hrTime(ms: number): [number, number] {
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
}

function splitHostPort(target: string): [string, number | undefined] {
  const match = /^(.*):(\d+)$/.exec(target);
  return match === null ? [target, undefined] : [match[1], Number(match[2])];
}
