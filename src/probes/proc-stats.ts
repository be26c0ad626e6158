import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * CPU time and resident memory of a process on this host, read from Linux's /proc. This is how a
 * server the tool manages (or one found running locally) gets CPU % and RSS beside its INFO: INFO's
 * used_cpu_* counters exist too, but /proc also covers Valkey/KeyDB forks and any thread the server
 * runs, and RSS there is the kernel's number rather than the allocator's estimate.
 */
export interface ProcessStats {
  /** User + system CPU time of all the process's threads, in clock ticks (see clockTicksPerSecond). */
  cpuTicks: number;
  rssBytes: number;
}

/** Executable names of servers whose PID we trust to be the one we are talking to. */
const SERVER_PROCESS_NAME = /redis|valkey|keydb|dragonfly|garnet/i;

/** Linux's USER_HZ on every mainstream architecture; getconf is asked once to be sure. */
const DEFAULT_CLOCK_TICKS_PER_SECOND = 100;
let cachedClockTicksPerSecond: number | undefined;

/** Clock ticks per second for /proc CPU times (`getconf CLK_TCK`, read once and cached). */
export function clockTicksPerSecond(): number {
  if (cachedClockTicksPerSecond !== undefined) return cachedClockTicksPerSecond;
  let ticks = DEFAULT_CLOCK_TICKS_PER_SECOND;
  if (process.platform === "linux") {
    try {
      const answer = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8", timeout: 2000 }).trim());
      if (Number.isInteger(answer) && answer > 0) ticks = answer;
    } catch {
      // No getconf (minimal containers): the kernel's USER_HZ is 100 there as well.
    }
  }
  cachedClockTicksPerSecond = ticks;
  return ticks;
}

/**
 * utime + stime from the text of /proc/<pid>/stat. The command name in parentheses may itself hold
 * spaces or parentheses, so fields are counted from the last `)`: after it come field 3 (state)
 * onwards, which puts utime (field 14) at index 11 and stime (field 15) at index 12.
 */
export function cpuTicksFromStat(statText: string): number | undefined {
  const close = statText.lastIndexOf(")");
  if (close < 0) return undefined;
  const fields = statText
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
}

/** VmRSS from the text of /proc/<pid>/status, in bytes (the kernel prints kB, meaning KiB). */
export function rssBytesFromStatus(statusText: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  return match === null ? undefined : Number(match[1]) * 1024;
}

/**
 * The process's CPU ticks and RSS now, or undefined off Linux, when the process is gone, or when it
 * is a zombie (no VmRSS line: it no longer has memory to report).
 */
export function readProcessStats(pid: number): ProcessStats | undefined {
  if (process.platform !== "linux" || !Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cpuTicks = cpuTicksFromStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
    const rssBytes = rssBytesFromStatus(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (cpuTicks === undefined || rssBytes === undefined) return undefined;
    return { cpuTicks, rssBytes };
  } catch {
    // ENOENT (exited between samples) or EACCES (another user's process under hidepid).
    return undefined;
  }
}

/**
 * CPU % between two readings taken `elapsedMs` apart; 100 means one core busy for the whole
 * interval, so a multi-threaded server can exceed 100. Undefined for a zero or negative interval or
 * when the tick counter went backwards (the PID now belongs to another process).
 */
export function cpuPercentBetween(
  previous: ProcessStats,
  current: ProcessStats,
  elapsedMs: number,
  ticksPerSecond: number = clockTicksPerSecond(),
): number | undefined {
  const ticks = current.cpuTicks - previous.cpuTicks;
  if (elapsedMs <= 0 || ticks < 0) return undefined;
  return (ticks / ticksPerSecond / (elapsedMs / 1000)) * 100;
}

/** The process's executable name (/proc/<pid>/comm, at most 15 characters); undefined when there is no such process here. */
export function processName(pid: number): string | undefined {
  if (process.platform !== "linux" || !Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === "localhost" || h === "::1" || h === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The PID of the server behind host:port when it runs on this host, from its own `INFO server`
 * fields. A server in a container may publish its port on localhost while reporting a PID of its own
 * namespace that belongs to some other process here, so the PID is only trusted when the port it
 * says it listens on is ours and /proc names it as a Redis-like server.
 */
export function findLocalPid(
  host: string,
  port: number,
  serverInfo: Record<string, string>,
): number | undefined {
  if (!isLoopbackHost(host)) return undefined;
  const pid = Number(serverInfo.process_id);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (serverInfo.tcp_port !== undefined && Number(serverInfo.tcp_port) !== port) return undefined;
  const name = processName(pid);
  return name !== undefined && SERVER_PROCESS_NAME.test(name) ? pid : undefined;
}
