import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { findRedisServer, freePort } from "../src/core/managed-redis.js";
import { runCli } from "./helpers/cli.js";
import { info } from "./helpers/redis.js";

/**
 * --restart-command against a redis-server the TEST starts (daemonized, its pid in a pidfile), not
 * the tool: the command is a small script that kills that server by its pid and starts it again on
 * the same port and directory, so it loads its AOF. persistence-recovery then passes against --url.
 * The command carries a fake secret, which must appear in no output and no report file.
 */

const SECRET = "hunter2-restart-secret";
const EVENTS = 3000;

/** Reads the pid the server wrote; undefined while it has not. */
function pidOf(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("--restart-command: persistence-recovery on a server the tool did not start", () => {
  const dir = mkdtempSync(join(tmpdir(), "cachestress-restart-cmd-"));
  const pidFile = join(dir, "redis.pid");
  const outDir = join(dir, "reports");
  const script = join(dir, "restart.sh");
  const restartLog = join(dir, "restarts.log");
  let port = 0;
  let url = "";
  /** Every pid the server had, so teardown stops whichever is running. */
  const pids = new Set<number>();

  before(async () => {
    const server = findRedisServer();
    assert.ok(server !== undefined, "redis-server must be installed for this test");
    port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
      "--save",
      "",
      "--daemonize",
      "yes",
      "--pidfile",
      pidFile,
      "--logfile",
      join(dir, "redis.log"),
    ];
    const quoted = args.map((a) => `'${a}'`).join(" ");
    // Stops the server by the pid in its pidfile, waits (bounded) until it is gone, starts it again.
    writeFileSync(
      script,
      [
        "#!/bin/sh",
        "set -e",
        `pid=$(cat '${pidFile}')`,
        `echo "$CACHESTRESS_RESTART_SIGNAL $pid" >> '${restartLog}'`,
        `kill -TERM "$pid"`,
        "i=0",
        'while kill -0 "$pid" 2>/dev/null; do i=$((i+1)); [ $i -gt 200 ] && exit 3; sleep 0.05; done',
        `rm -f '${pidFile}'`,
        `'${server}' ${quoted}`,
        "",
      ].join("\n"),
    );
    chmodSync(script, 0o755);
    execFileSync(server, args);
    await waitFor("the test's redis-server", () => {
      const pid = pidOf(pidFile);
      if (pid !== undefined) pids.add(pid);
      return pid !== undefined;
    });
  });

  after(() => {
    const current = pidOf(pidFile);
    if (current !== undefined) pids.add(current);
    for (const pid of pids) {
      try {
        if (alive(pid)) process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses persistence-recovery with --url and no --restart-command (exit 2)", async () => {
    const r = await runCli(["run", "persistence-recovery", "--url", url, "--out", outDir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--restart-command/);
  });

  it("restarts the test's server with the command; every event comes back; the command is never shown", async () => {
    const pidBefore = pidOf(pidFile);
    const r = await runCli(
      [
        "run",
        "persistence-recovery",
        "--url",
        url,
        "--restart-command",
        `TOKEN=${SECRET} sh '${script}'`,
        "--key-max",
        String(EVENTS),
        "--duration",
        "1s",
        "--connections",
        "4",
        "--out",
        outDir,
        "--json",
      ],
      { timeoutMs: 120_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    const check = result.check;
    assert.equal(check.ok, true, check.problems.join("; "));
    assert.equal(check.figures.keysBeforeRestart, EVENTS);
    assert.equal(check.figures.keysAfterRestart, EVENTS);
    assert.equal(check.figures.lostKeys, 0);
    assert.equal(check.figures.corruptKeys, 0);
    // The script really ran once and the server really is another process now.
    const log = readFileSync(restartLog, "utf8").trim().split("\n");
    assert.equal(log.length, 1);
    assert.match(log[0], /^SIGTERM \d+$/);
    const pidAfter = pidOf(pidFile);
    assert.ok(pidAfter !== undefined && pidAfter !== pidBefore);
    pids.add(pidAfter);
    assert.equal((await info(url, "server")).process_id, String(pidAfter));
    // The checklist says how the restart was possible.
    const restartItem = result.checklist.find((t: { id: string }) => t.id === "restart-possible");
    assert.equal(restartItem.status, "pass");
    // Secret-ish: the command appears nowhere, not in the output, not in any report file.
    assert.equal(result.config.restartCommand, "***");
    assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET));
    for (const file of readdirSync(outDir))
      assert.ok(!readFileSync(join(outDir, file), "utf8").includes(SECRET), `${file} shows the command`);
  });

  it("a command that exits non-zero fails the check with its exit code, not the run's report", async () => {
    const r = await runCli(
      [
        "run",
        "persistence-recovery",
        "--url",
        url,
        "--restart-command",
        `echo ${SECRET} >/dev/null; exit 7`,
        "--key-max",
        "500",
        "--duration",
        "500ms",
        "--out",
        outDir,
        "--json",
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 1, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.check.ok, false);
    assert.match(result.check.problems.join("; "), /--restart-command exited with code 7/);
    assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET));
  });

  it("a restart fault runs the command mid-run; the clients reconnect to the restarted server", async () => {
    const scenario = join(dir, "restart-fault.yaml");
    writeFileSync(
      scenario,
      [
        "name: restart-fault",
        "connections: 4",
        'ratio: "1:4"',
        "rate: 500",
        "duration: 4s",
        "timeout: 500ms",
        "faults:",
        "  - { at: 1s, kind: restart }",
        "",
      ].join("\n"),
    );
    const restartsBefore = readFileSync(restartLog, "utf8").trim().split("\n").length;
    const r = await runCli(
      ["run", scenario, "--url", url, "--restart-command", `sh '${script}'`, "--out", outDir, "--json"],
      { timeoutMs: 60_000 },
    );
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const result = JSON.parse(r.stdout);
    const fault = result.faults[0];
    assert.equal(fault.kind, "restart");
    assert.equal(fault.status, "done", fault.error);
    assert.equal(typeof fault.timeToFirstSuccessS, "number");
    assert.equal(readFileSync(restartLog, "utf8").trim().split("\n").length, restartsBefore + 1);
    const current = pidOf(pidFile);
    if (current !== undefined) pids.add(current);
    // The restart reset commandstats: the count check says so rather than compare across servers.
    assert.equal(result.countCheck.checked, false);
    const item = result.checklist.find((t: { id: string }) => t.id === "fault:0");
    assert.equal(item.status, "pass", item.evidence);
  });
});
