import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ManagedRedis } from "../src/core/managed-redis.js";
import type { RunResult } from "../src/result/result-types.js";
import { runMeasured } from "./measure-process.js";

/** The built CLI the bench runs as a separate process, as a user would. */
export const CLI_JS = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const KEY_MAX = 100_000;
const DATA_SIZE = 32; // bytes

/** cachestress run with `extra` flags; returns its result and its own CPU time, µs. */
export async function runCachestressOnce(
  redis: ManagedRedis,
  connections: number,
  pipeline: number,
  extra: string[],
): Promise<{ result: RunResult; cpuUs: number; wallMs: number }> {
  const outDir = mkdtempSync(join(tmpdir(), "cachestress-bench-"));
  try {
    const m = await runMeasured(process.execPath, [
      CLI_JS,
      "run",
      ...["--url", redis.url, "--connections", String(connections), "--pipeline", String(pipeline)],
      ...["--key-max", String(KEY_MAX), "--key-pattern", "uniform", "--data-size", String(DATA_SIZE)],
      ...["--ratio", "1:10", "--json", "--out", outDir, ...extra],
    ]);
    // Exit 1 means thresholds failed; none are set here, but the numbers are still good.
    if (m.code !== 0 && m.code !== 1) {
      throw new Error(`cachestress failed (exit ${m.code}): ${m.stderr.slice(-500)}`);
    }
    try {
      return { result: JSON.parse(m.stdout) as RunResult, cpuUs: m.cpuUs, wallMs: m.wallMs };
    } catch {
      throw new Error(
        `cachestress printed no RunResult JSON on stdout: ${m.stdout.slice(0, 200)}${m.stderr.slice(-300)}`,
      );
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Every operation the process sent (warm-up and prefill too): its CPU covers them all. */
export function allOps(result: RunResult): number {
  return result.totals.ops + (result.phases.warmup?.ops ?? 0) + (result.phases.prefill?.ops ?? 0);
}
