import { type ConfigProblem, formatValue } from "../config/errors.js";
import type { RunConfig } from "../config/types.js";
import type { ShardInput } from "./read-results.js";
import { shardConsistencyProblems } from "./shard-consistency.js";

/**
 * Whether a set of results is one sharded run, complete: every result is a shard's, all of the same
 * scenario against the same target with the same shard count, each index 0..N-1 exactly once.
 * Returns every problem; an empty list means the set can be merged.
 */

/** Config fields that may differ between shards of one run: where each wrote its files, and the shard itself. */
const PER_SHARD_FIELDS = new Set<keyof RunConfig>(["shard", "outDir", "priceFile", "alertsDryRun"]);

export function checkShardSet(inputs: readonly ShardInput[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const shards: ShardInput[] = [];
  for (const input of inputs) {
    const { result, file } = input;
    if (result.shards !== undefined) {
      problems.push({
        field: file,
        value: `a merged result of ${result.shards.length} shards`,
        allowed: "one shard's result (merge the shards' own files again instead)",
      });
    } else if (result.shard === undefined) {
      problems.push({
        field: file,
        value: "a run without --shard",
        allowed: "the result of 'cachestress run --shard i/N'",
      });
    } else if (result.histograms === undefined || result.histograms.latencyUs === undefined) {
      problems.push({ field: file, value: "no histograms", allowed: "a result with its HDR histograms" });
    } else {
      // A shard that disagrees with itself still counts as present: its own problems say what is wrong.
      problems.push(...shardConsistencyProblems(file, result));
      shards.push(input);
    }
  }
  if (shards.length === 0) {
    if (problems.length === 0) {
      problems.push({ field: "files", value: undefined, allowed: "at least one shard result file" });
    }
    return problems;
  }

  const reference = shards[0];
  const counts = new Set(shards.map((s) => s.result.shard!.count));
  if (counts.size > 1) {
    for (const s of shards.slice(1)) {
      if (s.result.shard!.count === reference.result.shard!.count) continue;
      problems.push({
        field: s.file,
        value: shardName(s),
        allowed: `the same shard count as ${reference.file} (${shardName(reference)})`,
      });
    }
  } else {
    const count = reference.result.shard!.count;
    const byIndex = new Map<number, string>();
    for (const s of shards) {
      const index = s.result.shard!.index;
      const earlier = byIndex.get(index);
      if (earlier !== undefined) {
        problems.push({
          field: s.file,
          value: shardName(s),
          allowed: `each shard once: ${shardName(s)} is also in ${earlier}`,
        });
      } else byIndex.set(index, s.file);
    }
    const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
    if (missing.length > 0) {
      problems.push({
        field: "files",
        value: `no result for ${missing.map((i) => `${i}/${count}`).join(", ")}`,
        allowed: `one result for each of the ${count} shards`,
      });
    }
  }
  for (const s of shards.slice(1)) problems.push(...differences(reference, s));
  return problems;
}

/** What makes `other` a different run from `reference`: scenario, env, mode, target, config. */
function differences(reference: ShardInput, other: ShardInput): ConfigProblem[] {
  const a = reference.result;
  const b = other.result;
  const found: [string, unknown, unknown][] = [
    ["scenario", a.scenario, b.scenario],
    ["env", a.env, b.env],
    ["mode", a.mode, b.mode],
    ["target.url", a.target.url, b.target.url],
    ["target", targetText(a.target), targetText(b.target)],
  ];
  const keys = new Set([...Object.keys(a.config), ...Object.keys(b.config)] as (keyof RunConfig)[]);
  for (const key of keys) {
    if (PER_SHARD_FIELDS.has(key)) continue;
    found.push([`config.${key}`, a.config[key], b.config[key]]);
  }
  return found
    .filter(([, x, y]) => JSON.stringify(x) !== JSON.stringify(y))
    .map(([what, x, y]) => ({
      field: other.file,
      value: `${what} ${formatValue(y)}`,
      allowed: `the same run as ${reference.file}, which has ${what} ${formatValue(x)}`,
    }));
}

function targetText(t: ShardInput["result"]["target"]): string {
  return `${t.host}:${t.port}/${t.db}${t.tls ? " (TLS)" : ""}`;
}

function shardName(s: ShardInput): string {
  return `shard ${s.result.shard!.index}/${s.result.shard!.count}`;
}
