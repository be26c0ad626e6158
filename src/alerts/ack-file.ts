import { appendFileSync, readFileSync, statSync } from "node:fs";
import type { Acknowledgement } from "./alert-follow-up.js";

/**
 * Acknowledgements as a plain text file that a person (or `cachestress alerts ack RULE`) appends
 * to while a run is live, one per line:
 *
 *   memory_high 2026-12-06T19:40:00.000Z by alice
 *   p99_high                                   # no time: the file's modification time
 *
 * An acknowledgement counts for a firing that began before it, so an old line never silences the
 * next firing of the same rule. The file is read again only when its modification time changes.
 */
export class AckFile {
  private mtimeMs = -1;
  private acks: Acknowledgement[] = [];
  /** Why the file could not be read, once, for the run's notices. */
  problem: string | undefined;

  constructor(readonly path: string) {}

  read(): Acknowledgement[] {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.path).mtimeMs;
    } catch (error) {
      // Not there yet is normal: nobody has acknowledged anything.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        this.problem ??= `${this.path}: ${(error as Error).message}`;
      return this.acks;
    }
    if (mtimeMs === this.mtimeMs) return this.acks;
    try {
      this.acks = parseAcks(readFileSync(this.path, "utf8"), mtimeMs);
      this.mtimeMs = mtimeMs;
    } catch (error) {
      this.problem ??= `${this.path}: ${(error as Error).message}`;
    }
    return this.acks;
  }
}

const LINE = /^([A-Za-z][A-Za-z0-9_.-]{0,63})(?:\s+(\d{4}-\d\d-\d\dT[0-9:.]+Z))?(?:\s+by\s+(.{1,80}))?$/;

/** The acknowledgements in a file's text; lines that do not parse are skipped, comments too. */
export function parseAcks(text: string, fileTimeMs: number): Acknowledgement[] {
  const acks: Acknowledgement[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    const match = LINE.exec(line);
    if (match === null) continue;
    const atMs = match[2] !== undefined ? Date.parse(match[2]) : fileTimeMs;
    if (!Number.isFinite(atMs)) continue;
    acks.push({ rule: match[1], atMs, by: match[3]?.trim() });
  }
  return acks;
}

/** `cachestress alerts ack RULE...`: one line per rule, stamped now. */
export function appendAcks(
  path: string,
  rules: readonly string[],
  by: string | undefined,
  now = new Date(),
): string[] {
  const lines = rules.map((rule) => `${rule} ${now.toISOString()}${by !== undefined ? ` by ${by}` : ""}`);
  appendFileSync(path, `${lines.join("\n")}\n`);
  return lines;
}

export const ACK_RULE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
