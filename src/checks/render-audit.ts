import { formatMemory, parseMemoryBytes } from "./audit-values.js";
import type { AuditFinding, AuditReport } from "./config-audit.js";

/**
 * The audit as a terminal table (stderr): one row per setting, then the pinned expectations, what
 * could not be read, and a verdict line. Returns a string so the layout is unit-testable; the JSON
 * form is the AuditReport itself.
 */

/** Long values (client-output-buffer-limit) are cut in the table; the JSON has them whole. */
const MAX_CELL_CHARS = 44;

const SEVERITY_ORDER: Record<AuditFinding["severity"], number> = { high: 0, medium: 1, low: 2, info: 3 };

export function renderAuditTable(report: AuditReport): string {
  const lines: string[] = [];
  const target = report.target !== undefined ? ` of ${report.target}` : "";
  const version = report.serverVersion !== undefined ? ` (server ${report.serverVersion})` : "";
  lines.push(`Config audit${target}${version}, profile ${report.profile}`, "");

  const header = ["setting", "value", "recommended", "severity", "ok", "why"];
  const rows = report.findings.map((f) => [
    f.setting,
    cell(showValue(f)),
    cell(f.recommended),
    f.ok || f.value === undefined ? "" : f.severity,
    f.value === undefined ? "?" : f.ok ? "ok" : "✗",
    f.why,
  ]);
  lines.push(...alignRows([header, ...rows]));

  if (report.expectations.length > 0) {
    lines.push("", "Expectations:");
    const expectationRows = report.expectations.map((e) => [
      e.setting,
      `expected ${e.expected === "" ? '""' : e.expected}`,
      `actual ${e.actual === undefined ? "unknown" : e.actual === "" ? '""' : withHuman(e.setting, e.actual)}`,
      e.ok ? "ok" : "✗",
      e.note ?? "",
    ]);
    lines.push(...alignRows(expectationRows).map((l) => `  ${l}`));
  }

  if (report.couldNotRead.length > 0) {
    lines.push("", "Could not check:");
    for (const line of report.couldNotRead) lines.push(`  - ${line}`);
  }

  lines.push("", verdictLine(report));
  return lines.join("\n");
}

/** `audit passed ...` / `audit FAILED: ...`, naming the high findings and failed expectations. */
export function verdictLine(report: AuditReport): string {
  const failing = report.findings.filter((f) => !f.ok && f.value !== undefined);
  const counts = (["high", "medium", "low"] as const)
    .map((s) => `${failing.filter((f) => f.severity === s).length} ${s}`)
    .join(", ");
  const held = report.expectations.filter((e) => e.ok).length;
  const expectations =
    report.expectations.length > 0 ? `; ${held}/${report.expectations.length} expectations hold` : "";
  const summary = `${counts} findings${expectations}`;
  if (report.ok) return `audit passed for profile ${report.profile}: ${summary}`;
  const reasons: string[] = [];
  const high = failing.filter((f) => f.severity === "high").sort(bySeverity);
  if (high.length > 0) reasons.push(`high: ${high.map((f) => f.setting).join(", ")}`);
  const broken = report.expectations.filter((e) => !e.ok);
  if (broken.length > 0) {
    reasons.push(`expectation failed: ${broken.map((e) => `${e.setting}=${e.expected}`).join(", ")}`);
  }
  return `audit FAILED for profile ${report.profile} (${reasons.join("; ")}): ${summary}`;
}

function bySeverity(a: AuditFinding, b: AuditFinding): number {
  return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];
}

function showValue(finding: AuditFinding): string {
  if (finding.value === undefined) return "(unreadable)";
  if (finding.value === "") return '""';
  const shown = withHuman(finding.setting, finding.value);
  return finding.source === "info" ? `${shown} (INFO)` : shown;
}

/** maxmemory 67108864 → `67108864 (64mb)`, so the table reads like the config file. */
function withHuman(setting: string, value: string): string {
  if (setting !== "maxmemory") return value;
  const bytes = parseMemoryBytes(value);
  return bytes !== undefined && bytes > 0 && String(bytes) === value.trim()
    ? `${value} (${formatMemory(bytes)})`
    : value;
}

function cell(text: string): string {
  return text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 1)}…` : text;
}

/** Pads every column but the last to its widest cell; the last column (why, note) runs free. */
function alignRows(rows: readonly string[][]): string[] {
  const columns = rows[0]?.length ?? 0;
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(...rows.map((r) => [...(r[c] ?? "")].length)),
  );
  return rows.map((row) =>
    row
      .map((text, c) => (c === columns - 1 ? text : text + " ".repeat(widths[c] - [...text].length)))
      .join("  ")
      .trimEnd(),
  );
}
