import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultRules } from "../../../src/alerts/default-rules.js";
import { parseNotifyConfig } from "../../../src/alerts/notify-config.js";
import { parseAlertsSection } from "../../../src/alerts/rule-parse.js";

const SECRET = "T000/B000/XXXXsecretXXXX";
const env = {
  SLACK_WEBHOOK_URL: `https://hooks.slack.com/services/${SECRET}`,
  BAD_URL: `ftp://hooks.example.com/${SECRET}`,
  HOOK_TOKEN: "Bearer tok-123456",
  SMTP_USER: "mailer",
  SMTP_PASSWORD: "pw-secret-1",
};

function parse(section: unknown, profile?: "cache" | "buffer") {
  return parseAlertsSection(section, { defaults: defaultRules(profile), env, source: "scenario.yaml" });
}

function problemsOf(section: unknown): [string, unknown, string][] {
  const outcome = parse(section);
  assert.ok(!outcome.ok, "expected problems");
  for (const p of outcome.problems) assert.equal(p.source, "scenario.yaml");
  const text = JSON.stringify(outcome.problems);
  for (const secret of [SECRET, env.HOOK_TOKEN, env.SMTP_PASSWORD])
    assert.ok(!text.includes(secret), "no secret in any problem");
  return outcome.problems.map((p) => [p.field, p.value, p.allowed]);
}

test("no section means the profile's default rules and no notifier", () => {
  for (const section of [undefined, null, {}]) {
    const outcome = parse(section, "cache");
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.value.rules, defaultRules("cache"));
    assert.deepEqual(outcome.value.notifiers, []);
  }
});

test("rules amend defaults by name, switch them off, and add new ones", () => {
  const outcome = parse(
    {
      rules: [
        { name: "memory_high", value: 80, for: "1m30s" },
        { name: "p99_high", severity: "warning" },
        { name: "hit_ratio_low", disabled: true },
        { name: "evictions", for: 2 },
        { name: "slow_get", metric: "p99_ms", op: ">=", value: 50, description: "GETs slower than the SLO" },
      ],
    },
    "cache",
  );
  assert.ok(outcome.ok, JSON.stringify(outcome));
  const byName = new Map(outcome.value.rules.map((r) => [r.name, r]));
  assert.deepEqual(byName.get("memory_high"), {
    name: "memory_high",
    metric: "memory_used_percent",
    op: ">",
    value: 80,
    forMs: 90_000,
    severity: "warning",
  });
  const p99 = byName.get("p99_high")!;
  assert.equal(p99.severity, "warning");
  assert.equal(p99.value, 500);
  assert.match(p99.description ?? "", /500 ms/, "same condition keeps its description");
  assert.ok(!byName.has("hit_ratio_low"));
  // A buffer-profile rule switched on for a cache by naming it; a bare number of `for` is seconds.
  assert.deepEqual(
    [byName.get("evictions")?.metric, byName.get("evictions")?.forMs],
    ["evicted_keys_per_sec", 2000],
  );
  assert.deepEqual(byName.get("slow_get"), {
    name: "slow_get",
    metric: "p99_ms",
    op: ">=",
    value: 50,
    forMs: 0,
    severity: "warning",
    description: "GETs slower than the SLO",
  });
  assert.deepEqual(
    outcome.value.rules.map((r) => r.name),
    [
      "memory_high",
      "p99_high",
      "timeouts_high",
      "rejected_connections",
      "clients_near_max",
      "connections_in_use_high",
      "evictions",
      "slow_get",
    ],
  );
});

test("every problem in the rules is reported at once, with its path, value and what is allowed", () => {
  const problems = problemsOf({
    rule: [],
    rules: [
      { name: "slow", metric: "p99", op: "=>", value: "500", for: "5 minutes", severity: "page" },
      { name: "x", metric: "hit_ratio_percent", op: "<", value: 120, for: -1 },
      { name: "new_rule" },
      { name: "memory_high", valeu: 80, for: "48h" },
      { name: "memory_high", value: 80 },
      { name: "no_such_default", disabled: true },
      "memory > 70",
      { name: "9lives", metric: "ops_per_sec", op: "<", value: 1 },
    ],
  });
  const expected: [string, unknown, RegExp][] = [
    ["alerts.rule", [], /one of the fields rules, notify, repeatEvery, ackFile \(did you mean "rules"\?\)/],
    ["alerts.rules[0].metric", "p99", /one of memory_used_percent, p99_ms.* \(did you mean "p99_ms"\?\)/],
    ["alerts.rules[0].op", "=>", /one of > >= < <=|one of >, >=, <, <=/],
    ["alerts.rules[0].value", "500", /a number in the metric's unit/],
    ["alerts.rules[0].for", "5 minutes", /a duration up to 24h, e.g. 0s, 30s, 2m/],
    ["alerts.rules[0].severity", "page", /one of critical, warning, info/],
    ["alerts.rules[1].value", 120, /a limit from 0 to 100 for hit_ratio_percent/],
    ["alerts.rules[1].for", -1, /a duration/],
    ["alerts.rules[2].metric", undefined, /required for a new rule \(one of memory_used_percent/],
    ["alerts.rules[2].op", undefined, /required for a new rule/],
    ["alerts.rules[2].value", undefined, /required for a new rule/],
    ["alerts.rules[3].valeu", 80, /did you mean "value"\?/],
    ["alerts.rules[3].for", "48h", /up to 24h/],
    ["alerts.rules[4].name", "memory_high", /each rule name once/],
    [
      "alerts.rules[5].name",
      "no_such_default",
      /the name of a default rule to switch off: memory_high, p99_high/,
    ],
    ["alerts.rules[6]", "memory > 70", /a rule: name, metric, op, value/],
    ["alerts.rules[7].name", "9lives", /starting with a letter/],
  ];
  assert.equal(problems.length, expected.length, JSON.stringify(problems, null, 1));
  expected.forEach(([field, value, allowed], i) => {
    assert.equal(problems[i][0], field);
    assert.deepEqual(problems[i][1], value, field);
    assert.match(problems[i][2], allowed, field);
  });
});

test("a section of the wrong shape", () => {
  assert.deepEqual(
    problemsOf("yes").map((p) => p[0]),
    ["alerts"],
  );
  assert.deepEqual(
    problemsOf({ rules: { name: "x" } }).map((p) => p[0]),
    ["alerts.rules"],
  );
  assert.deepEqual(
    problemsOf({ notify: { kind: "slack" } }).map((p) => p[0]),
    ["alerts.notify"],
  );
});

test("notifiers: every kind parses, secrets are read from the environment", () => {
  const outcome = parseNotifyConfig(
    [
      { kind: "slack", urlEnv: "SLACK_WEBHOOK_URL" },
      {
        kind: "webhook",
        url: "http://127.0.0.1:9/hook",
        headers: { "X-Team": "cache" },
        headersEnv: { Authorization: "HOOK_TOKEN" },
      },
      {
        kind: "email",
        host: "127.0.0.1",
        port: 2525,
        from: "a@example.com",
        to: "b@example.com",
        userEnv: "SMTP_USER",
        passwordEnv: "SMTP_PASSWORD",
      },
      { kind: "sns", topicArn: "arn:aws:sns:eu-west-1:123456789012:cache-alerts" },
    ],
    { env },
  );
  assert.ok(outcome.ok, JSON.stringify(outcome));
  assert.deepEqual(
    outcome.value.map((n) => n.describe()),
    [
      "slack https://hooks.slack.com/***",
      "webhook http://127.0.0.1:9/***",
      "email smtp://127.0.0.1:2525 to b@example.com",
      "sns arn:aws:sns:eu-west-1:123456789012:cache-alerts",
    ],
  );
});

test("every notifier problem at once; no secret value is ever shown", () => {
  const problems = problemsOf({
    notify: [
      { kind: "slak", urlEnv: "SLACK_WEBHOOK_URL" },
      { kind: "slack", url: env.SLACK_WEBHOOK_URL, urlEnv: "SLACK_WEBHOOK_URL" },
      { kind: "slack", urlEnv: "NOT_SET_ANYWHERE" },
      {
        kind: "webhook",
        urlEnv: "BAD_URL",
        headers: { "Bad Header": "x" },
        headersEnv: { Authorization: "NOPE" },
      },
      { kind: "email", host: "", port: 70000, from: "nobody", to: [], userEnv: "SMTP_USER" },
      {
        kind: "sns",
        topicArn: "arn:aws:sns:eu-west-1:123:short",
        region: "eu-west-1",
        endpoint: "localhost:4566",
      },
      { kind: "sns", topicArn: "arn:aws:sns:eu-west-1:123456789012:t", region: "us-east-1" },
      { kind: "slack", url: "https://hooks.slack.com/x", token: "abc" },
    ],
  });
  const expected: [string, unknown, RegExp][] = [
    ["alerts.notify[0].kind", "slak", /one of slack, webhook, email, sns \(did you mean "slack"\?\)/],
    ["alerts.notify[1].urlEnv", "SLACK_WEBHOOK_URL", /exactly one of url and urlEnv/],
    ["alerts.notify[2].urlEnv", "NOT_SET_ANYWHERE", /NOT_SET_ANYWHERE is not set/],
    ["alerts.notify[3].urlEnv", "$BAD_URL = ftp://hooks.example.com/***", /http:\/\/ or https:\/\//],
    ["alerts.notify[3].headers.Bad Header", "Bad Header", /a header name/],
    ["alerts.notify[3].headersEnv.Authorization", "NOPE", /NOPE is not set/],
    ["alerts.notify[4].host", "", /host name/],
    ["alerts.notify[4].port", 70000, /1 to 65535/],
    ["alerts.notify[4].from", "nobody", /an email address/],
    ["alerts.notify[4].to", [], /one address or a list/],
    ["alerts.notify[4].passwordEnv", undefined, /userEnv and passwordEnv together/],
    ["alerts.notify[5].topicArn", "arn:aws:sns:eu-west-1:123:short", /a topic ARN/],
    ["alerts.notify[5].endpoint", "localhost:4566", /http:\/\/ or https:\/\//],
    ["alerts.notify[6].region", "us-east-1", /the topic's own region, eu-west-1/],
    ["alerts.notify[7].token", "abc", /one of the fields kind, url, urlEnv/],
  ];
  assert.equal(problems.length, expected.length, JSON.stringify(problems, null, 1));
  expected.forEach(([field, value, allowed], i) => {
    assert.equal(problems[i][0], field);
    assert.deepEqual(problems[i][1], value, field);
    assert.match(problems[i][2], allowed, field);
  });
});
