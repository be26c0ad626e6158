import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AlertEvaluator } from "../../src/alerts/alert-evaluator.js";
import { NotificationDispatcher } from "../../src/alerts/notification-dispatcher.js";
import type { NotificationContext, Notifier } from "../../src/alerts/notifier.js";
import { parseNotifyConfig } from "../../src/alerts/notify-config.js";
import type { AlertEvent } from "../../src/alerts/rule-types.js";
import {
  type HttpReceiver,
  httpReceiver,
  mailBodyText,
  PUBLISH_RESPONSE_XML,
  smtpReceiver,
  useDummyAwsCredentials,
} from "../helpers/local-receivers.js";

/*
 * Every notifier against a real receiver on 127.0.0.1 (test/helpers/local-receivers.ts): an HTTP
 * server for Slack and webhooks, an SMTP server for email, and an HTTP server standing in for the
 * SNS endpoint that the real AWS SDK signs and posts to. Nothing leaves the machine: the SDK gets
 * dummy credentials from the environment and a loopback `endpoint`.
 */

const context: NotificationContext = {
  scenario: "baseline",
  env: "local",
  target: "redis://:hunter2@127.0.0.1:6379",
  startedAt: "2026-01-02T03:04:05.000Z",
};
const event: AlertEvent = {
  type: "firing",
  rule: "memory_high",
  metric: "memory_used_percent",
  op: ">",
  severity: "warning",
  tS: 7,
  value: 75.5,
  threshold: 70,
  message: "memory_high firing: memory_used_percent 75.5 % > 70 % for 5s",
};
const SLACK_PATH = "/services/T000/B000/topsecrettoken";

function notifiers(config: unknown[], env: NodeJS.ProcessEnv = {}): Notifier[] {
  const outcome = parseNotifyConfig(config, { env });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.value;
}

async function deliver(list: Notifier[], events: AlertEvent[], dryRun = false) {
  const lines: string[] = [];
  const dispatcher = new NotificationDispatcher(list, {
    context,
    dryRun,
    baseDelayMs: 5,
    log: (l) => lines.push(l),
  });
  for (const e of events) dispatcher.notify(e);
  return { records: await dispatcher.flush(15_000), lines };
}

/** The JSON each dry-run line block prints after "would send:". */
function printedPayloads(lines: string[]): unknown[] {
  return lines.map((l) => JSON.parse(l.slice(l.indexOf("would send:\n") + "would send:\n".length)));
}

let http: HttpReceiver;
before(async () => {
  http = await httpReceiver();
  useDummyAwsCredentials();
});
after(() => http.close());

test("Slack and generic webhook: the receiver gets the JSON body with a JSON content type", async () => {
  const env = { SLACK_URL: `${http.url}${SLACK_PATH}`, HOOK_TOKEN: "Bearer abc123" };
  const list = notifiers(
    [
      { kind: "slack", urlEnv: "SLACK_URL" },
      {
        kind: "webhook",
        url: `${http.url}/hook`,
        headers: { "X-Team": "cache" },
        headersEnv: { Authorization: "HOOK_TOKEN" },
      },
    ],
    env,
  );
  const { records, lines } = await deliver(list, [event]);
  assert.deepEqual(
    records.map((r) => [r.notifier, r.ok, r.attempts]),
    [
      [`slack ${http.url}/***`, true, 1],
      [`webhook ${http.url}/***`, true, 1],
    ],
  );
  const slack = http.requests.find((r) => r.path === SLACK_PATH)!;
  const hook = http.requests.find((r) => r.path === "/hook")!;
  assert.equal(slack.method, "POST");
  assert.equal(slack.headers["content-type"], "application/json");
  assert.deepEqual(JSON.parse(slack.body), list[0].render(event, context).payload);
  assert.match(JSON.parse(slack.body).text, /^:warning: \[warning\] memory_high firing: .*75\.5 % &gt; 70 %/);
  assert.equal(hook.headers["content-type"], "application/json");
  assert.equal(hook.headers["x-team"], "cache");
  assert.equal(hook.headers.authorization, "Bearer abc123");
  const body = JSON.parse(hook.body);
  assert.deepEqual(body.event, event);
  assert.deepEqual(body.run, { ...context, target: "redis://:***@127.0.0.1:6379" });
  assert.ok(
    !lines.join("\n").includes("topsecrettoken") && !lines.join("\n").includes("abc123"),
    "no secret logged",
  );
});

test("a rule firing and resolving in the evaluator reaches the webhook, in order", async () => {
  const receiver = await httpReceiver();
  try {
    const evaluator = new AlertEvaluator([
      { name: "slow", metric: "p99_ms", op: ">", value: 100, forMs: 1000, severity: "critical" },
    ]);
    const events = [50, 150, 150, 80].flatMap((p99Ms, i) =>
      evaluator.evaluate({ tS: i + 1, client: { opsPerSec: 10, p99Ms, errors: 0, timeouts: 0, ops: 10 } }),
    );
    await deliver(notifiers([{ kind: "webhook", url: `${receiver.url}/alerts` }]), events);
    assert.deepEqual(
      receiver.requests.map((r) => [JSON.parse(r.body).event.type, JSON.parse(r.body).event.tS]),
      [
        ["firing", 3],
        ["resolved", 4],
      ],
    );
  } finally {
    await receiver.close();
  }
});

test("retries: 500, 500, then 200 is delivered on the 3rd attempt; always 500 is recorded, never thrown", async () => {
  const flaky = await httpReceiver((n) => (n < 2 ? [500, "busy"] : [200, "ok"]));
  const broken = await httpReceiver(() => [500, "down"]);
  try {
    const { records } = await deliver(
      notifiers([
        { kind: "slack", url: `${flaky.url}/services/x` },
        { kind: "webhook", url: `${broken.url}/hook` },
      ]),
      [event],
    );
    assert.deepEqual(
      records.map((r) => [r.ok, r.attempts, r.error]),
      [
        [true, 3, undefined],
        [false, 4, 'HTTP 500 "down"'],
      ],
    );
    assert.equal(flaky.requests.length, 3);
    assert.equal(broken.requests.length, 4);
  } finally {
    await Promise.all([flaky.close(), broken.close()]);
  }
});

test("email: the SMTP server receives subject, body and recipients, with the login from env vars", async () => {
  const smtp = await smtpReceiver();
  try {
    const env = { SMTP_USER: "mailer", SMTP_PASSWORD: "s3cret-pass" };
    const list = notifiers(
      [
        {
          kind: "email",
          host: "127.0.0.1",
          port: smtp.port,
          from: "cachestress@example.com",
          to: ["oncall@example.com", "team@example.com"],
          userEnv: "SMTP_USER",
          passwordEnv: "SMTP_PASSWORD",
        },
      ],
      env,
    );
    const { records } = await deliver(list, [event]);
    assert.deepEqual(
      records.map((r) => [r.ok, r.attempts, r.error]),
      [[true, 1, undefined]],
    );
    assert.equal(smtp.mails.length, 1);
    const mail = smtp.mails[0];
    assert.deepEqual(
      [mail.from, mail.to, mail.user, mail.password],
      ["cachestress@example.com", ["oncall@example.com", "team@example.com"], "mailer", "s3cret-pass"],
    );
    assert.match(mail.raw, /^Subject: \[cachestress\] FIRING warning: memory_high \(baseline, local\)\r$/m);
    assert.match(mail.raw, /^To: oncall@example\.com, team@example\.com\r$/m);
    const sent = list[0].render(event, context).payload as { text: string };
    assert.equal(mailBodyText(mail.raw), `${sent.text}\n`);
    assert.match(sent.text, /^target: {4}redis:\/\/:\*\*\*@127\.0\.0\.1:6379$/m);
  } finally {
    await smtp.close();
  }
});

test("SNS: the real SDK signs a Publish and posts it to the loopback endpoint", async () => {
  const sns = await httpReceiver(() => [200, PUBLISH_RESPONSE_XML, "text/xml"]);
  try {
    const topicArn = "arn:aws:sns:us-east-1:123456789012:cache-alerts";
    const list = notifiers([{ kind: "sns", topicArn, endpoint: sns.url }]);
    const { records } = await deliver(list, [event]);
    assert.deepEqual(
      records.map((r) => [r.ok, r.attempts, r.error]),
      [[true, 1, undefined]],
    );
    assert.equal(sns.requests.length, 1);
    const request = sns.requests[0];
    assert.equal(request.method, "POST");
    assert.match(
      String(request.headers.authorization),
      /^AWS4-HMAC-SHA256 Credential=AKIDCACHESTRESSTEST\/\d{8}\/us-east-1\/sns\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/,
    );
    // The SNS client speaks the AWS query protocol: a form-encoded body, XML back.
    assert.match(String(request.headers["content-type"]), /^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(request.body);
    assert.equal(form.get("Action"), "Publish");
    assert.equal(form.get("TopicArn"), topicArn);
    assert.equal(form.get("Subject"), "[cachestress] FIRING warning: memory_high (baseline)");
    assert.match(
      form.get("Message") ?? "",
      /^\[FIRING\] warning: memory_high firing: memory_used_percent 75\.5 %/,
    );
    assert.equal(form.get("MessageAttributes.entry.1.Name"), "severity");
    assert.equal(form.get("MessageAttributes.entry.1.Value.StringValue"), "warning");
  } finally {
    await sns.close();
  }
});

test("answers that a retry cannot change are not retried: a refused SMTP login, an SNS AuthorizationError", async () => {
  const smtp = await smtpReceiver(true);
  const errorXml =
    '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>' +
    "<Code>AuthorizationError</Code><Message>not authorized to publish</Message></Error>" +
    "<RequestId>8e6f5a4b-0000-4000-8000-000000000000</RequestId></ErrorResponse>";
  const sns = await httpReceiver(() => [403, errorXml, "text/xml"]);
  try {
    const list = notifiers(
      [
        {
          kind: "email",
          host: "127.0.0.1",
          port: smtp.port,
          from: "a@example.com",
          to: "b@example.com",
          userEnv: "U",
          passwordEnv: "P",
        },
        { kind: "sns", topicArn: "arn:aws:sns:us-east-1:123456789012:t", endpoint: sns.url },
      ],
      { U: "mailer", P: "wrong-password" },
    );
    const { records, lines } = await deliver(list, [event]);
    // Records are in completion order; each queue works on its own.
    const byKind = (kind: string) => records.find((r) => r.notifier.startsWith(kind))!;
    const all = JSON.stringify(records);
    assert.deepEqual([byKind("email").ok, byKind("email").attempts], [false, 1], all);
    assert.deepEqual([byKind("sns").ok, byKind("sns").attempts], [false, 1], all);
    assert.match(byKind("email").error ?? "", /EAUTH/);
    assert.match(byKind("sns").error ?? "", /AuthorizationErrorException: not authorized to publish/);
    assert.equal(sns.requests.length, 1);
    assert.ok(!lines.join("\n").includes("wrong-password"));
  } finally {
    await Promise.all([smtp.close(), sns.close()]);
  }
});

test("dry run for each kind prints the exact payload and sends nothing", async () => {
  const receiver = await httpReceiver();
  const smtp = await smtpReceiver();
  try {
    const list = notifiers(
      [
        { kind: "slack", urlEnv: "SLACK_URL" },
        { kind: "webhook", url: `${receiver.url}/hook`, headersEnv: { Authorization: "HOOK_TOKEN" } },
        { kind: "email", host: "127.0.0.1", port: smtp.port, from: "a@example.com", to: "b@example.com" },
        { kind: "sns", topicArn: "arn:aws:sns:us-east-1:123456789012:t", endpoint: receiver.url },
      ],
      { SLACK_URL: `${receiver.url}${SLACK_PATH}`, HOOK_TOKEN: "Bearer abc123" },
    );
    const { records, lines } = await deliver(list, [event], true);
    assert.deepEqual(receiver.requests.length + smtp.mails.length, 0, "nothing was sent");
    assert.deepEqual(
      records.map((r) => [r.ok, r.attempts, r.dryRun]),
      Array(4).fill([true, 0, true]),
    );
    assert.deepEqual(
      printedPayloads(lines),
      list.map((n) => n.render(event, context).payload),
    );
    const all = lines.join("\n");
    assert.ok(!all.includes("topsecrettoken") && !all.includes("abc123") && !all.includes("hunter2"), all);
    assert.match(lines[0], /^\[dry-run\] slack http:\/\/127\.0\.0\.1:\d+\/\*\*\*: memory_high firing/);
    assert.match(lines[1], /with headers Authorization: \*\*\*/);
    const mail = printedPayloads(lines)[2] as { subject: string; to: string[] };
    assert.deepEqual(
      [mail.subject, mail.to],
      ["[cachestress] FIRING warning: memory_high (baseline, local)", ["b@example.com"]],
    );
    const publish = printedPayloads(lines)[3] as { TopicArn: string; Message: string };
    assert.equal(publish.TopicArn, "arn:aws:sns:us-east-1:123456789012:t");
  } finally {
    await Promise.all([receiver.close(), smtp.close()]);
  }
});
