import type { FaultReport } from "../faults/fault-report.js";
import type { RunResult } from "../result/result-types.js";

/**
 * The faults of a run as plain lines, one per fault: when it really happened, what the clients
 * saw during it and how long they took to recover. Shared by the terminal summary and Markdown.
 */
export function faultLines(result: RunResult): string[] {
  const faults = result.faults;
  if (faults === undefined || faults.length === 0) return [];
  const done = faults.filter((f) => f.status === "done").length;
  return [`faults: ${faults.length} scheduled, ${done} done`, ...faults.map((f) => `  ${faultLine(f)}`)];
}

function faultLine(f: FaultReport): string {
  if (f.startS === undefined) return `[not reached] ${f.atS}s ${f.name}`;
  const when = f.endS !== undefined && f.endS - f.startS >= 0.05 ? `${f.startS}–${f.endS}s` : `${f.startS}s`;
  const parts: string[] = [];
  const d = f.during;
  if (d !== undefined) {
    const kinds = Object.entries(d.errorsByKind)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`);
    parts.push(
      `${d.errors} errors${kinds.length > 0 ? ` (${kinds.join(", ")})` : ""}, ${d.timeouts} timeouts, ` +
        `${d.reconnects} reconnects, worst p99 ${d.worstP99Ms} ms`,
    );
  }
  const recovery: string[] = [];
  if (f.timeToFirstSuccessS !== undefined)
    recovery.push(`first success ${f.timeToFirstSuccessS === null ? "never" : `+${f.timeToFirstSuccessS}s`}`);
  if (f.timeToBaselineP99S !== undefined)
    recovery.push(
      `p99 back to ${f.baselineP99Ms} ms ×1.5 ${f.timeToBaselineP99S === null ? "never" : `+${f.timeToBaselineP99S}s`}`,
    );
  if (recovery.length > 0) parts.push(recovery.join(", "));
  const effects = Object.entries(f.effects).map(([k, n]) => `${k} ${n}`);
  if (effects.length > 0) parts.push(effects.join(", "));
  const status = f.status === "failed" ? `[failed: ${f.error ?? "unknown"}] ` : "";
  return `${status}${when} ${f.name}${parts.length > 0 ? `: ${parts.join("; ")}` : ""}`;
}
