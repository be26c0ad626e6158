import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { RunResult } from "../result/result-types.js";
import type { RunOutput } from "../run/run-event-bus.js";
import type { RunEvent } from "../run/run-events.js";
import { MetricFeed } from "./metric-feed.js";
import { prometheusRegistry } from "./prometheus-metrics.js";

/**
 * `--publish prometheus`: serves `/metrics` on --metrics-host:--metrics-port for the run's length.
 * Nothing is pushed, so nothing here can slow the run: a scrape reads the totals the feed holds.
 * The server closes at the end, after the final values are in: a scraper that wants them scrapes
 * before that (the Pushgateway is for runs shorter than a scrape interval).
 */
export class PrometheusOutput implements RunOutput {
  readonly name = "prometheus";
  readonly feed: MetricFeed;
  readonly registry: Registry;
  private server: Server | undefined;
  /** The port it listens on (useful with --metrics-port 0). */
  port: number | undefined;

  constructor(
    run: string,
    private readonly host: string,
    private readonly requestedPort: number,
    private readonly onListening?: (url: string) => void,
  ) {
    this.feed = new MetricFeed(run, false);
    this.registry = prometheusRegistry(this.feed);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /metrics\n");
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": this.registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`${String(error)}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.requestedPort, this.host, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    const host = this.host.includes(":") ? `[${this.host}]` : this.host;
    this.onListening?.(`http://${host}:${this.port}/metrics`);
  }

  onEvent(event: RunEvent): void {
    this.feed.onEvent(event);
  }

  async stop(_result: RunResult | undefined): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
