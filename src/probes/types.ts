/**
 * One sample of the server's own view, taken once per interval on a connection of its own.
 * Field names follow the INFO fields; units are in the names. A field is undefined when the
 * target did not report it (managed services hide some) — never 0 in its place.
 */
export interface ServerSample {
  /** Seconds since the measured part started (may be negative during prefill/warmup). */
  tS: number;
  /** Epoch ms when the sample was taken. */
  atMs: number;
  usedMemoryBytes?: number;
  usedMemoryRssBytes?: number;
  usedMemoryPeakBytes?: number;
  /** 0 = no limit. */
  maxmemoryBytes?: number;
  /** used / maxmemory × 100, when maxmemory > 0. */
  memoryUsedPercent?: number;
  memFragmentationRatio?: number;
  connectedClients?: number;
  blockedClients?: number;
  maxclients?: number;
  /** Counters are totals since the server started; the *PerSec fields are rates over the last interval. */
  rejectedConnectionsTotal?: number;
  instantaneousOpsPerSec?: number;
  keyspaceHitsTotal?: number;
  keyspaceMissesTotal?: number;
  /** hits / (hits + misses) over the last interval, 0..1; undefined when there were no lookups. */
  hitRatio?: number;
  evictedKeysTotal?: number;
  evictedKeysPerSec?: number;
  expiredKeysTotal?: number;
  netInputBytesTotal?: number;
  netOutputBytesTotal?: number;
  totalCommandsProcessed?: number;
  /** `ok` / `err`, from rdb_last_bgsave_status and aof_last_write_status. */
  rdbLastBgsaveStatus?: string;
  aofEnabled?: boolean;
  aofLastWriteStatus?: string;
  rdbLastSaveTimeS?: number;
  role?: string;
  /** Seconds, the largest lag among connected replicas (primary) or since the last primary I/O (replica). */
  replicationLagS?: number;
  /** Calls per command since the server started (upper-case command names). */
  commandCalls?: Record<string, number>;
  /** errorstat_<ERR> counts since the server started. */
  errorCounts?: Record<string, number>;
  /** New SLOWLOG entries since the previous sample. */
  slowlog?: { id: number; atS: number; durationUs: number; command: string }[];
  /**
   * LATENCY LATEST: event → latest and max latency, ms. `atS` (epoch seconds of the latest spike) tells
   * a spike during the run from one the server remembers from before it; maxMs is all-time.
   */
  latencyEvents?: Record<string, { latestMs: number; maxMs: number; atS?: number }>;
  /** Only for a server on this host (managed or local PID known): process CPU % over the interval (100 = one core) and RSS. */
  processCpuPercent?: number;
  processRssBytes?: number;
  /** Same host only (src/probes/process-resources.ts): open descriptors, their soft limit, disk I/O rates. */
  processOpenFds?: number;
  processFdLimit?: number;
  processReadBytesPerSec?: number;
  processWriteBytesPerSec?: number;
  /** INFO persistence aof_current_size, when AOF is on. */
  aofCurrentSizeBytes?: number;
}
