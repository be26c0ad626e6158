import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderRunHtml } from "../../../src/reports/html/run-html.js";
import { renderMarkdown } from "../../../src/reports/markdown.js";
import { resourceLines } from "../../../src/reports/resource-lines.js";
import { computeZones, resourceZones } from "../../../src/result/zones.js";
import { makeRunResult } from "./fixture.js";

const resources = {
  server: {
    pid: 4242,
    openFdsMax: 19,
    fdLimit: 20000,
    persistenceDir: "/tmp/disk",
    rdbFileBytes: 1024 * 1024,
    aofFileBytes: 4 * 1024 * 1024,
    diskTotalBytes: 8 * 1024 * 1024,
    diskUsedPercentMax: 99.95,
    diskFreeBytesMin: 4096,
    gone: 1,
    goneAtS: [2.5],
  },
  tool: {
    rssBytesMax: 200 * 1024 * 1024,
    heapUsedBytesMax: 40 * 1024 * 1024,
    openFdsMax: 38,
    fdLimit: 20000,
    socketsMax: 13,
  },
  buffer: { streams: 2, streamLengthEntriesMax: 12345, pendingEntriesMax: 3 },
  series: [],
};

describe("resources in the reports", () => {
  it("plain lines show only what was measured, with units", () => {
    const lines = resourceLines(makeRunResult({ resources }));
    const text = lines.join("\n");
    assert.equal(lines[0], "resources:");
    assert.match(text, /server open files \(peak \/ limit\)\s+19 \/ 20,000/);
    assert.match(text, /AOF files \(end\)\s+4\.00 MiB/);
    assert.match(text, /99\.95 % of 8\.00 MiB/);
    assert.match(text, /server went away\s+1 time\(s\) at 2\.5s/);
    assert.match(text, /2 stream\(s\): 12,345 entries, 3 pending/);
    assert.match(text, /38 of 20,000 \/ 13 sockets/);
    assert.doesNotMatch(text, /disk reads|event-loop/);
    assert.deepEqual(resourceLines(makeRunResult()), []);
  });

  it("Markdown and HTML carry the section and the configured bands", () => {
    const zones = [
      ...computeZones({ p99Ms: 30 }, { p99Ms: { stableBelow: 10, failureAbove: 20 } }),
      ...resourceZones({ diskUsedPercent: 99.95, serverGone: 1 }),
    ];
    const result = makeRunResult({ resources, zones });
    const md = renderMarkdown(result);
    assert.match(md, /resources:/);
    assert.match(md, /stable < 10, failure > 20, set for this run/);
    assert.match(md, /server went away \(crash\), times\s+FAILURE/);
    const html = renderRunHtml(result);
    assert.match(html, /id="resources"/);
    assert.match(html, /stable 0, failure 1 or more/);
  });
});
