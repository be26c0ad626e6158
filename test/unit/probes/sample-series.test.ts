import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { counterIncrease, summarizeServer } from "../../../src/probes/sample-series.js";
import type { ServerSample } from "../../../src/probes/types.js";

const T0_MS = 1_795_604_000_000;
const T0_S = T0_MS / 1000;

/** A sample `i` seconds into the run with the given fields. */
const at = (i: number, fields: Partial<ServerSample> = {}): ServerSample => ({
  tS: i,
  atMs: T0_MS + i * 1000,
  ...fields,
});

describe("counterIncrease", () => {
  const cases: { name: string; totals: number[]; expected: number }[] = [
    { name: "no samples", totals: [], expected: 0 },
    { name: "one sample", totals: [40], expected: 0 },
    { name: "steady growth", totals: [10, 15, 15, 30], expected: 20 },
    {
      name: "restart in the middle: the value after the drop counts from 0",
      totals: [100, 120, 5, 9],
      expected: 29,
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(counterIncrease(c.totals), c.expected));
});

describe("summarizeServer", () => {
  it("summarizes a plausible run", () => {
    const samples: ServerSample[] = [
      at(0, {
        usedMemoryBytes: 1_000_000,
        maxmemoryBytes: 10_000_000,
        memoryUsedPercent: 10,
        keyspaceHitsTotal: 100,
        keyspaceMissesTotal: 100,
        evictedKeysTotal: 5,
        expiredKeysTotal: 0,
        rejectedConnectionsTotal: 1,
        connectedClients: 3,
        maxclients: 10000,
        memFragmentationRatio: 1.2,
        processRssBytes: 8_000_000,
        latencyEvents: { command: { latestMs: 300, maxMs: 300, atS: T0_S - 3600 } },
      }),
      at(1, {
        usedMemoryBytes: 6_000_000,
        maxmemoryBytes: 10_000_000,
        memoryUsedPercent: 60,
        keyspaceHitsTotal: 190,
        keyspaceMissesTotal: 110,
        evictedKeysTotal: 5,
        expiredKeysTotal: 2,
        rejectedConnectionsTotal: 1,
        connectedClients: 53,
        memFragmentationRatio: 1.05,
        processCpuPercent: 80,
        processRssBytes: 14_000_000,
        slowlog: [
          { id: 7, atS: T0_S + 1, durationUs: 12_000, command: "KEYS *" },
          { id: 8, atS: T0_S + 1, durationUs: 300, command: "SET a b" },
        ],
        latencyEvents: { command: { latestMs: 20, maxMs: 300, atS: T0_S + 1 } },
      }),
      // The server was down: only the time.
      at(2),
      at(3, {
        usedMemoryBytes: 4_000_000,
        maxmemoryBytes: 10_000_000,
        memoryUsedPercent: 40,
        keyspaceHitsTotal: 280,
        keyspaceMissesTotal: 120,
        evictedKeysTotal: 12,
        expiredKeysTotal: 2,
        rejectedConnectionsTotal: 4,
        connectedClients: 20,
        processCpuPercent: 40,
        processRssBytes: 12_000_000,
        slowlog: [{ id: 9, atS: T0_S + 3, durationUs: 50_000, command: "DEL big" }],
        latencyEvents: { command: { latestMs: 15, maxMs: 450, atS: T0_S + 3 } },
      }),
    ];
    assert.deepEqual(summarizeServer(samples), {
      infoSamples: 3,
      memoryUsedPercentMax: 60,
      maxmemoryBytes: 10_000_000,
      usedMemoryBytesStart: 1_000_000,
      usedMemoryBytesEnd: 4_000_000,
      usedMemoryBytesMax: 6_000_000,
      // 180 hits, 20 misses during the run; the 100/100 before it do not count.
      hitRatio: 0.9,
      evictedKeys: 7,
      expiredKeys: 2,
      rejectedConnections: 3,
      connectedClientsMax: 53,
      maxclients: 10000,
      processCpuPercentMax: 80,
      processCpuPercentMean: 60,
      processRssBytesMax: 14_000_000,
      fragmentationMax: 1.2,
      slowlogEntries: 3,
      slowlogSlowest: [
        { id: 9, atS: T0_S + 3, durationUs: 50_000, command: "DEL big" },
        { id: 7, atS: T0_S + 1, durationUs: 12_000, command: "KEYS *" },
        { id: 8, atS: T0_S + 1, durationUs: 300, command: "SET a b" },
      ],
      // The 300 ms spike an hour before the run is not the run's; the all-time max rising to 450 is.
      latencyEventsMax: { command: 450 },
    });
  });

  it("an empty series or one where the server never answered has nothing but zeros to count", () => {
    const expected = {
      infoSamples: 0,
      evictedKeys: 0,
      expiredKeys: 0,
      rejectedConnections: 0,
      slowlogEntries: 0,
      slowlogSlowest: [],
      latencyEventsMax: {},
    };
    assert.deepEqual(summarizeServer([]), expected);
    assert.deepEqual(summarizeServer([at(0), at(1), at(2)]), expected);
  });

  const hitRatioCases: { name: string; samples: ServerSample[]; expected: number | undefined }[] = [
    {
      name: "no lookups during the run",
      samples: [
        at(0, { keyspaceHitsTotal: 5, keyspaceMissesTotal: 5 }),
        at(1, { keyspaceHitsTotal: 5, keyspaceMissesTotal: 5 }),
      ],
      expected: undefined,
    },
    {
      name: "all misses",
      samples: [
        at(0, { keyspaceHitsTotal: 5, keyspaceMissesTotal: 5 }),
        at(1, { keyspaceHitsTotal: 5, keyspaceMissesTotal: 25 }),
      ],
      expected: 0,
    },
    {
      name: "across a restart",
      samples: [
        at(0, { keyspaceHitsTotal: 50, keyspaceMissesTotal: 50 }),
        at(1, { keyspaceHitsTotal: 80, keyspaceMissesTotal: 60 }),
        at(2, { keyspaceHitsTotal: 10, keyspaceMissesTotal: 0 }),
      ],
      expected: 40 / 50,
    },
    {
      name: "a single sample has no interval",
      samples: [at(0, { keyspaceHitsTotal: 50, keyspaceMissesTotal: 50 })],
      expected: undefined,
    },
  ];
  for (const c of hitRatioCases) {
    it(`hit ratio: ${c.name}`, () => assert.equal(summarizeServer(c.samples).hitRatio, c.expected));
  }

  it("keeps the five slowest SLOWLOG entries, slowest first, each once", () => {
    const entries = [5, 90, 40, 70, 10, 60, 20].map((ms, i) => ({
      id: i,
      atS: T0_S,
      durationUs: ms * 1000,
      command: `C${i}`,
    }));
    const summary = summarizeServer([
      at(0, { slowlog: entries.slice(0, 4) }),
      at(1, { slowlog: entries.slice(3) }),
    ]);
    assert.equal(summary.slowlogEntries, 7);
    assert.deepEqual(
      summary.slowlogSlowest.map((e) => e.durationUs / 1000),
      [90, 70, 60, 40, 20],
    );
  });

  it("a latency event first seen during the run counts by its spike time", () => {
    const summary = summarizeServer([
      at(0),
      at(1, { latencyEvents: { "fast-command": { latestMs: 12, maxMs: 12, atS: T0_S + 1 } } }),
      at(2, { latencyEvents: { "fast-command": { latestMs: 8, maxMs: 12, atS: T0_S + 2 } } }),
    ]);
    assert.deepEqual(summary.latencyEventsMax, { "fast-command": 12 });
  });
});
