import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunResult } from "../../src/result/result-types.js";
import { runCli } from "../helpers/cli.js";
import { commandStats, type ManagedRedis, startRedis } from "../helpers/redis.js";

/**
 * A stand-in for `az account get-access-token`: each call makes a fresh random password the only
 * one the ACL user accepts (`resetpass`), prints it as the token with an expiry, and appends it to
 * a log so the test knows every token that was handed out. A re-AUTH with anything but the newest
 * token is refused, so an accepted re-AUTH proves the newest token reached the connection.
 */
const TOKEN_SCRIPT = `
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import { createConnection } from "node:net";
const [port, user, prefix, log] = process.argv.slice(2);
const token = randomBytes(18).toString("base64url");
const args = ["ACL", "SETUSER", user, "on", "resetpass", ">" + token, "~" + prefix + "*", "+@all"];
const socket = createConnection({ host: "127.0.0.1", port: Number(port) });
socket.setTimeout(5000, () => process.exit(2));
socket.write("*" + args.length + "\\r\\n" + args.map((a) => "$" + Buffer.byteLength(a) + "\\r\\n" + a + "\\r\\n").join(""));
socket.once("data", (reply) => {
  if (!String(reply).startsWith("+OK")) {
    process.stderr.write("ACL SETUSER refused: " + String(reply).trim() + "\\n");
    process.exit(1);
  }
  appendFileSync(log, token + "\\n");
  process.stdout.write(JSON.stringify({ token, expiresOnMs: Date.now() + 3_600_000 }) + "\\n");
  socket.end();
});
`;

describe("--auth-token-command: a rotating token, re-AUTH on live connections (real redis-server)", () => {
  let redis: ManagedRedis;
  let dir: string;
  let script: string;
  before(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), "cachestress-token-"));
    script = join(dir, "token.mjs");
    writeFileSync(script, TOKEN_SCRIPT);
  });
  after(async () => {
    await redis.stop();
  });

  it("refreshes every second during a 3.5 s run: no errors, exact counts, refreshes ≥ 2, no token printed", async () => {
    const log = join(dir, "tokens.log");
    const prefix = `cstok:${process.pid}:`;
    const command = `"${process.execPath}" "${script}" ${redis.port} tokenuser ${prefix} "${log}"`;
    const statsBefore = await commandStats(redis.url);
    const run = await runCli(
      [
        "run",
        "--url",
        `redis://127.0.0.1:${redis.port}`,
        "--auth-token-command",
        command,
        "--auth-token-refresh",
        "1s",
        "--duration",
        "3500ms",
        "-c",
        "4",
        "--threads",
        "2",
        "--pipeline",
        "8",
        "--prefix",
        prefix,
        "--out",
        join(dir, "out"),
        "--json",
      ],
      { env: { REDIS_USERNAME: "tokenuser" } },
    );
    const statsAfter = await commandStats(redis.url);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as RunResult;
    const auth = result.auth!;
    assert.equal(auth.method, "token-command");
    assert.ok(auth.refreshes >= 2, `refreshes ${auth.refreshes}`);
    assert.equal(auth.refreshFailures, 0);
    assert.equal(auth.reauthFailures, 0);
    // Each refresh re-AUTHs the 4 live load connections; the last one may still be on its way.
    assert.ok(
      auth.reauths >= (auth.refreshes - 1) * 4 && auth.reauths <= auth.refreshes * 4,
      `${auth.reauths}`,
    );
    assert.equal(result.totals.errors, 0);
    assert.equal(result.totals.reconnects, 0);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    const calls = (name: string) => (statsAfter[name]?.calls ?? 0) - (statsBefore[name]?.calls ?? 0);
    assert.equal(result.perCommand.SET.ops, calls("set"));
    assert.equal(result.perCommand.GET.ops, calls("get"));
    // The server refused no AUTH at all: every connection always had the newest token.
    const failedAuths = (statsAfter.auth?.failedCalls ?? 0) - (statsBefore.auth?.failedCalls ?? 0);
    assert.equal(failedAuths, 0);

    const tokens = readFileSync(log, "utf8").trim().split("\n");
    // The first token, one per refresh, and perhaps one fetched as the run ended and never handed out.
    assert.ok(
      tokens.length - 1 - auth.refreshes <= 1 && tokens.length - 1 >= auth.refreshes,
      `${tokens.length}`,
    );
    const report = readFileSync(/report: (\S+\.json)/.exec(run.stderr)![1], "utf8");
    for (const token of tokens)
      assert.ok(!(run.stdout + run.stderr + report).includes(token), "a token was printed");
    assert.doesNotMatch(report, /token\.mjs/); // the command itself is redacted in the report
    // The admin and probe connections took every refreshed token too.
    assert.doesNotMatch(run.stderr, /re-AUTH with a refreshed token failed|token refresh failed/);
  });

  it("cachestress audit fetches a token with the same command", async () => {
    const log = join(dir, "audit-tokens.log");
    const command = `"${process.execPath}" "${script}" ${redis.port} audituser cstok: "${log}"`;
    const run = await runCli([
      "audit",
      "--url",
      `redis://audituser@127.0.0.1:${redis.port}`,
      "--auth-token-command",
      command,
      "--json",
    ]);
    assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}: ${run.stderr}`);
    assert.ok(JSON.parse(run.stdout).findings.length > 0);
    const token = readFileSync(log, "utf8").trim();
    assert.ok(token.length > 0 && !(run.stdout + run.stderr).includes(token));
  });

  it("a token command that fails: exit 3 within 5 s, one line with its exit code and last stderr line", async () => {
    const run = await runCli([
      "run",
      "--url",
      `redis://127.0.0.1:${redis.port}`,
      "--auth-token-command",
      "echo 'login required' >&2; exit 7",
      "--duration",
      "1s",
    ]);
    assert.equal(run.code, 3, run.stderr);
    assert.ok(run.durationMs < 5000, `took ${run.durationMs} ms`);
    assert.equal(run.stderr.trim(), "cachestress: --auth-token-command exited with code 7: login required");
  });
});
