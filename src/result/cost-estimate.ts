import { readFile } from "node:fs/promises";

/** The price table's shape (data/elasticache-serverless-prices.json, or the user's --price-file). */
export interface PriceTable {
  source: string;
  readOn: string;
  currency: string;
  region: string;
  hoursPerMonth: number;
  engines: Record<string, { dataStoredPerGbHour: number; perMillionEcpu: number; minimumDataGb: number }>;
  ecpu: { bytesPerEcpu: number };
}

export interface CostInputs {
  /** The load to sustain, ops/s (the run's achieved mean). */
  opsPerSec: number;
  /** Mean bytes moved per operation (key + value for writes, value for read hits). */
  bytesPerOp: number;
  /** The data the cache would hold, bytes (the server's used memory at its peak). */
  dataBytes: number;
}

export interface CostEstimate {
  engine: string;
  currency: string;
  /** ECPUs per operation: at least 1, one more per KB transferred. */
  ecpuPerOp: number;
  /** ECPU/s needed for the load; ElastiCache Serverless's minimum must be set at least this high before a peak. */
  ecpuPerSec: number;
  ecpuPerMonthMillions: number;
  ecpuCostPerMonth: number;
  /** GB billed (never below the engine's minimum). */
  dataGb: number;
  dataCostPerMonth: number;
  totalPerMonth: number;
  priceSource: string;
  priceReadOn: string;
  assumptions: string[];
}

/** Estimates a month of this load on ElastiCache Serverless, for each engine in the price table. */
export function estimateServerlessCost(inputs: CostInputs, prices: PriceTable): CostEstimate[] {
  const ecpuPerOp = Math.max(1, inputs.bytesPerOp / prices.ecpu.bytesPerEcpu);
  const ecpuPerSec = inputs.opsPerSec * ecpuPerOp;
  const secondsPerMonth = prices.hoursPerMonth * 3600;
  const ecpuPerMonthMillions = (ecpuPerSec * secondsPerMonth) / 1e6;
  return Object.entries(prices.engines).map(([engine, p]) => {
    const dataGb = Math.max(p.minimumDataGb, inputs.dataBytes / 1e9);
    const ecpuCostPerMonth = ecpuPerMonthMillions * p.perMillionEcpu;
    const dataCostPerMonth = dataGb * p.dataStoredPerGbHour * prices.hoursPerMonth;
    return {
      engine,
      currency: prices.currency,
      ecpuPerOp: round(ecpuPerOp, 3),
      ecpuPerSec: Math.ceil(ecpuPerSec),
      ecpuPerMonthMillions: round(ecpuPerMonthMillions, 1),
      ecpuCostPerMonth: round(ecpuCostPerMonth, 2),
      dataGb: round(dataGb, 3),
      dataCostPerMonth: round(dataCostPerMonth, 2),
      totalPerMonth: round(ecpuCostPerMonth + dataCostPerMonth, 2),
      priceSource: prices.source,
      priceReadOn: prices.readOn,
      assumptions: [
        `the run's mean load (${round(inputs.opsPerSec, 1)} ops/s) sustained for ${prices.hoursPerMonth} hours`,
        `${round(inputs.bytesPerOp, 1)} bytes moved per operation → ${round(ecpuPerOp, 3)} ECPU per operation`,
        `data held: the server's peak used memory (${round(inputs.dataBytes / 1e6, 1)} MB), billed at least ${p.minimumDataGb} GB`,
        `${prices.region} on-demand prices read on ${prices.readOn}; override with --price-file`,
      ],
    };
  });
}

export async function loadPriceTable(path: string): Promise<PriceTable> {
  const table = JSON.parse(await readFile(path, "utf8")) as PriceTable;
  if (
    typeof table.hoursPerMonth !== "number" ||
    typeof table.engines !== "object" ||
    table.ecpu === undefined
  ) {
    throw new Error(`${path}: not a price table (needs hoursPerMonth, engines, ecpu.bytesPerEcpu)`);
  }
  return table;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
