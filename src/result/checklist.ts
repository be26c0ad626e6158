import type { RunConfig } from "../config/types.js";
import { parseFaultSchedule } from "../faults/fault-schedule.js";

/**
 * The deployment-validation checklist of a scenario: what a team checks before, during and after a
 * run against a cache they are about to trust (`cachestress checklist SCENARIO` prints it). Every
 * run's result carries the same list ticked from what the run actually did (checklist-ticks.ts),
 * so the printed plan and the report's evidence line up item by item. docs/checklist.md.
 */

export type ChecklistPhase = "pre-run" | "during-run" | "post-run";

export interface ChecklistItem {
  /** Stable name, for scripts: `counts-match`, `threshold:p(99)<500ms`, `fault:0`, `check`. */
  id: string;
  phase: ChecklistPhase;
  /** What must be true, in the user's words. */
  text: string;
  /** How cachestress checks it (or what flag makes it check it). */
  how: string;
}

export interface ChecklistTick extends ChecklistItem {
  /** not-done: the run did not check it (a flag was not given, or the run ended before). */
  status: "pass" | "fail" | "not-done";
  /** What was seen, with the numbers: `16,400 SET sent = server 16,400`. */
  evidence: string;
}

export const PHASES: readonly ChecklistPhase[] = ["pre-run", "during-run", "post-run"];

/** Restarts of a server the tool did not start need --restart-command (docs/restart-command.md). */
function needsRestart(config: RunConfig, faultKinds: string[]): boolean {
  const checkKind = (config.check as { kind?: unknown } | undefined)?.kind;
  return checkKind === "persistence-recovery" || faultKinds.includes("restart");
}

/** The checklist for a run of `config`: the common items plus its thresholds, faults and check. */
export function checklistFor(config: RunConfig): ChecklistItem[] {
  const parsed = parseFaultSchedule(config.faults);
  const faults = parsed.ok ? parsed.faults : [];
  const items: ChecklistItem[] = [
    {
      id: "target-reachable",
      phase: "pre-run",
      text: "target reachable",
      how: "the admin connection answers and reports the server version before any load",
    },
    {
      id: "config-audited",
      phase: "pre-run",
      text: "configuration audited for the use case",
      how: config.audit
        ? `--audit: the run judges the server's settings for ${config.useCase ?? "cache"} use`
        : `not asked: add --audit (or run 'cachestress audit') to judge the settings for ${config.useCase ?? "cache"} use`,
    },
    {
      id: "keys-writable",
      phase: "pre-run",
      text: "the run's keys are writable",
      how: "the user's permissions on the run's key prefix are checked before the load, and the writes succeed",
    },
    {
      id: "baseline-captured",
      phase: "pre-run",
      text: "baseline captured",
      how: "INFO commandstats and the keys under the prefix are read before the load; the server is sampled from the start",
    },
  ];
  if (
    needsRestart(
      config,
      faults.map((f) => f.kind),
    )
  )
    items.push({
      id: "restart-possible",
      phase: "pre-run",
      text: "the server can be restarted",
      how: "a server the tool starts, or --restart-command for one it did not start",
    });
  if (config.warmTop !== undefined)
    items.push({
      id: "cache-warmed",
      phase: "pre-run",
      text: `the ${config.warmTop} most popular keys are warmed`,
      how: "--warm-top writes them before the server's counts are first read",
    });
  if (config.thresholds.length === 0)
    items.push({
      id: "thresholds-watched",
      phase: "during-run",
      text: "thresholds watched",
      how: "none set: add --threshold 'p(99)<500ms' (or thresholds: in the scenario)",
    });
  for (const expression of config.thresholds)
    items.push({
      id: `threshold:${expression}`,
      phase: "during-run",
      text: `threshold ${expression} holds`,
      how: "judged over the measured part",
    });
  items.push({
    id: "alerts-watched",
    phase: "during-run",
    text: "alert rules evaluated live",
    how: "every interval against the default or the scenario's alerts:",
  });
  for (const f of faults)
    items.push({
      id: `fault:${f.index}`,
      phase: "during-run",
      text: `fault ${f.name} at ${f.atMs / 1000} s carried out and recovered from`,
      how: "the fault's record (start, end, effects) and the time to the first success after it",
    });
  items.push({
    id: "target-stayed",
    phase: "during-run",
    text: "the target stayed reachable to the end",
    how: "the run completed; no 5 s with every connection down",
  });
  const checkKind = (config.check as { kind?: unknown } | undefined)?.kind;
  if (typeof checkKind === "string")
    items.push({
      id: "check",
      phase: "post-run",
      text: `the ${checkKind} check passes`,
      how: "its own figures and problems (docs/catalogue.md)",
    });
  items.push(
    {
      id: "counts-match",
      phase: "post-run",
      text: "counts match",
      how: "commands sent by the tool = the server's INFO commandstats over the run",
    },
    {
      id: "keys-cleaned",
      phase: "post-run",
      text: "keys cleaned",
      how: config.keepKeys
        ? "not asked: --keep-keys leaves the run's keys on the server"
        : "every key under the run's prefix is deleted after the run",
    },
    {
      id: "report-written",
      phase: "post-run",
      text: "report written",
      how: `result JSON, Markdown and HTML in ${config.outDir}`,
    },
  );
  return items;
}

/** The checklist as text, one phase after the other; ticked lists show status and evidence. */
export function renderChecklistText(items: readonly (ChecklistItem | ChecklistTick)[]): string[] {
  const lines: string[] = [];
  for (const phase of PHASES) {
    const inPhase = items.filter((i) => i.phase === phase);
    if (inPhase.length === 0) continue;
    if (lines.length > 0) lines.push("");
    lines.push(`${phase}:`);
    for (const item of inPhase) {
      if ("status" in item) lines.push(`  [${mark(item.status)}] ${item.text}: ${item.evidence}`);
      else lines.push(`  [ ] ${item.text} (${item.how})`);
    }
  }
  return lines;
}

export function mark(status: ChecklistTick["status"]): string {
  return status === "pass" ? "x" : status === "fail" ? "!" : " ";
}
