import type { PublishCommandInput } from "@aws-sdk/client-sns";
import { redactText } from "../../core/redact.js";
import {
  type NotificationContext,
  type Notifier,
  NotifyError,
  plainText,
  type RenderedNotification,
  stateWord,
} from "../notifier.js";
import type { AlertEvent } from "../rule-types.js";

/**
 * AWS SNS through the real SDK (`PublishCommand`). Credentials come from the SDK's default chain
 * (environment, shared config, SSO, container or instance role), so no secret is ever in the
 * scenario file. `endpoint` points the client at LocalStack or a test receiver on loopback.
 *
 * Message attributes carry severity, rule and state so that subscriptions can filter on them
 * (critical to the pager, the rest to a channel) without parsing the text.
 */

export interface SnsNotifierOptions {
  topicArn: string;
  region: string;
  endpoint?: string;
  /** One attempt's limit, ms; the SDK's own retries are off because the dispatcher retries. */
  timeoutMs?: number;
}

/** SNS rejects a Subject of 100 characters or more, or one with line breaks or non-ASCII text. */
const SUBJECT_MAX_CHARS = 99;
const DEFAULT_TIMEOUT_MS = 10_000;

export class SnsNotifier implements Notifier {
  readonly kind = "sns" as const;

  constructor(private readonly options: SnsNotifierOptions) {}

  describe(): string {
    const via = this.options.endpoint === undefined ? "" : ` via ${redactText(this.options.endpoint)}`;
    return `sns ${this.options.topicArn}${via}`;
  }

  render(event: AlertEvent, context: NotificationContext): RenderedNotification {
    return { summary: `${this.describe()}: ${event.message}`, payload: this.publishInput(event, context) };
  }

  async send(event: AlertEvent, context: NotificationContext): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Loaded on first use: the SDK takes ~0.4 s to import, which every CLI start would pay otherwise.
    const { PublishCommand, SNSClient } = await import("@aws-sdk/client-sns");
    // A client per message: alerts are rare, and a kept-alive socket would outlive the run.
    const client = new SNSClient({
      region: this.options.region,
      endpoint: this.options.endpoint,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
    });
    try {
      await client.send(new PublishCommand(this.publishInput(event, context)));
    } catch (error) {
      throw toNotifyError(error);
    } finally {
      client.destroy();
    }
  }

  publishInput(event: AlertEvent, context: NotificationContext): PublishCommandInput {
    const input: PublishCommandInput = {
      TopicArn: this.options.topicArn,
      Subject: snsSubject(event, context),
      Message: plainText(event, context),
      MessageAttributes: {
        severity: { DataType: "String", StringValue: event.severity },
        rule: { DataType: "String", StringValue: event.rule },
        state: { DataType: "String", StringValue: event.type },
      },
    };
    // FIFO topics require a group (ordering is per group: one per rule keeps firing before resolved)
    // and a deduplication id unless content-based deduplication is on.
    if (this.options.topicArn.endsWith(".fifo")) {
      input.MessageGroupId = event.rule;
      input.MessageDeduplicationId = `${event.rule}-${event.type}-${event.tS}`.replace(
        /[^A-Za-z0-9_.-]/g,
        "_",
      );
    }
    return input;
  }
}

export function snsSubject(event: AlertEvent, context: NotificationContext): string {
  const text = `[cachestress] ${stateWord(event)} ${event.severity}: ${event.rule} (${context.scenario})`;
  // Printable ASCII only; anything else becomes `?` rather than a rejected publish.
  const ascii = text.replace(/[^\x20-\x7e]/g, "?");
  return ascii.length <= SUBJECT_MAX_CHARS ? ascii : ascii.slice(0, SUBJECT_MAX_CHARS);
}

/**
 * The SDK marks each error with who is at fault: a server fault or throttling may pass, a client
 * fault (no such topic, access denied, bad parameter) will not, nor will missing credentials. Any
 * other error without `$metadata` never reached the service (connection refused, timeout) and is
 * worth retrying.
 */
function toNotifyError(error: unknown): NotifyError {
  const e = error as {
    name?: string;
    message?: string;
    $fault?: "client" | "server";
    $metadata?: { httpStatusCode?: number };
    code?: string;
  };
  const status = e.$metadata?.httpStatusCode;
  const throttled = status === 429 || /throttl/i.test(e.name ?? "");
  // Missing credentials will still be missing on the next attempt.
  const noCredentials = e.name === "CredentialsProviderError";
  const retryable = !noCredentials && (e.$fault !== "client" || throttled || status === undefined);
  const name = e.name !== undefined && e.name !== "Error" ? `${e.name}: ` : "";
  const detail = e.code !== undefined && !(e.message ?? "").includes(e.code) ? ` (${e.code})` : "";
  return new NotifyError(`${name}${redactText(e.message ?? String(error))}${detail}`, {
    retryable,
  });
}
