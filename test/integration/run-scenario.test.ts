import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { runScenario } from "../../src/run/run-scenario.js";
import { commandStats, type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

describe("runScenario against a real redis-server", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("closed loop: counts match INFO commandstats exactly and keys are cleaned up", async () => {
    const statsBefore = await commandStats(redis.url);
    const { result } = await runScenario(
      testRunConfig({ url: redis.url, durationMs: 1500, connections: 8, pipeline: 4 }),
    );
    const statsAfter = await commandStats(redis.url);
    const serverSets = (statsAfter.set?.calls ?? 0) - (statsBefore.set?.calls ?? 0);
    const serverGets = (statsAfter.get?.calls ?? 0) - (statsBefore.get?.calls ?? 0);
    assert.equal(result.status, "completed");
    assert.ok(result.totals.ops > 1000, `ops ${result.totals.ops}`);
    assert.equal(result.totals.errors, 0);
    assert.equal(result.perCommand.SET.ops, serverSets);
    assert.equal(result.perCommand.GET.ops, serverGets);
    assert.equal(result.totals.ops, serverSets + serverGets);
    assert.equal(result.countCheck.checked, true);
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    // 1:10 mix, exact by construction of the weighted cycle (within one cycle per connection).
    assert.ok(Math.abs(result.perCommand.GET.ops - 10 * result.perCommand.SET.ops) <= 11 * 8);
    assert.ok(result.latency.p50 > 0 && result.latency.p50 <= result.latency.p99);
    assert.ok(result.series.length >= 1);
    assert.equal(result.cleanup.keysDeleted > 0, true);
    // The engine thread's collections are counted, and per million operations from its own sends.
    const gc = result.engineGc;
    assert.ok(gc !== undefined, "engineGc is reported");
    assert.ok(Number.isInteger(gc.youngCollections) && gc.youngCollections >= 0);
    assert.ok(Number.isInteger(gc.fullCollections) && gc.fullCollections >= 0);
    assert.ok(gc.maxPauseMs <= gc.totalPauseMs);
    const perMillion = (gc.youngCollections / result.totals.sent) * 1e6;
    assert.ok(
      Math.abs(gc.youngPerMillionOps - perMillion) < 0.01,
      `${gc.youngPerMillionOps} vs ${perMillion}`,
    );
  });
});

describe("the count check is not vacuous", () => {
  it("another client sending SETs during the run is caught as a MISMATCH", async () => {
    const redis = await startRedis();
    const { createClient } = await import("@redis/client");
    const other = createClient({ url: redis.url });
    await other.connect();
    try {
      const run = runScenario(testRunConfig({ url: redis.url, durationMs: 1500, connections: 2 }));
      await new Promise((r) => setTimeout(r, 500));
      for (let i = 0; i < 50; i++) await other.set(`intruder:${i}`, "x");
      const { result } = await run;
      assert.equal(result.countCheck.checked, true);
      assert.equal(result.countCheck.ok, false);
      assert.match(result.countCheck.note, /MISMATCH/);
      assert.ok(result.countCheck.byCommand.SET.server >= result.countCheck.byCommand.SET.sent + 50);
    } finally {
      await other.quit();
      await redis.stop();
    }
  });
});

describe("a target that dies mid-run", () => {
  it("ends the run as failed, with what it measured before the crash", async () => {
    const redis = await startRedis();
    try {
      const run = runScenario(
        testRunConfig({ url: redis.url, durationMs: 30_000, connections: 2, timeoutMs: 500 }),
      );
      await new Promise((r) => setTimeout(r, 1500));
      process.kill(redis.pid, "SIGKILL");
      const started = Date.now();
      const { result, jsonPath } = await run;
      assert.ok(Date.now() - started < 10_000);
      assert.equal(result.status, "failed");
      assert.ok(result.totals.ops > 0);
      assert.ok(result.totals.errors > 0);
      assert.ok(Object.keys(result.totals.errorsByKind).length > 0);
      assert.ok(jsonPath.endsWith(".json"));
    } finally {
      await redis.stop();
    }
  });
});

describe("errors by kind", () => {
  it("error replies are counted by their prefix (OOM from a full noeviction server), and still match the server", async () => {
    const redis = await startRedis(["--maxmemory", "2mb", "--maxmemory-policy", "noeviction"]);
    try {
      const { result } = await runScenario(
        testRunConfig({
          url: redis.url,
          requests: 20_000,
          durationMs: undefined,
          keyMax: 100_000,
          dataSizeMin: 512,
          dataSizeMax: 512,
          commands: [{ name: "SET", weight: 1 }],
        }),
      );
      assert.ok((result.totals.errorsByKind.OOM ?? 0) > 0, JSON.stringify(result.totals.errorsByKind));
      assert.equal(result.perCommand.SET.errors, result.totals.errorsByKind.OOM);
      assert.equal(result.totals.ops, 20_000);
      // Rejected calls are part of what the server received.
      assert.equal(result.countCheck.ok, true, result.countCheck.note);
    } finally {
      await redis.stop();
    }
  });

  it("operations without a reply within --timeout count as timeouts, and the engine reconnects", async () => {
    const redis = await startRedis(["--enable-debug-command", "local"]);
    const { createClient } = await import("@redis/client");
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      const run = runScenario(
        testRunConfig({ url: redis.url, durationMs: 2500, connections: 2, pipeline: 4, timeoutMs: 200 }),
      );
      await new Promise((r) => setTimeout(r, 800));
      await admin.sendCommand(["DEBUG", "SLEEP", "0.8"]);
      const { result } = await run;
      assert.ok(result.totals.timeouts > 0, `timeouts ${result.totals.timeouts}`);
      assert.equal(result.totals.errorsByKind.timeout, result.totals.timeouts);
      assert.ok(result.totals.reconnects >= 1);
      assert.equal(result.status, "completed");
      // Operations lost on the way may or may not have reached the server; the check allows that range.
      assert.equal(result.countCheck.ok, true, result.countCheck.note);
    } finally {
      await admin.quit();
      await redis.stop();
    }
  });
});

describe("server probes on the run's timeline", () => {
  it("samples every interval: memory grows while the run writes, CPU of the managed server is measured", async () => {
    const redis = await startRedis();
    try {
      const { result, markdownPath } = await runScenario(
        testRunConfig({
          url: redis.url,
          durationMs: 3000,
          keyMax: 200_000,
          keyPattern: "sequential",
          commands: [{ name: "SET", weight: 1 }],
          dataSizeMin: 256,
          dataSizeMax: 256,
          probeIntervalMs: 500,
        }),
      );
      const series = result.serverSeries ?? [];
      assert.ok(series.length >= 5, `samples ${series.length}`);
      const memory = series.map((s) => s.usedMemoryBytes ?? 0);
      assert.ok(memory.at(-1)! > memory[0] + 5_000_000, `memory ${memory[0]} → ${memory.at(-1)}`);
      assert.ok(result.server !== undefined && (result.server.usedMemoryBytesMax ?? 0) > 0);
      const cpu = result.zones?.find((z) => z.metric === "serverCpuPercent");
      assert.ok(cpu?.value !== undefined && cpu.value > 0, JSON.stringify(cpu));
      // The Markdown per-second table carries the server's columns beside the client's.
      const markdown = await readFile(markdownPath, "utf8");
      assert.match(markdown, /\| t \(s\) \| ops\/s \|.*\| errors \| server CPU % \| used MB \| clients \|/);
    } finally {
      await redis.stop();
    }
  });
});
