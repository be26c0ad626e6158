import { redactUrl } from "../../core/redact.js";
import {
  type NotificationContext,
  type Notifier,
  type RenderedNotification,
  redactWebhookUrl,
  stateWord,
} from "../notifier.js";
import type { AlertEvent } from "../rule-types.js";
import { postJson } from "./http-post.js";

/**
 * Slack incoming webhook: a JSON POST of `{ text, blocks }`. `text` is what Slack shows in push
 * notifications and clients without Block Kit; the blocks are the readable version in the channel.
 * The URL itself is the credential (anyone holding it can post), so it is printed only as
 * `https://hooks.slack.com/***`.
 */

export interface SlackPayload {
  text: string;
  blocks: unknown[];
}

/** Slack caps a header block's text at 150 characters. */
const HEADER_MAX_CHARS = 150;

const ICON: Record<string, string> = {
  critical: ":rotating_light:",
  warning: ":warning:",
  info: ":information_source:",
  resolved: ":white_check_mark:",
};

export class SlackNotifier implements Notifier {
  readonly kind = "slack" as const;

  constructor(
    private readonly url: string,
    private readonly timeoutMs?: number,
  ) {}

  describe(): string {
    return `slack ${redactWebhookUrl(this.url)}`;
  }

  render(event: AlertEvent, context: NotificationContext): RenderedNotification {
    return { summary: `${this.describe()}: ${event.message}`, payload: slackPayload(event, context) };
  }

  async send(event: AlertEvent, context: NotificationContext): Promise<void> {
    await postJson({ url: this.url, body: slackPayload(event, context), timeoutMs: this.timeoutMs });
  }
}

export function slackPayload(event: AlertEvent, context: NotificationContext): SlackPayload {
  const icon = event.type === "resolved" ? ICON.resolved : ICON[event.severity];
  const title = `${stateWord(event)} ${event.severity}: ${event.rule}`;
  const where = `scenario *${escapeMrkdwn(context.scenario)}* · env ${escapeMrkdwn(context.env)} · target ${escapeMrkdwn(redactUrl(context.target))} · t=${event.tS}s`;
  return {
    // The message already names the rule and its state; the severity is what a phone preview lacks.
    text: `${icon} [${event.severity}] ${escapeMrkdwn(event.message)}`,
    blocks: [
      {
        type: "header",
        text: { type: "plain_text", text: truncate(`${title}`, HEADER_MAX_CHARS), emoji: true },
      },
      { type: "section", text: { type: "mrkdwn", text: `${icon} ${escapeMrkdwn(event.message)}` } },
      { type: "context", elements: [{ type: "mrkdwn", text: where }] },
    ],
  };
}

/**
 * Slack reads `<...>` as links and mentions and `&` as an entity, and our messages contain `>` and
 * `<` as comparison operators; these three characters must be escaped as HTML entities.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
