import { encodeHistogram, newLatencyHistogram } from "../../../src/measure/histogram.js";
import { summarizeMs } from "../../../src/measure/phase-totals.js";
import type { RunResult } from "../../../src/result/result-types.js";
import type { ShardInput } from "../../../src/shard/read-results.js";
import { Rng } from "../../../src/workload/random.js";
import { makeConfig, makeRunResult } from "../reports/fixture.js";

/** Latencies in µs with a long tail, repeatable from the seed. */
export function latenciesUs(n: number, seed: number): number[] {
  const random = new Rng(seed);
  return Array.from({ length: n }, () => {
    const u = random.next();
    return Math.round(200 + 300 * random.next() + (u > 0.98 ? 20_000 * random.next() : 0));
  });
}

export interface ShardSpecForTest {
  index: number;
  count: number;
  setUs: number[];
  getUs: number[];
  durationMs?: number;
  measureStartEpochMs?: number;
  /** The server's SET/GET counters before and after this shard. */
  server?: { before: Record<string, number>; after: Record<string, number> };
  config?: Parameters<typeof makeConfig>[0];
}

/** A shard's result whose counts, histograms and summaries all agree with the given latencies. */
export function shardResult(s: ShardSpecForTest): RunResult {
  const histogram = (values: number[]) => {
    const h = newLatencyHistogram();
    for (const v of values) h.recordValue(v);
    return h;
  };
  const set = histogram(s.setUs);
  const get = histogram(s.getUs);
  const all = histogram([...s.setUs, ...s.getUs]);
  const durationMs = s.durationMs ?? 2000;
  const seconds = durationMs / 1000;
  const setOps = s.setUs.length;
  const getOps = s.getUs.length;
  const ops = setOps + getOps;
  const base = makeRunResult();
  return {
    ...base,
    durationMs,
    config: makeConfig({ thresholds: [], ...s.config, shard: { index: s.index, count: s.count } }),
    totals: {
      ops,
      opsPerSec: ops / seconds,
      errors: 0,
      errorsByKind: {},
      timeouts: 0,
      reconnects: 0,
      sent: ops,
    },
    latency: summarizeMs(all),
    perCommand: {
      SET: { ops: setOps, opsPerSec: setOps / seconds, errors: 0, latency: summarizeMs(set) },
      GET: { ops: getOps, opsPerSec: getOps / seconds, errors: 0, latency: summarizeMs(get) },
    },
    phases: {},
    series: [1, 2].map((tS) => ({
      tS,
      ops: ops / 2,
      opsPerSec: ops / seconds,
      errors: 0,
      timeouts: 0,
      p50Ms: 0.3 + s.index / 10,
      p99Ms: 1 + s.index,
      maxMs: 5 + s.index,
      perCommand: {
        SET: { ops: setOps / 2, p50Ms: 0.3, p99Ms: 1 },
        GET: { ops: getOps / 2, p50Ms: 0.3, p99Ms: 1 },
      },
    })),
    thresholds: [],
    verdict: "pass",
    countCheck: {
      checked: false,
      ok: true,
      byCommand: {
        SET: { sent: setOps, completed: setOps, server: -1 },
        GET: { sent: getOps, completed: getOps, server: -1 },
      },
      note: "shared server, checked at merge",
    },
    histograms: {
      latencyUs: { all: encodeHistogram(all), SET: encodeHistogram(set), GET: encodeHistogram(get) },
    },
    shard: {
      index: s.index,
      count: s.count,
      connections: 10,
      rateFactor: 1 / s.count,
      prefillKeys: { first: 0, count: 0 },
      ...(s.measureStartEpochMs !== undefined && { measureStartEpochMs: s.measureStartEpochMs }),
      ...(s.server !== undefined && { serverCounts: s.server }),
    },
  };
}

export function input(result: RunResult, file = `shard-${result.shard?.index}.json`): ShardInput {
  return { file, result };
}
