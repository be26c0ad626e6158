import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ConfigError } from "../../src/config/errors.js";
import type { RunResult } from "../../src/result/result-types.js";
import { resolveRunConfig } from "../../src/run/resolve-config.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

function show(result: RunResult): string {
  return JSON.stringify({ check: result.check, countCheck: result.countCheck, phases: result.phases });
}

const MAXMEMORY_BYTES = 64 * 1024 * 1024;

describe("buffer-capacity check against a real redis-server", () => {
  let redis: ManagedRedis;
  const outDir = mkdtempSync(join(tmpdir(), "cachestress-buffer-capacity-"));
  before(async () => {
    redis = await startRedis(["--maxmemory", String(MAXMEMORY_BYTES), "--maxmemory-policy", "noeviction"]);
  });
  after(async () => {
    await redis?.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  it("the shipped scenario, shortened with --key-max: memory per event, headroom under maxmemory, a clean sample", async () => {
    const { config } = await resolveRunConfig([
      "buffer-capacity",
      ...["--key-max", "20000", "--url", redis.url, "--out", outDir],
    ]);
    const notices: string[] = [];
    const { result } = await runScenario(config, { onNotice: (line) => notices.push(line) });
    const f = result.check!.figures;
    // The check shaped the run: every event is a prefilled key, 1,000 writes in flight over 4 connections.
    assert.equal(result.config.keyMax, 20000);
    assert.equal(result.config.prefill, true);
    assert.equal(result.config.pipeline, 250);
    assert.equal(f.writesInFlight, 1000);
    assert.equal(result.phases.prefill?.ops, 20000, show(result));
    assert.equal(f.events, 20000);
    assert.equal(f.dataset, "firehose");

    const perEvent = ((f.usedMemoryAfterBytes as number) - (f.usedMemoryBeforeBytes as number)) / 20000;
    assert.ok(perEvent > 100 && perEvent < 5000, `memory per event ${perEvent} B: ${show(result)}`);
    assert.equal(f.memoryPerEventBytes, Math.round(perEvent * 10) / 10);
    assert.equal(f.maxmemoryBytes, MAXMEMORY_BYTES);
    assert.equal(f.maxmemoryPolicy, "noeviction");
    assert.equal(
      f.headroomEvents,
      Math.floor((MAXMEMORY_BYTES - (f.usedMemoryAfterBytes as number)) / perEvent),
    );
    assert.ok((f.headroomEvents as number) > 0, show(result));
    assert.ok((f.eventsPerSec as number) > 0 && (f.loadSeconds as number) > 0, show(result));

    assert.equal(f.sampledKeys, 10000);
    assert.equal(f.lostKeys, 0, show(result));
    assert.equal(f.corruptKeys, 0, show(result));
    assert.equal(f.evictedKeys, 0);
    assert.equal(result.check!.ok, true, show(result));
    assert.equal(result.verdict, "pass", show(result));
    assert.equal(result.countCheck.ok, true, show(result));
    assert.equal(result.countCheck.byCommand.SET.server, 20000, show(result));
    // The run's normal cleanup deleted every event.
    assert.equal(result.cleanup.keysDeleted, 20000);
    assert.ok(
      notices.some((n) => n.startsWith("buffer-capacity: loading 20,000 firehose events")),
      notices.join("\n"),
    );
  });

  it("a server without maxmemory: headroom null, 'no limit'; check.maxmemory sets it on the server cachestress starts", async () => {
    const unlimited = await runScenario(
      testRunConfig({
        commands: [{ name: "GET", weight: 1 }],
        requests: 100,
        durationMs: undefined,
        check: { kind: "buffer-capacity", events: 5000, sample: "all" },
      }),
    );
    const u = unlimited.result.check!.figures;
    assert.equal(u.maxmemoryBytes, null, show(unlimited.result));
    assert.equal(u.headroomEvents, null);
    assert.equal(u.memoryLimit, "no limit");
    assert.equal(u.sampledKeys, 5000);
    assert.match(unlimited.result.check!.summary, /no maxmemory limit/);

    const limited = await runScenario(
      testRunConfig({
        commands: [{ name: "GET", weight: 1 }],
        requests: 100,
        durationMs: undefined,
        check: { kind: "buffer-capacity", events: 5000, maxmemory: "32mb" },
      }),
    );
    const l = limited.result.check!.figures;
    assert.equal(l.maxmemoryBytes, 32 * 1024 * 1024, show(limited.result));
    assert.ok((l.headroomEvents as number) > 0, show(limited.result));
    assert.equal(limited.result.check!.ok, true, show(limited.result));
  });

  it("rejects bad options and runs it cannot measure, every problem at once", async () => {
    const rejected = await runScenario(
      testRunConfig({
        url: redis.url,
        ttlS: 30,
        shard: { index: 0, count: 2 },
        check: { kind: "buffer-capacity", events: 0, maxmemory: "lots", batch: -1 },
      }),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(rejected instanceof ConfigError, String(rejected));
    assert.deepEqual(rejected.problems.map((p) => p.field).sort(), [
      "--shard",
      "check.batch",
      "check.events",
      "check.maxmemory",
      "ttl",
    ]);
  });
});
