import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import WebSocket from "ws";
import { readKeyFile } from "../../src/dashboard/access-keys.js";
import {
  auditLines,
  call,
  KEYS,
  keyFile,
  runCalls,
  startTestDashboard,
  type TestDashboard,
} from "../helpers/dashboard.js";
import { type ManagedRedis, scanCount, startRedis } from "../helpers/redis.js";

describe("dashboard API against a real redis-server", () => {
  let redis: ManagedRedis;
  let dash: TestDashboard;
  before(async () => {
    redis = await startRedis();
    dash = await startTestDashboard();
  });
  after(async () => {
    await dash.close();
    await redis.stop();
  });

  it("401 without a key or with a wrong one; the page itself loads without one", async () => {
    assert.equal((await call(dash.url, "GET", "/api/runs")).status, 401);
    assert.equal((await call(dash.url, "GET", "/api/runs", { key: "not-a-key-at-all-really" })).status, 401);
    assert.equal((await call(dash.url, "POST", "/api/runs", { body: {} })).status, 401);
    const page = await call(dash.url, "GET", "/");
    assert.equal(page.status, 200);
    assert.match(String(page.data), /cachestress dashboard/);
  });

  it("403 for a viewer's control call, written to the audit log as denied; viewers may read", async () => {
    assert.equal((await call(dash.url, "GET", "/api/runs", { key: KEYS.viewer })).status, 200);
    const start = await call(dash.url, "POST", "/api/runs", { key: KEYS.viewer, body: { url: redis.url } });
    assert.equal(start.status, 403);
    const stop = await call(dash.url, "POST", "/api/runs/0badc0de/emergency-stop", { key: KEYS.viewer });
    assert.equal(stop.status, 403);
    const denied = auditLines(dash.auditLogPath).filter(
      (l) => l.outcome === "denied" && l.keyId === "watcher",
    );
    assert.deepEqual(
      denied.map((l) => l.action),
      ["start", "emergency-stop"],
    );
    assert.equal((await call(dash.url, "GET", "/api/audit", { key: KEYS.operator })).status, 403);
  });

  it("a malformed start request gets 400 with every problem listed, and nothing starts", async () => {
    const bad = await call(dash.url, "POST", "/api/runs", {
      key: KEYS.operator,
      body: {
        url: redis.url,
        bogus: 1,
        overrides: { duraton: "2s", connections: "many", "key-max": "-1", out: "/etc" },
      },
    });
    assert.equal(bad.status, 400, JSON.stringify(bad.data));
    const fields = (bad.data.problems as { field: string }[]).map((p) => p.field).sort();
    assert.deepEqual(fields, ["--connections", "--key-max", "bogus", "overrides.duraton", "overrides.out"]);
    assert.match(JSON.stringify(bad.data.problems), /did you mean \\"duration\\"/);
    const types = await call(dash.url, "POST", "/api/runs", {
      key: KEYS.operator,
      body: { url: 5, overrides: [] },
    });
    assert.equal(types.status, 400);
    assert.ok((types.data.problems as unknown[]).length >= 2, JSON.stringify(types.data));
    assert.deepEqual((await call(dash.url, "GET", "/api/runs", { key: KEYS.viewer })).data, []);
  });

  it("the OpenAPI document validates and describes the control routes", async () => {
    const doc = await call(dash.url, "GET", "/api/docs");
    assert.equal(doc.status, 200);
    const validator = new Validator();
    const outcome = await validator.validate(doc.data);
    assert.equal(outcome.valid, true, JSON.stringify(outcome.errors));
    for (const path of [
      "/api/runs",
      "/api/runs/{id}/stop",
      "/api/runs/{id}/emergency-stop",
      "/api/runs/{id}/pause",
      "/api/runs/{id}/resume",
      "/api/runs/{id}/rate",
      "/api/runs/{id}/faults",
      "/api/compare",
      "/api/login",
    ])
      assert.ok(path in doc.data.paths, path);
    assert.ok(doc.data.components.securitySchemes.bearer);
  });

  it("an operator starts a 50-connection run; emergency stop ends the load within a second, keys cleaned, report written, every step audited; the stream shows it live", async () => {
    const ws = new WebSocket(`${dash.url.replace("http", "ws")}/api/stream`);
    const messages: { type?: string; run?: string; event?: { type: string } }[] = [];
    ws.on("message", (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => ws.once("open", resolve));
    ws.send(JSON.stringify({ key: KEYS.viewer }));

    const started = await call(dash.url, "POST", "/api/runs", {
      key: KEYS.operator,
      body: {
        url: redis.url,
        overrides: { duration: "60s", connections: 50, pipeline: 4, prefix: "csdash:" },
      },
    });
    assert.equal(started.status, 201, JSON.stringify(started.data));
    const id = started.data.id as string;
    // A second run on the same target is refused while the first runs.
    const second = await call(dash.url, "POST", "/api/runs", {
      key: KEYS.operator,
      body: { url: redis.url },
    });
    assert.equal(second.status, 409);

    const deadline = Date.now() + 15_000;
    while (!messages.some((m) => m.run === id && m.event?.type === "interval") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      messages.some((m) => m.type === "hello"),
      "the stream greets after the key",
    );
    assert.ok(
      messages.some((m) => m.run === id && m.event?.type === "interval"),
      "live intervals arrive",
    );

    const stopAt = Date.now();
    const stop = await call(dash.url, "POST", `/api/runs/${id}/emergency-stop`, { key: KEYS.operator });
    assert.equal(stop.status, 200);
    // The server's own count stops growing: sample until two reads 100 ms apart agree.
    let previous = await runCalls(redis.url);
    let quietAt = 0;
    while (Date.now() - stopAt < 5000) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await runCalls(redis.url);
      if (now === previous) {
        quietAt = Date.now();
        break;
      }
      previous = now;
    }
    assert.ok(quietAt > 0, "the load stopped");
    const stoppedWithinMs = quietAt - stopAt;
    assert.ok(stoppedWithinMs <= 1500, `load stopped ${stoppedWithinMs} ms after the emergency stop`);
    const ended = await dash.runs.finished(id);
    assert.equal(ended?.state, "ended");
    assert.equal(ended?.stopReason, "emergency-stop");
    assert.equal(await scanCount(redis.url, "csdash:*"), 0);
    assert.ok(ended?.reportPath !== undefined);
    assert.equal(
      (JSON.parse(readFileSync(ended.reportPath, "utf8")) as { status: string }).status,
      "stopped",
    );
    const history = await call(dash.url, "GET", "/api/history", { key: KEYS.viewer });
    assert.ok((history.data as { file: string }[]).some((h) => ended.reportPath?.endsWith(h.file)));

    const audit = auditLines(dash.auditLogPath).filter((l) => l.keyId === "ops");
    assert.deepEqual(
      // The operator's last six lines: this start, the refused second start, the emergency stop.
      audit.slice(-6).map((l) => `${l.action}:${l.outcome}`),
      [
        "start:requested",
        "start:done",
        "start:requested",
        "start:failed",
        "emergency-stop:requested",
        "emergency-stop:done",
      ],
    );
    ws.close();
  });

  it("login sets an HttpOnly session cookie that works for API calls; logins are rate-limited", async () => {
    const dash2 = await startTestDashboard(3);
    try {
      const login = await call(dash2.url, "POST", "/api/login", { body: { key: KEYS.viewer } });
      assert.equal(login.status, 200);
      const cookie = login.headers.get("set-cookie") ?? "";
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Strict/i);
      const session = cookie.split(";")[0];
      assert.equal((await call(dash2.url, "GET", "/api/me", { cookie: session })).data.role, "viewer");
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push(
          (await call(dash2.url, "POST", "/api/login", { body: { key: "guess-guess-guess-guess" } })).status,
        );
      assert.deepEqual(statuses, [401, 401, 429, 429]);
      // The key is never written anywhere.
      assert.doesNotMatch(readFileSync(dash2.auditLogPath, "utf8"), new RegExp(KEYS.viewer));
    } finally {
      await dash2.close();
    }
  });

  it("a key file lists every problem at once", () => {
    const read = readKeyFile(
      keyFile([
        { id: "a", role: "boss", key: "short" },
        { id: "a", role: "viewer", keyEnv: "CS_NO_SUCH_VAR" },
      ]),
      {},
    );
    assert.deepEqual(
      read.problems.map((p) => p.field.replace(/^.*\[/, "[")),
      ["[0].role", "[0].key", "[1].id", "[1].keyEnv"],
    );
  });
});
