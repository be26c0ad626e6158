import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { BlockList, isIP } from "node:net";
import cookie from "@fastify/cookie";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { ConfigError } from "../config/errors.js";
import { listScenarioNames } from "../config/scenario-paths.js";
import { TOOL_VERSION } from "../run/version.js";
import type { KeyRing } from "./access-keys.js";
import { errorReply, loginBody, problemsReply, runIdParams, runInfo, startBody } from "./api-schemas.js";
import { AuditLog } from "./audit-log.js";
import { registerControlRoutes } from "./control-routes.js";
import { registerHistoryRoutes } from "./history-routes.js";
import { authorize, identify, SESSION_COOKIE } from "./identity.js";
import { DASHBOARD_PAGE } from "./page.js";
import { RunConflictError, RunManager, type RunMessage } from "./run-manager.js";
import { SESSION_TTL_MS, Sessions } from "./sessions.js";
import { resolveStartRequest, type StartRequest } from "./start-request.js";

export interface DashboardOptions {
  keys: KeyRing;
  /** Results folder: where runs write their reports and the history is read from. */
  outDir: string;
  auditLogPath: string;
  /** Addresses or CIDR ranges allowed to connect; empty = everyone who can reach the port. */
  allowIps?: string[];
  /** Logins per minute per address before 429. */
  loginsPerMinute?: number;
}

export interface Dashboard {
  app: FastifyInstance;
  runs: RunManager;
  audit: AuditLog;
}

const require = createRequire(import.meta.url);

/**
 * The dashboard's HTTP server: the page, the JSON API (documented at /api/docs from the same schemas
 * it validates with), and the live stream over a WebSocket. Listening is the caller's: `app.listen`.
 */
export async function buildDashboard(options: DashboardOptions): Promise<Dashboard> {
  const app = Fastify({
    logger: false,
    bodyLimit: 512 * 1024,
    ajv: { customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false } },
  });
  const sessions = new Sessions();
  const audit = new AuditLog(options.auditLogPath);
  const runs = new RunManager();
  const { keys } = options;
  const gate = (needed: Parameters<typeof authorize>[2], action?: string) => ({
    keys,
    sessions,
    audit,
    action,
    needed,
  });

  const allow = allowList(options.allowIps ?? []);
  if (allow !== undefined)
    app.addHook("onRequest", async (request, reply) => {
      if (!allow.check(request.ip, isIP(request.ip) === 6 ? "ipv6" : "ipv4"))
        return reply
          .code(403)
          .send({ error: "forbidden", message: "this address is not on the dashboard's allow-list" });
    });

  // Request validation: every problem at once, in the same shape as a run configuration's problems.
  app.setErrorHandler((error, _request, reply) => {
    const validation = (
      error as { validation?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] }
    ).validation;
    if (validation !== undefined) {
      const problems = validation.map((v) => ({
        field: `${v.instancePath.replace(/^\//, "").replace(/\//g, ".") || "body"}${v.params?.additionalProperty !== undefined ? `.${String(v.params.additionalProperty)}` : ""}`,
        value: undefined,
        allowed: v.message ?? "a valid value",
      }));
      return reply
        .code(400)
        .send({ error: "invalid", message: `${problems.length} problem(s) in the request`, problems });
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply
      .code(status)
      .send({ error: status === 429 ? "too many requests" : "error", message: (error as Error).message });
  });

  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "cachestress dashboard",
        version: TOOL_VERSION,
        description:
          "Start, stop and watch cachestress runs. Every call needs a key: Authorization: Bearer KEY, or the session cookie of POST /api/login.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer" },
          session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(websocket, { options: { maxPayload: 4096 } });

  app.get("/", { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .header(
        "content-security-policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; connect-src 'self'",
      )
      .send(DASHBOARD_PAGE),
  );
  app.get("/favicon.ico", { schema: { hide: true } }, async (_request, reply) => reply.code(204).send());
  app.get("/assets/uplot.js", { schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/javascript").send(await readFile(require.resolve("uplot/dist/uPlot.iife.min.js"))),
  );
  app.get("/assets/uplot.css", { schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/css").send(await readFile(require.resolve("uplot/dist/uPlot.min.css"))),
  );

  app.post(
    "/api/login",
    {
      config: { rateLimit: { max: options.loginsPerMinute ?? 10, timeWindow: "1 minute" } },
      schema: {
        summary: "Log in with a key; sets an HttpOnly session cookie",
        body: loginBody,
        security: [],
        response: {
          200: { type: "object", properties: { keyId: { type: "string" }, role: { type: "string" } } },
          401: errorReply,
        },
      },
    },
    async (request, reply) => {
      const key = keys.find((request.body as { key: string }).key);
      if (key === undefined) {
        audit.write({ keyId: "unknown", role: "none", action: "login", outcome: "denied", ip: request.ip });
        return reply.code(401).send({ error: "unauthorized", message: "no such key" });
      }
      const session = sessions.create(key);
      audit.write({ keyId: key.id, role: key.role, action: "login", outcome: "done", ip: request.ip });
      void reply.setCookie(SESSION_COOKIE, session, {
        httpOnly: true,
        sameSite: "strict",
        path: "/",
        maxAge: SESSION_TTL_MS / 1000,
        secure: request.protocol === "https",
      });
      return { keyId: key.id, role: key.role };
    },
  );

  app.post("/api/logout", { schema: { summary: "End the session" } }, async (request, reply) => {
    sessions.end(request.cookies[SESSION_COOKIE]);
    void reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return { ok: true };
  });

  app.get(
    "/api/me",
    {
      schema: {
        summary: "Who the key or session is",
        response: {
          200: { type: "object", properties: { keyId: { type: "string" }, role: { type: "string" } } },
          401: errorReply,
        },
      },
    },
    async (request, reply) => {
      const who = authorize(request, reply, "viewer", gate("viewer"));
      return who === undefined ? reply : who;
    },
  );

  app.get(
    "/api/scenarios",
    {
      schema: {
        summary: "Shipped scenarios",
        response: { 200: { type: "array", items: { type: "string" } } },
      },
    },
    async (request, reply) => {
      if (authorize(request, reply, "viewer", gate("viewer")) === undefined) return reply;
      return listScenarioNames();
    },
  );

  app.get(
    "/api/runs",
    { schema: { summary: "Live and recent runs", response: { 200: { type: "array", items: runInfo } } } },
    async (request, reply) => {
      if (authorize(request, reply, "viewer", gate("viewer")) === undefined) return reply;
      return runs.list();
    },
  );

  app.get(
    "/api/runs/:id",
    {
      schema: {
        summary: "One run and its recent live events",
        params: runIdParams,
        response: { 404: errorReply },
      },
    },
    async (request, reply) => {
      if (authorize(request, reply, "viewer", gate("viewer")) === undefined) return reply;
      const { id } = request.params as { id: string };
      const run = runs.get(id);
      if (run === undefined) return reply.code(404).send({ error: "not found", message: `no run ${id}` });
      return { ...run, events: runs.recent(id) };
    },
  );

  app.post(
    "/api/runs",
    {
      schema: {
        summary: "Start a run (operator)",
        body: startBody,
        response: { 201: runInfo, 400: problemsReply, 409: errorReply },
      },
    },
    async (request, reply) => {
      const who = authorize(request, reply, "operator", { keys, sessions, audit, action: "start" });
      if (who === undefined) return reply;
      const body = request.body as StartRequest;
      const what = body.scenario ?? (body.file !== undefined ? "uploaded file" : "flags");
      audit.write({
        keyId: who.keyId,
        role: who.role,
        action: "start",
        outcome: "requested",
        detail: what,
        ip: request.ip,
      });
      try {
        const config = await resolveStartRequest(body, options.outDir);
        const run = runs.start(config, who.keyId, body.concurrent === true);
        audit.write({
          keyId: who.keyId,
          role: who.role,
          action: "start",
          run: run.id,
          outcome: "done",
          detail: `${config.scenario} → ${run.target}`,
          ip: request.ip,
        });
        return reply.code(201).send(run);
      } catch (error) {
        if (error instanceof ConfigError) {
          audit.write({
            keyId: who.keyId,
            role: who.role,
            action: "start",
            outcome: "invalid",
            detail: `${error.problems.length} problem(s)`,
            ip: request.ip,
          });
          return reply.code(400).send({
            error: "invalid",
            message: `${error.problems.length} problem(s) in the run configuration`,
            problems: error.problems,
          });
        }
        if (error instanceof RunConflictError) {
          audit.write({
            keyId: who.keyId,
            role: who.role,
            action: "start",
            outcome: "failed",
            detail: error.message,
            ip: request.ip,
          });
          return reply.code(409).send({ error: "conflict", message: error.message });
        }
        throw error;
      }
    },
  );

  registerControlRoutes(app, { keys, sessions, audit, runs });

  registerHistoryRoutes(app, { keys, sessions, audit, outDir: options.outDir });

  app.get(
    "/api/audit",
    { schema: { summary: "The audit log, newest last (admin)" } },
    async (request, reply) => {
      if (authorize(request, reply, "admin", gate("admin")) === undefined) return reply;
      const text = await readFile(audit.path, "utf8").catch(() => "");
      return text
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as unknown);
    },
  );

  app.get("/api/docs", { schema: { summary: "This OpenAPI document", security: [] } }, async () =>
    app.swagger(),
  );

  app.get(
    "/api/stream",
    {
      websocket: true,
      schema: {
        summary: "Live events of every run (WebSocket; the session cookie, or a first message { key })",
      },
    },
    (socket, request) => {
      let who = identify(request as FastifyRequest, keys, sessions);
      let unsubscribe: (() => void) | undefined;
      const send = (message: unknown) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
      };
      const begin = () => {
        send({ type: "hello", who, runs: runs.list().map((r) => ({ ...r, events: runs.recent(r.id) })) });
        unsubscribe = runs.subscribe((message: RunMessage) => send(message));
      };
      const timer = setTimeout(() => {
        if (who === undefined) socket.close(4401, "unauthorized");
      }, 5000);
      socket.on("message", (data: Buffer) => {
        if (who !== undefined) return;
        let key: string | undefined;
        try {
          key = (JSON.parse(data.toString()) as { key?: string }).key;
        } catch {
          key = undefined;
        }
        const found = keys.find(key);
        if (found === undefined) return socket.close(4401, "unauthorized");
        who = { keyId: found.id, role: found.role };
        begin();
      });
      socket.on("close", () => {
        clearTimeout(timer);
        unsubscribe?.();
      });
      if (who !== undefined) begin();
    },
  );

  app.addHook("onClose", async () => {
    await runs.stopAll();
  });
  return { app, runs, audit };
}

function allowList(entries: string[]): BlockList | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split("/");
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (bits !== undefined) list.addSubnet(address, Number(bits), type);
    else list.addAddress(address, type);
  }
  return list;
}
