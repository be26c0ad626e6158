import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { removeStaleServerDirs } from "../../src/core/managed-redis.js";
import type { RunResult } from "../../src/result/result-types.js";
import { CLI_PATH, runCli } from "../helpers/cli.js";
import { killQuietly, processGone, sleep, startCli, waitForMatch, waitGone } from "../helpers/cli-process.js";
import { type ManagedRedis, scanCount, startRedis } from "../helpers/redis.js";
import { startCluster, type TestCluster, withNode } from "../helpers/redis-cluster.js";

const outDir = () => mkdtempSync(join(tmpdir(), "cachestress-int-"));
const MANAGED_PID = /started a throwaway redis-server on \S+ \(pid (\d+)\)/;

function reportIn(dir: string): RunResult {
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  assert.equal(files.length, 1, `reports in ${dir}: ${files.join(", ")}`);
  return JSON.parse(readFileSync(join(dir, files[0]), "utf8")) as RunResult;
}

/** 100 keys that belong to someone else: every test checks they survive. */
async function seedForeignKeys(url: string): Promise<void> {
  const { createClient } = await import("@redis/client");
  const client = createClient({ url });
  await client.connect();
  try {
    for (let i = 0; i < 100; i++) await client.set(`victim:${i}`, "precious");
  } finally {
    await client.quit();
  }
}

describe("interruptions: signals, crashes, a killed tool, a vanished parent, and cleanup", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
    await seedForeignKeys(redis.url);
  });
  after(async () => {
    assert.equal(await scanCount(redis.url, "victim:*"), 100, "the unrelated keys survive every test");
    await redis.stop();
  });

  it("a SIGKILLed tool leaves no redis-server running and no server directory", async () => {
    const cli = startCli(["run", "--duration", "30s", "-c", "2", "--out", outDir()]);
    try {
      const serverPid = Number((await cli.waitFor(MANAGED_PID, 20_000))[1]);
      // The server's working directory is its temp dir; /proc shows it on Linux.
      const dir = existsSync(`/proc/${serverPid}/cwd`) ? readlinkSync(`/proc/${serverPid}/cwd`) : undefined;
      await sleep(1500); // mid-run
      assert.equal(processGone(serverPid), false, "the server runs while the tool does");
      process.kill(cli.pid, "SIGKILL");
      assert.ok(await waitGone(serverPid, 5000), `redis-server ${serverPid} outlived the SIGKILLed tool`);
      if (dir !== undefined) {
        await sleep(200); // the watchdog removes the directory right after the kill
        assert.equal(existsSync(dir), false, `${dir} left behind`);
      }
    } finally {
      cli.dispose();
    }
  });

  it("the next start removes server directories whose owner is gone, and only those", async () => {
    const parent = mkdtempSync(join(tmpdir(), "cachestress-stale-"));
    const dead = spawn(process.execPath, ["-e", ""]);
    const deadPid = dead.pid as number;
    await new Promise((r) => dead.once("exit", r));
    const make = (name: string, owner?: number) => {
      const dir = join(parent, name);
      mkdirSync(dir);
      if (owner !== undefined) writeFileSync(join(dir, "cachestress-owner.pid"), `${owner}\n`);
      return dir;
    };
    const stale = make("cachestress-redis-dead", deadPid);
    const live = make("cachestress-redis-live", process.pid);
    const unowned = make("cachestress-redis-unowned");
    const other = make("something-else", deadPid);
    assert.deepEqual(removeStaleServerDirs(parent), [stale]);
    assert.equal(existsSync(stale), false);
    for (const kept of [live, unowned, other]) assert.ok(existsSync(kept), kept);
  });

  it("an engine thread that throws mid-phase ends the run as failed at once: exit 3, report, keys cleaned up", async () => {
    const out = outDir();
    const prefix = `cscrash:${process.pid}:`;
    const run = await runCli(
      [
        "run",
        "--url",
        redis.url,
        "--duration",
        "30s",
        "--threads",
        "2",
        "-c",
        "4",
        "--prefix",
        prefix,
        "--out",
        out,
      ],
      { env: { CACHESTRESS_TEST_WORKER_THROW_AFTER_MS: "1500" }, timeoutMs: 60_000 },
    );
    assert.equal(run.timedOut, false, run.stderr);
    assert.equal(run.code, 3, run.stderr);
    const result = reportIn(out);
    assert.equal(result.status, "failed");
    assert.match(result.stopReason ?? "", /engine thread 0 crashed: test hook/);
    // Ended about when the thread threw, not at the 30 s planned: what was measured is kept.
    assert.ok(result.durationMs < 10_000, `measured ${result.durationMs} ms of 30 s`);
    assert.ok(result.totals.ops > 0);
    assert.equal(result.countCheck.checked, false);
    assert.match(run.stderr, /verdict: FAIL, not a pass/);
    assert.equal(await scanCount(redis.url, `${prefix}*`), 0);
    assert.ok(result.cleanup.keysDeleted > 0);
  });

  it("SIGTERM during a hung phase still ends the tool, with its report and its keys cleaned up", async () => {
    const out = outDir();
    const prefix = `cshang:${process.pid}:`;
    const run = await runCli(
      ["run", "--url", redis.url, "--duration", "60s", "-c", "2", "--prefix", prefix, "--out", out],
      {
        env: { CACHESTRESS_TEST_WORKER_HANG_AFTER_MS: "1000" },
        signalAfterMs: { signal: "SIGTERM", afterMs: 4000 },
        timeoutMs: 50_000,
      },
    );
    assert.equal(run.timedOut, false, run.stderr);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /SIGTERM: stopping the load/);
    const result = reportIn(out);
    assert.equal(result.status, "failed");
    assert.match(result.stopReason ?? "", /did not stop within 5 s/);
    assert.equal(await scanCount(redis.url, `${prefix}*`), 0);
  });

  it("a run stopped by SIGINT exits 4 and its summary is not a pass", async () => {
    const out = outDir();
    const run = await runCli(["run", "--url", redis.url, "--duration", "30s", "-c", "2", "--out", out], {
      signalAfterMs: { signal: "SIGINT", afterMs: 2500 },
    });
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /verdict: STOPPED, not a pass/);
    assert.doesNotMatch(run.stderr, /verdict: PASS/);
    assert.equal(reportIn(out).status, "stopped");
  });

  it("a double Ctrl-C quits at once (exit 5) naming the prefix and the cleanup command, which removes the leftovers", async () => {
    const prefix = `csdouble:${process.pid}:`;
    const cli = startCli([
      "run",
      "--url",
      redis.url,
      "--prefill",
      "--key-max",
      "100000",
      "--duration",
      "30s",
      "-c",
      "4",
      "--pipeline",
      "16",
      "--prefix",
      prefix,
      "--out",
      outDir(),
    ]);
    let command: string;
    try {
      await sleep(3000);
      process.kill(cli.pid, "SIGINT");
      // Two signals sent before the first is handled arrive as one (POSIX signals do not queue):
      // the second goes once the tool has said it is stopping, while it still cleans up.
      const heardBy = Date.now() + 5000;
      while (!/SIGINT: stopping/.test(cli.stderr()) && Date.now() < heardBy) await sleep(5);
      process.kill(cli.pid, "SIGINT");
      const exit = await cli.exited(10_000);
      assert.deepEqual(exit, { code: 5, signal: null }, cli.stderr());
      command = (await waitForMatch(cli.stderr, /remove them with: (cachestress cleanup .*)/, 1000))[1];
    } finally {
      cli.dispose();
    }
    assert.equal(command, `cachestress cleanup --url ${redis.url} --prefix ${prefix}`);
    const left = await scanCount(redis.url, `${prefix}*`);
    assert.ok(left > 0, "the quit left keys behind (it skipped the cleanup)");
    const args = command.split(" ").slice(1);

    const dry = await runCli([...args, "--dry-run", "--json"]);
    assert.equal(dry.code, 0, dry.stderr);
    const counted = JSON.parse(dry.stdout) as { found: number; deleted: number; samples: string[] };
    assert.equal(counted.found, left);
    assert.equal(counted.deleted, 0);
    assert.ok(counted.samples.length > 0 && counted.samples.every((k) => k.startsWith(prefix)));
    assert.match(dry.stderr, /dry run: counting the keys under/);
    assert.equal(await scanCount(redis.url, `${prefix}*`), left, "a dry run deletes nothing");

    const real = await runCli([...args, "--json"]);
    assert.equal(real.code, 0, real.stderr);
    const done = JSON.parse(real.stdout) as { found: number; deleted: number; remaining: number };
    assert.deepEqual([done.found, done.deleted, done.remaining], [left, left, 0]);
    assert.match(real.stderr, /deleting every key under/);
    assert.equal(await scanCount(redis.url, `${prefix}*`), 0);
  });

  it("a double Ctrl-C without --url stops the managed server with the tool and says so", async () => {
    const cli = startCli(["run", "--duration", "30s", "-c", "2", "--out", outDir()]);
    try {
      const serverPid = Number((await cli.waitFor(MANAGED_PID, 20_000))[1]);
      await sleep(1500);
      process.kill(cli.pid, "SIGINT");
      await sleep(10);
      process.kill(cli.pid, "SIGINT");
      assert.deepEqual(await cli.exited(10_000), { code: 5, signal: null }, cli.stderr());
      assert.match(cli.stderr(), /the throwaway redis-server is stopped with the tool; its keys go with it/);
      assert.ok(await waitGone(serverPid, 5000), `redis-server ${serverPid} outlived the tool`);
    } finally {
      cli.dispose();
    }
  });

  it("cleanup refuses an empty, too short, unseparated or pattern prefix (exit 2) and touches nothing", async () => {
    for (const prefix of ["", "*", "ab", "app", "victim*", "vic tim:"]) {
      const run = await runCli(["cleanup", "--url", redis.url, "--prefix", prefix]);
      assert.equal(run.code, 2, `${JSON.stringify(prefix)}: ${run.stderr}`);
      assert.match(run.stderr, /--prefix: got/);
    }
    const missing = await runCli(["cleanup"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /2 problems/);
    assert.equal(await scanCount(redis.url, "victim:*"), 100);
  });

  it("a tool whose parent process is SIGKILLed stops as on SIGTERM: keys cleaned up, managed server gone", async () => {
    const out = outDir();
    const prefix = `csorphan:${process.pid}:`;
    const errFiles = [join(out, "withurl.err"), join(out, "managed.err")];
    const children = [
      [
        "run",
        "--url",
        redis.url,
        "--duration",
        "60s",
        "-c",
        "2",
        "--prefix",
        prefix,
        "--out",
        join(out, "a"),
      ],
      ["run", "--duration", "60s", "-c", "2", "--out", join(out, "b")],
    ];
    // The parent stands in for `npx`: it starts the tools and dies without passing anything on.
    const parentScript = `
      const { spawn } = require("node:child_process");
      const fs = require("node:fs");
      const [cli, children, errFiles] = JSON.parse(process.argv[1]);
      const pids = children.map((args, i) =>
        spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "ignore", fs.openSync(errFiles[i], "w")] }).pid);
      process.stdout.write(JSON.stringify(pids) + "\\n");
      setInterval(() => {}, 1000);`;
    const parent = spawn(
      process.execPath,
      ["-e", parentScript, JSON.stringify([CLI_PATH, children, errFiles])],
      {
        stdio: ["ignore", "pipe", "ignore"],
        detached: true,
      },
    );
    let stdout = "";
    parent.stdout.on("data", (b: Buffer) => {
      stdout += b.toString("utf8");
    });
    let pids: number[] = [];
    let serverPid = -1;
    try {
      pids = JSON.parse((await waitForMatch(() => stdout, /^\[.*\]$/m, 10_000))[0]) as number[];
      const readErr = (i: number) => (existsSync(errFiles[i]) ? readFileSync(errFiles[i], "utf8") : "");
      serverPid = Number((await waitForMatch(() => readErr(1), MANAGED_PID, 20_000))[1]);
      await sleep(2000); // both are loading
      assert.ok((await scanCount(redis.url, `${prefix}*`)) > 0, "the run with --url wrote keys");
      process.kill(parent.pid as number, "SIGKILL");
      for (const pid of pids) assert.ok(await waitGone(pid, 20_000), `the orphaned tool ${pid} went on`);
      assert.ok(await waitGone(serverPid, 5000), `its redis-server ${serverPid} outlived it`);
      for (const i of [0, 1]) assert.match(readErr(i), /the parent process went away: stopping the load/);
      assert.equal(await scanCount(redis.url, `${prefix}*`), 0);
      const stopped = reportIn(join(out, "a"));
      assert.equal(stopped.status, "stopped");
      assert.ok(stopped.cleanup.keysDeleted > 0);
      assert.equal(reportIn(join(out, "b")).status, "stopped");
    } finally {
      killQuietly(parent.pid as number);
      for (const pid of pids) killQuietly(pid);
      if (serverPid > 0) killQuietly(serverPid);
    }
  });
});

describe("a stop that cannot finish", () => {
  /** How long the server stops answering every client, ms. */
  const PAUSE_MS = 35_000;
  let paused: ManagedRedis;
  before(async () => {
    paused = await startRedis();
  });
  after(async () => {
    await paused.stop();
  });

  it("quits 30 s + --timeout after SIGTERM (exit 5) with the cleanup command when the target hangs", async () => {
    const prefix = `cspause:${process.pid}:`;
    const cli = startCli([
      "run",
      "--url",
      paused.url,
      "--duration",
      "120s",
      "-c",
      "2",
      "--prefix",
      prefix,
      "--out",
      outDir(),
    ]);
    try {
      const deadline = Date.now() + 20_000;
      while ((await scanCount(paused.url, `${prefix}*`)) === 0 && Date.now() < deadline) await sleep(200);
      // Every client, the tool's admin connection included, now waits for an answer that does not
      // come until the pause ends (CLIENT UNPAUSE would wait too): 35 s, past the 31 s hard stop (30 s + --timeout 1s).
      const pauseEnds = Date.now() + PAUSE_MS;
      await withNode(paused.url, (c) => c.sendCommand(["CLIENT", "PAUSE", String(PAUSE_MS), "ALL"]));
      process.kill(cli.pid, "SIGTERM");
      const exit = await cli.exited(PAUSE_MS + 10_000);
      assert.deepEqual(exit, { code: 5, signal: null }, cli.stderr());
      assert.match(cli.stderr(), /still not stopped 31 s after SIGTERM, quitting without a report/);
      assert.match(cli.stderr(), new RegExp(`cachestress cleanup --url ${paused.url} --prefix ${prefix}`));
      await sleep(Math.max(0, pauseEnds - Date.now()) + 500);
    } finally {
      cli.dispose();
    }
    const cleanup = await runCli(["cleanup", "--url", paused.url, "--prefix", prefix]);
    assert.equal(cleanup.code, 0, cleanup.stderr);
    assert.equal(await scanCount(paused.url, `${prefix}*`), 0);
  });
});

describe("cachestress cleanup on a Redis Cluster", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster(3, 0);
  });
  after(async () => {
    await cluster.stop();
  });

  it("finds and deletes the keys on every primary, and only those", async () => {
    const prefix = `csclu:${process.pid}:`;
    const keep = await runCli([
      "run",
      "--url",
      cluster.url,
      "--requests",
      "3000",
      "-c",
      "3",
      "--ratio",
      "1:0",
      "--key-max",
      "300",
      "--prefix",
      prefix,
      "--keep-keys",
      "--out",
      outDir(),
    ]);
    assert.equal(keep.code, 0, keep.stderr);
    // One key of someone else's on every node: the first victim:N whose slot that node owns.
    const perNode = async (pattern: string) => {
      const counts: number[] = [];
      for (const node of cluster.nodes) counts.push(await scanCount(node.url, pattern));
      return counts;
    };
    const left = await perNode(`${prefix}*`);
    assert.ok(
      left.every((n) => n > 0),
      `keys on every primary: ${left.join(", ")}`,
    );
    for (const [i, node] of cluster.nodes.entries()) {
      const slotKey = await withNode(node.url, async (c) => {
        for (let k = 0; k < 2000; k++) {
          const key = `victim:${k}`;
          try {
            await c.set(key, "precious");
            return key;
          } catch {
            // MOVED: another node owns this slot.
          }
        }
        return undefined;
      });
      assert.ok(slotKey !== undefined, `a foreign key on node ${i}`);
    }
    const total = left.reduce((a, b) => a + b, 0);
    const dry = await runCli(["cleanup", "--url", cluster.url, "--prefix", prefix, "--dry-run", "--json"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal((JSON.parse(dry.stdout) as { found: number }).found, total);
    assert.match(dry.stderr, /over 3 primaries/);
    const real = await runCli(["cleanup", "--url", cluster.url, "--prefix", prefix, "--json"]);
    assert.equal(real.code, 0, real.stderr);
    assert.deepEqual(
      (({ found, deleted, remaining }) => [found, deleted, remaining])(
        JSON.parse(real.stdout) as { found: number; deleted: number; remaining: number },
      ),
      [total, total, 0],
    );
    assert.deepEqual(await perNode(`${prefix}*`), [0, 0, 0]);
    const victims = await perNode("victim:*");
    assert.ok(
      victims.every((n) => n === 1),
      `one foreign key per node survives: ${victims.join(", ")}`,
    );
  });
});
