import type { ConfigProblem } from "../config/errors.js";
import type { RunConfig } from "../config/types.js";
import { type FaultContext, faultRequirementProblems } from "../faults/fault-requirements.js";
import type { FaultRecord } from "../faults/fault-runner.js";
import {
  FAULT_KINDS,
  type FaultKind,
  parseFaultSchedule,
  type ScheduledFault,
} from "../faults/fault-schedule.js";
import { urlUsername } from "../faults/run-schedule.js";

/**
 * A fault started by hand on a run under way (the dashboard's fault menu): the same entry as one
 * of a scenario's `faults:` list, without `at` (it begins now), judged by the same rules and what
 * the run offers (--via-proxy, a managed server, --allow-server-faults).
 */

/** What a fault entry may hold besides `kind`: `for`, `name` and the kind's own fields (docs/faults.md). */
export type FaultEntry = { kind: string } & Record<string, unknown>;

/** One kind of the menu: whether it needs `for`, and the field to ask for with its default. */
export interface FaultMenuItem {
  kind: FaultKind;
  /** "required": a duration must be given; "optional": may be; "none": the kind has no `for`. */
  needsFor: "required" | "optional" | "none";
  field?: { key: string; label: string; default: string | number };
}

/** The form the menu offers per kind: one field each, the rest at the schedule's defaults. */
const MENU: Record<FaultKind, Omit<FaultMenuItem, "kind">> = {
  latency: { needsFor: "required", field: { key: "latencyMs", label: "added delay, ms", default: 50 } },
  bandwidth: {
    needsFor: "required",
    field: { key: "bytesPerSec", label: "bytes per second", default: 100_000 },
  },
  drop: { needsFor: "required", field: { key: "probability", label: "chance to drop, 0–1", default: 0.1 } },
  reset: { needsFor: "optional" },
  blackhole: { needsFor: "required" },
  "client-kill": {
    needsFor: "optional",
    field: { key: "clients", label: "run, user or all", default: "all" },
  },
  "client-pause": { needsFor: "required", field: { key: "mode", label: "all or write", default: "all" } },
  "debug-sleep": {
    needsFor: "none",
    field: { key: "seconds", label: "seconds the server sleeps", default: 0.5 },
  },
  restart: {
    needsFor: "optional",
    field: { key: "signal", label: "SIGTERM or SIGKILL", default: "SIGTERM" },
  },
};

export function faultContext(config: RunConfig): FaultContext {
  return {
    viaProxy: config.viaProxy === true,
    managed: config.url === undefined,
    username: urlUsername(config.url),
    allowServerFaults: config.allowServerFaults === true,
  };
}

/** The kinds this run can carry out, each with its form; a kind whose defaults need what the run lacks is left out. */
export function faultMenu(config: RunConfig): FaultMenuItem[] {
  const context = faultContext(config);
  return FAULT_KINDS.filter((kind) => {
    const item = MENU[kind];
    const entry: FaultEntry = { kind, at: 0 };
    if (item.needsFor === "required") entry.for = 1;
    if (item.field !== undefined) entry[item.field.key] = item.field.default;
    // client-kill: offered when any of its client choices works here.
    const tries =
      kind === "client-kill" ? ["all", "user", "run"].map((clients) => ({ ...entry, clients })) : [entry];
    return tries.some((t) => {
      const parsed = parseFaultSchedule([t]);
      return parsed.ok && faultRequirementProblems(parsed.faults, context).length === 0;
    });
  }).map((kind) => ({ kind, ...MENU[kind] }));
}

/**
 * The entry as a fault that begins `atMs` into the measured part, numbered `index`, or every problem
 * with it (fields named `fault.latencyMs`...). A fault of the same kind still in force is refused:
 * the two would overwrite each other's settings.
 */
export function injectedFault(
  entry: FaultEntry,
  config: RunConfig,
  at: { atMs: number; index: number },
  inForce: readonly FaultRecord[],
): { ok: true; fault: ScheduledFault } | { ok: false; problems: ConfigProblem[] } {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry))
    return {
      ok: false,
      problems: [{ field: "fault", value: entry, allowed: "a fault: { kind, for?, ... }" }],
    };
  const problems: ConfigProblem[] = [];
  if ("at" in entry)
    problems.push({ field: "fault.at", value: entry.at, allowed: "no `at`: an injected fault begins now" });
  const { at: _at, ...rest } = entry;
  const parsed = parseFaultSchedule([{ ...rest, at: 0 }], { path: "fault" });
  if (!parsed.ok)
    problems.push(...parsed.problems.map((p) => ({ ...p, field: p.field.replace(/^fault\[0\]/, "fault") })));
  else {
    const requirement = faultRequirementProblems(parsed.faults, faultContext(config), "fault");
    problems.push(...requirement.map((p) => ({ ...p, field: p.field.replace(/^fault\[0\]/, "fault") })));
    const kind = parsed.faults[0].kind;
    const busy = inForce.find((r) => r.kind === kind && r.startS !== undefined && r.endS === undefined);
    if (busy !== undefined)
      problems.push({
        field: "fault.kind",
        value: kind,
        allowed: `a kind not in force now: ${busy.name} (since ${busy.startS}s) has not ended`,
      });
  }
  if (problems.length > 0 || !parsed.ok) return { ok: false, problems };
  const fault = { ...parsed.faults[0], index: at.index, atMs: at.atMs };
  return { ok: true, fault };
}
