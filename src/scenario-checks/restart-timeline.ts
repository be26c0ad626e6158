import { createConnection } from "node:net";
import type { ManagedRedis } from "../core/managed-redis.js";
import { sleep } from "./check-options.js";

/**
 * When each step of a restart happened, ms after the stop signal was sent. ManagedRedis.restart()
 * only resolves once the new server answers PING (it answers -LOADING while it reads its files), so
 * this watches beside it: the old process gone, the new one's first reply of any kind, first +PONG.
 */
export interface RestartTimeline {
  signal: "SIGTERM" | "SIGKILL";
  /** Until the old process had exited (a SIGTERM shutdown writes the AOF / RDB first). */
  stoppedMs: number | null;
  /** Until the new server first answered at all (usually -LOADING). */
  firstReplyMs: number | null;
  /** Until the first PING got +PONG: the server serves commands again. */
  pingMs: number | null;
}

/** How often the old pid and the port are polled while the restart runs, ms. */
const POLL_MS = 5;
/** Longest one PING probe waits for its reply, ms. */
const PROBE_TIMEOUT_MS = 250;

/** `started` is the performance.now() every figure counts from; by default, now. */
export async function timedRestart(
  managed: ManagedRedis,
  signal: "SIGTERM" | "SIGKILL",
  timeoutMs: number,
  started = performance.now(),
): Promise<RestartTimeline> {
  const restart = managed.restart;
  if (restart === undefined) throw new Error("this server cannot be restarted by the tool");
  const oldPid = managed.pid;
  const since = () => Math.round((performance.now() - started) * 1000) / 1000;
  const timeline: RestartTimeline = { signal, stoppedMs: null, firstReplyMs: null, pingMs: null };
  let settled = false;
  let failure: unknown;
  const restarting = restart.call(managed, { signal, readyTimeoutMs: timeoutMs }).then(
    () => {
      settled = true;
    },
    (error: unknown) => {
      settled = true;
      failure = error;
    },
  );
  const deadline = started + timeoutMs;
  while (!settled && performance.now() < deadline) {
    if (timeline.stoppedMs === null) {
      // A server restarted by --restart-command has no pid here (pid 0): it is down when the port is.
      if (oldPid > 0 ? !isAlive(oldPid) : (await ping(managed.host, managed.port)) === undefined)
        timeline.stoppedMs = since();
    } else {
      const reply = await ping(managed.host, managed.port);
      if (reply !== undefined) timeline.firstReplyMs ??= since();
      if (reply === "+PONG") {
        timeline.pingMs ??= since();
        break;
      }
    }
    await sleep(POLL_MS);
  }
  await restarting;
  if (failure !== undefined) throw failure;
  // restart() saw +PONG itself (and checked the pid) when the poll above was between probes.
  timeline.stoppedMs ??= since();
  timeline.firstReplyMs ??= since();
  timeline.pingMs ??= since();
  return timeline;
}

/** Signal 0 tests for the process without touching it. EPERM means another user's process has the pid now. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The first line of the reply to one PING on a fresh connection; undefined when nothing answered. */
function ping(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let text = "";
    let done = false;
    const socket = createConnection({ host, port });
    const finish = (reply: string | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), PROBE_TIMEOUT_MS);
    socket.setEncoding("latin1");
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk: string) => {
      text += chunk;
      const end = text.indexOf("\r\n");
      if (end >= 0) finish(text.slice(0, end).split(" ")[0]);
    });
    socket.on("error", () => finish(undefined));
    socket.on("close", () => finish(undefined));
  });
}
