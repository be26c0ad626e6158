import { readFile } from "node:fs/promises";
import { AZURE_TIERS, type AzureChoice, type AzureTier } from "../config/cost-rules.js";

/**
 * Azure Cache for Redis in the cost estimate (docs/cost.md): which size of each tier would hold the
 * run's data and what a month of it costs, from the dated table in data/azure-cache-prices.json.
 * Sizes whose price is not in the table are named without a price, never with a guessed one.
 */

export interface AzurePriceTable {
  source: string;
  readOn: string;
  currency: string;
  region: string;
  hoursPerMonth: number;
  tiers: Record<AzureTier, Record<string, { memoryGb: number; hourly: number | null }>>;
}

export interface AzureCostEstimate {
  tier: AzureTier;
  /** The size that holds the data with headroom, or the one asked for. */
  size: string;
  memoryGb: number;
  currency: string;
  /** Absent when the table has no price for this size. */
  hourly?: number;
  totalPerMonth?: number;
  /** When `size` has no price: the smallest larger size of the tier that has one. */
  pricedAlternative?: { size: string; memoryGb: number; hourly: number; totalPerMonth: number };
  /** False when even the largest size is below the data (or the chosen size is). */
  fits: boolean;
  priceSource: string;
  priceReadOn: string;
  region: string;
}

/**
 * Used memory may fill this share of a size: Azure reserves part of each cache for fragmentation
 * and replication (maxmemory-reserved), and a cache filled to the brim evicts or refuses writes.
 */
export const AZURE_FILL_SHARE = 0.75;

const AZURE_HOST = /\.redis\.cache\.windows\.net$/i;

export function looksLikeAzure(host: string): boolean {
  return AZURE_HOST.test(host);
}

/** One estimate per tier (or just the chosen one) for data of `dataBytes`. */
export function estimateAzureCost(
  dataBytes: number,
  table: AzurePriceTable,
  choice?: AzureChoice,
): AzureCostEstimate[] {
  const neededGb = dataBytes / 1e9 / AZURE_FILL_SHARE;
  const tiers = choice !== undefined ? [choice.tier] : [...AZURE_TIERS];
  return tiers.map((tier) => {
    const sizes = Object.entries(table.tiers[tier]).sort((a, b) => a[1].memoryGb - b[1].memoryGb);
    const chosen =
      choice?.size !== undefined
        ? sizes.find(([name]) => name === choice.size)
        : (sizes.find(([, s]) => s.memoryGb >= neededGb) ?? sizes.at(-1));
    const [size, spec] = chosen ?? sizes[0];
    const monthly = (hourly: number) => round2(hourly * table.hoursPerMonth);
    const estimate: AzureCostEstimate = {
      tier,
      size,
      memoryGb: spec.memoryGb,
      currency: table.currency,
      fits: spec.memoryGb >= neededGb,
      priceSource: table.source,
      priceReadOn: table.readOn,
      region: table.region,
    };
    if (spec.hourly !== null) {
      estimate.hourly = spec.hourly;
      estimate.totalPerMonth = monthly(spec.hourly);
    } else {
      const priced = sizes.find(([, s]) => s.memoryGb > spec.memoryGb && s.hourly !== null);
      if (priced !== undefined && priced[1].hourly !== null)
        estimate.pricedAlternative = {
          size: priced[0],
          memoryGb: priced[1].memoryGb,
          hourly: priced[1].hourly,
          totalPerMonth: monthly(priced[1].hourly),
        };
    }
    return estimate;
  });
}

/** The monthly figure of an estimate: its own price, else the priced larger size's. */
export function azureMonthly(e: AzureCostEstimate): number | undefined {
  return e.totalPerMonth ?? e.pricedAlternative?.totalPerMonth;
}

export async function loadAzurePriceTable(path: string): Promise<AzurePriceTable> {
  const table = JSON.parse(await readFile(path, "utf8")) as AzurePriceTable;
  if (typeof table.hoursPerMonth !== "number" || typeof table.tiers !== "object")
    throw new Error(`${path}: not an Azure price table (needs hoursPerMonth and tiers)`);
  return table;
}

/** Lines for the reports, beside the ElastiCache estimate. */
export function azureCostLines(estimates: readonly AzureCostEstimate[] | undefined): string[] {
  if (estimates === undefined || estimates.length === 0) return [];
  const first = estimates[0];
  return [
    `cost on Azure Cache for Redis for a month (estimate, data at most ${AZURE_FILL_SHARE * 100} % of the size):`,
    ...estimates.map((e) => {
      const what = `  ${e.tier} ${e.size} (${e.memoryGb} GB)${e.fits ? "" : " — too small for the data"}`;
      if (e.totalPerMonth !== undefined)
        return `${what}: ${e.currency} ${e.totalPerMonth.toFixed(2)}/month (${e.currency} ${e.hourly}/hour)`;
      const alt = e.pricedAlternative;
      return alt !== undefined
        ? `${what}: no price in the table; the next priced size ${alt.size} (${alt.memoryGb} GB) costs ${e.currency} ${alt.totalPerMonth.toFixed(2)}/month`
        : `${what}: no price in the table`;
    }),
    `  prices: ${first.region}, read ${first.priceReadOn}; source: ${first.priceSource}`,
  ];
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
