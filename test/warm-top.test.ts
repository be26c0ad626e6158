import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runScenario } from "../src/run/run-scenario.js";
import { runCli } from "./helpers/cli.js";
import { commandStats, type ManagedRedis, scanCount, startRedis } from "./helpers/redis.js";
import { testRunConfig } from "./helpers/run-config.js";

/**
 * --warm-top against a real redis-server: the warming SETs stay out of the count check, and the
 * cache-aside check compares a warmed and a cold copy of its flags read side by side.
 */

type Figures = Record<string, number | string | boolean | null>;

function num(figures: Figures, name: string): number {
  const value = figures[name];
  assert.equal(typeof value, "number", `${name} = ${JSON.stringify(value)}`);
  return value as number;
}

describe("--warm-top", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("cache-aside: every flag warmed → the warmed copy never misses, the cold copy does; counts exact", async () => {
    const flags = 100;
    const config = testRunConfig({
      url: redis.url,
      durationMs: 2500,
      rate: 50,
      connections: 2,
      warmTop: flags,
      check: {
        kind: "cache-aside",
        readers: 4,
        flags,
        readRate: 800,
        backingLatency: "5ms",
        ttl: "30s",
        invalidateEvery: "500ms",
        subscribers: 1,
      },
    });
    const statsBefore = await commandStats(redis.url);
    const { result } = await runScenario(config);
    const statsAfter = await commandStats(redis.url);
    const f = result.check!.figures;
    assert.equal(result.check!.ok, true, result.check!.problems.join("; "));
    assert.equal(num(f, "warmTop"), flags);
    const warmedReads = num(f, "warmedReads");
    const coldReads = num(f, "coldReads");
    // Reads alternate between the copies: the two halves differ by at most one per reader.
    assert.ok(Math.abs(warmedReads - coldReads) <= 4, `${warmedReads} vs ${coldReads}`);
    assert.equal(warmedReads + coldReads, num(f, "reads"));
    // Warmed: only an invalidated flag can miss (a writer DELs it from both copies).
    const invalidations = num(f, "invalidationsPublished");
    const warmedMisses = warmedReads - Math.round(num(f, "warmedHitRatio") * warmedReads);
    assert.ok(
      warmedMisses <= invalidations * 4 + 1,
      `${warmedMisses} misses, ${invalidations} invalidations`,
    );
    // Cold: every flag's first read misses.
    assert.ok(num(f, "coldHitRatio") < num(f, "warmedHitRatio"));
    assert.ok(num(f, "coldHitRatioFirst5s") < num(f, "warmedHitRatioFirst5s"));
    assert.equal(typeof f.warmedReadP99Ms, "number");
    assert.equal(typeof f.coldReadP99Ms, "number");
    // The warming SETs came before the first count: the count check still holds exactly.
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    const setCalls = (statsAfter.set?.calls ?? 0) - (statsBefore.set?.calls ?? 0);
    assert.ok(setCalls >= flags, `the server saw ${setCalls} SETs`);
    assert.match(result.check!.summary, /warmed: hit ratio/);
    assert.equal(await scanCount(redis.url, `${config.prefix}*`), 0);
    const warmItem = result.checklist?.find((t) => t.id === "cache-warmed");
    assert.equal(warmItem?.status, "pass");
  });

  it("bad values are usage errors, every one listed at once with the flag and what is allowed (exit 2)", async () => {
    const zero = await runCli(["run", "--warm-top", "0", "--duration", "1s"]);
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /--warm-top: got "?0"?; allowed: a whole number of keys/);
    const both = await runCli([
      "run",
      "--warm-top",
      "200",
      "--key-max",
      "100",
      "--restart-command",
      "echo restart-secret",
      "--duration",
      "1s",
    ]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--warm-top: got "?200"?; allowed: at most --key-max \(100\)/);
    assert.match(both.stderr, /--restart-command: .*allowed: only with --url/);
    assert.ok(!both.stderr.includes("restart-secret"));
  });
});
