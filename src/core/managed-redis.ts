import { type ChildProcess, spawn } from "node:child_process";
import {
  accessSync,
  constants,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createConnection, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/**
 * A redis-server that cachestress starts on 127.0.0.1 for itself: the default target when no `--url`
 * is given, and the server every integration test runs against. Nothing is persisted (`--save ""`,
 * no AOF), its working directory is a fresh temporary directory, and `stop()` removes both.
 */
export interface ManagedRedis {
  url: string;
  host: string;
  port: number;
  pid: number;
  /** The server's working directory; removed by `stop()`. */
  dir: string;
  /** SIGTERM, up to 3 s for it to exit, then SIGKILL; removes `dir`. Safe to call more than once. */
  stop(): Promise<void>;
  /**
   * Stops the server (SIGTERM, or SIGKILL for a crash), leaves it down for `downMs`, and starts it
   * again on the same port with the same arguments; resolves once it answers PING. `pid` changes.
   * The working directory and its files are kept: by default nothing is persisted, so the data is
   * gone afterwards, as for any cache that restarts; with `--appendonly yes` or save points in the
   * extra arguments the new server loads the AOF / RDB the old one wrote.
   */
  restart?(options?: {
    downMs?: number;
    signal?: "SIGTERM" | "SIGKILL";
    /** How long the new server may take to answer PING (it answers -LOADING while it reads its files), ms. */
    readyTimeoutMs?: number;
  }): Promise<void>;
}

export type ManagedRedisErrorCode = "E_REDIS_SERVER_MISSING" | "E_REDIS_SERVER_START";

export class ManagedRedisError extends Error {
  readonly code: ManagedRedisErrorCode;
  constructor(code: ManagedRedisErrorCode, message: string) {
    super(message);
    this.name = "ManagedRedisError";
    this.code = code;
  }
}

export interface StartManagedRedisOptions {
  /** More `redis-server` arguments, e.g. `["--maxmemory", "64mb"]`. Later arguments win. */
  extraArgs?: string[];
  /** How long to wait for the first `+PONG`, ms. */
  readyTimeoutMs?: number;
  /** The port to try first; when it is taken, another free port is used (read `port` on the result). */
  port?: number;
  /** The redis-server binary to run instead of looking it up on PATH. */
  redisServerPath?: string;
}

const HOST = "127.0.0.1";
const FALLBACK_DIRS = ["/usr/bin", "/usr/local/bin", "/usr/sbin", "/opt/homebrew/bin"];
const INSTALL_HINT = "install it with 'apt-get install redis-server' (Debian/Ubuntu) or 'brew install redis'";
const MAX_PORT_ATTEMPTS = 5;
const POLL_EVERY_MS = 50;
const STOP_GRACE_MS = 3000;
/** How much of the server's own log is kept for error messages, characters. */
const LOG_TAIL_CHARS = 8192;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Looks for `redis-server` on PATH, then in the usual install directories. */
export function findRedisServer(
  opts: { pathEnv?: string; fallbackDirs?: readonly string[] } = {},
): string | undefined {
  const pathEnv = opts.pathEnv ?? process.env.PATH ?? "";
  const dirs = [...pathEnv.split(delimiter).filter((d) => d !== ""), ...(opts.fallbackDirs ?? FALLBACK_DIRS)];
  for (const dir of dirs) {
    const candidate = join(dir, "redis-server");
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** A port that was free a moment ago on 127.0.0.1 (the caller must still cope with losing a race). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("could not read a free port"))));
    });
  });
}

// Servers still running in this process. The 'exit' handler kills them so a test or CLI that ends
// early (process.exit, uncaught error) leaves no redis-server behind; each one's watchdog covers
// the deaths that run no handler at all (SIGKILL, a crash of Node itself).
const running = new Map<number, { child: ChildProcess; dir: string; watchdog?: ChildProcess }>();
let exitHookInstalled = false;
const FORWARDED_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

function killAllNow(): void {
  for (const { child, dir, watchdog } of running.values()) {
    try {
      watchdog?.kill("SIGKILL");
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Already gone.
    }
  }
  running.clear();
}

/**
 * The servers run in their own process group, so a Ctrl-C in the terminal reaches the CLI (which
 * stops its run cleanly and then calls stop()) but not the server the run is measuring. When nobody
 * else listens for the signal, Node's default would end this process without an 'exit' event and
 * leave the servers behind; this handler kills them and then lets the default happen.
 */
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  killAllNow();
  removeSignalHooks();
  process.kill(process.pid, signal);
}

function installHooks(): void {
  if (!exitHookInstalled) {
    process.on("exit", killAllNow);
    exitHookInstalled = true;
  }
  // Prepended so it runs while a CLI's own `process.once` handler still counts as a listener.
  if (running.size === 1) for (const s of FORWARDED_SIGNALS) process.prependListener(s, onSignal);
}

function removeSignalHooks(): void {
  for (const s of FORWARDED_SIGNALS) process.off(s, onSignal);
}

function forget(pid: number): void {
  running.get(pid)?.watchdog?.kill("SIGKILL");
  if (running.delete(pid) && running.size === 0) removeSignalHooks();
}

/**
 * Node cannot ask the kernel to kill a child when its parent dies (no PR_SET_PDEATHSIG), so each
 * server gets a watchdog: a tiny `sh` in a session of its own that blocks reading a pipe whose only
 * writer is this process. The read returns at end-of-file, which the kernel delivers when this
 * process dies for any reason, SIGKILL included; the watchdog then kills the server by PID and
 * removes its directory. When the server ends normally the watchdog is killed first (forget()), so
 * it never signals a PID that another process may have been given since.
 */
const WATCHDOG_SCRIPT = 'read line; kill -KILL "$1" 2>/dev/null; rm -rf "$2"';

function startWatchdog(serverPid: number, dir: string): ChildProcess | undefined {
  try {
    const watchdog = spawn("sh", ["-c", WATCHDOG_SCRIPT, "cachestress-watchdog", String(serverPid), dir], {
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
    });
    watchdog.on("error", () => {}); // no sh: the 'exit' and signal hooks still cover the usual endings
    watchdog.unref();
    (watchdog.stdin as Socket | null)?.unref();
    return watchdog;
  } catch {
    return undefined;
  }
}

/** Written into each server's directory so a later start knows whether its owner is still alive. */
const OWNER_FILE = "cachestress-owner.pid";
const DIR_PREFIX = "cachestress-redis-";
let staleDirsRemoved = false;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the directories of servers whose owning cachestress process is gone (a run killed before
 * its watchdog could act, or a watchdog killed with it). A directory without an owner file, or whose
 * owner still runs, is left alone.
 */
export function removeStaleServerDirs(parent: string = tmpdir()): string[] {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(parent).filter((name) => name.startsWith(DIR_PREFIX));
  } catch {
    return removed;
  }
  for (const name of entries) {
    const dir = join(parent, name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, OWNER_FILE), "utf8").trim());
    } catch {
      continue;
    }
    if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid || isAlive(owner)) continue;
    try {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // Someone else's, or already gone: not ours to insist on.
    }
  }
  return removed;
}

function serverArgs(port: number, dir: string, extraArgs: readonly string[]): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    HOST,
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--daemonize",
    "no",
    "--protected-mode",
    "yes",
    ...extraArgs,
  ];
}

type PingOutcome = "ready" | "not-yet" | "someone-else";

/**
 * One readiness probe: PING, then INFO server to make sure the answer came from our child and not
 * from another server that already held the port.
 */
function probe(
  port: number,
  child: ChildProcess,
  expectedPid: number,
  timeoutMs: number,
): Promise<PingOutcome> {
  return new Promise((resolve) => {
    let reply = "";
    let settled = false;
    const socket = createConnection({ host: HOST, port });
    const finish = (outcome: PingOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off("exit", onExit);
      socket.destroy();
      resolve(outcome);
    };
    // Whoever answers on the port, our child exiting (e.g. on a bind error) ends the wait at once.
    const onExit = () => finish("not-yet");
    child.once("exit", onExit);
    const timer = setTimeout(() => finish("not-yet"), timeoutMs);
    socket.setEncoding("latin1");
    socket.on("connect", () => socket.write("PING\r\nINFO server\r\n"));
    socket.on("data", (chunk: string) => {
      reply += chunk;
      if (!reply.startsWith("+PONG\r\n")) {
        // -LOADING, -ERR ...: alive but not ready yet. Anything else is not a Redis we know.
        if (reply.includes("\r\n")) finish("not-yet");
        return;
      }
      const match = /process_id:(\d+)\r\n/.exec(reply);
      if (match) finish(Number(match[1]) === expectedPid ? "ready" : "someone-else");
    });
    socket.on("error", () => finish("not-yet"));
    socket.on("close", () => finish("not-yet"));
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The line of the server's output that says why it stopped, without redis-server's log prefix. */
function lastLogLine(log: string): string {
  const lines = log
    .split("\n")
    .map((l) => l.trim().replace(/^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [*#.-] /, ""))
    .filter((l) => l !== "");
  // A bad argument prints a banner, then the offending directive and the reason, on stderr.
  const banner = lines.findIndex((l) => l.includes("FATAL CONFIG FILE ERROR"));
  if (banner >= 0) {
    const detail = lines
      .slice(banner + 1)
      .filter((l) => !l.startsWith("Reading the configuration file"))
      .map((l) => l.replace(/^>>> /, ""));
    return `bad argument ${detail.join(": ")}`;
  }
  const fatal = lines.find((l) => /Could not create server|Can't|FATAL|Fatal error/.test(l));
  return fatal ?? lines.at(-1) ?? "no output";
}

const isBindConflict = (log: string) => /Address already in use|bind: /i.test(log);

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  if (await waitForExit(child, STOP_GRACE_MS)) return;
  child.kill("SIGKILL");
  await waitForExit(child, STOP_GRACE_MS);
}

type Attempt = { ok: true; redis: ManagedRedis } | { ok: false; retry: boolean; error: ManagedRedisError };
type Launch =
  | { ok: true; child: ChildProcess; pid: number }
  | { ok: false; retry: boolean; error: ManagedRedisError };

/** Spawns redis-server on `port` in `dir` and waits for its PING; on failure nothing is left running. */
async function launch(
  binary: string,
  port: number,
  dir: string,
  extraArgs: readonly string[],
  readyTimeoutMs: number,
): Promise<Launch> {
  const child = spawn(binary, serverArgs(port, dir, extraArgs), {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  const keepTail = (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-LOG_TAIL_CHARS);
  };
  // The server logs to stdout; both pipes are drained for its whole life so it never blocks on them,
  // and unref'd so a forgotten server does not keep this process alive (the 'exit' hook kills it).
  child.stdout?.on("data", keepTail);
  child.stderr?.on("data", keepTail);
  let spawnError: Error | undefined;
  child.on("error", (err) => {
    spawnError ??= err;
  });
  const pid = child.pid;
  if (pid === undefined) {
    await sleep(0); // let the 'error' event arrive
    const cause = spawnError?.message ?? "no pid";
    const missing = (spawnError as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
    return {
      ok: false,
      retry: false,
      error: missing
        ? new ManagedRedisError(
            "E_REDIS_SERVER_MISSING",
            `redis-server not found at ${binary}: ${INSTALL_HINT}`,
          )
        : new ManagedRedisError("E_REDIS_SERVER_START", `could not start ${binary}: ${cause}`),
    };
  }
  const watchdog = startWatchdog(pid, dir);
  running.set(pid, { child, dir, watchdog });
  // A server that dies by itself (crash, kill fault) frees its PID: its watchdog goes with it.
  child.once("exit", () => watchdog?.kill("SIGKILL"));
  installHooks();

  const fail = async (retry: boolean, message: string): Promise<Launch> => {
    await killAndWait(child);
    forget(pid);
    return { ok: false, retry, error: new ManagedRedisError("E_REDIS_SERVER_START", message) };
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const exited = child.exitCode !== null || child.signalCode !== null;
    if (exited) {
      // Give the pipes a moment to deliver the last lines (the bind error comes just before exit).
      await sleep(20);
      const how = child.exitCode !== null ? `code ${child.exitCode}` : `signal ${child.signalCode}`;
      return fail(
        isBindConflict(log),
        `redis-server exited with ${how} before it was ready on ${HOST}:${port}: ${lastLogLine(log)}; ` +
          `run '${binary} --port ${port}' by hand to see the whole error`,
      );
    }
    const outcome = await probe(
      port,
      child,
      pid,
      Math.max(POLL_EVERY_MS, Math.min(500, deadline - Date.now())),
    );
    if (outcome === "ready") break;
    if (outcome === "someone-else") {
      return fail(true, `port ${port} on ${HOST} is already used by another redis-server`);
    }
    if (Date.now() >= deadline) {
      return fail(
        false,
        `redis-server did not answer PING on ${HOST}:${port} within ${readyTimeoutMs} ms ` +
          `(last log line: ${lastLogLine(log)}); raise readyTimeoutMs if this machine is slow`,
      );
    }
    await sleep(POLL_EVERY_MS);
  }

  child.unref();
  (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  return { ok: true, child, pid };
}

async function attemptStart(
  binary: string,
  port: number,
  extraArgs: readonly string[],
  readyTimeoutMs: number,
): Promise<Attempt> {
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, OWNER_FILE), `${process.pid}\n`);
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const first = await launch(binary, port, dir, extraArgs, readyTimeoutMs);
  if (!first.ok) {
    removeDir();
    return first;
  }
  let current = first;
  let restarting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await restarting?.catch(() => {});
      await killAndWait(current.child);
      forget(current.pid);
      removeDir();
    })();
    return stopping;
  };
  const redis: ManagedRedis = { url: `redis://${HOST}:${port}`, host: HOST, port, pid: first.pid, dir, stop };
  // Same port, directory and arguments, so clients reconnect to the same address.
  redis.restart = (options = {}) => {
    if (stopping !== undefined || restarting !== undefined) {
      return Promise.reject(
        new ManagedRedisError(
          "E_REDIS_SERVER_START",
          "restart: the server is stopping or already restarting",
        ),
      );
    }
    restarting = (async () => {
      if (options.signal === "SIGKILL") {
        current.child.kill("SIGKILL");
        await waitForExit(current.child, STOP_GRACE_MS);
      } else {
        await killAndWait(current.child);
      }
      forget(current.pid);
      if ((options.downMs ?? 0) > 0) await sleep(options.downMs!);
      const next = await launch(binary, port, dir, extraArgs, options.readyTimeoutMs ?? readyTimeoutMs);
      if (!next.ok) throw next.error;
      current = next;
      redis.pid = next.pid;
    })().finally(() => {
      restarting = undefined;
    });
    return restarting;
  };
  return { ok: true, redis };
}

/**
 * Starts a redis-server on 127.0.0.1 and resolves once it answers PING. When the port turns out to
 * be taken (another process won the race for it), it tries again on another free port.
 */
export async function startManagedRedis(opts: StartManagedRedisOptions = {}): Promise<ManagedRedis> {
  const binary = opts.redisServerPath ?? findRedisServer();
  if (binary === undefined || !isExecutable(binary)) {
    const where = binary === undefined ? "on PATH or in /usr/bin, /usr/local/bin, /usr/sbin" : `at ${binary}`;
    throw new ManagedRedisError("E_REDIS_SERVER_MISSING", `redis-server not found ${where}: ${INSTALL_HINT}`);
  }
  const readyTimeoutMs = opts.readyTimeoutMs ?? 5000;
  if (!staleDirsRemoved) {
    staleDirsRemoved = true;
    removeStaleServerDirs();
  }
  let lastError: ManagedRedisError | undefined;
  for (let attempt = 0; attempt < MAX_PORT_ATTEMPTS; attempt++) {
    const port = attempt === 0 && opts.port !== undefined ? opts.port : await freePort();
    const result = await attemptStart(binary, port, opts.extraArgs ?? [], readyTimeoutMs);
    if (result.ok) return result.redis;
    lastError = result.error;
    if (!result.retry) throw result.error;
  }
  throw new ManagedRedisError(
    "E_REDIS_SERVER_START",
    `no free port after ${MAX_PORT_ATTEMPTS} attempts (${lastError?.message ?? "unknown"}); ` +
      "free some ports on 127.0.0.1 or pass one that is free",
  );
}
