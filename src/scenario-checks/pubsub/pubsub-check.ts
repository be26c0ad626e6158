import type { RunConfig } from "../../config/types.js";
import { epochNowMs } from "../../engine/load-connection.js";
import {
  type CheckContext,
  type CheckFactory,
  type CheckReport,
  checkReport,
  type ScenarioCheck,
} from "../check.js";
import { CommandTally } from "../side-load/command-tally.js";
import { describeLatency, latencyFiguresMs, newLatencyHistogram, round3 } from "../side-load/latency.js";
import { LoopDelay } from "../side-load/loop-delay.js";
import { MeasuredSubscriber } from "../side-load/measured-subscriber.js";
import { plannedMeasureMs } from "../side-load/run-window.js";
import { connectSideClients, type SideClient } from "../side-load/side-client.js";
import { settleWithin, waitUntil } from "../side-load/wait.js";
import { DeliverySeries } from "./delivery-series.js";
import { Publisher, type PublishOutcome } from "./publisher.js";
import { type PubsubOptions, parsePubsubOptions } from "./pubsub-options.js";

/** How long stopLoad waits for the publish loops, then for replies and deliveries in flight, ms. */
const STOP_TIMEOUT_MS = 2000;
const DRAIN_TIMEOUT_MS = 2000;
/** Subscribers named one by one in a loss problem; the rest are counted. */
const NAMED_IN_PROBLEM = 5;

export const createPubsubCheck: CheckFactory = (section, config) => {
  const parsed = parsePubsubOptions(section);
  if (!parsed.ok) return parsed;
  return { ok: true, check: new PubsubCheck(parsed.options, config) };
};

/**
 * Pub/sub fan-out beside the load: `publishers` connections PUBLISH at a total open-loop rate
 * over `channels` channels under the run's prefix, and `subscribers` connections (subscriber j
 * on channel j mod channels) measure every message's delivery latency and count what they got.
 * Every subscriber must receive every message published on its channel: loss past `maxLoss`
 * fails the check.
 */
export class PubsubCheck implements ScenarioCheck {
  readonly kind = "pubsub";
  private readonly tally = new CommandTally();
  private readonly channels: string[];
  private publisherClients: SideClient[] = [];
  private subscribers: MeasuredSubscriber[] = [];
  private publishers: Publisher[] = [];
  /** PUBLISH commands the server answered, per channel index: what each subscriber must receive. */
  private readonly publishedOnChannel: number[];
  /** Sum of PUBLISH replies: deliveries the server says it made. */
  private serverDeliveries = 0;
  private running: Promise<void> | undefined;
  private stopping = false;
  private series: DeliverySeries | undefined;
  private publishWindowMs: { fromEpochMs: number; toEpochMs?: number } | undefined;
  private readonly subscribeFailures: string[] = [];
  private readonly loopDelay = new LoopDelay();

  constructor(
    private readonly options: PubsubOptions,
    private readonly config: RunConfig,
  ) {
    this.channels = Array.from({ length: options.channels }, (_, c) => `${config.prefix}pubsub:${c}`);
    this.publishedOnChannel = new Array(options.channels).fill(0);
  }

  managedServerArgs(): string[] {
    return [];
  }

  async beforeLoad(context: CheckContext): Promise<void> {
    const { publishers, subscribers, channels, ratePerS, messageSizeBytes } = this.options;
    // Connected before the server's counts are first read, so only SUBSCRIBE and PUBLISH fall in the window.
    const clients = await connectSideClients(context.server, publishers + subscribers);
    this.publisherClients = clients.slice(0, publishers);
    const series = () => this.series;
    this.subscribers = clients
      .slice(publishers)
      .map(
        (side, j) =>
          new MeasuredSubscriber(j, side, [this.channels[j % channels]], (receiveEpochMs, latencyMs) =>
            series()?.onDelivered(receiveEpochMs, latencyMs),
          ),
      );
    context.say(
      `pubsub check: ${publishers} publisher(s) → ${subscribers} subscriber(s) on ${channels} channel(s) ` +
        `under ${this.config.prefix}pubsub:, ${ratePerS} messages/s of ${messageSizeBytes} bytes`,
    );
  }

  onMeasureStart(startEpochMs: number): void {
    this.series = new DeliverySeries(startEpochMs);
    this.loopDelay.start();
    this.running = this.publishAll(startEpochMs);
  }

  private async publishAll(startEpochMs: number): Promise<void> {
    // Every subscription is confirmed before the first message, so "every message" is well defined.
    const subscribed = await Promise.allSettled(this.subscribers.map((s) => s.subscribe(this.tally)));
    subscribed.forEach((s, j) => {
      if (s.status === "rejected")
        this.subscribeFailures.push(`subscriber ${j + 1}: ${(s.reason as Error).message.split("\n")[0]}`);
    });
    if (this.stopping) return;
    const { publishers, ratePerS, messageSizeBytes } = this.options;
    const firstEpochMs = Math.max(startEpochMs, epochNowMs());
    const plannedMs = plannedMeasureMs(this.config);
    const endEpochMs = plannedMs !== undefined ? startEpochMs + plannedMs : undefined;
    this.publishWindowMs = { fromEpochMs: firstEpochMs };
    this.publishers = this.publisherClients.map(
      (side, index) =>
        new Publisher(
          {
            index,
            channels: this.channels,
            ratePerS: ratePerS / publishers,
            // Staggered by one total-rate interval each, so together they send evenly.
            firstEpochMs: firstEpochMs + (index * 1000) / ratePerS,
            endEpochMs,
            messageSizeBytes,
          },
          side,
          this.tally,
          this.onPublished,
          () => this.stopping,
        ),
    );
    await Promise.all(this.publishers.map((p) => p.run()));
    this.publishWindowMs.toEpochMs = epochNowMs();
  }

  private readonly onPublished = (outcome: PublishOutcome): void => {
    if (outcome.receivers < 0) return;
    this.publishedOnChannel[outcome.channel]++;
    this.serverDeliveries += outcome.receivers;
    this.series?.onPublished(outcome.sendEpochMs);
  };

  async stopLoad(): Promise<void> {
    this.stopping = true;
    if (this.running !== undefined) await settleWithin(this.running, STOP_TIMEOUT_MS);
    if (this.publishWindowMs !== undefined) this.publishWindowMs.toEpochMs ??= epochNowMs();
    this.loopDelay.stop();
    await waitUntil(() => this.publishers.every((p) => p.inFlight === 0), DRAIN_TIMEOUT_MS);
    // Messages the server accepted may still be on their way to the subscribers.
    await waitUntil(
      () => this.subscribers.every((s) => s.brokenBy !== undefined || s.received >= this.expectedFor(s)),
      DRAIN_TIMEOUT_MS,
    );
  }

  sentCommands(): Record<string, { sent: number; completed: number }> {
    return this.tally.snapshot();
  }

  async afterLoad(): Promise<void> {
    // Everything was measured while the load ran.
  }

  report(): CheckReport {
    const { publishers, subscribers, channels, ratePerS, maxLoss } = this.options;
    const published = this.publishedOnChannel.reduce((a, b) => a + b, 0);
    const sent = this.publishers.reduce((sum, p) => sum + p.sent, 0);
    const publishErrors = this.publishers.reduce((sum, p) => sum + p.errors, 0);
    const windowMs = this.publishWindowMs
      ? (this.publishWindowMs.toEpochMs ?? epochNowMs()) - this.publishWindowMs.fromEpochMs
      : 0;
    const all = newLatencyHistogram();
    let expected = 0;
    let delivered = 0;
    let lost = 0;
    let outOfOrder = 0;
    const perSubscriber: Record<string, string> = {};
    const lossy: string[] = [];
    for (const s of this.subscribers) {
      const want = this.expectedFor(s);
      const missing = Math.max(0, want - s.received);
      expected += want;
      delivered += s.received;
      lost += missing;
      outOfOrder += s.outOfOrder;
      all.add(s.latency);
      const broken = s.brokenBy !== undefined ? `; connection closed: ${s.brokenBy}` : "";
      perSubscriber[`subscriber${s.index + 1}`] =
        `${s.received} of ${want} delivered, ${missing} lost, ${s.outOfOrder} out of order; ${describeLatency(s.figures())}${broken}`;
      if (missing > 0) lossy.push(`subscriber ${s.index + 1} received ${s.received} of ${want}${broken}`);
    }
    const latency = latencyFiguresMs(all);
    const problems: string[] = [...this.subscribeFailures.map((f) => `could not subscribe: ${f}`)];
    if (sent === 0 || published === 0) {
      const why =
        publishErrors > 0
          ? ` (${publishErrors} PUBLISH failed: ${this.publishers.find((p) => p.lastError)?.lastError})`
          : "";
      problems.push(`no message was published${why}`);
    }
    if (lost > maxLoss) {
      const more = lossy.length > NAMED_IN_PROBLEM ? ` and ${lossy.length - NAMED_IN_PROBLEM} more` : "";
      problems.push(
        `${lost} of ${expected} deliveries lost (maxLoss ${maxLoss}): ${lossy.slice(0, NAMED_IN_PROBLEM).join("; ")}${more}`,
      );
    }
    const publishRatePerS = windowMs > 0 ? published / (windowMs / 1000) : 0;
    const summary =
      `${publishers} publisher(s) → ${subscribers} subscriber(s) on ${channels} channel(s): ${published} published ` +
      `(${Math.round(publishRatePerS)}/s of ${ratePerS}/s), ${delivered} of ${expected} delivered, ${lost} lost, ` +
      `${outOfOrder} out of order; delivery ${describeLatency(latency)}${this.loopDelay.note()}`;
    return checkReport(
      this.kind,
      problems,
      summary,
      {
        targetRatePerS: ratePerS,
        publishRatePerS: round3(publishRatePerS),
        publishedMessages: published,
        publishErrors,
        publishLagMaxMs: round3(Math.max(0, ...this.publishers.map((p) => p.maxLagMs))),
        expectedDeliveries: expected,
        deliveredMessages: delivered,
        serverDeliveries: this.serverDeliveries,
        lostMessages: lost,
        outOfOrderMessages: outOfOrder,
        foreignMessages: this.subscribers.reduce((sum, s) => sum + s.foreign, 0),
        subscribersDisconnected: this.subscribers.filter((s) => s.brokenBy !== undefined).length,
        deliveryP50Ms: latency.p50Ms,
        deliveryP99Ms: latency.p99Ms,
        deliveryMaxMs: latency.maxMs,
        ...this.loopDelay.figures(),
        ...perSubscriber,
      },
      this.series?.points(),
    );
  }

  async close(): Promise<void> {
    this.stopping = true;
    this.loopDelay.stop();
    for (const side of this.publisherClients) side.close();
    for (const s of this.subscribers) s.side.close();
  }

  /** Messages the server accepted on the subscriber's channels: each one is owed to it. */
  private expectedFor(subscriber: MeasuredSubscriber): number {
    return this.publishedOnChannel[subscriber.index % this.options.channels];
  }
}
