import type { ShardShare } from "../config/shard-share.js";
import type { ServerCommandCounts } from "./count-check.js";
import type { RunResult, ShardInfo } from "./result-types.js";

/** What a shard run adds to its result beyond what any run measures. */
export interface ShardRecord {
  share: ShardShare;
  measureStartEpochMs?: number;
  countsBefore?: ServerCommandCounts;
  countsAfter?: ServerCommandCounts;
}

export const SHARD_DEFERRED_NOTE =
  "judged over all shards by `cachestress merge`: one shard's thresholds, rates and server counts are only part of the run";

export const SHARD_COUNT_NOTE =
  "shared server, checked at merge: INFO commandstats counts every shard's commands together, so `cachestress merge` checks the sum of all shards against the server's counts";

export const SHARD_CLEANUP_NOTE =
  "a shard never deletes keys other shards may still use; delete them with `cachestress merge ... --cleanup-url URL` once every shard is done";

/**
 * Adds `shard` to a run's result. With more than one shard, what only the whole run can answer is
 * left to `cachestress merge`: thresholds (a rate threshold would fail on a third of the rate), the
 * count check (the server counts every shard's commands), and key cleanup (another shard may still
 * be reading the keys). The shard's exit code is then 0 unless it could not run, so a Kubernetes Job
 * does not count a threshold as a failed pod.
 */
export function recordShard(result: RunResult, record: ShardRecord): void {
  const { share } = record;
  const info: ShardInfo = {
    index: share.index,
    count: share.count,
    connections: share.connections,
    rateFactor: share.rateFactor,
    prefillKeys: share.prefillKeys,
  };
  if (share.requests !== undefined) info.requests = share.requests;
  if (share.measureKeys !== undefined) info.measureKeys = share.measureKeys;
  if (record.measureStartEpochMs !== undefined) info.measureStartEpochMs = record.measureStartEpochMs;
  if (record.countsBefore !== undefined && record.countsAfter !== undefined) {
    info.serverCounts = { before: record.countsBefore, after: record.countsAfter };
  }
  result.shard = info;
  if (share.count === 1) return;

  result.thresholds = [];
  result.verdict = "pass";
  result.countCheck = { ...result.countCheck, checked: false, ok: true, note: SHARD_COUNT_NOTE };
  if (!result.cleanup.kept) result.cleanup = { ...result.cleanup, kept: true, note: SHARD_CLEANUP_NOTE };
}

/** True for the result of one shard out of several: thresholds, counts and cleanup wait for merge. */
export function isPartialShard(result: RunResult): boolean {
  return result.shard !== undefined && result.shard.count > 1;
}
