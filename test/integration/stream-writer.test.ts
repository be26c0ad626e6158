import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { createClient } from "@redis/client";
import { resolveRunConfig } from "../../src/run/resolve-config.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { deadLetterStream } from "../../src/stream-writer/dead-letter.js";
import { FIREHOSE_TYPES, produceFirehose } from "../../src/stream-writer/firehose-producer.js";
import type { RedisClient } from "../../src/stream-writer/group-reader.js";
import { writePartitionFile } from "../../src/stream-writer/parquet-file.js";
import { allPartFiles, readPartColumns } from "../../src/stream-writer/parquet-read.js";
import { partitionBatch, type StreamEntry } from "../../src/stream-writer/partitioner.js";
import { runStreamWriter } from "../../src/stream-writer/stream-writer.js";
import { verifyOutput } from "../../src/stream-writer/verify.js";
import type { WriterOptions } from "../../src/stream-writer/writer-options.js";
import { commandStats, type ManagedRedis, startRedis } from "../helpers/redis.js";

/**
 * The stream writer against a real redis-server: every produced event lands in Parquet exactly once
 * (read back from the files), poison entries go to the dead-letter stream, unknown fields survive,
 * and a batch a crashed writer already wrote is acknowledged without being written again.
 */

const PREFIX = "t:events:";
const STREAMS = FIREHOSE_TYPES.map((type) => ({ key: `${PREFIX}${type}`, type }));

describe("stream writer", () => {
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
    outDir = mkdtempSync(join(tmpdir(), "cachestress-sw-test-"));
  });
  afterEach(() => {
    client.destroy();
    rmSync(outDir, { recursive: true, force: true });
  });

  const writerOptions = (extra: Partial<WriterOptions> = {}): WriterOptions => ({
    url: redis.url,
    streams: STREAMS,
    outDir,
    group: "g",
    consumer: "c1",
    batchSize: 1000,
    schedule: { kind: "once" },
    claimIdleMs: 60_000,
    maxRunMs: 60_000,
    retries: 2,
    json: false,
    debug: false,
    ...extra,
  });

  it("writes every produced event exactly once; counts match the producer, the server and the files", async () => {
    const events = 12_000;
    const before = await commandStats(redis.url);
    const produced = await produceFirehose(client, { prefix: PREFIX, events, seq: true });
    const afterProduce = await commandStats(redis.url);
    assert.equal(afterProduce["xadd"].calls - (before["xadd"]?.calls ?? 0), events);

    const outcome = await runStreamWriter(writerOptions());
    assert.equal(outcome.metrics.eventsWritten, events);
    assert.equal(outcome.metrics.deadLetters, 0);
    assert.deepEqual(outcome.alerts, []);

    const rowsByType: Record<string, number> = {};
    for (const file of await allPartFiles(outDir)) {
      const type = /type=(\w+)/.exec(file.path)![1];
      rowsByType[type] = (rowsByType[type] ?? 0) + (await readPartColumns(file.path, ["stream_id"])).length;
    }
    assert.deepEqual(rowsByType, produced.byType);
    const verdict = await verifyOutput({
      client,
      outDir,
      streams: STREAMS,
      seqField: "seq",
      expectedEvents: events,
    });
    assert.deepEqual(verdict.problems, []);
    assert.equal(verdict.rows, events);
    assert.deepEqual(verdict.seq, { expected: events, seen: events, missing: 0, duplicates: 0 });
    for (const stream of STREAMS) {
      assert.equal(await client.xLen(stream.key), 0, `${stream.key} emptied`);
      const pending = (await client.sendCommand(["XPENDING", stream.key, "g"])) as [number];
      assert.equal(pending[0], 0, `${stream.key} nothing pending`);
    }
  });

  it("end to end with the stream-pipeline scenario as producer: every XADD is in Parquet once", async () => {
    const reports = mkdtempSync(join(tmpdir(), "cachestress-sw-reports-"));
    try {
      const statsBefore = await commandStats(redis.url);
      const { config } = await resolveRunConfig([
        "stream-pipeline",
        ...["--url", redis.url, "--requests", "20000", "--prefix", "sp:", "--keep-keys", "--out", reports],
      ]);
      const { result } = await runScenario(config);
      assert.equal(result.totals.errors, 0);
      const produced = result.totals.ops;
      assert.equal(produced, 20_000);
      const statsAfter = await commandStats(redis.url);
      assert.equal(statsAfter["xadd"].calls - (statsBefore["xadd"]?.calls ?? 0), produced);

      const streams = FIREHOSE_TYPES.map((type) => ({ key: `sp:events:${type}`, type }));
      const outcome = await runStreamWriter(writerOptions({ streams, batchSize: 5000 }));
      assert.equal(outcome.metrics.eventsWritten, produced);
      const verdict = await verifyOutput({ client, outDir, streams, expectedEvents: produced });
      assert.deepEqual(verdict.problems, []);
      assert.equal(verdict.rows, produced);
      assert.equal(
        verdict.streams.reduce((n, s) => n + s.entriesAdded, 0),
        produced,
      );
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  });

  it("a row reads back with the event's own values, in its hour's partition", async () => {
    const event = {
      did: "did:plc:abc",
      time_us: Date.parse("2026-03-04T05:06:07Z") * 1000,
      kind: "commit",
      commit: {
        rev: "r1",
        operation: "create",
        collection: "app.bsky.feed.post",
        rkey: "k1",
        cid: "bafy1",
        record: {
          $type: "app.bsky.feed.post",
          createdAt: "2026-03-04T05:06:07Z",
          text: "héllo ✨",
          langs: ["en"],
          mood: "ok",
        },
      },
    };
    const id = String(
      await client.sendCommand([
        "XADD",
        `${PREFIX}post`,
        "*",
        "type",
        "post",
        "event",
        JSON.stringify(event),
      ]),
    );
    await runStreamWriter(writerOptions());
    const files = await allPartFiles(outDir);
    assert.equal(files.length, 1);
    assert.equal(
      files[0].path,
      join(outDir, "year=2026/month=03/day=04/hour=05/type=post", `part-${id}-${id}.parquet`),
    );
    const [row] = await readPartColumns(files[0].path, [
      "stream_id",
      "did",
      "time_us",
      "text",
      "langs",
      "extra",
    ]);
    assert.equal(row["stream_id"], id);
    assert.equal(row["did"], "did:plc:abc");
    assert.equal(BigInt(row["time_us"] as bigint), BigInt(event.time_us));
    assert.equal(row["text"], "héllo ✨");
    assert.deepEqual(row["langs"], ["en"]);
    assert.deepEqual(row["extra"], { "commit.record.mood": "ok" });
  });

  it("poison entries land in the dead-letter stream with their reason; the rest is written", async () => {
    await produceFirehose(client, { prefix: PREFIX, events: 500 });
    const poison: [string, string[]][] = [
      ["post", ["type", "post", "event", "{broken"]],
      ["like", ["type", "like", "note", "no event field"]],
      ["follow", ["type", "follow", "event", '{"did":"x"}']],
      ["block", ["type", "like", "event", '{"time_us":1}']],
    ];
    const poisonIds: string[] = [];
    for (const [type, fields] of poison)
      poisonIds.push(String(await client.sendCommand(["XADD", `${PREFIX}${type}`, "*", ...fields])));
    await produceFirehose(client, { prefix: PREFIX, events: 500, seed: 2 });

    const outcome = await runStreamWriter(writerOptions({ batchSize: 100 }));
    assert.equal(outcome.metrics.deadLetters, 4);
    assert.equal(outcome.metrics.eventsWritten, 1000);
    const reasons: string[] = [];
    for (const [i, [type]] of poison.entries()) {
      const dead = (await client.sendCommand([
        "XRANGE",
        deadLetterStream(`${PREFIX}${type}`),
        "-",
        "+",
      ])) as StreamEntry[];
      assert.equal(dead.length, 1, type);
      const fields = dead[0][1]!;
      const get = (name: string) => fields[fields.indexOf(name) + 1];
      assert.equal(get("source_id"), poisonIds[i]);
      assert.equal(get("source_stream"), `${PREFIX}${type}`);
      reasons.push(get("reason"));
    }
    assert.match(reasons[0], /not JSON/);
    assert.match(reasons[1], /no `event` field/);
    assert.match(reasons[2], /time_us is missing/);
    assert.match(reasons[3], /field type is "like" in a stream of type "block"/);
    const verdict = await verifyOutput({ client, outDir, streams: STREAMS });
    assert.deepEqual(verdict.problems, []);
    assert.equal(
      verdict.streams.reduce((n, s) => n + s.deadLetters, 0),
      4,
    );
  });

  it("a pending batch a crashed writer already wrote is claimed and acknowledged, not written twice", async () => {
    await produceFirehose(client, { prefix: PREFIX, events: 3000 });
    const key = `${PREFIX}like`;
    await client.sendCommand(["XGROUP", "CREATE", key, "g", "0", "MKSTREAM"]);
    // The "crashed" writer read a batch and renamed its file, then died before XACK.
    const reply = (await client.sendCommand([
      "XREADGROUP",
      "GROUP",
      "g",
      "dead",
      "COUNT",
      "700",
      "STREAMS",
      key,
      ">",
    ])) as [string, StreamEntry[]][];
    const entries = reply[0][1];
    const half = entries.slice(0, 400);
    for (const partition of partitionBatch(key, "like", half).partitions)
      await writePartitionFile(outDir, partition, "dead");

    const outcome = await runStreamWriter(writerOptions({ claimIdleMs: 0, consumer: "c2" }));
    assert.equal(outcome.metrics.eventsClaimed, 700);
    assert.equal(outcome.metrics.eventsAlreadyWritten, 400);
    const verdict = await verifyOutput({ client, outDir, streams: STREAMS, expectedEvents: 3000 });
    assert.deepEqual(verdict.problems, []);
    assert.equal(verdict.rows, 3000);
  });
});
