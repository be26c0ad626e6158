import assert from "node:assert/strict";
import { test } from "node:test";
import { NotificationDispatcher } from "../../../src/alerts/notification-dispatcher.js";
import {
  type NotificationContext,
  type Notifier,
  NotifyError,
  redactWebhookUrl,
} from "../../../src/alerts/notifier.js";
import { slackPayload } from "../../../src/alerts/notifiers/slack.js";
import { SnsNotifier, snsSubject } from "../../../src/alerts/notifiers/sns.js";
import type { AlertEvent } from "../../../src/alerts/rule-types.js";

const context: NotificationContext = {
  scenario: "baseline",
  env: "local",
  target: "redis://:pw@127.0.0.1:6379",
};
const event: AlertEvent = {
  type: "firing",
  rule: "p99_high",
  metric: "p99_ms",
  op: ">",
  severity: "critical",
  tS: 12,
  value: 612.5,
  threshold: 500,
  message: "p99_high firing: p99_ms 612.5 ms > 500 ms for 5s",
};

/** A notifier whose n-th send fails with the n-th given error (undefined = success). */
function scripted(name: string, outcomes: (Error | undefined)[], sent: string[] = []): Notifier {
  let call = 0;
  return {
    kind: "webhook",
    describe: () => name,
    render: (e) => ({ summary: `${name}: ${e.message}`, payload: { rule: e.rule } }),
    send: async (e) => {
      const outcome = outcomes[call++];
      if (outcome !== undefined) throw outcome;
      sent.push(`${name} ${e.type} ${e.rule}`);
    },
  };
}

const retryable = (m: string) => new NotifyError(m, { retryable: true });

test("a failing delivery is retried with backoff until it succeeds or attempts run out", async () => {
  const lines: string[] = [];
  const dispatcher = new NotificationDispatcher(
    [
      scripted("flaky", [retryable("HTTP 500"), retryable("HTTP 500")]),
      scripted("dead", [
        retryable("HTTP 500"),
        retryable("HTTP 502"),
        retryable("HTTP 503"),
        retryable("HTTP 504"),
      ]),
      scripted("gone", [new NotifyError("HTTP 404", { retryable: false })]),
      scripted("plain throw", [new Error("boom")]),
    ],
    { context, baseDelayMs: 1, log: (l) => lines.push(l) },
  );
  dispatcher.notify(event);
  const records = await dispatcher.flush(5000);
  const byNotifier = Object.fromEntries(records.map((r) => [r.notifier, [r.ok, r.attempts, r.error]]));
  assert.deepEqual(byNotifier, {
    flaky: [true, 3, undefined],
    dead: [false, 4, "HTTP 504"],
    gone: [false, 1, "HTTP 404"],
    "plain throw": [true, 2, undefined],
  });
  assert.ok(
    lines.some((l) => /flaky ← firing p99_high: delivered after 3 attempts/.test(l)),
    lines.join("\n"),
  );
  assert.ok(lines.some((l) => /gone .* NOT delivered after 1 attempt\(s\) \(not retried/.test(l)));
});

test("events for one notifier are delivered in order; notify returns before any send", async () => {
  const sent: string[] = [];
  const dispatcher = new NotificationDispatcher([scripted("a", [retryable("x")], sent)], {
    context,
    baseDelayMs: 1,
  });
  dispatcher.notify(event);
  dispatcher.notify({ ...event, type: "resolved" });
  assert.deepEqual(sent, [], "nothing is sent synchronously");
  await dispatcher.flush(5000);
  assert.deepEqual(sent, ["a firing p99_high", "a resolved p99_high"]);
});

test("flush gives up at its timeout and records what was not delivered", async () => {
  const hanging: Notifier = { ...scripted("hang", []), send: () => new Promise(() => {}) };
  const dispatcher = new NotificationDispatcher([hanging], { context });
  dispatcher.notify(event);
  dispatcher.notify({ ...event, type: "resolved" });
  const records = await dispatcher.flush(50);
  assert.deepEqual(
    records.map((r) => [r.eventType, r.ok, r.error]),
    [
      ["firing", false, "not delivered within the flush timeout of 50ms"],
      ["resolved", false, "not delivered within the flush timeout of 50ms"],
    ],
  );
  dispatcher.notify(event);
  assert.match(dispatcher.records.at(-1)?.error ?? "", /already flushed/);
});

test("dry run logs the exact payload and sends nothing", async () => {
  const sent: string[] = [];
  const lines: string[] = [];
  const dispatcher = new NotificationDispatcher([scripted("x", [], sent)], {
    context,
    dryRun: true,
    log: (l) => lines.push(l),
  });
  dispatcher.notify(event);
  assert.deepEqual(await dispatcher.flush(100), [
    {
      notifier: "x",
      eventRule: "p99_high",
      eventType: "firing",
      eventTS: 12,
      ok: true,
      attempts: 0,
      dryRun: true,
    },
  ]);
  assert.deepEqual(sent, []);
  assert.equal(
    lines.join("\n"),
    `[dry-run] x: ${event.message}\n[dry-run] would send:\n{\n  "rule": "p99_high"\n}`,
  );
});

test("backoff doubles per attempt, half of it jittered, capped, and honours Retry-After", () => {
  const fixed = (r: number) =>
    new NotificationDispatcher([], { context, baseDelayMs: 100, maxDelayMs: 1000, random: () => r });
  const cases: [number, number, number | undefined, number][] = [
    [0, 1, undefined, 50],
    [1, 1, undefined, 100],
    [0, 2, undefined, 100],
    [1, 3, undefined, 400],
    [1, 10, undefined, 1000],
    [0, 1, 700, 700],
    [0, 1, 60_000, 1000],
  ];
  for (const [random, attempt, retryAfterMs, expected] of cases)
    assert.equal(
      fixed(random).backoffMs(attempt, retryAfterMs),
      expected,
      `${random} ${attempt} ${retryAfterMs}`,
    );
});

test("webhook URLs print as their origin only", () => {
  const cases: [string, string][] = [
    ["https://hooks.slack.com/services/T0/B0/abcdef", "https://hooks.slack.com/***"],
    ["http://127.0.0.1:8080/hook?token=abc", "http://127.0.0.1:8080/***"],
    ["https://user:pw@example.com/x", "https://user:***@example.com/***"],
    ["https://example.com", "https://example.com"],
    ["https://example.com/", "https://example.com/"],
    ["not a url", "***"],
  ];
  for (const [url, expected] of cases) assert.equal(redactWebhookUrl(url), expected, url);
});

test("Slack text escapes <, > and & and the target URL is redacted", () => {
  const payload = slackPayload({ ...event, message: "a < b > c & d" }, context);
  assert.equal(payload.text, ":rotating_light: [critical] a &lt; b &gt; c &amp; d");
  assert.ok(!JSON.stringify(payload).includes(":pw@"));
  assert.match(JSON.stringify(payload.blocks), /redis:\/\/:\*\*\*@127\.0\.0\.1:6379/);
});

test("SNS subjects are short printable ASCII; FIFO topics get a group and a dedup id", () => {
  const subject = snsSubject({ ...event, rule: `r${"é".repeat(200)}` }, context);
  assert.equal(subject.length, 99);
  assert.match(subject, /^[\x20-\x7e]+$/);
  const fifo = new SnsNotifier({
    topicArn: "arn:aws:sns:eu-west-1:123456789012:alerts.fifo",
    region: "eu-west-1",
  });
  const input = fifo.publishInput(event, context);
  assert.equal(input.MessageGroupId, "p99_high");
  assert.equal(input.MessageDeduplicationId, "p99_high-firing-12");
  assert.equal(input.MessageAttributes?.severity?.StringValue, "critical");
});
