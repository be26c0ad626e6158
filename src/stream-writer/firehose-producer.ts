import { generateRecords } from "../workload/datasets/dataset-pool.js";
import { firehoseEventType } from "../workload/datasets/firehose.js";
import type { RedisClient } from "./group-reader.js";

/**
 * A producer in the stream-pipeline layout — `XADD <prefix><type> * type <type> event <json>` —
 * for the benchmark and the tests. Unlike the scenario (whose engine is built for load, not
 * bookkeeping), it can number its events in a `seq` field 0..N−1, so `verify --seq-field seq`
 * checks the producer's own count and not only the server's.
 */

export const FIREHOSE_TYPES = ["post", "like", "repost", "follow", "block"] as const;

export interface ProduceOptions {
  /** Stream keys are `<prefix><type>`, e.g. `cs:events:` → `cs:events:post`. */
  prefix: string;
  events: number;
  /** Add a `seq` field counting from `firstSeq`. */
  seq?: boolean;
  firstSeq?: number;
  /** Distinct records cycled through, as the scenario's pool (default 4096). */
  poolRecords?: number;
  seed?: number;
  /** XADDs in flight at once (node-redis pipelines them on one connection). */
  inFlight?: number;
}

export interface ProduceResult {
  events: number;
  byType: Record<string, number>;
  durationMs: number;
}

export async function produceFirehose(client: RedisClient, opts: ProduceOptions): Promise<ProduceResult> {
  const startMs = performance.now();
  const pool = generateRecords("firehose", opts.seed ?? 1, opts.poolRecords ?? 4096).map((record) => ({
    type: firehoseEventType(record as { commit?: { collection?: string } }) ?? "unknown",
    json: JSON.stringify(record),
  }));
  const byType: Record<string, number> = {};
  const inFlight = opts.inFlight ?? 2000;
  const firstSeq = opts.firstSeq ?? 0;
  for (let start = 0; start < opts.events; start += inFlight) {
    const end = Math.min(opts.events, start + inFlight);
    const replies: Promise<unknown>[] = [];
    for (let i = start; i < end; i++) {
      const { type, json } = pool[i % pool.length];
      byType[type] = (byType[type] ?? 0) + 1;
      const args = ["XADD", `${opts.prefix}${type}`, "*", "type", type, "event", json];
      if (opts.seq === true) args.push("seq", String(firstSeq + i));
      replies.push(client.sendCommand(args));
    }
    await Promise.all(replies);
  }
  return { events: opts.events, byType, durationMs: performance.now() - startMs };
}
