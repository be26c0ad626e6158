import type { RunOutput } from "../run/run-event-bus.js";
import type { RunEvent } from "../run/run-events.js";
import type { MetricFeed } from "./metric-feed.js";
import { PushLoop } from "./push-loop.js";

/**
 * What the push publishers (Pushgateway, OTLP, CloudWatch, Azure Monitor) share: events only feed
 * the MetricFeed, sending happens on the PushLoop's timer, failures reach the bus through onEvent
 * and stop(), and the final push goes out at the end before the client is closed.
 */
export abstract class PushOutput implements RunOutput {
  readonly loop: PushLoop;

  constructor(
    readonly name: string,
    readonly feed: MetricFeed,
    intervalMs: number,
  ) {
    this.loop = new PushLoop(name, () => this.push(), { intervalMs });
  }

  /** Sends what the feed holds; throws (a PushError says whether to retry) when it could not. */
  protected abstract push(): Promise<void>;

  /** Opens the service's client, after the timer has started. */
  protected async open(): Promise<void> {}

  /** Closes the client, after the final push. */
  protected async close(): Promise<void> {}

  async start(): Promise<void> {
    this.loop.start();
    await this.open();
  }

  onEvent(event: RunEvent): void {
    this.feed.onEvent(event);
    this.loop.reportFailure();
  }

  async stop(): Promise<void> {
    try {
      await this.loop.stop();
    } finally {
      await this.close();
    }
  }
}
