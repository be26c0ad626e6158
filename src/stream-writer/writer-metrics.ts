import type { GroupState } from "./group-reader.js";

/**
 * The stream writer's own figures, kept as plain numbers so the project's metric exporters can
 * read them as they are (`snapshot()` is also the `--json` output). Per batch and per run: events
 * written, events/s, batch duration, file sizes, retries, dead letters; per stream: lag and pending
 * from XINFO GROUPS.
 */

export interface BatchRecord {
  stream: string;
  /** Entries the batch held, including dead letters and entries already in a file. */
  entries: number;
  written: number;
  /** Entries a crashed writer had already put in a file: acknowledged, not written again. */
  alreadyWritten: number;
  deadLetters: number;
  files: number;
  fileBytes: number[];
  durationMs: number;
  /** True when the entries came from the pending list (re-read or claimed), not new. */
  recovered: boolean;
}

export interface RunRecord {
  run: number;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  events: number;
  eventsPerSec: number;
  batches: number;
  failedBatches: number;
  claimed: number;
  /** Per stream, at the end of the run. */
  streams: Record<string, GroupState | null>;
  failures: string[];
}

export class WriterMetrics {
  runs = 0;
  batches = 0;
  failedBatches = 0;
  eventsWritten = 0;
  eventsAlreadyWritten = 0;
  eventsClaimed = 0;
  deadLetters = 0;
  filesWritten = 0;
  bytesWritten = 0;
  fileBytesMin: number | null = null;
  fileBytesMax: number | null = null;
  retries = 0;
  /** Scheduled runs that were due while the previous run was still going, so never started. */
  skippedRuns = 0;
  batchDurationMsMax = 0;
  batchDurationMsTotal = 0;
  lastBatch: BatchRecord | null = null;
  lastRun: RunRecord | null = null;
  lagByStream: Record<string, number | null> = {};
  lengthByStream: Record<string, number | null> = {};
  pendingByStream: Record<string, number> = {};

  recordBatch(batch: BatchRecord): void {
    this.batches++;
    this.eventsWritten += batch.written;
    this.eventsAlreadyWritten += batch.alreadyWritten;
    this.deadLetters += batch.deadLetters;
    this.filesWritten += batch.files;
    for (const bytes of batch.fileBytes) {
      this.bytesWritten += bytes;
      this.fileBytesMin = this.fileBytesMin === null ? bytes : Math.min(this.fileBytesMin, bytes);
      this.fileBytesMax = this.fileBytesMax === null ? bytes : Math.max(this.fileBytesMax, bytes);
    }
    this.batchDurationMsMax = Math.max(this.batchDurationMsMax, batch.durationMs);
    this.batchDurationMsTotal += batch.durationMs;
    this.lastBatch = batch;
  }

  recordGroupState(stream: string, state: GroupState | undefined): void {
    this.lagByStream[stream] = state?.lag ?? null;
    this.pendingByStream[stream] = state?.pending ?? 0;
    this.lengthByStream[stream] = state?.length ?? null;
  }

  recordRun(run: RunRecord): void {
    this.runs++;
    this.failedBatches += run.failedBatches;
    this.eventsClaimed += run.claimed;
    this.lastRun = run;
  }

  /** Sum of every stream's lag, or null when the server reported none. */
  totalLag(): number | null {
    let total = 0;
    for (const lag of Object.values(this.lagByStream)) {
      if (lag === null) return null;
      total += lag;
    }
    return total;
  }

  snapshot(): Record<string, unknown> {
    return {
      runs: this.runs,
      batches: this.batches,
      failedBatches: this.failedBatches,
      eventsWritten: this.eventsWritten,
      eventsAlreadyWritten: this.eventsAlreadyWritten,
      eventsClaimed: this.eventsClaimed,
      deadLetters: this.deadLetters,
      filesWritten: this.filesWritten,
      bytesWritten: this.bytesWritten,
      fileBytesMin: this.fileBytesMin,
      fileBytesMax: this.fileBytesMax,
      retries: this.retries,
      skippedRuns: this.skippedRuns,
      batchDurationMsMax: round(this.batchDurationMsMax),
      batchDurationMsMean: this.batches === 0 ? null : round(this.batchDurationMsTotal / this.batches),
      eventsPerSecLastRun: this.lastRun?.eventsPerSec ?? null,
      lagByStream: this.lagByStream,
      pendingByStream: this.pendingByStream,
      lengthByStream: this.lengthByStream,
      lastRun: this.lastRun,
    };
  }
}

/** One line per batch for stderr: what was written, how big, how fast. */
export function renderBatchLine(batch: BatchRecord): string {
  const bytes = batch.fileBytes.reduce((a, b) => a + b, 0);
  const rate = batch.durationMs > 0 ? Math.round((batch.entries / batch.durationMs) * 1000) : 0;
  const parts = [
    `batch ${batch.stream}${batch.recovered ? " (pending)" : ""}: ${batch.written} written`,
    `${batch.files} file(s) ${formatBytes(bytes)}`,
    `${Math.round(batch.durationMs)} ms`,
    `${rate.toLocaleString("en-US")} events/s`,
  ];
  if (batch.alreadyWritten > 0) parts.push(`${batch.alreadyWritten} already in a file`);
  if (batch.deadLetters > 0) parts.push(`${batch.deadLetters} dead-lettered`);
  return parts.join(", ");
}

/** One line per run: totals, rate and the group's lag and pending per stream. */
export function renderRunLine(run: RunRecord): string {
  const streams = Object.entries(run.streams)
    .map(([stream, state]) => `${stream} lag ${state?.lag ?? "?"} pending ${state?.pending ?? "?"}`)
    .join("; ");
  return (
    `run ${run.run}: ${run.events} events in ${(run.durationMs / 1000).toFixed(2)} s ` +
    `(${run.eventsPerSec.toLocaleString("en-US")} events/s), ${run.batches} batches` +
    `${run.failedBatches > 0 ? `, ${run.failedBatches} FAILED` : ""}, claimed ${run.claimed}; ${streams}`
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
