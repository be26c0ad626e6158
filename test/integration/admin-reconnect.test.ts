import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createClient } from "@redis/client";
import type { RunResult } from "../../src/result/result-types.js";
import { runCli } from "../helpers/cli.js";
import { type ManagedRedis, scanCount, startRedis } from "../helpers/redis.js";
import { waitForLoad } from "../helpers/wait-for-load.js";

const outDir = () => mkdtempSync(join(tmpdir(), "cachestress-reconnect-"));
const VICTIMS = 100;

/** Writes `victim:0..99` (keys that are not the run's) with a connection of the test's own. */
async function writeVictims(url: string): Promise<void> {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    for (let i = 0; i < VICTIMS; i++) await client.set(`victim:${i}`, `keep-${i}`);
  } finally {
    client.destroy();
  }
}

/** CLIENT KILL TYPE normal from a connection of the test's own (SKIPME yes: it survives). */
async function killNormalClients(url: string): Promise<number> {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    return Number(await client.sendCommand(["CLIENT", "KILL", "TYPE", "normal"]));
  } finally {
    client.destroy();
  }
}

function runArgs(url: string, prefix: string, out: string): string[] {
  return ["run", "--url", url, "--duration", "3s", "-c", "4", "--prefix", prefix, "--json", "--out", out];
}

describe("the admin connection comes back after CLIENT KILL and a restart mid-run", () => {
  let redis: ManagedRedis;
  before(async () => {
    // The managed server persists nothing: a restart empties it, as a cache restart does.
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("CLIENT KILL TYPE normal at 1 s: counts are still checked, every run key is removed, the 100 others survive", async () => {
    await writeVictims(redis.url);
    const prefix = "reconnect-kill:";
    const running = runCli(runArgs(redis.url, prefix, outDir()), { timeoutMs: 60_000 });
    await waitForLoad(redis.url, 1000);
    const killed = await killNormalClients(redis.url);
    assert.ok(killed >= 5, `the run's 4 load connections and its admin connection were killed (${killed})`);
    const run = await running;
    const result = JSON.parse(run.stdout) as RunResult;
    assert.equal(result.countCheck.checked, true, result.countCheck.note);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    assert.ok(result.totals.reconnects >= 4, `the load connections came back (${result.totals.reconnects})`);
    assert.equal(result.cleanup.error, undefined);
    assert.ok(result.cleanup.keysDeleted > 0);
    assert.equal(await scanCount(redis.url, `${prefix}*`), 0, "no key of the run is left");
    assert.equal(await scanCount(redis.url, "victim:*"), VICTIMS);
    assert.equal(run.code, 0, run.stderr);
  });

  it("a restart at 1 s: the count check says the server restarted, every run key written after it is removed", async () => {
    const prefix = "reconnect-restart:";
    const running = runCli(runArgs(redis.url, prefix, outDir()), { timeoutMs: 60_000 });
    await waitForLoad(redis.url, 1000);
    await redis.restart!({ downMs: 300 });
    // The restart emptied the server: the unrelated keys are written again now, while the load runs.
    await writeVictims(redis.url);
    const run = await running;
    const result = JSON.parse(run.stdout) as RunResult;
    assert.equal(result.countCheck.checked, false);
    assert.equal(result.countCheck.note, "the server restarted: commandstats were reset, counts not checked");
    assert.equal(result.cleanup.error, undefined, result.cleanup.error);
    assert.ok(result.cleanup.keysDeleted > 0, "the keys written after the restart were deleted");
    assert.equal(await scanCount(redis.url, `${prefix}*`), 0, "no key of the run is left");
    assert.equal(await scanCount(redis.url, "victim:*"), VICTIMS);
    assert.ok(result.availability !== undefined);
  });
});
