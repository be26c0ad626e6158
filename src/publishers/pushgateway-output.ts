import type { Registry } from "prom-client";
import { httpSend } from "./http-send.js";
import { MetricFeed } from "./metric-feed.js";
import { prometheusRegistry } from "./prometheus-metrics.js";
import { PushOutput } from "./push-output.js";

/**
 * `--publish pushgateway`: the same metrics as /metrics, PUT to a Pushgateway every
 * --publish-interval under the group job=cachestress,run=<id>, for runs shorter than a scrape
 * interval or behind a firewall. The gateway keeps a group forever, so the group is deleted at the
 * end, after the final push: stale totals of a finished run would otherwise look like a live one.
 */
export class PushgatewayOutput extends PushOutput {
  readonly registry: Registry;
  readonly groupUrl: string;

  constructor(
    run: string,
    baseUrl: string,
    intervalMs: number,
    private readonly dryRun?: (payload: string) => void,
  ) {
    super("pushgateway", new MetricFeed(run, false), intervalMs);
    this.registry = prometheusRegistry(this.feed);
    this.groupUrl = `${baseUrl.replace(/\/+$/, "")}/metrics/job/cachestress/run/${encodeURIComponent(run)}`;
  }

  protected override async close(): Promise<void> {
    if (this.dryRun !== undefined) this.dryRun(`DELETE ${this.groupUrl}`);
    else await httpSend("DELETE", this.groupUrl, undefined, {}, 2_000);
  }

  protected async push(): Promise<void> {
    const text = await this.registry.metrics();
    if (this.dryRun !== undefined) {
      this.dryRun(`PUT ${this.groupUrl}\n${text}`);
      return;
    }
    await httpSend("PUT", this.groupUrl, text, { "content-type": this.registry.contentType });
  }
}
