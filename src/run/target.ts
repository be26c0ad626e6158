import type { ConnectionTarget } from "../engine/load-connection.js";
import { redactUrl } from "../reports/redact.js";

export interface ResolvedTarget {
  connection: ConnectionTarget;
  /** The URL with secrets replaced, safe to print and store. */
  displayUrl: string;
}

export class TargetUrlError extends Error {
  readonly code = "E_TARGET_URL";
}

/**
 * Reads `redis://[user:pass@]host:port[/db]` or `rediss://...`. A password may also come from the
 * REDIS_PASSWORD environment variable, so it never has to appear on a command line.
 */
export function resolveTarget(url: string, env: NodeJS.ProcessEnv = process.env): ResolvedTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TargetUrlError(
      `--url: "${redactUrl(url)}" is not a URL; expected redis://[user:pass@]host:port[/db]`,
    );
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new TargetUrlError(
      `--url: scheme "${parsed.protocol}" is not supported; use redis:// or rediss://`,
    );
  }
  const dbText = parsed.pathname.replace(/^\//, "");
  const db = dbText === "" ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) {
    throw new TargetUrlError(`--url: database "${dbText}" must be a whole number (redis://host:port/0)`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
  const username = parsed.username !== "" ? decodeURIComponent(parsed.username) : undefined;
  const urlPassword = parsed.password !== "" ? decodeURIComponent(parsed.password) : undefined;
  const password = urlPassword ?? env.REDIS_PASSWORD;
  return {
    connection: {
      host,
      port: parsed.port !== "" ? Number(parsed.port) : 6379,
      tls: parsed.protocol === "rediss:",
      rejectUnauthorized: true,
      username: password !== undefined ? username : undefined,
      password,
      db,
    },
    displayUrl: redactUrl(url),
  };
}
