import type { ManagedRedis } from "../src/core/managed-redis.js";
import { allOps, runCachestressOnce } from "./cachestress-run.js";
import { flushdb } from "./measure-process.js";
import { runMemtier } from "./memtier.js";
import { fmtInt, fmtMs, fmtPercent, fmtUs, median, renderTable } from "./table.js";

/**
 * The open-loop part of `npm run bench`: a fixed rate over 50 connections, where the figures that
 * matter are the client's CPU per operation and how punctual its sends are (sends 1 ms or more
 * behind their intended start, and p99 from the intended start beside p99 from the actual send).
 * memtier's --rate-limiting paces each connection but times from the actual send, so it has no
 * late-send figure and its p99 is a service time.
 */

/**
 * Operations in flight per connection at most, for both tools: cachestress's open-loop default. With
 * 1, a reply slower than the gap between a connection's sends (2.5 ms at 20,000 ops/s over 50)
 * would hold the next send back and turn the open loop into a closed one.
 */
const MAX_IN_FLIGHT = 64;

const CASES = [
  { rate: 20_000, connections: 50 },
  { rate: 200_000, connections: 50 },
];

export interface OpenLoopRow {
  rate: number;
  tool: "cachestress" | "memtier";
  opsPerSec: number;
  cpuUsPerOp: number;
  /** cachestress only: without its start-up and clean-up, µs. */
  runCpuUsPerOp?: number;
  /** cachestress only: sends 1 ms or more late, % of sends. */
  latePercent?: number;
  /** From the intended start (cachestress) or the send (memtier), ms. */
  p99Ms: number;
  /** cachestress only: p99 from the actual send, ms. */
  serviceP99Ms?: number;
}

export async function runOpenLoop(
  redis: ManagedRedis,
  tools: ("cachestress" | "memtier")[],
  repetitions: number,
  seconds: number,
  startupCpuUs: number,
  log: (line: string) => void,
): Promise<OpenLoopRow[]> {
  const rows: OpenLoopRow[] = [];
  for (const { rate, connections } of CASES) {
    for (let rep = 1; rep <= repetitions; rep++) {
      for (const tool of tools) {
        const out =
          tool === "cachestress"
            ? await cachestress(redis, rate, connections, seconds, startupCpuUs)
            : await memtier(redis, rate, connections, seconds);
        await flushdb(redis.url);
        rows.push(out);
        log(
          `open loop ${fmtInt(rate)} ops/s ${tool} #${rep}: ${fmtInt(out.opsPerSec)} ops/s, ` +
            `client ${fmtUs(out.cpuUsPerOp)} µs/op, late ${fmtPercent(out.latePercent)}, ` +
            `p99 ${fmtMs(out.p99Ms)} ms (service ${fmtMs(out.serviceP99Ms)} ms)`,
        );
      }
    }
  }
  return rows;
}

async function memtier(
  redis: ManagedRedis,
  rate: number,
  connections: number,
  seconds: number,
): Promise<OpenLoopRow> {
  const shape = { connections, pipeline: MAX_IN_FLIGHT, rate };
  const m = await runMemtier(new URL(redis.url), shape, { keyMax: 100_000, dataSize: 32, seconds });
  return { rate, tool: "memtier", opsPerSec: m.opsPerSec, cpuUsPerOp: m.cpuUs / m.ops, p99Ms: m.p99Ms };
}

async function cachestress(
  redis: ManagedRedis,
  rate: number,
  connections: number,
  seconds: number,
  startupCpuUs: number,
): Promise<OpenLoopRow> {
  const { result, cpuUs } = await runCachestressOnce(redis, connections, MAX_IN_FLIGHT, [
    ...["--rate", String(rate), "--duration", `${seconds}s`],
  ]);
  const sent = result.totals.sent > 0 ? result.totals.sent : result.totals.ops;
  return {
    rate,
    tool: "cachestress",
    opsPerSec: result.totals.opsPerSec,
    cpuUsPerOp: cpuUs / allOps(result),
    runCpuUsPerOp: Math.max(0, cpuUs - startupCpuUs) / allOps(result),
    latePercent: sent > 0 ? ((result.openLoop?.lateStarts ?? 0) / sent) * 100 : undefined,
    p99Ms: result.latency.p99,
    serviceP99Ms: result.serviceTime?.p99,
  };
}

export function renderOpenLoop(rows: OpenLoopRow[], repetitions: number): string {
  const table = [
    ["rate", "tool", "ops/s", "client µs/op", "excl. start-up", "late ≥1 ms", "p99 ms", "service p99 ms"],
  ];
  for (const { rate } of CASES) {
    for (const tool of ["cachestress", "memtier"] as const) {
      const list = rows.filter((r) => r.rate === rate && r.tool === tool);
      if (list.length === 0) continue;
      const of = (pick: (r: OpenLoopRow) => number | undefined) => {
        const values = list.map(pick).filter((v): v is number => v !== undefined);
        return values.length > 0 ? median(values) : undefined;
      };
      table.push([
        fmtInt(rate),
        tool,
        fmtInt(of((r) => r.opsPerSec) ?? 0),
        fmtUs(of((r) => r.cpuUsPerOp) ?? 0),
        tool === "cachestress" ? fmtUs(of((r) => r.runCpuUsPerOp) ?? 0) : "-",
        fmtPercent(of((r) => r.latePercent)),
        fmtMs(of((r) => r.p99Ms)),
        fmtMs(of((r) => r.serviceP99Ms)),
      ]);
    }
  }
  return `open loop, 50 connections (medians of ${repetitions}; memtier times from the send):\n${renderTable(table)}`;
}
