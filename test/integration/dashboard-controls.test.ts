import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { RunResult } from "../../src/result/result-types.js";
import {
  auditLines,
  call,
  KEYS,
  runCalls,
  startTestDashboard,
  type TestDashboard,
} from "../helpers/dashboard.js";
import { commandStats, type ManagedRedis, startRedis } from "../helpers/redis.js";

/**
 * The dashboard's run controls beside start and stop, against real redis-servers: a fault injected
 * into a running run (the run's own fault machinery carries it out, its events and report show it),
 * the fault menu, pause / resume / rate, and the audit log of each.
 */

/** Polls the run until `ok` holds for its recent events (bounded: 20 s). */
async function waitForEvent(
  dash: TestDashboard,
  id: string,
  ok: (e: { type: string; phase?: string; state?: string; kind?: string }) => boolean,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const run = await call(dash.url, "GET", `/api/runs/${id}`, { key: KEYS.viewer });
    if ((run.data.events as { type: string }[]).some(ok)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`run ${id}: the awaited event never came`);
}

const measuring = (e: { type: string; phase?: string }) => e.type === "interval" && e.phase === "measure";

describe("dashboard controls against a real redis-server", () => {
  let redis: ManagedRedis;
  let dash: TestDashboard;
  before(async () => {
    redis = await startRedis();
    dash = await startTestDashboard();
  });
  after(async () => {
    await dash?.close();
    await redis?.stop();
  });

  it("injects a debug-sleep into a run on a server it started: fault events, report, audit", async () => {
    const started = await call(dash.url, "POST", "/api/runs", {
      key: KEYS.operator,
      body: { overrides: { duration: "20s", connections: 4, rate: 2000 } },
    });
    assert.equal(started.status, 201, JSON.stringify(started.data));
    const id = started.data.id as string;

    const menu = await call(dash.url, "GET", `/api/runs/${id}/faults`, { key: KEYS.viewer });
    assert.equal(menu.status, 200);
    const kinds = (menu.data.kinds as { kind: string }[]).map((k) => k.kind);
    // A managed server without --via-proxy: the server-side faults, no proxy ones.
    assert.deepEqual(kinds, ["client-kill", "client-pause", "debug-sleep", "restart"]);

    await waitForEvent(dash, id, measuring);
    const denied = await call(dash.url, "POST", `/api/runs/${id}/faults`, {
      key: KEYS.viewer,
      body: { kind: "debug-sleep", seconds: 0.3 },
    });
    assert.equal(denied.status, 403);
    const bad = await call(dash.url, "POST", `/api/runs/${id}/faults`, {
      key: KEYS.operator,
      body: { kind: "latency", latencyMs: "slow", at: "5s" },
    });
    assert.equal(bad.status, 400, JSON.stringify(bad.data));
    const fields = (bad.data.problems as { field: string }[]).map((p) => p.field).sort();
    assert.deepEqual(fields, ["fault.at", "fault.for", "fault.latencyMs"]);

    const injected = await call(dash.url, "POST", `/api/runs/${id}/faults`, {
      key: KEYS.operator,
      body: { kind: "debug-sleep", seconds: 0.3, name: "from the page" },
    });
    assert.equal(injected.status, 201, JSON.stringify(injected.data));
    assert.equal(injected.data.name, "from the page");
    await waitForEvent(
      dash,
      id,
      (e) => e.type === "fault" && e.state === "started" && e.kind === "debug-sleep",
    );
    await waitForEvent(
      dash,
      id,
      (e) => e.type === "fault" && e.state === "ended" && e.kind === "debug-sleep",
    );

    assert.equal((await call(dash.url, "POST", `/api/runs/${id}/stop`, { key: KEYS.operator })).status, 200);
    const ended = await dash.runs.finished(id);
    assert.equal(ended?.state, "ended", ended?.error);
    const result = JSON.parse(readFileSync(ended!.reportPath!, "utf8")) as RunResult;
    assert.equal(result.faults?.length, 1);
    assert.equal(result.faults?.[0].name, "from the page");
    assert.equal(result.faults?.[0].status, "done");
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    const lines = auditLines(dash.auditLogPath).filter((l) => l.action === "inject-fault");
    assert.deepEqual(
      lines.map((l) => `${l.keyId}:${l.outcome}`),
      ["watcher:denied", "ops:requested", "ops:invalid", "ops:requested", "ops:done"],
    );
    // After the run, no fault goes in.
    const late = await call(dash.url, "POST", `/api/runs/${id}/faults`, {
      key: KEYS.operator,
      body: { kind: "debug-sleep", seconds: 0.1 },
    });
    assert.equal(late.status, 409);
  });

  it("kills the clients of a server it did not start, with --allow-server-faults; the load reconnects", async () => {
    const started = await call(dash.url, "POST", "/api/runs", {
      key: KEYS.operator,
      body: {
        url: redis.url,
        overrides: { duration: "20s", connections: 4, rate: 2000, "allow-server-faults": true },
      },
    });
    assert.equal(started.status, 201, JSON.stringify(started.data));
    const id = started.data.id as string;
    await waitForEvent(dash, id, measuring);
    const before = await commandStats(redis.url);
    const injected = await call(dash.url, "POST", `/api/runs/${id}/faults`, {
      key: KEYS.operator,
      body: { kind: "client-kill", clients: "all" },
    });
    assert.equal(injected.status, 201, JSON.stringify(injected.data));
    await waitForEvent(
      dash,
      id,
      (e) => e.type === "fault" && e.state === "started" && e.kind === "client-kill",
    );
    await new Promise((r) => setTimeout(r, 1500));
    const afterKill = await commandStats(redis.url);
    assert.ok((afterKill.get?.calls ?? 0) > (before.get?.calls ?? 0), "the load goes on after the kill");
    await call(dash.url, "POST", `/api/runs/${id}/stop`, { key: KEYS.operator });
    const ended = await dash.runs.finished(id);
    const result = JSON.parse(readFileSync(ended!.reportPath!, "utf8")) as RunResult;
    assert.equal(result.faults?.[0].kind, "client-kill");
    assert.ok((result.faults?.[0].effects.clientsKilled ?? 0) >= 4, JSON.stringify(result.faults?.[0]));
  });

  it("pauses (the server counts nothing more), resumes, changes the rate; closed loop and ended runs get 409", async () => {
    const started = await call(dash.url, "POST", "/api/runs", {
      key: KEYS.operator,
      body: { url: redis.url, overrides: { duration: "30s", connections: 4, rate: 2000 } },
    });
    assert.equal(started.status, 201, JSON.stringify(started.data));
    const id = started.data.id as string;
    await waitForEvent(dash, id, measuring);
    assert.equal((await call(dash.url, "POST", `/api/runs/${id}/pause`, { key: KEYS.viewer })).status, 403);
    const pause = await call(dash.url, "POST", `/api/runs/${id}/pause`, { key: KEYS.operator });
    assert.equal(pause.status, 200, JSON.stringify(pause.data));
    assert.equal(pause.data.state, "paused");
    // Replies in flight drain first; then two reads 500 ms apart must agree.
    await new Promise((r) => setTimeout(r, 300));
    const first = await runCalls(redis.url);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await runCalls(redis.url), first, "no command reaches the server while paused");
    const resume = await call(dash.url, "POST", `/api/runs/${id}/resume`, { key: KEYS.operator });
    assert.equal(resume.data.state, "running");
    await new Promise((r) => setTimeout(r, 500));
    assert.ok((await runCalls(redis.url)) > first, "the load goes on after resume");
    const rate = await call(dash.url, "POST", `/api/runs/${id}/rate`, {
      key: KEYS.operator,
      body: { opsPerSecond: 4000 },
    });
    assert.equal(rate.status, 200, JSON.stringify(rate.data));
    assert.equal(rate.data.rate, 4000);
    await waitForEvent(
      dash,
      id,
      (e) => e.type === "control" && (e as { action?: string }).action === "rate-changed",
    );
    const bad = await call(dash.url, "POST", `/api/runs/${id}/rate`, {
      key: KEYS.operator,
      body: { opsPerSecond: -5 },
    });
    assert.equal(bad.status, 400);
    await call(dash.url, "POST", `/api/runs/${id}/stop`, { key: KEYS.operator });
    const ended = await dash.runs.finished(id);
    const result = JSON.parse(readFileSync(ended!.reportPath!, "utf8")) as RunResult & {
      control?: { pausedMs: number; rateChanges: { opsPerSecond: number }[] };
    };
    assert.ok((result.control?.pausedMs ?? 0) >= 700, JSON.stringify(result.control));
    assert.deepEqual(
      result.control?.rateChanges.map((r) => r.opsPerSecond),
      [4000],
    );
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    const late = await call(dash.url, "POST", `/api/runs/${id}/pause`, { key: KEYS.operator });
    assert.equal(late.status, 409);
    assert.match(late.data.message, /is ended/);

    // A closed-loop run has no rate to change: the engine's reason comes back.
    const closed = await call(dash.url, "POST", "/api/runs", {
      key: KEYS.operator,
      body: { url: redis.url, overrides: { duration: "20s", connections: 2 } },
    });
    const closedId = closed.data.id as string;
    const refused = await call(dash.url, "POST", `/api/runs/${closedId}/rate`, {
      key: KEYS.operator,
      body: { opsPerSecond: 1000 },
    });
    assert.equal(refused.status, 409, JSON.stringify(refused.data));
    assert.match(refused.data.message, /closed loop/);
    await call(dash.url, "POST", `/api/runs/${closedId}/stop`, { key: KEYS.operator });
    await dash.runs.finished(closedId);
    const lines = auditLines(dash.auditLogPath).filter((l) => l.run === id && l.action !== "start");
    assert.deepEqual(
      lines.map((l) => `${l.action}:${l.outcome}`),
      [
        "pause:denied",
        "pause:requested",
        "pause:done",
        "resume:requested",
        "resume:done",
        "rate:requested",
        "rate:done",
        "stop:requested",
        "stop:done",
        "pause:requested",
        "pause:failed",
      ],
    );
  });

  it("compares two runs of the results folder with the compare view; bad names get 400", async () => {
    const history = await call(dash.url, "GET", "/api/history", { key: KEYS.viewer });
    const files = (history.data as { file: string }[]).map((h) => h.file);
    assert.ok(files.length >= 2, `two runs in the history: ${files.join(", ")}`);
    const [current, base] = files;
    const query = `base=${encodeURIComponent(base)}&current=${encodeURIComponent(current)}`;
    const html = await call(dash.url, "GET", `/api/compare?${query}`, { key: KEYS.viewer });
    assert.equal(html.status, 200);
    assert.match(String(html.headers.get("content-type")), /text\/html/);
    assert.match(String(html.data), new RegExp(base.replace(/[.]/g, "\\.")));
    const json = await call(dash.url, "GET", `/api/compare?${query}&format=json`, { key: KEYS.viewer });
    const throughput = (json.data.rows as { key: string; cells: { center?: number }[] }[]).find(
      (r) => r.key === "throughput",
    );
    assert.equal(
      throughput?.cells.length,
      2,
      JSON.stringify(json.data.rows.map((r: { key: string }) => r.key)),
    );
    assert.equal((await call(dash.url, "GET", `/api/compare?${query}`)).status, 401);
    const bad = await call(dash.url, "GET", "/api/compare?base=..%2Fsecret.json&current=notes.md", {
      key: KEYS.viewer,
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      (bad.data.problems as { field: string }[]).map((p) => p.field),
      ["base", "current"],
    );
  });
});
