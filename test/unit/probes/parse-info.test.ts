import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  parseInfoSections,
  parseLatencyLatestReply,
  parseSlowlogReply,
  sampleFromInfo,
} from "../../../src/probes/parse-info.js";
import type { ServerSample } from "../../../src/probes/types.js";
import { MASTER_INFO_EVERYTHING, REPLICA_INFO_REPLICATION } from "./info-fixture.js";

const master = parseInfoSections(MASTER_INFO_EVERYTHING);

/** The fixture with some fields replaced, as a later INFO of the same server would read. */
const withFields = (fields: Record<string, string>) => ({ ...master, ...fields });

describe("parseInfoSections", () => {
  const cases: { name: string; text: string; expected: Record<string, string> }[] = [
    {
      name: "wire format",
      text: "# Server\r\nredis_version:7.0.15\r\n\r\n# Clients\r\nconnected_clients:3\r\n",
      expected: { redis_version: "7.0.15", connected_clients: "3" },
    },
    {
      name: "redis-cli format",
      text: "# Server\nredis_version:7.0.15\n",
      expected: { redis_version: "7.0.15" },
    },
    {
      name: "only the first colon splits",
      text: "executable:/usr/bin/redis-server\r\nx:a:b\r\n",
      expected: { executable: "/usr/bin/redis-server", x: "a:b" },
    },
    { name: "empty reply", text: "", expected: {} },
    { name: "header and junk lines", text: "# Keyspace\r\nnot a field\r\n:novalue\r\n", expected: {} },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(parseInfoSections(c.text), c.expected));
  }

  it("reads every field of a real INFO everything", () => {
    assert.equal(master.redis_version, "7.0.15");
    assert.equal(master.db0, "keys=2,expires=1,avg_ttl=99950");
    assert.equal(master.cmdstat_get, "calls=4,usec=30,usec_per_call=7.50,rejected_calls=0,failed_calls=0");
    assert.equal(Object.keys(master).length, 209);
  });
});

describe("sampleFromInfo", () => {
  it("maps a real primary's INFO everything, with no previous sample", () => {
    const sample = sampleFromInfo(master, undefined, 0);
    assert.deepEqual(sample, {
      usedMemoryBytes: 1292832,
      usedMemoryRssBytes: 12615680,
      usedMemoryPeakBytes: 1292832,
      maxmemoryBytes: 0,
      memFragmentationRatio: 10.07,
      connectedClients: 1,
      blockedClients: 0,
      maxclients: 10000,
      rejectedConnectionsTotal: 0,
      instantaneousOpsPerSec: 2,
      keyspaceHitsTotal: 2,
      keyspaceMissesTotal: 2,
      evictedKeysTotal: 0,
      expiredKeysTotal: 0,
      netInputBytesTotal: 2010,
      netOutputBytesTotal: 10829,
      totalCommandsProcessed: 51,
      rdbLastBgsaveStatus: "ok",
      aofEnabled: false,
      aofLastWriteStatus: "ok",
      rdbLastSaveTimeS: 1795604124,
      role: "master",
      replicationLagS: 0,
      commandCalls: {
        DEBUG: 0,
        GET: 4,
        PSYNC: 1,
        "LATENCY|LATEST": 3,
        SET: 2,
        REPLCONF: 8,
        "SLOWLOG|GET": 3,
        EVAL: 1,
        "CONFIG|GET": 17,
        "CONFIG|SET": 2,
        INFO: 7,
        PING: 1,
      },
      errorCounts: { ERR: 2 },
    });
  });

  const previous = { tS: 0, atMs: 0, ...sampleFromInfo(master, undefined, 0) } as ServerSample;
  const rateCases: {
    name: string;
    fields: Record<string, string>;
    previous: ServerSample | undefined;
    intervalS: number;
    hitRatio: number | undefined;
    evictedKeysPerSec: number | undefined;
  }[] = [
    {
      name: "no previous sample: no interval to rate over",
      fields: {},
      previous: undefined,
      intervalS: 0,
      hitRatio: undefined,
      evictedKeysPerSec: undefined,
    },
    {
      name: "8 hits, 2 misses, 50 evictions in 2 s",
      fields: { keyspace_hits: "10", keyspace_misses: "4", evicted_keys: "50" },
      previous,
      intervalS: 2,
      hitRatio: 0.8,
      evictedKeysPerSec: 25,
    },
    {
      name: "no lookups in the interval",
      fields: {},
      previous,
      intervalS: 1,
      hitRatio: undefined,
      evictedKeysPerSec: 0,
    },
    {
      name: "only misses",
      fields: { keyspace_misses: "7" },
      previous,
      intervalS: 1,
      hitRatio: 0,
      evictedKeysPerSec: 0,
    },
    {
      name: "counters went back (restart)",
      fields: { keyspace_hits: "1", keyspace_misses: "0", evicted_keys: "0" },
      previous: { ...previous, evictedKeysTotal: 9 },
      intervalS: 1,
      hitRatio: undefined,
      evictedKeysPerSec: undefined,
    },
    {
      name: "previous sample without INFO (server was down)",
      fields: { keyspace_hits: "10" },
      previous: { tS: 0, atMs: 0 },
      intervalS: 1,
      hitRatio: undefined,
      evictedKeysPerSec: undefined,
    },
  ];
  for (const c of rateCases) {
    it(`rates: ${c.name}`, () => {
      const sample = sampleFromInfo(withFields(c.fields), c.previous, c.intervalS);
      assert.equal(sample.hitRatio, c.hitRatio);
      assert.equal(sample.evictedKeysPerSec, c.evictedKeysPerSec);
    });
  }

  const memoryCases: { maxmemory: string; expected: number | undefined }[] = [
    { maxmemory: "0", expected: undefined },
    { maxmemory: "2585664", expected: 50 },
    { maxmemory: "1292832", expected: 100 },
  ];
  for (const c of memoryCases) {
    it(`memoryUsedPercent with maxmemory ${c.maxmemory}`, () => {
      assert.equal(
        sampleFromInfo(withFields({ maxmemory: c.maxmemory }), undefined, 0).memoryUsedPercent,
        c.expected,
      );
    });
  }

  const lagCases: { name: string; info: Record<string, string>; role: string; lagS: number | undefined }[] = [
    {
      name: "replica with the link up",
      info: parseInfoSections(REPLICA_INFO_REPLICATION),
      role: "slave",
      lagS: 0,
    },
    {
      name: "replica, link down for 12 s",
      info: {
        ...parseInfoSections(REPLICA_INFO_REPLICATION),
        master_link_status: "down",
        master_last_io_seconds_ago: "-1",
        master_link_down_since_seconds: "12",
      },
      role: "slave",
      lagS: 12,
    },
    {
      name: "primary with two replicas",
      info: {
        role: "master",
        slave0: "ip=10.0.0.2,port=6379,state=online,offset=14,lag=1",
        slave1: "ip=10.0.0.3,port=6379,state=online,offset=9,lag=4",
      },
      role: "master",
      lagS: 4,
    },
    {
      name: "primary without replicas",
      info: { role: "master", connected_slaves: "0" },
      role: "master",
      lagS: undefined,
    },
  ];
  for (const c of lagCases) {
    it(`replication: ${c.name}`, () => {
      const sample = sampleFromInfo(c.info, undefined, 0);
      assert.equal(sample.role, c.role);
      assert.equal(sample.replicationLagS, c.lagS);
    });
  }

  it("leaves out what the target did not report instead of writing 0", () => {
    // A plain INFO on a server older than 6.2: no commandstats, no errorstats, no maxclients.
    const sample = sampleFromInfo(
      { used_memory: "1000", connected_clients: "2", keyspace_hits: "5" },
      undefined,
      0,
    );
    assert.deepEqual(sample, { usedMemoryBytes: 1000, connectedClients: 2, keyspaceHitsTotal: 5 });
  });

  it("reports no errors as an empty map on servers with errorstats", () => {
    const sample = sampleFromInfo({ total_error_replies: "0" }, undefined, 0);
    assert.deepEqual(sample.errorCounts, {});
  });
});

describe("parseSlowlogReply", () => {
  // SLOWLOG GET as node-redis returns it over RESP2: newest first.
  const reply = [
    [31, 1795604133, 250, ["SET", "k", "v"], "127.0.0.1:57300", ""],
    [30, 1795604132, 40, ["INFO", "everything"], "127.0.0.1:57290", "cachestress-probe"],
    [
      29,
      1795604132,
      71567,
      ["eval", "local i=0 while i<3000000 do i=i+1 end return i", "0"],
      "127.0.0.1:57264",
      "",
    ],
  ];
  const cases: { name: string; lastSeenId: number; ids: number[]; newestId: number }[] = [
    { name: "all new, oldest first, own entries left out", lastSeenId: -1, ids: [29, 31], newestId: 31 },
    { name: "only entries after the last one seen", lastSeenId: 30, ids: [31], newestId: 31 },
    { name: "nothing new", lastSeenId: 31, ids: [], newestId: 31 },
    {
      name: "ids restarted below the last seen (server restart)",
      lastSeenId: 500,
      ids: [29, 31],
      newestId: 31,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parsed = parseSlowlogReply(reply, c.lastSeenId, "cachestress-probe");
      assert.deepEqual(
        parsed.entries.map((e) => e.id),
        c.ids,
      );
      assert.equal(parsed.newestId, c.newestId);
    });
  }

  it("keeps time, duration and the command text", () => {
    const [first] = parseSlowlogReply(reply, 28).entries;
    assert.deepEqual(first, {
      id: 29,
      atS: 1795604132,
      durationUs: 71567,
      command: "eval local i=0 while i<3000000 do i=i+1 end return i 0",
    });
  });

  it("an empty or odd reply changes nothing", () => {
    assert.deepEqual(parseSlowlogReply([], 7), { entries: [], newestId: 7 });
    assert.deepEqual(parseSlowlogReply("OK", 7), { entries: [], newestId: 7 });
  });
});

describe("parseLatencyLatestReply", () => {
  const cases: { name: string; reply: unknown; expected: ReturnType<typeof parseLatencyLatestReply> }[] = [
    { name: "nothing recorded", reply: [], expected: undefined },
    {
      name: "one event (Redis 7.0)",
      reply: [["command", 1795604132, 71, 71]],
      expected: { command: { latestMs: 71, maxMs: 71, atS: 1795604132 } },
    },
    {
      name: "extra columns are ignored",
      reply: [
        ["fast-command", 1795604140, 3, 12, 40, 9],
        ["expire-cycle", 1795604100, 2, 2],
      ],
      expected: {
        "fast-command": { latestMs: 3, maxMs: 12, atS: 1795604140 },
        "expire-cycle": { latestMs: 2, maxMs: 2, atS: 1795604100 },
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(parseLatencyLatestReply(c.reply), c.expected));
  }
});
