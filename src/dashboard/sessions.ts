import { randomBytes } from "node:crypto";
import type { AccessKey, Role } from "./access-keys.js";

/** How long a login lasts, ms: a working day. */
export const SESSION_TTL_MS = 8 * 3_600_000;

export interface Session {
  keyId: string;
  role: Role;
  expiresAtMs: number;
}

/**
 * Logins: a browser cannot put a header on a WebSocket or an EventSource, and a key in a URL ends up
 * in logs; so the page logs in once with its key and gets an HttpOnly, SameSite=Strict cookie that
 * names a session here. Sessions live in memory: a restarted dashboard asks everyone to log in again.
 */
export class Sessions {
  private readonly byId = new Map<string, Session>();

  create(key: AccessKey, nowMs = Date.now()): string {
    const id = randomBytes(32).toString("base64url");
    this.byId.set(id, { keyId: key.id, role: key.role, expiresAtMs: nowMs + SESSION_TTL_MS });
    return id;
  }

  find(id: string | undefined, nowMs = Date.now()): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.byId.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAtMs <= nowMs) {
      this.byId.delete(id);
      return undefined;
    }
    return session;
  }

  end(id: string | undefined): void {
    if (id !== undefined) this.byId.delete(id);
  }
}
