import type { ConfigProblem } from "../config/errors.js";
import { PROXY_FAULT_KINDS, type ScheduledFault } from "./fault-schedule.js";

/**
 * The checks of a schedule that depend on the run around it: a network fault needs the proxy, a
 * restart a server the tool started, and faults that disrupt every client of someone else's server
 * an explicit --allow-server-faults.
 */

/** What the run around the schedule offers, for the checks that depend on it. */
export interface FaultContext {
  /** The load goes through the fault proxy (--via-proxy). */
  viaProxy: boolean;
  /** The server is one the tool started itself. */
  managed: boolean;
  /** The ACL user the run connects as, if any. */
  username?: string;
  /** --allow-server-faults: the user agreed to disrupt a server the tool did not start. */
  allowServerFaults: boolean;
  /** --restart-command: a server the tool did not start can be restarted by the user's command. */
  restartCommand?: boolean;
}

/** Faults this run cannot carry out, each with what it would need; empty when all can run. */
export function faultRequirementProblems(
  faults: readonly ScheduledFault[],
  context: FaultContext,
  path = "faults",
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const f of faults) {
    const where = `${path}[${f.index}]`;
    if (PROXY_FAULT_KINDS.includes(f.kind) && !context.viaProxy) {
      problems.push({
        field: `${where}.kind`,
        value: f.kind,
        allowed: `a ${f.kind} fault only with --via-proxy (or viaProxy: true in the file): it acts on the proxy between the load and the server`,
      });
    }
    if (f.kind === "client-kill" && f.clients === "run" && !context.viaProxy) {
      problems.push({
        field: `${where}.clients`,
        value: "run",
        allowed:
          "run only with --via-proxy, which tells the run's connections apart on the server; or user (CLIENT KILL USER, needs a user in the URL) or all (every normal client)",
      });
    }
    if (f.kind === "client-kill" && f.clients === "user" && context.username === undefined) {
      problems.push({
        field: `${where}.clients`,
        value: "user",
        allowed: "user only when the URL names an ACL user (redis://user:pass@host); or run, or all",
      });
    }
    if (f.kind === "restart" && !context.managed && context.restartCommand !== true) {
      problems.push({
        field: `${where}.kind`,
        value: "restart",
        allowed:
          "a restart only of a server the tool starts itself (run without --url / url:), or with --restart-command for one it did not start",
      });
    }
    const disruptsOthers =
      f.kind === "client-pause" ||
      f.kind === "debug-sleep" ||
      (f.kind === "client-kill" && f.clients !== "run");
    if (disruptsOthers && !context.managed && !context.allowServerFaults) {
      problems.push({
        field: `${where}.kind`,
        value: f.kind,
        allowed: `${f.kind} on a server the tool did not start only with --allow-server-faults: it affects every client of that server`,
      });
    }
  }
  return problems;
}
