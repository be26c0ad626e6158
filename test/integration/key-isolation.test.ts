import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import type { RunResult } from "../../src/result/result-types.js";
import { runCli } from "../helpers/cli.js";
import { aclSetUser, commandStats, type ManagedRedis, scanCount, startRedis } from "../helpers/redis.js";
import { clusterCommandCalls, startCluster, type TestCluster, withNode } from "../helpers/redis-cluster.js";

/**
 * The run touches its own keys and nothing else, against a real redis-server that holds 100 keys of
 * "someone else" (victim:1 .. victim:100): templates and scripts that would write, rename or delete
 * them, or empty the server, are refused before any load or refused by the server itself (the
 * temporary ACL user); a prefix that already holds keys is refused; a user who may not run the
 * load's commands fails fast.
 */

const outDir = () => mkdtempSync(join(tmpdir(), "cachestress-iso-"));
const VICTIMS = 100;
const NARROW_PASSWORD = "narrow-iso-pw";
const PING_PASSWORD = "ping-only-pw";

/** Every victim key still there with its value. */
async function assertVictimsSurvive(url: string): Promise<void> {
  const values = await withNode(url, (c) =>
    c.mGet(Array.from({ length: VICTIMS }, (_, i) => `victim:${i + 1}`)),
  );
  assert.deepEqual(
    values,
    Array.from({ length: VICTIMS }, (_, i) => `value-${i + 1}`),
  );
}

function run(url: string | undefined, extra: string[], env?: Record<string, string>) {
  return runCli(
    [
      "run",
      ...(url !== undefined ? ["--url", url] : []),
      "--requests",
      "300",
      "-c",
      "2",
      "--out",
      outDir(),
      ...extra,
    ],
    { env, timeoutMs: 60_000 },
  );
}

/** A run whose every operation the server refuses (a script's key outside the prefix); its result. */
async function runRefusedByServer(url: string | undefined, template: string): Promise<RunResult> {
  const result = await run(url, ["--command", `${template}:1`, "--json"]);
  // Whether a run of errors only passes is the thresholds' business: 0 or 1, never "could not run".
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  const report = JSON.parse(result.stdout) as RunResult;
  assert.equal(report.keyIsolation?.enforcement, "acl-user");
  assert.equal(report.totals.ops, 300);
  assert.equal(report.totals.errors, 300);
  return report;
}

describe("key isolation against a real redis-server holding other data", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
    await aclSetUser(redis.url, "narrow", "on", `>${NARROW_PASSWORD}`, "~*", "+@all", "-@dangerous");
    await aclSetUser(redis.url, "pingonly", "on", `>${PING_PASSWORD}`, "~*", "-@all", "+ping");
  });
  after(async () => {
    await redis.stop();
  });
  beforeEach(async () => {
    await withNode(redis.url, async (c) => {
      for (let i = 1; i <= VICTIMS; i++) await c.set(`victim:${i}`, `value-${i}`);
    });
  });

  const escaping = [
    "EVAL return(redis.call('FLUSHALL')) 0",
    "EVAL return(redis.call('DEL','victim:1')) 0",
    "SINTERSTORE victim:1 {key}",
    "SORT {key} STORE victim:1",
    "GEOSEARCHSTORE victim:1 {key} FROMLONLAT 0 0 BYRADIUS 1 km",
    "BITOP AND victim:1 {key}",
    "MSET {key} v victim:1 v",
    "RENAME {key} victim:1",
    "COPY {key} victim:1 REPLACE",
    // Not in the tool's own table: the server's COMMAND GETKEYS finds the STORE key.
    "GEORADIUS {key} 0 0 1 km STORE victim:1",
  ];
  for (const template of escaping)
    it(`refused before any load (exit 2): ${template}`, async () => {
      const before = await commandStats(redis.url);
      const result = await run(redis.url, ["--command", `${template}:1`]);
      assert.equal(result.code, 2, result.stderr);
      assert.ok(result.stderr.includes(template.split(" ")[0]), result.stderr);
      await assertVictimsSurvive(redis.url);
      const after = await commandStats(redis.url);
      const name = template.split(" ")[0].toLowerCase();
      // Nothing of the template ever reached the server.
      assert.equal(after[name]?.calls ?? 0, before[name]?.calls ?? 0, name);
      assert.equal(after.flushall, undefined);
    });

  it("scripts: in a scenario file that FLUSHALL or DEL a key by name are refused (exit 2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cachestress-iso-file-"));
    const file = join(dir, "escape.yaml");
    writeFileSync(
      file,
      [
        "name: escape",
        "requests: 300",
        "connections: 2",
        "scripts:",
        `  wipe: "return redis.call('FLUSHALL')"`,
        `  steal: "return redis.call('DEL', 'victim:2')"`,
        "commands:",
        `  - { cmd: "EVALSHA {script:wipe} 0", weight: 1 }`,
        `  - { cmd: "EVALSHA {script:steal} 0", weight: 1 }`,
      ].join("\n"),
    );
    const result = await runCli(["run", file, "--url", redis.url, "--out", outDir()]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /scripts\.wipe.*FLUSHALL/);
    assert.match(result.stderr, /scripts\.steal.*victim:2/);
    await assertVictimsSurvive(redis.url);
  });

  it("the server enforces it: a script taking its key from ARGV runs as the ACL user and every call is refused", async () => {
    await runRefusedByServer(redis.url, "EVAL return(redis.call('DEL',ARGV[1])) 0 victim:1");
    await assertVictimsSurvive(redis.url);
    assert.deepEqual(await withNode(redis.url, (c) => c.sendCommand(["ACL", "USERS"])), [
      "default",
      "narrow",
      "pingonly",
    ]);
  });

  it("--url with the default user: the load runs as a temporary ACL user, deleted at the end; counts exact", async () => {
    const before = await commandStats(redis.url);
    const result = await run(redis.url, ["-c", "3", "--json"]);
    const after = await commandStats(redis.url);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as RunResult;
    assert.equal(report.keyIsolation?.enforcement, "acl-user");
    assert.equal(report.keyIsolation?.loadUser?.removed, true);
    assert.equal(report.keyIsolation?.permissionCheck, "acl-dryrun");
    assert.equal(report.keyIsolation?.prefixKeysBefore, 0);
    assert.equal(report.countCheck.ok, true, report.countCheck.note);
    const delta = (name: string) => (after[name]?.calls ?? 0) - (before[name]?.calls ?? 0);
    assert.equal(delta("acl|setuser"), 1);
    assert.equal(delta("acl|deluser"), 1);
    // The admin connection sends no AUTH (default user, no password); each load connection one.
    assert.equal(delta("auth"), 3);
    assert.match(
      result.stderr,
      /cachestress cleanup --url redis:\/\/127\.0\.0\.1:\d+ --prefix cachestress:[0-9a-f]{8}:/,
    );
    assert.deepEqual(await withNode(redis.url, (c) => c.sendCommand(["ACL", "USERS"])), [
      "default",
      "narrow",
      "pingonly",
    ]);
    await assertVictimsSurvive(redis.url);
  });

  for (const prefix of ["victim:", "victim", "vic"])
    it(`a prefix that already holds keys is refused (exit 2): --prefix ${prefix}`, async () => {
      const result = await run(redis.url, ["--prefix", prefix]);
      assert.equal(result.code, 2, result.stderr);
      assert.ok(result.stderr.includes(`${VICTIMS} keys already exist under ${prefix}`), result.stderr);
      await assertVictimsSurvive(redis.url);
    });

  it("--reuse-prefix runs on a prefix that holds keys, and says how many there were", async () => {
    const prefix = `reuse:${process.pid}:`;
    await withNode(redis.url, async (c) => {
      for (let i = 0; i < 5; i++) await c.set(`${prefix}earlier-${i}`, "x");
    });
    const result = await run(redis.url, ["--prefix", prefix, "--reuse-prefix", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as RunResult;
    assert.equal(report.keyIsolation?.prefixKeysBefore, 5);
    assert.equal(report.keyIsolation?.prefixReused, true);
    assert.equal(await scanCount(redis.url, `${prefix}*`), 0);
    await assertVictimsSurvive(redis.url);
  });

  it("a user that may not create ACL users: unproven keys are refused unless --allow-unchecked-keys", async () => {
    const url = `redis://narrow:${NARROW_PASSWORD}@127.0.0.1:${redis.port}`;
    const refused = await run(url, ["--command", "EVAL return(redis.call('DEL',ARGV[1])) 0 victim:1:1"]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--allow-unchecked-keys/);
    await assertVictimsSurvive(redis.url);

    const allowed = await run(url, [
      "--command",
      "EVAL return(redis.call('EXISTS',ARGV[1])) 0 {prefix}x:1",
      "--allow-unchecked-keys",
      "--json",
    ]);
    assert.equal(allowed.code, 0, allowed.stderr);
    const report = JSON.parse(allowed.stdout) as RunResult;
    assert.equal(report.keyIsolation?.enforcement, "unchecked");
    assert.equal(report.keyIsolation?.loadUser, undefined);
    // This user may not ACL DRYRUN (@admin): its permissions were checked with MULTI ... DISCARD.
    assert.equal(report.keyIsolation?.permissionCheck, "multi");
    assert.ok(report.warnings.some((w) => w.startsWith("--allow-unchecked-keys")));
    assert.doesNotMatch(allowed.stdout + allowed.stderr, new RegExp(NARROW_PASSWORD));
  });

  it("a user allowed only PING fails before the load with exit 3 and the cause in one line", async () => {
    const before = await commandStats(redis.url);
    const result = await run(`redis://pingonly:${PING_PASSWORD}@127.0.0.1:${redis.port}`, []);
    const after = await commandStats(redis.url);
    assert.equal(result.code, 3, result.stderr);
    assert.match(
      result.stderr,
      /may not run what the load sends: SET .*no permissions to run the 'set' command/,
    );
    // One SET and one GET tried as a probe, both refused; no load.
    assert.ok((after.set?.calls ?? 0) === (before.set?.calls ?? 0));
    await assertVictimsSurvive(redis.url);
  });
});

describe("key isolation on a redis-server the tool starts itself", () => {
  it("the load runs as the temporary ACL user from the server's start; it is deleted at the end", async () => {
    // Every SET outside the prefix is refused by the server: the load ran as the limited user.
    const report = await runRefusedByServer(
      undefined,
      "EVAL return(redis.call('SET',ARGV[1],'x')) 0 elsewhere:{rand}",
    );
    assert.equal(report.keyIsolation?.loadUser?.removed, true);
  });
});

describe("key isolation on a Redis Cluster: every node", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster(3, 1);
  });
  after(async () => {
    await cluster.stop();
  });

  it("keys under the prefix on any primary are found; the ACL user is made and removed on all six nodes", async () => {
    // 200 keys spread over the three primaries by their slots.
    for (const node of cluster.nodes)
      await withNode(node.url, async (c) => {
        const role = String(await c.sendCommand(["ROLE"]).then((r) => (r as unknown as unknown[])[0]));
        if (role !== "master") return;
        for (let i = 0; i < 200; i++) {
          // Each primary refuses (MOVED) the keys of the others: every key lands once, on its owner.
          await c.set(`taken:${i}`, "x").catch(() => undefined);
        }
      });
    const taken = await run(cluster.url, ["--prefix", "taken:"]);
    assert.equal(taken.code, 2, taken.stderr);
    assert.match(taken.stderr, /200 keys already exist under taken:/);

    const setusersBefore = await clusterCommandCalls(cluster.nodes, "acl|setuser");
    const ok = await run(cluster.url, ["--json"]);
    assert.equal(ok.code, 0, ok.stderr);
    const report = JSON.parse(ok.stdout) as RunResult;
    assert.equal(report.keyIsolation?.enforcement, "acl-user");
    assert.equal(report.keyIsolation?.loadUser?.nodes, 6);
    assert.equal(report.keyIsolation?.loadUser?.removed, true);
    assert.equal(report.totals.errors, 0);
    assert.equal((await clusterCommandCalls(cluster.nodes, "acl|setuser")) - setusersBefore, 6);
    for (const node of cluster.nodes)
      assert.deepEqual(await withNode(node.url, (c) => c.sendCommand(["ACL", "USERS"])), ["default"]);
  });
});
