import { ConfigError } from "../config/errors.js";
import type { RedisClient } from "../stream-writer/group-reader.js";
import { connectWriterClient, runStreamWriter } from "../stream-writer/stream-writer.js";
import { verifyOutput } from "../stream-writer/verify.js";
import { renderBatchLine, renderRunLine } from "../stream-writer/writer-metrics.js";
import { parseVerifyFlags, parseWriterFlags } from "../stream-writer/writer-options.js";
import { EXIT, reportFailure } from "./exit-codes.js";
import { stopOnSignal } from "./stop-on-signal.js";

/**
 * `cachestress stream-writer …` drains Redis Streams into partitioned Parquet (docs/stream-writer.md);
 * `cachestress stream-writer verify …` reads every file back and accounts for every entry.
 */

export const STREAM_WRITER_HELP = `Usage: cachestress stream-writer --url URL --streams KEYS --out DIR [flags]
       cachestress stream-writer verify --url URL --streams KEYS --out DIR [--seq-field F] [--expected N] [--json]

Reads each stream through a consumer group and writes
DIR/year=YYYY/month=MM/day=DD/hour=HH/type=T/part-<firstId>-<lastId>.parquet by each event's own time;
acknowledges and deletes entries only after their file is fsynced and renamed. docs/stream-writer.md.

  --url URL            redis:// or rediss:// server holding the streams (password in the URL is never printed)
  --streams KEYS       comma-separated stream keys, each optionally KEY=TYPE; the type defaults to the
                       key's last ':' part (cs:events:post → post). One stream per type.
  --prefix P           prepended to every --streams key (--prefix cs:events: --streams post,like)
  --out DIR            root directory of the Parquet files
  --group G            consumer group, created at the stream's start when missing (default: cachestress-writer)
  --consumer NAME      this writer's consumer name (default: hostname-pid)
  --batch N            entries per stream per batch (default: 10000)
  --once               one run, then exit (for cron and Kubernetes CronJobs)
  --every DUR          a run every DUR, the first at once (default: --every 5m)
  --cron EXPR          a run on each tick of a cron expression, UTC ("*/5 * * * *"; 6 fields = with seconds)
  --runs N             stop after N runs (default: until SIGTERM/SIGINT)
  --max-run DUR        a run stops reading new batches after DUR (default: 4m)
  --claim-idle DUR     take over entries pending this long in another consumer (default: 5m; must exceed
                       the longest batch, or a slow live writer's entries are written twice)
  --retries N          retries with exponential backoff per Redis or disk step (default: 5)
  --json               one JSON line per run on stdout: the run and the writer's metrics
  --debug              show stack traces
verify:
  --seq-field F        also check the producer's sequence numbers in entry field F: 0..N-1, each once
  --expected N         events the producer wrote in all; checked against the streams' entries-added

Exit codes: 0 every run wrote its batches and the lag did not grow (verify: every entry exactly once),
            1 a batch failed or the lag grew (an ALERT line on stderr) / verify found lost or duplicate events,
            2 bad flags, 3 the server could not be reached.`;

export async function streamWriterCommand(argv: string[]): Promise<number> {
  if (argv[0] === "verify") return verifyCommand(argv.slice(1));
  const debug = argv.includes("--debug");
  const parsed = parseWriterFlags(argv);
  if (parsed.help) {
    process.stdout.write(`${STREAM_WRITER_HELP}\n`);
    return EXIT.pass;
  }
  if ("problems" in parsed) return reportFailure(new ConfigError(parsed.problems), debug);
  const opts = parsed.options;
  const log = (line: string) => process.stderr.write(`stream-writer: ${line}\n`);
  try {
    const outcome = await runStreamWriter(opts, {
      signal: stopOnSignal("the stream writer after its current batch"),
      onNotice: log,
      onBatch: (batch) => log(renderBatchLine(batch)),
      onAlert: (line) => process.stderr.write(`ALERT stream-writer: ${line}\n`),
      onRun: (run, metrics, alerts) => {
        log(renderRunLine(run));
        if (opts.json)
          process.stdout.write(`${JSON.stringify({ run, alerts, metrics: metrics.snapshot() })}\n`);
      },
    });
    return outcome.alerts.length > 0 ? EXIT.thresholdsFailed : EXIT.pass;
  } catch (error) {
    return reportFailure(error, debug);
  }
}

async function verifyCommand(argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  const parsed = parseVerifyFlags(argv);
  if (parsed.help) {
    process.stdout.write(`${STREAM_WRITER_HELP}\n`);
    return EXIT.pass;
  }
  if ("problems" in parsed) return reportFailure(new ConfigError(parsed.problems), debug);
  const opts = parsed.options;
  let client: RedisClient;
  try {
    client = await connectWriterClient(opts.url);
  } catch (error) {
    return reportFailure(error, debug);
  }
  try {
    const result = await verifyOutput({ ...opts, client });
    for (const s of result.streams) {
      process.stderr.write(
        `verify ${s.stream}: ${s.entriesAdded} added, ${s.inFiles} in Parquet, ${s.duplicates} duplicates, ` +
          `${s.deadLetters} dead-lettered, ${s.waiting} waiting, ${s.writtenNotAcknowledged} written not yet acknowledged, ${s.lost} lost\n`,
      );
    }
    if (result.seq !== undefined)
      process.stderr.write(
        `verify sequence 0..${result.seq.expected - 1}: ${result.seq.missing} missing, ${result.seq.duplicates} duplicates\n`,
      );
    if (result.tempFiles > 0)
      process.stderr.write(
        `verify: ${result.tempFiles} temp file(s) of killed writers (.part-*.tmp): ignored, safe to delete\n`,
      );
    process.stderr.write(
      `verify: ${result.files} files, ${result.rows} rows: ${result.ok ? "OK, every entry exactly once" : "FAILED"}\n`,
    );
    for (const problem of result.problems.slice(0, 50)) process.stderr.write(`  ${problem}\n`);
    if (result.problems.length > 50) process.stderr.write(`  … and ${result.problems.length - 50} more\n`);
    if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.ok ? EXIT.pass : EXIT.thresholdsFailed;
  } catch (error) {
    return reportFailure(error, debug);
  } finally {
    client.destroy();
  }
}
