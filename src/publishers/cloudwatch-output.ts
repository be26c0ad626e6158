import type { CloudWatchClient, MetricDatum } from "@aws-sdk/client-cloudwatch";
import type { ServerSample } from "../probes/types.js";
import { datumProblems, intervalDatums, sampleDatums, splitRequests } from "./cloudwatch-datums.js";
import { MetricFeed } from "./metric-feed.js";
import { PushError } from "./push-loop.js";
import { PushOutput } from "./push-output.js";

/**
 * `--publish cloudwatch`: PutMetricData through the AWS SDK v3 every --publish-interval and once at
 * the end. Region and credentials come the SDK's usual way (AWS_REGION, profiles, SSO, roles);
 * AWS_ENDPOINT_URL_CLOUDWATCH or AWS_ENDPOINT_URL point it elsewhere (LocalStack, a test receiver).
 * The SDK's own retries are off: the push loop retries with backoff and counts every failed attempt.
 * Datums not yet accepted stay queued for the next push, up to a cap.
 */

export interface CloudWatchOptions {
  namespace: string;
  resolutionS: 1 | 60;
  intervalMs: number;
}

/** The most datums kept while CloudWatch cannot be reached (~15 minutes of a 40-command run). */
const MAX_QUEUED_DATUMS = 100_000;
const REQUEST_TIMEOUT_MS = 10_000;

export class CloudWatchOutput extends PushOutput {
  /** Requests sent, and datums accepted: for the report and the tests. */
  readonly sent = { requests: 0, datums: 0, dropped: 0 };
  private queue: MetricDatum[] = [];
  private readonly previous = new Map<string, ServerSample>();
  private client: CloudWatchClient | undefined;

  constructor(
    private readonly options: CloudWatchOptions,
    private readonly dryRun?: (payload: string) => void,
  ) {
    super("cloudwatch", new MetricFeed("", true), options.intervalMs);
  }

  protected override async open(): Promise<void> {
    if (this.dryRun !== undefined) return;
    // Loaded only when used: the SDK takes a noticeable time to import.
    const { CloudWatchClient } = await import("@aws-sdk/client-cloudwatch");
    this.client = new CloudWatchClient({
      maxAttempts: 1,
      requestHandler: { connectionTimeout: REQUEST_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    });
  }

  protected override async close(): Promise<void> {
    this.client?.destroy();
  }

  private collect(): void {
    const { intervals, samples } = this.feed.drain();
    const { labels } = this.feed;
    for (const item of intervals) this.queue.push(...intervalDatums(item, labels, this.options.resolutionS));
    for (const event of samples) {
      this.queue.push(
        ...sampleDatums(event, this.previous.get(event.node), labels, this.options.resolutionS),
      );
      this.previous.set(event.node, event.sample);
    }
    if (this.queue.length > MAX_QUEUED_DATUMS) {
      this.sent.dropped += this.queue.length - MAX_QUEUED_DATUMS;
      this.queue = this.queue.slice(-MAX_QUEUED_DATUMS);
    }
  }

  protected async push(): Promise<void> {
    this.collect();
    const problems = this.queue.flatMap(datumProblems);
    if (problems.length > 0) throw new PushError(`invalid datums: ${problems.slice(0, 3).join("; ")}`, false);
    for (const request of splitRequests(this.queue, this.options.namespace)) {
      const input = { Namespace: this.options.namespace, MetricData: request };
      if (this.dryRun !== undefined) this.dryRun(JSON.stringify(input, null, 1));
      else await this.send(input);
      this.sent.requests++;
      this.sent.datums += request.length;
      this.queue = this.queue.slice(request.length);
    }
  }

  private async send(input: { Namespace: string; MetricData: MetricDatum[] }): Promise<void> {
    const { PutMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
    try {
      await this.client!.send(new PutMetricDataCommand(input));
    } catch (error) {
      const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode;
      const throttled = /throttl|limitexceeded|toomany/i.test(`${e.name}`);
      const retryable = throttled || status === undefined || status >= 500 || status === 429;
      throw new PushError(`PutMetricData: ${e.name}: ${e.message} (HTTP ${status ?? "no reply"})`, retryable);
    }
  }
}
