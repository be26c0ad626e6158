import type { AdminClient } from "../core/admin-client.js";
import { sleep } from "./check-options.js";
import { command, infoFields } from "./server-reads.js";

/**
 * The background writes that put a server's data on disk: an AOF rewrite (BGREWRITEAOF) and an RDB
 * snapshot (BGSAVE), each waited for through INFO persistence until it finished, and judged by the
 * status the server reports for it.
 */

/** How often INFO persistence is read while waiting, ms. */
const POLL_MS = 20;

type Fields = Record<string, string>;

/** Reads INFO persistence until `done` holds; throws after `timeoutMs`. */
export async function waitForPersistence(
  admin: AdminClient,
  done: (fields: Fields) => boolean,
  timeoutMs: number,
  what: string,
): Promise<Fields> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const fields = await infoFields(admin, "persistence");
    if (done(fields)) return fields;
    if (performance.now() >= deadline) throw new Error(`${what} did not finish within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

/** Counters that only grow; absent on old servers, which then are judged by the in-progress flags alone. */
function counter(fields: Fields, name: string): number | undefined {
  const value = fields[name];
  return value === undefined ? undefined : Number(value);
}

/**
 * BGREWRITEAOF and waits until it finished; returns its time, ms. A rewrite the server started on its
 * own (auto-aof-rewrite) is waited out first, so the rewrite asked for here covers every write.
 */
export async function rewriteAof(admin: AdminClient, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const idle = (f: Fields) => f.aof_rewrite_in_progress === "0" && f.aof_rewrite_scheduled !== "1";
  const before = await waitForPersistence(admin, idle, timeoutMs, "an AOF rewrite already running");
  const rewritesBefore = counter(before, "aof_rewrites");
  await command(admin, ["BGREWRITEAOF"]);
  const after = await waitForPersistence(
    admin,
    (f) => idle(f) && (rewritesBefore === undefined || (counter(f, "aof_rewrites") ?? 0) > rewritesBefore),
    timeoutMs,
    "BGREWRITEAOF",
  );
  if (after.aof_last_bgrewrite_status !== "ok")
    throw new Error(`BGREWRITEAOF failed: aof_last_bgrewrite_status is ${after.aof_last_bgrewrite_status}`);
  return performance.now() - started;
}

/** BGSAVE (scheduled after a running AOF rewrite, if any) and waits until it finished; returns its time, ms. */
export async function saveRdb(admin: AdminClient, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const idle = (f: Fields) => f.rdb_bgsave_in_progress === "0";
  const before = await waitForPersistence(admin, idle, timeoutMs, "a BGSAVE already running");
  const savesBefore = counter(before, "rdb_saves");
  const lastSaveBefore = before.rdb_last_save_time;
  await command(admin, ["BGSAVE", "SCHEDULE"]);
  const after = await waitForPersistence(
    admin,
    (f) =>
      idle(f) &&
      (savesBefore !== undefined
        ? (counter(f, "rdb_saves") ?? 0) > savesBefore
        : f.rdb_last_save_time !== lastSaveBefore || f.rdb_changes_since_last_save === "0"),
    timeoutMs,
    "BGSAVE",
  );
  if (after.rdb_last_bgsave_status !== "ok")
    throw new Error(`BGSAVE failed: rdb_last_bgsave_status is ${after.rdb_last_bgsave_status}`);
  return performance.now() - started;
}
