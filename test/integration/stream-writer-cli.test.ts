import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { createClient } from "@redis/client";
import { FIREHOSE_TYPES, produceFirehose } from "../../src/stream-writer/firehose-producer.js";
import type { RedisClient } from "../../src/stream-writer/group-reader.js";
import { verifyOutput } from "../../src/stream-writer/verify.js";
import { runCli } from "../helpers/cli.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";

/**
 * `cachestress stream-writer` as processes: two writers in one consumer group split the streams'
 * entries between them (and together write each exactly once); a schedule fires its runs one after
 * another, never two at once; `verify` reads the files back; bad flags exit 2 with every problem.
 */

const PREFIX = "cli:events:";
const STREAMS = FIREHOSE_TYPES.map((type) => ({ key: `${PREFIX}${type}`, type }));

interface RunLine {
  run: { run: number; startedAt: string; endedAt: string; events: number };
  metrics: { eventsWritten: number; skippedRuns: number };
}

function runLines(stdout: string): RunLine[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as RunLine);
}

describe("stream-writer CLI", () => {
  let redis: ManagedRedis;
  let client: RedisClient;
  let outDir: string;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });
  beforeEach(async () => {
    client = createClient({ url: redis.url }) as RedisClient;
    client.on("error", () => {});
    await client.connect();
    await client.flushAll();
    outDir = mkdtempSync(join(tmpdir(), "cachestress-sw-cli-"));
  });
  afterEach(() => {
    client.destroy();
    rmSync(outDir, { recursive: true, force: true });
  });

  const flags = () => [
    "--url",
    redis.url,
    "--prefix",
    PREFIX,
    "--streams",
    FIREHOSE_TYPES.join(","),
    "--out",
    outDir,
  ];

  it("two writer processes in one group share the work and write every event once", async () => {
    const events = 30_000;
    await produceFirehose(client, { prefix: PREFIX, events, seq: true });
    const [a, b] = await Promise.all(
      ["a", "b"].map((consumer) =>
        runCli(["stream-writer", ...flags(), "--once", "--batch", "300", "--consumer", consumer, "--json"], {
          timeoutMs: 90_000,
        }),
      ),
    );
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const writtenA = runLines(a.stdout)[0].metrics.eventsWritten;
    const writtenB = runLines(b.stdout)[0].metrics.eventsWritten;
    assert.ok(writtenA > 0 && writtenB > 0, `a wrote ${writtenA}, b wrote ${writtenB}: both must get work`);
    assert.equal(writtenA + writtenB, events);

    const verify = await runCli([
      "stream-writer",
      "verify",
      ...flags(),
      "--seq-field",
      "seq",
      "--expected",
      String(events),
    ]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stderr, /OK, every entry exactly once/);
  });

  it("--every fires its runs one after another and never overlaps them", async () => {
    await produceFirehose(client, { prefix: PREFIX, events: 8000 });
    const result = await runCli(
      ["stream-writer", ...flags(), "--every", "200ms", "--runs", "3", "--batch", "200", "--json"],
      { timeoutMs: 90_000 },
    );
    assert.equal(result.code, 0, result.stderr);
    const lines = runLines(result.stdout);
    assert.deepEqual(
      lines.map((l) => l.run.run),
      [1, 2, 3],
    );
    for (let i = 1; i < lines.length; i++)
      assert.ok(
        Date.parse(lines[i].run.startedAt) >= Date.parse(lines[i - 1].run.endedAt),
        `run ${i + 1} started before run ${i} ended`,
      );
    assert.equal(lines[2].metrics.eventsWritten, 8000);
    const verdict = await verifyOutput({ client, outDir, streams: STREAMS, expectedEvents: 8000 });
    assert.deepEqual(verdict.problems, []);
  });

  it("--cron with seconds fires on its ticks", async () => {
    await produceFirehose(client, { prefix: PREFIX, events: 100 });
    const result = await runCli(
      ["stream-writer", ...flags(), "--cron", "* * * * * *", "--runs", "2", "--json"],
      { timeoutMs: 30_000 },
    );
    assert.equal(result.code, 0, result.stderr);
    const lines = runLines(result.stdout);
    assert.equal(lines.length, 2);
    // Each run starts on a whole second (a tick of "every second"), within the run's own latency.
    for (const line of lines)
      assert.ok(new Date(line.run.startedAt).getUTCMilliseconds() < 900, line.run.startedAt);
    assert.equal(lines[1].metrics.eventsWritten, 100);
  });

  it("a batch that fails after its retries raises an ALERT line and exit 1; its entries stay pending", async () => {
    await produceFirehose(client, { prefix: PREFIX, events: 300 });
    // --out is a regular file: every mkdir under it fails (ENOTDIR), as a broken disk would.
    const notADir = join(outDir, "file");
    writeFileSync(notADir, "x");
    const args = [
      "stream-writer",
      "--url",
      redis.url,
      "--prefix",
      PREFIX,
      "--streams",
      "post",
      "--out",
      notADir,
    ];
    const result = await runCli([...args, "--once", "--retries", "1", "--json"]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /ALERT stream-writer: run 1: batch failed: .*write parquet .* failed 2 times/,
    );
    assert.match(result.stderr, /attempt 1 failed .*retrying in \d+ ms/);
    const pending = (await client.sendCommand(["XPENDING", `${PREFIX}post`, "cachestress-writer"])) as [
      number,
    ];
    assert.ok(pending[0] > 0, "the failed batch is still pending, to be re-read next run");
    assert.equal(runLines(result.stdout)[0].metrics.eventsWritten, 0);
  });

  it("bad flags: every problem at once, exit 2; an unreachable server exits 3", async () => {
    const bad = await runCli(["stream-writer", "--streams", "", "--batch", "x", "--once", "--every", "1m"]);
    assert.equal(bad.code, 2);
    for (const field of ["--url", "--out", "--streams", "--batch", "--once --every"])
      assert.match(bad.stderr, new RegExp(field));
    const unreachable = await runCli([
      "stream-writer",
      "--url",
      "redis://127.0.0.1:1",
      "--streams",
      "a:post",
      "--out",
      outDir,
      "--once",
    ]);
    assert.equal(unreachable.code, 3, unreachable.stderr);
  });
});
