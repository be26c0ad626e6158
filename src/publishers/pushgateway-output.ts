import type { Registry } from "prom-client";
import type { RunOutput } from "../run/run-event-bus.js";
import type { RunEvent } from "../run/run-events.js";
import { httpSend } from "./http-send.js";
import { MetricFeed } from "./metric-feed.js";
import { prometheusRegistry } from "./prometheus-metrics.js";
import { PushLoop } from "./push-loop.js";

/**
 * `--publish pushgateway`: the same metrics as /metrics, PUT to a Pushgateway every
 * --publish-interval under the group job=cachestress,run=<id>, for runs shorter than a scrape
 * interval or behind a firewall. The gateway keeps a group forever, so the group is deleted at the
 * end, after the final push: stale totals of a finished run would otherwise look like a live one.
 */
export class PushgatewayOutput implements RunOutput {
  readonly name = "pushgateway";
  readonly feed: MetricFeed;
  readonly registry: Registry;
  readonly loop: PushLoop;
  readonly groupUrl: string;

  constructor(
    run: string,
    baseUrl: string,
    intervalMs: number,
    private readonly dryRun?: (payload: string) => void,
  ) {
    this.feed = new MetricFeed(run, false);
    this.registry = prometheusRegistry(this.feed);
    this.groupUrl = `${baseUrl.replace(/\/+$/, "")}/metrics/job/cachestress/run/${encodeURIComponent(run)}`;
    this.loop = new PushLoop(this.name, () => this.push(), { intervalMs });
  }

  start(): void {
    this.loop.start();
  }

  onEvent(event: RunEvent): void {
    this.feed.onEvent(event);
    this.loop.reportFailure();
  }

  async stop(): Promise<void> {
    try {
      await this.loop.stop();
    } finally {
      if (this.dryRun !== undefined) this.dryRun(`DELETE ${this.groupUrl}`);
      else await httpSend("DELETE", this.groupUrl, undefined, {}, 2_000);
    }
  }

  private async push(): Promise<void> {
    const text = await this.registry.metrics();
    if (this.dryRun !== undefined) {
      this.dryRun(`PUT ${this.groupUrl}\n${text}`);
      return;
    }
    await httpSend("PUT", this.groupUrl, text, { "content-type": this.registry.contentType });
  }
}
