import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runScenario } from "../../src/run/run-scenario.js";
import { testRunConfig } from "../helpers/run-config.js";

/**
 * persistence-recovery against the tool's own redis-server: 5000 firehose events written once
 * (prefill), a short SET/GET load over them, a rewrite, a restart, and every key read back.
 */
const EVENTS = 5000;

function persistenceRun(options: Record<string, unknown> = {}) {
  return testRunConfig({
    prefill: true,
    dataset: "firehose",
    keyMax: EVENTS,
    durationMs: 500,
    connections: 4,
    commands: [
      { name: "SET", weight: 1 },
      { name: "GET", weight: 4 },
    ],
    check: { kind: "persistence-recovery", ...options },
  });
}

describe("persistence-recovery check", () => {
  it("AOF (the default): every event comes back intact, the verdict passes, recovery is timed", async () => {
    const { result } = await runScenario(persistenceRun());
    const check = result.check;
    assert.ok(check !== undefined);
    const f = check.figures;
    assert.equal(check.ok, true, check.problems.join("; "));
    assert.equal(result.verdict, "pass");
    assert.equal(f.appendonly, "yes");
    assert.equal(f.appendfsync, "everysec");
    assert.equal(f.signal, "SIGTERM");
    assert.equal(f.keysBeforeRestart, EVENTS);
    assert.equal(f.keysAfterRestart, EVENTS);
    assert.equal(f.keysChecked, EVENTS);
    assert.equal(f.lostKeys, 0);
    assert.equal(f.corruptKeys, 0);
    assert.ok((f.rewriteMs as number) > 0);
    assert.ok((f.restartToPingMs as number) > 0);
    assert.ok((f.restartToLoadedMs as number) >= (f.restartToPingMs as number));
    assert.ok((f.stoppedMs as number) <= (f.restartToPingMs as number));
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    // The run's cleanup ran on the restarted server and found every event there.
    assert.equal(result.cleanup.keysDeleted, EVENTS);
  });

  it("a server without persistence loses every event and fails the check", async () => {
    const { result } = await runScenario(persistenceRun({ aof: false, rdb: false }));
    const check = result.check;
    assert.ok(check !== undefined);
    const f = check.figures;
    assert.equal(check.ok, false);
    assert.equal(result.verdict, "fail");
    assert.equal(f.appendonly, "no");
    assert.equal(f.save, "");
    assert.equal(f.keysBeforeRestart, EVENTS);
    assert.equal(f.keysAfterRestart, 0);
    assert.equal(f.lostKeys, EVENTS);
    assert.ok(check.problems.some((p) => /5000 of 5000 events did not come back.*persists nothing/.test(p)));
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
  });

  it("RDB only, crash (SIGKILL after the save and the everysec window): a sample of keys all come back", async () => {
    const { result } = await runScenario(
      persistenceRun({ aof: false, rdb: true, crash: true, verifyKeys: 500 }),
    );
    const check = result.check;
    assert.ok(check !== undefined);
    const f = check.figures;
    assert.equal(check.ok, true, check.problems.join("; "));
    assert.equal(f.signal, "SIGKILL");
    assert.equal(f.appendonly, "no");
    assert.ok((f.saveMs as number) > 0);
    assert.equal(f.rewriteMs, null);
    assert.equal(f.keysChecked, 500);
    assert.equal(f.keysAfterRestart, EVENTS);
    assert.equal(f.lostKeys, 0);
  });
});
