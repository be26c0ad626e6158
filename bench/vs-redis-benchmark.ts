import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { type ManagedRedis, startManagedRedis } from "../src/core/managed-redis.js";
import { allOps, CLI_JS, runCachestressOnce } from "./cachestress-run.js";
import { runCapacity } from "./capacity-bench.js";
import { flushdb, onPath, runMeasured, serverCounters, serverDelta } from "./measure-process.js";
import { runMemtier } from "./memtier.js";
import { type OpenLoopRow, renderOpenLoop, runOpenLoop } from "./open-loop-bench.js";
import { fmtInt, fmtMs, fmtRatio, fmtUs, median, renderTable } from "./table.js";

/**
 * `npm run bench`: cachestress against redis-benchmark (and memtier_benchmark when it is on the
 * PATH) on the same local redis-server, same shape (connections × pipeline depth), same key space,
 * value size and SET:GET mix, one after the other. Reports throughput, latency percentiles, the
 * GET hit ratio the server counted (equal work), and the client's own CPU per operation, because a
 * load generator that needs more CPU per operation runs out of machine before the server does.
 * Then the open loop: a fixed rate, where what counts is the client's CPU and how punctual its
 * sends are.
 *
 *   node dist/bench/vs-redis-benchmark.js [--quick] [--only redis-benchmark|cachestress|memtier] [--capacity]
 *
 * --capacity adds the capacity search on this machine (bench/capacity-bench.ts): a few minutes more.
 */

const SHAPES = [
  { connections: 50, pipeline: 1 },
  { connections: 50, pipeline: 16 },
  { connections: 10, pipeline: 100 },
];
const KEY_MAX = 100_000;
const DATA_SIZE = 32; // bytes

type Tool = "redis-benchmark" | "cachestress" | "memtier";
const ALL_TOOLS: Tool[] = ["redis-benchmark", "cachestress", "memtier"];

interface Sample {
  opsPerSec: number;
  /** Client CPU (user + sys) per completed operation, µs. */
  clientCpuUsPerOp: number;
  /** cachestress: the same without its start-up and clean-up (a 100-request run's CPU), µs. */
  clientRunCpuUsPerOp?: number;
  /** redis-server CPU (user + sys, from INFO cpu) per operation over the same run, µs. */
  serverCpuUsPerOp: number;
  /** Latency percentiles, ms (redis-benchmark's CSV has no p99.9: undefined). */
  p50Ms?: number;
  p99Ms?: number;
  p999Ms?: number;
  /** GET hits / lookups the server counted during the run. */
  hitRatio?: number;
  /** cachestress: its engine thread's young-generation collections per million operations, and full ones. */
  youngGcPerMillion?: number;
  fullGcs?: number;
}

/** `"SET","57903.88",...` rows of `redis-benchmark --csv` → requests per second per test. */
function parseBenchmarkCsv(csv: string): Map<string, { rps: number; p50Ms?: number; p99Ms?: number }> {
  const rows = new Map<string, { rps: number; p50Ms?: number; p99Ms?: number }>();
  let header: string[] = [];
  for (const line of csv.split("\n")) {
    const cells = line.split(",").map((c) => c.replace(/"/g, ""));
    if (cells[0] === "test") header = cells;
    if (cells.length >= 2 && /^[A-Z]+$/.test(cells[0]) && Number(cells[1]) > 0) {
      const at = (name: string) =>
        header.indexOf(name) > 0 ? Number(cells[header.indexOf(name)]) : undefined;
      rows.set(cells[0], { rps: Number(cells[1]), p50Ms: at("p50_latency_ms"), p99Ms: at("p99_latency_ms") });
    }
  }
  return rows;
}

async function runRedisBenchmark(
  redis: ManagedRedis,
  shape: (typeof SHAPES)[number],
  requestsPerTest: number,
): Promise<Sample> {
  const before = await serverCounters(redis.url);
  const m = await runMeasured("redis-benchmark", [
    ...["-h", redis.host, "-p", String(redis.port), "-c", String(shape.connections)],
    ...["-P", String(shape.pipeline), "-r", String(KEY_MAX), "-d", String(DATA_SIZE)],
    ...["-t", "set,get", "-n", String(requestsPerTest), "--csv", "-q"],
  ]);
  const server = serverDelta(before, await serverCounters(redis.url));
  if (m.code === 127) {
    throw new Error(
      "redis-benchmark not found: install it with 'apt-get install redis-tools' or 'brew install redis'",
    );
  }
  const rows = parseBenchmarkCsv(m.stdout);
  const set = rows.get("SET");
  const get = rows.get("GET");
  if (m.code !== 0 || set === undefined || get === undefined) {
    throw new Error(`redis-benchmark failed (exit ${m.code}): ${(m.stderr || m.stdout).slice(-500)}`);
  }
  // Each test sends requestsPerTest requests; its elapsed time is requests / rate. The combined
  // rate is all requests over all elapsed time (not the mean of the two rates).
  const elapsedS = requestsPerTest / set.rps + requestsPerTest / get.rps;
  const requests = 2 * requestsPerTest;
  await flushdb(redis.url);
  return {
    opsPerSec: requests / elapsedS,
    clientCpuUsPerOp: m.cpuUs / requests,
    serverCpuUsPerOp: server.cpuUs / requests,
    // Its GET test runs on its own (the SETs came first): percentiles of the GET test, the bulk.
    p50Ms: get.p50Ms,
    p99Ms: get.p99Ms,
    hitRatio: server.hitRatio,
  };
}

async function runCachestress(
  redis: ManagedRedis,
  shape: (typeof SHAPES)[number],
  durationS: number,
  startupCpuUs: number,
): Promise<Sample> {
  const before = await serverCounters(redis.url);
  const { result, cpuUs } = await runCachestressOnce(redis, shape.connections, shape.pipeline, [
    "--duration",
    `${durationS}s`,
  ]);
  const server = serverDelta(before, await serverCounters(redis.url));
  await flushdb(redis.url);
  // The process's CPU also covers Node's start-up and key clean-up: they stay in (they are part of
  // what the tool costs), which makes the comparison slightly unfavourable to cachestress.
  return {
    opsPerSec: result.totals.opsPerSec,
    clientCpuUsPerOp: cpuUs / allOps(result),
    clientRunCpuUsPerOp: Math.max(0, cpuUs - startupCpuUs) / allOps(result),
    serverCpuUsPerOp: server.cpuUs / allOps(result),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    p999Ms: result.latency.p999,
    hitRatio: server.hitRatio,
    youngGcPerMillion: result.engineGc?.youngPerMillionOps,
    fullGcs: result.engineGc?.fullCollections,
  };
}

async function runMemtierSample(
  redis: ManagedRedis,
  shape: (typeof SHAPES)[number],
  durationS: number,
): Promise<Sample> {
  const before = await serverCounters(redis.url);
  const run = await runMemtier(new URL(redis.url), shape, {
    keyMax: KEY_MAX,
    dataSize: DATA_SIZE,
    seconds: durationS,
  });
  const server = serverDelta(before, await serverCounters(redis.url));
  await flushdb(redis.url);
  return {
    opsPerSec: run.opsPerSec,
    clientCpuUsPerOp: run.cpuUs / run.ops,
    serverCpuUsPerOp: server.cpuUs / run.ops,
    p50Ms: run.p50Ms,
    p99Ms: run.p99Ms,
    p999Ms: run.p999Ms,
    hitRatio: server.hitRatio,
  };
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const fmtHit = (r: number | undefined) => (r === undefined ? "-" : `${(r * 100).toFixed(1)} %`);

function medianSample(list: Sample[]): Sample {
  const of = (pick: (s: Sample) => number | undefined) => {
    const values = list.map(pick).filter((v): v is number => v !== undefined);
    return values.length > 0 ? median(values) : undefined;
  };
  return {
    opsPerSec: of((s) => s.opsPerSec) ?? 0,
    clientCpuUsPerOp: of((s) => s.clientCpuUsPerOp) ?? 0,
    clientRunCpuUsPerOp: of((s) => s.clientRunCpuUsPerOp),
    serverCpuUsPerOp: of((s) => s.serverCpuUsPerOp) ?? 0,
    p50Ms: of((s) => s.p50Ms),
    p99Ms: of((s) => s.p99Ms),
    p999Ms: of((s) => s.p999Ms),
    hitRatio: of((s) => s.hitRatio),
    youngGcPerMillion: of((s) => s.youngGcPerMillion),
    fullGcs: of((s) => s.fullGcs),
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      capacity: { type: "boolean", default: false },
    },
  });
  const repetitions = values.quick ? 1 : 3;
  const secondsPerRun = values.quick ? 3 : 6;
  if (values.only !== undefined && !ALL_TOOLS.includes(values.only as Tool)) {
    log(`--only must be one of ${ALL_TOOLS.join(", ")}, not '${values.only}'`);
    return 2;
  }
  const hasMemtier = await onPath("memtier_benchmark");
  if (!hasMemtier) log("memtier_benchmark is not on the PATH: its columns are left out");
  const tools = (values.only !== undefined ? [values.only as Tool] : ALL_TOOLS).filter(
    (t) => t !== "memtier" || hasMemtier,
  );
  if (tools.includes("cachestress") && !existsSync(CLI_JS)) {
    log(`${CLI_JS} is missing: build with 'npx tsc -p tsconfig.json' (or run --only redis-benchmark)`);
    return 1;
  }

  const redis = await startManagedRedis();
  log(
    `redis-server pid ${redis.pid} on ${redis.url}; ${repetitions} repetition(s) of ~${secondsPerRun} s per tool`,
  );
  // Node's start-up and the run's clean-up cost the same whatever the load: measured on their own
  // (a 100-request run) so the table can show the per-operation cost without them too.
  let startupCpuUs = 0;
  let startupWallMs = 0;
  if (tools.includes("cachestress")) {
    const cpu: number[] = [];
    const wall: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await runCachestressOnce(redis, 1, 1, ["--requests", "100"]);
      cpu.push(run.cpuUs);
      wall.push(run.wallMs);
    }
    startupCpuUs = median(cpu);
    startupWallMs = median(wall);
    await flushdb(redis.url);
    log(
      `cachestress start-up and clean-up: a 100-request run takes ${fmtInt(startupWallMs)} ms wall, ` +
        `${fmtInt(startupCpuUs / 1000)} ms CPU (median of 3)`,
    );
  }
  const samples = new Map<string, Sample[]>();
  const openLoop: OpenLoopRow[] = [];
  let capacity: string | undefined;
  let failed = false;
  try {
    for (const shape of SHAPES) {
      const shapeName = `${shape.connections}×${shape.pipeline}`;
      let requestsPerTest = 0;
      if (tools.includes("redis-benchmark")) {
        // A short run sizes the real ones so each lasts about secondsPerRun on this machine.
        const probe = await runRedisBenchmark(redis, shape, shape.pipeline === 1 ? 20_000 : 200_000);
        requestsPerTest = Math.max(10_000, Math.round((probe.opsPerSec * secondsPerRun) / 2));
        log(`${shapeName}: calibration ${fmtInt(probe.opsPerSec)} ops/s → -n ${requestsPerTest}`);
      }
      // Interleaved: each repetition runs every tool once, so a noisy minute hits them all.
      for (let rep = 1; rep <= repetitions; rep++) {
        for (const tool of tools) {
          try {
            const sample =
              tool === "redis-benchmark"
                ? await runRedisBenchmark(redis, shape, requestsPerTest)
                : tool === "memtier"
                  ? await runMemtierSample(redis, shape, secondsPerRun)
                  : await runCachestress(redis, shape, secondsPerRun, startupCpuUs);
            const key = `${shapeName}|${tool}`;
            samples.set(key, [...(samples.get(key) ?? []), sample]);
            log(
              `${shapeName} ${tool} #${rep}: ${fmtInt(sample.opsPerSec)} ops/s, ` +
                `client ${fmtUs(sample.clientCpuUsPerOp)} µs/op, server ${fmtUs(sample.serverCpuUsPerOp)} µs/op, ` +
                `p99 ${fmtMs(sample.p99Ms)} ms, hits ${fmtHit(sample.hitRatio)}`,
            );
          } catch (err) {
            failed = true;
            log(`${shapeName} ${tool} #${rep}: ${(err as Error).message}`);
          }
        }
      }
    }
    const openTools = tools.filter((t): t is "cachestress" | "memtier" => t !== "redis-benchmark");
    if (openTools.length > 0) {
      const seconds = values.quick ? 5 : 10;
      const rows = await runOpenLoop(redis, openTools, repetitions, seconds, startupCpuUs, log);
      openLoop.push(...rows);
    }
    if (values.capacity && tools.includes("cachestress")) {
      capacity = await runCapacity(redis, values.quick ? 3 : 5);
      log(capacity);
    }
  } finally {
    await redis.stop();
  }

  const header = [
    "shape",
    "tool",
    "ops/s",
    "p50 ms",
    "p99 ms",
    "p99.9 ms",
    "client µs/op",
    "excl. start-up",
    "server µs/op",
    "hits",
    "young GC/M ops",
    "full GCs",
  ];
  const rows = [header];
  for (const shape of SHAPES) {
    const shapeName = `${shape.connections}×${shape.pipeline}`;
    const medians = new Map<Tool, Sample>();
    for (const tool of tools) {
      const list = samples.get(`${shapeName}|${tool}`) ?? [];
      if (list.length === 0) continue;
      const m = medianSample(list);
      medians.set(tool, m);
      rows.push([
        shapeName,
        tool,
        fmtInt(m.opsPerSec),
        fmtMs(m.p50Ms),
        fmtMs(m.p99Ms),
        fmtMs(m.p999Ms),
        fmtUs(m.clientCpuUsPerOp),
        m.clientRunCpuUsPerOp !== undefined ? fmtUs(m.clientRunCpuUsPerOp) : "-",
        fmtUs(m.serverCpuUsPerOp),
        fmtHit(m.hitRatio),
        m.youngGcPerMillion !== undefined ? m.youngGcPerMillion.toFixed(2) : "-",
        m.fullGcs !== undefined ? String(m.fullGcs) : "-",
      ]);
    }
    const cs = medians.get("cachestress");
    for (const other of ["redis-benchmark", "memtier"] as const) {
      const o = medians.get(other);
      if (cs === undefined || o === undefined) continue;
      const ratio = (a: number | undefined, b: number | undefined) =>
        a !== undefined && b !== undefined && b > 0 ? fmtRatio(a / b) : "-";
      rows.push([
        shapeName,
        `cachestress / ${other}`,
        ratio(cs.opsPerSec, o.opsPerSec),
        ratio(cs.p50Ms, o.p50Ms),
        ratio(cs.p99Ms, o.p99Ms),
        ratio(cs.p999Ms, o.p999Ms),
        ratio(cs.clientCpuUsPerOp, o.clientCpuUsPerOp),
        ratio(cs.clientRunCpuUsPerOp, o.clientCpuUsPerOp),
        ratio(cs.serverCpuUsPerOp, o.serverCpuUsPerOp),
        "",
        "",
        "",
      ]);
    }
  }
  if (startupWallMs > 0)
    process.stdout.write(
      `a 100-request run, whole process: ${fmtInt(startupWallMs)} ms wall, ${fmtInt(startupCpuUs / 1000)} ms CPU\n\n`,
    );
  process.stdout.write(`closed loop (medians of ${repetitions}):\n${renderTable(rows)}\n`);
  if (openLoop.length > 0) process.stdout.write(`\n${renderOpenLoop(openLoop, repetitions)}\n`);
  if (capacity !== undefined) process.stdout.write(`\n${capacity}\n`);
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
