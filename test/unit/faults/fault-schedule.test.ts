import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { faultRequirementProblems } from "../../../src/faults/fault-requirements.js";
import { parseFaultSchedule, type ScheduledFault } from "../../../src/faults/fault-schedule.js";

function faults(section: unknown, runDurationMs?: number): ScheduledFault[] {
  const outcome = parseFaultSchedule(section, { runDurationMs });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.faults;
}

function problems(section: unknown, runDurationMs?: number): [string, unknown, string][] {
  const outcome = parseFaultSchedule(section, { runDurationMs, source: "s.yaml" });
  assert.ok(!outcome.ok, "expected problems");
  for (const p of outcome.problems) assert.equal(p.source, "s.yaml");
  return outcome.problems.map((p) => [p.field, p.value, p.allowed]);
}

describe("parseFaultSchedule", () => {
  it("reads every kind from YAML, with defaults and canonical units", () => {
    const section = parseYaml(`
- { at: 5s, for: 3s, kind: latency, latencyMs: 50, jitterMs: 10 }
- { at: 1m, for: 2s, kind: bandwidth, bytesPerSec: 100000 }
- { at: 9s, for: 1s, kind: drop, probability: 0.5, commands: [set] }
- { at: 10s, kind: reset }
- { at: 11s, for: 500ms, kind: reset }
- { at: 13s, for: 2s, kind: blackhole, name: partition }
- { at: 12s, for: 2s, kind: client-kill, clients: all, every: 250ms }
- { at: 15s, for: 1s, kind: client-pause, mode: write }
- { at: 18s, kind: debug-sleep, seconds: 0.5 }
- { at: 20s, for: 1s, kind: restart, signal: SIGKILL }
- { at: 0, kind: client-kill }
`);
    const [latency, bandwidth, drop, reset, resetRefusing, blackhole, kill, pause, sleep, restart, kill2] =
      faults(section);
    assert.deepEqual(latency, {
      kind: "latency",
      latencyMs: 50,
      jitterMs: 10,
      direction: "to-client",
      index: 0,
      atMs: 5000,
      forMs: 3000,
      name: "latency 50±10ms to-client",
    });
    assert.deepEqual(
      [bandwidth.atMs, bandwidth.kind === "bandwidth" && bandwidth.direction],
      [60_000, "both"],
    );
    assert.deepEqual(drop, {
      kind: "drop",
      probability: 0.5,
      granularity: "command",
      commands: ["SET"],
      index: 2,
      atMs: 9000,
      forMs: 1000,
      name: "drop 50% of SET",
    });
    assert.equal(reset.forMs, 0);
    assert.equal(reset.name, "reset");
    assert.equal(resetRefusing.name, "reset, refusing new connections for 500ms");
    assert.equal(blackhole.name, "partition");
    assert.deepEqual(kill.kind === "client-kill" && [kill.clients, kill.everyMs], ["all", 250]);
    assert.deepEqual(kill2.kind === "client-kill" && [kill2.clients, kill2.everyMs, kill2.forMs], [
      "run",
      500,
      0,
    ]);
    assert.deepEqual(pause.kind === "client-pause" && pause.mode, "write");
    assert.equal(sleep.forMs, 500, "a debug-sleep lasts its seconds");
    assert.deepEqual([restart.forMs, restart.kind === "restart" && restart.signal], [1000, "SIGKILL"]);
  });

  it("an absent section is an empty schedule", () => {
    assert.deepEqual(faults(undefined), []);
    assert.deepEqual(faults(null), []);
    assert.deepEqual(faults([]), []);
  });

  it("lists every problem at once, each with its path, value and what is allowed", () => {
    const found = problems([
      { at: "5s", for: "3s", kind: "latncy", latencyMs: 50 },
      { at: "soon", kind: "latency", latencyMs: -1, jiterMs: 3 },
      { at: "1s", for: "1s", kind: "drop", probability: 0, granularity: "chunk", commands: ["SET"] },
      { at: "1s", for: "1s", kind: "debug-sleep", seconds: 0.5 },
      { at: "2s", kind: "client-kill", every: "1s", clients: "everyone" },
      { for: "1s", kind: "blackhole" },
      "reset at 5s",
    ]);
    assert.deepEqual(found, [
      ["faults[0].kind", "latncy", found[0][2]],
      ["faults[1].jiterMs", 3, found[1][2]],
      ["faults[1].at", "soon", found[2][2]],
      ["faults[1].for", undefined, found[3][2]],
      ["faults[1].latencyMs", -1, "added delay in ms, 0 to 60000"],
      ["faults[2].probability", 0, "a chance above 0 and at most 1 (1 = drop everything)"],
      ["faults[2].commands", ["SET"], "no command filter with granularity: chunk (a chunk is not a command)"],
      ["faults[3].for", "1s", "no `for`: a debug-sleep lasts `seconds`"],
      ["faults[4].clients", "everyone", "one of run, user, all"],
      ["faults[4].every", "1s", "only with `for`: a one-off kill happens once"],
      ["faults[5].at", undefined, found[10][2]],
      ["faults[6]", "reset at 5s", "a fault: { at: 5s, for: 3s, kind: latency, latencyMs: 50 }"],
    ]);
    assert.match(found[0][2], /did you mean latency\?/);
    assert.match(found[1][2], /did you mean jitterMs\?/);
    assert.match(found[3][2], /required for latency/);
    assert.match(found[10][2], /required for blackhole/);
  });

  it("rejects a section that is not a list", () => {
    assert.deepEqual(
      problems({ at: "5s", kind: "reset" }).map((p) => p[0]),
      ["faults"],
    );
  });

  it("two faults of one kind may not overlap; different kinds may", () => {
    const found = problems([
      { at: "5s", for: "3s", kind: "latency", latencyMs: 50 },
      { at: "6s", for: "3s", kind: "bandwidth", bytesPerSec: 1000 },
      { at: "7s", for: "1s", kind: "latency", latencyMs: 10 },
      { at: "8s", for: "1s", kind: "latency", latencyMs: 10 },
    ]);
    assert.equal(found.length, 1);
    assert.equal(found[0][0], "faults[2].at");
    assert.match(found[0][2], /faults\[0\] \(latency, 5s–8s\) has ended/);
  });

  it("a fault must start before the measured run ends", () => {
    const found = problems([{ at: "30s", kind: "reset" }], 30_000);
    assert.deepEqual(found, [["faults[0].at", "30s", "a time before the measured run ends (30s)"]]);
    assert.equal(faults([{ at: "29s", for: "10s", kind: "blackhole" }], 30_000).length, 1);
  });
});

describe("faultRequirementProblems", () => {
  const schedule = faults([
    { at: 1, for: 1, kind: "latency", latencyMs: 5 },
    { at: 2, kind: "client-kill" },
    { at: 3, kind: "client-kill", clients: "user" },
    { at: 4, kind: "restart" },
    { at: 5, kind: "debug-sleep", seconds: 0.1 },
  ]);

  it("names what each fault needs that the run lacks", () => {
    const found = faultRequirementProblems(schedule, {
      viaProxy: false,
      managed: false,
      allowServerFaults: false,
    }).map((p) => `${p.field}=${p.value}`);
    assert.deepEqual(found, [
      "faults[0].kind=latency",
      "faults[1].clients=run",
      "faults[2].clients=user",
      "faults[2].kind=client-kill",
      "faults[3].kind=restart",
      "faults[4].kind=debug-sleep",
    ]);
  });

  it("a managed server through the proxy with a user needs nothing more", () => {
    assert.deepEqual(
      faultRequirementProblems(schedule, {
        viaProxy: true,
        managed: true,
        username: "app",
        allowServerFaults: false,
      }),
      [],
    );
  });

  it("--allow-server-faults opens disruptive faults on someone else's server, never a restart", () => {
    const found = faultRequirementProblems(schedule, {
      viaProxy: true,
      managed: false,
      username: "app",
      allowServerFaults: true,
    }).map((p) => p.field);
    assert.deepEqual(found, ["faults[3].kind"]);
  });
});
