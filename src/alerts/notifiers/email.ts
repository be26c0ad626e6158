import { redactText } from "../../core/redact.js";
import {
  type NotificationContext,
  type Notifier,
  NotifyError,
  plainText,
  type RenderedNotification,
  scrubSecrets,
  stateWord,
} from "../notifier.js";
import type { AlertEvent } from "../rule-types.js";

/**
 * Email over SMTP with nodemailer. A transport is opened per message and closed after it: alerts
 * are rare, and a pooled connection left open would keep the process alive after the run and time
 * out on servers that drop idle clients. The user name and password come from environment
 * variables and appear in no log, summary or error text.
 */

export interface EmailNotifierOptions {
  host: string;
  port: number;
  /** TLS from the first byte (port 465). Otherwise STARTTLS is used when the server offers it. */
  secure: boolean;
  from: string;
  to: string[];
  user?: string;
  password?: string;
  /** For each stage of the SMTP dialogue (connect, greeting, idle socket), ms. */
  timeoutMs?: number;
}

export interface EmailPayload {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export class EmailNotifier implements Notifier {
  readonly kind = "email" as const;

  constructor(private readonly options: EmailNotifierOptions) {}

  describe(): string {
    const { host, port, secure, to } = this.options;
    return `email ${secure ? "smtps" : "smtp"}://${host}:${port} to ${to.join(", ")}`;
  }

  render(event: AlertEvent, context: NotificationContext): RenderedNotification {
    return { summary: `${this.describe()}: ${event.message}`, payload: this.payload(event, context) };
  }

  async send(event: AlertEvent, context: NotificationContext): Promise<void> {
    const { host, port, secure, user, password } = this.options;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Loaded on first use, so runs without an email notifier never pay for importing it.
    const { createTransport } = await import("nodemailer");
    const transport = createTransport({
      host,
      port,
      secure,
      auth: user !== undefined ? { user, pass: password ?? "" } : undefined,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      // The message is plain text built here; nothing in it should make nodemailer read a file or URL.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    try {
      await transport.sendMail(this.payload(event, context));
    } catch (error) {
      throw toNotifyError(error, [user, password]);
    } finally {
      transport.close();
    }
  }

  private payload(event: AlertEvent, context: NotificationContext): EmailPayload {
    const { from, to } = this.options;
    return { from, to: [...to], subject: emailSubject(event, context), text: plainText(event, context) };
  }
}

export function emailSubject(event: AlertEvent, context: NotificationContext): string {
  return `[cachestress] ${stateWord(event)} ${event.severity}: ${event.rule} (${context.scenario}, ${context.env})`;
}

/**
 * SMTP says itself whether to try again: 4xx replies are transient, 5xx permanent. A failed login
 * or a rejected address will not fix itself either; a dropped connection or a timeout may.
 */
function toNotifyError(error: unknown, secrets: (string | undefined)[]): NotifyError {
  const e = error as { code?: string; responseCode?: number; message?: string };
  const permanent =
    (e.responseCode !== undefined && e.responseCode >= 500) ||
    e.code === "EAUTH" ||
    e.code === "ENOAUTH" ||
    e.code === "EENVELOPE" ||
    e.code === "ECONFIG";
  const known = secrets.filter((s): s is string => s !== undefined);
  const text = redactText(scrubSecrets(e.message ?? String(error), known));
  const code = e.code !== undefined ? `${e.code}: ` : "";
  return new NotifyError(`${code}${text}`, { retryable: !permanent });
}
