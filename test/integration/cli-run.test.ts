import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort } from "../../src/core/managed-redis.js";
import type { RunResult } from "../../src/result/result-types.js";
import { runCli } from "../helpers/cli.js";
import { commandStats, type ManagedRedis, scanCount, startRedis } from "../helpers/redis.js";

const outDir = () => mkdtempSync(join(tmpdir(), "cachestress-cli-"));

describe("cachestress run (the real CLI against a real redis-server)", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("--json prints exactly the result on stdout, writes the JSON and Markdown reports, exit 0", async () => {
    const out = outDir();
    const run = await runCli([
      "run",
      "--url",
      redis.url,
      "--duration",
      "1s",
      "-c",
      "4",
      "--json",
      "--out",
      out,
      "--env",
      "ci",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as RunResult;
    assert.equal(result.schemaVersion, 1);
    assert.equal(result.env, "ci");
    assert.ok(result.totals.ops > 0);
    const jsonPath = /report: (\S+\.json)/.exec(run.stderr)?.[1];
    assert.ok(jsonPath !== undefined && existsSync(jsonPath), run.stderr);
    assert.match(jsonPath, /result_ci_\d{8}T\d{6}Z\.json$/);
    assert.ok(existsSync(jsonPath.replace(/\.json$/, ".md")));
    const written = JSON.parse(readFileSync(jsonPath, "utf8")) as RunResult;
    assert.equal(written.totals.ops, result.totals.ops);
    assert.match(run.stderr, /GET/);
    assert.match(run.stderr, /SET/);
  });

  it("thresholds decide the exit code: 0 when they hold, 1 when one fails", async () => {
    const pass = await runCli([
      "run",
      "--url",
      redis.url,
      "--requests",
      "2000",
      "-c",
      "2",
      "--out",
      outDir(),
      "--threshold",
      "p(99)<5s",
      "--threshold",
      "errors<1%",
      "--json",
    ]);
    assert.equal(pass.code, 0, pass.stderr);
    const passed = JSON.parse(pass.stdout) as RunResult;
    assert.deepEqual(
      passed.thresholds.map((t) => t.ok),
      [true, true],
    );
    assert.equal(passed.verdict, "pass");

    const fail = await runCli([
      "run",
      "--url",
      redis.url,
      "--requests",
      "2000",
      "-c",
      "2",
      "--out",
      outDir(),
      "--threshold",
      "p(50)<0.001ms",
      "--threshold",
      "errors<1%",
      "--json",
    ]);
    assert.equal(fail.code, 1, fail.stderr);
    const failed = JSON.parse(fail.stdout) as RunResult;
    assert.deepEqual(
      failed.thresholds.map((t) => t.ok),
      [false, true],
    );
    assert.equal(failed.verdict, "fail");
  });

  it("a bad flag set is a usage error listing every problem at once, exit 2", async () => {
    const run = await runCli([
      "run",
      "--url",
      redis.url,
      "--connections",
      "abc",
      "--ratio",
      "x",
      "--key-pattern",
      "foo",
      "--bogus",
    ]);
    assert.equal(run.code, 2);
    for (const field of ["--connections", "--ratio", "--key-pattern", "--bogus"])
      assert.match(run.stderr, new RegExp(field));
    assert.doesNotMatch(run.stderr, /at .*\.js:\d+/); // no stack trace
  });

  it("an invalid scenario file lists every mistake with its field, exit 2", async () => {
    const dir = outDir();
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      "name: bad\nconnections: -1\npipline: 4\nkeyPattern: diagonal\nstages:\n  - kind: ramp\n    duration: 5s\n",
    );
    const run = await runCli(["run", file, "--url", redis.url]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /connections/);
    assert.match(run.stderr, /pipline/);
    assert.match(run.stderr, /pipeline/); // did you mean
    assert.match(run.stderr, /keyPattern/);
    assert.match(run.stderr, /stages\[0\]/);
  });

  it("an unreachable target fails within 5 s with a one-line cause, exit 3", async () => {
    const port = await freePort(); // nothing listens there
    const run = await runCli(["run", "--url", `redis://127.0.0.1:${port}`, "--duration", "1s"]);
    assert.equal(run.code, 3);
    assert.ok(run.durationMs < 5000, `took ${run.durationMs} ms`);
    assert.match(run.stderr, /ECONNREFUSED/);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  });

  it("a target that accepts TCP but never answers fails within 5 s, exit 3", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      const run = await runCli(["run", "--url", `redis://127.0.0.1:${port}`, "--duration", "1s"]);
      assert.equal(run.code, 3);
      assert.ok(run.durationMs < 5000, `took ${run.durationMs} ms`);
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    } finally {
      silent.close();
    }
  });

  it("a wrong password is reported in one line, exit 3, and the password is never printed", async () => {
    const run = await runCli([
      "run",
      "--url",
      `redis://:sup3rsecret@127.0.0.1:${redis.port}`,
      "--duration",
      "1s",
    ]);
    assert.equal(run.code, 3);
    assert.doesNotMatch(run.stderr + run.stdout, /sup3rsecret/);
  });

  it("SIGINT mid-run stops the load, still writes the report marked stopped, and cleans up its keys", async () => {
    const out = outDir();
    const prefix = `cssig:${process.pid}:`;
    const statsBefore = await commandStats(redis.url);
    const run = await runCli(
      ["run", "--url", redis.url, "--duration", "30s", "-c", "4", "--prefix", prefix, "--out", out, "--json"],
      {
        signalAfterMs: { signal: "SIGINT", afterMs: 2500 },
      },
    );
    const statsAfter = await commandStats(redis.url);
    assert.ok(run.durationMs < 10_000, `took ${run.durationMs} ms`);
    const result = JSON.parse(run.stdout) as RunResult;
    assert.equal(result.status, "stopped");
    assert.ok(result.totals.ops > 0);
    // Stopped mid-run: some of the 30 s measured, far from all (start-up time varies on a busy machine).
    assert.ok(result.durationMs > 200 && result.durationMs < 5000, `measured ${result.durationMs} ms`);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    const serverSets = statsAfter.set.calls - (statsBefore.set?.calls ?? 0);
    assert.equal(serverSets, result.countCheck.byCommand.SET.server);
    assert.equal(await scanCount(redis.url, `${prefix}*`), 0);
    assert.ok(result.cleanup.keysDeleted > 0);
    assert.ok(existsSync(/report: (\S+\.json)/.exec(run.stderr)?.[1] ?? "/nonexistent"));
  });

  it("SIGTERM works the same way", async () => {
    const run = await runCli(
      ["run", "--url", redis.url, "--duration", "30s", "-c", "2", "--out", outDir(), "--json"],
      {
        signalAfterMs: { signal: "SIGTERM", afterMs: 2000 },
      },
    );
    const result = JSON.parse(run.stdout) as RunResult;
    assert.equal(result.status, "stopped");
    assert.ok(run.durationMs < 10_000);
  });

  it("only keys under the run's prefix are touched: other keys survive, run keys are deleted, --keep-keys keeps them", async () => {
    const { createClient } = await import("@redis/client");
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      await client.set("someone-else:key", "precious");
      const prefix = `cskeep:${process.pid}:`;
      const cleaned = await runCli([
        "run",
        "--url",
        redis.url,
        "--requests",
        "3000",
        "-c",
        "2",
        "--ratio",
        "1:0",
        "--key-max",
        "500",
        "--prefix",
        prefix,
        "--out",
        outDir(),
        "--json",
      ]);
      assert.equal(cleaned.code, 0, cleaned.stderr);
      assert.equal(await scanCount(redis.url, `${prefix}*`), 0);
      assert.equal(await client.get("someone-else:key"), "precious");

      const kept = await runCli([
        "run",
        "--url",
        redis.url,
        "--requests",
        "3000",
        "-c",
        "2",
        "--ratio",
        "1:0",
        "--key-max",
        "500",
        "--key-pattern",
        "sequential",
        "--prefix",
        prefix,
        "--keep-keys",
        "--out",
        outDir(),
        "--json",
      ]);
      assert.equal(kept.code, 0, kept.stderr);
      assert.equal(await scanCount(redis.url, `${prefix}*`), 500);
      const result = JSON.parse(kept.stdout) as RunResult;
      assert.equal(result.cleanup.kept, true);
    } finally {
      await client.quit();
    }
  });

  it("open loop through the CLI: --rate with a ramp profile, late starts and service time reported", async () => {
    const run = await runCli([
      "run",
      "--url",
      redis.url,
      "--rate",
      "1000",
      "--profile",
      "ramp",
      "--ramp-to",
      "3000",
      "--duration",
      "2s",
      "-c",
      "4",
      "--out",
      outDir(),
      "--json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as RunResult;
    assert.equal(result.mode, "open-loop");
    assert.ok(Math.abs(result.totals.ops - 4000) < 100, `ops ${result.totals.ops}`);
    assert.ok(result.serviceTime !== undefined);
    assert.ok(result.openLoop !== undefined && result.openLoop.lateStarts >= 0);
  });
});

describe("cachestress run with no --url", () => {
  it("starts its own redis-server, runs, and stops it again", async () => {
    const run = await runCli(["run", "--duration", "1s", "-c", "2", "--out", outDir(), "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as RunResult;
    assert.equal(result.target.managed, true);
    const pid = Number(/pid (\d+)/.exec(run.stderr)?.[1]);
    assert.ok(pid > 0, run.stderr);
    assert.throws(() => process.kill(pid, 0)); // the server is gone
  });
});
