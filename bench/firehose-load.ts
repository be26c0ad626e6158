import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "@redis/client";
import { startManagedRedis } from "../src/core/managed-redis.js";
import { resolveRunConfig } from "../src/run/resolve-config.js";
import { runScenario } from "../src/run/run-scenario.js";

/**
 * `npm run bench:firehose`: loads 2.7 million firehose events as individual keys into a local
 * redis-server, closed loop with ~1,000 writes in flight (4 connections × pipeline 256), and prints
 * the time, events/s and server memory per event, beside the script this tool replaces (33 minutes,
 * 1,587 events/s for the same 2.7 M events).
 *
 *   node dist/bench/firehose-load.js [--events N] [--connections N] [--pipeline N] [--threads N]
 */

const EARLIER_SCRIPT = { seconds: 33 * 60, eventsPerSec: 1587 };
/** Room for 2.7 M events of ~0.5 KB plus Redis's per-key overhead, with margin. */
const MAXMEMORY = "6gb";

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function usedMemoryBytes(url: string): Promise<{ usedMemory: number; keys: number }> {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    const text = await client.info("memory");
    return {
      usedMemory: Number(/used_memory:(\d+)/.exec(text)?.[1] ?? Number.NaN),
      keys: await client.dbSize(),
    };
  } finally {
    client.destroy();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      events: { type: "string", default: "2700000" },
      connections: { type: "string", default: "4" },
      pipeline: { type: "string", default: "256" },
      threads: { type: "string", default: "1" },
    },
  });
  const events = Number(values.events);
  const redis = await startManagedRedis({
    extraArgs: ["--maxmemory", MAXMEMORY, "--maxmemory-policy", "noeviction"],
  });
  const outDir = mkdtempSync(join(tmpdir(), "cachestress-bench-firehose-"));
  log(`redis-server pid ${redis.pid} on ${redis.url}, maxmemory ${MAXMEMORY}`);
  try {
    const { config } = await resolveRunConfig([
      ...["--url", redis.url, "--dataset", "firehose", "--ratio", "1:0"],
      ...["--requests", String(events), "--key-pattern", "sequential", "--key-max", String(events)],
      ...["--connections", values.connections!, "--pipeline", values.pipeline!, "--threads", values.threads!],
      ...["--prefix", "firehose:", "--keep-keys", "--seed", "1", "--timeout", "30s", "--out", outDir],
    ]);
    const before = await usedMemoryBytes(redis.url);
    const startedMs = performance.now();
    const { result } = await runScenario(config);
    const wallS = (performance.now() - startedMs) / 1000;
    const after = await usedMemoryBytes(redis.url);

    const loadS = result.totals.ops / result.totals.opsPerSec;
    const perEventBytes = (after.usedMemory - before.usedMemory) / after.keys;
    const rows: [string, string][] = [
      ["events written", result.totals.ops.toLocaleString("en-US")],
      ["keys in the server", after.keys.toLocaleString("en-US")],
      ["errors", String(result.totals.errors)],
      ["count check", result.countCheck.ok ? "ok (matches INFO commandstats)" : result.countCheck.note],
      ["in flight", `${config.connections} connections × pipeline ${config.pipeline}`],
      ["load time", `${loadS.toFixed(1)} s (${wallS.toFixed(1)} s with connect, probes and report)`],
      ["events/s", Math.round(result.totals.opsPerSec).toLocaleString("en-US")],
      ["latency p50 / p99", `${result.latency.p50.toFixed(2)} / ${result.latency.p99.toFixed(2)} ms`],
      ["memory per event", `${Math.round(perEventBytes)} bytes (INFO used_memory delta / keys)`],
      ["memory total", `${((after.usedMemory - before.usedMemory) / 1024 ** 2).toFixed(0)} MiB`],
      [
        "vs earlier script",
        `${(result.totals.opsPerSec / EARLIER_SCRIPT.eventsPerSec).toFixed(0)}× the events/s ` +
          `(it: ${EARLIER_SCRIPT.eventsPerSec.toLocaleString("en-US")} events/s, 2.7 M in ${EARLIER_SCRIPT.seconds / 60} min)`,
      ],
    ];
    const width = Math.max(...rows.map((r) => r[0].length)) + 2;
    process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}${v}`).join("\n")}\n`);
    const complete = result.totals.ops === events && after.keys === events && result.totals.errors === 0;
    if (!complete) log(`expected ${events} events and keys without errors`);
    return complete && result.countCheck.ok ? 0 : 1;
  } finally {
    await redis.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
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
