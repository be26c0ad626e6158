import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import { ConfigError } from "../../src/config/errors.js";
import type { RunResult } from "../../src/result/result-types.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { runCli } from "../helpers/cli.js";
import { commandStats, type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

type Figures = Record<string, number | string | boolean | null>;

function num(figures: Figures, name: string): number {
  const value = figures[name];
  assert.equal(typeof value, "number", `${name} = ${JSON.stringify(value)}`);
  return value as number;
}

describe("pubsub check (publishers and subscribers beside the load, a real redis-server)", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("a healthy server delivers every message to every subscriber; PUBLISH and SUBSCRIBE pass the count check", async () => {
    const before = await commandStats(redis.url);
    const { result } = await runScenario(
      testRunConfig({
        url: redis.url,
        durationMs: 2000,
        rate: 50,
        connections: 2,
        check: { kind: "pubsub", publishers: 2, subscribers: 4, channels: 2, rate: 1000, messageSize: 200 },
      }),
    );
    const check = result.check!;
    const f = check.figures;
    assert.equal(check.kind, "pubsub");
    assert.ok(check.ok, JSON.stringify(check));
    assert.equal(result.verdict, "pass");
    const published = num(f, "publishedMessages");
    // 1000/s for 2 s; a busy 2-core machine may fall behind, but not to nothing.
    assert.ok(published > 500 && published <= 2002, `published ${published}`);
    // Two channels, two subscribers each: every message is owed to two subscribers.
    assert.equal(num(f, "expectedDeliveries"), published * 2);
    assert.equal(num(f, "deliveredMessages"), published * 2);
    assert.equal(num(f, "serverDeliveries"), published * 2);
    assert.equal(num(f, "lostMessages"), 0);
    assert.equal(num(f, "outOfOrderMessages"), 0);
    assert.equal(num(f, "subscribersDisconnected"), 0);
    const p50 = num(f, "deliveryP50Ms");
    const p99 = num(f, "deliveryP99Ms");
    assert.ok(p50 > 0 && p50 <= p99 && p99 <= num(f, "deliveryMaxMs") && p99 < 1000, JSON.stringify(f));
    for (let j = 1; j <= 4; j++)
      assert.match(String(f[`subscriber${j}`]), /delivered, 0 lost, 0 out of order/);

    // The check's own commands are in the count check, and the server agrees with them exactly.
    assert.ok(result.countCheck.checked && result.countCheck.ok, result.countCheck.note);
    assert.deepEqual(result.countCheck.byCommand.PUBLISH, {
      sent: published,
      completed: published,
      server: published,
    });
    assert.deepEqual(result.countCheck.byCommand.SUBSCRIBE, { sent: 4, completed: 4, server: 4 });
    const after = await commandStats(redis.url);
    assert.equal((after.publish?.calls ?? 0) - (before.publish?.calls ?? 0), published);

    // The per-second series adds up to the totals.
    const series = check.series ?? [];
    assert.ok(series.length >= 2, JSON.stringify(series));
    assert.equal(
      series.reduce((sum, p) => sum + (p.published ?? 0), 0),
      published,
    );
    assert.equal(
      series.reduce((sum, p) => sum + (p.delivered ?? 0), 0),
      published * 2,
    );
  });

  it("a subscriber killed mid-run (CLIENT KILL) loses messages: loss > 0 and the verdict fails", async () => {
    const admin = createClient({ url: redis.url });
    admin.on("error", () => {});
    await admin.connect();
    let killed = 0;
    // Once the 3 subscribers are subscribed (the measured part has begun), kill one of them.
    const killer = (async () => {
      for (let i = 0; i < 300; i++) {
        const list = String(await admin.sendCommand(["CLIENT", "LIST", "TYPE", "pubsub"]));
        const ids = [...list.matchAll(/^id=(\d+) /gm)].map((m) => m[1]);
        if (ids.length >= 3) {
          await new Promise((r) => setTimeout(r, 500));
          killed = Number(await admin.sendCommand(["CLIENT", "KILL", "ID", ids[0]]));
          return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      const { result } = await runScenario(
        testRunConfig({
          url: redis.url,
          durationMs: 2000,
          rate: 50,
          connections: 2,
          check: { kind: "pubsub", publishers: 1, subscribers: 3, rate: 500 },
        }),
      );
      await killer;
      assert.equal(killed, 1);
      const check = result.check!;
      const f = check.figures;
      assert.equal(check.ok, false);
      assert.equal(result.verdict, "fail");
      const published = num(f, "publishedMessages");
      const lost = num(f, "lostMessages");
      assert.ok(lost > 0 && lost < published, `lost ${lost} of ${published}`);
      assert.equal(num(f, "expectedDeliveries"), published * 3);
      assert.equal(num(f, "deliveredMessages"), published * 3 - lost);
      assert.equal(num(f, "subscribersDisconnected"), 1);
      assert.match(
        check.problems.join("\n"),
        /deliveries lost \(maxLoss 0\): subscriber \d received \d+ of \d+; connection closed/,
      );
      // The kill does not disturb the count check: the check's own commands still add up.
      assert.ok(result.countCheck.checked && result.countCheck.ok, result.countCheck.note);
    } finally {
      await killer.catch(() => {});
      admin.destroy();
    }
  });

  it("bad options: every problem at once, before anything starts", async () => {
    await assert.rejects(
      runScenario(
        testRunConfig({
          url: "redis://127.0.0.1:1",
          check: {
            kind: "pubsub",
            publishers: 0,
            subscribers: 2,
            channels: 3,
            rate: -5,
            messageSize: 10,
            rat: 3,
          },
        }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const fields = error.problems.map((p) => p.field).sort();
        assert.deepEqual(fields, [
          "check.channels",
          "check.messageSize",
          "check.publishers",
          "check.rat",
          "check.rate",
        ]);
        assert.match(error.message, /check\.rat: got 3; allowed: one of the options .*did you mean rate\?/);
        return true;
      },
    );
  });

  it("through the CLI: scenarios/pubsub.yaml shortened, exit 0, the check in the JSON", async () => {
    const out = mkdtempSync(join(tmpdir(), "cachestress-pubsub-"));
    const run = await runCli(
      ["run", "scenarios/pubsub.yaml", "--url", redis.url, "--duration", "2s", "--json", "--out", out],
      { timeoutMs: 30_000 },
    );
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as RunResult;
    const f = result.check!.figures;
    assert.ok(result.check!.ok, JSON.stringify(result.check));
    assert.equal(num(f, "deliveredMessages"), num(f, "publishedMessages") * 8);
    assert.match(run.stderr, /check pubsub: OK: 2 publisher\(s\) → 8 subscriber\(s\)/);
    assert.ok(result.countCheck.ok, result.countCheck.note);
  });
});
