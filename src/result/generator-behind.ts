import { availableParallelism } from "node:os";
import type { RunResult } from "./result-types.js";

/**
 * Whether the load generator kept its own schedule, and what would help it on this machine.
 * Latency in open loop counts from each operation's intended start, so when cachestress sends late
 * the latency is partly its own: advice about the server built on that latency would blame the
 * server for the tool's delay.
 */

/** Sends 1 ms or more behind schedule above this share of all sends: the generator fell behind, %. */
export const LATE_SEND_LIMIT_PERCENT = 1;

/** Share of sends that left 1 ms or more late, %; 0 in closed loop. */
export function lateSendPercent(result: RunResult): number {
  const late = result.openLoop?.lateStarts ?? 0;
  const base = result.totals.sent > 0 ? result.totals.sent : result.totals.ops;
  return base > 0 ? (late / base) * 100 : 0;
}

export function generatorFellBehind(result: RunResult): boolean {
  return lateSendPercent(result) > LATE_SEND_LIMIT_PERCENT;
}

/**
 * What helps a generator that fell behind, on a machine with `cores` cores. More threads only help
 * while there are idle cores: with as many threads as cores (or more) they fight each other and a
 * local server for CPU, and advising more would make it worse.
 */
export function keepUpAdvice(threads: number, cores: number = availableParallelism()): string {
  const machine = `this machine has ${cores} core${cores === 1 ? "" : "s"}`;
  if (threads >= cores) {
    const fewer = Math.max(1, cores - 1);
    const fewerText = threads > fewer ? `fewer threads (--threads ${fewer}), ` : "";
    return (
      `--threads ${threads} already uses every core (${machine}): use ${fewerText}` +
      "more machines with --shard i/N, or a lower rate"
    );
  }
  return `use more threads (--threads up to ${cores}: ${machine}), more machines with --shard i/N, or a lower rate`;
}
