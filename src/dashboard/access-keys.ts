import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { ConfigProblem } from "../config/errors.js";

/**
 * Who may do what on the dashboard. Every API and stream call carries a key (`Authorization:
 * Bearer`, or a session cookie that a login with the key created); the key's role decides:
 * viewer reads, operator also starts and stops runs, admin also manages keys and reads the audit log.
 */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export interface AccessKey {
  /** Named in the audit log instead of the key itself. */
  id: string;
  role: Role;
  /** SHA-256 of the key: the key itself is never kept, printed or logged. */
  digest: Buffer;
}

export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export function digestOf(key: string): Buffer {
  return createHash("sha256").update(key, "utf8").digest();
}

/** A fresh admin key, printed once at start when none was given: 32 random bytes, base64url. */
export function generateKey(): string {
  return randomBytes(32).toString("base64url");
}

export class KeyRing {
  constructor(readonly keys: readonly AccessKey[]) {}

  /**
   * The key that matches, compared in constant time: every key's digest is compared (never an
   * early exit), so timing tells nothing about which key or how much of it matched.
   */
  find(presented: string | undefined): AccessKey | undefined {
    if (presented === undefined || presented === "") return undefined;
    const digest = digestOf(presented);
    let found: AccessKey | undefined;
    for (const key of this.keys) if (timingSafeEqual(key.digest, digest) && found === undefined) found = key;
    return found;
  }
}

/**
 * A key file (YAML or JSON): a list of `{ id, role, key }` or `{ id, role, keyEnv }` (the key read
 * from an environment variable, so the file itself holds no secret). Every problem is listed.
 */
export function readKeyFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): { keys: AccessKey[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"), { maxAliasCount: 100 });
  } catch (error) {
    return {
      keys: [],
      problems: [
        {
          field: "--key-file",
          value: path,
          allowed: `a readable YAML or JSON list of keys (${(error as Error).message.split("\n")[0]})`,
        },
      ],
    };
  }
  // A bare list, or `keys:` holding one.
  const list = Array.isArray(doc) ? doc : (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list) || list.length === 0) {
    return {
      keys: [],
      problems: [
        { field: "--key-file", value: path, allowed: "a non-empty list of { id, role, key | keyEnv }" },
      ],
    };
  }
  const keys: AccessKey[] = [];
  const ids = new Set<string>();
  list.forEach((item: Record<string, unknown>, i) => {
    const at = `${path}[${i}]`;
    const id = typeof item?.id === "string" && /^[A-Za-z0-9_.@-]{1,64}$/.test(item.id) ? item.id : undefined;
    if (id === undefined)
      problems.push({
        field: `${at}.id`,
        value: item?.id,
        allowed: "a name of letters, digits, _ . @ - (shown in the audit log)",
      });
    else if (ids.has(id)) problems.push({ field: `${at}.id`, value: id, allowed: "each id once" });
    else ids.add(id);
    const role = ROLES.find((r) => r === item?.role);
    if (role === undefined)
      problems.push({ field: `${at}.role`, value: item?.role, allowed: ROLES.join(", ") });
    let key: string | undefined;
    if (typeof item?.keyEnv === "string") {
      key = env[item.keyEnv];
      if (key === undefined || key === "")
        problems.push({
          field: `${at}.keyEnv`,
          value: item.keyEnv,
          allowed: "the name of a set environment variable holding the key",
        });
    } else if (typeof item?.key === "string") key = item.key;
    else problems.push({ field: `${at}.key`, value: undefined, allowed: "key or keyEnv" });
    if (key !== undefined && key.length < 16)
      problems.push({ field: `${at}.key`, value: "(hidden)", allowed: "a key of at least 16 characters" });
    if (id !== undefined && role !== undefined && key !== undefined && key.length >= 16)
      keys.push({ id, role, digest: digestOf(key) });
  });
  return { keys, problems };
}
