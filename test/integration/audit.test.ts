import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import type { AuditReport } from "../../src/checks/config-audit.js";
import { freePort } from "../../src/core/managed-redis.js";
import { runCli } from "../helpers/cli.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";

/** `cachestress audit ... --json`: the exit code and the report it printed on stdout. */
async function audit(args: string[]) {
  const run = await runCli(["audit", ...args, "--json"], { timeoutMs: 30_000 });
  const report = run.stdout === "" ? undefined : (JSON.parse(run.stdout) as AuditReport);
  return { ...run, report };
}

function finding(report: AuditReport | undefined, setting: string) {
  const found = report?.findings.find((f) => f.setting === setting);
  assert.ok(found, `no ${setting} row in ${JSON.stringify(report)}`);
  return found;
}

const GOOD_CACHE = [
  "--maxmemory",
  "64mb",
  "--maxmemory-policy",
  "allkeys-lru",
  "--latency-monitor-threshold",
  "100",
];

describe("cachestress audit against real redis-servers", () => {
  const servers: ManagedRedis[] = [];
  let defaults: ManagedRedis;
  let goodCache: ManagedRedis;
  let goodBuffer: ManagedRedis;
  let configRenamed: ManagedRedis;
  let configRenamedGood: ManagedRedis;
  let withPassword: ManagedRedis;
  before(async () => {
    const start = async (args: string[]) => {
      const redis = await startRedis(args);
      servers.push(redis);
      return redis;
    };
    [defaults, goodCache, goodBuffer, configRenamed, configRenamedGood, withPassword] = await Promise.all([
      start([]),
      start(GOOD_CACHE),
      start(["--maxmemory", "64mb", "--maxmemory-policy", "noeviction", "--appendonly", "yes"]),
      start(["--rename-command", "CONFIG", ""]),
      start([...GOOD_CACHE, "--rename-command", "CONFIG", ""]),
      start(GOOD_CACHE),
    ]);
    // Set after start: the managed server's readiness probe is an unauthenticated PING.
    const client = createClient({ url: withPassword.url });
    await client.connect();
    await client.configSet("requirepass", "s3cret-pw");
    client.destroy();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("a server left at its defaults fails the cache profile on maxmemory and maxmemory-policy (exit 1)", async () => {
    const run = await audit(["--url", defaults.url, "--profile", "cache"]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(finding(run.report, "maxmemory").severity, "high");
    assert.equal(finding(run.report, "maxmemory").value, "0");
    assert.equal(finding(run.report, "maxmemory-policy").severity, "high");
    assert.equal(finding(run.report, "maxmemory-policy").value, "noeviction");
    assert.equal(finding(run.report, "latency-monitor-threshold").severity, "low");
    // A loopback-only server whose default user has no password: advice, not a failure.
    assert.equal(finding(run.report, "default-user").severity, "medium");
    assert.equal(run.report?.ok, false);
    assert.match(run.stderr, /^maxmemory +0 .* high +✗/m);
    assert.match(run.stderr, /audit FAILED for profile cache \(high: maxmemory, maxmemory-policy\)/);
  });

  it("a server configured for a cache passes (exit 0), and pinned expectations hold", async () => {
    const run = await audit([
      "--url",
      goodCache.url,
      "--expect",
      "maxmemory=64mb",
      "--expect",
      "maxmemory-policy=allkeys-lru",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.report?.ok, true);
    assert.equal(run.report?.profile, "cache");
    assert.equal(finding(run.report, "maxmemory").value, String(64 * 1024 * 1024));
    assert.ok(run.report?.findings.every((f) => f.ok || f.severity !== "high"));
    assert.deepEqual(
      run.report?.expectations.map((e) => [e.setting, e.ok]),
      [
        ["maxmemory", true],
        ["maxmemory-policy", true],
      ],
    );
    assert.match(run.stderr, /audit passed for profile cache: 0 high/);
    assert.equal(run.report?.target, goodCache.url);
  });

  it("an expectation the server does not meet fails the audit (exit 1) and is named", async () => {
    const run = await audit(["--url", goodCache.url, "--expect", "maxmemory=2gb"]);
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(run.report?.expectations, [
      { setting: "maxmemory", expected: "2gb", actual: "67108864", ok: false },
    ]);
    assert.match(run.stderr, /expectation failed: maxmemory=2gb/);
    assert.match(run.stderr, /^ +maxmemory +expected 2gb +actual 67108864 \(64mb\) +✗/m);
  });

  it("the buffer profile flags appendonly no and an evicting policy; a durable buffer passes", async () => {
    const bad = await audit(["--url", goodCache.url, "--profile", "buffer"]);
    assert.equal(bad.code, 1, bad.stderr);
    assert.equal(finding(bad.report, "appendonly").value, "no");
    assert.equal(finding(bad.report, "appendonly").severity, "high");
    assert.equal(finding(bad.report, "maxmemory-policy").severity, "high");
    assert.match(bad.stderr, /^appendonly +no +yes +high +✗/m);

    const good = await audit(["--url", goodBuffer.url, "--profile", "buffer"]);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(finding(good.report, "appendonly").ok, true);
    assert.equal(finding(good.report, "maxmemory-policy").ok, true);
    // The managed server keeps no RDB snapshots: advice to keep them beside the AOF.
    assert.equal(finding(good.report, "save").severity, "low");
  });

  it("with CONFIG renamed away it reads INFO instead, lists what it could not check, and does not crash", async () => {
    const bad = await audit(["--url", configRenamed.url, "--profile", "cache"]);
    assert.equal(bad.code, 1, bad.stderr);
    assert.equal(finding(bad.report, "maxmemory").source, "info");
    assert.equal(finding(bad.report, "maxmemory").severity, "high");
    assert.equal(finding(bad.report, "maxmemory-policy").severity, "high");
    assert.equal(finding(bad.report, "save").value, undefined);
    const couldNotRead = bad.report?.couldNotRead.join("\n") ?? "";
    assert.match(couldNotRead, /CONFIG GET is not available on this target \(ERR unknown command/);
    assert.match(couldNotRead, /appendfsync, save, timeout, tcp-keepalive, tcp-backlog, protected-mode/);
    assert.match(bad.stderr, /Could not check:\n {2}- CONFIG GET is not available/);
    assert.doesNotMatch(bad.stderr, /internal error|at .*\.js:\d+/);

    const good = await audit([
      "--url",
      configRenamedGood.url,
      "--expect",
      "maxmemory=64mb",
      "--expect",
      "save=",
    ]);
    assert.equal(good.code, 1, good.stderr);
    assert.deepEqual(
      good.report?.expectations.map((e) => [e.setting, e.ok, e.note]),
      [
        ["maxmemory", true, undefined],
        ["save", false, "CONFIG GET is not available on this target"],
      ],
    );
    const noExpectations = await audit(["--url", configRenamedGood.url]);
    assert.equal(noExpectations.code, 0, noExpectations.stderr);
    assert.ok((noExpectations.report?.couldNotRead.length ?? 0) > 0);
  });

  it("a password in the URL is used but never printed; without it the target is unreachable (exit 3)", async () => {
    const url = withPassword.url.replace("redis://", "redis://:s3cret-pw@");
    const run = await audit(["--url", url, "--expect", "requirepass=s3cret-pw"]);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout + run.stderr, /s3cret-pw/);
    assert.equal(finding(run.report, "requirepass").value, "***");
    assert.equal(finding(run.report, "default-user").value, "password or off");
    assert.equal(run.report?.expectations[0].ok, true);

    const noAuth = await audit(["--url", withPassword.url]);
    assert.equal(noAuth.code, 3, noAuth.stderr);
    assert.match(noAuth.stderr, /cannot reach 127\.0\.0\.1:\d+: .*NOAUTH/);
  });

  it("a port nobody listens on is unreachable: exit 3 with the cause", async () => {
    const run = await audit(["--url", `redis://127.0.0.1:${await freePort()}`]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /cannot reach 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    assert.equal(run.stdout, "");
  });

  it("bad flags are all listed at once (exit 2), before anything is contacted", async () => {
    const run = await runCli(["audit", "--profile", "foo", "--expect", "nope", "--url", "http://x"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /3 problems/);
    assert.match(run.stderr, /--profile: got "foo"; allowed: one of cache, buffer, session/);
    assert.match(run.stderr, /--expect: got "nope"; allowed: SETTING=VALUE/);
    assert.match(run.stderr, /--url: got "http:\/\/x"/);
    assert.equal(run.stdout, "");
  });

  it("--help prints the flags and exits 0", async () => {
    const run = await runCli(["audit", "--help"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /--profile KIND +cache\|buffer\|session/);
    assert.match(run.stdout, /--expect SETTING=VALUE/);
  });
});
