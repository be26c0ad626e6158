import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "@redis/client";
import { startManagedRedis } from "../src/core/managed-redis.js";
import { resolveRunConfig } from "../src/run/resolve-config.js";
import { runScenario } from "../src/run/run-scenario.js";
import { FIREHOSE_TYPES, produceFirehose } from "../src/stream-writer/firehose-producer.js";
import type { RedisClient } from "../src/stream-writer/group-reader.js";
import { runStreamWriter } from "../src/stream-writer/stream-writer.js";
import { verifyOutput } from "../src/stream-writer/verify.js";
import type { WriterOptions } from "../src/stream-writer/writer-options.js";

/**
 * `npm run bench:stream-writer`: 450,000 firehose events of all five types in five streams, drained
 * to Parquet by one writer (`--once`), timed from the first read to the last acknowledgement; the
 * events are produced before the clock starts. The target: under 15 s on a 2-core machine, against
 * the 4 minutes the job it replaces had for a 5-minute batch.
 *
 * `--end-to-end` times the whole pipeline instead: the stream-pipeline scenario's engine produces
 * `--events` (default then 2,700,000) while writers drain the streams, until every event is in
 * Parquet. Both modes finish with `verify` (every entry exactly once) and exit 1 if it fails.
 *
 *   node dist/bench/stream-writer.js [--events N] [--batch N] [--end-to-end] [--keep]
 */

const TARGET_S = 15;
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      events: { type: "string" },
      batch: { type: "string", default: "10000" },
      "end-to-end": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
    },
  });
  const endToEnd = values["end-to-end"] === true;
  const events = Number(values.events ?? (endToEnd ? 2_700_000 : 450_000));
  const redis = await startManagedRedis({
    extraArgs: ["--maxmemory", "6gb", "--maxmemory-policy", "noeviction"],
  });
  const outDir = mkdtempSync(join(tmpdir(), "cachestress-bench-stream-writer-"));
  const client = createClient({ url: redis.url }) as RedisClient;
  client.on("error", () => {});
  await client.connect();
  log(`redis-server pid ${redis.pid} on ${redis.url}; Parquet under ${outDir}`);
  const prefix = "bench:events:";
  const writer: WriterOptions = {
    url: redis.url,
    streams: FIREHOSE_TYPES.map((type) => ({ key: `${prefix}${type}`, type })),
    outDir,
    group: "bench-writer",
    consumer: "bench-1",
    batchSize: Number(values.batch),
    schedule: { kind: "once" },
    claimIdleMs: 60_000,
    maxRunMs: 3_600_000,
    retries: 5,
    json: false,
    debug: false,
  };
  try {
    let seconds: number;
    let written = 0;
    if (!endToEnd) {
      const produced = await produceFirehose(client, { prefix, events });
      log(
        `produced ${events.toLocaleString("en-US")} events in ${(produced.durationMs / 1000).toFixed(1)} s (not timed)`,
      );
      const startMs = performance.now();
      const cpuBefore = process.cpuUsage();
      const outcome = await runStreamWriter(writer);
      seconds = (performance.now() - startMs) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      written = outcome.metrics.eventsWritten;
      report([
        ["events drained to Parquet", written.toLocaleString("en-US")],
        ["time", `${seconds.toFixed(2)} s (target < ${TARGET_S} s)`],
        ["events/s", Math.round(written / seconds).toLocaleString("en-US")],
        [
          "writer CPU",
          `${((cpu.user + cpu.system) / 1e6).toFixed(2)} s user + system (less sensitive to other load than the time)`,
        ],
        [
          "files",
          `${outcome.metrics.filesWritten} (${(outcome.metrics.bytesWritten / 1024 ** 2).toFixed(1)} MiB)`,
        ],
        [
          "batch",
          `${writer.batchSize} entries per stream; longest ${Math.round(outcome.metrics.batchDurationMsMax)} ms`,
        ],
      ]);
    } else {
      const startMs = performance.now();
      const produced = produceWithScenario(redis.url, events, outDir);
      let producing = true;
      const stopped = () => {
        producing = false;
      };
      produced.then(stopped, stopped);
      // Drain while the producer runs, then once more after it stopped, until a run finds nothing.
      for (let round = 0; round < 100_000; round++) {
        const stillProducing = producing;
        const outcome = await runStreamWriter(writer);
        written += outcome.metrics.eventsWritten;
        if (!stillProducing && outcome.metrics.eventsWritten === 0) break;
        if (outcome.metrics.eventsWritten === 0) await new Promise((r) => setTimeout(r, 200));
      }
      const producedEvents = await produced;
      seconds = (performance.now() - startMs) / 1000;
      report([
        ["events produced (XADD)", producedEvents.toLocaleString("en-US")],
        ["events drained to Parquet", written.toLocaleString("en-US")],
        ["end-to-end time", `${seconds.toFixed(1)} s (produce → buffer → write, concurrently)`],
        ["events/s", Math.round(written / seconds).toLocaleString("en-US")],
      ]);
    }
    const verdict = await verifyOutput({ client, outDir, streams: writer.streams });
    log(
      `verify: ${verdict.files} files, ${verdict.rows} rows: ${verdict.ok ? "every entry exactly once" : "FAILED"}`,
    );
    for (const problem of verdict.problems.slice(0, 10)) log(`  ${problem}`);
    return verdict.ok && verdict.rows === events ? 0 : 1;
  } finally {
    client.destroy();
    await redis.stop();
    if (values.keep !== true) rmSync(outDir, { recursive: true, force: true });
  }
}

/** The stream-pipeline scenario as producer, without its MAXLEN cap (every event must reach Parquet). */
async function produceWithScenario(url: string, events: number, outDir: string): Promise<number> {
  const file = join(outDir, "..", `stream-pipeline-uncapped-${process.pid}.yaml`);
  writeFileSync(
    file,
    [
      "name: stream-pipeline-uncapped",
      "dataset: firehose",
      "keyPattern: sequential",
      "keyMax: 4096",
      "connections: 4",
      "pipeline: 1000",
      "timeout: 30s",
      "useCase: buffer",
      "commands:",
      '  - cmd: "XADD {prefix}events:{type} * type {type} event {value}"',
      "    weight: 1",
      "",
    ].join("\n"),
  );
  const reports = mkdtempSync(join(tmpdir(), "cachestress-bench-reports-"));
  try {
    const { config } = await resolveRunConfig([
      file,
      ...["--url", url, "--requests", String(events), "--prefix", "bench:", "--keep-keys", "--out", reports],
    ]);
    const { result } = await runScenario(config);
    return result.totals.ops - result.totals.errors;
  } finally {
    rmSync(file, { force: true });
    rmSync(reports, { recursive: true, force: true });
  }
}

function report(rows: [string, string][]): void {
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}${v}`).join("\n")}\n`);
  log("the machine is shared with other work; expect noise between runs");
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    log(err.message);
    process.exitCode = 1;
  },
);
