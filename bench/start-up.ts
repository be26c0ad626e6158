import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startManagedRedis } from "../src/core/managed-redis.js";

/*
 * Start to first command: from the moment `cachestress run --url ... --requests 100` is spawned to
 * the first command its target receives (and to the first command of the load itself, SET or GET).
 * The server's MONITOR stream stamps every command with the server's own clock (µs), so the figure
 * does not depend on when this process gets to read the stream. Run: `npm run build && node
 * dist/bench/start-up.js [runs] [main.js ...]`; prints each run and the medians. With several
 * main.js (say, an older build beside this one), their runs alternate, so both see the same load on
 * a shared machine. A figure, not a pass/fail test.
 */

const RUNS = Number(process.argv[2] ?? 5);
const OWN_CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "cli", "main.js");
const CLIS = process.argv.length > 3 ? process.argv.slice(3).map((p) => resolve(p)) : [OWN_CLI];
/** No single run may take longer, ms: the CLI is killed and the bench fails. */
const RUN_TIMEOUT_MS = 30_000;

interface StartUp {
  /** Spawn to the first command of any kind (the admin client's), ms. */
  firstCommandMs: number;
  /**
   * CPU time (user + system) the CLI had used when this process saw the first command, ms: an upper
   * bound (the CLI runs on while the MONITOR line travels), but one that a busy machine does not
   * inflate the way it inflates the wall-clock figures.
   */
  firstCommandCpuMs: number;
  /** Spawn to the first SET or GET of the load, ms. */
  firstLoadMs: number;
  /** Spawn to exit, ms. */
  wallMs: number;
}

/** MONITOR lines look like `+1733500000.123456 [0 127.0.0.1:40000] "SET" "key" ...`. */
const MONITOR_LINE = /^\+(\d+\.\d+) \[\d+ [^\]]+\] "([A-Za-z]+)"/;

async function oneRun(cli: string, port: number): Promise<StartUp> {
  const monitor = createConnection({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    monitor.once("error", reject);
    monitor.once("connect", () => resolve());
  });
  let firstCommandMs = Number.NaN;
  let firstLoadMs = Number.NaN;
  let firstCommandCpuMs = Number.NaN;
  let childPid: number | undefined;
  let pending = "";
  let startedMs = 0;
  monitor.setEncoding("utf8").on("data", (text: string) => {
    pending += text;
    const lines = pending.split("\r\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const m = MONITOR_LINE.exec(line);
      if (m === null) continue;
      const atMs = Number(m[1]) * 1000 - startedMs;
      if (Number.isNaN(firstCommandMs)) {
        firstCommandMs = atMs;
        if (childPid !== undefined) firstCommandCpuMs = cpuMsOf(childPid);
      }
      if (Number.isNaN(firstLoadMs) && (m[2] === "SET" || m[2] === "GET")) firstLoadMs = atMs;
    }
  });
  monitor.write("MONITOR\r\n");
  // MONITOR answers +OK before it streams anything; wait for it so no command is missed.
  await new Promise<void>((resolve) => {
    const wait = (triesLeft: number) => {
      if (pending.includes("+OK") || triesLeft === 0) resolve();
      else setTimeout(() => wait(triesLeft - 1), 5);
    };
    wait(400);
  });
  pending = "";
  startedMs = Date.now();
  const args = [cli, "run", "--url", `redis://127.0.0.1:${port}`, "--requests", "100", "--connections", "2"];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], cwd: tmpCwd() });
  childPid = child.pid;
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  const wallMs = Date.now() - startedMs;
  // The last MONITOR lines may still be on their way.
  await new Promise((r) => setTimeout(r, 100));
  monitor.destroy();
  if (code !== 0) throw new Error(`cachestress run exited with ${code}: ${stderr.slice(-500)}`);
  return { firstCommandMs, firstCommandCpuMs, firstLoadMs, wallMs };
}

/** user + system CPU of a process so far, ms (Linux /proc; NaN elsewhere). */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at state; utime and stime are
    // the 14th and 15th fields, in clock ticks (100 per second on Linux).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Reports go to the working directory's Reports/: keep them out of the repository. */
let cwd: string | undefined;
function tmpCwd(): string {
  cwd ??= join(process.env.TMPDIR ?? "/tmp", `cachestress-start-up-${process.pid}`);
  return cwd;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function main(): Promise<void> {
  mkdirSync(tmpCwd(), { recursive: true });
  const redis = await startManagedRedis();
  const runs = CLIS.map(() => [] as StartUp[]);
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const [c, cli] of CLIS.entries()) {
        const r = await oneRun(cli, redis.port);
        runs[c].push(r);
        process.stdout.write(
          `${cli} run ${i + 1}: first command ${r.firstCommandMs.toFixed(0)} ms ` +
            `(${r.firstCommandCpuMs.toFixed(0)} ms CPU), ` +
            `first SET/GET ${r.firstLoadMs.toFixed(0)} ms, exit ${r.wallMs} ms\n`,
        );
      }
    }
  } finally {
    await redis.stop();
    rmSync(tmpCwd(), { recursive: true, force: true });
  }
  const load = loadavg()[0].toFixed(1);
  for (const [c, cli] of CLIS.entries()) {
    const f = (k: keyof StartUp) => median(runs[c].map((r) => r[k])).toFixed(0);
    process.stdout.write(
      `start-up of ${cli}, median of ${RUNS}: first command ${f("firstCommandMs")} ms ` +
        `(${f("firstCommandCpuMs")} ms CPU), ` +
        `first SET/GET ${f("firstLoadMs")} ms, whole run ${f("wallMs")} ms ` +
        `(node ${process.version}, load average ${load})\n`,
    );
  }
}

await main();
