import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runMeasured } from "./measure-process.js";

/**
 * memtier_benchmark as the bench runs it: one thread of `connections` clients (cachestress's
 * default is one engine thread too), the same key space, value size and SET:GET ratio, a distinct
 * random seed per connection (as cachestress's connections have), and its JSON output for the
 * totals. It is used only when found on the PATH; the bench never builds or ships it.
 */

export interface MemtierShape {
  connections: number;
  pipeline: number;
  /** Open loop: total ops/s, spread over the connections (memtier limits each connection). */
  rate?: number;
}

export interface MemtierRun {
  opsPerSec: number;
  ops: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  cpuUs: number;
}

export async function runMemtier(
  url: URL,
  shape: MemtierShape,
  workload: { keyMax: number; dataSize: number; seconds: number },
): Promise<MemtierRun> {
  const dir = mkdtempSync(join(tmpdir(), "cachestress-memtier-"));
  const jsonFile = join(dir, "memtier.json");
  try {
    const args = [
      ...["-s", url.hostname, "-p", url.port, "-t", "1", "-c", String(shape.connections)],
      ...["--pipeline", String(shape.pipeline), "--ratio", "1:10", "-d", String(workload.dataSize)],
      ...["--key-pattern", "R:R", "--key-minimum", "1", "--key-maximum", String(workload.keyMax)],
      ...["--distinct-client-seed", "--test-time", String(workload.seconds), "--hide-histogram"],
      ...["--json-out-file", jsonFile],
    ];
    if (shape.rate !== undefined) {
      args.push("--rate-limiting", String(Math.max(1, Math.round(shape.rate / shape.connections))));
    }
    const m = await runMeasured("memtier_benchmark", args);
    if (m.code !== 0) throw new Error(`memtier_benchmark failed (exit ${m.code}): ${m.stderr.slice(-500)}`);
    const totals = JSON.parse(readFileSync(jsonFile, "utf8"))["ALL STATS"].Totals as {
      Count: number;
      "Ops/sec": number;
      "Percentile Latencies": Record<string, number>;
    };
    const percentiles = totals["Percentile Latencies"];
    return {
      opsPerSec: totals["Ops/sec"],
      ops: totals.Count,
      p50Ms: percentiles["p50.00"],
      p99Ms: percentiles["p99.00"],
      p999Ms: percentiles["p99.90"],
      cpuUs: m.cpuUs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
