import { createClient } from "@redis/client";
import { redactText } from "../core/redact.js";
import { serverHasXackdel } from "./ack-trim.js";
import { drainRun } from "./drain-run.js";
import { groupState, type RedisClient } from "./group-reader.js";
import { DEFAULT_RETRY } from "./retry.js";
import { runOnSchedule } from "./scheduler.js";
import { type BatchRecord, type RunRecord, WriterMetrics } from "./writer-metrics.js";
import type { WriterOptions } from "./writer-options.js";

/**
 * The stream writer as a library: connect, then drain the streams into Parquet on the schedule,
 * reporting every batch and run through hooks (the CLI prints them; tests and the bench read them).
 * Alerts: a run with a failed batch, and a run that ends with more lag than the one before.
 */

export interface WriterHooks {
  signal?: AbortSignal;
  onBatch?: (batch: BatchRecord) => void;
  onRun?: (run: RunRecord, metrics: WriterMetrics, alerts: string[]) => void;
  onAlert?: (line: string) => void;
  onNotice?: (line: string) => void;
}

export interface WriterOutcome {
  metrics: WriterMetrics;
  alerts: string[];
  runs: number;
}

export class WriterConnectError extends Error {
  readonly code = "E_WRITER_CONNECT";
}

export async function runStreamWriter(opts: WriterOptions, hooks: WriterHooks = {}): Promise<WriterOutcome> {
  const client = await connectWriterClient(opts.url);
  const metrics = new WriterMetrics();
  const alerts: string[] = [];
  const alert = (line: string) => {
    alerts.push(line);
    hooks.onAlert?.(line);
  };
  try {
    const useXackdel = await serverHasXackdel(client);
    hooks.onNotice?.(`acknowledge with ${useXackdel ? "XACKDEL" : "MULTI XACK + XDEL"}`);
    let previousLag = await totalLag(client, opts);
    const retry = { ...DEFAULT_RETRY, attempts: opts.retries + 1 };
    const runs = await runOnSchedule(
      opts.schedule,
      async (runNumber) => {
        const run = await drainRun(
          {
            client,
            group: opts.group,
            outDir: opts.outDir,
            tempTag: `${opts.consumer}-${process.pid}`.replace(/[^A-Za-z0-9_.-]/g, "_"),
            retry,
            useXackdel,
            onRetry: (what, attempt, error, delayMs) => {
              metrics.retries++;
              hooks.onNotice?.(
                `${what}: attempt ${attempt} failed (${redactText((error as Error).message)}); retrying in ${delayMs} ms`,
              );
            },
            streams: opts.streams,
            consumer: opts.consumer,
            batchSize: opts.batchSize,
            claimIdleMs: opts.claimIdleMs,
            maxRunMs: opts.maxRunMs,
            metrics,
            onBatch: (batch) => hooks.onBatch?.(batch),
            signal: hooks.signal,
          },
          runNumber,
        );
        const runAlerts: string[] = [];
        for (const failure of run.failures)
          runAlerts.push(`run ${runNumber}: batch failed: ${redactText(failure)}`);
        const lag = metrics.totalLag();
        if (lag !== null && previousLag !== null && lag > previousLag)
          runAlerts.push(
            `run ${runNumber}: lag grew from ${previousLag} to ${lag} entries (the writer is falling behind)`,
          );
        if (lag !== null) previousLag = lag;
        for (const line of runAlerts) alert(line);
        hooks.onRun?.(run, metrics, runAlerts);
      },
      {
        maxRuns: opts.maxRuns,
        signal: hooks.signal,
        onSkipped: (ticks) => {
          metrics.skippedRuns += ticks;
          hooks.onNotice?.(`${ticks} scheduled run(s) skipped: the previous run was still going`);
        },
      },
    );
    await forgetSelf(client, opts).catch(() => {});
    return { metrics, alerts, runs };
  } finally {
    client.destroy();
  }
}

export async function connectWriterClient(url: string): Promise<RedisClient> {
  let connected = false;
  const client = createClient({
    url,
    socket: {
      // Reconnect quickly at first, then every 5 s; each command is retried with backoff on top. The
      // first connection gives up after a few attempts, so a wrong URL fails at once (exit 3).
      reconnectStrategy: (retries: number, cause: Error) =>
        !connected && retries >= 3 ? cause : Math.min(100 * 2 ** retries, 5000),
      connectTimeout: 10_000,
    },
  });
  client.on("error", () => {
    // Reported through the failing command and its retries.
  });
  try {
    await client.connect();
    await client.ping();
    connected = true;
  } catch (error) {
    try {
      client.destroy();
    } catch {
      // Already closed by the failed connection.
    }
    throw new WriterConnectError(`cannot reach ${redactText(url)}: ${redactText((error as Error).message)}`);
  }
  return client as RedisClient;
}

async function totalLag(client: RedisClient, opts: WriterOptions): Promise<number | null> {
  let total = 0;
  for (const stream of opts.streams) {
    const state = await groupState(client, stream.key, opts.group).catch(() => undefined);
    total += state?.lag ?? 0;
  }
  return total;
}

/**
 * Removes this writer's consumer from every group when it holds nothing pending, so consumer names
 * of finished processes (hostname-pid) do not pile up. A consumer with pending entries is kept:
 * deleting it would drop them from the pending list unwritten.
 */
async function forgetSelf(client: RedisClient, opts: WriterOptions): Promise<void> {
  for (const stream of opts.streams) {
    const consumers = (await client.sendCommand([
      "XINFO",
      "CONSUMERS",
      stream.key,
      opts.group,
    ])) as unknown[][];
    for (const flat of consumers) {
      const fields = new Map<string, unknown>();
      for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), flat[i + 1]);
      if (fields.get("name") === opts.consumer && Number(fields.get("pending")) === 0)
        await client.sendCommand(["XGROUP", "DELCONSUMER", stream.key, opts.group, opts.consumer]);
    }
  }
}
