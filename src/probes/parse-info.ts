import type { ServerSample } from "./types.js";

/**
 * Turns the text of an INFO reply into a ServerSample's INFO-derived fields. Pure: the prober does
 * the I/O, this file only reads text and, for the per-interval rates, the previous sample.
 */

/** What INFO alone can fill in; the prober adds the time, SLOWLOG, LATENCY and /proc fields. */
export type InfoSample = Omit<
  ServerSample,
  "tS" | "atMs" | "slowlog" | "latencyEvents" | "processCpuPercent" | "processRssBytes"
>;

/**
 * Every `field:value` line of an INFO reply (any number of sections) as one flat map. Section
 * headers and blank lines are skipped. Field names are unique across sections in every Redis and
 * Valkey version, so flattening loses nothing. Accepts `\r\n` (the wire) and `\n` (redis-cli).
 */
export function parseInfoSections(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/** `calls=3,usec=12,usec_per_call=4.00` → `{ calls: "3", usec: "12", usec_per_call: "4.00" }`. */
export function parseInfoValue(value: string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const pair of value.split(",")) {
    const eq = pair.indexOf("=");
    if (eq > 0) parts[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return parts;
}

/** A finite number, or undefined: a missing field must stay missing, never become 0 or NaN. */
function num(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** `cmdstat_<name>` → calls, `errorstat_<NAME>` → count; both keyed in upper case. */
function prefixedCounts(
  info: Record<string, string>,
  prefix: string,
  key: string,
): Record<string, number> | undefined {
  let counts: Record<string, number> | undefined;
  for (const [field, value] of Object.entries(info)) {
    if (!field.startsWith(prefix)) continue;
    const n = num(parseInfoValue(value)[key]);
    if (n === undefined) continue;
    counts ??= {};
    counts[field.slice(prefix.length).toUpperCase()] = n;
  }
  return counts;
}

/**
 * Seconds of replication lag. A primary reports `slaveN:...,lag=S` per connected replica (the largest
 * one is what alerts care about); a replica reports how long ago it last heard from its primary, or,
 * when the link is down, for how long it has been down.
 */
function replicationLagS(info: Record<string, string>): number | undefined {
  const role = info.role;
  if (role === "slave" || role === "replica") {
    const lastIo = num(info.master_last_io_seconds_ago);
    if (lastIo !== undefined && lastIo >= 0) return lastIo;
    const downS = num(info.master_link_down_since_seconds);
    return downS !== undefined && downS >= 0 ? downS : undefined;
  }
  let maxLagS: number | undefined;
  for (const [field, value] of Object.entries(info)) {
    if (!/^slave\d+$/.test(field)) continue;
    const lag = num(parseInfoValue(value).lag);
    if (lag !== undefined && (maxLagS === undefined || lag > maxLagS)) maxLagS = lag;
  }
  return maxLagS;
}

/** The growth of a counter since the previous sample; undefined without one or after a reset (restart, CONFIG RESETSTAT). */
function delta(current: number | undefined, previous: number | undefined): number | undefined {
  if (current === undefined || previous === undefined || current < previous) return undefined;
  return current - previous;
}

/**
 * The INFO-derived part of a sample. `previous` is the last sample that carried INFO fields and
 * `intervalS` the seconds between the two; the rates (hit ratio, evictions per second) are over that
 * interval, not since the server started, so a run sees its own behaviour rather than the server's history.
 */
export function sampleFromInfo(
  info: Record<string, string>,
  previous: ServerSample | undefined,
  intervalS: number,
): InfoSample {
  const usedMemoryBytes = num(info.used_memory);
  const maxmemoryBytes = num(info.maxmemory);
  const keyspaceHitsTotal = num(info.keyspace_hits);
  const keyspaceMissesTotal = num(info.keyspace_misses);
  const evictedKeysTotal = num(info.evicted_keys);
  const aofEnabled = info.aof_enabled === undefined ? undefined : info.aof_enabled === "1";

  let hitRatio: number | undefined;
  const hits = delta(keyspaceHitsTotal, previous?.keyspaceHitsTotal);
  const misses = delta(keyspaceMissesTotal, previous?.keyspaceMissesTotal);
  if (hits !== undefined && misses !== undefined && hits + misses > 0) hitRatio = hits / (hits + misses);

  const evicted = delta(evictedKeysTotal, previous?.evictedKeysTotal);
  const evictedKeysPerSec = evicted !== undefined && intervalS > 0 ? evicted / intervalS : undefined;

  const sample: InfoSample = {
    usedMemoryBytes,
    usedMemoryRssBytes: num(info.used_memory_rss),
    usedMemoryPeakBytes: num(info.used_memory_peak),
    maxmemoryBytes,
    memoryUsedPercent:
      usedMemoryBytes !== undefined && maxmemoryBytes !== undefined && maxmemoryBytes > 0
        ? (usedMemoryBytes / maxmemoryBytes) * 100
        : undefined,
    memFragmentationRatio: num(info.mem_fragmentation_ratio),
    connectedClients: num(info.connected_clients),
    blockedClients: num(info.blocked_clients),
    // INFO clients carries maxclients since Redis 7.0; older servers need CONFIG GET (the prober's job).
    maxclients: num(info.maxclients),
    rejectedConnectionsTotal: num(info.rejected_connections),
    instantaneousOpsPerSec: num(info.instantaneous_ops_per_sec),
    keyspaceHitsTotal,
    keyspaceMissesTotal,
    hitRatio,
    evictedKeysTotal,
    evictedKeysPerSec,
    expiredKeysTotal: num(info.expired_keys),
    netInputBytesTotal: num(info.total_net_input_bytes),
    netOutputBytesTotal: num(info.total_net_output_bytes),
    totalCommandsProcessed: num(info.total_commands_processed),
    rdbLastBgsaveStatus: info.rdb_last_bgsave_status,
    aofEnabled,
    aofLastWriteStatus: info.aof_last_write_status,
    aofCurrentSizeBytes: num(info.aof_current_size),
    rdbLastSaveTimeS: num(info.rdb_last_save_time),
    role: info.role,
    replicationLagS: replicationLagS(info),
    commandCalls: prefixedCounts(info, "cmdstat_", "calls"),
    // No errorstat_ line means no errors, but only on servers that have errorstats at all (6.2+,
    // the same release that added total_error_replies); older ones leave the field undefined.
    errorCounts:
      prefixedCounts(info, "errorstat_", "count") ??
      (info.total_error_replies !== undefined ? {} : undefined),
  };
  // Undefined fields are dropped so a sample serialises to exactly what the target reported.
  for (const key of Object.keys(sample) as (keyof InfoSample)[]) {
    if (sample[key] === undefined) delete sample[key];
  }
  return sample;
}

export type SlowlogEntry = NonNullable<ServerSample["slowlog"]>[number];

/** Longest command text kept per SLOWLOG entry; the server already cuts each argument at 128 bytes. */
const SLOWLOG_COMMAND_CHARS = 160;

/**
 * The entries of a `SLOWLOG GET n` reply (RESP2: `[id, unixTimeS, durationUs, [args...], addr, name]`,
 * newest first) that are newer than `lastSeenId`, oldest first, without those sent by `ownClientName`
 * (the prober's own INFO would otherwise show up as soon as slowlog-log-slower-than is 0).
 * `newestId` is the id to remember for next time. Slowlog ids only reset when the server restarts;
 * a newest id below the one remembered means that happened, and then every entry is new.
 */
export function parseSlowlogReply(
  reply: unknown,
  lastSeenId: number,
  ownClientName?: string,
): { entries: SlowlogEntry[]; newestId: number } {
  if (!Array.isArray(reply)) return { entries: [], newestId: lastSeenId };
  const rows = reply.filter((row): row is unknown[] => Array.isArray(row) && row.length >= 4);
  const ids = rows.map((row) => Number(row[0]));
  const newestId = ids.length === 0 ? lastSeenId : Math.max(...ids);
  const since = newestId < lastSeenId ? -1 : lastSeenId;
  const entries: SlowlogEntry[] = [];
  for (const row of rows) {
    const id = Number(row[0]);
    if (!(id > since)) continue;
    if (ownClientName !== undefined && String(row[5] ?? "") === ownClientName) continue;
    const args = Array.isArray(row[3]) ? row[3].map(String) : [];
    let command = args.join(" ");
    if (command.length > SLOWLOG_COMMAND_CHARS) command = `${command.slice(0, SLOWLOG_COMMAND_CHARS - 1)}…`;
    entries.push({ id, atS: Number(row[1]), durationUs: Number(row[2]), command });
  }
  entries.sort((a, b) => a.id - b.id);
  return { entries, newestId };
}

/**
 * A `LATENCY LATEST` reply (`[[event, unixTimeS, latestMs, maxMs, ...], ...]`; newer servers may add
 * columns after these four) as event → { latestMs, maxMs, atS }. Undefined when nothing was recorded,
 * which is the usual case: the monitor is off until latency-monitor-threshold is set.
 */
export function parseLatencyLatestReply(
  reply: unknown,
): Record<string, { latestMs: number; maxMs: number; atS?: number }> | undefined {
  if (!Array.isArray(reply)) return undefined;
  let events: Record<string, { latestMs: number; maxMs: number; atS?: number }> | undefined;
  for (const row of reply) {
    if (!Array.isArray(row) || row.length < 4) continue;
    const latestMs = Number(row[2]);
    const maxMs = Number(row[3]);
    if (!Number.isFinite(latestMs) || !Number.isFinite(maxMs)) continue;
    events ??= {};
    events[String(row[0])] = { latestMs, maxMs, atS: Number(row[1]) };
  }
  return events;
}
