import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The compiled CLI: this helper compiles to dist/test/helpers/, the CLI to dist/src/cli/. */
export const CLI_PATH = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export interface CliResult {
  /** null when the process ended by a signal (see `signal`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** True when the helper had to kill it for running past `timeoutMs`. */
  timedOut: boolean;
}

export interface RunCliOptions {
  /** Longest the CLI may run before it is stopped, ms (default 60 000). */
  timeoutMs?: number;
  /** Sends `signal` to the CLI after `afterMs`, e.g. to test a clean stop on SIGINT. */
  signalAfterMs?: { signal: NodeJS.Signals; afterMs: number };
  /** Added to (and overriding) this process's environment. */
  env?: Record<string, string>;
}

/** How long a timed-out CLI gets to stop its run and its own redis-server after SIGTERM, ms. */
const TERM_GRACE_MS = 5000;

/**
 * Runs `node dist/src/cli/main.js ...args` and collects its output. It never hangs a test: past
 * `timeoutMs` the CLI gets SIGTERM (so it can stop its own redis-server), then its whole process
 * group gets SIGKILL.
 */
export function runCli(args: string[], opts: RunCliOptions = {}): Promise<CliResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const started = performance.now();
  // Its own process group, so the SIGKILL below reaches anything it started in that group too.
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...opts.env },
    detached: true,
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (b: Buffer) => stdout.push(b));
  child.stderr.on("data", (b: Buffer) => stderr.push(b));

  let timedOut = false;
  const timers: NodeJS.Timeout[] = [];
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  timers.push(
    setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      timers.push(setTimeout(() => signalGroup("SIGKILL"), TERM_GRACE_MS));
    }, timeoutMs),
  );
  if (opts.signalAfterMs) {
    const { signal, afterMs } = opts.signalAfterMs;
    timers.push(setTimeout(() => child.kill(signal), afterMs));
  }

  return new Promise((resolve, reject) => {
    child.once("error", (err) => {
      for (const t of timers) clearTimeout(t);
      reject(err);
    });
    // A grandchild that kept the pipes open must not hold the result back for long.
    child.once("exit", () => {
      timers.push(
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
        }, 2000),
      );
    });
    // 'close' rather than 'exit': it comes after stdout and stderr have been read to the end.
    child.once("close", (code, signal) => {
      for (const t of timers) clearTimeout(t);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        durationMs: Math.round(performance.now() - started),
        timedOut,
      });
    });
  });
}
