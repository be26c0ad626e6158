import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../src/config/errors.js";
import type { FaultReport } from "../../src/faults/fault-report.js";
import type { SeriesPoint } from "../../src/result/result-types.js";
import { FaultUnavailableError } from "../../src/run/run-faults.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { startRedis } from "../helpers/redis.js";
import { testRunConfig } from "../helpers/run-config.js";

/** Series points whose interval lies inside [fromS, toS]. */
function pointsWithin(series: SeriesPoint[], fromS: number, toS: number): SeriesPoint[] {
  return series.filter((p, i) => (i === 0 ? 0 : series[i - 1].tS) >= fromS && p.tS <= toS);
}

function show(f: FaultReport | undefined): string {
  return JSON.stringify(f);
}

describe("faults during a real run (managed redis-server, the real engine)", () => {
  it("through the proxy: latency, blackhole, reset and client-kill each show, and the run recovers from each", async () => {
    const lines: string[] = [];
    const { result } = await runScenario(
      testRunConfig({
        durationMs: 8500,
        rate: 400,
        pipeline: 64,
        connections: 4,
        timeoutMs: 300,
        viaProxy: true,
        faults: [
          { at: "1.5s", for: "2s", kind: "latency", latencyMs: 60 },
          { at: "4.5s", for: "1s", kind: "blackhole" },
          { at: "6.5s", kind: "reset" },
          { at: "7.5s", kind: "client-kill" },
        ],
      }),
      { onNotice: (line) => lines.push(line) },
    );
    const [latency, blackhole, reset, kill] = result.faults ?? [];
    assert.equal(result.status, "completed");
    assert.ok(lines.some((l) => l.startsWith("the load goes through a fault proxy on 127.0.0.1:")));
    assert.ok(
      lines.some((l) => l === `FAULT latency 60ms to-client: on at ${latency.startS}s`),
      lines.join("\n"),
    );
    for (const f of [latency, blackhole, reset, kill]) assert.equal(f.status, "done", show(f));

    // Latency: started on time, every reply in its seconds at least 60 ms late, then back to normal.
    assert.ok(Math.abs(latency.startS! - 1.5) < 0.2 && Math.abs(latency.endS! - 3.5) < 0.2, show(latency));
    assert.ok(latency.during!.worstP99Ms >= 60, show(latency));
    const inside = pointsWithin(result.series, 1.6, 3.5);
    assert.ok(inside.length >= 1, "a whole interval inside the latency fault");
    for (const p of inside) assert.ok(p.p50Ms >= 60, JSON.stringify(p));
    // Medians, not p99s: on a shared 2-core machine one slow tick can lift an interval's p99.
    const next = pointsWithin(result.series, latency.endS!, 99)[0];
    assert.ok(next !== undefined && next.p50Ms < 30, JSON.stringify(next));
    assert.ok(latency.baselineP99Ms !== undefined, show(latency));

    // Blackhole: nothing answered, so operations time out; afterwards the engine is back.
    assert.ok(blackhole.during!.timeouts > 0, show(blackhole));
    assert.ok((blackhole.during!.errorsByKind.timeout ?? 0) > 0, show(blackhole));
    assert.ok(blackhole.during!.reconnects > 0, show(blackhole));
    assert.ok(blackhole.timeToFirstSuccessS !== null && blackhole.timeToFirstSuccessS! <= 2, show(blackhole));

    // Reset: every connection broken with RST and re-made by the engine.
    assert.equal(reset.effects.connectionsReset, 4, show(reset));
    assert.ok(reset.during!.reconnects >= 4, show(reset));
    assert.ok(reset.timeToFirstSuccessS !== null && reset.timeToFirstSuccessS! <= 1.5, show(reset));

    // CLIENT KILL of exactly the run's 4 connections, found through the proxy's addresses.
    assert.equal(kill.effects.clientsKilled, 4, show(kill));
    assert.ok(kill.during!.reconnects >= 4, show(kill));

    assert.ok(result.totals.reconnects >= 12, `reconnects ${result.totals.reconnects}`);
    assert.equal(result.cleanup.error, undefined);
  });

  it("CLIENT PAUSE and DEBUG SLEEP show as latency; a restart of the managed server is survived", async () => {
    const { result } = await runScenario(
      testRunConfig({
        durationMs: 6500,
        rate: 300,
        pipeline: 64,
        connections: 4,
        faults: [
          { at: "1s", for: "600ms", kind: "client-pause" },
          { at: "2.5s", kind: "debug-sleep", seconds: 0.5 },
          { at: "4s", for: "300ms", kind: "restart" },
        ],
      }),
    );
    const [pause, sleep, restart] = result.faults ?? [];
    for (const f of [pause, sleep, restart]) assert.equal(f.status, "done", show(f));
    assert.equal(result.status, "completed");

    assert.ok(pause.during!.worstP99Ms >= 400, show(pause));
    assert.ok(sleep.during!.worstP99Ms >= 400, show(sleep));
    assert.ok(
      sleep.endS! - sleep.startS! >= 0.45,
      `DEBUG SLEEP returned after ${sleep.endS! - sleep.startS!} s`,
    );
    assert.equal(
      pause.during!.timeouts + sleep.during!.timeouts,
      0,
      "a pause shorter than the timeout only delays",
    );

    // The server was down for at least 300 ms; the engine reconnected and went on.
    assert.ok(restart.endS! - restart.startS! >= 0.3, show(restart));
    assert.ok(restart.during!.reconnects >= 4, show(restart));
    assert.ok(restart.timeToFirstSuccessS !== null && restart.timeToFirstSuccessS! <= 2, show(restart));
    const after = result.series.filter((p) => p.tS > restart.endS! + 1);
    assert.ok(after.length > 0 && after.every((p) => p.ops > 0), JSON.stringify(after));
    assert.equal(result.countCheck.checked, false);
    assert.match(result.countCheck.note, /restarted/);
    assert.equal(result.cleanup.error, undefined, "the admin connection was re-opened for the clean-up");
  });

  it("dropped writes never reach the server: it counts fewer SETs than were sent, by the ones dropped", async () => {
    const { result } = await runScenario(
      testRunConfig({
        durationMs: 2500,
        rate: 400,
        pipeline: 64,
        connections: 4,
        timeoutMs: 300,
        commands: [{ name: "SET", weight: 1 }],
        viaProxy: true,
        faults: [{ at: "500ms", for: "1s", kind: "drop", probability: 0.3, commands: ["SET"] }],
      }),
    );
    const [drop] = result.faults ?? [];
    const dropped = drop.effects.commandsDropped ?? 0;
    const set = result.countCheck.byCommand.SET;
    assert.ok(dropped > 30, show(drop));
    assert.ok(set.server <= set.sent - dropped, JSON.stringify({ set, dropped }));
    assert.ok(set.server >= set.sent - dropped - 4 * 64, JSON.stringify({ set, dropped }));
    assert.ok(drop.during!.timeouts > 0, "a dropped command gets no reply: its connection times out");
    assert.match(result.countCheck.note, /drop faults discarded \d+ commands/);
    // Judged over all commands, the bounds still hold exactly: replies read ≤ server ≤ sent.
    const all = Object.values(result.countCheck.byCommand);
    const total = (pick: (c: (typeof all)[number]) => number) => all.reduce((sum, c) => sum + pick(c), 0);
    assert.ok(total((c) => c.completed) <= total((c) => c.server), JSON.stringify(result.countCheck));
    assert.ok(total((c) => c.server) <= total((c) => c.sent), JSON.stringify(result.countCheck));
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
  });

  it("a schedule the run cannot carry out fails before any load, with every problem", async () => {
    await assert.rejects(
      runScenario(
        testRunConfig({
          url: "redis://127.0.0.1:1",
          durationMs: 10_000,
          faults: [
            { at: "1s", for: "1s", kind: "latency", latencyMs: 5 },
            { at: "2s", kind: "restart" },
            { at: "30s", kind: "reset" },
          ],
        }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(
          error.problems.map((p) => p.field),
          ["faults[2].at"],
        );
        return true;
      },
    );
    await assert.rejects(
      runScenario(
        testRunConfig({
          url: "redis://127.0.0.1:1",
          durationMs: 10_000,
          faults: [
            { at: "1s", for: "1s", kind: "latency", latencyMs: 5 },
            { at: "2s", kind: "restart" },
            { at: "3s", kind: "debug-sleep", seconds: 1 },
          ],
        }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(
          error.problems.map((p) => p.field),
          ["faults[0].kind", "faults[1].kind", "faults[2].kind"],
        );
        return true;
      },
    );
  });

  it("DEBUG SLEEP on a server that refuses DEBUG fails before any load, saying what to change", async () => {
    const redis = await startRedis();
    try {
      await assert.rejects(
        runScenario(
          testRunConfig({
            url: redis.url,
            allowServerFaults: true,
            faults: [{ at: "0s", kind: "debug-sleep", seconds: 0.1 }],
          }),
        ),
        (error: unknown) => {
          assert.ok(error instanceof FaultUnavailableError, String(error));
          assert.match(error.message, /enable-debug-command/);
          return true;
        },
      );
    } finally {
      await redis.stop();
    }
  });
});
