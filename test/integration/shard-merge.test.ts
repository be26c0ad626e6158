import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunResult } from "../../src/result/result-types.js";
import { type CliResult, runCli } from "../helpers/cli.js";
import { commandStats, type ManagedRedis, scanCount, startRedis } from "../helpers/redis.js";

const tempDir = (what: string) => mkdtempSync(join(tmpdir(), `cachestress-${what}-`));

/** N shard processes of the real CLI at once, all against one server. */
function runShards(count: number, args: string[]): Promise<CliResult[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => runCli(["run", ...args, "--shard", `${i}/${count}`, "--json"])),
  );
}

/** What `kubectl logs` returns for a pod: the human summary and the --json line in one stream. */
function writeLogs(dir: string, runs: CliResult[]): string[] {
  return runs.map((run, i) => {
    const path = join(dir, `shard-${i}.log`);
    writeFileSync(path, `${run.stderr}${run.stdout}`);
    return path;
  });
}

describe("sharded runs: shard processes of the real CLI against one real redis-server, then merge", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("3 shards: disjoint keys, merged counts equal the server's INFO commandstats delta, thresholds on the merge", async () => {
    const out = tempDir("shards");
    const prefix = "shardtest:";
    const before = await commandStats(redis.url);
    const runs = await runShards(3, [
      "--url",
      redis.url,
      "--requests",
      "3000",
      "-c",
      "6",
      "--ratio",
      "1:1",
      "--key-pattern",
      "sequential",
      "--key-max",
      "3000",
      "--prefill",
      "--prefix",
      prefix,
      "--seed",
      "11",
      "--out",
      out,
      // Each shard alone has 1000 ops: this holds only for the merged run.
      "--threshold",
      "ops>=3000",
      "--threshold",
      "p(99)<5s",
      "--threshold",
      "errors<1%",
    ]);
    const after = await commandStats(redis.url);
    const shards = runs.map((run, i) => {
      assert.equal(run.code, 0, `shard ${i}: ${run.stderr}`);
      return JSON.parse(run.stdout) as RunResult;
    });
    for (const [i, shard] of shards.entries()) {
      assert.deepEqual([shard.shard?.index, shard.shard?.count], [i, 3]);
      assert.equal(shard.totals.sent, 1000, "each shard sends its share of --requests");
      assert.equal(shard.shard?.connections, 2);
      assert.deepEqual(shard.shard?.prefillKeys, { first: i * 1000, count: 1000 });
      assert.deepEqual(shard.thresholds, [], "thresholds wait for merge");
      assert.equal(shard.countCheck.checked, false);
      assert.match(shard.countCheck.note, /shared server, checked at merge/);
      assert.equal(shard.cleanup.kept, true);
      assert.match(runs[i].stderr, /judged over all shards by `cachestress merge`/);
    }
    // Prefill and the sequential walk stayed in each shard's own range: 3000 distinct keys, kept.
    assert.equal(await scanCount(redis.url, `${prefix}*`), 3000);

    const logs = writeLogs(out, runs);
    const mergedDir = tempDir("merged");
    const merge = await runCli(["merge", ...logs, "--out", mergedDir, "--json", "--cleanup-url", redis.url]);
    assert.equal(merge.code, 0, merge.stderr);
    const merged = JSON.parse(merge.stdout) as RunResult;
    assert.equal(merged.totals.sent, 3000);
    assert.equal(merged.totals.ops, 3000);
    assert.equal(merged.phases.prefill?.ops, 3000);
    // The ground truth: what the server counted while the shards ran, per command.
    const delta = (cmd: string) => (after[cmd]?.calls ?? 0) - (before[cmd]?.calls ?? 0);
    assert.equal(merged.countCheck.checked, true);
    assert.equal(merged.countCheck.ok, true, merged.countCheck.note);
    assert.equal(merged.countCheck.byCommand.SET.sent, delta("set"));
    assert.equal(merged.countCheck.byCommand.GET.sent, delta("get"));
    assert.equal(merged.countCheck.byCommand.SET.sent + merged.countCheck.byCommand.GET.sent, 6000);
    // Percentiles from the merged histograms: every operation in them, in a plausible order.
    assert.equal(merged.latency.count, 3000);
    assert.equal(merged.perCommand.SET.latency.count + merged.perCommand.GET.latency.count, 3000);
    const l = merged.latency;
    assert.ok(l.p50 > 0 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.max, JSON.stringify(l));
    assert.ok(l.max >= Math.max(...shards.map((s) => s.latency.max)) * 0.999);
    assert.deepEqual(
      merged.thresholds.map((t) => [t.expression, t.ok]),
      [
        ["ops>=3000", true],
        ["p(99)<5s", true],
        ["errors<1%", true],
      ],
    );
    assert.equal(merged.verdict, "pass");
    assert.deepEqual(
      merged.shards?.map((s) => [s.index, s.ops]),
      [
        [0, 1000],
        [1, 1000],
        [2, 1000],
      ],
    );
    assert.equal(merged.cleanup.keysDeleted, 3000);
    assert.equal(await scanCount(redis.url, `${prefix}*`), 0);
    const jsonPath = /merged report: (\S+\.json)/.exec(merge.stderr)?.[1];
    assert.ok(jsonPath !== undefined && /merged_local_\d{8}T\d{6}Z\.json$/.test(jsonPath), merge.stderr);
    assert.ok(existsSync(jsonPath.replace(/\.json$/, ".md")));
  });

  it("a threshold failing on the merged result exits 1; an incomplete or mixed set exits 2 with every problem", async () => {
    const out = tempDir("shards-fail");
    const runs = await runShards(2, [
      "--url",
      redis.url,
      "--requests",
      "400",
      "-c",
      "2",
      "--prefix",
      "shardfail:",
      "--seed",
      "3",
      "--out",
      out,
      "--threshold",
      "ops<100",
    ]);
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const logs = writeLogs(out, runs);
    const merge = await runCli(["merge", ...logs, "--out", tempDir("merged-fail"), "--json"]);
    assert.equal(merge.code, 1, merge.stderr);
    const merged = JSON.parse(merge.stdout) as RunResult;
    assert.deepEqual(merged.thresholds, [{ expression: "ops<100", actual: 400, ok: false }]);
    assert.equal(merged.verdict, "fail");
    assert.match(merge.stderr, /keys kept under prefix shardfail:/);

    const broken = await runCli(["merge", logs[0], logs[0], join(out, "nothing.json")]);
    assert.equal(broken.code, 2, broken.stderr);
    assert.match(broken.stderr, /3 problems/);
    assert.match(broken.stderr, /nothing\.json/);
    assert.match(broken.stderr, /each shard once: shard 0\/2 is also in/);
    assert.match(broken.stderr, /no result for 1\/2/);
    assert.doesNotMatch(broken.stderr, /at .*\.js:\d+/);

    const cleanup = await runCli([
      "merge",
      ...logs,
      "--out",
      tempDir("merged-clean"),
      "--cleanup-url",
      redis.url,
    ]);
    assert.equal(cleanup.code, 1);
    assert.equal(await scanCount(redis.url, "shardfail:*"), 0);
  });
});
