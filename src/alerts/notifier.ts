import { REDACTED, redactUrl } from "../core/redact.js";
import type { AlertEvent } from "./rule-types.js";

/**
 * What every notification channel (Slack, webhook, email, SNS) offers. Rendering is separate from
 * sending so that a dry run prints exactly the payload `send` would deliver, built by the same code.
 *
 * The dispatcher (retries, dry run) is in notification-dispatcher.ts and the `notify:` parser in
 * notify-config.ts; this file imports neither, so the notifiers can import it without a cycle.
 */

export type NotifierKind = "slack" | "webhook" | "email" | "sns";

/** The run an event belongs to; every field is safe to print (the target URL is redacted). */
export interface NotificationContext {
  scenario: string;
  env: string;
  /** The target's URL with its password replaced by `***` (RunResult.target.url). */
  target: string;
  /** ISO time the run started. */
  startedAt?: string;
  /** cachestress version, for the receiver's logs. */
  toolVersion?: string;
}

export interface RenderedNotification {
  /** One line for logs: what goes where. */
  summary: string;
  /** Exactly what `send` transmits: the JSON body, the mail fields or the SNS Publish input. */
  payload: unknown;
}

export interface Notifier {
  readonly kind: NotifierKind;
  /** An escalation notifier (`escalateAfter:` in its notify entry) hears only of firings this old, ms. */
  escalateAfterMs?: number;
  /** The destination with its secrets redacted, safe for logs and the result file. */
  describe(): string;
  render(event: AlertEvent, context: NotificationContext): RenderedNotification;
  /** Delivers once, without retrying (the dispatcher retries); throws NotifyError on failure. */
  send(event: AlertEvent, context: NotificationContext): Promise<void>;
}

/**
 * A failed delivery. `retryable` is false for answers that will not change on a retry (a 404 for a
 * deleted webhook, a 400 for a payload the receiver rejects), so the dispatcher stops at once.
 */
export class NotifyError extends Error {
  readonly code = "E_NOTIFY";
  readonly retryable: boolean;
  /** From a `Retry-After` header (429/503), ms. */
  readonly retryAfterMs?: number;

  constructor(message: string, options: { retryable: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "NotifyError";
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A webhook URL reduced to what may be printed: scheme, host and port. Slack incoming-webhook URLs
 * (and most generic webhooks) carry their secret in the path, so the whole path and query become
 * `***`; user info is redacted as in connection URLs.
 */
export function redactWebhookUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)(.*)$/i.exec(url.trim());
  if (match === null) return REDACTED;
  const origin = redactUrl(match[1]);
  const rest = match[2];
  return rest === "" || rest === "/" ? origin + rest : `${origin}/${REDACTED}`;
}

/** Removes every occurrence of each secret from text (an error message that quotes a URL). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** The state word in titles and subjects: `FIRING` / `RESOLVED`, `FIRING (reminder 2)`, `ESCALATED`. */
export function stateWord(event: AlertEvent): string {
  if (event.type === "resolved") return "RESOLVED";
  if (event.escalated === true) return "ESCALATED";
  return event.repeat !== undefined ? `FIRING (reminder ${event.repeat})` : "FIRING";
}

/** A plain-text rendering used by email and SNS, several lines, no markup. */
export function plainText(event: AlertEvent, context: NotificationContext): string {
  const lines = [
    `[${stateWord(event)}] ${event.severity}: ${event.message}`,
    "",
    `rule:      ${event.rule}`,
    `metric:    ${event.metric} = ${event.value} (alert when ${event.op} ${event.threshold})`,
    `at:        ${event.tS} s into the run`,
    `scenario:  ${context.scenario}`,
    `env:       ${context.env}`,
    `target:    ${redactUrl(context.target)}`,
  ];
  if (context.startedAt !== undefined) lines.push(`started:   ${context.startedAt}`);
  lines.push("", "sent by cachestress");
  return lines.join("\n");
}
