import type { ConnectionTarget } from "./connection-target.js";
import { redactUrl } from "./redact.js";

export interface ResolvedTarget {
  connection: ConnectionTarget;
  /** The URL with secrets replaced, safe to print and store. */
  displayUrl: string;
}

export class TargetUrlError extends Error {
  readonly code = "E_TARGET_URL";
}

/** What a target needs beyond its URL: TLS files (as PEM text) and options, and a token as password. */
export interface TargetOptions {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  /** Skip TLS certificate verification. */
  insecure?: boolean;
  /** Replaces the URL's and REDIS_PASSWORD's password (a token from --auth-token-command). */
  password?: string;
}

/**
 * Reads `redis://[user:pass@]host:port[/db]` or `rediss://...`. The password may also come from the
 * REDIS_PASSWORD environment variable and the ACL user from REDIS_USERNAME, so that neither has to
 * appear on a command line; the URL wins when it has them.
 */
export function resolveTarget(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  options: TargetOptions = {},
): ResolvedTarget {
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
  const envUsername = env.REDIS_USERNAME !== "" ? env.REDIS_USERNAME : undefined;
  const username = parsed.username !== "" ? decodeURIComponent(parsed.username) : envUsername;
  const urlPassword = parsed.password !== "" ? decodeURIComponent(parsed.password) : undefined;
  const password = options.password ?? urlPassword ?? env.REDIS_PASSWORD;
  const tls = parsed.protocol === "rediss:";
  return {
    connection: {
      host,
      port: parsed.port !== "" ? Number(parsed.port) : 6379,
      tls,
      rejectUnauthorized: options.insecure !== true,
      ...(tls && options.servername !== undefined && { servername: options.servername }),
      ...(tls && options.ca !== undefined && { ca: options.ca }),
      ...(tls && options.cert !== undefined && { cert: options.cert, key: options.key }),
      username: password !== undefined ? username : undefined,
      password,
      db,
    },
    displayUrl: redactUrl(url),
  };
}
