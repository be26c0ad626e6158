import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import type { CommandWeight } from "../../../src/config/types.js";
import { CommandWriter } from "../../../src/engine/command-writer.js";
import { keySlot } from "../../../src/engine/key-slot.js";
import { buildDatasetPool } from "../../../src/workload/datasets/dataset-pool.js";
import { datasetRecordTypes } from "../../../src/workload/datasets/record-types.js";
import { Rng } from "../../../src/workload/random.js";

/** A source that always returns the same number, so random parts are predictable. */
const fixed = (x: number) => ({ next: () => x });

function writer(
  commands: CommandWeight[],
  extra: Partial<ConstructorParameters<typeof CommandWriter>[0]> = {},
) {
  return new CommandWriter(
    { commands, prefix: "p:", keyMax: 1000, dataSizeMin: 4, dataSizeMax: 4, ...extra },
    fixed(0),
    0,
  );
}

function written(w: CommandWriter, command: number, key: number): string {
  const out = Buffer.alloc(w.maxCommandBytes + 16);
  const end = w.write(out, 0, command, key);
  assert.ok(end <= w.maxCommandBytes, `wrote ${end} bytes, more than maxCommandBytes ${w.maxCommandBytes}`);
  return out.subarray(0, end).toString("latin1");
}

const t = (template: string, name = template.split(" ")[0].toUpperCase()): CommandWeight => ({
  name,
  weight: 1,
  template,
});

describe("template RESP encoding, byte for byte", () => {
  it("HSET {key} f {value}: prefixed, zero-padded key, value from the pool", () => {
    const w = writer([t("HSET {key} f {value}")]);
    const text = written(w, 0, 7);
    assert.match(text, /^\*4\r\n\$4\r\nHSET\r\n\$5\r\np:007\r\n\$1\r\nf\r\n\$4\r\n[A-Za-z0-9]{4}\r\n$/);
  });

  it("{prefix}, text, {rand} and {seq}, with their lengths computed per operation", () => {
    const w = new CommandWriter(
      {
        commands: [t("ZADD {prefix}board {rand} m{seq}")],
        prefix: "p:",
        keyMax: 10,
        dataSizeMin: 4,
        dataSizeMax: 4,
      },
      fixed(0.5),
      0,
      undefined,
      { sequenceStart: 3, sequenceStep: 10 },
    );
    assert.equal(written(w, 0, 1), "*4\r\n$4\r\nZADD\r\n$7\r\np:board\r\n$10\r\n2147483648\r\n$2\r\nm3\r\n");
    assert.equal(written(w, 0, 1), "*4\r\n$4\r\nZADD\r\n$7\r\np:board\r\n$10\r\n2147483648\r\n$3\r\nm13\r\n");
  });

  it("{script:NAME} becomes the script's SHA1", () => {
    const lua = "return redis.call('INCR', KEYS[1])";
    const sha = createHash("sha1").update(lua).digest("hex");
    const w = writer([t("EVALSHA {script:incr} 1 {key}")], { scripts: { incr: lua } });
    assert.equal(written(w, 0, 42), `*4\r\n$7\r\nEVALSHA\r\n$40\r\n${sha}\r\n$1\r\n1\r\n$5\r\np:042\r\n`);
  });

  it("a dataset record as {value} and its event type as {type}", () => {
    const pool = buildDatasetPool("firehose", 7, 64);
    const types = datasetRecordTypes("firehose", pool)!;
    const w = new CommandWriter(
      {
        commands: [t("XADD {prefix}events:{type} MAXLEN ~ 100 * type {type} event {value}")],
        prefix: "p:",
        keyMax: 1000,
        dataSizeMin: 4,
        dataSizeMax: 4,
      },
      fixed(0),
      0,
      pool,
      { recordTypes: types, sequenceStart: 0, sequenceStep: 1 },
    );
    for (const key of [0, 5, 63, 64, 500]) {
      const record = pool.value(key % pool.count).toString("latin1");
      const type = JSON.parse(Buffer.from(record, "latin1").toString("utf8"))
        .commit.collection.split(".")
        .pop();
      const typeName = { post: "post", like: "like", repost: "repost", follow: "follow", block: "block" }[
        type as string
      ]!;
      const streamKey = `p:events:${typeName}`;
      assert.equal(
        written(w, 0, key),
        `*10\r\n$4\r\nXADD\r\n$${streamKey.length}\r\n${streamKey}\r\n$6\r\nMAXLEN\r\n$1\r\n~\r\n$3\r\n100\r\n$1\r\n*\r\n` +
          `$4\r\ntype\r\n$${typeName.length}\r\n${typeName}\r\n$5\r\nevent\r\n$${Buffer.byteLength(record, "latin1")}\r\n${record}\r\n`,
      );
      assert.equal(w.templateSlotOf(0, key), keySlot(streamKey));
    }
  });

  it("SET and GET beside templates keep their exact encoding", () => {
    const w = writer([{ name: "SET", weight: 1 }, { name: "GET", weight: 1 }, t("LPUSH {key} {value}")]);
    assert.match(written(w, 0, 5), /^\*3\r\n\$3\r\nSET\r\n\$5\r\np:005\r\n\$4\r\n[A-Za-z0-9]{4}\r\n$/);
    assert.equal(written(w, 1, 5), "*2\r\n$3\r\nGET\r\n$5\r\np:005\r\n");
    assert.match(written(w, 2, 999), /^\*3\r\n\$5\r\nLPUSH\r\n\$5\r\np:999\r\n\$4\r\n[A-Za-z0-9]{4}\r\n$/);
  });

  it("write vs read, and the slot of the key argument", () => {
    const w = writer([
      { name: "SET", weight: 1 },
      { name: "GET", weight: 1 },
      t("HGETALL {key}"),
      t("XADD {key}:s * v {value}"),
      t("PING"),
    ]);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((c) => w.isWrite(c)),
      [true, false, false, true, false],
    );
    assert.equal(w.templateSlotOf(0, 12), -1, "SET is routed by the engine's own key slotter");
    assert.equal(w.templateSlotOf(2, 12), keySlot("p:012"));
    assert.equal(w.templateSlotOf(3, 12), keySlot("p:012:s"));
    assert.equal(w.templateSlotOf(4, 12), -1, "no key argument");
  });

  it("random value sizes stay within maxCommandBytes", () => {
    const w = new CommandWriter(
      {
        commands: [t("HSET {key} {value} {value}")],
        prefix: "p:",
        keyMax: 100,
        dataSizeMin: 1,
        dataSizeMax: 300,
      },
      new Rng(1),
      0,
    );
    for (let i = 0; i < 200; i++) {
      const text = written(w, 0, i % 100);
      const match =
        /^\*4\r\n\$4\r\nHSET\r\n\$4\r\np:\d\d\r\n\$(\d+)\r\n([^\r]*)\r\n\$(\d+)\r\n([^\r]*)\r\n$/.exec(text);
      assert.ok(match !== null, text);
      assert.equal(Number(match[1]), match[2].length);
      assert.equal(match[1], match[3], "both {value} of one operation are the same value");
      assert.equal(match[2], match[4]);
    }
  });
});
