import { type AdminClient, escapeGlob } from "../core/admin-client.js";
import { withTimeout } from "../core/with-timeout.js";
import { parseInfoSections } from "../probes/parse-info.js";
import type { CheckContext } from "./check.js";
import { CheckUnavailableError } from "./key-reader.js";

/** Longest one admin command of a check may take, ms: a hung server must not hang the run. */
const COMMAND_TIMEOUT_MS = 5000;

export function command(admin: AdminClient, args: string[]): Promise<unknown> {
  return withTimeout(admin.sendCommand(args), COMMAND_TIMEOUT_MS, args[0]);
}

/** One setting by CONFIG GET; undefined when the server does not know it. RESP2 gives a flat array. */
export async function configGet(admin: AdminClient, name: string): Promise<string | undefined> {
  const reply = await command(admin, ["CONFIG", "GET", name]);
  if (Array.isArray(reply)) return reply.length >= 2 ? String(reply[1]) : undefined;
  if (reply !== null && typeof reply === "object") {
    const value = (reply as Record<string, unknown>)[name];
    return value === undefined ? undefined : String(value);
  }
  return undefined;
}

export async function configSet(admin: AdminClient, name: string, value: string): Promise<void> {
  await command(admin, ["CONFIG", "SET", name, value]);
}

/** `INFO <section>` as a flat map of field → raw value. */
export async function infoFields(admin: AdminClient, section: string): Promise<Record<string, string>> {
  return parseInfoSections(String(await command(admin, ["INFO", section])));
}

/** Keys under `prefix`, by a full SCAN (never KEYS, which blocks the server). */
export async function countKeys(admin: AdminClient, prefix: string): Promise<number> {
  const pattern = `${escapeGlob(prefix)}*`;
  let cursor = "0";
  let count = 0;
  // A SCAN cursor returns to 0 after a full pass; the bound only guards against a server that never does.
  for (let pass = 0; pass < 10_000_000; pass++) {
    const reply = (await command(admin, ["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"])) as [
      string,
      string[],
    ];
    cursor = String(reply[0]);
    count += reply[1].length;
    if (cursor === "0") break;
  }
  return count;
}

/**
 * Checks that measure or reconfigure one server (its memory, its maxmemory) cannot speak for a
 * cluster, whose keys spread over several: they refuse one before any load, saying `why`.
 */
export async function refuseCluster(context: CheckContext, kind: string, why: string): Promise<void> {
  const info = await command(context.admin, ["INFO", "cluster"]).catch(() => "");
  if (/cluster_enabled:1/.test(String(info)))
    throw new CheckUnavailableError(
      `check kind ${kind} ${why}; ${context.where} is a cluster node, which this check does not support`,
    );
}
