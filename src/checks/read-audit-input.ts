import { readFileSync } from "node:fs";
import { ErrorReply } from "@redis/client";
import type { HostKernelSettings } from "./audit-rules.js";
import { isLoopbackHost } from "./audit-values.js";
import type { AuditInput } from "./config-audit.js";

/**
 * Reads what the config audit needs from a live server: CONFIG GET *, INFO, ACL GETUSER default,
 * and the host's net.core.somaxconn when the server runs here. Managed services block or rename
 * some of these commands; a refused command is recorded in `unavailable` once and the audit goes
 * on with what it has, so a blocked CONFIG never ends the audit.
 */

/** The one method the reader uses, so tests can hand it a scripted fake instead of a server. */
export interface AuditClient {
  sendCommand(args: string[]): Promise<unknown>;
}

export interface ReadAuditOptions {
  /** The host the client connected to: decides whether /proc is this server's host. */
  host: string;
  /** Whether the connection authenticated; if it did not and still works, the default user needs no password. */
  authenticated: boolean;
  /** Reads net.core.somaxconn; replaceable in tests. */
  readSomaxconn?: () => number | undefined;
  /** Reads vm.overcommit_memory and THP; replaceable in tests. */
  readHostKernel?: () => HostKernelSettings;
}

export async function readAuditInput(client: AuditClient, opts: ReadAuditOptions): Promise<AuditInput> {
  const unavailable: string[] = [];
  const unavailableReasons: Record<string, string> = {};
  // A reply error means the server refused this one command (blocked, renamed, NOPERM); anything
  // else (the socket went away) ends the audit, because nothing further could be read either.
  const attempt = async <T>(
    name: string,
    args: string[],
    parse: (reply: unknown) => T,
  ): Promise<T | undefined> => {
    try {
      return parse(await client.sendCommand(args));
    } catch (error) {
      if (!(error instanceof ErrorReply)) throw error;
      unavailable.push(name);
      unavailableReasons[name] = error.message.split("\n")[0].trim();
      return undefined;
    }
  };

  const config = (await attempt("CONFIG GET", ["CONFIG", "GET", "*"], parsePairs)) ?? {};
  const info = (await attempt("INFO", ["INFO"], (reply) => parseInfo(String(reply)))) ?? {};
  let aclDefaultNopass = await attempt("ACL GETUSER", ["ACL", "GETUSER", "default"], parseDefaultUserNopass);
  // Without ACL GETUSER: a connection that never authenticated and still runs commands is the
  // default user, so that user needs no password.
  if (aclDefaultNopass === undefined && !opts.authenticated) aclDefaultNopass = true;
  const local = isLoopbackHost(opts.host);
  const somaxconn = local ? (opts.readSomaxconn ?? readSomaxconn)() : undefined;
  const hostKernel = local ? (opts.readHostKernel ?? readHostKernel)() : undefined;

  return {
    config,
    info,
    ...(aclDefaultNopass !== undefined ? { aclDefaultNopass } : {}),
    ...(somaxconn !== undefined ? { somaxconn } : {}),
    ...(hostKernel !== undefined ? { hostKernel } : {}),
    unavailable,
    unavailableReasons,
    targetHost: opts.host,
  };
}

/** RESP2 answers CONFIG GET with a flat [name, value, ...] array, RESP3 with a map. */
export function parsePairs(reply: unknown): Record<string, string> {
  const pairs: Record<string, string> = {};
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) pairs[String(reply[i])] = String(reply[i + 1]);
  } else if (reply instanceof Map) {
    for (const [k, v] of reply) pairs[String(k)] = String(v);
  } else if (reply !== null && typeof reply === "object") {
    for (const [k, v] of Object.entries(reply)) pairs[k] = String(v);
  }
  return pairs;
}

/** INFO text as field → raw value; section headers and blank lines are skipped. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/**
 * ACL GETUSER default → whether that user is enabled and needs no password. The reply is
 * [`flags`, [...], `passwords`, [...], ...] (RESP2) or a map (RESP3); null when the user is missing.
 */
export function parseDefaultUserNopass(reply: unknown): boolean {
  let flags: unknown;
  if (Array.isArray(reply)) {
    const at = reply.findIndex((item) => String(item) === "flags");
    flags = at >= 0 ? reply[at + 1] : undefined;
  } else if (reply instanceof Map) {
    flags = reply.get("flags");
  } else if (reply !== null && typeof reply === "object") {
    flags = (reply as Record<string, unknown>).flags;
  }
  const list = Array.isArray(flags) ? flags.map(String) : [];
  return list.includes("on") && list.includes("nopass");
}

function readSomaxconn(): number | undefined {
  try {
    const value = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8").trim());
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    // Not Linux, or /proc is not mounted: the tcp-backlog row says it could not compare.
    return undefined;
  }
}

/** /proc and /sys of this host; a file that cannot be read leaves its field out (the row says so). */
function readHostKernel(): HostKernelSettings {
  const read = (path: string): string | undefined => {
    try {
      return readFileSync(path, "utf8").trim();
    } catch {
      return undefined;
    }
  };
  const overcommitMemory = read("/proc/sys/vm/overcommit_memory");
  // "always [madvise] never": the bracketed word is the mode in force.
  const thp = /\[(\w+)\]/.exec(read("/sys/kernel/mm/transparent_hugepage/enabled") ?? "")?.[1];
  return {
    ...(overcommitMemory !== undefined ? { overcommitMemory } : {}),
    ...(thp !== undefined ? { transparentHugepage: thp } : {}),
  };
}
