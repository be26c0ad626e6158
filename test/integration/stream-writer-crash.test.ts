import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import { FIREHOSE_TYPES, produceFirehose } from "../../src/stream-writer/firehose-producer.js";
import type { RedisClient } from "../../src/stream-writer/group-reader.js";
import { verifyOutput } from "../../src/stream-writer/verify.js";
import { Rng } from "../../src/workload/random.js";
import { runCli } from "../helpers/cli.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";

/**
 * Nothing lost, nothing twice, under SIGKILL: a writer process is killed at twenty random moments
 * (seeded, so a failure can be replayed) while more events keep arriving, restarted each time under
 * one of three consumer names (so a restart sometimes finds its own pending entries and sometimes
 * has to claim a dead consumer's), and finally run to the end. Every Parquet file is then read
 * back: each sequence number 0..N−1 must be there exactly once.
 */

const PREFIX = "crash:events:";
const STREAMS = FIREHOSE_TYPES.map((type) => ({ key: `${PREFIX}${type}`, type }));
const KILLS = 20;
const FIRST_EVENTS = 20_000;
const EVENTS_PER_RESTART = 1500;
/** Writers that finished before their kill do not count; this bounds the loop all the same. */
const MAX_ATTEMPTS = 60;

describe("stream writer killed with SIGKILL", () => {
  let redis: ManagedRedis;
  let client: RedisClient;
  let outDir: string;
  before(async () => {
    redis = await startRedis();
    client = createClient({ url: redis.url }) as RedisClient;
    client.on("error", () => {});
    await client.connect();
    outDir = mkdtempSync(join(tmpdir(), "cachestress-sw-crash-"));
  });
  after(async () => {
    client.destroy();
    await redis.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  it("at twenty random moments, restarted each time: no event lost, none written twice", {
    timeout: 240_000,
  }, async () => {
    const seed = Number(process.env.CACHESTRESS_CRASH_SEED ?? 20261206);
    const rng = new Rng(seed);
    let produced = 0;
    await produceFirehose(client, { prefix: PREFIX, events: FIRST_EVENTS, seq: true });
    produced += FIRST_EVENTS;
    const flags = [
      "stream-writer",
      "--url",
      redis.url,
      "--prefix",
      PREFIX,
      "--streams",
      FIREHOSE_TYPES.join(","),
    ];
    const writerFlags = [...flags, "--out", outDir, "--once", "--batch", "300", "--claim-idle", "0"];
    let killed = 0;
    let attempts = 0;
    // How long a writer that was not killed took; kill delays are drawn below it, so on a fast or a
    // slow machine the kills land while the writer is still running.
    let runMs = 1500;
    const delays: number[] = [];
    while (killed < KILLS && attempts < MAX_ATTEMPTS) {
      const delayMs = 100 + rng.int(Math.max(100, runMs - 50));
      delays.push(delayMs);
      const result = await runCli([...writerFlags, "--consumer", `w${attempts % 3}`], {
        signalAfterMs: { signal: "SIGKILL", afterMs: delayMs },
        timeoutMs: 60_000,
      });
      attempts++;
      if (result.signal === "SIGKILL") killed++;
      else {
        assert.equal(result.code, 0, `restart ${attempts} (not killed) failed: ${result.stderr}`);
        runMs = result.durationMs;
      }
      await produceFirehose(client, {
        prefix: PREFIX,
        events: EVENTS_PER_RESTART,
        seq: true,
        firstSeq: produced,
        seed: attempts + 2,
      });
      produced += EVENTS_PER_RESTART;
    }
    const last = await runCli([...writerFlags, "--consumer", "final"], { timeoutMs: 90_000 });
    assert.equal(last.code, 0, last.stderr);

    const verdict = await verifyOutput({
      client,
      outDir,
      streams: STREAMS,
      seqField: "seq",
      expectedEvents: produced,
    });
    const context = `seed ${seed}, kill delays ${delays.join(",")} ms, ${killed} of ${attempts} killed mid-run`;
    assert.deepEqual(verdict.problems, [], context);
    assert.equal(verdict.rows, produced, context);
    assert.deepEqual(verdict.seq, { expected: produced, seen: produced, missing: 0, duplicates: 0 }, context);
    for (const stream of verdict.streams)
      assert.equal(stream.waiting + stream.writtenNotAcknowledged, 0, context);
    assert.ok(
      killed >= KILLS / 2,
      `only ${killed} of ${KILLS} writers were still running when killed (${context})`,
    );
  });
});
