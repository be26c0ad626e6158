import type { AdminClient } from "../core/admin-client.js";
import { withTimeout } from "../core/with-timeout.js";
import { parseInfoSections, parseInfoValue } from "../probes/parse-info.js";

/** What memory-pressure reads from INFO: the server's own counters, totals since it started. */
export interface MemoryReading {
  /** When the reply arrived, epoch ms. */
  atMs: number;
  usedMemoryBytes: number;
  evictedKeysTotal: number;
  /** `errorstat_OOM` (Redis 6.2+); undefined on servers without INFO errorstats. */
  oomErrorsTotal: number | undefined;
}

/** One point of the check's own series: since the measured part started. */
export interface MemorySample {
  /** Seconds since the measured part started. */
  tS: number;
  usedMemoryBytes: number;
  /** Keys evicted since the measured part started. */
  evictedKeys: number;
  /** Evictions between the previous sample and this one, per second. */
  evictionsPerSec: number;
}

/** Longest an INFO may take before a sample is given up, ms. */
const INFO_TIMEOUT_MS = 2000;

/** Plain INFO (the default sections) holds memory, stats and, from 6.2, errorstats on every version. */
export async function readMemory(admin: AdminClient): Promise<MemoryReading> {
  const text = String(await withTimeout(admin.sendCommand(["INFO"]), INFO_TIMEOUT_MS, "INFO"));
  const info = parseInfoSections(text);
  const oom = info.errorstat_OOM;
  const hasErrorstats = info.total_error_replies !== undefined;
  return {
    atMs: Date.now(),
    usedMemoryBytes: Number(info.used_memory ?? Number.NaN),
    evictedKeysTotal: Number(info.evicted_keys ?? Number.NaN),
    oomErrorsTotal:
      oom !== undefined ? Number(parseInfoValue(oom).count ?? 0) : hasErrorstats ? 0 : undefined,
  };
}

/**
 * Samples used_memory and evicted_keys on its own interval while the load runs, finer than the run's
 * one-second series, so the moment eviction starts and its rate show. One INFO in flight at a time;
 * a sample that fails is skipped (the gap shows in the series), never retried in a loop.
 */
export class MemorySampler {
  readonly samples: MemorySample[] = [];
  /** INFO replies that failed or timed out. */
  failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;
  private previous: MemoryReading | undefined;

  constructor(
    private readonly admin: AdminClient,
    private readonly everyMs: number,
    /** The reading at the start of the measured part; evictions count from it. */
    private readonly baseline: MemoryReading,
    /** Epoch ms the measured part started. */
    private readonly originMs: number,
  ) {
    this.previous = baseline;
  }

  start(): void {
    this.schedule();
  }

  /** Stops the loop and takes one last sample, so the series ends where the load ended. */
  async stop(): Promise<MemoryReading | undefined> {
    if (this.stopped) return undefined;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
    return this.take();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.take().then(() => this.schedule());
    }, this.everyMs);
  }

  private async take(): Promise<MemoryReading | undefined> {
    let reading: MemoryReading;
    try {
      reading = await readMemory(this.admin);
    } catch {
      this.failures++;
      return undefined;
    }
    const previous = this.previous ?? this.baseline;
    const spanS = Math.max(0.001, (reading.atMs - previous.atMs) / 1000);
    this.samples.push({
      tS: Math.round(reading.atMs - this.originMs) / 1000,
      usedMemoryBytes: reading.usedMemoryBytes,
      evictedKeys: reading.evictedKeysTotal - this.baseline.evictedKeysTotal,
      evictionsPerSec: Math.round((reading.evictedKeysTotal - previous.evictedKeysTotal) / spanS),
    });
    this.previous = reading;
    return reading;
  }
}
