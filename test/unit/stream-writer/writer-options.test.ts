import assert from "node:assert/strict";
import { test } from "node:test";
import { parseVerifyFlags, parseWriterFlags } from "../../../src/stream-writer/writer-options.js";

test("stream-writer flags: defaults, prefix and key=type streams", () => {
  const parsed = parseWriterFlags([
    ...["--url", "redis://127.0.0.1:6379", "--prefix", "cs:events:", "--streams", "post,like,x=follow"],
    ...["--out", "/tmp/d", "--once", "--batch", "500"],
  ]);
  assert.ok(!parsed.help && "options" in parsed);
  const o = parsed.options;
  assert.deepEqual(o.streams, [
    { key: "cs:events:post", type: "post" },
    { key: "cs:events:like", type: "like" },
    { key: "cs:events:x", type: "follow" },
  ]);
  assert.deepEqual(o.schedule, { kind: "once" });
  assert.equal(o.batchSize, 500);
  assert.equal(o.group, "cachestress-writer");
  assert.equal(o.claimIdleMs, 300_000);
});

test("every bad flag is reported at once, with the value and what is allowed", () => {
  const parsed = parseWriterFlags([
    ...["--url", "http://x", "--streams", "a:post,b:post", "--batch", "0"],
    ...["--once", "--every", "5m", "--cron", "nope", "--claim-idle", "soon"],
  ]);
  assert.ok(!parsed.help && "problems" in parsed);
  const fields = parsed.problems.map((p) => p.field);
  assert.deepEqual(
    fields.sort(),
    ["--batch", "--claim-idle", "--cron", "--once --every --cron", "--out", "--streams", "--url"].sort(),
  );
  assert.match(JSON.stringify(parsed.problems), /one stream per type/);
});

test("verify flags; an unknown flag suggests the close one", () => {
  const parsed = parseVerifyFlags([
    "--url",
    "redis://h:1",
    "--streams",
    "s:post",
    "--out",
    "d",
    "--seq-field",
    "seq",
    "--expected",
    "10",
  ]);
  assert.ok(!parsed.help && "options" in parsed);
  assert.equal(parsed.options.expectedEvents, 10);
  const bad = parseWriterFlags(["--streamz", "x"]);
  assert.ok(!bad.help && "problems" in bad);
  assert.match(bad.problems[0].allowed, /--streams/);
});
