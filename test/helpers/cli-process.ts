import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { CLI_PATH } from "./cli.js";

/**
 * The CLI as a live process, for tests that must act while it runs (read the managed server's PID
 * from its output, kill it, kill its parent). Every wait is bounded; `dispose()` SIGKILLs whatever
 * is left of it by PID, for teardown when a test fails.
 */
export interface LiveCli {
  child: ChildProcess;
  pid: number;
  stderr(): string;
  /** Resolves with the first match in stderr, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** The exit code and signal, or undefined when it is still running after `timeoutMs`. */
  exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined>;
  dispose(): void;
}

export function startCli(args: string[], env: Record<string, string> = {}): LiveCli {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...env },
    detached: true,
  });
  let text = "";
  child.stderr?.on("data", (b: Buffer) => {
    text += b.toString("utf8");
  });
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitedPromise = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    }),
  );
  return {
    child,
    pid: child.pid ?? -1,
    stderr: () => text,
    waitFor: (pattern, timeoutMs) => waitForMatch(() => text, pattern, timeoutMs),
    exited: (timeoutMs) =>
      Promise.race([exitedPromise, new Promise<undefined>((r) => setTimeout(() => r(undefined), timeoutMs))]),
    dispose: () => {
      if (exit === undefined && child.pid !== undefined) killQuietly(child.pid);
    },
  };
}

export async function waitForMatch(
  read: () => string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(read());
    if (match !== null) return match;
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms in:\n${read()}`);
    await sleep(50);
  }
}

/**
 * True when no process has this PID any more. A killed process whose parent died stays a zombie
 * until its new parent reaps it, and PID 1 here may never do so: a zombie counts as gone.
 */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

/** Polls until the PID is gone; false when it is still there after `timeoutMs`. */
export async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() <= deadline) {
    if (processGone(pid)) return true;
    await sleep(50);
  }
  return processGone(pid);
}

export function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
