import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunResult } from "../../src/result/result-types.js";
import { runCli } from "../helpers/cli.js";
import { aclSetUser, commandStats, type ManagedRedis, scanCount, startRedis } from "../helpers/redis.js";

const outDir = () => mkdtempSync(join(tmpdir(), "cachestress-acl-"));
const LOADER_PASSWORD = "s3cret-loader-pw";
const NARROW_PASSWORD = "n4rrow-user-pw";

/** Everything the CLI wrote where a person or a CI log could see it, plus the report files. */
function everythingPrinted(run: { stdout: string; stderr: string }): string {
  const reports = [...run.stderr.matchAll(/(\S+\.(?:json|md))\s*$/gm)].map((m) => readFileSync(m[1], "utf8"));
  return [run.stdout, run.stderr, ...reports].join("\n");
}

describe("ACL users (ElastiCache / Azure style) against a real redis-server", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
    // A user that may touch only keys under csacl:, as a platform team would hand out.
    await aclSetUser(redis.url, "loader", "on", `>${LOADER_PASSWORD}`, "~csacl:*", "+@all");
    // Managed services often withhold @dangerous (INFO, CONFIG, SLOWLOG) from application users.
    await aclSetUser(redis.url, "narrow", "on", `>${NARROW_PASSWORD}`, "~csacl:*", "+@all", "-@dangerous");
  });
  after(async () => {
    await redis.stop();
  });

  it("a user limited to the run's prefix, credentials from REDIS_USERNAME/REDIS_PASSWORD: exact counts", async () => {
    const prefix = `csacl:${process.pid}:a:`;
    const statsBefore = await commandStats(redis.url);
    const run = await runCli(
      ["run", "--url", redis.url, "--requests", "3000", "-c", "4", "--pipeline", "4"].concat([
        "--prefix",
        prefix,
        "--out",
        outDir(),
        "--json",
      ]),
      { env: { REDIS_USERNAME: "loader", REDIS_PASSWORD: LOADER_PASSWORD } },
    );
    const statsAfter = await commandStats(redis.url);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as RunResult;
    assert.equal(result.totals.ops, 3000);
    assert.equal(result.totals.errors, 0);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    assert.equal(
      result.countCheck.byCommand.SET.server,
      statsAfter.set.calls - (statsBefore.set?.calls ?? 0),
    );
    assert.equal(
      result.countCheck.byCommand.GET.server,
      statsAfter.get.calls - (statsBefore.get?.calls ?? 0),
    );
    assert.equal(result.auth?.method, "acl-user");
    assert.equal(await scanCount(redis.url, `${prefix}*`), 0); // cleaned up as that user
    assert.doesNotMatch(everythingPrinted(run), new RegExp(LOADER_PASSWORD));
  });

  it("a user without INFO (-@dangerous) still runs; the server's own counts match the tool's", async () => {
    const statsBefore = await commandStats(redis.url);
    const run = await runCli(
      [
        "run",
        "--url",
        `redis://narrow:${NARROW_PASSWORD}@127.0.0.1:${redis.port}`,
        "--requests",
        "2000",
      ].concat(["-c", "2", "--prefix", `csacl:${process.pid}:n:`, "--out", outDir(), "--json"]),
    );
    const statsAfter = await commandStats(redis.url);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as RunResult;
    assert.equal(result.totals.errors, 0);
    assert.equal(result.countCheck.checked, false); // INFO commandstats is not this user's to read
    assert.equal(result.perCommand.SET.ops, statsAfter.set.calls - (statsBefore.set?.calls ?? 0));
    assert.equal(result.perCommand.GET.ops, statsAfter.get.calls - (statsBefore.get?.calls ?? 0));
    assert.equal(result.target.url, `redis://narrow:***@127.0.0.1:${redis.port}`);
    assert.doesNotMatch(everythingPrinted(run), new RegExp(NARROW_PASSWORD));
  });

  it("a --prefix outside the user's key patterns fails before any load: exit 3, one line, NOPERM", async () => {
    const before = await commandStats(redis.url);
    const run = await runCli(["run", "--url", redis.url, "--duration", "2s", "--prefix", "elsewhere:"], {
      env: { REDIS_USERNAME: "loader", REDIS_PASSWORD: LOADER_PASSWORD },
    });
    const afterStats = await commandStats(redis.url);
    assert.equal(run.code, 3, run.stderr);
    assert.ok(run.durationMs < 5000, `took ${run.durationMs} ms`);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    assert.match(run.stderr, /NOPERM/);
    assert.match(run.stderr, /--prefix elsewhere:/);
    assert.equal(afterStats.set?.calls ?? 0, before.set?.calls ?? 0); // not one SET was sent
  });

  it("a wrong password fails fast: exit 3, one line naming WRONGPASS, the secret never printed", async () => {
    for (const how of ["env", "url"] as const) {
      const wrong = "wr0ng-pa55word";
      const url = how === "url" ? `redis://loader:${wrong}@127.0.0.1:${redis.port}` : redis.url;
      const env: Record<string, string> =
        how === "env" ? { REDIS_USERNAME: "loader", REDIS_PASSWORD: wrong } : {};
      const run = await runCli(["run", "--url", url, "--duration", "2s", "--debug"], { env });
      assert.equal(run.code, 3, `${how}: ${run.stderr}`);
      assert.ok(run.durationMs < 5000, `${how}: took ${run.durationMs} ms`);
      assert.match(run.stderr, /WRONGPASS/);
      assert.doesNotMatch(run.stdout + run.stderr, new RegExp(wrong));
      const withoutDebug = await runCli(["run", "--url", url, "--duration", "2s"], { env });
      assert.equal(withoutDebug.stderr.trim().split("\n").length, 1, withoutDebug.stderr);
    }
  });
});
