import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorReply } from "@redis/client";
import type { AuditProfile, Severity } from "../../../src/checks/audit-rules.js";
import {
  bindIsLoopbackOnly,
  formatMemory,
  normaliseSettingValue,
  parseMemoryBytes,
  parseOutputBufferLimits,
} from "../../../src/checks/audit-values.js";
import { type AuditInput, auditConfig } from "../../../src/checks/config-audit.js";
import { parseDefaultUserNopass, parsePairs, readAuditInput } from "../../../src/checks/read-audit-input.js";
import { renderAuditTable } from "../../../src/checks/render-audit.js";

/** A redis-server 7 with its defaults, as CONFIG GET * reports them (the settings the audit reads). */
const DEFAULTS: Record<string, string> = {
  maxmemory: "0",
  "maxmemory-policy": "noeviction",
  appendonly: "no",
  appendfsync: "everysec",
  save: "3600 1 300 100 60 10000",
  timeout: "0",
  "tcp-keepalive": "300",
  "tcp-backlog": "511",
  "protected-mode": "yes",
  requirepass: "",
  "latency-monitor-threshold": "0",
  "slowlog-log-slower-than": "10000",
  "slowlog-max-len": "128",
  "client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
  maxclients: "10000",
  bind: "127.0.0.1 -::1",
};

function input(config: Record<string, string>, more: Partial<AuditInput> = {}): AuditInput {
  return {
    config: { ...DEFAULTS, ...config },
    info: { redis_version: "7.0.15", total_system_memory: String(16 * 1024 ** 3), connected_clients: "3" },
    aclDefaultNopass: false,
    somaxconn: 4096,
    unavailable: [],
    ...more,
  };
}

/** The finding for one setting: its severity, or "ok". */
function verdict(
  setting: string,
  profile: AuditProfile,
  config: Record<string, string>,
  more?: Partial<AuditInput>,
) {
  const f = auditConfig(input(config, more), profile).findings.find((x) => x.setting === setting);
  assert.ok(f, `no finding for ${setting}`);
  return f.ok ? "ok" : f.severity;
}

const RULE_TABLE: [string, AuditProfile, Record<string, string>, Severity | "ok", Partial<AuditInput>?][] = [
  ["maxmemory", "cache", { maxmemory: "0" }, "high"],
  ["maxmemory", "buffer", { maxmemory: "0" }, "high"],
  ["maxmemory", "session", { maxmemory: "0" }, "high"],
  ["maxmemory", "cache", { maxmemory: "1073741824" }, "ok"],
  ["maxmemory", "cache", { maxmemory: String(32 * 1024 ** 3) }, "medium"], // above the 16 GB host
  ["maxmemory", "cache", { maxmemory: String(15.5 * 1024 ** 3) }, "low"], // no headroom
  ["maxmemory-policy", "cache", { "maxmemory-policy": "noeviction" }, "high"],
  ["maxmemory-policy", "cache", { "maxmemory-policy": "allkeys-lru" }, "ok"],
  ["maxmemory-policy", "cache", { "maxmemory-policy": "allkeys-lfu" }, "ok"],
  ["maxmemory-policy", "cache", { "maxmemory-policy": "volatile-lru" }, "medium"],
  ["maxmemory-policy", "cache", { "maxmemory-policy": "allkeys-random" }, "low"],
  ["maxmemory-policy", "buffer", { "maxmemory-policy": "noeviction" }, "ok"],
  ["maxmemory-policy", "buffer", { "maxmemory-policy": "allkeys-lru" }, "high"],
  ["maxmemory-policy", "buffer", { "maxmemory-policy": "volatile-ttl" }, "high"],
  ["maxmemory-policy", "session", { "maxmemory-policy": "allkeys-lru" }, "medium"],
  ["maxmemory-policy", "session", { "maxmemory-policy": "volatile-lru" }, "ok"],
  ["maxmemory-policy", "session", { "maxmemory-policy": "volatile-ttl" }, "ok"],
  ["maxmemory-policy", "session", { "maxmemory-policy": "noeviction" }, "medium"],
  ["appendonly", "buffer", { appendonly: "no" }, "high"],
  ["appendonly", "buffer", { appendonly: "yes" }, "ok"],
  ["appendonly", "cache", { appendonly: "yes" }, "low"],
  ["appendonly", "session", { appendonly: "no" }, "ok"],
  ["appendfsync", "buffer", { appendonly: "yes", appendfsync: "no" }, "medium"],
  ["appendfsync", "buffer", { appendonly: "yes", appendfsync: "always" }, "low"],
  ["appendfsync", "buffer", { appendonly: "no", appendfsync: "no" }, "ok"], // unused without the AOF
  ["appendfsync", "session", { appendonly: "yes", appendfsync: "no" }, "low"],
  ["save", "cache", { save: "3600 1 300 100 60 10000" }, "low"],
  ["save", "cache", { save: "" }, "ok"],
  ["save", "cache", { save: "3600 1" }, "ok"],
  ["save", "buffer", { save: "", appendonly: "no" }, "high"],
  ["save", "buffer", { save: "", appendonly: "yes" }, "low"],
  ["save", "session", { save: "", appendonly: "no" }, "medium"],
  ["save", "session", { save: "", appendonly: "yes" }, "ok"],
  ["timeout", "cache", { timeout: "0" }, "ok"],
  ["timeout", "cache", { timeout: "60" }, "low"],
  ["tcp-keepalive", "cache", { "tcp-keepalive": "0" }, "medium"],
  ["tcp-keepalive", "cache", { "tcp-keepalive": "600" }, "low"],
  ["tcp-backlog", "cache", { "tcp-backlog": "511" }, "ok"],
  ["tcp-backlog", "cache", { "tcp-backlog": "8192" }, "low"],
  ["tcp-backlog", "cache", { "tcp-backlog": "8192" }, "ok", { somaxconn: undefined }],
  ["protected-mode", "cache", { "protected-mode": "no" }, "medium", { aclDefaultNopass: true }],
  ["protected-mode", "cache", { "protected-mode": "no" }, "ok", { aclDefaultNopass: false }],
  ["default-user", "cache", {}, "medium", { aclDefaultNopass: true }],
  ["default-user", "cache", { bind: "0.0.0.0" }, "high", { aclDefaultNopass: true }],
  ["default-user", "cache", { bind: "* -::*" }, "high", { aclDefaultNopass: true }],
  ["default-user", "session", { bind: "10.0.0.5" }, "ok", { aclDefaultNopass: false }],
  ["requirepass", "cache", { requirepass: "" }, "low", { aclDefaultNopass: true }],
  ["requirepass", "cache", { requirepass: "" }, "ok", { aclDefaultNopass: false }],
  ["requirepass", "cache", { requirepass: "s3cret" }, "ok", { aclDefaultNopass: false }],
  ["latency-monitor-threshold", "cache", { "latency-monitor-threshold": "0" }, "low"],
  ["latency-monitor-threshold", "buffer", { "latency-monitor-threshold": "100" }, "ok"],
  ["slowlog-log-slower-than", "cache", { "slowlog-log-slower-than": "10000" }, "ok"],
  ["slowlog-log-slower-than", "cache", { "slowlog-log-slower-than": "0" }, "low"],
  ["slowlog-log-slower-than", "cache", { "slowlog-log-slower-than": "-1" }, "low"],
  ["slowlog-log-slower-than", "cache", { "slowlog-log-slower-than": "50000" }, "low"],
  ["slowlog-max-len", "cache", { "slowlog-max-len": "16" }, "low"],
  ["client-output-buffer-limit", "cache", {}, "ok"],
  [
    "client-output-buffer-limit",
    "cache",
    { "client-output-buffer-limit": "normal 0 0 0 slave 0 0 0 pubsub 0 0 0" },
    "medium",
  ],
  ["maxclients", "cache", { maxclients: "10000" }, "ok"],
  ["maxclients", "cache", { maxclients: "3" }, "medium"], // 3 connected of 3
];

for (const [setting, profile, config, expected, more] of RULE_TABLE) {
  test(`${profile}: ${setting} ${JSON.stringify(Object.values(config).join(" "))}${more ? ` ${JSON.stringify(more)}` : ""} → ${expected}`, () => {
    assert.equal(verdict(setting, profile, config, more), expected);
  });
}

test("memory sizes use Redis' units: k/m/g are powers of 1000, kb/mb/gb powers of 1024", () => {
  const table: [string, number | undefined][] = [
    ["0", 0],
    ["100", 100],
    ["1k", 1000],
    ["1kb", 1024],
    ["64mb", 64 * 1024 ** 2],
    ["64MB", 64 * 1024 ** 2],
    ["2m", 2_000_000],
    ["2gb", 2147483648],
    ["1g", 1e9],
    ["10b", 10],
    ["2 gb", 2147483648],
    ["lots", undefined],
    ["1.5gb", undefined],
    ["2tb", undefined],
  ];
  for (const [text, bytes] of table) assert.equal(parseMemoryBytes(text), bytes, text);
  assert.equal(formatMemory(67108864), "64mb");
  assert.equal(formatMemory(2147483648), "2gb");
  assert.equal(formatMemory(1500), "1500b");
  assert.equal(normaliseSettingValue("2gb"), normaliseSettingValue("2147483648"));
  assert.equal(normaliseSettingValue("ALLKEYS-LRU"), "allkeys-lru");
  assert.equal(normaliseSettingValue(" 3600 1  300 100 "), "3600 1 300 100");
});

test("expectations compare normalised values and name what failed", () => {
  const report = auditConfig(input({ maxmemory: "67108864", "maxmemory-policy": "allkeys-lru" }), "cache", [
    { setting: "maxmemory", value: "64mb" },
    { setting: "maxmemory-policy", value: "ALLKEYS-LRU" },
    { setting: "maxmemory", value: "2gb" },
    { setting: "maxmemry", value: "1gb" },
    { setting: "save", value: "" },
  ]);
  assert.deepEqual(
    report.expectations.map((e) => [e.setting, e.expected, e.actual, e.ok]),
    [
      ["maxmemory", "64mb", "67108864", true],
      ["maxmemory-policy", "ALLKEYS-LRU", "allkeys-lru", true],
      ["maxmemory", "2gb", "67108864", false],
      ["maxmemry", "1gb", undefined, false],
      ["save", "", "3600 1 300 100 60 10000", false],
    ],
  );
  assert.match(report.expectations[3].note ?? "", /no setting named maxmemry \(did you mean maxmemory\?\)/);
  assert.equal(report.ok, false);
});

test("the verdict: no high finding and every expectation holding is a pass", () => {
  const good = { maxmemory: "64mb", "maxmemory-policy": "allkeys-lru", "latency-monitor-threshold": "100" };
  assert.equal(auditConfig(input(good), "cache").ok, true);
  assert.equal(auditConfig(input(good), "cache", [{ setting: "maxmemory", value: "64mb" }]).ok, true);
  assert.equal(auditConfig(input(good), "cache", [{ setting: "maxmemory", value: "65mb" }]).ok, false);
  assert.equal(auditConfig(input({}), "cache").ok, false);
  // Medium and low findings are advice: a cache on loopback with a password-less default user still passes.
  assert.equal(auditConfig(input(good, { aclDefaultNopass: true }), "cache").ok, true);
  assert.equal(auditConfig(input(good), "buffer").ok, false);
});

test("with CONFIG blocked, INFO fills in what it can and couldNotRead names the rest", () => {
  const report = auditConfig(
    {
      config: {},
      info: {
        maxmemory: "0",
        maxmemory_policy: "noeviction",
        aof_enabled: "0",
        maxclients: "65000",
        connected_clients: "2",
      },
      unavailable: ["CONFIG GET", "ACL GETUSER"],
      unavailableReasons: { "CONFIG GET": "ERR unknown command 'CONFIG'" },
      targetHost: "my-cache.abc.use1.cache.amazonaws.com",
    },
    "cache",
  );
  const bySetting = Object.fromEntries(report.findings.map((f) => [f.setting, f]));
  assert.equal(bySetting.maxmemory.value, "0");
  assert.equal(bySetting.maxmemory.source, "info");
  assert.equal(bySetting.maxmemory.severity, "high");
  assert.equal(bySetting["maxmemory-policy"].severity, "high");
  assert.equal(bySetting.appendonly.value, "no");
  assert.equal(bySetting.save.value, undefined);
  assert.equal(bySetting.save.ok, false);
  assert.equal(bySetting["default-user"].value, undefined);
  assert.equal(report.couldNotRead.length, 3);
  assert.match(
    report.couldNotRead[0],
    /^CONFIG GET is not available on this target \(ERR unknown command 'CONFIG'\)/,
  );
  assert.match(report.couldNotRead[0], /ElastiCache/);
  assert.match(
    report.couldNotRead[0],
    /appendfsync, save, timeout, tcp-keepalive, tcp-backlog, protected-mode, requirepass/,
  );
  assert.doesNotMatch(report.couldNotRead[0], /: maxmemory,/);
  assert.match(
    report.couldNotRead[0],
    /maxmemory, maxmemory-policy, appendonly, maxclients were read from INFO instead/,
  );
  assert.match(report.couldNotRead[1], /^ACL GETUSER default is not available/);
  assert.match(
    report.couldNotRead[2],
    /^vm.overcommit_memory, transparent_hugepage could not be read \(the server is not on this host\)/,
  );
  assert.equal(report.ok, false);
});

test("OS rows: vm.overcommit_memory and transparent huge pages of a server on this host", () => {
  const row = (
    more: Partial<AuditInput>,
    profile: "cache" | "buffer",
    config: Record<string, string> = {},
  ) => {
    const report = auditConfig(input(config, more), profile);
    return Object.fromEntries(report.findings.map((f) => [f.setting, f]));
  };
  const good = row({ hostKernel: { overcommitMemory: "1", transparentHugepage: "never" } }, "buffer");
  assert.equal(good["vm.overcommit_memory"].ok, true);
  assert.equal(good["vm.overcommit_memory"].source, "host");
  assert.equal(good.transparent_hugepage.ok, true);
  const bad = row({ hostKernel: { overcommitMemory: "0", transparentHugepage: "always" } }, "buffer", {
    "disable-thp": "no",
  });
  assert.equal(bad["vm.overcommit_memory"].severity, "medium");
  assert.match(bad["vm.overcommit_memory"].why, /BGSAVE/);
  assert.equal(bad.transparent_hugepage.severity, "medium");
  // A cache without persistence never forks for it: low.
  const cache = row({ hostKernel: { overcommitMemory: "2" } }, "cache", { save: "", appendonly: "no" });
  assert.equal(cache["vm.overcommit_memory"].severity, "low");
  // The server opts out of THP itself.
  const optOut = row({ hostKernel: { transparentHugepage: "always" } }, "cache", { "disable-thp": "yes" });
  assert.equal(optOut.transparent_hugepage.ok, true);
  assert.match(optOut.transparent_hugepage.why, /disable-thp/);
});

test("an empty config and INFO: every row unreadable, nothing high, couldNotRead says so", () => {
  const report = auditConfig({ config: {}, info: {}, unavailable: [] }, "buffer");
  assert.ok(report.findings.every((f) => f.value === undefined && !f.ok && f.severity === "info"));
  assert.match(report.couldNotRead[0], /^CONFIG GET did not report maxmemory, maxmemory-policy/);
  assert.equal(report.ok, true);
});

test("passwords are never shown, in findings or expectations", () => {
  const report = auditConfig(input({ requirepass: "hunter2" }), "cache", [
    { setting: "requirepass", value: "hunter2" },
  ]);
  assert.equal(report.expectations[0].ok, true);
  const text = `${JSON.stringify(report)}\n${renderAuditTable(report)}`;
  assert.doesNotMatch(text, /hunter2/);
  assert.match(text, /\*\*\*/);
});

test("value parsers: bind, output buffer limits, CONFIG GET and ACL GETUSER replies", () => {
  assert.equal(bindIsLoopbackOnly("127.0.0.1 -::1"), true);
  assert.equal(bindIsLoopbackOnly("localhost"), true);
  assert.equal(bindIsLoopbackOnly("127.0.0.1 10.0.0.1"), false);
  assert.equal(bindIsLoopbackOnly("* -::*"), false);
  assert.equal(bindIsLoopbackOnly(""), false);
  assert.deepEqual(parseOutputBufferLimits("normal 0 0 0 slave 268435456 67108864 60").replica, {
    hardBytes: 268435456,
    softBytes: 67108864,
    softSeconds: 60,
  });
  assert.deepEqual(parsePairs(["maxmemory", "0", "save", ""]), { maxmemory: "0", save: "" });
  assert.deepEqual(parsePairs(new Map([["maxmemory", "0"]])), { maxmemory: "0" });
  assert.equal(parseDefaultUserNopass(["flags", ["on", "nopass"], "passwords", []]), true);
  assert.equal(parseDefaultUserNopass(["flags", ["off", "nopass"], "passwords", []]), false);
  assert.equal(parseDefaultUserNopass({ flags: ["on"], passwords: ["abc"] }), false);
});

test("readAuditInput records refused commands and goes on; a connection that never authenticated is nopass", async () => {
  const client = {
    async sendCommand(args: string[]): Promise<unknown> {
      if (args[0] === "INFO") return "# Memory\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n";
      throw new ErrorReply(`ERR unknown command '${args[0]}'`);
    },
  };
  const read = await readAuditInput(client, {
    host: "127.0.0.1",
    authenticated: false,
    readSomaxconn: () => 128,
  });
  assert.deepEqual(read.config, {});
  assert.deepEqual(read.info, { maxmemory: "0", maxmemory_policy: "noeviction" });
  assert.deepEqual(read.unavailable, ["CONFIG GET", "ACL GETUSER"]);
  assert.equal(read.aclDefaultNopass, true);
  assert.equal(read.somaxconn, 128);
  assert.equal(typeof read.hostKernel, "object");
  const remote = await readAuditInput(client, {
    host: "10.1.2.3",
    authenticated: true,
    readSomaxconn: () => 128,
  });
  assert.equal(remote.aclDefaultNopass, undefined);
  assert.equal(remote.somaxconn, undefined);
  assert.equal(remote.hostKernel, undefined);
  const broken = { sendCommand: async () => Promise.reject(new Error("Socket closed unexpectedly")) };
  await assert.rejects(readAuditInput(broken, { host: "127.0.0.1", authenticated: false }), /Socket closed/);
});

test("the table: one row per setting, expectations, could-not-read lines and a verdict", () => {
  const report = auditConfig(input({}), "cache", [{ setting: "maxmemory", value: "2gb" }]);
  const text = renderAuditTable(report);
  assert.match(text, /^setting +value +recommended +severity +ok +why$/m);
  assert.match(text, /^maxmemory +0 +set, with headroom.* +high +✗ +no memory limit/m);
  assert.match(
    text,
    /^maxmemory-policy +noeviction +allkeys-lru.* +high +✗ +writes fail with OOM when the cache is full$/m,
  );
  assert.match(text, /^ {2}maxmemory +expected 2gb +actual 0 +✗$/m);
  assert.match(
    text,
    /^audit FAILED for profile cache \(high: maxmemory, maxmemory-policy; expectation failed: maxmemory=2gb\)/m,
  );
  const good = auditConfig(input({ maxmemory: "64mb", "maxmemory-policy": "allkeys-lru" }), "cache");
  assert.match(renderAuditTable(good), /^audit passed for profile cache: 0 high, /m);
});
