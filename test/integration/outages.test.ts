import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunResult } from "../../src/result/result-types.js";
import { runCli } from "../helpers/cli.js";
import { aclSetUser, commandStats, type ManagedRedis, scanCount, startRedis } from "../helpers/redis.js";
import { waitForLoad } from "../helpers/wait-for-load.js";
import { input, latenciesUs, shardResult } from "../unit/shard/shard-fixture.js";

const outDir = () => mkdtempSync(join(tmpdir(), "cachestress-outage-"));

describe("a server SIGKILLed mid-run: the numbers show the outage and the verdict fails", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("killed at ~2 s of 5 s: the series goes on to the end, availability shows the gap, availability>99.9% fails", async () => {
    const out = outDir();
    const running = runCli(
      [
        "run",
        "--url",
        redis.url,
        "--duration",
        "5s",
        "-c",
        "4",
        "--prefix",
        "outage-kill:",
        "--threshold",
        "availability>99.9%",
        "--threshold",
        "errors<1%",
        "--json",
        "--out",
        out,
      ],
      { timeoutMs: 90_000 },
    );
    await waitForLoad(redis.url, 1500);
    process.kill(redis.pid, "SIGKILL");
    const run = await running;
    const result = JSON.parse(run.stdout) as RunResult;

    // The series has a point for every second of the run, the ones after the kill without a reply.
    const last = result.series.at(-1)!;
    assert.ok(last.tS >= 4.5, `the series reaches the end of the run (last point at ${last.tS} s)`);
    const silent = result.series.filter((p) => p.ops === 0);
    assert.ok(silent.length >= 2, `points without a reply during the outage: ${silent.length}`);
    assert.ok(
      silent.some((p) => (p.connectionErrors ?? 0) > 0 && p.connectionsUp === 0),
      JSON.stringify(silent),
    );

    const a = result.availability!;
    assert.ok(a.longestGapMs >= 2000, `longest gap ${a.longestGapMs} ms`);
    assert.ok((a.unavailableMs ?? 0) >= 2000, `unavailable ${a.unavailableMs} ms`);
    assert.ok((a.availabilityPercent ?? 100) < 80, `availability ${a.availabilityPercent} %`);
    assert.equal(a.outages?.length, 1);
    assert.ok(Math.abs(a.toS - result.durationMs / 1000) < 0.2, `the gap runs to the end: ${a.toS} s`);

    const availability = result.thresholds.find((t) => t.expression === "availability>99.9%")!;
    assert.equal(availability.ok, false);
    assert.equal(availability.actual, a.availabilityPercent);
    assert.equal(result.verdict, "fail");
    assert.match((result.verdictReasons ?? []).join("; "), /had not come back when the run ended/);
    const zone = result.zones?.find((z) => z.metric === "unavailablePercent");
    assert.equal(zone?.zone, "failure", JSON.stringify(result.zones));

    // The server is gone for good: the cleanup could not run, and the report says how to finish it.
    assert.ok(result.cleanup.error !== undefined);
    assert.ok(
      result.warnings.some((w) => w.includes(`cachestress cleanup --url ${redis.url} --prefix outage-kill:`)),
      result.warnings.join("\n"),
    );
    assert.match(result.countCheck.note, /could not be reached after the load/);
    assert.match(run.stderr, /availability: [\d.]+ % \([\d.]+s without a successful reply/);
    assert.equal(run.code, 1, run.stderr);
  });
});

describe("runs that cannot pass, and inputs refused before any load", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("every operation rejected by the server (not an integer): verdict fail, exit 1, with no threshold given", async () => {
    const run = await runCli([
      "run",
      "--url",
      redis.url,
      "--duration",
      "1s",
      "-c",
      "2",
      "--prefix",
      "outage-allfail:",
      "--command",
      "INCRBY {key} notanumber:1",
      "--json",
      "--out",
      outDir(),
    ]);
    const result = JSON.parse(run.stdout) as RunResult;
    assert.ok(result.totals.ops > 0);
    assert.equal(result.totals.errors, result.totals.ops, "every reply was an error");
    const server = (await commandStats(redis.url)).incrby;
    assert.equal(server.calls, result.totals.ops, "the server counted each of them");
    assert.equal(result.thresholds.length, 0);
    assert.equal(result.verdict, "fail");
    assert.match(
      (result.verdictReasons ?? []).join("; "),
      /no operation succeeded: all \d+ failed \(ERR \d+\)/,
    );
    assert.ok(result.warnings.some((w) => /no threshold judges errors/.test(w)));
    // The server answered every command (with an error): it was up the whole time; the verdict
    // fails on "no operation succeeded", not on availability.
    assert.equal(result.availability?.availabilityPercent, 100);
    assert.match(run.stderr, /verdict: FAIL \(no operation succeeded/);
    assert.equal(run.code, 1, run.stderr);
  });

  it("an ACL user allowed only PING: never a pass (exit 1 with every NOPERM counted, or 3 if refused before the load)", async () => {
    await aclSetUser(redis.url, "pingonly", "on", ">pw", "~*", "-@all", "+ping");
    const url = redis.url.replace("redis://", "redis://pingonly:pw@");
    const run = await runCli(
      [
        "run",
        "--url",
        url,
        "--duration",
        "1s",
        "-c",
        "2",
        "--prefix",
        "outage-acl:",
        "--json",
        "--out",
        outDir(),
      ],
      { timeoutMs: 30_000 },
    );
    assert.ok(run.code === 1 || run.code === 3, `exit ${run.code}: ${run.stderr}`);
    if (run.code === 1) {
      const result = JSON.parse(run.stdout) as RunResult;
      assert.equal(result.verdict, "fail");
      assert.equal(result.totals.errors, result.totals.ops);
      assert.ok((result.totals.errorsByKind.NOPERM ?? 0) > 0, JSON.stringify(result.totals.errorsByKind));
      assert.match((result.verdictReasons ?? []).join("; "), /no operation succeeded/);
    }
    assert.doesNotMatch(run.stderr, /verdict: PASS/);
  });

  it("a bad --out and --price-file: exit 2 before any load, every problem listed, no command reached the server", async () => {
    const before = await commandStats(redis.url);
    const dir = outDir();
    const aFile = join(dir, "not-a-dir");
    writeFileSync(aFile, "x");
    const run = await runCli(
      [
        "run",
        "--url",
        redis.url,
        "--duration",
        "1s",
        "--out",
        aFile,
        "--price-file",
        join(dir, "missing.json"),
        "--connections",
        "0",
      ],
      { timeoutMs: 20_000 },
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--out/);
    assert.match(run.stderr, /not-a-dir is a file/);
    assert.match(run.stderr, /--price-file/);
    assert.match(run.stderr, /ENOENT/);
    assert.match(run.stderr, /--connections/);
    const afterStats = await commandStats(redis.url);
    assert.equal(afterStats.set?.calls ?? 0, before.set?.calls ?? 0);
    assert.equal(afterStats.get?.calls ?? 0, before.get?.calls ?? 0);
    assert.equal(afterStats.scan?.calls ?? 0, before.scan?.calls ?? 0);
    assert.deepEqual(readdirSync(dir), ["not-a-dir"]);
  });

  it("--out /proc/x/y: exit 2 at once, no hang", async () => {
    const run = await runCli(["run", "--url", redis.url, "--duration", "1s", "--out", "/proc/x/y"], {
      timeoutMs: 20_000,
    });
    assert.equal(run.timedOut, false);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--out.*kernel file system/);
  });

  it("a YAML alias bomb: exit 2 naming the file", async () => {
    const dir = outDir();
    const path = join(dir, "bomb.yaml");
    const levels = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    const lines = [`a: &a [${Array(9).fill('"lol"').join(",")}]`];
    for (let i = 1; i < levels.length; i++)
      lines.push(
        `${levels[i]}: &${levels[i]} [${Array(9)
          .fill(`*${levels[i - 1]}`)
          .join(",")}]`,
      );
    writeFileSync(path, `${lines.join("\n")}\n`);
    const run = await runCli(["run", path, "--url", redis.url], { timeoutMs: 20_000 });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /bomb\.yaml/);
    assert.match(run.stderr, /excessive aliases/i);
    assert.doesNotMatch(run.stderr, /internal error/);
  });

  it("merge of tampered shard files (ops ×10, errors −5; a corrupted histogram): exit 2 naming file and field", async () => {
    const dir = outDir();
    const shards = [0, 1, 2].map((index) =>
      shardResult({ index, count: 3, setUs: latenciesUs(100, index), getUs: latenciesUs(300, 10 + index) }),
    );
    shards[1].totals.ops *= 10;
    shards[1].perCommand.GET.ops *= 10;
    shards[1].perCommand.GET.errors = -5;
    shards[2].histograms.latencyUs.SET = "HISTFAAAAB3corrupted!!";
    const files = shards.map((r, i) => {
      const file = join(dir, `shard-${i}.json`);
      writeFileSync(file, JSON.stringify(input(r, file).result));
      return file;
    });
    const run = await runCli(["merge", ...files, "--out", dir], { timeoutMs: 20_000 });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /shard-1\.json.*perCommand\.GET\.errors -5/);
    assert.match(run.stderr, /shard-1\.json.*histograms\.latencyUs\.all holding 400 values/);
    assert.match(run.stderr, /shard-2\.json.*histograms\.latencyUs\.SET/);
    assert.doesNotMatch(run.stderr, /internal error/);
  });

  it("the run's keys are never left behind by these checks", async () => {
    assert.equal(await scanCount(redis.url, "outage-*"), 0);
  });
});
