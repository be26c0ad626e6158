import assert from "node:assert/strict";
import { test } from "node:test";
import { renderBatchLine, WriterMetrics } from "../../../src/stream-writer/writer-metrics.js";

test("batches add up into the writer's metrics; lag is summed over streams", () => {
  const metrics = new WriterMetrics();
  const batch = {
    stream: "s:post",
    entries: 1000,
    written: 990,
    alreadyWritten: 5,
    deadLetters: 5,
    files: 2,
    fileBytes: [2048, 512],
    durationMs: 250,
    recovered: true,
  };
  metrics.recordBatch(batch);
  metrics.recordBatch({
    ...batch,
    stream: "s:like",
    fileBytes: [4096],
    files: 1,
    durationMs: 50,
    recovered: false,
  });
  metrics.recordGroupState("s:post", { lag: 3, pending: 1, length: 4 });
  metrics.recordGroupState("s:like", { lag: 4, pending: 0, length: 4 });
  const snap = metrics.snapshot();
  assert.equal(snap["eventsWritten"], 1980);
  assert.equal(snap["eventsAlreadyWritten"], 10);
  assert.equal(snap["deadLetters"], 10);
  assert.equal(snap["filesWritten"], 3);
  assert.equal(snap["bytesWritten"], 2048 + 512 + 4096);
  assert.equal(snap["fileBytesMin"], 512);
  assert.equal(snap["fileBytesMax"], 4096);
  assert.equal(snap["batchDurationMsMax"], 250);
  assert.equal(snap["batchDurationMsMean"], 150);
  assert.equal(metrics.totalLag(), 7);
  assert.equal(
    renderBatchLine(batch),
    "batch s:post (pending): 990 written, 2 file(s) 2.5 KiB, 250 ms, 4,000 events/s, 5 already in a file, 5 dead-lettered",
  );
});
