import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/**
 * File descriptors and disk I/O of a process on this host, from Linux's /proc, beside the CPU and
 * RSS of proc-stats.ts. A server runs out of descriptors (every client connection is one) long before
 * it runs out of CPU when connections churn, and a server that persists writes its AOF and RDB files
 * through /proc/PID/io's write_bytes. Every reader returns undefined rather than throwing: the
 * process may have exited, or belong to another user (EACCES).
 */

/** `self` is this process: the engine's worker threads share its descriptor table. */
export type ProcessRef = number | "self";

/** The soft "Max open files" limit from the text of /proc/PID/limits; undefined for "unlimited". */
export function fdLimitFromLimits(limitsText: string): number | undefined {
  const match = /^Max open files\s+(\d+|unlimited)\s+/m.exec(limitsText);
  if (match === null || match[1] === "unlimited") return undefined;
  return Number(match[1]);
}

/** read_bytes / write_bytes (what reached the storage layer) from the text of /proc/PID/io. */
export function ioBytesFromText(ioText: string): { readBytes: number; writeBytes: number } | undefined {
  const read = /^read_bytes:\s+(\d+)$/m.exec(ioText);
  const write = /^write_bytes:\s+(\d+)$/m.exec(ioText);
  if (read === null || write === null) return undefined;
  return { readBytes: Number(read[1]), writeBytes: Number(write[1]) };
}

function procPath(ref: ProcessRef, file: string): string | undefined {
  if (process.platform !== "linux") return undefined;
  if (ref !== "self" && (!Number.isInteger(ref) || ref <= 0)) return undefined;
  return `/proc/${ref}/${file}`;
}

function readText(ref: ProcessRef, file: string): string | undefined {
  const path = procPath(ref, file);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Open descriptors of the process; for `self`, the one the listing itself opens is not counted. */
export function openFdCount(ref: ProcessRef): number | undefined {
  const path = procPath(ref, "fd");
  if (path === undefined) return undefined;
  try {
    const count = readdirSync(path).length;
    return ref === "self" ? Math.max(0, count - 1) : count;
  } catch {
    return undefined;
  }
}

/** How many of the process's descriptors are sockets (TCP connections, listeners, pipes excluded). */
export function socketCount(ref: ProcessRef, limit = 100_000): number | undefined {
  const path = procPath(ref, "fd");
  if (path === undefined) return undefined;
  let names: string[];
  try {
    names = readdirSync(path);
  } catch {
    return undefined;
  }
  let sockets = 0;
  for (const name of names.slice(0, limit)) {
    try {
      if (readlinkSync(`${path}/${name}`).startsWith("socket:")) sockets++;
    } catch {
      // Closed between the listing and the readlink: it is no longer open.
    }
  }
  return sockets;
}

export function fdLimit(ref: ProcessRef): number | undefined {
  const text = readText(ref, "limits");
  return text === undefined ? undefined : fdLimitFromLimits(text);
}

export function ioBytes(ref: ProcessRef): { readBytes: number; writeBytes: number } | undefined {
  const text = readText(ref, "io");
  return text === undefined ? undefined : ioBytesFromText(text);
}

/** What one sample of a process's descriptors and disk I/O holds. */
export interface ResourceReading {
  openFds?: number;
  fdLimit?: number;
  /** Bytes per second over the time since the previous reading; absent on the first. */
  readBytesPerSec?: number;
  writeBytesPerSec?: number;
}

/**
 * Reads a process's descriptors and turns its I/O counters into rates between calls. A new PID (a
 * restarted server) starts the rates over rather than subtracting another process's counters.
 */
export class ProcessResourceReader {
  private previous: { pid: ProcessRef; atMs: number; readBytes: number; writeBytes: number } | undefined;

  read(pid: ProcessRef, atMs: number = performance.now()): ResourceReading {
    const reading: ResourceReading = {};
    const fds = openFdCount(pid);
    if (fds !== undefined) reading.openFds = fds;
    const limit = fdLimit(pid);
    if (limit !== undefined) reading.fdLimit = limit;
    const io = ioBytes(pid);
    if (io === undefined) return reading;
    const before = this.previous;
    if (before !== undefined && before.pid === pid && atMs > before.atMs) {
      const spanS = (atMs - before.atMs) / 1000;
      const read = io.readBytes - before.readBytes;
      const written = io.writeBytes - before.writeBytes;
      // Counters only grow; a smaller one means another process took the PID.
      if (read >= 0 && written >= 0) {
        reading.readBytesPerSec = Math.round(read / spanS);
        reading.writeBytesPerSec = Math.round(written / spanS);
      }
    }
    this.previous = { pid, atMs, ...io };
    return reading;
  }
}
