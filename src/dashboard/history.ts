import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { RESULT_SCHEMA_VERSION, type RunResult } from "../result/result-types.js";

/** One past run in the results folder, as the history list shows it. */
export interface HistoryEntry {
  file: string;
  scenario?: string;
  env?: string;
  startedAt?: string;
  status?: string;
  verdict?: string;
  opsPerSec?: number;
  p99Ms?: number;
  /** Report files beside it with the same stem (.md, .html, ...). */
  formats: string[];
}

const RESULT_FILE = /^(result|merged|capacity)_[A-Za-z0-9_.-]+\.json$/;

/** The results folder's runs, newest first, at most `limit`; files that are not results are skipped. */
export async function readHistory(dir: string, limit = 100): Promise<HistoryEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const results = names.filter((n) => RESULT_FILE.test(n));
  const withTimes = await Promise.all(
    results.map(async (n) => ({
      n,
      mtimeMs: (await stat(join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0,
    })),
  );
  withTimes.sort((a, b) => b.mtimeMs - a.mtimeMs);
  const entries: HistoryEntry[] = [];
  for (const { n } of withTimes.slice(0, limit)) {
    const stem = n.replace(/\.json$/, "");
    const formats = names
      .filter((o) => o.startsWith(`${stem}.`) || o.startsWith(`${stem}_`))
      .map((o) => o.slice(stem.length));
    try {
      const r = JSON.parse(await readFile(join(dir, n), "utf8")) as {
        scenario?: string;
        env?: string;
        startedAt?: string;
        status?: string;
        verdict?: string;
        totals?: { opsPerSec?: number };
        latency?: { p99?: number };
      };
      entries.push({
        file: n,
        scenario: r.scenario,
        env: r.env,
        startedAt: r.startedAt,
        status: r.status,
        verdict: r.verdict,
        opsPerSec: r.totals?.opsPerSec,
        p99Ms: r.latency?.p99,
        formats,
      });
    } catch {
      // Half-written or foreign: not listed.
    }
  }
  return entries;
}

/** A report file's path inside the results folder, or undefined for any name that would leave it. */
export function reportPath(dir: string, name: string): string | undefined {
  if (name !== basename(name) || name.startsWith(".") || !/^[A-Za-z0-9_.-]+\.(json|md|html|csv)$/.test(name))
    return undefined;
  return join(dir, name);
}

/**
 * A run result file of the results folder, or why it is not one. The CLI's reader
 * (cli/read-result.ts) sits on the floor above the dashboard; this one asks the same questions of
 * one file: a cachestress run result, complete, of a schema this version reads.
 */
export async function readRunResult(path: string): Promise<RunResult | string> {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "not complete JSON";
  }
  const tool = data?.tool as { name?: unknown } | undefined;
  if (tool?.name !== "cachestress" || typeof data.schemaVersion !== "number")
    return "not a cachestress result";
  if (data.kind === "capacity") return "a capacity search result; compare takes run results";
  if (data.schemaVersion > RESULT_SCHEMA_VERSION)
    return `schemaVersion ${data.schemaVersion} is newer than this cachestress reads (${RESULT_SCHEMA_VERSION})`;
  const missing = ["totals", "latency", "series", "perCommand"].filter((k) => data[k] === undefined);
  return missing.length > 0
    ? `not a complete result (missing ${missing.join(", ")})`
    : (data as unknown as RunResult);
}
