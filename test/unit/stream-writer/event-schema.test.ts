import assert from "node:assert/strict";
import { test } from "node:test";
import { eventRow, schemaColumns } from "../../../src/stream-writer/event-schema.js";
import { partitionBatch, partitionDir } from "../../../src/stream-writer/partitioner.js";
import { generateRecords } from "../../../src/workload/datasets/dataset-pool.js";
import { firehoseEventType } from "../../../src/workload/datasets/firehose.js";

function rowObject(type: string, fields: string[]): Record<string, unknown> {
  const row = eventRow(type, "s", "1-0", fields);
  assert.notEqual(typeof row, "string", String(row));
  const values = (row as { values: unknown[] }).values;
  const columns = schemaColumns(type);
  assert.equal(values.length, columns.length);
  return Object.fromEntries(columns.map((c, i) => [c.name, values[i]]));
}

test("every firehose type maps to its columns with nothing left over in extra", () => {
  const seen = new Set<string>();
  for (const record of generateRecords("firehose", 7, 400)) {
    const type = firehoseEventType(record as { commit?: { collection?: string } })!;
    seen.add(type);
    const row = rowObject(type, ["type", type, "event", JSON.stringify(record)]);
    assert.equal(row["extra"], null, `${type}: ${JSON.stringify(row["extra"])}`);
    assert.equal(row["did"], record["did"]);
    assert.equal(row["time_us"], BigInt(record["time_us"] as number));
    const commitRecord = (record["commit"] as { record: Record<string, unknown> }).record;
    if (type === "post") assert.equal(row["text"], commitRecord["text"]);
    if (type === "like" || type === "repost")
      assert.equal(row["subject_uri"], (commitRecord["subject"] as { uri: string }).uri);
    if (type === "follow" || type === "block") assert.equal(row["subject_did"], commitRecord["subject"]);
  }
  assert.deepEqual([...seen].sort(), ["block", "follow", "like", "post", "repost"]);
});

test("unknown fields are kept in extra by path, entry fields as entry.<name>", () => {
  const event = {
    did: "did:plc:x",
    time_us: 1_735_689_600_000_000,
    kind: "commit",
    source: "relay-2",
    commit: {
      rev: "r",
      operation: "create",
      collection: "app.bsky.feed.like",
      rkey: "k",
      cid: "c",
      sig: 1,
      record: {
        $type: "app.bsky.feed.like",
        createdAt: "t",
        subject: { uri: "u", cid: "c2", via: "v" },
        note: 5,
      },
    },
  };
  const row = rowObject("like", ["type", "like", "event", JSON.stringify(event), "seq", "42"]);
  assert.deepEqual(row["extra"], {
    "entry.seq": "42",
    source: "relay-2",
    "commit.sig": 1,
    "commit.record.note": 5,
    "commit.record.subject.via": "v",
  });
  assert.equal(row["subject_uri"], "u");
});

test("entries that cannot be written give a reason (for the dead-letter stream)", () => {
  const cases: [string[], RegExp][] = [
    [["type", "post"], /no `event` field/],
    [["type", "post", "event", "{not json"], /not JSON/],
    [["type", "post", "event", "[1,2]"], /not a JSON object/],
    [["type", "post", "event", '{"did":"x"}'], /time_us is missing/],
    [["type", "post", "event", '{"time_us":"12"}'], /time_us is "12"/],
    [["type", "like", "event", '{"time_us":1}'], /field type is "like" in a stream of type "post"/],
  ];
  for (const [fields, reason] of cases) {
    const row = eventRow("post", "s", "1-0", fields);
    assert.equal(typeof row, "string", JSON.stringify(fields));
    assert.match(row as string, reason);
  }
});

test("a batch splits by each event's own hour; poison and deleted entries are set aside", () => {
  const hour = 3_600_000_000;
  const at = (us: number) => JSON.stringify({ time_us: us, did: "d" });
  const batch = partitionBatch("s", "post", [
    ["1-0", ["event", at(0)]],
    ["1-1", ["event", at(hour - 1)]],
    ["1-2", ["event", at(hour)]],
    ["1-3", ["event", "nope"]],
    ["1-4", null],
    ["1-5", ["event", at(1)]],
  ]);
  assert.deepEqual(
    batch.partitions.map((p) => [p.dir, p.ids]),
    [
      ["year=1970/month=01/day=01/hour=00/type=post", ["1-0", "1-1", "1-5"]],
      ["year=1970/month=01/day=01/hour=01/type=post", ["1-2"]],
    ],
  );
  assert.deepEqual(
    batch.dead.map((d) => d.id),
    ["1-3"],
  );
  assert.deepEqual(batch.vanished, ["1-4"]);
  assert.equal(
    partitionDir(Math.floor(1_735_779_600_000_000 / hour), "like"),
    "year=2025/month=01/day=02/hour=01/type=like",
  );
});
