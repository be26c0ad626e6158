import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { digestOf, KeyRing } from "../../src/dashboard/access-keys.js";
import { buildDashboard, type Dashboard } from "../../src/dashboard/server.js";
import { commandStats } from "./redis.js";

export const KEYS = {
  admin: "admin-key-0123456789abcdef",
  operator: "operator-key-0123456789abcd",
  viewer: "viewer-key-0123456789abcdef",
};

export interface TestDashboard extends Dashboard {
  url: string;
  outDir: string;
  auditLogPath: string;
  close(): Promise<void>;
}

/** A dashboard on 127.0.0.1 on a free port with one key per role, its reports in a temp folder. */
export async function startTestDashboard(loginsPerMinute = 10): Promise<TestDashboard> {
  const outDir = mkdtempSync(join(tmpdir(), "cachestress-dash-"));
  const auditLogPath = join(outDir, "audit.log");
  const dashboard = await buildDashboard({
    keys: new KeyRing([
      { id: "root", role: "admin", digest: digestOf(KEYS.admin) },
      { id: "ops", role: "operator", digest: digestOf(KEYS.operator) },
      { id: "watcher", role: "viewer", digest: digestOf(KEYS.viewer) },
    ]),
    outDir,
    auditLogPath,
    loginsPerMinute,
  });
  const url = await dashboard.app.listen({ port: 0, host: "127.0.0.1" });
  return { ...dashboard, url, outDir, auditLogPath, close: () => dashboard.app.close() };
}

export function keyFile(entries: object[]): string {
  const path = join(mkdtempSync(join(tmpdir(), "cachestress-keys-")), "keys.json");
  writeFileSync(path, JSON.stringify(entries));
  return path;
}

export interface ApiReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the API answered
  data: any;
  headers: Headers;
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; cookie?: string } = {},
): Promise<ApiReply> {
  const headers: Record<string, string> = {};
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(base + path, {
    method,
    headers,
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  let data: unknown;
  try {
    data = text === "" ? undefined : JSON.parse(text);
  } catch {
    data = text;
  }
  return { status: response.status, data, headers: response.headers };
}

/** One line of the audit log, as the tests read it. */
export interface AuditLine {
  keyId: string;
  role: string;
  action: string;
  run?: string;
  outcome: string;
  detail?: string;
}

export function auditLines(path: string): AuditLine[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as AuditLine);
}

/** SET + GET calls the server has counted (INFO commandstats): the load's commands. */
export async function runCalls(url: string): Promise<number> {
  const s = await commandStats(url);
  return (s.set?.calls ?? 0) + (s.get?.calls ?? 0);
}
