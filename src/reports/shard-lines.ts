import type { RunResult } from "../result/result-types.js";
import { formatCount, formatDurationMs, formatMs, formatRate } from "./format.js";

/**
 * What the summary and the Markdown report say about sharding: for one shard's result, which share
 * it ran and that the verdict waits for `cachestress merge`; for a merged result, one row per shard.
 * Plain text lines, so both renderers can use them.
 */

/** One shard of several: its thresholds, verdict and count check are left to merge. */
export function isPartialShard(result: RunResult): boolean {
  return result.shard !== undefined && result.shard.count > 1;
}

export function shardLines(result: RunResult): string[] {
  const shard = result.shard;
  if (shard !== undefined) {
    const parts = [
      `${shard.connections} of ${result.config.connections} connections`,
      ...(shard.requests !== undefined ? [`${formatCount(shard.requests)} requests`] : []),
      ...(result.mode === "open-loop" ? [`1/${shard.count} of every rate`] : []),
      shard.measureKeys !== undefined
        ? `keys ${rangeText(shard.measureKeys)}`
        : result.config.prefill
          ? `prefill keys ${rangeText(shard.prefillKeys)}, then the keyspace shared with the other shards`
          : "the keyspace shared with the other shards",
    ];
    const lines = [`shard ${shard.index}/${shard.count}: ${parts.join(", ")}`];
    if (shard.count > 1) {
      const thresholds = result.config.thresholds.length;
      lines.push(
        `thresholds (${thresholds}), verdict and count check: judged over all shards by \`cachestress merge\``,
      );
    }
    return lines;
  }
  const shards = result.shards;
  if (shards === undefined) return [];
  const lines = [`merged from ${shards.length} shards:`];
  for (const s of shards) {
    lines.push(
      `  ${s.index}/${s.count}  ${s.status}  ${formatDurationMs(s.durationMs)}  ${formatCount(s.ops)} ops  ` +
        `${formatRate(s.opsPerSec)} ops/s  p99 ${formatMs(s.p99Ms)} ms  ${formatCount(s.errors)} errors  ${s.file}`,
    );
  }
  return lines;
}

function rangeText(range: { first: number; count: number }): string {
  return `[${range.first}, ${range.first + range.count})`;
}
