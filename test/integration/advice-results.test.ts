import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { MemoryTrend } from "../../src/reports/memory-trend.js";
import type { RunResult } from "../../src/result/result-types.js";
import { runCli } from "../helpers/cli.js";
import { info, type ManagedRedis, startRedis } from "../helpers/redis.js";

/**
 * `cachestress advise --results DIR` on result files written by real short runs against one
 * redis-server whose data grows from run to run (--keep-keys with a larger keyspace each time).
 */
describe("advise: memory trend from a results folder of real runs", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis(["--maxmemory", "64mb"]);
  });
  after(async () => {
    await redis.stop();
  });

  it("three runs that each leave more data: peaks rise in order, growth > 0, maxmemory and a date are named", async () => {
    const out = mkdtempSync(join(tmpdir(), "cachestress-advise-"));
    for (const keys of [2000, 8000, 20000]) {
      const run = await runCli(
        [
          "run",
          "--url",
          redis.url,
          "--env",
          "staging",
          "--duration",
          "1s",
          "-c",
          "2",
          "--ratio",
          "1:0",
          "--key-max",
          String(keys),
          "--key-pattern",
          "sequential",
          "--data-size",
          "1024",
          "--prefix",
          "advise-test:",
          "--keep-keys",
          "--reuse-prefix",
          "--prefill",
          "--out",
          out,
        ],
        { timeoutMs: 60_000 },
      );
      assert.ok(run.code === 0 || run.code === 1, run.stderr);
    }
    // A file that is not a run result is skipped by name, not fatal.
    writeFileSync(join(out, "notes.json"), '{"hello": 1}');
    const results = readdirSync(out)
      .filter((f) => f.startsWith("result_") && f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(out, f), "utf8")) as RunResult);
    assert.equal(results.length, 3);

    const advise = await runCli(["advise", "--results", out, "--json", "--horizon", "30"]);
    assert.equal(advise.code, 0, advise.stderr);
    assert.match(advise.stderr, /skipped notes\.json: not a cachestress result/);
    const trends = JSON.parse(advise.stdout) as MemoryTrend[];
    assert.equal(trends.length, 1);
    const [trend] = trends;
    assert.equal(trend.key, `staging (127.0.0.1:${redis.port})`);
    // Each run's peak is the one in its own result, in time order, and they rise.
    const byTime = [...results].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    assert.deepEqual(
      trend.runs.map((r) => r.usedMemoryPeakBytes),
      byTime.map((r) => r.server!.usedMemoryBytesMax),
    );
    const peaks = trend.runs.map((r) => r.usedMemoryPeakBytes);
    assert.ok(peaks[0] < peaks[1] && peaks[1] < peaks[2], JSON.stringify(peaks));
    assert.ok((trend.growthBytesPerDay ?? 0) > 0);
    // maxmemory is what the server reports, 64 MB.
    const maxmemory = Number((await info(redis.url, "memory")).maxmemory);
    assert.equal(trend.maxmemoryBytes, maxmemory);
    assert.match(trend.reachesMaxmemoryAt ?? "", /^\d{4}-\d{2}-\d{2}$/);

    const markdown = await runCli(["advise", "--results", out]);
    assert.equal(markdown.code, 0);
    assert.match(markdown.stdout, /# Memory trend and sizing/);
    assert.match(markdown.stdout, /- sizing: upsize before \d{4}-\d{2}-\d{2}/);

    const bad = await runCli(["advise", "--results", join(out, "missing"), "--horizon", "x"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--horizon: got "x"/);
  });
});
