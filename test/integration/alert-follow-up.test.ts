import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { alertsCommand } from "../../src/cli/alerts-command.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { httpReceiver } from "../helpers/local-receivers.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

describe("alert reminders, escalation and acknowledgement during a real run", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("reminds, escalates once, and stops both when `cachestress alerts ack` writes the ack file", async () => {
    const primary = await httpReceiver();
    const pager = await httpReceiver();
    const ackFile = join(mkdtempSync(join(tmpdir(), "cachestress-ack-")), "alerts.ack");
    const lines: string[] = [];
    try {
      const run = runScenario(
        testRunConfig({
          url: redis.url,
          durationMs: 7000,
          rate: 2000,
          pipeline: 16,
          alerts: {
            repeatEvery: "1s",
            ackFile,
            rules: [{ name: "busy", metric: "ops_per_sec", op: ">", value: 100, for: "0s" }],
            notify: [
              { kind: "webhook", url: `${primary.url}/team` },
              { kind: "webhook", url: `${pager.url}/pager`, escalateAfter: "2s" },
            ],
          },
        }),
        { onNotice: (line) => lines.push(line) },
      );
      // Acknowledge once the escalation went out, from the command a person would type.
      const deadline = Date.now() + 10_000;
      while (pager.requests.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(alertsCommand(["ack", "busy", "--file", ackFile, "--by", "alice"]), 0);
      const { result } = await run;

      const followUps = result.alerts?.followUps ?? [];
      const ack = followUps.find((f) => f.kind === "acknowledged");
      assert.ok(ack !== undefined, JSON.stringify(followUps));
      assert.equal(ack.by, "alice");
      const reminders = followUps.filter((f) => f.kind === "reminder");
      assert.ok(reminders.length >= 1, JSON.stringify(followUps));
      assert.ok(
        reminders.every((r) => r.tS < ack.tS),
        "no reminder after the acknowledgement",
      );
      assert.equal(followUps.filter((f) => f.kind === "escalation").length, 1);

      // The team got the firing and the reminders, the pager only the escalation (the run ended firing).
      const teamBodies = primary.requests.map((r) => JSON.parse(r.body) as { event?: { repeat?: number } });
      assert.equal(primary.requests.length, 1 + reminders.length, JSON.stringify(teamBodies));
      assert.equal(pager.requests.length, 1);
      assert.match(pager.requests[0].body, /"escalated":true/);
      assert.ok(
        lines.some((l) => /busy acknowledged by alice/.test(l)),
        lines.join("\n"),
      );
      assert.ok(lines.some((l) => /alerts ack RULE --file/.test(l)));
      const deliveries = result.alerts?.deliveries ?? [];
      assert.ok(
        deliveries.every((d) => d.ok),
        JSON.stringify(deliveries),
      );
    } finally {
      await primary.close();
      await pager.close();
    }
  });

  it("`cachestress alerts ack` lists every bad argument at once and exits 2", () => {
    assert.equal(alertsCommand(["ack", "not a rule!"]), 2);
    assert.equal(alertsCommand(["snooze", "busy", "--file", "/tmp/x"]), 2);
  });
});
