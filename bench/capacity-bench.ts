import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CapacityResult } from "../src/capacity/capacity-result.js";
import type { ManagedRedis } from "../src/core/managed-redis.js";
import { CLI_JS } from "./cachestress-run.js";
import { runMeasured } from "./measure-process.js";
import { fmtInt } from "./table.js";

/**
 * `npm run bench -- --capacity`: the capacity search on this machine, against the bench's own
 * redis-server, with short steps (the default SLO, 50 connections, one engine thread). What it
 * prints is where the search stopped and what limited it: `server` when the server could not keep
 * the rate while the client did, `client` when cachestress itself fell behind (late sends over 1 %).
 */
export async function runCapacity(redis: ManagedRedis, stepSeconds: number): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), "cachestress-bench-capacity-"));
  try {
    const m = await runMeasured(process.execPath, [
      CLI_JS,
      "capacity",
      ...["--url", redis.url, "--key-max", "100000", "--data-size", "32", "--ratio", "1:10"],
      ...["--start-rate", "20000", "--step-duration", `${stepSeconds}s`, "--max-steps", "8", "--out", outDir],
    ]);
    if (m.code !== 0 && m.code !== 1)
      throw new Error(`capacity failed (exit ${m.code}): ${m.stderr.slice(-500)}`);
    const file = readdirSync(outDir).find((f) => f.startsWith("capacity_") && f.endsWith(".json"));
    if (file === undefined) throw new Error("capacity wrote no JSON report");
    const result = JSON.parse(readFileSync(join(outDir, file), "utf8")) as CapacityResult;
    const c = result.capacity;
    const lines = result.curve.map(
      (p) =>
        `  asked ${fmtInt(p.askedRate)} ops/s: achieved ${fmtInt(p.achievedRate)}, p99 ${p.p99Ms} ms, ${p.verdict}`,
    );
    return [
      `capacity search (steps of ${stepSeconds} s, ${(m.cpuUs / 1e6).toFixed(1)} s of cachestress CPU in all):`,
      ...lines,
      `  last good ${c.lastGoodRate === null ? "none" : fmtInt(c.lastGoodRate)} ops/s, ` +
        `first bad ${c.firstBadRate === null ? "none" : fmtInt(c.firstBadRate)} ops/s, limited by ${c.limitedBy ?? "nothing"}`,
    ].join("\n");
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
