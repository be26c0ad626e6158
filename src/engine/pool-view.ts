import type { OpenLoopSchedule } from "./open-loop-schedule.js";

/**
 * The connection-pool view of one engine thread (docs/connection-pool.md), read once per interval
 * report on the engine thread: never per operation, so the hot path keeps no extra counter.
 *
 * - in use: connections with at least one command sent and not yet answered;
 * - waiting: operations whose intended start (open loop) has passed but that could not be sent
 *   because every pipeline slot of their connection was taken or the connection was down, plus, on
 *   routed engines, operations held for a node that is being redirected to or retried. The closed
 *   loop makes its next operation only when a slot frees, so nothing ever waits there: 0.
 */

/** Counting stops here per report: past it the figure is a floor ("at least"), documented. */
export const MAX_WAITING_COUNTED = 100_000;

/** Connections up with a command in flight. */
export function connectionsInUse(connections: readonly { up: boolean; count: number }[]): number {
  let inUse = 0;
  for (const c of connections) if (c.up && c.count > 0) inUse++;
  return inUse;
}

/**
 * Open loop: how many intended starts of one connection (or lane) are due at `nowMs` but not sent,
 * at most `limit` and at most the connection's remaining quota.
 */
export function overdueOps(
  nextIntendedMs: number,
  schedule: OpenLoopSchedule | undefined,
  endEpochMs: number,
  nowMs: number,
  quota: number,
  limit: number,
): number {
  if (schedule === undefined) return 0;
  let n = 0;
  let t = nextIntendedMs;
  const most = Math.min(limit, quota);
  while (t <= nowMs && t < endEpochMs && n < most) {
    n++;
    t = schedule.nextIntendedMs(t);
  }
  return n;
}
