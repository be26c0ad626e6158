import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createClient } from "redis";
import type { RunResult } from "../src/reports/result-types.js";
import { type ManagedRedis, startManagedRedis } from "../src/run/managed-redis.js";

/**
 * `npm run bench`: cachestress against redis-benchmark on the same local redis-server, same shape
 * (connections × pipeline depth), same key space and value size, one after the other. Reports
 * throughput and the client's own CPU cost per operation, because a load generator that needs more
 * CPU per operation runs out of machine before the server does.
 *
 *   node dist/bench/vs-redis-benchmark.js [--quick] [--only redis-benchmark|cachestress]
 */

const CLI_JS = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const SHAPES = [
  { connections: 50, pipeline: 1 },
  { connections: 50, pipeline: 16 },
];
const KEY_MAX = 100_000;
const DATA_SIZE = 32; // bytes
/** No single tool run may take longer than this, ms; it is killed and the bench fails. */
const RUN_TIMEOUT_MS = 90_000;

type Tool = "redis-benchmark" | "cachestress";

interface Sample {
  opsPerSec: number;
  /** Client CPU (user + sys) per completed operation, µs. */
  clientCpuUsPerOp: number;
  /** redis-server CPU (user + sys, from INFO cpu) per operation over the same run, µs. */
  serverCpuUsPerOp: number;
}

interface Measured {
  code: number | null;
  stdout: string;
  stderr: string;
  /** user + sys of the command and everything it waited for, µs. */
  cpuUs: number;
}

/**
 * Runs a command and measures its CPU time. The command runs under `bash -c '"$@"; times'`: bash
 * waits for it, so the kernel has added its user and sys time (and that of anything it started and
 * waited for, e.g. worker threads or helper processes) to bash's "children" account, which `times`
 * prints on its second line. Unlike sampling /proc/<pid>/stat, this cannot miss the last moments
 * before exit or a process that forks, and it works the same for a C and a Node client.
 */
function runMeasured(cmd: string, args: string[]): Promise<Measured> {
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
      resolve({ code, stdout, stderr: lines.slice(0, -2).join("\n"), cpuUs });
    });
  });
}

async function serverCpuUs(url: string): Promise<number> {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    const text = await client.info("cpu");
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1] ?? 0);
    return (field("used_cpu_user") + field("used_cpu_sys")) * 1e6;
  } finally {
    client.destroy();
  }
}

async function flushdb(url: string): Promise<void> {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.flushDb();
  } finally {
    client.destroy();
  }
}

/** `"SET","57903.88",...` rows of `redis-benchmark --csv` → requests per second per test. */
function parseBenchmarkCsv(csv: string): Map<string, number> {
  const rps = new Map<string, number>();
  for (const line of csv.split("\n")) {
    const cells = line.split(",").map((c) => c.replace(/"/g, ""));
    if (cells.length >= 2 && /^[A-Z]+$/.test(cells[0]) && Number(cells[1]) > 0)
      rps.set(cells[0], Number(cells[1]));
  }
  return rps;
}

async function runRedisBenchmark(
  redis: ManagedRedis,
  shape: (typeof SHAPES)[number],
  requestsPerTest: number,
): Promise<{ sample: Sample; requests: number; elapsedS: number }> {
  const cpuBefore = await serverCpuUs(redis.url);
  const m = await runMeasured("redis-benchmark", [
    ...["-h", redis.host, "-p", String(redis.port), "-c", String(shape.connections)],
    ...["-P", String(shape.pipeline), "-r", String(KEY_MAX), "-d", String(DATA_SIZE)],
    ...["-t", "set,get", "-n", String(requestsPerTest), "--csv", "-q"],
  ]);
  const serverUs = (await serverCpuUs(redis.url)) - cpuBefore;
  if (m.code === 127) {
    throw new Error(
      "redis-benchmark not found: install it with 'apt-get install redis-tools' or 'brew install redis'",
    );
  }
  const rps = parseBenchmarkCsv(m.stdout);
  if (m.code !== 0 || !rps.has("SET") || !rps.has("GET")) {
    throw new Error(`redis-benchmark failed (exit ${m.code}): ${(m.stderr || m.stdout).slice(-500)}`);
  }
  // Each test sends requestsPerTest requests; its elapsed time is requests / rate. The combined
  // rate is all requests over all elapsed time (not the mean of the two rates).
  const elapsedS = requestsPerTest / rps.get("SET")! + requestsPerTest / rps.get("GET")!;
  const requests = 2 * requestsPerTest;
  await flushdb(redis.url);
  return {
    sample: {
      opsPerSec: requests / elapsedS,
      clientCpuUsPerOp: m.cpuUs / requests,
      serverCpuUsPerOp: serverUs / requests,
    },
    requests,
    elapsedS,
  };
}

async function runCachestress(
  redis: ManagedRedis,
  shape: (typeof SHAPES)[number],
  durationS: number,
): Promise<Sample> {
  const outDir = mkdtempSync(join(tmpdir(), "cachestress-bench-"));
  try {
    const cpuBefore = await serverCpuUs(redis.url);
    const m = await runMeasured(process.execPath, [
      CLI_JS,
      "run",
      ...[
        "--url",
        redis.url,
        "--connections",
        String(shape.connections),
        "--pipeline",
        String(shape.pipeline),
      ],
      ...["--key-max", String(KEY_MAX), "--key-pattern", "uniform", "--data-size", String(DATA_SIZE)],
      ...["--ratio", "1:10", "--duration", `${durationS}s`, "--json", "--out", outDir],
    ]);
    const serverUs = (await serverCpuUs(redis.url)) - cpuBefore;
    // Exit 1 means thresholds failed; none are set here, but the numbers are still good.
    if (m.code !== 0 && m.code !== 1) {
      throw new Error(`cachestress failed (exit ${m.code}): ${m.stderr.slice(-500)}`);
    }
    let result: RunResult;
    try {
      result = JSON.parse(m.stdout) as RunResult;
    } catch {
      throw new Error(
        `cachestress printed no RunResult JSON on stdout: ${m.stdout.slice(0, 200)}${m.stderr.slice(-300)}`,
      );
    }
    // The process's CPU also covers Node's start-up, warm-up, prefill and key clean-up, so count
    // every operation it sent, not only the measured ones; start-up and clean-up stay in (they are
    // part of what the tool costs), which makes the comparison slightly unfavourable to cachestress.
    const allOps = result.totals.ops + (result.phases.warmup?.ops ?? 0) + (result.phases.prefill?.ops ?? 0);
    await flushdb(redis.url);
    return {
      opsPerSec: result.totals.opsPerSec,
      clientCpuUsPerOp: m.cpuUs / allOps,
      serverCpuUsPerOp: serverUs / allOps,
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function renderTable(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "))
    .join("\n");
}

const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const fmtUs = (n: number) => n.toFixed(2);
const fmtRatio = (n: number) => `${n.toFixed(2)}×`;
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { quick: { type: "boolean", default: false }, only: { type: "string" } },
  });
  const repetitions = values.quick ? 1 : 3;
  const secondsPerRun = values.quick ? 3 : 6;
  const tools: Tool[] =
    values.only === "redis-benchmark" || values.only === "cachestress"
      ? [values.only]
      : ["redis-benchmark", "cachestress"];
  if (values.only !== undefined && tools.length !== 1) {
    log(`--only must be redis-benchmark or cachestress, not '${values.only}'`);
    return 2;
  }
  if (tools.includes("cachestress") && !existsSync(CLI_JS)) {
    log(`${CLI_JS} is missing: build with 'npx tsc -p tsconfig.json' (or run --only redis-benchmark)`);
    return 1;
  }

  const redis = await startManagedRedis();
  log(
    `redis-server pid ${redis.pid} on ${redis.url}; ${repetitions} repetition(s) of ~${secondsPerRun} s per tool`,
  );
  const samples = new Map<string, Sample[]>();
  let failed = false;
  try {
    for (const shape of SHAPES) {
      const shapeName = `${shape.connections}×${shape.pipeline}`;
      let requestsPerTest = 0;
      if (tools.includes("redis-benchmark")) {
        // A short run sizes the real ones so each lasts about secondsPerRun on this machine.
        const probe = await runRedisBenchmark(redis, shape, shape.pipeline === 1 ? 20_000 : 200_000);
        requestsPerTest = Math.max(10_000, Math.round((probe.sample.opsPerSec * secondsPerRun) / 2));
        log(`${shapeName}: calibration ${fmtInt(probe.sample.opsPerSec)} ops/s → -n ${requestsPerTest}`);
      }
      for (let rep = 1; rep <= repetitions; rep++) {
        for (const tool of tools) {
          try {
            const sample =
              tool === "redis-benchmark"
                ? (await runRedisBenchmark(redis, shape, requestsPerTest)).sample
                : await runCachestress(redis, shape, secondsPerRun);
            const key = `${shapeName}|${tool}`;
            samples.set(key, [...(samples.get(key) ?? []), sample]);
            log(
              `${shapeName} ${tool} #${rep}: ${fmtInt(sample.opsPerSec)} ops/s, ` +
                `client ${fmtUs(sample.clientCpuUsPerOp)} µs/op, server ${fmtUs(sample.serverCpuUsPerOp)} µs/op`,
            );
          } catch (err) {
            failed = true;
            log(`${shapeName} ${tool} #${rep}: ${(err as Error).message}`);
          }
        }
      }
    }
  } finally {
    await redis.stop();
  }

  const rows = [["shape", "tool", "ops/s (median)", "client CPU µs/op", "server CPU µs/op"]];
  for (const shape of SHAPES) {
    const shapeName = `${shape.connections}×${shape.pipeline}`;
    const medians = new Map<Tool, Sample>();
    for (const tool of tools) {
      const list = samples.get(`${shapeName}|${tool}`) ?? [];
      if (list.length === 0) continue;
      const m: Sample = {
        opsPerSec: median(list.map((s) => s.opsPerSec)),
        clientCpuUsPerOp: median(list.map((s) => s.clientCpuUsPerOp)),
        serverCpuUsPerOp: median(list.map((s) => s.serverCpuUsPerOp)),
      };
      medians.set(tool, m);
      rows.push([shapeName, tool, fmtInt(m.opsPerSec), fmtUs(m.clientCpuUsPerOp), fmtUs(m.serverCpuUsPerOp)]);
    }
    const cs = medians.get("cachestress");
    const rb = medians.get("redis-benchmark");
    if (cs && rb) {
      rows.push([
        shapeName,
        "cachestress / redis-benchmark",
        fmtRatio(cs.opsPerSec / rb.opsPerSec),
        fmtRatio(cs.clientCpuUsPerOp / rb.clientCpuUsPerOp),
        fmtRatio(cs.serverCpuUsPerOp / rb.serverCpuUsPerOp),
      ]);
    }
  }
  process.stdout.write(`${renderTable(rows)}\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    log(err.message);
    process.exitCode = 1;
  },
);
