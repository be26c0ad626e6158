import { spawn } from "node:child_process";
import { createClient } from "@redis/client";

/** Helpers the benchmark tools share: a command's own CPU time, and the server's counters. */

/** No single tool run may take longer than this, ms; it is killed and the bench fails. */
const RUN_TIMEOUT_MS = 90_000;

export interface Measured {
  code: number | null;
  stdout: string;
  stderr: string;
  /** user + sys of the command and everything it waited for, µs. */
  cpuUs: number;
  /** From spawn to exit, ms. */
  wallMs: number;
}

/**
 * Runs a command and measures its CPU time. The command runs under `bash -c '"$@"; times'`: bash
 * waits for it, so the kernel has added its user and sys time (and that of anything it started and
 * waited for, e.g. worker threads or helper processes) to bash's "children" account, which `times`
 * prints on its second line. Unlike sampling /proc/<pid>/stat, this cannot miss the last moments
 * before exit or a process that forks, and it works the same for a C and a Node client.
 */
export function runMeasured(cmd: string, args: string[]): Promise<Measured> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", '"$@"; rc=$?; times >&2; exit $rc', "_", cmd, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LC_ALL: "C" }, // `times` prints 0m1.234s, never 0m1,234s
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, RUN_TIMEOUT_MS);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      const lines = stderr.trimEnd().split("\n");
      const children = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines.at(-1) ?? "");
      if (!children) {
        reject(new Error(`${cmd}: no CPU times from bash (exit ${code}): ${stderr.slice(-500)}`));
        return;
      }
      const [, um, us, sm, ss] = children;
      const cpuUs = ((Number(um) + Number(sm)) * 60 + Number(us) + Number(ss)) * 1e6;
      const wallMs = performance.now() - started;
      resolve({ code, stdout, stderr: lines.slice(0, -2).join("\n"), cpuUs, wallMs });
    });
  });
}

/** What the server counted, read before and after a tool's run. */
export interface ServerCounters {
  /** used_cpu_user + used_cpu_sys, µs. */
  cpuUs: number;
  keyspaceHits: number;
  keyspaceMisses: number;
}

export async function serverCounters(url: string): Promise<ServerCounters> {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    const text = `${await client.info("cpu")}\n${await client.info("stats")}`;
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1] ?? 0);
    return {
      cpuUs: (field("used_cpu_user") + field("used_cpu_sys")) * 1e6,
      keyspaceHits: field("keyspace_hits"),
      keyspaceMisses: field("keyspace_misses"),
    };
  } finally {
    client.destroy();
  }
}

/** Server CPU and the GET hit ratio between two readings. */
export function serverDelta(
  before: ServerCounters,
  after: ServerCounters,
): { cpuUs: number; hitRatio: number | undefined } {
  const hits = after.keyspaceHits - before.keyspaceHits;
  const lookups = hits + after.keyspaceMisses - before.keyspaceMisses;
  return { cpuUs: after.cpuUs - before.cpuUs, hitRatio: lookups > 0 ? hits / lookups : undefined };
}

export async function flushdb(url: string): Promise<void> {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.flushDb();
  } finally {
    client.destroy();
  }
}

/** Is `command` on the PATH? */
export async function onPath(command: string): Promise<boolean> {
  const m = await runMeasured("bash", ["-c", `command -v ${command} >/dev/null`]);
  return m.code === 0;
}
