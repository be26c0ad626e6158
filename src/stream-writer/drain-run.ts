import { type BatchContext, writeBatch } from "./batch-writer.js";
import {
  claimIdlePending,
  ensureGroup,
  type GroupState,
  groupState,
  readNew,
  readPending,
  type StreamSpec,
} from "./group-reader.js";
import type { StreamEntry } from "./partitioner.js";
import { withRetries } from "./retry.js";
import type { BatchRecord, RunRecord, WriterMetrics } from "./writer-metrics.js";

/**
 * One run of the writer: take over what dead consumers left pending, finish this consumer's own
 * pending entries, then drain new entries of every stream until they are empty or the run's time
 * is up. A batch that fails after its retries stays pending (it is re-read next run) and stops
 * only its own stream for this run; the other streams go on.
 */

export interface RunOptions extends BatchContext {
  streams: StreamSpec[];
  consumer: string;
  batchSize: number;
  /** Entries pending longer than this in another consumer are taken over, ms. */
  claimIdleMs: number;
  /** The run stops reading new batches after this long, ms. */
  maxRunMs: number;
  metrics: WriterMetrics;
  onBatch: (batch: BatchRecord) => void;
  /** Checked between batches: a stopped writer finishes its batch and returns. */
  signal?: AbortSignal;
}

/** Upper bound on XAUTOCLAIM calls per stream and run, so a huge PEL cannot stall a run. */
const MAX_CLAIM_ROUNDS = 1000;

export async function drainRun(opts: RunOptions, runNumber: number): Promise<RunRecord> {
  const startedAt = new Date();
  const startMs = performance.now();
  const deadline = startMs + opts.maxRunMs;
  const retry = <T>(what: string, operation: () => Promise<T>) =>
    withRetries(what, opts.retry, operation, (attempt, error, delayMs) =>
      opts.onRetry(what, attempt, error, delayMs),
    );
  const failures: string[] = [];
  const failed = new Set<string>();
  let events = 0;
  let batches = 0;
  let claimed = 0;
  const timeLeft = () => performance.now() < deadline && opts.signal?.aborted !== true;

  const runBatch = async (stream: StreamSpec, entries: StreamEntry[], recovered: boolean) => {
    try {
      const batch = await writeBatch(opts, stream, entries, recovered);
      batches++;
      events += batch.written + batch.alreadyWritten + batch.deadLetters;
      opts.metrics.recordBatch(batch);
      opts.onBatch(batch);
      return true;
    } catch (error) {
      failed.add(stream.key);
      failures.push(`${stream.key}: ${(error as Error).message}`);
      return false;
    }
  };

  for (const stream of opts.streams) {
    try {
      await retry(`create group (${stream.key})`, () => ensureGroup(opts.client, stream.key, opts.group));
      claimed += await retry(`claim pending (${stream.key})`, () =>
        claimIdlePending(
          opts.client,
          stream.key,
          opts.group,
          opts.consumer,
          opts.claimIdleMs,
          opts.batchSize,
          MAX_CLAIM_ROUNDS,
        ),
      );
      // Own pending entries, in ID order; `after` moves on even past a batch that failed.
      let after = "0";
      while (timeLeft()) {
        const entries = await retry(`read pending (${stream.key})`, () =>
          readPending(opts.client, stream.key, opts.group, opts.consumer, after, opts.batchSize),
        );
        if (entries.length === 0) break;
        if (!(await runBatch(stream, entries, true))) break;
        after = entries[entries.length - 1][0];
      }
    } catch (error) {
      failed.add(stream.key);
      failures.push(`${stream.key}: ${(error as Error).message}`);
    }
  }

  // The next read is sent before the current batches are written, so the server builds its reply
  // (on its own core) while this process parses and writes; a read is sent only with time left.
  const readActive = () => {
    const active = opts.streams.filter((s) => !failed.has(s.key));
    if (active.length === 0) return Promise.resolve(new Map<string, StreamEntry[]>());
    const keys = active.map((s) => s.key);
    return retry("read new entries", () =>
      readNew(opts.client, keys, opts.group, opts.consumer, opts.batchSize),
    );
  };
  let next: Promise<Map<string, StreamEntry[]>> | undefined = timeLeft() ? readActive() : undefined;
  while (next !== undefined) {
    let byStream: Map<string, StreamEntry[]>;
    try {
      byStream = await next;
    } catch (error) {
      failures.push(`read: ${(error as Error).message}`);
      break;
    }
    if (byStream.size === 0) break;
    next = timeLeft() ? readActive() : undefined;
    // Keep a rejected prefetch from being reported as unhandled while the batches are written.
    next?.catch(() => {});
    for (const stream of opts.streams) {
      const entries = byStream.get(stream.key);
      // A stream whose batch failed keeps its prefetched entries pending: the next run re-reads them.
      if (entries !== undefined && !failed.has(stream.key)) await runBatch(stream, entries, false);
    }
  }

  const streams: Record<string, GroupState | null> = {};
  for (const stream of opts.streams) {
    const state = await retry(`XINFO GROUPS (${stream.key})`, () =>
      groupState(opts.client, stream.key, opts.group),
    ).catch(() => undefined);
    opts.metrics.recordGroupState(stream.key, state);
    streams[stream.key] = state ?? null;
  }
  const durationMs = performance.now() - startMs;
  const run: RunRecord = {
    run: runNumber,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    durationMs: Math.round(durationMs),
    events,
    eventsPerSec: durationMs > 0 ? Math.round((events / durationMs) * 1000) : 0,
    batches,
    failedBatches: failures.length,
    claimed,
    streams,
    failures,
  };
  opts.metrics.recordRun(run);
  return run;
}
