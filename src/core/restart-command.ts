import { spawn } from "node:child_process";
import type { RunConfig } from "../config/types.js";
import { AdminClient } from "./admin-client.js";
import type { ConnectionTarget } from "./connection-target.js";
import type { ManagedRedis } from "./managed-redis.js";
import { redactText } from "./redact.js";

/**
 * --restart-command CMD: restarts of a server the tool did not start (a container, a service). The
 * tool runs CMD through the shell, waits (bounded) for it to exit 0, then for the server to answer
 * PING again (not -LOADING), and checks that it really restarted (a new run_id); persistence-recovery
 * and the restart fault then go on as with a server the tool started. The command may hold a secret,
 * so no message and no report ever shows it: they say "--restart-command". docs/restart-command.md.
 *
 * The command learns what the tool would have done itself from its environment:
 * CACHESTRESS_RESTART_SIGNAL (SIGTERM, or SIGKILL for a crash) and CACHESTRESS_RESTART_DOWN_MS
 * (how long a restart fault wants the server down), plus CACHESTRESS_RESTART_HOST / _PORT.
 */

/** How long the command and then the server get by default, ms. */
export const RESTART_TIMEOUT_MS = 60_000;
/** Between two readiness probes, ms. */
const PROBE_EVERY_MS = 100;
/** Characters of the command's stderr shown when it fails (redacted). */
const STDERR_SHOWN_CHARS = 300;

export class RestartCommandError extends Error {
  readonly code = "E_RESTART_COMMAND";
  constructor(message: string) {
    super(message);
    this.name = "RestartCommandError";
  }
}

/**
 * A server restartable by command, in the shape checks and faults take for a server the tool started.
 * `pid` is 0 (unknown: it may run in a container), `dir` empty, `stop()` does nothing: it is the user's.
 */
export function commandRestartable(
  command: string,
  target: ConnectionTarget,
  where: string,
): ManagedRedis & { restart: NonNullable<ManagedRedis["restart"]> } {
  return {
    url: `redis://${target.host}:${target.port}`,
    host: target.host,
    port: target.port,
    pid: 0,
    dir: "",
    stop: async () => {},
    restart: async (options = {}) => {
      const timeoutMs = options.readyTimeoutMs ?? RESTART_TIMEOUT_MS;
      const before = await runId(target, where);
      await runRestartCommand(command, timeoutMs, {
        CACHESTRESS_RESTART_SIGNAL: options.signal ?? "SIGTERM",
        CACHESTRESS_RESTART_DOWN_MS: String(options.downMs ?? 0),
        CACHESTRESS_RESTART_HOST: target.host,
        CACHESTRESS_RESTART_PORT: String(target.port),
      });
      const after = await waitUntilServing(target, where, timeoutMs);
      if (before !== undefined && after !== undefined && before === after)
        throw new RestartCommandError(
          `--restart-command exited 0 but ${where} did not restart (same run_id ${after}): it must stop and start the server`,
        );
    },
  };
}

/** The restartable server of a run with --restart-command and a --url, else undefined. */
export function restartableFor(
  config: RunConfig,
  target: ConnectionTarget,
  where: string,
): ReturnType<typeof commandRestartable> | undefined {
  return config.restartCommand !== undefined && config.url !== undefined
    ? commandRestartable(config.restartCommand, target, where)
    : undefined;
}

/** Runs the command in a shell; resolves when it exits 0, rejects with a one-line cause otherwise. */
export function runRestartCommand(
  command: string,
  timeoutMs: number,
  extraEnv: Record<string, string>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a stuck command is stopped with what it started. Only stderr is
    // kept; 'exit' (not 'close') ends the wait, since a server it starts may keep inherited pipes open.
    const child = spawn(command, {
      shell: true,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, ...extraEnv },
      detached: true,
    });
    let stderr = "";
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `did not finish within ${timeoutMs} ms`;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }, timeoutMs);
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString("utf8");
    });
    child.on("error", (error) => {
      failure ??= error.message;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      child.stderr.destroy();
      const lead = "--restart-command";
      if (failure !== undefined) return reject(new RestartCommandError(`${lead} ${failure}`));
      if (code === 0) return resolve();
      const said = redactText(stderr.trim().split("\n").at(-1)?.slice(0, STDERR_SHOWN_CHARS) ?? "");
      const how = code !== null ? `exited with code ${code}` : `ended by ${signal}`;
      reject(new RestartCommandError(`${lead} ${how}${said ? `: ${said}` : ""}`));
    });
  });
}

/** The server's run_id (INFO server), or undefined when it cannot be read. */
async function runId(target: ConnectionTarget, where: string): Promise<string | undefined> {
  let admin: AdminClient | undefined;
  try {
    admin = await AdminClient.connect(target, where);
    const info = String(await admin.sendCommand(["INFO", "server"]));
    return /run_id:(\S+)/.exec(info)?.[1];
  } catch {
    return undefined;
  } finally {
    await admin?.close().catch(() => {});
  }
}

/** Waits until PING gets PONG (a loading server answers -LOADING); returns the new run_id. */
async function waitUntilServing(
  target: ConnectionTarget,
  where: string,
  timeoutMs: number,
): Promise<string | undefined> {
  const deadline = performance.now() + timeoutMs;
  let last = "no answer";
  while (performance.now() < deadline) {
    let admin: AdminClient | undefined;
    try {
      admin = await AdminClient.connect(target, where);
      if ((await admin.sendCommand(["PING"])) === "PONG") {
        const info = String(await admin.sendCommand(["INFO", "server"]).catch(() => ""));
        return /run_id:(\S+)/.exec(info)?.[1];
      }
    } catch (error) {
      last = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    } finally {
      await admin?.close().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
  }
  throw new RestartCommandError(
    `${where} did not answer PING within ${timeoutMs} ms after --restart-command (last: ${redactText(last)})`,
  );
}
