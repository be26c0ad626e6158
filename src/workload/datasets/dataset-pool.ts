import type { DatasetName } from "../../config/types.js";
import { FirehoseGenerator } from "./firehose.js";
import { MarketGenerator } from "./market.js";
import { PaymentsGenerator } from "./payments.js";
import { ValuePool } from "./value-pool.js";

/**
 * The named datasets a run can write (`--dataset`), each a seeded generator of JSON records, and the
 * pool the engine copies them from. Every worker thread builds the same pool from the run's seed
 * rather than receiving it, so nothing large crosses the thread boundary.
 */

export const DATASET_NAMES: readonly DatasetName[] = ["firehose", "payments", "market"];

/** Distinct records per pool: enough variety in sizes and content, small enough (~1–2 MB) to build in milliseconds. */
export const DEFAULT_POOL_RECORDS = 4096;

export interface RecordGenerator {
  /** The next record as a plain object. */
  next(): Record<string, unknown>;
}

export function datasetGenerator(name: DatasetName, seed: number): RecordGenerator {
  switch (name) {
    case "firehose":
      return new FirehoseGenerator(seed);
    case "payments":
      return new PaymentsGenerator(seed);
    case "market":
      return new MarketGenerator(seed);
  }
}

/** The first `count` records of a dataset for a seed, as objects. */
export function generateRecords(name: DatasetName, seed: number, count: number): Record<string, unknown>[] {
  const generator = datasetGenerator(name, seed);
  return Array.from({ length: count }, () => generator.next());
}

/** The first `count` records of a dataset for a seed, JSON-encoded (UTF-8) into one pool. */
export function buildDatasetPool(name: DatasetName, seed: number, count = DEFAULT_POOL_RECORDS): ValuePool {
  const generator = datasetGenerator(name, seed);
  const values: Buffer[] = [];
  for (let i = 0; i < count; i++) values.push(Buffer.from(JSON.stringify(generator.next()), "utf8"));
  return ValuePool.fromValues(values);
}
