import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { runScenario } from "../../src/run/run-scenario.js";
import {
  httpReceiver,
  PUBLISH_RESPONSE_XML,
  smtpReceiver,
  useDummyAwsCredentials,
} from "../helpers/local-receivers.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

describe("live alerts during a real run", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
    useDummyAwsCredentials();
  });
  after(async () => {
    await redis.stop();
  });

  it("a rule fires while the load is high, resolves when it drops, and every local receiver gets both", async () => {
    const http = await httpReceiver((n) => [200, n >= 0 ? "ok" : ""]);
    const sns = await httpReceiver(() => [200, PUBLISH_RESPONSE_XML, "text/xml"]);
    const smtp = await smtpReceiver();
    process.env.CS_TEST_SLACK_URL = `${http.url}/slack/T000/B000/secret`;
    try {
      const lines: string[] = [];
      const { result, markdownPath } = await runScenario(
        testRunConfig({
          url: redis.url,
          durationMs: undefined,
          stages: [
            { kind: "constant", durationMs: 3000, rate: 3000 },
            { kind: "constant", durationMs: 3000, rate: 200 },
          ],
          pipeline: 64,
          alerts: {
            rules: [
              { name: "busy", metric: "ops_per_sec", op: ">", value: 1000, for: "1s", severity: "warning" },
            ],
            notify: [
              { kind: "slack", urlEnv: "CS_TEST_SLACK_URL" },
              { kind: "webhook", url: `${http.url}/hook` },
              {
                kind: "email",
                host: "127.0.0.1",
                port: smtp.port,
                from: "cs@example.com",
                to: ["oncall@example.com"],
              },
              { kind: "sns", topicArn: "arn:aws:sns:us-east-1:123456789012:cache-alerts", endpoint: sns.url },
            ],
          },
        }),
        { onNotice: (line) => lines.push(line) },
      );
      const busy = (result.alerts?.events ?? []).filter((e) => e.rule === "busy");
      assert.deepEqual(
        busy.map((e) => e.type),
        ["firing", "resolved"],
        JSON.stringify(result.alerts?.events),
      );
      assert.ok(busy[0].tS >= 1 && busy[0].tS <= 3.5, `fired at ${busy[0].tS}`);
      assert.ok(busy[1].tS > 3 && busy[1].tS <= 6.5, `resolved at ${busy[1].tS}`);
      assert.ok(lines.some((l) => l.startsWith("ALERT ") && l.includes("busy")));
      // Two events × four notifiers, every one delivered.
      const deliveries = result.alerts?.deliveries.filter((d) => d.eventRule === "busy") ?? [];
      assert.equal(deliveries.length, 8, JSON.stringify(deliveries));
      assert.ok(deliveries.every((d) => d.ok));
      assert.equal(http.requests.filter((r) => r.path.startsWith("/slack/")).length, 2);
      assert.equal(http.requests.filter((r) => r.path === "/hook").length, 2);
      assert.equal(smtp.mails.length, 2);
      assert.equal(sns.requests.length, 2);
      // The Slack URL is a secret: never in the result.
      assert.doesNotMatch(JSON.stringify(result), /B000\/secret/);
      // The report shows the events.
      const markdown = await readFile(markdownPath, "utf8");
      assert.match(markdown, /alerts: \d+ rules, \d+ events/);
      assert.ok((markdown.match(/busy/g) ?? []).length >= 2, markdown);
      assert.doesNotMatch(markdown, /B000\/secret/);
    } finally {
      delete process.env.CS_TEST_SLACK_URL;
      await Promise.all([http.close(), sns.close(), smtp.close()]);
    }
  });

  it("a bad alerts section is a config error listing every problem, before any load", async () => {
    await assert.rejects(
      runScenario(
        testRunConfig({
          url: redis.url,
          alerts: {
            rules: [{ name: "x", metric: "nonsense", op: "?", value: "high" }],
            notify: [{ kind: "pager" }],
          },
        }),
      ),
      (error: Error & { code?: string; problems?: unknown[] }) =>
        error.code === "E_CONFIG" && (error.problems?.length ?? 0) >= 4,
    );
  });
});
