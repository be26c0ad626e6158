import { join } from "node:path";
import { packageRoot } from "../config/scenario-paths.js";
import type { RunConfig } from "../config/types.js";
import { type ServerSummary, summarizeServer } from "../probes/sample-series.js";
import type { ServerSample } from "../probes/types.js";
import { type CostEstimate, estimateServerlessCost, loadPriceTable } from "../result/cost-estimate.js";
import { generatorFellBehind, lateSendPercent } from "../result/generator-behind.js";
import { type Recommendation, recommend } from "../result/recommendations.js";
import type { RunResult } from "../result/result-types.js";
import { computeZones, type ZoneVerdict } from "../result/zones.js";
import { buildDatasetPool } from "../workload/datasets/dataset-pool.js";

export interface RunAnalysis {
  server: ServerSummary;
  zones: ZoneVerdict[];
  recommendations: Recommendation[];
  costEstimate: CostEstimate[];
}

/**
 * Turns a finished run and the server samples taken during it into zones, recommendations and a
 * cost estimate. Everything here is derived from numbers already in the result or the samples.
 */
export async function analyzeRun(
  result: RunResult,
  samples: ServerSample[],
  config: RunConfig,
): Promise<RunAnalysis> {
  const server = summarizeServer(samples);
  const attempted = result.totals.ops + result.totals.timeouts;
  const zones = computeZones(
    {
      serverCpuPercent: server.processCpuPercentMax,
      memoryUsedPercent: server.memoryUsedPercentMax,
      p99Ms: result.latency.count > 0 ? result.latency.p99 : undefined,
      errorPercent: attempted > 0 ? (result.totals.errors / attempted) * 100 : undefined,
      unavailablePercent:
        result.availability?.availabilityPercent !== undefined
          ? 100 - result.availability.availabilityPercent
          : undefined,
      targetLost: result.status === "failed" || (result.verdictReasons ?? []).some((r) => /target/.test(r)),
      p99NotJudged: generatorFellBehind(result)
        ? `${result.latency.p99} ms, not judged: ${lateSendPercent(result).toFixed(1)} % of sends left late, so it is partly the load generator's`
        : undefined,
    },
    config.zones,
  );
  const prices = await loadPriceTable(
    config.priceFile ?? join(packageRoot(), "data", "elasticache-serverless-prices.json"),
  );
  const costEstimate = estimateServerlessCost(
    {
      opsPerSec: result.totals.opsPerSec,
      bytesPerOp: bytesPerOp(config),
      dataBytes: server.usedMemoryBytesMax ?? 0,
    },
    prices,
  );
  const recommendations = recommend({
    result,
    profile: config.useCase,
    ecpuPerOp: costEstimate[0]?.ecpuPerOp ?? 1,
    server: {
      memoryUsedPercentMax: server.memoryUsedPercentMax,
      usedMemoryBytesMax: server.usedMemoryBytesMax,
      maxmemoryBytes: server.maxmemoryBytes,
      hitRatio: server.hitRatio,
      evictedKeys: server.evictedKeys,
      rejectedConnections: server.rejectedConnections,
      fragmentationMax: server.fragmentationMax,
      slowCommands: server.slowlogSlowest.map((s) => ({ command: s.command, durationUs: s.durationUs })),
    },
  });
  return { server, zones, recommendations, costEstimate };
}

/**
 * Mean payload per operation. A write sends key + value and a read hit gets the value back for the
 * key it sent, so both move about key + value bytes; a miss moves less, which this ignores (it
 * overestimates cost rather than underestimating it).
 */
export function bytesPerOp(config: RunConfig): number {
  // With a dataset the values are its records (the same pool the engine writes), not dataSize.
  const pool = config.dataset !== undefined ? buildDatasetPool(config.dataset, config.seed) : undefined;
  const valueBytes =
    pool !== undefined
      ? (pool.offsets[pool.count] - pool.offsets[0]) / pool.count
      : (config.dataSizeMin + config.dataSizeMax) / 2;
  const keyBytes = Buffer.byteLength(config.prefix) + String(Math.max(0, config.keyMax - 1)).length;
  return keyBytes + valueBytes;
}
