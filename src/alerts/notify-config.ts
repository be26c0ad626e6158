import {
  checkKeys,
  fromEnv,
  httpUrl,
  isPlainObject,
  nonEmptyString,
  oneOf,
  type ParseOutcome,
  Problems,
  parseRepeat,
} from "./config-fields.js";
import { type Notifier, type NotifierKind, redactWebhookUrl } from "./notifier.js";
import { EmailNotifier } from "./notifiers/email.js";
import { SlackNotifier } from "./notifiers/slack.js";
import { SnsNotifier } from "./notifiers/sns.js";
import { WebhookNotifier } from "./notifiers/webhook.js";

/**
 * The `alerts.notify` list: one entry per destination, `kind` first. Secrets are named by
 * environment variable (`urlEnv`, `userEnv`, `passwordEnv`, `headersEnv`) and read here, once, so
 * that a missing variable is a config error before the run rather than a failed page during it.
 * Examples are in docs/alerts.md.
 */

const KINDS: readonly NotifierKind[] = ["slack", "webhook", "email", "sns"];
const FIELDS: Record<NotifierKind, readonly string[]> = {
  slack: ["kind", "url", "urlEnv", "escalateAfter"],
  webhook: ["kind", "url", "urlEnv", "headers", "headersEnv", "escalateAfter"],
  email: ["kind", "host", "port", "secure", "from", "to", "userEnv", "passwordEnv", "escalateAfter"],
  sns: ["kind", "topicArn", "region", "endpoint", "escalateAfter"],
};
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const EMAIL = /^(?:[^<>]*<\s*[^\s@<>]+@[^\s@<>]+\s*>|[^\s@<>]+@[^\s@<>]+)$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

export interface NotifyConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Field path of the list, `alerts.notify` by default. */
  path?: string;
  source?: string;
}

export function parseNotifyConfig(raw: unknown, options: NotifyConfigOptions = {}): ParseOutcome<Notifier[]> {
  const path = options.path ?? "alerts.notify";
  const env = options.env ?? process.env;
  const problems = new Problems(options.source);
  const notifiers: Notifier[] = [];
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) {
    problems.add(path, raw, "a list of notifiers, e.g. [{ kind: slack, urlEnv: SLACK_WEBHOOK_URL }]");
  } else {
    (raw ?? []).forEach((item: unknown, i: number) => {
      const at = `${path}[${i}]`;
      if (!isPlainObject(item)) {
        problems.add(at, item, `a notifier: { kind: ${KINDS.join(" | ")}, ... }`);
        return;
      }
      const kind = oneOf(item.kind, KINDS, `${at}.kind`, problems);
      if (kind === undefined) return;
      checkKeys(item, FIELDS[kind], at, problems);
      const before = problems.list.length;
      const notifier = build(kind, item, at, env, problems);
      // An escalation notifier hears only of firings that last this long without an acknowledgement.
      const escalateAfterMs =
        item.escalateAfter === undefined
          ? undefined
          : parseRepeat(item.escalateAfter, `${at}.escalateAfter`, problems);
      if (notifier !== undefined && escalateAfterMs !== undefined) notifier.escalateAfterMs = escalateAfterMs;
      if (notifier !== undefined && problems.list.length === before) notifiers.push(notifier);
    });
  }
  return problems.list.length > 0 ? { ok: false, problems: problems.list } : { ok: true, value: notifiers };
}

function build(
  kind: NotifierKind,
  item: Record<string, unknown>,
  at: string,
  env: NodeJS.ProcessEnv,
  problems: Problems,
): Notifier | undefined {
  switch (kind) {
    case "slack": {
      const url = secretUrl(item, at, env, problems);
      return url === undefined ? undefined : new SlackNotifier(url);
    }
    case "webhook": {
      const url = secretUrl(item, at, env, problems);
      const headers = headerMap(item.headers, `${at}.headers`, problems, (v) => v);
      const secretHeaders = headerMap(item.headersEnv, `${at}.headersEnv`, problems, (name, field) =>
        fromEnv(name, field, env, problems),
      );
      return url === undefined ? undefined : new WebhookNotifier({ url, headers, secretHeaders });
    }
    case "email":
      return email(item, at, env, problems);
    case "sns":
      return sns(item, at, problems);
  }
}

/** Exactly one of `url` (inline) and `urlEnv` (the name of a variable holding it). */
function secretUrl(item: Record<string, unknown>, at: string, env: NodeJS.ProcessEnv, problems: Problems) {
  if ((item.url === undefined) === (item.urlEnv === undefined)) {
    const shown = typeof item.url === "string" ? redactWebhookUrl(item.url) : item.url;
    problems.add(
      `${at}.urlEnv`,
      item.urlEnv ?? shown,
      "exactly one of url and urlEnv (urlEnv keeps the secret URL out of the file)",
    );
    return undefined;
  }
  if (item.urlEnv !== undefined) {
    const value = fromEnv(item.urlEnv, `${at}.urlEnv`, env, problems);
    return value === undefined
      ? undefined
      : httpUrl(value, `${at}.urlEnv`, `$${item.urlEnv} = ${redactWebhookUrl(value)}`, problems);
  }
  if (typeof item.url !== "string") {
    problems.add(`${at}.url`, item.url, "an http:// or https:// URL");
    return undefined;
  }
  return httpUrl(item.url, `${at}.url`, redactWebhookUrl(item.url), problems);
}

function headerMap(
  raw: unknown,
  field: string,
  problems: Problems,
  readValue: (value: string, field: string) => string | undefined,
): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  if (!isPlainObject(raw)) {
    problems.add(field, raw, "a map of header name to value, e.g. { X-Team: cache }");
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const at = `${field}.${name}`;
    if (!HEADER_NAME.test(name)) {
      problems.add(at, name, "a header name of letters, digits and - _ .");
      continue;
    }
    const text = typeof value === "string" ? readValue(value, at) : undefined;
    if (typeof value !== "string") problems.add(at, value, "a one-line string");
    // The value shown is what the file says (for headersEnv the variable's name), never the secret.
    else if (text !== undefined && /[\r\n]/.test(text))
      problems.add(at, value, "a value without line breaks");
    else if (text !== undefined) out[name] = text;
  }
  return out;
}

function email(item: Record<string, unknown>, at: string, env: NodeJS.ProcessEnv, problems: Problems) {
  const host = nonEmptyString(item.host, `${at}.host`, problems, "the SMTP server's host name");
  if (item.secure !== undefined && typeof item.secure !== "boolean")
    problems.add(
      `${at}.secure`,
      item.secure,
      "true (TLS from the start, port 465) or false (STARTTLS when offered)",
    );
  const port = item.port ?? (item.secure === true ? 465 : 587);
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)
    problems.add(`${at}.port`, item.port, "a port from 1 to 65535 (default 587, or 465 with secure: true)");
  const secure = typeof item.secure === "boolean" ? item.secure : port === 465;
  const from = address(item.from, `${at}.from`, problems);
  const toList = typeof item.to === "string" ? [item.to] : item.to;
  if (!Array.isArray(toList) || toList.length === 0)
    problems.add(`${at}.to`, item.to, "one address or a list of addresses, e.g. [oncall@example.com]");
  const to = Array.isArray(toList) ? toList.map((a, i) => address(a, `${at}.to[${i}]`, problems)) : [];
  if ((item.userEnv === undefined) !== (item.passwordEnv === undefined))
    problems.add(
      `${at}.passwordEnv`,
      item.passwordEnv,
      "userEnv and passwordEnv together, or neither for a server without login",
    );
  const user = item.userEnv === undefined ? undefined : fromEnv(item.userEnv, `${at}.userEnv`, env, problems);
  const password =
    item.passwordEnv === undefined
      ? undefined
      : fromEnv(item.passwordEnv, `${at}.passwordEnv`, env, problems);
  if (host === undefined || from === undefined || to.some((a) => a === undefined)) return undefined;
  return new EmailNotifier({ host, port: port as number, secure, from, to: to as string[], user, password });
}

function address(value: unknown, field: string, problems: Problems): string | undefined {
  if (typeof value === "string" && EMAIL.test(value.trim())) return value.trim();
  problems.add(
    field,
    value,
    'an email address, e.g. alerts@example.com or "Cache alerts <alerts@example.com>"',
  );
  return undefined;
}

function sns(item: Record<string, unknown>, at: string, problems: Problems) {
  const arn = typeof item.topicArn === "string" ? TOPIC_ARN.exec(item.topicArn) : null;
  if (arn === null)
    problems.add(
      `${at}.topicArn`,
      item.topicArn,
      "a topic ARN, e.g. arn:aws:sns:eu-west-1:123456789012:cache-alerts",
    );
  let region = arn?.[1];
  if (item.region !== undefined) {
    if (typeof item.region !== "string" || !REGION.test(item.region))
      problems.add(
        `${at}.region`,
        item.region,
        "an AWS region such as eu-west-1 (default: the topic ARN's region)",
      );
    else if (region !== undefined && item.region !== region)
      problems.add(`${at}.region`, item.region, `the topic's own region, ${region}, or nothing`);
    else region = item.region;
  }
  let endpoint: string | undefined;
  if (item.endpoint !== undefined) {
    endpoint =
      typeof item.endpoint === "string"
        ? httpUrl(item.endpoint, `${at}.endpoint`, item.endpoint, problems)
        : undefined;
    if (typeof item.endpoint !== "string")
      problems.add(`${at}.endpoint`, item.endpoint, "an http:// or https:// URL");
  }
  if (arn === null || region === undefined) return undefined;
  return new SnsNotifier({ topicArn: arn[0], region, endpoint });
}
