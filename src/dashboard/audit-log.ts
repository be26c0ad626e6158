import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** One control action: who, what, on which run, and how it went. Never a key or a password. */
export interface AuditEntry {
  time: string;
  keyId: string;
  role: string;
  action: string;
  run?: string;
  /** requested (written before the action), then done / failed / denied / invalid. */
  outcome: "requested" | "done" | "failed" | "denied" | "invalid";
  detail?: string;
  ip?: string;
}

/**
 * Append-only, one JSON object per line. Written synchronously: an action is logged before it is
 * carried out, so even a crash in the middle of it leaves its line.
 */
export class AuditLog {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  write(entry: Omit<AuditEntry, "time">): AuditEntry {
    const full: AuditEntry = { time: new Date().toISOString(), ...entry };
    appendFileSync(this.path, `${JSON.stringify(full)}\n`, { mode: 0o600 });
    return full;
  }
}
