import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  cpuPercentBetween,
  cpuTicksFromStat,
  findLocalPid,
  isLoopbackHost,
  readProcessStats,
  rssBytesFromStatus,
} from "../../../src/probes/proc-stats.js";

const onLinux = process.platform === "linux";

describe("cpuTicksFromStat", () => {
  // Field 14 (utime) = 120 and 15 (stime) = 30 in each line.
  const tail = "S 1 1 1 0 -1 4194560 500 0 0 0 120 30 0 0 20 0 4 0 100 7000000 2000 18446744073709551615";
  const cases: { name: string; text: string; expected: number | undefined }[] = [
    { name: "a plain name", text: `4242 (redis-server) ${tail}`, expected: 150 },
    { name: "a name with spaces and parentheses", text: `4242 (odd) name (x)) ${tail}`, expected: 150 },
    { name: "no closing parenthesis", text: "4242 redis-server S 1", expected: undefined },
    { name: "cut short", text: "4242 (redis-server) S 1 1", expected: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(cpuTicksFromStat(c.text), c.expected));
});

describe("rssBytesFromStatus", () => {
  const cases: { name: string; text: string; expected: number | undefined }[] = [
    {
      name: "VmRSS in kB",
      text: "Name:\tredis-server\nVmPeak:\t  99999 kB\nVmRSS:\t    2104 kB\nRssAnon:\t 1000 kB\n",
      expected: 2104 * 1024,
    },
    { name: "a zombie has no VmRSS", text: "Name:\tredis-server\nState:\tZ (zombie)\n", expected: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(rssBytesFromStatus(c.text), c.expected));
});

describe("cpuPercentBetween", () => {
  const cases: { name: string; ticks: [number, number]; elapsedMs: number; expected: number | undefined }[] =
    [
      { name: "half a core for a second", ticks: [1000, 1050], elapsedMs: 1000, expected: 50 },
      { name: "two threads busy for 2 s", ticks: [0, 400], elapsedMs: 2000, expected: 200 },
      { name: "idle", ticks: [7, 7], elapsedMs: 1000, expected: 0 },
      { name: "no time passed", ticks: [0, 10], elapsedMs: 0, expected: undefined },
      {
        name: "ticks went back: another process now",
        ticks: [500, 20],
        elapsedMs: 1000,
        expected: undefined,
      },
    ];
  for (const c of cases) {
    it(c.name, () => {
      const reading = (cpuTicks: number) => ({ cpuTicks, rssBytes: 0 });
      assert.equal(cpuPercentBetween(reading(c.ticks[0]), reading(c.ticks[1]), c.elapsedMs, 100), c.expected);
    });
  }
});

describe("local processes", () => {
  const hosts: [string, boolean][] = [
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["::1", true],
    ["10.0.0.5", false],
    ["cache.example.com", false],
  ];
  for (const [host, expected] of hosts)
    it(`isLoopbackHost(${host})`, () => assert.equal(isLoopbackHost(host), expected));

  it("reads this very process", { skip: !onLinux }, () => {
    const stats = readProcessStats(process.pid);
    assert.ok(stats !== undefined && stats.rssBytes > 1_000_000 && stats.cpuTicks >= 0);
  });

  it("a PID that does not exist reads as undefined", () => {
    assert.equal(readProcessStats(2 ** 30), undefined);
  });

  it("findLocalPid trusts only a Redis-like process on the port it was asked about", () => {
    // This test process is node, not a Redis server: its PID must not be taken.
    const info = { process_id: String(process.pid), tcp_port: "6379" };
    assert.equal(findLocalPid("127.0.0.1", 6379, info), undefined);
    assert.equal(findLocalPid("10.0.0.5", 6379, info), undefined);
    assert.equal(findLocalPid("127.0.0.1", 6379, {}), undefined);
  });
});
