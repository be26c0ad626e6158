import { commandIsWrite } from "../config/command-template.js";
import { type ChecklistItem, type ChecklistTick, checklistFor } from "../result/checklist.js";
import type { RunResult } from "../result/result-types.js";
import { formatThresholdActual } from "./format.js";

/**
 * Ticks the scenario's checklist (checklist.ts) from a finished run's result: every item pass, fail
 * or not done, with the evidence the result holds. Nothing here measures anything; an item the
 * result says nothing about is "not done", never "pass".
 */

const n = (x: number) => Math.round(x).toLocaleString("en-US");

type Tick = Pick<ChecklistTick, "status" | "evidence">;

const pass = (evidence: string): Tick => ({ status: "pass", evidence });
const fail = (evidence: string): Tick => ({ status: "fail", evidence });
const notDone = (evidence: string): Tick => ({ status: "not-done", evidence });

export interface TickOptions {
  /** The result file's name, when the report is being written. */
  reportFile?: string;
}

export function tickChecklist(result: RunResult, options: TickOptions = {}): ChecklistTick[] {
  return checklistFor(result.config).map((item) => ({ ...item, ...tickItem(item, result, options) }));
}

function tickItem(item: ChecklistItem, r: RunResult, options: TickOptions): Tick {
  if (item.id.startsWith("threshold:")) return threshold(item.id.slice("threshold:".length), r);
  if (item.id.startsWith("fault:")) return fault(Number(item.id.slice("fault:".length)), r);
  switch (item.id) {
    case "target-reachable":
      return r.target.serverVersion !== undefined
        ? pass(`${r.target.host}:${r.target.port} answered, server version ${r.target.serverVersion}`)
        : notDone("the server's version was never read");
    case "config-audited":
      if (r.audit === undefined) return notDone("not audited: run with --audit");
      return r.audit.ok
        ? pass(`${r.audit.profile} profile: no high-severity finding, ${r.audit.findings.length} finding(s)`)
        : fail(`${r.audit.profile} profile: ${r.audit.findings.length} finding(s), not ok`);
    case "keys-writable":
      return keysWritable(r);
    case "baseline-captured":
      return baseline(r);
    case "restart-possible":
      return r.target.managed
        ? pass("the tool started the server")
        : r.config.restartCommand !== undefined
          ? pass("--restart-command given")
          : fail("a server the tool did not start, and no --restart-command");
    case "cache-warmed":
      return r.warm !== undefined
        ? pass(`${n(r.warm.keys)} keys written in ${r.warm.durationMs} ms before the first count`)
        : notDone("no warming happened");
    case "thresholds-watched":
      return notDone("no threshold was set");
    case "alerts-watched":
      if (r.alerts === undefined) return notDone("no alert rules were evaluated");
      return r.alerts.firingAtEnd.length > 0
        ? fail(
            `${r.alerts.rules.length} rule(s) evaluated; firing at the end: ${r.alerts.firingAtEnd.map((a) => a.rule).join(", ")}`,
          )
        : pass(
            `${r.alerts.rules.length} rule(s) evaluated, ${r.alerts.events.filter((e) => e.type === "firing" && e.repeat === undefined).length} firing event(s), none firing at the end`,
          );
    case "target-stayed":
      return r.status === "completed"
        ? pass(`completed ${n(r.totals.ops)} operations over ${(r.durationMs / 1000).toFixed(1)} s`)
        : r.status === "stopped"
          ? notDone(`stopped early${r.stopReason ? `: ${r.stopReason}` : ""}`)
          : fail(`the run failed${r.stopReason ? `: ${r.stopReason}` : ""}`);
    case "check":
      if (r.check === undefined) return notDone("the check did not report");
      return r.check.ok ? pass(r.check.summary) : fail(r.check.problems.join("; ") || r.check.summary);
    case "counts-match":
      return counts(r);
    case "keys-cleaned":
      if (r.cleanup.kept) return notDone(r.cleanup.note ?? `kept (--keep-keys) under ${r.cleanup.prefix}`);
      if (r.cleanup.error !== undefined) return fail(`cleanup failed: ${r.cleanup.error}`);
      return pass(`${n(r.cleanup.keysDeleted)} key(s) deleted under ${r.cleanup.prefix}`);
    case "report-written":
      return options.reportFile !== undefined
        ? pass(options.reportFile)
        : notDone("the result was not written to a file");
    default:
      return notDone("unknown item");
  }
}

function threshold(expression: string, r: RunResult): Tick {
  const t = r.thresholds.find((x) => x.expression === expression);
  if (t === undefined) return notDone("not judged");
  return (t.ok ? pass : fail)(`actual ${formatThresholdActual(t.actual)}`);
}

function fault(index: number, r: RunResult): Tick {
  const f = r.faults?.find((x) => x.index === index);
  if (f === undefined) return notDone("not in the result");
  if (f.status === "failed") return fail(`could not be carried out: ${f.error ?? "unknown"}`);
  if (f.status === "not-reached") return notDone("the run ended before its time");
  const recovery =
    f.timeToFirstSuccessS === undefined
      ? ""
      : f.timeToFirstSuccessS === null
        ? "; no successful operation after it"
        : `; first success ${f.timeToFirstSuccessS} s after its end`;
  const during = f.during !== undefined ? `, ${n(f.during.errors)} error(s) during it` : "";
  const at = f.startS !== undefined ? ` at ${f.startS} s` : "";
  const status = f.timeToFirstSuccessS === null ? fail : pass;
  return status(`done${at}${during}${recovery}`);
}

function keysWritable(r: RunResult): Tick {
  const check = r.keyIsolation?.permissionCheck;
  const writeNames = new Set(r.config.commands.filter(commandIsWrite).map((c) => c.name));
  const writes = Object.entries(r.countCheck.byCommand).filter(([name]) => writeNames.has(name));
  const written = writes.reduce((sum, [, c]) => sum + c.completed, 0);
  const refused = Object.entries(r.totals.errorsByKind)
    .filter(([kind]) => /^(NOPERM|READONLY|OOM|MISCONF)/.test(kind))
    .reduce((sum, [, count]) => sum + count, 0);
  const how = check !== undefined ? `permissions checked (${check}); ` : "";
  if (refused > 0) return fail(`${how}${n(refused)} write(s) refused (NOPERM/READONLY/OOM/MISCONF)`);
  if (written > 0) return pass(`${how}${n(written)} write(s) answered`);
  return check !== undefined ? pass(`${how}no write in the mix`) : notDone("no write was sent");
}

function baseline(r: RunResult): Tick {
  const parts: string[] = [];
  if (r.countCheck.checked) parts.push("commandstats read before the load");
  if (r.keyIsolation?.prefixKeysBefore !== undefined)
    parts.push(`${n(r.keyIsolation.prefixKeysBefore)} key(s) under the prefix before`);
  if (r.serverSeries !== undefined && r.serverSeries.length > 0)
    parts.push(`${r.serverSeries.length} server sample(s)`);
  return parts.length > 0 ? pass(parts.join(", ")) : notDone("no server figures before the load");
}

function counts(r: RunResult): Tick {
  const c = r.countCheck;
  if (!c.checked) return notDone(c.note || "not checked");
  const pairs = Object.entries(c.byCommand).map(
    ([name, x]) =>
      `${n(x.sent)} ${name} sent${x.completed !== x.sent ? ` (${n(x.completed)} answered)` : ""} = server ${n(x.server)}`,
  );
  const text = pairs.join(", ") || "no commands";
  return c.ok ? pass(text) : fail(`${text}${c.note ? `: ${c.note}` : ""}`);
}
