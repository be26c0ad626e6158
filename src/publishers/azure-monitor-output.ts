import type { TokenCredential } from "@azure/identity";
import type { ServerSample } from "../probes/types.js";
import { round3 } from "./hdr-buckets.js";
import { httpSend } from "./http-send.js";
import { MetricFeed } from "./metric-feed.js";
import { PushError } from "./push-loop.js";
import { PushOutput } from "./push-output.js";

/**
 * `--publish azure`: Azure Monitor custom metrics, POSTed to
 * https://<region>.monitoring.azure.com/<resourceId>/metrics with a token for
 * https://monitoring.azure.com/ from @azure/identity (DefaultAzureCredential: environment, workload
 * identity, managed identity, Azure CLI...). The API takes values pre-aggregated per minute
 * (min/max/sum/count), one metric per request; a minute sent in several pushes is added up by Azure.
 * Latency per command is aggregated from the HDR histogram: count = operations, sum = their total.
 */

export interface AzureMonitorOptions {
  resourceId: string;
  region: string;
  intervalMs: number;
  /** Base URL instead of https://<region>.monitoring.azure.com (tests, sovereign clouds). */
  endpoint?: string;
  /** Instead of DefaultAzureCredential. */
  credential?: TokenCredential;
}

export const AZURE_NAMESPACE = "CacheStress";
const SCOPE = "https://monitoring.azure.com/.default";
/** The custom metrics API's limit. */
const MAX_DIMENSIONS = 10;

interface Stat {
  min: number;
  max: number;
  sum: number;
  count: number;
}

export interface AzureMetricBody {
  time: string;
  data: {
    baseData: {
      metric: string;
      namespace: string;
      dimNames: string[];
      series: ({ dimValues: string[] } & Stat)[];
    };
  };
}

export class AzureMonitorOutput extends PushOutput {
  readonly sent = { requests: 0 };
  private queue: AzureMetricBody[] = [];
  private readonly previous = new Map<string, ServerSample>();
  private credential: TokenCredential | undefined;

  constructor(
    private readonly options: AzureMonitorOptions,
    private readonly dryRun?: (payload: string) => void,
  ) {
    super("azure-monitor", new MetricFeed("", true), options.intervalMs);
  }

  get url(): string {
    const base = this.options.endpoint ?? `https://${this.options.region}.monitoring.azure.com`;
    return `${base.replace(/\/+$/, "")}${this.options.resourceId}/metrics`;
  }

  protected override async open(): Promise<void> {
    if (this.dryRun !== undefined) return;
    if (this.options.credential !== undefined) this.credential = this.options.credential;
    else {
      const { DefaultAzureCredential } = await import("@azure/identity");
      this.credential = new DefaultAzureCredential();
    }
  }

  /** The drained intervals and samples as one body per metric and minute. */
  collect(): void {
    const { intervals, samples } = this.feed.drain();
    const { env, scenario } = this.feed.labels;
    const bodies = new Map<string, AzureMetricBody>();
    const add = (atMs: number, metric: string, dims: Record<string, string>, stat: Stat) => {
      const time = new Date(Math.floor(atMs / 60_000) * 60_000).toISOString();
      const dimNames = Object.keys(dims).slice(0, MAX_DIMENSIONS);
      const key = `${time}|${metric}|${dimNames.join(",")}`;
      let body = bodies.get(key);
      if (body === undefined) {
        body = { time, data: { baseData: { metric, namespace: AZURE_NAMESPACE, dimNames, series: [] } } };
        bodies.set(key, body);
      }
      const dimValues = dimNames.map((n) => dims[n]);
      const series = body.data.baseData.series;
      const same = series.find((s) => s.dimValues.join("\u0000") === dimValues.join("\u0000"));
      if (same === undefined) series.push({ dimValues, ...stat });
      else {
        same.min = Math.min(same.min, stat.min);
        same.max = Math.max(same.max, stat.max);
        same.sum = round3(same.sum + stat.sum);
        same.count += stat.count;
      }
    };
    const one = (v: number): Stat => ({ min: round3(v), max: round3(v), sum: round3(v), count: 1 });
    const run = { env: env || "unknown", scenario: scenario || "unknown" };
    for (const { event, latencyUs } of intervals) {
      const p = event.point;
      add(event.timeMs, "OpsPerSec", run, one(p.opsPerSec));
      const attempted = p.ops + p.errors - (p.errorReplies ?? 0);
      if (attempted > 0) {
        add(event.timeMs, "ErrorRate", run, one((p.errors / attempted) * 100));
        add(event.timeMs, "TimeoutRate", run, one((p.timeouts / attempted) * 100));
      }
      if (p.ops > 0) add(event.timeMs, "LatencyP99Ms", run, one(p.p99Ms));
      for (const [command, h] of latencyUs) {
        if (h.totalCount === 0) continue;
        const sumMs = (h.mean * h.totalCount) / 1000;
        add(
          event.timeMs,
          "LatencyMs",
          { ...run, command },
          {
            min: round3(h.minNonZeroValue / 1000),
            max: round3(h.maxValue / 1000),
            sum: round3(sumMs),
            count: h.totalCount,
          },
        );
      }
    }
    for (const { node, sample: s } of samples) {
      const dims = { ...run, node };
      if (s.usedMemoryBytes !== undefined)
        add(s.atMs, "UsedMemoryMB", dims, one(s.usedMemoryBytes / 1_048_576));
      if (s.memoryUsedPercent !== undefined) add(s.atMs, "MemoryUsedPercent", dims, one(s.memoryUsedPercent));
      if (s.hitRatio !== undefined) add(s.atMs, "HitRatio", dims, one(s.hitRatio));
      const before = this.previous.get(node)?.evictedKeysTotal;
      if (s.evictedKeysTotal !== undefined && before !== undefined)
        add(s.atMs, "Evictions", dims, one(Math.max(0, s.evictedKeysTotal - before)));
      this.previous.set(node, s);
    }
    this.queue.push(...bodies.values());
  }

  protected async push(): Promise<void> {
    this.collect();
    while (this.queue.length > 0) {
      const body = JSON.stringify(this.queue[0]);
      if (this.dryRun !== undefined) this.dryRun(`POST ${this.url}\n${body}`);
      else {
        const token = await this.credential!.getToken(SCOPE).catch((error: unknown) => {
          // No credential or a refused one: retrying within the run will not fix it.
          throw new PushError(
            `no Azure token: ${error instanceof Error ? error.message : String(error)}`,
            false,
          );
        });
        if (token === null)
          throw new PushError("@azure/identity returned no token for https://monitoring.azure.com/", false);
        await httpSend("POST", this.url, body, {
          "content-type": "application/json",
          authorization: `Bearer ${token.token}`,
        });
      }
      this.sent.requests++;
      this.queue.shift();
    }
  }
}
