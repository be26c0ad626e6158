import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import { ConfigError } from "../../src/config/errors.js";
import { resolveRunConfig } from "../../src/run/resolve-config.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { createCheck } from "../../src/scenario-checks/index.js";
import { commandStats, type ManagedRedis, scanCount, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

type Figures = Record<string, number | string | boolean | null>;

function num(figures: Figures, name: string): number {
  const value = figures[name];
  assert.equal(typeof value, "number", `${name} = ${JSON.stringify(value)}`);
  return value as number;
}

describe("cache-aside check (flag readers, a slow backing store, invalidation; a real redis-server)", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("hit ratio rises as the cache warms, misses cost the backing latency, invalidations all arrive, counts exact", async () => {
    const config = testRunConfig({
      url: redis.url,
      durationMs: 3000,
      rate: 50,
      connections: 2,
      check: {
        kind: "cache-aside",
        readers: 4,
        flags: 200,
        readRate: 1500,
        backingLatency: "20ms",
        ttl: "30s",
        groups: 4,
        invalidateEvery: "300ms",
        subscribers: 3,
      },
    });
    const before = await commandStats(redis.url);
    const { result } = await runScenario(config);
    const check = result.check!;
    const f = check.figures;
    assert.equal(check.kind, "cache-aside");
    assert.ok(check.ok, JSON.stringify(check));
    assert.equal(result.verdict, "pass");

    const reads = num(f, "reads");
    const misses = num(f, "misses");
    assert.ok(reads > 500, `reads ${reads}`);
    assert.equal(num(f, "hits") + misses, reads);
    // A flag misses when it was never cached or was just invalidated, or when readers miss it together
    // while the first one is still fetching it (a stampede); nothing else empties it within the TTL.
    const stampede = num(f, "stampedeMisses");
    assert.ok(misses > 0 && misses - stampede <= 200 + num(f, "invalidationsPublished"), JSON.stringify(f));

    // Hit ratio over time: the cache starts empty, so the first second hits less than the last.
    const series = check.series ?? [];
    assert.ok(series.length >= 3, JSON.stringify(series));
    const first = series[0].hitRatio as number;
    const last = series[series.length - 1].hitRatio as number;
    assert.ok(first < last, `first second ${first}, last second ${last}`);
    assert.equal(
      series.reduce((sum, p) => sum + (p.reads ?? 0), 0),
      reads,
    );
    const warmUpMs = f.warmUpMs;
    assert.ok(typeof warmUpMs === "number" && warmUpMs > 0 && warmUpMs <= 3000, `warmUpMs ${warmUpMs}`);

    // A miss waits for GET + the 20 ms store + SET; a hit only for the GET.
    assert.ok(num(f, "missP50Ms") >= 20, JSON.stringify(f));
    assert.ok(num(f, "missP99Ms") >= num(f, "missP50Ms"));
    assert.ok(num(f, "hitP50Ms") < num(f, "missP50Ms"), JSON.stringify(f));
    // Zipf: the most popular quarter of the flags is cached sooner and hits more than the least popular.
    assert.ok(num(f, "hitRatioGroup1") > num(f, "hitRatioGroup4"), JSON.stringify(f));

    // Invalidation: every message reached every subscriber, well within a second.
    const published = num(f, "invalidationsPublished");
    assert.ok(published >= 3, `published ${published}`);
    assert.equal(num(f, "invalidationsReceived"), published * 3);
    assert.equal(num(f, "invalidationsLost"), 0);
    const p99 = num(f, "propagationP99Ms");
    assert.ok(
      num(f, "propagationP50Ms") > 0 && p99 < 1000 && p99 <= num(f, "propagationMaxMs"),
      JSON.stringify(f),
    );
    for (let j = 1; j <= 3; j++)
      assert.match(String(f[`subscriber${j}`]), new RegExp(`^${published} of ${published} received, 0 lost`));

    // Exact counts: the readers' GETs and SETs add to the load's, and the server counted all of it.
    const byCommand = result.countCheck.byCommand;
    assert.ok(result.countCheck.checked && result.countCheck.ok, result.countCheck.note);
    assert.equal(byCommand.GET.sent, result.perCommand.GET.ops + reads);
    assert.equal(byCommand.SET.sent, result.perCommand.SET.ops + misses);
    assert.deepEqual(byCommand.PUBLISH, { sent: published, completed: published, server: published });
    assert.deepEqual(byCommand.DEL, { sent: published, completed: published, server: published });
    assert.deepEqual(byCommand.SUBSCRIBE, { sent: 3, completed: 3, server: 3 });
    const after = await commandStats(redis.url);
    assert.equal((after.subscribe?.calls ?? 0) - (before.subscribe?.calls ?? 0), 3);

    // The flags were under the run's prefix and are gone.
    assert.equal(await scanCount(redis.url, `${config.prefix}*`), 0);
  });

  it("a TTL shorter than the reuse interval keeps the hit ratio low: minHitRatio fails the verdict", async () => {
    const { result } = await runScenario(
      testRunConfig({
        url: redis.url,
        durationMs: 1500,
        rate: 50,
        connections: 2,
        check: {
          kind: "cache-aside",
          readers: 2,
          flags: 5000,
          readRate: 400,
          backingLatency: "2ms",
          ttl: "20ms",
          minHitRatio: 0.9,
        },
      }),
    );
    const check = result.check!;
    assert.equal(check.ok, false);
    assert.equal(result.verdict, "fail");
    const hitRatio = num(check.figures, "hitRatio");
    assert.ok(hitRatio < 0.9, `hit ratio ${hitRatio}`);
    assert.match(
      check.problems.join("\n"),
      /hit ratio 0\.\d+ over the run \(it never warmed up\) is below minHitRatio 0\.9/,
    );
    assert.equal(check.figures.warmUpMs, null);
    assert.ok(result.countCheck.checked && result.countCheck.ok, result.countCheck.note);
  });

  it("a subscriber killed mid-run loses invalidations: the check fails and names it", async () => {
    const admin = createClient({ url: redis.url });
    admin.on("error", () => {});
    await admin.connect();
    let killed = 0;
    const killer = (async () => {
      for (let i = 0; i < 300; i++) {
        const list = String(await admin.sendCommand(["CLIENT", "LIST", "TYPE", "pubsub"]));
        const ids = [...list.matchAll(/^id=(\d+) /gm)].map((m) => m[1]);
        if (ids.length >= 2) {
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
          durationMs: 1500,
          rate: 50,
          connections: 2,
          check: {
            kind: "cache-aside",
            readers: 2,
            flags: 100,
            readRate: 200,
            invalidateEvery: "200ms",
            subscribers: 2,
          },
        }),
      );
      await killer;
      assert.equal(killed, 1);
      const check = result.check!;
      const f = check.figures;
      assert.equal(check.ok, false);
      assert.equal(result.verdict, "fail");
      const published = num(f, "invalidationsPublished");
      assert.ok(published >= 2, `published ${published}`);
      assert.ok(num(f, "invalidationsLost") > 0, JSON.stringify(f));
      assert.equal(num(f, "invalidationsReceived"), published * 2 - num(f, "invalidationsLost"));
      assert.match(
        check.problems.join("\n"),
        /invalidation message\(s\) lost: subscriber \d received \d+ of \d+; connection closed/,
      );
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
            kind: "cache-aside",
            readers: 0,
            flags: 3,
            groups: 4,
            backingLatency: "soon",
            ttl: "0.5ms",
            warmHitRatio: 1.5,
            subscribers: 2,
          },
        }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const fields = error.problems.map((p) => p.field).sort();
        assert.deepEqual(fields, [
          "check.backingLatency",
          "check.groups",
          "check.readers",
          "check.subscribers",
          "check.ttl",
          "check.warmHitRatio",
        ]);
        assert.match(error.message, /check\.subscribers: got 2; allowed: only together with invalidateEvery/);
        return true;
      },
    );
  });

  it("the shipped scenarios/cache-aside.yaml resolves to a valid cache-aside check", async () => {
    const { config } = await resolveRunConfig(["scenarios/cache-aside.yaml", "--duration", "3s"], {});
    assert.equal(config.durationMs, 3000);
    assert.equal(createCheck(config)?.kind, "cache-aside");
  });
});
