import { redactUrl } from "../../core/redact.js";
import {
  type NotificationContext,
  type Notifier,
  type RenderedNotification,
  redactWebhookUrl,
} from "../notifier.js";
import type { AlertEvent } from "../rule-types.js";
import { postJson } from "./http-post.js";

/**
 * Generic webhook: a JSON POST of the event and the run it belongs to, for receivers the tool does
 * not know (an incident tool, a chat bridge, a CI hook). The body has a schema version so a receiver
 * can tell a future incompatible shape apart. Extra headers carry a receiver's token; those given
 * through `headersEnv` are never printed.
 */

export const WEBHOOK_SCHEMA_VERSION = 1;

export interface WebhookPayload {
  source: "cachestress";
  schemaVersion: typeof WEBHOOK_SCHEMA_VERSION;
  event: AlertEvent;
  run: NotificationContext;
}

export interface WebhookNotifierOptions {
  url: string;
  /** Headers written in the config file as they are; printed in a dry run. */
  headers?: Record<string, string>;
  /** Headers whose values came from environment variables: sent, never printed. */
  secretHeaders?: Record<string, string>;
  timeoutMs?: number;
}

export class WebhookNotifier implements Notifier {
  readonly kind = "webhook" as const;

  constructor(private readonly options: WebhookNotifierOptions) {}

  describe(): string {
    return `webhook ${redactWebhookUrl(this.options.url)}`;
  }

  render(event: AlertEvent, context: NotificationContext): RenderedNotification {
    const shown = Object.entries(this.options.headers ?? {}).map(([name, value]) => `${name}: ${value}`);
    const hidden = Object.keys(this.options.secretHeaders ?? {}).map((name) => `${name}: ***`);
    const headers = [...shown, ...hidden];
    const headerText = headers.length === 0 ? "" : ` with headers ${headers.join(", ")}`;
    return {
      summary: `${this.describe()}${headerText}: ${event.message}`,
      payload: webhookPayload(event, context),
    };
  }

  async send(event: AlertEvent, context: NotificationContext): Promise<void> {
    await postJson({
      url: this.options.url,
      body: webhookPayload(event, context),
      headers: { ...this.options.headers, ...this.options.secretHeaders },
      timeoutMs: this.options.timeoutMs,
    });
  }
}

export function webhookPayload(event: AlertEvent, context: NotificationContext): WebhookPayload {
  // Copies, so a receiver-side serialisation never sees later changes to the evaluator's log.
  return {
    source: "cachestress",
    schemaVersion: WEBHOOK_SCHEMA_VERSION,
    event: { ...event },
    run: { ...context, target: redactUrl(context.target) },
  };
}
