import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { NdjsonOutput } from "../../src/outputs/ndjson-output.js";
import { parseEventLines, replayEvents } from "../../src/run/replay-events.js";
import type { RunOutput } from "../../src/run/run-event-bus.js";
import type { RunEvent } from "../../src/run/run-events.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { startRun } from "../../src/run/start-run.js";
import { runCli } from "../helpers/cli.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

describe("the run's event stream against a real redis-server", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("an events file replays into the result's totals and percentiles exactly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cachestress-events-"));
    const path = join(dir, "events.ndjson");
    const { result } = await runScenario(
      testRunConfig({
        url: redis.url,
        durationMs: 2500,
        rate: 3000,
        connections: 4,
        pipeline: 16,
        warmupMs: 500,
      }),
      { outputs: [new NdjsonOutput(path)] },
    );
    const events = parseEventLines(readFileSync(path, "utf8"));
    const types = events.map((e) => e.type);
    assert.equal(types.at(-1), "run-ended");
    assert.equal(types.filter((t) => t === "run-started").length, 1);
    assert.ok(types.indexOf("run-started") < types.indexOf("phase-started"));
    assert.deepEqual(
      events.filter((e) => e.type === "phase-started").map((e) => (e as { phase: string }).phase),
      ["warmup", "measure"],
    );
    assert.ok(types.includes("server-sample"), "server samples are events");
    const started = events.find((e) => e.type === "run-started");
    assert.equal(started?.type === "run-started" && started.schemaVersion, 1);

    const replayed = replayEvents(events);
    assert.ok(replayed.intervals >= 2, `intervals ${replayed.intervals}`);
    assert.equal(replayed.ops, result.totals.ops);
    for (const [name, c] of Object.entries(result.perCommand)) {
      assert.equal(replayed.perCommand[name].ops, c.ops, name);
      assert.equal(replayed.perCommand[name].errors, c.errors, name);
      assert.deepEqual(replayed.perCommand[name].latency, c.latency, name);
    }
    assert.deepEqual(replayed.latency, result.latency);
    // Each series point has its interval event, with the same target rate (the rate during it).
    const byTime = new Map(
      events.flatMap((e) =>
        e.type === "interval" && e.phase === "measure" ? [[e.tS, e.point] as const] : [],
      ),
    );
    for (const point of result.series)
      assert.equal(byTime.get(point.tS)?.targetRate, point.targetRate, `t=${point.tS}`);
    assert.deepEqual(replayed.serviceTime, result.serviceTime);
    // The run-ended event carries the very result the run returned.
    const ended = events.at(-1);
    assert.equal(ended?.type === "run-ended" && ended.result.totals.ops, result.totals.ops);
    assert.deepEqual(result.outputs, [{ name: "events-file", events: events.length, failures: 0 }]);
  });

  it("an output that throws or stalls is counted, and the run still passes", async () => {
    const throwing: RunOutput = {
      name: "throws",
      onEvent(event) {
        if (event.type === "interval") throw new Error("boom\nsecond line");
      },
    };
    const rejecting: RunOutput = { name: "rejects", onEvent: () => Promise.reject(new Error("no route")) };
    const { result } = await runScenario(testRunConfig({ url: redis.url, durationMs: 1200 }), {
      outputs: [throwing, rejecting],
    });
    assert.equal(result.verdict, "pass");
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    const byName = Object.fromEntries((result.outputs ?? []).map((o) => [o.name, o]));
    assert.ok(byName.throws.failures >= 1);
    assert.equal(byName.throws.lastError, "boom");
    assert.equal(byName.rejects.failures, byName.rejects.events);
    assert.equal(byName.rejects.lastError, "no route");
  });

  it("startRun: events as an async iterator, stop() ends the load early, result resolves", async () => {
    const run = startRun(testRunConfig({ url: redis.url, durationMs: 20_000, connections: 2 }));
    const seen: RunEvent[] = [];
    for await (const event of run.events) {
      seen.push(event);
      if (event.type === "interval" && event.phase === "measure") run.stop();
    }
    const { result } = await run.result;
    assert.equal(result.status, "stopped");
    assert.ok(result.durationMs < 10_000, `stopped after ${result.durationMs} ms`);
    assert.equal(seen.at(-1)?.type, "run-ended");
    assert.equal(result.cleanup.error, undefined);
  });

  it("`--events -` prints NDJSON on stdout, one valid event per line", async () => {
    const out = mkdtempSync(join(tmpdir(), "cachestress-events-cli-"));
    const cli = await runCli([
      "run",
      "--url",
      redis.url,
      "--duration",
      "1500ms",
      "--connections",
      "2",
      "--out",
      out,
      "--events",
      "-",
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const events = parseEventLines(cli.stdout);
    assert.ok(events.some((e) => e.type === "run-started"));
    assert.ok(events.some((e) => e.type === "interval"));
    assert.equal(events.at(-1)?.type, "run-ended");
    // Times only go forward: a consumer can follow the run line by line.
    for (let i = 1; i < events.length; i++) assert.ok(events[i].timeMs >= events[i - 1].timeMs);
  });

  it("`--events -` with `--json` is a usage error: both would print on stdout", async () => {
    const cli = await runCli(["run", "--events", "-", "--json", "--duration", "1s"]);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /--events/);
  });
});
